"""Statistics of simulated amounts, in bounded memory.

Amounts are int64 arrays in 分. Per series (an item of a period, or the
insurer's result) a :class:`Moments` accumulator keeps, chunk by chunk, the
count, the exact sum (a Python int), the sum of squared deviations, how many
were above and below zero, the least and the greatest — constant memory.

Percentiles are *nearest rank*: the p-th percentile of N values is the
k-th smallest, k = ⌈p·N/100⌉ (at least 1) — a value that occurred, in 分.
They are found exactly either from the values kept in memory
(``np.partition``) when all series fit the memory budget, or, beyond it, by
re-running the (reproducible) scenarios: each pass counts the values of a
series in up to 65,536 equal bins of the range still holding the k-th
value, narrowing it 65,536-fold, until the range is one 分 wide — two or
three passes for amounts up to 10^14 分, in constant memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

Z95 = 1.959963984540054
PERCENTILES = (1, 5, 50, 95, 99)
BINS = 1 << 16


class Moments:
    """Count, exact sum, squared deviations, signs, extremes of a series."""

    __slots__ = ("m2", "max", "min", "n", "neg", "pos", "ref", "total")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0
        self.m2 = 0.0
        self.ref: float | None = None
        self.pos = 0
        self.neg = 0
        self.min: int | None = None
        self.max: int | None = None

    def add(self, a: np.ndarray) -> None:
        size = a.size
        if size == 0:
            return
        lo, hi = int(a.min()), int(a.max())
        if self.ref is None:
            self.ref = float(lo) if lo == hi else float(a[: min(size, 1024)].mean())
        self.n += size
        if lo == hi:  # a constant chunk: no pass over the values
            self.total += lo * size
            self.m2 += size * (lo - self.ref) ** 2
            self.pos += size if lo > 0 else 0
            self.neg += size if lo < 0 else 0
        else:
            self.total += int(a.sum(dtype=np.int64))
            f = a.astype(np.float64)
            f -= self.ref
            f *= f  # not f @ f: BLAS's threaded dot stalls on a 2-core machine
            self.m2 += float(f.sum())
            if lo >= 0:
                self.pos += int(np.count_nonzero(a))
            elif hi <= 0:
                self.neg += int(np.count_nonzero(a))
            else:
                self.pos += int(np.count_nonzero(a > 0))
                self.neg += int(np.count_nonzero(a < 0))
        self.min = lo if self.min is None else min(self.min, lo)
        self.max = hi if self.max is None else max(self.max, hi)

    @property
    def mean_fen(self) -> Decimal:
        return Decimal(self.total) / Decimal(self.n)

    @property
    def sd_fen(self) -> float:
        if self.n < 2 or self.ref is None:
            return 0.0
        mean = self.total / self.n
        var = (self.m2 - self.n * (mean - self.ref) ** 2) / (self.n - 1)
        return math.sqrt(max(var, 0.0))


class Diff:
    """Mean and spread of a paired difference (a reading against the default)."""

    __slots__ = ("m2", "changed", "n", "total")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0
        self.m2 = 0.0
        self.changed = 0

    def add(self, d: np.ndarray) -> None:
        self.n += d.size
        self.total += int(d.sum(dtype=np.int64))
        f = d.astype(np.float64)
        f *= f
        self.m2 += float(f.sum())
        self.changed += int(np.count_nonzero(d))


def rank(p: float, n: int) -> int:
    """Nearest rank of the p-th percentile of n values (1-based)."""
    return max(1, math.ceil(p * n / 100))


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    z2 = Z95 * Z95
    den = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


def quantiles_in_memory(a: np.ndarray, ranks: Iterable[int], sum_below: int | None = None) -> tuple[dict[int, int], int | None]:
    """The k-th smallest values of ``a`` for each rank k, and (``sum_below``
    = k) the exact sum of the k smallest."""
    ks = sorted(set(ranks) | ({sum_below} if sum_below else set()))
    lo, hi = int(a.min()), int(a.max())
    if lo == hi:
        return {k: lo for k in ks}, (lo * sum_below if sum_below else None)
    part = np.partition(a, [k - 1 for k in ks])
    found = {k: int(part[k - 1]) for k in ks}
    tail = int(part[:sum_below].sum(dtype=np.int64)) if sum_below else None
    return found, tail


class Target:
    """A rank being located in a series by successive passes."""

    __slots__ = ("below", "below_sum", "hi", "k", "lo", "series", "tail")

    def __init__(self, series: Any, k: int, lo: int, hi: int, tail: bool = False) -> None:
        self.series = series
        self.k = k
        self.lo, self.hi = lo, hi
        self.below = 0  # values < lo
        self.below_sum = 0.0
        self.tail = tail

    @property
    def done(self) -> bool:
        return self.lo >= self.hi


def locate(targets: list[Target], rerun: Callable[[], Iterable[Mapping[Any, np.ndarray]]]) -> int:
    """Narrow every target to its exact value by passes over ``rerun()``
    (the scenarios computed again, chunk by chunk); returns the passes."""
    passes = 0
    while not all(t.done for t in targets):
        passes += 1
        live = [t for t in targets if not t.done]
        plans = []
        for t in live:
            t.below, t.below_sum = 0, 0.0  # counted afresh in this pass
            width = t.hi - t.lo + 1
            w = -(-width // BINS)
            nb = -(-width // w)
            plans.append((t, w, nb, np.zeros(nb, dtype=np.int64), np.zeros(nb, dtype=np.float64) if t.tail else None))
        for chunk in rerun():
            for t, w, nb, counts, sums in plans:
                a = chunk[t.series]
                below = a < t.lo
                t.below += int(np.count_nonzero(below))
                if t.tail:
                    t.below_sum += float(a[below].sum())
                inside = a[(a >= t.lo) & (a <= t.hi)]
                idx = (inside - t.lo) // w
                counts += np.bincount(idx, minlength=nb)
                if sums is not None:
                    sums += np.bincount(idx, weights=inside.astype(np.float64), minlength=nb)
        for t, w, _nb, counts, sums in plans:
            cum = np.cumsum(counts)
            b = int(np.searchsorted(cum, t.k - t.below))
            t.below += int(cum[b - 1]) if b > 0 else 0
            if sums is not None and b > 0:
                t.below_sum += float(sums[:b].sum())
            t.lo = t.lo + b * w
            t.hi = min(t.hi, t.lo + w - 1)
    return passes


def fmt_fen(v: Decimal | float | int) -> str:
    """分 -> 元 with two decimals (half up)."""
    from ..money import to_fen  # noqa: PLC0415

    return f"{to_fen(Decimal(v) / 100 if not isinstance(v, float) else Decimal(repr(v)) / 100):.2f}"


def summary(m: Moments, q: Mapping[int, int]) -> dict[str, Any]:
    """One series' statistics as the JSON shows them (amounts in 元)."""
    n = m.n
    sd = m.sd_fen
    half = Z95 * sd / math.sqrt(n) if n else 0.0
    mean = m.mean_fen
    lo, hi = wilson(m.pos, n)
    out: dict[str, Any] = {
        "mean": fmt_fen(mean),
        "mean_ci95": [fmt_fen(float(mean) - half), fmt_fen(float(mean) + half)],
        "sd": fmt_fen(sd),
        "min": fmt_fen(m.min or 0),
    }
    for p in PERCENTILES:
        out[f"p{p}"] = fmt_fen(q[rank(p, n)])
    out["max"] = fmt_fen(m.max or 0)
    out["p_positive"] = round(m.pos / n, 6) if n else 0.0
    out["p_positive_ci95"] = [round(lo, 6), round(hi, 6)]
    return out
