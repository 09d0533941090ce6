"""A contract's life, not one period: several facts files as one series.

A series is the facts of one contract's consecutive periods, computed in
order. Before anything is computed it is put in period order
(:meth:`yibao.periods.Period.sort_key`: a year-end after its quarters) and
checked:

- no period twice (naming both files);
- per kind of period, no gap (``2025`` then ``2027`` names both files and
  the missing ``2026``);
- a period that contains periods of a shorter kind in the same series sees
  all of them (洛阳 第三条(五): the year-end 2026 with 2026Q1–Q4, or with none);
- no period after one whose facts give an ``[[ends]]`` key (淮安 八:
  the quarter of the termination is the last; a later one names both files);
- ``[[shared]]`` facts agree across the files that give them (洛阳: the
  quarters and the year-end of a year give one 上年度参保人数; 2027's equals
  2026's 当年实际参保人数). A disagreement names both files and keys.

While computing, ``[[carry]]`` entries fill a fact from earlier periods'
items: the previous period's (淮阳: 滚存结余), or with ``over`` the sum over
every earlier period (淮安: what the quarters before a termination paid) or
over the earlier periods inside this one (洛阳: the year-end's quarterly fees).
A carried figure the facts give differently is an input error naming both
files — unless the entry is ``paid`` (what was actually paid): then the
stated figure is used, and a figure the series fills in is said to be taken
as paid (an ``info`` finding ``series.taken_as_paid``).

With a settlement ledger (:class:`FromLedger`), a carried fact of the
series' first period that no earlier file of the series can give is taken
from the ledger: the current recorded settlement of the previous period (or
of every earlier period the entry sums over; for ``paid`` entries the
payments recorded for a period come before its settlement's figure). The
result says so (``series.carried_from_ledger``, naming the entries); a
figure the facts state differently is an input error naming the file, the
key and the entries — unless the entry is ``paid`` and the ledger holds no
payment for it (a computed figure taken as paid): then the stated figure
wins, as within a series. No ledger entry: nothing changes.

Nothing here knows a city; the API passes the one-period compute in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .errors import InputError, Problem
from .money import fmt_amount, fmt_number
from .periods import KINDS, Period, period_field, period_of, span, within
from .results import Finding, Result

#: the one-period compute the API passes in: (contract, facts, roster, file) -> Result
Compute = Callable[[Any, Any, Any, "str | None"], Result]


@attrs.frozen(slots=False)
class FromLedger:
    """What a series may read from the settlement ledger (the API passes it
    in; nothing here opens one): ``settlement(period)`` is the current
    recorded settlement as ``(entry id, Result)`` or None; ``paid(period)``
    the payments recorded as ``(total, entry ids)`` or None."""

    settlement: Callable[[Period], tuple[int, Result] | None]
    paid: Callable[[Period], tuple[Decimal, list[int]] | None]


def _ids(ids: Sequence[int]) -> str:
    return ("entry " if len(ids) == 1 else "entries ") + ", ".join(str(i) for i in ids)


def _ledger_periods(contract: Any, c: Any, period: Period) -> list[Period] | None:
    """The periods a carry entry sums over when the series starts at ``period``
    (none of them computed in this run), or None when the entry needs none."""
    origin = contract.doc.term.start
    if c.over == "previous":
        try:
            return [period.previous()]
        except ValueError:
            return None
    if c.over == "earlier":
        start, end = origin, period.bounds(origin)[0] - dt.timedelta(days=1)
    elif period.kind == c.over:
        start, end = period.bounds(origin)
    else:
        return None
    if end < start:
        return None
    _, kinds = period_field(contract.spec.facts_class)
    out: list[Period] = []
    for kind in kinds:
        ends = span(kind, start, end)
        if ends is None:
            continue
        q = ends[0]
        while True:
            if q != period:
                out.append(q)
            if q == ends[1]:
                break
            q = q.next()
    return out or None


def _from_ledger(contract: Any, c: Any, period: Period, book: FromLedger) -> tuple[Decimal, str, list[int], bool] | None:
    """A carried figure for the first period of a series, from the ledger:
    (value, where it came from, the entries, whether any is a payment);
    None when the ledger does not hold every period it needs."""
    periods = _ledger_periods(contract, c, period)
    if not periods:
        return None
    parts: list[tuple[Decimal, str]] = []
    ids: list[int] = []
    payments = False
    for p in periods:
        got = book.paid(p) if c.paid else None
        if got is not None:
            value, entries = got
            parts.append((value, f"paid for {p} ({_ids(entries)})"))
            ids.extend(entries)
            payments = True
            continue
        settled = book.settlement(p)
        if settled is None:
            return None
        entry, result = settled
        try:
            value = result.amount(c.item)
        except KeyError:
            return None  # a period of a kind that has no such item
        parts.append((value, f"{c.item} of {p} (ledger entry {entry})"))
        ids.append(entry)
    total = sum((v for v, _ in parts), Decimal(0))
    source = " + ".join(f"{w} {fmt_amount(v)}" for v, w in parts) if len(parts) > 1 else parts[0][1]
    return total, source, ids, payments


def _name(files: Sequence[str | None] | None, i: int) -> str:
    f = files[i] if files else None
    return f if f else f"facts[{i}]"


def _shown(v: Any) -> str:
    if isinstance(v, Decimal):
        return fmt_number(v) if v == v.to_integral_value() else fmt_amount(v)
    return str(v)


def _kind(name: str) -> type[Period]:
    return next(k for k in KINDS if k.kind == name)


def container(contract: Any, period: Period, kind: str) -> Period | None:
    """The period of ``kind`` that holds ``period`` (the year of a quarter;
    a year of itself), or None when none holds it whole."""
    origin = contract.doc.term.start
    first, last = period.bounds(origin)
    c = _kind(kind).containing(first, origin)
    lo, hi = c.bounds(origin)
    return c if lo <= first and last <= hi else None


def order(contract: Any, facts_list: Sequence[Any], files: Sequence[str | None] | None = None) -> list[int]:
    """The indices of ``facts_list`` in period order, after checking that
    they are one series: no period twice, no gap within a kind, and a period
    holding shorter periods of the series holds all of them.

    :raises InputError: every problem, each naming the files concerned.
    """
    origin = contract.doc.term.start
    key, _ = period_field(contract.spec.facts_class)
    periods = [period_of(f) for f in facts_list]
    idx = sorted(range(len(periods)), key=lambda i: (periods[i].sort_key(origin), i))
    problems: list[Problem] = []
    seen: dict[Period, int] = {}
    for i in idx:
        p = periods[i]
        if p in seen:
            problems.append(
                Problem(_name(files, i), key, f"period {p} is given twice, in {_name(files, seen[p])} and {_name(files, i)}: a series has each period once")
            )
        else:
            seen[p] = i
    by_kind: dict[str, list[int]] = {}
    for p, i in seen.items():
        by_kind.setdefault(p.kind, []).append(i)
    for members in by_kind.values():
        members.sort(key=lambda i: periods[i].sort_key(origin))
        for a, b in zip(members, members[1:], strict=False):
            pa, pb = periods[a], periods[b]
            if pb != pa.next():
                gap = str(pa.next()) if pa.next() == pb.previous() else f"{pa.next()}–{pb.previous()}"
                problems.append(
                    Problem(
                        _name(files, b),
                        key,
                        f"{pa} ({_name(files, a)}) is followed by {pb} ({_name(files, b)}): {gap} is missing; "
                        "a series is consecutive periods without gaps",
                    )
                )
    for p, i in seen.items():
        first, last = p.bounds(origin)
        for kind, members in by_kind.items():
            if kind == p.kind:
                continue
            inside = [periods[j] for j in members if periods[j] != p and within(periods[j], first, last)]
            if not inside:
                continue
            ends = span(type(inside[0]), first, last)
            if ends is None:
                continue
            expected, q = [], ends[0]
            while True:
                expected.append(q)
                if q == ends[1]:
                    break
                q = q.next()
            missing = [str(q) for q in expected if q not in seen]
            if missing:
                problems.append(
                    Problem(
                        _name(files, i),
                        key,
                        f"{p} sees {', '.join(str(q) for q in sorted(inside))} of the series but not {', '.join(missing)}: "
                        f"give every {inside[0].noun} of {p} or none",
                    )
                )
    for e in contract.doc.ends:
        for n, i in enumerate(idx):
            if getattr(facts_list[i], e.fact, None) is None:
                continue
            first, last = periods[i].bounds(origin)
            for j in idx[n + 1 :]:
                if periods[j] == periods[i]:
                    continue  # given twice: said above
                lo, hi = periods[j].bounds(origin)
                if lo <= first and last <= hi:
                    continue  # a longer period holding the last one
                problems.append(
                    Problem(
                        _name(files, j),
                        key,
                        f"{periods[j]} follows {periods[i]} ({_name(files, i)}), whose {e.fact} = {_shown(getattr(facts_list[i], e.fact))} "
                        f"ends the contract ({e.clause}): no period of the series comes after it",
                    )
                )
    if problems:
        raise InputError(problems)
    return idx


def check_shared(contract: Any, facts_list: Sequence[Any], files: Sequence[str | None] | None = None) -> None:
    """``[[shared]]``: the files that give a shared fact agree (per
    ``within`` period), and a ``previous`` fact equals the one of the
    previous period's file. ``facts_list`` is in period order.

    :raises InputError: every disagreement, naming both files and keys.
    """
    problems: list[Problem] = []
    periods = [period_of(f) for f in facts_list]
    for sh in contract.doc.shared:
        if sh.previous is None:
            first: dict[Any, int] = {}
            for i, f in enumerate(facts_list):
                v = getattr(f, sh.fact, None)
                if v is None:
                    continue
                group = container(contract, periods[i], sh.within) if sh.within else None
                if sh.within and group is None:
                    continue
                if group not in first:
                    first[group] = i
                    continue
                j = first[group]
                w = getattr(facts_list[j], sh.fact)
                if v != w:
                    where = f" (both in {group})" if group is not None else ""
                    problems.append(
                        Problem(
                            _name(files, i),
                            sh.fact,
                            f"gives {_shown(v)}, but {_name(files, j)} gives {sh.fact} = {_shown(w)}{where}; "
                            f"the series shares one figure ({sh.clause}): correct one of the two",
                        )
                    )
            continue
        assert sh.within is not None  # checked when the contract loads
        by_period = {p: i for i, p in enumerate(periods)}
        for i, f in enumerate(facts_list):
            v = getattr(f, sh.fact, None)
            group = container(contract, periods[i], sh.within)
            if v is None or group is None:
                continue
            try:
                before = group.previous()
            except ValueError:
                continue
            k = by_period.get(before)
            if k is None:
                continue
            w = getattr(facts_list[k], sh.previous, None)
            if w is not None and v != w:
                problems.append(
                    Problem(
                        _name(files, i),
                        sh.fact,
                        f"gives {_shown(v)}, but {_name(files, k)} ({before}) gives {sh.previous} = {_shown(w)}; "
                        f"{sh.fact} of {group} is {sh.previous} of {before} ({sh.clause}): correct one of the two",
                    )
                )
    if problems:
        raise InputError(problems)


def _carried(
    contract: Any, facts: Any, done: list[tuple[Any, Result, str]], file: str, book: FromLedger | None = None
) -> tuple[dict[str, Any], list[Finding]]:
    """The facts ``[[carry]]`` fills or checks for the next period of the
    series, and the findings saying a figure was taken as paid (or from the ledger)."""
    changes: dict[str, Any] = {}
    notes: list[Finding] = []
    period = period_of(facts)
    for c in contract.doc.carry:
        if c.when is not None and not getattr(facts, c.when, None):
            continue
        if not done and book is not None:
            found = _from_ledger(contract, c, period, book)
            if found is not None:
                _ledger_carry(c, facts, file, found, changes, notes)
            continue
        if c.over == "previous":
            if not done:
                continue
            p, r, shown_from = done[-1]
            try:
                value = r.amount(c.item)
            except KeyError:
                raise InputError.one(shown_from, f"carry[{c.item}]", f"period {p} produced no item {c.item!r}") from None
            source = f"{c.item} of {p} ({shown_from})"
        else:
            if c.over == "earlier":
                earlier = list(done)
            elif period.kind == c.over:
                first, last = period.bounds(contract.doc.term.start)
                earlier = [(p, r, f) for p, r, f in done if within(p, first, last)]
            else:
                continue
            if not earlier:
                continue
            try:
                parts = [r.amount(c.item) for _, r, _ in earlier]
            except KeyError:
                continue  # an earlier period of a kind that has no such item
            value = sum(parts, Decimal(0))
            source = f"{c.item} of {', '.join(f'{p} ({f})' for p, _, f in earlier)}: {' + '.join(fmt_amount(x) for x in parts)}"
        given = getattr(facts, c.fact, None)
        if given is None:
            changes[c.fact] = value
            if c.paid:
                notes.append(
                    Finding(
                        "series.taken_as_paid",
                        "info",
                        f"{c.fact} not stated in {file}: the figures computed for the earlier periods of the series are taken as paid — "
                        f"{source} = {fmt_amount(value)}",
                        c.clause,
                    )
                )
        elif c.paid:
            if given != value:
                notes.append(
                    Finding(
                        "series.paid_as_stated",
                        "info",
                        f"{c.fact} = {fmt_amount(given)} as stated in {file}; the series computed {source} = {fmt_amount(value)}",
                        c.clause,
                    )
                )
        elif given != value:
            raise InputError.one(
                file,
                c.fact,
                f"gives {_shown(given)}, but {source} = {fmt_amount(value)} ({c.clause}); "
                "leave the key out to carry it, or correct one of the two",
            )
    return changes, notes


def _ledger_carry(c: Any, facts: Any, file: str, found: tuple[Decimal, str, list[int], bool], changes: dict[str, Any], notes: list[Finding]) -> None:
    """One ``[[carry]]`` fact of a series' first period against the ledger's figure."""
    value, source, ids, payments = found
    given = getattr(facts, c.fact, None)
    if given is None:
        changes[c.fact] = value
        how = " (taken as paid)" if c.paid and not payments else ""
        notes.append(
            Finding(
                "series.carried_from_ledger",
                "info",
                f"{c.fact} not stated in {file}: taken from the settlement ledger{how} — {source} = {fmt_amount(value)}",
                c.clause,
            )
        )
    elif given != value:
        if c.paid and not payments:
            notes.append(
                Finding(
                    "series.paid_as_stated",
                    "info",
                    f"{c.fact} = {fmt_amount(given)} as stated in {file}; the settlement ledger records {source} = {fmt_amount(value)}",
                    c.clause,
                )
            )
            return
        raise InputError.one(
            file,
            c.fact,
            f"gives {_shown(given)}, but the settlement ledger records {source} = {fmt_amount(value)} ({c.clause}); "
            "leave the key out to take the ledger's figure, or correct one of the two (a settlement by recording it again with --reason)",
        )


def compute_series(
    contract: Any,
    facts_list: Sequence[Any],
    rosters: Sequence[Any] | None,
    files: Sequence[str | None] | None,
    compute: Compute,
    book: FromLedger | None = None,
) -> list[Result]:
    """Order, check and compute a series (see the module's docstring); the
    results in period order."""
    idx = order(contract, facts_list, files)
    facts_sorted = [facts_list[i] for i in idx]
    names = [_name(files, i) for i in idx]
    check_shared(contract, facts_sorted, names)
    done: list[tuple[Any, Result, str]] = []
    results: list[Result] = []
    for facts, i, name in zip(facts_sorted, idx, names, strict=True):
        changes, notes = _carried(contract, facts, done, name, book)
        if changes:
            facts = attrs.evolve(facts, **changes)
        roster = rosters[i] if rosters else None
        result = compute(contract, facts, roster, files[i] if files else None)
        if notes:
            result = attrs.evolve(result, findings=(*result.findings, *notes))
        done.append((period_of(facts), result, name))
        results.append(result)
    return results
