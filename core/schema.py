"""JSON Schemas generated from the attrs classes, for editors and hosts.

``yibao schema CITY`` prints the schema of the city's contract TOML (the
common keys plus one variant per registered model); ``--facts`` prints the
schema of its facts. The committed copies in ``schemas/`` are checked by a
test, so they never go stale.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any

import attrs

from .contract import STEP_KEYS, ContractDoc, Step
from .models import resolve
from .money import Money
from .periods import ContractQuarter, Month, Period, Quarter, Year, kinds_of

NUMBER = {"type": ["number", "integer", "string"], "description": "a number; strings such as '17811万' or '3.85%' are accepted"}


def _is_operand(tp: Any) -> bool:
    return getattr(tp, "__name__", "") == "Operand"


def _period_schema(kind: type[Period]) -> dict[str, Any]:
    """A period kind as its facts file writes it (:mod:`yibao.periods`)."""
    if kind is Year:
        return {"type": "integer", "description": kind.expected}
    if kind is ContractQuarter:
        return {"type": "integer", "minimum": 1, "description": kind.expected}
    pattern = {Quarter: r"^\d{4}Q[1-4]$", Month: r"^\d{4}-(0[1-9]|1[0-2])$"}[kind]
    return {"type": "string", "pattern": pattern, "description": kind.expected}


def type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one Python type annotation."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return type_schema(inner[0], defs)
        return {"anyOf": [type_schema(a, defs) for a in inner]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (tuple, list):
        item = args[0] if args else Any
        return {"type": "array", "items": type_schema(item, defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": type_schema(args[1], defs)}
    kinds = kinds_of(tp)
    if kinds:
        return {"anyOf": [_period_schema(k) for k in kinds]} if len(kinds) > 1 else _period_schema(kinds[0])
    if _is_operand(tp):
        return {"type": ["string", "number", "integer"], "description": "a number, or the name of a facts key or of an earlier item"}
    if tp is Money:
        return {**NUMBER, "description": "an amount in 元, at most two decimals (分); strings such as '41.43万' are accepted"}
    if tp is Decimal:
        return dict(NUMBER)
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:
        return {"type": "string"}
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if isinstance(tp, type) and attrs.has(tp):
        name = tp.__qualname__.replace(".", "_")
        if name not in defs:
            defs[name] = {}
            defs[name] = class_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    return {}


def class_schema(cls: type, defs: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An attrs class as a closed object schema (unknown keys rejected)."""
    attrs.resolve_types(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for a in attrs.fields(cls):
        if a.name in skip or a.name.startswith("_"):
            continue
        props[a.name] = type_schema(a.type, defs)
        if a.default is attrs.NOTHING:
            required.append(a.name)
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    if cls.__doc__:
        out["description"] = " ".join(cls.__doc__.split())
    return out


def contract_schema(models: dict[str, Any], title: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = class_schema(ContractDoc, defs)
    step_common = class_schema(Step, defs)
    variants = []
    for name in sorted(models):
        model = resolve(models[name])
        params = class_schema(model.Params, defs)
        props = {**step_common["properties"], **params["properties"], "model": {"const": name}}
        req = sorted(set(step_common.get("required", [])) | set(params.get("required", [])))
        variant = {"type": "object", "properties": props, "required": req, "additionalProperties": False}
        doc = model.__doc__
        if doc:
            variant["description"] = " ".join(doc.split())
        variants.append(variant)
    root["properties"]["steps"] = {"type": "array", "items": {"oneOf": variants}}
    assert STEP_KEYS  # the common keys are those of Step
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}


def facts_schema(facts_class: type, title: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = class_schema(facts_class, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}
