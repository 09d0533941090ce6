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
- a roster role the contract's head-count steps do not count is a finding
  naming the roster ``id`` (a typo would otherwise be silently left out).
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
    #: 第五条(二) failures counted in the quarter (default 0)
    breaches: int | None = attrs.field(default=None, validator=non_negative, metadata={"label": "未按要求履职次数", "clause": "第五条(二)"})
    #: 考核得分 (第三条(五)), 0–100; optional
    score: Decimal | None = attrs.field(default=None, validator=score_0_100, metadata={"label": "考核得分", "clause": "第三条(五)"})
    #: staff roster CSV, relative to the facts file
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})

    @property
    def audit_rate(self) -> Decimal | None:
        """The pass rate the audit deduction uses: ``audit_pass_rate``, or
        ``audit.passed ÷ audit.sampled`` (exact, never rounded)."""
        if self.audit_pass_rate is not None:
            return self.audit_pass_rate
        if self.audit is not None:
            return Decimal(self.audit.passed) / Decimal(self.audit.sampled)
        return None

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
        if self.audit_pass_rate is None and self.audit is None:
            problems.append(
                (
                    "audit_pass_rate",
                    "required for a quarter: give audit_pass_rate (0–1) or [audit] with sampled and passed",
                )
            )
        elif self.audit_pass_rate is not None and self.audit is not None:
            problems.append(("audit", "give either audit_pass_rate or [audit], not both"))
        interp = contract.interpretations.get(ASSESSMENT_TABLE)
        if self.score is None and interp is not None and interp.choice == "score_required":
            problems.append(
                ("score", f"required under the reading {ASSESSMENT_TABLE} = score_required ({interp.clause})")
            )
        return problems


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
    """A roster role none of the head-count steps counts is a finding."""
    steps = [b for b in contract.steps if b.step.model == "headcount"]
    roles = sorted({b.params.role for b in steps if b.params.role})
    if not roles:
        return
    clause = "、".join(dict.fromkeys(b.step.clause for b in steps))
    for m in roster:
        if m.role not in roles:
            hint = closest(m.role, roles)
            ledger.finding(
                "staffing.unknown_role",
                "violation",
                f"roster id {m.id} (row {m.row}): the role is none of {', '.join(roles)}, "  # not quoted: a cell may hold personal data
                "so no role minimum counts it" + (f"; did you mean {hint!r}?" if hint else ""),
                clause,
                m.site,
            )
