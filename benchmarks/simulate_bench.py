"""Benchmark: ``yibao simulate`` on a Xinxiang year with one region.

Times, in one run, on the same scenarios (payouts log-normal, cv 0.1;
score triangular 70/88/100; seed 1):

1. the engine: drawing and computing every item of every scenario through
   the vectorised standard models (``yibao.simulate``), chunk by chunk;
2. a hand-written numpy computation of the same rules (第十九条, 第二十一条,
   第二十九条, 第三十五条) over the same draws, in int64 分 — and checks that
   both give the same amounts;
3. the whole ``api.simulate`` (statistics, exact percentiles included).

Goals (README): 1M scenarios under 1 s; the engine within 1.5× of the hand-
written numpy. ``--10m``: 10M scenarios through ``api.simulate`` in a child
process, its peak RSS against a 1M run's (memory bounded by chunks).

    python benchmarks/simulate_bench.py [--scenarios 1000000] [--repeat 5] [--10m]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time

import numpy as np
from yibao import api
from yibao.simulate import BLOCK
from yibao.simulate.run import _Runner

VARY = ["regions[0].payouts=lognormal(cv=0.1)", "score=triangular(70,88,100)"]


def setup() -> tuple[object, object]:
    c = api.load_contract("xinxiang")
    return c, api.load_facts(c, api.example_facts(c))


def engine(c: object, facts: object, n: int) -> dict[str, int]:
    """Draw and compute every scenario; per item the sum (to compare)."""
    from yibao.simulate import dist

    varies = dist.parse_all(VARY, facts)
    runner = _Runner(c, facts, varies, n, 1, 1, api.compute, api.compute_series, [(None, c)], False, None)
    totals: dict[str, int] = {}
    for _first, _drawn, per_variant in runner.chunks():
        for (key, _scope), a in per_variant[0][0][0].items():
            totals[key] = totals.get(key, 0) + int(a.sum())
    assert runner.engine == "vector", runner.note
    return totals


def hand_written(n: int) -> dict[str, int]:
    """The same rules written directly in numpy, whole arrays, int64 分."""
    blocks = -(-n // BLOCK)
    pay = np.empty(blocks * BLOCK, dtype=np.int64)
    score = np.empty(blocks * BLOCK, dtype=np.int64)  # hundredths of a point
    mean, cv = 17_900_000.0, 0.1
    s2 = math.log1p(cv * cv)
    for b in range(blocks):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0, b))))
        sl = slice(b * BLOCK, (b + 1) * BLOCK)
        pay[sl] = np.floor(np.clip(rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), BLOCK), 0, None) * 100 + 0.5)
        score[sl] = np.floor(np.clip(rng.triangular(70, 88, 100, BLOCK), 0, 100) * 100 + 0.5)
    pay, score = pay[:n], score[:n]
    funding = 100_000 * 190 * 100  # 第十九条, 分
    cap = (funding * 385 + 5_000) // 10_000  # 3.85%, half up to 分
    balance = funding - pay
    approved = np.clip(balance, 0, cap)  # 第二十一条(1)(2)
    surplus = np.maximum(balance - cap, 0)
    loss = np.maximum(pay - funding, 0)  # 第二十一条(3), no policy loss
    # 第二十九条: share kept = 1 − rate × (90 − score) in the band, in 10^-5
    pts = np.maximum(9000 - score, 0)  # hundredths of a point
    rate = np.where(score >= 9000, 0, np.where(score >= 8000, 5, np.where(score >= 7000, 10, 20)))  # per mille per point
    cut = np.where(score < 6000, 100_000, rate * pts)  # 10^-5
    deduction = (approved * cut + 50_000) // 100_000
    returned = approved - deduction
    penalty = funding * 5 // 100  # 第三十五条 5%
    return {
        "funding_total": 2 * funding * n,
        "approved_profit": int(approved.sum()),
        "surplus_to_fund": int(surplus.sum()),
        "loss_bureau": 0,
        "loss_insurer": int(loss.sum()),
        "profit_deduction": int(deduction.sum()),
        "profit_returned": int(returned.sum()),
        "breach_penalty_if_terminated": 2 * penalty * n,
    }


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def rss_of(n: int) -> tuple[float, float]:
    code = (
        "import resource, time, sys\nfrom yibao import api\n"
        "c = api.load_contract('xinxiang'); f = api.load_facts(c, api.example_facts(c))\n"
        f"t = time.perf_counter(); s = api.simulate(c, f, scenarios={n}, seed=1, vary={VARY!r})\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, s.passes)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--10m", dest="ten", action="store_true")
    args = ap.parse_args()
    n = args.scenarios
    c, facts = setup()
    assert engine(c, facts, n) == hand_written(n), "the engine and the hand-written numpy disagree"
    t_engine = best(lambda: engine(c, facts, n), args.repeat)
    t_hand = best(lambda: hand_written(n), args.repeat)
    t_full = best(lambda: api.simulate(c, facts, scenarios=n, seed=1, vary=VARY), args.repeat)
    report = {
        "scenarios": n,
        "engine_s": round(t_engine, 3),
        "hand_written_numpy_s": round(t_hand, 3),
        "ratio": round(t_engine / t_hand, 2),
        "api_simulate_s": round(t_full, 3),
        "scenarios_per_s": round(n / t_full),
    }
    if args.ten:
        t1, rss1 = rss_of(1_000_000)
        t10, rss10 = rss_of(10_000_000)
        report.update({"1m_child_s": round(t1, 2), "1m_peak_rss_mb": round(rss1), "10m_child_s": round(t10, 2), "10m_peak_rss_mb": round(rss10)})
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
