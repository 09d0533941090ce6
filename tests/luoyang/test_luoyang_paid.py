"""洛阳 第三条(四)(五): what a quarter was paid, and the quarter's net — worked by hand.

Quarter fee on 1,000,000 prior-year enrolled: 1,000,000 × 1.2 ÷ 4 = 300,000.00;
with a 100% audit pass rate and no breaches the payable is 300,000.00.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "luoyang"


def quarter(contract: Any, **kw: Any) -> Any:
    c = contract(CITY)
    data: dict[str, Any] = {"period": "2026Q2", "enrolled_prior_year": 1000000, "audit_pass_rate": 1}
    data.update(kw)
    return api.compute(c, api.load_facts(c, data))


def test_nothing_stated_nothing_taken_as_paid(contract: Any) -> None:
    r = quarter(contract)
    assert r.amount("quarter_paid") == D("0.00")
    assert r.amount("quarter_net") == D("300000.00")
    found = [f for f in r.findings if f.key == "settlement.quarter_paid_assumed"]
    assert len(found) == 1 and found[0].severity == "info"
    assert found[0].clause == "第三条(四)"


@pytest.mark.parametrize(
    ("paid", "net"),
    [
        ("300000", "0.00"),  # paid exactly the payable: nothing either way
        ("299999.99", "0.01"),  # one 分 short: the bureau pays 0.01
        ("300000.01", "-0.01"),  # one 分 over: the insurer refunds 0.01
        ("0", "300000.00"),  # stated as nothing paid: no finding, the whole payable
    ],
)
def test_net_is_payable_less_paid(contract: Any, paid: str, net: str) -> None:
    r = quarter(contract, quarter_paid=paid)
    assert r.amount("quarter_paid") == D(paid)
    assert r.amount("quarter_net") == D(net)
    assert not [f for f in r.findings if f.key == "settlement.quarter_paid_assumed"]


def test_net_after_deductions(contract: Any) -> None:
    # audit 79.99%: 5% of 300,000.00 = 15,000.00; payable 285,000.00; paid the full fee
    # 300,000.00 before the audit: the insurer refunds 15,000.00
    r = quarter(contract, audit_pass_rate="0.7999", quarter_paid="300000")
    assert r.amount("quarter_payable") == D("285000.00")
    assert r.amount("quarter_net") == D("-15000.00")


def test_payable_points_at_the_net(contract: Any) -> None:
    c = contract(CITY)
    assert [p.item for p in c.doc.payable] == ["quarter_net", "true_up"]


def test_quarter_paid_is_a_quarter_fact(contract: Any) -> None:
    c = contract(CITY)
    with pytest.raises(InputError) as e:
        api.load_facts(c, {"period": "2026", "enrolled_prior_year": 1, "enrolled_actual": 1, "quarter_paid": 0})
    assert "quarter_paid" in str(e.value)


def test_negative_paid_is_an_input_error(contract: Any) -> None:
    c = contract(CITY)
    with pytest.raises(InputError):
        api.load_facts(c, {"period": "2026Q1", "enrolled_prior_year": 1, "audit_pass_rate": 1, "quarter_paid": -1})
