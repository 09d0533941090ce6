"""新乡 2025, issue 15 — staffing sites and auditors (第六条, 第七条, 附件 二),
per-region scores (第四十二条 with 第二十九条) and the duties the text bounds
(附件 一, 第三十一条, 第三十五条(一)). Every figure worked by hand from the text.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "xinxiang"


def load(contract: Any, choices: dict[str, str] | None = None, **extra: Any) -> tuple[Any, Any]:
    c = contract(CITY).with_choices(choices) if choices else contract(CITY)
    data = {"year": 2025, "score": 85, "regions": [{"name": "市本级", "insured": 100000, "payouts": D("17900000")}], **extra}
    return c, api.load_facts(c, data, file="f.toml")


def compute(contract: Any, choices: dict[str, str] | None = None, roster: Any = None, **extra: Any) -> Any:
    c, f = load(contract, choices, **extra)
    return api.compute(c, f, roster)


def roster(tmp_path: Path, rows: list[tuple[str, str]]) -> Any:
    """Roster of (site, role) rows; ids S000, S001, …"""
    lines = ["id,name,site,role", *(f"S{i:03d},某某,{site},{role}" for i, (site, role) in enumerate(rows))]
    p = tmp_path / "roster.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return api.load_roster(p)


def keys(r: Any, severity: str | None = None) -> set[str]:
    return {f.key for f in r.findings if severity is None or f.severity == severity}


def choice(r: Any, iid: str) -> str | None:
    return {i.id: i.choice for i in r.interpretations}.get(iid)


# ------------------------------------------------------------- 第七条 / 附件 二: the auditors on top of the 20, or among them
# 第七条 派驻至少20名工作人员; 附件 二 单独设立…固定稽核人员…不少于2人
@pytest.mark.parametrize(
    ("others", "auditors", "separate", "among"),
    [
        (20, 2, set(), set()),  # 20 + 2: both readings met
        (18, 2, {"staffing.seconded"}, set()),  # 20 in all: among counts them, separate sees 18 < 20
        (19, 2, {"staffing.seconded"}, set()),  # 19 + 2 = 21: among ok; separate 19 < 20 (one below)
        (21, 2, set(), set()),  # one above
        (18, 1, {"staffing.seconded", "staffing.auditors"}, {"staffing.seconded", "staffing.auditors"}),  # 19 in all
    ],
)
def test_auditors_separate_or_among(
    contract: Any, tmp_path: Path, others: int, auditors: int, separate: set[str], among: set[str]
) -> None:
    staff = roster(tmp_path, [("市本级", "medical")] * others + [("市本级", "auditor")] * auditors)
    r = compute(contract, roster=staff)
    assert keys(r, "violation") == separate
    assert choice(r, "auditors_seconded") == "separate"  # the default
    r2 = compute(contract, {"auditors_seconded": "among"}, roster=staff)
    assert keys(r2, "violation") == among
    assert choice(r2, "auditors_seconded") == "among"


def test_separate_shortfall_names_the_group_without_auditors(contract: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("YIBAO_LANG", "en")
    staff = roster(tmp_path, [("市本级", "medical")] * 19 + [("市本级", "auditor")] * 2)
    (f,) = [f for f in compute(contract, roster=staff).findings if f.key == "staffing.seconded"]
    assert f.clause == "第七条" and f.severity == "violation"
    assert f.message == "派驻人员: all roles but 'auditor': 19 on the roster, the contract requires at least 20"


# ------------------------------------------------------------- 第六条/第七条: only staff at the joint office count
def test_staff_elsewhere_do_not_count_and_are_named(contract: Any, tmp_path: Path) -> None:
    # 19 at 市本级 (the joint office at 甲方) + 1 at the insurer's branch: 19 < 20
    staff = roster(tmp_path, [("市本级", "medical")] * 19 + [("郑州", "medical")] + [("市本级", "auditor")] * 2)
    r = compute(contract, roster=staff)
    assert keys(r, "violation") == {"staffing.seconded"}
    (info,) = [f for f in r.findings if f.key == "staffing.elsewhere"]
    assert info.severity == "info" and info.clause == "第六条、第七条"
    assert info.message.endswith("（1: S019）")  # the roster id, never a name
    assert "某某" not in info.message


@pytest.mark.parametrize(("at_office", "ok"), [(20, True), (21, True), (19, False)])
def test_count_at_the_office_at_the_boundary(contract: Any, tmp_path: Path, at_office: int, ok: bool) -> None:
    # the joint office written as the site 联合办公 counts like 市本级; three more staff elsewhere never help
    staff = roster(tmp_path, [("联合办公", "medical")] * at_office + [("红旗区", "medical")] * 3 + [("市本级", "auditor")] * 2)
    r = compute(contract, roster=staff)
    assert ("staffing.seconded" in keys(r, "violation")) is not ok


def test_auditors_count_wherever_they_sit(contract: Any, tmp_path: Path) -> None:
    # 附件 二: the auditors serve the 稽核中心; two of them there meet 附件 二, and under
    # the default reading they are not among the 20, so they are not "elsewhere" either
    staff = roster(tmp_path, [("市本级", "medical")] * 20 + [("稽核中心", "auditor")] * 2)
    r = compute(contract, roster=staff)
    assert keys(r, "violation") == set() and "staffing.elsewhere" not in keys(r)
    # among: they would count toward the 20 only at the office — named as not counted
    r2 = compute(contract, {"auditors_seconded": "among"}, roster=staff)
    assert keys(r2, "violation") == set()
    (info,) = [f for f in r2.findings if f.key == "staffing.elsewhere"]
    assert info.message.endswith("（2: S020, S021）")


# ------------------------------------------------------------- 第四十二条: a region's own score
# each region: funding 100,000 × 190 = 19,000,000.00; payouts 17,900,000.00;
# approved profit min(1,100,000.00, 3.85% × 19,000,000.00 = 731,500.00) = 731,500.00
REGIONS = [
    {"name": "市本级", "insured": 100000, "payouts": D("17900000")},
    {"name": "红旗区", "insured": 100000, "payouts": D("17900000"), "score": D("75")},
]


def test_region_score_applies_to_that_regions_profit(contract: Any) -> None:
    r = compute(contract, regions=REGIONS)
    # 市本级 by the city score 85: (二) 5 × 0.5% = 2.5% × 731,500.00 = 18,287.50
    assert r.amount("profit_deduction", "市本级") == D("18287.50")
    # 红旗区 by its own 75: (三) 15 × 1% = 15% × 731,500.00 = 109,725.00; returned 621,775.00
    assert r.amount("profit_deduction", "红旗区") == D("109725.00")
    assert r.amount("profit_returned", "红旗区") == D("621775.00")
    assert r.item("profit_deduction", "红旗区").formula == "731500.00 × 1% × 15（regions[1].score = 75）"
    assert r.item("profit_deduction", "市本级").formula == "731500.00 × 0.5% × 5"
    assert choice(r, "region_score") == "per_region"


def test_single_reading_keeps_the_city_score(contract: Any) -> None:
    r = compute(contract, {"region_score": "single"}, regions=REGIONS)
    # both regions by 85: 18,287.50 each
    assert r.amount("profit_deduction", "红旗区") == D("18287.50")
    assert r.amount("profit_deduction", "市本级") == D("18287.50")
    assert "regions[1].score" not in r.item("profit_deduction", "红旗区").formula
    assert choice(r, "region_score") == "single"


@pytest.mark.parametrize(
    ("score", "deduction", "rectification"),
    [
        ("90", "0.00", False),  # (一) 含90分: all returned
        ("89.99", "36.58", False),  # (二) 0.01 × 0.5% × 731,500 = 36.575 -> 36.58
        ("60", "438900.00", False),  # (四) 含60分: 30 × 2% = 60%
        ("59.99", "731500.00", True),  # (五) nothing returned, rectification for that region
    ],
)
def test_region_score_at_the_tier_edges(contract: Any, score: str, deduction: str, rectification: bool) -> None:
    regions = [REGIONS[0], {**REGIONS[1], "score": D(score)}]
    r = compute(contract, regions=regions)
    assert r.amount("profit_deduction", "红旗区") == D(deduction)
    assert r.amount("profit_deduction", "市本级") == D("18287.50")  # the city's 85 is untouched
    found = [f for f in r.findings if f.key == "assessment.rectification"]
    assert [f.scope for f in found] == (["红旗区"] if rectification else [])


def test_without_region_scores_the_reading_is_not_listed(contract: Any) -> None:
    r = compute(contract)
    assert choice(r, "region_score") is None


def test_region_score_outside_0_100_is_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        load(contract, regions=[{**REGIONS[1], "score": D("100.01")}])
    assert e.value.problems[0].path == "regions[0].score"


# ------------------------------------------------------------- 附件 一, 第三十一条, 第三十五条(一): [duties]
@pytest.mark.parametrize(
    ("duties", "found"),
    [
        # 附件 一 住院费用的复审比例不低于总量的5%: 5% of 1,000,000.00 = 50,000.00
        ({"inpatient_cost": D("1000000"), "review_inpatient_cost": D("50000")}, None),  # at: 不低于 is met
        ({"inpatient_cost": D("1000000"), "review_inpatient_cost": D("50000.01")}, None),  # one 分 above
        ({"inpatient_cost": D("1000000"), "review_inpatient_cost": D("49999.99")}, "duties.inpatient_rereview"),  # one 分 below
        ({"inpatient_cost": D("0"), "review_inpatient_cost": D("0")}, None),  # nothing to review
        # 附件 一 跨省异地就医住院患者的病历审查率不低于20%: 20% of 100 records = 20
        ({"cross_province_records": 100, "review_cross_province_records": 20}, None),
        ({"cross_province_records": 100, "review_cross_province_records": 21}, None),
        ({"cross_province_records": 100, "review_cross_province_records": 19}, "duties.cross_province_review"),
        # 第三十一条 宣传每年不少于2次
        ({"publicity_campaigns": 2}, None),
        ({"publicity_campaigns": 3}, None),
        ({"publicity_campaigns": 1}, "duties.publicity"),
        ({"publicity_campaigns": 0}, "duties.publicity"),
        # 第三十五条(一): each time is a breach of 第六条/第七条; 累计三次 brings 第三十五条's remedies
        ({"staffing_breaches": 0}, None),
        ({"staffing_breaches": 1}, "duties.staffing_breaches"),
        ({"staffing_breaches": 2}, "duties.staffing_breaches"),
        ({"staffing_breaches": 3}, "duties.staffing_breaches"),
        ({"staffing_breaches": 4}, "duties.staffing_breaches"),
        ({}, None),  # nothing given: nothing checked
    ],
)
def test_duties_at_their_bounds(contract: Any, duties: dict[str, Any], found: str | None) -> None:
    r = compute(contract, duties=duties)
    got = [f for f in r.findings if f.key.startswith("duties.")]
    assert [f.key for f in got] == ([found] if found else [])
    for f in got:
        assert f.severity == "violation" and f.scope is None


def test_duty_findings_state_figure_bound_and_clause(contract: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("YIBAO_LANG", "en")
    r = compute(
        contract,
        duties={
            "inpatient_cost": D("1000000"), "review_inpatient_cost": D("49999.99"),
            "cross_province_records": 100, "review_cross_province_records": 19,
            "publicity_campaigns": 1,
        },
    )
    by = {f.key: f for f in r.findings}
    # 49,999.99 ÷ 1,000,000 = 4.999999% (shown rounded down: never as if it met 5%)
    f = by["duties.inpatient_rereview"]
    assert f.clause == "附件 一"
    assert f.message.endswith("review_inpatient_cost ÷ inpatient_cost = 49999.99 ÷ 1000000 = 4.999999%, below 5%")
    assert by["duties.cross_province_review"].message.endswith("= 19 ÷ 100 = 19%, below 20%")
    assert by["duties.publicity"].clause == "第三十一条"
    assert by["duties.publicity"].message.endswith("publicity_campaigns = 1, below 2")
    assert r.has_violations


@pytest.mark.parametrize(("n", "reaches"), [(2, False), (3, True), (4, True)])
def test_breaches_reaching_three_say_what_follows(contract: Any, monkeypatch: Any, n: int, reaches: bool) -> None:
    monkeypatch.setenv("YIBAO_LANG", "en")
    (f,) = [f for f in compute(contract, duties={"staffing_breaches": n}).findings if f.key == "duties.staffing_breaches"]
    assert f.clause == "第三十五条(一)" and f.severity == "violation"
    assert (f"staffing_breaches = {n}, reaches 3:" in f.message) is reaches
    assert ("terminate" in f.message) is reaches


@pytest.mark.parametrize(
    ("duties", "path", "words"),
    [
        ({"inpatient_cost": D("100"), "review_inpatient_cost": D("100.01")}, "duties.review_inpatient_cost", "at most"),
        ({"review_inpatient_cost": D("1")}, "duties.inpatient_cost", "required with duties.review_inpatient_cost"),
        ({"cross_province_records": 5}, "duties.review_cross_province_records", "required with"),
        ({"cross_province_records": 5, "review_cross_province_records": 6}, "duties.review_cross_province_records", "at most"),
        ({"publicity_campaigns": -1}, "duties.publicity_campaigns", "≥ 0"),
        ({"inpatient_cost": D("1000000.001"), "review_inpatient_cost": D("1")}, "duties.inpatient_cost", "at most two decimals"),
        ({"publicty_campaigns": 2}, "duties.publicty_campaigns", "publicity_campaigns"),  # a typo: the closest key
    ],
)
def test_bad_duties_are_input_errors(contract: Any, monkeypatch: Any, duties: dict[str, Any], path: str, words: str) -> None:
    monkeypatch.setenv("YIBAO_LANG", "en")
    with pytest.raises(InputError) as e:
        load(contract, duties=duties)
    problems = [p for p in e.value.problems if p.path == path]
    assert problems and words in problems[0].message and problems[0].file == "f.toml"


def test_cli_exit_1_for_a_duty_not_met(run: Any, write_toml: Any) -> None:
    p = write_toml('year = 2025\nscore = 95\n[[regions]]\nname = "市本级"\ninsured = 10\npayouts = 0\n[duties]\npublicity_campaigns = 1\n')
    res = run("compute", CITY, "--facts", str(p), "--format", "json")
    assert res.code == 1
    assert any(f["key"] == "duties.publicity" for f in res.json["findings"])
    ok = write_toml('year = 2025\nscore = 95\n[[regions]]\nname = "市本级"\ninsured = 10\npayouts = 0\n[duties]\npublicity_campaigns = 2\n')
    assert run("compute", CITY, "--facts", str(ok), "--format", "json").code == 0
