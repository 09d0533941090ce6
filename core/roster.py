"""Staff rosters: CSV with a fixed header, read into frozen records.

Header (DESIGN.md, "Facts"): ``id,name,site,role,education,major,birth_date,
title,experience_years,full_time``; only ``id``, ``site`` and ``role`` are
always required. ``name`` is read so that a roster can be checked, but it is
never printed: findings name the roster ``id``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import attrs

from .errors import InputError, Problem
from .inputs import YesNo, try_structure
from .values import Value

COLUMNS = (
    "id", "name", "site", "role", "education", "major",
    "birth_date", "title", "experience_years", "full_time",
)
REQUIRED = ("id", "site", "role")


@attrs.frozen(eq=False, repr=False, slots=False)
class StaffMember(Value):
    """One roster row. ``name`` never leaves this object (``repr`` hides it).

    Structured from the CSV row by the same converter as every TOML input, so
    a bad cell is reported like a bad key: file, ``row N.column``, what was
    expected. An empty cell is an absent value.
    """

    id: str
    site: str
    role: str
    name: str | None = attrs.field(default=None, repr=False)
    education: str | None = None
    major: str | None = None
    birth_date: dt.date | None = None
    title: str | None = None
    experience_years: Decimal | None = None
    full_time: YesNo | None = None
    #: the row of the CSV file (the header is row 1), for messages
    row: int = 0


def read_roster(path: str | Path, required: tuple[str, ...] = REQUIRED) -> tuple[StaffMember, ...]:
    """Read a roster CSV (UTF-8, BOM tolerated).

    :param required: the columns the caller's rules need besides the defaults;
        a missing one is an input error naming the column.
    :raises InputError: file, row and column of every bad value.
    """
    file = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return _read(fh, file, required)
    except FileNotFoundError:
        raise InputError.one(file, "", "roster file not found") from None
    except UnicodeDecodeError:
        raise InputError.one(file, "", "expected a UTF-8 CSV file") from None


def read_roster_text(text: str, required: tuple[str, ...] = REQUIRED, file: str = "roster_csv") -> tuple[StaffMember, ...]:
    """A roster sent as CSV text (``yibao serve``): the same checks as
    :func:`read_roster`, problems named after ``file``."""
    import io  # noqa: PLC0415 - only for a roster sent as text

    return _read(io.StringIO(text.removeprefix("\ufeff"), newline=""), file, required)


def _read(fh: Iterable[str], file: str, required: tuple[str, ...]) -> tuple[StaffMember, ...]:
    reader = csv.DictReader(fh)
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems = [
        Problem(file, "header", f"missing column {c!r} (header: {','.join(COLUMNS)})")
        for c in dict.fromkeys((*REQUIRED, *required))
        if c not in header
    ]
    problems += [
        Problem(file, "header", f"unknown column {c!r}; expected some of {','.join(COLUMNS)}")
        for c in header
        if c not in COLUMNS
    ]
    if problems:
        raise InputError(problems)
    rows = list(reader)
    members: list[StaffMember] = []
    seen: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        where = f"row {n}"
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        for c in REQUIRED:
            if not cells.get(c):
                problems.append(Problem(file, f"{where}.{c}", "required value is empty"))
        if cells.get("id") in seen:
            problems.append(Problem(file, f"{where}.id", f"duplicate id {cells['id']!r}"))
        seen.add(cells.get("id", ""))
        data: dict[str, object] = {k: v for k, v in cells.items() if v}
        data.update({c: cells.get(c, "") for c in REQUIRED}, row=n)
        member, found = try_structure(data, StaffMember, file, where)
        problems.extend(found)
        if member is not None:
            members.append(member)
    if problems:
        raise InputError(problems)
    return tuple(members)
