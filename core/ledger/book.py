"""What the ledger does: record settlements and payments, list them, verify
the hash chain, compare a recomputation, show the balance, export.

Every function takes an open :class:`~yibao.ledger.store.Store`; the SQL is
there. Computing a contract is the API's business: ``verify --recompute``
gets a function that reruns one entry (see :func:`yibao.api.verify_ledger`),
so nothing here imports the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, YibaoError
from ..money import FEN, fmt_amount
from .entries import (
    GENESIS,
    Entry,
    canonical,
    differences,
    facts_data,
    facts_toml,
    sha256_bytes,
    sha256_text,
)
from .store import GUARDS, Store


# ------------------------------------------------------------------ recording
@attrs.frozen(slots=False)
class Run:
    """One computed period to record: the contract, its facts and result,
    where the facts came from and the roster file used (hashed, never stored)."""

    contract: Any
    facts: Any
    result: Any
    facts_file: str | None = None
    roster_file: str | Path | None = None


def who(by: str | None) -> str:
    """``--by``, else ``YIBAO_USER``, else the login name."""
    if by:
        return by
    env = os.environ.get("YIBAO_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _plugin(contract: Any) -> tuple[str, str | None]:
    """The plugin that provides the contract, and its version (yibao's for a bundled city)."""
    from ..registry import _version  # noqa: PLC0415

    reg = contract.registry
    owner = reg.owners.get(contract.name)
    name = reg.plugin_name(owner) if owner is not None else contract.name
    source, dist, version = reg.origins.get(name, ("builtin", "yibao", None))
    if source == "builtin" or version is None:
        version = _version(dist or "yibao")
    return name, version


def _roster(path: str | Path | None) -> dict[str, Any] | None:
    """A roster's SHA-256 and data row count: never its content (personal data)."""
    if path is None:
        return None
    data = Path(path).read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    rows = sum(1 for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row))
    return {"sha256": sha256_bytes(data), "rows": max(rows - 1, 0)}


def settlement_body(run: Run) -> tuple[dict[str, Any], bytes]:
    """A settlement entry's body, and the contract TOML's bytes."""
    from .. import __version__  # noqa: PLC0415

    contract = run.contract
    toml = Path(contract.path).read_bytes()
    facts = facts_data(run.facts)
    plugin, plugin_version = _plugin(contract)
    body = {
        "contract_sha256": sha256_bytes(toml),
        "yibao_version": __version__,
        "plugin": plugin,
        "plugin_version": plugin_version,
        "readings": {i.id: i.choice for i in contract.doc.interpretations},
        "facts": facts,
        "facts_sha256": sha256_text(canonical(facts)),
        "facts_file": run.facts_file,
        "roster": _roster(run.roster_file),
        "result": run.result.to_dict(),
    }
    return body, toml


def record(store: Store, runs: Sequence[Run], *, by: str | None = None, reason: str | None = None, at: str | None = None) -> list[Entry]:
    """Append one settlement entry per run, in one transaction.

    A contract and period recorded before is a correction: the new entry
    supersedes the current one and needs ``reason``.

    :raises InputError: a correction without a reason (nothing is written).
    """
    prepared = [(r, *settlement_body(r)) for r in runs]
    person, when = who(by), at or now()
    reason = reason.strip() if reason and reason.strip() else None
    out: list[Entry] = []
    with store.writing() as w:
        last_id, last_hash = w.head()
        for run, body, toml in prepared:
            cid, period = run.contract.doc.id, run.result.period
            current = w.current_settlement(cid, period)
            if current is not None and any(e.contract == cid and e.period == period for e in out):
                raise InputError.one(run.facts_file, "period", f"{cid} {period} is given twice in one recording")
            if current is not None and reason is None:
                raise InputError.one(
                    "command line",
                    "--reason",
                    f"{cid} {period} is already recorded (entry {current.id}): recording it again is a correction "
                    "and needs --reason TEXT",
                )
            w.add_contract(body["contract_sha256"], toml)
            entry = Entry(
                id=last_id + 1,
                kind="settlement",
                contract=cid,
                city=run.contract.name,
                period=period,
                recorded_at=when,
                recorded_by=person,
                reason=reason,
                supersedes=current.id if current is not None else None,
                amount=None,
                body=canonical(body),
                prev_hash=last_hash,
            ).sealed()
            w.append(entry)
            out.append(entry)
            last_id, last_hash = entry.id, entry.hash
    return out


