"""The ``per_capita`` model (fees): A fee per insured person: ``count × rate [÷ divisor]``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import fmt_amount, fmt_number
from ...operands import Operand, to_operand, to_opt_operand
from ..base import Model, StepContext


class PerCapita(Model):
    """A fee per insured person: ``count × rate [÷ divisor]``.

    新乡 第十九条 (190 元/人/年), 洛阳 第三条(四) (1.2 元/参保人/年, paid
    quarterly: divisor 4), 淮阳 第二十八条 (150 元/人/年).

    ``actual`` (optional) names a fact holding the amount actually raised
    (新乡 第二十一条、第三十五条 当年大额补助资金筹集总额: late payments,
    refunds and mid-year joiners make it differ from insured × 190): when
    the fact is given it is the amount, the per-capita figure shown beside
    it. ``actual_interpretation`` names the interpretation whose choice
    ``standard`` keeps the per-capita figure even then.
    """

    name = "per_capita"
    outputs = {"amount": "按人头计算的费用"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        count: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)
        divisor: int = 1
        actual: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        actual_interpretation: str | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        count, rate = ctx.value(p.count), ctx.value(p.rate)
        amount = count * rate / p.divisor
        formula = f"{fmt_number(count)} × {fmt_number(rate)}"
        if p.divisor != 1:
            formula += f" ÷ {p.divisor}"
        if p.actual is not None:
            given = ctx.lookup(p.actual.ref) if p.actual.ref else p.actual.value
            if given is not None:
                standard = p.actual_interpretation and ctx.choice(p.actual_interpretation) == "standard"
                if not standard:
                    actual = ctx.value(p.actual)
                    return {"amount": (actual, f"{p.actual} {fmt_amount(actual)}（按标准 {formula} = {fmt_amount(amount)}）")}
                formula += f"（{p.actual} {fmt_amount(ctx.value(p.actual))} 未采用）"
        return {"amount": (amount, formula)}


MODELS: tuple[type[Model], ...] = (PerCapita,)
