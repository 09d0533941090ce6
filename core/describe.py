"""A contract's terms as data: what ``show``, ``compare``, ``diff`` and
``schema`` print, computed here so that a host gets the same data from
:mod:`yibao.api` as a user gets from the command line.

Nothing here prints, loads a contract or computes a period: the API does
that and hands the results in. This module is imported only by those four
uses, never by ``compute``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .models.base import param_fields
from .operands import Operand
from .schema import contract_schema, facts_schema
from .stages import STAGES

if TYPE_CHECKING:
    from .contract import Contract
    from .registry import Registry
    from .results import Result
    from .spec import ContractSpec


def describe_contract(c: Contract) -> dict[str, Any]:
    """A contract's terms as data (``yibao show``): parties, term, every step
    with its parameters and clause, the terms, deadlines and interpretations."""
    d = c.doc
    steps = []
    for b in c.steps:
        for spec in b.outputs.values() or [None]:
            steps.append(
                {
                    "key": spec.key if spec else "—",
                    "label": spec.label if spec else (b.step.scope or b.step.model),
                    "model": b.step.model,
                    "stage": b.stage,
                    "clause": (spec.clause if spec and spec.clause else b.step.clause),
                    "params": describe_contract_step(b, sep="; "),
                }
            )
    return {
        "contract": d.id,
        "city": d.city,
        "title": d.title,
        "kind": d.kind,
        "parties": {"bureau": d.parties.bureau, "insurer": d.parties.insurer},
        "term": {"start": d.term.start.isoformat(), "end": d.term.end.isoformat(), "clause": d.term.clause},
        "steps": steps,
        "terms": [{"key": t.key, "label": t.label, "value": str(t.value) if not isinstance(t.value, (int, bool, str)) else t.value, "clause": t.clause} for t in d.terms],
        "deadlines": [attrs.asdict(x) for x in d.deadlines],
        "interpretations": [
            {"id": i.id, "clause": i.clause, "question": i.question, "choice": i.choice, "readings": dict(i.readings)}
            for i in d.interpretations
        ],
    }


def describe_contract_step(b: Any, sep: str = " ") -> str:
    """One step's parameters in a line, as the TOML writes them (``show``,
    ``compare``): operands as written, tables by their number of bands."""
    parts = []
    for a in param_fields(b.params):
        v = getattr(b.params, a.name)
        if v is None or v == () or v is False or a.name.endswith("interpretation") or a.name == "finding_key":
            continue
        if isinstance(v, tuple) and v and attrs.has(type(v[0])) and not isinstance(v[0], Operand):
            v = f"{len(v)}档"
        elif isinstance(v, tuple):
            v = "[" + ", ".join(str(x) for x in v) + "]"
        elif attrs.has(type(v)) and not isinstance(v, Operand):
            v = getattr(v, "summary", None) or getattr(v, "key", type(v).__name__)
        elif isinstance(v, dict):  # ladders, categories: values, or list lengths
            v = "{" + ", ".join(f"{k}: {len(x)}项" if isinstance(x, tuple) else f"{k}={x}" for k, x in v.items()) + "}"
        parts.append(f"{a.name}={v}")
    if b.step.when is not None:
        parts.append(f"when={b.step.when}")
    return (f"[{b.step.reading}] " if b.step.reading else "") + sep.join(parts)


def compare_contracts(contracts: Iterable[Contract]) -> dict[str, dict[str, list[str]]]:
    """Contracts side by side (``yibao compare``): for each contract (by
    name), for each stage of :data:`yibao.stages.STAGES` in order, one line
    per step — its label, parameters and clause. A stage a contract has no
    step in is an empty list, so every contract has the same shape."""
    data: dict[str, dict[str, list[str]]] = {}
    for c in contracts:
        cells: dict[str, list[str]] = {s.name: [] for s in STAGES}
        for b in c.steps:
            label = next(iter(b.outputs.values())).label if b.outputs else (getattr(b.params, "group", None) or b.step.model)
            cells[b.stage].append(f"{label}: {describe_contract_step(b)} [{b.step.clause}]")
        data[c.name] = cells
    return data


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A TOML document as ``key.path -> scalar`` (lists indexed), so two
    versions compare key by key."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def _natural(key: str) -> list[Any]:
    """Sort key that puts ``steps[2]`` before ``steps[10]``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key)]


def parameter_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every key path whose value differs between two parsed contract TOML
    documents (``yibao diff``), in natural key order; ``None`` where a side
    lacks the key."""
    a, b = flatten(dict(old)), flatten(dict(new))
    return [
        {"key": k, "old": a.get(k), "new": b.get(k)}
        for k in sorted(set(a) | set(b), key=_natural)
        if a.get(k) != b.get(k)
    ]


def item_changes(old: Result, new: Result) -> list[dict[str, Any]]:
    """Every line item whose amount differs between two results of the same
    facts (``yibao diff --facts``): old, new and the change as two-decimal
    strings, ``None`` for an item one side lacks, and the clause."""
    before = {(i.key, i.scope): i for i in old.items}
    after = {(i.key, i.scope): i for i in new.items}
    items: list[dict[str, Any]] = []
    for key in list(dict.fromkeys([*before, *after])):
        x, y = before.get(key), after.get(key)
        xa, ya = (x.amount if x else None), (y.amount if y else None)
        if xa != ya:
            items.append(
                {
                    "key": key[0],
                    "scope": key[1],
                    "old": None if xa is None else f"{xa:.2f}",
                    "new": None if ya is None else f"{ya:.2f}",
                    "change": f"{(ya or 0) - (xa or 0):.2f}",
                    "clause": (y or x).clause,  # type: ignore[union-attr]
                }
            )
    return items


def schema_for(reg: Registry, city: str, for_facts: bool) -> dict[str, Any]:
    """The JSON Schema of a registered contract's facts (``for_facts``) or of
    contract TOML under the registry's models. ``city`` must be registered:
    :func:`yibao.api.contract_schema` / ``facts_schema`` check the name and
    suggest the closest one."""
    if for_facts:
        return facts_schema(reg.contracts[city].facts_class, f"yibao {city} facts")
    return contract_schema(reg.models, f"yibao {city} contract")


def dump_schema(schema: dict[str, Any]) -> str:
    """A schema as committed in ``schemas/``: sorted keys, two-space indent,
    one trailing newline, so a regenerated file diffs only where it changed."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def contract_rows(
    specs: Iterable[ContractSpec], load: Callable[[str], Contract], owner: Callable[[str], str]
) -> list[dict[str, Any]]:
    """One row per contract — name, plugin, contract id, title, parties,
    term — as ``yibao list`` and ``GET /contracts`` show them. A contract
    whose TOML does not load gets a row with its error: one broken file
    must not hide the other cities."""
    rows: list[dict[str, Any]] = []
    for spec in specs:
        try:
            d = load(spec.name).doc
        except Exception as exc:
            rows.append({"name": spec.name, "plugin": owner(spec.name), "error": str(exc)})
            continue
        rows.append(
            {
                "name": spec.name,
                "plugin": owner(spec.name),
                "contract": d.id,
                "title": d.title,
                "bureau": d.parties.bureau,
                "insurer": d.parties.insurer,
                "start": d.term.start.isoformat(),
                "end": d.term.end.isoformat(),
            }
        )
    return rows
