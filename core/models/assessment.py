"""The assessment family: scores, audit rates and incidents -> deductions.

Score tiers, threshold deductions, per-incident and itemized deductions, and
a condition that only raises a finding (stage ``assessment``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any, ClassVar

import attrs

from ..errors import FieldError
from ..money import ZERO, fmt_amount, fmt_number, fmt_rate, to_fen
from ..operands import Operand, to_operand, to_opt_operand
from .base import ONE, FindingSpec, Model, StepContext, StepKeys


@attrs.frozen
class Tier:
    """One band of a score table: ``min ≤ score < max`` (the top band includes
    its max). In the band the payout is either a fixed ``share``, or reduced by
    ``per_point`` for every point below ``pivot``, or ``forfeit``-ed."""

    min: Decimal
    max: Decimal
    share: Decimal | None = None
    per_point: Decimal | None = None
    pivot: Decimal | None = None
    forfeit: bool = False
    finding: FindingSpec | None = None

    def paid_share(self, score: Decimal, whole_points: bool = False) -> Decimal:
        if self.forfeit:
            return ZERO
        if self.per_point is not None:
            points = max(ZERO, (self.pivot or self.max) - score)
            if whole_points:
                points = points.to_integral_value(rounding=ROUND_FLOOR)
            return max(ZERO, ONE - self.per_point * points)
        return ONE if self.share is None else self.share



def check_tier_table(tiers: Sequence[Tier], field: str = "tiers", lo: Decimal = ZERO, hi: Decimal = Decimal(100)) -> None:
    """A score table must cover lo–hi with no gap or overlap, and the payout
    must never rise as the score falls — also across a band's edge.

    :raises FieldError: naming the first band that breaks a rule.
    """
    if not tiers:
        raise FieldError(field, "expected at least one band")
    bands = sorted(tiers, key=lambda t: t.min)
    for i, t in enumerate(bands):
        kinds = sum(x is not None and x is not False for x in (t.share, t.per_point, t.forfeit or None))
        if kinds > 1:
            raise FieldError(field, f"band {t.min}–{t.max}: give one of share, per_point, forfeit")
        if t.min >= t.max:
            raise FieldError(field, f"band {t.min}–{t.max}: min must be below max")
        if t.share is not None and not ZERO <= t.share <= ONE:
            raise FieldError(field, f"band {t.min}–{t.max}: share must be from 0 to 1")
        if t.per_point is not None and t.per_point * ((t.pivot or t.max) - t.min) > ONE:
            raise FieldError(field, f"band {t.min}–{t.max}: deduction exceeds 100% at score {t.min}")
        if i == 0 and t.min != lo:
            raise FieldError(field, f"the bands must start at {lo}, the first starts at {t.min}")
        if i > 0:
            prev = bands[i - 1]
            if prev.max > t.min:
                raise FieldError(field, f"bands {prev.min}–{prev.max} and {t.min}–{t.max} overlap")
            if prev.max < t.min:
                raise FieldError(field, f"gap between {prev.max} and {t.min}: no band covers it")
            # payout just below the edge must not exceed payout at the edge
            if prev.paid_share(t.min) > t.paid_share(t.min):
                raise FieldError(field, f"payout rises as the score falls below {t.min}")
        if t.paid_share(t.min) > t.paid_share(t.max):
            raise FieldError(field, f"band {t.min}–{t.max}: payout rises as the score falls")
    if bands[-1].max != hi:
        raise FieldError(field, f"the bands must end at {hi}, the last ends at {bands[-1].max}")


def find_tier(tiers: Sequence[Tier], score: Decimal) -> Tier:
    top = max(t.max for t in tiers)
    for t in tiers:
        if t.min <= score < t.max or (score == t.max == top):
            return t
    raise ValueError(f"no band covers the score {score}")


def marginal_share(
    tiers: Sequence[Tier], tier: Tier, score: Decimal, whole: bool
) -> tuple[Decimal, list[str]]:
    """The alternative reading of "低于90分部分，每低1分按 r 扣减": each band's
    rate applies only to the points that lie inside that band (like income-tax
    brackets), not to every point below the pivot."""
    pivot = tier.pivot or tier.max
    points_total = max(ZERO, pivot - score)
    if whole:
        points_total = points_total.to_integral_value(rounding=ROUND_FLOOR)
    low = pivot - points_total
    deducted = ZERO
    parts: list[str] = []
    for band in sorted(tiers, key=lambda t: -t.min):
        if band.per_point is None or band.min >= pivot:
            continue
        top = min(band.max, pivot)
        bottom = max(band.min, low)
        if top > bottom:
            pts = top - bottom
            deducted += band.per_point * pts
            parts.append(f"{fmt_rate(band.per_point)} × {fmt_number(pts)}")
    return max(ZERO, ONE - deducted), parts or ["0"]


class ScoreTiers(Model):
    """An assessment score that cuts a payout by bands (新乡 第二十九条;
    洛阳 第三条(五) and 淮安 五 with a configurable table).

    ``base`` is what the score applies to; ``deduction`` is cut, ``paid`` is
    what remains. ``points_interpretation`` names the interpretation whose
    choice ``whole_points`` counts only completed points below the pivot
    (``proportional``, the default reading, counts fractions too).
    ``rate_interpretation`` names the interpretation whose choice
    ``marginal`` applies each band's rate only to the points inside that band
    (``all_points``, the default reading, applies the rate of the band the
    score falls in to every point below the pivot).
    ``default_score`` (optional) is the score used when the facts give none
    (洛阳 第三条(五) ties payment to an assessment the contract does not
    tabulate: no score given -> full score, full payment); the formula says
    so. Without it a missing score is an input error.
    """

    name = "score_tiers"
    stage = "assessment"
    outputs = {"deduction": "考核扣减", "paid": "考核后支付"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        base: Operand = attrs.field(converter=to_operand)
        score: Operand = attrs.field(converter=to_operand)
        tiers: tuple[Tier, ...] = attrs.field()
        points_interpretation: str | None = None
        rate_interpretation: str | None = None
        default_score: Operand | None = attrs.field(default=None, converter=to_opt_operand)

        @tiers.validator
        def _check(self, attribute: Any, value: tuple[Tier, ...]) -> None:
            check_tier_table(value)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base = ctx.value(p.base)
        default = None if p.default_score is None else ctx.value(p.default_score)
        defaulted = default is not None and p.score.ref is not None and ctx.lookup(p.score.ref) is None
        score = ctx.value(p.score, default=default)
        if not ZERO <= score <= 100:
            ctx.input_error(p.score, f"expected a score from 0 to 100, got {score}")
        whole = bool(p.points_interpretation) and ctx.choice(p.points_interpretation) == "whole_points"
        marginal = bool(p.rate_interpretation) and ctx.choice(p.rate_interpretation) == "marginal"
        tier = find_tier(p.tiers, score)
        if tier.finding is not None:
            ctx.raise_finding(tier.finding, f"score {fmt_number(score)}")
        if tier.forfeit:
            share = ZERO
            ded_formula = f"{fmt_amount(base)} (score {fmt_number(score)} < {fmt_number(tier.max)}: 全部扣减)"
        elif tier.per_point is not None and marginal:
            share, parts = marginal_share(p.tiers, tier, score, whole)
            ded_formula = f"{fmt_amount(base)} × (" + " + ".join(parts) + ")"
        elif tier.per_point is not None:
            share = tier.paid_share(score, whole)
            points = max(ZERO, (tier.pivot or tier.max) - score)
            if whole:
                points = points.to_integral_value(rounding=ROUND_FLOOR)
            ded_formula = f"{fmt_amount(base)} × {fmt_rate(tier.per_point)} × {fmt_number(points)}"
        else:
            share = tier.paid_share(score, whole)
            ded_formula = f"{fmt_amount(base)} × (1 − {fmt_rate(share)})"
        if defaulted:
            ded_formula += f"（未提供 {p.score}，按 {fmt_number(score)} 分计）"
        deduction = to_fen(base * (ONE - share))
        paid = base - deduction
        return {
            "deduction": (deduction, ded_formula),
            "paid": (paid, f"{fmt_amount(base)} − {fmt_amount(deduction)}"),
        }


@attrs.frozen
class Threshold:
    """Below ``below`` (strictly), ``deduct`` of the base is deducted."""

    below: Decimal
    deduct: Decimal
    finding: FindingSpec | None = None



class ThresholdDeduction(Model):
    """A rate below a threshold costs a share of a fee (洛阳 第三条(三): 合格率
    低于90%（不含90%）扣2%，低于80%（不含80%）扣5%). The lowest threshold
    the rate is strictly below applies; the threshold itself is not below."""

    name = "threshold_deduction"
    stage = "assessment"
    outputs = {"deduction": "扣减"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        base: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)
        thresholds: tuple[Threshold, ...] = attrs.field()

        @thresholds.validator
        def _check(self, attribute: Any, value: tuple[Threshold, ...]) -> None:
            ordered = sorted(value, key=lambda t: -t.below)
            for hi, lo in zip(ordered, ordered[1:], strict=False):
                if lo.deduct < hi.deduct:
                    raise FieldError("thresholds", "a lower rate must never deduct less")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base, rate = ctx.value(p.base), ctx.value(p.rate)
        hit = None
        for t in sorted(p.thresholds, key=lambda t: t.below):
            if rate < t.below:
                hit = t
                break
        if hit is None:
            lowest = min(t.below for t in p.thresholds)
            return {"deduction": (ZERO, f"{fmt_rate(rate)} ≥ {fmt_rate(lowest)}: 不扣减")}
        if hit.finding is not None:
            ctx.raise_finding(hit.finding, f"{fmt_rate(rate)} < {fmt_rate(hit.below)}")
        formula = f"{fmt_amount(base)} × {fmt_rate(hit.deduct)} ({fmt_rate(rate)} < {fmt_rate(hit.below)})"
        return {"deduction": (base * hit.deduct, formula)}


class PerIncident(Model):
    """A deduction per incident counted: ``count × unit``, or ``count × unit ×
    base`` when the unit is a share of a fee (洛阳 第五条(二) 2% of the quarter
    fee; 咸阳 第十条3 500 元 per late settlement). ``max_count`` caps the
    count (e.g. once per quarter, as an alternative reading).
    ``once_interpretation`` (optional) names the interpretation whose choice
    ``once`` counts at most one incident per period (洛阳 第五条(二): "支付该
    季度 2% 经办服务费的违约金" read as once per quarter however many
    failures); any other choice counts every incident."""

    name = "per_incident"
    stage = "assessment"
    outputs = {"amount": "按次扣减"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        count: Operand = attrs.field(converter=to_operand)
        unit: Operand = attrs.field(converter=to_operand)
        base: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        max_count: int | None = None
        once_interpretation: str | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        count = ctx.value(p.count, default=ZERO)
        if p.max_count is not None:
            count = min(count, Decimal(p.max_count))
        count_text = fmt_number(count)
        if p.once_interpretation and ctx.choice(p.once_interpretation) == "once":
            count_text = f"min({count_text}, 1)"
            count = min(count, ONE)
        unit = ctx.value(p.unit)
        if p.base is not None:
            base = ctx.value(p.base)
            return {"amount": (count * unit * base, f"{count_text} × {fmt_rate(unit)} × {fmt_amount(base)}")}
        return {"amount": (count * unit, f"{count_text} × {fmt_amount(unit)}")}


class Condition(Model):
    """A condition the contract attaches a consequence to, with no amount
    (淮阳 第四十二条: 年度考核不合格的，应在30个工作日内申请复核；复核仍不
    合格的，甲方有权终止合同). The step's ``when`` names the fact or item
    that must hold and ``otherwise`` the finding raised when it does not; the
    step produces no item."""

    name = "condition"
    stage = "assessment"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        pass

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        return {}


class Itemized(Model):
    """Incidents each costing an amount the bureau sets case by case within a
    range the contract states (咸阳 第十条3(4): 财务制度不健全…发现一次扣
    3000-10000元). The facts list one amount per incident; each must lie
    within ``min``–``max`` (both included), else an input error naming the
    list element (``key_path[i]``, ``key_path`` being where the list sits in
    the facts file, by default the operand's name). The deduction is their
    sum; the formula lists each amount."""

    name = "itemized"
    stage = "assessment"
    outputs = {"amount": "逐项扣减"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        amounts: Operand = attrs.field(converter=to_operand)
        min: Decimal | None = None
        max: Decimal | None = attrs.field(default=None)
        key_path: str | None = None

        @amounts.validator
        def _check_amounts(self, attribute: Any, value: Operand) -> None:
            if value.ref is None:
                raise FieldError("amounts", f"expected the name of a facts key holding a list of amounts, got {value}")

        @max.validator
        def _check_range(self, attribute: Any, value: Decimal | None) -> None:
            if value is not None and self.min is not None and value < self.min:
                raise FieldError("max", f"expected a maximum of at least min ({self.min}), got {value}")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        raw = ctx.lookup(p.amounts.ref)
        if raw is not None and not isinstance(raw, (list, tuple)):
            ctx.input_error(p.amounts, f"expected a list of amounts, got {raw!r}")
        values = tuple(raw or ())
        where = p.key_path or str(p.amounts)
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
                ctx.input_error(f"{where}[{i}]", f"expected an amount, got {v!r}")
            low, high = p.min, p.max
            if (low is not None and v < low) or (high is not None and v > high):
                span = f"from {fmt_amount(low) if low is not None else '−∞'} to {fmt_amount(high) if high is not None else '∞'}"
                ctx.input_error(
                    f"{where}[{i}]",
                    f"expected an amount {span} 元 ({ctx.clause}), got {fmt_number(Decimal(v))}",
                )
        amounts = [to_fen(Decimal(v)) for v in values]
        if not amounts:
            return {"amount": (ZERO, "0（无）")}
        formula = " + ".join(fmt_amount(a) for a in amounts)
        return {"amount": (sum(amounts, ZERO), f"{len(amounts)} 次：{formula}")}


#: the models of this family, registered by name (:mod:`yibao.models`)
MODELS: tuple[type[Model], ...] = (ScoreTiers, ThresholdDeduction, PerIncident, Condition, Itemized,)
