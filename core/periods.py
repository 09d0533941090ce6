"""The kinds of period the contracts settle, as values.

A period is what one facts file is about: a calendar year (``2025``; 新乡,
淮阳, 咸阳 settle by 自然年度), a calendar quarter (``"2026Q1"``; 洛阳 pays by
quarter), a contract quarter (``"Q1"``, three contract months counted from the
term's first day; 淮安 runs 2025-02-01 – 2026-01-31 and pays 按季度), or a
month (``"2026-03"``). Each kind is parsed from what a facts file writes,
ordered, has a first and last day, a next and a previous, and is checked
against the contract term — here, once, for every contract.

A facts class declares its kind by the type of one field: ``year: Year``,
``period: Quarter | Year``, ``quarter: ContractQuarter``. The input pipeline
parses that field like any other (a bad value is an input error at its key
path), and :func:`period_of` finds it without probing attribute names.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import Any, ClassVar

import attrs

from .dates import add_months, contract_period
from .values import Value

#: years a period may name: a sane calendar range (datetime's own bounds)
MIN_YEAR, MAX_YEAR = 1900, 9998


class Period(Value):
    """Base of every kind of period (not instantiated itself). Periods of
    one kind are ordered by their fields (year, then quarter or month);
    :meth:`sort_key` orders periods of different kinds."""

    __slots__ = ()

    #: the kind's name, as ``[[steps]] periods = ["quarter"]`` writes it
    kind: ClassVar[str]
    #: what a facts file writes for it, for error messages
    expected: ClassVar[str]
    #: the kind in a sentence ("a year from 2025 to 2027")
    noun: ClassVar[str]

    @classmethod
    def parse(cls, value: Any) -> Period:
        """The period a facts value stands for.

        :raises ValueError: ``expected …, got …`` when it is not one.
        """
        raise NotImplementedError

    def bounds(self, origin: dt.date) -> tuple[dt.date, dt.date]:
        """First and last day. ``origin`` is the contract term's first day
        (only contract periods count from it)."""
        raise NotImplementedError

    def next(self) -> Period:
        raise NotImplementedError

    def previous(self) -> Period:
        raise NotImplementedError

    @classmethod
    def containing(cls, day: dt.date, origin: dt.date) -> Period:
        """The period of this kind that contains ``day``."""
        raise NotImplementedError

    def _order(self, other: object) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
        if other.__class__ is not self.__class__:
            return None
        return self._eq_key(), other._eq_key()  # type: ignore[attr-defined]

    def __lt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] >= pair[1]

    def sort_key(self, origin: dt.date) -> tuple[dt.date, int]:
        """Orders periods of any kinds: by last day, and of two ending on the
        same day the shorter first (2026Q4 before the year 2026, whose
        year-end settlement follows its quarters)."""
        first, last = self.bounds(origin)
        return last, -first.toordinal()


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


@attrs.frozen(eq=False, repr=False, slots=False)
class Year(Period):
    """A calendar year (合同年度 = 自然年度)."""

    year: int
    kind: ClassVar[str] = "year"
    expected: ClassVar[str] = "a year such as 2025"
    noun: ClassVar[str] = "year"

    @classmethod
    def containing(cls, day: dt.date, origin: dt.date) -> Year:
        return cls(day.year)

    @classmethod
    def parse(cls, value: Any) -> Year:
        n = _whole(value)
        if n is None or not _year_ok(n):
            raise ValueError(f"expected {cls.expected}, got {value!r}")
        return cls(n)

    def bounds(self, origin: dt.date) -> tuple[dt.date, dt.date]:
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)

    def next(self) -> Year:
        return Year(self.year + 1)

    def previous(self) -> Year:
        return Year(self.year - 1)

    def __str__(self) -> str:
        return str(self.year)


_QUARTER = r"(\d{4})Q([1-4])"


@attrs.frozen(eq=False, repr=False, slots=False)
class Quarter(Period):
    """A calendar quarter, ``"2026Q1"`` (January–March)."""

    year: int
    quarter: int
    kind: ClassVar[str] = "quarter"
    expected: ClassVar[str] = "a quarter such as '2026Q1' (Q1–Q4)"
    noun: ClassVar[str] = "quarter"

    @classmethod
    def containing(cls, day: dt.date, origin: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, value: Any) -> Quarter:
        m = re.fullmatch(_QUARTER, value.strip()) if isinstance(value, str) else None
        if m is None or not _year_ok(int(m.group(1))):
            raise ValueError(f"expected {cls.expected}, got {value!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def bounds(self, origin: dt.date) -> tuple[dt.date, dt.date]:
        first = dt.date(self.year, self.quarter * 3 - 2, 1)
        return first, add_months(first, 3) - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def year_period(self) -> Year:
        """The calendar year this quarter lies in."""
        return Year(self.year)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


_CONTRACT_QUARTER = r"Q?(\d{1,3})"


@attrs.frozen(eq=False, repr=False, slots=False)
class ContractQuarter(Period):
    """A contract quarter: three contract months counted from the term's
    first day (淮安 五: 按季度; Q1 = 2025-02-01 – 2025-04-30). Written as its
    number, ``quarter = 1``, and shown as ``"Q1"``."""

    number: int
    kind: ClassVar[str] = "contract_quarter"
    expected: ClassVar[str] = "a contract quarter from 1"
    noun: ClassVar[str] = "contract quarter"

    @classmethod
    def containing(cls, day: dt.date, origin: dt.date) -> ContractQuarter:
        months = (day.year - origin.year) * 12 + day.month - origin.month - (day.day < origin.day)
        return cls(max(0, months) // 3 + 1)

    @classmethod
    def parse(cls, value: Any) -> ContractQuarter:
        n = _whole(value)
        if n is None and isinstance(value, str):
            m = re.fullmatch(_CONTRACT_QUARTER, value.strip())
            n = int(m.group(1)) if m else None
        if n is None or not 1 <= n <= 400:
            raise ValueError(f"expected {cls.expected}, got {value!r}")
        return cls(n)

    def bounds(self, origin: dt.date) -> tuple[dt.date, dt.date]:
        return contract_period(origin, 3, self.number)

    def next(self) -> ContractQuarter:
        return ContractQuarter(self.number + 1)

    def previous(self) -> ContractQuarter:
        if self.number == 1:
            raise ValueError("the first contract quarter has no previous one")
        return ContractQuarter(self.number - 1)

    def __str__(self) -> str:
        return f"Q{self.number}"


_MONTH = r"(\d{4})-(\d{2})"


@attrs.frozen(eq=False, repr=False, slots=False)
class Month(Period):
    """A calendar month, ``"2026-03"`` (咸阳 第七条2: 按月拨付)."""

    year: int
    month: int
    kind: ClassVar[str] = "month"
    expected: ClassVar[str] = "a month such as '2026-03'"
    noun: ClassVar[str] = "month"

    @classmethod
    def containing(cls, day: dt.date, origin: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: Any) -> Month:
        m = re.fullmatch(_MONTH, value.strip()) if isinstance(value, str) else None
        if m is None or not _year_ok(int(m.group(1))) or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"expected {cls.expected}, got {value!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def bounds(self, origin: dt.date) -> tuple[dt.date, dt.date]:
        first = dt.date(self.year, self.month, 1)
        return first, add_months(first, 1) - dt.timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


KINDS: tuple[type[Period], ...] = (Year, Quarter, ContractQuarter, Month)
KIND_NAMES: tuple[str, ...] = tuple(k.kind for k in KINDS)


def kinds_of(tp: Any) -> tuple[type[Period], ...]:
    """The period kinds a type annotation stands for: one kind, a union of
    kinds, or none (an empty tuple)."""
    if isinstance(tp, type) and issubclass(tp, Period):
        return (tp,)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if args and all(isinstance(a, type) and issubclass(a, Period) for a in args):
            return tuple(args)
    return ()


def parse_any(kinds: tuple[type[Period], ...], value: Any) -> Period:
    """``value`` as the first of ``kinds`` that accepts it.

    :raises ValueError: naming every kind that was expected.
    """
    for k in kinds:
        try:
            return k.parse(value)
        except ValueError:
            continue
    raise ValueError(f"expected {' or '.join(k.expected for k in kinds)}, got {value!r}")


_FIELDS: dict[type, tuple[str, tuple[type[Period], ...]]] = {}


def period_field(facts_class: type) -> tuple[str, tuple[type[Period], ...]]:
    """The field of a facts class that holds its period, and the kinds it
    may hold.

    :raises TypeError: the class has no such field, or more than one (a
        plugin defect, reported when the contract is loaded).
    """
    known = _FIELDS.get(facts_class)
    if known is not None:
        return known
    attrs.resolve_types(facts_class)
    found = [(a.name, kinds_of(a.type)) for a in attrs.fields(facts_class) if kinds_of(a.type)]
    if len(found) != 1:
        raise TypeError(
            f"facts class {facts_class.__qualname__} must have exactly one field typed with a period "
            f"kind of yibao.periods ({', '.join(k.__name__ for k in KINDS)}), found {len(found)}"
        )
    _FIELDS[facts_class] = found[0]
    return found[0]


def period_of(facts: Any) -> Period:
    """The period a facts value is about."""
    name, _ = period_field(type(facts))
    value: Period = getattr(facts, name)
    return value


def within(period: Period, start: dt.date, end: dt.date) -> bool:
    """Does the period lie within ``start``–``end`` (the term's first day
    being the origin of contract periods)?"""
    first, last = period.bounds(start)
    return start <= first and last <= end


def span(kind: type[Period], start: dt.date, end: dt.date) -> tuple[Period, Period] | None:
    """The first and the last period of a kind that lie within ``start``–``end``,
    or ``None`` when none does."""
    first = kind.containing(start, start)
    if not within(first, start, end):
        first = first.next()
    last = kind.containing(end, start)
    if not within(last, start, end):
        try:
            last = last.previous()
        except ValueError:
            return None
    if not (within(first, start, end) and within(last, start, end)):
        return None
    return first, last


def check_within(period: Period, start: dt.date, end: dt.date) -> str | None:
    """``None`` when the period lies within the term ``start``–``end``, else
    what is wrong: ``expected a year from 2025 to 2027 (within the contract
    term 2025-01-01–2027-12-31), got 2028``."""
    if within(period, start, end):
        return None
    fits = span(type(period), start, end)
    term = f"within the contract term {start}–{end}"
    if fits is None:
        return f"expected a {period.noun} {term}, but none fits in it; got {period}"
    return f"expected a {period.noun} from {fits[0]} to {fits[1]} ({term}), got {period}"
