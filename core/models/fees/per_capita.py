"""The ``per_capita`` model (fees): A fee per insured person: ``count × rate [÷ divisor]``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import fmt_number
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class PerCapita(Model):
    """A fee per insured person: ``count × rate [÷ divisor]``.

    新乡 第十九条 (190 元/人/年), 洛阳 第三条(四) (1.2 元/参保人/年, paid
    quarterly: divisor 4), 淮阳 第二十八条 (150 元/人/年).
    """

    name = "per_capita"
    outputs = {"amount": "按人头计算的费用"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        count: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)
        divisor: int = 1

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        count, rate = ctx.value(p.count), ctx.value(p.rate)
        amount = count * rate / p.divisor
        formula = f"{fmt_number(count)} × {fmt_number(rate)}"
        if p.divisor != 1:
            formula += f" ÷ {p.divisor}"
        return {"amount": (amount, formula)}


MODELS: tuple[type[Model], ...] = (PerCapita,)
