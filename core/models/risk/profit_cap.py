"""The ``profit_cap`` model (risk): Approved profit under a cap on the profit rate (新乡 第二十一条(1)(2))."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount, fmt_rate, to_fen
from ...operands import Operand, to_operand
from ..base import Model, StepContext


class ProfitCap(Model):
    """Approved profit under a cap on the profit rate (新乡 第二十一条(1)(2)).

    balance = income − spending. balance ≥ rate × income: the approved profit
    is rate × income and the rest of the balance stays with the fund;
    0 < balance < cap: the whole balance; balance ≤ 0: nothing.
    """

    name = "profit_cap"
    stage = "risk"
    outputs = {"approved": "核定盈利", "surplus": "超出盈利上限的结余（留存基金）"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        income: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        income, spending, rate = ctx.value(p.income), ctx.value(p.spending), ctx.value(p.rate)
        balance = income - spending
        cap = to_fen(income * rate)
        cap_text = f"{fmt_amount(income)} × {fmt_rate(rate)}"
        bal_text = f"{fmt_amount(income)} − {fmt_amount(spending)}"
        approved = max(ZERO, min(balance, cap))
        surplus = max(ZERO, balance - cap)
        return {
            "approved": (approved, f"max(0, min({bal_text}, {cap_text}))"),
            "surplus": (surplus, f"max(0, {bal_text} − {fmt_amount(cap)})"),
        }


MODELS: tuple[type[Model], ...] = (ProfitCap,)
