"""``[[carry]]`` in ``api.compute_series``: a later period may leave the
carried fact out (the previous period's item is used) or give the same
figure; a different figure is an input error naming file and key."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import Year

from .toy import toy_contract

CONTRACT = """

[[steps]]
model = "sum"
clause = "第二条"
key = "closing"
label = "年末余额"
add = ["opening", "added"]

[[carry]]
fact = "opening"
item = "closing"
clause = "第三条"
"""


@attrs.frozen
class Facts:
    year: Year
    added: D
    opening: D | None = None


@pytest.fixture
def contract(tmp_path: Path) -> Any:
    return toy_contract(tmp_path, CONTRACT, Facts, name="carry", start="2025-01-01", end="2027-12-31")


def series(contract: Any, *years: dict[str, Any]) -> list[Any]:
    facts = [api.load_facts(contract, {"year": 2025 + i, **y}) for i, y in enumerate(years)]
    return api.compute_series(contract, facts, files=[f"{2025 + i}.toml" for i in range(len(years))])


def test_left_out_is_carried(contract: Any) -> None:
    rs = series(contract, {"opening": D("100"), "added": D("10")}, {"added": D("5")}, {"added": D("1")})
    # 100 + 10 = 110; 110 + 5 = 115; 115 + 1 = 116
    assert [r.amount("closing") for r in rs] == [D("110.00"), D("115.00"), D("116.00")]


def test_same_figure_is_accepted(contract: Any) -> None:
    rs = series(contract, {"opening": D("100"), "added": D("10")}, {"opening": D("110.00"), "added": D("5")})
    assert rs[1].amount("closing") == D("115.00")


def test_different_figure_is_an_input_error(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        series(contract, {"opening": D("100"), "added": D("10")}, {"opening": D("110.01"), "added": D("5")})
    [p] = e.value.problems
    assert (p.file, p.path) == ("2026.toml", "opening")
    assert "gives 110.01, but closing of 2025 (2025.toml) = 110.00 (第三条)" in p.message
