"""Line items, findings, interpretations, and the ledger that collects them.

The result of a computation is what DESIGN.md ("Results") fixes: items with
key, scope, label, amount, formula and clause; findings with key, severity,
scope, message and clause; the interpretations that affected the figures.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Literal

import attrs

from .money import fmt_amount, to_fen
from .values import Value

Severity = Literal["info", "warning", "violation"]
SEVERITIES: tuple[str, ...] = ("info", "warning", "violation")


@attrs.frozen(eq=False, repr=False, slots=False)
class LineItem(Value):
    """One computed figure, rounded to 分, with the clause it implements."""

    key: str
    label: str
    amount: Decimal
    formula: str
    clause: str
    scope: str | None = None
    kind: Literal["payment", "contingent", "total"] = "payment"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "key": self.key,
            "scope": self.scope,
            "label": self.label,
            "amount": fmt_amount(self.amount),
            "formula": self.formula,
            "clause": self.clause,
        }
        if self.kind != "payment":
            d["kind"] = self.kind
        return d


@attrs.frozen(eq=False, repr=False, slots=False)
class Finding(Value):
    """Something the facts or the roster show against the contract."""

    key: str
    severity: Severity
    message: str
    clause: str
    scope: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "severity": self.severity,
            "scope": self.scope,
            "message": self.message,
            "clause": self.clause,
        }


@attrs.frozen(eq=False, repr=False, slots=False)
class Interpretation(Value):
    """A reading chosen where the contract text is ambiguous or silent."""

    id: str
    clause: str
    question: str
    choice: str
    readings: dict[str, str]

    @property
    def reading(self) -> str:
        return self.readings[self.choice]

    @property
    def alternatives(self) -> list[str]:
        return [f"{k}: {v}" for k, v in self.readings.items() if k != self.choice]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "clause": self.clause,
            "reading": f"{self.choice}: {self.reading}",
            "alternatives": self.alternatives,
        }


class Ledger:
    """Collects a computation's items and findings, in the order produced.

    Amounts are rounded to 分 here, when the item is produced, and every later
    figure reads the rounded amount back with :meth:`get`. Keys are unique per
    scope, so two stages can never silently overwrite one another.
    """

    def __init__(self, interpretations: dict[str, Interpretation] | None = None) -> None:
        self.items: list[LineItem] = []
        self.findings: list[Finding] = []
        self._by_key: dict[tuple[str, str | None], LineItem] = {}
        self._interpretations = interpretations or {}
        self.used_interpretations: dict[str, Interpretation] = {}
        #: the facts file being computed, for error messages
        self.source: str | None = None
        #: the roster's findings, known before the money stages run (a roster
        #: is checked first, into a ledger of its own): what a money step may
        #: count (洛阳 第五条(二): a county staffing shortfall is a breach)
        self.roster_findings: tuple[Finding, ...] = ()

    def item(
        self,
        key: str,
        label: str,
        amount: Decimal,
        formula: str,
        clause: str,
        scope: str | None = None,
        kind: Literal["payment", "contingent", "total"] = "payment",
    ) -> LineItem:
        """Add a line item; the amount is rounded to 分 (ROUND_HALF_UP) now."""
        if (key, scope) in self._by_key:
            raise ValueError(f"item {key!r} (scope {scope!r}) was produced twice")
        li = LineItem(key, label, to_fen(amount), formula, clause, scope, kind)
        self.items.append(li)
        self._by_key[(key, scope)] = li
        return li

    def finding(
        self,
        key: str,
        severity: Severity,
        message: str,
        clause: str,
        scope: str | None = None,
    ) -> Finding:
        """Add a finding; ``violation`` makes ``compute`` exit 1."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        f = Finding(key, severity, message, clause, scope)
        self.findings.append(f)
        return f

    def absorb(self, other: Ledger) -> None:
        """Append another ledger's items, findings and readings used (the
        roster's, after the money stages: the order results always had)."""
        for li in other.items:
            self.item(li.key, li.label, li.amount, li.formula, li.clause, li.scope, li.kind)
        self.findings.extend(other.findings)
        for iid, interp in other.used_interpretations.items():
            self.used_interpretations.setdefault(iid, interp)

    def get(self, key: str, scope: str | None = None) -> Decimal | None:
        """The rounded amount of an item already produced (scope first, then
        the contract-wide item), or ``None``."""
        li = self._by_key.get((key, scope))
        if li is None and scope is not None:
            li = self._by_key.get((key, None))
        return None if li is None else li.amount

    def choice(self, interpretation_id: str) -> str:
        """The chosen reading of an interpretation; marks it as used."""
        interp = self._interpretations.get(interpretation_id)
        if interp is None:
            raise KeyError(f"no interpretation {interpretation_id!r} in the contract")
        self.used_interpretations[interpretation_id] = interp
        return interp.choice


@attrs.frozen(eq=False, repr=False, slots=False)
class Result(Value):
    """The outcome of one computation, as the CLI prints it."""

    contract: str
    city: str
    period: str
    items: tuple[LineItem, ...]
    findings: tuple[Finding, ...]
    interpretations: tuple[Interpretation, ...]

    @property
    def has_violations(self) -> bool:
        return any(f.severity == "violation" for f in self.findings)

    def item(self, key: str, scope: str | None = None) -> LineItem:
        """The item with this key and scope. Without a scope: the
        contract-wide item, else the only item of that key when it exists in
        exactly one scope. KeyError when absent or ambiguous (listing the
        scopes it exists in)."""
        found = [li for li in self.items if li.key == key]
        for li in found:
            if li.scope == scope:
                return li
        if scope is None and len(found) == 1:
            return found[0]
        if not found:
            raise KeyError(f"no item {key!r}")
        scopes = ", ".join(repr(li.scope) for li in found)
        if scope is None:
            raise KeyError(f"item {key!r} exists in several scopes ({scopes}): give one")
        raise KeyError(f"no item {key!r} with scope {scope!r}; it exists in scopes {scopes}")

    def amount(self, key: str, scope: str | None = None) -> Decimal:
        return self.item(key, scope).amount

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "city": self.city,
            "period": self.period,
            "items": [i.to_dict() for i in self.items],
            "findings": [f.to_dict() for f in self.findings],
            "interpretations": [i.to_dict() for i in self.interpretations],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def result_from_ledger(
    contract: str, city: str, period: str, ledger: Ledger
) -> Result:
    return Result(
        contract=contract,
        city=city,
        period=period,
        items=tuple(ledger.items),
        findings=tuple(ledger.findings),
        interpretations=tuple(ledger.used_interpretations.values()),
    )
