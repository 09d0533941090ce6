"""淮安经开区“共管联办” 2025 — every computable clause, worked by hand from
the contract text (shared/contracts/huaian-etdz-2025.txt).

Clauses: 二 (term 2025-02-01..2026-01-31; contract quarters from its start),
五 (陆拾玖万玖仟元整; ≤ 25% a quarter after assessment; invoice), 八 (monthly
pay on termination for a change of law or policy), 四(二)2 (the nine-person
team and its qualifications).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.money import from_daxie, to_daxie

CITY = "huaian"
ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugins" / "huaian"
EXAMPLE_ROSTER = PLUGIN / "examples" / "roster.csv"
HEADER = "id,name,site,role,education,major,birth_date,title,experience_years,full_time"


def facts(contract: Any, *, quarter: int = 1, score: Any = 92, invoice: bool = True, **extra: Any) -> Any:
    return api.load_facts(contract, {"quarter": quarter, "score": score, "invoice": invoice, **extra})


def compute(contract: Any, roster: Any = None, readings: dict[str, str] | None = None, **kw: Any) -> Any:
    c = contract(CITY)
    if readings:
        c = c.with_choices(readings)
    return api.compute(c, facts(c, **kw), roster)


def violations(result: Any) -> list[tuple[str, str | None, str]]:
    return [(f.key, f.scope, f.clause) for f in result.findings if f.severity == "violation"]


# ------------------------------------------------------------- 五: the price, in words only
def test_contract_total_is_699000(contract: Any) -> None:
    r = compute(contract)
    item = r.item("contract_total")
    assert item.amount == D("699000.00")
    assert item.clause == "五"


def test_stated_words_agree_with_the_figure(contract: Any) -> None:
    c = contract(CITY)
    check = next(x for x in c.doc.checks if x.key == "contract_total")
    assert check.words == "陆拾玖万玖仟元整"
    # 陆拾玖万 = 690,000; 玖仟 = 9,000 -> 699,000.00
    assert from_daxie(check.words) == D("699000.00") == check.total
    # the figure the fees step uses is the figure the check re-does
    step = next(b for b in c.steps if "amount" in b.outputs and b.outputs["amount"].key == "contract_total")
    assert step.params.amount.value == check.total


def test_daxie_round_trip() -> None:
    assert to_daxie(D("699000")) == "陆拾玖万玖仟元整"
    assert from_daxie(to_daxie(D("699000"))) == D("699000.00")
    # one quarter and one month of it
    assert from_daxie(to_daxie(D("174750"))) == D("174750.00")  # 壹拾柒万肆仟柒佰伍拾元整
    assert from_daxie(to_daxie(D("58250"))) == D("58250.00")


def test_validate_confirms_the_words(run: Any) -> None:
    res = run("validate", CITY, "--format", "json")
    assert res.code == 0, res.err
    found = [f for f in res.json["findings"] if f["key"] == "stated.contract_total"]
    assert found and found[0]["severity"] == "info" and found[0]["clause"] == "五"


def edited_contract(tmp_path: Path, old: str, new: str) -> str:
    text = (PLUGIN / "contract.toml").read_text(encoding="utf-8")
    assert old in text, old
    p = tmp_path / "contract.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(p)


def test_validate_catches_words_that_disagree(run: Any, tmp_path: Path) -> None:
    p = edited_contract(tmp_path, 'words = "陆拾玖万玖仟元整"', 'words = "陆拾玖万捌仟元整"')
    res = run("validate", CITY, "--contract", p, "--format", "json")
    assert res.code == 0  # a warning: the text disagrees with itself, no party breaches a duty (docs/severities.md)
    found = [f for f in res.json["findings"] if f["key"] == "stated.contract_total"]
    assert found[0]["severity"] == "warning" and "698000.00" in found[0]["message"]


# ------------------------------------------------------------- 五: quarterly fee
def test_quarter_fee_is_25_percent(contract: Any) -> None:
    r = compute(contract)
    # 699,000.00 × 25% = 174,750.00
    assert r.amount("quarter_fee") == D("174750.00")
    assert r.item("quarter_fee").formula == "699000.00 × 25%"


def test_four_quarters_add_up_to_the_price(contract: Any) -> None:
    amounts = [compute(contract, quarter=q).amount("quarter_fee") for q in (1, 2, 3, 4)]
    assert sum(amounts) == D("699000.00")  # 4 × 174,750.00


@pytest.mark.parametrize("score", ["100", "90", "60", "59.99", "0"])
def test_default_table_pays_in_full_at_any_score(contract: Any, score: str) -> None:
    r = compute(contract, score=D(score))
    assert r.amount("assessment_deduction") == D("0.00")
    assert r.amount("quarter_fee_assessed") == D("174750.00")
    assert "assessment_method" in [i.id for i in r.interpretations]


@pytest.mark.parametrize(
    ("score", "deduction"),
    [
        ("100", "0.00"),  # nothing below 100
        ("99.99", "17.48"),  # 0.01 × 1% × 174,750 = 17.475 -> 17.48
        ("90", "17475.00"),  # 10 × 1% × 174,750
        ("89.99", "17492.48"),  # 10.01% × 174,750 = 17,492.475 -> 17,492.48
        ("0", "174750.00"),  # 100 × 1%: nothing paid
    ],
)
def test_score_proportional_reading(contract: Any, score: str, deduction: str) -> None:
    r = compute(contract, score=D(score), readings={"assessment_method": "score_proportional"})
    assert r.amount("assessment_deduction") == D(deduction)
    assert r.amount("quarter_fee_assessed") == D("174750.00") - D(deduction)
    assert r.amount("quarter_payable") == D("174750.00") - D(deduction)


def test_score_outside_0_100_is_input_error(run: Any, write_toml: Any) -> None:
    p = write_toml("quarter = 1\nscore = 100.5\ninvoice = true\n")
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: score: expected a score from 0 to 100" in res.err


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        # the default table must cover 0–100
        ("min = 0\nmax = 100\nshare = 1", "min = 10\nmax = 100\nshare = 1", "steps[2].tiers", "must start at 0"),
        ("min = 0\nmax = 100\nshare = 1", "min = 0\nmax = 90\nshare = 1", "steps[2].tiers", "must end at 100"),
        # the alternative reading's table is checked the same way
        ('per_point = "1%"\npivot = 100', 'per_point = "1%"\npivot = 100\nshare = 1', "steps[3].tiers", "give one of"),
        ("min = 0\nmax = 100\nper_point", "min = 5\nmax = 100\nper_point", "steps[3].tiers", "must start at 0"),
        # each reading of assessment_method has its step, producing the same items
        ('reading = "assessment_method=score_proportional"', 'reading = "assessment_method=proportional"', "steps[3].reading", "expected one of full_payment, score_proportional"),
        ('reading = "assessment_method=score_proportional"', 'reading = "assessment_method=full_payment"', "steps[2].reading", "no step with reading = 'assessment_method=score_proportional'"),
    ],
)
def test_broken_score_table_is_input_error(run: Any, tmp_path: Path, old: str, new: str, path: str, expected: str) -> None:
    p = edited_contract(tmp_path, old, new)
    res = run("compute", CITY, "--contract", p)
    assert res.code == 2, res.out
    line = [x for x in res.err.splitlines() if f"{p}: {path}:" in x]
    assert line and expected in line[0], res.err


def test_a_falling_score_must_never_pay_more(run: Any, tmp_path: Path) -> None:
    # two bands where 0–60 pays more than 60–100: rejected, naming the key
    table = "min = 0\nmax = 60\nshare = 1\n\n[[steps.tiers]]\nmin = 60\nmax = 100\nshare = 0.5"
    p = edited_contract(tmp_path, "min = 0\nmax = 100\nshare = 1", table)
    res = run("compute", CITY, "--contract", p)
    assert res.code == 2 and f"{p}: steps[2].tiers: payout rises as the score falls below 60" in res.err


# ------------------------------------------------------------- 五: invoice
def test_payable_with_invoice(contract: Any) -> None:
    r = compute(contract, invoice=True)
    assert r.amount("quarter_payable") == D("174750.00")
    assert not [f for f in r.findings if f.key == "payment.invoice_missing"]


def test_no_invoice_suspends_payment(contract: Any) -> None:
    r = compute(contract, invoice=False)
    assert r.amount("quarter_payable") == D("0.00")  # present, 0.00
    assert r.amount("quarter_fee_assessed") == D("174750.00")  # still what is due once invoiced
    found = [f for f in r.findings if f.key == "payment.invoice_missing"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].clause == "五"


def test_no_invoice_is_not_a_violation_exit_code(run: Any, write_toml: Any) -> None:
    p = write_toml("quarter = 1\nscore = 92\ninvoice = false\n")
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 0
    keys = {i["key"]: i["amount"] for i in res.json["items"]}
    assert keys["quarter_payable"] == "0.00"


def test_invoice_is_required(run: Any, write_toml: Any) -> None:
    p = write_toml("quarter = 1\nscore = 92\n")
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: invoice: required key missing" in res.err


def test_invoice_must_be_a_boolean(run: Any, write_toml: Any) -> None:
    p = write_toml('quarter = 1\nscore = 92\ninvoice = "yes"\n')
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: invoice: expected true or false" in res.err


# ------------------------------------------------------------- 二: contract quarters
@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_outside_the_term_is_input_error(run: Any, write_toml: Any, quarter: int) -> None:
    p = write_toml(f"quarter = {quarter}\nscore = 92\ninvoice = true\n")
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: quarter: expected a contract quarter" in res.err


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [(1, "2025-02-01", "2025-04-30"), (2, "2025-05-01", "2025-07-31"), (4, "2025-11-01", "2026-01-31")],
)
def test_quarters_count_from_the_start(contract: Any, quarter: int, first: str, last: str) -> None:
    f = facts(contract(CITY), quarter=quarter)
    assert contract(CITY).period_bounds(f.quarter) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    assert str(f.quarter) == f"Q{quarter}"


# ------------------------------------------------------------- 八: termination, monthly
def test_no_termination_settlement_is_zero(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("termination_settlement") == D("0.00")
    assert r.item("termination_settlement").clause == "八"


@pytest.mark.parametrize(
    ("quarter", "terminated_on", "inclusive", "exclusive"),
    [
        # 699,000 ÷ 12 = 58,250.00 a month; contract months from 2025-02-01
        # the example: 4 full months (Feb–May) + 1–15 June
        (2, "2025-06-15", "262125.00", "260183.33"),  # 233,000 + 58,250 × 15/30 | × 14/30 = 27,183.333 -> .33
        (2, "2025-06-30", "291250.00", "289308.33"),  # 5 full months | 4 + 29/30: 233,000 + 56,308.333
        (2, "2025-05-31", "233000.00", "231120.97"),  # 4 full months | 3 + 30/31: 174,750 + 56,370.967
        (2, "2025-06-01", "234941.67", "233000.00"),  # 4 + 1/30: 233,000 + 1,941.667 | 4 full months
        (1, "2025-02-01", "2080.36", "0.00"),  # 1/28 × 58,250 = 2,080.357 | not a day worked
        (1, "2025-02-28", "58250.00", "56169.64"),  # February whole | 27/28 × 58,250 = 56,169.643
        (4, "2026-01-30", "697120.97", "695241.94"),  # 11 + 30/31: 640,750 + 56,370.97 | + 29/31 = 54,491.94
        (4, "2026-01-31", "699000.00", "697120.97"),  # the whole term: the price itself | 11 + 30/31
    ],
)
def test_termination_settlement(
    contract: Any, quarter: int, terminated_on: str, inclusive: str, exclusive: str
) -> None:
    day = dt.date.fromisoformat(terminated_on)
    r = compute(contract, quarter=quarter, terminated_on=day)
    assert r.amount("termination_settlement") == D(inclusive)
    assert "termination_day" in [i.id for i in r.interpretations]
    r2 = compute(contract, quarter=quarter, terminated_on=day, readings={"termination_day": "exclusive"})
    assert r2.amount("termination_settlement") == D(exclusive)


def test_termination_formula_shows_the_months(contract: Any) -> None:
    r = compute(contract, quarter=2, terminated_on=dt.date(2025, 6, 15))
    assert r.item("termination_settlement").formula == (
        "699000.00 ÷ 12 = 58250.00/月; 4 × 58250.00 + 58250.00 × 15/30（2025-02-01 至 2025-06-15）"
    )


@pytest.mark.parametrize("day", ["2025-01-31", "2026-02-01"])
def test_termination_outside_the_term_is_input_error(run: Any, write_toml: Any, day: str) -> None:
    p = write_toml(f"quarter = 1\nscore = 92\ninvoice = true\nterminated_on = {day}\n")
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: terminated_on: expected a date within the term" in res.err


def test_quarter_after_termination_is_input_error(contract: Any) -> None:
    # terminated in Q2 (2025-06-15): there is no Q3 to compute
    with pytest.raises(InputError) as e:
        facts(contract(CITY), quarter=3, terminated_on=dt.date(2025, 6, 15))
    assert e.value.problems[0].path == "terminated_on"
    assert "before quarter 3 began (2025-08-01)" in e.value.problems[0].message


def test_terminated_on_must_be_a_date(run: Any, write_toml: Any) -> None:
    p = write_toml('quarter = 1\nscore = 92\ninvoice = true\nterminated_on = "mid-June"\n')
    res = run("compute", CITY, "--facts", str(p))
    assert res.code == 2 and f"{p}: terminated_on: expected a date" in res.err


# ------------------------------------------------------------- 四(二)2: the team
def team(contract: Any) -> tuple[Any, ...]:
    return api.load_roster(EXAMPLE_ROSTER, contract(CITY))


def changed(roster: tuple[Any, ...], member_id: str, **changes: Any) -> tuple[Any, ...]:
    return tuple(attrs.evolve(m, **changes) if m.id == member_id else m for m in roster)


def without(roster: tuple[Any, ...], member_id: str) -> tuple[Any, ...]:
    return tuple(m for m in roster if m.id != member_id)


def test_bundled_example_roster_passes(contract: Any) -> None:
    r = compute(contract, team(contract))
    assert r.findings == ()
    assert len(team(contract)) == 9


def test_bundled_examples_run(run: Any) -> None:
    res = run("compute", CITY, "--format", "json")
    assert res.code == 0, res.err
    assert res.json["period"] == "Q1"
    res = run("compute", CITY, "--facts", str(PLUGIN / "examples" / "2025Q2-terminated.toml"), "--format", "json")
    assert res.code == 0, res.err
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    assert items["termination_settlement"] == "262125.00"
    assert items["quarter_payable"] == "0.00"


# HA04 is a 医疗专业人员 (max 35周岁); as_of defaults to Q1's first day, 2025-02-01.
@pytest.mark.parametrize(
    ("birth", "ok_full_years", "ok_birthday"),
    [
        ("1990-02-02", True, True),  # 34 on 2025-02-01 (35 tomorrow)
        ("1990-02-01", True, True),  # exactly 35 on as_of: 35周岁以下 includes 35
        ("1990-01-31", True, False),  # 35 years and one day: still 35 周岁; past the 35th birthday
        ("1989-02-02", True, False),  # the last day of age 35 (36 tomorrow)
        ("1989-02-01", False, False),  # 36 on as_of
    ],
)
def test_age_35_boundary(contract: Any, birth: str, ok_full_years: bool, ok_birthday: bool) -> None:
    roster = changed(team(contract), "HA04", birth_date=dt.date.fromisoformat(birth))
    r = compute(contract, roster)
    expected = [] if ok_full_years else [("staffing.age", "HA04", "四(二)2(3)")]
    assert violations(r) == expected
    r2 = compute(contract, roster, readings={"age_limit": "birthday"})
    expected = [] if ok_birthday else [("staffing.age", "HA04", "四(二)2(3)")]
    assert violations(r2) == expected


@pytest.mark.parametrize(("member", "clause"), [("HA07", "四(二)2(4)"), ("HA08", "四(二)2(5)")])
def test_age_35_applies_to_it_and_other_staff(contract: Any, member: str, clause: str) -> None:
    assert violations(compute(contract, changed(team(contract), member, birth_date=dt.date(1990, 2, 1)))) == []
    bad = changed(team(contract), member, birth_date=dt.date(1989, 2, 1))  # 36 on 2025-02-01
    assert violations(compute(contract, bad)) == [("staffing.age", member, clause)]


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        ("1980-02-01", True),  # exactly 45 on 2025-02-01
        ("1979-02-02", True),  # the last day of age 45 (46 tomorrow)
        ("1979-02-01", False),  # 46
    ],
)
def test_lead_age_45_boundary(contract: Any, birth: str, ok: bool) -> None:
    r = compute(contract, changed(team(contract), "HA01", birth_date=dt.date.fromisoformat(birth)))
    assert violations(r) == ([] if ok else [("staffing.age", "HA01", "四(二)2(1)")])


def test_experts_have_no_age_limit(contract: Any) -> None:
    r = compute(contract, changed(team(contract), "HA03", birth_date=dt.date(1950, 1, 1)))
    assert violations(r) == []


def test_as_of_defaults_to_the_quarters_first_day(contract: Any) -> None:
    # born 1989-03-01: 35 on 2025-02-01 (Q1), 36 on 2025-05-01 (Q2)
    roster = changed(team(contract), "HA04", birth_date=dt.date(1989, 3, 1))
    assert violations(compute(contract, roster, quarter=1)) == []
    r = compute(contract, roster, quarter=2)
    assert violations(r) == [("staffing.age", "HA04", "四(二)2(3)")]
    assert "36 周岁 on 2025-05-01" in next(f.message for f in r.findings if f.key == "staffing.age")
    # an explicit as_of wins: 2025-02-28 is before the 36th birthday
    assert violations(compute(contract, roster, quarter=2, as_of=dt.date(2025, 2, 28))) == []
    assert violations(compute(contract, roster, quarter=1, as_of=dt.date(2025, 3, 1))) == [
        ("staffing.age", "HA04", "四(二)2(3)")
    ]


@pytest.mark.parametrize(
    ("years", "ok"),
    [("10", True), ("12", True), ("9.99", False), ("9", False)],  # 10年以上 includes 10
)
def test_lead_experience_10_years(contract: Any, years: str, ok: bool) -> None:
    r = compute(contract, changed(team(contract), "HA01", experience_years=D(years)))
    assert violations(r) == ([] if ok else [("staffing.experience", "HA01", "四(二)2(1)")])


@pytest.mark.parametrize(("years", "ok"), [("1", True), ("0.99", False), ("0", False)])
def test_expert_experience_1_year(contract: Any, years: str, ok: bool) -> None:
    r = compute(contract, changed(team(contract), "HA02", experience_years=D(years)))
    assert violations(r) == ([] if ok else [("staffing.experience", "HA02", "四(二)2(2)")])


@pytest.mark.parametrize(
    ("title", "ok"),
    [("主治医师", True), ("副主任医师", True), ("主任医师", True), ("住院医师", False), ("医师", False)],
)
def test_expert_title_ladder(contract: Any, title: str, ok: bool) -> None:
    r = compute(contract, changed(team(contract), "HA02", title=title))
    assert violations(r) == ([] if ok else [("staffing.title", "HA02", "四(二)2(2)")])


def test_expert_without_title_fails(contract: Any) -> None:
    r = compute(contract, changed(team(contract), "HA02", title=None))
    assert violations(r) == [("staffing.title", "HA02", "四(二)2(2)")]


@pytest.mark.parametrize(
    ("member", "education", "expected"),
    [
        ("HA04", "大专", []),  # 大专及以上 includes 大专
        ("HA04", "博士", []),
        # below 大专 breaks the whole-team rule and the role's own rule
        ("HA04", "中专", [("staffing.education", "HA04", "四(二)2"), ("staffing.education", "HA04", "四(二)2(3)")]),
        ("HA01", "高中", [("staffing.education", "HA01", "四(二)2")]),  # the lead: the whole-team rule only
        ("HA02", "中专", [("staffing.education", "HA02", "四(二)2")]),
    ],
)
def test_education(contract: Any, member: str, education: str, expected: list[Any]) -> None:
    r = compute(contract, changed(team(contract), member, education=education))
    assert violations(r) == expected


@pytest.mark.parametrize(
    ("member", "clause"), [("HA04", "四(二)2(3)"), ("HA07", "四(二)2(4)"), ("HA08", "四(二)2(5)")]
)
def test_full_time_required_for_medical_it_other(contract: Any, member: str, clause: str) -> None:
    r = compute(contract, changed(team(contract), member, full_time=False))
    assert violations(r) == [("staffing.full_time", member, clause)]


@pytest.mark.parametrize("member", ["HA01", "HA02"])
def test_full_time_not_required_for_lead_and_experts(contract: Any, member: str) -> None:
    assert violations(compute(contract, changed(team(contract), member, full_time=False))) == []


@pytest.mark.parametrize(
    ("member", "major", "ok"),
    [
        ("HA04", "护理学", True),  # 医学
        ("HA04", "临床医学", True),
        ("HA04", "药学", True),  # 药学类
        ("HA04", "中药学", True),
        ("HA04", "软件工程", False),
        ("HA04", "公共事业管理", False),
        ("HA07", "计算机科学与技术", True),
        ("HA07", "软件工程", True),
        ("HA07", "计算机应用技术", True),  # 专科 计算机类
        ("HA07", "护理学", False),
        ("HA08", "汉语言文学", True),  # 专业不限
        ("HA08", "临床医学", True),
    ],
)
def test_major_categories(contract: Any, member: str, major: str, ok: bool) -> None:
    r = compute(contract, changed(team(contract), member, major=major))
    clause = {"HA04": "四(二)2(3)", "HA07": "四(二)2(4)", "HA08": "四(二)2(5)"}[member]
    assert violations(r) == ([] if ok else [("staffing.major", member, clause)])


def test_major_table_can_be_extended_in_toml(run: Any, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(EXAMPLE_ROSTER.read_text(encoding="utf-8").replace("HA07,示例庚,经开区,it,本科,软件工程", "HA07,示例庚,经开区,it,本科,信息管理与信息系统"), encoding="utf-8")
    res = run("compute", CITY, "--roster", str(roster), "--format", "json")
    assert res.code == 1 and [f["key"] for f in res.json["findings"]] == ["staffing.major"]
    p = edited_contract(tmp_path, '"计算机信息管理", ', '"计算机信息管理", "信息管理与信息系统", ')
    res = run("compute", CITY, "--contract", p, "--roster", str(roster), "--format", "json")
    assert res.code == 0 and res.json["findings"] == []


@pytest.mark.parametrize(
    ("member", "role", "label", "clause"),
    [
        ("HA01", "lead", "项目负责人", "四(二)2(1)"),  # 1 required, 0 left
        ("HA02", "expert", "医疗专家", "四(二)2(2)"),  # 2 required, 1 left
        ("HA04", "medical", "医疗专业人员", "四(二)2(3)"),  # 3 required, 2 left
        ("HA07", "it", "计算机专业人员", "四(二)2(4)"),  # 1 required, 0 left
        ("HA08", "other", "其他工作人员", "四(二)2(5)"),  # 2 required, 1 left
    ],
)
def test_each_role_count(contract: Any, member: str, role: str, label: str, clause: str) -> None:
    r = compute(contract, without(team(contract), member))
    counts = {f.clause: f for f in r.findings if f.key == "staffing.count"}
    assert set(counts) == {"四(二)2", clause}  # the role, and the team of 9
    assert all(f.severity == "violation" and f.scope is None for f in counts.values())
    assert f"{label} ({role}): " in counts[clause].message
    assert "the contract requires at least" in counts[clause].message
    assert counts["四(二)2"].message == "全体成员: 8 on the roster, the contract requires at least 9"


def test_more_staff_than_required(contract: Any) -> None:
    extra = attrs.evolve(next(m for m in team(contract) if m.id == "HA04"), id="HA10")
    roster = (*team(contract), extra)
    assert violations(compute(contract, roster)) == []  # at least: no breach
    r = compute(contract, roster, readings={"role_count": "exactly"})
    assert violations(r) == [("staffing.count", None, "四(二)2"), ("staffing.count", None, "四(二)2(3)")]


def test_unknown_role_is_a_warning(contract: Any) -> None:
    r = compute(contract, changed(team(contract), "HA09", role="finance"))
    found = {(f.key, f.severity, f.scope) for f in r.findings}
    assert ("staffing.unknown_role", "warning", "HA09") in found
    assert ("staffing.count", "violation", None) in found  # other: 1 < 2


def test_one_person_failing_several_rules(contract: Any) -> None:
    roster = changed(team(contract), "HA05", birth_date=dt.date(1980, 1, 1), major="法学", full_time=False)
    assert sorted(violations(compute(contract, roster))) == [
        ("staffing.age", "HA05", "四(二)2(3)"),
        ("staffing.full_time", "HA05", "四(二)2(3)"),
        ("staffing.major", "HA05", "四(二)2(3)"),
    ]


def test_empty_cells_fail_the_rules_that_need_them(contract: Any) -> None:
    roster = changed(team(contract), "HA04", birth_date=None, major=None, full_time=None, education=None)
    assert sorted(violations(compute(contract, roster))) == [
        ("staffing.age", "HA04", "四(二)2(3)"),
        ("staffing.education", "HA04", "四(二)2"),
        ("staffing.education", "HA04", "四(二)2(3)"),
        ("staffing.full_time", "HA04", "四(二)2(3)"),
        ("staffing.major", "HA04", "四(二)2(3)"),
    ]


@pytest.mark.parametrize("column", ["birth_date", "education", "major", "title", "experience_years", "full_time"])
def test_missing_column_is_input_error(run: Any, tmp_path: Path, column: str) -> None:
    cols = HEADER.split(",")
    keep = [i for i, c in enumerate(cols) if c != column]
    lines = EXAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()
    p = tmp_path / "roster.csv"
    p.write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n", encoding="utf-8")
    res = run("compute", CITY, "--roster", str(p))
    assert res.code == 2
    assert f"{p}: header: missing column {column!r}" in res.err


def test_findings_name_ids_never_names(run: Any, tmp_path: Path) -> None:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8")
    text = text.replace("1996-05-08", "1980-05-08").replace("主治医师", "住院医师")
    p = tmp_path / "roster.csv"
    p.write_text(text, encoding="utf-8")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 1
    msgs = {f["key"]: f for f in res.json["findings"]}
    assert msgs["staffing.age"]["scope"] == "HA04" and msgs["staffing.age"]["message"].startswith("HA04 — 医疗专业人员 (medical)")
    assert msgs["staffing.title"]["scope"] == "HA02"
    for name in ("示例丁", "示例乙", "示例"):
        assert name not in res.out and name not in res.err
    table = run("compute", CITY, "--roster", str(p), "--format", "table")
    assert "示例" not in table.out


def test_no_roster_means_staffing_not_checked(contract: Any) -> None:
    r = compute(contract)
    found = [f for f in r.findings if f.key == "staffing.not_checked"]
    assert found and found[0].severity == "info" and found[0].clause == "四(二)2"


# ------------------------------------------------------------- 二: as_of lies in the service term (2025-02-01 – 2026-01-31)
@pytest.mark.parametrize(
    ("as_of", "ok"),
    [
        ("2025-01-31", False),  # the day before the term
        ("2025-02-01", True),  # its first day
        ("2026-01-31", True),  # its last day
        ("2026-02-01", False),  # the day after
    ],
)
def test_as_of_outside_the_term_is_an_input_error(contract: Any, as_of: str, ok: bool) -> None:
    c = contract(CITY)
    data = {"quarter": 1, "score": 92, "invoice": True, "as_of": dt.date.fromisoformat(as_of)}
    if ok:
        api.load_facts(c, data)
        return
    with pytest.raises(InputError) as exc:
        api.load_facts(c, data, file="q.toml")
    (problem,) = exc.value.problems
    assert (problem.file, problem.path) == ("q.toml", "as_of")
    assert "2025-02-01–2026-01-31" in problem.message
