"""person_rules: per-person qualification rules and role counts, all from
TOML (淮安 四(二)2 shape). A toy contract, term from 2025-02-01."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import ContractQuarter
from yibao.roster import StaffMember

from .toy import toy_contract

d = dt.date


@attrs.frozen
class Facts:
    judged: dt.date | None = None
    quarter: ContractQuarter = ContractQuarter(1)


@attrs.frozen
class QuarterFacts:
    """A facts class that knows its period: the second contract quarter."""

    judged: dt.date | None = None
    quarter: ContractQuarter = ContractQuarter(2)  # 2025-05-01 – 2025-07-31 of the toy term


RULES = """
[[steps]]
model = "person_rules"
clause = "第四条"
as_of = "judged"
unknown_roles = "{unknown}"
age_interpretation = "age"
count_interpretation = "count"
major_categories = {{ medical = ["临床医学", "护理学"], computing = ["软件工程"] }}
education = {{ levels = [["中专"], ["大专", "专科"], ["本科"]], full_time = ["全日制"], part_time = ["函授", "自考"] }}
titles = {{ levels = [
    {{ level = "初级", titles = {{ physician = ["医师"], nursing = ["护师"] }} }},
    {{ level = "中级", titles = {{ physician = ["主治医师"], nursing = ["主管护师"] }} }},
    {{ level = "正高", titles = {{ physician = ["主任医师"], nursing = ["主任护师"] }} }},
] }}

[[steps.rules]]
label = "全体"
count = 3
min_education = "大专"

[[steps.rules]]
role = "doc"
label = "专家"
clause = "第四条(一)"
count = 1
min_title = "主治医师"
min_experience_years = 2

[[steps.rules]]
role = "young"
label = "专业人员"
clause = "第四条(二)"
count = 2
max_age = 35
full_time = true
majors = ["medical", "computing"]

[[interpretations]]
id = "age"
clause = "第四条"
question = "35周岁以下？"
choice = "full_years"
readings.full_years = "周岁"
readings.birthday = "生日"

