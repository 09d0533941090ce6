"""新乡市职工大额医疗费用补助项目承办合同（2025年度） — the Xinxiang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses. This module declares the contract and the shape of a year's
facts: 年度总评分 and, per 行政区划 (第二十一条(4)), 参保人数, 大额补助资金年度
支出, the part of a loss accepted as policy-driven and the region's own score
(第四十二条); and checks the optional ``[duties]`` counts against the bounds
the contract's ``[[terms]]`` state (附件 一, 第三十一条, 第三十五条(一)) — the
one piece of logic no standard model covers, kept here rather than in a model
module that every compute would import.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import attrs
from yibao.errors import FieldError
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative, score_0_100
from yibao.money import ZERO, Money
from yibao.periods import Year
from yibao.spec import declare_contract
from yibao.values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class Region(Value):
    """One 行政区划, settled on its own and never netted (第二十一条(4))."""

    name: str = attrs.field(metadata={"label": "行政区划", "clause": "第二十一条(4)"})
    insured: int = attrs.field(validator=non_negative, metadata={"label": "参保人数", "clause": "第十九条"})
    payouts: Money = attrs.field(validator=non_negative, metadata={"label": "大额补助资金年度支出（元）", "clause": "第二十一条"})
    policy_loss: Money = attrs.field(default=ZERO, validator=non_negative, metadata={"label": "政策性亏损（元）", "clause": "第二十一条(3)"})
    #: 当年大额补助资金筹集总额 actually raised in the region (第二十一条、第三十五条:
    #: late payments, refunds, mid-year joiners); without it, insured × 190 (第十九条)
    funding_raised: Money | None = attrs.field(default=None, validator=non_negative, metadata={"label": "当年实际筹集资金（元）", "clause": "第二十一条、第三十五条"})
    #: the region's own 年度总评分, where its agency assessed as 甲方 (第四十二条);
    #: without it, the facts' ``score``
    score: Decimal | None = attrs.field(default=None, validator=score_0_100, metadata={"label": "本区划年度总评分", "clause": "第四十二条、第二十九条"})


@attrs.frozen(eq=False, repr=False, slots=False)
class Duties(Value):
    """The year's counts for the insurer's duties that the text bounds
    (``[duties]``; every key optional: a duty whose figures are left out is
    not checked). Checked in :meth:`XinxiangFacts.validate_against` rather
    than by field validators: a validator per field is start-up time."""

    inpatient_cost: Money | None = attrs.field(default=None, metadata={"label": "即时结算住院费用总量（元）", "clause": "附件 一"})
    review_inpatient_cost: Money | None = attrs.field(default=None, metadata={"label": "复审的住院费用（元）", "clause": "附件 一"})
    cross_province_records: int | None = attrs.field(default=None, metadata={"label": "跨省异地就医住院患者病历数", "clause": "附件 一"})
    review_cross_province_records: int | None = attrs.field(default=None, metadata={"label": "审查的跨省异地就医住院患者病历数", "clause": "附件 一"})
    publicity_campaigns: int | None = attrs.field(default=None, metadata={"label": "大额补助政策宣传次数", "clause": "第三十一条"})
    staffing_breaches: int | None = attrs.field(default=None, metadata={"label": "未按要求完成窗口设置、配备人员或人员不服从甲方管理的次数", "clause": "第三十五条(一)"})


#: duty -> (facts key of the figure, of its total or None, the [[terms]] entry
#: holding the bound, whether reaching the bound (not falling below it) is the
#: breach, finding key). The bounds and their clauses are in contract.toml.
DUTIES: tuple[tuple[str, str | None, str, bool, str], ...] = (
    ("review_inpatient_cost", "inpatient_cost", "inpatient_rereview_rate", False, "duties.inpatient_rereview"),
    ("review_cross_province_records", "cross_province_records", "cross_province_review_rate", False, "duties.cross_province_review"),
    ("publicity_campaigns", None, "publicity_per_year", False, "duties.publicity"),
    ("staffing_breaches", None, "staffing_breaches_limit", True, "duties.staffing_breaches"),
)


def _regions(_: Any, attribute: Any, value: tuple[Region, ...]) -> None:
    if not value:
        raise FieldError("regions", "expected at least one [[regions]] entry")
    counts = Counter(r.name for r in value)  # one pass: names.count(n) per name was quadratic
    dupes = sorted(n for n, k in counts.items() if k > 1)
    if dupes:
        raise FieldError("regions", f"duplicate region name(s): {', '.join(dupes)}")


@attrs.frozen(eq=False, repr=False, slots=False)
class XinxiangFacts(Value):
    """A contract year's facts (合同年度 = 自然年度, 第五条)."""

    year: Year = attrs.field(metadata={"label": "合同年度", "clause": "第五条"})
    score: Decimal = attrs.field(validator=score_0_100, metadata={"label": "年度总评分", "clause": "第二十九条"})
    regions: tuple[Region, ...] = attrs.field(validator=_regions, metadata={"label": "行政区划", "clause": "第二十一条(4)"})
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})
    duties: Duties | None = attrs.field(default=None, metadata={"label": "履职情况", "clause": "附件 一、第三十一条、第三十五条(一)"})

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        """``[duties]``: counts and amounts ≥ 0; a reviewed part given with its
        total and not above it."""
        problems: list[tuple[str, str]] = []
        d = self.duties
        if d is None:
            return problems
        for a in attrs.fields(Duties):
            v = getattr(d, a.name)
            if v is not None and v < 0:
                problems.append((f"duties.{a.name}", f"expected a number ≥ 0, got {v}"))
        for part, whole, *_ in DUTIES:
            if whole is None:
                continue
            p, w = getattr(d, part), getattr(d, whole)
            if (p is None) != (w is None):
                given, missing = (part, whole) if w is None else (whole, part)
                problems.append((f"duties.{missing}", f"required with duties.{given}: the share reviewed needs both figures"))
            elif p is not None and w is not None and 0 <= w < p:
                problems.append((f"duties.{part}", f"expected at most duties.{whole} ({w}), got {p}"))
        return problems