def pay(
    store: Store,
    contract: Any,
    period: str,
    amount: Decimal,
    on: dt.date,
    ref: str,
    *,
    by: str | None = None,
    note: str | None = None,
    at: str | None = None,
) -> Entry:
    """Append a payment: money actually transferred for a period (negative:
    refunded by the insurer), with the voucher reference (凭证号).

    :raises InputError: an amount of zero or with more than two decimals, no reference.
    """
    if amount == 0 or amount != amount.quantize(FEN):
        raise InputError.one("command line", "AMOUNT", f"expected a non-zero amount in 元 with at most two decimals, got {amount}")
    if not ref.strip():
        raise InputError.one("command line", "--ref", "expected the voucher reference (凭证号)")
    body = {"amount": fmt_amount(amount), "paid_on": on.isoformat(), "ref": ref.strip()}
    with store.writing() as w:
        last_id, last_hash = w.head()
        entry = Entry(
            id=last_id + 1,
            kind="payment",
            contract=contract.doc.id,
            city=contract.name,
            period=period,
            recorded_at=at or now(),
            recorded_by=who(by),
            reason=note.strip() if note and note.strip() else None,
            supersedes=None,
            amount=fmt_amount(amount),
            body=canonical(body),
            prev_hash=last_hash,
        ).sealed()
        w.append(entry)
    return entry


# ------------------------------------------------------------------ reading
def current_settlements(store: Store, contract: str | None = None, period: str | None = None) -> list[Entry]:
    """The settlements no later entry supersedes."""
    gone = store.superseded()
    return [e for e in store.entries(kind="settlement", contract=contract, period=period) if e.id not in gone]


def get_entry(store: Store, entry_id: int) -> Entry:
    """:raises InputError: no such entry."""
    e = store.entry(entry_id)
    if e is None:
        last, _ = store.head()
        raise InputError.one(str(store.path), "ID", f"no entry {entry_id} (the ledger holds entries 1–{last})" if last else "the ledger is empty")
    return e


def paid(store: Store, contract: str, period: str) -> Decimal | None:
    """What the payments recorded for a contract and period add up to; None when none is."""
    amounts = [Decimal(e.amount or "0") for e in store.entries(kind="payment", contract=contract, period=period)]
    return sum(amounts, Decimal("0")) if amounts else None


def facts_file_text(store: Store, entry_id: int) -> str:
    """An entry's stored facts as TOML that recomputes the same figures. The
    roster is not stored (personal data): the ``roster`` key is left out, and
    the header names the roster's hash and row count."""
    e = get_entry(store, entry_id)
    if e.kind != "settlement":
        raise InputError.one(str(store.path), "ID", f"entry {entry_id} is a {e.kind}, not a settlement: it has no facts")
    d = e.data
    facts = {k: v for k, v in d["facts"].items() if k != "roster"}
    header = [
        f"yibao ledger entry {e.id}: {e.contract} {e.period}, recorded {e.recorded_at} by {e.recorded_by}",
        f"facts sha256 {d['facts_sha256']} (of the stored facts); contract sha256 {d['contract_sha256']}",
        "readings: " + (", ".join(f"{k}={v}" for k, v in d["readings"].items()) or "none"),
    ]
    if d.get("roster"):
        header.append(f"roster not stored (personal data): sha256 {d['roster']['sha256']}, {d['roster']['rows']} rows; give it with --roster")
    return facts_toml(facts, "\n".join(header))


# ------------------------------------------------------------------ verify
@attrs.frozen(slots=False)
class Verification:
    """What ``yibao ledger verify`` found."""

    entries: int
    head: str
    problems: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    differences: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "differences": list(self.differences),
        }


def verify(store: Store) -> Verification:
    """Check the hash chain: every entry's hash, every link, the ids without
    a gap, the head, the stored contract texts. Stops at the first broken
    entry and names it."""
    problems: list[dict[str, Any]] = []
    expected_prev, expected_id = GENESIS, 1
    entries = store.entries()
    for e in entries:
        if e.id != expected_id:
            problems.append({"entry": expected_id, "problem": f"deleted: entry {e.id} follows entry {expected_id - 1}"})
            break
        if e.compute_hash() != e.hash:
            problems.append({"entry": e.id, "problem": "edited: its contents no longer match its hash"})
            break
        if e.prev_hash != expected_prev:
            problems.append(
                {"entry": e.id - 1, "problem": f"edited and re-hashed: entry {e.id} still carries the hash entry {e.id - 1} had when it was recorded"}
            )
            break
        expected_prev, expected_id = e.hash, e.id + 1
    last_id, last_hash = store.head()
    if not problems and (last_id, last_hash) != (expected_id - 1, expected_prev):
        if last_id > expected_id - 1:
            problems.append({"entry": expected_id, "problem": f"deleted: the ledger last recorded entry {last_id}, entry {expected_id - 1} is the last one left"})
        else:
            problems.append({"entry": last_id, "problem": "the head no longer matches the last entry (edited)"})
    for sha, text in store.contract_texts():
        if sha256_bytes(text) != sha:
            problems.append({"entry": None, "problem": f"the stored contract text {sha[:12]}… was edited"})
    missing = [g for g in GUARDS if g not in store.guards()]
    warnings = [f"guard trigger {g} was dropped: the file has been opened for editing" for g in missing]
    return Verification(len(entries), expected_prev, tuple(problems), tuple(warnings))


