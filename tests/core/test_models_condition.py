"""The ``condition`` model: a step with no item that exists for its
``when``/``otherwise`` (淮阳 第四十二条: 考核不合格 → 复核)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.periods import Year

from .toy import toy_contract

CONTRACT = """

[[steps]]
model = "condition"
clause = "第四十二条"
when = "passed"
otherwise = { key = "assessment.failed", message = "考核不合格：30个工作日内申请复核" }
"""


@attrs.frozen
class Facts:
    year: Year
    passed: bool | None = None


@pytest.fixture
def contract(tmp_path: Path) -> Any:
    return toy_contract(tmp_path, CONTRACT, Facts, name="cond", start="2025-01-01", end="2025-12-31")


def test_condition_holds_nothing_produced(contract: Any) -> None:
    r = api.compute(contract, api.load_facts(contract, {"year": 2025, "passed": True}))
    assert r.items == () and r.findings == ()


@pytest.mark.parametrize("facts", [{"passed": False}, {}])
def test_condition_fails_finding_raised(contract: Any, facts: dict[str, Any]) -> None:
    r = api.compute(contract, api.load_facts(contract, {"year": 2025, **facts}))
    assert r.items == ()
    [f] = r.findings
    assert (f.key, f.severity, f.clause) == ("assessment.failed", "warning", "第四十二条")
    assert f.message == "考核不合格：30个工作日内申请复核（passed = false）"


def test_condition_is_shown_without_an_item(run: Any) -> None:
    res = run("show", "huaiyang", "--format", "json")
    conds = [s for s in res.json["steps"] if s["model"] == "condition"]
    # 第四十二条 twice (assessment), 第二十一条 once (settlement)
    assert [s["stage"] for s in conds] == ["assessment", "assessment", "settlement"]
    assert all(s["key"] == "—" for s in conds)


EQUAL = """

[[steps]]
model = "condition"
clause = "第四条1"
equal = ["advance", 2000]
differs = { key = "advance.differs", message = "预拨与约定不符" }
"""


@attrs.frozen
class AdvanceFacts:
    year: Year
    advance: Decimal | None = None


@pytest.fixture
def equal_contract(tmp_path: Path) -> Any:
    return toy_contract(tmp_path, EQUAL, AdvanceFacts, name="eq", start="2025-01-01", end="2025-12-31")


@pytest.mark.parametrize(("advance", "warned"), [(2000, False), ("1999.99", True), ("2000.01", True), (None, False)])
def test_condition_equal_differs(equal_contract: Any, advance: Any, warned: bool) -> None:
    data: dict[str, Any] = {"year": 2025}
    if advance is not None:
        data["advance"] = advance
    facts = api.load_facts(equal_contract, data)
    r = api.compute(equal_contract, facts)
    assert r.items == ()
    assert [f.key for f in r.findings] == (["advance.differs"] if warned else [])
    if warned:
        assert "2000.00" in r.findings[0].message
