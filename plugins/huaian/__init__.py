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
from typing import Any

import attrs
from yibao.inputs import non_negative, score_0_100
from yibao.periods import ContractQuarter
from yibao.spec import declare_contract
from yibao.values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class HuaianFacts(Value):
    """A contract quarter's facts. Contract quarters count from the term's
    first day (2025-02-01): Q1 = 2025-02-01..2025-04-30, Q4 =
    2025-11-01..2026-01-31.

    :param quarter: the contract quarter, 1–4.
    :param score: the quarter's assessment score (五: 甲方按季度对乙方工作开展情况进行考核).
    :param invoice: whether the insurer has provided a valid invoice (五: 合法有效的票据凭证).
    :param terminated_on: the day the bureau terminated the contract for a
        change of law, regulation or policy (八), if it did.
    :param paid_before: in the quarter of a termination, what the earlier
        quarters actually paid (八: the pro-rata total less what was paid);
        in a series, the earlier quarters' ``quarter_payable`` when left out.
    :param as_of: the day the roster is judged on (default: the quarter's first day).
    :param roster: the staff roster CSV, relative to this file.
    """

    quarter: ContractQuarter = attrs.field(metadata={"label": "合同季度（1–4）", "clause": "五"})
    score: Decimal = attrs.field(validator=score_0_100, metadata={"label": "季度考核得分", "clause": "五"})
    invoice: bool = attrs.field(metadata={"label": "已出具合法有效票据", "clause": "五"})
    terminated_on: dt.date | None = attrs.field(default=None, metadata={"label": "因政策变化终止日期", "clause": "八"})
    paid_before: Decimal | None = attrs.field(default=None, validator=non_negative)
    as_of: dt.date | None = attrs.field(default=None, metadata={"label": "花名册判定日期"})
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})

    @property
    def quarters_before(self) -> int:
        """How many contract quarters precede this one."""
        return self.quarter.number - 1

    @property
    def not_terminated(self) -> bool:
        """The contract runs through this quarter (no ``terminated_on``)."""
        return self.terminated_on is None

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        term = contract.doc.term
        first, _ = contract.period_bounds(self.quarter)
        problems = []
        if self.as_of is not None and not term.start <= self.as_of <= term.end:
            # 二: the roster is judged on a day of the service term
            problems.append(("as_of", f"expected a date within the term {term.start}–{term.end}, got {self.as_of}"))
        if self.terminated_on is not None:
            if not term.start <= self.terminated_on <= term.end:
                problems.append(("terminated_on", f"expected a date within the term {term.start}–{term.end}, got {self.terminated_on}"))
            elif self.terminated_on < first:
                problems.append(
                    ("terminated_on", f"the contract ended on {self.terminated_on}, before quarter {self.quarter.number} began ({first})")
                )
        if self.paid_before is not None and self.terminated_on is None:
            problems.append(("paid_before", "only in the quarter of a termination (terminated_on): what the earlier quarters paid (八)"))
        return problems


yibao_register_contracts = declare_contract(
    __file__,
    name="huaian",
    facts_class=HuaianFacts,
    examples=("2025Q1.toml", "2025Q2-terminated.toml"),
    description="淮安经济技术开发区基本医疗保险“共管联办”（中国人寿，2025-02-01 至 2026-01-31）",
)