def recompute(store: Store, rerun: Callable[[Entry, bytes], dict[str, Any]]) -> list[dict[str, Any]]:
    """Rerun every current settlement from its stored inputs (``rerun``
    returns the new result's JSON) and list each figure that differs."""
    out: list[dict[str, Any]] = []
    for e in current_settlements(store):
        d = e.data
        text = store.contract_text(d["contract_sha256"])
        if text is None:
            out.append({"entry": e.id, "contract": e.contract, "period": e.period, "problem": "its contract text is missing"})
            continue
        try:
            new = rerun(e, text)
        except YibaoError as exc:
            out.append({"entry": e.id, "contract": e.contract, "period": e.period, "problem": f"cannot recompute: {exc}"})
            continue
        for diff in differences(d["result"], new):
            out.append({"entry": e.id, "contract": e.contract, "period": e.period, **diff})
    return out


# ------------------------------------------------------------------ balance
def balance(store: Store, contract: Any, as_of: dt.date) -> list[dict[str, Any]]:
    """Per period of ``contract``: what is due (the contract's ``[[payable]]``
    items in the current recorded settlement), what was paid, what is
    outstanding, the payment deadline where the contract sets one, and
    whether it has passed with money outstanding on ``as_of``."""
    from ..periods import parse_any, period_field  # noqa: PLC0415

    cid = contract.doc.id
    settled = {e.period: e for e in current_settlements(store, cid)}
    payments: dict[str, list[Entry]] = {}
    for p in store.entries(kind="payment", contract=cid):
        payments.setdefault(p.period, []).append(p)
    _, kinds = period_field(contract.spec.facts_class)
    origin = contract.doc.term.start

    def order(name: str) -> tuple[Any, ...]:
        try:
            return (0, *parse_any(kinds, name).sort_key(origin))
        except Exception:  # noqa: BLE001 - a period recorded under another text
            return (1, name)

    rows = []
    for period in sorted({*settled, *payments}, key=order):
        entry = settled.get(period)
        parts = _due_parts(contract, kinds, period, entry) if entry is not None else []
        paid_total = sum((Decimal(p.amount or "0") for p in payments.get(period, [])), Decimal("0"))
        remaining = paid_total
        for part in sorted(parts, key=lambda x: (x["deadline"] is None, x["deadline"] or "")):
            amount = Decimal(part["amount"])
            covered = min(max(remaining, Decimal("0")), max(amount, Decimal("0")))
            remaining -= covered
            out = amount - covered
            part["outstanding"] = fmt_amount(out)
            part["overdue"] = bool(part["deadline"] and out > 0 and as_of > dt.date.fromisoformat(part["deadline"]))
        due = sum((Decimal(p["amount"]) for p in parts), Decimal("0")) if entry is not None else None
        open_deadlines = sorted(p["deadline"] for p in parts if p["deadline"] and Decimal(p["outstanding"]) > 0)
        rows.append(
            {
                "period": period,
                "entry": entry.id if entry is not None else None,
                "due": fmt_amount(due) if due is not None else None,
                "paid": fmt_amount(paid_total),
                "outstanding": fmt_amount(due - paid_total) if due is not None else None,
                "deadline": open_deadlines[0] if open_deadlines else None,
                "overdue": any(p["overdue"] for p in parts),
                "parts": parts,
                "payments": [{"entry": p.id, "amount": p.amount, **{k: v for k, v in p.data.items() if k != "amount"}} for p in payments.get(period, [])],
            }
        )
    return rows


