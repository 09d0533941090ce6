"""PerIncident's optional ``once_interpretation`` (洛阳 第五条(二)): the
choice ``once`` counts at most one incident; without it nothing changes."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from .unit_contract import compute, load

STEP = """
[[steps]]
model = "per_incident"
clause = "X"
key = "penalty"
count = "count"
unit = "2%"
base = "base"
{extra}
"""

INTERP = """
[[interpretations]]
id = "how_many"
clause = "X"
question = "per incident or once?"
choice = "{choice}"
readings.per_incident = "each incident"
readings.once = "once per period"
"""


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0.00"),
        (1, "6000.00"),  # 1 × 2% × 300,000.00
        (3, "18000.00"),  # 3 × 2% × 300,000.00
    ],
)
def test_without_the_parameter_every_incident_counts(tmp_path: Path, count: int, expected: str) -> None:
    c = load(tmp_path, STEP.format(extra=""))
    r = compute(c, count=count, base=D("300000"))
    assert r.amount("penalty") == D(expected)
    assert r.interpretations == ()


@pytest.mark.parametrize(
    ("choice", "count", "expected", "formula"),
    [
        ("per_incident", 3, "18000.00", "3 × 2% × 300000.00"),
        ("once", 3, "6000.00", "min(3, 1) × 2% × 300000.00"),  # capped at one: 1 × 2%
        ("once", 1, "6000.00", "min(1, 1) × 2% × 300000.00"),
        ("once", 0, "0.00", "min(0, 1) × 2% × 300000.00"),  # none stays none
    ],
)
def test_once_interpretation(tmp_path: Path, choice: str, count: int, expected: str, formula: str) -> None:
    c = load(tmp_path, STEP.format(extra='once_interpretation = "how_many"') + INTERP.format(choice=choice))
    r = compute(c, count=count, base=D("300000"))
    assert r.amount("penalty") == D(expected)
    assert r.item("penalty").formula == formula
    assert [i.id for i in r.interpretations] == ["how_many"]


def test_once_rounds_to_fen_on_an_odd_base(tmp_path: Path) -> None:
    c = load(tmp_path, STEP.format(extra='once_interpretation = "how_many"') + INTERP.format(choice="once"))
    # 1 × 2% × 370,370.10 = 7,407.402 -> 7,407.40
    assert compute(c, count=5, base=D("370370.10")).amount("penalty") == D("7407.40")


def test_unknown_interpretation_is_rejected_at_load(tmp_path: Path) -> None:
    from yibao.errors import InputError

    with pytest.raises(InputError) as e:
        load(tmp_path, STEP.format(extra='once_interpretation = "nope"'))
    assert "no [[interpretations]] entry 'nope'" in str(e.value)
