"""Standard models: the arithmetic that more than one contract uses.

A contract's TOML lists ``[[steps]]``; each step names a model
(``model = "profit_cap"``), the clause it implements, the items it produces
(``key``/``label``, ``[steps.outputs.<role>]`` for further ones) and the
model's own parameters. Parameters that take a figure are *operands*: a number
(``190``, ``"17811万"``, ``"3.85%"``) or the name of a facts key or of an item
produced by an earlier step (``"funding_total"``).

A model is a class registered by name through the ``yibao_register_models``
hook (the ones here are registered by the core's own plugin, the same way a
third-party plugin registers its own). Each model documents the clause shape
it implements; each computes from rounded amounts and says its formula with
the actual numbers.

Every model's ``Params`` is a frozen attrs class without generated
``__eq__``/``__repr__``: parameters are never compared or printed (``yibao
show`` formats them field by field), and generating those methods for every
model of the library is start-up time on every command
(``benchmarks/startup.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from .dates import add_months, age_on, anniversary
from .errors import FieldError, InputError, Problem
from .money import ZERO, fmt_amount, fmt_number, fmt_rate, to_fen
from .operands import Operand, date_ref, to_operand, to_operands, to_opt_operand  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from .engine import StepContext

ONE = Decimal(1)


def date_value(ctx: StepContext, op: Operand) -> dt.date | None:
    """The date a date-ref operand names, ``None`` when the fact is absent.

    :raises InputError: the fact is not a date.
    """
    assert op.ref is not None
    v = ctx.lookup(op.ref)
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if not isinstance(v, dt.date):
        ctx.input_error(op, f"expected a date such as 2025-06-15, got {v!r}")
    return v


# ------------------------------------------------------------------ base class
class Model:
    """Base of every standard model.

    Subclasses set ``name`` (what TOML writes), ``stage`` (the hook family it
    runs in by default), ``outputs`` (role -> default label; the first role is
    the step's ``key``/``label``), ``Params`` (an attrs class of its
    parameters) and implement :meth:`compute`.
    """

    name: ClassVar[str]
    stage: ClassVar[str] = "fees"
    outputs: ClassVar[Mapping[str, str]] = {"amount": "金额"}
    Params: ClassVar[type]

    def compute(self, params: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        """Return role -> (amount, formula). Amounts are rounded by the ledger."""
        raise NotImplementedError

    @classmethod
    def operands(cls, params: Any) -> list[Operand]:
        """Every operand in ``params`` (for checking names at load time)."""
        found: list[Operand] = []
        for a in attrs.fields(type(params)):
            v = getattr(params, a.name)
            if isinstance(v, Operand):
                found.append(v)
            elif isinstance(v, (list, tuple)):
                found.extend(x for x in v if isinstance(x, Operand))
        return found

    @classmethod
    def roster_columns(cls, params: Any) -> tuple[str, ...]:
        """Roster columns this step needs besides id, site and role; a roster
        without one of them is an input error naming the column."""
        return ()

    @classmethod
    def interpretation_ids(cls, params: Any) -> list[str]:
        """Interpretation ids ``params`` refers to (checked at load time)."""
        return [
            getattr(params, a.name)
            for a in attrs.fields(type(params))
            if a.name.endswith("interpretation") and getattr(params, a.name)
        ]


# ------------------------------------------------------------------ fees
class PerCapita(Model):
    """A fee per insured person: ``count × rate [÷ divisor]``.

    新乡 第十九条 (190 元/人/年), 洛阳 第三条(四) (1.2 元/参保人/年, paid
    quarterly: divisor 4), 淮阳 第二十八条 (150 元/人/年).
    """

    name = "per_capita"
    outputs = {"amount": "按人头计算的费用"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
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
    class Params:
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
    class Params:
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

    @attrs.frozen(eq=False, repr=False)
    class Params:
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
    def dynamic_outputs(cls, params: Any) -> dict[str, str]:
        return {part.key: part.label for part in params.parts}


# ------------------------------------------------------------------ risk sharing
class ProfitCap(Model):
    """Approved profit under a cap on the profit rate (新乡 第二十一条(1)(2)).

    balance = income − spending. balance ≥ rate × income: the approved profit
    is rate × income and the rest of the balance stays with the fund;
    0 < balance < cap: the whole balance; balance ≤ 0: nothing.
    """

    name = "profit_cap"
    stage = "risk"
    outputs = {"approved": "核定盈利", "surplus": "超出盈利上限的结余（留存基金）"}

    @attrs.frozen(eq=False, repr=False)
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


class ReturnCap(Model):
    """A surplus returned to the bureau up to a cap (咸阳 第六条: 返还金额上限
    1416万元): returned = min(surplus, cap), retained = the rest."""

    name = "return_cap"
    stage = "risk"
    outputs = {"returned": "结余返还", "retained": "结余留存"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        income: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        cap: Operand = attrs.field(converter=to_operand)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        income, spending, cap = ctx.value(p.income), ctx.value(p.spending), ctx.value(p.cap)
        surplus = max(ZERO, income - spending)
        bal = f"max(0, {fmt_amount(income)} − {fmt_amount(spending)})"
        returned = min(surplus, cap)
        return {
            "returned": (returned, f"min({bal}, {fmt_amount(cap)})"),
            "retained": (surplus - returned, f"{bal} − {fmt_amount(returned)}"),
        }


class LossSplit(Model):
    """A deficit split by cause (新乡 第二十一条(3), 咸阳 第六条): the part
    accepted as policy-driven is the bureau's (capped at the loss), the rest
    the insurer's."""

    name = "loss_split"
    stage = "risk"
    outputs = {"bureau": "政策性亏损（甲方承担）", "insurer": "非政策性亏损（乙方承担）"}

    @attrs.frozen(eq=False, repr=False)
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
        return {
            "bureau": (bureau, f"min({fmt_amount(policy)}, {loss_text})"),
            "insurer": (loss - bureau, f"{loss_text} − {fmt_amount(bureau)}"),
        }


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
    ``required`` above ``cap`` is an input error (a band both rolled over and
    drawn from).
    """

    name = "rolling_surplus"
    stage = "risk"
    outputs = {"rollover": "滚存结余转入", "drawn": "由滚存结余负担的超支", "end": "年末滚存结余"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        start: Operand = attrs.field(converter=to_operand)
        required: Operand = attrs.field(converter=to_operand)
        spending: Operand = attrs.field(converter=to_operand)
        cap: Operand = attrs.field(converter=to_operand)
        floor: Operand | None = attrs.field(default=None, converter=to_opt_operand)
        floor_finding: FindingSpec | None = None
        deficit_finding: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        start, required = ctx.value(p.start), ctx.value(p.required)
        spending, cap = ctx.value(p.spending), ctx.value(p.cap)
        if required > cap:
            ctx.input_error(p.required, f"expected at most {p.cap} ({fmt_amount(cap)}), got {fmt_amount(required)}")
        rollover = max(ZERO, required - spending)
        drawn = max(ZERO, spending - cap)
        end = to_fen(start) + to_fen(rollover) - to_fen(drawn)
        if p.floor is not None and p.floor_finding is not None:
            floor = ctx.value(p.floor)
            if end < floor:
                ctx.raise_finding(p.floor_finding, f"{fmt_amount(end)} < {fmt_amount(floor)}")
        if end < 0 and p.deficit_finding is not None:
            ctx.raise_finding(p.deficit_finding, f"{fmt_amount(end)} < 0")
        return {
            "rollover": (rollover, f"max(0, {fmt_amount(required)} − {fmt_amount(spending)})"),
            "drawn": (drawn, f"max(0, {fmt_amount(spending)} − {fmt_amount(cap)})"),
            "end": (end, f"{fmt_amount(start)} + {fmt_amount(rollover)} − {fmt_amount(drawn)}"),
        }


# ------------------------------------------------------------------ assessment
@attrs.frozen
class FindingSpec:
    """A finding a step raises (a tier reached, a condition unmet)."""

    key: str
    message: str
    severity: str = attrs.field(default="warning")
    clause: str | None = None

    @severity.validator
    def _sev(self, attribute: Any, value: str) -> None:
        if value not in ("info", "warning", "violation"):
            raise FieldError("severity", f"expected info, warning or violation, got {value!r}")


@attrs.frozen
class Tier:
    """One band of a score table: ``min ≤ score < max`` (the top band includes
    its max). In the band the payout is either a fixed ``share``, or reduced by
    ``per_point`` for every point below ``pivot``, or ``forfeit``-ed."""

    min: Decimal
    max: Decimal
    share: Decimal | None = None
    per_point: Decimal | None = None
    pivot: Decimal | None = None
    forfeit: bool = False
    finding: FindingSpec | None = None

    def paid_share(self, score: Decimal, whole_points: bool = False) -> Decimal:
        if self.forfeit:
            return ZERO
        if self.per_point is not None:
            points = max(ZERO, (self.pivot or self.max) - score)
            if whole_points:
                points = points.to_integral_value(rounding=ROUND_FLOOR)
            return max(ZERO, ONE - self.per_point * points)
        return ONE if self.share is None else self.share



def check_tier_table(tiers: Sequence[Tier], field: str = "tiers", lo: Decimal = ZERO, hi: Decimal = Decimal(100)) -> None:
    """A score table must cover lo–hi with no gap or overlap, and the payout
    must never rise as the score falls — also across a band's edge.

    :raises FieldError: naming the first band that breaks a rule.
    """
    if not tiers:
        raise FieldError(field, "expected at least one band")
    bands = sorted(tiers, key=lambda t: t.min)
    for i, t in enumerate(bands):
        kinds = sum(x is not None and x is not False for x in (t.share, t.per_point, t.forfeit or None))
        if kinds > 1:
            raise FieldError(field, f"band {t.min}–{t.max}: give one of share, per_point, forfeit")
        if t.min >= t.max:
            raise FieldError(field, f"band {t.min}–{t.max}: min must be below max")
        if t.share is not None and not ZERO <= t.share <= ONE:
            raise FieldError(field, f"band {t.min}–{t.max}: share must be from 0 to 1")
        if t.per_point is not None and t.per_point * ((t.pivot or t.max) - t.min) > ONE:
            raise FieldError(field, f"band {t.min}–{t.max}: deduction exceeds 100% at score {t.min}")
        if i == 0 and t.min != lo:
            raise FieldError(field, f"the bands must start at {lo}, the first starts at {t.min}")
        if i > 0:
            prev = bands[i - 1]
            if prev.max > t.min:
                raise FieldError(field, f"bands {prev.min}–{prev.max} and {t.min}–{t.max} overlap")
            if prev.max < t.min:
                raise FieldError(field, f"gap between {prev.max} and {t.min}: no band covers it")
            # payout just below the edge must not exceed payout at the edge
            if prev.paid_share(t.min) > t.paid_share(t.min):
                raise FieldError(field, f"payout rises as the score falls below {t.min}")
        if t.paid_share(t.min) > t.paid_share(t.max):
            raise FieldError(field, f"band {t.min}–{t.max}: payout rises as the score falls")
    if bands[-1].max != hi:
        raise FieldError(field, f"the bands must end at {hi}, the last ends at {bands[-1].max}")


def find_tier(tiers: Sequence[Tier], score: Decimal) -> Tier:
    top = max(t.max for t in tiers)
    for t in tiers:
        if t.min <= score < t.max or (score == t.max == top):
            return t
    raise ValueError(f"no band covers the score {score}")


def marginal_share(
    tiers: Sequence[Tier], tier: Tier, score: Decimal, whole: bool
) -> tuple[Decimal, list[str]]:
    """The alternative reading of "低于90分部分，每低1分按 r 扣减": each band's
    rate applies only to the points that lie inside that band (like income-tax
    brackets), not to every point below the pivot."""
    pivot = tier.pivot or tier.max
    points_total = max(ZERO, pivot - score)
    if whole:
        points_total = points_total.to_integral_value(rounding=ROUND_FLOOR)
    low = pivot - points_total
    deducted = ZERO
    parts: list[str] = []
    for band in sorted(tiers, key=lambda t: -t.min):
        if band.per_point is None or band.min >= pivot:
            continue
        top = min(band.max, pivot)
        bottom = max(band.min, low)
        if top > bottom:
            pts = top - bottom
            deducted += band.per_point * pts
            parts.append(f"{fmt_rate(band.per_point)} × {fmt_number(pts)}")
    return max(ZERO, ONE - deducted), parts or ["0"]


class ScoreTiers(Model):
    """An assessment score that cuts a payout by bands (新乡 第二十九条;
    洛阳 第三条(五) and 淮安 五 with a configurable table).

    ``base`` is what the score applies to; ``deduction`` is cut, ``paid`` is
    what remains. ``points_interpretation`` names the interpretation whose
    choice ``whole_points`` counts only completed points below the pivot
    (``proportional``, the default reading, counts fractions too).
    ``rate_interpretation`` names the interpretation whose choice
    ``marginal`` applies each band's rate only to the points inside that band
    (``all_points``, the default reading, applies the rate of the band the
    score falls in to every point below the pivot).
    ``default_score`` (optional) is the score used when the facts give none
    (洛阳 第三条(五) ties payment to an assessment the contract does not
    tabulate: no score given -> full score, full payment); the formula says
    so. Without it a missing score is an input error.
    """

    name = "score_tiers"
    stage = "assessment"
    outputs = {"deduction": "考核扣减", "paid": "考核后支付"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        base: Operand = attrs.field(converter=to_operand)
        score: Operand = attrs.field(converter=to_operand)
        tiers: tuple[Tier, ...] = attrs.field()
        points_interpretation: str | None = None
        rate_interpretation: str | None = None
        default_score: Operand | None = attrs.field(default=None, converter=to_opt_operand)

        @tiers.validator
        def _check(self, attribute: Any, value: tuple[Tier, ...]) -> None:
            check_tier_table(value)

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base = ctx.value(p.base)
        default = None if p.default_score is None else ctx.value(p.default_score)
        defaulted = default is not None and p.score.ref is not None and ctx.lookup(p.score.ref) is None
        score = ctx.value(p.score, default=default)
        if not ZERO <= score <= 100:
            ctx.input_error(p.score, f"expected a score from 0 to 100, got {score}")
        whole = bool(p.points_interpretation) and ctx.choice(p.points_interpretation) == "whole_points"
        marginal = bool(p.rate_interpretation) and ctx.choice(p.rate_interpretation) == "marginal"
        tier = find_tier(p.tiers, score)
        if tier.finding is not None:
            ctx.raise_finding(tier.finding, f"score {fmt_number(score)}")
        if tier.forfeit:
            share = ZERO
            ded_formula = f"{fmt_amount(base)} (score {fmt_number(score)} < {fmt_number(tier.max)}: 全部扣减)"
        elif tier.per_point is not None and marginal:
            share, parts = marginal_share(p.tiers, tier, score, whole)
            ded_formula = f"{fmt_amount(base)} × (" + " + ".join(parts) + ")"
        elif tier.per_point is not None:
            share = tier.paid_share(score, whole)
            points = max(ZERO, (tier.pivot or tier.max) - score)
            if whole:
                points = points.to_integral_value(rounding=ROUND_FLOOR)
            ded_formula = f"{fmt_amount(base)} × {fmt_rate(tier.per_point)} × {fmt_number(points)}"
        else:
            share = tier.paid_share(score, whole)
            ded_formula = f"{fmt_amount(base)} × (1 − {fmt_rate(share)})"
        if defaulted:
            ded_formula += f"（未提供 {p.score}，按 {fmt_number(score)} 分计）"
        deduction = to_fen(base * (ONE - share))
        paid = base - deduction
        return {
            "deduction": (deduction, ded_formula),
            "paid": (paid, f"{fmt_amount(base)} − {fmt_amount(deduction)}"),
        }


@attrs.frozen
class Threshold:
    """Below ``below`` (strictly), ``deduct`` of the base is deducted."""

    below: Decimal
    deduct: Decimal
    finding: FindingSpec | None = None



class ThresholdDeduction(Model):
    """A rate below a threshold costs a share of a fee (洛阳 第三条(三): 合格率
    低于90%（不含90%）扣2%，低于80%（不含80%）扣5%). The lowest threshold
    the rate is strictly below applies; the threshold itself is not below."""

    name = "threshold_deduction"
    stage = "assessment"
    outputs = {"deduction": "扣减"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        base: Operand = attrs.field(converter=to_operand)
        rate: Operand = attrs.field(converter=to_operand)
        thresholds: tuple[Threshold, ...] = attrs.field()

        @thresholds.validator
        def _check(self, attribute: Any, value: tuple[Threshold, ...]) -> None:
            ordered = sorted(value, key=lambda t: -t.below)
            for hi, lo in zip(ordered, ordered[1:], strict=False):
                if lo.deduct < hi.deduct:
                    raise FieldError("thresholds", "a lower rate must never deduct less")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        base, rate = ctx.value(p.base), ctx.value(p.rate)
        hit = None
        for t in sorted(p.thresholds, key=lambda t: t.below):
            if rate < t.below:
                hit = t
                break
        if hit is None:
            lowest = min(t.below for t in p.thresholds)
            return {"deduction": (ZERO, f"{fmt_rate(rate)} ≥ {fmt_rate(lowest)}: 不扣减")}
        if hit.finding is not None:
            ctx.raise_finding(hit.finding, f"{fmt_rate(rate)} < {fmt_rate(hit.below)}")
        formula = f"{fmt_amount(base)} × {fmt_rate(hit.deduct)} ({fmt_rate(rate)} < {fmt_rate(hit.below)})"
        return {"deduction": (base * hit.deduct, formula)}


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

    @attrs.frozen(eq=False, repr=False)
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


class Condition(Model):
    """A condition the contract attaches a consequence to, with no amount
    (淮阳 第四十二条: 年度考核不合格的，应在30个工作日内申请复核；复核仍不
    合格的，甲方有权终止合同). The step's ``when`` names the fact or item
    that must hold and ``otherwise`` the finding raised when it does not; the
    step produces no item."""

    name = "condition"
    stage = "assessment"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        pass

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        return {}


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

    @attrs.frozen(eq=False, repr=False)
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
                    f"expected an amount {span} 元 ({ctx.step.step.clause}), got {fmt_number(Decimal(v))}",
                )
        amounts = [to_fen(Decimal(v)) for v in values]
        if not amounts:
            return {"amount": (ZERO, "0（无）")}
        formula = " + ".join(fmt_amount(a) for a in amounts)
        return {"amount": (sum(amounts, ZERO), f"{len(amounts)} 次：{formula}")}


# ------------------------------------------------------------------ settlement
class Sum(Model):
    """Figures added and subtracted (季度应付 = 季度经办费 − 扣减; 年终清算 =
    全年费用 − 已预拨). ``floor = true`` stops at zero and raises
    ``excess_finding`` for what could not be deducted, never a negative
    payment."""

    name = "sum"
    stage = "settlement"
    outputs = {"amount": "合计"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        add: tuple[Operand, ...] = attrs.field(converter=to_operands)
        subtract: tuple[Operand, ...] = attrs.field(
            default=(), converter=to_operands
        )
        floor: bool = False
        excess_finding: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        plus = [ctx.value(o, default=ZERO) for o in p.add]
        minus = [ctx.value(o, default=ZERO) for o in p.subtract]
        total = sum(plus, ZERO) - sum(minus, ZERO)
        formula = " + ".join(fmt_amount(x) for x in plus)
        if minus:
            formula += " − " + " − ".join(fmt_amount(x) for x in minus)
        if p.floor and total < 0:
            if p.excess_finding is not None:
                ctx.raise_finding(p.excess_finding, f"不足抵扣 {fmt_amount(-total)} 元")
            return {"amount": (ZERO, f"max(0, {formula})")}
        return {"amount": (total, formula)}

    @classmethod
    def operands(cls, params: Any) -> list[Operand]:
        return [*params.add, *params.subtract]


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
    the default reading, counts it).
    """

    name = "monthly_prorata"
    stage = "settlement"
    outputs = {"amount": "按月计算的费用"}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        total: Operand = attrs.field(converter=to_operand)
        end: str = attrs.field(converter=_end_ref)
        months: int = attrs.field(default=12)
        start: str | None = attrs.field(default=None, converter=_start_ref)
        end_day_interpretation: str | None = None

        @months.validator
        def _check(self, attribute: Any, value: int) -> None:
            if value < 1:
                raise FieldError("months", f"expected a number of months ≥ 1, got {value}")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        total = ctx.value(p.total)
        start = (date_value(ctx, p.start) if p.start is not None else None) or ctx.contract.doc.term.start
        end = date_value(ctx, p.end)
        if end is None:
            ctx.input_error(p.end, f"required by {ctx.step.step.clause} ({self.name}) but not given")
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
        amount = monthly * full + monthly * days / length
        formula = f"{head}; {full} × {fmt_amount(monthly)} + {fmt_amount(monthly)} × {days}/{length}（{span}）"
        return {"amount": (amount, formula)}


