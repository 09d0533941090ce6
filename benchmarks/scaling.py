"""Benchmark: does the cost per unit stay flat as inputs grow?

    python benchmarks/scaling.py            # full sizes (about a minute)
    python benchmarks/scaling.py --quick    # smaller sizes (a few seconds)
    python benchmarks/scaling.py --only roster-huaian --profile   # cProfile the largest size

Four kinds of input, each measured at three sizes; for each size the table
shows the total time, the time per unit, and for the series the ratio of the
per-unit time at the largest size to the per-unit time at the middle size.
The goal is a ratio ≤ 2 for every series (linear work stays linear); the last
line per series says ``OK`` or ``OVER``.

* ``xinxiang-regions`` — Xinxiang facts with 1 / 100 / 10,000 ``[[regions]]``:
  read the facts TOML (``api.load_facts``: parse, structure, validate) and
  compute the year (``api.compute``); per region.
* ``roster-huaian`` / ``roster-luoyang`` — a roster CSV of 10 / 10,000 /
  200,000 rows: read it (``api.load_roster`` with the contract) and compute
  the period with it (``api.compute`` with ``roster=``: the fee stages, a
  constant, plus the staffing stage). Huai'an's staffing is per-person
  qualification rules; Luoyang's is head-count minimums by site and role.
  Per row.
* ``huaiyang-years`` — a consecutive Huaiyang series of 1 / 10 / 50 years
  (``api.compute_series``, the rolling surplus carried from year to year).
  Huaiyang's contract term is one year, so the bundled contract TOML is
  written to a temporary file with a term running to the last year and loaded
  with ``api.load_contract("huaiyang", path)``. Facts load + compute; per year.
* ``compute-loop`` — ``api.compute`` on the bundled Xinxiang example called
  1,000 / 10,000 / 100,000 times in a loop (a per-call cost that grows with
  the number of calls means something accumulates); per call, also in ms.

Only the public API (``yibao.api``) is used. Generated inputs go to a
temporary directory, removed at the end. Each size is run ``--repeat`` times
(small sizes more often) and the fastest run is reported. Not a test: no
timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from yibao import api

GOAL = 2.0

FULL = {
    "xinxiang-regions": (1, 100, 10_000),
    "roster-huaian": (10, 10_000, 200_000),
    "roster-luoyang": (10, 10_000, 200_000),
    "huaiyang-years": (1, 10, 50),
    "compute-loop": (1_000, 10_000, 100_000),
}
QUICK = {
    "xinxiang-regions": (1, 100, 2_000),
    "roster-huaian": (10, 2_000, 20_000),
    "roster-luoyang": (10, 2_000, 20_000),
    "huaiyang-years": (1, 5, 20),
    "compute-loop": (100, 1_000, 10_000),
}
UNIT = {
    "xinxiang-regions": "region",
    "roster-huaian": "row",
    "roster-luoyang": "row",
    "huaiyang-years": "year",
    "compute-loop": "call",
}

#: a run of one size is repeated until this much time is spent (at most --repeat times)
MIN_TOTAL = 0.3


# ---------------------------------------------------------------- inputs


def xinxiang_facts(tmp: Path, n: int) -> Path:
    """A Xinxiang year with ``n`` regions, each a small surplus or loss."""
    rng = random.Random(n)
    lines = ["year = 2025", "score = 85", ""]
    for i in range(n):
        insured = rng.randint(1_000, 200_000)
        # funding is 190 元 a head; payouts 80–110 % of it, some regions with a policy loss
        payouts = insured * 190 * rng.randint(80, 110) // 100
        lines += ["[[regions]]", f'name = "区{i:05d}"', f"insured = {insured}", f"payouts = {payouts}"]
        if i % 7 == 0:
            lines.append(f"policy_loss = {payouts // 100}")
        lines.append("")
    path = tmp / f"xinxiang-{n}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


HEADER = "id,name,site,role,education,major,birth_date,title,experience_years,full_time"
HUAIAN_ROWS = (
    # role, education, major, birth year, title, experience years
    ("lead", "本科", "公共事业管理", 1982, "", 12),
    ("expert", "本科", "临床医学", 1978, "主治医师", 15),
    ("expert", "硕士", "临床医学", 1975, "副主任医师", 22),
    ("medical", "大专", "护理", 1996, "", 5),
    ("medical", "本科", "药学", 1993, "", 8),
    ("medical", "本科", "临床医学", 1990, "", 10),
    ("it", "本科", "软件工程", 1994, "", 7),
    ("other", "大专", "汉语言文学", 1998, "", 3),
    ("other", "本科", "会计学", 1995, "", 6),
)


def huaian_roster(tmp: Path, n: int) -> Path:
    """``n`` rows cycling through the bundled example's nine kinds of member
    (fictitious names), so every rule has people to check."""
    out = [HEADER]
    for i in range(n):
        role, edu, major, year, title, exp = HUAIAN_ROWS[i % len(HUAIAN_ROWS)]
        born = dt.date(year, 1 + i % 12, 1 + i % 28)
        out.append(f"HA{i:07d},示例{i},经开区,{role},{edu},{major},{born},{title},{exp},true")
    path = tmp / f"huaian-{n}.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


LUOYANG_SITES = ("市本级", "孟津区", "偃师区", "新安县", "宜阳县")
LUOYANG_ROLES = ("medical", "medical", "medical", "finance", "it", "other", "other")


def luoyang_roster(tmp: Path, n: int) -> Path:
    out = ["id,name,site,role"]
    for i in range(n):
        out.append(f"LY{i:07d},示例{i},{LUOYANG_SITES[i % len(LUOYANG_SITES)]},{LUOYANG_ROLES[i % len(LUOYANG_ROLES)]}")
    path = tmp / f"luoyang-{n}.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def huaiyang_contract(tmp: Path, years: int) -> Path:
    """The bundled Huaiyang contract with its term running ``years`` years."""
    bundled = api.load_contract("huaiyang").spec.contract_file
    text = Path(str(bundled)).read_text(encoding="utf-8")
    old = "end = 2025-12-31"
    if old not in text:
        sys.exit(f"benchmarks/scaling.py: {bundled} no longer has {old!r}; update huaiyang_contract()")
    text = text.replace(old, f"end = {2025 + years - 1}-12-31", 1)
    path = tmp / f"huaiyang-{years}y.toml"
    path.write_text(text, encoding="utf-8")
    return path


def huaiyang_facts(years: int) -> list[dict[str, Any]]:
    """Consecutive years; the first gives the rolling surplus, later ones carry it."""
    rng = random.Random(years)
    facts: list[dict[str, Any]] = []
    income = 8_286_000
    for i in range(years):
        insured = 56_000 + rng.randint(-500, 1_500)
        funding = insured * 150
        f: dict[str, Any] = {
            "year": 2025 + i,
            "insured": insured,
            "payouts": funding * rng.randint(85, 105) // 100,
            "prior_year_income": income,
            "assessment": {"passed": True},
        }
        if i == 0:
            f["rolling_surplus_start"] = 3_000_000
        facts.append(f)
        income = funding
    return facts


# ---------------------------------------------------------------- series

def prepare(series: str, size: int, tmp: Path) -> Callable[[], Any]:
    """Build the inputs of one size (not timed) and return the timed work."""
    if series == "xinxiang-regions":
        contract = api.load_contract("xinxiang")
        path = xinxiang_facts(tmp, size)

        def run() -> Any:
            return api.compute(contract, api.load_facts(contract, path))

        return run
    if series in ("roster-huaian", "roster-luoyang"):
        city = series.split("-")[1]
        contract = api.load_contract(city)
        facts = api.load_facts(contract, api.example_facts(contract))
        path = (huaian_roster if city == "huaian" else luoyang_roster)(tmp, size)

        def run() -> Any:
            return api.compute(contract, facts, api.load_roster(path, contract))

        return run
    if series == "huaiyang-years":
        contract = api.load_contract("huaiyang", huaiyang_contract(tmp, size))
        data = huaiyang_facts(size)

        def run() -> Any:
            return api.compute_series(contract, [api.load_facts(contract, d) for d in data])

        return run
    if series == "compute-loop":
        contract = api.load_contract("xinxiang")
        facts = api.load_facts(contract, api.example_facts(contract))
        compute = api.compute

        def run() -> Any:
            for _ in range(size):
                compute(contract, facts)

        return run
    raise ValueError(series)


def check_output(series: str, size: int, result: Any) -> None:
    """The work did what it says (a benchmark of an error path is no benchmark)."""
    if series == "xinxiang-regions":
        scopes = {i.scope for i in result.items}
        if len(scopes - {None}) < size:
            sys.exit(f"{series} {size}: only {len(scopes)} scopes in the result")
    elif series == "huaiyang-years" and len(result) != size:
        sys.exit(f"{series} {size}: {len(result)} results")


def time_one(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result = None
    spent = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        result = run()
        dt_ = time.perf_counter() - t
        best = min(best, dt_)
        spent += dt_
        if spent >= MIN_TOTAL:
            break
    return best, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--only", action="append", choices=sorted(FULL), help="run only this series (repeatable)")
    ap.add_argument("--repeat", type=int, default=5, help="at most this many runs per size; the fastest counts")
    ap.add_argument("--profile", action="store_true", help="cProfile the largest size of each series run")
    args = ap.parse_args(argv)

    sizes = QUICK if args.quick else FULL
    chosen = args.only or list(sizes)
    verdicts: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="yibao-scaling-") as d:
        tmp = Path(d)
        api.registry()  # built once, outside every timing
        print(f"{'series':<18} {'size':>8} {'total s':>9} {'per unit µs':>12} {'ratio':>7}")
        for series in chosen:
            per_unit: list[float] = []
            for size in sizes[series]:
                run = prepare(series, size, tmp)
                total, result = time_one(run, args.repeat)
                check_output(series, size, result)
                per_unit.append(total / size)
                extra = f"   ({total / size * 1e3:.3f} ms/call)" if series == "compute-loop" else ""
                print(f"{series:<18} {size:>8,} {total:>9.3f} {total / size * 1e6:>12.1f} {'':>7}{extra}")
            ratio = per_unit[2] / per_unit[1]
            verdicts.append((series, ratio))
            print(f"{series:<18} {'':>8} {'':>9} {'largest/middle':>12} {ratio:>7.2f}   per {UNIT[series]}")
            if args.profile:
                prof = cProfile.Profile()
                run = prepare(series, sizes[series][2], tmp)
                prof.runcall(run)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print()
    for series, ratio in verdicts:
        print(f"{series}: {ratio:.2f}× {'OK' if ratio <= GOAL else 'OVER'} (goal ≤ {GOAL:g}×)")
    return 0 if all(r <= GOAL for _, r in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