[[interpretations]]
id = "count"
clause = "第四条"
question = "人数？"
choice = "at_least"
readings.at_least = "至少"
readings.exactly = "恰好"
"""


def load(throwaway_plugin: Any, tmp_path: Path, facts_class: type = Facts, unknown: str = "ignore", body: str | None = None) -> Any:
    return toy_contract(tmp_path, body or RULES.format(unknown=unknown), facts_class)


def member(id: str, role: str, **kw: Any) -> StaffMember:
    base: dict[str, Any] = {"education": "本科", "name": "某某"}
    if role == "doc":
        base |= {"title": "主治医师", "experience_years": D(2)}
    if role == "young":
        base |= {"birth_date": d(1995, 1, 1), "full_time": True, "major": "护理学"}
    return StaffMember(id=id, site="本部", role=role, **(base | kw))


def good() -> list[StaffMember]:
    return [member("D1", "doc"), member("Y1", "young"), member("Y2", "young")]


def with_(staff: list[StaffMember], id: str, **kw: Any) -> list[StaffMember]:
    return [attrs.evolve(m, **kw) if m.id == id else m for m in staff]


def found(contract: Any, staff: list[StaffMember], facts: Any = None) -> list[tuple[str, str, str | None, str]]:
    r = api.compute(contract, facts or Facts(judged=d(2025, 2, 1)), staff)
    return [(f.key, f.severity, f.scope, f.clause) for f in r.findings]


def test_all_good(throwaway_plugin: Any, tmp_path: Path) -> None:
    assert found(load(throwaway_plugin, tmp_path), good()) == []


def test_roster_columns_are_those_the_rules_read(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    assert set(c.roster_columns) == {"education", "title", "experience_years", "birth_date", "full_time", "major"}


@pytest.mark.parametrize(
    ("birth", "full_years", "birthday"),
    [
        (d(1990, 2, 1), True, True),  # exactly 35 on 2025-02-01
        (d(1990, 1, 31), True, False),  # 35 and one day
        (d(1989, 2, 2), True, False),  # the last day of 35
        (d(1989, 2, 1), False, False),  # 36
    ],
)
def test_max_age_boundary(throwaway_plugin: Any, tmp_path: Path, birth: dt.date, full_years: bool, birthday: bool) -> None:
    c = load(throwaway_plugin, tmp_path)
    staff = with_(good(), "Y1", birth_date=birth)
    bad = [("staffing.age", "violation", "Y1", "第四条(二)")]
    assert found(c, staff) == ([] if full_years else bad)
    assert found(c.with_choices({"age": "birthday"}), staff) == ([] if birthday else bad)


def test_29_february_birthday(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    staff = with_(good(), "Y1", birth_date=d(1988, 2, 29))
    assert found(c, staff, Facts(judged=d(2024, 2, 28))) == []  # 35 (36 on 2024-02-29)
    assert found(c, staff, Facts(judged=d(2024, 2, 29)))[0][0] == "staffing.age"
    assert found(c, staff, Facts(judged=d(2023, 2, 28))) == []  # 34


def test_as_of_fallbacks(throwaway_plugin: Any, tmp_path: Path) -> None:
    staff = with_(good(), "Y1", birth_date=d(1989, 3, 1))  # 35 on 2025-02-01, 36 on 2025-05-01
    c = load(throwaway_plugin, tmp_path)
    assert found(c, staff, Facts()) == []  # no as_of, no period_bounds: the term's first day
    q = load(throwaway_plugin, tmp_path, QuarterFacts)
    assert [k for k, *_ in found(q, staff, QuarterFacts())] == ["staffing.age"]  # the period's first day
    assert found(q, staff, QuarterFacts(judged=d(2025, 2, 28))) == []  # the fact wins


def test_age_message_names_id_rule_and_date(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    r = api.compute(c, Facts(judged=d(2025, 2, 1)), with_(good(), "Y1", birth_date=d(1980, 6, 1)))
    (f,) = r.findings
    assert f.message == "Y1 — 专业人员 (young): 44 周岁 on 2025-02-01; the contract requires 35周岁以下 (≤ 35)"
    assert "某某" not in f.message


@pytest.mark.parametrize(
    ("education", "expected"),
    [
        ("大专", []),  # 大专以上 includes 大专
        ("专科", []),  # the same rank
        ("中专", [("staffing.education", "violation", "Y1", "第四条")]),
        (None, [("staffing.education", "violation", "Y1", "第四条")]),  # not shown
    ],
)
def test_min_education(throwaway_plugin: Any, tmp_path: Path, education: str | None, expected: list[Any]) -> None:
    assert found(load(throwaway_plugin, tmp_path), with_(good(), "Y1", education=education)) == expected


def test_education_off_the_ladder_is_a_warning_not_an_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    staff = with_(with_(good(), "Y1", education="大学", row=3), "Y2", education="高职", row=4)
    r = api.compute(load(throwaway_plugin, tmp_path), Facts(judged=d(2025, 2, 1)), staff)
    assert [(f.key, f.severity, f.scope, f.clause) for f in r.findings] == [
        ("staffing.unknown_education", "warning", "Y1", "第四条"),  # every member, the rule not judged
        ("staffing.unknown_education", "warning", "Y2", "第四条"),
    ]
    assert r.findings[0].message.startswith("Y1 — 全体: the education is on no level of the contract's education ladder")
    assert "大学" not in str(r.findings) and "高职" not in str(r.findings)  # a cell is never quoted: it may be personal data


@pytest.mark.parametrize(
    ("education", "counts", "full_time_only"),
    [
        ("本科（函授）", True, False),  # full-width brackets
        ("本科(自考)", True, False),
        ("自考本科", True, False),  # a leading qualifier
        ("全日制本科", True, True),
        ("大专 （全日制）", True, True),  # at the level, full-time, a space
        ("专科(函授)", True, False),  # at the level, part-time
        ("中专(全日制)", False, False),  # below the level whatever the mode
    ],
)
def test_part_time_study_is_an_interpretation(
    throwaway_plugin: Any, tmp_path: Path, education: str, counts: bool, full_time_only: bool
) -> None:
    body = RULES.format(unknown="ignore").replace('age_interpretation = "age"', 'age_interpretation = "age"\neducation_interpretation = "edu"')
    body += '\n[[interpretations]]\nid = "edu"\nclause = "第四条"\nquestion = "非全日制？"\nchoice = "counts"\nreadings.counts = "计入"\nreadings.full_time_only = "只计全日制"\n'
    c = load(throwaway_plugin, tmp_path, body=body)
    staff = with_(good(), "D1", education=education)  # the doc: 全体 needs 大专, no 全日制 rule
    bad = [("staffing.education", "violation", "D1", "第四条")]
    assert found(c, staff) == ([] if counts else bad)
    assert found(c.with_choices({"edu": "full_time_only"}), staff) == ([] if full_time_only else bad)


def test_education_qualifier_decides_full_time(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    ft = [("staffing.full_time", "violation", "Y2", "第四条(二)")]
    assert found(c, with_(good(), "Y2", education="全日制本科", full_time=None)) == []  # the cell says 全日制
    assert found(c, with_(good(), "Y2", education="本科(函授)", full_time=True)) == ft  # the cell says 函授
    assert found(c, with_(good(), "Y2", education="本科", full_time=None)) == ft  # neither says


@pytest.mark.parametrize(
    ("title", "ok"),
    [("主治医师", True), ("主管护师", True), ("主任护师", True), ("医师", False), ("护师", False)],
)
def test_rule_title_series_restricts_the_series(throwaway_plugin: Any, tmp_path: Path, title: str, ok: bool) -> None:
    body = RULES.format(unknown="ignore")
    c = load(throwaway_plugin, tmp_path, body=body)
    assert found(c, with_(good(), "D1", title=title)) == ([] if ok else [("staffing.title", "violation", "D1", "第四条(一)")])
    # a clause that names 医师 itself: the nursing titles do not count, at any level
    narrow = load(throwaway_plugin, tmp_path, body=body.replace('min_title = "主治医师"', 'min_title = "主治医师"\ntitle_series = ["physician"]'))
    ok_narrow = ok and title.endswith("医师")
    assert found(narrow, with_(good(), "D1", title=title)) == ([] if ok_narrow else [("staffing.title", "violation", "D1", "第四条(一)")])


def test_title_off_the_ladder_is_a_warning(throwaway_plugin: Any, tmp_path: Path) -> None:
    r = api.compute(load(throwaway_plugin, tmp_path), Facts(judged=d(2025, 2, 1)), with_(good(), "D1", title="护士长"))
    assert [(f.key, f.severity, f.scope) for f in r.findings] == [("staffing.unknown_title", "warning", "D1")]
    assert "护士长" not in r.findings[0].message


@pytest.mark.parametrize(
    ("title", "ok"), [("主治医师", True), ("主管护师", True), ("主任医师", True), ("医师", False), (None, False)]
)
def test_min_title(throwaway_plugin: Any, tmp_path: Path, title: str | None, ok: bool) -> None:
    out = found(load(throwaway_plugin, tmp_path), with_(good(), "D1", title=title))
    assert out == ([] if ok else [("staffing.title", "violation", "D1", "第四条(一)")])


@pytest.mark.parametrize(("years", "ok"), [(D(2), True), (D("1.99"), False), (None, False)])
def test_min_experience(throwaway_plugin: Any, tmp_path: Path, years: D | None, ok: bool) -> None:
    out = found(load(throwaway_plugin, tmp_path), with_(good(), "D1", experience_years=years))
    assert out == ([] if ok else [("staffing.experience", "violation", "D1", "第四条(一)")])


@pytest.mark.parametrize(("full_time", "ok"), [(True, True), (False, False), (None, False)])
def test_full_time(throwaway_plugin: Any, tmp_path: Path, full_time: bool | None, ok: bool) -> None:
    out = found(load(throwaway_plugin, tmp_path), with_(good(), "Y2", full_time=full_time))
    assert out == ([] if ok else [("staffing.full_time", "violation", "Y2", "第四条(二)")])


@pytest.mark.parametrize(("major", "ok"), [("护理学", True), ("软件工程", True), ("法学", False), (None, False)])
def test_majors_by_category(throwaway_plugin: Any, tmp_path: Path, major: str | None, ok: bool) -> None:
    out = found(load(throwaway_plugin, tmp_path), with_(good(), "Y2", major=major))
    assert out == ([] if ok else [("staffing.major", "violation", "Y2", "第四条(二)")])


def test_rules_apply_only_to_their_role(throwaway_plugin: Any, tmp_path: Path) -> None:
    # a doc's age, major and full_time are not judged; a young member's title is not
    staff = with_(with_(good(), "D1", birth_date=d(1950, 1, 1), full_time=False), "Y1", title="医士")
    assert found(load(throwaway_plugin, tmp_path), staff) == []


@pytest.mark.parametrize(
    ("staff_ids", "at_least", "exactly"),
    [
        (["D1", "Y1", "Y2"], [], []),
        (["Y1", "Y2"], ["第四条", "第四条(一)"], ["第四条", "第四条(一)"]),  # 2 < 3 in all; no doc
        (["D1", "Y1"], ["第四条", "第四条(二)"], ["第四条", "第四条(二)"]),
        (["D1", "Y1", "Y2", "Y3"], [], ["第四条", "第四条(二)"]),  # 4 ≠ 3, 3 young ≠ 2
    ],
)
def test_counts(throwaway_plugin: Any, tmp_path: Path, staff_ids: list[str], at_least: list[str], exactly: list[str]) -> None:
    c = load(throwaway_plugin, tmp_path)
    staff = [m for m in good() + [member("Y3", "young")] if m.id in staff_ids]
    clauses = [cl for k, _, _, cl in found(c, staff) if k == "staffing.count"]
    assert clauses == at_least
    clauses = [cl for k, _, _, cl in found(c.with_choices({"count": "exactly"}), staff) if k == "staffing.count"]
    assert clauses == exactly


def test_count_message(throwaway_plugin: Any, tmp_path: Path) -> None:
    r = api.compute(load(throwaway_plugin, tmp_path), Facts(judged=d(2025, 2, 1)), good()[1:])
    msgs = [f.message for f in r.findings]
    assert msgs == [
        "全体: 2 on the roster, the contract requires at least 3",
        "专家 (doc): 0 on the roster, the contract requires at least 1",
    ]


@pytest.mark.parametrize(("severity", "expected"), [("ignore", []), ("warning", [("staffing.unknown_role", "warning", "X1", "第四条")])])
def test_unknown_roles(throwaway_plugin: Any, tmp_path: Path, severity: str, expected: list[Any]) -> None:
    staff = [*good(), member("X1", "driver")]
    assert found(load(throwaway_plugin, tmp_path, unknown=severity), staff) == expected


def test_several_failures_one_person(throwaway_plugin: Any, tmp_path: Path) -> None:
    staff = with_(good(), "Y1", birth_date=d(1970, 1, 1), full_time=False, major="法学", education="中专")
    assert [k for k, *_ in found(load(throwaway_plugin, tmp_path), staff)] == [
        "staffing.education", "staffing.age", "staffing.full_time", "staffing.major",
    ]


def test_finding_key_prefix(throwaway_plugin: Any, tmp_path: Path) -> None:
    body = RULES.format(unknown="ignore").replace('as_of = "judged"', 'as_of = "judged"\nfinding_key = "team"')
    c = load(throwaway_plugin, tmp_path, body=body)
    assert [k for k, *_ in found(c, with_(good(), "Y1", major="法学"))] == ["team.major"]


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ('min_education = "大专"', 'min_education = "大学"', "steps[0].rules[0].min_education", "'大学' is on no level of education (中专, 大专, 本科)"),
        ('min_title = "主治医师"', 'min_title = "主治"', "steps[0].rules[1].min_title", "'主治' is no title of titles (初级, 中级, 正高)"),
        ('min_title = "主治医师"', 'min_title = "主治医师"\ntitle_series = ["doctor"]', "steps[0].rules[1].title_series", "'doctor' is no series of titles (physician, nursing)"),
        ('nursing = ["主管护师"]', 'nursing = ["主治医师"]', "steps[0].titles.levels[1].titles.nursing[0]", "'主治医师' is already on the ladder at levels[1].titles.physician[0]"),
        ('["本科"]]', '["本科", "大 专"]]', "steps[0].education.levels[2][1]", "'大 专' is already on the ladder at levels[1][0]"),
        ('part_time = ["函授", "自考"]', 'part_time = ["函授", "全日制"]', "steps[0].education.part_time", "全日制 is listed in full_time too"),
        ("titles = { levels = [", "titles = { admitted = { narrow = [\"surgeon\"] }, levels = [", "steps[0].titles.admitted.narrow", "'surgeon' is no series"),
        ('majors = ["medical", "computing"]', 'majors = ["medicine"]', "steps[0].rules[2].majors", "'medicine' is not in major_categories"),
        ("max_age = 35", "max_age = -1", "steps[0].rules[2].max_age", "expected a number ≥ 0"),
        ("max_age = 35", "max_ag = 35", "steps[0].rules[2].max_ag", "did you mean 'max_age'?"),
        ('as_of = "judged"', 'as_of = "judge"', "steps[0].as_of", "did you mean 'judged'?"),
        ('unknown_roles = "ignore"', 'unknown_roles = "loud"', "steps[0].unknown_roles", "expected"),
        ('age_interpretation = "age"', 'age_interpretation = "ages"', "steps[0]", "did you mean 'age'?"),
    ],
)
def test_load_errors_name_the_key(throwaway_plugin: Any, tmp_path: Path, old: str, new: str, path: str, expected: str) -> None:
    body = RULES.format(unknown="ignore")
    assert old in body
    with pytest.raises(InputError) as e:
        load(throwaway_plugin, tmp_path, body=body.replace(old, new, 1))
    hits = [p for p in e.value.problems if p.path == path]
    assert hits and expected in hits[0].message, e.value.problems


def test_missing_column_is_input_error(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path)
    p = tmp_path / "staff.csv"
    p.write_text("id,name,site,role,education,title,experience_years,full_time,major\nD1,某,本部,doc,本科,主治医师,3,true,\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        api.load_roster(p, c)
    assert [(x.path, x.message.split(" (")[0]) for x in e.value.problems] == [("header", "missing column 'birth_date'")]
