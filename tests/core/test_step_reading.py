"""Steps gated by an interpretation: ``reading = "ID=CHOICE"`` (core change
for 淮阳 第二十九条 vs 第三十条 and 第二十八条). Only the chosen reading's
steps run; every reading must produce the same items; the interpretation is
listed in the result whichever reading ran."""

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
model = "percent_of"
clause = "第二十九条"
reading = "rate=committed"
key = "required"
label = "应使用"
base = "income"
rate = "91%"

[[steps]]
model = "percent_of"
clause = "第三十条"
reading = "rate=floor"
key = "required"
label = "应使用（下限）"
base = "income"
rate = "90%"

[[steps]]
model = "sum"
clause = "第三十条"
key = "left"
label = "余额"
add = ["income"]
subtract = ["required"]

[[interpretations]]
id = "rate"
clause = "第二十九条、第三十条"
question = "91% 还是 90%？"
choice = "committed"
readings.committed = "91%"
readings.floor = "90%"
"""


@attrs.frozen
class Facts:
    year: Year
    income: D


def build(throwaway_plugin: Any, tmp_path: Path, text: str = CONTRACT) -> Any:
    reg = toy_registry(tmp_path, text, Facts, name="gate", start="2025-01-01", end="2025-12-31")
    return lambda: api.load_contract("gate", reg=reg)


def test_only_the_chosen_readings_step_runs(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = build(throwaway_plugin, tmp_path)()
    facts = api.load_facts(c, {"year": 2025, "income": D("1000")})
    r = api.compute(c, facts)
    assert r.amount("required") == D("910.00")  # 1000 × 91%
    assert r.item("required").clause == "第二十九条"
    assert r.amount("left") == D("90.00")  # 1000 − 910: later steps read the gated item
    assert [i.id for i in r.interpretations] == ["rate"]
    r = api.compute(c.with_choices({"rate": "floor"}), facts)
    assert r.amount("required") == D("900.00")  # 1000 × 90%
    assert r.item("required").clause == "第三十条"
    assert [i.reading for i in r.interpretations] == ["90%"]
    assert [li.key for li in r.items] == ["required", "left"]  # one item, same shape


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('reading = "rate=floor"', 'reading = "rat=floor"', "no [[interpretations]] entry 'rat'; did you mean 'rate'?"),
        ('reading = "rate=floor"', 'reading = "rate=flor"', "rate: expected one of committed, floor, got 'flor'"),
        ('reading = "rate=floor"', 'reading = "rate"', "expected ID=CHOICE"),
        ('reading = "rate=floor"\nkey = "required"', 'reading = "rate=floor"\nkey = "needed"', "every reading of 'rate' must produce the same items"),
    ],
)
def test_bad_reading_is_a_load_error(throwaway_plugin: Any, tmp_path: Path, old: str, new: str, message: str) -> None:
    text = CONTRACT.replace(old, new)
    assert text != CONTRACT
    if "needed" in new:  # the later step reads "required", keep it valid
        text = text.replace('subtract = ["required"]', "subtract = []")
    with pytest.raises(InputError) as e:
        build(throwaway_plugin, tmp_path, text)()
    problems = [p for p in e.value.problems if message in p.message]
    assert problems, e.value
    assert problems[0].path.startswith("steps[")


def test_a_reading_without_its_steps_is_a_load_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    text = CONTRACT.replace('readings.floor = "90%"', 'readings.floor = "90%"\nreadings.none = "neither"')
    with pytest.raises(InputError) as e:
        build(throwaway_plugin, tmp_path, text)()
    assert "no step with reading = 'rate=none' produces required" in str(e.value)


def test_show_marks_the_gated_steps(run: Any) -> None:
    res = run("show", "huaiyang", "--format", "json")
    util = [s for s in res.json["steps"] if s["key"] == "utilization_required"]
    assert [s["params"].split("]")[0] for s in util] == ["[utilization_rate=committed", "[utilization_rate=floor"]


def test_compare_marks_the_gated_steps_and_conditions(run: Any) -> None:
    res = run("compare", "huaiyang", "--format", "json")
    risk = res.json["huaiyang"]["risk"]
    assert any("[utilization_rate=committed] base=utilization_base rate=91%" in r for r in risk)
    assert any("[utilization_rate=floor] base=utilization_base rate=90%" in r for r in risk)
    assert "condition: when=assessment_passed [第四十二条]" in res.json["huaiyang"]["assessment"]
