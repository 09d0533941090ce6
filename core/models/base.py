"""The base of every standard model: the class, what a step sees while it
computes (:class:`StepContext`), and the finding a step may raise.

A model is a class registered by name (``model = "profit_cap"`` in a
contract's ``[[steps]]``). Its ``Params`` is a frozen attrs class that the
input pipeline structures from the step's TOML table; its ``compute`` takes
those parameters and a :class:`StepContext` and returns, per output role, the
amount and the formula with the actual numbers. Amounts are rounded to 分 by
the result ledger when the item is produced.

Nothing here knows a contract or the engine: the context carries the term,
the period and the step's clause, so that models depend only on money, dates,
operands and results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, Literal, NoReturn

import attrs

from ..errors import FieldError, InputError, Problem
from ..operands import Operand
from ..results import Ledger

ONE = Decimal(1)


@attrs.frozen(eq=False, repr=False, slots=False)
class FindingSpec:
    """A finding a step raises (a tier reached, a condition unmet)."""

    key: str
    message: str
    severity: str = attrs.field(default="warning")
    clause: str | None = None

    @severity.validator
    def _sev(self, attribute: Any, value: str) -> None:
        if value not in ("info", "warning", "violation"):
            raise FieldError("severity", f"expected info, warning or violation, got {value!r}")


@attrs.frozen(eq=False, repr=False, slots=False)
class OutputSpec:
    """The key and label of an item a step produces (``[steps.outputs.<role>]``)."""

    key: str
    label: str
    clause: str | None = None


@attrs.frozen(eq=False, repr=False, kw_only=True, slots=False)
class StepKeys:
    """The keys every ``[[steps]]`` table may have, besides its model's own.

    A step's table is structured by two classes at once — these common keys
    and its model's own ``Params`` (:func:`yibao.inputs.try_structure_parts`)
    — so a key neither has is rejected with the closest key of both, like any
    other key of any other input. ``Params`` classes do not inherit these
    fields: attrs would copy the fourteen of them into every model's class and
    compile a longer ``__init__`` for each, at every start-up.
    """

    model: str
    clause: str
    key: str | None = None
    label: str | None = None
    outputs: dict[str, OutputSpec] = attrs.Factory(dict)
    stage: Literal["fees", "risk", "assessment", "settlement", "staffing"] | None = None
    when: str | None = None
    otherwise: FindingSpec | None = None
    periods: tuple[str, ...] | None = None
    scope: str | None = None
    kind: Literal["payment", "contingent"] = "payment"
    total_row: bool = False
    note: str | None = None
    reading: str | None = None

    @property
    def gate(self) -> tuple[str, str] | None:
        """``reading = "ID=CHOICE"`` as ``(ID, CHOICE)``: the step runs only
        when that interpretation's chosen reading is CHOICE (the steps of the
        other readings produce the same items)."""
        if self.reading is None or "=" not in self.reading:
            return None
        iid, choice = self.reading.split("=", 1)
        return iid.strip(), choice.strip()


#: the names of the common step keys
STEP_KEYS = frozenset(a.name for a in attrs.fields(StepKeys))


def param_fields(params: Any) -> tuple[attrs.Attribute, ...]:  # type: ignore[type-arg]
    """A step's own parameters: the fields of its model's ``Params`` (what
    ``yibao show`` lists)."""
    return attrs.fields(type(params))  # type: ignore[no-any-return]


@attrs.define(eq=False, repr=False, slots=False)
class StepContext:
    """What a model sees while computing one step in one scope.

    The engine builds one per step and scope element. It carries what a model
    may need of the contract (the term's first day, the period's bounds, the
    step's clause) as plain values, so that models never import the contract
    or the engine.
    """

    facts: Any
    ledger: Ledger
    #: the clause the step cites, and its model's name (for messages)
    clause: str
    model: str
    #: the contract term's first day, and the first and last day of the period computed
    term_start: dt.date
    period_bounds: tuple[dt.date, dt.date]
    #: the step's ``scope``: the facts list it runs over (``regions``), or None
    scope_list: str | None = None
    #: the scope element's name (``市本级``) and the element itself
    scope: str | None = None
    scope_facts: Any = None
    scope_index: int | None = None
    roster: tuple[Any, ...] | None = None

    def lookup(self, name: str) -> Any:
        """An item of this scope (or contract-wide), else a fact of the scope
        element, else a top-level fact; ``None`` when absent. A scope
        element's fact left out (``None``) falls through to the top-level
        fact of that name: an element may override a contract-wide fact
        (新乡 第四十二条: a region's own ``score``)."""
        v = self.ledger.get(name, self.scope)
        if v is not None:
            return v
        if self.scope_facts is not None:
            v = getattr(self.scope_facts, name, None)
            if v is not None:
                return v
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
            self.input_error(op, f"required by {self.clause} ({self.model}) but not given")
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            self.input_error(op, f"expected a number, got {v!r}")
        return Decimal(v)

    def input_error(self, op: Operand | str, message: str) -> NoReturn:
        """Raise an InputError at the facts key ``op`` names, in this scope."""
        name = op.ref if isinstance(op, Operand) else op
        path = f"{self.scope_path()}{name}" if name else self.scope_path()
        raise InputError([Problem(self.ledger.source, path, message)])

    def scope_path(self) -> str:
        """``regions[0].`` for the first element of a scoped step, else empty."""
        if self.scope_index is None:
            return ""
        return f"{self.scope_list}[{self.scope_index}]."

    def choice(self, interpretation_id: str) -> str:
        return self.ledger.choice(interpretation_id)

    def finding(self, key: str, severity: Any, message: str, scope: str | None = None, clause: str | None = None) -> None:
        self.ledger.finding(key, severity, message, clause or self.clause, scope if scope is not None else self.scope)

    def raise_finding(self, spec: FindingSpec, detail: str) -> None:
        self.finding(spec.key, spec.severity, f"{spec.message}（{detail}）", clause=spec.clause)


def date_value(ctx: StepContext, op: Operand) -> dt.date | None:
    """The date a date-ref operand names, ``None`` when the fact is absent.

    :raises InputError: the fact is not a date.
    """
    assert op.ref is not None
    v = ctx.lookup(op.ref)
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if not isinstance(v, dt.date):
        ctx.input_error(op, f"expected a date such as 2025-06-15, got {v!r}")
    return v


class Model:
    """Base of every standard model.

    Subclasses set ``name`` (what TOML writes), ``stage`` (the hook family it
    runs in by default), ``outputs`` (role -> default label; the first role is
    the step's ``key``/``label``), ``Params`` (an attrs class of its
    parameters) and implement :meth:`compute`.
    """

    name: ClassVar[str]
    stage: ClassVar[str] = "fees"
    outputs: ClassVar[Mapping[str, str]] = {"amount": "金额"}
    Params: ClassVar[type]
    #: the items' keys and labels come from the parameters (:meth:`output_roles`),
    #: not from the step's ``key``/``label``/``outputs``
    outputs_from_params: ClassVar[bool] = False

    def compute(self, params: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        """Return role -> (amount, formula). Amounts are rounded by the ledger."""
        raise NotImplementedError

    @classmethod
    def operands(cls, params: Any) -> list[Operand]:
        """Every operand in ``params`` (for checking names at load time)."""
        found: list[Operand] = []
        for a in param_fields(params):
            v = getattr(params, a.name)
            if isinstance(v, Operand):
                found.append(v)
            elif isinstance(v, (list, tuple)):
                found.extend(x for x in v if isinstance(x, Operand))
        return found

    @classmethod
    def output_roles(cls, params: Any) -> Mapping[str, str]:
        """Role -> default label of the items a step produces: ``outputs``,
        unless the roles depend on the parameters (installments)."""
        return cls.outputs

    @classmethod
    def roster_columns(cls, params: Any) -> tuple[str, ...]:
        """Roster columns this step needs besides id, site and role; a roster
        without one of them is an input error naming the column."""
        return ()

    @classmethod
    def interpretation_ids(cls, params: Any) -> list[str]:
        """Interpretation ids ``params`` refers to (checked at load time)."""
        return [
            getattr(params, a.name)
            for a in param_fields(params)
            if a.name.endswith("interpretation") and getattr(params, a.name)
        ]
