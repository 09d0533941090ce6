"""The ``per_incident`` model (assessment): A deduction per incident counted: ``count × unit``, or ``count × unit ×."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount, fmt_number, fmt_rate
from ...operands import Operand, to_operand, to_opt_operand
from ..base import ONE, Model, StepContext


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

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
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


MODELS: tuple[type[Model], ...] = (PerIncident,)