# ------------------------------------------------------------------ staffing
class Headcount(Model):
    """A minimum number of staff, optionally of one role, at some sites
    (新乡 第七条 ≥ 20 派驻人员, 附件 ≥ 2 稽核人员; 洛阳 第四条(一) by site
    and role). ``sites`` limits the count to those sites, ``exclude_sites``
    counts every other site together (洛阳: 各县区共配备); neither counts all.
    ``group`` names the group counted in findings (派驻人员, 市本级…). A
    shortfall is a violation naming the group, the role, the count and the
    minimum. ``waive_interpretation`` (optional) names the interpretation
    whose choice ``waived`` leaves this minimum unchecked (洛阳 第四条(一):
    "其余 20 名其他人员" may be the remainder of the total rather than a
    minimum of its own); any other choice checks it."""

    name = "headcount"
    stage = "staffing"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        minimum: int
        role: str | None = None
        sites: tuple[str, ...] | None = None
        exclude_sites: tuple[str, ...] | None = None
        group: str | None = None
        finding_key: str = "staffing.headcount"
        waive_interpretation: str | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        if p.waive_interpretation and ctx.choice(p.waive_interpretation) == "waived":
            return {}
        staff: list[Any] = list(ctx.roster or ())
        if p.sites is not None:
            staff = [m for m in staff if m.site in p.sites]
        if p.exclude_sites is not None:
            staff = [m for m in staff if m.site not in p.exclude_sites]
        if p.role is not None:
            staff = [m for m in staff if m.role == p.role]
        n = len(staff)
        if n < p.minimum:
            where = p.group or (
                "、".join(p.sites) if p.sites else ("除" + "、".join(p.exclude_sites) + "外各站点" if p.exclude_sites else "全部")
            )
            who = f"role {p.role!r}" if p.role else "all roles"
            ctx.finding(
                p.finding_key,
                "violation",
                f"{where}: {who}: {n} on the roster, the contract requires at least {p.minimum}",
                scope=where,
            )
        return {}


