"""咸阳 2026 — every computable clause, worked by hand from the contract text.

Clauses: 第四条1 (保费规模17811万 = 职工12021万 + 居民5790万; 首月预拨2000万),
第五条 (运营成本112.6万: 签订后30个工作日内54.78万 = 30万 + 82.6万 × 30%;
考核通过后57.82万), 第六条 (结余返还上限1416万; 政策性亏损甲方承担, 非政策性
乙方全额承担), 第十条3 (按笔/人/起/件次扣款; 财务问题每次3000-10000元; 收回基金),
第十一条, 第十三条 and 第九条(二) (terms and deadlines shown by ``yibao show``).

Figures used throughout:
    premium   = 17811万 = 178,110,000.00
    cap       = 1416万  =  14,160,000.00
    remaining = 112.6万 − 54.78万 = 578,200.00
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "xianyang"
PREMIUM = D("178110000.00")


def facts(contract: Any, *, payouts: Any = "170000000", passed: bool = True, **extra: Any) -> Any:
    return api.load_facts(contract, {"year": 2026, "payouts": D(str(payouts)), "assessment_passed": passed, **extra})


def compute(contract: Any, reading: dict[str, str] | None = None, **kw: Any) -> Any:
    c = contract(CITY)
    if reading:
        c = c.with_choices(reading)
    return api.compute(c, facts(c, **kw))


def deductions(**kw: Any) -> dict[str, Any]:
    return {"deductions": kw}


def finding(r: Any, key: str) -> Any:
    found = [f for f in r.findings if f.key == key]
    return found[0] if found else None


# ------------------------------------------------------------- 第四条1: premium and advance
def test_premium_and_its_parts(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("premium_total") == D("178110000.00")  # 17811万
    assert r.amount("premium_employees") == D("120210000.00")  # 12021万
    assert r.amount("premium_residents") == D("57900000.00")  # 5790万
    # the parts add up: 120,210,000 + 57,900,000 = 178,110,000
    assert r.amount("premium_employees") + r.amount("premium_residents") == r.amount("premium_total")
    assert {r.item(k).clause for k in ("premium_total", "premium_employees", "premium_residents")} == {"第四条1"}


def test_first_month_advance(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("advance_first_month") == D("20000000.00")  # 2000万
    assert r.item("advance_first_month").clause == "第四条1"


# ------------------------------------------------------------- 第五条: operating cost
def test_operating_cost_in_two_payments(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("op_cost_total") == D("1126000.00")  # 112.6万
    assert r.amount("op_cost_operating_first") == D("247800.00")  # 826,000 × 30%
    assert r.item("op_cost_operating_first").formula == "826000.00 × 30%"
    # 300,000 (系统建设费) + 247,800 = 547,800 = the stated 54.78万
    assert r.amount("op_cost_initial") == D("547800.00") == D("54.78") * 10000
    assert r.item("op_cost_initial").formula == "300000.00 + 247800.00"
    # 1,126,000 − 547,800 = 578,200 = the stated 57.82万
    assert r.amount("op_cost_remaining") == D("578200.00") == D("57.82") * 10000
    assert r.amount("op_cost_initial") + r.amount("op_cost_remaining") == r.amount("op_cost_total")


def test_assessment_passed_no_deductions_pays_the_rest(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("op_cost_after_assessment") == D("578200.00")
    assert r.amount("deductions_total") == D("0.00")
    assert r.amount("op_cost_final") == D("578200.00")  # 578,200 − 0
    assert not r.has_violations


def test_assessment_failed_pays_nothing_with_a_finding(contract: Any) -> None:
    r = compute(contract, passed=False)
    assert r.amount("op_cost_after_assessment") == D("0.00")
    assert r.amount("op_cost_final") == D("0.00")
    f = finding(r, "assessment.not_passed")
    assert f is not None and f.severity == "warning" and f.clause == "第五条"
    assert "剩余运营成本不予支付" in f.message
    assert finding(r, "deductions.excess") is None  # nothing was deducted
    # the first payment does not depend on the assessment
    assert r.amount("op_cost_initial") == D("547800.00")


def test_assessment_failed_deductions_are_owed(contract: Any) -> None:
    # nothing is left to deduct from: the 1,500.00 (3 × 500) is owed, not paid negative
    r = compute(contract, passed=False, **deductions(late_settlements=3))
    assert r.amount("deductions_total") == D("1500.00")
    assert r.amount("op_cost_final") == D("0.00")
    f = finding(r, "deductions.excess")
    # deductions larger than the fee: needs attention, no breach (docs/severities.md)
    assert f is not None and f.severity == "warning" and "不足抵扣 1500.00 元" in f.message
    assert not r.has_violations


# ------------------------------------------------------------- 第十条3: each deduction kind
@pytest.mark.parametrize(
    ("given", "key", "amount", "formula"),
    [
        ({"late_settlements": 1}, "deduction_late_settlements", "500.00", "1 × 500.00"),  # (1) 一笔扣500元
        ({"late_settlements": 7}, "deduction_late_settlements", "3500.00", "7 × 500.00"),  # 7 × 500
        ({"ineligible_patients": 1}, "deduction_ineligible_patients", "1000.00", "1 × 1000.00"),  # (2) 一人扣1000元
        ({"ineligible_patients": 3}, "deduction_ineligible_patients", "3000.00", "3 × 1000.00"),  # 3 × 1000
        ({"unanswered_inquiries": 2}, "deduction_unanswered_inquiries", "1000.00", "2 × 500.00"),  # (3) 每起扣500元
        ({"financial_issues": [D("3000")]}, "deduction_financial_issues", "3000.00", "1 次：3000.00"),  # (4) the minimum
        ({"financial_issues": [D("10000")]}, "deduction_financial_issues", "10000.00", "1 次：10000.00"),  # (4) the maximum
        # (4) each at its stated amount: 3,000 + 4,500.50 + 10,000 = 17,500.50
        ({"financial_issues": [D("3000"), D("4500.50"), D("10000")]}, "deduction_financial_issues", "17500.50", "3 次：3000.00 + 4500.50 + 10000.00"),
        ({"attitude_complaints": 4}, "deduction_attitude_complaints", "2000.00", "4 × 500.00"),  # (5) 每件次扣500元
    ],
)
def test_each_deduction_kind(contract: Any, given: dict[str, Any], key: str, amount: str, formula: str) -> None:
    r = compute(contract, **deductions(**given))
    assert r.amount(key) == D(amount)
    assert r.item(key).formula == formula
    assert r.item(key).clause.startswith("第十条3(")
    assert r.amount("deductions_total") == D(amount)  # the only deduction
    assert r.amount("op_cost_final") == D("578200.00") - D(amount)


def test_every_deduction_together(contract: Any) -> None:
    r = compute(
        contract,
        **deductions(
            late_settlements=3,  # 3 × 500 = 1,500
            ineligible_patients=2,  # 2 × 1,000 = 2,000
            unanswered_inquiries=1,  # 1 × 500 = 500
            financial_issues=[D("3000"), D("5000")],  # 8,000
            attitude_complaints=1,  # 1 × 500 = 500
            clawback=D("8640.50"),  # not a deduction from the operating cost
        ),
    )
    # 1,500 + 2,000 + 500 + 8,000 + 500 = 12,500
    assert r.amount("deductions_total") == D("12500.00")
    assert r.item("deductions_total").formula == "1500.00 + 2000.00 + 500.00 + 8000.00 + 500.00"
    assert r.amount("op_cost_final") == D("565700.00")  # 578,200 − 12,500
    assert r.amount("fund_clawback") == D("8640.50")


def test_no_deductions_table_means_zero_lines(contract: Any) -> None:
    r = compute(contract)
    for key in (
        "deduction_late_settlements",
        "deduction_ineligible_patients",
        "deduction_unanswered_inquiries",
        "deduction_financial_issues",
        "deduction_attitude_complaints",
        "fund_clawback",
        "deductions_total",
    ):
        assert r.amount(key) == D("0.00"), key


# (4) the range check: 3,000 and 10,000 are inside, one 分 outside is an input error
@pytest.mark.parametrize(("amount", "ok"), [("3000", True), ("2999.99", False), ("10000", True), ("10000.01", False)])
def test_financial_issue_range(contract: Any, amount: str, ok: bool) -> None:
    kw = deductions(financial_issues=[D("5000"), D(amount)])
    if ok:
        assert compute(contract, **kw).amount("deduction_financial_issues") == D("5000") + D(amount)
        return
    with pytest.raises(InputError) as e:
        compute(contract, **kw)
    p = e.value.problems[0]
    assert p.path == "deductions.financial_issues[1]"
    assert p.message == f"expected an amount from 3000.00 to 10000.00 元 (第十条3(4)), got {amount}"


@pytest.mark.parametrize("amount", ["2999.99", "10000.01"])
def test_financial_issue_range_through_the_cli(run: Any, write_toml: Any, amount: str) -> None:
    p = write_toml(f"year = 2026\npayouts = 170000000\nassessment_passed = true\n[deductions]\nfinancial_issues = [3000, {amount}]\n")
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 2 and res.json["error"] == "input"
    assert f"{p}: deductions.financial_issues[1]: expected an amount from 3000.00 to 10000.00 元 (第十条3(4)), got {amount}" in res.err
    assert "Traceback" not in res.err


def test_financial_issue_bounds_through_the_cli_are_accepted(run: Any, write_toml: Any) -> None:
    p = write_toml("year = 2026\npayouts = 170000000\nassessment_passed = true\n[deductions]\nfinancial_issues = [3000, 10000]\n")
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 0
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    assert items["deduction_financial_issues"] == "13000.00"  # 3,000 + 10,000
    assert items["op_cost_final"] == "565200.00"  # 578,200 − 13,000


# ------------------------------------------------------------- deductions larger than what is left
# remaining 578,200.00 = 1,150 late settlements × 500 (575,000) + one financial issue of 3,200
@pytest.mark.parametrize(
    ("issue", "final", "excess"),
    [
        ("3200", "0.00", None),  # exactly what is left: nothing paid, nothing owed
        ("3199.99", "0.01", None),  # one 分 less: one 分 paid
        ("3200.01", "0.00", "0.01"),  # one 分 more: 0.01 owed, never −0.01 paid
        ("10000", "0.00", "6800.00"),  # 575,000 + 10,000 − 578,200 = 6,800
    ],
)
def test_deductions_exceeding_the_remaining_cost(contract: Any, issue: str, final: str, excess: str | None) -> None:
    r = compute(contract, **deductions(late_settlements=1150, financial_issues=[D(issue)]))
    assert r.amount("deductions_total") == D("575000") + D(issue)
    assert r.amount("op_cost_final") == D(final)
    f = finding(r, "deductions.excess")
    if excess is None:
        assert f is None
    else:
        assert f is not None and f.severity == "warning" and f.clause == "第十条3"
        assert f"不足抵扣 {excess} 元" in f.message
        assert r.item("op_cost_final").formula.startswith("max(0, ")


# ------------------------------------------------------------- 第六条: surplus return cap
# surplus = 178,110,000.00 − payouts; returned up to 14,160,000.00
@pytest.mark.parametrize(
    ("payouts", "returned", "retained"),
    [
        ("163950000.00", "14160000.00", "0.00"),  # surplus exactly 1416万: all returned
        ("163949999.99", "14160000.00", "0.01"),  # one 分 above the cap: the 分 is retained
        ("163950000.01", "14159999.99", "0.00"),  # one 分 below the cap: all returned
        ("160500000.00", "14160000.00", "3450000.00"),  # surplus 17,610,000
        ("170000000.00", "8110000.00", "0.00"),  # surplus 8,110,000 under the cap
        ("178110000.00", "0.00", "0.00"),  # balance zero
    ],
)
def test_return_cap_boundary(contract: Any, payouts: str, returned: str, retained: str) -> None:
    r = compute(contract, payouts=payouts)
    assert r.amount("surplus_return") == D(returned)
    assert r.amount("surplus_retained") == D(retained)
    assert r.amount("loss_bureau") == r.amount("loss_insurer") == D("0.00")
    assert r.item("surplus_return").clause == "第六条"


# ------------------------------------------------------------- 第六条: deficit
def test_loss_without_policy_part_is_the_insurers(contract: Any) -> None:
    r = compute(contract, payouts="180000000")
    # 180,000,000 − 178,110,000 = 1,890,000, non-policy: 乙方全额承担
    assert r.amount("loss_bureau") == D("0.00")
    assert r.amount("loss_insurer") == D("1890000.00")
    assert r.amount("surplus_return") == r.amount("surplus_retained") == D("0.00")


def test_loss_with_policy_part_split(contract: Any) -> None:
    r = compute(contract, payouts="180000000", policy_loss=D("500000"))
    assert r.amount("loss_bureau") == D("500000.00")  # 政策性亏损: 甲方
    assert r.amount("loss_insurer") == D("1390000.00")  # 1,890,000 − 500,000: 乙方


def test_policy_part_is_capped_at_the_loss(contract: Any) -> None:
    r = compute(contract, payouts="180000000", policy_loss=D("2000000"))
    assert r.amount("loss_bureau") == D("1890000.00")
    assert r.amount("loss_insurer") == D("0.00")


def test_policy_part_in_a_surplus_year_costs_the_bureau_nothing(contract: Any) -> None:
    r = compute(contract, payouts="170000000", policy_loss=D("500000"))
    assert r.amount("loss_bureau") == D("0.00")
    assert r.amount("surplus_return") == D("8110000.00")


# ------------------------------------------------------------- 第十条3(2) × 第六条: the clawback
def test_clawback_is_its_own_line_by_default(contract: Any) -> None:
    r = compute(contract, payouts="163950000", **deductions(ineligible_patients=1, clawback=D("10000")))
    assert r.amount("fund_clawback") == D("10000.00")
    assert r.item("fund_clawback").clause == "第十条3(2)"
    assert r.amount("deduction_ineligible_patients") == D("1000.00")
    assert r.amount("deductions_total") == D("1000.00")  # the clawback is not an operating-cost deduction
    assert r.amount("payouts_counted") == D("163950000.00")  # as settled: the clawback is not netted
    assert r.item("payouts_counted").formula == "163950000.00"
    assert r.amount("surplus_return") == D("14160000.00")  # surplus exactly at the cap
    assert r.amount("surplus_retained") == D("0.00")
    assert "clawback_and_risk" in [i.id for i in r.interpretations]


def test_clawback_net_of_payouts_reading(contract: Any) -> None:
    r = compute(
        contract,
        reading={"clawback_and_risk": "net_of_payouts"},
        payouts="163950000",
        **deductions(ineligible_patients=1, clawback=D("10000")),
    )
    # counted 163,950,000 − 10,000 = 163,940,000; surplus 14,170,000: 14,160,000 returned, 10,000 retained
    assert r.amount("payouts_counted") == D("163940000.00")
    assert r.item("payouts_counted").formula == "163950000.00 − 10000.00"
    assert r.amount("surplus_return") == D("14160000.00")
    assert r.amount("surplus_retained") == D("10000.00")
    assert r.amount("fund_clawback") == D("0.00")  # returned through 第六条 instead
    assert [i.choice for i in r.interpretations if i.id == "clawback_and_risk"] == ["net_of_payouts"]


def test_clawback_net_reading_reduces_a_loss(contract: Any) -> None:
    kw = deductions(ineligible_patients=2, clawback=D("90000"))
    r = compute(contract, reading={"clawback_and_risk": "net_of_payouts"}, payouts="180000000", **kw)
    # counted 179,910,000; loss 1,800,000, all the insurer's
    assert r.amount("loss_insurer") == D("1800000.00")
    r = compute(contract, payouts="180000000", **kw)
    assert r.amount("loss_insurer") == D("1890000.00") and r.amount("fund_clawback") == D("90000.00")


def test_clawback_reading_through_the_cli(run: Any) -> None:
    res = run("compute", CITY, "--reading", "clawback_and_risk=net_of_payouts", "--format", "json")
    items = {i["key"]: i for i in res.json["items"]}
    # bundled example: 160,500,000 − 8,640.50 = 160,491,359.50
    assert items["payouts_counted"]["amount"] == "160491359.50"
    assert items["payouts_counted"]["formula"] == "160500000.00 − 8640.50"
    assert res.json["interpretations"][0]["reading"].startswith("net_of_payouts: ")
    assert items["surplus_retained"]["amount"] == "3458640.50"  # 17,618,640.50 − 14,160,000
    assert items["fund_clawback"]["amount"] == "0.00"


def test_clawback_above_payouts_is_an_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        facts(contract(CITY), payouts="1000", **deductions(clawback=D("1000.01")))
    assert e.value.problems[0].path == "deductions.clawback"


# ------------------------------------------------------------- stable shape
def test_every_item_is_always_present(contract: Any) -> None:
    keys = [i.key for i in compute(contract).items]
    failed_loss = compute(contract, payouts="185000000", passed=False, policy_loss=D("4000000"))
    assert [i.key for i in failed_loss.items] == keys
    netted = compute(contract, reading={"clawback_and_risk": "net_of_payouts"})
    assert [i.key for i in netted.items] == keys  # the same shape under either reading
    based = compute(contract, reading={"surplus_base": "assessment_base"}, assessment_base=D("170000000"))
    assert [i.key for i in based.items] == keys  # the same shape under either base of 第六条
    assert len(keys) == len(set(keys)) == 27
    assert all(i.scope is None and i.kind == "payment" for i in failed_loss.items)


# ------------------------------------------------------------- the bundled examples
def test_bundled_example(run: Any) -> None:
    res = run("compute", CITY, "--format", "json")
    assert res.code == 0
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    assert items["surplus_return"] == "14160000.00"  # 178,110,000 − 160,500,000 = 17,610,000 > cap
    assert items["surplus_retained"] == "3450000.00"
    assert items["deductions_total"] == "12500.00"
    assert items["op_cost_final"] == "565700.00"


def test_bundled_loss_example(run: Any) -> None:
    loss = Path(str(api.load_contract(CITY).spec.examples[1]))
    res = run("compute", CITY, "--facts", str(loss), "--format", "json")
    # the 1,000.00 of deductions cannot be taken from anything: owed — a warning, no breach: exit 0
    assert res.code == 0
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    # 185,000,000 − 178,110,000 = 6,890,000: 4,000,000 policy, 2,890,000 the insurer's
    assert items["loss_bureau"] == "4000000.00"
    assert items["loss_insurer"] == "2890000.00"
    assert items["op_cost_final"] == "0.00"
    keys = {f["key"] for f in res.json["findings"]}
    assert {"assessment.not_passed", "deductions.excess"} <= keys


# ------------------------------------------------------------- deadlines counted from signing
def test_deadlines_dated_from_signed_on(contract: Any) -> None:
    r = compute(contract, signed_on="2025-12-29")
    advance = finding(r, "deadline.advance_first_month")
    assert advance is not None and advance.severity == "info" and advance.clause == "第四条1"
    # 首月 = the next calendar month, January 2026: its last day 2026-01-31 is a Saturday,
    # so the deadline moves to Monday 2026-02-02 (民法典 第二百零三条)
    assert "2026-02-02（星期一）前" in advance.message and "2026-01-31（星期六，休息日）" in advance.message
    assert "协议签订于 2025-12-29" in advance.message
    first = finding(r, "deadline.op_cost_initial")
    # 30 working days after 2025-12-29: 12-30, 12-31 (2); 01-01..03 off, 01-04 (Sun) worked (3);
    # 01-05..09 (8), 12..16 (13), 19..23 (18), 26..30 (23), 02-02..06 (28), 02-09 (29), 02-10 (30)
    assert first is not None and first.clause == "第五条" and "30个工作日" in first.message
    assert "2026-02-10（星期二）前" in first.message and "日期未推算" not in first.message
    assert "first_month" in [i.id for i in r.interpretations]


def test_first_month_within_one_month_reading(contract: Any) -> None:
    r = compute(contract, reading={"first_month": "within_one_month"}, signed_on="2025-12-29")
    assert "2026-01-29（星期四）前" in finding(r, "deadline.advance_first_month").message
    # signed on 31 January: one month later is the last day of February (第二百零二条),
    # Saturday 2026-02-28 — a make-up working day of the 2026 arrangement (春节调休), so it stays
    r = compute(contract, reading={"first_month": "within_one_month"}, signed_on="2026-01-31")
    msg = finding(r, "deadline.advance_first_month").message
    assert "2026-01-31 + 1个月 = 2026-02-28；" in msg and "2026-02-28（星期六）前" in msg
    # the next calendar month after 30 January is February: its end, the same day
    r = compute(contract, signed_on="2026-01-30")
    assert "2026-01-30 所在月之后第1个月末 = 2026-02-28；" in finding(r, "deadline.advance_first_month").message


def test_no_signed_on_no_deadline_findings(contract: Any) -> None:
    r = compute(contract)
    assert not [f for f in r.findings if f.key.startswith("deadline.")]
    assert "first_month" not in [i.id for i in r.interpretations]


# ------------------------------------------------------------- validate: the stated arithmetic
def test_validate_redoes_the_stated_sums(run: Any) -> None:
    res = run("validate", CITY, "--format", "json")
    assert res.code == 0
    msgs = {f["key"]: f["message"] for f in res.json["findings"]}
    assert msgs["stated.premium"] == "保费规模：职工 + 居民: 120210000 + 57900000 = 178110000 ✓"
    assert msgs["stated.op_cost"] == "运营成本：系统建设费 + 剩余运营成本: 300000 + 826000 = 1126000 ✓"
    assert msgs["stated.op_cost_payments"] == "运营成本：签订后支付 + 考核通过后支付: 547800 + 578200 = 1126000 ✓"


def test_validate_catches_a_wrong_stated_part(run: Any, tmp_path: Path) -> None:
    text = Path(str(api.load_contract(CITY).spec.contract_file)).read_text(encoding="utf-8")
    bad = tmp_path / "contract.toml"
    bad.write_text(text.replace('parts = ["54.78万", "57.82万"]', 'parts = ["54.78万", "57.28万"]'), encoding="utf-8")
    res = run("validate", CITY, "--contract", str(bad), "--format", "json")
    assert res.code == 0  # a warning: the text disagrees with itself, no party breaches a duty
    assert any(f["key"] == "stated.op_cost_payments" and f["severity"] == "warning" for f in res.json["findings"])
    assert "No violation; 1 warning(s) to look at." in res.err


# ------------------------------------------------------------- show: the non-monetary terms
def test_show_has_the_terms_and_deadlines(run: Any) -> None:
    res = run("show", CITY, "--format", "json")
    assert res.code == 0
    terms = {t["key"]: t for t in res.json["terms"]}
    assert terms["insured_employees"]["value"] == 43997 and terms["insured_employees"]["clause"] == "第一条"
    assert terms["insured_residents"]["value"] == 30897
    assert terms["joint_offices"]["value"] == "市本级、秦都区、渭城区、兴平市"
    assert terms["joint_offices"]["clause"] == "第九条(二)2"
    assert "10日内答复，逾期未答复视为同意" in terms["change_requests"]["value"]
    deadlines = {d["key"]: d for d in res.json["deadlines"]}
    assert (deadlines["change_request_reply"]["count"], deadlines["change_request_reply"]["unit"]) == (10, "days")
    assert deadlines["change_request_reply"]["clause"] == "第十一条"
    assert (deadlines["data_handover"]["count"], deadlines["data_handover"]["unit"]) == (15, "working_days")
    assert deadlines["data_handover"]["clause"] == "第十三条"
    assert (deadlines["op_cost_initial"]["count"], deadlines["op_cost_initial"]["unit"]) == (30, "working_days")
    assert {i["id"] for i in res.json["interpretations"]} == {"clawback_and_risk", "surplus_base", "first_month"}
    table = run("show", CITY, "--format", "table").out
    assert "兴平市" in table and "视为同意" in table and "15个工作日" in table


def test_show_and_compare_list_operand_lists_as_written(run: Any) -> None:
    steps = {s["key"]: s["params"] for s in run("show", CITY, "--format", "json").json["steps"]}
    assert steps["op_cost_initial"] == "add=[30万, op_cost_operating_first]"
    assert steps["deduction_financial_issues"] == "amounts=financial_issues; min=3000; max=10000; key_path=deductions.financial_issues"
    gated = [s["params"] for s in run("show", CITY, "--format", "json").json["steps"] if s["key"] == "payouts_counted"]
    assert gated == [
        "[clawback_and_risk=separate] add=[payouts]",
        "[clawback_and_risk=net_of_payouts] add=[payouts]; subtract=[clawback]",
    ]
    fees = run("compare", CITY, "--format", "json").json[CITY]["fees"]
    assert any("add=[30万, op_cost_operating_first]" in line for line in fees)


# ------------------------------------------------------------- facts errors
@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("year = 2025\npayouts = 1\nassessment_passed = true\n", "year", "within the contract term"),
        ("year = 2026\npayouts = -1\nassessment_passed = true\n", "payouts", "expected a number ≥ 0, got -1"),
        ("year = 2026\npayouts = 1\n", "assessment_passed", "required key missing"),
        ('year = 2026\npayouts = 1\nassessment_passed = "yes"\n', "assessment_passed", "expected true or false"),
        ("year = 2026\npayouts = 1\nassessment_passed = true\n[deductions]\nlate_settlement = 2\n", "deductions.late_settlement", "did you mean 'late_settlements'?"),
        ("year = 2026\npayouts = 1\nassessment_passed = true\n[deductions]\nattitude_complaints = -1\n", "deductions.attitude_complaints", "expected a number ≥ 0"),
        ("year = 2026\npayouts = 1\nassessment_passed = true\n[deductions]\nfinancial_issues = 3000\n", "deductions.financial_issues", "expected a list"),
        ("year = 2026\npayouts = 1\nassessment_passed = true\n[deductions]\nclawback = 2\n", "deductions.clawback", "expected at most the year's payouts"),
        ("year = 2026\npayouts = 1\nassessment_passed = true\nsigned_on = 2027-01-01\n", "signed_on", "on or before the end of the term"),
    ],
)
def test_bad_facts_exit_2(run: Any, write_toml: Any, text: str, path: str, expected: str) -> None:
    p = write_toml(text)
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 2 and res.json["error"] == "input"
    line = [x for x in res.err.splitlines() if f"{p}: {path}: " in x]
    assert line and expected in line[0], res.err


# ------------------------------------------------------------- 第七条2 按月拨付制，年底清算; 第十条3 what the insurer owes
# Payouts 170,000,000: surplus 178,110,000 − 170,000,000 = 8,110,000.00, below the
# 14,160,000 cap, returned in full. Passed, no deductions: op_cost_final = 578,200.00.
@pytest.mark.parametrize(
    ("monthly", "transferred", "outstanding", "net"),
    [
        # 2,000万 advance + 11 × 14,000,000 = 174,000,000: 4,110,000 still to transfer
        ([14000000] * 11, "174000000.00", "4110000.00", "-3421800.00"),  # 4,110,000 + 578,200 − 8,110,000
        # the premium exactly: 20,000,000 + 11 × 14,373,636.36 + 0.04
        ([D("14373636.36")] * 10 + [D("14373636.40")], "178110000.00", "0.00", "-7531800.00"),
        # one 分 too much transferred: the insurer returns it
        ([D("14373636.36")] * 10 + [D("14373636.41")], "178110000.01", "-0.01", "-7531800.01"),
    ],
)
def test_transfers_reconciled_against_the_premium(contract: Any, monthly: list[Any], transferred: str, outstanding: str, net: str) -> None:
    r = compute(contract, transfers={"advance": 20000000, "monthly": monthly})
    assert r.amount("premium_transferred") == D(transferred)
    assert r.amount("premium_outstanding") == D(outstanding)
    assert r.amount("surplus_return") == D("8110000.00")
    assert r.amount("net_settlement") == D(net)
    assert finding(r, "premium.transfers_assumed") is None


def test_without_transfers_the_premium_is_taken_as_transferred(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("premium_transferred") == PREMIUM
    assert r.amount("premium_outstanding") == D("0.00")
    assert finding(r, "premium.transfers_assumed").severity == "info"
    assert r.amount("net_settlement") == D("-7531800.00")  # 578,200 − 8,110,000


# 考核通过: 578,200.00 remaining. Deductions 57 × 10,000 + 8,200 = 578,200 take it all.
@pytest.mark.parametrize(
    ("late", "owed", "final"),
    [
        (0, "0.00", "0.00"),  # exactly the remaining fee: nothing owed
        (1, "500.00", "0.00"),  # 500 more than the fee: the insurer owes 500
    ],
)
def test_deductions_owed(contract: Any, late: int, owed: str, final: str) -> None:
    issues = [10000] * 57 + [8200]
    r = compute(contract, deductions={"financial_issues": issues, "late_settlements": late})
    assert r.amount("deductions_total") == D("578200.00") + 500 * late
    assert r.amount("deductions_owed") == D(owed)
    assert r.amount("op_cost_final") == D(final)
    assert r.item("deductions_owed").clause == "第十条3"
    # the net: 0 + 0 + 0 − 8,110,000 − 0 − owed
    assert r.amount("net_settlement") == D("-8110000.00") - D(owed)


def test_deductions_owed_one_below_the_fee(contract: Any) -> None:
    r = compute(contract, deductions={"financial_issues": [10000] * 57 + [8199]})
    assert r.amount("deductions_owed") == D("0.00")
    assert r.amount("op_cost_final") == D("1.00")


def test_failed_assessment_deductions_are_all_owed(contract: Any) -> None:
    # no remaining fee after a failed assessment: the 1,000 of deductions are owed
    r = compute(contract, passed=False, deductions={"late_settlements": 2})
    assert r.amount("deductions_owed") == D("1000.00")
    assert r.amount("net_settlement") == D("-8111000.00")  # − 8,110,000 − 1,000


def test_a_negative_transfer_is_an_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        facts(contract(CITY), transfers={"advance": 20000000, "monthly": [1, -1]})
    assert e.value.problems[0].path.startswith("transfers.monthly")
