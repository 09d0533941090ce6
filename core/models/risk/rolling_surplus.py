"""The ``rolling_surplus`` model (risk): A fund whose under-use is carried forward and whose over-use is borne."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ...money import ZERO, fmt_amount, to_fen
from ...operands import Operand, to_operand, to_opt_operand
from ..base import FindingSpec, Model, StepContext


class RollingSurplus(Model):
    """A fund whose under-use is carried forward and whose over-use is borne
    by what was carried (淮阳 第二十九条、第三十条: 当年使用率不足承诺使用率
    的，不足部分滚存结余下年使用；年度支付率超过100%的，由滚存结余负担；
    滚存结余低于上年度保费总额30%的，调整筹资水平或支付政策).

    ``required`` is the spending the fund must reach (承诺使用率 × 收入, an
    amount), ``cap`` the spending above which the rolling surplus pays (100%
    of income):

    - ``rollover`` = max(0, required − spending), added to the surplus;
    - ``drawn``    = max(0, spending − cap), taken from the surplus;
    - ``end``      = start + rollover − drawn (carried into the next period
      with a ``[[carry]]`` entry).

    ``end`` strictly below ``floor`` raises ``floor_finding`` (the figure
    itself is not below); ``end`` below zero raises ``deficit_finding``.

    ``uncovered_interpretation`` names the interpretation of the excess the
    surplus cannot cover (淮阳 第三十条 is silent): the step then produces a
    further item, ``uncovered`` — the part of the excess above the surplus
    available (start + rollover, not below zero) — and ``drawn`` is only
    the part the surplus covers, so drawn + uncovered is the whole excess.
    Under the reading ``debt`` the uncovered part is carried as a debt
    against later years' surplus (``end`` goes below zero); under any other
    reading (``insurer``: the insurer bears it; ``bureau``: the bureau
    does) ``end`` never goes below zero. ``uncovered_finding`` is raised
    when there is an uncovered part, naming the reading.
    ``required`` above ``cap`` is an input error (a band both rolled over and
    drawn from).
    """

    name = "rolling_surplus"
    stage = "risk"
    outputs = {"rollover": "滚存结余转入", "drawn": "由滚存结余负担的超支", "end": "年末滚存结余"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        start: Operand = attrs.field(converter=to_operand)
        required: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        cap: Operand = attrs.field(converter=to_operand)
        floor: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        floor_finding: FindingSpec | None = None
        deficit_finding: FindingSpec | None = None
        uncovered_interpretation: str | None = None
        uncovered_finding: FindingSpec | None = None

    @classmethod
    def output_roles(cls, params: Any) -> Mapping[str, str]:
        if params.uncovered_interpretation is None:
            return cls.outputs
        return {**cls.outputs, "uncovered": "滚存结余不足负担的超支"}

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        start, required = ctx.value(p.start), ctx.value(p.required)
        spending, cap = ctx.value(p.spending), ctx.value(p.cap)
        if required > cap:
            ctx.input_error(p.required, f"expected at most {p.cap} ({fmt_amount(cap)}), got {fmt_amount(required)}")
        rollover = max(ZERO, required - spending)
        drawn = max(ZERO, spending - cap)
        end = to_fen(start) + to_fen(rollover) - to_fen(drawn)
        out: dict[str, tuple[Decimal, str]] = {}
        if p.uncovered_interpretation is not None:
            reading = ctx.choice(p.uncovered_interpretation)
            excess = to_fen(drawn)
            available = to_fen(start) + to_fen(rollover)
            covered = min(excess, max(ZERO, available))
            uncovered = excess - covered
            shown_avail = f"max(0, {fmt_amount(start)} + {fmt_amount(rollover)})"
            drawn_formula = f"min({fmt_amount(excess)}, {shown_avail})（超支 max(0, {fmt_amount(spending)} − {fmt_amount(cap)})）"
            out["uncovered"] = (uncovered, f"{fmt_amount(excess)} − {fmt_amount(covered)}（{p.uncovered_interpretation} = {reading}）")
            if reading == "debt":
                end_formula = f"{fmt_amount(start)} + {fmt_amount(rollover)} − {fmt_amount(covered)} − {fmt_amount(uncovered)}（不足部分作为欠款结转）"
                end = available - excess
            else:
                end_formula = f"{fmt_amount(start)} + {fmt_amount(rollover)} − {fmt_amount(covered)}"
                end = available - covered
            if uncovered > 0 and p.uncovered_finding is not None:
                ctx.raise_finding(p.uncovered_finding, f"{fmt_amount(uncovered)}；{p.uncovered_interpretation} = {reading}")
            drawn = covered
        if p.floor is not None and p.floor_finding is not None:
            floor = ctx.value(p.floor)
            if end < floor:
                ctx.raise_finding(p.floor_finding, f"{fmt_amount(end)} < {fmt_amount(floor)}")
        if end < 0 and p.deficit_finding is not None:
            ctx.raise_finding(p.deficit_finding, f"{fmt_amount(end)} < 0")
        if p.uncovered_interpretation is None:
            drawn_formula = f"max(0, {fmt_amount(spending)} − {fmt_amount(cap)})"
            end_formula = f"{fmt_amount(start)} + {fmt_amount(rollover)} − {fmt_amount(drawn)}"
        return {
            "rollover": (rollover, f"max(0, {fmt_amount(required)} − {fmt_amount(spending)})"),
            "drawn": (drawn, drawn_formula),
            "end": (end, end_formula),
            **out,
        }


#: the models of this family, registered by name (:mod:`yibao.models`)


MODELS: tuple[type[Model], ...] = (RollingSurplus,)
