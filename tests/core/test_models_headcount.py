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


# ``sites`` with ``exclude_sites``: the sites a contract knows; ``unlisted_interpretation``
# decides whether a site in neither list is counted (洛阳 第四条(一)2, county_sites).
SITES = """
[[steps]]
model = "headcount"
clause = "X"
sites = ["A县", "B区"]
exclude_sites = ["市本级"]
minimum = 2
finding_key = "staffing.counties"
unlisted_interpretation = "sites"

[[interpretations]]
id = "sites"
clause = "X"
question = "a site in neither list?"
choice = "{choice}"
readings.listed = "not counted"
readings.any_other = "counted"
"""


def at(*sites: str) -> tuple[StaffMember, ...]:
    return tuple(StaffMember(id=f"S{i}", site=s, role="other") for i, s in enumerate(sites))


@pytest.mark.parametrize(
    ("choice", "sites", "short", "recorded"),
    [
        ("listed", ("A县", "B区"), False, False),  # both listed: 2, at the minimum; nothing unlisted
        ("listed", ("A县", "市直"), True, True),  # 市直 not counted: 1 < 2
        ("any_other", ("A县", "市直"), False, True),  # counted: 2
        ("any_other", ("A县", "市本级"), True, False),  # the excluded site is never counted: 1 < 2
        ("listed", ("A县", "市本级"), True, False),
    ],
)
def test_unlisted_interpretation(tmp_path: Path, choice: str, sites: tuple[str, ...], short: bool, recorded: bool) -> None:
    r = compute(load(tmp_path, SITES.format(choice=choice)), at(*sites))
    assert any(f.key == "staffing.counties" for f in r.findings) is short
    assert ("sites" in [i.id for i in r.interpretations]) is recorded
