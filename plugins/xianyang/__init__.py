"""咸阳市门诊慢特病第三方承办监管服务项目服务协议（2026） — the Xianyang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses: the premium and the first-month advance (第四条1), the
operating cost in two payments (第五条), the risk adjustment (第六条) and the
deductions from the operating cost (第十条3). This module declares the
contract and the shape of a year's facts, and adds what no standard model
covers: when the facts give the signing date, the dates of the deadlines
counted from signing (info findings); a 考核基数 (第四条2) given while the
reading ``surplus_base`` measures 第六条 against the premium is said.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from yibao.errors import FieldError
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative
from yibao.money import ZERO, Money, fmt_amount
from yibao.periods import Year
from yibao.spec import declare_contract
from yibao.values import Value

#: ``[[deadlines]] start`` of the deadlines counted from the signing date.
SIGNING = "协议签订"


@attrs.frozen(eq=False, repr=False, slots=False)
class Deductions(Value):
    """What the year's supervision found, for the deductions of 第十条3."""

    #: (1) 未按时限结算报销费用：笔数
    late_settlements: int = attrs.field(default=0, validator=non_negative, metadata={"label": "未按时限结算笔数", "clause": "第十条3(1)"})
    #: (2) 不符合准入标准纳入待遇支付范围的患者：人数
    ineligible_patients: int = attrs.field(default=0, validator=non_negative, metadata={"label": "不符合准入标准患者人数", "clause": "第十条3(2)"})
    #: (3) 未能主动、及时、准确解答咨询的投诉：起数
    unanswered_inquiries: int = attrs.field(default=0, validator=non_negative, metadata={"label": "咨询未解答投诉起数", "clause": "第十条3(3)"})
    #: (4) 财务制度问题：每次由甲方确定的扣款金额（元），一次一项；
    #: the range the contract allows is checked by the step (contract.toml)
    financial_issues: tuple[Money, ...] = attrs.field(default=(), metadata={"label": "财务制度问题扣款", "clause": "第十条3(4)"})
    #: (5) 工作人员态度、纪律等信访问题：件次
    attitude_complaints: int = attrs.field(default=0, validator=non_negative, metadata={"label": "态度纪律信访件次", "clause": "第十条3(5)"})
    #: (2) 为不符合准入标准的患者已拨付、应收回的慢特病基金（元）
    clawback: Money = attrs.field(default=ZERO, validator=non_negative, metadata={"label": "应收回慢特病基金（元）", "clause": "第十条3(2)"})


@attrs.frozen(eq=False, repr=False, slots=False)
class Transfers(Value):
    """The premium actually transferred (第四条1: 首月预拨2000万元，次月起及时
    拨付保费; 第七条2: 按月拨付制，年底清算), in 元."""

    #: 协议签订后首月预拨的保障资金
    advance: Money = attrs.field(validator=non_negative)
    #: 次月起每月拨付的保费, one amount per transfer
    monthly: tuple[Money, ...] = attrs.field(default=())

    @monthly.validator
    def _each(self, attribute: Any, value: tuple[Decimal, ...]) -> None:
        for i, v in enumerate(value):
            if v < 0:
                raise FieldError(f"monthly[{i}]", f"expected an amount ≥ 0, got {v}")


