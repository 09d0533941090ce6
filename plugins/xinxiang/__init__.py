"""新乡市职工大额医疗费用补助项目承办合同（2025年度） — the Xinxiang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses. This module only declares the contract and the shape of a
year's facts: 年度总评分 and, per 行政区划 (第二十一条(4)), 参保人数,
大额补助资金年度支出 and the part of a loss accepted as policy-driven.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import attrs
from yibao.errors import FieldError
from yibao.inputs import non_negative, score_0_100
from yibao.money import ZERO, Money
from yibao.periods import Year
from yibao.spec import declare_contract
from yibao.values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class Region(Value):
    """One 行政区划, settled on its own and never netted (第二十一条(4))."""

    name: str = attrs.field(metadata={"label": "行政区划", "clause": "第二十一条(4)"})
    insured: int = attrs.field(validator=non_negative, metadata={"label": "参保人数", "clause": "第十九条"})
    payouts: Money = attrs.field(validator=non_negative, metadata={"label": "大额补助资金年度支出（元）", "clause": "第二十一条"})
    policy_loss: Money = attrs.field(default=ZERO, validator=non_negative, metadata={"label": "政策性亏损（元）", "clause": "第二十一条(3)"})
    #: 当年大额补助资金筹集总额 actually raised in the region (第二十一条、第三十五条:
    #: late payments, refunds, mid-year joiners); without it, insured × 190 (第十九条)
    funding_raised: Money | None = attrs.field(default=None, validator=non_negative, metadata={"label": "当年实际筹集资金（元）", "clause": "第二十一条、第三十五条"})


def _regions(_: Any, attribute: Any, value: tuple[Region, ...]) -> None:
    if not value:
        raise FieldError("regions", "expected at least one [[regions]] entry")
    counts = Counter(r.name for r in value)  # one pass: names.count(n) per name was quadratic
    dupes = sorted(n for n, k in counts.items() if k > 1)
    if dupes:
        raise FieldError("regions", f"duplicate region name(s): {', '.join(dupes)}")


@attrs.frozen(eq=False, repr=False, slots=False)
class XinxiangFacts(Value):
    """A contract year's facts (合同年度 = 自然年度, 第五条)."""

    year: Year = attrs.field(metadata={"label": "合同年度", "clause": "第五条"})
    score: Decimal = attrs.field(validator=score_0_100, metadata={"label": "年度总评分", "clause": "第二十九条"})
    regions: tuple[Region, ...] = attrs.field(validator=_regions, metadata={"label": "行政区划", "clause": "第二十一条(4)"})
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})


yibao_register_contracts = declare_contract(
    __file__,
    name="xinxiang",
    facts_class=XinxiangFacts,
    examples=("2025.toml",),
    description="新乡市职工大额医疗费用补助（中原农业保险，2025）",
)
