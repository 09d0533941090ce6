"""2026-2028 年度洛阳市城乡居民基本医疗保险委托经办服务协议 — the Luoyang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses: the quarterly per-capita fee, the audit, breach and assessment
deductions, the year-end true-up and the staffing minimums by site and role.
This module declares the contract, the shape of a period's facts (a quarter
``"2026Q1"`` or a year ``"2026"``), and the little the steps cannot say:

- risk sharing: the insurer bears no fund overspend risk (第一条), said as an
  ``info`` finding built from the contract's ``fund_overspend_risk`` term;
- the assessment-table interpretation (第三条(五)) is recorded each quarter,
  and under its ``score_required`` reading a quarter without a score is an
  input error;
- a roster role the contract's head-count steps do not count, or a roster
  site that is neither 市本级 nor a 县区 they list, is a warning naming the
  roster ``id`` (a typo would otherwise be silently left out, or silently
  counted as a county);
- the audit may be given per level (``[[audit_levels]]``: 市本级 = the
  市医保中心's audit, and each 县区's, 第三条(三)); the facts check that each
  level's site is one the contract knows and, under the default reading of
  ``audit_levels``, that the levels give the counts the overall rate is
  formed from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from yibao.errors import FieldError, closest
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative, rate_0_1, score_0_100
from yibao.periods import Quarter, Year
from yibao.spec import declare_contract
from yibao.values import Value

#: interpretation ids this module reads (their readings are in contract.toml)
ASSESSMENT_TABLE = "assessment_table"
#: the [[terms]] entry whose text the risk-sharing finding repeats
FUND_RISK_TERM = "fund_overspend_risk"
#: 第三条(三): one overall pass rate (default) or each level tested
AUDIT_LEVELS = "audit_levels"
#: 第四条(一)2: which sites are 县区 (their names are in the head-count steps)
COUNTY_SITES = "county_sites"

def _at_least_one(_: Any, attribute: Any, value: int) -> None:
    if value < 1:
        raise FieldError(attribute.name, f"expected at least 1 file sampled, got {value}")


def _not_above_sampled(self: Any, attribute: Any, value: int) -> None:
    if value > self.sampled:
        raise FieldError(
            "passed", f"expected at most the {self.sampled} files sampled to pass, got {value}"
        )


@attrs.frozen(eq=False, repr=False, slots=False)
class Audit(Value):
    """A quarter's 稽核 result (第三条(三)): files sampled, files that passed."""

    sampled: int = attrs.field(validator=_at_least_one, metadata={"label": "稽核抽查件数", "clause": "第三条(三)"})
    passed: int = attrs.field(validator=[non_negative, _not_above_sampled], metadata={"label": "稽核合格件数", "clause": "第三条(三)"})


def _optional_at_least_one(_: Any, attribute: Any, value: int | None) -> None:
    if value is not None and value < 1:
        raise FieldError(attribute.name, f"expected at least 1 file sampled, got {value}")


def _level_passed(self: Any, attribute: Any, value: int | None) -> None:
    if value is not None and self.sampled is not None and value > self.sampled:
        raise FieldError(
            "passed", f"expected at most the {self.sampled} files sampled to pass, got {value}"
        )


@attrs.frozen(eq=False, repr=False, slots=False)
class AuditLevel(Value):
    """One level's 稽核 in the quarter (第三条(三): 市医保中心、县区医疗保障部门
    每季度…稽核): ``site`` = ``市本级`` (the 市医保中心) or a 县区, and its
    ``pass_rate`` or the files ``sampled`` and ``passed``."""

    site: str = attrs.field(metadata={"label": "稽核级别（市本级或县区）", "clause": "第三条(三)"})
    pass_rate: Decimal | None = attrs.field(default=None, validator=rate_0_1, metadata={"label": "该级稽核合格率", "clause": "第三条(三)"})
    sampled: int | None = attrs.field(default=None, validator=_optional_at_least_one, metadata={"label": "该级稽核抽查件数", "clause": "第三条(三)"})
    passed: int | None = attrs.field(default=None, validator=[non_negative, _level_passed], metadata={"label": "该级稽核合格件数", "clause": "第三条(三)"})

    @property
    def counted(self) -> bool:
        """Both counts are given (the level can be pooled into an overall rate)."""
        return self.sampled is not None and self.passed is not None

    @property
    def rate(self) -> Decimal:
        """``pass_rate``, or ``passed ÷ sampled`` (exact)."""
        if self.pass_rate is not None:
            return self.pass_rate
        assert self.sampled is not None and self.passed is not None  # validate_against requires one form
        return Decimal(self.passed) / Decimal(self.sampled)


