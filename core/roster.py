"""Staff rosters: CSV with a fixed header, read into frozen records.

Header (DESIGN.md, "Facts"): ``id,name,site,role,education,major,birth_date,
title,experience_years,full_time``; only ``id``, ``site`` and ``role`` are
always required. ``name`` is read so that a roster can be checked, but it is
never printed: findings name the roster ``id``.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

import attrs

from .errors import InputError, Problem

COLUMNS = (
    "id", "name", "site", "role", "education", "major",
    "birth_date", "title", "experience_years", "full_time",
)
REQUIRED = ("id", "site", "role")
_TRUE = {"true", "1", "yes", "y", "是", "全日制"}
_FALSE = {"false", "0", "no", "n", "否", "非全日制", ""}


@attrs.frozen
class StaffMember:
    """One roster row. ``name`` never leaves this object (``repr`` hides it)."""

    id: str
    site: str
    role: str
    name: str | None = attrs.field(default=None, repr=False)
    education: str | None = None
    major: str | None = None
    birth_date: dt.date | None = None
    title: str | None = None
    experience_years: Decimal | None = None
    full_time: bool | None = None
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
    except FileNotFoundError:
        raise InputError.one(file, "", "roster file not found") from None
    except UnicodeDecodeError:
        raise InputError.one(file, "", "expected a UTF-8 CSV file") from None
    members: list[StaffMember] = []
    seen: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        where = f"row {n}"
        for c in REQUIRED:
            if not row.get(c):
                problems.append(Problem(file, f"{where}.{c}", "required value is empty"))
        if row.get("id") in seen:
            problems.append(Problem(file, f"{where}.id", f"duplicate id {row['id']!r}"))
        seen.add(row.get("id", ""))
        birth = exp = None
        full_time = None
        if row.get("birth_date"):
            try:
                birth = dt.date.fromisoformat(row["birth_date"])
            except ValueError:
                problems.append(Problem(file, f"{where}.birth_date", f"expected a date such as 1990-05-01, got {row['birth_date']!r}"))
        if row.get("experience_years"):
            try:
                exp = Decimal(row["experience_years"])
            except InvalidOperation:
                problems.append(Problem(file, f"{where}.experience_years", f"expected a number of years, got {row['experience_years']!r}"))
        if "full_time" in row:
            ft = row["full_time"].lower()
            if ft in _TRUE:
                full_time = True
            elif ft in _FALSE:
                full_time = False if ft else None
            else:
                problems.append(Problem(file, f"{where}.full_time", f"expected true or false, got {row['full_time']!r}"))
        members.append(
            StaffMember(
                id=row.get("id", ""),
                site=row.get("site", ""),
                role=row.get("role", ""),
                name=row.get("name") or None,
                education=row.get("education") or None,
                major=row.get("major") or None,
                birth_date=birth,
                title=row.get("title") or None,
                experience_years=exp,
                full_time=full_time,
                row=n,
            )
        )
    if problems:
        raise InputError(problems)
    return tuple(members)
