"""Bad input: exit 2, file + key path + what was expected + the closest key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
year = 2025
score = 85
[[regions]]
name = "市本级"
insured = 33333
payouts = 5000000
"""


def test_unknown_key_names_the_closest(run: Any, write_toml: Any) -> None:
    p = write_toml(GOOD.replace("insured", "insurd"))
    res = run("compute", "xinxiang", "--facts", str(p), "--format", "json")
    assert res.code == 2
    assert f"{p}: regions[0].insurd: unknown key 'insurd'; did you mean 'insured'?" in res.err
    assert "Traceback" not in res.err and res.json["error"] == "input"


def test_score_above_100(run: Any, write_toml: Any) -> None:
    p = write_toml(GOOD.replace("score = 85", "score = 101"))
    res = run("compute", "xinxiang", "--facts", str(p))
    assert res.code == 2
    assert "score: expected a score from 0 to 100, got 101" in res.err


def test_negative_insured(run: Any, write_toml: Any) -> None:
    p = write_toml(GOOD.replace("33333", "-1"))
    res = run("compute", "xinxiang", "--facts", str(p))
    assert res.code == 2
    assert "regions[0].insured: expected a number ≥ 0, got -1" in res.err


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ("payouts = 5000000", 'payouts = "a lot"', "regions[0].payouts", "expected a number"),
        ("insured = 33333", 'insured = "many"', "regions[0].insured", "expected a whole number"),
        ("insured = 33333", "insured = 1.5", "regions[0].insured", "expected a whole number"),
        ("year = 2025", 'year = "二〇二五"', "year", "expected a year such as 2025"),
        ("year = 2025", "year = 2025.5", "year", "expected a year such as 2025"),
        ('name = "市本级"', "name = 7", "regions[0].name", "expected a string"),
        ("year = 2025", "year = 2024", "year", "within the contract term"),
    ],
)
def test_wrong_types(run: Any, write_toml: Any, old: str, new: str, path: str, expected: str) -> None:
    p = write_toml(GOOD.replace(old, new))
    res = run("compute", "xinxiang", "--facts", str(p))
    assert res.code == 2
    line = [x for x in res.err.splitlines() if f": {path}: " in x]
    assert line and expected in line[0], res.err


def test_missing_key(run: Any, write_toml: Any) -> None:
    p = write_toml(GOOD.replace("score = 85\n", ""))
    res = run("compute", "xinxiang", "--facts", str(p))
    assert res.code == 2 and f"{p}: score: required key missing" in res.err


def test_not_toml(run: Any, write_toml: Any) -> None:
    p = write_toml("year = = 2025")
    res = run("compute", "xinxiang", "--facts", str(p))
    assert res.code == 2 and "not valid TOML" in res.err


def test_missing_file(run: Any, tmp_path: Any) -> None:
    res = run("compute", "xinxiang", "--facts", str(tmp_path / "nope.toml"))
    assert res.code == 2 and "file not found" in res.err


def test_unknown_city_suggests(run: Any) -> None:
    res = run("compute", "xinxang")
    assert res.code == 2 and "did you mean 'xinxiang'?" in res.err


def test_bad_reading_names_choices(run: Any) -> None:
    res = run("compute", "xinxiang", "--reading", "fractional_points=halves")
    assert res.code == 2 and "expected one of proportional, whole_points" in res.err
    res = run("compute", "xinxiang", "--reading", "fractional_point=whole_points")
    assert res.code == 2 and "did you mean 'fractional_points'?" in res.err


# ----------------------------------------------------------- contract TOML errors
CONTRACT_PATH = "plugins/xinxiang/contract.toml"


def broken_contract(tmp_path: Any, old: str, new: str) -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / CONTRACT_PATH).read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "contract.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ('model = "profit_cap"', 'model = "profit_caps"', "steps[1].model", "did you mean 'profit_cap'?"),
        ('rate = "3.85%"', 'rat = "3.85%"', "steps[1].rat", "did you mean 'rate'?"),
        ('income = "funding_total"', 'income = "funding_totl"', "steps[1].income", "did you mean 'funding_total'?"),
        ("min = 80\n", "min = 81\n", "steps[3].tiers", "gap between 80 and 81"),
        ('per_point = "2%"', 'per_point = "0.1%"', "steps[3].tiers", "payout rises as the score falls below 70"),
        ('choice = "proportional"', 'choice = "halves"', "interpretations[0].choice", "expected one of"),
        ('points_interpretation = "fractional_points"', 'points_interpretation = "fractional"', "steps[3]", "did you mean 'fractional_points'?"),
        ("end = 2025-12-31", "end = 2024-12-31", "term.end", "on or after"),
    ],
)
def test_contract_toml_errors(run: Any, tmp_path: Any, old: str, new: str, path: str, expected: str) -> None:
    p = broken_contract(tmp_path, old, new)
    res = run("compute", "xinxiang", "--contract", p)
    assert res.code == 2, res.out
    line = [x for x in res.err.splitlines() if f"{p}: {path}:" in x]
    assert line and expected in line[0], res.err


# ------------------------------------------------------------- money facts: at most two decimals (分)
def test_money_fact_with_three_decimals_is_exit_2_naming_the_key(run: Any, tmp_path: Path) -> None:
    # 咸阳 payouts is money (yibao.money.Money): 1.234 元 is not an amount anyone paid
    src = (ROOT / "plugins" / "xianyang" / "examples" / "2026.toml").read_text(encoding="utf-8")
    p = tmp_path / "f.toml"
    p.write_text(src.replace("payouts = 160500000", "payouts = 1.234"), encoding="utf-8")
    res = run("compute", "xianyang", "--facts", str(p), "--format", "json")
    assert res.code == 2
    (problem,) = res.json["problems"]
    assert problem["path"] == "payouts" and problem["file"] == str(p)
    assert "at most two decimals" in problem["message"] and "1.234" in problem["message"]


def test_every_money_field_is_marked_money() -> None:
    # the facts fields that hold 元 are annotated Money, so no city rounds one silently
    import attrs
    from yibao.money import Money
    from yibao.plugins import huaiyang, xianyang, xinxiang

    def money_fields(cls: Any) -> set[str]:
        attrs.resolve_types(cls)
        return {a.name for a in attrs.fields(cls) if "Money" in str(a.type)}

    assert Money is not None
    assert money_fields(xinxiang.Region) == {"payouts", "policy_loss", "funding_raised"}
    assert {"payouts", "policy_loss"} <= money_fields(xianyang.XianyangFacts)
    assert {"financial_issues", "clawback"} <= money_fields(xianyang.Deductions)
    assert {"payouts", "prior_year_income", "prior_year_premium", "rolling_surplus_start", "march_batch"} <= money_fields(
        huaiyang.HuaiyangFacts
    )


def test_split_optional_reads_both_spellings_of_optional() -> None:
    """One reading of ``X | None`` for the facts walkers (inputs, the Excel
    template, simulate): the ``|`` spelling and ``typing.Optional`` alike."""
    import typing  # noqa: PLC0415

    from yibao.inputs import split_optional  # noqa: PLC0415
    from yibao.money import Money  # noqa: PLC0415

    assert split_optional(int | None) == (int, True)
    assert split_optional(typing.Optional[Money]) == (Money, True)  # noqa: UP045 - the other spelling is the point
    assert split_optional(int | str | None) == (typing.Union[int, str], True)  # noqa: UP007
    assert split_optional(tuple[int]) == (tuple[int], False)
    assert split_optional(int) == (int, False)
