"""The ``return_cap`` model (risk): A surplus returned to the bureau up to a cap (咸阳 第六条: 返还金额上限."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class ReturnCap(Model):
    """A surplus returned to the bureau up to a cap (咸阳 第六条: 返还金额上限
    1416万元): returned = min(surplus, cap), retained = the rest."""

    name = "return_cap"
    stage = "risk"
    outputs = {"returned": "结余返还", "retained": "结余留存"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        income: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        cap: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        income, spending, cap = ctx.value(p.income), ctx.value(p.spending), ctx.value(p.cap)
        surplus = max(ZERO, income - spending)
        bal = f"max(0, {fmt_amount(income)} − {fmt_amount(spending)})"
        returned = min(surplus, cap)
        return {
            "returned": (returned, f"min({bal}, {fmt_amount(cap)})"),
            "retained": (surplus - returned, f"{bal} − {fmt_amount(returned)}"),
        }


MODELS: tuple[type[Model], ...] = (ReturnCap,)
