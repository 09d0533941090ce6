"""The one output contract: every JSON document yibao prints or serves.

Every document carries ``schema_version`` (an integer, raised when a key is
removed or changes meaning; adding keys does not raise it) and
``yibao_version``. A compute is one envelope whether it holds one period or
many::

    {"schema_version": 1, "yibao_version": "0.1.0",
     "contract": "xinxiang-2025", "city": "xinxiang",
     "inputs": {"contract_id": ..., "contract_sha256": ...,
                "facts": [{"source": "bundled example", "period": "2025"}],
                "readings": {"fractional_points": "proportional", ...}},
     "period": ..., "items": [...], "findings": [...], "interpretations": [...],
     "results": [{"period": ..., "items": ..., "findings": ..., "interpretations": ...}]}

The top-level ``period``/``items``/``findings``/``interpretations`` are those of
the last period computed (for one period, the only one), so the single-period
shape of DESIGN.md ("Results") still reads at the top level; ``results``
lists every period in order. An input error is a document too::

    {"schema_version": 1, "yibao_version": "0.1.0", "error": "input",
     "problems": [{"file": "2025.toml", "path": "regions[0].insured", "message": "..."}]}

The CLI (``--format json``), :func:`yibao.api.envelope` and ``yibao serve``
all build their documents here. The JSON Schemas of both documents are
:func:`compute_schema` and :func:`error_schema` (committed in ``schemas/``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .contract import Contract
    from .errors import Problem
    from .results import Result

#: raised when a key of a document is removed or changes meaning
SCHEMA_VERSION = 1

#: ``inputs.facts[].source`` when no facts were given
BUNDLED = "bundled example"

_DIGESTS: dict[tuple[str, int, int], str] = {}


def stamp(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` with ``schema_version`` and ``yibao_version`` first (a key of
    the same name already in ``doc`` is kept)."""
    return {"schema_version": SCHEMA_VERSION, "yibao_version": __version__, **doc}


def contract_sha256(contract: Contract) -> str:
    """The SHA-256 of the contract TOML's bytes (hex), computed once per
    file version (path, size, modification time)."""
    import os  # noqa: PLC0415 - tiny, but kept off the import of this module

    st = os.stat(contract.path)
    key = (contract.path, st.st_size, st.st_mtime_ns)
    digest = _DIGESTS.get(key)
    if digest is None:
        from .cache import sha256  # noqa: PLC0415 - the interpreter's built-in SHA-256 (no OpenSSL)

        with open(contract.path, "rb") as f:
            digest = _DIGESTS[key] = sha256(f.read()).hexdigest()
    return digest


def inputs(contract: Contract, results: Sequence[Result], sources: Sequence[str | None] | None) -> dict[str, Any]:
    """What a compute was computed from: the contract (id and hash), each
    period's facts source, the readings in effect."""
    srcs = list(sources) if sources is not None else [None] * len(results)
    return {
        "contract_id": contract.doc.id,
        "contract_sha256": contract_sha256(contract),
        "facts": [{"source": s, "period": r.period} for s, r in zip(srcs, results, strict=True)],
        "readings": {i.id: i.choice for i in contract.doc.interpretations},
    }


def period_dict(result: Result) -> dict[str, Any]:
    """One period of a compute: its period, items, findings and interpretations."""
    d = result.to_dict()
    return {k: d[k] for k in ("period", "items", "findings", "interpretations")}


def envelope(contract: Contract, results: Sequence[Result], sources: Sequence[str | None] | None = None) -> dict[str, Any]:
    """The compute document of one or more consecutive periods.

    :param sources: per period, where its facts came from: a path,
        ``"bundled example"``, ``"stdin"``, ``"request"``; ``None`` when unknown.
    """
    if not results:
        raise ValueError("a compute envelope needs at least one result")
    periods = [period_dict(r) for r in results]
    last = results[-1]
    return stamp(
        {
            "contract": last.contract,
            "city": last.city,
            "inputs": inputs(contract, results, sources),
            **periods[-1],
            "results": periods,
        }
    )


def problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "path": p.path, "message": p.message, **({"cell": p.cell} if p.cell else {})}
        for p in problems
    ]


