"""Benchmark: ``yibao serve`` under load, on loopback.

    python benchmarks/serve_bench.py                 # 1 worker; 100,000 requests at concurrency 32
    python benchmarks/serve_bench.py --workers 2
    python benchmarks/serve_bench.py --quick         # a few seconds

Starts ``yibao serve`` (uvicorn, access log off, the stated number of
workers) on a free 127.0.0.1 port, and drives ``POST
/contracts/xinxiang/compute`` with the bundled Xinxiang 2025 facts (as JSON,
without the roster) from an async client (aiohttp, keep-alive, one
connection per concurrent request) at concurrency 1, 8 and 32. Each level is
bounded in count and in time (whichever comes first). For each level:
requests, errors (any status but 200, or a body that is not the expected
document), throughput, p50 and p99 latency. The server's resident memory
(VmRSS, summed over its processes) is read before and after the largest run.

Goal (the 2-core machine): ≥ 1,000 requests/s with p99 ≤ 50 ms at
concurrency 32, zero errors, memory flat over 100,000 requests. The client
runs on the same machine and competes with the server for the two cores;
the figures say so rather than hide it.

Needs aiohttp (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import tomllib
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "plugins" / "xinxiang" / "examples" / "2025.toml"


def facts_body() -> bytes:
    facts = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    facts.pop("roster", None)
    return json.dumps(facts, ensure_ascii=False, default=str).encode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    """VmRSS of a process and its children (uvicorn's workers), in KiB."""
    total = 0
    pids = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def start(port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "yibao", "serve", "--port", str(port), "--workers", str(workers), "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "YIBAO_LOAD_PLUGINS": ""},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


async def level(url: str, body: bytes, expected: bytes, concurrency: int, count: int, seconds: float) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    issued = 0
    stop_at = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, headers={"content-type": "application/json"}) as session:

        async def worker() -> None:
            nonlocal issued, errors
            while issued < count and time.perf_counter() < stop_at:
                issued += 1
                t0 = time.perf_counter()
                try:
                    async with session.post(url, data=body) as resp:
                        got = await resp.read()
                        ok = resp.status == 200 and got == expected
                except aiohttp.ClientError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    n = len(latencies)
    return {
        "concurrency": concurrency,
        "requests": n,
        "errors": errors,
        "seconds": round(elapsed, 2),
        "req_per_s": round(n / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers of the server (default 1)")
    ap.add_argument("--quick", action="store_true", help="small counts (a few seconds)")
    ap.add_argument("--seconds", type=float, default=180.0, help="time bound per level (default 180 s)")
    args = ap.parse_args()
    counts = {1: 500, 8: 2_000, 32: 5_000} if args.quick else {1: 5_000, 8: 20_000, 32: 100_000}
    port = free_port()
    url = f"http://127.0.0.1:{port}/contracts/xinxiang/compute"
    body = facts_body()
    proc = start(port, args.workers)
    try:
        req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
        with urllib.request.urlopen(req) as r:
            expected = r.read()
        asyncio.run(level(url, body, expected, 8, 1_000, 30))  # warm-up: every worker has loaded the contract
        rows = []
        for c in (1, 8, 32):
            before = rss_kb(proc.pid)
            row = asyncio.run(level(url, body, expected, c, counts[c], args.seconds))
            row["rss_start_mib"] = round(before / 1024, 1)
            row["rss_end_mib"] = round(rss_kb(proc.pid) / 1024, 1)
            rows.append(row)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"yibao serve, {args.workers} uvicorn worker(s), {os.cpu_count()} CPUs, client and server on one machine (loopback)")
    print(f"POST /contracts/xinxiang/compute, body {len(body)} bytes, answer {len(expected)} bytes")
    print(f"{'conc':>4} {'requests':>9} {'errors':>6} {'s':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'RSS start→end MiB':>18}")
    for r in rows:
        print(
            f"{r['concurrency']:>4} {r['requests']:>9,} {r['errors']:>6} {r['seconds']:>7} {r['req_per_s']:>8} "
            f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['rss_start_mib']:>8} → {r['rss_end_mib']}"
        )
    last = rows[-1]
    met = last["req_per_s"] >= 1000 and last["p99_ms"] <= 50 and all(r["errors"] == 0 for r in rows)
    print(f"goal at concurrency 32 (≥ 1,000 req/s, p99 ≤ 50 ms, 0 errors): {'MET' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
