"""The ``per_incident`` model (assessment): A deduction per incident counted: ``count × unit``, or ``count × unit × base``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount, fmt_number, fmt_rate, to_fen
from ...operands import Operand, to_operand, to_opt_operand
from ..base import ONE, FindingSpec, Model, StepContext


class PerIncident(Model):
    """A deduction per incident counted: ``count × unit``, or ``count × unit ×
    base`` when the unit is a share of a fee (洛阳 第五条(二) 2% of the quarter
    fee; 咸阳 第十条3 500 元 per late settlement). ``max_count`` caps the
    count (e.g. once per quarter, as an alternative reading).
    ``once_interpretation`` (optional) names the interpretation whose choice
    ``once`` counts at most one incident per period (洛阳 第五条(二): "支付该
    季度 2% 经办服务费的违约金" read as once per quarter however many
    failures); any other choice counts every incident.

    ``roster_findings`` (optional) lists finding-key prefixes of the roster
    check: when the roster raised any finding whose key starts with one of
    them, that is one more incident, however many minimums it misses (洛阳
    第五条(二) "县区支公司未按要求配备人员": ``staffing.counties.``).
    ``roster_interpretation`` names the interpretation whose choice
    ``facts_only`` counts only ``count``; ``roster_finding`` is raised with
    the amount the shortfall costs. ``rounding_interpretation`` names the
    interpretation whose choice ``per_incident`` rounds each incident's
    ``unit × base`` to 分 before multiplying by the count; any other choice
    rounds once, on the total (the ledger's rounding of the item)."""

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
        roster_findings: tuple[str, ...] = ()
        roster_interpretation: str | None = None
        roster_finding: FindingSpec | None = None
        rounding_interpretation: str | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        count = ctx.value(p.count, default=ZERO)
        count_text = fmt_number(count)
        roster_keys = self._roster_keys(p, ctx)
        if roster_keys:
            count += ONE
            count_text = f"({count_text} + 1)"
        if p.max_count is not None:
            count = min(count, Decimal(p.max_count))
        if p.once_interpretation and ctx.choice(p.once_interpretation) == "once":
            count_text = f"min({count_text}, 1)"
            count = min(count, ONE)
        unit = ctx.value(p.unit)
        if p.base is not None:
            base = ctx.value(p.base)
            one = unit * base
            if count and p.rounding_interpretation and ctx.choice(p.rounding_interpretation) == "per_incident":
                one = to_fen(one)
                amount = count * one
                formula = f"{count_text} × {fmt_amount(one)}（{fmt_rate(unit)} × {fmt_amount(base)}，每起先按分取整）"
            else:
                amount, formula = count * unit * base, f"{count_text} × {fmt_rate(unit)} × {fmt_amount(base)}"
        else:
            amount, formula = count * unit, f"{count_text} × {fmt_amount(unit)}"
            one = unit
        if roster_keys and p.roster_finding is not None:
            ctx.raise_finding(
                p.roster_finding,
                f"{'、'.join(roster_keys)}：计1起，{fmt_amount(to_fen(one))} 元；本项合计 {fmt_amount(to_fen(amount))} 元",
            )
        return {"amount": (amount, formula)}

    @staticmethod
    def _roster_keys(p: Any, ctx: StepContext) -> list[str]:
        """The roster findings that count as one incident (none under the
        ``facts_only`` reading)."""
        if not p.roster_findings:
            return []
        found = [f.key for f in ctx.ledger.roster_findings if f.severity == "violation" and f.key.startswith(p.roster_findings)]
        if found and p.roster_interpretation and ctx.choice(p.roster_interpretation) == "facts_only":
            return []
        return list(dict.fromkeys(found))


MODELS: tuple[type[Model], ...] = (PerIncident,)