def error_document(problems: Iterable[Problem], error: str = "input") -> dict[str, Any]:
    """An error as data: ``error`` names its class (``"input"``), ``problems``
    lists each problem with file, key path and message."""
    return stamp({"error": error, "problems": problem_dicts(problems)})


# --------------------------------------------------------------- JSON Schemas

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NULLABLE_STR = {"type": ["string", "null"]}
_VERSIONS = {
    "schema_version": {"const": SCHEMA_VERSION, "description": "Raised when a key is removed or changes meaning."},
    "yibao_version": {"type": "string"},
}


def _period_schema() -> dict[str, Any]:
    return {
        "period": {"type": "string", "description": "The period computed (2025, 2025Q3, 2025-07, …)."},
        "items": {"type": "array", "items": {"$ref": "#/$defs/LineItem"}},
        "findings": {"type": "array", "items": {"$ref": "#/$defs/Finding"}},
        "interpretations": {"type": "array", "items": {"$ref": "#/$defs/Interpretation"}},
    }


def compute_schema() -> dict[str, Any]:
    """The JSON Schema of a compute document (``yibao compute --format json``,
    ``POST /contracts/{city}/compute``)."""
    period = _period_schema()
    return {
        "$schema": _DIALECT,
        "title": "yibao compute result",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "yibao_version", "contract", "city", "inputs", *period, "results"],
        "properties": {
            **_VERSIONS,
            "contract": {"type": "string", "description": "The contract id (its TOML's `id`)."},
            "city": {"type": "string"},
            "inputs": {"$ref": "#/$defs/Inputs"},
            **period,
            "results": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Period"}},
        },
        "$defs": {
            "Inputs": {
                "type": "object",
                "additionalProperties": False,
                "required": ["contract_id", "contract_sha256", "facts", "readings"],
                "properties": {
                    "contract_id": {"type": "string"},
                    "contract_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "facts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["source", "period"],
                            "properties": {
                                "source": {**_NULLABLE_STR, "description": "A path, 'bundled example', 'stdin' or 'request'."},
                                "period": {"type": "string"},
                            },
                        },
                    },
                    "readings": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "Period": {
                "type": "object",
                "additionalProperties": False,
                "required": list(period),
                "properties": period,
            },
            "LineItem": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "scope", "label", "amount", "formula", "clause"],
                "properties": {
                    "key": {"type": "string"},
                    "scope": _NULLABLE_STR,
                    "label": {"type": "string"},
                    "amount": {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": "元, exactly two decimals."},
                    "formula": {"type": "string"},
                    "clause": {"type": "string"},
                    "kind": {"enum": ["contingent", "total"], "description": "Absent for an ordinary payment."},
                },
            },
            "Finding": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "severity", "scope", "message", "clause"],
                "properties": {
                    "key": {"type": "string"},
                    "severity": {"enum": ["info", "warning", "violation"]},
                    "scope": _NULLABLE_STR,
                    "message": {"type": "string"},
                    "clause": {"type": "string"},
                },
            },
            "Interpretation": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "clause", "reading", "alternatives"],
                "properties": {
                    "id": {"type": "string"},
                    "clause": {"type": "string"},
                    "reading": {"type": "string"},
                    "alternatives": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    }


def error_schema() -> dict[str, Any]:
    """The JSON Schema of an error document (``--format json`` on exit 2)."""
    return {
        "$schema": _DIALECT,
        "title": "yibao input error",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "yibao_version", "error", "problems"],
        "properties": {
            **_VERSIONS,
            "error": {"const": "input"},
            "problems": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["file", "path", "message"],
                    "properties": {
                        "file": {**_NULLABLE_STR, "description": "The file (or 'command line', 'request'); null when none."},
                        "path": {"type": "string", "description": "The key path, e.g. regions[0].insured; empty for the whole document."},
                        "message": {"type": "string"},
                        "cell": {"type": "string", "description": "For a workbook (.xlsx) input: sheet and cell, e.g. 地区!C3."},
                    },
                },
            },
        },
    }


#: the committed output schemas: file name in schemas/ -> builder
OUTPUT_SCHEMAS = {"output.compute.schema.json": compute_schema, "output.error.schema.json": error_schema}
