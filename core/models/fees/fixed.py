"""The ``fixed`` model (fees): An amount the contract states outright (合同总价, 保费规模, 预拨资金)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import fmt_amount
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class Fixed(Model):
    """An amount the contract states outright (合同总价, 保费规模, 预拨资金)."""

    name = "fixed"
    outputs = {"amount": "合同约定金额"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        amount: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        v = ctx.value(p.amount)
        return {"amount": (v, f"合同约定 {fmt_amount(v)}")}


MODELS: tuple[type[Model], ...] = (Fixed,)