@attrs.frozen(eq=False, repr=False, slots=False)
class LuoyangFacts(Value):
    """A period's facts: a quarter (``"2026Q1"``) for the quarterly payment,
    or a year (``"2026"``) for the year-end settlement (第三条(五))."""

    period: Quarter | Year = attrs.field(metadata={"label": "期间（季度或年度）", "clause": "第三条(五)"})
    #: 上年度城乡居民基本医保参保人数: the basis of every quarterly payment
    enrolled_prior_year: int = attrs.field(validator=non_negative, metadata={"label": "上年度参保人数", "clause": "第三条(四)"})
    #: 当年实际参保人数: year-end settlement only
    enrolled_actual: int | None = attrs.field(default=None, validator=non_negative, metadata={"label": "当年实际参保人数（年终清算）", "clause": "第三条(五)"})
    #: year-end only: the four quarters' fees as actually advanced (第三条(五),
    #: before the deductions settled with each quarter); in a series, the
    #: quarters' ``quarter_fee`` when left out; alone, four × this file's ``quarter_fee``
    quarter_fees_paid: Decimal | None = attrs.field(default=None, validator=non_negative)
    #: quarter only: what the bureau actually paid for this quarter (第三条(四));
    #: left out, nothing is taken as paid and the net is the quarter's payable
    quarter_paid: Decimal | None = attrs.field(default=None, validator=non_negative, metadata={"label": "本季度已拨付经办费（元）", "clause": "第三条(四)"})
    #: 稽核合格率 (0–1, or "89.9%"); or give ``[audit]`` with the counts
    audit_pass_rate: Decimal | None = attrs.field(default=None, validator=rate_0_1, metadata={"label": "稽核合格率", "clause": "第三条(三)"})
    audit: Audit | None = attrs.field(default=None, metadata={"label": "稽核", "clause": "第三条(三)"})
    #: 第三条(三) per level: 市本级 (市医保中心) and each 县区; see the reading audit_levels
    audit_levels: tuple[AuditLevel, ...] = attrs.field(default=(), metadata={"label": "分级稽核结果", "clause": "第三条(三)"})
    #: 第五条(二) failures counted in the quarter (default 0)
    breaches: int | None = attrs.field(default=None, validator=non_negative, metadata={"label": "未按要求履职次数", "clause": "第五条(二)"})
    #: 考核得分 (第三条(五)), 0–100; optional
    score: Decimal | None = attrs.field(default=None, validator=score_0_100, metadata={"label": "考核得分", "clause": "第三条(五)"})
    #: staff roster CSV, relative to the facts file
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})

    @property
    def audit_rate(self) -> Decimal | None:
        """The overall pass rate: ``audit_pass_rate``, or ``audit.passed ÷
        audit.sampled``, or — only ``[[audit_levels]]`` given, all with
        counts — the files passed over the files sampled at every level
        together (exact, never rounded)."""
        if self.audit_pass_rate is not None:
            return self.audit_pass_rate
        if self.audit is not None:
            return Decimal(self.audit.passed) / Decimal(self.audit.sampled)
        pooled = self._levels_pooled()
        if pooled is not None:
            passed, sampled = pooled
            return Decimal(passed) / Decimal(sampled)
        return None

    def _levels_pooled(self) -> tuple[int, int] | None:
        """(files passed, files sampled) over every ``[[audit_levels]]``
        entry, when all give their counts; else None."""
        if not self.audit_levels or not all(lv.counted for lv in self.audit_levels):
            return None
        return sum(lv.passed or 0 for lv in self.audit_levels), sum(lv.sampled or 0 for lv in self.audit_levels)

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if self.period.kind == "year":
            if self.enrolled_actual is None:
                problems.append(
                    ("enrolled_actual", "required for the year-end settlement (当年实际参保人数)")
                )
            for key in ("audit_pass_rate", "audit", "breaches", "score", "quarter_paid"):
                if getattr(self, key) is not None:
                    problems.append(
                        (
                            key,
                            "a quarter's fact: the year-end settlement does not use it "
                            "(deductions are settled with each quarter; give it in that quarter's facts)",
                        )
                    )
            if self.audit_levels:
                problems.append(
                    (
                        "audit_levels",
                        "a quarter's fact: the year-end settlement does not use it "
                        "(deductions are settled with each quarter; give it in that quarter's facts)",
                    )
                )
            return problems
        if self.quarter_fees_paid is not None:
            problems.append(("quarter_fees_paid", "used only by the year-end settlement (period such as '2026'): the four quarters' fees as advanced"))
        if self.enrolled_actual is not None:
            problems.append(
                (
                    "enrolled_actual",
                    "used only by the year-end settlement (period such as '2026'); "
                    "a quarter is paid on enrolled_prior_year",
                )
            )
        if self.audit_pass_rate is None and self.audit is None and not self.audit_levels:
            problems.append(
                (
                    "audit_pass_rate",
                    "required for a quarter: give audit_pass_rate (0–1), [audit] with sampled and passed, or [[audit_levels]]",
                )
            )
        elif self.audit_pass_rate is not None and self.audit is not None:
            problems.append(("audit", "give either audit_pass_rate or [audit], not both"))
        problems.extend(self._level_problems(contract))
        interp = contract.interpretations.get(ASSESSMENT_TABLE)
        if self.score is None and interp is not None and interp.choice == "score_required":
            problems.append(
                ("score", f"required under the reading {ASSESSMENT_TABLE} = score_required ({interp.clause})")
            )
        return problems

    def _level_problems(self, contract: Any) -> list[tuple[str, str]]:
        """``[[audit_levels]]``: one form per level, each site once and known
        to the contract, and — under the default reading, without an overall
        rate — the counts the overall rate is formed from."""
        problems: list[tuple[str, str]] = []
        if not self.audit_levels:
            return problems
        interp = contract.interpretations.get(AUDIT_LEVELS)
        each_level = interp is not None and interp.choice == "each_level"
        listed, any_other = _known_sites(contract)
        seen: set[str] = set()
        for i, lv in enumerate(self.audit_levels):
            at = f"audit_levels[{i}]"
            if lv.pass_rate is not None and (lv.sampled is not None or lv.passed is not None):
                problems.append((f"{at}.pass_rate", "give either pass_rate or sampled and passed, not both"))
            elif lv.pass_rate is None and not lv.counted:
                missing = "passed" if lv.sampled is not None else "sampled"
                problems.append((f"{at}.{missing}", "expected pass_rate (0–1), or sampled and passed"))
            elif not lv.counted and not each_level and self.audit_pass_rate is None and self.audit is None:
                problems.append(
                    (
                        f"{at}.pass_rate",
                        f"the overall pass rate ({AUDIT_LEVELS} = overall, 第三条(三)) is the files passed over the files "
                        "sampled at every level: give sampled and passed here, or the overall audit_pass_rate or [audit]",
                    )
                )
            if lv.site in seen:
                problems.append((f"{at}.site", "expected each level once: this site is given twice"))
            seen.add(lv.site)
            if listed and not any_other and lv.site not in listed:
                hint = closest(lv.site, listed)
                problems.append(
                    (
                        f"{at}.site",
                        "expected 市本级 (the 市医保中心's audit) or a 县区 of the contract's staffing steps (reading "
                        f"{COUNTY_SITES})" + (f"; did you mean {hint!r}?" if hint else ""),
                    )
                )
        pooled = self._levels_pooled()
        if self.audit is not None and pooled is not None:
            passed, sampled = pooled
            if (sampled, passed) != (self.audit.sampled, self.audit.passed):
                problems.append(
                    (
                        "audit_levels",
                        f"expected the levels to add up to [audit] ({self.audit.passed} of {self.audit.sampled}); "
                        f"they add up to {passed} of {sampled}",
                    )
                )
        return problems


