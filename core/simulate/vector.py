"""The vectorised form of each standard model, and the engine that runs a
contract's steps over arrays of scenarios.

:data:`VECTOR` maps a standard model's name (``models.STANDARD``) to a
function ``(params, ctx) -> {role: Fx}`` that mirrors the model's
``compute`` step for step — the same operands, the same order, the same
half-up rounding to 分 at the same points (:mod:`.fixedpoint`) — over one
chunk of scenarios. The model modules are not edited: a model is vectorised
here, by name, and a model without an entry (a city's own model, a staffing
model) makes :func:`plan` refuse the contract, so the simulation takes the
Decimal path and says why.

:class:`Plan` walks the contract's steps the way :mod:`yibao.engine` does:
the four money stages in order, each stage's steps in TOML order, a step's
``periods``, ``reading`` gate, ``scope`` list and ``when`` condition, total
rows; every output rounded to 分 as the ledger rounds it. Findings a model
raises become masks (which scenarios raised them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from ..errors import InputError, Problem
from ..money import ZERO
from ..operands import Operand
from ..periods import period_of
from ..stages import MONEY_STAGES
from .fixedpoint import (
    Fx,
    VectorOverflow,
    add,
    div_to_fen,
    floor_int,
    fx,
    le,
    lt,
    max0,
    maximum,
    minimum,
    mul,
    nonzero,
    sub,
    to_fen,
    where,
)

ONE = Fx(1, 0)
ZERO_FX = Fx(0, 0)


class NotVectorisable(Exception):
    """The contract (or a fact it reads) has no vectorised form."""


# --------------------------------------------------------------- facts views
class FactsView:
    """A facts object seen through the drawn values: an attribute whose key
    path (``regions[0].payouts``) was drawn reads as the chunk's :class:`Fx`;
    any other reads as in the facts; a property of the facts class is
    evaluated on the view, so it sees the drawn values too."""

    __slots__ = ("_drawn", "_obj", "_path")

    def __init__(self, obj: Any, drawn: Mapping[str, Any], path: str = "") -> None:
        self._obj = obj
        self._drawn = drawn
        self._path = path

    def __getattr__(self, name: str) -> Any:
        path = f"{self._path}.{name}" if self._path else name
        if path in self._drawn:
            return self._drawn[path]
        prop = getattr(type(self._obj), name, None)
        if isinstance(prop, property) and prop.fget is not None:
            try:
                return prop.fget(self)
            except Exception as exc:  # a property doing Decimal arithmetic on an array
                raise NotVectorisable(f"the facts property {name!r} cannot be computed over arrays ({exc})") from None
        value = getattr(self._obj, name)
        prefix = (path + ".", path + "[")
        if not any(k.startswith(prefix) for k in self._drawn):
            return value
        if isinstance(value, tuple):
            return tuple(FactsView(x, self._drawn, f"{path}[{i}]") if attrs.has(type(x)) else self._drawn.get(f"{path}[{i}]", x) for i, x in enumerate(value))
        if attrs.has(type(value)):
            return FactsView(value, self._drawn, path)
        return value


# --------------------------------------------------------------- context
class VCtx:
    """What a vectorised model sees (the counterpart of ``StepContext``)."""

    def __init__(self, run: ChunkRun, clause: str, model: str, scope_list: str | None, scope: str | None, element: Any, index: int | None) -> None:
        self.run = run
        self.clause = clause
        self.model = model
        self.scope_list = scope_list
        self.scope = scope
        self.element = element
        self.index = index

    @property
    def n(self) -> int:
        return self.run.n

    def lookup(self, name: str) -> Any:
        items = self.run.items
        v = items.get((name, self.scope))
        if v is None and self.scope is not None:
            v = items.get((name, None))
        if v is not None:
            return v
        if self.element is not None:  # an element's fact left out falls through, as in compute
            v = getattr(self.element, name, None)
            if v is not None:
                return v
        return getattr(self.run.facts, name, None)

    def value(self, op: Operand, default: Decimal | None = None) -> Fx:
        if op.ref is None:
            assert op.value is not None
            return fx(op.value)
        v = self.lookup(op.ref)
        if v is None:
            if default is not None:
                return fx(default)
            self.input_error(op.ref, f"required by {self.clause} ({self.model}) but not given")
        if isinstance(v, Fx):
            return v
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            self.input_error(op.ref, f"expected a number, got {v!r}")
        return fx(v)

    def input_error(self, name: str, message: str) -> Any:
        path = f"{self.scope_list}[{self.index}].{name}" if self.index is not None else name
        raise InputError([Problem(self.run.source, path, message)])

    def choice(self, interpretation_id: str) -> str:
        return self.run.choices[interpretation_id]

    def finding(self, spec: Any, mask: Any) -> None:
        """``spec`` (a FindingSpec) raised in the scenarios of ``mask``."""
        if spec is None or mask is False:
            return
        key = (spec.key, self.scope)
        old = self.run.findings.get(key)
        self.run.findings[key] = mask if old is None else (old | mask)
        self.run.severity[spec.key] = spec.severity


# --------------------------------------------------------------- the models
def _per_capita(p: Any, c: VCtx) -> dict[str, Fx]:
    amount = mul(c.value(p.count), c.value(p.rate))
    return {"amount": div_to_fen(amount, p.divisor) if p.divisor != 1 else amount}


def _percent_of(p: Any, c: VCtx) -> dict[str, Fx]:
    return {"amount": mul(c.value(p.base), c.value(p.rate))}


def _fixed(p: Any, c: VCtx) -> dict[str, Fx]:
    return {"amount": c.value(p.amount)}


def _installments(p: Any, c: VCtx) -> dict[str, Fx]:
    total = c.value(p.total)
    out: dict[str, Fx] = {}
    paid = Fx(0, 2)
    for part in p.parts[:-1]:
        amount = to_fen(mul(total, fx(part.share)))
        paid = add(paid, amount)
        out[part.key] = amount
    out[p.parts[-1].key] = sub(total, paid)
    return out


def _profit_cap(p: Any, c: VCtx) -> dict[str, Fx]:
    income, spending, rate = c.value(p.income), c.value(p.spending), c.value(p.rate)
    balance = sub(income, spending)
    cap = to_fen(mul(income, rate))
    return {"approved": max0(minimum(balance, cap)), "surplus": max0(sub(balance, cap))}


def _return_cap(p: Any, c: VCtx) -> dict[str, Fx]:
    income, spending, cap = c.value(p.income), c.value(p.spending), c.value(p.cap)
    surplus = max0(sub(income, spending))
    returned = minimum(surplus, cap)
    return {"returned": returned, "retained": sub(surplus, returned)}


def _loss_split(p: Any, c: VCtx) -> dict[str, Fx]:
    income, spending = c.value(p.income), c.value(p.spending)
    policy = c.value(p.policy_loss, default=ZERO)
    loss = max0(sub(spending, income))
    bureau = minimum(policy, loss)
    return {"bureau": bureau, "insurer": sub(loss, bureau)}


def _rolling_surplus(p: Any, c: VCtx) -> dict[str, Fx]:
    start, required = c.value(p.start), c.value(p.required)
    spending, cap = c.value(p.spending), c.value(p.cap)
    over = lt(cap, required)
    if over is True or (not isinstance(over, bool) and bool(np.any(over))):
        c.input_error(str(p.required), f"expected at most {p.cap}, got more in some scenarios")
    rollover = max0(sub(required, spending))
    drawn = max0(sub(spending, cap))
    end = sub(add(to_fen(start), to_fen(rollover)), to_fen(drawn))
    out: dict[str, Fx] = {}
    if p.uncovered_interpretation is not None:
        # the overspend the surplus cannot cover (淮阳 第三十条; reading uncovered_excess)
        excess = to_fen(drawn)
        available = add(to_fen(start), to_fen(rollover))
        covered = minimum(excess, max0(available))
        out["uncovered"] = uncovered = sub(excess, covered)
        end = sub(available, excess) if c.choice(p.uncovered_interpretation) == "debt" else sub(available, covered)
        if p.uncovered_finding is not None:
            c.finding(p.uncovered_finding, lt(ZERO_FX, uncovered))
        drawn = covered
    if p.floor is not None and p.floor_finding is not None:
        c.finding(p.floor_finding, lt(end, c.value(p.floor)))
    if p.deficit_finding is not None:
        c.finding(p.deficit_finding, lt(end, ZERO_FX))
    return {"rollover": rollover, "drawn": drawn, "end": end, **out}


def _tier_mask(tiers: Any, t: Any, score: Fx) -> Any:
    top = max(x.max for x in tiers)
    m = _and(le(fx(t.min), score), lt(score, fx(t.max)))
    if t.max == top:
        m = _or(m, _eq(score, fx(t.max)))
    return m


def _and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return a & b


def _or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return a | b


def _eq(a: Fx, b: Fx) -> Any:
    x, y = le(a, b), le(b, a)
    return _and(x, y)


def _score_tiers(p: Any, c: VCtx) -> dict[str, Fx]:
    base = c.value(p.base)
    default = None if p.default_score is None else c.value(p.default_score).decimal()
    score = c.value(p.score, default=default)
    if p.score.ref is not None and getattr(c.element, p.score.ref, None) is not None:
        if p.scope_score_interpretation and c.choice(p.scope_score_interpretation) == "single":
            top = getattr(c.run.facts, p.score.ref, None)
            if top is None:
                top = default
            if top is not None:  # the contract-wide score, as compute keeps it
                score = fx(top)
    bad = _or(lt(score, ZERO_FX), lt(fx(100), score))
    if bad is True or (not isinstance(bad, bool) and bool(np.any(bad))):
        c.input_error(str(p.score), "expected a score from 0 to 100")
    whole = bool(p.points_interpretation) and c.choice(p.points_interpretation) == "whole_points"
    marginal = bool(p.rate_interpretation) and c.choice(p.rate_interpretation) == "marginal"
    share: Fx | None = None
    for t in p.tiers:
        mask = _tier_mask(p.tiers, t, score)
        if mask is False:
            continue
        if t.finding is not None:
            c.finding(t.finding, mask)
        if t.forfeit:
            s = ZERO_FX
        elif t.per_point is not None and marginal:
            s = _marginal_share(p.tiers, t, score, whole)
        elif t.per_point is not None:
            points = max0(sub(fx(t.pivot or t.max), score))
            if whole:
                points = floor_int(points)
            s = max0(sub(ONE, mul(fx(t.per_point), points)))
        else:
            s = ONE if t.share is None else fx(t.share)
        share = s if share is None else where(mask, s, share)
    if share is None:  # pragma: no cover - check_tier_table guarantees a band
        raise NotVectorisable("no band covers the scores")
    deduction = to_fen(mul(base, sub(ONE, share)))
    return {"deduction": deduction, "paid": sub(base, deduction)}


def _marginal_share(tiers: Any, tier: Any, score: Fx, whole: bool) -> Fx:
    pivot = fx(tier.pivot or tier.max)
    points_total = max0(sub(pivot, score))
    if whole:
        points_total = floor_int(points_total)
    low = sub(pivot, points_total)
    deducted = ZERO_FX
    for band in sorted(tiers, key=lambda t: -t.min):
        if band.per_point is None or band.min >= (tier.pivot or tier.max):
            continue
        top = minimum(fx(band.max), pivot)
        bottom = maximum(fx(band.min), low)
        pts = max0(sub(top, bottom))  # top > bottom or nothing
        deducted = add(deducted, mul(fx(band.per_point), pts))
    return max0(sub(ONE, deducted))


def _threshold_deduction(p: Any, c: VCtx) -> dict[str, Fx]:
    if p.levels is not None and p.levels.ref and c.lookup(p.levels.ref):
        raise NotVectorisable("per-level rates (levels) have no vectorised form")  # the exact path runs the model itself
    base, rate = c.value(p.base), c.value(p.rate)
    share: Fx = ZERO_FX
    hit_masks = []
    for t in sorted(p.thresholds, key=lambda t: -t.below):  # the lowest threshold below wins: last
        m = lt(rate, fx(t.below))
        share = where(m, fx(t.deduct), share)
        hit_masks.append((t, m))
    for i, (t, m) in enumerate(hit_masks):
        lower = [m2 for _, m2 in hit_masks[i + 1 :]]
        hit = m
        for m2 in lower:
            hit = _and(hit, _not(m2))
        if t.finding is not None:
            c.finding(t.finding, hit)
    return {"deduction": mul(base, share)}


def _not(m: Any) -> Any:
    if m is True or m is False:
        return not m
    return ~m


def _per_incident(p: Any, c: VCtx) -> dict[str, Fx]:
    count = c.value(p.count, default=ZERO)
    if p.max_count is not None:
        count = minimum(count, fx(p.max_count))
    if p.once_interpretation and c.choice(p.once_interpretation) == "once":
        count = minimum(count, ONE)
    unit = c.value(p.unit)
    # simulate runs without a roster, so no roster finding counts as an incident
    if p.base is not None:
        one = mul(unit, c.value(p.base))
        if p.rounding_interpretation and c.choice(p.rounding_interpretation) == "per_incident":
            return {"amount": mul(count, to_fen(one))}  # each incident rounded to 分 first (breach_rounding)
        return {"amount": mul(count, one)}
    return {"amount": mul(count, unit)}


def _condition(p: Any, c: VCtx) -> dict[str, Fx]:
    return {}


def _itemized(p: Any, c: VCtx) -> dict[str, Fx]:
    raw = c.lookup(p.amounts.ref)
    if raw is not None and not isinstance(raw, (list, tuple)):
        c.input_error(p.amounts.ref, f"expected a list of amounts, got {raw!r}")
    total = Fx(0, 2)
    for i, v in enumerate(raw or ()):
        a = fx(v)
        low, high = p.min, p.max
        out = _or(lt(a, fx(low)) if low is not None else False, lt(fx(high), a) if high is not None else False)
        if out is True or (not isinstance(out, bool) and bool(np.any(out))):
            c.input_error(f"{p.key_path or p.amounts.ref}[{i}]", f"expected an amount within the range of {c.clause}")
        total = add(total, to_fen(a))
    return {"amount": total}


def _sum(p: Any, c: VCtx) -> dict[str, Fx]:
    total: Fx = ZERO_FX
    for o in p.add:
        total = add(total, c.value(o, default=ZERO))
    for o in p.subtract:
        total = sub(total, c.value(o, default=ZERO))
    if p.floor:
        neg = lt(total, ZERO_FX)
        if p.excess_finding is not None:
            c.finding(p.excess_finding, neg)
        total = max0(total)
    return {"amount": total}


def _monthly_prorata(p: Any, c: VCtx) -> dict[str, Fx]:
    import datetime as dt  # noqa: PLC0415

    from ..dates import add_months  # noqa: PLC0415

    total = c.value(p.total)
    start = c.lookup(p.start.ref) if p.start is not None else None
    start = start or c.run.term_start
    end = c.lookup(p.end.ref)
    if not isinstance(end, dt.date):
        c.input_error(p.end.ref, f"required by {c.clause} ({p.end.ref}) but not given")
    inclusive = not (p.end_day_interpretation and c.choice(p.end_day_interpretation) == "exclusive")
    stop = end + dt.timedelta(days=1) if inclusive else end
    if stop < start:
        c.input_error(p.end.ref, f"expected a date on or after {start}, got {end}")
    monthly = div_to_fen(total, p.months)
    full = 0
    while full < p.months and add_months(start, full + 1) <= stop:
        full += 1
    if full == p.months:
        return {"amount": total}
    first = add_months(start, full)
    days = (stop - first).days
    length = (add_months(start, full + 1) - first).days
    part = c.choice(p.part_month_interpretation) if p.part_month_interpretation else "by_days"
    if part == "completed_months":
        return {"amount": mul(monthly, fx(full))}
    if part == "started_month" and days > 0:
        started = full + 1
        return {"amount": total if started == p.months else mul(monthly, fx(started))}
    return {"amount": add(mul(monthly, fx(full)), div_to_fen(mul(monthly, fx(days)), length))}


def _paid(p: Any, c: VCtx) -> dict[str, Fx]:
    """What was paid: the stated fact, else the fallback figures taken as paid."""
    given = c.lookup(p.stated.ref) if p.stated.ref is not None else p.stated.value
    if given is not None:
        return {"amount": c.value(p.stated)}
    total: Fx = ZERO_FX
    for o in p.fallback:
        total = add(total, c.value(o))
    if p.times is not None:
        total = mul(total, c.value(p.times))
    if p.fallback_finding is not None:
        c.finding(p.fallback_finding, True)
    return {"amount": total}


#: standard model name -> its vectorised form
VECTOR: dict[str, Callable[[Any, VCtx], dict[str, Fx]]] = {
    "per_capita": _per_capita,
    "percent_of": _percent_of,
    "fixed": _fixed,
    "installments": _installments,
    "profit_cap": _profit_cap,
    "return_cap": _return_cap,
    "loss_split": _loss_split,
    "rolling_surplus": _rolling_surplus,
    "score_tiers": _score_tiers,
    "threshold_deduction": _threshold_deduction,
    "per_incident": _per_incident,
    "condition": _condition,
    "itemized": _itemized,
    "sum": _sum,
    "monthly_prorata": _monthly_prorata,
    "paid": _paid,
}


# --------------------------------------------------------------- the engine
class ChunkRun:
    """One chunk of scenarios of one period being computed."""

    def __init__(self, n: int, facts: Any, choices: Mapping[str, str], term_start: Any, source: str | None) -> None:
        self.n = n
        self.facts = facts
        self.choices = choices
        self.term_start = term_start
        self.source = source
        self.items: dict[tuple[str, str | None], Fx] = {}
        self.findings: dict[tuple[str, str | None], Any] = {}
        self.severity: dict[str, str] = {}


def _truthy(v: Any) -> Any:
    if isinstance(v, Fx):
        return nonzero(v)
    return bool(v) and v != ZERO


class Plan:
    """A contract's money steps, checked to have vectorised forms."""

    def __init__(self, contract: Any) -> None:
        self.contract = contract
        missing = sorted({b.step.model for b in contract.steps if b.stage != "staffing" and b.step.model not in VECTOR})
        if missing:
            raise NotVectorisable(f"no vectorised form for the model(s) {', '.join(missing)}")
        self.steps = [b for stage in MONEY_STAGES for b in contract.steps if b.stage == stage.name]
        self.choices = {i.id: i.choice for i in contract.doc.interpretations}

    def run(self, facts: Any, drawn: Mapping[str, Fx], n: int, source: str | None = None) -> ChunkRun:
        """Compute one chunk: ``facts`` with the key paths of ``drawn``
        replaced by arrays of ``n`` scenarios. Items are in 分 (``Fx`` with 2
        decimals, constants or arrays).

        :raises NotVectorisable, VectorOverflow: take the Decimal path.
        :raises InputError: as ``compute`` would for these facts.
        """
        view = FactsView(facts, drawn)
        run = ChunkRun(n, view, self.choices, self.contract.doc.term.start, source)
        kind = period_of(facts).kind
        for b in self.steps:
            self._step(b, run, view, kind)
        return run

    def _step(self, b: Any, run: ChunkRun, view: FactsView, kind: str) -> None:
        step = b.step
        if step.periods is not None and kind not in step.periods:
            return
        if step.gate is not None and self.choices.get(step.gate[0]) != step.gate[1]:
            return
        fn = VECTOR[step.model]
        if step.scope is None:
            scopes: list[tuple[int | None, str | None, Any]] = [(None, None, None)]
        else:
            elements = getattr(view, step.scope)
            scopes = [(i, str(getattr(el, "name", i)), el) for i, el in enumerate(elements)]
        produced: dict[str, list[Fx]] = {}
        for index, scope, element in scopes:
            ctx = VCtx(run, step.clause, step.model, step.scope, scope, element, index)
            cond = True
            if step.when is not None:
                cond = _truthy(ctx.lookup(step.when))
            if cond is False or (isinstance(cond, np.bool_) and not cond):
                out = {role: Fx(0, 2) for role in b.outputs}
                if step.otherwise is not None:
                    ctx.finding(step.otherwise, True)
            else:
                out = fn(b.params, ctx)
                if cond is not True:
                    out = {role: where(cond, v, Fx(0, 2)) for role, v in out.items()}
                    if step.otherwise is not None:
                        ctx.finding(step.otherwise, ~cond)
            for role, spec in b.outputs.items():
                amount = to_fen(out[role])
                if (spec.key, scope) in run.items:
                    raise NotVectorisable(f"item {spec.key!r} (scope {scope!r}) produced twice")
                run.items[(spec.key, scope)] = amount
                produced.setdefault(role, []).append(amount)
        if step.scope is not None and step.total_row:
            for role, spec in b.outputs.items():
                total: Fx = Fx(0, 2)
                for a in produced.get(role, []):
                    total = add(total, a)
                run.items[(spec.key, "合计")] = total


def plan(contract: Any) -> Plan:
    """The contract's vectorised plan.

    :raises NotVectorisable: a money step's model has no vectorised form.
    """
    return Plan(contract)


__all__ = ["VECTOR", "FactsView", "NotVectorisable", "Plan", "VCtx", "VectorOverflow", "plan"]
