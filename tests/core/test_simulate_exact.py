"""``yibao simulate`` computes every scenario exactly as ``compute`` does.

A property test (hypothesis) draws random scenarios for every city — random
seeds, spreads and readings — dumps them (one row per scenario and period:
the drawn facts and every item to the 分) and recomputes each row with
``api.compute`` (``api.compute_series`` over several years) on the same
facts: every item must be equal, to the 分. The vectorised path must have
been taken (``engine == "vector"``), except where the facts make it
impossible and the fallback is what is tested.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pq = pytest.importorskip("pyarrow.parquet")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from yibao import api  # noqa: E402
from yibao.registry import make_registry  # noqa: E402
from yibao.simulate import with_values  # noqa: E402

REG = make_registry(load_entrypoints=False, env={})

#: city -> (facts: an example file or a dict, [--vary templates with {cv} and {hi}], years)
CASES: dict[str, tuple[Any, list[str], int]] = {
    "xinxiang": (
        "2025.toml",
        ["regions[0].payouts=lognormal(cv={cv})", "regions[0].insured=normal(cv=0.05)", "score=uniform(0,100)", "regions[0].policy_loss=uniform(0,{hi})"],
        1,
    ),
    "huaiyang": (
        "2025.toml",
        ["payouts=lognormal(cv={cv})", "insured=normal(cv=0.03)", "prior_year_income=normal(cv=0.02)", "rolling_surplus_start=uniform(-100000,{hi})"],
        3,
    ),
    "huaian": ("2025Q1.toml", ["score=uniform(0,100,digits=3)"], 1),
    "huaian-terminated": ("2025Q2-terminated.toml", ["score=triangular(0,90,100)"], 1),
    "xianyang": (
        "2026.toml",
        ["payouts=lognormal(cv={cv})", "policy_loss=uniform(0,{hi})", "deductions.late_settlements=poisson(3)", "deductions.clawback=uniform(0,20000)"],
        1,
    ),
    "luoyang": (
        {"period": "2026Q1", "enrolled_prior_year": 5012345, "audit_pass_rate": "0.9", "breaches": 1, "score": 90},
        ["audit_pass_rate=uniform(0.7,1,digits=4)", "breaches=poisson(1)", "enrolled_prior_year=normal(cv={cv})", "score=uniform(0,100)"],
        1,
    ),
    "luoyang-year": ({"period": "2026", "enrolled_prior_year": 5012345, "enrolled_actual": 4987654}, ["enrolled_actual=normal(cv={cv})"], 1),
}


def _contract_and_facts(case: str, readings: dict[str, str]) -> tuple[Any, Any]:
    city = case.split("-")[0]
    c = api.load_contract(city, reg=REG)
    if readings:
        c = c.with_choices(readings)
    source, _, _ = CASES[case]
    if isinstance(source, str):
        path = next(Path(str(p)) for p in c.spec.examples if Path(str(p)).name == source)
        return c, api.load_facts(c, path)
    return c, api.load_facts(c, source)


def _readings(case: str) -> st.SearchStrategy[dict[str, str]]:
    c = api.load_contract(case.split("-")[0], reg=REG)
    skip = {"transfer_split"}  # as_transferred needs a fact the examples leave out
    if CASES[case][2] > 1:
        skip.add("later_years")  # contract_year_only: no later years to run
    return st.fixed_dictionaries({i.id: st.sampled_from(sorted(i.readings)) for i in c.doc.interpretations if i.id not in skip})


def _check(case: str, readings: dict[str, str], seed: int, cv: str, hi: int, tmp: Path) -> None:
    c, facts = _contract_and_facts(case, readings)
    _, templates, years = CASES[case]
    vary = [t.format(cv=cv, hi=hi) for t in templates]
    dump = tmp / f"{case}-{seed}.parquet"
    sim = api.simulate(c, facts, scenarios=24, seed=seed, vary=vary, years=years, dump=dump)
    assert sim.engine == "vector", sim.engine_note
    rows = pq.read_table(dump).to_pylist()
    assert len(rows) == 24 * years
    keys = {v.split("=")[0] for v in vary}
    by_scenario: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_scenario.setdefault(r["scenario"], []).append(r)
    carried = {x.fact for x in c.doc.carry}
    for _i, periods in sorted(by_scenario.items()):
        series = []
        f = facts
        for t, row in enumerate(periods):
            drawn = {k: _fact(row[k]) for k in keys if k in row and row[k] is not None}
            if t > 0:
                f = api.load_facts(c, {**_as_dict(facts), "year": facts.year.year + t})
                for k in carried:
                    f = with_values(f, {k: None})
            series.append(with_values(f, drawn))
        results = [api.compute(c, series[0])] if years == 1 else api.compute_series(c, series)
        for row, result in zip(periods, results, strict=True):
            want = {(li.key if li.scope is None else f"{li.key}@{li.scope}"): li.amount for li in result.items}
            got = {k: v for k, v in row.items() if k not in keys and k not in ("scenario", "period")}
            assert got == want, (case, readings, row["scenario"])


def _fact(v: Any) -> Any:
    return v if isinstance(v, int) else Decimal(v)


def _as_dict(facts: Any) -> dict[str, Any]:
    return {
        "insured": facts.insured,
        "payouts": facts.payouts,
        "prior_year_income": facts.prior_year_income,
        "rolling_surplus_start": facts.rolling_surplus_start,
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_scenario_equals_compute(case: str, tmp_path: Path) -> None:
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        readings=_readings(case),
        seed=st.integers(0, 2**32 - 1),
        cv=st.sampled_from(["0", "0.01", "0.1", "0.3", "1"]),
        hi=st.integers(0, 5_000_000),
    )
    def prop(readings: dict[str, str], seed: int, cv: str, hi: int) -> None:
        _check(case, readings, seed, cv, hi, tmp_path)

    prop()


def test_a_fact_no_array_can_carry_takes_the_decimal_path_and_says_so(tmp_path: Path) -> None:
    """Luoyang's audit rate is passed ÷ sampled, computed in Decimal by the
    facts class: drawing ``audit.passed`` cannot be vectorised, so every
    scenario goes through compute, the output says why, and the figures are
    still compute's."""
    c = api.load_contract("luoyang", reg=REG)
    facts = api.load_facts(c, {"period": "2026Q1", "enrolled_prior_year": 5012345, "audit": {"sampled": 1000, "passed": 893}})
    dump = tmp_path / "l.parquet"
    sim = api.simulate(c, facts, scenarios=16, seed=3, vary=["audit.passed=uniform(700,1000)"], dump=dump)
    assert sim.engine == "scalar"
    assert "audit_rate" in (sim.engine_note or "")
    for row in pq.read_table(dump).to_pylist():
        r = api.compute(c, with_values(facts, {"audit.passed": row["audit.passed"]}))
        assert row["audit_deduction"] == r.amount("audit_deduction")


def test_forced_scalar_path_gives_the_same_statistics() -> None:
    c = api.load_contract("xinxiang", reg=REG)
    facts = api.load_facts(c, api.example_facts(c))
    vary = ["regions[0].payouts=lognormal(cv=0.1)", "score=triangular(50,88,100)"]
    a = api.simulate(c, facts, scenarios=300, seed=11, vary=vary).to_dict()
    b = api.simulate(c, facts, scenarios=300, seed=11, vary=vary, force_scalar=True).to_dict()
    assert a["engine"] == "vector" and b["engine"] == "scalar"
    assert a["items"] == b["items"] and a["result"] == b["result"] and a["findings"] == b["findings"]
