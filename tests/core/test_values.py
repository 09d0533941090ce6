"""yibao.values.Value answers equality, hashing and repr from the attrs
fields, exactly as attrs' generated methods would (which it replaces to
keep start-up cheap)."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from yibao.periods import ContractQuarter, Quarter, Year
from yibao.results import LineItem
from yibao.values import Value


@attrs.frozen(eq=False, repr=False)
class Mine(Value):
    a: int
    b: str = attrs.field(default="x", eq=False)
    secret: str | None = attrs.field(default=None, repr=False)


@attrs.frozen
class Theirs:
    a: int
    b: str = attrs.field(default="x", eq=False)
    secret: str | None = attrs.field(default=None, repr=False)


def test_equality_and_hash_follow_the_fields_attrs_would_compare() -> None:
    assert Mine(1, "x") == Mine(1, "y")  # b is not compared (eq=False), as attrs does
    assert (Theirs(1, "x") == Theirs(1, "y")) is True
    assert Mine(1) != Mine(2)
    assert hash(Mine(1, "x")) == hash(Mine(1, "y"))
    assert len({Mine(1), Mine(1), Mine(2)}) == 2
    assert Mine(1) != Theirs(1)  # another class is never equal


def test_repr_hides_what_attrs_would_hide() -> None:
    assert repr(Mine(1, "x", "张三")) == "Mine(a=1, b='x')"
    assert repr(Theirs(1, "x", "张三")) == "Theirs(a=1, b='x')"


def test_value_classes_of_the_core() -> None:
    li = LineItem("fee", "费", Decimal("1.00"), "1", "第一条")
    assert li == LineItem("fee", "费", Decimal("1.00"), "1", "第一条")
    assert li != LineItem("fee", "费", Decimal("1.01"), "1", "第一条")
    assert "amount=Decimal('1.00')" in repr(li)


def test_periods_order_within_a_kind_and_refuse_across_kinds() -> None:
    assert Quarter(2026, 4) < Quarter(2027, 1) and Year(2025) < Year(2026) <= Year(2026)
    assert sorted([ContractQuarter(3), ContractQuarter(1)]) == [ContractQuarter(1), ContractQuarter(3)]
    with pytest.raises(TypeError):
        assert Year(2026) < Quarter(2026, 1)
