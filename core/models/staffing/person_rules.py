"""The ``person_rules`` model (staffing): Per-person qualification rules of a staffing clause, and the number of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ...dates import age_on, anniversary
from ...errors import FieldError, InputError, Problem
from ...money import fmt_number
from ...operands import date_ref
from ..base import Model, StepContext, date_value


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
    - ``min_education``: ``education`` ranks at least this on ``education_ranks``;
    - ``full_time``: ``true`` — the education was full-time study (全日制);
    - ``majors``: ``major`` is listed under one of these ``major_categories``;
    - ``min_title``: ``title`` ranks at least this on ``title_ranks``;
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
    ladders ``education_ranks`` and ``title_ranks`` (value -> rank; equal
    ranks are equivalents, a higher rank is a higher level) and
    ``major_categories`` (category -> majors, following the national
    catalogue of majors; users extend it). The roster is judged on ``as_of``
    (a facts key holding a date) when that fact is given, else on the first
    day of the period computed.

    Each member failing a requirement is a ``violation`` finding
    ``<finding_key>.<requirement>`` (``count``, ``age``, ``education``,
    ``full_time``, ``major``, ``title``, ``experience``) whose scope and
    message name the roster ``id`` — never the name — with the rule and its
    clause; an empty cell a rule needs fails it (not shown). A roster value
    that is not on a ladder is an input error naming row and column.
    ``unknown_roles`` sets the severity of a finding for members whose role
    no rule names. ``age_interpretation`` names the interpretation whose
    choice ``birthday`` ends "N周岁以下" on the N-th birthday (``full_years``,
    the default reading, allows every day of age N in 周岁).
    ``count_interpretation`` names the interpretation whose choice
    ``exactly`` requires exactly ``count`` members (``at_least``, the
    default, requires at least ``count``).
    """

    name = "person_rules"
    stage = "staffing"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        rules: tuple[PersonRule, ...]
        as_of: str | None = attrs.field(default=None, converter=_as_of_ref)
        education_ranks: dict[str, int] = attrs.Factory(dict)
        title_ranks: dict[str, int] = attrs.Factory(dict)
        major_categories: dict[str, tuple[str, ...]] = attrs.Factory(dict)
        unknown_roles: str = attrs.field(default="ignore")
        finding_key: str = "staffing"
        age_interpretation: str | None = None
        count_interpretation: str | None = None

        @unknown_roles.validator
        def _check_unknown(self, attribute: Any, value: str) -> None:
            if value not in ("ignore", "info", "warning", "violation"):
                raise FieldError("unknown_roles", f"expected one of ignore, info, warning, violation, got {value!r}")

        def __attrs_post_init__(self) -> None:
            if not self.rules:
                raise FieldError("rules", "expected at least one [[steps.rules]] entry")
            for i, r in enumerate(self.rules):
                if r.min_education is not None and r.min_education not in self.education_ranks:
                    raise FieldError(
                        f"rules[{i}].min_education",
                        f"{r.min_education!r} is not in education_ranks ({', '.join(self.education_ranks) or 'empty'})",
                    )
                if r.min_title is not None and r.min_title not in self.title_ranks:
                    raise FieldError(
                        f"rules[{i}].min_title",
                        f"{r.min_title!r} is not in title_ranks ({', '.join(self.title_ranks) or 'empty'})",
                    )
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
        problems: list[Problem] = []
        for m in staff:
            for r in p.rules:
                if r.role is not None and m.role != r.role:
                    continue
                for what, message in self._failures(p, r, m, on, by_birthday, problems):
                    ctx.finding(
                        f"{p.finding_key}.{what}",
                        "violation",
                        f"{m.id} — {r.who}: {message}",
                        scope=m.id,
                        clause=r.clause or clause,
                    )
        if problems:
            raise InputError(problems)
        return {}

    @staticmethod
    def _failures(
        p: Any, r: PersonRule, m: Any, on: dt.date, by_birthday: bool, problems: list[Problem]
    ) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []

        def rank(ladder: dict[str, int], column: str, value: str) -> int | None:
            if value in ladder:
                return ladder[value]
            problems.append(
                Problem(  # the cell's value is not quoted: it may be personal data in a wrong column
                    getattr(m, "file", None) or "roster",
                    f"row {m.row}.{column}",
                    f"expected one of {', '.join(ladder)} (id {m.id}); "
                    f"a value the contract's {column}_ranks lacks can be added there",
                )
            )
            return None

        if r.max_age is not None:
            if m.birth_date is None:
                out.append(("age", f"birth_date not given: {r.max_age}周岁以下 not shown"))
            elif by_birthday:
                limit = anniversary(m.birth_date, r.max_age)
                if on > limit:
                    out.append(("age", f"turned {r.max_age} on {limit}, before {on}; the contract requires {r.max_age}周岁以下 (reading: up to the {r.max_age}th birthday)"))
            else:
                age = age_on(m.birth_date, on)
                if age > r.max_age:
                    out.append(("age", f"{age} 周岁 on {on}; the contract requires {r.max_age}周岁以下 (≤ {r.max_age})"))
        if r.min_education is not None:
            if m.education is None:
                out.append(("education", f"education not given: {r.min_education}及以上 not shown"))
            else:
                got = rank(p.education_ranks, "education", m.education)
                if got is not None and got < p.education_ranks[r.min_education]:
                    out.append(("education", f"education {m.education}; the contract requires {r.min_education}及以上"))
        if r.full_time:
            if m.full_time is None:
                out.append(("full_time", "full_time not given: 全日制 not shown"))
            elif not m.full_time:
                out.append(("full_time", "education not full-time; the contract requires 全日制"))
        if r.majors is not None:
            allowed = {x for c in r.majors for x in p.major_categories[c]}
            if m.major is None:
                out.append(("major", f"major not given: a {'/'.join(r.majors)} major not shown"))
            elif m.major not in allowed:
                out.append(
                    ("major", f"major is in none of the categories {'/'.join(r.majors)} (major_categories; extend it if the national catalogue lists it there)")
                )
        if r.min_title is not None:
            if m.title is None:
                out.append(("title", f"title not given: {r.min_title}及以上 not shown"))
            else:
                got = rank(p.title_ranks, "title", m.title)
                if got is not None and got < p.title_ranks[r.min_title]:
                    out.append(("title", f"title {m.title}; the contract requires {r.min_title}及以上"))
        if r.min_experience_years is not None:
            need = r.min_experience_years
            if m.experience_years is None:
                out.append(("experience", f"experience_years not given: {fmt_number(need)}年以上 not shown"))
            elif m.experience_years < need:
                out.append(
                    ("experience", f"{fmt_number(m.experience_years)} years of experience; the contract requires {fmt_number(need)}年以上 (≥ {fmt_number(need)})")
                )
        return out


#: the models of this family, registered by name (:mod:`yibao.models`)


MODELS: tuple[type[Model], ...] = (PersonRules,)
