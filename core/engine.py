"""The core's own plugin: it runs a contract's ``[[steps]]`` in each stage.

Registered from ``DEFAULT_PLUGINS``, the same way as every city. It provides no contract,
so its stage hooks run for every contract, first (``tryfirst``), so that a
city's own Python sees the standard figures of the same stage in the ledger.
It also registers the standard models and re-does the contract's stated
arithmetic for ``yibao validate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .contract import BoundStep, Contract
from .hookspecs import hookimpl
from .models import StepContext, standard_refs
from .money import ZERO, fmt_amount, fmt_number, from_daxie
from .periods import period_of
from .results import Ledger


def _truthy(v: Any) -> bool:
    return bool(v) and v != ZERO


def run_step(b: BoundStep, contract: Contract, facts: Any, ledger: Ledger, roster: tuple[Any, ...] | None = None) -> None:
    """Run one step: once, or once per element of its ``scope`` list."""
    step = b.step
    period = period_of(facts)
    if step.periods is not None and period.kind not in step.periods:
        return
    if step.gate is not None and ledger.choice(step.gate[0]) != step.gate[1]:
        return  # another reading's step produces these items
    if step.scope is None:
        scopes: Iterable[tuple[int | None, str | None, Any]] = [(None, None, None)]
    else:
        scopes = [(i, str(getattr(el, "name", i)), el) for i, el in enumerate(getattr(facts, step.scope))]
    produced: dict[str, list[Decimal]] = {}
    term_start = contract.doc.term.start
    bounds = period.bounds(term_start)
    for index, scope, element in scopes:
        ctx = StepContext(
            facts=facts,
            ledger=ledger,
            clause=step.clause,
            model=step.model,
            term_start=term_start,
            period_bounds=bounds,
            scope_list=step.scope,
            scope=scope,
            scope_facts=element,
            scope_index=index,
            roster=roster,
        )
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
    """Run the contract's steps of one stage, in the order the TOML lists them."""
    for b in contract.steps:
        if b.stage == stage:
            run_step(b, contract, facts, ledger, roster)


@hookimpl
def yibao_register_models(register: Any) -> None:
    for ref in standard_refs():
        register(ref)


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
                    "warning",
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
                ledger.finding(f"stated.{check.key}", "warning", f"{check.label}: {exc}", check.clause)
                continue
            ok = words_value == check.total
            ledger.finding(
                f"stated.{check.key}",
                "info" if ok else "warning",
                f"{check.label}: {check.words} = {fmt_amount(words_value)}"
                + (" ✓" if ok else f", the figure is {fmt_amount(check.total)}"),
                check.clause,
            )
