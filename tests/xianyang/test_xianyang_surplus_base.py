"""咸阳 第四条2 × 第六条: the base of the surplus or loss, worked by hand.

第四条1: 根据2025年咸阳市门诊慢特病基金使用情况测算，2026年度……保费规模17811万元.
第四条2: 2026年度项目考核基数按照2025年度实际发生保障基金数加上增长率进行考核，
         因2026年慢病相关政策调整，暂不考虑增长率.
第六条:   甲方组织人员对乙方门诊慢特病保障资金收、支情况进行考核。若当年出现超支情况，
         因政策性亏损产生的部分由甲方承担；……非政策性原因导致的亏损，由乙方全额承担。
         ……若出现结余，乙方需进行返还，返还金额上限1416万元.

Interpretation ``surplus_base``: 第六条 measured against the premium
(``premium``, the default: what the insurer received and can return) or
against the 考核基数 (``assessment_base``, the fact of that name).

Figures:
    premium P = 17811万 = 178,110,000.00
    base    B = 172,500,000.00 (a 2025 actual fund use, as the facts give it)
    cap       = 1416万  =  14,160,000.00
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "xianyang"
BASE = D("172500000.00")
PREMIUM_READING = {"surplus_base": "premium"}
BASE_READING = {"surplus_base": "assessment_base"}


def compute(contract: Any, reading: dict[str, str] | None, payouts: str, **extra: Any) -> Any:
    c = contract(CITY)
    if reading:
        c = c.with_choices(reading)
    f = api.load_facts(c, {"year": 2026, "payouts": D(payouts), "assessment_passed": True, **extra})
    return api.compute(c, f)


def risk(r: Any) -> tuple[str, ...]:
    """(base, returned, retained, bureau's loss, insurer's loss) as strings."""
    return tuple(str(r.amount(k)) for k in ("surplus_base", "surplus_return", "surplus_retained", "loss_bureau", "loss_insurer"))


def finding(r: Any, key: str) -> Any:
    return next((f for f in r.findings if f.key == key), None)


# ------------------------------------------------------------- the premium (default): the boundary at P
@pytest.mark.parametrize(
    ("payouts", "expected"),
    [
        # P − payouts = 0: no surplus, no loss
        ("178110000.00", ("178110000.00", "0.00", "0.00", "0.00", "0.00")),
        # P − payouts = 0.01: a 分 of surplus, returned (below the cap)
        ("178109999.99", ("178110000.00", "0.01", "0.00", "0.00", "0.00")),
        # payouts − P = 0.01: a 分 of loss, non-policy: 乙方全额承担
        ("178110000.01", ("178110000.00", "0.00", "0.00", "0.00", "0.01")),
        # between B and P: 178,110,000 − 175,000,000 = 3,110,000 of surplus under the premium
        ("175000000.00", ("178110000.00", "3110000.00", "0.00", "0.00", "0.00")),
    ],
)
def test_premium_base_boundary(contract: Any, payouts: str, expected: tuple[str, ...]) -> None:
    # the 考核基数 given changes nothing under the premium reading
    for extra in ({}, {"assessment_base": BASE}):
        assert risk(compute(contract, None, payouts, **extra)) == expected
        assert risk(compute(contract, PREMIUM_READING, payouts, **extra)) == expected


# ------------------------------------------------------------- the 考核基数: the boundary at B
@pytest.mark.parametrize(
    ("payouts", "expected"),
    [
        # B − payouts = 0: no surplus, no loss (under the premium: 5,610,000 of surplus)
        ("172500000.00", ("172500000.00", "0.00", "0.00", "0.00", "0.00")),
        # B − payouts = 0.01: a 分 returned
        ("172499999.99", ("172500000.00", "0.01", "0.00", "0.00", "0.00")),
        # payouts − B = 0.01: a 分 of loss, the insurer's (under the premium: a surplus of 5,609,999.99)
        ("172500000.01", ("172500000.00", "0.00", "0.00", "0.00", "0.01")),
        # 175,000,000 − 172,500,000 = 2,500,000 of loss, the insurer's (a surplus under the premium)
        ("175000000.00", ("172500000.00", "0.00", "0.00", "0.00", "2500000.00")),
        # the cap measured from B: 172,500,000 − 14,160,000 = 158,340,000
        ("158340000.00", ("172500000.00", "14160000.00", "0.00", "0.00", "0.00")),  # surplus exactly 1416万
        ("158339999.99", ("172500000.00", "14160000.00", "0.01", "0.00", "0.00")),  # one 分 above the cap: retained
        ("158340000.01", ("172500000.00", "14159999.99", "0.00", "0.00", "0.00")),  # one 分 below the cap
    ],
)
def test_assessment_base_boundary(contract: Any, payouts: str, expected: tuple[str, ...]) -> None:
    r = compute(contract, BASE_READING, payouts, assessment_base=BASE)
    assert risk(r) == expected
    assert finding(r, "risk.assessment_base_not_used") is None


def test_the_policy_part_of_a_loss_above_the_base(contract: Any) -> None:
    # 172,500,000.01 − 172,500,000 = 0.01 of loss, accepted as policy-driven: 甲方承担 the 分
    r = compute(contract, BASE_READING, "172500000.01", assessment_base=BASE, policy_loss=D("0.01"))
    assert (r.amount("loss_bureau"), r.amount("loss_insurer")) == (D("0.01"), D("0.00"))
    # at B exactly there is no loss: the policy part is not used, with the warning of loss_split
    r = compute(contract, BASE_READING, "172500000.00", assessment_base=BASE, policy_loss=D("0.01"))
    assert r.amount("loss_bureau") == D("0.00")
    assert finding(r, "risk.policy_loss_ignored").severity == "warning"


def test_a_base_above_the_premium(contract: Any) -> None:
    # B' = 180,000,000 > P; payouts 179,000,000:
    # under B': surplus 180,000,000 − 179,000,000 = 1,000,000, returned
    # under P:  loss    179,000,000 − 178,110,000 =   890,000, the insurer's
    r = compute(contract, BASE_READING, "179000000", assessment_base=D("180000000"))
    assert risk(r) == ("180000000.00", "1000000.00", "0.00", "0.00", "0.00")
    r = compute(contract, None, "179000000", assessment_base=D("180000000"))
    assert risk(r) == ("178110000.00", "0.00", "0.00", "0.00", "890000.00")


def test_the_net_settlement_follows_the_base(contract: Any) -> None:
    # passed, no deductions, no [transfers]: net = 578,200 (op_cost_final) − surplus_return + loss_bureau
    # premium: 578,200 − 3,110,000 = −2,531,800; base: 578,200 − 0 = 578,200 (the 2,500,000 loss is the insurer's)
    assert compute(contract, None, "175000000", assessment_base=BASE).amount("net_settlement") == D("-2531800.00")
    assert compute(contract, BASE_READING, "175000000", assessment_base=BASE).amount("net_settlement") == D("578200.00")


def test_the_base_item_cites_its_clauses(contract: Any) -> None:
    r = compute(contract, None, "170000000")
    item = r.item("surplus_base")
    assert item.clause == "第四条1、第四条2、第六条" and "保费规模" in item.label
    assert r.item("surplus_return").formula == "min(max(0, 178110000.00 − 170000000.00), 14160000.00)"
    r = compute(contract, BASE_READING, "170000000", assessment_base=BASE)
    item = r.item("surplus_base")
    assert item.clause == "第四条2、第六条" and "2025年度实际发生保障基金数" in item.label
    assert item.formula == "172500000.00"
    # 172,500,000 − 170,000,000 = 2,500,000 returned
    assert r.item("surplus_return").formula == "min(max(0, 172500000.00 − 170000000.00), 14160000.00)"
    assert [i.choice for i in r.interpretations if i.id == "surplus_base"] == ["assessment_base"]


# ------------------------------------------------------------- the fact: said when unused, required when read
def test_a_base_given_under_the_premium_reading_is_said(contract: Any) -> None:
    r = compute(contract, None, "170000000", assessment_base=BASE)
    f = finding(r, "risk.assessment_base_not_used")
    assert f is not None and f.severity == "info" and f.clause == "第四条2、第六条"
    assert "assessment_base = 172500000.00" in f.message and not r.has_violations
    assert [i.choice for i in r.interpretations if i.id == "surplus_base"] == ["premium"]
    assert finding(compute(contract, None, "170000000"), "risk.assessment_base_not_used") is None


def test_the_base_reading_needs_the_fact(contract: Any) -> None:
    c = contract(CITY).with_choices(BASE_READING)
    with pytest.raises(InputError) as e:
        api.load_facts(c, {"year": 2026, "payouts": D("1"), "assessment_passed": True})
    p = e.value.problems[0]
    assert p.path == "assessment_base" and "required under surplus_base = assessment_base" in p.message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("assessment_base = -1", "expected a number ≥ 0, got -1"),
        ("assessment_base = 172500000.001", "assessment_base"),  # more than two decimals: exit 2 naming the key
        ("assesment_base = 1", "did you mean 'assessment_base'?"),
    ],
)
def test_bad_assessment_base_exit_2(run: Any, write_toml: Any, line: str, expected: str) -> None:
    p = write_toml(f"year = 2026\npayouts = 170000000\nassessment_passed = true\n{line}\n")
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 2 and res.json["error"] == "input"
    assert expected in res.err and str(p) in res.err and "Traceback" not in res.err


def test_base_reading_without_the_fact_through_the_cli(run: Any, write_toml: Any) -> None:
    p = write_toml("year = 2026\npayouts = 170000000\nassessment_passed = true\n")
    res = run("compute", CITY, "--facts", str(p), "--reading", "surplus_base=assessment_base", "--format", "json")
    assert res.code == 2
    assert res.json["problems"][0]["path"] == "assessment_base"


def test_bundled_example_under_either_base(run: Any) -> None:
    # examples/2026.toml: payouts 160,500,000, assessment_base 172,500,000
    res = run("compute", CITY, "--format", "json")
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    # premium: 178,110,000 − 160,500,000 = 17,610,000 > cap: 14,160,000 returned, 3,450,000 retained
    assert (items["surplus_return"], items["surplus_retained"]) == ("14160000.00", "3450000.00")
    assert "risk.assessment_base_not_used" in {f["key"] for f in res.json["findings"]}
    res = run("compute", CITY, "--reading", "surplus_base=assessment_base", "--format", "json")
    assert res.code == 0
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    # base: 172,500,000 − 160,500,000 = 12,000,000 < cap: all returned
    assert (items["surplus_base"], items["surplus_return"], items["surplus_retained"]) == ("172500000.00", "12000000.00", "0.00")
    # net: 565,700 (578,200 − 12,500 of deductions) − 12,000,000 − 8,640.50 (clawback) = −11,442,940.50
    assert items["net_settlement"] == "-11442940.50"
