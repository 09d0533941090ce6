"""``--vary KEY=DIST``: which fact is drawn per scenario, and from what.

``KEY`` is a key path of the facts file (``score``, ``regions[0].payouts``,
``deductions.clawback``) whose value is a number. ``DIST`` is one of:

======================================  ==========================================================
``normal(sd=S)`` / ``normal(cv=C)``      Gaussian (``Generator.normal``) centred on the facts value
                                         (or ``mean=M``); below the key's lower bound → the bound
``lognormal(cv=C)`` / ``lognormal(sd=S)`` log-normal (``Generator.lognormal``) whose *mean* is the
                                         facts value (or ``mean=M``) and whose coefficient of
                                         variation is C: σ² = ln(1 + C²), μ = ln(mean) − σ²/2
``uniform(A, B)``                        uniform on [A, B) (``Generator.uniform``)
``triangular(LEFT, MODE, RIGHT)``        triangular (``Generator.triangular``)
``poisson(LAM)`` / ``poisson()``          Poisson counts (``Generator.poisson``), mean LAM or the
                                         facts value — incidents, late settlements
``bootstrap:FILE[#COLUMN]``               a yearly total of a claim log (Parquet or CSV), drawn with
                                         replacement: the log's rows summed per year — the
                                         ``year`` column, else the year of ``received_on`` — of
                                         COLUMN (default ``benefit`` when present, what
                                         ``yibao claims --out`` writes, else ``amount_eligible``)
======================================  ==========================================================

Every draw is rounded half up to the key's precision — a whole number for
an integer key (参保人数, counts), 2 decimals otherwise (元 to the 分, a
score to 0.01) or ``digits=D`` — and kept within the key's bounds (≥ 0, a
score 0–100, a rate 0–1). The drawn, rounded value *is* the scenario's fact:
``compute`` on it gives the scenario's figures exactly.

Numbers take the facts file's forms: ``"1790万"``, ``"5%"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ..errors import InputError, closest
from ..inputs import split_optional
from ..money import parse_decimal

DISTRIBUTIONS = ("normal", "lognormal", "uniform", "triangular", "poisson", "bootstrap")

_SEG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")
_CALL = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$")


def _err(message: str) -> InputError:
    return InputError.one("command line", "--vary", message)


@attrs.frozen
class Vary:
    """One ``--vary``: the key path, the distribution and its parameters."""

    key: str
    text: str
    dist: str
    #: float parameters by name (``mean``, ``sd``, ``cv``, ``a``, ``b`` …)
    params: dict[str, float]
    #: decimals of the drawn value (0 for an integer key)
    digits: int
    lo: float | None
    hi: float | None
    #: the value in the facts file (the centre), if a number
    centre: Decimal | None
    integer: bool
    #: bootstrap: the yearly totals drawn from
    pool: tuple[Decimal, ...] = ()

    def describe(self) -> str:
        if self.dist == "bootstrap":
            return f"bootstrap of {len(self.pool)} yearly totals ({', '.join(f'{x:.2f}' for x in self.pool)})"
        return self.text

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` values as int64, in units of ``10**-digits``."""
        p = self.params
        if self.dist == "normal":
            x = rng.normal(p["mean"], p["sd"], n)
        elif self.dist == "lognormal":
            mean, sd = p["mean"], p["sd"]
            if mean <= 0:
                x = np.zeros(n)
            else:
                s2 = math.log1p((sd / mean) ** 2)
                x = rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n)
        elif self.dist == "uniform":
            x = rng.uniform(p["a"], p["b"], n)
        elif self.dist == "triangular":
            x = rng.triangular(p["left"], p["mode"], p["right"], n)
        elif self.dist == "poisson":
            x = rng.poisson(p["lam"], n).astype(np.float64)
        else:  # bootstrap: exact totals, drawn by index
            units = np.array([int((v * 10**self.digits).to_integral_value()) for v in self.pool], dtype=np.int64)
            return units[rng.integers(0, len(units), n)]  # type: ignore[no-any-return]
        scale = 10.0**self.digits
        lo = -math.inf if self.lo is None else self.lo
        hi = math.inf if self.hi is None else self.hi
        np.clip(x, lo, hi, out=x)
        return np.floor(x * scale + 0.5).astype(np.int64)  # type: ignore[no-any-return]


# --------------------------------------------------------------- key paths
def parse_path(key: str) -> list[tuple[str, int | None]]:
    segs = []
    for part in key.split("."):
        m = _SEG.match(part.strip())
        if not m:
            raise _err(f"expected a key path such as regions[0].payouts or score, got {key!r}")
        segs.append((m.group(1), None if m.group(2) is None else int(m.group(2))))
    return segs


