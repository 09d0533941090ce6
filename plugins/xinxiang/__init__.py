"""新乡市职工大额医疗费用补助项目承办合同（2025年度） — the Xinxiang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses. This module only declares the contract and the shape of a
year's facts: 年度总评分 and, per 行政区划 (第二十一条(4)), 参保人数,
大额补助资金年度支出 and the part of a loss accepted as policy-driven.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from importlib.resources import files
from typing import Any

import attrs
from yibao.contract import ContractSpec
from yibao.errors import FieldError
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative, score_0_100
from yibao.money import ZERO

HERE = files(__name__)


@attrs.frozen
class Region:
    """One 行政区划, settled on its own and never netted (第二十一条(4))."""

    name: str
    insured: int = attrs.field(validator=non_negative)
    payouts: Decimal = attrs.field(validator=non_negative)
    policy_loss: Decimal = attrs.field(default=ZERO, validator=non_negative)


def _regions(_: Any, attribute: Any, value: tuple[Region, ...]) -> None:
    if not value:
        raise FieldError("regions", "expected at least one [[regions]] entry")
    counts = Counter(r.name for r in value)  # one pass: names.count(n) per name was quadratic
    dupes = sorted(n for n, k in counts.items() if k > 1)
    if dupes:
        raise FieldError("regions", f"duplicate region name(s): {', '.join(dupes)}")


@attrs.frozen
class XinxiangFacts:
    """A contract year's facts (合同年度 = 自然年度, 第五条)."""

    year: int
    score: Decimal = attrs.field(validator=score_0_100)
    regions: tuple[Region, ...] = attrs.field(validator=_regions)
    roster: str | None = None

    @property
    def period(self) -> str:
        return str(self.year)

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        term = contract.doc.term
        if not term.start.year <= self.year <= term.end.year:
            return [("year", f"expected a year within the contract term {term.start}–{term.end}, got {self.year}")]
        return []


@hookimpl
def yibao_register_contracts(register: Any) -> None:
    register(
        ContractSpec(
            name="xinxiang",
            contract_file=HERE / "contract.toml",
            facts_class=XinxiangFacts,
            examples=(HERE / "examples" / "2025.toml",),
            description="新乡市职工大额医疗费用补助（中原农业保险，2025）",
        )
    )
