"""Staff rosters: CSV with a fixed header, read into frozen records.

Header (DESIGN.md, "Facts"): ``id,name,site,role,education,major,birth_date,
title,experience_years,full_time``; only ``id``, ``site`` and ``role`` are
always required. ``name`` is read so that a roster can be checked, but it is
never printed: findings name the roster ``id``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import attrs

from .errors import InputError, Problem
from .inputs import YesNo, try_structure
from .money import shown
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
    #: the roster file, for messages
    file: str | None = attrs.field(default=None, repr=False, eq=False)


def read_roster(path: str | Path, required: tuple[str, ...] = REQUIRED, encoding: str | None = None) -> tuple[StaffMember, ...]:
    """Read a roster: CSV (UTF-8, BOM tolerated; GBK/GB18030 as Excel on
    Chinese Windows saves it is detected, or name ``encoding``), or the
    first sheet of an ``.xlsx`` workbook (headers as keys or 编号/岗位/…).

    :param required: the columns the caller's rules need besides the defaults;
        a missing one is an input error naming the column.
    :raises InputError: file, row and column of every bad value (for a
        workbook, the sheet and cell too); no message quotes a cell.
    """
    from .files import regular_file  # noqa: PLC0415 - os and stat only

    file = str(path)
    regular_file(path, file, "", "roster file")  # not a directory, a device, a loop, too large…
    if file.lower().endswith(".xlsx"):
        from .excel import read_roster_rows  # noqa: PLC0415 - only for a workbook

        _, header, rows, cell = read_roster_rows(path)
        return _rows(header, enumerate(rows, start=2), file, required, [], cell)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError.one(file, "", "roster file not found") from None
    except OSError as exc:
        raise InputError.one(file, "", f"cannot read the roster file ({exc.strerror or type(exc).__name__})") from None
    return _read(io.StringIO(decode_csv(raw, file, encoding), newline=""), file, required)


def decode_csv(raw: bytes, file: str, encoding: str | None = None) -> str:
    """CSV bytes as text: ``encoding`` if given; else UTF-8 (a BOM
    tolerated), else GB18030 (which GBK and GB2312 are part of).

    :raises InputError: the bytes are neither, saying how to fix it.
    """
    how = "save it from Excel/WPS as 'CSV UTF-8', or pass --encoding (e.g. --encoding gb18030)"
    if encoding:
        try:
            return raw.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise InputError.one("command line", "--encoding", f"unknown encoding {encoding!r}; e.g. utf-8, gb18030") from None
        except UnicodeDecodeError as exc:
            raise InputError.one(file, "", f"not {encoding} text (byte {exc.start}); {how}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError.one(file, "", f"neither UTF-8 nor GBK/GB18030 text (byte {exc.start}); {how}") from None


def read_roster_text(text: str, required: tuple[str, ...] = REQUIRED, file: str = "roster_csv") -> tuple[StaffMember, ...]:
    """A roster sent as CSV text (``yibao serve``): the same checks as
    :func:`read_roster`, problems named after ``file``."""
    return _read(io.StringIO(text.removeprefix("\ufeff"), newline=""), file, required)


def _read(fh: Iterable[str], file: str, required: tuple[str, ...]) -> tuple[StaffMember, ...]:
    """The rows of a CSV roster. No message quotes a cell: a name or an ID
    number may sit in any column (a wrong column, a comma in a name that
    shifts the row), and a file that is no roster at all (``/etc/passwd``)
    is not echoed either."""
    reader = csv.reader(fh)
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(c in header for c in REQUIRED):
            raise InputError.one(file, "header", f"not a roster: the first line is no header naming {', '.join(REQUIRED)} (columns: {','.join(COLUMNS)})")
        problems = [
            Problem(file, "header", f"column {c!r} given {header.count(c)} times")
            for c in dict.fromkeys(header)
            if c in COLUMNS and header.count(c) > 1
        ]
        rows: list[tuple[int, dict[str, str]]] = []
        for n, raw in enumerate(reader, start=2):
            if not raw:  # a blank line
                continue
            if len(raw) != len(header):
                problems.append(
                    Problem(file, f"row {n}", f"{len(raw)} cells, the header has {len(header)} (an unquoted comma in a cell?); the row is not read")
                )
                continue
            rows.append((n, {k: v.strip() for k, v in zip(header, raw, strict=True)}))
    except csv.Error as exc:  # a NUL byte, a field too large: the message quotes no cell
        raise InputError.one(file, "", f"not a readable CSV file ({str(exc).split(':')[0][:80]})") from None
    return _rows(header, iter(rows), file, required, problems)


def _rows(
    header: list[str],
    rows: Iterator[tuple[int, dict[str, str]]],
    file: str,
    required: tuple[str, ...],
    problems: list[Problem],
    cell: Callable[[int, str], str] | None = None,
) -> tuple[StaffMember, ...]:
    """Numbered rows of cells (column -> text; the header is row 1) as staff
    members, after ``problems`` the reader found already.

    :param cell: for a workbook, the sheet and cell of (row, column).
    """
    head = [
        Problem(file, "header", f"missing column {c!r} (header: {','.join(COLUMNS)})", cell(1, "") if cell else None)
        for c in dict.fromkeys((*REQUIRED, *required))
        if c not in header
    ]
    head += [
        Problem(file, "header", f"unknown column {shown(c)!r}; expected some of {','.join(COLUMNS)}", cell(1, c) if cell else None)
        for c in dict.fromkeys(header)
        if c and c not in COLUMNS
    ]
    if head or any(p.path == "header" for p in problems):
        raise InputError([*head, *problems])
    members: list[StaffMember] = []
    seen: set[str] = set()
    for n, cells in rows:
        if cell is not None and not any(cells.values()):
            continue  # a blank row of a worksheet
        where = f"row {n}"
        found: list[Problem] = []
        for c in REQUIRED:
            if not cells.get(c):
                found.append(Problem(file, f"{where}.{c}", "required value is empty"))
        if cells.get("id") in seen:
            found.append(Problem(file, f"{where}.id", f"duplicate id {shown(cells['id'])!r}"))
        seen.add(cells.get("id", ""))
        data: dict[str, object] = {k: v for k, v in cells.items() if v}
        data.update({c: cells.get(c, "") for c in REQUIRED}, row=n, file=file)
        member, more = try_structure(data, StaffMember, file, where)
        found.extend(Problem(p.file, p.path, _unquoted(p.message)) for p in more)
        if cell is not None:
            found = [Problem(p.file, p.path, p.message, cell(n, p.path.rpartition(".")[2])) for p in found]
        problems.extend(found)
        if member is not None:
            members.append(member)
    if problems:
        raise InputError(problems)
    return tuple(members)


def _unquoted(message: str) -> str:
    """A converter message without the value it quotes (``…, got '张三'``)."""
    return message.rsplit(", got ", 1)[0] if ", got " in message else message
