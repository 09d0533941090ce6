"""ScoreTiers' optional ``default_score`` (洛阳 第三条(五)): the score used
when the facts give none, said in the formula; without it a missing score
is still an input error."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from yibao.errors import InputError

from .unit_contract import compute, load

STEP = """
[[steps]]
model = "score_tiers"
clause = "X"
key = "cut"
base = "base"
score = "score"
{extra}
outputs.paid = {{ key = "paid", label = "paid" }}

[[steps.tiers]]
min = 90
max = 100
share = 1

[[steps.tiers]]
min = 0
max = 90
share = "95%"
"""


def test_missing_score_without_default_is_an_input_error(tmp_path: Path) -> None:
    c = load(tmp_path, STEP.format(extra=""))
    with pytest.raises(InputError) as e:
        compute(c, base=D("300000"))
    assert e.value.problems[0].path == "score"


@pytest.mark.parametrize(
    ("default", "cut"),
    [
        ("100", "0.00"),  # full score: band 90–100, share 1
        ("90", "0.00"),  # the band's lower edge is in the band
        ("89.99", "15000.00"),  # band 0–90: 300,000 × 5%
    ],
)
def test_missing_score_uses_the_default(tmp_path: Path, default: str, cut: str) -> None:
    c = load(tmp_path, STEP.format(extra=f"default_score = {default}"))
    r = compute(c, base=D("300000"))
    assert r.amount("cut") == D(cut)
    assert r.amount("paid") == D("300000") - D(cut)
    assert "未提供 score" in r.item("cut").formula


def test_a_given_score_wins_over_the_default(tmp_path: Path) -> None:
    c = load(tmp_path, STEP.format(extra="default_score = 100"))
    r = compute(c, base=D("300000"), score=D("85"))
    assert r.amount("cut") == D("15000.00")  # 85 < 90: 5% of 300,000
    assert "未提供" not in r.item("cut").formula


def test_default_score_is_range_checked(tmp_path: Path) -> None:
    c = load(tmp_path, STEP.format(extra="default_score = 101"))
    with pytest.raises(InputError) as e:
        compute(c, base=D("300000"))
    assert "expected a score from 0 to 100" in e.value.problems[0].message


def test_tier_table_rejects_a_band_deducting_more_than_everything() -> None:
    """60–70 at 4%/point below 90: at 60 the deduction would be 30 × 4% = 120%."""
    from decimal import Decimal as D

    import pytest
    from yibao.errors import FieldError
    from yibao.models.assessment.score_tiers import Tier, check_tier_table

    bands = [
        Tier(min=D(90), max=D(100), share=D(1)),
        Tier(min=D(60), max=D(90), per_point=D("0.04"), pivot=D(90)),
        Tier(min=D(0), max=D(60), forfeit=True),
    ]
    with pytest.raises(FieldError, match="deduction exceeds 100% at score 60"):
        check_tier_table(bands)
    ok = [bands[0], Tier(min=D(60), max=D(90), per_point=D("0.03"), pivot=D(90)), bands[2]]  # exactly 90% at 60
    check_tier_table(ok)
