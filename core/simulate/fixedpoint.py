"""Exact decimal arithmetic over numpy arrays: :class:`Fx`.

An :class:`Fx` is ``v / 10**s``: ``v`` an ``int64`` array (one value per
scenario) or a Python ``int`` (a constant, exact at any size), ``s`` the
number of decimals. Every operation the standard models use — ``+ − ×``,
``min``/``max``, comparisons, a division by a whole number, rounding to 分
half up — is exact, so the vectorised models give the Decimal path's figures
to the 分: a Decimal ``3.85%`` is ``Fx(385, 4)``, an amount in 分 is
``Fx(v, 2)``, a product adds the decimals, and :func:`to_fen` rounds
half up (away from zero, as ``ROUND_HALF_UP``) exactly where the ledger does.

Each value carries bounds ``lo ≤ v ≤ hi`` (Python ints, interval
arithmetic): an operation whose result could leave ``int64`` raises
:class:`VectorOverflow` *before* it is computed, and the simulation falls back
to the Decimal path. The bounds also spare rounding a sign test when a value
cannot be negative.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

#: |v| beyond this could overflow a later int64 operation
LIMIT = 1 << 62


class VectorOverflow(ArithmeticError):
    """An operation could leave int64: the exact vector path cannot do it."""


class Fx:
    """``v / 10**s``, exact; ``v`` an int64 array or a Python int."""

    __slots__ = ("hi", "lo", "s", "v")

    def __init__(self, v: Any, s: int, lo: int | None = None, hi: int | None = None) -> None:
        self.v = v
        self.s = s
        if lo is None or hi is None:
            if isinstance(v, np.ndarray):
                lo, hi = (int(v.min()), int(v.max())) if v.size else (0, 0)
            else:
                lo = hi = int(v)
        self.lo, self.hi = lo, hi
        if isinstance(v, np.ndarray) and (lo < -LIMIT or hi > LIMIT):
            raise VectorOverflow(f"values up to {max(-lo, hi)} × 10^-{s} exceed int64")

    @property
    def const(self) -> bool:
        return not isinstance(self.v, np.ndarray)

    def decimal(self) -> Decimal:
        """A constant as a Decimal."""
        assert self.const
        return Decimal(int(self.v)).scaleb(-self.s)

    def rescale(self, s: int) -> Fx:
        """The same value with ``s ≥ self.s`` decimals."""
        if s == self.s:
            return self
        k = 10 ** (s - self.s)
        return _mk(self.v * k, s, self.lo * k, self.hi * k)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Fx({self.v!r}, s={self.s})"


def _mk(v: Any, s: int, lo: int, hi: int) -> Fx:
    if isinstance(v, np.ndarray) and (lo < -LIMIT or hi > LIMIT):
        raise VectorOverflow(f"values up to {max(-lo, hi)} × 10^-{s} exceed int64")
    return Fx(v, s, lo, hi)


def fx(x: Any) -> Fx:
    """A number (Decimal, int, bool, Fx) as an :class:`Fx`."""
    if isinstance(x, Fx):
        return x
    if isinstance(x, bool):
        return Fx(int(x), 0)
    if isinstance(x, int):
        return Fx(x, 0)
    if isinstance(x, Decimal):
        sign, digits, exp = x.as_tuple()
        assert isinstance(exp, int)
        n = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        if exp >= 0:
            return Fx(n * 10**exp, 0)
        return Fx(n, -exp)
    raise TypeError(f"expected a number, got {x!r}")


def _align(a: Fx, b: Fx) -> tuple[Fx, Fx]:
    s = max(a.s, b.s)
    return a.rescale(s), b.rescale(s)


def add(a: Fx, b: Fx) -> Fx:
    a, b = _align(a, b)
    return _mk(a.v + b.v, a.s, a.lo + b.lo, a.hi + b.hi)


def sub(a: Fx, b: Fx) -> Fx:
    a, b = _align(a, b)
    return _mk(a.v - b.v, a.s, a.lo - b.hi, a.hi - b.lo)


def mul(a: Fx, b: Fx) -> Fx:
    corners = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
    lo, hi = min(corners), max(corners)
    if not (a.const and b.const) and (lo < -LIMIT or hi > LIMIT):
        raise VectorOverflow(f"a product up to {max(-lo, hi)} × 10^-{a.s + b.s} exceeds int64")
    return _mk(a.v * b.v, a.s + b.s, lo, hi)


def maximum(a: Fx, b: Fx) -> Fx:
    a, b = _align(a, b)
    lo, hi = max(a.lo, b.lo), max(a.hi, b.hi)
    if a.lo >= b.hi:
        return a
    if b.lo >= a.hi:
        return b
    if a.const and b.const:
        return Fx(max(a.v, b.v), a.s)
    return _mk(np.maximum(a.v, b.v), a.s, lo, hi)


def minimum(a: Fx, b: Fx) -> Fx:
    a, b = _align(a, b)
    lo, hi = min(a.lo, b.lo), min(a.hi, b.hi)
    if a.hi <= b.lo:
        return a
    if b.hi <= a.lo:
        return b
    if a.const and b.const:
        return Fx(min(a.v, b.v), a.s)
    return _mk(np.minimum(a.v, b.v), a.s, lo, hi)


def max0(a: Fx) -> Fx:
    return maximum(a, Fx(0, a.s))


def lt(a: Fx, b: Fx) -> Any:
    """``a < b``: a bool array, or a bool for two constants."""
    a, b = _align(a, b)
    if a.hi < b.lo:
        return True
    if a.lo >= b.hi:
        return False
    return a.v < b.v


def le(a: Fx, b: Fx) -> Any:
    a, b = _align(a, b)
    if a.hi <= b.lo:
        return True
    if a.lo > b.hi:
        return False
    return a.v <= b.v


def nonzero(a: Fx) -> Any:
    """``a != 0``: a bool array, or a bool."""
    if a.const:
        return a.v != 0
    if a.lo > 0 or a.hi < 0:
        return True
    return a.v != 0


def where(mask: Any, a: Fx, b: Fx) -> Fx:
    """``a`` where ``mask`` (a bool array or a bool), else ``b``."""
    if mask is True or mask is False or isinstance(mask, (bool, np.bool_)):
        return a if mask else b
    a, b = _align(a, b)
    return _mk(np.where(mask, a.v, b.v), a.s, min(a.lo, b.lo), max(a.hi, b.hi))


def _round_div(v: Any, d: int, lo: int, hi: int) -> Any:
    """``v / d`` rounded half up (away from zero), ``d > 0``, exactly."""
    if d == 1:
        return v
    if not isinstance(v, np.ndarray):
        q = (2 * abs(v) + d) // (2 * d)
        return -q if v < 0 else q
    if lo >= 0:
        if d % 2 == 0:
            return (v + d // 2) // d
        return (2 * v + d) // (2 * d)
    a = np.abs(v)
    q = (a + d // 2) // d if d % 2 == 0 else (2 * a + d) // (2 * d)
    return np.where(v < 0, -q, q)


def to_fen(a: Fx) -> Fx:
    """Rounded to 分 (2 decimals) half up — what ``yibao.money.to_fen`` does."""
    if a.s <= 2:
        return a.rescale(2)
    d = 10 ** (a.s - 2)
    v = _round_div(a.v, d, a.lo, a.hi)
    return _mk(v, 2, a.lo // d, -(-a.hi // d))


def div_to_fen(a: Fx, d: int) -> Fx:
    """``a ÷ d`` (a whole number > 0) rounded to 分 half up, exactly."""
    if d <= 0:
        raise ValueError("divisor must be positive")
    a2 = a.rescale(max(a.s, 2))
    den = d * 10 ** (a2.s - 2)
    v = _round_div(a2.v, den, a2.lo, a2.hi)
    bound = max(abs(a2.lo), abs(a2.hi)) // den + 1
    return _mk(v, 2, -bound, bound)


def floor_int(a: Fx) -> Fx:
    """Rounded down to a whole number (``ROUND_FLOOR``)."""
    if a.s == 0:
        return a
    d = 10**a.s
    return _mk(a.v // d, 0, a.lo // d, a.hi // d)


def fen_array(a: Fx, n: int) -> np.ndarray:
    """An amount already in 分, as an int64 array of ``n`` scenarios."""
    assert a.s == 2
    if a.const:
        return np.full(n, int(a.v), dtype=np.int64)
    return a.v  # type: ignore[no-any-return]
