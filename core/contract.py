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
from collections.abc import Mapping
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .inputs import Scalar, read_toml, structure, try_structure
from .errors import FieldError, InputError, Problem, closest, join_path
from .models import FindingSpec, Model
from .results import Interpretation

if TYPE_CHECKING:
    from .registry import Registry

STAGES: tuple[str, ...] = ("fees", "risk", "assessment", "settlement", "staffing")


@attrs.frozen(eq=False, repr=False)
class ContractSpec:
    """What a plugin hands to ``register`` in ``yibao_register_contracts``.

    :param name: the name users type (``yibao compute xinxiang``): the city.
    :param contract_file: the bundled ``contract.toml``.
    :param facts_class: the attrs class a period's facts are structured into.
        It has a ``period`` attribute or property (``"2025"``, ``"2026Q1"``)
        and may have ``period_kind`` (default ``"year"``) and
        ``validate_against(contract) -> list[(key_path, message)]``.
    :param examples: bundled example facts files, the first is the default.
    """

    name: str
    contract_file: Path | Traversable
    facts_class: type
    examples: tuple[Path | Traversable, ...] = ()
    description: str = ""


# --------------------------------------------------------------- TOML shapes
@attrs.frozen(eq=False, repr=False)
class Parties:
    bureau: str
    insurer: str


@attrs.frozen(eq=False, repr=False)
class Term:
    start: dt.date
    end: dt.date
    clause: str

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise FieldError("end", f"expected an end date on or after {self.start}")


@attrs.frozen(eq=False, repr=False)
class TermEntry:
    """A term shown by ``yibao show`` that computes nothing (notice periods,
    offices, benefit rules read by later processing)."""

    key: str
    label: str
    value: Scalar
    clause: str


@attrs.frozen(eq=False, repr=False)
class Deadline:
    """A deadline the contract sets, counted from an event."""

    key: str
    label: str
    clause: str
    count: int
    unit: Literal["working_days", "days", "months"]
    start: str


@attrs.frozen(eq=False, repr=False)
class StatedCheck:
    """Arithmetic the contract states, which ``yibao validate`` re-does: the
    parts must add up to the total, the 大写 words must read as the total."""

    key: str
    label: str
    clause: str
    total: Decimal
    parts: tuple[Decimal, ...] = ()
    words: str | None = None


@attrs.frozen(eq=False, repr=False)
class Carry:
    """In a multi-period run, the item of one period that becomes a fact of
    the next (淮阳: 滚存结余 at year end -> the next year's start)."""

    fact: str
    item: str
    clause: str


@attrs.frozen(eq=False, repr=False)
class OutputSpec:
    key: str
    label: str
    clause: str | None = None


@attrs.frozen(eq=False, repr=False)
class Step:
    """The keys every ``[[steps]]`` table may have, besides its model's own."""

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


STEP_KEYS = frozenset(a.name for a in attrs.fields(Step))


@attrs.frozen(eq=False, repr=False)
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
    signed_on: dt.date | None = None
    #: ``[calendar]``: holiday tables for years the chinesecalendar package
    #: lacks; kept as read and structured by :mod:`yibao.calendar` when a
    #: deadline is counted (so loading a contract imports nothing for it)
    calendar: dict[str, Any] | None = None
    #: ``[claims]``: how a claim log is read; structured and checked by
    #: :mod:`yibao.claims` (``yibao claims``, ``yibao validate``)
    claims: dict[str, Any] | None = None


@attrs.frozen(eq=False, repr=False)
class BoundStep:
    """A step bound to its model, parameters structured, outputs resolved."""

    index: int
    step: Step
    model: Model
    params: Any
    outputs: dict[str, OutputSpec]
    stage: str


@attrs.frozen(eq=False, repr=False)
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
def load_contract(spec: ContractSpec, registry: Registry, path: str | Path | None = None) -> Contract:
    """Read and check a contract TOML (the bundled one unless ``path``).

    :raises InputError: every problem found, each with file and key path.
    """
    source = path if path is not None else spec.contract_file
    file = str(source)
    raw = read_toml(source) if isinstance(source, (str, Path)) else _read_traversable(source)
    doc = structure(raw, ContractDoc, file)
    problems: list[Problem] = []
    _check_interpretations(doc, file, problems)
    steps = _bind_steps(doc, spec, registry, file, problems)
    _check_readings(doc, steps, file, problems)
    if problems:
        raise InputError(problems)
    return Contract(doc=doc, spec=spec, path=file, steps=tuple(steps), registry=registry)


def _read_traversable(t: Traversable) -> dict[str, Any]:
    from .inputs import parse_toml  # noqa: PLC0415

    return parse_toml(t.read_text(encoding="utf-8"), str(t))


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
    ordered = sorted(bound, key=lambda b: (STAGES.index(b.stage), b.index))
    for b in ordered:
        path = f"steps[{b.index}]"
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
    from .operands import Operand  # noqa: PLC0415

    out: list[tuple[str, Any]] = []
    for a in attrs.fields(type(params)):
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
    model_cls = registry.models[model_name]
    params_cls = model_cls.Params
    param_keys = {a.alias or a.name for a in attrs.fields(params_cls)}
    common = {k: v for k, v in table.items() if k in STEP_KEYS}
    rest = {k: v for k, v in table.items() if k not in STEP_KEYS}
    before = len(problems)
    for k in sorted(set(rest) - param_keys):
        hint = closest(k, param_keys | STEP_KEYS)
        msg = f"unknown key {k!r} for model {model_name!r}"
        msg += f"; did you mean {hint!r}?" if hint else f"; its keys: {', '.join(sorted(param_keys))}"
        problems.append(Problem(file, join_path(path, k), msg))
    rest = {k: v for k, v in rest.items() if k in param_keys}
    step, found = try_structure(common, Step, file, path)
    problems.extend(found)
    if step is None:
        return None
    params, found = try_structure(rest, params_cls, file, path)
    problems.extend(found)
    if params is None:
        return None
    if len(problems) > before:
        return None
    model = model_cls()
    roles = dict(getattr(model_cls, "dynamic_outputs", lambda p: model_cls.outputs)(params))
    outputs: dict[str, OutputSpec] = {}
    role_list = list(roles)
    if hasattr(model_cls, "dynamic_outputs"):
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
