"""Property tests (hypothesis): Huaiyang's parts add up exactly, to the 分,
under both utilization readings, and the rolling surplus carries exactly."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.money import to_fen
from yibao.registry import make_registry

REG = make_registry(load_entrypoints=False, env={})
C = api.load_contract("huaiyang", reg=REG)

money = st.integers(min_value=0, max_value=10**10).map(lambda n: D(n) / 100)


def run(insured: int, payouts: D, income: D, start: D, rate: str) -> Any:
    c = C.with_choices({"utilization_rate": rate})
    facts = api.load_facts(
        c,
        {"year": 2025, "insured": insured, "payouts": payouts, "prior_year_income": income, "rolling_surplus_start": start},
    )
    return api.compute(c, facts)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2_000_000), money, money, money, st.sampled_from(["committed", "floor"]))
def test_parts_add_up(insured: int, payouts: D, income: D, start: D, rate: str) -> None:
    r = run(insured, payouts, income, start, rate)
    funding = r.amount("funding_total")
    assert funding == insured * 150  # 第二十八条
    assert r.amount("transfer_march") + r.amount("transfer_september") == funding
    assert r.amount("operating_cost") == to_fen(funding * D("0.05"))
    assert r.amount("bond") == to_fen(funding * D("0.10"))
    rollover, excess = r.amount("rollover"), r.amount("excess_from_surplus")
    assert rollover == 0 or excess == 0  # a year either falls short or overspends
    assert rollover == max(D(0), r.amount("utilization_required") - payouts)
    uncovered = r.amount("uncovered_excess")
    assert excess + uncovered == max(D(0), payouts - funding)  # the overspend, split
    assert excess <= start + rollover  # the surplus bears what it holds, no more (uncovered_excess = insurer)
    assert r.amount("rolling_surplus_end") == start + rollover - excess
    assert r.amount("rolling_surplus_end") >= 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=200_000), money), min_size=2, max_size=4), money)
def test_series_carries_the_surplus_exactly(years: list[tuple[int, D]], start: D) -> None:
    facts = [
        api.load_facts(
            C,
            {
                "year": 2025 + i,
                "insured": n,
                "payouts": p,
                # 上年度资金总收入 = the previous year's 筹资总额 (a series checks it)
                "prior_year_income": D(years[i - 1][0] * 150) if i else D(1),
                **({"rolling_surplus_start": start} if i == 0 else {}),
            },
        )
        for i, (n, p) in enumerate(years[:3])
    ]
    rs = api.compute_series(C, facts)
    for before, after in zip(rs, rs[1:], strict=False):
        opening = after.amount("rolling_surplus_end") - after.amount("rollover") + after.amount("excess_from_surplus")
        assert opening == before.amount("rolling_surplus_end")
