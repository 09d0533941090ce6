"""A contract's TOML: its terms, its steps, its interpretations.

``ContractSpec`` is what a plugin registers (name, TOML file, facts class,
example facts). ``load_contract`` reads the TOML into a :class:`Contract`,
binding each ``[[steps]]`` table to the standard model it names and checking,
before anything is computed, that every figure a step reads is a facts key or
an item an earlier step produces, and that every interpretation it names
exists. Nothing here computes: see :mod:`yibao.engine`.

The TOML shapes are frozen attrs classes without generated ``__eq__`` and
``__repr__``: a contract is never compared field by field, and generating
those methods costs start-up time on every command (``benchmarks/startup.py``).
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs

from . import cache
from .errors import FieldError, InputError, PluginError, Problem, closest, join_path
from .inputs import Scalar, read_toml, structure, try_structure_parts
from .models import Model
from .models.base import STEP_KEYS, OutputSpec, StepKeys, param_fields
from .operands import Operand
from .periods import KIND_NAMES, Period, check_within, period_field
from .registry import Registry
from .results import Interpretation
from .spec import ContractSpec
from .stages import order

__all__ = ["STEP_KEYS", "BoundStep", "Contract", "ContractDoc", "ContractSpec", "OutputSpec", "Step", "load_contract"]

#: a ``[[steps]]`` table's common keys (every model's ``Params`` derives from it)
Step = StepKeys


# --------------------------------------------------------------- TOML shapes
@attrs.frozen(eq=False, repr=False, slots=False)
class Parties:
    bureau: str
    insurer: str


@attrs.frozen(eq=False, repr=False, slots=False)
class Term:
    """The contract term. ``renewal_years`` and ``renewal_reading``: a
    cooperation longer than the signed term (淮阳 第四十五条: 合作期限3年、合同
    每年签订一次), within which later years are computed under this
    contract when the interpretation ``renewal_reading`` (``ID=CHOICE``) is
    chosen."""

    start: dt.date
    end: dt.date
    clause: str
    renewal_years: int | None = None
    renewal_reading: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise FieldError("end", f"expected an end date on or after {self.start}")
        if (self.renewal_years is None) != (self.renewal_reading is None):
            raise FieldError("renewal_years", "expected renewal_years and renewal_reading together")


@attrs.frozen(eq=False, repr=False, slots=False)
class TermEntry:
    """A term shown by ``yibao show`` that computes nothing (notice periods,
    offices, benefit rules read by later processing)."""

    key: str
    label: str
    value: Scalar
    clause: str


@attrs.frozen(eq=False, repr=False, slots=False)
class Deadline:
    """A deadline the contract sets, counted from an event: ``count``
    working days, days or months after it, or the end of the ``count``-th
    month, quarter or year after the one it falls in (``month_ends``,
    ``quarter_ends``, ``year_ends``: 咸阳 第四条4 次年第一季度末 is the end of
    the first quarter after the protection year's last day). ``reading =
    "ID=CHOICE"``: the entry holds only under that reading, and another
    entry of the same key holds under the others (咸阳 第四条1 首月)."""

    key: str
    label: str
    clause: str
    count: int = attrs.field(validator=lambda _, a, v: _deadline_count(a.name, v))
    unit: Literal["working_days", "days", "months", "month_ends", "quarter_ends", "year_ends"]
    start: str
    reading: str | None = None

    @property
    def gate(self) -> tuple[str, str] | None:
        """``reading`` as ``(ID, CHOICE)``, or None."""
        if self.reading is None or "=" not in self.reading:
            return None
        iid, choice = self.reading.split("=", 1)
        return iid.strip(), choice.strip()


#: the longest deadline a contract may set (ten years of days)
MAX_DEADLINE_COUNT = 3660


def _deadline_count(field: str, value: int) -> None:
    if not 0 <= value <= MAX_DEADLINE_COUNT:
        raise FieldError(field, f"expected a count from 0 to {MAX_DEADLINE_COUNT}, got {value}")


@attrs.frozen(eq=False, repr=False, slots=False)
class StatedCheck:
    """Arithmetic the contract states, which ``yibao validate`` re-does: the
    parts must add up to the total, the 大写 words must read as the total."""

    key: str
    label: str
    clause: str
    total: Decimal
    parts: tuple[Decimal, ...] = ()
    words: str | None = None


@attrs.frozen(eq=False, repr=False, slots=False)
class Carry:
    """In a multi-period run, the item of one period that becomes a fact of
    the next (淮阳: 滚存结余 at year end -> the next year's start).

    ``over``: ``"previous"`` (the default) takes the previous period's
    item; ``"earlier"`` the sum over every earlier period of the series
    (淮安 八: what the quarters before the termination paid); a period kind
    (``"year"``) the sum over the earlier periods lying within this period,
    for periods of that kind only (洛阳 第三条(五): the year-end sees its four
    quarters' fees). ``when``: a facts key; the entry applies only to the
    periods whose facts give it (淮安: ``terminated_on``). ``paid``: the
    fact states what was actually paid; a figure the facts give wins over
    the series' (no contradiction), and a figure the series fills in is said
    to be taken as paid (:mod:`yibao.series`)."""

    fact: str
    item: str
    clause: str
    over: str = "previous"
    when: str | None = None
    paid: bool = False


@attrs.frozen(eq=False, repr=False, slots=False)
class Shared:
    """``[[shared]]``: a fact several files of one series give, which must
    agree (:mod:`yibao.series`). ``within`` (a period kind): the files whose
    periods lie in one period of that kind (洛阳: the quarters and the
    year-end of a year give one 上年度参保人数); without it, the whole series.
    ``previous``: instead, the fact must equal this fact of the file of the
    previous period of kind ``within`` (洛阳: 2027's 上年度参保人数 = 2026's
    当年实际参保人数)."""

    fact: str
    clause: str
    within: str | None = None
    previous: str | None = None


@attrs.frozen(eq=False, repr=False, slots=False)
class Ends:
    """``[[ends]]``: a facts key whose presence makes its period the last of
    a series (淮安 八: 合同解除 — ``terminated_on``): a later period in the
    same series is an input error naming both files (:mod:`yibao.series`)."""

    fact: str
    clause: str


@attrs.frozen(eq=False, repr=False, slots=False)
class Payable:
    """``[[payable]]``: a line item the bureau owes the insurer for a period
    (what ``yibao ledger balance`` shows as due), and the ``[[deadlines]]``
    entry, if the contract sets one, by which it must be paid — counted from
    the period's last day or from the signing (``counted_from``)."""

    item: str
    clause: str
    deadline: str | None = None
    counted_from: Literal["period_end", "signed_on"] = "period_end"


@attrs.frozen(eq=False, repr=False, slots=False)
class ContractDoc:
    """The top level of a ``contract.toml``."""

    id: str
    city: str
    title: str
    kind: str
    parties: Parties
    term: Term
    steps: tuple[dict[str, Any], ...] = ()
    interpretations: tuple[Interpretation, ...] = ()
    terms: tuple[TermEntry, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    checks: tuple[StatedCheck, ...] = ()
    carry: tuple[Carry, ...] = ()
    shared: tuple[Shared, ...] = ()
    ends: tuple[Ends, ...] = ()
    payable: tuple[Payable, ...] = ()
    signed_on: dt.date | None = None
    #: ``[calendar]``: holiday tables for years the chinesecalendar package
    #: lacks; kept as read and structured by :mod:`yibao.calendar` when a
    #: deadline is counted (so loading a contract imports nothing for it)
    calendar: dict[str, Any] | None = None
    #: ``[claims]``: how a claim log is read; structured and checked by
    #: :mod:`yibao.claims` (``yibao claims``, ``yibao validate``)
    claims: dict[str, Any] | None = None
    #: ``[simulate]``: the insurer's result, its cap and the carried state
    #: for ``yibao simulate``; checked by :mod:`yibao.simulate` when it runs
    simulate: dict[str, Any] | None = None


@attrs.frozen(eq=False, repr=False, slots=False)
class BoundStep:
    """A step bound to its model, parameters structured, outputs resolved.

    ``step`` holds the table's common keys, ``params`` its model's own."""

    index: int
    step: Step
    model: Model
    params: Any
    outputs: dict[str, OutputSpec]
    stage: str


@attrs.frozen(eq=False, repr=False, slots=False)
class Contract:
    """A loaded contract: its TOML, its bound steps and its hooks."""

    doc: ContractDoc
    spec: ContractSpec
    path: str
    steps: tuple[BoundStep, ...]
    registry: Registry = attrs.field(repr=False, eq=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def roster_columns(self) -> tuple[str, ...]:
        """The roster columns this contract's staffing steps need."""
        cols: dict[str, None] = {}
        for b in self.steps:
            cols.update(dict.fromkeys(type(b.model).roster_columns(b.params)))
        return tuple(cols)

    @property
    def interpretations(self) -> dict[str, Interpretation]:
        return {i.id: i for i in self.doc.interpretations}

    @property
    def settles_until(self) -> dt.date:
        """The last day a period may end on: the term's end, or the end of
        the cooperation when the term's renewal reading is chosen."""
        term = self.doc.term
        if term.renewal_years is None or term.renewal_reading is None:
            return term.end
        iid, _, choice = term.renewal_reading.partition("=")
        interp = self.interpretations.get(iid.strip())
        if interp is None or interp.choice != choice.strip():
            return term.end
        return term.end.replace(year=term.end.year + term.renewal_years - 1)

    def check_period(self, period: Period) -> str | None:
        """``None`` when a facts file's period lies within the term (or the
        cooperation, see :attr:`settles_until`), else what is wrong."""
        term = self.doc.term
        until = self.settles_until
        problem = check_within(period, term.start, until)
        if problem is None:
            return None
        if until != term.end:
            return f"{problem} ({term.clause}; the term extended by the reading {term.renewal_reading})"
        return f"{problem} ({term.clause})"

    def period_bounds(self, period: Period) -> tuple[dt.date, dt.date]:
        """First and last day of a period of this contract."""
        return period.bounds(self.doc.term.start)

    def with_choices(self, choices: Mapping[str, str]) -> Contract:
        """The same contract with some interpretations switched (``--reading``)."""
        by_id = self.interpretations
        new = []
        for iid, choice in choices.items():
            if iid not in by_id:
                hint = closest(iid, by_id)
                msg = f"no interpretation {iid!r}" + (f"; did you mean {hint!r}?" if hint else "")
                raise InputError.one("command line", "--reading", msg)
            if choice not in by_id[iid].readings:
                raise InputError.one(
                    None, "--reading", f"{iid}: expected one of {', '.join(by_id[iid].readings)}, got {choice!r}"
                )
        for i in self.doc.interpretations:
            new.append(attrs.evolve(i, choice=choices[i.id]) if i.id in choices else i)
        return attrs.evolve(self, doc=attrs.evolve(self.doc, interpretations=tuple(new)))


# --------------------------------------------------------------- loading
#: checks of further tables a caller may run at load time (the API checks
#: ``[calendar]`` and ``[claims]``, whose code lives above this module)
TableCheck = Callable[["ContractDoc", ContractSpec, str], list[Problem]]


def load_contract(
    spec: ContractSpec, registry: Registry, path: str | Path | None = None, table_checks: Sequence[TableCheck] = ()
) -> Contract:
    """Read and check a contract TOML (the bundled one unless ``path``).

    ``table_checks`` run on the structured document before it is accepted
    (and cached): each returns the problems of one table.

    :raises InputError: every problem found, each with file and key path.
    """
    source = path if path is not None else spec.contract_file
    file = str(source)
    try:
        period_field(spec.facts_class)
    except TypeError as exc:
        raise PluginError(f"contract {spec.name!r}: {exc}") from None
    try:
        data = Path(source).read_bytes()
    except OSError:
        data = None  # read_toml below says what is wrong with the file
    key = cache.key(data, spec.facts_class, registry.models) if data is not None else None
    hit = cache.get(key) if key is not None else None
    if hit is not None:
        doc, steps = hit
        return Contract(doc=doc, spec=spec, path=file, steps=steps, registry=registry)
    raw = read_toml(source)
    doc = structure(raw, ContractDoc, file)
    problems: list[Problem] = []
    _check_interpretations(doc, file, problems)
    _check_renewal(doc, file, problems)
    steps = _bind_steps(doc, spec, registry, file, problems)
    _check_readings(doc, steps, file, problems)
    _check_payable(doc, steps, file, problems)
    _check_deadlines(doc, file, problems)
    _check_series_tables(doc, spec, steps, file, problems)
    for check in table_checks:
        problems.extend(check(doc, spec, file))
    if problems:
        raise InputError(problems)
    if key is not None:
        cache.put(key, (doc, tuple(steps)))
    return Contract(doc=doc, spec=spec, path=file, steps=tuple(steps), registry=registry)


def _check_payable(doc: ContractDoc, steps: list[BoundStep], file: str, problems: list[Problem]) -> None:
    """``[[payable]]``: each item is one a step produces; each deadline is a
    ``[[deadlines]]`` key; ``counted_from = "signed_on"`` needs ``signed_on``."""
    items = {o.key for b in steps for o in b.outputs.values()}
    deadlines = {d.key for d in doc.deadlines}
    for i, p in enumerate(doc.payable):
        if p.item not in items:
            hint = closest(p.item, items)
            problems.append(Problem(file, f"payable[{i}].item", f"no step produces {p.item!r}" + (f"; did you mean {hint!r}?" if hint else "")))
        if p.deadline is not None and p.deadline not in deadlines:
            hint = closest(p.deadline, deadlines)
            problems.append(Problem(file, f"payable[{i}].deadline", f"no [[deadlines]] entry {p.deadline!r}" + (f"; did you mean {hint!r}?" if hint else "")))
        if p.counted_from == "signed_on" and doc.signed_on is None:
            problems.append(Problem(file, f"payable[{i}].counted_from", "'signed_on' needs the top-level key signed_on"))


def _check_series_tables(doc: ContractDoc, spec: ContractSpec, steps: list[BoundStep], file: str, problems: list[Problem]) -> None:
    """``[[carry]]`` and ``[[shared]]``: facts keys the facts class has,
    items a step produces, period kinds of this contract's facts."""
    if not doc.carry and not doc.shared and not doc.ends:
        return
    names = facts_names(spec.facts_class)
    items = {o.key for b in steps for o in b.outputs.values()}
    kinds = [k.kind for k in period_field(spec.facts_class)[1]]

    def need(value: str | None, known: set[str] | list[str], path: str, what: str) -> None:
        if value is not None and value not in known:
            hint = closest(value, known)
            problems.append(Problem(file, path, f"expected {what}, got {value!r}" + (f"; did you mean {hint!r}?" if hint else "")))

    for i, c in enumerate(doc.carry):
        need(c.fact, names, f"carry[{i}].fact", "a facts key")
        need(c.item, items, f"carry[{i}].item", "an item a step produces")
        need(c.over, ["previous", "earlier", *kinds], f"carry[{i}].over", f"previous, earlier or a period kind of this contract's facts ({', '.join(kinds)})")
        need(c.when, names, f"carry[{i}].when", "a facts key")
    for i, e in enumerate(doc.ends):
        need(e.fact, names, f"ends[{i}].fact", "a facts key")
    for i, sh in enumerate(doc.shared):
        need(sh.fact, names, f"shared[{i}].fact", "a facts key")
        need(sh.previous, names, f"shared[{i}].previous", "a facts key")
        need(sh.within, kinds, f"shared[{i}].within", f"a period kind of this contract's facts ({', '.join(kinds)})")
        if sh.previous is not None and sh.within is None:
            problems.append(Problem(file, f"shared[{i}].within", "required with 'previous' (the kind of period whose previous one is meant)"))


def _check_renewal(doc: ContractDoc, file: str, problems: list[Problem]) -> None:
    reading = doc.term.renewal_reading
    if reading is None:
        return
    iid, _, choice = reading.partition("=")
    by_id = {i.id: i for i in doc.interpretations}
    if iid.strip() not in by_id or choice.strip() not in by_id[iid.strip()].readings:
        problems.append(Problem(file, "term.renewal_reading", f"expected ID=CHOICE of an [[interpretations]] entry, got {reading!r}"))


def _check_deadlines(doc: ContractDoc, file: str, problems: list[Problem]) -> None:
    """``[[deadlines]]``: a key is one entry, or one entry per reading of one
    interpretation (``reading = "ID=CHOICE"``), so that every reading has
    exactly one deadline of that key."""
    by_id = {i.id: i for i in doc.interpretations}
    entries: dict[str, list[tuple[int, Deadline]]] = {}
    for i, d in enumerate(doc.deadlines):
        entries.setdefault(d.key, []).append((i, d))
    for key, found in entries.items():
        first = f"deadlines[{found[0][0]}]"
        gates = [d.gate for _, d in found]
        if len(found) > 1 and None in gates:
            problems.append(Problem(file, f"deadlines[{found[1][0]}].key", f"duplicate deadline key {key!r} (give each entry a reading = 'ID=CHOICE')"))
            continue
        if gates == [None]:
            continue
        ids = {g[0] for g in gates if g is not None}
        for i, d in found:
            if d.gate is None:
                problems.append(Problem(file, f"deadlines[{i}].reading", f"expected ID=CHOICE such as 'first_month=within_one_month', got {d.reading!r}"))
        if len(ids) != 1 or any(g is None for g in gates):
            continue
        iid = ids.pop()
        if iid not in by_id:
            hint = closest(iid, by_id)
            problems.append(Problem(file, f"{first}.reading", f"no [[interpretations]] entry {iid!r}" + (f"; did you mean {hint!r}?" if hint else "")))
            continue
        choices = [g[1] for g in gates if g is not None]
        if sorted(choices) != sorted(by_id[iid].readings):
            problems.append(
                Problem(file, f"{first}.reading", f"deadline {key!r}: expected one entry per reading of {iid!r} ({', '.join(by_id[iid].readings)}), got {', '.join(choices)}")
            )


def _check_interpretations(doc: ContractDoc, file: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, interp in enumerate(doc.interpretations):
        path = f"interpretations[{i}]"
        if interp.id in seen:
            problems.append(Problem(file, f"{path}.id", f"duplicate interpretation id {interp.id!r}"))
        seen.add(interp.id)
        if interp.choice not in interp.readings:
            problems.append(
                Problem(file, f"{path}.choice", f"expected one of {', '.join(interp.readings)}, got {interp.choice!r}")
            )


def _check_readings(doc: ContractDoc, steps: list[BoundStep], file: str, problems: list[Problem]) -> None:
    """Steps gated by ``reading = "ID=CHOICE"``: the interpretation and the
    reading exist, and every reading of the interpretation produces the same
    items, so the result has the same shape whichever reading is chosen."""
    by_id = {i.id: i for i in doc.interpretations}
    produced: dict[str, dict[str, set[str]]] = {}
    first_path: dict[str, str] = {}
    for b in steps:
        if b.step.reading is None:
            continue
        path = f"steps[{b.index}].reading"
        gate = b.step.gate
        if gate is None:
            problems.append(Problem(file, path, f"expected ID=CHOICE such as 'utilization_rate=committed', got {b.step.reading!r}"))
            continue
        iid, choice = gate
        if iid not in by_id:
            hint = closest(iid, by_id)
            problems.append(Problem(file, path, f"no [[interpretations]] entry {iid!r}" + (f"; did you mean {hint!r}?" if hint else "")))
            continue
        if choice not in by_id[iid].readings:
            problems.append(Problem(file, path, f"{iid}: expected one of {', '.join(by_id[iid].readings)}, got {choice!r}"))
            continue
        first_path.setdefault(iid, path)
        produced.setdefault(iid, {}).setdefault(choice, set()).update(o.key for o in b.outputs.values())
    for iid, by_choice in produced.items():
        every = set().union(*by_choice.values())
        for choice in by_id[iid].readings:
            missing = every - by_choice.get(choice, set())
            if missing or choice not in by_choice:
                what = ", ".join(sorted(missing)) if missing else "anything"
                problems.append(
                    Problem(
                        file,
                        first_path[iid],
                        f"no step with reading = '{iid}={choice}' produces {what}: every reading of {iid!r} must produce the same items",
                    )
                )


def _bind_steps(
    doc: ContractDoc, spec: ContractSpec, registry: Registry, file: str, problems: list[Problem]
) -> list[BoundStep]:
    bound: list[BoundStep] = []
    for index, table in enumerate(doc.steps):
        path = f"steps[{index}]"
        b = _bind_step(index, table, registry, file, path, problems)
        if b is not None:
            bound.append(b)
    # names a step may read: facts keys and what earlier stages/steps produce
    known = facts_names(spec.facts_class)
    interp_ids = {i.id for i in doc.interpretations}
    produced: set[str] = set()
    _, period_kinds = period_field(spec.facts_class)
    kinds = [k.kind for k in period_kinds]
    ordered = sorted(bound, key=lambda b: (order(b.stage), b.index))
    for b in ordered:
        path = f"steps[{b.index}]"
        for i, kind in enumerate(b.step.periods or ()):
            if kind not in kinds:
                known_kinds = ", ".join(kinds)
                msg = f"expected a period kind of this contract's facts ({known_kinds}), got {kind!r}"
                if kind not in KIND_NAMES:
                    msg = f"expected one of {', '.join(KIND_NAMES)} (this contract's facts: {known_kinds}), got {kind!r}"
                problems.append(Problem(file, f"{path}.periods[{i}]", msg))
        for field_name, op in _operand_fields(b.params):
            if op.ref is not None and op.ref not in known and op.ref not in produced:
                hint = closest(op.ref, known | produced)
                msg = f"{op.ref!r} is neither a facts key nor an item of an earlier step"
                msg += f"; did you mean {hint!r}?" if hint else ""
                problems.append(Problem(file, f"{path}.{field_name}", msg))
        if b.step.when is not None and b.step.when not in known and b.step.when not in produced:
            hint = closest(b.step.when, known | produced)
            problems.append(
                Problem(file, f"{path}.when", f"unknown name {b.step.when!r}" + (f"; did you mean {hint!r}?" if hint else ""))
            )
        for iid in type(b.model).interpretation_ids(b.params):
            if iid not in interp_ids:
                hint = closest(iid, interp_ids)
                problems.append(
                    Problem(file, path, f"no [[interpretations]] entry {iid!r}" + (f"; did you mean {hint!r}?" if hint else ""))
                )
        produced.update(o.key for o in b.outputs.values())
    return bound


def _operand_fields(params: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for a in param_fields(params):
        v = getattr(params, a.name)
        if isinstance(v, Operand):
            out.append((a.name, v))
        elif isinstance(v, tuple):
            out.extend((f"{a.name}[{i}]", x) for i, x in enumerate(v) if isinstance(x, Operand))
    return out


def _bind_step(
    index: int, table: Any, registry: Registry, file: str, path: str, problems: list[Problem]
) -> BoundStep | None:
    if not isinstance(table, dict):
        problems.append(Problem(file, path, "expected a table"))
        return None
    model_name = table.get("model")
    if model_name not in registry.models:
        hint = closest(str(model_name), registry.models)
        msg = f"unknown model {model_name!r}" if model_name else "required key missing: model"
        msg += f"; did you mean {hint!r}?" if hint else f"; models: {', '.join(sorted(registry.models))}"
        problems.append(Problem(file, join_path(path, "model"), msg))
        return None
    model_cls = registry.model(model_name)
    # one table, two classes: the common step keys and the model's own Params
    (step, params), found = try_structure_parts(table, (Step, model_cls.Params), file, path)
    problems.extend(found)
    if step is None or params is None or found:
        return None
    before = len(problems)
    model = model_cls()
    roles = dict(model_cls.output_roles(params))
    outputs: dict[str, OutputSpec] = {}
    role_list = list(roles)
    if model_cls.outputs_from_params:
        outputs = {r: OutputSpec(r, roles[r], None) for r in role_list}
    elif role_list:
        first = role_list[0]
        if step.key is None:
            problems.append(Problem(file, join_path(path, "key"), f"required key missing: the key of the {first!r} item"))
        else:
            outputs[first] = OutputSpec(step.key, step.label or roles[first])
        for r in role_list[1:]:
            if r not in step.outputs:
                problems.append(
                    Problem(file, f"{path}.outputs.{r}", f"required: {{ key = ..., label = ... }} for the {r!r} item ({roles[r]})")
                )
            else:
                outputs[r] = step.outputs[r]
        for r in step.outputs:
            if r not in roles:
                hint = closest(r, role_list)
                problems.append(
                    Problem(file, f"{path}.outputs.{r}", f"model {model_name!r} has no output {r!r}" + (f"; did you mean {hint!r}?" if hint else ""))
                )
    if len(problems) > before:
        return None
    stage = step.stage or model_cls.stage
    return BoundStep(index=index, step=step, model=model, params=params, outputs=outputs, stage=stage)


def facts_names(facts_class: type) -> set[str]:
    """Every name a step may read from facts: fields, nested list fields,
    and properties."""
    names: set[str] = set()
    if not attrs.has(facts_class):
        return names
    attrs.resolve_types(facts_class)
    for a in attrs.fields(facts_class):
        names.add(a.name)
        for arg in typing.get_args(a.type) or ():
            if attrs.has(arg):
                names |= facts_names(arg)
    for klass in facts_class.__mro__:
        for k, v in vars(klass).items():
            if isinstance(v, property):
                names.add(k)
    return names
