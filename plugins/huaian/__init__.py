"""淮安经济技术开发区基本医疗保险"共管联办"服务项目合同 — the Huai'an ETDZ plugin.

A fixed price (陆拾玖万玖仟元整, 五) paid by contract quarter after the
bureau's assessment, a monthly settlement when the bureau terminates for a
change of law or policy (八), and a nine-person team with per-person
qualifications (四(二)2). Everything it computes is in ``contract.toml``, as
standard-model steps with their clauses. This module only declares the
contract and the shape of a quarter's facts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from typing import Any

import attrs
from yibao.contract import ContractSpec
from yibao.dates import contract_period
from yibao.errors import FieldError
from yibao.hookspecs import hookimpl
from yibao.inputs import score_0_100

HERE = files(__name__)

#: a contract quarter is three contract months, counted from the term's start (五: 按季度)
QUARTER_MONTHS = 3


def _quarter(_: Any, attribute: Any, value: int) -> None:
    if value < 1:
        raise FieldError("quarter", f"expected a contract quarter from 1, got {value}")


@attrs.frozen
class HuaianFacts:
    """A contract quarter's facts. Contract quarters count from the term's
    first day (2025-02-01): Q1 = 2025-02-01..2025-04-30, Q4 =
    2025-11-01..2026-01-31.

    :param quarter: the contract quarter, 1–4.
    :param score: the quarter's assessment score (五: 甲方按季度对乙方工作开展情况进行考核).
    :param invoice: whether the insurer has provided a valid invoice (五: 合法有效的票据凭证).
    :param terminated_on: the day the bureau terminated the contract for a
        change of law, regulation or policy (八), if it did.
    :param as_of: the day the roster is judged on (default: the quarter's first day).
    :param roster: the staff roster CSV, relative to this file.
    """

    quarter: int = attrs.field(validator=_quarter)
    score: Decimal = attrs.field(validator=score_0_100)
    invoice: bool
    terminated_on: dt.date | None = None
    as_of: dt.date | None = None
    roster: str | None = None

    @property
    def period(self) -> str:
        return f"Q{self.quarter}"

    @property
    def period_kind(self) -> str:
        return "quarter"

    def period_bounds(self, term: Any) -> tuple[dt.date, dt.date]:
        """First and last day of this contract quarter within ``term``."""
        return contract_period(term.start, QUARTER_MONTHS, self.quarter)

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        term = contract.doc.term
        first, last = self.period_bounds(term)
        if last > term.end:
            n = 0
            while contract_period(term.start, QUARTER_MONTHS, n + 1)[1] <= term.end:
                n += 1
            return [("quarter", f"expected a contract quarter from 1 to {n} ({term.start}–{term.end}), got {self.quarter}")]
        problems = []
        if self.terminated_on is not None:
            if not term.start <= self.terminated_on <= term.end:
                problems.append(("terminated_on", f"expected a date within the term {term.start}–{term.end}, got {self.terminated_on}"))
            elif self.terminated_on < first:
                problems.append(
                    ("terminated_on", f"the contract ended on {self.terminated_on}, before quarter {self.quarter} began ({first})")
                )
        return problems


@hookimpl
def yibao_register_contracts(register: Any) -> None:
    register(
        ContractSpec(
            name="huaian",
            contract_file=HERE / "contract.toml",
            facts_class=HuaianFacts,
            examples=(HERE / "examples" / "2025Q1.toml", HERE / "examples" / "2025Q2-terminated.toml"),
            description="淮安经济技术开发区基本医疗保险“共管联办”（中国人寿，2025-02-01 至 2026-01-31）",
        )
    )
