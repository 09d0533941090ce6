"""Working days and deadlines (yibao.calendar), worked by hand.

Day counting per 民法典 第二百零一条 (start day not counted), 第二百零二条
(months: the corresponding day, else the month's last day), 第二百零三条 (a
last day that is a rest day moves to the day after the rest ends). The 2025
arrangement (国办发明电〔2024〕12号) as chinesecalendar has it:
春节 2025-01-28(二)–02-04(二) off, 2025-01-26(日) and 02-08(六) worked;
国庆/中秋 2025-10-01(三)–10-08(三) off, 2025-09-28(日) and 10-11(六) worked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from yibao.calendar import (
    WorkCalendar,
    YearTable,
    add_months,
    read_calendar_file,
    structure_calendar,
)
from yibao.errors import InputError

D = dt.date.fromisoformat
DATA = Path(__file__).parent / "data"
FICTIONAL = DATA / "fictional_2027_2028.toml"


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def fictional() -> WorkCalendar:
    return WorkCalendar((t, "fictional") for t in read_calendar_file(FICTIONAL).years)


# ------------------------------------------------------------- the package's arrangement
def test_the_2025_arrangement_as_the_package_has_it(cal: WorkCalendar) -> None:
    assert cal.is_workday(D("2025-01-26"))  # 星期日, 调休上班
    assert cal.is_workday(D("2025-02-08"))  # 星期六, 调休上班
    assert not cal.is_workday(D("2025-01-28"))  # 星期二, 春节
    assert not cal.is_workday(D("2025-02-04"))  # 星期二, 春节 last day
    assert cal.is_workday(D("2025-02-05"))  # 星期三, back to work
    assert cal.is_workday(D("2025-09-28"))  # 星期日, 调休上班
    assert not cal.is_workday(D("2025-10-08"))  # 星期三, 国庆 last day
    assert cal.is_workday(D("2025-10-11"))  # 星期六, 调休上班
    assert not cal.is_workday(D("2025-10-12"))  # an ordinary Sunday


def test_agrees_with_the_package_every_day_of_2024_to_2026(cal: WorkCalendar) -> None:
    day = D("2024-01-01")
    while day <= D("2026-12-31"):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# ------------------------------------------------------------- working days
def test_working_days_across_chunjie_count_the_makeup_days(cal: WorkCalendar) -> None:
    # 20 working days (新乡 第十七条(二)) from Mon 2025-01-20, start day not counted:
    # 01-21..24 (4), 01-26 Sun worked (5), 01-27 (6), 01-28..02-04 off,
    # 02-05..07 (9), 02-08 Sat worked (10), 02-10..14 (15), 02-17..21 (20)
    due = cal.due(D("2025-01-20"), 20, "working_days")
    assert due.due == D("2025-02-21")
    assert due.rolled_from is None
    assert "2025-01-28–2025-02-04 放假" in due.notes
    assert "2025-01-26（星期日）调休上班" in due.notes
    assert "2025-02-08（星期六）调休上班" in due.notes


def test_working_days_can_end_on_a_makeup_saturday(cal: WorkCalendar) -> None:
    # 10 working days from 2025-01-20: ... 02-08 Sat worked is the 10th
    assert cal.due(D("2025-01-20"), 10, "working_days").due == D("2025-02-08")
    # 9 working days end the day before: 02-07 (Fri)
    assert cal.due(D("2025-01-20"), 9, "working_days").due == D("2025-02-07")


def test_working_days_across_guoqing(cal: WorkCalendar) -> None:
    # 30 working days (新乡 第十七条(一)) from Fri 2025-09-26:
    # 09-28 Sun worked (1), 09-29, 09-30 (3), 10-01..10-08 off, 10-09, 10-10 (5),
    # 10-11 Sat worked (6), 10-13..17 (11), 10-20..24 (16), 10-27..31 (21),
    # 11-03..07 (26), 11-10..13 (30)
    assert cal.due(D("2025-09-26"), 30, "working_days").due == D("2025-11-13")


def test_start_day_is_not_counted(cal: WorkCalendar) -> None:
    assert cal.due(D("2025-03-03"), 1, "working_days").due == D("2025-03-04")  # Mon -> Tue
    assert cal.due(D("2025-03-01"), 1, "working_days").due == D("2025-03-03")  # Sat -> Mon
    assert cal.due(D("2025-03-03"), 0, "working_days").due == D("2025-03-03")


# ------------------------------------------------------------- calendar days and months
def test_days_ending_on_a_holiday_move_to_the_next_working_day(cal: WorkCalendar) -> None:
    # 2025-09-28 + 3 日 = 10-01 (国庆) -> the day after the holiday: 10-09
    due = cal.due(D("2025-09-28"), 3, "days")
    assert due.due == D("2025-10-09")
    assert due.rolled_from == D("2025-10-01")
    assert due.formula == "2025-09-28 + 3日 = 2025-10-01（星期三，休息日）→ 顺延至 2025-10-09"


def test_days_ending_on_a_makeup_saturday_do_not_move(cal: WorkCalendar) -> None:
    # 2025-10-01 + 10 日 = 10-11, a Saturday worked: it stays
    due = cal.due(D("2025-10-01"), 10, "days")
    assert due.due == D("2025-10-11")
    assert due.rolled_from is None


def test_days_ending_on_an_ordinary_sunday_move_to_monday(cal: WorkCalendar) -> None:
    assert cal.due(D("2025-03-01"), 1, "days").due == D("2025-03-03")
    assert cal.due(D("2025-03-01"), 2, "days").due == D("2025-03-03")  # Sun+1 = Mon
    assert cal.due(D("2025-03-01"), 3, "days").due == D("2025-03-04")


def test_days_ending_on_chunjie_eve(cal: WorkCalendar) -> None:
    # 2025-01-17 + 10 日 = 01-27 (Mon, worked); + 11 日 = 01-28 (春节) -> 02-05
    assert cal.due(D("2025-01-17"), 10, "days").due == D("2025-01-27")
    assert cal.due(D("2025-01-17"), 11, "days").due == D("2025-02-05")


def test_months(cal: WorkCalendar) -> None:
    assert add_months(D("2025-01-31"), 1) == D("2025-02-28")  # no 02-31: month end
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")  # leap year
    assert add_months(D("2025-11-30"), 3) == D("2026-02-28")
    assert cal.due(D("2025-01-31"), 1, "months").due == D("2025-02-28")  # a Friday
    # 2025-09-01 + 1个月 = 10-01 (国庆) -> 10-09
    assert cal.due(D("2025-09-01"), 1, "months").due == D("2025-10-09")


# ------------------------------------------------------------- years not covered
def test_a_year_not_covered_is_an_error_naming_it(cal: WorkCalendar) -> None:
    with pytest.raises(InputError) as e:
        cal.is_workday(D("2027-03-01"))
    msg = str(e.value)
    assert "no holiday table for 2027" in msg
    assert "[[calendar.years]]" in msg and "--calendar" in msg
    assert "2004–2026" in msg  # what the package covers


def test_a_deadline_running_into_an_uncovered_year_is_an_error(cal: WorkCalendar) -> None:
    # 2026-12-20 + 30 working days runs into 2027
    with pytest.raises(InputError, match="no holiday table for 2027"):
        cal.due(D("2026-12-20"), 30, "working_days")
    # one that ends in 2026 is fine: 2026-12-28 (Mon) + 3 = 12-29, 12-30, 12-31 (Thu)
    assert cal.due(D("2026-12-28"), 3, "working_days").due == D("2026-12-31")


# ------------------------------------------------------------- supplied tables (fictional)
def test_fictional_2027_table() -> None:
    cal = fictional()
    # from Fri 2027-02-05: 02-06 Sat worked (1), 02-07 Sun, 02-08..12 off,
    # 02-15 (2), 16 (3), 17 (4), 18 (5)
    assert cal.due(D("2027-02-05"), 5, "working_days").due == D("2027-02-18")
    assert not cal.is_workday(D("2027-01-01"))
    assert cal.is_workday(D("2027-01-04"))  # an ordinary Monday: weekdays work


def test_fictional_2028_table_and_crossing_the_year() -> None:
    cal = fictional()
    # from Thu 2027-12-30: 12-31 (1), 2028-01-01 Sat, 01-02 Sun, 01-03 off, 01-04 (2), 01-05 (3)
    assert cal.due(D("2027-12-30"), 3, "working_days").due == D("2028-01-05")
    # from Thu 2028-01-06: 01-07 (1), 01-08 Sat worked (2)
    assert cal.due(D("2028-01-06"), 2, "working_days").due == D("2028-01-08")
    # 2027-12-31 + 3 日 = 2028-01-03, off -> 01-04
    assert cal.due(D("2027-12-31"), 3, "days").due == D("2028-01-04")
    with pytest.raises(InputError, match="no holiday table for 2029"):
        cal.due(D("2028-12-20"), 30, "working_days")


def test_a_supplied_table_replaces_the_packages_for_its_year() -> None:
    table = YearTable(year=2025, holidays=(), workdays=(), source="test")
    cal = WorkCalendar([(table, "test")])
    assert cal.is_workday(D("2025-10-01"))  # no holidays in this (test) table
    assert not cal.is_workday(D("2025-09-28"))  # nor make-up days: a plain Sunday
    assert cal.source(2025) == "test（test）"


@pytest.mark.parametrize(
    ("table", "path", "message"),
    [
        ({"year": 2027, "holidays": ["2028-01-01"]}, "calendar.years[0].holidays[0]", "expected a date in 2027"),
        ({"year": 2027, "workdays": ["2027-02-08"]}, "calendar.years[0].workdays[0]", "is a 星期一"),
        ({"year": 2027, "holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}, "calendar.years[0].workdays", "both"),
        ({"year": 2027, "holiday": ["2027-01-01"]}, "calendar.years[0].holiday", "did you mean 'holidays'"),
        ({"year": 2027, "holidays": ["not a date"]}, "calendar.years[0].holidays[0]", "expected a date"),
    ],
)
def test_bad_year_tables(table: dict, path: str, message: str) -> None:
    with pytest.raises(InputError) as e:
        structure_calendar({"years": [table]}, "cal.toml")
    p = e.value.problems[0]
    assert p.path == path
    assert message in p.message


def test_a_year_given_twice() -> None:
    with pytest.raises(InputError) as e:
        structure_calendar({"years": [{"year": 2027}, {"year": 2027}]}, "cal.toml")
    assert e.value.problems[0].path == "calendar.years[1].year"


def test_calendar_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_calendar_file(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[calendar.years]]\nyear = 2027\nworkdays = [2027-02-09]\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_calendar_file(bad)
    assert str(e.value).startswith(f"{bad}: calendar.years[0].workdays[0]: 2027-02-09 is a 星期二")
    other = tmp_path / "other.toml"
    other.write_text("[[years]]\nyear = 2027\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"years: unknown key; a --calendar file holds \[\[calendar.years\]\] tables only"):
        read_calendar_file(other)


@pytest.mark.parametrize(("count", "unit"), [(30, "working_days"), (20, "working_days"), (1, "working_days"), (0, "working_days"), (10, "days"), (3, "months")])
def test_due_dates_in_one_pass_equal_due_day_by_day(cal: WorkCalendar, count: int, unit: str) -> None:
    first, last = D("2024-12-01"), D("2026-09-15")  # the last due stays in 2026
    got = cal.due_dates(first, last, count, unit)
    day, want = first, []
    while day <= last:
        want.append(cal.due(day, count, unit).due)
        day += dt.timedelta(days=1)
    assert got == want
