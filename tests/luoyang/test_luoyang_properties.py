"""Property tests (hypothesis): the quarter's parts add up to the fee, the
year's true-up and advances add up to the annual fee, exactly, to the 分."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.registry import make_registry

REG = make_registry(load_entrypoints=False, env={})
C = api.load_contract("luoyang", reg=REG)

enrolled = st.integers(min_value=0, max_value=20_000_000)
rates = st.integers(min_value=0, max_value=10000).map(lambda n: D(n) / 10000)
breaches = st.integers(min_value=0, max_value=60)


def quarter(n: int, rate: D, b: int, reading: str = "per_breach") -> Any:
    c = C.with_choices({"breach_count": reading})
    facts = api.load_facts(c, {"period": "2027Q3", "enrolled_prior_year": n, "audit_pass_rate": rate, "breaches": b})
    return api.compute(c, facts)


@settings(max_examples=200, deadline=None)
@given(enrolled, rates, breaches, st.sampled_from(["per_breach", "once"]))
def test_quarter_parts_add_up(n: int, rate: D, b: int, reading: str) -> None:
    r = quarter(n, rate, b, reading)
    fee = r.amount("quarter_fee")
    deductions = sum((r.amount(k) for k in ("audit_deduction", "breach_penalty", "assessment_deduction")), D(0))
    excess = any(f.key == "settlement.deductions_exceed_fee" for f in r.findings)
    assert excess is (deductions > fee)
    assert r.amount("quarter_payable") == (D(0) if excess else fee - deductions)
    assert r.amount("assessment_deduction") + r.amount("quarter_fee_after_assessment") == fee


@settings(max_examples=200, deadline=None)
@given(enrolled, rates, rates)
def test_a_lower_pass_rate_never_deducts_less(n: int, a: D, b: D) -> None:
    lo, hi = sorted((a, b))
    assert quarter(n, lo, 0).amount("audit_deduction") >= quarter(n, hi, 0).amount("audit_deduction")


@settings(max_examples=200, deadline=None)
@given(enrolled, enrolled)
def test_year_parts_add_up(prior: int, actual: int) -> None:
    facts = api.load_facts(C, {"period": "2027", "enrolled_prior_year": prior, "enrolled_actual": actual})
    r = api.compute(C, facts)
    assert r.amount("advances_paid") == 4 * r.amount("quarter_fee")
    assert r.amount("advances_paid") + r.amount("true_up") == r.amount("annual_fee")