@attrs.frozen(eq=False, repr=False, slots=False)
class XianyangFacts(Value):
    """A protection year's facts (保险期间 = 自然年度, 第三条).

    ``payouts``: 2026年1至12月月度结算总额 (第四条3); ``policy_loss``: the
    part of a deficit accepted as 政策性亏损 (第六条); ``assessment_passed``:
    whether the year's assessment passed (第五条); ``transfers``: the premium
    actually transferred (the advance and each monthly transfer), reconciled
    against the premium at year end; ``assessment_base``: the 考核基数 of
    第四条2 (2025年度实际发生保障基金数, growth not considered), the base of
    第六条's surplus or overspending under the reading ``surplus_base =
    assessment_base``; ``signed_on``: the signing date, when the deadlines
    counted from it should be dated.
    """

    year: Year = attrs.field(metadata={"label": "保险年度", "clause": "第三条"})
    payouts: Money = attrs.field(validator=non_negative, metadata={"label": "月度结算总额（元）", "clause": "第四条3"})
    assessment_passed: bool = attrs.field(metadata={"label": "年度考核通过", "clause": "第五条"})
    policy_loss: Money = attrs.field(default=ZERO, validator=non_negative, metadata={"label": "政策性亏损（元）", "clause": "第六条"})
    deductions: Deductions = attrs.field(factory=Deductions, metadata={"label": "扣款", "clause": "第十条3"})
    transfers: Transfers | None = None
    assessment_base: Money | None = attrs.field(default=None, validator=non_negative, metadata={"label": "考核基数：2025年度实际发生保障基金数（元）", "clause": "第四条2"})
    signed_on: dt.date | None = attrs.field(default=None, metadata={"label": "协议签订日期"})

    @property
    def premium_transferred(self) -> Decimal | None:
        """The advance and the monthly transfers, added; None when not stated."""
        if self.transfers is None:
            return None
        return self.transfers.advance + sum(self.transfers.monthly, ZERO)

    @property
    def advance_stated(self) -> Decimal | None:
        """The first-month advance as actually made (``[transfers] advance``); None when not stated."""
        return None if self.transfers is None else self.transfers.advance

    # the [deductions] table, as names a step can read
    @property
    def late_settlements(self) -> int:
        return self.deductions.late_settlements

    @property
    def ineligible_patients(self) -> int:
        return self.deductions.ineligible_patients

    @property
    def unanswered_inquiries(self) -> int:
        return self.deductions.unanswered_inquiries

    @property
    def financial_issues(self) -> tuple[Decimal, ...]:
        return self.deductions.financial_issues

    @property
    def attitude_complaints(self) -> int:
        return self.deductions.attitude_complaints

    @property
    def clawback(self) -> Decimal:
        return self.deductions.clawback

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        problems = []
        term = contract.doc.term
        if self.clawback > self.payouts:
            problems.append(
                (
                    "deductions.clawback",
                    f"expected at most the year's payouts ({fmt_amount(self.payouts)}): the clawback is fund money "
                    f"already paid out, got {fmt_amount(self.clawback)}",
                )
            )
        base = contract.interpretations.get("surplus_base")
        if self.assessment_base is None and base is not None and base.choice == "assessment_base":
            problems.append(("assessment_base", "required under surplus_base = assessment_base (考核基数: 2025年度实际发生保障基金数, 第四条2)"))
        if self.signed_on is not None and self.signed_on > term.end:
            problems.append(("signed_on", f"expected a date on or before the end of the term {term.end}, got {self.signed_on}"))
        return problems


@hookimpl
def yibao_share_risk(contract: Any, facts: XianyangFacts, ledger: Any) -> None:
    """An ``assessment_base`` given while 第六条 is measured against the
    premium (``surplus_base = premium``) is said, not used silently: an info
    finding with the figure the other reading would measure against."""
    if facts.assessment_base is None or "surplus_base" not in contract.interpretations or ledger.choice("surplus_base") != "premium":
        return
    ledger.finding(
        "risk.assessment_base_not_used",
        "info",
        f"assessment_base = {fmt_amount(facts.assessment_base)} (第四条2) is not the base of the surplus or loss "
        "under surplus_base = premium; choose surplus_base = assessment_base to use it",
        "第四条2、第六条",
    )


@hookimpl
def yibao_settle_payment(contract: Any, facts: XianyangFacts, ledger: Any) -> None:
    """Date the deadlines counted from signing (第四条1 首月预拨, 第五条 30
    个工作日内首付运营成本) when the facts give ``signed_on``: an info finding
    per deadline, its date counted by :mod:`yibao.calendar` as ``yibao
    deadline`` counts it (the entry of ``advance_first_month`` is the one
    the interpretation ``first_month`` chooses). A year no holiday table
    covers is said, not guessed."""
    if facts.signed_on is None:
        return
    from yibao.calendar import WEEKDAYS_ZH, active_deadlines, calendar_for  # noqa: PLC0415 - only with signed_on
    from yibao.errors import InputError  # noqa: PLC0415

    signed = facts.signed_on
    cal = calendar_for(contract)
    for d in active_deadlines(contract):
        if d.start != SIGNING:
            continue
        if d.gate is not None:
            ledger.choice(d.gate[0])
        try:
            due = cal.due(signed, d.count, d.unit)
        except InputError as exc:
            when = f"日期未推算：{exc.problems[0].message.splitlines()[0]}"
        else:
            when = f"{due.due.isoformat()}（{WEEKDAYS_ZH[due.due.weekday()]}）前；{due.formula}"
        ledger.finding(f"deadline.{d.key}", "info", f"{d.label}：{when}；协议签订于 {signed.isoformat()}", d.clause)


yibao_register_contracts = declare_contract(
    __file__,
    name="xianyang",
    facts_class=XianyangFacts,
    examples=("2026.toml", "2026-loss.toml"),
    description="咸阳市门诊慢特病第三方承办（人保健康，2026）",
)
