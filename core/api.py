"""The public Python API: what a host system embeds, and what the CLI calls.

Every function returns values or raises a :class:`~yibao.errors.YibaoError`
(``InputError`` carries one :class:`~yibao.errors.Problem` per bad key, with
file and key path). Nothing here prints or exits. Contracts are frozen: two
contracts loaded in one process share nothing that either could change.

>>> from yibao import api
>>> contract = api.load_contract("xinxiang")
>>> facts = api.load_facts(contract, api.example_facts(contract))
>>> result = api.compute(contract, facts)
>>> result.amount("approved_profit", "市本级")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .contract import Contract, ContractSpec, facts_names
from .contract import load_contract as _load
from .errors import InputError, Problem, closest
from .inputs import parse_toml, read_toml, structure, try_structure
from .output import envelope as _envelope
from .periods import Period, period_field, period_of
from .registry import PluginLeftOut, Registry, make_registry
from .results import Ledger, Result, result_from_ledger
from .stages import MONEY_STAGES

if TYPE_CHECKING:
    from .roster import StaffMember

_DEFAULT: Registry | None = None


def registry(*, plugins_dirs: Sequence[str | Path] = (), fresh: bool = False) -> Registry:
    """The plugin registry. Without arguments, one built on first use and
    reused; with ``plugins_dirs`` or ``fresh``, a new one."""
    global _DEFAULT
    if plugins_dirs or fresh:
        return make_registry(plugins_dirs=plugins_dirs)
    if _DEFAULT is None:
        _DEFAULT = make_registry()
    return _DEFAULT


def list_contracts(reg: Registry | None = None) -> list[ContractSpec]:
    """Every contract the plugins provide, by name."""
    reg = reg or registry()
    return [reg.contracts[k] for k in sorted(reg.contracts)]


def get_spec(name: str, reg: Registry | None = None) -> ContractSpec:
    """The spec registered under ``name``; InputError with the closest name."""
    reg = reg or registry()
    spec = reg.spec(name)
    if spec is None:
        names = reg.names()
        hint = closest(name, names)
        msg = f"no contract {name!r}"
        msg += f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(names) or 'none'}"
        failed = [f for f in reg.failures if f.name == name]
        if failed:
            msg = str(failed[0])
        off = reg.disabled_contracts.get(name) or (name if name in reg.disabled else None)
        if off is not None:
            msg = f"contract {name!r}: plugin {off!r} is disabled (YIBAO_DISABLED_PLUGINS)"
        raise InputError([Problem(None, "city", msg)])
    return spec


def load_contract(name: str, path: str | Path | None = None, reg: Registry | None = None) -> Contract:
    """Load a contract: the bundled TOML of ``name``, or ``path`` read with
    ``name``'s facts class and hooks (a supplementary agreement, a draft)."""
    reg = reg or registry()
    return _load(get_spec(name, reg), reg, path, TABLE_CHECKS)


def _check_calendar_table(doc: Any, spec: ContractSpec, file: str) -> list[Problem]:
    """``[calendar]``: structured like any table (its code only for a contract that has one)."""
    if doc.calendar is None:
        return []
    from .calendar import CalendarDoc  # noqa: PLC0415 - only for contracts that have one

    return try_structure(doc.calendar, CalendarDoc, file, "calendar")[1]


def _check_claims_table(doc: Any, spec: ContractSpec, file: str) -> list[Problem]:
    """``[claims]``: structured and its names checked (yibao.claims.spec: no DuckDB)."""
    if doc.claims is None:
        return []
    from .claims.spec import ClaimsDoc, check_claims_doc  # noqa: PLC0415 - only for contracts that have one

    cfg, found = try_structure(doc.claims, ClaimsDoc, file, "claims")
    if cfg is None:
        return found
    return check_claims_doc(doc, cfg, file, facts_names(spec.facts_class))


#: the tables checked when a contract loads, besides its own
TABLE_CHECKS = (_check_calendar_table, _check_claims_table)


def example_facts(contract: Contract) -> Path:
    """The first bundled example facts file of a contract."""
    if not contract.spec.examples:
        raise InputError.one(None, "--facts", f"contract {contract.name!r} bundles no example facts; pass --facts")
    return Path(str(contract.spec.examples[0]))


