"""The ``rolling_surplus`` model (淮阳 第二十九条、第三十条), on a throwaway
contract: under-use rolls over, use above the cap is drawn from the surplus,
the end figure is checked against a floor and against zero."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import Year

from .toy import toy_registry

CONTRACT = """

[[steps]]
model = "rolling_surplus"
clause = "第二条"
key = "rollover"
label = "滚存"
start = "start"
required = "required"
spending = "spending"
cap = "cap"
{floor}
outputs.drawn = {{ key = "drawn", label = "负担" }}
outputs.end = {{ key = "end", label = "年末滚存结余" }}
floor_finding = {{ key = "fund.low", message = "低于门槛", clause = "第三条" }}
deficit_finding = {{ key = "fund.negative", severity = "violation", message = "为负" }}
"""


@attrs.frozen
class Figures:
    year: Year
    spending: D
    start: D | None = None
    required: D = D("910.00")
    cap: D = D("1000.00")
    floor: D = D("300.00")


def registry_for(throwaway_plugin: Any, tmp_path: Path, floor: str = 'floor = "floor"') -> Any:
    return toy_registry(tmp_path, CONTRACT.format(floor=floor), Figures, name="rs", start="2025-01-01", end="2025-12-31")


@pytest.fixture
def compute(throwaway_plugin: Any, tmp_path: Path) -> Any:
    reg = registry_for(throwaway_plugin, tmp_path)
    contract = api.load_contract("rs", reg=reg)

    def run(spending: str, start: str = "1000.00", **kw: Any) -> Any:
        facts = api.load_facts(contract, {"year": 2025, "spending": D(spending), "start": D(start), **kw})
        return api.compute(contract, facts)

    return run


def figures(r: Any) -> tuple[D, D, D]:
    return r.amount("rollover"), r.amount("drawn"), r.amount("end")


# required 910.00, cap 1000.00, start 1000.00
@pytest.mark.parametrize(
    ("spending", "rollover", "drawn", "end"),
    [
        ("910.00", "0.00", "0.00", "1000.00"),  # exactly the required use: nothing rolls over
        ("909.99", "0.01", "0.00", "1000.01"),  # one 分 short: 910.00 − 909.99 = 0.01 rolls over
        ("910.01", "0.00", "0.00", "1000.00"),  # one 分 above: nothing
        ("0", "910.00", "0.00", "1910.00"),  # nothing spent: 910.00 rolls over
        ("1000.00", "0.00", "0.00", "1000.00"),  # exactly the cap: nothing drawn
        ("999.99", "0.00", "0.00", "1000.00"),
        ("1000.01", "0.00", "0.01", "999.99"),  # one 分 above the cap is drawn: 1000.00 − 0.01
        ("1500.00", "0.00", "500.00", "500.00"),
    ],
)
def test_rollover_and_drawn(compute: Any, spending: str, rollover: str, drawn: str, end: str) -> None:
    assert figures(compute(spending)) == (D(rollover), D(drawn), D(end))


def test_formulas_show_the_numbers(compute: Any) -> None:
    r = compute("909.99")
    assert r.item("rollover").formula == "max(0, 910.00 − 909.99)"
    assert r.item("drawn").formula == "max(0, 909.99 − 1000.00)"
    assert r.item("end").formula == "1000.00 + 0.01 − 0.00"
    assert r.item("end").clause == "第二条"


def test_end_uses_the_rounded_rollover(compute: Any) -> None:
    # 910.00 − 909.995 = 0.005 -> 0.01 (half up) on paper; end = 1000.00 + 0.01
    r = compute("909.995")
    assert r.amount("rollover") == D("0.01")
    assert r.amount("end") == D("1000.01")


# floor 300.00; spending 950.00 lies between required and cap, so end = start
@pytest.mark.parametrize(
    ("start", "low"),
    [
        ("300.00", False),  # at the floor: not below
        ("299.99", True),  # one 分 below
        ("300.01", False),  # one 分 above
    ],
)
def test_floor_boundary(compute: Any, start: str, low: bool) -> None:
    r = compute("950.00", start=start)
    assert r.amount("end") == D(start)
    found = [f for f in r.findings if f.key == "fund.low"]
    assert bool(found) is low
    if low:
        assert found[0].severity == "warning" and found[0].clause == "第三条"
        assert found[0].message == f"低于门槛（{start} < 300.00）"


@pytest.mark.parametrize(
    ("spending", "end", "negative"),
    [
        ("1000.00", "0.00", False),  # 0 + 0 − 0: zero is not below zero
        ("1000.01", "-0.01", True),  # 0 − 0.01
    ],
)
def test_deficit_boundary(compute: Any, spending: str, end: str, negative: bool) -> None:
    r = compute(spending, start="0")
    assert r.amount("end") == D(end)
    assert any(f.key == "fund.low" for f in r.findings)  # below the 300.00 floor either way
    neg = [f for f in r.findings if f.key == "fund.negative"]
    assert bool(neg) is negative
    assert r.has_violations is negative
    if negative:
        assert neg[0].clause == "第二条"  # the finding's own clause is absent: the step's


def test_no_floor_no_floor_finding(throwaway_plugin: Any, tmp_path: Path) -> None:
    reg = registry_for(throwaway_plugin, tmp_path, floor="")
    c = api.load_contract("rs", reg=reg)
    r = api.compute(c, api.load_facts(c, {"year": 2025, "spending": D("950"), "start": D("1")}))
    assert r.amount("end") == D("1.00") and r.findings == ()


def test_required_above_cap_is_an_input_error(compute: Any) -> None:
    with pytest.raises(InputError) as e:
        compute("950", required=D("1000.01"))
    assert e.value.problems[0].path == "required"
    assert "expected at most cap (1000.00), got 1000.01" in e.value.problems[0].message


def test_missing_start_names_the_fact(throwaway_plugin: Any, tmp_path: Path) -> None:
    reg = registry_for(throwaway_plugin, tmp_path)
    c = api.load_contract("rs", reg=reg)
    with pytest.raises(InputError) as e:
        api.compute(c, api.load_facts(c, {"year": 2025, "spending": D("950")}))
    assert e.value.problems[0].path == "start"
    assert "required by 第二条 (rolling_surplus) but not given" in e.value.problems[0].message


def test_missing_output_spec_is_a_load_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    body = CONTRACT.format(floor="").replace('outputs.end = { key = "end", label = "年末滚存结余" }\n', "")
    with pytest.raises(InputError) as e:
        api.load_contract("rs", reg=toy_registry(tmp_path, body, Figures, name="rs", start="2025-01-01", end="2025-12-31"))
    assert e.value.problems[0].path == "steps[0].outputs.end"
