"""Running a simulation: scenarios drawn in reproducible blocks, computed
chunk by chunk (vectorised, or through ``compute`` per scenario), summarised
in bounded memory.

**Reproducible scenarios.** Scenario ``i`` lies in block ``i // BLOCK``; the
draws of block ``b`` for period ``t`` come from
``Generator(PCG64(SeedSequence(seed, spawn_key=(t, b))))``, each ``--vary``
drawing a whole block in the order given. So a scenario's facts depend only
on the seed, its number and the ``--vary`` list — not on how many scenarios
run or how they are chunked — and a run can be repeated pass after pass to
locate percentiles exactly (:mod:`.stats`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ..errors import InputError, Problem, closest
from ..periods import period_field, period_of
from . import dist
from .fixedpoint import Fx, VectorOverflow, fen_array
from .stats import (
    PERCENTILES,
    Diff,
    Moments,
    Target,
    locate,
    quantiles_in_memory,
    rank,
    summary,
    wilson,
)
from .vector import NotVectorisable, Plan

#: scenarios per block (one generator stream each) and per computed chunk
BLOCK = 1 << 16
#: values (int64) kept in memory for exact percentiles; beyond, extra passes
MEMORY_VALUES = 1 << 24
#: scenarios checked against ``compute`` before a vectorised run is trusted
VERIFY = 8

RESULT = "__result__"

Compute = Callable[..., Any]


@attrs.frozen
class SimSpec:
    """A contract's ``[simulate]`` table: what the insurer's result is
    (items added and subtracted), the item marked as its cap, and the item
    that is the carried state (``--years``: P(runs out) = P(state < 0))."""

    clause: str | None = None
    label: str = "乙方结果"
    add: tuple[str, ...] = ()
    subtract: tuple[str, ...] = ()
    cap: str | None = None
    state: str | None = None

    @classmethod
    def of(cls, contract: Any) -> SimSpec | None:
        raw = getattr(contract.doc, "simulate", None)
        if not raw:
            return None
        file = contract.path
        produced = {o.key for b in contract.steps for o in b.outputs.values()}
        result = raw.get("result", {})
        problems = []
        allowed = {"clause", "result", "cap", "state"}
        for k in raw:
            if k not in allowed:
                hint = closest(k, allowed)
                problems.append(Problem(file, f"simulate.{k}", "unknown key" + (f"; did you mean {hint!r}?" if hint else "")))
        names = [("result.add", n) for n in result.get("add", [])] + [("result.subtract", n) for n in result.get("subtract", [])]
        names += [(k, raw[k]) for k in ("cap", "state") if raw.get(k)]
        for where_, n in names:
            if n not in produced:
                hint = closest(n, produced)
                problems.append(Problem(file, f"simulate.{where_}", f"no step produces {n!r}" + (f"; did you mean {hint!r}?" if hint else "")))
        if problems:
            raise InputError(problems)
        return cls(
            clause=raw.get("clause"),
            label=result.get("label", "乙方结果"),
            add=tuple(result.get("add", ())),
            subtract=tuple(result.get("subtract", ())),
            cap=raw.get("cap"),
            state=raw.get("state"),
        )


# --------------------------------------------------------------- facts of a scenario
def with_values(facts: Any, values: Mapping[str, Any]) -> Any:
    """``facts`` with the key paths of ``values`` replaced (attrs.evolve, nested)."""
    tree: dict[Any, Any] = {}
    for key, v in values.items():
        segs = dist.parse_path(key)
        node = tree
        for name, index in segs[:-1]:
            node = node.setdefault((name, index), {})
        node[segs[-1]] = v
    return _evolve(facts, tree)


def _evolve(obj: Any, tree: Mapping[Any, Any]) -> Any:
    changes: dict[str, Any] = {}
    lists: dict[str, dict[int, Any]] = {}
    for (name, index), sub in tree.items():
        if index is None:
            changes[name] = _evolve(getattr(obj, name), sub) if isinstance(sub, dict) else sub
        else:
            lists.setdefault(name, {})[index] = sub
    for name, by_index in lists.items():
        items = list(getattr(obj, name))
        for i, sub in by_index.items():
            items[i] = _evolve(items[i], sub) if isinstance(sub, dict) else sub
        changes[name] = tuple(items)
    return attrs.evolve(obj, **changes)


def _as_fact(v: dist.Vary, units: int) -> Any:
    return int(units) if v.integer else Decimal(int(units)).scaleb(-v.digits)


# --------------------------------------------------------------- the simulation
@attrs.define
class Simulation:
    """Everything a simulation run produced (``to_dict`` is the JSON)."""

    contract: Any
    scenarios: int
    seed: int
    varies: list[dist.Vary]
    periods: list[str]
    engine: str
    engine_note: str | None
    items: list[dict[str, Any]]
    result: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    runs_out: list[dict[str, Any]]
    #: per alternative reading: the changes, or ``not_computed``, the
    #: ``(key, message)`` problems that kept it from being computed
    readings: list[dict[str, Any]]
    passes: int
    spec: SimSpec | None
    #: the insurer's result of the last period: a 200-bin histogram (edges in 元, counts)
    histogram: tuple[list[float], list[int]] | None = None
    #: the largest value the ``[simulate] cap`` item took in the last period (元)
    cap: float | None = None

    def to_dict(self, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
        """The JSON of ``yibao simulate``. ``translate``: each message of
        why an alternative reading was not computed, before they are joined
        into its ``not_computed`` text (the CLI passes
        :func:`yibao.i18n.tr_message`); English without it."""
        c = self.contract
        return {
            "contract": c.doc.id,
            "city": c.doc.city,
            "scenarios": self.scenarios,
            "seed": self.seed,
            "periods": self.periods,
            "engine": self.engine,
            "engine_note": self.engine_note,
            "readings_in_effect": {i.id: i.choice for i in c.doc.interpretations},
            "vary": [
                {"key": v.key, "distribution": v.describe(), "facts_value": None if v.centre is None else str(v.centre)} for v in self.varies
            ],
            "items": self.items,
            "result": self.result,
            "findings": self.findings,
            "runs_out": self.runs_out,
            "readings": [_reading_row(r, translate) for r in self.readings],
            "percentile_passes": self.passes,
        }


class _Runner:
    """One simulation's state: the periods' facts, the variants (default
    reading and, with readings, each alternative), the engine."""

    def __init__(
        self,
        contract: Any,
        facts: Any,
        varies: list[dist.Vary],
        n: int,
        seed: int,
        years: int,
        compute: Compute,
        compute_series: Compute,
        variants: list[tuple[tuple[str, str] | None, Any]],
        force_scalar: bool,
        source: str | None,
    ) -> None:
        self.contract = contract
        self.varies = varies
        self.n = n
        self.seed = seed
        self.years = years
        self.compute = compute
        self.compute_series = compute_series
        self.variants = variants
        self.source = source
        self.carry = list(contract.doc.carry)
        carried = {c.fact for c in self.carry}
        # the periods: the facts' own, then the next ones, carried facts left to the carry
        self.facts = [facts]
        name, _ = period_field(type(facts))
        for _ in range(1, years):
            prev = self.facts[-1]
            nxt = attrs.evolve(prev, **{name: period_of(prev).next()})
            # a carried fact is left to the carry, even one the facts class requires
            # (its validators accept None: the series fills it before computing)
            blank = {f: None for f in carried if hasattr(prev, f)}
            self.facts.append(attrs.evolve(nxt, **blank))
        for f in self.facts:
            wrong = contract.check_period(period_of(f))
            if wrong is not None:
                raise InputError.one("command line", "--years", f"{years} periods from {period_of(facts)}: {wrong}")
        #: varied keys per period (a carried fact is drawn for the first period only)
        self.vary_in = [[v for v in varies if t == 0 or v.key not in carried] for t in range(years)]
        self.engine = "vector"
        self.note: str | None = None
        self.plans: list[Plan] | None = None
        if force_scalar:
            self.engine, self.note = "scalar", "the Decimal path was asked for (--scalar)"
        else:
            try:
                self.plans = [Plan(c) for _, c in variants]
            except NotVectorisable as exc:
                self.engine, self.note = "scalar", f"{exc}: each scenario computed by compute (the Decimal path)"
        self.labels: dict[tuple[str, str | None], tuple[str, str]] = {}
        self.severity: dict[str, str] = {}

    # ---- draws
    def draws(self, block: int, t: int, n: int) -> dict[str, np.ndarray]:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(t, block))))
        out = {}
        for v in self.varies:  # every vary draws its block, so the streams never shift
            a = v.draw(rng, BLOCK)[:n]
            if v in self.vary_in[t]:
                out[v.key] = a
        return out

    # ---- one chunk, one variant: every period's items and finding masks
    def vector_chunk(self, variant: int, drawn: list[dict[str, np.ndarray]], n: int) -> list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]:
        assert self.plans is not None
        plan = self.plans[variant]
        out = []
        carried: dict[str, Fx] = {}
        for t in range(self.years):
            fx_drawn: dict[str, Fx] = {k: Fx(a, 0 if v.integer else v.digits) for v in self.vary_in[t] for k, a in [(v.key, drawn[t][v.key])]}
            fx_drawn.update(carried)
            run = plan.run(self.facts[t], fx_drawn, n, self.source)
            items = {k: fen_array(v, n) for k, v in run.items.items()}
            self.severity.update(run.severity)
            out.append((items, run.findings))
            carried = {}
            for c in self.carry:
                key = _item_key(items, c.item)
                if key is None:
                    raise InputError.one(None, f"carry[{c.item}]", f"period {period_of(self.facts[t])} produced no item {c.item!r}")
                carried[c.fact] = Fx(items[key], 2)
        return out

    def scenario_facts(self, drawn: list[dict[str, np.ndarray]], i: int) -> list[Any]:
        by = {v.key: v for v in self.varies}
        return [with_values(self.facts[t], {k: _as_fact(by[k], a[i]) for k, a in drawn[t].items()}) for t in range(self.years)]

    def scalar_results(self, variant: int, drawn: list[dict[str, np.ndarray]], i: int) -> list[Any]:
        c = self.variants[variant][1]
        facts = self.scenario_facts(drawn, i)
        if self.years == 1:
            return [self.compute(c, facts[0], None, self.source)]
        return list(self.compute_series(c, facts))

    def scalar_chunk(self, variant: int, drawn: list[dict[str, np.ndarray]], n: int) -> list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]:
        items: list[dict[Any, np.ndarray]] = [{} for _ in range(self.years)]
        finds: list[dict[Any, Any]] = [{} for _ in range(self.years)]
        for i in range(n):
            for t, r in enumerate(self.scalar_results(variant, drawn, i)):
                for li in r.items:
                    arr = items[t].get((li.key, li.scope))
                    if arr is None:
                        arr = items[t][(li.key, li.scope)] = np.zeros(n, dtype=np.int64)
                    arr[i] = int(li.amount.scaleb(2))
                for f in r.findings:
                    if f.severity == "info":
                        continue
                    self.severity[f.key] = f.severity
                    m = finds[t].get((f.key, f.scope))
                    if m is None:
                        m = finds[t][(f.key, f.scope)] = np.zeros(n, dtype=bool)
                    m[i] = True
        return list(zip(items, finds, strict=True))

    def chunk(self, variant: int, drawn: list[dict[str, np.ndarray]], n: int) -> list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]:
        if self.engine == "vector":
            try:
                return self.vector_chunk(variant, drawn, n)
            except (NotVectorisable, VectorOverflow) as exc:
                self.engine, self.note = "scalar", f"{exc}: each scenario computed by compute (the Decimal path)"
        return self.scalar_chunk(variant, drawn, n)

    def verify(self) -> None:
        """Compute the first scenarios both ways; any difference (an item a
        city's own hook adds, a figure off by a 分) sends the run down the
        Decimal path. Also learns the items' labels and kinds."""
        m = min(self.n, VERIFY)
        drawn = [self.draws(0, t, m) for t in range(self.years)]
        for variant in range(len(self.variants)):
            vec = self.chunk(variant, drawn, m) if self.engine == "vector" else None
            for i in range(m):
                results = self.scalar_results(variant, drawn, i)
                for t, r in enumerate(results):
                    if variant == 0:
                        for li in r.items:
                            self.labels[(li.key, li.scope)] = (li.label, li.kind)
                    if vec is None:
                        continue
                    vitems = vec[t][0]
                    want = {(li.key, li.scope): int(li.amount.scaleb(2)) for li in r.items}
                    got = {k: int(a[i]) for k, a in vitems.items()}
                    if want != got:
                        diff = sorted(set(want) ^ set(got)) or [k for k in want if want[k] != got[k]]
                        k = diff[0]
                        self.engine = "scalar"
                        self.note = (
                            f"the vectorised form disagrees with compute on scenario {i} ({k[0]}"
                            + (f"@{k[1]}" if k[1] else "")
                            + "): each scenario computed by compute (the Decimal path)"
                        )
                        vec = None

    def chunks(self, with_draws: bool = False) -> Iterator[tuple[int, list[dict[str, np.ndarray]], list[list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]]]]:
        """Every chunk: (first scenario, draws per period, per variant per period (items, findings))."""
        for block in range(-(-self.n // BLOCK)):
            n = min(BLOCK, self.n - block * BLOCK)
            drawn = [self.draws(block, t, n) for t in range(self.years)]
            yield block * BLOCK, drawn, [self.chunk(v, drawn, n) for v in range(len(self.variants))]


def _item_key(items: Mapping[tuple[str, str | None], Any], key: str) -> tuple[str, str | None] | None:
    if (key, None) in items:
        return (key, None)
    found = [k for k in items if k[0] == key and k[1] != "合计"]
    return found[0] if len(found) == 1 else None


def _result(spec: SimSpec, items: Mapping[tuple[str, str | None], np.ndarray], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.int64)
    for key, sign in [*((k, 1) for k in spec.add), *((k, -1) for k in spec.subtract)]:
        for (k, scope), a in items.items():
            if k == key and scope != "合计":
                out += sign * a
    return out


def _cap(spec: SimSpec, items: Mapping[tuple[str, str | None], np.ndarray]) -> np.ndarray | None:
    if spec.cap is None:
        return None
    parts = [a for (k, scope), a in items.items() if k == spec.cap and scope != "合计"]
    return sum(parts[1:], parts[0]) if parts else None


def simulate(
    contract: Any,
    facts: Any,
    *,
    scenarios: int,
    seed: int,
    vary: Sequence[str] = (),
    years: int = 1,
    compute: Compute,
    compute_series: Compute,
    readings: bool = False,
    facts_file: str | None = None,
    dump: str | Path | None = None,
    force_scalar: bool = False,
    memory_values: int = MEMORY_VALUES,
) -> Simulation:
    """Simulate ``scenarios`` runs of the contract on ``facts`` with the
    ``vary`` keys drawn (:mod:`.dist`), over ``years`` consecutive periods.

    :param readings: also every alternative reading of every interpretation,
        on the same scenarios: the change of each item's mean.
    :param dump: a Parquet file to write one row per scenario (and period).
    :raises InputError: a bad ``--vary``, a period outside the term, facts a
        scenario makes invalid for ``compute``.
    """
    if scenarios < 1:
        raise InputError.one("command line", "--scenarios", f"expected at least 1, got {scenarios}")
    if years < 1:
        raise InputError.one("command line", "--years", f"expected at least 1, got {years}")
    varies = dist.parse_all(vary, facts, facts_file)
    spec = SimSpec.of(contract)
    variants: list[tuple[tuple[str, str] | None, Any]] = [(None, contract)]
    if readings:
        for interp in contract.doc.interpretations:
            for choice in interp.readings:
                if choice != interp.choice:
                    variants.append(((interp.id, choice), contract.with_choices({interp.id: choice})))
    runner = _Runner(contract, facts, varies, scenarios, seed, years, compute, compute_series, variants, force_scalar, facts_file)
    usable: list[bool] = [True] * len(variants)
    problems: dict[int, list[tuple[str, str]]] = {}
    for vi in range(1, len(variants)):
        check = getattr(facts, "validate_against", None)
        if check is not None:
            wrong = check(variants[vi][1])
            if wrong:
                usable[vi] = False
                problems[vi] = list(wrong)
    runner.variants = [v for v, ok in zip(variants, usable, strict=True) if ok]
    if runner.plans is not None:
        runner.plans = [p for p, ok in zip(runner.plans, usable, strict=True) if ok]
    runner.verify()
    periods = [str(period_of(f)) for f in runner.facts]
    moments: dict[Any, Moments] = {}
    stored: dict[Any, list[np.ndarray]] = {}
    finding_counts: dict[Any, int] = {}
    runs_out_counts = [0] * years
    diffs: dict[Any, Diff] = {}
    cap_max: int | None = None
    keep = None  # decided after the first chunk, when the number of series is known
    writer = _Dump(dump, runner, periods) if dump is not None else None
    try:
        for first, drawn, per_variant in runner.chunks():
            base = per_variant[0]
            n = min(BLOCK, scenarios - first)
            series = _series(base, spec, n)
            if keep is None:
                keep = len(series) * scenarios <= memory_values
            for sid, a in series.items():
                moments.setdefault(sid, Moments()).add(a)
                if keep:
                    stored.setdefault(sid, []).append(a)
            for t, (_items, finds) in enumerate(base):
                for key, mask in finds.items():
                    finding_counts[(t, *key)] = finding_counts.get((t, *key), 0) + (n if mask is True else int(np.count_nonzero(mask)))
            if spec is not None and spec.state is not None:
                out = np.zeros(n, dtype=bool)
                for t, (items, _f) in enumerate(base):
                    k = _item_key(items, spec.state)
                    if k is not None:
                        out |= items[k] <= 0  # nothing left: exhausted (under the default reading the surplus stops at 0)
                    runs_out_counts[t] += int(np.count_nonzero(out))
            if spec is not None and spec.cap is not None:
                cap = _cap(spec, base[-1][0])
                if cap is not None and cap.size:
                    cap_max = max(cap_max, int(cap.max())) if cap_max is not None else int(cap.max())
            for vi in range(1, len(runner.variants)):
                for t, (items, _f) in enumerate(per_variant[vi]):
                    for key, a in items.items():
                        b = base[t][0].get(key)
                        if b is not None:
                            diffs.setdefault((vi, t, *key), Diff()).add(a - b)
                    if spec is not None:
                        diffs.setdefault((vi, t, RESULT, None), Diff()).add(_result(spec, items, n) - _result(spec, base[t][0], n))
            if writer is not None:
                writer.write(first, n, drawn, base)
        if writer is not None:
            writer.close()
            writer = None
    finally:
        if writer is not None:
            writer.abort()
    # ---- percentiles
    ranks: dict[Any, set[int]] = {sid: {rank(p, m.n) for p in PERCENTILES} for sid, m in moments.items()}
    tail_k = rank(1, scenarios)
    found: dict[Any, dict[int, int]] = {}
    tails: dict[Any, int | float] = {}
    passes = 0
    hist: tuple[list[float], list[int]] | None = None
    last_result = (years - 1, RESULT, None)
    if keep:
        for sid, parts in stored.items():
            a = np.concatenate(parts)
            need_tail = tail_k if sid[1] == RESULT else None
            found[sid], tail = quantiles_in_memory(a, ranks[sid], need_tail)
            if tail is not None:
                tails[sid] = tail
            if sid == last_result:
                hist = _histogram([a], moments[sid], found[sid][rank(1, moments[sid].n)])
        stored.clear()
    else:
        targets = [Target(sid, r, moments[sid].min or 0, moments[sid].max or 0, tail=(sid[1] == RESULT and r == tail_k)) for sid, ks in ranks.items() for r in sorted(ks)]
        if spec is not None and all(not (t.series[1] == RESULT and t.k == tail_k) for t in targets) and last_result in moments:
            targets.append(Target(last_result, tail_k, moments[last_result].min or 0, moments[last_result].max or 0, tail=True))

        def rerun() -> Iterator[dict[Any, np.ndarray]]:
            for first, _drawn, per_variant in _base_only(runner):
                base = per_variant
                n = min(BLOCK, scenarios - first)
                yield _series(base, spec, n)

        passes = locate(targets, rerun)
        for tg in targets:
            found.setdefault(tg.series, {})[tg.k] = tg.lo
            if tg.tail:
                tails[tg.series] = tg.below_sum + (tg.k - tg.below) * tg.lo
        if last_result in moments:
            hist = _histogram(_result_chunks(runner, spec, scenarios), moments[last_result], found[last_result][rank(1, scenarios)])
            passes += 1
    # ---- assemble
    items_out = []
    for sid, m in moments.items():
        t, key, scope = sid
        if key == RESULT:
            continue
        label, kind = runner.labels.get((key, scope), (key, "payment"))
        row = {"period": periods[t], "key": key, "scope": scope, "label": label}
        if kind != "payment":
            row["kind"] = kind
        row.update(summary(m, found[sid]))
        items_out.append(row)
    result_out = []
    if spec is not None:
        for t in range(years):
            sid = (t, RESULT, None)
            if sid not in moments:
                continue
            m = moments[sid]
            row = {"period": periods[t], "label": spec.label, "clause": spec.clause, "add": list(spec.add), "subtract": list(spec.subtract)}
            row.update(summary(m, found[sid]))
            lo, hi = wilson(m.neg, m.n)
            q1 = found[sid].get(tail_k, found[sid][rank(1, m.n)])
            row["p_loss"] = round(m.neg / m.n, 6)
            row["p_loss_ci95"] = [round(lo, 6), round(hi, 6)]
            row["var99"] = _yuan(-q1)
            if sid in tails:
                tail_sum = tails[sid]
                row["tvar99"] = _yuan(Decimal(-tail_sum) / tail_k if isinstance(tail_sum, int) else Decimal(repr(-tail_sum)) / tail_k)
            result_out.append(row)
    findings_out = []
    for (t, key, scope), count in sorted(finding_counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        if count == 0:
            continue
        lo, hi = wilson(count, scenarios)
        findings_out.append({"period": periods[t], "key": key, "scope": scope, "severity": runner.severity.get(key, "warning"), "p": round(count / scenarios, 6), "p_ci95": [round(lo, 6), round(hi, 6)]})
    runs_out = []
    if spec is not None and spec.state is not None:
        for t in range(years):
            lo, hi = wilson(runs_out_counts[t], scenarios)
            runs_out.append({"period": periods[t], "state": spec.state, "p_by_end": round(runs_out_counts[t] / scenarios, 6), "p_ci95": [round(lo, 6), round(hi, 6)]})
    readings_out = _readings_out(runner, variants, usable, problems, diffs, periods, spec)
    cap_top = cap_max / 100 if cap_max is not None else None
    return Simulation(
        contract=contract,
        scenarios=scenarios,
        seed=seed,
        varies=varies,
        periods=periods,
        engine=runner.engine,
        engine_note=runner.note,
        items=items_out,
        result=result_out,
        findings=findings_out,
        runs_out=runs_out,
        readings=readings_out,
        passes=passes,
        spec=spec,
        histogram=hist,
        cap=cap_top,
    )


def _publish(tmp: Path, target: Path) -> None:
    """Rename a finished temporary file into place with the permissions a
    new file gets (mkstemp creates it readable by its owner only)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, target)


def _yuan(fen: Decimal | int) -> str:
    from ..money import to_fen  # noqa: PLC0415

    return f"{to_fen(Decimal(fen) / 100):.2f}"


def _series(base: list[tuple[dict[Any, np.ndarray], dict[Any, Any]]], spec: SimSpec | None, n: int) -> dict[Any, np.ndarray]:
    out: dict[Any, np.ndarray] = {}
    for t, (items, _f) in enumerate(base):
        for (key, scope), a in items.items():
            out[(t, key, scope)] = a
        if spec is not None:
            out[(t, RESULT, None)] = _result(spec, items, n)
    return out


def _base_only(runner: _Runner) -> Iterator[tuple[int, Any, list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]]]:
    for block in range(-(-runner.n // BLOCK)):
        n = min(BLOCK, runner.n - block * BLOCK)
        drawn = [runner.draws(block, t, n) for t in range(runner.years)]
        yield block * BLOCK, drawn, runner.chunk(0, drawn, n)


def _result_chunks(runner: _Runner, spec: SimSpec | None, scenarios: int) -> Iterator[np.ndarray]:
    assert spec is not None
    for first, _d, base in _base_only(runner):
        yield _result(spec, base[-1][0], min(BLOCK, scenarios - first))


def _histogram(chunks: Any, m: Moments, p1: int, bins: int = 200) -> tuple[list[float], list[int]]:
    """Counts of the result in ``bins`` equal bins from a little below the
    1st percentile (or the least value, if near) to the greatest; the
    scenarios left of the axis are not counted (at most 1%)."""
    hi = (m.max or 0) / 100
    lo = (m.min or 0) / 100
    low1 = p1 / 100 - 0.05 * (hi - p1 / 100)
    lo = max(lo, min(low1, 0.0 if hi > 0 else low1))
    if hi <= lo:
        hi = lo + 1
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.zeros(bins, dtype=np.int64)
    for a in chunks:
        c, _ = np.histogram(a / 100, bins=edges)
        counts += c
    return edges.tolist(), counts.tolist()


def _reading_row(row: dict[str, Any], translate: Callable[[str], str] | None) -> dict[str, Any]:
    """A row of :attr:`Simulation.readings` as JSON: the problems of a
    reading not computed (kept as a list) joined into one text."""
    if "not_computed" not in row:
        return row
    from ..readings import why_not_computed  # noqa: PLC0415

    return {**row, "not_computed": why_not_computed(row["not_computed"], translate)}


def _readings_out(runner: _Runner, variants: Any, usable: list[bool], problems: Mapping[int, list[tuple[str, str]]], diffs: Mapping[Any, Diff], periods: list[str], spec: SimSpec | None) -> list[dict[str, Any]]:
    import math  # noqa: PLC0415

    from .stats import Z95, fmt_fen  # noqa: PLC0415

    out: list[dict[str, Any]] = []
    index = 0
    for vi, (which, _c) in enumerate(variants):
        if which is None:
            continue
        iid, choice = which
        row: dict[str, Any] = {"interpretation": iid, "reading": choice}
        if not usable[vi]:
            row["not_computed"] = problems[vi]
            out.append(row)
            continue
        index += 1
        changes = []
        for (v, t, key, scope), d in diffs.items():
            if v != index or d.changed == 0:
                continue
            mean = d.total / d.n
            var = max(0.0, (d.m2 - d.n * mean * mean) / max(1, d.n - 1))
            half = Z95 * math.sqrt(var / d.n)
            changes.append(
                {
                    "period": periods[t],
                    "key": "result" if key == RESULT else key,
                    "scope": scope,
                    "mean_change": fmt_fen(Decimal(d.total) / d.n),
                    "mean_change_ci95": [fmt_fen(mean - half), fmt_fen(mean + half)],
                    "p_changed": round(d.changed / d.n, 6),
                }
            )
        row["changes"] = changes
        out.append(row)
    del runner, spec
    return out


class _Dump:
    """``--dump``: one row per scenario (and period), written chunk by chunk
    to a temporary file beside the target and renamed into place at the end."""

    def __init__(self, target: str | Path, runner: _Runner, periods: list[str]) -> None:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        self.pa = pa
        self.target = Path(target)
        self.runner = runner
        self.periods = periods
        fd, tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent if str(self.target.parent) else ".")
        os.close(fd)
        self.tmp = Path(tmp)
        self.writer: Any = None
        self.pq = pq

    def _decimal(self, a: np.ndarray, scale: int) -> Any:
        pa = self.pa
        buf = np.empty((a.size, 2), dtype=np.int64)
        buf[:, 0] = a
        buf[:, 1] = a >> 63
        return pa.Array.from_buffers(pa.decimal128(18, scale), a.size, [None, pa.py_buffer(buf.tobytes())])

    def write(self, first: int, n: int, drawn: list[dict[str, np.ndarray]], base: list[tuple[dict[Any, np.ndarray], dict[Any, Any]]]) -> None:
        pa = self.pa
        for t, (items, _f) in enumerate(base):
            cols: dict[str, Any] = {"scenario": pa.array(np.arange(first, first + n, dtype=np.int64))}
            if len(self.periods) > 1:
                cols["period"] = pa.array([self.periods[t]] * n, pa.string())
            for v in self.runner.varies:
                a = drawn[t].get(v.key)
                kind = pa.int64() if v.integer else pa.decimal128(18, v.digits)
                if a is None:  # a carried fact after the first period: not drawn
                    cols[v.key] = pa.nulls(n, kind)
                    continue
                cols[v.key] = pa.array(a) if v.integer else self._decimal(a, v.digits)
            for (key, scope), a in items.items():
                cols[key if scope is None else f"{key}@{scope}"] = self._decimal(a, 2)
            table = pa.table(cols)
            if self.writer is None:
                self.writer = self.pq.ParquetWriter(self.tmp, table.schema)
            elif table.schema != self.writer.schema:
                table = table.select(self.writer.schema.names).cast(self.writer.schema)
            self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        _publish(self.tmp, self.target)

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.tmp.unlink(missing_ok=True)
