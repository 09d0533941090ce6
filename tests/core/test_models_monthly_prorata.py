"""monthly_prorata: a price for a term paid by the month up to a stop date
(淮安 八). Hand-worked: 120,000.00 ÷ 12 = 10,000.00 a month unless noted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import ContractQuarter

from .toy import toy_contract


@attrs.frozen
class Facts:
    price: D = D("120000")
    stopped: dt.date | None = None
    began: dt.date | None = None
    note: str | None = None
    quarter: ContractQuarter = ContractQuarter(1)


STEP = """
[[steps]]
model = "monthly_prorata"
clause = "第八条"
key = "settlement"
label = "按月结算"
total = "price"
end = "stopped"
{extra}

[[interpretations]]
id = "end_day"
clause = "第八条"
question = "终止当日是否计入？"
choice = "{choice}"
readings.inclusive = "计入"
readings.exclusive = "不计入"
"""


def load(throwaway_plugin: Any, tmp_path: Path, extra: str = 'end_day_interpretation = "end_day"', choice: str = "inclusive", **kw: Any) -> Any:
    return toy_contract(tmp_path, STEP.format(extra=extra, choice=choice), Facts, **kw)


def settle(contract: Any, **facts: Any) -> Any:
    return api.compute(contract, Facts(**facts)).item("settlement")


@pytest.mark.parametrize(
    ("stopped", "inclusive", "exclusive"),
    [
        # term from 2025-02-01: month 1 = February (28 days)
        (dt.date(2025, 2, 1), "357.14", "0.00"),  # 1/28 × 10,000 = 357.142… | nothing worked
        (dt.date(2025, 2, 14), "5000.00", "4642.86"),  # 14/28 | 13/28 = 4,642.857…
        (dt.date(2025, 2, 28), "10000.00", "9642.86"),  # the whole of February | 27/28
        (dt.date(2025, 3, 1), "10322.58", "10000.00"),  # 1 + 1/31 = 10,322.580… | 1 full month
        (dt.date(2025, 6, 15), "45000.00", "44666.67"),  # 4 + 15/30 | 4 + 14/30 = 44,666.666…
        (dt.date(2026, 1, 31), "120000.00", "119677.42"),  # the whole term | 11 + 30/31 = 119,677.419…
        (dt.date(2026, 3, 31), "120000.00", "120000.00"),  # past the 12th month: the total, no more
    ],
)
def test_inclusive_and_exclusive(throwaway_plugin: Any, tmp_path: Path, stopped: dt.date, inclusive: str, exclusive: str) -> None:
    c = load(throwaway_plugin, tmp_path)
    assert settle(c, stopped=stopped).amount == D(inclusive)
    ex = c.with_choices({"end_day": "exclusive"})
    assert settle(ex, stopped=stopped).amount == D(exclusive)


def test_without_interpretation_the_end_day_counts(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path, extra="")
    r = api.compute(c, Facts(stopped=dt.date(2025, 6, 15)))
    assert r.amount("settlement") == D("45000.00")
    assert r.interpretations == ()


def test_formula(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    item = settle(c, stopped=dt.date(2025, 6, 15))
    assert item.formula == "120000.00 ÷ 12 = 10000.00/月; 4 × 10000.00 + 10000.00 × 15/30（2025-02-01 至 2025-06-15）"
    assert item.clause == "第八条"


def test_monthly_amount_is_rounded_first_but_a_full_term_pays_the_total(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    # 100,000 ÷ 12 = 8,333.333… -> 8,333.33 a month, as written down
    assert settle(c, price=D("100000"), stopped=dt.date(2025, 3, 31)).amount == D("16666.66")  # 2 × 8,333.33
    # 12 × 8,333.33 would be 99,999.96: the whole term pays the price itself
    assert settle(c, price=D("100000"), stopped=dt.date(2026, 1, 31)).amount == D("100000.00")


def test_start_from_a_fact_and_months_clamped(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path, extra='start = "began"\nend_day_interpretation = "end_day"')
    # from 2025-01-31: month 1 = 01-31..02-27 (28 days), month 2 from 02-28 to 03-30 (31 days)
    assert settle(c, began=dt.date(2025, 1, 31), stopped=dt.date(2025, 2, 27)).amount == D("10000.00")
    # 1 + 1/31 = 10,322.58
    assert settle(c, began=dt.date(2025, 1, 31), stopped=dt.date(2025, 2, 28)).amount == D("10322.58")
    # the start fact absent: the term's first day
    assert settle(c, stopped=dt.date(2025, 2, 28)).amount == D("10000.00")


def test_months_divisor(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path, extra="months = 24")
    # 120,000 ÷ 24 = 5,000 a month; 4 + 15/30 months
    assert settle(c, stopped=dt.date(2025, 6, 15)).amount == D("22500.00")


def test_end_before_start_is_input_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    with pytest.raises(InputError) as e:
        settle(c, stopped=dt.date(2025, 1, 15))
    assert e.value.problems[0].path == "stopped" and "on or after 2025-02-01" in e.value.problems[0].message


def test_end_missing_is_input_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    with pytest.raises(InputError) as e:
        settle(c)
    assert e.value.problems[0].path == "stopped" and "required by 第八条" in e.value.problems[0].message


def test_end_not_a_date_is_input_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = toy_contract(tmp_path, STEP.format(extra="", choice="inclusive").replace('end = "stopped"', 'end = "note"'), Facts)
    with pytest.raises(InputError) as e:
        settle(c, note="June")
    assert e.value.problems[0].path == "note" and "expected a date" in e.value.problems[0].message


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ('end = "stopped"', 'end = "stoped"', "steps[0].end", "did you mean 'stopped'?"),
        ('end = "stopped"', "end = 2025-06-15", "steps[0].end", "expected a string"),
        ('end = "stopped"', "end = 5", "steps[0].end", "expected a string"),
        ('end = "stopped"', 'end = "5%"', "steps[0].end", "expected the name of a facts key holding a date"),
        ('end = "stopped"', 'end = "stopped"\nmonths = 0', "steps[0].months", "expected a number of months ≥ 1"),
        ("", 'end_day_interpretation = "end_days"', "steps[0]", "did you mean 'end_day'?"),
    ],
)
def test_load_errors_name_the_key(throwaway_plugin: Any, tmp_path: Path, old: str, new: str, path: str, expected: str) -> None:
    body = STEP.format(extra="", choice="inclusive")
    body = body.replace(old, new, 1) if old else body.replace('end = "stopped"', 'end = "stopped"\n' + new)
    with pytest.raises(InputError) as e:
        toy_contract(tmp_path, body, Facts)
    found = [p for p in e.value.problems if p.path == path]
    assert found and expected in found[0].message, e.value.problems
