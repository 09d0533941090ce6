"""The ``threshold_deduction`` model (assessment): A rate below a threshold costs a share of a fee (洛阳 第三条(三): 合格率."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...errors import FieldError
from ...money import ZERO, fmt_amount, fmt_rate
from ...operands import Operand, to_operand, to_opt_operand
from ..base import FindingSpec, Model, StepContext


@attrs.frozen(eq=False, repr=False, slots=False)
class Threshold:
    """Below ``below`` (strictly), ``deduct`` of the base is deducted."""

    below: Decimal
    deduct: Decimal
    finding: FindingSpec | None = None



class ThresholdDeduction(Model):
    """A rate below a threshold costs a share of a fee (洛阳 第三条(三): 合格率
    低于90%（不含90%）扣2%，低于80%（不含80%）扣5%). The lowest threshold
    the rate is strictly below applies; the threshold itself is not below.

    ``levels`` (optional) names a facts list of per-level results, each
    with a ``site`` and a ``rate`` (洛阳 第三条(三): 市医保中心 and each
    县区 audit). ``levels_interpretation`` names the interpretation whose
    choice ``each_level`` tests every level (and ``rate``, when given) and
    deducts once, at the tier of the lowest, naming it in the formula; any
    other choice uses ``rate`` alone (which the facts may form from the
    levels). The interpretation is recorded only when levels are given."""

    name = "threshold_deduction"
    stage = "assessment"
    outputs = {"deduction": "扣减"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        base: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)
        thresholds: tuple[Threshold, ...] = attrs.field()
        levels: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        levels_interpretation: str | None = None

        @thresholds.validator
        def _check(self, attribute: Any, value: tuple[Threshold, ...]) -> None:
            ordered = sorted(value, key=lambda t: -t.below)
            for hi, lo in zip(ordered, ordered[1:], strict=False):
                if lo.deduct < hi.deduct:
                    raise FieldError("thresholds", "a lower rate must never deduct less")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base = ctx.value(p.base)
        rate, shown = self._rate(p, ctx)
        hit = None
        for t in sorted(p.thresholds, key=lambda t: t.below):
            if rate < t.below:
                hit = t
                break
        if hit is None:
            # the threshold that applies: the rate is at or above the highest one
            highest = max(t.below for t in p.thresholds)
            return {"deduction": (ZERO, f"{shown} ≥ {fmt_rate(highest)}: 不扣减")}
        if hit.finding is not None:
            ctx.raise_finding(hit.finding, f"{shown} < {fmt_rate(hit.below)}")
        formula = f"{fmt_amount(base)} × {fmt_rate(hit.deduct)} ({shown} < {fmt_rate(hit.below)})"
        return {"deduction": (base * hit.deduct, formula)}

    @staticmethod
    def _rate(p: Any, ctx: StepContext) -> tuple[Decimal, str]:
        """The rate tested and how it is shown: ``rate``; or, under the
        ``each_level`` reading, the lowest of the levels (and of ``rate``
        when given), named (``最低：嵩县 85%``)."""
        levels = tuple(ctx.lookup(p.levels.ref) or ()) if p.levels is not None and p.levels.ref else ()
        if not levels or not p.levels_interpretation or ctx.choice(p.levels_interpretation) != "each_level":
            rate = ctx.value(p.rate)
            return rate, _shown(rate)
        rated = [(str(lv.site), Decimal(lv.rate)) for lv in levels]
        low = min(r for _, r in rated)
        names = "、".join(s for s, r in rated if r == low)
        overall = ctx.lookup(p.rate.ref) if p.rate.ref else p.rate.value
        if overall is not None and Decimal(overall) < low:  # an overall rate covering levels not itemized
            low, names = Decimal(overall), "总体"
        return low, f"最低：{names} {_shown(low)}"


def _shown(rate: Decimal) -> str:
    """A rate for the formula: ``89.3%``; a rate from counts that does not
    end (1035/1100) cut at four decimals of a percent and marked ``…``
    (``94.0909…%``) — the comparison itself uses the exact rate."""
    text = fmt_rate(rate)
    whole, _, frac = text[:-1].partition(".")
    return f"{whole}.{frac[:4]}…%" if len(frac) > 4 else text


MODELS: tuple[type[Model], ...] = (ThresholdDeduction,)
