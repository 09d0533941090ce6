"""The settlement ledger: every recorded settlement and payment, in one
SQLite file, in a hash chain (``yibao ledger``, ``yibao compute --record``).

Not to be confused with :class:`yibao.results.Ledger`, the in-memory
collector of one computation's items. The parts:

- :mod:`yibao.ledger.entries` — entries, canonical JSON, hashes (no SQL);
- :mod:`yibao.ledger.store` — the SQLite file: every SQL statement, the
  schema version and its migrations;
- :mod:`yibao.ledger.book` — recording, verifying, the balance, export.

Host systems use the wrappers in :mod:`yibao.api` (``record``,
``record_payment``, ``ledger_entries``, ``verify_ledger``, ``balance``,
``paid``, ``recorded_result``, …). Imported only by them and by the
``ledger`` command: ``yibao compute`` imports it only with ``--record``.
"""

from __future__ import annotations

from .book import Run, Verification
from .entries import Entry
from .store import SCHEMA_VERSION, Store, default_path

__all__ = ["SCHEMA_VERSION", "Entry", "Run", "Store", "Verification", "default_path"]
