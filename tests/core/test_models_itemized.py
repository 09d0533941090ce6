"""The ``itemized`` model: amounts listed one by one, each within a stated
range (咸阳 第十条3(4): 发现一次扣3000-10000元), added up."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.contract import ContractSpec
from yibao.errors import InputError
from yibao.hookspecs import hookimpl
from yibao.periods import Year

HEADER = """
id = "itemized-test"
city = "itemized"
title = "测试"
kind = "test"
[parties]
bureau = "甲方"
insurer = "乙方"
[term]
start = 2026-01-01
end = 2026-12-31
clause = "第一条"
"""

STEP = """
[[steps]]
model = "itemized"
clause = "第十条3(4)"
key = "fines_total"
label = "财务问题扣款"
amounts = "fines"
"""


@attrs.frozen
class Facts:
    year: Year
    fines: tuple[D, ...] = ()
    flat: D | None = None



def load(throwaway_plugin: Any, tmp_path: Path, params: str = "min = 3000\nmax = 10000\n") -> Any:
    toml = tmp_path / "contract.toml"
    toml.write_text(HEADER + STEP + params, encoding="utf-8")

    class City:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name="itemized", contract_file=toml, facts_class=Facts))

    reg = throwaway_plugin("itemized", City())
    return api.load_contract("itemized", reg=reg)


def compute(contract: Any, **facts: Any) -> Any:
    return api.compute(contract, api.load_facts(contract, {"year": 2026, **facts}))


def test_no_incident_is_zero(throwaway_plugin: Any, tmp_path: Path) -> None:
    r = compute(load(throwaway_plugin, tmp_path))
    assert r.amount("fines_total") == D("0.00")
    assert r.item("fines_total").formula == "0（无）"


def test_amounts_are_added_and_listed(throwaway_plugin: Any, tmp_path: Path) -> None:
    r = compute(load(throwaway_plugin, tmp_path), fines=[D("3000"), D("4500.50"), D("10000")])
    # 3,000.00 + 4,500.50 + 10,000.00 = 17,500.50
    assert r.amount("fines_total") == D("17500.50")
    assert r.item("fines_total").formula == "3 次：3000.00 + 4500.50 + 10000.00"
    assert r.item("fines_total").clause == "第十条3(4)"


def test_each_amount_is_rounded_before_adding(throwaway_plugin: Any, tmp_path: Path) -> None:
    # 3,000.005 -> 3,000.01 each (ROUND_HALF_UP), so 6,000.02; adding first
    # and rounding once would give 6,000.01
    r = compute(load(throwaway_plugin, tmp_path), fines=[D("3000.005"), D("3000.005")])
    assert r.amount("fines_total") == D("6000.02")


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("3000", True), ("2999.99", False), ("10000", True), ("10000.01", False), ("6500", True)],
)
def test_range_is_inclusive(throwaway_plugin: Any, tmp_path: Path, amount: str, ok: bool) -> None:
    c = load(throwaway_plugin, tmp_path)
    if ok:
        assert compute(c, fines=[D(amount)]).amount("fines_total") == D(amount)
        return
    with pytest.raises(InputError) as e:
        compute(c, fines=[D("5000"), D(amount)])
    p = e.value.problems[0]
    assert p.path == "fines[1]"  # the element, by default under the operand's name
    assert p.message == f"expected an amount from 3000.00 to 10000.00 元 (第十条3(4)), got {amount}"


def test_key_path_names_where_the_list_sits(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path, 'min = 3000\nmax = 10000\nkey_path = "deductions.fines"\n')
    with pytest.raises(InputError) as e:
        compute(c, fines=[D("10000.01")])
    assert e.value.problems[0].path == "deductions.fines[0]"


def test_without_a_range_any_amount_counts(throwaway_plugin: Any, tmp_path: Path) -> None:
    r = compute(load(throwaway_plugin, tmp_path, ""), fines=[D("1"), D("99999")])
    assert r.amount("fines_total") == D("100000.00")


def test_only_a_min(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load(throwaway_plugin, tmp_path, "min = 100\n")
    assert compute(c, fines=[D("100")]).amount("fines_total") == D("100.00")
    with pytest.raises(InputError, match="from 100.00 to ∞"):
        compute(c, fines=[D("99.99")])


def load_text(throwaway_plugin: Any, tmp_path: Path, text: str) -> Any:
    """Load another contract TOML with the same facts class."""
    c = load(throwaway_plugin, tmp_path)
    other = tmp_path / "other.toml"
    other.write_text(HEADER + text, encoding="utf-8")
    return api.load_contract("itemized", other, reg=c.registry)


def test_a_fact_that_is_not_a_list(throwaway_plugin: Any, tmp_path: Path) -> None:
    c = load_text(throwaway_plugin, tmp_path, STEP.replace('"fines"', '"flat"'))
    with pytest.raises(InputError) as e:
        compute(c, flat=D("3000"))
    assert e.value.problems[0].path == "flat" and "expected a list of amounts" in e.value.problems[0].message


@pytest.mark.parametrize(
    ("amounts", "params", "path", "message"),
    [
        ('"fines"', "min = 3000\nmax = 2000\n", "steps[0].max", "expected a maximum of at least min (3000), got 2000"),
        ("3000", "", "steps[0].amounts", "expected the name of a facts key holding a list of amounts"),
        ('"fine"', "", "steps[0].amounts", "'fine' is neither a facts key nor an item of an earlier step; did you mean 'fines'?"),
    ],
)
def test_bad_parameters_are_load_errors(
    throwaway_plugin: Any, tmp_path: Path, amounts: str, params: str, path: str, message: str
) -> None:
    with pytest.raises(InputError) as e:
        load_text(throwaway_plugin, tmp_path, STEP.replace('"fines"', amounts) + params)
    p = e.value.problems[0]
    assert p.path == path and message in p.message, p
