"""Property tests (hypothesis): parts add up to totals, exactly, to the 分."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.money import to_fen
from yibao.registry import make_registry

REG = make_registry(load_entrypoints=False, env={})
C = api.load_contract("xinxiang", reg=REG)

money = st.integers(min_value=0, max_value=10**10).map(lambda n: D(n) / 100)
scores = st.integers(min_value=0, max_value=10000).map(lambda n: D(n) / 100)
regions = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2_000_000), money, money),
    min_size=1,
    max_size=4,
)


def run(score: D, regs: list[tuple[int, D, D]], reading: dict[str, str] | None = None) -> Any:
    c = C.with_choices(reading) if reading else C
    facts = api.load_facts(
        c,
        {
            "year": 2025,
            "score": score,
            "regions": [
                {"name": f"R{i}", "insured": n, "payouts": p, "policy_loss": pl} for i, (n, p, pl) in enumerate(regs)
            ],
        },
    )
    return api.compute(c, facts)


@settings(max_examples=150, deadline=None)
@given(scores, regions)
def test_parts_add_up(score: D, regs: list[tuple[int, D, D]]) -> None:
    r = run(score, regs)
    for i, (insured, payouts, _) in enumerate(regs):
        s = f"R{i}"
        funding = r.amount("funding_total", s)
        assert funding == insured * 190
        balance = funding - payouts
        approved, surplus = r.amount("approved_profit", s), r.amount("surplus_to_fund", s)
        assert approved + surplus == max(D(0), balance)
        assert approved <= to_fen(funding * D("0.0385"))
        assert r.amount("loss_bureau", s) + r.amount("loss_insurer", s) == max(D(0), -balance)
        assert r.amount("profit_deduction", s) + r.amount("profit_returned", s) == approved
        assert D(0) <= r.amount("profit_returned", s) <= approved
    for key in ("funding_total", "breach_penalty_if_terminated"):
        assert r.amount(key, "合计") == sum(r.amount(key, f"R{i}") for i in range(len(regs)))


@settings(max_examples=150, deadline=None)
@given(scores, scores, st.sampled_from(["all_points", "marginal"]), st.sampled_from(["proportional", "whole_points"]))
def test_payout_never_rises_as_the_score_falls(a: D, b: D, rate: str, points: str) -> None:
    lo, hi = sorted((a, b))
    reading = {"tier_rate_scope": rate, "fractional_points": points}
    regs = [(100000, D("17900000"), D(0))]
    assert run(lo, regs, reading).amount("profit_returned", "R0") <= run(hi, regs, reading).amount("profit_returned", "R0")
