"""Benchmark: process start to JSON, and one contract-period in process.

    python benchmarks/startup.py [--runs 30] [--instructions]

1. ``yibao compute xinxiang --format json`` as a subprocess, against the bare
   ``python -c "import click, pluggy, attrs, cattrs"`` baseline; goal ≤ 1.5×.
2. One contract-period computed from an already-loaded contract and facts;
   goal ≤ 0.2 ms.

Prints medians; the README's performance section quotes them. Not a test:
timings are never asserted in the test suite.

``--instructions`` also counts the instructions of one run of each command
under ``valgrind --tool=callgrind`` (Debian's ``valgrind``), with a fixed
``PYTHONHASHSEED``: a figure that other load on the machine does not move,
for comparing two versions of the code when wall times drift.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

# Bytecode caches are written as an installed package has them: the baseline's
# libraries ship compiled .pyc files from pip, so ours must not be recompiled
# from source on every run (PYTHONDONTWRITEBYTECODE=1 would do that).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t


def interleaved(a: list[str], b: list[str], runs: int) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` run alternately, so that a change in the
    machine's speed during the measurement hits both alike."""
    once(a), once(b)  # warm-up: bytecode written, files cached
    ta, tb = [], []
    for _ in range(runs):
        ta.append(once(a))
        tb.append(once(b))
    return statistics.median(ta), statistics.median(tb)


def instructions(cmd: list[str]) -> int:
    """Instructions of one run of ``cmd`` (callgrind's "Collected" total)."""
    env = {**ENV, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        capture_output=True, text=True, env=env, check=False,
    ).stderr
    m = re.search(r"Collected : (\d+)", out)
    if m is None:
        raise SystemExit(f"valgrind gave no instruction count:\n{out[-500:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--city", default="xinxiang")
    ap.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    args = ap.parse_args()

    # The console script beside this interpreter, not whatever `yibao` is first
    # on PATH: a version-manager shim (pyenv) would add its own start-up time.
    script = Path(sys.executable).with_name("yibao")
    yibao_cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "yibao"]
    base, full = interleaved(
        [sys.executable, "-c", "import click, pluggy, attrs, cattrs"],
        [*yibao_cmd, "compute", args.city, "--format", "json"],
        args.runs,
    )
    print(f"baseline import click, pluggy, attrs, cattrs : {base * 1000:7.1f} ms (median of {args.runs})")
    print(f"yibao compute {args.city} --format json      : {full * 1000:7.1f} ms")
    print(f"ratio                                        : {full / base:7.2f}×  (goal ≤ 1.5×)")

    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
        base_cmd = [sys.executable, "-c", "import click, pluggy, attrs, cattrs"]
        full_cmd = [*yibao_cmd, "compute", args.city, "--format", "json"]
        once(full_cmd)  # the contract cache and bytecode written
        ib, iy = instructions(base_cmd), instructions(full_cmd)
        print(f"instructions, baseline / yibao             : {ib / 1e6:7.1f}M / {iy / 1e6:.1f}M = {iy / ib:.3f}×")

    from yibao import api

    contract = api.load_contract(args.city)
    facts = api.load_facts(contract, api.example_facts(contract))
    n = 2000
    per = min(timeit.repeat(lambda: api.compute(contract, facts), number=n, repeat=5)) / n
    print(f"one contract-period in process               : {per * 1e3:7.3f} ms  (goal ≤ 0.2 ms)")


if __name__ == "__main__":
    main()
