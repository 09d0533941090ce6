"""The ``[claims]`` table of a contract: its shapes, and the checks that it
means something for that contract.

This module is deliberately cheap: it imports no DuckDB, nothing else of
:mod:`yibao.claims`, and no contract module — only attrs and the core's
``inputs``, ``errors`` and ``money``, which loading a contract has already
imported. That is so the contract loader can structure and check a
contract's ``[claims]`` when the contract is loaded (call
:func:`structure_claims` with the loader's own facts names), and a typo in
``[claims]`` is reported by every command, while ``yibao compute`` still
pays nothing for claim logs. A contract document is seen through the
:class:`ContractText` protocol for the same reason: the loader sits below
this module and must not be imported by it, not even for a type.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, Protocol

import attrs

from ..errors import InputError, Problem, closest
from ..inputs import Scalar, structure
from ..money import parse_decimal

STANDARD_COLUMNS: tuple[str, ...] = ("claim_id", "person_id", "kind", "received_on", "settled_on", "amount_eligible", "incurred_on")
BASES: tuple[str, ...] = ("above_pool", "whole_cost")
#: the readings of a benefit year: the year of treatment, or of receipt
YEARS: tuple[str, ...] = ("incurred", "received")
COUNTS = Literal["claims", "settled", "on_time", "late", "open", "overdue", "late_or_overdue"]
#: which claim statuses each ``[[claims.counts]]`` ``count`` adds up
COUNT_STATUSES: dict[str, tuple[str, ...]] = {
    "claims": ("on_time", "late", "open", "overdue"),
    "settled": ("on_time", "late"),
    "on_time": ("on_time",),
    "late": ("late",),
    "open": ("open", "overdue"),
    "overdue": ("overdue",),
    "late_or_overdue": ("late", "overdue"),
}


# --------------------------------------------------------------- what is read of a contract
class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


class _Term(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def value(self) -> Scalar: ...


class _Reading(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def readings(self) -> Mapping[str, str]: ...


class ContractText(Protocol):
    """What ``[claims]`` is checked against: the contract's deadlines, terms
    and interpretations (a ``ContractDoc`` is one)."""

    @property
    def deadlines(self) -> Sequence[_Keyed]: ...

    @property
    def terms(self) -> Sequence[_Term]: ...

    @property
    def interpretations(self) -> Sequence[_Reading]: ...


# --------------------------------------------------------------- TOML shapes
@attrs.frozen(slots=False)
class ClaimColumns:
    """The header in the file of each standard column (default: its name)."""

    claim_id: str = "claim_id"
    person_id: str = "person_id"
    kind: str = "kind"
    received_on: str = "received_on"
    settled_on: str = "settled_on"
    amount_eligible: str = "amount_eligible"
    #: optional: the day the cost was incurred (discharge or treatment date)
    incurred_on: str = "incurred_on"


@attrs.frozen(slots=False)
class BenefitRule:
    """A per-person annual benefit: ``ratio`` of each claim's amount, in date
    order, until the person's benefits of the year reach ``annual_cap``
    (新乡 第十二条). Each figure names a ``[[terms]]`` entry (which carries
    its clause), or is a number written as a string (``"90%"``, ``"40万"``).

    ``basis``: ``above_pool`` — ``amount_eligible`` is already the amount
    above the basic pool; ``whole_cost`` — it is the whole policy-range cost
    and the first ``deductible`` of each person's year is not this fund's.
    ``basis_interpretation`` names an ``[[interpretations]]`` entry whose
    readings are those two names, so the reading can be switched.

    ``year_interpretation`` names an ``[[interpretations]]`` entry whose
    readings are ``incurred`` and ``received``: the year a claim's cost
    counts in for the cap (新乡 第十一条/第十二条 "在一个保险年度内…发生的":
    the year of ``incurred_on``), or the year it was received. Without an
    ``incurred_on`` column in the log the received year is used.
    """

    clause: str
    label: str
    ratio: str
    annual_cap: str
    deductible: str | None = None
    basis: Literal["above_pool", "whole_cost"] = "above_pool"
    basis_interpretation: str | None = None
    year_interpretation: str | None = None


@attrs.frozen(slots=False)
class ClaimCount:
    """A count over the claims that feeds a deduction (咸阳 500 元 per late
    settlement): ``count`` is which claims, ``kinds`` limits the kinds (all
    when empty), ``fact`` is the facts key it feeds, if the contract has one."""

    key: str
    label: str
    clause: str
    count: COUNTS
    kinds: tuple[str, ...] = ()
    fact: str | None = None


@attrs.frozen(slots=False)
class ClaimsDoc:
    """``[claims]``: how the contract reads a claim log.

    ``kinds``: each value of the ``kind`` column -> the ``[[deadlines]]`` key
    a claim of that kind is settled against.
    """

    clause: str
    kinds: dict[str, str]
    columns: ClaimColumns = ClaimColumns()
    benefit: BenefitRule | None = None
    counts: tuple[ClaimCount, ...] = ()


# --------------------------------------------------------------- structuring and checking
def structure_claims(raw: Any, doc: ContractText, file: str, facts_keys: Collection[str] | None = None) -> ClaimsDoc:
    """A ``[claims]`` table as read from ``file``, structured and checked
    against the rest of its contract — what the contract loader calls.

    ``facts_keys``: the names the contract's facts have, to check each
    count's ``fact`` (not checked when None).

    :raises InputError: each problem with its key path.
    """
    cfg = structure(raw, ClaimsDoc, file, "claims")
    problems = check_claims_doc(doc, cfg, file, facts_keys)
    if problems:
        raise InputError(problems)
    return cfg


def claims_doc(contract: Any) -> ClaimsDoc:
    """The loaded contract's ``[claims]`` table, structured and checked.

    :raises InputError: the contract has none, or each problem with key path.
    """
    from ..contract import facts_names  # noqa: PLC0415 - the loader is below; only its helper, when called

    raw = contract.doc.claims
    if raw is None:
        raise InputError.one(contract.path, "claims", f"contract {contract.name!r} has no [claims] table: it defines no claim log")
    return structure_claims(raw, contract.doc, contract.path, facts_names(contract.spec.facts_class))


def check_claims_doc(doc: ContractText, c: ClaimsDoc, file: str, facts_keys: Collection[str] | None = None) -> list[Problem]:
    """Problems of a contract's ``[claims]`` table: unknown deadline keys,
    term figures that do not resolve, unknown interpretations and kinds."""
    out: list[Problem] = []
    deadlines = {d.key for d in doc.deadlines}
    if not c.kinds:
        out.append(Problem(file, "claims.kinds", "expected at least one kind = deadline key"))
    for kind, key in c.kinds.items():
        if key not in deadlines:
            hint = closest(key, deadlines)
            msg = f"no [[deadlines]] entry {key!r}" + (f"; did you mean {hint!r}?" if hint else "")
            out.append(Problem(file, f"claims.kinds.{kind}", msg))
    headers = [getattr(c.columns, n) for n in STANDARD_COLUMNS]
    for n in STANDARD_COLUMNS:
        if headers.count(getattr(c.columns, n)) > 1:
            out.append(Problem(file, f"claims.columns.{n}", f"header {getattr(c.columns, n)!r} is given to two columns"))
    if c.benefit is not None:
        out += _check_benefit(doc, c.benefit, file)
    seen: set[str] = set()
    for i, cnt in enumerate(c.counts):
        path = f"claims.counts[{i}]"
        if cnt.key in seen:
            out.append(Problem(file, f"{path}.key", f"duplicate count key {cnt.key!r}"))
        seen.add(cnt.key)
        for k in cnt.kinds:
            if k not in c.kinds:
                hint = closest(k, c.kinds)
                out.append(Problem(file, f"{path}.kinds", f"no kind {k!r} in claims.kinds" + (f"; did you mean {hint!r}?" if hint else "")))
        if cnt.fact is not None and facts_keys is not None and cnt.fact not in facts_keys:
            hint = closest(cnt.fact, facts_keys)
            out.append(Problem(file, f"{path}.fact", f"{cnt.fact!r} is not a facts key" + (f"; did you mean {hint!r}?" if hint else "")))
    return out


def _check_benefit(doc: ContractText, b: BenefitRule, file: str) -> list[Problem]:
    out: list[Problem] = []
    for name in ("ratio", "annual_cap", "deductible"):
        raw = getattr(b, name)
        if raw is None:
            continue
        try:
            value = term_value(doc, raw)
        except ValueError as exc:
            out.append(Problem(file, f"claims.benefit.{name}", str(exc)))
            continue
        if value < 0 or (name == "ratio" and value > 1):
            want = "a rate from 0 to 1" if name == "ratio" else "an amount ≥ 0"
            out.append(Problem(file, f"claims.benefit.{name}", f"expected {want}, got {value}"))
    bases: set[str] = {b.basis}
    if b.basis_interpretation is not None:
        interp = {i.id: i for i in doc.interpretations}.get(b.basis_interpretation)
        if interp is None:
            hint = closest(b.basis_interpretation, [i.id for i in doc.interpretations])
            out.append(
                Problem(file, "claims.benefit.basis_interpretation", f"no [[interpretations]] entry {b.basis_interpretation!r}" + (f"; did you mean {hint!r}?" if hint else ""))
            )
        else:
            wrong = sorted(set(interp.readings) - set(BASES))
            if wrong:
                out.append(
                    Problem(file, "claims.benefit.basis_interpretation", f"interpretation {interp.id!r}: readings must be among {', '.join(BASES)}, got {', '.join(wrong)}")
                )
            bases |= set(interp.readings)
    if b.year_interpretation is not None:
        interp = {i.id: i for i in doc.interpretations}.get(b.year_interpretation)
        if interp is None:
            hint = closest(b.year_interpretation, [i.id for i in doc.interpretations])
            out.append(
                Problem(file, "claims.benefit.year_interpretation", f"no [[interpretations]] entry {b.year_interpretation!r}" + (f"; did you mean {hint!r}?" if hint else ""))
            )
        elif set(interp.readings) - set(YEARS):
            wrong = sorted(set(interp.readings) - set(YEARS))
            out.append(
                Problem(file, "claims.benefit.year_interpretation", f"interpretation {interp.id!r}: readings must be among {', '.join(YEARS)}, got {', '.join(wrong)}")
            )
    if "whole_cost" in bases and b.deductible is None:
        out.append(Problem(file, "claims.benefit.deductible", "required by the whole_cost reading: the amount of each person's year that is not this fund's"))
    return out


def term_value(doc: ContractText, raw: str) -> Decimal:
    """A benefit figure: the value of the ``[[terms]]`` entry ``raw`` names,
    or ``raw`` itself as a number (``"90%"``, ``"40万"``, ``400000``).

    :raises ValueError: neither a term key nor a number.
    """
    terms = {t.key: t for t in doc.terms}
    value: Scalar = raw
    if raw in terms:
        value = terms[raw].value
        if isinstance(value, bool):
            raise ValueError(f"[[terms]] {raw!r} is not a number")
    try:
        return parse_decimal(value)
    except ValueError:
        hint = closest(str(raw), terms)
        raise ValueError(
            f"expected a [[terms]] key or a number, got {raw!r}" + (f"; did you mean {hint!r}?" if hint else "")
        ) from None


def chosen_year(contract: Any, cfg: ClaimsDoc, has_incurred: bool) -> str:
    """The benefit year in force: ``received`` without an ``incurred_on``
    column or a year interpretation, else the interpretation's choice; ""
    without a benefit rule."""
    b = cfg.benefit
    if b is None:
        return ""
    if not has_incurred or b.year_interpretation is None:
        return "received"
    return str(contract.interpretations[b.year_interpretation].choice)


def chosen_basis(contract: Any, cfg: ClaimsDoc) -> str:
    """The benefit basis in force: the interpretation's chosen reading when
    the rule names one (so ``--reading`` switches it), else the fixed
    ``basis``; "" without a benefit rule."""
    b = cfg.benefit
    if b is None:
        return ""
    if b.basis_interpretation is not None:
        return str(contract.interpretations[b.basis_interpretation].choice)
    return b.basis
