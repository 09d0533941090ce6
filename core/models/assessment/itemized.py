"""The ``itemized`` model (assessment): Incidents each costing an amount the bureau sets case by case within a."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...errors import FieldError
from ...money import ZERO, fmt_amount, fmt_number, to_fen
from ...operands import Operand, to_operand
from ..base import Model, StepContext


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

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
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


MODELS: tuple[type[Model], ...] = (Itemized,)
