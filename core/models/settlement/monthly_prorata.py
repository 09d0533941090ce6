"""The ``monthly_prorata`` model (settlement): A price for a term paid by the month up to a stop date: each full."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from ...dates import add_months
from ...errors import FieldError
from ...money import fmt_amount, to_fen
from ...operands import Operand, date_ref, to_operand
from ..base import Model, StepContext, date_value


def _end_ref(raw: Any) -> Any:
    return date_ref("end", raw)


def _start_ref(raw: Any) -> Any:
    return date_ref("start", raw)


class MonthlyProrata(Model):
    """A price for a term paid by the month up to a stop date: each full
    contract month whole, the month the stop falls in by calendar days
    (淮安 八: 因法律、法规、政策变化解除合同，"根据乙方实际工作情况按月支付
    相应劳务费用" — 699,000 ÷ 12 per month).

    ``monthly = total ÷ months``, rounded to 分 as it would be written down.
    Contract months count from ``start`` (a facts key holding a date; default
    the term's first day, see :mod:`yibao.dates`); the fact ``end`` is the
    last day. Every full month is paid ``monthly``; the month the end falls
    in is paid ``monthly × days worked ÷ days of that month``. Worked through
    the ``months``-th month, the whole ``total`` is paid.
    ``end_day_interpretation`` names the interpretation whose choice
    ``exclusive`` does not count the end day as a day worked (``inclusive``,
    the default reading, counts it). ``part_month_interpretation`` names the
    interpretation of how the month the end falls in is paid: ``by_days``
    (the default: by calendar days), ``completed_months`` (only whole months
    are paid) or ``started_month`` (a month begun is paid in full).
    """

    name = "monthly_prorata"
    stage = "settlement"
    outputs = {"amount": "按月计算的费用"}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        total: Operand = attrs.field(converter=to_operand)
        end: str = attrs.field(converter=_end_ref)
        months: int = attrs.field(default=12)
        start: str | None = attrs.field(default=None, converter=_start_ref)
        end_day_interpretation: str | None = None
        part_month_interpretation: str | None = None

        @months.validator
        def _check(self, attribute: Any, value: int) -> None:
            if value < 1:
                raise FieldError("months", f"expected a number of months ≥ 1, got {value}")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        total = ctx.value(p.total)
        start = (date_value(ctx, p.start) if p.start is not None else None) or ctx.term_start
        end = date_value(ctx, p.end)
        if end is None:
            ctx.input_error(p.end, f"required by {ctx.clause} ({self.name}) but not given")
            raise AssertionError  # unreachable: input_error raises
        inclusive = not (p.end_day_interpretation and ctx.choice(p.end_day_interpretation) == "exclusive")
        stop = end + dt.timedelta(days=1) if inclusive else end  # the first day not worked
        if stop < start:
            ctx.input_error(p.end, f"expected a date on or after {start}, got {end}")
        monthly = to_fen(total / p.months)
        head = f"{fmt_amount(total)} ÷ {p.months} = {fmt_amount(monthly)}/月"
        span = f"{start} 至 {stop - dt.timedelta(days=1)}" if stop > start else f"{start} 起未满一日"
        full = 0
        while full < p.months and add_months(start, full + 1) <= stop:
            full += 1
        if full == p.months:
            return {"amount": (total, f"{p.months} 个月全部履行（{span}）：{fmt_amount(total)}")}
        first = add_months(start, full)
        days = (stop - first).days
        length = (add_months(start, full + 1) - first).days
        part = ctx.choice(p.part_month_interpretation) if p.part_month_interpretation else "by_days"
        if part == "completed_months":
            note = "，不足一月部分不计" if days else ""
            return {"amount": (monthly * full, f"{head}; {full} × {fmt_amount(monthly)}（{span}{note}：{days}/{length} 天）")}
        if part == "started_month" and days > 0:
            started = full + 1
            if started == p.months:
                return {"amount": (total, f"{head}; 第 {started} 个月已开始，按整月计：{p.months} 个月 = {fmt_amount(total)}（{span}）")}
            return {"amount": (monthly * started, f"{head}; {started} × {fmt_amount(monthly)}（{span}，第 {started} 个月已开始，按整月计）")}
        amount = monthly * full + monthly * days / length
        formula = f"{head}; {full} × {fmt_amount(monthly)} + {fmt_amount(monthly)} × {days}/{length}（{span}）"
        return {"amount": (amount, formula)}


#: the models of this family, registered by name (:mod:`yibao.models`)


MODELS: tuple[type[Model], ...] = (MonthlyProrata,)
