"""``yibao simulate`` and ``yibao readings``: figures worked by hand from
Xinxiang's contract (第二十一条, 第二十九条), the arithmetic of the exact
vector path, the statistics, the command line.

Xinxiang's example facts: 100,000 insured × 190 = 19,000,000.00 funding
(第十九条); cap 3.85% × 19,000,000.00 = 731,500.00 (第二十一条(1)); score 85:
(90 − 85) × 0.5% = 2.5% deducted (第二十九条(二)).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from yibao import api  # noqa: E402
from yibao.errors import InputError  # noqa: E402
from yibao.registry import make_registry  # noqa: E402
from yibao.simulate import BLOCK  # noqa: E402
from yibao.simulate.fixedpoint import Fx, VectorOverflow, div_to_fen, fx, mul, to_fen  # noqa: E402
from yibao.simulate.stats import quantiles_in_memory, rank, wilson  # noqa: E402

from .imports import imported_by  # noqa: E402

REG = make_registry(load_entrypoints=False, env={})
XX = api.load_contract("xinxiang", reg=REG)
FACTS = api.load_facts(XX, api.example_facts(XX))


# ------------------------------------------------------------ exact arithmetic
@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("0.005", 1),  # a tie rounds up
        ("0.0049", 0),  # just below the tie
        ("0.0051", 1),  # just above
        ("-0.005", -1),  # ROUND_HALF_UP: away from zero
        ("-0.0049", 0),
        ("731500.0000", 73150000),
    ],
)
def test_to_fen_is_round_half_up(value: str, fen: int) -> None:
    for v in (fx(D(value)), Fx(np.array([fx(D(value)).v, 0], dtype=np.int64), fx(D(value)).s)):
        got = to_fen(v)
        assert got.s == 2 and int(np.asarray(got.v).flat[0]) == fen


def test_quarter_fee_divisor_rounds_once() -> None:
    """洛阳 第三条(四)(五): 5,012,345 × 1.2 ÷ 4 = 1,503,703.50 exactly; 3 people
    × 1.2 ÷ 4 = 0.90; 1 × 1.25 ÷ 4 = 0.3125 → 0.31; 1 × 1.3 ÷ 4 = 0.325 → 0.33."""
    for count, rate, fen in [(5012345, "1.2", 150370350), (3, "1.2", 90), (1, "1.25", 31), (1, "1.3", 33)]:
        assert div_to_fen(mul(fx(count), fx(D(rate))), 4).v == fen


def test_a_product_that_could_leave_int64_is_refused() -> None:
    big = Fx(np.array([10**12], dtype=np.int64), 2)
    with pytest.raises(VectorOverflow):
        mul(big, fx(D("1234567.891")))


# ------------------------------------------------------------ statistics
def test_nearest_rank_percentiles_and_tail() -> None:
    a = np.arange(1, 101, dtype=np.int64)  # 1..100
    q, tail = quantiles_in_memory(a, [rank(p, 100) for p in (1, 5, 50, 95, 99)], sum_below=1)
    assert [q[rank(p, 100)] for p in (1, 5, 50, 95, 99)] == [1, 5, 50, 95, 99]
    assert tail == 1
    assert rank(1, 150) == 2 and rank(50, 1) == 1


def test_wilson_interval() -> None:
    lo, hi = wilson(0, 100)
    assert lo == 0 and 0.036 < hi < 0.038  # 3.7% upper bound with no event in 100
    lo, hi = wilson(50, 100)
    assert 0.40 < lo < 0.41 and 0.59 < hi < 0.60


# ------------------------------------------------------------ worked by hand
def _claims(tmp: Path) -> Path:
    """Yearly benefit totals 17,000,000 (2022), 19,500,000 (2023), 21,000,000 (2024)."""
    path = tmp / "claims.parquet"
    rows = {"year": [2022, 2022, 2023, 2024], "benefit": [D("16000000.00"), D("1000000.00"), D("19500000.00"), D("21000000.00")]}
    pq.write_table(pa.table(rows), path)
    return path


def test_bootstrap_of_yearly_totals_worked_by_hand(tmp_path: Path) -> None:
    """Three possible years, each computed by hand (第二十一条, 第二十九条):

    - 17,000,000: balance 2,000,000 ≥ cap 731,500 → approved 731,500.00,
      score 85: 2.5% = 18,287.50 deducted → returned 713,212.50; result 713,212.50
    - 19,500,000: loss 500,000.00 borne by the insurer → result −500,000.00
    - 21,000,000: loss 2,000,000.00 → result −2,000,000.00
    """
    dump = tmp_path / "s.parquet"
    sim = api.simulate(XX, FACTS, scenarios=3000, seed=5, vary=[f"regions[0].payouts=bootstrap:{_claims(tmp_path)}"], dump=dump)
    r = sim.result[0]
    assert (r["min"], r["p1"], r["p99"], r["max"]) == ("-2000000.00", "-2000000.00", "713212.50", "713212.50")
    assert r["var99"] == "2000000.00" and r["tvar99"] == "2000000.00"
    payouts = [row["regions[0].payouts"] for row in pq.read_table(dump).to_pylist()]
    counts = {v: payouts.count(v) for v in (D("17000000.00"), D("19500000.00"), D("21000000.00"))}
    assert sum(counts.values()) == 3000
    mean = (counts[D("17000000.00")] * D("713212.50") - counts[D("19500000.00")] * 500000 - counts[D("21000000.00")] * 2000000) / 3000
    assert r["mean"] == f"{mean.quantize(D('0.01'), rounding='ROUND_HALF_UP'):.2f}"
    loss = counts[D("19500000.00")] + counts[D("21000000.00")]
    assert r["p_loss"] == round(loss / 3000, 6)
    assert r["p_loss_ci95"][0] < 2 / 3 < r["p_loss_ci95"][1]
    cap = next(i for i in sim.items if i["key"] == "approved_profit")
    assert cap["max"] == "731500.00" and sim.cap == 731500.0


def test_scenarios_do_not_depend_on_how_many_run(tmp_path: Path) -> None:
    vary = ["regions[0].payouts=lognormal(cv=0.1)", "score=triangular(70,88,100)"]
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    api.simulate(XX, FACTS, scenarios=10, seed=9, vary=vary, dump=a)
    api.simulate(XX, FACTS, scenarios=BLOCK + 20, seed=9, vary=vary, dump=b)
    assert pq.read_table(a).to_pylist() == pq.read_table(b).slice(0, 10).to_pylist()
    assert pq.read_table(b).num_rows == BLOCK + 20


def test_percentiles_by_passes_equal_those_in_memory() -> None:
    """Beyond the memory budget the percentiles are located by passes over
    the reproducible scenarios: the same values, exactly."""
    vary = ["regions[0].payouts=lognormal(cv=0.1)", "score=triangular(50,88,100)"]
    kept = api.simulate(XX, FACTS, scenarios=BLOCK + 1000, seed=2, vary=vary).to_dict()
    from yibao.simulate import simulate

    passed = simulate(XX, FACTS, scenarios=BLOCK + 1000, seed=2, vary=vary, compute=api.compute, compute_series=api.compute_series, memory_values=1)
    doc = passed.to_dict()
    assert doc["percentile_passes"] >= 2 and kept["percentile_passes"] == 0
    assert doc["items"] == kept["items"] and doc["result"] == kept["result"]


def test_huaiyang_rolling_surplus_over_three_years() -> None:
    """淮阳 第二十九条、第三十条 with payouts fixed at the example's 7,500,000:
    each year 56,000 × 150 = 8,400,000 funding, 91% = 7,644,000 required,
    144,000 rolled over: 3,000,000 → 3,144,000 → 3,288,000 → 3,432,000."""
    c = api.load_contract("huaiyang", reg=REG)
    f = api.load_facts(c, api.example_facts(c))
    sim = api.simulate(c, f, scenarios=50, seed=1, vary=["insured=uniform(56000,56000)"], years=3)
    assert sim.periods == ["2025", "2026", "2027"]
    ends = [i["mean"] for i in sim.items if i["key"] == "rolling_surplus_end"]
    assert ends == ["3144000.00", "3288000.00", "3432000.00"]
    assert [r["p_by_end"] for r in sim.runs_out] == [0.0, 0.0, 0.0]


def test_huaiyang_runs_out_when_payouts_exceed_the_surplus() -> None:
    """Payouts 12,000,000 against 8,400,000 funding: 3,600,000 drawn each year
    from 3,000,000 → −600,000 in the first year: run out in every scenario."""
    c = api.load_contract("huaiyang", reg=REG)
    f = api.load_facts(c, api.example_facts(c))
    sim = api.simulate(c, f, scenarios=20, seed=1, vary=["payouts=uniform(12000000,12000000)"], years=2)
    assert [r["p_by_end"] for r in sim.runs_out] == [1.0, 1.0]
    exhausted = [x for x in sim.findings if x["key"] == "funding.surplus_exhausted"]
    assert [x["p"] for x in exhausted] == [1.0, 1.0]


def test_readings_all_in_simulate_gives_mean_changes() -> None:
    """Score fixed at 75.5 (第二十九条(三)): all points 14.5% = 106,067.50;
    whole points 14% = 102,410.00 (−3,657.50); marginal 10 × 0.5% (90–80)
    + 4.5 × 1% (80–75.5) = 9.5% = 69,492.50 (−36,575.00)."""
    sim = api.simulate(XX, FACTS, scenarios=10, seed=1, vary=["score=uniform(75.5,75.5)"], readings=True)
    by = {(r["interpretation"], r["reading"]): r for r in sim.readings}
    ded = {k: [c for c in r["changes"] if c["key"] == "profit_deduction"] for k, r in by.items()}
    assert ded[("fractional_points", "whole_points")][0]["mean_change"] == "-3657.50"
    assert ded[("tier_rate_scope", "marginal")][0]["mean_change"] == "-36575.00"
    assert by[("claims_amount_basis", "whole_cost")]["changes"] == []


def test_readings_command_worked_by_hand(run: Callable[..., Any], tmp_path: Path) -> None:
    facts = tmp_path / "f.toml"
    facts.write_text('year = 2025\nscore = 75.5\n[[regions]]\nname = "市本级"\ninsured = 100000\npayouts = 17900000\n', encoding="utf-8")
    res = run("readings", "xinxiang", "--facts", str(facts), "--format", "json")
    assert res.code == 0, res.err
    by = {i["id"]: i for i in res.json["interpretations"]}
    whole = by["fractional_points"]["alternatives"][0]["changes"]
    assert {(c["key"], c["default"], c["alternative"], c["change"]) for c in whole} == {
        ("profit_deduction", "106067.50", "102410.00", "-3657.50"),
        ("profit_returned", "625432.50", "629090.00", "3657.50"),
    }
    assert by["claims_amount_basis"]["alternatives"][0]["changes"] == []


# ------------------------------------------------------------ the command line
def test_simulate_command_json_dump_and_plot(run: Callable[..., Any], tmp_path: Path) -> None:
    dump, plot = tmp_path / "s.parquet", tmp_path / "s.svg"
    res = run("simulate", "xinxiang", "-n", "500", "--seed", "1", "--vary", "regions[0].payouts=lognormal(cv=0.1)", "--dump", str(dump), "--plot", str(plot), "--format", "json")
    assert res.code == 0, res.err
    assert res.json["engine"] == "vector" and res.json["scenarios"] == 500 and res.json["schema_version"]
    assert pq.read_table(dump).num_rows == 500
    assert plot.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize(
    ("args", "path", "says"),
    [
        (["--vary", "regions[0].payout=lognormal(cv=0.1)"], "--vary", "did you mean 'payouts'"),
        (["--vary", "score=lognormal(cv=0.1"], "--vary", "expected one of"),
        (["--vary", "score=lognormal()"], "--vary", "needs sd= or cv="),
        (["--vary", "regions[3].payouts=normal(sd=1)"], "--vary", "1 element"),
        (["--vary", "year=normal(sd=1)"], "--vary", "not a number"),
        (["--years", "2"], "--years", "within the contract term"),
        (["--dump", "out.csv"], "--dump", ".parquet"),
    ],
)
def test_bad_input_is_exit_2(run: Callable[..., Any], args: list[str], path: str, says: str) -> None:
    res = run("simulate", "xinxiang", "-n", "10", *args, "--format", "json")
    assert res.code == 2, res.out
    assert "Traceback" not in res.err
    problems = res.json["problems"] if "problems" in res.json else res.json["errors"]
    assert any(p["path"] == path and says in p["message"] for p in problems), problems


def test_dump_never_onto_an_input(run: Callable[..., Any], tmp_path: Path) -> None:
    facts = tmp_path / "f.parquet"
    facts.write_bytes(b"not really")
    res = run("simulate", "xinxiang", "--facts", str(facts), "--dump", str(facts))
    assert res.code == 2 and facts.read_bytes() == b"not really"


def test_compute_imports_no_simulation() -> None:
    code, modules, _ = imported_by("compute", "xinxiang", "--format", "json")
    assert code == 0 and not modules & {"numpy", "pyarrow", "matplotlib", "yibao.simulate", "yibao.readings"}


def test_bad_simulate_table_names_the_key(tmp_path: Path) -> None:
    from yibao.simulate import SimSpec

    toml = Path(str(XX.path)).read_text(encoding="utf-8").replace('cap = "approved_profit"', 'cap = "approved_proft"')
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    c = api.load_contract("xinxiang", path, reg=REG)
    with pytest.raises(InputError) as err:
        SimSpec.of(c)
    assert err.value.problems[0].path == "simulate.cap" and "approved_profit" in err.value.problems[0].message


def test_json_is_json(run: Callable[..., Any]) -> None:
    res = run("simulate", "huaian", "-n", "50", "--reading", "assessment_method=score_proportional", "--vary", "score=triangular(60,90,100)", "--format", "json")
    assert res.code == 0
    json.dumps(res.json)
    r = res.json["result"][0]
    assert r["p_loss"] == 0.0 and D(r["max"]) <= D("174750.00")  # 699,000 × 25% (五)
