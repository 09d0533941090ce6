"""Operands: the figures a contract step reads.

A step's parameter that takes a figure is an *operand*: a number as the TOML
writes it (``190``, ``"17811万"``, ``"3.85%"``) or the name of a facts key or of
an item an earlier step produced (``"funding_total"``). Loading a contract
checks every name; computing looks it up (:class:`yibao.models.StepContext`).

This module sits low (money and errors only) so that the input pipeline can
structure operands and the models can use them without importing each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .errors import FieldError
from .money import ZERO, fmt_number, parse_decimal
from .values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class Operand(Value):
    """A figure in a step: a literal number or the name of a fact or item."""

    ref: str | None = None
    value: Decimal | None = None
    #: the literal as the TOML wrote it (``"3.85%"``), for ``yibao show``
    text: str | None = attrs.field(default=None, eq=False)

    @classmethod
    def parse(cls, raw: Any) -> Operand:
        if isinstance(raw, Operand):
            return raw
        if isinstance(raw, str) and raw.strip() and (raw.strip()[0].isalpha() or raw.strip()[0] == "_"):
            return cls(ref=raw.strip())
        text = raw.strip() if isinstance(raw, str) else None
        return cls(value=parse_decimal(raw), text=text)

    def __str__(self) -> str:
        if self.ref is not None:
            return self.ref
        return self.text or fmt_number(self.value or ZERO)


def to_operand(raw: Any) -> Operand:
    """attrs converter: TOML value -> :class:`Operand`."""
    return Operand.parse(raw)


def to_operands(raw: Any) -> tuple[Operand, ...]:
    """attrs converter for a list of operands."""
    return tuple(Operand.parse(x) for x in raw)


def to_opt_operand(raw: Any) -> Operand | None:
    """attrs converter for an optional operand."""
    return None if raw is None else Operand.parse(raw)


def date_ref(field: str, raw: Any) -> Operand | None:
    """A parameter naming a facts key that holds a date (``end =
    "terminated_on"``), as an :class:`Operand` with a name only, so loading
    checks the name like any operand's. Annotate such a field ``str`` (what
    TOML holds, and what the schema shows) and give it a converter that calls
    this with the parameter's name (for the error message).

    :raises FieldError: the value is not a name.
    """
    if raw is None:
        return None
    op = raw if isinstance(raw, Operand) else Operand.parse(raw) if isinstance(raw, str) else None
    if op is None or op.ref is None:
        raise FieldError(field, f"expected the name of a facts key holding a date, got {raw}")
    return op
