"""淮阳 2025 — every computable clause, worked by hand from the contract text.

Clauses: 第二十八条 (150 元/人/年, 3 月、9 月两批), 第八条 (运营成本 5%),
第二十九条 (承诺使用率 91%), 第三十条 (下限 90%, 超过 100% 由滚存结余负担,
低于上年度保费总额 30% 调整), 第三十一条 (周转金 5%, 2025 年 41.43万),
第三十八条 (保证金 10%), 第四十二条 (考核、复核), 第四十五条 (合作 3 年),
第四十六条 (违约金 10%, contingent).

Unless a test says otherwise: 56,000 insured -> funding 56,000 × 150 =
8,400,000.00; required use 91% = 7,644,000.00; prior-year income
8,286,000.00 -> threshold 30% = 2,485,800.00, revolving fund 5% = 414,300.00.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import Year

CITY = "huaiyang"
EXAMPLES = Path(__file__).resolve().parents[2] / "plugins" / "huaiyang" / "examples"

BASE: dict[str, Any] = {
    "year": 2025,
    "insured": 56000,
    "payouts": D("7500000"),
    "prior_year_income": D("8286000"),
    "rolling_surplus_start": D("3000000"),
}

FACTS_TOML = """
year = 2025
insured = 56000
payouts = 7500000
prior_year_income = 8286000
rolling_surplus_start = 3000000
"""

ITEMS = [
    "funding_total",
    "transfer_march",
    "transfer_september",
    "operating_cost",
    "revolving_fund",
    "utilization_base",
    "utilization_required",
    "adjustment_threshold",
    "payout_cap",
    "rollover",
    "excess_from_surplus",
    "rolling_surplus_end",
    "uncovered_excess",
    "bond",
    "premium_after_offset",
    "remote_care_offset",
    "remote_care_due_from_insurer",
    "transfers_paid",
    "funding_net",
    "early_termination_penalty",
]


def facts(contract: Any, **kw: Any) -> Any:
    return api.load_facts(contract, {**BASE, **kw})


def compute(contract: Any, readings: dict[str, str] | None = None, **kw: Any) -> Any:
    c = contract(CITY)
    if readings:
        c = c.with_choices(readings)
    return api.compute(c, facts(c, **kw))


def keys(r: Any, severity: str | None = None) -> set[str]:
    return {f.key for f in r.findings if severity is None or f.severity == severity}


# ------------------------------------------------------------- shape
def test_every_item_always_present_in_order(contract: Any) -> None:
    r = compute(contract)
    assert [i.key for i in r.items] == ITEMS
    assert all(i.scope is None for i in r.items)
    assert [f.key for f in r.findings] == ["funding.transfers_assumed"]  # the one info: transfers_paid not stated


def test_same_shape_under_every_reading(contract: Any) -> None:
    r = compute(
        contract,
        {"transfer_split": "as_transferred", "utilization_rate": "floor", "trigger_base": "current_year"},
        march_batch=D("1"),
    )
    assert [i.key for i in r.items] == ITEMS


def test_bundled_example_is_the_default(run: Any) -> None:
    res = run("compute", CITY, "--format", "json")
    assert res.code == 0
    amounts = {i["key"]: i["amount"] for i in res.json["items"]}
    # 56,000 × 150; 7,644,000.00 − 7,500,000.00 rolls over; 3,000,000.00 + 144,000.00
    assert amounts["funding_total"] == "8400000.00"
    assert amounts["rollover"] == "144000.00"
    assert amounts["rolling_surplus_end"] == "3144000.00"


# ------------------------------------------------------------- 第二十八条: funding, two transfers
def test_funding_is_150_per_insured(contract: Any) -> None:
    r = compute(contract)
    item = r.item("funding_total")
    assert (item.amount, item.formula, item.clause) == (D("8400000.00"), "56000 × 150", "第二十八条")


@pytest.mark.parametrize(
    ("insured", "march", "september"),
    [
        (56000, "4200000.00", "4200000.00"),  # 8,400,000 / 2
        (55241, "4143075.00", "4143075.00"),  # 8,286,150 / 2
        (1, "75.00", "75.00"),  # 150 / 2
        (0, "0.00", "0.00"),
    ],
)
def test_two_equal_transfers_add_up(contract: Any, insured: int, march: str, september: str) -> None:
    r = compute(contract, insured=insured)
    assert r.amount("transfer_march") == D(march)
    assert r.amount("transfer_september") == D(september)
    assert r.amount("transfer_march") + r.amount("transfer_september") == r.amount("funding_total")
    assert r.item("transfer_march").formula == f"{r.amount('funding_total')} × 50%"
    assert "transfer_split" in [i.id for i in r.interpretations]


def test_as_transferred_reading(contract: Any) -> None:
    r = compute(contract, {"transfer_split": "as_transferred"}, march_batch=D("5000000"))
    assert r.amount("transfer_march") == D("5000000.00")
    assert r.amount("transfer_september") == D("3400000.00")  # 8,400,000 − 5,000,000
    assert r.item("transfer_september").formula == "8400000.00 − 5000000.00"
    assert not r.has_violations


@pytest.mark.parametrize(
    ("march", "september", "above"),
    [
        ("8400000.00", "0.00", False),  # the whole year in March: September nothing
        ("8400000.01", "0.00", True),  # one 分 more than the year's funding
    ],
)
def test_march_batch_above_funding(contract: Any, march: str, september: str, above: bool) -> None:
    r = compute(contract, {"transfer_split": "as_transferred"}, march_batch=D(march))
    assert r.amount("transfer_september") == D(september)
    # 第二十八条 sets no amount per batch: transferring more than the year's funding breaches
    # no duty (the excess comes back in funding_net) — a warning, never a violation
    assert ("funding.march_batch_exceeds_total" in keys(r, "warning")) is above
    assert not r.has_violations


def test_as_transferred_without_march_batch_is_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        compute(contract, {"transfer_split": "as_transferred"})
    assert e.value.problems[0].path == "march_batch"
    assert "required under transfer_split = as_transferred" in e.value.problems[0].message


def test_as_transferred_without_march_batch_through_the_cli(run: Any, write_toml: Any) -> None:
    p = write_toml(FACTS_TOML)
    res = run("compute", CITY, "--facts", str(p), "--reading", "transfer_split=as_transferred")
    assert res.code == 2
    assert f"{p}: march_batch: required under transfer_split = as_transferred" in res.err


# ------------------------------------------------------------- 第八条
def test_operating_cost_is_5_percent(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("operating_cost") == D("420000.00")  # 8,400,000 × 5%
    assert r.item("operating_cost").clause == "第八条"


# ------------------------------------------------------------- 第二十九条、第三十条: utilization
# required 91% × 8,400,000.00 = 7,644,000.00
@pytest.mark.parametrize(
    ("payouts", "rollover", "excess", "end"),
    [
        ("7644000.00", "0.00", "0.00", "3000000.00"),  # exactly 91%: nothing short
        ("7643999.99", "0.01", "0.00", "3000000.01"),  # one 分 below 91% rolls over
        ("7644000.01", "0.00", "0.00", "3000000.00"),  # one 分 above
        ("7500000.00", "144000.00", "0.00", "3144000.00"),  # 7,644,000 − 7,500,000
        ("8400000.00", "0.00", "0.00", "3000000.00"),  # exactly 100%: the surplus pays nothing
        ("8399999.99", "0.00", "0.00", "3000000.00"),  # just below 100%
        ("8400000.01", "0.00", "0.01", "2999999.99"),  # one 分 above 100% is borne by the surplus
        ("9000000.00", "0.00", "600000.00", "2400000.00"),  # 9,000,000 − 8,400,000
    ],
)
def test_utilization_bands(contract: Any, payouts: str, rollover: str, excess: str, end: str) -> None:
    r = compute(contract, payouts=D(payouts))
    assert r.amount("utilization_required") == D("7644000.00")
    assert r.amount("rollover") == D(rollover)
    assert r.amount("excess_from_surplus") == D(excess)
    assert r.amount("rolling_surplus_end") == D(end)
    # the end is exactly start + rollover − excess
    assert r.amount("rolling_surplus_end") == D("3000000.00") + r.amount("rollover") - r.amount("excess_from_surplus")


def test_utilization_clauses_and_formula(contract: Any) -> None:
    r = compute(contract)
    assert r.item("utilization_required").clause == "第二十九条"
    assert r.item("utilization_required").formula == "8400000.00 × 91%"
    assert r.item("rollover").clause == "第二十九条、第三十条"
    assert r.item("excess_from_surplus").clause == "第三十条"
    assert r.item("rolling_surplus_end").formula == "3000000.00 + 144000.00 − 0.00"


# floor reading: 90% × 8,400,000.00 = 7,560,000.00
@pytest.mark.parametrize(
    ("payouts", "committed", "floor"),
    [
        ("7560000.00", "84000.00", "0.00"),  # exactly 90%: 91% reading rolls 7,644,000 − 7,560,000
        ("7559999.99", "84000.01", "0.01"),  # one 分 below 90%
        ("7600000.00", "44000.00", "0.00"),  # between 90% and 91%: only the 91% reading rolls over
    ],
)
def test_floor_reading_is_switchable(contract: Any, payouts: str, committed: str, floor: str) -> None:
    assert compute(contract, payouts=D(payouts)).amount("rollover") == D(committed)
    r = compute(contract, {"utilization_rate": "floor"}, payouts=D(payouts))
    assert r.amount("utilization_required") == D("7560000.00")
    assert r.item("utilization_required").clause == "第三十条"
    assert r.amount("rollover") == D(floor)
    assert [i.choice for i in r.interpretations if i.id == "utilization_rate"] == ["floor"]


def test_reading_switch_through_the_cli(run: Any, write_toml: Any) -> None:
    p = write_toml(FACTS_TOML.replace("7500000", "7600000"))
    res = run("compute", CITY, "--facts", str(p), "--reading", "utilization_rate=floor", "--format", "json")
    amounts = {i["key"]: i["amount"] for i in res.json["items"]}
    assert amounts["rollover"] == "0.00"  # 7,600,000 ≥ 90% × 8,400,000 = 7,560,000
    assert any(i["id"] == "utilization_rate" and i["reading"].startswith("floor") for i in res.json["interpretations"])


# ------------------------------------------------------------- 第三十条: 30% trigger
# payouts 8,000,000 lie between 91% and 100%: end = start
@pytest.mark.parametrize(
    ("start", "triggered"),
    [
        ("2485800.00", False),  # exactly 30% of 8,286,000.00: not below
        ("2485799.99", True),  # one 分 below
        ("2485800.01", False),  # one 分 above
    ],
)
def test_adjustment_trigger_boundary(contract: Any, start: str, triggered: bool) -> None:
    r = compute(contract, payouts=D("8000000"), rolling_surplus_start=D(start))
    assert r.amount("adjustment_threshold") == D("2485800.00")  # 8,286,000 × 30%
    assert r.amount("rolling_surplus_end") == D(start)
    found = [f for f in r.findings if f.key == "funding.adjustment_trigger"]
    assert bool(found) is triggered
    if triggered:
        assert found[0].severity == "warning" and found[0].clause == "第三十条"
        assert "市级医保、财政部门调整筹资水平或支付政策" in found[0].message
        assert f"（{start} < 2485800.00）" in found[0].message
    assert not r.has_violations


def test_prior_year_premium_when_given(contract: Any) -> None:
    r = compute(contract, payouts=D("8000000"), rolling_surplus_start=D("2600000"), prior_year_premium=D("9000000"))
    assert r.amount("adjustment_threshold") == D("2700000.00")  # 9,000,000 × 30%
    assert "funding.adjustment_trigger" in keys(r)  # 2,600,000 < 2,700,000
    assert r.amount("revolving_fund") == D("414300.00")  # still 5% of income, not premium


def test_threshold_rounds_half_up(contract: Any) -> None:
    # 1,000,000.05 × 30% = 300,000.015 -> 300,000.02
    r = compute(contract, prior_year_premium=D("1000000.05"))
    assert r.amount("adjustment_threshold") == D("300000.02")


def test_current_year_trigger_reading(contract: Any) -> None:
    # 30% × this year's 8,400,000.00 = 2,520,000.00: 2,500,000 is below it, but not below 2,485,800
    r = compute(contract, payouts=D("8000000"), rolling_surplus_start=D("2500000"))
    assert "funding.adjustment_trigger" not in keys(r)
    r = compute(contract, {"trigger_base": "current_year"}, payouts=D("8000000"), rolling_surplus_start=D("2500000"))
    assert r.amount("adjustment_threshold") == D("2520000.00")
    assert "funding.adjustment_trigger" in keys(r)


# 第三十条 "年度支付率超过100%的，由滚存结余负担" and nothing on what the surplus
# cannot cover (interpretation uncovered_excess). Start 100,000.00, income
# 8,400,000.00: payouts 8,500,000.00 overspend by exactly the surplus.
@pytest.mark.parametrize(
    ("reading", "payouts", "drawn", "uncovered", "end"),
    [
        ("insurer", "8499999.99", "99999.99", "0.00", "0.01"),  # just below: the surplus covers it
        ("insurer", "8500000.00", "100000.00", "0.00", "0.00"),  # at: exhausted, nothing uncovered
        ("insurer", "8500000.01", "100000.00", "0.01", "0.00"),  # just above: 0.01 borne by the insurer
        ("bureau", "8500000.01", "100000.00", "0.01", "0.00"),  # 0.01 borne by the bureau
        ("debt", "8500000.00", "100000.00", "0.00", "0.00"),
        ("debt", "8500000.01", "100000.00", "0.01", "-0.01"),  # 0.01 carried as a debt
    ],
)
def test_excess_the_surplus_cannot_cover(contract: Any, reading: str, payouts: str, drawn: str, uncovered: str, end: str) -> None:
    r = compute(contract, {"uncovered_excess": reading}, payouts=D(payouts), rolling_surplus_start=D("100000"))
    assert r.amount("excess_from_surplus") == D(drawn)
    assert r.amount("uncovered_excess") == D(uncovered)
    assert r.amount("excess_from_surplus") + r.amount("uncovered_excess") == D(payouts) - D("8400000.00")
    assert r.amount("rolling_surplus_end") == D(end)
    assert ("funding.surplus_exhausted" in keys(r, "warning")) is (uncovered != "0.00")
    assert ("funding.surplus_negative" in keys(r, "warning")) is (end.startswith("-"))
    assert not r.has_violations
    assert "uncovered_excess" in [i.id for i in r.interpretations]


def test_uncovered_excess_default_is_the_insurer(contract: Any) -> None:
    assert contract(CITY).interpretations["uncovered_excess"].choice == "insurer"


def test_negative_surplus_start_is_an_input_error(run: Any, write_toml: Any) -> None:
    p = write_toml(FACTS_TOML.replace("rolling_surplus_start = 3000000", "rolling_surplus_start = -0.01"))
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 2
    [problem] = res.json["problems"]
    assert problem["path"] == "rolling_surplus_start" and "expected an amount ≥ 0" in problem["message"]
    # zero is a surplus
    p = write_toml(FACTS_TOML.replace("rolling_surplus_start = 3000000", "rolling_surplus_start = 0"))
    assert run("compute", CITY, "--facts", str(p), "--format", "json").code == 0
    # under the debt reading a negative start is the debt carried
    p = write_toml(FACTS_TOML.replace("rolling_surplus_start = 3000000", "rolling_surplus_start = -0.01"))
    res = run("compute", CITY, "--facts", str(p), "--reading", "uncovered_excess=debt", "--format", "json")
    assert res.code == 0
    # −0.01 + 144,000.00 rollover
    assert {i["key"]: i["amount"] for i in res.json["items"]}["rolling_surplus_end"] == "143999.99"


# 使用率 "当年资金收入的91%（不包含运营成本）" (utilization_cost) and 支付率 "超过100%"
# without the parenthesis (excess_cost). Income 8,400,000.00, operating cost 5% = 420,000.00.
def test_utilization_cost_readings(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("utilization_base") == D("8400000.00")
    assert r.amount("utilization_required") == D("7644000.00")  # 91% × 8,400,000
    r = compute(contract, {"utilization_cost": "net_of_income"})
    assert r.amount("utilization_base") == D("7980000.00")  # 8,400,000 − 420,000
    assert r.amount("utilization_required") == D("7261800.00")  # 91% × 7,980,000
    assert r.amount("rollover") == D("0.00")  # payouts 7,500,000 reach it
    r = compute(contract, {"utilization_cost": "net_of_income", "utilization_rate": "floor"})
    assert r.amount("utilization_required") == D("7182000.00")  # 90% × 7,980,000


@pytest.mark.parametrize(
    ("reading", "payouts", "excess"),
    [
        ("excluded", "8400000.00", "0.00"),
        ("excluded", "8400000.01", "0.01"),
        ("included", "7980000.00", "0.00"),  # payouts + 420,000 = income exactly
        ("included", "7980000.01", "0.01"),  # one 分 above 100% with the operating cost
        ("included", "7979999.99", "0.00"),
    ],
)
def test_excess_cost_readings(contract: Any, reading: str, payouts: str, excess: str) -> None:
    r = compute(contract, {"excess_cost": reading}, payouts=D(payouts))
    assert r.amount("payout_cap") == (D("8400000.00") if reading == "excluded" else D("7980000.00"))
    assert r.amount("excess_from_surplus") == D(excess)


# ------------------------------------------------------------- 第三十一条: revolving fund
@pytest.mark.parametrize(
    ("income", "fund"),
    [
        ("8286000", "414300.00"),  # the contract's 41.43万
        ("8286000.07", "414300.00"),  # 414,300.0035 -> down
        ("8286000.10", "414300.01"),  # 414,300.005 -> half up
    ],
)
def test_revolving_fund_is_5_percent_of_prior_income(contract: Any, income: str, fund: str) -> None:
    r = compute(contract, prior_year_income=D(income))
    assert r.amount("revolving_fund") == D(fund)
    assert r.item("revolving_fund").clause == "第三十一条"


def validate(contract: Any, readings: dict[str, str] | None = None, **kw: Any) -> Any:
    c = contract(CITY)
    if readings:
        c = c.with_choices(readings)
    return api.validate(c, facts(c, **kw) if kw else None)


def stated(r: Any) -> Any:
    [f] = [f for f in r.findings if f.key == "stated.revolving_fund"]
    return f


@pytest.mark.parametrize(
    ("income", "ok"),
    [
        ("8286000", True),  # 414,300.00 = 41.43万
        ("8286900", True),  # 414,345.00 -> 41.43万 to the 100 元 it is written in
        ("8285000", True),  # 414,250.00 -> 41.43万 (half up)
        ("8284999.99", False),  # 414,249.9995 -> 41.42万
        ("8287000", False),  # 414,350.00 -> 41.44万
    ],
)
def test_validate_stated_revolving_fund(contract: Any, income: str, ok: bool) -> None:
    f = stated(validate(contract, prior_year_income=D(income)))
    assert f.severity == ("info" if ok else "warning")  # a stated figure the facts contradict: no breach
    assert f.clause == "第三十一条"


def test_validate_exact_reading(contract: Any) -> None:
    # 8,286,900 × 5% = 414,345.00 ≠ 414,300.00 to the 分
    f = stated(validate(contract, {"stated_precision": "exact"}, prior_year_income=D("8286900")))
    assert f.severity == "warning"
    assert "414345.00" in f.message
    assert stated(validate(contract, {"stated_precision": "exact"})).severity == "info"


def test_validate_without_facts_says_what_income_is_implied(contract: Any) -> None:
    f = stated(validate(contract))
    assert f.severity == "info"
    assert "8,286,000.00" in f.message  # 414,300 ÷ 5%


def test_validate_other_year_not_checked(contract: Any) -> None:
    f = stated(validate(contract, year=2026, prior_year_income=D("1")))
    assert f.severity == "info" and "not checked" in f.message


def test_validate_through_the_cli(run: Any, write_toml: Any) -> None:
    good = write_toml(FACTS_TOML, "good.toml")
    res = run("validate", CITY, "--facts", str(good), "--format", "json")
    assert res.code == 0 and res.json["findings"][0]["severity"] == "info"
    bad = write_toml(FACTS_TOML.replace("8286000", "8300000"), "bad.toml")
    res = run("validate", CITY, "--facts", str(bad), "--format", "json")
    # 8,300,000 × 5% = 415,000.00 = 41.50万 ≠ 41.43万: a warning (the facts contradict the text; no breach), exit 0
    assert res.code == 0 and res.json["findings"][0]["severity"] == "warning"
    assert "415000.00" in res.json["findings"][0]["message"]


# ------------------------------------------------------------- 第三十八条, 第四十六条
def test_bond_is_10_percent_of_funding(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("bond") == D("840000.00")  # 8,400,000 × 10%
    assert r.item("bond").clause == "第三十八条" and r.item("bond").kind == "payment"


def test_early_termination_penalty_is_contingent(contract: Any) -> None:
    r = compute(contract, insured=55241)
    item = r.item("early_termination_penalty")
    assert item.amount == D("828615.00")  # 55,241 × 150 = 8,286,150 × 10%
    assert item.kind == "contingent" and item.clause == "第四十六条"


# ------------------------------------------------------------- 第四十二条: assessment
@pytest.mark.parametrize(
    ("assessment", "warnings", "violations"),
    [
        (None, set(), set()),
        ({"passed": True}, set(), set()),
        ({"passed": False}, {"assessment.failed"}, set()),  # re-review within 30 working days
        ({"passed": False, "rereview_passed": True}, {"assessment.failed"}, set()),
        ({"passed": False, "rereview_passed": False}, {"assessment.failed"}, {"assessment.termination_right"}),
    ],
)
def test_assessment(contract: Any, assessment: Any, warnings: set[str], violations: set[str]) -> None:
    kw = {} if assessment is None else {"assessment": assessment}
    r = compute(contract, **kw)
    assert keys(r, "warning") == warnings
    assert keys(r, "violation") == violations
    for f in r.findings:
        if f.key != "funding.transfers_assumed":  # transfers_paid not stated (第二十八条)
            assert f.clause == "第四十二条"
    if warnings:
        assert "30个工作日内申请复核" in [f for f in r.findings if f.key == "assessment.failed"][0].message
    assert r.amount("bond") == D("840000.00")  # the bond figure itself does not move (考核办法另定)


def test_failed_rereview_exits_1(run: Any, write_toml: Any) -> None:
    p = write_toml(FACTS_TOML + "[assessment]\npassed = false\nrereview_passed = false\n")
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 1
    assert "甲方有权终止合同" in [f["message"] for f in res.json["findings"] if f["severity"] == "violation"][0]


# ------------------------------------------------------------- multi-year ledger
def ledger_dir(tmp_path: Path, second: str = "", third: str = "") -> Path:
    d = tmp_path / "ledger"
    d.mkdir()
    (d / "2025.toml").write_text(FACTS_TOML, encoding="utf-8")
    (d / "2026.toml").write_text(
        "year = 2026\ninsured = 57000\npayouts = 8700000\nprior_year_income = 8400000\n" + second, encoding="utf-8"
    )
    (d / "2027.toml").write_text(
        "year = 2027\ninsured = 57500\npayouts = 9100000\nprior_year_income = 8550000\n" + third, encoding="utf-8"
    )
    return d


def test_three_year_ledger_through_the_cli(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path)
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 0, res.err
    years = [{i["key"]: i["amount"] for i in r["items"]} for r in res.json["results"]]
    assert [r["period"] for r in res.json["results"]] == ["2025", "2026", "2027"]
    # 2025: funding 8,400,000; 91% = 7,644,000; rollover 144,000; end 3,000,000 + 144,000
    assert years[0]["rolling_surplus_end"] == "3144000.00"
    # 2026: funding 57,000 × 150 = 8,550,000; payouts 8,700,000 exceed it by 150,000
    assert years[1]["funding_total"] == "8550000.00"
    assert years[1]["excess_from_surplus"] == "150000.00"
    assert years[1]["rolling_surplus_end"] == "2994000.00"  # 3,144,000 − 150,000
    # 2027: funding 8,625,000; payouts 9,100,000 -> 475,000 drawn; 2,994,000 − 475,000
    assert years[2]["excess_from_surplus"] == "475000.00"
    assert years[2]["rolling_surplus_end"] == "2519000.00"
    # 30% × 8,550,000 = 2,565,000 > 2,519,000: the adjustment trigger, in 2027 only
    triggers = [[f["key"] for f in r["findings"] if f["key"] != "funding.transfers_assumed"] for r in res.json["results"]]
    assert triggers == [[], [], ["funding.adjustment_trigger"]]
    # no file states transfers_paid: each year says nothing is taken as transferred
    assert all("funding.transfers_assumed" in [f["key"] for f in r["findings"]] for r in res.json["results"])
    # each year's start is the previous year's end
    formulas = [r["items"][ITEMS.index("rolling_surplus_end")]["formula"] for r in res.json["results"]]
    assert formulas[1].startswith("3144000.00 + ") and formulas[2].startswith("2994000.00 + ")
    # later years say which contract computed them
    ids = [[i["id"] for i in r["interpretations"]] for r in res.json["results"]]
    assert "later_years" not in ids[0] and "later_years" in ids[1] and "later_years" in ids[2]


def test_repeated_facts_options_give_the_same_ledger(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path)
    files = [str(d / f"{y}.toml") for y in (2025, 2026, 2027)]
    res = run("compute", CITY, "--facts", files[0], "--facts", files[1], "--facts", files[2], "--format", "json")
    assert res.json == run("compute", CITY, "--facts", str(d), "--format", "json").json


def test_bundled_examples_form_a_ledger(run: Any) -> None:
    files = [str(EXAMPLES / f"{y}.toml") for y in (2025, 2026, 2027)]
    res = run("compute", CITY, "--facts", files[0], "--facts", files[1], "--facts", files[2], "--format", "json")
    assert res.code == 0, res.err  # their stated starts agree with the carried ends
    assert [r["items"][ITEMS.index("rolling_surplus_end")]["amount"] for r in res.json["results"]] == [
        "3144000.00",
        "2994000.00",
        "2519000.00",
    ]


def test_ledger_with_a_conflicting_start_is_input_error(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path, second="rolling_surplus_start = 3000000\n")
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 2 and res.json["error"] == "input"
    assert f"{d / '2026.toml'}: rolling_surplus_start: gives 3000000" in res.err
    assert "rolling_surplus_end of 2025 (" in res.err and "2025.toml) = 3144000.00" in res.err


@pytest.mark.parametrize(
    ("reading", "ends", "uncovered"),
    [
        # 2026 overspends by 3,144,000.01 against a surplus of 3,144,000.00; 2027 by 475,000.00
        ("insurer", ["3144000.00", "0.00", "0.00"], ["0.00", "0.01", "475000.00"]),
        ("bureau", ["3144000.00", "0.00", "0.00"], ["0.00", "0.01", "475000.00"]),
        # a debt: 2027 starts at −0.01 and overspends 475,000.00 more
        ("debt", ["3144000.00", "-0.01", "-475000.01"], ["0.00", "0.01", "475000.00"]),
    ],
)
def test_ledger_with_a_deficit_year(run: Any, tmp_path: Path, reading: str, ends: list[str], uncovered: list[str]) -> None:
    # 2026 payouts 11,694,000.01: 3,144,000.01 above 8,550,000
    d = ledger_dir(tmp_path)
    text = (d / "2026.toml").read_text(encoding="utf-8").replace("8700000", "11694000.01")
    (d / "2026.toml").write_text(text, encoding="utf-8")
    res = run("compute", CITY, "--facts", str(d), "--reading", f"uncovered_excess={reading}", "--format", "json")
    assert res.code == 0
    got = [{i["key"]: i["amount"] for i in r["items"]} for r in res.json["results"]]
    assert [g["rolling_surplus_end"] for g in got] == ends
    assert [g["uncovered_excess"] for g in got] == uncovered


# ------------------------------------------------------------- 第四十五条: which years
@pytest.mark.parametrize(("year", "ok"), [(2024, False), (2025, True), (2027, True), (2028, False)])
def test_years_of_the_cooperation(contract: Any, year: int, ok: bool) -> None:
    if ok:
        assert facts(contract(CITY), year=year).year == Year(year)
    else:
        with pytest.raises(InputError) as e:
            facts(contract(CITY), year=year)
        assert e.value.problems[0].path == "year"
        assert "from 2025 to 2027" in e.value.problems[0].message


def test_contract_year_only_reading(contract: Any) -> None:
    c = contract(CITY).with_choices({"later_years": "contract_year_only"})
    with pytest.raises(InputError) as e:
        api.load_facts(c, {**BASE, "year": 2026})
    assert "from 2025 to 2025" in e.value.problems[0].message


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ("insured = 56000", "insurd = 56000", "insurd", "did you mean 'insured'?"),
        ("insured = 56000", "insured = -1", "insured", "expected a number ≥ 0, got -1"),
        ("payouts = 7500000", 'payouts = "很多"', "payouts", "expected a number"),
        ("payouts = 7500000", "payouts = -0.01", "payouts", "expected a number ≥ 0"),
        ("prior_year_income = 8286000", "", "prior_year_income", "required key missing"),
        ("rolling_surplus_start = 3000000", "", "rolling_surplus_start", "required by 第二十九条、第三十条 (rolling_surplus) but not given"),
        ("year = 2025", "year = 2030", "year", "expected a year from 2025 to 2027"),
    ],
)
def test_input_errors_exit_2(run: Any, write_toml: Any, old: str, new: str, path: str, expected: str) -> None:
    p = write_toml(FACTS_TOML.replace(old, new))
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 2 and res.json["error"] == "input"
    line = [x for x in res.err.splitlines() if f"{p}: {path}: " in x]
    assert line and expected in line[0], res.err
    assert "Traceback" not in res.err


def test_rereview_after_a_pass_is_input_error(run: Any, write_toml: Any) -> None:
    p = write_toml(FACTS_TOML + "[assessment]\npassed = true\nrereview_passed = false\n")
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2
    assert f"{p}: assessment.rereview_passed: expected only when passed = false" in res.err


# ------------------------------------------------------------- staffing, terms, show
def test_roster_is_acknowledged_and_names_never_printed(run: Any, write_toml: Any, tmp_path: Path) -> None:
    roster = tmp_path / "staff.csv"
    roster.write_text("id,name,site,role\nS001,张某某,淮阳区,office\n", encoding="utf-8")
    p = write_toml(FACTS_TOML + 'roster = "staff.csv"\n')
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 0
    [f] = [f for f in res.json["findings"] if f["key"] == "staffing.no_minimum"]
    assert f["severity"] == "info" and f["clause"] == "第七条" and "roster of 1" in f["message"]
    assert "张某某" not in res.out + res.err


def test_show_lists_terms_deadlines_and_interpretations(run: Any) -> None:
    res = run("show", CITY, "--format", "json")
    info = res.json
    assert info["parties"] == {"bureau": "淮阳区医疗保障局", "insurer": "阳光财产保险股份有限公司河南省分公司"}
    terms = {t["key"]: t for t in info["terms"]}
    assert terms["missing_clauses"]["clause"] == "第十四条–第十八条"
    assert terms["revolving_fund_stated"]["value"] == "41.43万"
    deadlines = {d["key"]: (d["count"], d["unit"], d["clause"]) for d in info["deadlines"]}
    assert deadlines == {
        "setup": (15, "working_days", "第十条"),
        "institution_settlement": (15, "working_days", "第十九条"),
        "remote_transfer": (10, "working_days", "第二十一条"),
        "manual_reimbursement": (15, "working_days", "第二十六条"),
        "bond_return": (30, "days", "第三十八条"),
        "assessment_rereview": (30, "working_days", "第四十二条"),
    }
    assert {i["id"] for i in info["interpretations"]} == {
        "transfer_split",
        "utilization_rate",
        "trigger_base",
        "later_years",
        "stated_precision",
        "uncovered_excess",
        "utilization_cost",
        "excess_cost",
    }


def test_every_step_cites_a_clause_in_the_text(contract: Any) -> None:
    path = Path(__file__).resolve().parents[3] / "shared" / "contracts" / "huaiyang-2025.txt"
    if not path.is_file():
        pytest.skip("the contract texts (../shared/contracts) are not beside this checkout")
    text = path.read_text(encoding="utf-8")
    c = contract(CITY)
    cited = {b.step.clause for b in c.steps} | {o.clause for b in c.steps for o in b.outputs.values() if o.clause}
    cited |= {d.clause for d in c.doc.deadlines} | {t.clause for t in c.doc.terms if t.key != "missing_clauses"}
    for clause in cited:
        for part in clause.split("、"):
            assert part in text, f"{part} is not in the contract text"


# ------------------------------------------------------------- 第二十一条: 异地就医资金未上解，从保费中扣除冲抵
# funding 56,000 × 150 = 8,400,000.00 (BASE)
@pytest.mark.parametrize(
    ("unremitted", "after", "offset", "due"),
    [
        ("0", "8400000.00", "0.00", "0.00"),  # all handed up: nothing deducted
        ("0.01", "8399999.99", "0.01", "0.00"),  # one 分 unremitted: one 分 off the premium
        ("8399999.99", "0.01", "8399999.99", "0.00"),  # just below the premium
        ("8400000", "0.00", "8400000.00", "0.00"),  # at the premium: all of it offset
        ("8400000.01", "0.00", "8400000.00", "0.01"),  # just above: 冲抵之后不足部分，乙方按约定支付
    ],
)
def test_remote_care_unremitted_is_offset_against_the_premium(
    contract: Any, unremitted: str, after: str, offset: str, due: str
) -> None:
    r = compute(contract, remote_care_unremitted=D(unremitted))
    assert r.amount("premium_after_offset") == D(after)
    assert r.amount("remote_care_offset") == D(offset)
    assert r.amount("remote_care_due_from_insurer") == D(due)
    assert r.amount("premium_after_offset") + r.amount("remote_care_offset") == r.amount("funding_total")
    assert r.amount("remote_care_offset") + r.amount("remote_care_due_from_insurer") == D(unremitted)
    for key in ("premium_after_offset", "remote_care_offset", "remote_care_due_from_insurer"):
        assert r.item(key).clause == "第二十一条"
    keys = {f.key: f for f in r.findings}
    if D(unremitted):
        assert keys["remote_care.unremitted"].severity == "violation"
        assert keys["remote_care.unremitted"].clause == "第二十一条"
    else:
        assert "remote_care.unremitted" not in keys
    if D(due):
        assert keys["remote_care.offset_short"].severity == "warning"
        assert "0.01" in keys["remote_care.offset_short"].message
    else:
        assert "remote_care.offset_short" not in keys


# ------------------------------------------------------------- 第三十一条: compute flags a revolving fund ≠ 41.43万
@pytest.mark.parametrize(
    ("income", "differs"),
    [
        ("8285000", False),  # 414,250.00 -> 41.43万 to the 100 元 it is written in (at the edge)
        ("8284999.99", True),  # 414,249.9995 -> 41.42万: just below
        ("8286900", False),  # 414,345.00 -> 41.43万
        ("8287000", True),  # 414,350.00 -> 41.44万: just above
    ],
)
def test_compute_flags_a_revolving_fund_other_than_stated(contract: Any, income: str, differs: bool) -> None:
    r = compute(contract, prior_year_income=D(income))
    found = [f for f in r.findings if f.key == "funding.revolving_fund_differs"]
    if differs:
        assert len(found) == 1 and found[0].severity == "warning" and found[0].clause == "第三十一条"
        assert "41.43万" in found[0].message
    else:
        assert found == []


def test_compute_of_a_later_year_does_not_check_the_2025_figure(contract: Any) -> None:
    r = compute(contract, year=2026, prior_year_income=D("1"))
    assert not [f for f in r.findings if f.key == "funding.revolving_fund_differs"]


# ------------------------------------------------------------- 第二十八条: march_batch under a reading that ignores it
def test_march_batch_ignored_under_equal_halves_is_said(contract: Any) -> None:
    r = compute(contract, march_batch=D("5000000"))
    assert r.amount("transfer_march") == D("4200000.00")  # half of 8,400,000.00, not 5,000,000
    [f] = [f for f in r.findings if f.key == "funding.march_batch_ignored"]
    assert f.severity == "warning" and f.clause == "第二十八条" and "5000000.00" in f.message


def test_march_batch_used_under_as_transferred_is_not_flagged(contract: Any) -> None:
    r = compute(contract, {"transfer_split": "as_transferred"}, march_batch=D("5000000"))
    assert r.amount("transfer_march") == D("5000000.00")
    assert not [f for f in r.findings if f.key == "funding.march_batch_ignored"]


# ------------------------------------------------------------- a series (第二十九条 "下年使用", 第三十条)
def test_a_year_missing_from_the_series(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path)
    (d / "2026.toml").unlink()
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 2
    [p] = res.json["problems"]
    assert p["file"] == str(d / "2027.toml") and p["path"] == "year"
    assert f"2025 ({d / '2025.toml'}) is followed by 2027 ({d / '2027.toml'}): 2026 is missing" in p["message"]


def test_a_year_given_twice(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path)
    res = run("compute", CITY, "--facts", str(d / "2025.toml"), "--facts", str(d / "2026.toml"), "--facts", str(d / "2026.toml"), "--format", "json")
    assert res.code == 2
    assert "period 2026 is given twice" in res.json["problems"][0]["message"]


def test_prior_year_income_is_the_previous_funding_total(run: Any, tmp_path: Path) -> None:
    # 2025 筹资总额 = 56,000 × 150 = 8,400,000.00; 2026 says 8,400,000.01
    d = ledger_dir(tmp_path)
    text = (d / "2026.toml").read_text(encoding="utf-8").replace("prior_year_income = 8400000", "prior_year_income = 8400000.01")
    (d / "2026.toml").write_text(text, encoding="utf-8")
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 2
    [p] = res.json["problems"]
    assert p["file"] == str(d / "2026.toml") and p["path"] == "prior_year_income"
    assert "gives 8400000.01, but funding_total of 2025 (" in p["message"] and "= 8400000.00" in p["message"]


def test_files_in_any_order_are_one_series(run: Any, tmp_path: Path) -> None:
    d = ledger_dir(tmp_path)
    res = run("compute", CITY, *(x for f in ("2027", "2025", "2026") for x in ("--facts", str(d / f"{f}.toml"))), "--format", "json")
    assert res.code == 0
    assert [r["period"] for r in res.json["results"]] == ["2025", "2026", "2027"]
    assert [f["source"] for f in res.json["inputs"]["facts"]] == [str(d / f"{y}.toml") for y in (2025, 2026, 2027)]
    # 3,000,000 + 144,000 = 3,144,000; − 150,000 = 2,994,000; − 475,000 = 2,519,000
    ends = [{i["key"]: i["amount"] for i in r["items"]}["rolling_surplus_end"] for r in res.json["results"]]
    assert ends == ["3144000.00", "2994000.00", "2519000.00"]
