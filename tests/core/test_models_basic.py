"""Unit tests of the first standard models, each through the real loader and
engine on a toy contract; expected values worked by hand in the comments."""

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


@attrs.frozen
class F:
    year: Year = Year(2025)
    n: int = 0
    a: D = D(0)
    b: D = D(0)
    p: D = D(0)



def run(tmp_path: Path, body: str, **facts: Any) -> Any:
    c = toy_contract(tmp_path, body, F, start="2025-01-01", end="2025-12-31")
    return api.compute(c, api.load_facts(c, facts))


def test_per_capita_with_divisor(tmp_path: Path) -> None:
    body = '[[steps]]\nmodel = "per_capita"\nclause = "c"\nkey = "fee"\ncount = "n"\nrate = "1.2"\ndivisor = 4\n'
    r = run(tmp_path, body, n=1234567)
    # 1,234,567 × 1.2 ÷ 4 = 370,370.1
    assert r.amount("fee") == D("370370.10") and r.item("fee").formula == "1234567 × 1.2 ÷ 4"


def test_percent_of_rounds_half_up(tmp_path: Path) -> None:
    body = '[[steps]]\nmodel = "percent_of"\nclause = "c"\nkey = "x"\nbase = "a"\nrate = "3.85%"\n'
    # 6,333,270 × 3.85% = 243,830.895 -> 243,830.90
    assert run(tmp_path, body, a=D("6333270")).amount("x") == D("243830.90")


def test_fixed_accepts_wan(tmp_path: Path) -> None:
    body = '[[steps]]\nmodel = "fixed"\nclause = "c"\nkey = "x"\namount = "41.43万"\n'
    assert run(tmp_path, body).amount("x") == D("414300.00")


INSTALLMENTS = """
[[steps]]
model = "installments"
clause = "c"
total = "a"
parts = [{ key = "one", label = "一", share = "33.33%" }, { key = "two", label = "二", share = "33.33%" }, { key = "three", label = "三" }]
"""


@pytest.mark.parametrize("total", ["100.00", "0.01", "1000000.03", "0.00"])
def test_installments_add_up_exactly(tmp_path: Path, total: str) -> None:
    r = run(tmp_path, INSTALLMENTS, a=D(total))
    parts = [r.amount(k) for k in ("one", "two", "three")]
    assert sum(parts) == D(total)
    # 100 × 33.33% = 33.33 twice; the last takes 33.34
    if total == "100.00":
        assert parts == [D("33.33"), D("33.33"), D("33.34")]


def test_installments_shares_must_be_given_and_add_up(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="share"):
        toy_contract(tmp_path, INSTALLMENTS.replace('share = "33.33%" }, { key = "two"', '}, { key = "two"'), F, start="2025-01-01", end="2025-12-31")
    with pytest.raises(InputError, match="100%"):
        toy_contract(tmp_path, INSTALLMENTS.replace('{ key = "three", label = "三" }', '{ key = "three", label = "三", share = "30%" }'), F, start="2025-01-01", end="2025-12-31")


CAP = '[[steps]]\nmodel = "profit_cap"\nclause = "c"\nkey = "ok"\nincome = "a"\nspending = "b"\nrate = "10%"\noutputs.surplus = { key = "rest", label = "余" }\n'


@pytest.mark.parametrize(
    ("spending", "approved", "rest"),
    [("900", "100.00", "0.00"), ("899.99", "100.00", "0.01"), ("900.01", "99.99", "0.00"), ("1000", "0.00", "0.00"), ("1200", "0.00", "0.00")],
)
def test_profit_cap(tmp_path: Path, spending: str, approved: str, rest: str) -> None:
    r = run(tmp_path, CAP, a=D(1000), b=D(spending))  # cap = 10% × 1,000 = 100
    assert (r.amount("ok"), r.amount("rest")) == (D(approved), D(rest))


RETURN = '[[steps]]\nmodel = "return_cap"\nclause = "c"\nkey = "ret"\nincome = "a"\nspending = "b"\ncap = 50\noutputs.retained = { key = "kept", label = "留" }\n'


@pytest.mark.parametrize(("spending", "ret", "kept"), [("950", "50.00", "0.00"), ("949.99", "50.00", "0.01"), ("950.01", "49.99", "0.00"), ("1100", "0.00", "0.00")])
def test_return_cap(tmp_path: Path, spending: str, ret: str, kept: str) -> None:
    r = run(tmp_path, RETURN, a=D(1000), b=D(spending))
    assert (r.amount("ret"), r.amount("kept")) == (D(ret), D(kept))


LOSS = '[[steps]]\nmodel = "loss_split"\nclause = "c"\nkey = "bureau"\nincome = "a"\nspending = "b"\npolicy_loss = "p"\noutputs.insurer = { key = "insurer", label = "乙" }\n'


@pytest.mark.parametrize(
    ("spending", "policy", "bureau", "insurer"),
    [("1200", "0", "0.00", "200.00"), ("1200", "50", "50.00", "150.00"), ("1200", "500", "200.00", "0.00"), ("900", "50", "0.00", "0.00")],
)
def test_loss_split(tmp_path: Path, spending: str, policy: str, bureau: str, insurer: str) -> None:
    r = run(tmp_path, LOSS, a=D(1000), b=D(spending), p=D(policy))
    assert (r.amount("bureau"), r.amount("insurer")) == (D(bureau), D(insurer))


THRESH = """
[[steps]]
model = "threshold_deduction"
clause = "c"
key = "cut"
base = "a"
rate = "p"
thresholds = [{ below = "90%", deduct = "2%" }, { below = "80%", deduct = "5%", finding = { key = "re.review", message = "复核" } }]
"""


@pytest.mark.parametrize(
    ("rate", "cut", "finding"),
    [("0.9", "0.00", False), ("0.8999", "20.00", False), ("0.8", "20.00", False), ("0.7999", "50.00", True), ("0", "50.00", True)],
)
def test_threshold_deduction_strictly_below(tmp_path: Path, rate: str, cut: str, finding: bool) -> None:
    r = run(tmp_path, THRESH, a=D(1000), p=D(rate))
    assert r.amount("cut") == D(cut)
    assert any(f.key == "re.review" for f in r.findings) is finding


def test_threshold_table_must_not_deduct_less_for_a_lower_rate(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="never deduct less"):
        toy_contract(tmp_path, THRESH.replace('deduct = "5%"', 'deduct = "1%"'), F, start="2025-01-01", end="2025-12-31")


SUM = """
[[steps]]
model = "sum"
clause = "c"
key = "net"
add = ["a"]
subtract = ["b", "p"]
floor = true
excess_finding = { key = "owed", message = "不足抵扣", severity = "violation" }
"""


@pytest.mark.parametrize(("b", "net", "owed"), [("60", "40.00", None), ("100", "0.00", None), ("100.01", "0.00", "0.01")])
def test_sum_with_floor(tmp_path: Path, b: str, net: str, owed: str | None) -> None:
    r = run(tmp_path, SUM, a=D(100), b=D(b), p=D(0))
    assert r.amount("net") == D(net)
    found = [f for f in r.findings if f.key == "owed"]
    assert bool(found) is (owed is not None)
    if owed:
        assert f"不足抵扣 {owed} 元" in found[0].message and found[0].severity == "violation"


def test_sum_without_floor_may_be_negative(tmp_path: Path) -> None:
    r = run(tmp_path, SUM.replace("floor = true\n", ""), a=D(100), b=D(150), p=D(0))
    assert r.amount("net") == D("-50.00")
