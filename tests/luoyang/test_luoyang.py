"""洛阳 2026–2028 — every computable clause, worked by hand from the contract text.

Clauses: 第三条(三) (audit pass rate: < 90% → 2%, < 80% → 5% + re-review),
第三条(四)(五) (1.2 元/参保人/年, paid quarterly on prior-year enrollment,
year-end settlement on actual enrollment), 第五条(二) (2% of the quarter's fee
per breach), 第三条(五) (assessment without a table), 第一条 (no fund risk),
第四条(一) (staff by site and role), 第二条 and 第六条(五) (term, notice).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "luoyang"
ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "plugins" / "luoyang" / "contract.toml"

QUARTER_ITEMS = [
    "quarter_fee",
    "audit_deduction",
    "breach_penalty",
    "assessment_deduction",
    "quarter_fee_after_assessment",
    "quarter_payable",
    "quarter_paid",
    "quarter_net",
]
YEAR_ITEMS = ["quarter_fee", "annual_fee", "advances_paid", "true_up"]


def quarter(contract: Any, **kw: Any) -> Any:
    data: dict[str, Any] = {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_pass_rate": 1}
    data.update(kw)
    if "audit" in kw:
        data.pop("audit_pass_rate")
    return api.load_facts(contract, {k: v for k, v in data.items() if v is not None})


def compute_q(contract: Any, **kw: Any) -> Any:
    c = contract(CITY)
    return api.compute(c, quarter(c, **kw))


def compute_y(contract: Any, prior: int, actual: int, period: str = "2026") -> Any:
    c = contract(CITY)
    facts = api.load_facts(c, {"period": period, "enrolled_prior_year": prior, "enrolled_actual": actual})
    return api.compute(c, facts)


def keys(result: Any) -> list[str]:
    return [i.key for i in result.items]


# ------------------------------------------------------------- 第三条(四)(五): the quarterly fee
def test_quarter_fee_is_prior_year_enrollment_times_1_2_over_4(contract: Any) -> None:
    r = compute_q(contract)
    # 1,000,000 × 1.2 ÷ 4 = 300,000.00
    assert r.amount("quarter_fee") == D("300000.00")
    assert r.item("quarter_fee").formula == "1000000 × 1.2 ÷ 4"
    assert r.item("quarter_fee").clause == "第三条(四)(五)"


def test_odd_enrollment_rounds_to_fen(contract: Any) -> None:
    # 1,234,567 × 1.2 ÷ 4 = 370,370.1 -> 370,370.10
    r = compute_q(contract, enrolled_prior_year=1234567)
    assert r.amount("quarter_fee") == D("370370.10")
    assert r.to_dict()["items"][0]["amount"] == "370370.10"


def test_one_insured_person(contract: Any) -> None:
    # 1 × 1.2 ÷ 4 = 0.30
    assert compute_q(contract, enrolled_prior_year=1).amount("quarter_fee") == D("0.30")


def test_quarter_items_are_always_present(contract: Any) -> None:
    r = compute_q(contract)
    assert keys(r) == QUARTER_ITEMS
    for k in QUARTER_ITEMS[1:4]:  # the three deductions: nothing due
        assert r.amount(k) == D("0.00")


# ------------------------------------------------------------- 第三条(三): audit pass rate
# quarter fee 300,000.00: 2% = 6,000.00, 5% = 15,000.00
@pytest.mark.parametrize(
    ("rate", "deduction", "rereview"),
    [
        ("1", "0.00", False),
        ("0.9001", "0.00", False),  # just above 90%
        ("0.9", "0.00", False),  # 90% itself: 不含90%
        ("0.8999", "6000.00", False),  # 89.99% < 90%: 2%
        ("0.8001", "6000.00", False),  # just above 80%: still 2%
        ("0.8", "6000.00", False),  # 80% itself: 不含80%, still 2%
        ("0.7999", "15000.00", True),  # 79.99% < 80%: 5% and re-review
        ("0", "15000.00", True),
    ],
)
def test_audit_thresholds(contract: Any, rate: str, deduction: str, rereview: bool) -> None:
    r = compute_q(contract, audit_pass_rate=D(rate))
    assert r.amount("audit_deduction") == D(deduction)
    assert r.item("audit_deduction").clause == "第三条(三)"
    found = [f for f in r.findings if f.key == "audit.rereview"]
    assert bool(found) is rereview
    if rereview:
        assert found[0].clause == "第三条(三)" and "复核相关费用由乙方支付" in found[0].message


@pytest.mark.parametrize(
    ("passed", "deduction", "shown"),
    [
        (900, "0.00", "90%"),  # 900/1000 = 90%: not below
        (899, "6000.00", "89.9%"),  # 899/1000 = 89.9%: 2%
        (800, "6000.00", "80%"),  # 80%: still 2%
        (799, "15000.00", "79.9%"),  # 79.9%: 5%
    ],
)
def test_pass_rate_from_counts(contract: Any, passed: int, deduction: str, shown: str) -> None:
    r = compute_q(contract, audit={"sampled": 1000, "passed": passed})
    assert r.amount("audit_deduction") == D(deduction)
    assert shown in r.item("audit_deduction").formula


def test_pass_rate_from_counts_is_not_rounded_up(contract: Any) -> None:
    # 8999/10000 = 89.99% must not become 90%: 2% of 300,000 = 6,000.00
    r = compute_q(contract, audit={"sampled": 10000, "passed": 8999})
    assert r.amount("audit_deduction") == D("6000.00")


def test_percent_literal_accepted(contract: Any) -> None:
    r = compute_q(contract, audit_pass_rate="89.99%")
    assert r.amount("audit_deduction") == D("6000.00")


@pytest.mark.parametrize(
    ("rate", "deduction"),
    [
        ("0.85", "7407.40"),  # 370,370.10 × 2% = 7,407.402 -> 7,407.40
        ("0.75", "18518.51"),  # 370,370.10 × 5% = 18,518.505 -> 18,518.51 (half up)
    ],
)
def test_audit_deduction_rounds_half_up(contract: Any, rate: str, deduction: str) -> None:
    r = compute_q(contract, enrolled_prior_year=1234567, audit_pass_rate=D(rate))
    assert r.amount("audit_deduction") == D(deduction)


# ------------------------------------------------------------- 第五条(二): breach penalty
@pytest.mark.parametrize(
    ("breaches", "penalty"),
    [
        (None, "0.00"),  # not given: none
        (0, "0.00"),
        (1, "6000.00"),  # 1 × 2% × 300,000.00
        (3, "18000.00"),  # 3 × 2% × 300,000.00 (one per breach, the default reading)
    ],
)
def test_breach_penalty_per_breach(contract: Any, breaches: int | None, penalty: str) -> None:
    r = compute_q(contract, breaches=breaches)
    assert r.amount("breach_penalty") == D(penalty)
    assert r.item("breach_penalty").clause == "第五条(二)"
    assert "breach_count" in [i.id for i in r.interpretations]


@pytest.mark.parametrize(("breaches", "penalty"), [(0, "0.00"), (1, "6000.00"), (3, "6000.00")])
def test_breach_penalty_once_per_quarter_reading(contract: Any, breaches: int, penalty: str) -> None:
    c = contract(CITY).with_choices({"breach_count": "once"})
    r = api.compute(c, quarter(c, breaches=breaches))
    # at most once: min(breaches, 1) × 2% × 300,000.00
    assert r.amount("breach_penalty") == D(penalty)
    used = {i.id: i.choice for i in r.interpretations}
    assert used["breach_count"] == "once"


# ------------------------------------------------------------- the quarter's payable
def test_quarter_payable_is_fee_minus_deductions(contract: Any) -> None:
    r = compute_q(contract, enrolled_prior_year=1234567, audit_pass_rate=D("0.7999"), breaches=2)
    # fee 370,370.10; audit 5% = 18,518.505 -> 18,518.51;
    # breaches 2 × 2% × 370,370.10 = 14,814.804 -> 14,814.80;
    # payable 370,370.10 − 18,518.51 − 14,814.80 − 0.00 = 337,036.79
    assert r.amount("audit_deduction") == D("18518.51")
    assert r.amount("breach_penalty") == D("14814.80")
    assert r.amount("quarter_payable") == D("337036.79")
    parts = r.amount("quarter_fee") - sum(
        (r.amount(k) for k in ("audit_deduction", "breach_penalty", "assessment_deduction")), D(0)
    )
    assert parts == r.amount("quarter_payable")


@pytest.mark.parametrize(
    ("breaches", "payable", "excess"),
    [
        (50, "0.00", False),  # 50 × 2% = 100% of 300,000: exactly nothing left, nothing owed
        (49, "6000.00", False),  # 98%: 6,000.00 left
        (51, "0.00", True),  # 102%: never a negative payment; 6,000.00 owed separately
    ],
)
def test_deductions_exceeding_the_fee(contract: Any, breaches: int, payable: str, excess: bool) -> None:
    r = compute_q(contract, breaches=breaches)
    assert r.amount("quarter_payable") == D(payable)
    found = [f for f in r.findings if f.key == "settlement.deductions_exceed_fee"]
    assert bool(found) is excess
    if excess:
        assert "6000.00" in found[0].message


# ------------------------------------------------------------- 第三条(五): assessment without a table
@pytest.mark.parametrize("score", [None, D("0"), D("59.5"), D("100")])
def test_assessment_pays_in_full_by_default(contract: Any, score: Any) -> None:
    r = compute_q(contract, score=score)
    assert r.amount("assessment_deduction") == D("0.00")
    assert r.amount("quarter_fee_after_assessment") == D("300000.00")
    assert r.item("assessment_deduction").clause == "第三条(五)"
    assert ("未提供 score" in r.item("assessment_deduction").formula) is (score is None)
    assert "assessment_table" in [i.id for i in r.interpretations]


def test_assessment_score_required_reading(contract: Any) -> None:
    c = contract(CITY).with_choices({"assessment_table": "score_required"})
    with pytest.raises(InputError) as e:
        quarter(c)
    assert e.value.problems[0].path == "score"
    r = api.compute(c, quarter(c, score=D("70")))
    assert r.amount("assessment_deduction") == D("0.00")


def test_assessment_table_is_configurable(contract: Any, tmp_path: Path) -> None:
    """A table agreed later goes into [[steps.tiers]]: e.g. 90–100 full, below 90 pays 95%."""
    text = BUNDLED.read_text(encoding="utf-8").replace(
        "min = 0\nmax = 100\nshare = 1",
        "min = 90\nmax = 100\nshare = 1\n\n[[steps.tiers]]\nmin = 0\nmax = 90\nshare = \"95%\"",
    )
    draft = tmp_path / "draft.toml"
    draft.write_text(text, encoding="utf-8")
    c = api.load_contract(CITY, draft, reg=contract(CITY).registry)
    # score 89.99: 300,000 × 5% = 15,000.00 cut; payable 285,000.00
    r = api.compute(c, quarter(c, score=D("89.99")))
    assert r.amount("assessment_deduction") == D("15000.00")
    assert r.amount("quarter_payable") == D("285000.00")
    # score 90: full
    assert api.compute(c, quarter(c, score=D("90"))).amount("assessment_deduction") == D("0.00")
    # no score: counted as full (100)
    assert api.compute(c, quarter(c)).amount("assessment_deduction") == D("0.00")


# ------------------------------------------------------------- 第三条(五): the year-end settlement
def test_year_end_true_up_positive(contract: Any) -> None:
    r = compute_y(contract, prior=1234567, actual=1250000)
    assert keys(r) == YEAR_ITEMS
    # quarter 1,234,567 × 1.2 ÷ 4 = 370,370.10; advances 4 × 370,370.10 = 1,481,480.40
    assert r.amount("advances_paid") == D("1481480.40")
    assert r.item("advances_paid").formula == "370370.10 × 4（未给出 quarter_fees_paid，视为已付）"
    # annual 1,250,000 × 1.2 = 1,500,000.00; true-up 1,500,000.00 − 1,481,480.40 = 18,519.60
    assert r.amount("annual_fee") == D("1500000.00")
    assert r.amount("true_up") == D("18519.60")
    assert r.item("true_up").clause == "第三条(五)"


def test_year_end_true_up_negative_is_returned(contract: Any) -> None:
    r = compute_y(contract, prior=1234567, actual=1200000, period="2028")
    # annual 1,200,000 × 1.2 = 1,440,000.00; 1,440,000.00 − 1,481,480.40 = −41,480.40
    assert r.amount("true_up") == D("-41480.40")


def test_year_end_same_enrollment_settles_to_zero(contract: Any) -> None:
    r = compute_y(contract, prior=1234567, actual=1234567)
    # 1,234,567 × 1.2 = 1,481,480.40 = 4 × 370,370.10
    assert r.amount("true_up") == D("0.00")


def test_year_has_no_quarter_deductions_and_no_interpretations(contract: Any) -> None:
    r = compute_y(contract, prior=1000000, actual=1000000)
    assert not set(keys(r)) & {"audit_deduction", "breach_penalty", "quarter_payable"}
    assert r.interpretations == ()


def test_quarter_has_no_year_items(contract: Any) -> None:
    assert not set(keys(compute_q(contract))) & {"annual_fee", "advances_paid", "true_up"}


# ------------------------------------------------------------- 第一条: no fund risk
@pytest.mark.parametrize("kind", ["quarter", "year"])
def test_insurer_bears_no_fund_risk(contract: Any, kind: str) -> None:
    r = compute_q(contract) if kind == "quarter" else compute_y(contract, 1, 1)
    found = [f for f in r.findings if f.key == "risk.not_borne"]
    assert len(found) == 1
    assert found[0].severity == "info" and found[0].clause == "第一条"
    assert "乙方不承担基金超支风险" in found[0].message


# ------------------------------------------------------------- 第四条(一): staffing
CITY_MIN = {"medical": 40, "finance": 1, "it": 2, "other": 20}  # 63
COUNTY_MIN = {"medical": 49, "finance": 9, "it": 9, "other": 30}  # 97


def roster_file(tmp_path: Path, city: dict[str, int], counties: dict[str, int], extra: str = "") -> Path:
    """市本级 staff per role; county staff per role split over two counties."""
    lines = ["id,name,site,role"]
    n = 0
    for role, k in city.items():
        for _ in range(k):
            n += 1
            lines.append(f"C{n:03d},某某{n},市本级,{role}")
    for role, k in counties.items():
        for j in range(k):
            n += 1
            lines.append(f"X{n:03d},某某{n},{'孟津区' if j % 2 else '嵩县'},{role}")
    p = tmp_path / "roster.csv"
    p.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return p


def staffing(contract: Any, tmp_path: Path, city: dict[str, int], counties: dict[str, int], c: Any = None) -> Any:
    c = c or contract(CITY)
    roster = api.load_roster(roster_file(tmp_path, city, counties), c)
    return api.compute(c, quarter(c), roster)


def violations(r: Any) -> set[str]:
    return {f.key for f in r.findings if f.severity == "violation"}


def test_roster_exactly_at_the_minimums_passes(contract: Any, tmp_path: Path) -> None:
    # 市本级 40 + 1 + 2 + 20 = 63; 各县区 49 + 9 + 9 + 30 = 97
    r = staffing(contract, tmp_path, CITY_MIN, COUNTY_MIN)
    assert violations(r) == set()


@pytest.mark.parametrize("role", list(CITY_MIN))
def test_city_one_short_in_a_role(contract: Any, tmp_path: Path, role: str) -> None:
    # one fewer of the role, one more of another: total stays 63, only the role is short
    city = dict(CITY_MIN, **{role: CITY_MIN[role] - 1})
    other = "medical" if role != "medical" else "other"
    city[other] += 1
    r = staffing(contract, tmp_path, city, COUNTY_MIN)
    assert violations(r) == {f"staffing.city.{role}"}
    f = next(f for f in r.findings if f.key == f"staffing.city.{role}")
    assert f.scope == "市本级" and f.clause == "第四条(一)1"
    assert f"role '{role}': {CITY_MIN[role] - 1} on the roster" in f.message
    assert f"at least {CITY_MIN[role]}" in f.message


@pytest.mark.parametrize("role", list(COUNTY_MIN))
def test_counties_one_short_in_a_role(contract: Any, tmp_path: Path, role: str) -> None:
    counties = dict(COUNTY_MIN, **{role: COUNTY_MIN[role] - 1})
    other = "medical" if role != "medical" else "other"
    counties[other] += 1
    r = staffing(contract, tmp_path, CITY_MIN, counties)
    # 第五条(二): a county shortfall is also a breach (roster_breach = roster_counts)
    assert violations(r) == {f"staffing.counties.{role}", "breach.county_staffing"}
    f = next(f for f in r.findings if f.key == f"staffing.counties.{role}")
    assert f.clause == "第四条(一)2"
    assert f"{COUNTY_MIN[role] - 1} on the roster" in f.message and f"at least {COUNTY_MIN[role]}" in f.message


def test_one_short_overall_is_both_role_and_total(contract: Any, tmp_path: Path) -> None:
    r = staffing(contract, tmp_path, dict(CITY_MIN, other=19), dict(COUNTY_MIN, medical=48))
    # 市本级 62 < 63 and other 19 < 20; 各县区 96 < 97 and medical 48 < 49
    assert violations(r) == {
        "staffing.city.total",
        "staffing.city.other",
        "staffing.counties.total",
        "staffing.counties.medical",
        "breach.county_staffing",
    }
    total = next(f for f in r.findings if f.key == "staffing.city.total")
    assert "62 on the roster" in total.message and "at least 63" in total.message


def test_city_staff_do_not_count_for_the_counties(contract: Any, tmp_path: Path) -> None:
    # a surplus at 市本级 cannot cover a county shortfall
    r = staffing(contract, tmp_path, dict(CITY_MIN, finance=10), dict(COUNTY_MIN, finance=8))
    assert violations(r) == {"staffing.counties.finance", "staffing.counties.total", "breach.county_staffing"}


def test_other_staff_waived_reading(contract: Any, tmp_path: Path) -> None:
    c = contract(CITY).with_choices({"other_staff_minimum": "waived"})
    # other 19 with medical 41: total 63 still met; under "waived" nothing is short
    r = staffing(contract, tmp_path, dict(CITY_MIN, medical=41, other=19), COUNTY_MIN, c)
    assert violations(r) == set()
    assert {i.id: i.choice for i in r.interpretations}["other_staff_minimum"] == "waived"
    # the total and the named roles are still checked
    r2 = staffing(contract, tmp_path, dict(CITY_MIN, other=19), COUNTY_MIN, c)
    assert violations(r2) == {"staffing.city.total"}


def test_unknown_role_is_a_finding_naming_the_id(contract: Any, tmp_path: Path) -> None:
    c = contract(CITY)
    p = roster_file(tmp_path, CITY_MIN, COUNTY_MIN, extra="Z999,某某甲,市本级,medic\n")
    r = api.compute(c, quarter(c), api.load_roster(p, c))
    found = [f for f in r.findings if f.key == "staffing.unknown_role"]
    assert len(found) == 1
    assert found[0].severity == "warning"  # a role the contract does not count is no breach of it
    assert "Z999" in found[0].message and "'medical'" in found[0].message
    assert "某某" not in found[0].message


def test_staffing_findings_never_print_names(run: Any, tmp_path: Path) -> None:
    p = roster_file(tmp_path, dict(CITY_MIN, it=1), COUNTY_MIN)
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 1
    assert "staffing.city.it" in res.out
    assert "某某" not in res.out and "某某" not in res.err


def test_no_roster_says_staffing_not_checked(contract: Any) -> None:
    r = compute_q(contract)
    [f] = [f for f in r.findings if f.key == "staffing.not_checked"]
    assert f.severity == "info"  # not a breach: nothing to judge
    assert f.clause == "第四条(一)1、第四条(一)2"  # both staffing clauses
    assert not r.has_violations


# ------------------------------------------------------------- facts validation (exit 2)
@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"period": "2026Q5"}, "period"),
        ({"period": "2026Q0"}, "period"),
        ({"period": "26Q1"}, "period"),
        ({"period": "2029"}, "period"),  # after the term (第二条)
        ({"period": "2025Q4"}, "period"),  # before the term
        ({"period": "2029Q1"}, "period"),
        ({"audit_pass_rate": D("1.01")}, "audit_pass_rate"),
        ({"audit_pass_rate": D("-0.01")}, "audit_pass_rate"),
        ({"audit_pass_rate": None, "audit": {"sampled": 100, "passed": 101}}, "audit.passed"),
        ({"audit_pass_rate": None, "audit": {"sampled": 0, "passed": 0}}, "audit.sampled"),
        ({"audit_pass_rate": None, "audit": {"sampled": 10, "passed": -1}}, "audit.passed"),
        ({"audit": {"sampled": 10, "passed": 9}}, "audit"),  # both forms given
        ({"audit_pass_rate": None}, "audit_pass_rate"),  # neither given
        ({"breaches": -1}, "breaches"),
        ({"score": D("101")}, "score"),
        ({"enrolled_prior_year": -5}, "enrolled_prior_year"),
        ({"enrolled_actual": 5}, "enrolled_actual"),  # a year-end fact in a quarter
        ({"enroled_prior_year": 5}, "enroled_prior_year"),  # typo
    ],
)
def test_bad_quarter_facts(contract: Any, data: dict[str, Any], path: str) -> None:
    base: dict[str, Any] = {"period": "2026Q1", "enrolled_prior_year": 1000, "audit_pass_rate": D("0.95")}
    base.update(data)
    with pytest.raises(InputError) as e:
        api.load_facts(contract(CITY), {k: v for k, v in base.items() if v is not None})
    assert path in [p.path for p in e.value.problems]


def test_typo_suggests_the_key(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        api.load_facts(contract(CITY), {"period": "2026Q1", "enrolled_prior_year": 1, "audit_pass_rate": 1, "breachs": 1})
    assert "did you mean 'breaches'?" in str(e.value)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({}, "enrolled_actual"),  # required at year end
        ({"enrolled_actual": 1, "breaches": 1}, "breaches"),  # quarterly facts are not used
        ({"enrolled_actual": 1, "audit_pass_rate": 1}, "audit_pass_rate"),
        ({"enrolled_actual": 1, "score": 90}, "score"),
    ],
)
def test_bad_year_facts(contract: Any, data: dict[str, Any], path: str) -> None:
    with pytest.raises(InputError) as e:
        api.load_facts(contract(CITY), {"period": "2027", "enrolled_prior_year": 1, **data})
    assert [p.path for p in e.value.problems] == [path]


@pytest.mark.parametrize("period", ["2026Q1", "2028Q4", "2026", "2028"])
def test_periods_at_the_edges_of_the_term(contract: Any, period: str) -> None:
    data: dict[str, Any] = {"period": period, "enrolled_prior_year": 1}
    data.update({"audit_pass_rate": 1} if "Q" in period else {"enrolled_actual": 1})
    assert str(api.load_facts(contract(CITY), data).period) == period


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('period = "2026Q5"\nenrolled_prior_year = 1\naudit_pass_rate = 1\n', "period"),
        ('period = "2029"\nenrolled_prior_year = 1\nenrolled_actual = 1\n', "period"),
        ('period = "2026Q1"\nenrolled_prior_year = 1\naudit_pass_rate = 1.01\n', "audit_pass_rate"),
        ('period = "2026Q1"\nenrolled_prior_year = 1\n[audit]\nsampled = 10\npassed = 11\n', "audit.passed"),
    ],
)
def test_cli_bad_facts_exit_2_naming_the_key(run: Any, write_toml: Any, text: str, key: str) -> None:
    path = write_toml(text)
    res = run("compute", CITY, "--facts", str(path))
    assert res.code == 2
    assert f"{path}: {key}: expected" in res.err
    assert "Traceback" not in res.err and res.json["error"] == "input"


# ------------------------------------------------------------- bundled examples, show, validate
def test_default_example_is_the_quarter(run: Any) -> None:
    res = run("compute", CITY, "--format", "json")
    assert res.code == 0, res.err
    assert res.json["period"] == "2026Q1"
    amounts = {i["key"]: i["amount"] for i in res.json["items"]}
    # 5,012,345 × 1.2 ÷ 4 = 1,503,703.50; audit 893/1000 = 89.3% < 90%: 2% = 30,074.07;
    # 1 breach: 2% = 30,074.07; payable 1,503,703.50 − 30,074.07 × 2 = 1,443,555.36
    assert amounts == {
        "quarter_fee": "1503703.50",
        "audit_deduction": "30074.07",
        "breach_penalty": "30074.07",
        "assessment_deduction": "0.00",
        "quarter_fee_after_assessment": "1503703.50",
        "quarter_payable": "1443555.36",
        "quarter_paid": "0.00",  # not stated: nothing taken as paid (第三条(四))
        "quarter_net": "1443555.36",  # 1,443,555.36 − 0.00
    }
    # the bundled roster meets every minimum
    assert not [f for f in res.json["findings"] if f["severity"] == "violation"]


def test_year_example(run: Any) -> None:
    res = run("compute", CITY, "--facts", str(ROOT / "plugins/luoyang/examples/2026.toml"), "--format", "json")
    assert res.code == 0, res.err
    amounts = {i["key"]: i["amount"] for i in res.json["items"]}
    # 4 × 1,503,703.50 = 6,014,814.00; 4,987,654 × 1.2 = 5,985,184.80; −29,629.20
    assert amounts == {
        "quarter_fee": "1503703.50",
        "annual_fee": "5985184.80",
        "advances_paid": "6014814.00",
        "true_up": "-29629.20",
    }


def test_show_lists_term_and_notice(run: Any) -> None:
    res = run("show", CITY, "--format", "json")
    assert res.code == 0
    info = res.json
    assert info["term"] == {"start": "2026-01-01", "end": "2028-12-31", "clause": "第二条"}
    terms = {t["key"]: t for t in info["terms"]}
    assert terms["termination_notice_days"]["value"] == 30
    assert terms["termination_notice_days"]["clause"] == "第六条(五)"
    assert terms["term_years"]["value"] == 3 and terms["term_years"]["clause"] == "第二条"
    assert {i["id"] for i in info["interpretations"]} == {
        "breach_count", "breach_rounding", "roster_breach", "assessment_table", "other_staff_minimum",
        "audit_levels", "county_sites",
    }


def test_validate_redoes_the_staffing_arithmetic(run: Any) -> None:
    res = run("validate", CITY, "--format", "json")
    assert res.code == 0
    msgs = {f["key"]: f["message"] for f in res.json["findings"]}
    assert "40 + 1 + 2 + 20 = 63 ✓" in msgs["stated.city_staff"]
    assert "49 + 9 + 9 + 30 = 97 ✓" in msgs["stated.county_staff"]


def test_validate_catches_a_wrong_stated_total(run: Any, tmp_path: Path) -> None:
    draft = tmp_path / "draft.toml"
    draft.write_text(BUNDLED.read_text(encoding="utf-8").replace("parts = [40, 1, 2, 20]", "parts = [40, 1, 2, 19]"), encoding="utf-8")
    res = run("validate", CITY, "--contract", str(draft), "--format", "json")
    assert res.code == 0  # a warning (the text disagrees with itself, no breach), reported on stderr
    assert any(f["key"] == "stated.city_staff" and f["severity"] == "warning" for f in res.json["findings"])


def test_facts_examples_start_with_schema_line() -> None:
    for p in sorted((ROOT / "plugins/luoyang/examples").glob("*.toml")):
        assert p.read_text(encoding="utf-8").startswith("#:schema ../../../schemas/luoyang.facts.schema.json")
    assert BUNDLED.read_text(encoding="utf-8").startswith("#:schema ../../schemas/luoyang.contract.schema.json")


# ------------------------------------------------------------- 第五条(二) ← 第四条(一)2: a county shortfall is a breach
# 1,000,000 × 1.2 ÷ 4 = 300,000.00 a quarter; one breach = 2% = 6,000.00.
@pytest.mark.parametrize(
    ("county_medical", "breaches", "penalty"),
    [
        (49, None, "0.00"),  # at the minimum (49): no shortfall, no breach
        (50, None, "0.00"),  # above
        (48, None, "6000.00"),  # one below: (0 + 1) × 2% × 300,000.00
        (48, 1, "12000.00"),  # plus one typed breach: (1 + 1) × 2% × 300,000.00
        (49, 1, "6000.00"),  # at the minimum: only the typed breach
    ],
)
def test_county_shortfall_is_a_breach(
    contract: Any, tmp_path: Path, county_medical: int, breaches: int | None, penalty: str
) -> None:
    c = contract(CITY)
    counties = dict(COUNTY_MIN, medical=county_medical, other=COUNTY_MIN["other"] + max(0, 49 - county_medical))
    roster = api.load_roster(roster_file(tmp_path, CITY_MIN, counties), c)
    r = api.compute(c, quarter(c, breaches=breaches), roster)
    assert r.amount("breach_penalty") == D(penalty)
    assert r.item("breach_penalty").clause == "第五条(二)"
    # quarter_payable = 300,000.00 − penalty (audit 100%, no score deduction)
    assert r.amount("quarter_payable") == D("300000.00") - D(penalty)
    found = [f for f in r.findings if f.key == "breach.county_staffing"]
    if county_medical < 49:
        assert r.item("breach_penalty").formula.startswith(f"({breaches or 0} + 1) × 2% × 300000.00")
        assert len(found) == 1 and found[0].clause == "第五条(二)" and found[0].severity == "violation"
        assert "staffing.counties.medical" in found[0].message and "6000.00" in found[0].message
        assert {i.id: i.choice for i in r.interpretations}["roster_breach"] == "roster_counts"
    else:
        assert found == []


def test_city_shortfall_is_not_a_county_breach(contract: Any, tmp_path: Path) -> None:
    # 第五条(二) names 县区支公司: 市本级 one short (39 medical) costs nothing under 第五条(二)
    c = contract(CITY)
    roster = api.load_roster(roster_file(tmp_path, dict(CITY_MIN, medical=39, other=21), COUNTY_MIN), c)
    r = api.compute(c, quarter(c), roster)
    assert r.amount("breach_penalty") == D("0.00")
    assert "staffing.city.medical" in violations(r)


def test_county_shortfall_counts_once_however_many_minimums(contract: Any, tmp_path: Path) -> None:
    # medical 48 and total 96: two findings, one situation (未按要求配备人员) = one breach
    c = contract(CITY)
    roster = api.load_roster(roster_file(tmp_path, CITY_MIN, dict(COUNTY_MIN, medical=48)), c)
    r = api.compute(c, quarter(c), roster)
    assert r.amount("breach_penalty") == D("6000.00")


def test_facts_only_reading_ignores_the_roster(contract: Any, tmp_path: Path) -> None:
    c = contract(CITY).with_choices({"roster_breach": "facts_only"})
    roster = api.load_roster(roster_file(tmp_path, CITY_MIN, dict(COUNTY_MIN, medical=48)), c)
    r = api.compute(c, quarter(c, breaches=1), roster)
    assert r.amount("breach_penalty") == D("6000.00")  # 1 × 2% × 300,000.00
    assert "breach.county_staffing" not in violations(r)
    assert "staffing.counties.medical" in violations(r)


def test_county_shortfall_under_the_once_reading(contract: Any, tmp_path: Path) -> None:
    c = contract(CITY).with_choices({"breach_count": "once"})
    roster = api.load_roster(roster_file(tmp_path, CITY_MIN, dict(COUNTY_MIN, medical=48)), c)
    r = api.compute(c, quarter(c, breaches=2), roster)
    # min(2 + 1, 1) × 2% × 300,000.00
    assert r.amount("breach_penalty") == D("6000.00")


# ------------------------------------------------------------- 第五条(二): rounding per breach or on the total
# 1,234,567 × 1.2 ÷ 4 = 370,370.10; 2% = 7,407.402 per breach.
@pytest.mark.parametrize(
    ("choice", "breaches", "penalty"),
    [
        ("total", 3, "22222.21"),  # 3 × 2% × 370,370.10 = 22,222.206 -> 22,222.21
        ("per_incident", 3, "22222.20"),  # 3 × 7,407.40
        ("total", 1, "7407.40"),  # one breach: the same either way
        ("per_incident", 1, "7407.40"),
        ("per_incident", 0, "0.00"),
    ],
)
def test_breach_rounding_reading(contract: Any, choice: str, breaches: int, penalty: str) -> None:
    c = contract(CITY).with_choices({"breach_rounding": choice})
    r = api.compute(c, quarter(c, enrolled_prior_year=1234567, breaches=breaches))
    assert r.amount("breach_penalty") == D(penalty)


def test_no_audit_deduction_names_the_threshold_that_applies(contract: Any) -> None:
    # 第三条(三): at or above 90% nothing is deducted; the formula names 90%, not 80%
    r = compute_q(contract, audit_pass_rate=D("0.95"))
    assert r.amount("audit_deduction") == D("0.00")
    assert r.item("audit_deduction").formula == "95% ≥ 90%: 不扣减"
