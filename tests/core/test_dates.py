"""Calendar helpers: contract months, 周岁."""

from __future__ import annotations

import datetime as dt

import pytest
from yibao.dates import add_months, age_on, anniversary, contract_period

d = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (d(2025, 2, 1), 0, d(2025, 2, 1)),
        (d(2025, 2, 1), 4, d(2025, 6, 1)),
        (d(2025, 2, 1), 12, d(2026, 2, 1)),  # across the year
        (d(2025, 1, 31), 1, d(2025, 2, 28)),  # clamped to the month's end
        (d(2024, 1, 31), 1, d(2024, 2, 29)),  # leap year
        (d(2025, 3, 31), -1, d(2025, 2, 28)),
        (d(2025, 11, 30), 3, d(2026, 2, 28)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("index", "first", "last"),
    [
        (1, d(2025, 2, 1), d(2025, 4, 30)),
        (2, d(2025, 5, 1), d(2025, 7, 31)),
        (3, d(2025, 8, 1), d(2025, 10, 31)),
        (4, d(2025, 11, 1), d(2026, 1, 31)),
    ],
)
def test_contract_quarters(index: int, first: dt.date, last: dt.date) -> None:
    assert contract_period(d(2025, 2, 1), 3, index) == (first, last)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (d(1990, 2, 1), d(2025, 2, 1), 35),  # the birthday itself
        (d(1990, 2, 1), d(2025, 1, 31), 34),  # the day before
        (d(1990, 2, 1), d(2026, 1, 31), 35),  # the last day of 35
        (d(1990, 2, 1), d(2026, 2, 1), 36),
        (d(2000, 2, 29), d(2025, 2, 28), 24),  # 29 February: not yet in a common year
        (d(2000, 2, 29), d(2025, 3, 1), 25),
        (d(2000, 2, 29), d(2024, 2, 29), 24),
    ],
)
def test_age_on(birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(birth, on) == age


def test_anniversary() -> None:
    assert anniversary(d(1990, 2, 1), 35) == d(2025, 2, 1)
    assert anniversary(d(2000, 2, 29), 25) == d(2025, 3, 1)
    assert anniversary(d(2000, 2, 29), 24) == d(2024, 2, 29)
    # consistent with age_on: the age rises on the anniversary
    for birth in (d(2000, 2, 29), d(1990, 12, 31)):
        day = anniversary(birth, 30)
        assert age_on(birth, day) == 30 and age_on(birth, day - dt.timedelta(days=1)) == 29
