"""The ``sum`` model (settlement): Figures added and subtracted (季度应付 = 季度经办费 − 扣减; 年终清算 =."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount
from ...operands import Operand, to_operands
from ..base import FindingSpec, Model, StepContext


class Sum(Model):
    """Figures added and subtracted (季度应付 = 季度经办费 − 扣减; 年终清算 =
    全年费用 − 已预拨). ``floor = true`` stops at zero and raises
    ``excess_finding`` for what could not be deducted, never a negative
    payment."""

    name = "sum"
    stage = "settlement"
    outputs = {"amount": "合计"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        add: tuple[Operand, ...] = attrs.field(converter=to_operands)
        subtract: tuple[Operand, ...] = attrs.field(
            default=(), converter=to_operands
        )
        floor: bool = False
        excess_finding: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        plus = [ctx.value(o, default=ZERO) for o in p.add]
        minus = [ctx.value(o, default=ZERO) for o in p.subtract]
        total = sum(plus, ZERO) - sum(minus, ZERO)
        formula = " + ".join(fmt_amount(x) for x in plus)
        if minus:
            formula += " − " + " − ".join(fmt_amount(x) for x in minus)
        if p.floor and total < 0:
            if p.excess_finding is not None:
                ctx.raise_finding(p.excess_finding, f"不足抵扣 {fmt_amount(-total)} 元")
            return {"amount": (ZERO, f"max(0, {formula})")}
        return {"amount": (total, formula)}

    @classmethod
    def operands(cls, params: Any) -> list[Operand]:
        return [*params.add, *params.subtract]


MODELS: tuple[type[Model], ...] = (Sum,)
