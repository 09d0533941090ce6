"""The ``loss_split`` model (risk): A deficit split by cause (新乡 第二十一条(3), 咸阳 第六条): the part."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class LossSplit(Model):
    """A deficit split by cause (新乡 第二十一条(3), 咸阳 第六条): the part
    accepted as policy-driven is the bureau's (capped at the loss), the rest
    the insurer's. A policy loss larger than the loss is capped with a
    ``risk.policy_loss_capped`` warning; one given in a year without a loss
    is not used, with a ``risk.policy_loss_ignored`` warning."""

    name = "loss_split"
    stage = "risk"
    outputs = {"bureau": "政策性亏损（甲方承担）", "insurer": "非政策性亏损（乙方承担）"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        income: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        policy_loss: Operand = attrs.field(default=Operand(value=ZERO), converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        income, spending = ctx.value(p.income), ctx.value(p.spending)
        policy = ctx.value(p.policy_loss, default=ZERO)
        loss = max(ZERO, spending - income)
        loss_text = f"max(0, {fmt_amount(spending)} − {fmt_amount(income)})"
        bureau = min(policy, loss)
        if policy > loss:
            # never silent: a policy loss the year's figures cannot hold
            if loss == ZERO:
                ctx.finding(
                    "risk.policy_loss_ignored",
                    "warning",
                    f"{p.policy_loss} = {fmt_amount(policy)} given for a year without a loss "
                    f"({fmt_amount(spending)} ≤ {fmt_amount(income)}): not used",
                )
            else:
                ctx.finding(
                    "risk.policy_loss_capped",
                    "warning",
                    f"{p.policy_loss} = {fmt_amount(policy)} exceeds the loss {fmt_amount(loss)}: "
                    f"capped at the loss, the bureau bears {fmt_amount(loss)}",
                )
        return {
            "bureau": (bureau, f"min({fmt_amount(policy)}, {loss_text})"),
            "insurer": (loss - bureau, f"{loss_text} − {fmt_amount(bureau)}"),
        }


MODELS: tuple[type[Model], ...] = (LossSplit,)
