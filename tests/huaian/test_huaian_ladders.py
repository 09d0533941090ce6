"""淮安经开区 四(二)2: the title and education ladders, worked from the text.

四(二)2: 成员由具备医学、财务及计算机等大专以上学历的专业人员组成.
四(二)2(2) 医疗专家: 主治医师及以上医疗专业技术职称.
四(二)2(3)(4)(5): 全日制大专及以上学历.

Titles (卫生专业技术资格): 初级（士） < 初级（师） < 中级 < 副高级 < 正高级;
主治医师 is 中级, and so are 中医主治医师, 主管护师, 主管药师, 主管技师.
"主治医师及以上" is the threshold 中级: below it 初级（师） (医师, 护师, 药师,
技师), at it 中级, above it 副高级 and 正高级. Interpretation `title_series`:
`cross_series` (default) admits every series, `physician_series` only
医师 and 中医师.

Education: 大专 is the threshold of every rule; 中专 below, 本科 above.
Interpretation `part_time_education`: `counts` (default) counts 函授, 自考,
成教… at their level; `full_time_only` does not, where the clause does not
say 全日制 itself (the whole-team rule, 四(二)2). (3)(4)(5) say 全日制: a
part-time education fails `full_time` there under either reading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api, i18n

CITY = "huaian"
PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "huaian"
EXAMPLE_ROSTER = PLUGIN / "examples" / "roster.csv"
TEAM = "四(二)2"  # 大专以上学历, every member
EXPERT = "四(二)2(2)"  # 主治医师及以上
MEDICAL = "四(二)2(3)"  # 全日制大专及以上


def compute(contract: Any, roster: Any, readings: dict[str, str] | None = None) -> Any:
    c = contract(CITY)
    if readings:
        c = c.with_choices(readings)
    return api.compute(c, api.load_facts(c, {"quarter": 1, "score": 92, "invoice": True}), roster)


def team(contract: Any) -> tuple[Any, ...]:
    return api.load_roster(EXAMPLE_ROSTER, contract(CITY))


def changed(contract: Any, member_id: str, **changes: Any) -> tuple[Any, ...]:
    return tuple(attrs.evolve(m, **changes) if m.id == member_id else m for m in team(contract))


def findings(result: Any) -> list[tuple[str, str, str | None, str]]:
    return [(f.key, f.severity, f.scope, f.clause) for f in result.findings]


# ------------------------------------------------------------- 四(二)2(2): 主治医师及以上, across series
@pytest.mark.parametrize(
    ("title", "cross", "physician"),
    [
        # at the threshold (中级)
        ("主治医师", True, True),
        ("中医主治医师", True, True),
        ("主治中医师", True, True),  # the same title, another spelling
        ("主管护师", True, False),
        ("主管药师", True, False),
        ("主管中药师", True, False),
        ("主管技师", True, False),
        # above it (副高级, 正高级)
        ("副主任医师", True, True),
        ("副主任中医师", True, True),
        ("副主任护师", True, False),
        ("主任护师", True, False),
        ("副主任药师", True, False),
        ("主任技师", True, False),
        ("主任医师", True, True),
        # just below it (初级（师）) and further below (初级（士）)
        ("医师", False, False),
        ("住院医师", False, False),
        ("中医师", False, False),
        ("护师", False, False),
        ("药师", False, False),
        ("技师", False, False),
        ("护士", False, False),
        ("医士", False, False),
    ],
)
def test_expert_title_at_above_below_in_each_series(contract: Any, title: str, cross: bool, physician: bool) -> None:
    roster = changed(contract, "HA02", title=title)
    bad = [("staffing.title", "violation", "HA02", EXPERT)]
    assert findings(compute(contract, roster)) == ([] if cross else bad)
    assert findings(compute(contract, roster, {"title_series": "physician_series"})) == ([] if physician else bad)


def test_title_cells_are_normalised(contract: Any) -> None:
    # full-width letters and spaces a spreadsheet leaves: still 主管护师 (中级)
    for title in ("主 管 护 师", "主管护师　", " 主治医师"):
        assert findings(compute(contract, changed(contract, "HA02", title=title))) == []


def test_title_series_reading_is_shown_when_it_judged(contract: Any) -> None:
    r = compute(contract, changed(contract, "HA02", title="主管护师"), {"title_series": "physician_series"})
    (f,) = r.findings
    assert f.message == (
        "HA02 — 医疗专家 (expert): title 主管护师 is of the nursing series; "
        "under the reading physician_series only physician, tcm count for 主治医师及以上"
    )
    assert "title_series" in [i.id for i in r.interpretations]
    below = compute(contract, changed(contract, "HA02", title="护师"))
    assert below.findings[0].message == "HA02 — 医疗专家 (expert): title 护师; the contract requires 主治医师及以上"


@pytest.mark.parametrize("title", ["护士长", "主治医师（内科）", "Attending", "主冶医师"])
def test_unknown_title_is_a_warning_naming_the_id(contract: Any, title: str) -> None:
    r = compute(contract, changed(contract, "HA02", title=title))
    assert findings(r) == [("staffing.unknown_title", "warning", "HA02", EXPERT)]
    assert title not in r.findings[0].message  # never quoted: it may be personal data
    # the quarter's money is computed all the same (五: 699,000 × 25% = 174,750.00)
    assert str(r.amount("quarter_payable")) == "174750.00"


# ------------------------------------------------------------- 四(二)2: 大专以上学历 (no 全日制 in the clause)
# HA01 is the 项目负责人: only the whole-team rule judges the education.
@pytest.mark.parametrize(
    ("education", "counts", "full_time_only"),
    [
        ("大专", True, False),  # at 大专, mode not shown: full_time_only needs it shown (HA01's full_time cell is cleared)
        ("专科", True, False),
        ("专科/大专", True, False),  # two names of one level
        ("大专（全日制）", True, True),  # at 大专, full-time
        ("全日制大专", True, True),
        ("专科(函授)", True, False),  # at 大专, part-time
        ("本科（函授）", True, False),  # above, part-time (full-width brackets)
        ("本科(自考)", True, False),
        ("自考本科", True, False),
        ("本科（成教）", True, False),
        ("本科(网络教育)", True, False),
        ("全日制本科", True, True),
        ("大学本科", True, False),
        ("硕士研究生", True, False),
        ("硕士研究生（全日制）", True, True),
        ("中专", False, False),  # just below 大专
        ("中专（全日制）", False, False),
        ("高中", False, False),
    ],
)
def test_team_education_and_part_time_reading(contract: Any, education: str, counts: bool, full_time_only: bool) -> None:
    roster = changed(contract, "HA01", education=education, full_time=None)
    bad = [("staffing.education", "violation", "HA01", TEAM)]
    assert findings(compute(contract, roster)) == ([] if counts else bad)
    assert findings(compute(contract, roster, {"part_time_education": "full_time_only"})) == ([] if full_time_only else bad)


@pytest.mark.parametrize(("full_time", "ok"), [(True, True), (False, False), (None, False)])
def test_full_time_only_reads_the_full_time_column(contract: Any, full_time: bool | None, ok: bool) -> None:
    # 本科 with no qualifier: the full_time column tells the mode of study
    roster = changed(contract, "HA01", education="本科", full_time=full_time)
    assert findings(compute(contract, roster)) == []  # counts: any mode
    bad = [("staffing.education", "violation", "HA01", TEAM)]
    assert findings(compute(contract, roster, {"part_time_education": "full_time_only"})) == ([] if ok else bad)


def test_part_time_message_names_level_and_qualifier(contract: Any) -> None:
    r = compute(contract, changed(contract, "HA01", education="本科（函授）"), {"part_time_education": "full_time_only"})
    (f,) = r.findings
    assert f.message == (
        "HA01 — 全体成员: education 本科（函授） is not full-time study; "
        "under the reading full_time_only it does not count for 大专及以上"
    )
    assert "part_time_education" in [i.id for i in r.interpretations]


# ------------------------------------------------------------- 四(二)2(3): 全日制大专及以上
def test_part_time_qualifier_fails_full_time_whatever_the_column(contract: Any) -> None:
    # HA04, 医疗专业人员: the cell says 函授 though full_time says true
    roster = changed(contract, "HA04", education="本科（函授）", full_time=True)
    assert findings(compute(contract, roster)) == [("staffing.full_time", "violation", "HA04", MEDICAL)]
    # full_time_only: the whole-team rule does not count it either; the role's rule judges 全日制 once
    assert findings(compute(contract, roster, {"part_time_education": "full_time_only"})) == [
        ("staffing.education", "violation", "HA04", TEAM),
        ("staffing.full_time", "violation", "HA04", MEDICAL),
    ]


def test_full_time_qualifier_stands_for_the_column(contract: Any) -> None:
    roster = changed(contract, "HA04", education="大专(全日制)", full_time=None)  # at the threshold
    assert findings(compute(contract, roster)) == []
    assert findings(compute(contract, roster, {"part_time_education": "full_time_only"})) == []
    below = changed(contract, "HA04", education="中专(全日制)", full_time=None)
    assert findings(compute(contract, below)) == [
        ("staffing.education", "violation", "HA04", TEAM),
        ("staffing.education", "violation", "HA04", MEDICAL),
    ]


# ------------------------------------------------------------- a value no ladder knows never blocks the money
@pytest.mark.parametrize("education", ["大学", "本科（在读）", "大专/本科", "全日制本科(函授)"])
def test_unknown_education_is_a_warning_per_rule(contract: Any, education: str) -> None:
    r = compute(contract, changed(contract, "HA04", education=education))
    assert findings(r) == [
        ("staffing.unknown_education", "warning", "HA04", TEAM),
        ("staffing.unknown_education", "warning", "HA04", MEDICAL),
    ]
    assert all(education not in f.message for f in r.findings)
    assert str(r.amount("quarter_payable")) == "174750.00"


def _roster(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "roster.csv"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


def test_cli_unknown_values_are_warnings_exit_0(run: Any, tmp_path: Path) -> None:
    p = _roster(tmp_path, "HA02,示例乙,经开区,expert,本科,临床医学,1978-09-02,主治医师", "HA02,示例乙,经开区,expert,大学,临床医学,1978-09-02,护士长")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 0, res.err  # warnings only: computed, no violation
    assert [(f["key"], f["severity"], f["scope"]) for f in res.json["findings"]] == [
        ("staffing.unknown_education", "warning", "HA02"),
        ("staffing.unknown_title", "warning", "HA02"),
    ]
    items = {i["key"]: i["amount"] for i in res.json["items"]}
    assert items["quarter_payable"] == "174750.00"
    for cell in ("护士长", "大学", "示例乙"):
        assert cell not in res.out and cell not in res.err


def test_cli_unknown_value_with_a_violation_is_exit_1(run: Any, tmp_path: Path) -> None:
    p = _roster(tmp_path, "主治医师", "护士长")
    p.write_text(p.read_text(encoding="utf-8").replace("1996-05-08", "1980-05-08"), encoding="utf-8")  # HA04: 44 > 35
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 1
    assert {f["key"] for f in res.json["findings"]} == {"staffing.unknown_title", "staffing.age"}


def test_cli_cross_series_title_passes_and_reading_switches(run: Any, tmp_path: Path) -> None:
    p = _roster(tmp_path, "主治医师", "主管护师")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 0 and res.json["findings"] == []
    res = run("compute", CITY, "--roster", str(p), "--reading", "title_series=physician_series", "--format", "json")
    assert res.code == 1
    assert [(f["key"], f["scope"], f["clause"]) for f in res.json["findings"]] == [("staffing.title", "HA02", EXPERT)]


def test_roster_errors_name_the_csv_file(run: Any, tmp_path: Path) -> None:
    p = _roster(tmp_path, "1978-09-02", "1978-13-02")
    res = run("compute", CITY, "--roster", str(p))
    assert res.code == 2
    assert f"{p}: row 3.birth_date" in res.err
    assert "roster: " not in res.err


def test_messages_have_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    # the part after "{id} — {who}: " of each new message, as the model writes it
    messages = [
        "the title is on no level of the contract's title ladder (titles), so 主治医师及以上 is not judged; add it there (under its series and level) if the bureau accepts it",
        "the education is on no level of the contract's education ladder (education), so 大专及以上 is not judged; add it there (a name of its level, or its qualifier under full_time or part_time) if the bureau accepts it",
        "title 主管护师 is of the nursing series; under the reading physician_series only physician, tcm count for 主治医师及以上",
        "title 主管护师 is of the nursing series; for 主治医师及以上 the clause admits only physician",
        "education 本科（函授） is not full-time study; under the reading full_time_only it does not count for 大专及以上",
        "education 本科: full-time study not shown; under the reading full_time_only only full-time study counts for 大专及以上",
        "education 本科（函授） is not full-time study; the contract requires 全日制",
    ]
    assert i18n.untranslated(messages) == []
    monkeypatch.setenv("YIBAO_LANG", "zh")
    whole = i18n.tr("HA02 — 医疗专家 (expert): " + messages[0])
    assert whole.startswith("HA02 — 医疗专家 (expert)：") and "ladder" not in whole