def load_facts(contract: Contract, source: str | Path | Mapping[str, Any], file: str | None = None) -> Any:
    """Structure a period's facts (a TOML file or an already-parsed dict)
    into the contract's facts class, and check them against the contract.

    :raises InputError: every problem with file and key path.
    """
    if isinstance(source, Mapping):
        data: Any = dict(source)
    elif str(source).lower().endswith(".xlsx"):
        return _load_facts_xlsx(contract, source, file)
    else:
        file = file or str(source)
        data = read_toml(source)
    facts: Any = structure(data, contract.spec.facts_class, file)
    key, _ = period_field(type(facts))
    wrong = contract.check_period(period_of(facts))
    if wrong is not None:
        raise InputError.one(file, key, wrong)
    check = getattr(facts, "validate_against", None)
    if check is not None:
        problems = [Problem(file, path, msg) for path, msg in check(contract)]
        if problems:
            raise InputError(problems)
    return facts


def _load_facts_xlsx(contract: Contract, source: str | Path, file: str | None) -> Any:
    """Facts from a workbook (``yibao template``): problems name sheet and cell."""
    from .excel import locate, read_facts  # noqa: PLC0415 - openpyxl only for a workbook

    file = file or str(source)
    data, cells = read_facts(source, contract.spec.facts_class)
    try:
        return load_facts(contract, data, file)
    except InputError as exc:
        raise InputError(locate(exc.problems, cells)) from None


def load_facts_text(contract: Contract, text: str, file: str = "<stdin>") -> Any:
    """Facts from TOML text (``--facts -``)."""
    return load_facts(contract, parse_toml(text, file), file)


def roster_path(facts: Any, facts_file: str | Path | None) -> Path | None:
    """The roster a facts file names (``roster = "staff.csv"``, relative to
    the facts file), or None."""
    name = getattr(facts, "roster", None)
    if not name:
        return None
    p = Path(name)
    if not p.is_absolute() and facts_file and str(facts_file) != "<stdin>":
        p = Path(facts_file).parent / p
    return p


def load_roster(path: str | Path, contract: Contract | None = None, encoding: str | None = None) -> tuple[StaffMember, ...]:
    """Read a staff roster (CSV, or ``.xlsx``); with ``contract``, the columns its staffing
    rules need are required too (a missing one is an InputError naming it).

    :param encoding: the CSV's encoding; default UTF-8, else GBK/GB18030 detected.
    """
    from .roster import REQUIRED, read_roster  # noqa: PLC0415 - the csv module and roster shapes only when a roster is read

    extra = contract.roster_columns if contract is not None else ()
    return read_roster(path, (*REQUIRED, *extra), encoding)


def load_roster_text(text: str, contract: Contract | None = None, file: str = "roster_csv") -> tuple[StaffMember, ...]:
    """A roster sent as CSV text (what ``yibao serve`` receives): the same
    checks as :func:`load_roster`, problems named after ``file``."""
    from .roster import REQUIRED, read_roster_text  # noqa: PLC0415 - as in load_roster

    extra = contract.roster_columns if contract is not None else ()
    return read_roster_text(text, (*REQUIRED, *extra), file)


def compute(
    contract: Contract,
    facts: Any,
    roster: Sequence[StaffMember] | None = None,
    facts_file: str | None = None,
    *,
    ledger: str | Path | Store | None = None,
) -> Result:
    """Compute one period: fees, risk sharing, assessment, settlement, and
    (when a roster is given) staffing — the hooks of this contract's plugin
    and of the cross-cutting plugins only.

    With ``ledger`` (a settlement ledger file or open Store), a ``[[carry]]``
    fact the facts leave out is taken from the ledger's current recorded
    settlement of the previous period (payments first, for what was paid),
    as :func:`compute_series` does for a series' first period.

    :raises PluginFailure: a hook of the contract's plugin raised (no result).
        A cross-cutting plugin whose hook raises is left out, the period is
        computed again without it, and the result carries a warning naming it.
    """
    if ledger is not None:
        return compute_series(contract, [facts], [roster], [facts_file], ledger=ledger)[0]
    while True:
        try:
            return _compute(contract, facts, roster, facts_file)
        except PluginLeftOut:
            continue  # that plugin is left out now: start again without it