def resolve(facts: Any, key: str) -> tuple[Any, attrs.Attribute, Any]:  # type: ignore[type-arg]
    """The attrs object holding the key, its field, and the current value.

    :raises InputError: the path does not name a number field (closest key given).
    """
    obj = facts
    segs = parse_path(key)
    walked = ""
    for i, (name, index) in enumerate(segs):
        if not attrs.has(type(obj)):
            raise _err(f"{walked or key} holds no keys")
        fields = {a.name: a for a in attrs.fields(type(obj))}
        if name not in fields:
            hint = closest(name, fields)
            raise _err(f"no facts key {(walked + '.' if walked else '') + name!r}" + (f"; did you mean {hint!r}?" if hint else ""))
        field = fields[name]
        value = getattr(obj, name)
        walked = f"{walked}.{name}" if walked else name
        if index is not None:
            if not isinstance(value, tuple) or index >= len(value):
                size = len(value) if isinstance(value, tuple) else 0
                raise _err(f"{walked}[{index}]: the facts have {size} element(s)")
            value = value[index]
            walked += f"[{index}]"
            if i == len(segs) - 1:
                raise _err(f"{walked} is a table; name one of its keys, e.g. {walked}.{_first_number(value)}")
            obj = value
            continue
        if i == len(segs) - 1:
            return obj, field, value
        obj = value
    raise _err(f"bad key path {key!r}")  # pragma: no cover


def _first_number(obj: Any) -> str:
    for a in attrs.fields(type(obj)) if attrs.has(type(obj)) else ():
        if _base_type(a.type) in (int, Decimal):
            return a.name
    return "..."


def _base_type(tp: Any) -> Any:
    """The number type a field holds: its own, inside an Optional, and under
    a ``NewType`` such as :data:`yibao.money.Money` (a Decimal to the 分)."""
    tp = split_optional(tp)[0]
    while getattr(tp, "__supertype__", None) is not None:
        tp = tp.__supertype__
    return tp


def _bounds(field: Any) -> tuple[float | None, float | None]:
    from ..inputs import non_negative, rate_0_1, score_0_100  # noqa: PLC0415

    vals = [field.validator]
    inner = getattr(field.validator, "_validators", None)
    if inner:
        vals = list(inner)
    if score_0_100 in vals:
        return 0.0, 100.0
    if rate_0_1 in vals:
        return 0.0, 1.0
    if non_negative in vals:
        return 0.0, None
    return None, None


# --------------------------------------------------------------- parsing
def _num(text: str) -> float:
    try:
        return float(parse_decimal(text.strip().strip("'\"")))
    except ValueError as exc:
        raise _err(str(exc)) from None


