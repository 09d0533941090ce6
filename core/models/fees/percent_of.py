"""The ``percent_of`` model (fees): A share of another figure: ``base × rate`` (运营成本 5%, 保证金 10%,."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import fmt_amount, fmt_rate
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class PercentOf(Model):
    """A share of another figure: ``base × rate`` (运营成本 5%, 保证金 10%,
    违约金 5%, 周转金 5% …)."""

    name = "percent_of"
    outputs = {"amount": "按比例计算的金额"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        base: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base, rate = ctx.value(p.base), ctx.value(p.rate)
        return {"amount": (base * rate, f"{fmt_amount(base)} × {fmt_rate(rate)}")}


MODELS: tuple[type[Model], ...] = (PercentOf,)
