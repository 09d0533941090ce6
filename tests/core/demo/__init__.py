"""A throwaway city plugin for the core's tests (not shipped)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative

HERE = Path(__file__).parent


@attrs.frozen
class DemoFacts:
    year: int
    insured: int = attrs.field(validator=non_negative)
    payouts: Decimal = Decimal(0)
    breaches: int = 0

    @property
    def period(self) -> str:
        return str(self.year)


class DemoPlugin:
    """Records every stage hook it receives, and adds one item in settlement."""

    def __init__(self, name: str = "demo") -> None:
        self.name = name
        self.calls: list[str] = []

    @hookimpl
    def yibao_register_contracts(self, register: Any) -> None:
        register(ContractSpec(name=self.name, contract_file=HERE / "contract.toml", facts_class=DemoFacts))

    @hookimpl
    def yibao_compute_fees(self, contract: Any, facts: Any, ledger: Any) -> None:
        self.calls.append(f"fees:{contract.name}")
        assert ledger.get("fee") is not None  # the standard steps ran first

    @hookimpl
    def yibao_share_risk(self, contract: Any, facts: Any, ledger: Any) -> None:
        self.calls.append(f"risk:{contract.name}")

    @hookimpl
    def yibao_assess_payout(self, contract: Any, facts: Any, ledger: Any) -> None:
        self.calls.append(f"assessment:{contract.name}")

    @hookimpl
    def yibao_settle_payment(self, contract: Any, facts: Any, ledger: Any) -> None:
        self.calls.append(f"settlement:{contract.name}")
        ledger.item("bonus", "奖励", Decimal("0.125"), "0.125", "第八条")

    @hookimpl
    def yibao_check_staffing(self, contract: Any, facts: Any, roster: Any, ledger: Any) -> None:
        self.calls.append(f"staffing:{contract.name}:{len(roster)}")

    @hookimpl
    def yibao_validate_contract(self, contract: Any, facts: Any, ledger: Any) -> None:
        self.calls.append(f"validate:{contract.name}")
