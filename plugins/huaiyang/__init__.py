"""淮阳区城镇职工大额补充医疗保险承办合同（2025，阳光财险） — the Huaiyang plugin.

Everything it computes is in ``contract.toml``, as standard-model steps with
their clauses: funding and its two transfers (第二十八条), operating cost
(第八条), the committed utilization and the rolling surplus across years
(第二十九条、第三十条), the revolving fund (第三十一条), the bond
(第三十八条), the contingent early-termination penalty (第四十六条) and the
assessment consequences (第四十二条). This module declares the contract and
the shape of a year's facts, and adds what no standard model covers:

- ``yibao validate``: the 2025 revolving fund the contract states (41.43万,
  第三十一条) against 5% of the prior year's income in the facts;
- years after the contract year are computed with this contract's terms
  (第四十五条: three-year cooperation, one contract a year) — interpretation
  ``later_years``;
- a roster, when given, is acknowledged: the contract sets no head-count.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs
from yibao.errors import FieldError
from yibao.hookspecs import hookimpl
from yibao.inputs import non_negative
from yibao.money import WAN, ZERO, Money, fmt_amount, fmt_grouped, fmt_rate, parse_decimal
from yibao.periods import Year
from yibao.spec import declare_contract
from yibao.values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class Assessment(Value):
    """The year's assessment (第四十二条, 考核办法另定): passed, and when not,
    the re-review applied for within 30 working days."""

    passed: bool = attrs.field(metadata={"label": "考核通过", "clause": "第四十二条"})
    rereview_passed: bool | None = attrs.field(default=None, metadata={"label": "复核通过", "clause": "第四十二条"})

    @rereview_passed.validator
    def _only_after_failure(self, attribute: Any, value: bool | None) -> None:
        if value is not None and self.passed:
            raise FieldError("rereview_passed", "expected only when passed = false (a re-review follows a failed assessment)")


@attrs.frozen(eq=False, repr=False, slots=False)
class HuaiyangFacts(Value):
    """A contract year's facts (合同年度 = 自然年度, 第五条).

    ``payouts``: 年度大额补充医疗保险资金支出, without operating cost
    (第二十九条、第三十条 不包含运营成本). ``prior_year_income``:
    上年度大额补充医疗保险资金总收入 (第三十一条). ``prior_year_premium``:
    上年度保费总额 (第三十条), the prior year's income when not given.
    ``rolling_surplus_start``: 滚存结余 at the start of the year; in a
    multi-year run it is carried from the previous year and may be left out.
    ``march_batch``: the March transfer actually made, read only under the
    ``transfer_split = as_transferred`` reading. ``remote_care_unremitted``:
    异地就医资金 the insurer did not hand up (第二十一条), deducted from this
    year's premium payments — give it in the year the bureau deducts it
    (当年或者次年).
    """

    year: Year = attrs.field(metadata={"label": "合同年度", "clause": "第五条"})
    insured: int = attrs.field(validator=non_negative, metadata={"label": "参保人数"})
    payouts: Money = attrs.field(validator=non_negative, metadata={"label": "年度大额补充医疗保险资金支出（元）", "clause": "第二十九条、第三十条"})
    prior_year_income: Money = attrs.field(validator=non_negative, metadata={"label": "上年度资金总收入（元）", "clause": "第三十一条"})
    prior_year_premium: Money = attrs.field(
        default=attrs.Factory(lambda self: self.prior_year_income, takes_self=True), validator=non_negative
    )
    rolling_surplus_start: Money | None = attrs.field(default=None, metadata={"label": "年初滚存结余（元）"})
    march_batch: Money | None = attrs.field(default=None, validator=non_negative, metadata={"label": "三月实际拨付（元）"})
    remote_care_unremitted: Money = attrs.field(default=ZERO, validator=non_negative)
    #: what the bureau actually transferred in the year, both batches together
    #: (第二十八条); left out, nothing is taken as transferred
    transfers_paid: Money | None = attrs.field(default=None, validator=non_negative, metadata={"label": "已划拨资金（元，3月、9月合计）", "clause": "第二十八条"})
    assessment: Assessment | None = attrs.field(default=None, metadata={"label": "考核", "clause": "第四十二条"})
    roster: str | None = attrs.field(default=None, metadata={"label": "花名册文件（相对本文件）"})

    @property
    def assessment_passed(self) -> bool:
        """False only when an assessment was given and failed."""
        return self.assessment is None or self.assessment.passed

    @property
    def remote_care_remitted(self) -> bool:
        """False when 异地就医资金 was left un-handed-up (第二十一条)."""
        return not self.remote_care_unremitted

    @property
    def rereview_not_failed(self) -> bool:
        """False only when the re-review after a failed assessment failed too."""
        return self.assessment is None or self.assessment.rereview_passed is not False

    def validate_against(self, contract: Any) -> list[tuple[str, str]]:
        problems = []
        uncovered = contract.interpretations.get("uncovered_excess")
        if self.rolling_surplus_start is not None and self.rolling_surplus_start < 0:
            if uncovered is None or uncovered.choice != "debt":
                problems.append(
                    (
                        "rolling_surplus_start",
                        f"expected an amount ≥ 0 (滚存结余, 第三十条), got {self.rolling_surplus_start}; "
                        "a negative surplus (a debt carried) exists only under the reading uncovered_excess = debt",
                    )
                )
        split = contract.interpretations.get("transfer_split")
        if split is not None and split.choice == "as_transferred" and self.march_batch is None:
            problems.append(("march_batch", "required under transfer_split = as_transferred (the March transfer actually made, 第二十八条)"))
        return problems


def _term_entry(contract: Any, key: str) -> Any:
    """The ``[[terms]]`` entry with this key, or None."""
    return next((t for t in contract.doc.terms if t.key == key), None)


def _term(contract: Any, key: str) -> Any:
    entry = _term_entry(contract, key)
    return None if entry is None else entry.value


yibao_register_contracts = declare_contract(
    __file__,
    name="huaiyang",
    facts_class=HuaiyangFacts,
    examples=("2025.toml", "2026.toml", "2027.toml"),
    description="淮阳区城镇职工大额补充医疗保险（阳光财险，2025）",
)


@hookimpl
def yibao_compute_fees(contract: Any, facts: Any, ledger: Any) -> None:
    """A year after the contract year is computed with this contract's
    terms: the result says so by listing the interpretation. In the contract
    year, a revolving fund that differs from the stated 41.43万 (第三十一条)
    is a warning, as ``validate`` finds it; a ``march_batch`` the reading
    ignores is said (第二十八条)."""
    if facts.year.year != contract.doc.term.start.year and "later_years" in contract.interpretations:
        ledger.choice("later_years")
    if facts.year.year == contract.doc.term.start.year:
        _check_stated_revolving_fund(contract, facts, ledger)
    split = contract.interpretations.get("transfer_split")
    if facts.march_batch is not None and split is not None and split.choice != "as_transferred":
        ledger.choice("transfer_split")
        ledger.finding(
            "funding.march_batch_ignored",
            "warning",
            f"march_batch = {fmt_amount(facts.march_batch)} is not used under transfer_split = {split.choice} "
            "(the March transfer is half the funding); choose as_transferred to use it",
            split.clause,
        )


@hookimpl
def yibao_check_staffing(contract: Any, facts: Any, roster: Any, ledger: Any) -> None:
    """第七条 asks for 联合办公人员 as the insurer's 服务承诺 promises; the
    promise is not part of the text, so there is no minimum to check."""
    ledger.finding(
        "staffing.no_minimum",
        "info",
        f"roster of {len(roster)} received; the contract sets no head-count (联合办公人员按乙方服务承诺配备，承诺不在合同文本中)",
        "第七条",
    )


@hookimpl
def yibao_validate_contract(contract: Any, facts: Any, ledger: Any) -> None:
    """第三十一条 states the 2025 revolving fund (41.43万) and the rate (5% of
    the prior year's income): with the contract year's facts, the two must
    agree — to the precision the figure is written in (``stated_precision``,
    0.01万 = 100 元) or to the 分 (``exact``)."""
    severity, message, clause = _stated_revolving_fund(contract, facts, ledger)
    ledger.finding("stated.revolving_fund", severity, message, clause)


def _check_stated_revolving_fund(contract: Any, facts: Any, ledger: Any) -> None:
    """``compute`` in the contract year: only a disagreement, as the warning
    ``funding.revolving_fund_differs`` (the facts and the stated figure
    disagree; nobody has breached a duty)."""
    if _term_entry(contract, "revolving_fund_stated") is None:
        return
    severity, message, clause = _stated_revolving_fund(contract, facts, ledger)
    if severity == "warning":
        ledger.finding("funding.revolving_fund_differs", "warning", message, clause)


def _stated_revolving_fund(contract: Any, facts: Any, ledger: Any) -> tuple[str, str, str]:
    """The stated revolving fund against 5% × the facts' prior-year income:
    (severity, message, clause)."""
    entry = _term_entry(contract, "revolving_fund_stated")
    step = next((b for b in contract.steps if any(o.key == "revolving_fund" for o in b.outputs.values())), None)
    rate = getattr(getattr(step, "params", None), "rate", None)
    if entry is None or rate is None or rate.value is None:
        return "info", "no stated revolving fund and literal rate in this contract: nothing to check", "第三十一条"
    rate = rate.value
    try:
        stated = parse_decimal(entry.value)
    except ValueError as exc:
        return "warning", f"{entry.label}: {exc}", entry.clause
    year = contract.doc.term.start.year
    if facts is None:
        return (
            "info",
            f"{entry.label} {entry.value} = {fmt_rate(rate)} × 上年度资金总收入 ⇒ 上年度收入约 {fmt_grouped(stated / rate)} 元; "
            "give --facts with prior_year_income to check it",
            entry.clause,
        )
    if facts.year.year != year:
        return "info", f"{entry.label} is for {year}; the facts are for {facts.year}: not checked", entry.clause
    computed = facts.prior_year_income * rate
    quantum = _written_quantum(entry.value)
    if ledger.choice("stated_precision") == "exact":
        quantum = Decimal("0.01")
    agrees = _round_to(computed, quantum) == _round_to(stated, quantum)
    text = f"{entry.label}: {fmt_rate(rate)} × {fmt_amount(facts.prior_year_income)} = {fmt_amount(computed)}"
    if agrees:
        return "info", f"{text} ≈ {entry.value} ✓（精度 {fmt_amount(quantum)} 元）", entry.clause
    return "warning", f"{text}, the contract states {entry.value}（精度 {fmt_amount(quantum)} 元）", entry.clause


def _round_to(value: Decimal, quantum: Decimal) -> Decimal:
    """``value`` rounded half up to a multiple of ``quantum`` (100 元, 分)."""
    return (value / quantum).to_integral_value(rounding=ROUND_HALF_UP) * quantum


def _written_quantum(value: Any) -> Decimal:
    """The precision a stated figure is written to: ``"41.43万"`` -> 100 元,
    ``"414300.5"`` -> 0.1 元; at least 分."""
    text = str(value).strip().removesuffix("元")
    scale = Decimal(1)
    if text.endswith("万"):
        text, scale = text[:-1], WAN
    digits = len(text.split(".", 1)[1]) if "." in text else 0
    return max(Decimal(1).scaleb(-digits) * scale, Decimal("0.01"))