def _known_sites(contract: Any) -> tuple[tuple[str, ...], bool]:
    """The sites the head-count steps name (市本级 and the 县区), and whether
    the reading ``county_sites = any_other`` counts any other site as a 县区."""
    sites: dict[str, None] = {}
    for b in contract.steps:
        if b.step.model == "headcount":
            sites.update(dict.fromkeys(b.params.sites or ()))
            sites.update(dict.fromkeys(b.params.exclude_sites or ()))
    interp = contract.interpretations.get(COUNTY_SITES)
    return tuple(sites), interp is not None and interp.choice == "any_other"


yibao_register_contracts = declare_contract(
    __file__,
    name="luoyang",
    facts_class=LuoyangFacts,
    examples=("2026Q1.toml", "2026.toml"),
    description="洛阳市城乡居民医保委托经办（中国人寿，2026–2028）",
)


@hookimpl
def yibao_share_risk(contract: Any, facts: Any, ledger: Any) -> None:
    """第一条: the insurer bears no fund overspend risk — said, not left silent."""
    for term in contract.doc.terms:
        if term.key == FUND_RISK_TERM:
            ledger.finding("risk.not_borne", "info", f"{term.label}：{term.value}", term.clause)


@hookimpl
def yibao_assess_payout(contract: Any, facts: Any, ledger: Any) -> None:
    """Each quarter's payment depends on the assessment reading: record it."""
    if facts.period.kind == "quarter" and ASSESSMENT_TABLE in contract.interpretations:
        ledger.choice(ASSESSMENT_TABLE)


