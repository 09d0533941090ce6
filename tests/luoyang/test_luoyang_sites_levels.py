"""洛阳: the sites the contract knows (第四条(一)2, 第五条(二); reading
``county_sites``) and the audit per level (第三条(三); reading
``audit_levels``), worked by hand from the text.

第三条(三): 市医保中心、县区医疗保障部门每季度……进行稽核。稽核中合格率低于90%（不含
90%）的，甲方有权扣除本季度2%经办服务费；低于80%（不含80%）的……扣除本季度5%经办服务费，
同时启动重新复核机制.
第四条(一)2: 各县区共配备不低于 97（含）名工作人员（至少 49 名医学人员……）— the text
names no 县区; the TOML lists the county-level divisions of 洛阳市.

Every quarter here: 1,000,000 × 1.2 ÷ 4 = 300,000.00; 2% = 6,000.00; 5% = 15,000.00.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_luoyang import roster_file  # 市本级 per role; counties split over 嵩县 and 孟津区
from yibao import api
from yibao.errors import InputError

CITY = "luoyang"
ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "plugins" / "luoyang" / "contract.toml"
CITY_MIN = {"medical": 40, "finance": 1, "it": 2, "other": 20}  # 第四条(一)1: 63
COUNTY_MIN = {"medical": 49, "finance": 9, "it": 9, "other": 30}  # 第四条(一)2: 97

NINE = ["偃师区", "孟津区", "新安县", "宜阳县", "洛宁县", "伊川县", "嵩县", "栾川县", "汝阳县"]
URBAN = ["涧西区", "西工区", "老城区", "瀍河回族区", "洛龙区"]


def quarter(contract: Any, **kw: Any) -> Any:
    data: dict[str, Any] = {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_pass_rate": 1, **kw}
    return api.load_facts(contract, data)


def violations(r: Any) -> set[str]:
    return {f.key for f in r.findings if f.severity == "violation"}


def county_steps() -> list[dict[str, Any]]:
    doc = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    return [s for s in doc["steps"] if s["model"] == "headcount" and s["clause"] == "第四条(一)2"]


def compute_roster(contract: Any, tmp_path: Path, city: dict[str, int], counties: dict[str, int], extra: str, choice: str | None = None, **facts: Any) -> Any:
    c = contract(CITY)
    if choice is not None:
        c = c.with_choices({"county_sites": choice})
    roster = api.load_roster(roster_file(tmp_path, city, counties, extra=extra), c)
    return api.compute(c, quarter(c, **facts), roster)


def unknown_sites(r: Any) -> list[Any]:
    return [f for f in r.findings if f.key == "staffing.unknown_site"]


# ------------------------------------------------------------- 第四条(一)2: the 县区 the contract knows
def test_every_county_step_lists_the_same_sites() -> None:
    steps = county_steps()
    assert len(steps) == 5  # total, medical, finance, it, other
    for s in steps:
        assert s["sites"] == NINE + URBAN  # 7 县 + 7 区 of 洛阳市 (吉利区 is part of 孟津区 since 2021)
        assert s["exclude_sites"] == ["市本级"]
        assert s["unlisted_interpretation"] == "county_sites"


def test_the_example_roster_uses_only_known_sites(run: Any) -> None:
    sites = {line.split(",")[2] for line in (ROOT / "plugins/luoyang/examples/roster.csv").read_text(encoding="utf-8").splitlines()[1:]}
    assert sites == {"市本级", *NINE}
    res = run("compute", CITY, "--format", "json")
    assert not [f for f in res.json["findings"] if f["key"] == "staffing.unknown_site"]
    assert "county_sites" not in [i["id"] for i in res.json["interpretations"]]


# 市直 is not a name the contract uses (neither 市本级 nor a 县区); nothing in the text
# makes it an alias of 市本级, so it is no site of the contract.
@pytest.mark.parametrize(
    ("county_medical", "choice", "short"),
    [
        (48, "listed", True),  # 48 + the 市直 row not counted = 48 < 49: short
        (48, "any_other", False),  # 48 + 1 市直 = 49: at the minimum
        (49, "listed", False),  # 49 without the 市直 row: at the minimum
        (47, "any_other", True),  # 47 + 1 = 48 < 49: short even when counted
    ],
)
def test_unknown_site_is_not_counted_as_a_county(
    contract: Any, tmp_path: Path, county_medical: int, choice: str, short: bool
) -> None:
    counties = dict(COUNTY_MIN, medical=county_medical, other=COUNTY_MIN["other"] + 49 - county_medical)
    r = compute_roster(contract, tmp_path, CITY_MIN, counties, "Z901,某某甲,市直,medical\n", choice)
    [f] = unknown_sites(r)
    assert f.severity == "warning" and f.scope == "市直"
    assert f.clause == "第四条(一)1、第四条(一)2"
    assert "Z901" in f.message and "'市直'" in f.message and "某某" not in f.message
    assert ("counted among the 县区" in f.message) is (choice == "any_other")
    assert ("staffing.counties.medical" in violations(r)) is short
    # 第五条(二): a county shortfall is a breach, 1 × 2% × 300,000.00 = 6,000.00
    assert r.amount("breach_penalty") == (D("6000.00") if short else D("0.00"))
    assert {i.id: i.choice for i in r.interpretations}["county_sites"] == choice


def test_unknown_site_does_not_count_for_the_city_either(contract: Any, tmp_path: Path) -> None:
    # 市本级 39 medical + one 市直 medical: no alias, so 39 < 40 under both readings
    city = dict(CITY_MIN, medical=39, other=21)
    for choice in ("listed", "any_other"):
        r = compute_roster(contract, tmp_path, city, COUNTY_MIN, "Z902,某某乙,市直,medical\n", choice)
        assert "staffing.city.medical" in violations(r)


def test_an_urban_district_is_a_county(contract: Any, tmp_path: Path) -> None:
    # 48 county medical staff + 1 at 西工区 (a 区 of 洛阳市, listed) = 49: at the minimum
    counties = dict(COUNTY_MIN, medical=48)
    r = compute_roster(contract, tmp_path, CITY_MIN, counties, "Z903,某某丙,西工区,medical\n")
    assert violations(r) == set()
    assert unknown_sites(r) == []
    assert "county_sites" not in [i.id for i in r.interpretations]  # no unlisted site: the reading did not matter


def test_one_finding_per_unknown_site_with_every_id_and_a_hint(contract: Any, tmp_path: Path) -> None:
    extra = "Z1,某某,市直,medical\nZ2,某某,市直,it\nZ3,某某,嵩 县,it\n"
    r = compute_roster(contract, tmp_path, CITY_MIN, COUNTY_MIN, extra)
    by_scope = {f.scope: f.message for f in unknown_sites(r)}
    assert set(by_scope) == {"市直", "嵩 县"}
    assert "Z1, Z2" in by_scope["市直"]
    assert "did you mean '嵩县'?" in by_scope["嵩 县"]
    # the minimums are met without them: warnings only
    assert violations(r) == set()


def test_a_site_cell_that_looks_like_an_id_number_is_not_shown(contract: Any, tmp_path: Path) -> None:
    r = compute_roster(contract, tmp_path, CITY_MIN, COUNTY_MIN, "Z4,某某,410101199001011234,it\n")
    [f] = unknown_sites(r)
    assert "410101" not in f.message and f.scope is None and "Z4" in f.message


def test_unknown_site_never_stops_the_quarter(run: Any, tmp_path: Path) -> None:
    # a roster cell is never exit 2: the money computes, the warning alone exits 0
    p = roster_file(tmp_path, CITY_MIN, COUNTY_MIN, extra="Z5,某某丁,市直,medical\n")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 0, res.err
    assert any(f["key"] == "staffing.unknown_site" and f["severity"] == "warning" for f in res.json["findings"])
    assert "某某" not in res.out
    # the same row moved out of the counties' 97: 96 < 97, a violation, exit 1 with the full result
    counties = dict(COUNTY_MIN, other=29)
    p2 = roster_file(tmp_path, CITY_MIN, counties, extra="Z6,某某戊,市直,other\n")
    res2 = run("compute", CITY, "--roster", str(p2), "--format", "json")
    assert res2.code == 1 and {i["key"] for i in res2.json["items"]} >= {"quarter_fee", "quarter_net"}


def test_unknown_role_is_a_warning_not_a_breach(run: Any, tmp_path: Path) -> None:
    # 第四条(一) names no duty about other posts: a role it does not count is a warning
    p = roster_file(tmp_path, CITY_MIN, COUNTY_MIN, extra="Z7,某某己,市本级,medic\n")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 0, res.err
    [f] = [f for f in res.json["findings"] if f["key"] == "staffing.unknown_role"]
    assert f["severity"] == "warning" and "Z7" in f["message"]


# ------------------------------------------------------------- 第三条(三): the audit per level
def level(site: str, sampled: int | None = None, passed: int | None = None, rate: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"site": site}
    if sampled is not None:
        out["sampled"] = sampled
    if passed is not None:
        out["passed"] = passed
    if rate is not None:
        out["pass_rate"] = D(rate)
    return out


def compute_levels(contract: Any, levels: list[dict[str, Any]], choice: str = "overall", **kw: Any) -> Any:
    c = contract(CITY).with_choices({"audit_levels": choice})
    data: dict[str, Any] = {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_levels": levels, **kw}
    return api.compute(c, api.load_facts(c, data))


# Default reading (overall): the levels' counts pooled — 市本级 1,000 files, 嵩县 100 all passed.
@pytest.mark.parametrize(
    ("city_passed", "deduction", "shown", "rereview"),
    [
        (891, "0.00", "90.0909…%", False),  # (891 + 100) / 1,100 = 90.09% — just above 90%
        (890, "0.00", "90%", False),  # (890 + 100) / 1,100 = 990 / 1,100 = 90% exactly: 不含90%
        (889, "6000.00", "89.9090…%", False),  # 989 / 1,100 = 89.909% < 90%: 2%
        (781, "6000.00", "80.0909…%", False),  # 881 / 1,100 = 80.09%: still 2%
        (780, "6000.00", "80%", False),  # 880 / 1,100 = 80% exactly: 不含80%, 2%
        (779, "15000.00", "79.9090…%", True),  # 879 / 1,100 = 79.909% < 80%: 5% and re-review
    ],
)
def test_overall_rate_pools_the_levels_counts(
    contract: Any, city_passed: int, deduction: str, shown: str, rereview: bool
) -> None:
    r = compute_levels(contract, [level("市本级", 1000, city_passed), level("嵩县", 100, 100)])
    assert r.amount("audit_deduction") == D(deduction)
    assert shown in r.item("audit_deduction").formula
    assert any(f.key == "audit.rereview" for f in r.findings) is rereview
    assert {i.id: i.choice for i in r.interpretations}["audit_levels"] == "overall"


def test_overall_is_weighted_by_files_not_an_average_of_levels(contract: Any) -> None:
    # 市本级 889/1,000 = 88.9%, 嵩县 100/100 = 100%: the plain mean 94.45% would deduct
    # nothing; the files together, 989/1,100 = 89.909%, are below 90%: 2% = 6,000.00
    r = compute_levels(contract, [level("市本级", 1000, 889), level("嵩县", 100, 100)])
    assert r.amount("audit_deduction") == D("6000.00")


# Alternative reading (each_level): 市本级 95% and 嵩县 at the rate below.
@pytest.mark.parametrize(
    ("county_passed", "deduction", "rereview"),
    [
        (91, "0.00", False),  # 91% just above 90%
        (90, "0.00", False),  # 90% on one county: 不含90%, no deduction
        (89, "6000.00", False),  # 89% < 90%: 2% of the quarter's whole fee, once
        (80, "6000.00", False),  # 80%: 不含80%, still 2%
        (79, "15000.00", True),  # 79% < 80%: 5% and re-review
    ],
)
def test_each_level_reading_one_county_decides(contract: Any, county_passed: int, deduction: str, rereview: bool) -> None:
    levels = [level("市本级", 1000, 950), level("嵩县", 100, county_passed)]
    r = compute_levels(contract, levels, "each_level")
    assert r.amount("audit_deduction") == D(deduction)
    formula = r.item("audit_deduction").formula
    assert f"最低：嵩县 {county_passed}%" in formula
    found = [f for f in r.findings if f.key == "audit.rereview"]
    assert bool(found) is rereview
    if rereview:
        assert "嵩县 79% < 80%" in found[0].message
    # under the default reading the same facts pool: (950 + n) / 1,100 ≥ 1,029 / 1,100 = 93.5%: nothing
    assert compute_levels(contract, levels).amount("audit_deduction") == D("0.00")


def test_each_level_two_counties_below_deduct_once_at_the_lowest_tier(contract: Any) -> None:
    # 嵩县 85% and 栾川县 79%: one deduction of 本季度5% (15,000.00), not 2% + 5%
    levels = [level("市本级", rate="0.95"), level("嵩县", rate="0.85"), level("栾川县", rate="0.79")]
    r = compute_levels(contract, levels, "each_level")
    assert r.amount("audit_deduction") == D("15000.00")
    assert r.item("audit_deduction").formula == "300000.00 × 5% (最低：栾川县 79% < 80%)"


def test_each_level_also_tests_an_overall_rate_given(contract: Any) -> None:
    # levels 95% and 92%, overall stated 88% (levels not itemized are in it): 88% < 90% → 2%
    levels = [level("市本级", rate="0.95"), level("嵩县", rate="0.92")]
    r = compute_levels(contract, levels, "each_level", audit_pass_rate=D("0.88"))
    assert r.amount("audit_deduction") == D("6000.00")
    assert "最低：总体 88%" in r.item("audit_deduction").formula
    # default reading: the stated overall decides, the levels are recorded only
    assert compute_levels(contract, levels, audit_pass_rate=D("0.88")).amount("audit_deduction") == D("6000.00")
    assert compute_levels(contract, levels, audit_pass_rate=D("0.9")).amount("audit_deduction") == D("0.00")


def test_levels_with_rates_only_need_an_overall_under_the_default(contract: Any) -> None:
    levels = [level("市本级", rate="0.95"), level("嵩县", rate="0.85")]
    with pytest.raises(InputError) as e:
        compute_levels(contract, levels)
    assert [p.path for p in e.value.problems] == ["audit_levels[0].pass_rate", "audit_levels[1].pass_rate"]
    assert "give sampled and passed" in e.value.problems[0].message
    # with the overall rate: 95% given, nothing deducted though 嵩县 is at 85%
    assert compute_levels(contract, levels, audit_pass_rate=D("0.95")).amount("audit_deduction") == D("0.00")
    # each level: 嵩县 85% < 90%: 2%
    assert compute_levels(contract, levels, "each_level").amount("audit_deduction") == D("6000.00")


def test_levels_must_add_up_to_the_audit_counts(contract: Any) -> None:
    levels = [level("市本级", 1000, 950), level("嵩县", 100, 89)]
    ok = compute_levels(contract, levels, audit={"sampled": 1100, "passed": 1039})
    assert ok.amount("audit_deduction") == D("0.00")  # 1,039 / 1,100 = 94.45%
    with pytest.raises(InputError) as e:
        compute_levels(contract, levels, audit={"sampled": 1100, "passed": 1040})
    assert [p.path for p in e.value.problems] == ["audit_levels"]


def test_without_levels_the_reading_is_not_recorded(contract: Any) -> None:
    c = contract(CITY)
    r = api.compute(c, quarter(c, audit_pass_rate=D("0.85")))
    assert "audit_levels" not in [i.id for i in r.interpretations]


@pytest.mark.parametrize(
    ("levels", "path"),
    [
        ([level("市本级", 10, 9, rate="0.9")], "audit_levels[0].pass_rate"),  # both forms
        ([level("市本级", sampled=10)], "audit_levels[0].passed"),  # half the counts
        ([level("市本级")], "audit_levels[0].sampled"),  # neither form
        ([level("市本级", 10, 11)], "audit_levels[0].passed"),  # passed > sampled
        ([level("市本级", 0, 0)], "audit_levels[0].sampled"),
        ([level("市本级", rate="1.01")], "audit_levels[0].pass_rate"),
        ([level("市本级", 10, 9), level("市本级", 10, 9)], "audit_levels[1].site"),  # twice
        ([level("市直", 10, 9)], "audit_levels[0].site"),  # no site of the contract
        ([level("嵩 县", 10, 9)], "audit_levels[0].site"),
    ],
)
def test_bad_levels_are_input_errors(contract: Any, levels: list[dict[str, Any]], path: str) -> None:
    with pytest.raises(InputError) as e:
        compute_levels(contract, levels, "each_level")
    assert path in [p.path for p in e.value.problems]


def test_an_unlisted_level_site_is_accepted_under_any_other(contract: Any) -> None:
    c = contract(CITY).with_choices({"county_sites": "any_other", "audit_levels": "each_level"})
    facts = api.load_facts(c, {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_levels": [level("市直", 10, 8)]})
    # 8/10 = 80%: not below 80%, below 90%: 2%
    assert api.compute(c, facts).amount("audit_deduction") == D("6000.00")


def test_a_typo_in_a_level_site_suggests_the_county(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        compute_levels(contract, [level("嵩 县", 10, 9)], "each_level")
    assert "did you mean '嵩县'?" in str(e.value)


def test_levels_in_a_year_file_are_an_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        api.load_facts(contract(CITY), {"period": "2026", "enrolled_prior_year": 1, "enrolled_actual": 1, "audit_levels": [level("市本级", 10, 9)]})
    assert [p.path for p in e.value.problems] == ["audit_levels"]


def test_cli_levels_and_the_reading(run: Any, write_toml: Any) -> None:
    path = write_toml(
        'period = "2026Q2"\nenrolled_prior_year = 1000000\n'
        '[[audit_levels]]\nsite = "市本级"\npass_rate = "95%"\n'
        '[[audit_levels]]\nsite = "嵩县"\npass_rate = "89.99%"\n'
    )
    res = run("compute", CITY, "--facts", str(path), "--format", "json")
    assert res.code == 2 and "audit_levels[0].pass_rate" in res.err and "Traceback" not in res.err
    res2 = run("compute", CITY, "--facts", str(path), "--reading", "audit_levels=each_level", "--format", "json")
    assert res2.code == 0, res2.err
    item = next(i for i in res2.json["items"] if i["key"] == "audit_deduction")
    # 89.99% < 90%: 2% of 300,000.00
    assert item["amount"] == "6000.00" and item["formula"] == "300000.00 × 2% (最低：嵩县 89.99% < 90%)"


# ------------------------------------------------------------- property: each level is never kinder
counts = st.tuples(st.integers(min_value=1, max_value=500), st.integers(min_value=0, max_value=500)).map(
    lambda t: (t[0], min(t[0], t[1]))
)


@settings(max_examples=150, deadline=None)
@given(st.lists(counts, min_size=1, max_size=4))
def test_each_level_deducts_at_least_the_pooled_rate(contract: Any, pairs: list[tuple[int, int]]) -> None:
    # the pooled rate is a weighted mean of the levels: never below the lowest level,
    # so testing each level is never kinder to the insurer than the overall rate
    levels = [level(site, s, p) for site, (s, p) in zip(["市本级", *NINE], pairs, strict=False)]
    overall = compute_levels(contract, levels).amount("audit_deduction")
    each = compute_levels(contract, levels, "each_level").amount("audit_deduction")
    assert each >= overall
    pooled = D(sum(p for _, p in pairs)) / D(sum(s for s, _ in pairs))
    lowest = min(D(p) / D(s) for s, p in pairs)
    tier = lambda rate: D("15000.00") if rate < D("0.8") else D("6000.00") if rate < D("0.9") else D("0.00")  # noqa: E731
    assert overall == tier(pooled) and each == tier(lowest)


# ------------------------------------------------------------- simulate: per-level rates take the exact path
def test_simulate_with_levels_gives_computes_figures(contract: Any) -> None:
    pytest.importorskip("numpy")
    c = contract(CITY).with_choices({"audit_levels": "each_level"})
    levels = [level("市本级", rate="0.95"), level("嵩县", rate="0.89")]
    facts = api.load_facts(c, {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_levels": levels})
    sim = api.simulate(c, facts, scenarios=8, seed=1, vary=["breaches=poisson(1)"])
    assert sim.engine == "scalar" and "levels" in (sim.engine_note or "")
    # every scenario: 嵩县 89% < 90% → 2% of 300,000.00, whatever the breaches drawn
    item = next(i for i in sim.to_dict()["items"] if i["key"] == "audit_deduction")
    assert item["mean"] == "6000.00", item