def _non_negative_opt(_: Any, attribute: Any, value: Any) -> None:
    if value is not None and value < 0:
        raise FieldError(attribute.name, f"expected a number ≥ 0, got {value}")


@attrs.frozen
class PersonRule:
    """One requirement of a staffing clause for the members of one ``role``
    (every member when ``role`` is omitted). Each limit is inclusive, as
    "35周岁以下", "大专以上", "10年以上", "主治医师及以上" are:

    - ``count``: members of the role (at least, or exactly — see
      ``count_interpretation``);
    - ``max_age``: age in 周岁 on the day judged is at most this;
    - ``min_education``: ``education`` ranks at least this on ``education_ranks``;
    - ``full_time``: ``true`` — the education was full-time study (全日制);
    - ``majors``: ``major`` is listed under one of these ``major_categories``;
    - ``min_title``: ``title`` ranks at least this on ``title_ranks``;
    - ``min_experience_years``: ``experience_years`` is at least this.
    """

    role: str | None = None
    label: str | None = None
    clause: str | None = None
    count: int | None = attrs.field(default=None, validator=_non_negative_opt)
    max_age: int | None = attrs.field(default=None, validator=_non_negative_opt)
    min_education: str | None = None
    full_time: bool | None = None
    majors: tuple[str, ...] | None = None
    min_title: str | None = None
    min_experience_years: Decimal | None = attrs.field(default=None, validator=_non_negative_opt)

    @property
    def who(self) -> str:
        if self.label and self.role:
            return f"{self.label} ({self.role})"
        return self.label or (f"role {self.role!r}" if self.role else "every member")


