"""A base for frozen value classes whose equality, hash and repr come from
their fields — written once here instead of generated for every class.

attrs compiles ``__repr__``, ``__eq__`` and ``__hash__`` for each class it
builds, at import time: about 2.5M instructions a class. ``yibao compute``
defines a few dozen value classes before its first figure, so that was a
sixth of what the command costs over bare Python (``benchmarks/startup.py``).
A value class is declared ``@attrs.frozen(eq=False, repr=False, slots=False)`` and
derives from :class:`Value`: attrs still writes its ``__init__`` (with its
converters and validators), and :class:`Value` answers equality, hashing
and ``repr`` from the same fields attrs would use (``eq=False`` and
``repr=False`` on a field are honoured), computed when called rather than
compiled when defined.

yibao's attrs classes are also declared ``slots=False``: attrs builds a
slotted class twice (once to collect the fields, once more with
``__slots__``), ≈ 0.25M instructions a class at every start-up, while the
instances are few and small enough that a ``__dict__`` each costs nothing
that matters — and unpickling a cached contract is faster without slots.
"""

from __future__ import annotations

from typing import Any

import attrs


class Value:
    """Equality, hash and repr from the attrs fields of the subclass."""

    __slots__ = ()

    def _eq_key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, a.name) for a in attrs.fields(type(self)) if a.eq)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._eq_key() == other._eq_key()  # type: ignore[attr-defined, no-any-return]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self.__class__, self._eq_key()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in attrs.fields(type(self)) if a.repr)  # type: ignore[arg-type]
        return f"{type(self).__qualname__}({shown})"
