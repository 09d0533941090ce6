"""淮阳 第二十八条: what the bureau transferred (3月、9月两批) against the premium after
the 第二十一条 offset — worked by hand.

BASE: 56,000 insured × 150 = 8,400,000.00 筹资总额.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "huaiyang"
BASE: dict[str, Any] = {
    "year": 2025,
    "insured": 56000,
    "payouts": D("7500000"),
    "prior_year_income": D("8286000"),
    "rolling_surplus_start": D("3000000"),
}


def compute(contract: Any, **kw: Any) -> Any:
    c = contract(CITY)
    return api.compute(c, api.load_facts(c, {**BASE, **kw}))


def test_base_is_8_4_million(contract: Any) -> None:
    assert compute(contract).amount("funding_total") == D("8400000.00")


def test_nothing_stated_nothing_taken_as_transferred(contract: Any) -> None:
    r = compute(contract)
    assert r.amount("transfers_paid") == D("0.00")
    assert r.amount("funding_net") == D("8400000.00")
    found = [f for f in r.findings if f.key == "funding.transfers_assumed"]
    assert len(found) == 1 and found[0].severity == "info" and found[0].clause == "第二十八条"


@pytest.mark.parametrize(
    ("paid", "net"),
    [
        ("8400000", "0.00"),  # both batches in full
        ("8399999.99", "0.01"),  # one 分 short: the bureau still owes 0.01
        ("8400000.01", "-0.01"),  # one 分 over: the insurer returns 0.01
        ("4200000", "4200000.00"),  # March only (half): September's 4,200,000 still due
    ],
)
def test_net_is_premium_after_offset_less_transferred(contract: Any, paid: str, net: str) -> None:
    r = compute(contract, transfers_paid=paid)
    assert r.amount("transfers_paid") == D(paid)
    assert r.amount("funding_net") == D(net)
    assert "funding.transfers_assumed" not in {f.key for f in r.findings}


def test_net_after_remote_care_offset(contract: Any) -> None:
    # 第二十一条: 100,000 unremitted is deducted: 8,400,000 − 100,000 = 8,300,000 due;
    # 8,400,000 transferred in full: the insurer returns 100,000.00
    r = compute(contract, remote_care_unremitted="100000", transfers_paid="8400000")
    assert r.amount("premium_after_offset") == D("8300000.00")
    assert r.amount("funding_net") == D("-100000.00")


def test_payable_points_at_the_net(contract: Any) -> None:
    assert [p.item for p in contract(CITY).doc.payable] == ["funding_net"]


def test_negative_transfers_is_an_input_error(contract: Any) -> None:
    c = contract(CITY)
    with pytest.raises(InputError) as e:
        api.load_facts(c, {**BASE, "transfers_paid": "-1"})
    assert "transfers_paid" in str(e.value)
