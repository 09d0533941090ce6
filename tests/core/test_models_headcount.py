"""Headcount's optional ``waive_interpretation`` (洛阳 第四条(一) “其余 20
名其他人员”): the choice ``waived`` leaves the minimum unchecked; any other
choice, or no parameter, checks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from yibao.roster import StaffMember

from .unit_contract import compute, load

STEP = """
[[steps]]
model = "headcount"
clause = "X"
role = "other"
minimum = 2
finding_key = "staffing.other"
{extra}
"""

INTERP = """
[[interpretations]]
id = "rest"
clause = "X"
question = "minimum or remainder?"
choice = "{choice}"
readings.minimum = "a minimum of its own"
readings.waived = "only the remainder of the total"
"""


def roster(n_other: int) -> tuple[StaffMember, ...]:
    return tuple(StaffMember(id=f"S{i}", site="市本级", role="other") for i in range(n_other))


@pytest.mark.parametrize(("n", "violations"), [(2, 0), (1, 1)])  # at the minimum / one short
def test_without_the_parameter_the_minimum_is_checked(tmp_path: Path, n: int, violations: int) -> None:
    r = compute(load(tmp_path, STEP.format(extra="")), roster(n))
    assert sum(f.key == "staffing.other" for f in r.findings) == violations
    assert r.interpretations == ()


@pytest.mark.parametrize(
    ("choice", "n", "violations"),
    [("minimum", 2, 0), ("minimum", 1, 1), ("waived", 1, 0), ("waived", 0, 0)],
)
def test_waive_interpretation(tmp_path: Path, choice: str, n: int, violations: int) -> None:
    c = load(tmp_path, STEP.format(extra='waive_interpretation = "rest"') + INTERP.format(choice=choice))
    r = compute(c, roster(n))
    assert sum(f.key == "staffing.other" for f in r.findings) == violations
    assert [i.id for i in r.interpretations] == ["rest"]
