"""新乡 2025 — every computable clause, worked by hand from the contract text.

Clauses: 第十九条 (190 元/人/年), 第二十一条 (3.85% profit cap, loss split,
regions separate), 第二十九条 (score tiers), 第三十五条 (5% contingent
penalty), 第七条 / 附件 二 (staffing).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "xinxiang"


def facts(contract: Any, *, score: Any = 95, regions: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    regions = regions or [{"name": "市本级", "insured": 100000, "payouts": 17900000}]
    return api.load_facts(contract, {"year": 2025, "score": score, "regions": regions, **extra})


def compute(contract: Any, **kw: Any) -> Any:
    return api.compute(contract(CITY), facts(contract(CITY), **kw))


def region(insured: int, payouts: Any, name: str = "市本级", **kw: Any) -> dict[str, Any]:
    return {"name": name, "insured": insured, "payouts": D(str(payouts)), **kw}


# ------------------------------------------------------------- 第十九条
def test_funding_is_190_per_insured(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, 0)])
    assert r.amount("funding_total", "市本级") == D("19000000.00")
    assert r.item("funding_total", "市本级").clause == "第十九条"
    assert r.item("funding_total", "市本级").formula == "100000 × 190"


# ------------------------------------------------------------- 第二十一条(1)(2): the cap
# funding 19,000,000.00; cap = 3.85% = 731,500.00
@pytest.mark.parametrize(
    ("payouts", "approved", "surplus"),
    [
        ("18268500.00", "731500.00", "0.00"),  # balance exactly at the cap: (1) 含3.85%
        ("18268499.99", "731500.00", "0.01"),  # one 分 above the cap: the 分 stays with the fund
        ("18268500.01", "731499.99", "0.00"),  # one 分 below the cap: (2) the whole balance
        ("19000000.00", "0.00", "0.00"),  # balance zero: no profit
        ("17900000.00", "731500.00", "368500.00"),
    ],
)
def test_profit_cap_boundary(contract: Any, payouts: str, approved: str, surplus: str) -> None:
    r = compute(contract, regions=[region(100000, payouts)])
    assert r.amount("approved_profit", "市本级") == D(approved)
    assert r.amount("surplus_to_fund", "市本级") == D(surplus)
    assert r.item("approved_profit", "市本级").clause == "第二十一条(1)(2)"


# ------------------------------------------------------------- 第二十一条(3): loss
def test_loss_without_policy_part_is_the_insurers(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "19500000")])
    assert r.amount("approved_profit", "市本级") == D("0.00")
    assert r.amount("loss_bureau", "市本级") == D("0.00")
    assert r.amount("loss_insurer", "市本级") == D("500000.00")


def test_loss_with_policy_part_split(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "19500000", policy_loss=D("200000"))])
    assert r.amount("loss_bureau", "市本级") == D("200000.00")
    assert r.amount("loss_insurer", "市本级") == D("300000.00")


def test_policy_part_is_capped_at_the_loss(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "19500000", policy_loss=D("800000"))])
    assert r.amount("loss_bureau", "市本级") == D("500000.00")
    assert r.amount("loss_insurer", "市本级") == D("0.00")


# ------------------------------------------------------------- 第二十一条(4): regions never netted
def test_two_regions_one_surplus_one_loss_are_not_netted(contract: Any) -> None:
    r = compute(
        contract,
        regions=[region(100000, "17900000", name="市本级"), region(50000, "10000000", name="红旗区")],
    )
    assert r.amount("approved_profit", "市本级") == D("731500.00")
    # 红旗区: funding 9,500,000; loss 500,000, borne by the insurer; no profit
    assert r.amount("approved_profit", "红旗区") == D("0.00")
    assert r.amount("loss_insurer", "红旗区") == D("500000.00")
    assert r.amount("loss_insurer", "市本级") == D("0.00")
    total = r.item("funding_total", "合计")
    assert total.kind == "total" and total.amount == D("28500000.00")


# ------------------------------------------------------------- 第二十九条: score tiers
# approved profit 731,500.00 (payouts 17,900,000)
@pytest.mark.parametrize(
    ("score", "deduction"),
    [
        ("100", "0.00"),
        ("90", "0.00"),  # (一) 含90分
        ("89.99", "36.58"),  # (二) 0.01 × 0.5% × 731,500 = 36.575 -> 36.58
        ("89", "3657.50"),  # 1 × 0.5%
        ("85", "18287.50"),  # 5 × 0.5%
        ("80", "36575.00"),  # (二) 含80分: 10 × 0.5%
        ("79.99", "73223.15"),  # (三) 10.01 × 1% = 10.01%: 73,150 + 73.15
        ("70", "146300.00"),  # (三) 含70分: 20 × 1%
        ("69.99", "292746.30"),  # (四) 20.01 × 2% = 40.02%
        ("60", "438900.00"),  # (四) 含60分: 30 × 2% = 60%
        ("59.99", "731500.00"),  # (五) nothing returned
        ("0", "731500.00"),
    ],
)
def test_score_tiers(contract: Any, score: str, deduction: str) -> None:
    r = compute(contract, score=D(score))
    assert r.amount("profit_deduction", "市本级") == D(deduction)
    assert r.amount("profit_returned", "市本级") == D("731500.00") - D(deduction)


def test_below_60_orders_rectification(contract: Any) -> None:
    # 第二十九条(五): below 60 the profit is forfeit and 甲方 责令限期整改 — a
    # consequence of the assessment, not a breach of a duty (that comes only
    # with 逾期拒不整改): a warning, so no violation and exit 0
    r = compute(contract, score=D("59.99"))
    keys = [(f.key, f.severity, f.clause) for f in r.findings]
    assert ("assessment.rectification", "warning", "第二十九条(五)") in keys
    assert not r.has_violations


def test_60_orders_no_rectification(contract: Any) -> None:
    r = compute(contract, score=D("60"))
    assert not any(f.key == "assessment.rectification" for f in r.findings)


def test_fen_rounding_worked_example(contract: Any) -> None:
    """33,333 insured, score 85: funding 6,333,270.00; cap 3.85% = 243,830.895
    -> 243,830.90; deduction 2.5% of the rounded 243,830.90 = 6,095.7725 ->
    6,095.77; returned 237,735.13."""
    r = compute(contract, score=85, regions=[region(33333, "5000000")])
    assert r.amount("funding_total", "市本级") == D("6333270.00")
    assert r.amount("approved_profit", "市本级") == D("243830.90")
    assert r.amount("profit_deduction", "市本级") == D("6095.77")
    assert r.amount("profit_returned", "市本级") == D("237735.13")


def test_whole_points_reading_is_switchable(contract: Any) -> None:
    c = contract(CITY).with_choices({"fractional_points": "whole_points"})
    r = api.compute(c, facts(c, score=D("85.5")))
    # whole points: 4 points below 90 -> 2%; proportional would be 4.5 -> 2.25%
    assert r.amount("profit_deduction", "市本级") == D("14630.00")
    assert {i.id: i.choice for i in r.interpretations}["fractional_points"] == "whole_points"
    r2 = compute(contract, score=D("85.5"))
    assert r2.amount("profit_deduction", "市本级") == D("16458.75")
    assert {i.id: i.choice for i in r2.interpretations}["fractional_points"] == "proportional"


def test_marginal_reading_is_switchable(contract: Any) -> None:
    c = contract(CITY).with_choices({"tier_rate_scope": "marginal"})
    r = api.compute(c, facts(c, score=75))
    # 10 points × 0.5% + 5 points × 1% = 10% of 731,500
    assert r.amount("profit_deduction", "市本级") == D("73150.00")
    r2 = compute(contract, score=75)  # default: 15 × 1% = 15%
    assert r2.amount("profit_deduction", "市本级") == D("109725.00")


# ------------------------------------------------------------- 第三十五条
def test_breach_penalty_is_contingent_5_percent(contract: Any) -> None:
    r = compute(contract)
    item = r.item("breach_penalty_if_terminated", "市本级")
    assert item.kind == "contingent"
    assert item.amount == D("950000.00")
    assert item.clause == "第三十五条"


# ------------------------------------------------------------- 第七条, 附件 二: staffing
def roster_csv(tmp_path: Any, staff: int, auditors: int) -> Any:
    """``staff`` non-auditors and ``auditors`` auditors, all at 市本级."""
    lines = ["id,name,site,role"]
    for i in range(staff + auditors):
        role = "auditor" if i >= staff else "medical"
        lines.append(f"S{i:03d},某某{i},市本级,{role}")
    p = tmp_path / "roster.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


# default reading auditors_seconded = separate: the 20 of 第七条 without the auditors of 附件 二
@pytest.mark.parametrize(
    ("staff", "auditors", "violations"),
    [
        (20, 2, set()),  # exactly at both minimums
        (21, 3, set()),
        (19, 2, {"staffing.seconded"}),
        (20, 1, {"staffing.auditors"}),
        (19, 1, {"staffing.seconded", "staffing.auditors"}),
    ],
)
def test_staffing_minimums(contract: Any, tmp_path: Any, staff: int, auditors: int, violations: set[str]) -> None:
    roster = api.load_roster(roster_csv(tmp_path, staff, auditors))
    r = api.compute(contract(CITY), facts(contract(CITY)), roster)
    found = {f.key for f in r.findings if f.severity == "violation"}
    assert found == violations


def test_findings_never_print_names(run: Any, tmp_path: Any) -> None:
    p = roster_csv(tmp_path, 19, 1)
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 1
    assert "某某" not in res.out and "某某" not in res.err


# ------------------------------------------------------------- facts validation
def test_year_outside_term_is_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        api.load_facts(contract(CITY), {"year": 2026, "score": 90, "regions": [region(1, 0)]})
    assert e.value.problems[0].path == "year"


def test_duplicate_region_names_rejected(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        facts(contract(CITY), regions=[region(1, 0), region(2, 0)])
    assert "duplicate" in e.value.problems[0].message
    assert e.value.problems[0].path == "regions"


def test_every_duplicate_region_name_reported_once(contract: Any) -> None:
    """第二十一条(4) settles each region on its own: two entries with one name
    are an input error, naming each repeated name once (sorted) and no other."""
    regions = [
        region(1, 0, "县B"), region(2, 0, "县A"), region(3, 0, "市本级"),
        region(4, 0, "县B"), region(5, 0, "县A"), region(6, 0, "县B"),
    ]
    with pytest.raises(InputError) as e:
        facts(contract(CITY), regions=regions)
    (problem,) = e.value.problems
    assert problem.path == "regions"
    assert "县A, 县B" in problem.message
    assert "市本级" not in problem.message


def test_distinct_region_names_accepted(contract: Any) -> None:
    f = facts(contract(CITY), regions=[region(1, 0, "市本级"), region(2, 0, "县A"), region(3, 0, "县B")])
    assert [r.name for r in f.regions] == ["市本级", "县A", "县B"]


# ------------------------------------------------------------- 第二十一条(3): the policy part, never silent
# funding 100,000 × 190 = 19,000,000.00; payouts 19,500,000.00: loss 500,000.00
@pytest.mark.parametrize(
    ("policy_loss", "bureau", "warning"),
    [
        ("500000", "500000.00", None),  # at the loss: all of it the bureau's, nothing to warn
        ("500000.01", "500000.00", "risk.policy_loss_capped"),  # one 分 above: capped, said
        ("499999.99", "499999.99", None),  # one 分 below
    ],
)
def test_policy_loss_above_the_loss_warns(contract: Any, policy_loss: str, bureau: str, warning: str | None) -> None:
    r = compute(contract, regions=[region(100000, "19500000", policy_loss=D(policy_loss))])
    assert r.amount("loss_bureau", "市本级") == D(bureau)
    found = [f for f in r.findings if f.key.startswith("risk.policy_loss")]
    assert [f.key for f in found] == ([warning] if warning else [])
    if warning:
        assert found[0].severity == "warning" and found[0].clause == "第二十一条(3)" and found[0].scope == "市本级"
        assert "500000.01" in found[0].message and "500000.00" in found[0].message


def test_policy_loss_in_a_surplus_year_warns(contract: Any) -> None:
    # payouts 17,900,000.00 < funding 19,000,000.00: no loss, the policy part is not used
    r = compute(contract, regions=[region(100000, "17900000", policy_loss=D("1"))])
    assert r.amount("loss_bureau", "市本级") == D("0.00")
    found = [f for f in r.findings if f.key == "risk.policy_loss_ignored"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].clause == "第二十一条(3)"


def test_no_policy_loss_in_a_surplus_year_is_quiet(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "17900000")])
    assert not [f for f in r.findings if f.key.startswith("risk.policy_loss")]


# ------------------------------------------------------------- 第二十一条、第三十五条: 筹集总额 as raised
# insured 100,000 × 190 = 19,000,000.00 by the standard; raised 18,900,000.00 (refunds, late payments)
def test_raised_funding_is_the_base_of_the_cap_and_the_penalty(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "17900000", funding_raised=D("18900000"))])
    item = r.item("funding_total", "市本级")
    assert item.amount == D("18900000.00")
    assert item.formula == "funding_raised 18900000.00（按标准 100000 × 190 = 19000000.00）"
    # 第二十一条(1): cap 18,900,000.00 × 3.85% = 727,650.00; balance 1,000,000.00 > cap
    assert r.amount("approved_profit", "市本级") == D("727650.00")
    assert r.amount("surplus_to_fund", "市本级") == D("272350.00")
    # 第三十五条: 5% × 18,900,000.00 = 945,000.00
    assert r.amount("breach_penalty_if_terminated", "市本级") == D("945000.00")
    assert {i.id: i.choice for i in r.interpretations}["funding_base"] == "raised"


def test_standard_reading_keeps_insured_times_190(contract: Any) -> None:
    c = contract(CITY).with_choices({"funding_base": "standard"})
    r = api.compute(c, facts(c, regions=[region(100000, "17900000", funding_raised=D("18900000"))]))
    assert r.amount("funding_total", "市本级") == D("19000000.00")
    assert r.amount("approved_profit", "市本级") == D("731500.00")  # 19,000,000.00 × 3.85%
    assert r.amount("breach_penalty_if_terminated", "市本级") == D("950000.00")
    assert "18900000.00" in r.item("funding_total", "市本级").formula


def test_without_raised_funding_the_standard_applies(contract: Any) -> None:
    r = compute(contract, regions=[region(100000, "17900000")])
    assert r.amount("funding_total", "市本级") == D("19000000.00")
    assert "funding_base" not in {i.id for i in r.interpretations}


def test_raised_funding_per_region(contract: Any) -> None:
    # 第二十一条(4): each region its own base; 红旗区 without the fact uses 50,000 × 190
    r = compute(
        contract,
        regions=[
            region(100000, "17900000", funding_raised=D("18900000")),
            region(50000, "9000000", name="红旗区"),
        ],
    )
    assert r.amount("funding_total", "市本级") == D("18900000.00")
    assert r.amount("funding_total", "红旗区") == D("9500000.00")
    assert r.amount("funding_total", "合计") == D("28400000.00")


# ------------------------------------------------------------- money facts: at most two decimals (分)
@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("payouts", "17900000.12", True),  # two decimals
        ("payouts", "17900000.1", True),
        ("payouts", "17900000.120", True),  # a trailing zero is still 分
        ("payouts", "17900000.123", False),  # three: exit 2, not rounded silently
        ("policy_loss", "0.001", False),
        ("funding_raised", "18900000.005", False),
        ("funding_raised", "1890.000001万", True),  # 18,900,000.01 元
        ("funding_raised", "1890.0000001万", False),  # 18,900,000.001 元
    ],
)
def test_money_facts_with_more_than_two_decimals_are_refused(contract: Any, key: str, value: str, ok: bool) -> None:
    c = contract(CITY)
    reg = {"name": "市本级", "insured": 100000, "payouts": D("17900000"), key: D(value) if "万" not in value else value}
    if ok:
        api.load_facts(c, {"year": 2025, "score": 95, "regions": [reg]})
        return
    with pytest.raises(InputError) as exc:
        api.load_facts(c, {"year": 2025, "score": 95, "regions": [reg]}, file="f.toml")
    (problem,) = exc.value.problems
    assert problem.file == "f.toml" and problem.path == f"regions[0].{key}"
    assert "at most two decimals" in problem.message
