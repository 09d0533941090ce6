"""洛阳 第三条(五) as a series: "每季度参照上年度城乡居民基本医保参保人数进行委托经办
费用拨付，年终根据当年实际参保人数进行清算，按流程拨付剩余的委托经办费用".

The year-end sees the quarters of its year computed before it: the fees they
advanced are what the true-up is taken against, and the quarters and the
year-end give one 上年度参保人数. Worked by hand:

- quarter fee: 5,012,345 × 1.2 ÷ 4 = 1,503,703.50;
- four quarters advanced: 4 × 1,503,703.50 = 6,014,814.00;
- annual fee: 4,987,654 × 1.2 = 5,985,184.80;
- true-up: 5,985,184.80 − 6,014,814.00 = −29,629.20 (the insurer returns it).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "luoyang"
PRIOR = 5012345
ACTUAL = 4987654


def q(n: int, year: int = 2026, prior: int = PRIOR, **kw: Any) -> dict[str, Any]:
    return {"period": f"{year}Q{n}", "enrolled_prior_year": prior, "audit_pass_rate": 1, **kw}


def y(year: int = 2026, prior: int = PRIOR, actual: int = ACTUAL, **kw: Any) -> dict[str, Any]:
    return {"period": str(year), "enrolled_prior_year": prior, "enrolled_actual": actual, **kw}


def series(contract: Any, *periods: dict[str, Any]) -> list[Any]:
    c = contract(CITY)
    facts = [api.load_facts(c, p) for p in periods]
    return api.compute_series(c, facts, files=[f"{p['period']}.toml" for p in periods])


def problems(contract: Any, *periods: dict[str, Any]) -> list[Any]:
    with pytest.raises(InputError) as e:
        series(contract, *periods)
    return list(e.value.problems)


def test_year_end_from_its_four_quarters(contract: Any) -> None:
    rs = series(contract, q(1), q(2), q(3), q(4), y())
    assert [r.period for r in rs] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026"]
    year = rs[-1]
    assert year.amount("advances_paid") == D("6014814.00")
    assert year.amount("annual_fee") == D("5985184.80")
    assert year.amount("true_up") == D("-29629.20")
    [note] = [f for f in year.findings if f.key == "series.taken_as_paid"]
    assert note.severity == "info" and note.clause == "第三条(五)"
    assert "2026Q1 (2026Q1.toml)" in note.message and "2026Q4 (2026Q4.toml)" in note.message
    assert "settlement.advances_assumed" not in [f.key for f in year.findings]


def test_given_out_of_order_the_series_is_sorted(contract: Any) -> None:
    rs = series(contract, y(), q(3), q(1), q(4), q(2))
    assert [r.period for r in rs] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026"]
    assert rs[-1].amount("true_up") == D("-29629.20")


def test_quarters_with_deductions_advance_their_whole_fee(contract: Any) -> None:
    # an audit below 90% deducts 2% of Q2's fee (30,074.07) — settled with Q2, not refunded at year end
    rs = series(contract, q(1), q(2, audit_pass_rate=D("0.89")), q(3), q(4), y())
    assert rs[1].amount("quarter_payable") == D("1473629.43")  # 1,503,703.50 − 30,074.07
    assert rs[-1].amount("advances_paid") == D("6014814.00")


def test_a_stated_advance_wins_and_the_result_says_so(contract: Any) -> None:
    rs = series(contract, q(1), q(2), q(3), q(4), y(quarter_fees_paid=6000000))
    year = rs[-1]
    assert year.amount("advances_paid") == D("6000000.00")
    assert year.amount("true_up") == D("-14815.20")  # 5,985,184.80 − 6,000,000.00
    [note] = [f for f in year.findings if f.key == "series.paid_as_stated"]
    assert "6014814.00" in note.message


def test_the_year_alone_takes_four_of_its_own_quarters(contract: Any) -> None:
    [year] = series(contract, y())
    assert year.amount("advances_paid") == D("6014814.00")
    assert "settlement.advances_assumed" in [f.key for f in year.findings]


# The case of the issue: quarters on 5,012,345, the year file on 5,212,345. Computed
# alone, the year would advance 4 × 5,212,345 × 1.2 ÷ 4 = 6,254,814.00, 240,000.00
# more than the quarters did (200,000 × 1.2). In a series it is exit 2 naming both files.
def test_year_prior_enrollment_differing_from_its_quarters(contract: Any) -> None:
    [p] = problems(contract, q(1), q(2), q(3), q(4), y(prior=5212345))
    assert (p.file, p.path) == ("2026.toml", "enrolled_prior_year")
    assert "gives 5212345, but 2026Q1.toml gives enrolled_prior_year = 5012345" in p.message
    assert "第三条(五)" in p.message


def test_one_quarter_differing(contract: Any) -> None:
    [p] = problems(contract, q(1), q(2), q(3, prior=PRIOR + 1), q(4), y())
    assert (p.file, p.path) == ("2026Q3.toml", "enrolled_prior_year")
    assert "2026Q1.toml" in p.message


def test_next_year_prior_enrollment_is_this_year_actual(contract: Any) -> None:
    rs = series(contract, q(1), q(2), q(3), q(4), y(), q(1, year=2027, prior=ACTUAL))
    assert rs[-1].amount("quarter_fee") == D("1496296.20")  # 4,987,654 × 1.2 ÷ 4
    [p] = problems(contract, y(), q(1, year=2027, prior=ACTUAL + 1))
    assert (p.file, p.path) == ("2027Q1.toml", "enrolled_prior_year")
    assert "2026.toml (2026) gives enrolled_actual = 4987654" in p.message


def test_a_year_end_missing_a_quarter(contract: Any) -> None:
    found = problems(contract, q(1), q(2), q(4), y())
    messages = {(p.file, p.message) for p in found}
    assert any(f == "2026Q4.toml" and "2026Q3 is missing" in m and "2026Q2 (2026Q2.toml)" in m for f, m in messages)
    assert any(f == "2026.toml" and "not 2026Q3" in m for f, m in messages)


def test_a_year_end_with_its_last_quarters_only(contract: Any) -> None:
    [p] = problems(contract, q(3), q(4), y())
    assert p.file == "2026.toml" and "2026 sees 2026Q3, 2026Q4 of the series but not 2026Q1, 2026Q2" in p.message


def test_a_quarter_twice(contract: Any) -> None:
    periods = [q(1), q(1)]
    c = contract(CITY)
    facts = [api.load_facts(c, p) for p in periods]
    with pytest.raises(InputError) as e:
        api.compute_series(c, facts, files=["a.toml", "b.toml"])
    [p] = e.value.problems
    assert (p.file, p.path) == ("b.toml", "period")
    assert "period 2026Q1 is given twice, in a.toml and b.toml" in p.message


def test_a_year_gap_between_year_ends(contract: Any) -> None:
    [p] = problems(contract, y(2026), y(2028, prior=ACTUAL))
    assert p.file == "2028.toml" and "2026 (2026.toml) is followed by 2028 (2028.toml): 2027 is missing" in p.message


def test_quarter_fees_paid_is_a_year_fact(contract: Any) -> None:
    c = contract(CITY)
    with pytest.raises(InputError) as e:
        api.load_facts(c, q(1, quarter_fees_paid=1))
    assert e.value.problems[0].path == "quarter_fees_paid"


def test_cli_directory_is_a_series(run: Any, tmp_path: Path) -> None:
    d = tmp_path / "2026"
    d.mkdir()
    for n in (1, 2, 3, 4):
        (d / f"q{n}.toml").write_text(f'period = "2026Q{n}"\nenrolled_prior_year = {PRIOR}\naudit_pass_rate = 1\n', encoding="utf-8")
    (d / "a-year.toml").write_text(f'period = "2026"\nenrolled_prior_year = {PRIOR}\nenrolled_actual = {ACTUAL}\n', encoding="utf-8")
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 0
    # a-year.toml sorts first by name; the series puts it last, with its source
    assert [f["period"] for f in res.json["inputs"]["facts"]] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026"]
    assert res.json["inputs"]["facts"][-1]["source"] == str(d / "a-year.toml")
    assert {i["key"]: i["amount"] for i in res.json["items"]}["true_up"] == "-29629.20"
    (d / "a-year.toml").write_text(f'period = "2026"\nenrolled_prior_year = 5212345\nenrolled_actual = {ACTUAL}\n', encoding="utf-8")
    res = run("compute", CITY, "--facts", str(d), "--format", "json")
    assert res.code == 2
    [p] = res.json["problems"]
    assert p["file"] == str(d / "a-year.toml") and p["path"] == "enrolled_prior_year" and str(d / "q1.toml") in p["message"]
