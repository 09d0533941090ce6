"""yibao.series on a toy contract: ordering, duplicates, gaps, ``[[shared]]``
agreement, ``[[carry]]`` with ``over``/``when``/``paid``, and the load-time
checks of both tables."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.periods import Quarter, Year

from .toy import toy_contract

BODY = """

[[steps]]
model = "per_capita"
clause = "第一条"
key = "fee"
label = "费用"
count = "people"
rate = 1

[[steps]]
model = "paid"
clause = "第二条"
key = "paid_so_far"
label = "已付"
periods = ["year"]
stated = "paid"
fallback = ["fee"]
times = 4
fallback_finding = { key = "assumed", severity = "info", message = "视为已付" }

[[shared]]
fact = "people"
within = "year"
clause = "第三条"

[[carry]]
fact = "paid"
item = "fee"
over = "year"
paid = true
clause = "第二条"

[[carry]]
fact = "total"
item = "fee"
over = "earlier"
when = "closing"
clause = "第四条"
"""


@attrs.frozen
class Facts:
    period: Quarter | Year
    people: int
    paid: D | None = None
    total: D | None = None
    closing: bool = False


@pytest.fixture
def contract(tmp_path: Path) -> Any:
    return toy_contract(tmp_path, BODY, Facts, name="series", start="2025-01-01", end="2026-12-31")


def run(contract: Any, *periods: dict[str, Any]) -> list[Any]:
    facts = [api.load_facts(contract, p) for p in periods]
    return api.compute_series(contract, facts, files=[f"{p['period']}.toml" for p in periods])


def q(n: int, people: int = 100, **kw: Any) -> dict[str, Any]:
    return {"period": f"2025Q{n}", "people": people, **kw}


def test_quarters_then_year_carry_and_sum(contract: Any) -> None:
    rs = run(contract, {"period": "2025", "people": 100}, q(4, people=100), q(1), q(3), q(2))
    assert [r.period for r in rs] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2025"]
    assert rs[-1].amount("paid_so_far") == D("400.00")  # 4 quarters × 100
    assert [f.key for f in rs[-1].findings] == ["series.taken_as_paid"]


def test_year_alone_falls_back(contract: Any) -> None:
    [r] = run(contract, {"period": "2025", "people": 7})
    assert r.amount("paid_so_far") == D("28.00")  # 7 × 4, taken as paid
    assert [f.key for f in r.findings] == ["assumed"]


def test_shared_disagreement_names_both_files(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        run(contract, q(1), q(2, people=101))
    [p] = e.value.problems
    assert (p.file, p.path) == ("2025Q2.toml", "people")
    assert "gives 101, but 2025Q1.toml gives people = 100 (both in 2025)" in p.message and "第三条" in p.message


def test_shared_is_per_year(contract: Any) -> None:
    rs = run(contract, q(3), q(4), {"period": "2026Q1", "people": 200})
    assert rs[-1].amount("fee") == D("200.00")


def test_carry_when_and_earlier(contract: Any) -> None:
    # total is carried (the sum over every earlier period) only where closing is true
    facts = [api.load_facts(contract, x) for x in (q(1), q(2), q(3, closing=True))]
    seen: list[Any] = []

    def spy(c: Any, f: Any, roster: Any, file: Any) -> Any:
        seen.append(f)
        return api.compute(c, f, roster, file)

    from yibao.series import compute_series

    compute_series(contract, facts, None, None, spy)
    assert [f.total for f in seen] == [None, None, D("200.00")]


def test_duplicates_and_gaps_are_reported_together(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        run(contract, q(1), q(1), q(3))
    msgs = [p.message for p in e.value.problems]
    assert any("period 2025Q1 is given twice" in m for m in msgs)
    assert any("2025Q2 is missing" in m for m in msgs)


def test_a_longer_gap_names_its_span(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        run(contract, q(1), q(4))
    assert "2025Q2–2025Q3 is missing" in e.value.problems[0].message


@pytest.mark.parametrize(
    ("table", "path", "expected"),
    [
        ('[[shared]]\nfact = "peple"\nclause = "x"\n', "shared[1].fact", "did you mean 'people'?"),
        ('[[shared]]\nfact = "people"\nwithin = "month"\nclause = "x"\n', "shared[1].within", "a period kind"),
        ('[[shared]]\nfact = "people"\nprevious = "people"\nclause = "x"\n', "shared[1].within", "required with 'previous'"),
        ('[[carry]]\nfact = "paid"\nitem = "fe"\nclause = "x"\n', "carry[2].item", "did you mean 'fee'?"),
        ('[[carry]]\nfact = "paid"\nitem = "fee"\nover = "decade"\nclause = "x"\n', "carry[2].over", "previous, earlier or a period kind"),
        ('[[carry]]\nfact = "paid"\nitem = "fee"\nwhen = "closed"\nclause = "x"\n', "carry[2].when", "did you mean 'closing'?"),
    ],
)
def test_series_tables_are_checked_on_load(tmp_path: Path, table: str, path: str, expected: str) -> None:
    with pytest.raises(InputError) as e:
        toy_contract(tmp_path, BODY + table, Facts, name="series", start="2025-01-01", end="2026-12-31")
    found = {(p.path, p.message) for p in e.value.problems}
    assert any(p == path and expected in m for p, m in found), found
