"""Money: exact Decimals, 万 and % literals, 分 rounding, 大写."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yibao.money import from_daxie, parse_decimal, to_daxie, to_fen


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (190, D("190")),
        (D("1.2"), D("1.2")),
        ("190", D("190")),
        ("17811万", D("178110000")),
        ("41.43万", D("414300")),
        ("41.43万元", D("414300")),
        ("3.85%", D("0.0385")),
        ("0.5%", D("0.005")),
        ("90％", D("0.9")),
        ("-3", D("-3")),
    ],
)
def test_parse_decimal(raw: object, value: D) -> None:
    assert parse_decimal(raw) == value


@pytest.mark.parametrize("raw", [1.5, True, "lots", "12万万", "", None, [1]])
def test_parse_decimal_refuses(raw: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_decimal(raw)


@pytest.mark.parametrize(
    ("value", "fen"),
    [("243830.895", "243830.90"), ("6095.7725", "6095.77"), ("0.005", "0.01"), ("0.0049", "0.00"), ("-0.005", "-0.01")],
)
def test_to_fen_half_up(value: str, fen: str) -> None:
    assert to_fen(D(value)) == D(fen)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("699000", "陆拾玖万玖仟元整"),  # 淮安 五、经办费用
        ("414300", "肆拾壹万肆仟叁佰元整"),
        ("414300.50", "肆拾壹万肆仟叁佰元伍角"),
    ],
)
def test_daxie_both_ways(amount: str, words: str) -> None:
    assert to_daxie(D(amount)) == words
    assert from_daxie(words) == D(amount)


def test_daxie_accepts_rmb_prefix_and_fen() -> None:
    assert from_daxie("人民币陆拾玖万玖仟元整") == D("699000.00")
    assert from_daxie("壹元零伍分") == D("1.05")


def test_daxie_rejects_non_amount() -> None:
    with pytest.raises(ValueError):
        from_daxie("不是金额")


@settings(deadline=None)  # the first example imports cn2an (≈ 0.25 s)
@given(st.integers(min_value=0, max_value=10**11).map(lambda n: D(n) / 100))
def test_daxie_round_trip(amount: D) -> None:
    assert from_daxie(to_daxie(amount)) == to_fen(amount)
