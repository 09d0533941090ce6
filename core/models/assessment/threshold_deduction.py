"""The ``threshold_deduction`` model (assessment): A rate below a threshold costs a share of a fee (洛阳 第三条(三): 合格率."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...errors import FieldError
from ...money import ZERO, fmt_amount, fmt_rate
from ...operands import Operand, to_operand
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
    the rate is strictly below applies; the threshold itself is not below."""

    name = "threshold_deduction"
    stage = "assessment"
    outputs = {"deduction": "扣减"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
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
            # the threshold that applies: the rate is at or above the highest one
            highest = max(t.below for t in p.thresholds)
            return {"deduction": (ZERO, f"{fmt_rate(rate)} ≥ {fmt_rate(highest)}: 不扣减")}
        if hit.finding is not None:
            ctx.raise_finding(hit.finding, f"{fmt_rate(rate)} < {fmt_rate(hit.below)}")
        formula = f"{fmt_amount(base)} × {fmt_rate(hit.deduct)} ({fmt_rate(rate)} < {fmt_rate(hit.below)})"
        return {"deduction": (base * hit.deduct, formula)}


MODELS: tuple[type[Model], ...] = (ThresholdDeduction,)