def _compute(
    contract: Contract,
    facts: Any,
    roster: Sequence[StaffMember] | None,
    facts_file: str | None,
) -> Result:
    ledger = Ledger(contract.interpretations)
    ledger.source = facts_file
    reg = contract.registry
    staffing: Ledger | None = None
    if roster is not None:
        # The roster is checked first, into a ledger of its own, so that a
        # money step can count its findings (洛阳 第五条(二): a county
        # shortfall is a breach costing 2%); its findings still follow the money's.
        staffing = Ledger(contract.interpretations)
        staffing.source = facts_file
        reg.call(contract.name, "yibao_check_staffing", contract=contract, facts=facts, roster=tuple(roster), ledger=staffing)
        ledger.roster_findings = tuple(staffing.findings)
    for stage in MONEY_STAGES:
        reg.call(contract.name, stage.hook, contract=contract, facts=facts, ledger=ledger)
    if staffing is not None:
        ledger.absorb(staffing)
    elif any(b.stage == "staffing" for b in contract.steps):
        ledger.finding(
            "staffing.not_checked",
            "info",
            "no roster given (facts key 'roster' or --roster): staffing duties not checked",
            "、".join(dict.fromkeys(b.step.clause for b in contract.steps if b.stage == "staffing")),
        )
    for name in reg.left_out:
        ledger.finding("plugin.left_out", "warning", f"plugin {name!r} failed and was left out of this computation (see its warning)", "", scope=name)
    return result_from_ledger(contract.doc.id, contract.doc.city, str(period_of(facts)), ledger)


def compute_series(
    contract: Contract,
    facts_list: Sequence[Any],
    rosters: Sequence[Sequence[StaffMember] | None] | None = None,
    files: Sequence[str | None] | None = None,
    *,
    ledger: str | Path | Store | None = None,
) -> list[Result]:
    """Compute one contract's consecutive periods as a series
    (:mod:`yibao.series`): put in period order (the results come in that
    order; :func:`series_order` gives it), checked — no period twice, no
    gap, a year-end with all its quarters or none, ``[[shared]]`` facts
    agreeing — and computed carrying figures as ``[[carry]]`` says (淮阳:
    滚存结余; 洛阳: the year-end's quarterly fees taken as paid).

    A later period's facts may leave a carried key out (the earlier
    periods' item is used) or give the same figure; a different figure is
    an InputError naming both files and keys, since one of the two is wrong
    — except for what was paid (``paid = true``), where the stated figure wins.

    With ``ledger`` (a settlement ledger file or open Store), a carried fact
    of the first period is taken from the ledger when the facts leave it out:
    the current recorded settlement of the previous period (淮阳:
    滚存结余), or for what was paid the payments recorded, else the recorded
    figure taken as paid (洛阳: the quarters of a year-end). The result
    carries an info finding ``series.carried_from_ledger`` naming the
    entries; a stated figure that differs is an InputError naming the file,
    the key and the entries. No entry in the ledger: as without one.
    """
    from .series import compute_series as _series  # noqa: PLC0415 - only for several periods

    if ledger is None:
        return _series(contract, facts_list, rosters, files, compute)
    with _open_ledger(ledger) as store:
        return _series(contract, facts_list, rosters, files, compute, _ledger_view(contract, store))


def _ledger_view(contract: Contract, store: Store) -> Any:
    """What a series reads from an open ledger (:class:`yibao.series.FromLedger`)."""
    from .ledger.book import current_settlements  # noqa: PLC0415
    from .ledger.entries import result_from_dict  # noqa: PLC0415
    from .series import FromLedger  # noqa: PLC0415

    cid = contract.doc.id

    def settlement(p: Period) -> tuple[int, Result] | None:
        found = current_settlements(store, cid, str(p))
        return (found[-1].id, result_from_dict(found[-1].data["result"])) if found else None

    def paid(p: Period) -> tuple[Decimal, list[int]] | None:
        from decimal import Decimal as D  # noqa: PLC0415

        entries = store.entries(kind="payment", contract=cid, period=str(p))
        return (sum((D(e.amount or "0") for e in entries), D(0)), [e.id for e in entries]) if entries else None

    return FromLedger(settlement, paid)


