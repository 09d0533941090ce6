"""The ledger's values: entries, their canonical JSON and their hashes.

An entry is one row of the settlement ledger (not :class:`yibao.results.Ledger`,
which only collects the items of one computation): a recorded settlement or a
recorded payment. Its hash is the SHA-256 of the canonical JSON of every
column but the hash itself, the previous entry's hash included — a hash
chain, so an edited or deleted row shows.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8 text kept as
it is, numbers written exactly as their ``Decimal`` (never through a float),
dates as ISO strings. Read back with :func:`from_json` (numbers with a point
become ``Decimal``).

Nothing here touches SQLite (:mod:`yibao.ledger.store`) or computes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from ..periods import Period
from ..results import Finding, Interpretation, LineItem, Result

#: the previous-entry hash of the first entry
GENESIS = "0" * 64

Kind = Literal["settlement", "payment"]


# ------------------------------------------------------------------ canonical JSON
def canonical(value: Any) -> str:
    """``value`` as canonical JSON text (see the module docstring).

    :raises TypeError: a float (money is never a float) or an unknown type.
    """
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(v: Any, out: list[str]) -> None:
    if v is None or isinstance(v, (bool, str)):
        out.append(json.dumps(v, ensure_ascii=False))
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, Decimal):
        if not v.is_finite():
            raise TypeError(f"not a finite number: {v}")
        out.append(str(v))
    elif isinstance(v, float):
        raise TypeError("a float in ledger data: money and rates are Decimal")
    elif isinstance(v, dt.date):
        out.append(json.dumps(v.isoformat()))
    elif isinstance(v, Period):
        out.append(json.dumps(str(v), ensure_ascii=False))
    elif isinstance(v, Mapping):
        out.append("{")
        for i, k in enumerate(sorted(v, key=str)):
            if i:
                out.append(",")
            out.append(json.dumps(str(k), ensure_ascii=False))
            out.append(":")
            _write(v[k], out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _write(x, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(v).__name__} to the ledger")


def from_json(text: str) -> Any:
    """Canonical JSON back to data (numbers with a point or exponent → Decimal)."""
    return json.loads(text, parse_float=Decimal)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ facts as data
def facts_data(facts: Any) -> dict[str, Any]:
    """A facts object as plain data that :func:`yibao.api.load_facts` takes
    back: attrs classes → tables, periods → their text (``"2026Q1"``),
    tuples → lists; ``None`` fields are left out (their default)."""
    out = _plain(facts)
    if not isinstance(out, dict):
        raise TypeError("facts must be an attrs instance")
    return out


def _plain(v: Any) -> Any:
    if attrs.has(type(v)) and not isinstance(v, Period):
        return {a.name: _plain(x) for a in attrs.fields(type(v)) if (x := getattr(v, a.name)) is not None}
    if isinstance(v, Period):
        return str(v)
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple, frozenset, set)):
        return [_plain(x) for x in v]
    return v


def facts_toml(data: Mapping[str, Any], header: str = "") -> str:
    """Stored facts as a TOML file (tomli-w), ``header`` as comment lines on top."""
    import tomli_w  # noqa: PLC0415 - only when facts are written out

    head = "".join(f"# {line}\n" for line in header.splitlines())
    return head + tomli_w.dumps(_tomlable(data))


def _tomlable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {k: _tomlable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_tomlable(x) for x in v]
    return v


# ------------------------------------------------------------------ entries
@attrs.frozen(slots=False)
class Entry:
    """One row of the settlement ledger.

    ``body`` is the canonical JSON text of the kind's own data: for a
    settlement, the contract's hash, versions, readings, facts and their
    hash, the roster's hash and row count, the result; for a payment, the
    amount (a decimal string), the day and the voucher reference.
    ``amount`` repeats a payment's amount as text (never a REAL) so that SQL
    can list it; it is None for a settlement.
    """

    id: int
    kind: Kind
    contract: str
    city: str
    period: str
    recorded_at: str
    recorded_by: str
    reason: str | None
    supersedes: int | None
    amount: str | None
    body: str
    prev_hash: str
    hash: str = ""

    def payload(self) -> dict[str, Any]:
        """Every column but ``hash``: what the hash covers."""
        d = attrs.asdict(self)
        del d["hash"]
        return d

    def compute_hash(self) -> str:
        return sha256_text(canonical(self.payload()))

    def sealed(self) -> Entry:
        """This entry with its hash filled in."""
        return attrs.evolve(self, hash=self.compute_hash())

    @property
    def data(self) -> dict[str, Any]:
        """The body, parsed."""
        parsed: dict[str, Any] = from_json(self.body)
        return parsed

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON data (``yibao ledger show --format json``)."""
        d = self.payload()
        d["body"] = self.data
        d["hash"] = self.hash
        return d

    def summary(self) -> dict[str, Any]:
        """One line of ``yibao ledger list``."""
        return {
            "id": self.id,
            "kind": self.kind,
            "contract": self.contract,
            "city": self.city,
            "period": self.period,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "reason": self.reason,
            "supersedes": self.supersedes,
            "amount": self.amount,
            "hash": self.hash,
        }


def result_from_dict(d: Mapping[str, Any]) -> Result:
    """A stored result's JSON back to a :class:`~yibao.results.Result`
    (amounts as Decimal; an interpretation's question is not stored)."""
    items = tuple(
        LineItem(
            key=i["key"],
            label=i["label"],
            amount=Decimal(i["amount"]),
            formula=i["formula"],
            clause=i["clause"],
            scope=i.get("scope"),
            kind=i.get("kind", "payment"),
        )
        for i in d["items"]
    )
    findings = tuple(
        Finding(key=f["key"], severity=f["severity"], message=f["message"], clause=f["clause"], scope=f.get("scope"))
        for f in d["findings"]
    )
    interps = []
    for i in d["interpretations"]:
        choice, _, text = i["reading"].partition(": ")
        readings = {choice: text}
        for alt in i["alternatives"]:
            k, _, v = alt.partition(": ")
            readings[k] = v
        interps.append(Interpretation(id=i["id"], clause=i["clause"], question="", choice=choice, readings=readings))
    return Result(d["contract"], d["city"], d["period"], items, findings, tuple(interps))


def item_amounts(result: Mapping[str, Any]) -> dict[tuple[str, str | None], Decimal]:
    """A stored result's amounts by (key, scope)."""
    return {(i["key"], i.get("scope")): Decimal(i["amount"]) for i in result["items"]}


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each figure that differs between two results' JSON: an amount
    changed, or an item present in only one."""
    a, b = item_amounts(old), item_amounts(new)
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        before, after = a.get(key), b.get(key)
        if before != after:
            out.append(
                {
                    "key": key[0],
                    "scope": key[1],
                    "recorded": None if before is None else str(before),
                    "recomputed": None if after is None else str(after),
                }
            )
    return out
