"""The ``paid`` model (settlement): what was actually paid for a period — stated, or taken as paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount, fmt_number
from ...operands import Operand, to_operand, to_operands, to_opt_operand
from ..base import FindingSpec, Model, StepContext


class Paid(Model):
    """What was actually paid or transferred for a period, against which a
    settlement's net is taken (due − paid: positive, the bureau pays;
    negative, the insurer refunds).

    ``stated`` names the facts key that states it (in a series, a
    ``[[carry]]`` entry with ``paid = true`` fills it from the earlier
    periods' figures: :mod:`yibao.series`). When the facts do not state it,
    the figures ``fallback`` (added, then multiplied by ``times``) are taken
    as paid, and ``fallback_finding`` says so (淮安 八: the quarters before
    the termination taken as paid in full; 洛阳 第三条(五): four quarterly
    fees on the year's own 上年度参保人数; 咸阳 第七条2: the premium taken as
    transferred in full). Without ``fallback``, nothing is taken as paid.
    """

    name = "paid"
    stage = "settlement"
    outputs = {"amount": "已付金额"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        stated: Operand = attrs.field(converter=to_operand)
        fallback: tuple[Operand, ...] = attrs.field(default=(), converter=to_operands)
        times: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        fallback_finding: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        given = ctx.lookup(p.stated.ref) if p.stated.ref is not None else p.stated.value
        if given is not None:
            value = ctx.value(p.stated)
            return {"amount": (value, f"{fmt_amount(value)}（已付，{p.stated}）")}
        parts = [ctx.value(o) for o in p.fallback]
        times = ctx.value(p.times) if p.times is not None else Decimal(1)
        amount = sum(parts, ZERO) * times
        shown = " + ".join(fmt_amount(x) for x in parts) or "0"
        if p.times is not None:
            shown = f"({shown}) × {fmt_number(times)}" if len(parts) > 1 else f"{shown} × {fmt_number(times)}"
        if p.fallback_finding is not None:
            total = "" if shown == fmt_amount(amount) else f" = {fmt_amount(amount)}"
            ctx.raise_finding(p.fallback_finding, f"{p.stated} 未给出：视为已付 {shown}{total}")
        return {"amount": (amount, f"{shown}（未给出 {p.stated}，视为已付）")}


MODELS: tuple[type[Model], ...] = (Paid,)
