"""A one-contract throwaway plugin for unit-testing a standard model through
the real loader and engine (no city involved)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from yibao import api
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl
from yibao.registry import make_registry

HEADER = """
id = "unit"
city = "unit"
title = "unit"
kind = "unit"
[parties]
bureau = "甲"
insurer = "乙"
[term]
start = 2026-01-01
end = 2026-12-31
clause = "T"
"""


@attrs.frozen
class UnitFacts:
    """Facts of the unit contract: a few optional numbers."""

    period: str = "2026"
    count: int | None = None
    base: Decimal | None = None
    score: Decimal | None = None


def load(tmp_path: Path, body: str) -> Any:
    """The unit contract with ``body`` (steps, interpretations) appended."""
    path = tmp_path / "unit.toml"
    path.write_text(HEADER + body, encoding="utf-8")

    class Plugin:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name="unit", contract_file=path, facts_class=UnitFacts))

    reg = make_registry(load_entrypoints=False, env={}, extra_plugins=[("unit", Plugin())])
    return api.load_contract("unit", reg=reg)


def compute(contract: Any, roster: Any = None, **facts: Any) -> Any:
    return api.compute(contract, api.load_facts(contract, facts), roster)
