"""Working days and deadlines: the official holiday arrangement and 民法典 day counting.

A working day is a day the State Council's annual holiday arrangement (国务院
办公厅关于××年部分节假日安排的通知) makes one: Monday to Friday unless it is a
day off (放假), plus the Saturdays and Sundays it turns into make-up working
days (调休上班). The tables come from the ``chinesecalendar`` package
(import name ``chinese_calendar``) for the years it covers, or from a
``[[calendar.years]]`` table — in the contract TOML or in a file given with
``--calendar`` — for any other year. A supplied table replaces the package's
for its year. A date in a year that neither covers is an
:class:`~yibao.errors.InputError` naming the year and saying how to supply
its table: never a guess.

Deadlines are counted as 民法典 第二百零一条–第二百零四条 say (see
``docs/deadlines.md``):

* the start day is not counted (第二百零一条): counting begins the next day;
* ``days``: the deadline is the start day + N days; ``months``: the same day of
  the N-th month after, or that month's last day when it has no such day
  (第二百零二条);
* a deadline whose last day is a rest day — a 法定休假日 or an ordinary
  Saturday/Sunday that is not a make-up working day — moves to the day after
  the rest ends, i.e. the next working day (第二百零三条);
* ``working_days``: the N-th working day after the start day (the start day is
  not counted even when it is a working day); it is a working day, so it
  never moves.

The package is imported lazily (only when a date is looked up).
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .dates import add_months
from .errors import FieldError, InputError, Problem

ONE_DAY = dt.timedelta(days=1)
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
UNIT_ZH = {
    "working_days": "个工作日",
    "days": "日",
    "months": "个月",
    "month_ends": "个月末",
    "quarter_ends": "个季度末",
    "year_ends": "个年度末",
}
#: a fixed calendar point: the end of the N-th period after the one the start day is in
PERIOD_ENDS = {"month_ends": 1, "quarter_ends": 3, "year_ends": 12}
PERIOD_ZH = {"month_ends": "月", "quarter_ends": "季度", "year_ends": "年度"}
HOWTO = "docs/deadlines.md"


# --------------------------------------------------------------- TOML shapes
def _check_year_table(inst: YearTable, _: Any, __: Any) -> None:
    for name, days in (("holidays", inst.holidays), ("workdays", inst.workdays)):
        for i, d in enumerate(days):
            if d.year != inst.year:
                raise FieldError(f"{name}[{i}]", f"expected a date in {inst.year}, got {d}")
    for i, d in enumerate(inst.workdays):
        if d.weekday() < 5:
            raise FieldError(
                f"workdays[{i}]",
                f"{d} is a {WEEKDAYS_ZH[d.weekday()]}: a make-up working day (调休上班) is a Saturday or Sunday; "
                "list weekdays that are days off under 'holidays'",
            )
    both = sorted(set(inst.holidays) & set(inst.workdays))
    if both:
        raise FieldError("workdays", f"{both[0]} is listed both as a holiday and as a make-up working day")


@attrs.frozen(slots=False)
class YearTable:
    """One year's official holiday arrangement (国务院办公厅 通知).

    ``holidays``: the days off (放假); listing the Saturdays and Sundays of a
    holiday too is harmless. ``workdays``: the Saturdays and Sundays that are
    make-up working days (调休上班). ``source``: where the table comes from
    (the notice's title and number), shown with every date it decides.
    """

    year: int
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = attrs.field(default=(), validator=_check_year_table)
    source: str | None = None


def _unique_years(_: Any, __: Any, value: tuple[YearTable, ...]) -> None:
    seen: set[int] = set()
    for i, t in enumerate(value):
        if t.year in seen:
            raise FieldError(f"years[{i}].year", f"year {t.year} is given twice")
        seen.add(t.year)


@attrs.frozen(slots=False)
class CalendarDoc:
    """``[calendar]``: holiday tables for years the chinesecalendar package
    does not cover (or to replace its table for a year)."""

    years: tuple[YearTable, ...] = attrs.field(default=(), validator=_unique_years)


def read_calendar_file(path: str | Path) -> CalendarDoc:
    """Read a ``--calendar`` TOML file: ``[[calendar.years]]`` tables, the
    same as in a contract TOML.

    :raises InputError: the file is missing, not TOML, or a table is invalid.
    """
    from .inputs import read_toml  # noqa: PLC0415

    raw = read_toml(path)
    extra = sorted(set(raw) - {"calendar"})
    if extra:
        raise InputError.one(str(path), extra[0], "unknown key; a --calendar file holds [[calendar.years]] tables only")
    return structure_calendar(raw.get("calendar", {}), str(path))


def structure_calendar(raw: Any, file: str | None) -> CalendarDoc:
    """A ``[calendar]`` table as read from TOML -> :class:`CalendarDoc`.

    :raises InputError: each problem with file and key path (``calendar.years[0].workdays[1]``).
    """
    from .inputs import structure  # noqa: PLC0415

    return structure(raw, CalendarDoc, file, "calendar")


def calendar_doc(contract: Any) -> CalendarDoc:
    """The contract TOML's ``[calendar]`` (empty when it has none)."""
    raw = contract.doc.calendar
    return structure_calendar(raw, contract.path) if raw is not None else CalendarDoc()


# --------------------------------------------------------------- the calendar
@attrs.frozen(slots=False)
class Due:
    """A computed deadline: its last day and how it was reached."""

    start: dt.date
    count: int
    unit: str
    due: dt.date
    #: the day the count itself ended on, when it was a rest day (第二百零三条)
    rolled_from: dt.date | None
    #: rest weekdays and make-up working days inside (start, due]
    notes: tuple[str, ...]

    @property
    def formula(self) -> str:
        if self.unit in PERIOD_ENDS:
            text = f"{self.start} 所在{PERIOD_ZH[self.unit]}之后第{self.count}{UNIT_ZH[self.unit]}"
        else:
            text = f"{self.start} + {self.count}{UNIT_ZH[self.unit]}"
        if self.rolled_from is not None:
            return f"{text} = {self.rolled_from}（{WEEKDAYS_ZH[self.rolled_from.weekday()]}，休息日）→ 顺延至 {self.due}"
        return f"{text} = {self.due}"


class WorkCalendar:
    """Working days from the package and from supplied year tables.

    :param tables: supplied tables; a later one replaces an earlier one for
        the same year (``--calendar`` files after the contract's).
    """

    def __init__(self, tables: Iterable[tuple[YearTable, str]] = ()) -> None:
        self.supplied: dict[int, tuple[YearTable, str]] = {}
        for table, origin in tables:
            self.supplied[table.year] = (table, origin)
        self._years: dict[int, tuple[bool, ...]] = {}

    # ---- per-year tables
    def covers(self, year: int) -> bool:
        if year in self.supplied:
            return True
        return _package_covers(year)

    def source(self, year: int) -> str:
        """Where the table of ``year`` comes from (for messages and docs)."""
        if year in self.supplied:
            table, origin = self.supplied[year]
            return f"{origin}" + (f"（{table.source}）" if table.source else "")
        return f"chinesecalendar {_package_version()}"

    def _year(self, year: int) -> tuple[bool, ...]:
        flags = self._years.get(year)
        if flags is None:
            flags = self._build_year(year)
            self._years[year] = flags
        return flags

    def _build_year(self, year: int) -> tuple[bool, ...]:
        first = dt.date(year, 1, 1)
        n = 366 if _stdcal.isleap(year) else 365
        days = [first + dt.timedelta(days=i) for i in range(n)]
        if year in self.supplied:
            table, _ = self.supplied[year]
            off, on = set(table.holidays), set(table.workdays)
            return tuple((d in on) or (d.weekday() < 5 and d not in off) for d in days)
        if not _package_covers(year):
            raise uncovered_year(year)
        import chinese_calendar  # noqa: PLC0415 - lazy on purpose

        return tuple(bool(chinese_calendar.is_workday(d)) for d in days)

    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day.

        :raises InputError: ``day`` is in a year no table covers.
        """
        return self._year(day.year)[day.toordinal() - _JAN1[day.year]]

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first one after."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def flags(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, bool]]:
        """(date, is working day) for every day from ``first`` to ``last``."""
        out = []
        day = first
        while day <= last:
            out.append((day, self.is_workday(day)))
            day += ONE_DAY
        return out

    # ---- deadlines
    def due(self, start: dt.date, count: int, unit: str) -> Due:
        """The last day of a deadline of ``count`` ``unit`` counted from the
        event on ``start`` (民法典 第二百零一条–第二百零三条).

        :raises InputError: a day it must look at is in an uncovered year.
        """
        if count < 0:
            raise InputError.one(None, "count", f"expected a count ≥ 0, got {count}")
        try:
            return self._due(start, count, unit)
        except OverflowError:  # past 9999-12-31
            raise InputError.one(None, "--from", f"{count} {unit} from {start} is past the last date there is") from None

    def _due(self, start: dt.date, count: int, unit: str) -> Due:
        rolled: dt.date | None = None
        if unit == "working_days":
            day, n = start, 0
            while n < count:
                day += ONE_DAY
                if self.is_workday(day):
                    n += 1
            end = day
        elif unit in ("days", "months") or unit in PERIOD_ENDS:
            if unit == "days":
                raw = start + dt.timedelta(days=count)
            elif unit == "months":
                raw = add_months(start, count)
            else:
                raw = period_end(start, count, PERIOD_ENDS[unit])
            end = self.next_workday(raw)
            rolled = raw if end != raw else None
        else:
            raise InputError.one(None, "unit", f"expected one of {', '.join(UNIT_ZH)}, got {unit!r}")
        return Due(start, count, unit, end, rolled, tuple(self._notes(start, end)))

    def _notes(self, start: dt.date, end: dt.date) -> list[str]:
        """What makes the count differ from plain weekdays in (start, end]:
        runs of rest days that include a weekday (放假), and make-up
        working days (调休上班)."""
        notes: list[str] = []
        run: list[dt.date] = []

        def close() -> None:
            if any(d.weekday() < 5 for d in run):
                notes.append(_span(run) + " 放假")
            run.clear()

        day = start + ONE_DAY
        while day <= end:
            if self.is_workday(day):
                close()
                if day.weekday() >= 5:
                    notes.append(f"{day}（{WEEKDAYS_ZH[day.weekday()]}）调休上班")
            else:
                run.append(day)
            day += ONE_DAY
        close()
        return notes


    def due_dates(self, first: dt.date, last: dt.date, count: int, unit: str) -> list[dt.date]:
        """``due(start, count, unit).due`` for every start from ``first`` to
        ``last``, in one pass (``yibao claims`` joins them to the claims).

        :raises InputError: as :meth:`due`.
        """
        starts = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        if unit != "working_days" or count == 0:
            return [self.due(day, count, unit).due for day in starts]
        # working days after `first`, extended as far as the last start needs
        work: list[dt.date] = []
        day = first
        out: list[dt.date] = []
        for start in starts:
            i = bisect.bisect_right(work, start)
            while len(work) < i + count:
                day += ONE_DAY
                if self.is_workday(day):
                    work.append(day)
                i = bisect.bisect_right(work, start)
            out.append(work[i + count - 1])
        return out


def period_end(day: dt.date, count: int, months: int) -> dt.date:
    """The last day of the ``count``-th period of ``months`` months (1: a
    month, 3: a calendar quarter, 12: a year) after the one ``day`` is in;
    ``count = 0``: the end of ``day``'s own period. 2026-12-31, 1 quarter:
    2027-03-31 (次年第一季度末)."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    nxt = add_months(start, (count + 1) * months)
    return nxt - ONE_DAY


class _Jan1(dict[int, int]):
    def __missing__(self, year: int) -> int:
        self[year] = dt.date(year, 1, 1).toordinal()
        return self[year]


_JAN1 = _Jan1()


def _span(days: Sequence[dt.date]) -> str:
    return str(days[0]) if len(days) == 1 else f"{days[0]}–{days[-1]}"


# --------------------------------------------------------------- the package
_COVERS: dict[int, bool] = {}


def _package_covers(year: int) -> bool:
    """Whether chinesecalendar has the arrangement of ``year`` (it raises
    ``NotImplementedError`` for a date outside the years it covers)."""
    if year not in _COVERS:
        import chinese_calendar  # noqa: PLC0415

        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
            _COVERS[year] = True
        except NotImplementedError:
            _COVERS[year] = False
    return _COVERS[year]


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "(not installed)"


def package_years() -> tuple[int, int]:
    """The first and last year the installed chinesecalendar covers."""
    import chinese_calendar  # noqa: PLC0415

    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


def uncovered_year(year: int) -> InputError:
    """The error for a date in a year no holiday table covers."""
    first, last = package_years()
    return InputError(
        [
            Problem(
                None,
                "calendar.years",
                f"no holiday table for {year}: the chinesecalendar package ({_package_version()}) covers "
                f"{first}–{last}, and no [[calendar.years]] table gives {year}. Working days in {year} are not "
                f"guessed: supply {year}'s official arrangement (国务院办公厅关于{year}年部分节假日安排的通知) as\n"
                f"    [[calendar.years]]\n"
                f"    year = {year}\n"
                f"    holidays = [{year}-01-01, ...]   # the days off (放假)\n"
                f"    workdays = [...]                 # the Saturdays/Sundays worked (调休上班)\n"
                f"    source = \"国办发明电〔…〕…号\"\n"
                f"in the contract TOML or in a file passed with --calendar FILE (see {HOWTO})",
            )
        ]
    )


# --------------------------------------------------------------- assembling
def calendar_for(contract: Any, files: Sequence[str | Path] = ()) -> WorkCalendar:
    """The calendar of a contract: the package, then the contract TOML's
    ``[[calendar.years]]``, then each ``--calendar`` file (later wins)."""
    tables = [(t, f"{contract.path} [[calendar.years]]") for t in calendar_doc(contract).years]
    for f in files:
        tables += [(t, str(f)) for t in read_calendar_file(f).years]
    return WorkCalendar(tables)


def active_deadlines(contract: Any) -> list[Any]:
    """The ``[[deadlines]]`` entries that hold under the contract's readings
    (an entry with ``reading = "ID=CHOICE"`` only when ID's choice is CHOICE)."""
    chosen = {i.id: i.choice for i in contract.doc.interpretations}
    return [d for d in contract.doc.deadlines if d.gate is None or chosen.get(d.gate[0]) == d.gate[1]]


def find_deadline(contract: Any, key: str) -> Any:
    """The ``[[deadlines]]`` entry of ``key`` (or of a clause naming exactly
    one deadline, e.g. ``第十七条(二)``).

    :raises InputError: no such key, with the closest one.
    """
    from .errors import closest  # noqa: PLC0415

    deadlines = active_deadlines(contract)
    by_key = {d.key: d for d in deadlines}
    if key in by_key:
        return by_key[key]
    by_clause = [d for d in deadlines if d.clause == key]
    if len(by_clause) == 1:
        return by_clause[0]
    if not deadlines:
        raise InputError.one(contract.path, "deadlines", f"contract {contract.name!r} has no [[deadlines]]")
    if by_clause:
        keys = ", ".join(d.key for d in by_clause)
        raise InputError.one(contract.path, "KEY", f"clause {key!r} has several deadlines: {keys}; give the key")
    hint = closest(key, list(by_key) + [d.clause for d in deadlines])
    msg = f"no deadline {key!r} in {contract.name!r}"
    msg += f"; did you mean {hint!r}?" if hint else ""
    msg += f" (deadlines: {', '.join(by_key)})"
    raise InputError.one(contract.path, "KEY", msg)