def _due_parts(contract: Any, kinds: Any, period: str, entry: Entry) -> list[dict[str, Any]]:
    from ..calendar import active_deadlines, calendar_for  # noqa: PLC0415
    from ..periods import parse_any  # noqa: PLC0415

    result = entry.data["result"]
    parts = []
    deadlines = {d.key: d for d in active_deadlines(contract)}
    for p in contract.doc.payable:
        rows = [i for i in result["items"] if i["key"] == p.item and i.get("kind", "payment") == "payment"]
        if not rows:
            continue  # not an item of this kind of period
        part: dict[str, Any] = {
            "item": p.item,
            "label": rows[0]["label"],
            "clause": p.clause,
            "amount": fmt_amount(sum((Decimal(i["amount"]) for i in rows), Decimal("0"))),
            "deadline": None,
            "deadline_rule": None,
        }
        if p.deadline is not None:
            d = deadlines[p.deadline]
            if p.counted_from == "signed_on":
                start = contract.doc.signed_on
            else:
                start = contract.period_bounds(parse_any(kinds, period))[1]
            due = calendar_for(contract).due(start, d.count, d.unit)
            part["deadline"] = due.due.isoformat()
            part["deadline_rule"] = f"{d.label}（{d.clause}）：{due.formula}"
        parts.append(part)
    return parts


# ------------------------------------------------------------------ export
EXPORT_COLUMNS = (
    "id", "kind", "contract", "city", "period", "current", "recorded_at", "recorded_by", "reason", "supersedes",
    "amount", "paid_on", "ref", "contract_sha256", "facts_sha256", "roster_sha256", "roster_rows",
    "yibao_version", "plugin", "plugin_version", "result", "prev_hash", "hash",
)  # fmt: skip


def export_rows(store: Store) -> list[dict[str, Any]]:
    """One flat row per entry (amounts and the result JSON as text)."""
    gone = store.superseded()
    rows = []
    for e in store.entries():
        d = e.data
        roster = d.get("roster") or {}
        rows.append(
            {
                "id": e.id,
                "kind": e.kind,
                "contract": e.contract,
                "city": e.city,
                "period": e.period,
                "current": e.kind == "settlement" and e.id not in gone,
                "recorded_at": e.recorded_at,
                "recorded_by": e.recorded_by,
                "reason": e.reason,
                "supersedes": e.supersedes,
                "amount": e.amount,
                "paid_on": d.get("paid_on"),
                "ref": d.get("ref"),
                "contract_sha256": d.get("contract_sha256"),
                "facts_sha256": d.get("facts_sha256"),
                "roster_sha256": roster.get("sha256"),
                "roster_rows": roster.get("rows"),
                "yibao_version": d.get("yibao_version"),
                "plugin": d.get("plugin"),
                "plugin_version": d.get("plugin_version"),
                "result": canonical(d["result"]) if "result" in d else None,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
        )
    return rows


def export(store: Store, fmt: str, out: str | Path) -> int:
    """Write every entry to ``out`` (json: the entries in full; csv and
    parquet: :func:`export_rows`), atomically. Returns the number of entries.

    :raises InputError: ``out`` is the ledger itself, or an unknown format.
    """
    from ..files import atomic_output, refuse_onto  # noqa: PLC0415

    target = Path(out)
    if fmt not in ("json", "csv", "parquet"):
        raise InputError.one("command line", "--format", f"expected json, csv or parquet, got {fmt!r}")
    refuse_onto(target, [("the ledger itself", store.path)], "--out")
    with atomic_output(target, "--out") as tmp:
        if fmt == "json":
            import json  # noqa: PLC0415

            entries = store.entries()
            data = {"ledger_schema": store.version, "entries": [e.to_dict() for e in entries]}
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            n = len(entries)
        elif fmt == "csv":
            rows = export_rows(store)
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
                w.writeheader()
                w.writerows(rows)
            n = len(rows)
        else:
            n = _parquet(export_rows(store), tmp)
    return n


def _parquet(rows: list[dict[str, Any]], path: Path) -> int:
    import duckdb  # noqa: PLC0415 - only for a Parquet export

    types = {"id": "BIGINT", "supersedes": "BIGINT", "roster_rows": "BIGINT", "current": "BOOLEAN"}
    con = duckdb.connect()
    try:
        cols = ", ".join(f'"{c}" {types.get(c, "VARCHAR")}' for c in EXPORT_COLUMNS)
        con.execute(f"CREATE TABLE ledger ({cols})")
        if rows:
            marks = ", ".join("?" for _ in EXPORT_COLUMNS)
            con.executemany(f"INSERT INTO ledger VALUES ({marks})", [[r[c] for c in EXPORT_COLUMNS] for r in rows])
        con.execute(f"COPY ledger TO '{str(path).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
    finally:
        con.close()
    return len(rows)
