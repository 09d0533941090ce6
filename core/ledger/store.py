"""Where the ledger lives: one SQLite file (the standard library's sqlite3,
WAL). Every SQL statement of the ledger is in this module, so a server
database for a shared service can be added beside :class:`Store` without
touching the rest.

Tables (schema version 1, ``PRAGMA user_version``):

- ``entries``: one row per entry, never updated or deleted (triggers refuse
  both: they stop accidents; the hash chain shows deliberate edits);
- ``contracts``: the text of every contract TOML recorded against, by its
  SHA-256 (what ``verify --recompute`` runs again);
- ``head``: the last entry's id and hash, written in the same transaction
  as the entry, so deleting the newest rows shows too.

Writing is one ``BEGIN IMMEDIATE`` transaction per record command: a second
process waits for the first (``busy_timeout``), both land; a process killed
mid-write leaves the file as it was before its transaction.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError
from .entries import GENESIS, Entry

#: the newest schema this yibao writes; a file with a higher version is refused
SCHEMA_VERSION = 1
#: seconds a writer waits for another process's transaction
BUSY_TIMEOUT = 60.0
#: the triggers that refuse changes (``verify`` warns when one is gone)
GUARDS = ("entries_no_update", "entries_no_delete", "contracts_no_update", "contracts_no_delete")

_COLUMNS = "id, kind, contract, city, period, recorded_at, recorded_by, reason, supersedes, amount, body, prev_hash, hash"

_V1 = """
CREATE TABLE entries (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('settlement', 'payment')),
    contract    TEXT NOT NULL,
    city        TEXT NOT NULL,
    period      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    reason      TEXT,
    supersedes  INTEGER REFERENCES entries (id),
    amount      TEXT,              -- a payment's amount, a decimal string: never REAL
    body        TEXT NOT NULL,     -- canonical JSON
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX entries_by_period ON entries (contract, period, kind);
CREATE TABLE contracts (sha256 TEXT PRIMARY KEY, toml BLOB NOT NULL);
CREATE TABLE head (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are never changed: record a correction'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are never deleted: record a correction'); END;
CREATE TRIGGER contracts_no_update BEFORE UPDATE ON contracts
    BEGIN SELECT RAISE(ABORT, 'recorded contract texts are never changed'); END;
CREATE TRIGGER contracts_no_delete BEFORE DELETE ON contracts
    BEGIN SELECT RAISE(ABORT, 'recorded contract texts are never deleted'); END;