def parse_vary(spec: str, facts: Any, facts_file: str | None = None) -> Vary:
    """One ``--vary KEY=DIST`` against the loaded facts.

    :raises InputError: naming ``--vary`` and what was expected.
    """
    if "=" not in spec:
        raise _err(f"expected KEY=DIST such as regions[0].payouts=lognormal(cv=0.1), got {spec!r}")
    key, _, dist = spec.partition("=")
    key, dist = key.strip(), dist.strip()
    holder, field, value = resolve(facts, key)
    attrs.resolve_types(type(holder))
    tp = _base_type(field.type)
    if tp not in (int, Decimal):
        raise _err(f"{key} is not a number (it holds {value!r}); only numbers can be drawn")
    integer = tp is int
    lo, hi = _bounds(field)
    centre = Decimal(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None
    if dist.startswith("bootstrap:"):
        pool = yearly_totals(dist.removeprefix("bootstrap:"), facts_file)
        return Vary(key, dist, "bootstrap", {}, 0 if integer else 2, lo, hi, centre, integer, pool)
    m = _CALL.match(dist)
    if not m or m.group(1) not in DISTRIBUTIONS:
        hint = closest(dist.split("(")[0], DISTRIBUTIONS)
        raise _err(
            f"{key}: expected one of {', '.join(d + '(…)' for d in DISTRIBUTIONS[:-1])} or bootstrap:FILE, got {dist!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    name, argtext = m.group(1), m.group(2)
    pos: list[float] = []
    kw: dict[str, float] = {}
    for arg in filter(None, (a.strip() for a in argtext.split(","))):
        if "=" in arg:
            k, _, v = arg.partition("=")
            kw[k.strip()] = _num(v)
        else:
            pos.append(_num(arg))
    digits = int(kw.pop("digits", 0 if integer else 2))
    params = _params(name, key, pos, kw, centre)
    return Vary(key, dist, name, params, digits, lo, hi, centre, integer)


def _params(name: str, key: str, pos: list[float], kw: dict[str, float], centre: Decimal | None) -> dict[str, float]:
    def need_centre() -> float:
        if "mean" in kw:
            return kw["mean"]
        if centre is None:
            raise _err(f"{key}: the facts give no value to centre {name}() on; give mean=")
        return float(centre)

    names = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "uniform": ("a", "b"), "triangular": ("left", "mode", "right"), "poisson": ("lam",)}[name]
    allowed = {*names, "cv"}
    for k in kw:
        if k not in allowed:
            hint = closest(k, allowed)
            raise _err(f"{key}: {name}() takes {', '.join(sorted(allowed | {'digits'}))}, got {k!r}" + (f"; did you mean {hint!r}?" if hint else ""))
    if len(pos) > len(names):
        raise _err(f"{key}: {name}() takes at most {len(names)} positional values, got {len(pos)}")
    vals = dict(zip(names, pos, strict=False))
    vals.update({k: v for k, v in kw.items() if k != "cv"})
    if name in ("normal", "lognormal"):
        mean = vals.get("mean") if "mean" in vals else need_centre()
        assert mean is not None
        if "cv" in kw:
            sd = kw["cv"] * mean
        elif "sd" in vals:
            sd = vals["sd"]
        else:
            raise _err(f"{key}: {name}() needs sd= or cv=")
        if sd < 0:
            raise _err(f"{key}: expected sd ≥ 0, got {sd}")
        if name == "lognormal" and mean < 0:
            raise _err(f"{key}: lognormal needs a mean ≥ 0, got {mean}")
        return {"mean": mean, "sd": sd}
    if name == "uniform":
        if len(vals) != 2 or vals["a"] > vals["b"]:
            raise _err(f"{key}: expected uniform(A, B) with A ≤ B")
        return vals
    if name == "triangular":
        if len(vals) != 3 or not vals["left"] <= vals["mode"] <= vals["right"] or vals["left"] == vals["right"]:
            raise _err(f"{key}: expected triangular(LEFT, MODE, RIGHT) with LEFT ≤ MODE ≤ RIGHT, LEFT < RIGHT")
        return vals
    lam = vals.get("lam")
    if lam is None:
        lam = need_centre()
    if lam < 0:
        raise _err(f"{key}: expected poisson(LAM) with LAM ≥ 0, got {lam}")
    return {"lam": lam}


def yearly_totals(spec: str, facts_file: str | None = None) -> tuple[Decimal, ...]:
    """A claim log's totals per year (``FILE[#COLUMN]``, Parquet or CSV),
    exact: Decimal sums of the column's values as written."""
    import pyarrow.compute as pc  # noqa: PLC0415

    file, _, column = spec.partition("#")
    path = Path(file)
    if not path.is_absolute() and not path.exists() and facts_file:
        alt = Path(facts_file).parent / path
        path = alt if alt.exists() else path
    if not path.exists():
        raise _err(f"bootstrap: no such file {file!r}")
    try:
        if path.suffix.lower() == ".csv":
            import pyarrow.csv as pcsv  # noqa: PLC0415

            table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(strings_can_be_null=True, column_types={c: "string" for c in ("amount_eligible", "benefit", column) if c}))
        else:
            import pyarrow.parquet as pq  # noqa: PLC0415

            table = pq.read_table(path)
    except Exception as exc:  # pyarrow's errors: not a readable table
        raise _err(f"bootstrap: cannot read {file!r} as {'CSV' if path.suffix.lower() == '.csv' else 'Parquet'}: {exc}") from None
    names = table.column_names
    col = column or ("benefit" if "benefit" in names else "amount_eligible")
    if col not in names:
        hint = closest(col, names)
        raise _err(f"bootstrap: {file} has no column {col!r}" + (f"; did you mean {hint!r}?" if hint else f"; columns: {', '.join(names)}"))
    if "year" in names:
        years = [int(y) if y is not None else None for y in table.column("year").to_pylist()]
    elif "received_on" in names:
        rec = table.column("received_on")
        years = pc.year(pc.cast(rec, "date32") if str(rec.type) == "string" else rec).to_pylist()
    else:
        raise _err(f"bootstrap: {file} has neither a 'year' nor a 'received_on' column")
    totals: dict[int, Decimal] = {}
    for y, v in zip(years, table.column(col).to_pylist(), strict=True):
        if y is None or v is None:
            continue
        totals[y] = totals.get(y, Decimal(0)) + (v if isinstance(v, Decimal) else parse_decimal(str(v)))
    if not totals:
        raise _err(f"bootstrap: {file} has no rows with a year and a {col}")
    return tuple(totals[y] for y in sorted(totals))


def parse_all(specs: Sequence[str], facts: Any, facts_file: str | None = None) -> list[Vary]:
    out: list[Vary] = []
    for s in specs:
        v = parse_vary(s, facts, facts_file)
        if any(o.key == v.key for o in out):
            raise _err(f"{v.key} is varied twice")
        out.append(v)
    return out
