"""``yibao deadline CITY KEY --from DATE``: every bundled deadline reachable,
holiday tables from a contract TOML or --calendar, errors with exit 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.registry import make_registry

FICTIONAL = Path(__file__).parent / "data" / "fictional_2027_2028.toml"
ROOT = Path(__file__).resolve().parents[2]


def _all_deadlines() -> list[Any]:
    reg = make_registry(load_entrypoints=False, env={})
    out = []
    for spec in api.list_contracts(reg):
        c = api.load_contract(spec.name, reg=reg)
        clauses = [d.clause for d in c.doc.deadlines]
        out += [
            pytest.param(spec.name, d.key, c.doc.term.start, clauses.count(d.clause) == 1, id=f"{spec.name}-{d.key}")
            for d in c.doc.deadlines
        ]
    return out


ALL = _all_deadlines()


def test_there_are_deadlines_to_check() -> None:
    assert any(p.values[0] == "xinxiang" for p in ALL)


def test_a_clause_with_several_deadlines_asks_for_the_key(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "contract.toml"
    path.write_text(
        _contract_with('[[deadlines]]\nkey = "other"\nlabel = "x"\nclause = "第十七条(一)"\ncount = 1\nunit = "days"\nstart = "x"\n'),
        encoding="utf-8",
    )
    r = run("deadline", "xinxiang", "第十七条(一)", "--from", "2025-03-03", "--contract", str(path))
    assert r.code == 2
    assert "clause '第十七条(一)' has several deadlines: direct_settlement, other; give the key" in r.err


@pytest.mark.parametrize(("city", "key", "start", "unique_clause"), ALL)
def test_every_bundled_deadline_is_reachable(run: Any, city: str, key: str, start: dt.date, unique_clause: bool) -> None:
    # from the first day of the contract term; fictional tables stand in for
    # years the package does not cover (a contract's own tables are replaced)
    r = run("deadline", city, key, "--from", start.isoformat(), "--calendar", str(FICTIONAL), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["key"] == key
    assert dt.date.fromisoformat(r.json["due"]) >= start
    if unique_clause:  # by its clause too
        by_clause = run("deadline", city, r.json["clause"], "--from", start.isoformat(), "--calendar", str(FICTIONAL), "--format", "json")
        assert by_clause.json == r.json


def test_manual_reimbursement_across_chunjie(run: Any) -> None:
    # 新乡 第十七条(二): 20 working days from 2025-01-20 -> 2025-02-21
    # (01-26 Sun and 02-08 Sat worked, 01-28..02-04 off; see test_calendar)
    r = run("deadline", "xinxiang", "manual_reimbursement", "--from", "2025-01-20", "--format", "json")
    assert r.code == 0, r.err
    assert r.json["due"] == "2025-02-21"
    assert r.json["weekday"] == "星期五"
    assert r.json["clause"] == "第十七条(二)"
    assert r.json["formula"] == "2025-01-20 + 20个工作日 = 2025-02-21"
    assert r.json["calendar"] == {"2025": r.json["calendar"]["2025"]}
    assert r.json["calendar"]["2025"].startswith("chinesecalendar ")


def test_by_clause_and_as_a_table(run: Any) -> None:
    # 第十七条(一): 30 working days from 2025-09-26 -> 2025-11-13 (国庆 crossed)
    r = run("deadline", "xinxiang", "第十七条(一)", "--from", "2025-09-26", "--format", "table")
    assert r.code == 0, r.err
    assert "到期：2025-11-13（星期四）" in r.out
    assert "2025-10-01–2025-10-08 放假" in r.out
    assert "2025-10-11（星期六）调休上班" in r.out


def test_days_deadline_rolls_over_guoqing(run: Any) -> None:
    # 第三十五条: 10 days from 2025-09-21 = 10-01 (国庆) -> 10-09
    r = run("deadline", "xinxiang", "refund_after_termination", "--from", "2025-09-21", "--format", "json")
    assert r.json["due"] == "2025-10-09"
    assert r.json["rolled_from"] == "2025-10-01"


def test_unknown_key_names_the_closest(run: Any) -> None:
    r = run("deadline", "xinxiang", "direct_setlement", "--from", "2025-01-20")
    assert r.code == 2
    assert "no deadline 'direct_setlement'" in r.err
    assert "did you mean 'direct_settlement'?" in r.err
    assert "Traceback" not in r.err


def test_year_not_covered_exits_2_with_the_message(run: Any) -> None:
    r = run("deadline", "xinxiang", "direct_settlement", "--from", "2026-12-20")
    assert r.code == 2
    assert "no holiday table for 2027" in r.err
    assert "[[calendar.years]]" in r.err and "--calendar FILE" in r.err
    assert "Traceback" not in r.err


def test_calendar_file_supplies_2027_and_2028(run: Any) -> None:
    # FICTIONAL tables. 2026-12-20 (Sun) + 30 working days, the package for
    # 2026 (no holiday left after 12-20) and the fictional 2027 (01-01 off):
    # 12-21..25 (5), 12-28..31 (9), 2027-01-04..08 (14), 01-11..15 (19),
    # 01-18..22 (24), 01-25..29 (29), 02-01 (30)
    r = run("deadline", "xinxiang", "direct_settlement", "--from", "2026-12-20", "--calendar", str(FICTIONAL), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["due"] == "2027-02-01"
    assert r.json["calendar"]["2027"] == f"{FICTIONAL}（FICTIONAL test table）"
    # into 2028: 2027-12-30 + 30 working days: 12-31 (1), 2028-01-03 off,
    # 01-04..07 (5), 01-08 Sat worked (6), 01-10..14 (11), 01-17..21 (16),
    # 01-24..28 (21), 01-31..02-04 (26), 02-07..10 (30)
    r = run("deadline", "xinxiang", "direct_settlement", "--from", "2027-12-30", "--calendar", str(FICTIONAL), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["due"] == "2028-02-10"
    assert set(r.json["calendar"]) == {"2027", "2028"}


def test_contract_toml_supplies_2027_and_2028(run: Any, tmp_path: Path) -> None:
    """A contract whose own TOML carries [[calendar.years]] (as Luoyang's, whose
    term runs to 2028, would) and deadlines in each unit."""
    text = _contract_with(
        FICTIONAL.read_text(encoding="utf-8"),
        """