#: roster column each requirement reads
_RULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("max_age", "birth_date"),
    ("min_education", "education"),
    ("full_time", "full_time"),
    ("majors", "major"),
    ("min_title", "title"),
    ("min_experience_years", "experience_years"),
)


def _as_of_ref(raw: Any) -> Any:
    return date_ref("as_of", raw)


class PersonRules(Model):
    """Per-person qualification rules of a staffing clause, and the number of
    members of each role (淮安 四(二)2: 9人团队 — 项目负责人 1人 45周岁以下、
    10年以上管理经验; 医疗专家 2人 主治医师及以上、1年以上; 医疗专业人员
    3人 医学类、药学类全日制大专及以上、35周岁以下; …; 全体成员大专以上).

    Everything comes from TOML: ``rules`` (see :class:`PersonRule`), the
    ladders ``education_ranks`` and ``title_ranks`` (value -> rank; equal
    ranks are equivalents, a higher rank is a higher level) and
    ``major_categories`` (category -> majors, following the national
    catalogue of majors; users extend it). The roster is judged on ``as_of``
    (a facts key holding a date) when that fact is given, else on the first
    day of the period (``facts.period_bounds(term)``, when the facts class
    has it), else on the term's first day.

    Each member failing a requirement is a ``violation`` finding
    ``<finding_key>.<requirement>`` (``count``, ``age``, ``education``,
    ``full_time``, ``major``, ``title``, ``experience``) whose scope and
    message name the roster ``id`` — never the name — with the rule and its
    clause; an empty cell a rule needs fails it (not shown). A roster value
    that is not on a ladder is an input error naming row and column.
    ``unknown_roles`` sets the severity of a finding for members whose role
    no rule names. ``age_interpretation`` names the interpretation whose
    choice ``birthday`` ends "N周岁以下" on the N-th birthday (``full_years``,
    the default reading, allows every day of age N in 周岁).
    ``count_interpretation`` names the interpretation whose choice
    ``exactly`` requires exactly ``count`` members (``at_least``, the
    default, requires at least ``count``).
    """

    name = "person_rules"
    stage = "staffing"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False)
    class Params:
        rules: tuple[PersonRule, ...]
        as_of: str | None = attrs.field(default=None, converter=_as_of_ref)
        education_ranks: dict[str, int] = attrs.Factory(dict)
        title_ranks: dict[str, int] = attrs.Factory(dict)
        major_categories: dict[str, tuple[str, ...]] = attrs.Factory(dict)
        unknown_roles: str = attrs.field(default="ignore")
        finding_key: str = "staffing"
        age_interpretation: str | None = None
        count_interpretation: str | None = None

        @unknown_roles.validator
        def _check_unknown(self, attribute: Any, value: str) -> None:
            if value not in ("ignore", "info", "warning", "violation"):
                raise FieldError("unknown_roles", f"expected one of ignore, info, warning, violation, got {value!r}")

        def __attrs_post_init__(self) -> None:
            if not self.rules:
                raise FieldError("rules", "expected at least one [[steps.rules]] entry")
            for i, r in enumerate(self.rules):
                if r.min_education is not None and r.min_education not in self.education_ranks:
                    raise FieldError(
                        f"rules[{i}].min_education",
                        f"{r.min_education!r} is not in education_ranks ({', '.join(self.education_ranks) or 'empty'})",
                    )
                if r.min_title is not None and r.min_title not in self.title_ranks:
                    raise FieldError(
                        f"rules[{i}].min_title",
                        f"{r.min_title!r} is not in title_ranks ({', '.join(self.title_ranks) or 'empty'})",
                    )
                for m in r.majors or ():
                    if m not in self.major_categories:
                        raise FieldError(
                            f"rules[{i}].majors",
                            f"{m!r} is not in major_categories ({', '.join(self.major_categories) or 'empty'})",
                        )

    @classmethod
    def roster_columns(cls, params: Any) -> tuple[str, ...]:
        cols: dict[str, None] = {}
        for rule in params.rules:
            for field, column in _RULE_COLUMNS:
                if getattr(rule, field) is not None:
                    cols[column] = None
        return tuple(cols)

    @staticmethod
    def judged_on(p: Any, ctx: StepContext) -> dt.date:
        """The day the roster is judged on (see the class docstring)."""
        if p.as_of is not None:
            day = date_value(ctx, p.as_of)
            if day is not None:
                return day
        bounds = getattr(ctx.facts, "period_bounds", None)
        if callable(bounds):
            first: dt.date = bounds(ctx.contract.doc.term)[0]
            return first
        return ctx.contract.doc.term.start

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        staff = tuple(ctx.roster or ())
        on = self.judged_on(p, ctx)
        clause = ctx.step.step.clause
        if any(r.count is not None for r in p.rules):
            exactly = bool(p.count_interpretation) and ctx.choice(p.count_interpretation) == "exactly"
            for r in p.rules:
                if r.count is None:
                    continue
                n = sum(1 for m in staff if r.role is None or m.role == r.role)
                if n < r.count or (exactly and n != r.count):
                    need = "exactly" if exactly else "at least"
                    ctx.finding(
                        f"{p.finding_key}.count",
                        "violation",
                        f"{r.who}: {n} on the roster, the contract requires {need} {r.count}",
                        clause=r.clause or clause,
                    )
        roles = {r.role for r in p.rules if r.role is not None}
        if p.unknown_roles != "ignore" and roles:
            for m in staff:
                if m.role not in roles:
                    ctx.finding(
                        f"{p.finding_key}.unknown_role",
                        p.unknown_roles,
                        f"{m.id}: role {m.role!r} is none of the contract's roles ({', '.join(sorted(roles))})",
                        scope=m.id,
                        clause=clause,
                    )
        by_birthday = any(r.max_age is not None for r in p.rules) and bool(p.age_interpretation) and (
            ctx.choice(p.age_interpretation) == "birthday"
        )
        problems: list[Problem] = []
        for m in staff:
            for r in p.rules:
                if r.role is not None and m.role != r.role:
                    continue
                for what, message in self._failures(p, r, m, on, by_birthday, problems):
                    ctx.finding(
                        f"{p.finding_key}.{what}",
                        "violation",
                        f"{m.id} — {r.who}: {message}",
                        scope=m.id,
                        clause=r.clause or clause,
                    )
        if problems:
            raise InputError(problems)
        return {}

    @staticmethod
    def _failures(
        p: Any, r: PersonRule, m: Any, on: dt.date, by_birthday: bool, problems: list[Problem]
    ) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []

        def rank(ladder: dict[str, int], column: str, value: str) -> int | None:
            if value in ladder:
                return ladder[value]
            problems.append(
                Problem(
                    "roster",
                    f"row {m.row}.{column}",
                    f"expected one of {', '.join(ladder)}, got {value!r} (id {m.id}); "
                    f"a value the contract's {column}_ranks lacks can be added there",
                )
            )
            return None

        if r.max_age is not None:
            if m.birth_date is None:
                out.append(("age", f"birth_date not given: {r.max_age}周岁以下 not shown"))
            elif by_birthday:
                limit = anniversary(m.birth_date, r.max_age)
                if on > limit:
                    out.append(("age", f"turned {r.max_age} on {limit}, before {on}; the contract requires {r.max_age}周岁以下 (reading: up to the {r.max_age}th birthday)"))
            else:
                age = age_on(m.birth_date, on)
                if age > r.max_age:
                    out.append(("age", f"{age} 周岁 on {on}; the contract requires {r.max_age}周岁以下 (≤ {r.max_age})"))
        if r.min_education is not None:
            if m.education is None:
                out.append(("education", f"education not given: {r.min_education}及以上 not shown"))
            else:
                got = rank(p.education_ranks, "education", m.education)
                if got is not None and got < p.education_ranks[r.min_education]:
                    out.append(("education", f"education {m.education}; the contract requires {r.min_education}及以上"))
        if r.full_time:
            if m.full_time is None:
                out.append(("full_time", "full_time not given: 全日制 not shown"))
            elif not m.full_time:
                out.append(("full_time", "education not full-time; the contract requires 全日制"))
        if r.majors is not None:
            allowed = {x for c in r.majors for x in p.major_categories[c]}
            if m.major is None:
                out.append(("major", f"major not given: a {'/'.join(r.majors)} major not shown"))
            elif m.major not in allowed:
                out.append(
                    ("major", f"major {m.major} is in none of the categories {'/'.join(r.majors)} (major_categories; extend it if the national catalogue lists it there)")
                )
        if r.min_title is not None:
            if m.title is None:
                out.append(("title", f"title not given: {r.min_title}及以上 not shown"))
            else:
                got = rank(p.title_ranks, "title", m.title)
                if got is not None and got < p.title_ranks[r.min_title]:
                    out.append(("title", f"title {m.title}; the contract requires {r.min_title}及以上"))
        if r.min_experience_years is not None:
            need = r.min_experience_years
            if m.experience_years is None:
                out.append(("experience", f"experience_years not given: {fmt_number(need)}年以上 not shown"))
            elif m.experience_years < need:
                out.append(
                    ("experience", f"{fmt_number(m.experience_years)} years of experience; the contract requires {fmt_number(need)}年以上 (≥ {fmt_number(need)})")
                )
        return out


STANDARD_MODELS: tuple[type[Model], ...] = (
    PerCapita,
    PercentOf,
    Fixed,
    Installments,
    ProfitCap,
    ReturnCap,
    LossSplit,
    RollingSurplus,
    ScoreTiers,
    ThresholdDeduction,
    PerIncident,
    Condition,
    Itemized,
    Sum,
    Headcount,
    MonthlyProrata,
    PersonRules,
)
