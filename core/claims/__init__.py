"""Claim logs at scale: per-claim deadlines, lateness and benefit, in DuckDB.

A contract's ``[claims]`` table says what a claim log means for it: which
``kind`` values exist and which ``[[deadlines]]`` entry each is settled
against, the file's column headers, the benefit rule (if the contract sets
one, with its figures taken from ``[[terms]]``), and the counts that feed the
period's deductions. :func:`run_claims` reads a CSV or Parquet log with
DuckDB — columnar and streaming, no Python object per row, memory bounded by
DuckDB's ``memory_limit`` (it spills to a temporary directory) — and writes
one output row per good claim plus a summary. Bad cells are reported with
file, row and column; the rest of the file is still processed; nothing is
dropped silently. See ``docs/claims.md``.

One room per concern, each importing only those before it:

* :mod:`.spec` — the ``[claims]`` table's shapes and checks; no DuckDB, so
  the contract loader can check ``[claims]`` at load time;
* :mod:`.sql` — the queries, as text;
* :mod:`.report` — the report classes, JSON and table;
* :mod:`.run` — :func:`run_claims`: DuckDB, progress, interrupts, memory.

The names below are re-exported lazily: importing this package (which
importing :mod:`.spec` does) loads :mod:`.spec` only, and DuckDB is imported
only when a claim log is run — ``yibao compute`` never pays for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .spec import (
    BenefitRule,
    ClaimColumns,
    ClaimCount,
    ClaimsDoc,
    check_claims_doc,
    claims_doc,
    structure_claims,
    term_value,
)

if TYPE_CHECKING:
    from .report import BadRow, ClaimsReport, CountRow, SummaryRow, render_report
    from .run import ProgressFn, run_claims

#: name -> the module of this package that defines it, imported on first use
_LAZY = {
    "BadRow": "report",
    "ClaimsReport": "report",
    "CountRow": "report",
    "SummaryRow": "report",
    "render_report": "report",
    "ProgressFn": "run",
    "run_claims": "run",
}

__all__ = [
    "BadRow",
    "BenefitRule",
    "ClaimColumns",
    "ClaimCount",
    "ClaimsDoc",
    "ClaimsReport",
    "CountRow",
    "ProgressFn",
    "SummaryRow",
    "check_claims_doc",
    "claims_doc",
    "render_report",
    "run_claims",
    "structure_claims",
    "term_value",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