def series_order(contract: Contract, facts_list: Sequence[Any], files: Sequence[str | None] | None = None) -> list[int]:
    """The indices of ``facts_list`` in period order, the series checked
    (:func:`yibao.series.order`).

    :raises InputError: a period twice, a gap, a year-end without some of
        its quarters — each naming the files.
    """
    from .series import order  # noqa: PLC0415 - only for several periods

    return order(contract, facts_list, files)


def envelope(
    contract: Contract,
    results: Result | Sequence[Result],
    sources: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """One compute (a result, or a series' results) as the versioned JSON
    document the CLI prints and ``yibao serve`` returns
    (:mod:`yibao.output`): ``schema_version``, ``yibao_version``, ``inputs``
    (contract id and SHA-256, each period's facts source, the readings in
    effect), the last period's ``items``/``findings``/``interpretations`` at
    the top level and every period under ``results``.

    :param sources: per period, where its facts came from (a path,
        ``"bundled example"``, ``"stdin"``, ``"request"``), or None.
    """
    rs = [results] if isinstance(results, Result) else list(results)
    return _envelope(contract, rs, sources)


def validate(contract: Contract, facts: Any | None = None) -> Result:
    """Check the contract's own stated arithmetic (and, with facts, stated
    figures the facts can confirm). Findings only; nothing is computed.

    The contract's ``[calendar]`` and ``[claims]`` tables were checked when
    it was loaded.
    """
    while True:
        ledger = Ledger(contract.interpretations)
        try:
            contract.registry.call(contract.name, "yibao_validate_contract", contract=contract, facts=facts, ledger=ledger)
            break
        except PluginLeftOut:
            continue
    shown = str(period_of(facts)) if facts is not None else ""
    return result_from_ledger(contract.doc.id, contract.doc.city, shown, ledger)


def deadline(contract: Contract, key: str, start: dt.date, calendars: Sequence[str | Path] = ()) -> dict[str, Any]:
    """The last day of a contract deadline counted from an event on
    ``start``, exactly the JSON of ``yibao deadline`` (without its version
    stamp): key, clause, count and unit, ``due``, the weekday, the day it
    rolled from, the formula, the calendar used, and the reading that chose
    the entry when the deadline depends on one (``contract.with_choices``).

    :raises InputError: no such deadline (with the closest key), or a year
        no calendar covers.
    """
    from .calendar import WEEKDAYS_ZH, calendar_for, find_deadline  # noqa: PLC0415 - only for deadlines
    from .inputs import FIRST_DATE, LAST_DATE  # noqa: PLC0415

    if not FIRST_DATE <= start <= LAST_DATE:
        raise InputError.one("command line", "--from", f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {start}")
    d = find_deadline(contract, key)
    cal = calendar_for(contract, [Path(c) for c in calendars])
    due = cal.due(start, d.count, d.unit)
    years = range(due.start.year, due.due.year + 1)
    return {
        "contract": contract.doc.id,
        "city": contract.doc.city,
        "key": d.key,
        "label": d.label,
        "clause": d.clause,
        "count": d.count,
        "unit": d.unit,
        "start_event": d.start,
        "from": due.start.isoformat(),
        "due": due.due.isoformat(),
        "weekday": WEEKDAYS_ZH[due.due.weekday()],
        "rolled_from": due.rolled_from.isoformat() if due.rolled_from else None,
        "formula": due.formula,
        "notes": list(due.notes),
        "calendar": {str(y): cal.source(y) for y in years if cal.covers(y)},
        "reading": d.reading,
    }


# ------------------------------------------------------------------ describing contracts
# Thin wrappers over yibao.describe (what `show`, `compare`, `diff` and
# `schema` print). describe is imported inside each, so `compute` never pays
# for it (nor for yibao.schema).


def describe_contract(contract: Contract) -> dict[str, Any]:
    """A contract's terms as data, exactly the JSON of ``yibao show``: parties,
    term, steps with parameters and clauses, terms, deadlines, interpretations."""
    from .describe import describe_contract as describe  # noqa: PLC0415 - kept off compute's start-up

    return describe(contract)


def compare_contracts(contracts: Sequence[Contract]) -> dict[str, dict[str, list[str]]]:
    """Contracts side by side, exactly the JSON of ``yibao compare``: by
    contract name, by stage (fees, risk, assessment, settlement, staffing),
    one line per step with its parameters and clause."""
    from .describe import compare_contracts as compare  # noqa: PLC0415 - kept off compute's start-up

    return compare(contracts)


def diff_contracts(old: Contract, new: Contract, facts: str | Path | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What changes between two versions of a contract TOML, exactly the JSON
    of ``yibao diff``: ``parameters`` (every key path whose value differs)
    and, with ``facts``, ``items`` (every line item whose amount differs when
    both are computed on those facts)."""
    from .describe import item_changes, parameter_changes  # noqa: PLC0415 - kept off compute's start-up

    params = parameter_changes(read_toml(old.path), read_toml(new.path))
    items: list[dict[str, Any]] = []
    if facts is not None:
        file = None if isinstance(facts, Mapping) else str(facts)
        before = compute(old, load_facts(old, facts), None, file)
        after = compute(new, load_facts(new, facts), None, file)
        items = item_changes(before, after)
    return {"parameters": params, "items": items}


def contract_schema(name: str, reg: Registry | None = None) -> dict[str, Any]:
    """The JSON Schema of contract ``name``'s TOML (``yibao schema CITY``).

    :raises InputError: no such contract (with the closest name).
    """
    from .describe import schema_for  # noqa: PLC0415 - kept off compute's start-up

    reg = reg or registry()
    get_spec(name, reg)
    return schema_for(reg, name, False)


def facts_schema(name: str, reg: Registry | None = None) -> dict[str, Any]:
    """The JSON Schema of contract ``name``'s facts (``yibao schema CITY --facts``).

    :raises InputError: no such contract (with the closest name).
    """
    from .describe import schema_for  # noqa: PLC0415 - kept off compute's start-up

    reg = reg or registry()
    get_spec(name, reg)
    return schema_for(reg, name, True)


# ------------------------------------------------------------------ the settlement ledger
# Thin wrappers over yibao.ledger (an SQLite file of recorded settlements and
# payments in a hash chain; not results.Ledger, the collector of one
# computation). yibao.ledger is imported inside each, so `compute` pays for it
# only with --record. ``ledger`` is a path, an open yibao.ledger.Store, or
# None: $YIBAO_LEDGER, else ledger.sqlite in the user data directory.

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator
    from decimal import Decimal

    from .ledger import Entry, Store, Verification


def _open_ledger(ledger: str | Path | Store | None) -> Any:
    """A context manager yielding an open Store (closed after, unless given open)."""
    from contextlib import contextmanager  # noqa: PLC0415

    from .ledger import Store, default_path  # noqa: PLC0415 - only for ledger calls

    @contextmanager
    def opened() -> Iterator[Store]:
        if isinstance(ledger, Store):
            yield ledger
            return
        store = Store(ledger if ledger is not None else default_path())
        try:
            yield store
        finally:
            store.close()

    return opened()


def ledger_path(ledger: str | Path | None = None) -> Path:
    """The ledger file used: ``ledger``, else ``$YIBAO_LEDGER``, else the user data directory's."""
    from .ledger import default_path  # noqa: PLC0415

    return Path(ledger) if ledger is not None else default_path()


def record(
    contract: Contract,
    facts: Any,
    result: Result,
    *,
    ledger: str | Path | Store | None = None,
    by: str | None = None,
    reason: str | None = None,
    facts_file: str | None = None,
    roster_file: str | Path | None = None,
) -> Entry:
    """Append a computed settlement to the ledger: the contract's hash (its
    text kept once), yibao and plugin versions, the readings in force, the
    facts as canonical JSON with their hash, the roster's hash and row count
    (never its content), the result, who, when, the previous entry's hash.

    :raises InputError: the contract and period are recorded already and no
        ``reason`` is given (a correction needs one).
    """
    return record_series(contract, [facts], [result], ledger=ledger, by=by, reason=reason, files=[facts_file], roster_files=[roster_file])[0]


def record_series(
    contract: Contract,
    facts_list: Sequence[Any],
    results: Sequence[Result],
    *,
    ledger: str | Path | Store | None = None,
    by: str | None = None,
    reason: str | None = None,
    files: Sequence[str | None] | None = None,
    roster_files: Sequence[str | Path | None] | None = None,
) -> list[Entry]:
    """:func:`record` for several periods, in one transaction (all or none)."""
    from .ledger.book import Run  # noqa: PLC0415
    from .ledger.book import record as _record  # noqa: PLC0415

    runs = [
        Run(contract, f, r, files[i] if files else None, roster_files[i] if roster_files else None)
        for i, (f, r) in enumerate(zip(facts_list, results, strict=True))
    ]
    with _open_ledger(ledger) as store:
        return _record(store, runs, by=by, reason=reason)


def ledger_period(contract: Contract, period: str | Period) -> str:
    """A period of ``contract`` as the ledger writes it (``"2026Q1"``).

    :raises InputError: not a period of the contract's kind, or outside its term.
    """
    from .periods import parse_any  # noqa: PLC0415

    if not isinstance(period, Period):
        _, kinds = period_field(contract.spec.facts_class)
        try:
            period = parse_any(kinds, period)
        except (ValueError, TypeError) as exc:
            raise InputError.one("command line", "PERIOD", str(exc)) from None
    wrong = contract.check_period(period)
    if wrong is not None:
        raise InputError.one("command line", "PERIOD", wrong)
    return str(period)


def record_payment(
    contract: Contract,
    period: str | Period,
    amount: Decimal | str,
    on: dt.date,
    ref: str,
    *,
    ledger: str | Path | Store | None = None,
    by: str | None = None,
    note: str | None = None,
) -> Entry:
    """Append a payment actually made for a period (``yibao ledger pay``):
    the amount in 元 (negative: refunded by the insurer), the day, the
    voucher reference (凭证号)."""
    from .ledger.book import pay  # noqa: PLC0415
    from .money import parse_decimal  # noqa: PLC0415

    try:
        value = parse_decimal(amount)
    except ValueError as exc:
        raise InputError.one("command line", "AMOUNT", str(exc)) from None
    shown = ledger_period(contract, period)
    with _open_ledger(ledger) as store:
        return pay(store, contract, shown, value, on, ref, by=by, note=note)


def ledger_entries(
    ledger: str | Path | Store | None = None, city: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """Every entry (of a city or contract id, of a period), in order, each
    a summary with its ``status``: ``current``, ``superseded by N`` or ``payment``."""
    with _open_ledger(ledger) as store:
        gone: dict[int, int] = {}
        for e in store.entries():
            if e.supersedes is not None:
                gone[e.supersedes] = e.id
        out = []
        for e in store.entries(contract=city, period=period):
            row = e.summary()
            row["status"] = "payment" if e.kind == "payment" else (f"superseded by {gone[e.id]}" if e.id in gone else "current")
            out.append(row)
        return out


def ledger_entry(entry_id: int, ledger: str | Path | Store | None = None) -> Entry:
    """One entry, in full. :raises InputError: no such entry."""
    from .ledger.book import get_entry  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        return get_entry(store, entry_id)


def _rerun(entry: Entry, text: bytes) -> dict[str, Any]:
    """One settlement computed again from its stored contract text, readings and facts."""
    import tempfile  # noqa: PLC0415

    data = entry.data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contract.toml"
        path.write_bytes(text)
        c = load_contract(entry.city, path)
        c = c.with_choices({k: v for k, v in data["readings"].items() if k in c.interpretations})
        facts = load_facts(c, data["facts"], file=f"ledger entry {entry.id}")
        return compute(c, facts).to_dict()


def verify_ledger(ledger: str | Path | Store | None = None, recompute: bool = False) -> Verification:
    """Check the hash chain (an edited or deleted entry is named) and, with
    ``recompute``, run every current settlement again from its stored
    contract text, readings and facts: each figure that differs is listed."""
    from .ledger import book  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        found = book.verify(store)
        if recompute and not found.problems:
            found = attrs.evolve(found, differences=tuple(book.recompute(store, _rerun)))
        return found


def balance(contract: Contract, ledger: str | Path | Store | None = None, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Per period: what is due (the contract's ``[[payable]]`` items in the
    current recorded settlement), paid, outstanding, the payment deadline
    where the contract sets one, and whether it is overdue on ``as_of`` (today)."""
    import datetime as _dt  # noqa: PLC0415

    from .ledger.book import balance as _balance  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        return _balance(store, contract, as_of or _dt.date.today())


def export_ledger(out: str | Path, fmt: str = "json", ledger: str | Path | Store | None = None) -> int:
    """Write every entry to ``out`` as json, csv or parquet (atomically); the count."""
    from .ledger.book import export  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        return export(store, fmt, out)


def entry_facts_toml(entry_id: int, ledger: str | Path | Store | None = None) -> str:
    """An entry's stored facts as a TOML text that recomputes its figures."""
    from .ledger.book import facts_file_text  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        return facts_file_text(store, entry_id)


def _contract_id(contract: Contract | str) -> str:
    return contract.doc.id if isinstance(contract, Contract) else contract


def paid(ledger: str | Path | Store | None, contract: Contract | str, period: str | Period) -> Decimal | None:
    """What the payments recorded for ``contract`` (a Contract, a contract
    id or a city) and ``period`` add up to; None when none is recorded."""
    from .ledger.book import paid as _paid  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        return _paid(store, _contract_id(contract), str(period))


def recorded_result(ledger: str | Path | Store | None, contract: Contract | str, period: str | Period) -> Result | None:
    """The current recorded settlement of ``contract`` and ``period`` as a
    Result (the latest correction), or None when it was never recorded."""
    from .ledger.book import current_settlements  # noqa: PLC0415
    from .ledger.entries import result_from_dict  # noqa: PLC0415

    with _open_ledger(ledger) as store:
        found = current_settlements(store, _contract_id(contract), str(period))
        return result_from_dict(found[-1].data["result"]) if found else None


# --------------------------------------------------------------- risk simulation, readings
def readings(contract: Contract, facts: Any, facts_file: str | None = None, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Every alternative reading of every interpretation computed on
    ``facts``, with the change of each money item against the contract's
    chosen readings: the JSON of ``yibao readings`` (without its version
    stamp). :mod:`yibao.readings`. ``translate``: each message of why a
    reading was not computed, before they are joined (the CLI passes
    :func:`yibao.i18n.tr_message`); English without it."""
    from .readings import readings_worth  # noqa: PLC0415 - only for this capability

    return readings_worth(contract, facts, compute, facts_file, translate)


def simulate(
    contract: Contract,
    facts: Any,
    *,
    scenarios: int,
    seed: int,
    vary: Sequence[str] = (),
    years: int = 1,
    readings: bool = False,
    facts_file: str | None = None,
    dump: str | Path | None = None,
    force_scalar: bool = False,
) -> Any:
    """Simulate ``scenarios`` periods (or series of ``years`` periods) with
    the ``vary`` facts drawn per scenario (``"regions[0].payouts=lognormal(cv=0.1)"``):
    a :class:`yibao.simulate.Simulation` (``.to_dict()`` is the JSON of
    ``yibao simulate``). Needs the ``[simulate]`` extra (numpy; pyarrow
    for ``dump`` and ``bootstrap:``). Series carry per ``[[carry]]`` as
    :func:`compute_series` does; the Decimal fallback calls it."""
    from .simulate import simulate as _simulate  # noqa: PLC0415 - numpy only for this capability

    return _simulate(
        contract,
        facts,
        scenarios=scenarios,
        seed=seed,
        vary=vary,
        years=years,
        compute=compute,
        compute_series=compute_series,
        readings=readings,
        facts_file=facts_file,
        dump=dump,
        force_scalar=force_scalar,
    )