[[deadlines]]
key = "three_working_days"
label = "test"
clause = "test"
count = 3
unit = "working_days"
start = "test"

[[deadlines]]
key = "three_days"
label = "test"
clause = "test"
count = 3
unit = "days"
start = "test"

[[deadlines]]
key = "two_months"
label = "test"
clause = "test"
count = 2
unit = "months"
start = "test"
""",
    )
    path = tmp_path / "contract.toml"
    path.write_text(text, encoding="utf-8")

    def due(key: str, start: str) -> Any:
        r = run("deadline", "xinxiang", key, "--from", start, "--contract", str(path), "--format", "json")
        assert r.code == 0, r.err
        return r.json["due"]

    # 2027-12-30 + 3 working days: 12-31 (1), 2028-01-03 off, 01-04 (2), 01-05 (3)
    assert due("three_working_days", "2027-12-30") == "2028-01-05"
    # 2027-12-31 + 3 days = 2028-01-03 (off) -> 01-04
    assert due("three_days", "2027-12-31") == "2028-01-04"
    # 2027-12-31 + 2 months = 2028-02-29 (no 02-31; leap year), a Tuesday
    assert due("two_months", "2027-12-31") == "2028-02-29"
    # 2027-02-05 + 3 working days: 02-06 Sat worked (1), 02-08..12 off, 02-15 (2), 02-16 (3)
    assert due("three_working_days", "2027-02-05") == "2027-02-16"


def test_contract_calendar_errors_name_the_key(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "contract.toml"
    path.write_text(_contract_with("[[calendar.years]]\nyear = 2027\nworkdays = [2027-02-10]\n"), encoding="utf-8")
    r = run("deadline", "xinxiang", "direct_settlement", "--from", "2027-01-04", "--contract", str(path))
    assert r.code == 2
    assert "calendar.years[0].workdays[0]: 2027-02-10 is a 星期三" in r.err


def test_bad_from_date_is_a_usage_error(run: Any) -> None:
    r = run("deadline", "xinxiang", "direct_settlement", "--from", "2025-13-01")
    assert r.code == 2
    assert "--from" in r.err


def _contract_with(*extra: str) -> str:
    base = Path(api.load_contract("xinxiang").path).read_text(encoding="utf-8")
    base = base.replace("#:schema ../../schemas/", "#:schema ")
    return base + "\n" + "\n".join(extra)


# ------------------------------------------------------------- a fixed calendar point: the end of a period
# 咸阳 第四条4 次年第一季度末: the end of the first quarter after the protection year's last day.
@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-12-31", "2027-03-31"),  # the year's last day: 2027Q1 ends 03-31 (a Wednesday in the table)
        ("2026-12-30", "2027-03-31"),  # any day of 2026Q4: the same point
        ("2026-10-01", "2027-03-31"),  # the quarter's first day
        ("2027-01-01", "2027-06-30"),  # a day later, in 2027Q1: the next quarter's end
    ],
)
def test_quarter_end_deadline(run: Any, start: str, due: str) -> None:
    r = run("deadline", "xianyang", "annual_settlement", "--from", start, "--calendar", str(FICTIONAL), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["due"] == due and r.json["unit"] == "quarter_ends" and r.json["clause"] == "第四条4"
    assert r.json["formula"] == f"{start} 所在季度之后第1个季度末 = {due}"


def test_period_end_arithmetic() -> None:
    from yibao.calendar import period_end

    assert period_end(dt.date(2026, 12, 31), 1, 3) == dt.date(2027, 3, 31)
    assert period_end(dt.date(2026, 2, 10), 0, 1) == dt.date(2026, 2, 28)  # count 0: its own month
    assert period_end(dt.date(2028, 1, 15), 1, 1) == dt.date(2028, 2, 29)  # leap year
    assert period_end(dt.date(2026, 6, 30), 1, 12) == dt.date(2027, 12, 31)


def test_period_end_on_a_rest_day_moves(run: Any) -> None:
    # 2026-01-31 is a Saturday: the end of the month after 2025-12-29 moves to Monday 2026-02-02
    r = run("deadline", "xianyang", "advance_first_month", "--from", "2025-12-29", "--format", "json")
    assert (r.json["due"], r.json["rolled_from"]) == ("2026-02-02", "2026-01-31")
    assert r.json["reading"] == "first_month=next_calendar_month"


# ------------------------------------------------------------- --reading, as compute takes it
def test_deadline_takes_reading(run: Any) -> None:
    r = run(
        "deadline", "xianyang", "advance_first_month", "--from", "2025-12-29", "--reading", "first_month=within_one_month", "--format", "json"
    )
    assert r.code == 0, r.err
    # 签订之日起一个月: 2025-12-29 + 1 month = 2026-01-29 (a Thursday)
    assert r.json["due"] == "2026-01-29" and r.json["unit"] == "months"
    assert r.json["reading"] == "first_month=within_one_month"
    bad = run("deadline", "xianyang", "advance_first_month", "--from", "2025-12-29", "--reading", "first_month=someday")
    assert bad.code == 2 and "next_calendar_month" in bad.err


def test_deadline_reading_entries_are_checked(run: Any, tmp_path: Path) -> None:
    src = (ROOT / "plugins" / "xianyang" / "contract.toml").read_text(encoding="utf-8")
    broken = src.replace('reading = "first_month=within_one_month"', 'reading = "first_month=next_calendar_month"')
    p = tmp_path / "contract.toml"
    p.write_text(broken, encoding="utf-8")
    r = run("show", "xianyang", "--contract", str(p))
    assert r.code == 2 and "one entry per reading of 'first_month'" in r.err
