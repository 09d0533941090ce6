"""Property tests (hypothesis): parts add up to totals, exactly, to the 分,
under both readings of the clawback and of the base of 第六条 (premium or
the 考核基数 of 第四条2), passed or failed assessment."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.registry import make_registry

REG = make_registry(load_entrypoints=False, env={})
C = api.load_contract("xianyang", reg=REG)
PREMIUM = D("178110000")
CAP = D("14160000")

cents = st.integers(min_value=0, max_value=30_000_000_000).map(lambda n: D(n) / 100)
counts = st.integers(min_value=0, max_value=2000)
issue = st.integers(min_value=300_000, max_value=1_000_000).map(lambda n: D(n) / 100)  # 3,000.00–10,000.00


@settings(max_examples=200, deadline=None)
@given(
    payouts=cents,
    policy=cents,
    claw_share=st.integers(min_value=0, max_value=100),
    passed=st.booleans(),
    n=st.tuples(counts, counts, counts, counts),
    issues=st.lists(issue, max_size=5),
    reading=st.sampled_from(["separate", "net_of_payouts"]),
    assessment_base=st.one_of(st.none(), cents),
)
def test_parts_add_up(
    payouts: D, policy: D, claw_share: int, passed: bool, n: tuple[int, int, int, int], issues: list[D], reading: str,
    assessment_base: D | None,
) -> None:
    # assessment_base None: the default base (the premium); given: the 考核基数 reading
    base = PREMIUM if assessment_base is None else assessment_base
    c = C.with_choices({"clawback_and_risk": reading, "surplus_base": "premium" if assessment_base is None else "assessment_base"})
    clawback = (payouts * claw_share / 100).quantize(D("0.01"))
    late, ineligible, inquiries, attitude = n
    facts = api.load_facts(
        c,
        {
            "year": 2026,
            "payouts": payouts,
            "policy_loss": policy,
            "assessment_passed": passed,
            **({} if assessment_base is None else {"assessment_base": assessment_base}),
            "deductions": {
                "late_settlements": late,
                "ineligible_patients": ineligible,
                "unanswered_inquiries": inquiries,
                "attitude_complaints": attitude,
                "financial_issues": issues,
                "clawback": clawback,
            },
        },
    )
    r: Any = api.compute(c, facts)
    a = r.amount
    assert a("premium_employees") + a("premium_residents") == a("premium_total") == PREMIUM
    assert a("op_cost_initial") + a("op_cost_remaining") == a("op_cost_total")
    counted = payouts - clawback if reading == "net_of_payouts" else payouts
    assert a("payouts_counted") == counted
    assert a("surplus_base") == base
    assert a("surplus_return") + a("surplus_retained") == max(D(0), base - counted)
    assert a("surplus_return") <= CAP
    assert a("loss_bureau") + a("loss_insurer") == max(D(0), counted - base)
    assert a("surplus_return") == 0 or a("loss_insurer") + a("loss_bureau") == 0  # never both
    assert a("loss_bureau") <= policy
    # the clawback is returned once: on its own line, or through 第六条 as lower payouts
    assert a("fund_clawback") + (payouts - counted) == clawback
    parts = ("late_settlements", "ineligible_patients", "unanswered_inquiries", "financial_issues", "attitude_complaints")
    assert a("deductions_total") == sum((a(f"deduction_{k}") for k in parts), D(0))
    assert a("deductions_total") == 500 * late + 1000 * ineligible + 500 * inquiries + 500 * attitude + sum(issues, D(0))
    after = a("op_cost_remaining") if passed else D(0)
    assert a("op_cost_after_assessment") == after
    assert a("op_cost_final") == max(D(0), after - a("deductions_total"))
    excess = [f for f in r.findings if f.key == "deductions.excess"]
    assert bool(excess) == (a("deductions_total") > after)
    if excess:
        assert f"不足抵扣 {a('deductions_total') - after:.2f} 元" in excess[0].message
    # 第十条3: what the deductions take beyond the fee not yet paid, the insurer owes
    assert a("deductions_owed") == max(D(0), a("deductions_total") - after)
    assert a("op_cost_final") - a("deductions_owed") == after - a("deductions_total")
    # 第七条2 年底清算: no [transfers] stated, the premium is taken as transferred in full
    assert a("premium_transferred") == PREMIUM and a("premium_outstanding") == 0
    assert a("net_settlement") == (
        a("premium_outstanding") + a("op_cost_final") + a("loss_bureau") - a("surplus_return") - a("fund_clawback") - a("deductions_owed")
    )
    assert all(i.amount >= 0 for i in r.items if i.key != "net_settlement")  # only the net may be negative
