"""yibao.testing: the fixtures plugin authors get from the pytest11 entry point."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api, testing
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl
from yibao.periods import ContractQuarter

from .demo import DemoFacts


def test_loaded_through_the_pytest11_entry_point(request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.get_plugin("yibao") is testing


def test_yibao_registry_is_the_built_ins_only(yibao_registry: Any) -> None:
    assert sorted(yibao_registry.contracts) == ["huaian", "huaiyang", "luoyang", "xianyang", "xinxiang"]
    assert yibao_registry.failures == []


def test_yibao_plugin_and_yibao_cli_see_the_same_plugins(yibao_plugin: Any, yibao_cli: Any) -> None:
    assert "demo" not in [r["name"] for r in yibao_cli("list", "--format", "json").json["contracts"]]

    class Provider:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name="demo", contract_file=Path(__file__).parent / "demo" / "contract.toml", facts_class=DemoFacts))

    reg = yibao_plugin("demo", Provider())
    assert "demo" in reg.contracts and "xinxiang" in reg.contracts
    res = yibao_cli("list", "--format", "json")
    assert res.code == 0 and "demo" in [r["name"] for r in res.json["contracts"]]
    res = yibao_cli("list", "--format", "table")
    assert res.code == 0 and res.json is None and "demo" in res.out


def test_toy_contract(toy_contract: Any) -> None:
    @attrs.frozen
    class F:
        quarter: ContractQuarter  # the toy term runs 2025-02-01 – 2026-01-31
        insured: int

    c = toy_contract('[[steps]]\nmodel = "per_capita"\nclause = "第二条"\nkey = "fee"\nlabel = "费"\ncount = "insured"\nrate = "1.5"\n', F)
    assert (c.name, c.doc.city) == ("toy", "toy")
    r = api.compute(c, api.load_facts(c, {"quarter": 1, "insured": 3}))
    assert r.amount("fee") == Decimal("4.50")  # 3 × 1.5 (第二条)
