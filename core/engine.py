"""The core's own plugin: it runs a contract's ``[[steps]]`` in each stage.

Registered from ``DEFAULT_PLUGINS`` like every city. It provides no contract,
so its stage hooks run for every contract, first (``tryfirst``), so that a
city's own Python sees the standard figures of the same stage in the ledger.
It also registers the standard models and re-does the contract's stated
arithmetic for ``yibao validate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from .contract import BoundStep, Contract
from .errors import InputError, Problem
from .hookspecs import hookimpl
from .models import STANDARD_MODELS, FindingSpec
from .operands import Operand
from .money import ZERO, fmt_amount, fmt_number, from_daxie
from .results import Ledger


@attrs.define
class StepContext:
    """What a model sees while computing one step in one scope."""

    contract: Contract
    facts: Any
    ledger: Ledger
    step: BoundStep
    scope: str | None = None
    scope_facts: Any = None
    roster: tuple[Any, ...] | None = None

    def lookup(self, name: str) -> Any:
        """An item of this scope (or contract-wide), else a fact of the scope
        element, else a top-level fact; ``None`` when absent."""
        v = self.ledger.get(name, self.scope)
        if v is not None:
            return v
        if self.scope_facts is not None and hasattr(self.scope_facts, name):
            return getattr(self.scope_facts, name)
        return getattr(self.facts, name, None)

    def value(self, op: Operand, default: Decimal | None = None) -> Decimal:
        """The Decimal an operand stands for.

        :raises InputError: a fact the step needs is missing or not a number.
        """
        if op.ref is None:
            assert op.value is not None
            return op.value
        v = self.lookup(op.ref)
        if v is None:
            if default is not None:
                return default
            self.input_error(op, f"required by {self.step.step.clause} ({self.step.step.model}) but not given")
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            self.input_error(op, f"expected a number, got {v!r}")
        return Decimal(v)

    def input_error(self, op: Operand | str, message: str) -> None:
        name = op.ref if isinstance(op, Operand) else op
        path = f"{self.scope_path()}{name}" if name else self.scope_path()
        raise InputError([Problem(self.ledger.source, path, message)])

    def scope_path(self) -> str:
        if self.scope_facts is None:
            return ""
        items = getattr(self.facts, self.step.step.scope or "", ())
        for i, el in enumerate(items):
            if el is self.scope_facts:
                return f"{self.step.step.scope}[{i}]."
        return ""

    def choice(self, interpretation_id: str) -> str:
        return self.ledger.choice(interpretation_id)

    def finding(self, key: str, severity: Any, message: str, scope: str | None = None, clause: str | None = None) -> None:
        self.ledger.finding(key, severity, message, clause or self.step.step.clause, scope if scope is not None else self.scope)

    def raise_finding(self, spec: FindingSpec, detail: str) -> None:
        self.finding(spec.key, spec.severity, f"{spec.message}（{detail}）", clause=spec.clause)


def period_kind(facts: Any) -> str:
    return str(getattr(facts, "period_kind", "year"))


def _truthy(v: Any) -> bool:
    return bool(v) and v != ZERO


def run_step(b: BoundStep, contract: Contract, facts: Any, ledger: Ledger, roster: tuple[Any, ...] | None = None) -> None:
    """Run one step: once, or once per element of its ``scope`` list."""
    step = b.step
    if step.periods is not None and period_kind(facts) not in step.periods:
        return
    if step.gate is not None and ledger.choice(step.gate[0]) != step.gate[1]:
        return  # another reading's step produces these items
    if step.scope is None:
        scopes: Iterable[tuple[str | None, Any]] = [(None, None)]
    else:
        scopes = [(str(getattr(el, "name", i)), el) for i, el in enumerate(getattr(facts, step.scope))]
    produced: dict[str, list[Decimal]] = {}
    for scope, element in scopes:
        ctx = StepContext(contract, facts, ledger, b, scope, element, roster)
        if step.when is not None and not _truthy(ctx.lookup(step.when)):
            shown = ctx.lookup(step.when)
            shown_text = "false" if shown is None or isinstance(shown, bool) else fmt_number(Decimal(shown))
            out = {role: (ZERO, f"0（条件未满足：{step.when} = {shown_text}）") for role in b.outputs}
            if step.otherwise is not None:
                ctx.raise_finding(step.otherwise, f"{step.when} = {shown_text}")
        else:
            out = b.model.compute(b.params, ctx)
        for role, spec in b.outputs.items():
            amount, formula = out[role]
            li = ledger.item(spec.key, spec.label, amount, formula, spec.clause or step.clause, scope, step.kind)
            produced.setdefault(role, []).append(li.amount)
    if step.scope is not None and step.total_row:
        for role, spec in b.outputs.items():
            amounts = produced.get(role, [])
            ledger.item(
                spec.key,
                f"{spec.label}（合计，仅供参考）",
                sum(amounts, ZERO),
                " + ".join(fmt_amount(a) for a in amounts) or "0",
                spec.clause or step.clause,
                "合计",
                "total",
            )


def run_stage(stage: str, contract: Contract, facts: Any, ledger: Ledger, roster: tuple[Any, ...] | None = None) -> None:
    for b in contract.steps:
        if b.stage == stage:
            run_step(b, contract, facts, ledger, roster)


@hookimpl
def yibao_register_models(register: Any) -> None:
    for model in STANDARD_MODELS:
        register(model)


@hookimpl(tryfirst=True)
def yibao_compute_fees(contract: Contract, facts: Any, ledger: Ledger) -> None:
    run_stage("fees", contract, facts, ledger)


@hookimpl(tryfirst=True)
def yibao_share_risk(contract: Contract, facts: Any, ledger: Ledger) -> None:
    run_stage("risk", contract, facts, ledger)


@hookimpl(tryfirst=True)
def yibao_assess_payout(contract: Contract, facts: Any, ledger: Ledger) -> None:
    run_stage("assessment", contract, facts, ledger)


@hookimpl(tryfirst=True)
def yibao_settle_payment(contract: Contract, facts: Any, ledger: Ledger) -> None:
    run_stage("settlement", contract, facts, ledger)


@hookimpl(tryfirst=True)
def yibao_check_staffing(contract: Contract, facts: Any, roster: tuple[Any, ...], ledger: Ledger) -> None:
    run_stage("staffing", contract, facts, ledger, roster)


@hookimpl(tryfirst=True)
def yibao_validate_contract(contract: Contract, facts: Any, ledger: Ledger) -> None:
    """Re-do every ``[[checks]]`` entry: parts add up, 大写 reads as the total."""
    for check in contract.doc.checks:
        if check.parts:
            total = sum(check.parts, ZERO)
            parts = " + ".join(fmt_number(p) for p in check.parts)
            if total != check.total:
                ledger.finding(
                    f"stated.{check.key}",
                    "violation",
                    f"{check.label}: {parts} = {fmt_number(total)}, the contract states {fmt_number(check.total)}",
                    check.clause,
                )
            else:
                ledger.finding(
                    f"stated.{check.key}", "info", f"{check.label}: {parts} = {fmt_number(total)} ✓", check.clause
                )
        if check.words is not None:
            try:
                words_value = from_daxie(check.words)
            except ValueError as exc:
                ledger.finding(f"stated.{check.key}", "violation", f"{check.label}: {exc}", check.clause)
                continue
            ok = words_value == check.total
            ledger.finding(
                f"stated.{check.key}",
                "info" if ok else "violation",
                f"{check.label}: {check.words} = {fmt_amount(words_value)}"
                + (" ✓" if ok else f", the figure is {fmt_amount(check.total)}"),
                check.clause,
            )
