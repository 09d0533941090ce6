"""Benchmark ``yibao claims`` against a hand-written DuckDB query doing the same work.

Generates a synthetic Xinxiang claim log (1M rows by default, ``--10m`` for
10M), then, each in its own child process so peak memory is its own:

* ``yibao``: :func:`yibao.claims.run_claims` — validation of every cell, the
  due date of every claim from the working-day calendar, status, days late,
  the 第十二条 benefit with the per-person annual cap, Parquet output,
  summary;
* ``hand``: one hand-written DuckDB SQL script computing the same columns
  from the same file (types declared up front, no validation), with its own
  working-day calendar built straight from ``chinese_calendar`` and a running
  working-day index, joined — an independent check of the day counting.

It checks both outputs are identical (row for row, ``EXCEPT ALL`` both
ways) and the summaries equal, and prints rows/s and peak RSS of each, and
the ratio. No timing is asserted anywhere in the tests.

    python benchmarks/claims_bench.py            # 1M rows, CSV input
    python benchmarks/claims_bench.py --10m      # 10M rows
    python benchmarks/claims_bench.py --input parquet --rows 2000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = (
    "row, claim_id, person_id, kind, received_on, settled_on, amount_eligible, year, deadline, "
    "due_on, status, days_late, benefit_base, benefit, person_year_benefit"
)


def generate(path: Path, rows: int, fmt: str) -> None:
    """A deterministic synthetic claim log over 2025: ~8 claims per person,
    2/3 direct settlement, 3% still open, settlement 0–49 days after
    receipt (so some are late), amounts 0–150,000.00 (so the 40万 cap binds)."""
    import duckdb

    persons = max(1, rows // 8)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = true")
    query = f"""
        SELECT 'C' || lpad(CAST(i AS VARCHAR), 10, '0') AS claim_id,
               'P' || CAST(hash(i, 1) % {persons} AS VARCHAR) AS person_id,
               CASE WHEN hash(i, 2) % 3 = 0 THEN 'manual' ELSE 'direct' END AS kind,
               DATE '2025-01-01' + CAST(hash(i, 3) % 365 AS INTEGER) AS received_on,
               CASE WHEN hash(i, 4) % 100 < 3 THEN NULL
                    ELSE DATE '2025-01-01' + CAST(hash(i, 3) % 365 AS INTEGER) + CAST(hash(i, 5) % 50 AS INTEGER) END AS settled_on,
               CAST(CAST(hash(i, 6) % 15000001 AS DECIMAL(18,0)) / 100 AS DECIMAL(18,2)) AS amount_eligible
        FROM range({rows}) t(i)"""
    opts = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
    con.execute(f"COPY ({query}) TO '{path}' {opts}")
    con.close()


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ------------------------------------------------------------------ children
def child_yibao(src: Path, out: Path, memory_limit: str, threads: int | None) -> dict:
    import chinese_calendar  # noqa: F401 - imported before the clock starts, as in child_hand
    import duckdb  # noqa: F401
    from yibao import api
    from yibao.calendar import calendar_for
    from yibao.claims import run_claims

    contract = api.load_contract("xinxiang", reg=api.registry(fresh=True))
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    report = run_claims(contract, src, calendar_for(contract), out=out, memory_limit=memory_limit, threads=threads)
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    summary = [[s.year, s.kind, s.claims, s.on_time, s.late, s.open, str(s.benefit)] for s in report.summary]
    return {"seconds": seconds, "cpu": cpu, "rows": report.rows, "bad_rows": report.bad_rows, "summary": summary, "peak_mb": peak_mb()}


def child_hand(src: Path, out: Path, memory_limit: str, threads: int | None) -> dict:
    import chinese_calendar
    import duckdb

    t0, cpu0 = time.perf_counter(), cpu_seconds()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    tmp = tempfile.mkdtemp(prefix="bench-hand-")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{tmp}'")
    if threads:
        con.execute(f"SET threads = {threads}")
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(730)]  # 2025-2026
    con.execute(
        "CREATE TEMP TABLE cal AS SELECT d, w, sum(CAST(w AS INTEGER)) OVER (ORDER BY d) AS idx "
        "FROM (SELECT unnest(?::DATE[]) AS d, unnest(?::BOOLEAN[]) AS w)",
        [days, [chinese_calendar.is_workday(d) for d in days]],
    )
    con.execute("CREATE TEMP TABLE wdays AS SELECT idx, d FROM cal WHERE w")
    # 新乡 第十七条: direct 30 working days, manual 20 working days
    con.execute(
        "CREATE TEMP TABLE kinds AS SELECT * FROM (VALUES ('direct', 'direct_settlement', 30), "
        "('manual', 'manual_reimbursement', 20)) k(kind, deadline, n)"
    )
    if src.suffix == ".parquet":
        read = f"read_parquet('{src}')"
    else:
        read = (
            f"read_csv('{src}', header = true, columns = {{'claim_id': 'VARCHAR', 'person_id': 'VARCHAR', "
            "'kind': 'VARCHAR', 'received_on': 'DATE', 'settled_on': 'DATE', 'amount_eligible': 'DECIMAL(18,2)'})"
        )
    con.execute(f"CREATE TEMP TABLE c AS SELECT * FROM {read}")
    # 第十二条: 90%, at most 400000.00 per person per year, in date order
    con.execute(
        f"""CREATE TEMP TABLE result AS SELECT {COLUMNS} FROM (
          SELECT *, CAST(least(cum, 400000.00) - least(cum - raw, 400000.00) AS DECIMAL(18,2)) AS benefit,
                 CAST(least(cum, 400000.00) AS DECIMAL(18,2)) AS person_year_benefit
          FROM (SELECT *, sum(raw) OVER (PARTITION BY person_id, year ORDER BY received_on, claim_id, row
                                         ROWS UNBOUNDED PRECEDING) AS cum
                FROM (SELECT c.rowid + 1 AS row, c.claim_id, c.person_id, c.kind, c.received_on, c.settled_on,
                             c.amount_eligible, year(c.received_on) AS year, k.deadline, w.d AS due_on,
                             CASE WHEN c.settled_on IS NULL THEN 'open' WHEN c.settled_on > w.d THEN 'late'
                                  ELSE 'on_time' END AS status,
                             CAST(CASE WHEN c.settled_on > w.d THEN c.settled_on - w.d
                                       WHEN c.settled_on IS NOT NULL THEN 0 END AS INTEGER) AS days_late,
                             c.amount_eligible AS benefit_base, round(c.amount_eligible * 0.9, 2) AS raw
                      FROM c JOIN kinds k ON k.kind = c.kind JOIN cal s ON s.d = c.received_on
                             JOIN wdays w ON w.idx = s.idx + k.n)))"""
    )
    con.execute(f"COPY (SELECT * FROM result ORDER BY row) TO '{out}' (FORMAT parquet)")
    rows = con.execute(
        "SELECT year, kind, count(*), count_if(status = 'on_time'), count_if(status = 'late'), "
        "count_if(status = 'open'), sum(benefit) FROM result GROUP BY ALL ORDER BY year, kind"
    ).fetchall()
    total = con.execute("SELECT count(*) FROM c").fetchone()[0]
    con.close()
    shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    summary = [[r[0], r[1], r[2], r[3], r[4], r[5], f"{r[6]:.2f}"] for r in rows]
    return {"seconds": seconds, "cpu": cpu, "rows": total, "bad_rows": 0, "summary": summary, "peak_mb": peak_mb()}


def run_child(which: str, src: Path, out: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", which, "--src", str(src), "--out", str(out), "--memory-limit", args.memory_limit]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{which} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def identical(a: Path, b: Path) -> tuple[bool, str]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    q = f"SELECT {COLUMNS} FROM read_parquet"
    na = con.execute(f"SELECT count(*) FROM read_parquet('{a}')").fetchone()[0]
    nb = con.execute(f"SELECT count(*) FROM read_parquet('{b}')").fetchone()[0]
    d1 = con.execute(f"SELECT count(*) FROM ({q}('{a}') EXCEPT ALL {q}('{b}'))").fetchone()[0]
    d2 = con.execute(f"SELECT count(*) FROM ({q}('{b}') EXCEPT ALL {q}('{a}'))").fetchone()[0]
    return (na == nb and d1 == 0 and d2 == 0), f"rows {na} vs {nb}; only in yibao {d1}; only in hand {d2}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--10m", dest="ten_m", action="store_true", help="10 million rows")
    ap.add_argument("--input", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--dir", type=Path, help="where the files go (default: a temporary directory, removed)")
    ap.add_argument("--memory-limit", default="1GB")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved; the best time counts")
    ap.add_argument("--child", choices=("yibao", "hand"), help=argparse.SUPPRESS)
    ap.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fn = child_yibao if args.child == "yibao" else child_hand
        print(json.dumps(fn(args.src, args.out, args.memory_limit, args.threads)))
        return
    rows = 10_000_000 if args.ten_m else args.rows
    work = args.dir or Path(tempfile.mkdtemp(prefix="claims-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / f"claims-{rows}.{args.input}"
        if not src.exists():
            t0 = time.perf_counter()
            generate(src, rows, args.input)
            print(f"generated {rows:,} rows ({src.stat().st_size / 1e6:.0f} MB {args.input}) in {time.perf_counter() - t0:.1f}s")
        # interleaved, alternating order: a busy machine slows both alike
        results: dict[str, dict] = {}
        for i in range(args.repeat):
            for which in ("hand", "yibao") if i % 2 == 0 else ("yibao", "hand"):
                r = run_child(which, src, work / f"{which}.parquet", args)
                if which not in results or r["seconds"] < results[which]["seconds"]:
                    results[which] = r
        same, detail = identical(work / "yibao.parquet", work / "hand.parquet")
        same_summary = results["yibao"]["summary"] == results["hand"]["summary"]
        print(f"cpus {os.cpu_count()}, memory_limit {args.memory_limit}, input {args.input}")
        for which, r in results.items():
            print(
                f"{which:6s} {r['rows']:>11,} rows  {r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>12,.0f} rows/s  "
                f"(cpu {r['cpu']:.2f} s)  peak RSS {r['peak_mb']:,.0f} MB"
            )
        ratio = results["hand"]["seconds"] / results["yibao"]["seconds"]
        print(f"yibao throughput = {ratio:.2f} × the hand-written query's (goal ≥ 0.80)")
        print(f"outputs identical: {same} ({detail}); summaries equal: {same_summary}")
        if not (same and same_summary):
            sys.exit(1)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
