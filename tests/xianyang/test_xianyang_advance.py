"""咸阳 第四条1: 在协议签订后首月，甲方向乙方预拨……人民币2000万元 — a stated advance
of any other amount is a warning; the year-end net uses what was transferred."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api

CITY = "xianyang"
# 第四条1: 17,811万 premium = 178,110,000; 2,000万 advance = 20,000,000;
# the rest 158,110,000 as one monthly transfer
REST = 158110000


def compute(contract: Any, **kw: Any) -> Any:
    c = contract(CITY)
    return api.compute(c, api.load_facts(c, {"year": 2026, "payouts": D("170000000"), "assessment_passed": True, **kw}))


def advance_findings(r: Any) -> list[Any]:
    return [f for f in r.findings if f.key == "premium.advance_differs"]


@pytest.mark.parametrize(
    ("advance", "warned"),
    [
        ("20000000", False),  # exactly 2,000万
        ("19999999.99", True),  # one 分 below
        ("20000000.01", True),  # one 分 above
        ("0", True),  # no advance at all
    ],
)
def test_advance_other_than_2000_wan_is_a_warning(contract: Any, advance: str, warned: bool) -> None:
    r = compute(contract, transfers={"advance": advance, "monthly": [REST]})
    found = advance_findings(r)
    assert bool(found) is warned
    if warned:
        assert found[0].severity == "warning" and found[0].clause == "第四条1"
        assert "20000000.00" in found[0].message


def test_no_transfers_stated_no_advance_warning(contract: Any) -> None:
    assert advance_findings(compute(contract)) == []


def test_a_short_advance_still_reconciles(contract: Any) -> None:
    # advance 19,000,000 + 158,110,000 = 177,110,000 transferred; 1,000,000 of the
    # 178,110,000 premium still outstanding (the bureau pays it at year end)
    r = compute(contract, transfers={"advance": 19000000, "monthly": [REST]})
    assert r.amount("premium_transferred") == D("177110000.00")
    assert r.amount("premium_outstanding") == D("1000000.00")
    assert advance_findings(r)
