"""The ``person_rules`` model (staffing): Per-person qualification rules of a staffing clause, and the number of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ...dates import age_on, anniversary
from ...errors import FieldError
from ...money import fmt_number
from ...operands import date_ref
from ..base import Model, StepContext, date_value
from .ladders import Education, EducationLadder, TitleLadder


def _non_negative_opt(_: Any, attribute: Any, value: Any) -> None:
    if value is not None and value < 0:
        raise FieldError(attribute.name, f"expected a number ≥ 0, got {value}")


@attrs.frozen(eq=False, repr=False, slots=False)
class PersonRule:
    """One requirement of a staffing clause for the members of one ``role``
    (every member when ``role`` is omitted). Each limit is inclusive, as
    "35周岁以下", "大专以上", "10年以上", "主治医师及以上" are:

    - ``count``: members of the role (at least, or exactly — see
      ``count_interpretation``);
    - ``max_age``: age in 周岁 on the day judged is at most this;
    - ``min_education``: ``education`` is at this level of the ``education``
      ladder or above;
    - ``full_time``: ``true`` — the education was full-time study (全日制):
      the ``full_time`` column says so, or the education's qualifier does
      (``全日制本科``), and neither says otherwise (``本科(函授)``);
    - ``majors``: ``major`` is listed under one of these ``major_categories``;
    - ``min_title``: ``title`` is at the level of this title on the
      ``titles`` ladder or above, in a series admitted (below);
    - ``title_series``: the series whose titles count for ``min_title``,
      where the clause itself names them (default: those the reading of
      ``title_interpretation`` admits — every series of the ladder unless
      the ladder's ``admitted`` says otherwise);
    - ``min_experience_years``: ``experience_years`` is at least this.
    """

    role: str | None = None
    label: str | None = None
    clause: str | None = None
    count: int | None = attrs.field(default=None, validator=_non_negative_opt)
    max_age: int | None = attrs.field(default=None, validator=_non_negative_opt)
    min_education: str | None = None
    full_time: bool | None = None
    majors: tuple[str, ...] | None = None
    min_title: str | None = None
    title_series: tuple[str, ...] | None = None
    min_experience_years: Decimal | None = attrs.field(default=None, validator=_non_negative_opt)

    @property
    def who(self) -> str:
        if self.label and self.role:
            return f"{self.label} ({self.role})"
        return self.label or (f"role {self.role!r}" if self.role else "every member")


#: roster column each requirement reads
_RULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("max_age", "birth_date"),
    ("min_education", "education"),
    ("full_time", "full_time"),
    ("majors", "major"),
    ("min_title", "title"),
    ("min_experience_years", "experience_years"),
)


def _as_of_ref(raw: Any) -> Any:
    return date_ref("as_of", raw)


class PersonRules(Model):
    """Per-person qualification rules of a staffing clause, and the number of
    members of each role (淮安 四(二)2: 9人团队 — 项目负责人 1人 45周岁以下、
    10年以上管理经验; 医疗专家 2人 主治医师及以上、1年以上; 医疗专业人员
    3人 医学类、药学类全日制大专及以上、35周岁以下; …; 全体成员大专以上).

    Everything comes from TOML: ``rules`` (see :class:`PersonRule`), the
    ladders ``education`` (:class:`~yibao.models.staffing.ladders.EducationLadder`:
    levels low to high with their names, and the qualifiers of full-time and
    part-time study) and ``titles``
    (:class:`~yibao.models.staffing.ladders.TitleLadder`: levels low to high,
    each with its titles by series — 主治医师, 中医主治医师, 主管护师, 主管药师,
    主管技师 are all 中级), and ``major_categories`` (category -> majors,
    following the national catalogue of majors; users extend it). The roster
    is judged on ``as_of`` (a facts key holding a date) when that fact is
    given, else on the first day of the period computed.

    Each member failing a requirement is a ``violation`` finding
    ``<finding_key>.<requirement>`` (``count``, ``age``, ``education``,
    ``full_time``, ``major``, ``title``, ``experience``) whose scope and
    message name the roster ``id`` — never the name — with the rule and its
    clause; an empty cell a rule needs fails it (not shown). A title or an
    education the ladder does not know never stops the computation: it is a
    ``warning`` ``<finding_key>.unknown_title`` / ``.unknown_education``
    naming the roster id, and the rule is not judged for that member (the
    cell is not quoted; the ladder can be extended in the TOML).
    ``unknown_roles`` sets the severity of a finding for members whose role
    no rule names. ``age_interpretation`` names the interpretation whose
    choice ``birthday`` ends "N周岁以下" on the N-th birthday (``full_years``,
    the default reading, allows every day of age N in 周岁).
    ``count_interpretation`` names the interpretation whose choice
    ``exactly`` requires exactly ``count`` members (``at_least``, the
    default, requires at least ``count``). ``title_interpretation`` names
    the interpretation whose choice picks the series admitted from the
    ladder's ``admitted`` (a choice it does not list admits every series).
    ``education_interpretation`` names the interpretation whose choice
    ``full_time_only`` counts an education towards ``min_education`` only
    when it was full-time study (any other choice counts part-time study —
    函授, 自考, 成教, 网络 — at its level); a rule that itself requires
    ``full_time`` judges that under ``full_time`` instead.
    """

    name = "person_rules"
    stage = "staffing"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        rules: tuple[PersonRule, ...]
        as_of: str | None = attrs.field(default=None, converter=_as_of_ref)
        education: EducationLadder | None = None
        titles: TitleLadder | None = None
        major_categories: dict[str, tuple[str, ...]] = attrs.Factory(dict)
        unknown_roles: str = attrs.field(default="ignore")
        finding_key: str = "staffing"
        age_interpretation: str | None = None
        count_interpretation: str | None = None
        title_interpretation: str | None = None
        education_interpretation: str | None = None

        @unknown_roles.validator
        def _check_unknown(self, attribute: Any, value: str) -> None:
            if value not in ("ignore", "info", "warning", "violation"):
                raise FieldError("unknown_roles", f"expected one of ignore, info, warning, violation, got {value!r}")

        def __attrs_post_init__(self) -> None:
            if not self.rules:
                raise FieldError("rules", "expected at least one [[steps.rules]] entry")
            for i, r in enumerate(self.rules):
                if r.min_education is not None and (self.education is None or self.education.rank_of(r.min_education) is None):
                    levels = ", ".join(lv[0] for lv in self.education.levels) if self.education else "no education table"
                    raise FieldError(f"rules[{i}].min_education", f"{r.min_education!r} is on no level of education ({levels})")
                if r.min_title is not None and (self.titles is None or self.titles.find(r.min_title) is None):
                    levels = ", ".join(lv.level for lv in self.titles.levels) if self.titles else "no titles table"
                    raise FieldError(f"rules[{i}].min_title", f"{r.min_title!r} is no title of titles ({levels})")
                if r.title_series is not None:
                    known = self.titles.series if self.titles else ()
                    for s in r.title_series:
                        if s not in known:
                            raise FieldError(f"rules[{i}].title_series", f"{s!r} is no series of titles ({', '.join(known) or 'none'})")
                for m in r.majors or ():
                    if m not in self.major_categories:
                        raise FieldError(
                            f"rules[{i}].majors",
                            f"{m!r} is not in major_categories ({', '.join(self.major_categories) or 'empty'})",
                        )

    @classmethod
    def roster_columns(cls, params: Any) -> tuple[str, ...]:
        cols: dict[str, None] = {}
        for rule in params.rules:
            for field, column in _RULE_COLUMNS:
                if getattr(rule, field) is not None:
                    cols[column] = None
        return tuple(cols)

    @staticmethod
    def judged_on(p: Any, ctx: StepContext) -> dt.date:
        """The day the roster is judged on (see the class docstring)."""
        if p.as_of is not None:
            day = date_value(ctx, p.as_of)
            if day is not None:
                return day
        return ctx.period_bounds[0]

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        staff = tuple(ctx.roster or ())
        on = self.judged_on(p, ctx)
        clause = ctx.clause
        if any(r.count is not None for r in p.rules):
            exactly = bool(p.count_interpretation) and ctx.choice(p.count_interpretation) == "exactly"
            for r in p.rules:
                if r.count is None:
                    continue
                n = sum(1 for m in staff if r.role is None or m.role == r.role)
                if n < r.count or (exactly and n != r.count):
                    need = "exactly" if exactly else "at least"
                    ctx.finding(
                        f"{p.finding_key}.count",
                        "violation",
                        f"{r.who}: {n} on the roster, the contract requires {need} {r.count}",
                        clause=r.clause or clause,
                    )
        roles = {r.role for r in p.rules if r.role is not None}
        if p.unknown_roles != "ignore" and roles:
            for m in staff:
                if m.role not in roles:
                    ctx.finding(
                        f"{p.finding_key}.unknown_role",
                        p.unknown_roles,
                        f"{m.id}: the role is none of the contract's roles ({', '.join(sorted(roles))})",  # not quoted: may be personal data
                        scope=m.id,
                        clause=clause,
                    )
        by_birthday = any(r.max_age is not None for r in p.rules) and bool(p.age_interpretation) and (
            ctx.choice(p.age_interpretation) == "birthday"
        )
        for m in staff:
            for r in p.rules:
                if r.role is not None and m.role != r.role:
                    continue
                for what, severity, message in self._failures(p, r, m, on, by_birthday, ctx):
                    ctx.finding(
                        f"{p.finding_key}.{what}",
                        severity,
                        f"{m.id} — {r.who}: {message}",
                        scope=m.id,
                        clause=r.clause or clause,
                    )
        return {}

    @staticmethod
    def _failures(
        p: Any, r: PersonRule, m: Any, on: dt.date, by_birthday: bool, ctx: StepContext
    ) -> list[tuple[str, str, str]]:
        """(requirement, severity, message) for each requirement of ``r``
        that member ``m`` fails or that cannot be judged. No message quotes a
        cell the ladders do not know: it may be personal data in a wrong
        column; a known value is shown by the ladder's own name for it."""
        out: list[tuple[str, str, str]] = []
        edu: Education | None = None
        if m.education is not None and p.education is not None:
            edu = p.education.find(m.education)
        if r.max_age is not None:
            if m.birth_date is None:
                out.append(("age", "violation", f"birth_date not given: {r.max_age}周岁以下 not shown"))
            elif by_birthday:
                limit = anniversary(m.birth_date, r.max_age)
                if on > limit:
                    out.append(("age", "violation", f"turned {r.max_age} on {limit}, before {on}; the contract requires {r.max_age}周岁以下 (reading: up to the {r.max_age}th birthday)"))
            else:
                age = age_on(m.birth_date, on)
                if age > r.max_age:
                    out.append(("age", "violation", f"{age} 周岁 on {on}; the contract requires {r.max_age}周岁以下 (≤ {r.max_age})"))
        if r.min_education is not None:
            out.extend(_education(p, r, m, edu, ctx))
        if r.full_time:
            if edu is not None and edu.full_time is False:
                out.append(("full_time", "violation", f"education {edu.shown} is not full-time study; the contract requires 全日制"))
            elif m.full_time is None and (edu is None or edu.full_time is None):
                out.append(("full_time", "violation", "full_time not given: 全日制 not shown"))
            elif m.full_time is False:
                out.append(("full_time", "violation", "education not full-time; the contract requires 全日制"))
        if r.majors is not None:
            allowed = {x for c in r.majors for x in p.major_categories[c]}
            if m.major is None:
                out.append(("major", "violation", f"major not given: a {'/'.join(r.majors)} major not shown"))
            elif m.major not in allowed:
                out.append(
                    ("major", "violation", f"major is in none of the categories {'/'.join(r.majors)} (major_categories; extend it if the national catalogue lists it there)")
                )
        if r.min_title is not None:
            out.extend(_title(p, r, m, ctx))
        if r.min_experience_years is not None:
            need = r.min_experience_years
            if m.experience_years is None:
                out.append(("experience", "violation", f"experience_years not given: {fmt_number(need)}年以上 not shown"))
            elif m.experience_years < need:
                out.append(
                    ("experience", "violation", f"{fmt_number(m.experience_years)} years of experience; the contract requires {fmt_number(need)}年以上 (≥ {fmt_number(need)})")
                )
        return out


def _education(p: Any, r: PersonRule, m: Any, edu: Education | None, ctx: StepContext) -> list[tuple[str, str, str]]:
    """(requirement, severity, message) of ``min_education`` for one member."""
    need = r.min_education
    assert need is not None
    if m.education is None:
        return [("education", "violation", f"education not given: {need}及以上 not shown")]
    if edu is None:
        return [("unknown_education", "warning", f"the education is on no level of the contract's education ladder (education), so {need}及以上 is not judged; add it there (a name of its level, or its qualifier under full_time or part_time) if the bureau accepts it")]
    ladder: EducationLadder = p.education
    if edu.rank < (ladder.rank_of(need) or 0):
        return [("education", "violation", f"education {edu.shown}; the contract requires {need}及以上")]
    if r.full_time or p.education_interpretation is None:
        return []  # a rule requiring 全日制 judges it under full_time
    studied = False if (edu.full_time is False or m.full_time is False) else (edu.full_time or m.full_time)
    if studied:
        return []
    reading = ctx.choice(p.education_interpretation)
    if reading != "full_time_only":
        return []
    if studied is None:
        return [("education", "violation", f"education {edu.shown}: full-time study not shown; under the reading {reading} only full-time study counts for {need}及以上")]
    return [("education", "violation", f"education {edu.shown} is not full-time study; under the reading {reading} it does not count for {need}及以上")]


def _title(p: Any, r: PersonRule, m: Any, ctx: StepContext) -> list[tuple[str, str, str]]:
    """(requirement, severity, message) of ``min_title`` for one member."""
    need = r.min_title
    assert need is not None
    if m.title is None:
        return [("title", "violation", f"title not given: {need}及以上 not shown")]
    ladder: TitleLadder = p.titles
    got = ladder.find(m.title)
    if got is None:
        return [("unknown_title", "warning", f"the title is on no level of the contract's title ladder (titles), so {need}及以上 is not judged; add it there (under its series and level) if the bureau accepts it")]
    series, level, title = got
    required = ladder.find(need)
    assert required is not None  # checked at load
    need_level = required[1]
    if level < need_level:
        return [("title", "violation", f"title {title}; the contract requires {need}及以上")]
    if r.title_series is not None and series not in r.title_series:
        return [("title", "violation", f"title {title} is of the {series} series; for {need}及以上 the clause admits only {', '.join(r.title_series)}")]
    if p.title_interpretation is not None:
        reading = ctx.choice(p.title_interpretation)
        admitted = ladder.admits(reading)
        if series not in admitted:
            return [("title", "violation", f"title {title} is of the {series} series; under the reading {reading} only {', '.join(admitted)} count for {need}及以上")]
    return []


#: the models of this family, registered by name (:mod:`yibao.models`)


MODELS: tuple[type[Model], ...] = (PersonRules,)
