"""The fees family: what the bureau pays the insurer, and when.

Per-capita fees, shares of another figure, stated amounts and totals paid in
installments (stage ``fees``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ..errors import FieldError
from ..money import ZERO, fmt_amount, fmt_number, fmt_rate, to_fen
from ..operands import Operand, to_operand
from .base import ONE, Model, StepContext, StepKeys


class PerCapita(Model):
    """A fee per insured person: ``count × rate [÷ divisor]``.

    新乡 第十九条 (190 元/人/年), 洛阳 第三条(四) (1.2 元/参保人/年, paid
    quarterly: divisor 4), 淮阳 第二十八条 (150 元/人/年).
    """

    name = "per_capita"
    outputs = {"amount": "按人头计算的费用"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
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


class PercentOf(Model):
    """A share of another figure: ``base × rate`` (运营成本 5%, 保证金 10%,
    违约金 5%, 周转金 5% …)."""

    name = "percent_of"
    outputs = {"amount": "按比例计算的金额"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        base: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base, rate = ctx.value(p.base), ctx.value(p.rate)
        return {"amount": (base * rate, f"{fmt_amount(base)} × {fmt_rate(rate)}")}


class Fixed(Model):
    """An amount the contract states outright (合同总价, 保费规模, 预拨资金)."""

    name = "fixed"
    outputs = {"amount": "合同约定金额"}

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        amount: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        v = ctx.value(p.amount)
        return {"amount": (v, f"合同约定 {fmt_amount(v)}")}


@attrs.frozen
class Installment:
    key: str
    label: str
    share: Decimal | None = None



class Installments(Model):
    """A total paid in parts: every part but the last is ``total × share``
    rounded to 分; the last is what remains, so the parts always add up to the
    total exactly (淮阳 第二十八条: 3 月、9 月两批)."""

    name = "installments"
    outputs: ClassVar[Mapping[str, str]] = {}
    outputs_from_params = True

    @attrs.frozen(eq=False, repr=False)
    class Params(StepKeys):
        total: Operand = attrs.field(converter=to_operand)
        parts: tuple[Installment, ...] = attrs.field()

        @parts.validator
        def _check(self, attribute: Any, value: tuple[Installment, ...]) -> None:
            if len(value) < 2:
                raise FieldError("parts", "expected at least two installments")
            if any(p.share is None for p in value[:-1]):
                raise FieldError("parts", "every installment but the last needs a share")
            if value[-1].share is not None and sum((p.share or ZERO) for p in value) != ONE:
                raise FieldError("parts", "the shares must add up to 100%")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        total = ctx.value(p.total)
        out: dict[str, tuple[Decimal, str]] = {}
        paid = ZERO
        for part in p.parts[:-1]:
            amount = to_fen(total * part.share)
            paid += amount
            out[part.key] = (amount, f"{fmt_amount(total)} × {fmt_rate(part.share)}")
        last = p.parts[-1]
        out[last.key] = (total - paid, f"{fmt_amount(total)} − {fmt_amount(paid)}")
        return out

    @classmethod
    def output_roles(cls, params: Any) -> dict[str, str]:
        return {part.key: part.label for part in params.parts}


#: the models of this family, registered by name (:mod:`yibao.models`)
MODELS: tuple[type[Model], ...] = (PerCapita, PercentOf, Fixed, Installments,)
