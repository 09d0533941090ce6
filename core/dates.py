"""Calendar arithmetic that contracts use: months counted from a start date,
ages in 周岁.

A *contract month* is counted from the term's first day: with a start of
2025-02-01 the first month is 2025-02-01..2025-02-28 and the fifth is
2025-06-01..2025-06-30; with a start of 2025-01-31 the second month starts on
2025-02-28 (the day is clamped to the month's last day). Nothing here knows a
city; the dates come from a contract's TOML or a period's facts.
"""

from __future__ import annotations

import datetime as dt


def days_in_month(year: int, month: int) -> int:
    """28–31 (without importing :mod:`calendar`, which costs startup time)."""
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (nxt - dt.date(year, month, 1)).days


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, the day clamped to the month's end
    (2025-01-31 + 1 month = 2025-02-28; 民法典 第二百零二条: a period in months
    ends on the corresponding day, or the month's last day when there is none).
    Used for contract months and for deadlines counted in months."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day.day, days_in_month(year, month0 + 1)))


def contract_period(start: dt.date, months: int, index: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``index``-th period (1-based) of
    ``months`` months counted from ``start`` (contract quarters: ``months=3``)."""
    first = add_months(start, months * (index - 1))
    after = add_months(start, months * index)
    return first, after - dt.timedelta(days=1)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age in 周岁 (completed years) on ``day``: one more on each birthday;
    a 29 February birthday is reached on 1 March in other years."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def anniversary(birth: dt.date, years: int) -> dt.date:
    """The day ``birth`` turns ``years`` 周岁 (29 February -> 1 March)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(birth.year + years, 3, 1)
