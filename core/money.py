"""Money, rates and the literals contracts write them in.

Every amount is a :class:`decimal.Decimal` in 元. Contracts write amounts as
``17811万`` or ``41.43万`` and rates as ``3.85%``; both are accepted wherever
TOML carries a number, and become exact Decimals. A line item is rounded to
分 with ROUND_HALF_UP at the moment it is produced (DESIGN.md, "Money"), and
later figures are computed from the rounded amount, as on paper.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType

FEN = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
WAN = Decimal("10000")

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(万|%|％)?\s*(元)?\s*$")


#: an amount of money in a facts file (元): at most two decimals (分). A facts
#: field annotated ``Money`` refuses ``1.234`` (exit 2 naming the key) instead
#: of rounding it without notice; :mod:`yibao.inputs` structures it.
Money = NewType("Money", Decimal)


def parse_money(value: object) -> Money:
    """A facts amount: :func:`parse_decimal`, and at most two decimals.

    :raises ValueError: not a number, or finer than 分.
    """
    number = parse_decimal(value)
    if to_fen(number) != number:
        raise ValueError(
            f"expected an amount in 元 with at most two decimals (分), got {value}; "
            f"give the amount as paid or booked, e.g. {fmt_amount(to_fen(number))}"
        )
    return Money(number)


def to_fen(value: Decimal) -> Decimal:
    """Round to 分 (0.01 元), half up — the rounding of every line item.
    Zero is never negative (no ``-0.00``)."""
    fen = value.quantize(FEN, rounding=ROUND_HALF_UP)
    return fen if fen else fen.copy_abs()


#: the largest magnitude accepted anywhere a number is read (10^15: a
#: thousand trillion 元, or head count), checked before any arithmetic — a
#: 26-byte ``1E+999999`` would otherwise cost minutes of CPU to round
LIMIT_DIGITS = 15
LIMIT_INT = 10**LIMIT_DIGITS
#: the most decimal places accepted (a rate such as 0.333333333333333333)
LIMIT_PLACES = 18


def checked(value: Decimal) -> Decimal:
    """``value`` if it is finite, below 10^15 in magnitude and has at most
    18 decimal places — else a ValueError saying so (the value shortened).
    Only the exponent and digit count are looked at: nothing is computed."""
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {value}")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if not any(digits):  # zero, whatever its sign and exponent
        return value.copy_abs() if -LIMIT_PLACES <= exponent <= LIMIT_DIGITS else ZERO
    if len(digits) + exponent > LIMIT_DIGITS and value != 0:
        raise ValueError(f"expected a number below 10^{LIMIT_DIGITS} in magnitude, got {shown(value)}")
    if exponent < -LIMIT_PLACES and any(digits[exponent + LIMIT_PLACES:]):  # a non-zero digit past the 18th place
        raise ValueError(f"expected at most {LIMIT_PLACES} decimal places, got {shown(value)}")
    return value


def shown(value: object, limit: int = 40) -> str:
    """A value as a message shows it: at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_decimal(value: object) -> Decimal:
    """Turn a TOML value into an exact Decimal.

    Accepts Decimal (TOML floats are read with ``parse_float=Decimal``), int,
    and strings such as ``"190"``, ``"17811万"``, ``"41.43万元"``, ``"3.85%"``.
    A Python float is refused: it has already lost the exact value.

    :raises ValueError: with a message saying what was expected.
    """
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        return checked(value)
    if isinstance(value, int):
        return checked(Decimal(value)) if abs(value) >= LIMIT_INT else Decimal(value)
    if isinstance(value, float):
        raise ValueError("expected an exact number (Decimal), got a float")
    if isinstance(value, str):
        m = _NUMBER.match(value)
        if not m:
            raise ValueError(
                f"expected a number such as 190, '17811万' or '3.85%', got {value!r}"
            )
        try:
            number = Decimal(m.group(1))
        except InvalidOperation as exc:  # pragma: no cover - regex guards it
            raise ValueError(f"expected a number, got {value!r}") from exc
        number = checked(number)
        unit = m.group(2)
        if unit == "万":
            return checked(number * WAN)
        if unit in ("%", "％"):
            return number / HUNDRED
        return number
    raise ValueError(f"expected a number, got {type(value).__name__}")


def fmt_amount(value: Decimal) -> str:
    """Two decimals, no grouping: the JSON form of an amount (``"731500.00"``)."""
    return f"{to_fen(value):.2f}"


def fmt_number(value: Decimal) -> str:
    """A number as it appears inside a formula: amounts with 2 decimals, other
    numbers without trailing zeros (``190``, ``33333``, ``0.5``)."""
    if value == value.to_integral_value():
        return f"{value:.0f}"
    normal = value.normalize()
    return f"{normal:f}"


def fmt_rate(value: Decimal) -> str:
    """A rate as a percentage for formulas: Decimal('0.0385') -> '3.85%'."""
    pct = (value * HUNDRED).normalize()
    return f"{pct:f}%"


def fmt_grouped(value: Decimal) -> str:
    """Thousands-grouped amount for tables: 6,333,270.00."""
    return f"{to_fen(value):,.2f}"


def to_daxie(value: Decimal) -> str:
    """Format an amount in 大写 (e.g. 699000 -> 陆拾玖万玖仟元整).

    Uses ``cn2an`` in its ``rmb`` mode, imported lazily (it costs about a
    quarter of a second at import).
    """
    import cn2an  # noqa: PLC0415 - lazy on purpose

    text: str = cn2an.an2cn(str(to_fen(value)), "rmb")
    return text


def from_daxie(text: str) -> Decimal:
    """Parse a 大写 amount (陆拾玖万玖仟元整 -> 699000.00).

    :raises ValueError: when the text is not a 大写 amount.
    """
    import cn2an  # noqa: PLC0415 - lazy on purpose

    cleaned = text.strip().removeprefix("人民币")
    try:
        number = cn2an.cn2an(cleaned, "strict")
    except Exception as exc:  # cn2an raises ValueError and others
        # cn2an's strict mode does not know 元/角/分: parse them ourselves.
        number = _parse_rmb_words(cleaned, exc)
    return to_fen(Decimal(str(number)))


def _parse_rmb_words(text: str, cause: Exception) -> Decimal:
    """Split 元/角/分 off a 大写 amount and let cn2an read each part."""
    import cn2an  # noqa: PLC0415

    rest = text.removesuffix("整").removesuffix("正")
    total = ZERO
    found = False
    for unit, scale in (("元", Decimal(1)), ("角", Decimal("0.1")), ("分", Decimal("0.01"))):
        if unit in rest:
            head, rest = rest.split(unit, 1)
            found = True
            head = head.lstrip("零")
            if head:
                try:
                    total += Decimal(str(cn2an.cn2an(head, "strict"))) * scale
                except Exception as exc:
                    raise ValueError(f"not a 大写 amount: {text!r}") from exc
    if rest.strip("零") or not found:
        raise ValueError(f"not a 大写 amount: {text!r}") from cause
    return total