"""

#: MIGRATIONS[n] takes a file from version n to n + 1 (run once each, in order,
#: each in its own transaction)
MIGRATIONS: tuple[str, ...] = (_V1,)

#: called just before a write commits; a test sets it to stop a process there
_before_commit: Callable[[], None] | None = None


def _entry(row: Sequence[object]) -> Entry:
    return Entry(*row)  # type: ignore[arg-type]


def _when_unlocked(step: Callable[[], object]) -> None:
    """Run ``step``, retrying while SQLite says the database is locked.

    Two processes opening a new ledger at once race to switch it to WAL and
    to create its tables; SQLite answers the loser "database is locked"
    at once for a journal-mode change (its busy handler is not called there,
    to avoid a deadlock), so the wait is done here, up to ``BUSY_TIMEOUT``.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class Store:
    """An open ledger file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise InputError.one(str(self.path), "--ledger", "is a directory; expected a ledger file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            _when_unlocked(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
            self.conn.execute("PRAGMA synchronous=FULL")
            _when_unlocked(self._migrate)
        except sqlite3.DatabaseError as exc:
            raise InputError.one(str(self.path), "--ledger", f"not a yibao ledger (SQLite says: {exc})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- schema
    @property
    def version(self) -> int:
        v: int = self.conn.execute("PRAGMA user_version").fetchone()[0]
        return v

    def _migrate(self) -> None:
        if self.version > SCHEMA_VERSION:
            raise InputError.one(
                str(self.path),
                "--ledger",
                f"written by a newer yibao (ledger schema {self.version}; this version reads up to {SCHEMA_VERSION}): upgrade yibao",
            )
        while self.version < SCHEMA_VERSION:
            with self._transaction():
                current = self.version  # re-read: another process may have migrated meanwhile
                if current >= SCHEMA_VERSION:
                    break
                for stmt in _statements(MIGRATIONS[current]):
                    self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA user_version = {current + 1}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            if _before_commit is not None:
                _before_commit()
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # ---- writing
    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One write transaction: read the head, append entries, commit."""
        with self._transaction():
            yield Writer(self)

    # ---- reading
    def entries(self, *, kind: str | None = None, contract: str | None = None, period: str | None = None) -> list[Entry]:
        """Entries in order; ``contract`` matches the contract id or the city."""
        sql = f"SELECT {_COLUMNS} FROM entries WHERE 1=1"
        args: list[object] = []
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        if contract is not None:
            sql += " AND (contract = ? OR city = ?)"
            args += [contract, contract]
        if period is not None:
            sql += " AND period = ?"
            args.append(period)
        return [_entry(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def superseded(self) -> set[int]:
        """The ids of settlements a later entry supersedes."""
        return {r[0] for r in self.conn.execute("SELECT supersedes FROM entries WHERE supersedes IS NOT NULL")}

    def entry(self, entry_id: int) -> Entry | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def head(self) -> tuple[int, str]:
        """(last id, last hash) as the head table records them; (0, GENESIS) when empty."""
        row = self.conn.execute("SELECT last_id, hash FROM head WHERE one = 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def contract_text(self, sha256: str) -> bytes | None:
        row = self.conn.execute("SELECT toml FROM contracts WHERE sha256 = ?", (sha256,)).fetchone()
        return bytes(row[0]) if row else None

    def contract_texts(self) -> list[tuple[str, bytes]]:
        return [(r[0], bytes(r[1])) for r in self.conn.execute("SELECT sha256, toml FROM contracts ORDER BY sha256")]

    def guards(self) -> set[str]:
        """The guard triggers present."""
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} & set(GUARDS)


class Writer:
    """What a write transaction may do (see :meth:`Store.writing`)."""

    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        self._store = store

    def head(self) -> tuple[int, str]:
        return self._store.head()

    def current_settlement(self, contract: str, period: str) -> Entry | None:
        """The settlement of ``contract`` and ``period`` no later entry supersedes."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM entries e WHERE kind = 'settlement' AND contract = ? AND period = ? "
            "AND NOT EXISTS (SELECT 1 FROM entries s WHERE s.supersedes = e.id) ORDER BY id DESC LIMIT 1",
            (contract, period),
        ).fetchone()
        return _entry(row) if row else None

    def add_contract(self, sha256: str, toml: bytes) -> None:
        self.conn.execute("INSERT OR IGNORE INTO contracts (sha256, toml) VALUES (?, ?)", (sha256, toml))

    def append(self, entry: Entry) -> None:
        """Insert a sealed entry and move the head to it."""
        self.conn.execute(
            f"INSERT INTO entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.id,
                entry.kind,
                entry.contract,
                entry.city,
                entry.period,
                entry.recorded_at,
                entry.recorded_by,
                entry.reason,
                entry.supersedes,
                entry.amount,
                entry.body,
                entry.prev_hash,
                entry.hash,
            ),
        )
        self.conn.execute(
            "INSERT INTO head (one, last_id, hash) VALUES (1, ?, ?) "
            "ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash",
            (entry.id, entry.hash),
        )


def _statements(script: str) -> list[str]:
    """A migration script split into statements (triggers kept whole)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def default_path() -> Path:
    """``YIBAO_LEDGER``, else ``ledger.sqlite`` in the user data directory
    (platformdirs: ``~/.local/share/yibao`` on Linux)."""
    env = os.environ.get("YIBAO_LEDGER")
    if env:
        return Path(env)
    import platformdirs  # noqa: PLC0415 - only when no ledger file is named

    return Path(platformdirs.user_data_dir("yibao", appauthor=False)) / "ledger.sqlite"