yibao_register_contracts = declare_contract(
    __file__,
    name="xinxiang",
    facts_class=XinxiangFacts,
    examples=("2025.toml",),
    description="新乡市职工大额医疗费用补助（中原农业保险，2025）",
)


@hookimpl
def yibao_assess_payout(contract: Any, facts: Any, ledger: Any) -> None:
    """附件 一, 第三十一条, 第三十五条(一): each ``[duties]`` figure the facts
    give, against the bound its ``[[terms]]`` entry states (:data:`DUTIES`).
    A duty not met is a violation citing the term's clause, with the figure
    and the bound: a share below its floor (the floor itself meets the duty:
    不低于), a count below its floor (不少于), and any 第三十五条(一) breach —
    the insurer breached 第六条/第七条 each time — saying when the count
    reaches 累计三次."""
    d = facts.duties
    if d is None:
        return
    from yibao.money import fmt_number, fmt_rate, parse_decimal  # noqa: PLC0415 - only with [duties]

    terms = {t.key: t for t in contract.doc.terms}
    for part, whole, term_key, reaching, key in DUTIES:
        value = getattr(d, part)
        term = terms.get(term_key)
        if value is None or term is None:
            continue
        bound = parse_decimal(term.value)
        if reaching:
            if value >= 1:
                n, b = fmt_number(Decimal(value)), fmt_number(bound)
                message = (
                    f"{term.label}: {part} = {n}, reaches {b}: the bureau may summon the insurer's head and order rectification; "
                    "unrectified, it may terminate the contract, with the penalty breach_penalty_if_terminated"
                    if value >= bound
                    else f"{term.label}: {part} = {n}, each a breach of the insurer's duty; at {b} the bureau may order rectification"
                )
                ledger.finding(key, "violation", message, term.clause)
            continue
        if whole is None:
            if value < bound:
                ledger.finding(key, "violation", f"{term.label}: {part} = {fmt_number(Decimal(value))}, below {fmt_number(bound)}", term.clause)
            continue
        total = getattr(d, whole)
        if not total:  # nothing to review: the share is not defined, nothing is missed
            continue
        share = Decimal(value) / Decimal(total)
        if share < bound:
            # rounded down, to a millionth of a percent: a share shown never seems to meet the floor it misses
            shown = fmt_rate(share.quantize(Decimal("1e-8"), rounding="ROUND_DOWN").normalize())
            ledger.finding(
                key,
                "violation",
                f"{term.label}: {part} ÷ {whole} = {fmt_number(Decimal(value))} ÷ {fmt_number(Decimal(total))} = {shown}, below {fmt_rate(bound)}",
                term.clause,
            )
