"""A one-contract throwaway plugin for unit-testing a standard model through
the real loader and engine (no city involved)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from yibao import api
from yibao.periods import Year

from .toy import toy_contract


@attrs.frozen
class UnitFacts:
    """Facts of the unit contract: a few optional numbers."""

    period: Year = Year(2026)
    count: int | None = None
    base: Decimal | None = None
    score: Decimal | None = None


def load(tmp_path: Path, body: str) -> Any:
    """The unit contract with ``body`` (steps, interpretations) appended."""
    return toy_contract(tmp_path, body, UnitFacts, name="unit", start="2026-01-01", end="2026-12-31")


def compute(contract: Any, roster: Any = None, **facts: Any) -> Any:
    return api.compute(contract, api.load_facts(contract, facts), roster)
