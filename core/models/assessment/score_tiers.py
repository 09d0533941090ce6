"""The ``score_tiers`` model (assessment): An assessment score that cuts a payout by bands (新乡 第二十九条;."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import attrs

from ...errors import FieldError
from ...money import ZERO, fmt_amount, fmt_number, fmt_rate, to_fen
from ...operands import Operand, to_operand, to_opt_operand
from ..base import ONE, FindingSpec, Model, StepContext


@attrs.frozen(eq=False, repr=False, slots=False)
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
    In a scoped step a scope element's own ``score`` fact, when given,
    replaces the top-level one for that element (新乡 第四十二条: each
    level's agency assesses as 甲方), and the formula names it;
    ``scope_score_interpretation`` (optional) names the interpretation whose
    choice ``single`` keeps the top-level score for every element.
    """

    name = "score_tiers"
    stage = "assessment"
    outputs = {"deduction": "考核扣减", "paid": "考核后支付"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        base: Operand = attrs.field(converter=to_operand)
        score: Operand = attrs.field(converter=to_operand)
        tiers: tuple[Tier, ...] = attrs.field()
        points_interpretation: str | None = None
        rate_interpretation: str | None = None
        default_score: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        scope_score_interpretation: str | None = None

        @tiers.validator
        def _check(self, attribute: Any, value: tuple[Tier, ...]) -> None:
            check_tier_table(value)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base = ctx.value(p.base)
        default = None if p.default_score is None else ctx.value(p.default_score)
        defaulted = default is not None and p.score.ref is not None and ctx.lookup(p.score.ref) is None
        score = ctx.value(p.score, default=default)
        own = None  # the scope element's own score, where it gives one
        if p.score.ref is not None and getattr(ctx.scope_facts, p.score.ref, None) is not None:
            own = f"{ctx.scope_path()}{p.score.ref}"
            if p.scope_score_interpretation and ctx.choice(p.scope_score_interpretation) == "single":
                top = getattr(ctx.facts, p.score.ref, None)
                if top is None:
                    top = default
                if top is not None:  # a contract-wide score to keep (else the element's is all there is)
                    score, own = Decimal(top), None
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
        if own is not None:
            ded_formula += f"（{own} = {fmt_number(score)}）"
        deduction = to_fen(base * (ONE - share))
        paid = base - deduction
        return {
            "deduction": (deduction, ded_formula),
            "paid": (paid, f"{fmt_amount(base)} − {fmt_amount(deduction)}"),
        }


MODELS: tuple[type[Model], ...] = (ScoreTiers,)