@hookimpl
def yibao_check_staffing(contract: Any, facts: Any, roster: Any, ledger: Any) -> None:
    """A roster role none of the head-count steps counts, or a site that is
    neither 市本级 nor a listed 县区, is a warning naming the roster id."""
    steps = [b for b in contract.steps if b.step.model == "headcount"]
    if not steps:
        return
    clause = "、".join(dict.fromkeys(b.step.clause for b in steps))
    roles = sorted({b.params.role for b in steps if b.params.role})
    known, _ = _known_sites(contract)
    unlisted = [m for m in roster if known and m.site not in known]
    # the reading that decides whether an unlisted site counts among the 县区
    iids = [b.params.unlisted_interpretation for b in steps if b.params.unlisted_interpretation]
    counted = bool(unlisted and iids) and ledger.choice(iids[0]) == "any_other"
    by_site: dict[str, list[Any]] = {}
    for m in unlisted:
        by_site.setdefault(m.site, []).append(m)
    for site, rows in by_site.items():  # one finding per unknown site, naming its rows' ids
        hint = closest(site, known)
        shown = _shown_site(site)
        ids = ", ".join(m.id for m in rows)
        ledger.finding(
            "staffing.unknown_site",
            "warning",
            f"roster id {ids} (rows {', '.join(str(m.row) for m in rows)}): site {shown} is neither 市本级 nor a 县区 "
            "the contract's staffing lists, "
            + (f"so it is counted among the 县区 (reading {iids[0]} = any_other)" if counted else "so no minimum counts it")
            + (f"; did you mean {hint!r}?" if hint else ""),
            clause,
            site if shown == repr(site) else None,
        )
    for m in roster:
        if roles and m.role not in roles:
            hint = closest(m.role, roles)
            ledger.finding(
                "staffing.unknown_role",
                "warning",  # not a breach of the contract: a role it does not name (a typo, or another post)
                f"roster id {m.id} (row {m.row}): the role is none of {', '.join(roles)}, "  # not quoted: a cell may hold personal data
                "so no role minimum counts it" + (f"; did you mean {hint!r}?" if hint else ""),
                clause,
                m.site,
            )


def _shown_site(site: str) -> str:
    """The site as the message quotes it: a place name is shown; a cell that
    looks like an ID or phone number (six digits or more) is not."""
    digits = max((len(run) for run in "".join(c if c.isdigit() else " " for c in site).split()), default=0)
    return "(not shown: it looks like a number)" if digits >= 6 else repr(site)
