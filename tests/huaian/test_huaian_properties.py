"""Property tests (hypothesis): the quarter's parts add up to the quarter fee
to the 分 under every reading, and the monthly termination settlement grows
with the day worked and never exceeds the price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.registry import make_registry

REG = make_registry(load_entrypoints=False, env={})
C = api.load_contract("huaian", reg=REG)
START, END = dt.date(2025, 2, 1), dt.date(2026, 1, 31)

scores = st.integers(min_value=0, max_value=10000).map(lambda n: D(n) / 100)
days = st.integers(min_value=0, max_value=(END - START).days).map(lambda n: START + dt.timedelta(days=n))
assessment = st.sampled_from(["full_payment", "score_proportional"])
end_day = st.sampled_from(["inclusive", "exclusive"])


def quarter_of(day: dt.date) -> int:
    months = (day.year - 2025) * 12 + day.month - 2  # contract months since February 2025
    return months // 3 + 1


def run(reading: dict[str, str], **facts: Any) -> Any:
    c = C.with_choices(reading)
    return api.compute(c, api.load_facts(c, {"quarter": 1, "score": 90, "invoice": True, **facts}))


@settings(max_examples=200, deadline=None)
@given(score=scores, method=assessment, invoice=st.booleans())
def test_quarter_parts_add_up(score: D, method: str, invoice: bool) -> None:
    r = run({"assessment_method": method}, score=score, invoice=invoice)
    fee = r.amount("quarter_fee")
    assert fee == D("174750.00")
    assert r.amount("assessment_deduction") + r.amount("quarter_fee_assessed") == fee
    assert D(0) <= r.amount("quarter_fee_assessed") <= fee
    assert r.amount("quarter_payable") == (r.amount("quarter_fee_assessed") if invoice else D("0.00"))


@settings(max_examples=200, deadline=None)
@given(a=days, b=days, reading=end_day)
def test_termination_settlement_grows_with_the_days_worked(a: dt.date, b: dt.date, reading: str) -> None:
    a, b = min(a, b), max(a, b)
    ra = run({"termination_day": reading}, quarter=quarter_of(a), terminated_on=a).amount("termination_settlement")
    rb = run({"termination_day": reading}, quarter=quarter_of(b), terminated_on=b).amount("termination_settlement")
    assert D(0) <= ra <= rb <= D("699000.00")
    assert ra == ra.quantize(D("0.01"))
