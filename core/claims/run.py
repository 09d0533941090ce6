"""Running a claims job in DuckDB: one connection with a memory limit and a
temporary directory to spill to, the statements of :mod:`.sql` executed in
order, progress polled from a second thread, Ctrl-C passed to DuckDB.

DuckDB is imported inside the functions, never at module level: importing
:mod:`yibao.claims` must stay free for a process that only loads contracts.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InputError, Problem
from . import sql
from .report import BadRow, ClaimsReport, SummaryRow, benefit_info, counts, interpretations_used
from .spec import ClaimsDoc, chosen_basis, chosen_year, claims_doc

if TYPE_CHECKING:
    from ..calendar import WorkCalendar

#: called with (step, percent) while DuckDB works; a percentage is a float
ProgressFn = Callable[[str, float], None]
MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")


def run_claims(
    contract: Any,
    source: str | Path,
    calendar: WorkCalendar,
    *,
    out: str | Path | None = None,
    bad_rows_out: str | Path | None = None,
    as_of: dt.date | None = None,
    memory_limit: str = "1GB",
    threads: int | None = None,
    progress: ProgressFn | None = None,
    examples: int = 50,
    encoding: str | None = None,
    translate: Callable[[str], str] | None = None,
) -> ClaimsReport:
    """Process a claim log (see :mod:`yibao.claims` and ``docs/claims.md``).

    :param out: per-claim output, ``.parquet``, ``.csv`` (UTF-8 with a BOM,
        for Excel; cells that would run as formulas neutralised) or ``.xlsx``
        (up to Excel's 1,048,575 rows), by suffix.
    :param bad_rows_out: every bad cell as CSV ``row,column,value,message``;
        default ``<out>.bad_rows.csv`` next to ``out`` when there are any.
    :param as_of: the date the log was extracted: open claims past their
        deadline on that date are ``overdue``.
    :param memory_limit: DuckDB's ``memory_limit`` (e.g. ``"1GB"``).
    :param progress: called with (step, percent) while DuckDB works.
    :param examples: how many bad rows the report itself carries.
    :param encoding: a CSV log's encoding (default UTF-8; a GBK/GB18030 log
        is refused with a message saying to pass ``gb18030``).
    :param translate: the bad-rows CSV's ``message`` column in the reader's
        language: called with each message as the checks write it (and
        with the template :data:`.sql.DUPLICATE`), it returns the text to
        write (the CLI passes :func:`yibao.i18n.tr`). Default: as written,
        in English. The report's own ``bad`` cells stay as written; the
        CLI translates them when it prints them.
    :raises InputError: the contract has no ``[claims]``, a column is
        missing, the file cannot be read, or a date needs an uncovered year.
    """
    from contextlib import ExitStack  # noqa: PLC0415

    from ..files import atomic_output, interruption, refuse_onto, regular_file, temp_dir  # noqa: PLC0415

    cfg = claims_doc(contract)
    file = str(source)
    if not Path(file).exists():
        _not_found(file)
    regular_file(file, file, "", "claim log", max_bytes=None)
    out_fmt = _out_format(out) if out is not None else None
    if not MEMORY_LIMIT.fullmatch(memory_limit):
        raise InputError.one(None, "--memory-limit", f"expected a size such as 1GB or 512MB, got {memory_limit!r}")
    bad_target = bad_rows_out
    if bad_target is None and out is not None:
        bad_target = Path(out).with_name(Path(out).stem + ".bad_rows.csv")
    inputs = [("the claim log", file), ("the contract", getattr(contract, "path", None))]
    if out is not None:
        refuse_onto(out, inputs, "--out")
    if bad_target is not None:
        refuse_onto(bad_target, [*inputs, ("the --out file", out)], "--bad-rows")
    basis = chosen_basis(contract, cfg)
    with_benefit = cfg.benefit is not None
    started = time.perf_counter()
    import duckdb  # noqa: PLC0415 - lazy on purpose

    # Every exit path — an error, Ctrl-C, SIGTERM — removes the temporary
    # directory and the half-written outputs; the outputs replace their
    # targets only once both are complete (files.atomic_output).
    with ExitStack() as stack:
        tmp = stack.enter_context(temp_dir("yibao-claims-"))
        out_tmp = stack.enter_context(atomic_output(out, "--out")) if out is not None else None
        bad_tmp = stack.enter_context(atomic_output(bad_target, "--bad-rows")) if bad_target is not None else None
        con = duckdb.connect(":memory:")
        stack.callback(_close, con)
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute(f"SET temp_directory = '{sql.sql_str(str(tmp))}'")
            con.execute("SET preserve_insertion_order = true")
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            run = _Runner(con, progress)
            read_from = _utf8_source(file, encoding, str(tmp)) if sql.is_csv(file) else file
            src = _describe_source(con, _literal_name(read_from, tmp), memory_limit, shown=file)
            cols = sql.resolve_columns(cfg, src, with_benefit)
            _read(run, con, cfg, src, cols, with_benefit, memory_limit)
            dupes = con.execute(sql.duplicate_count_sql()).fetchone()
            if dupes and dupes[0]:
                for statement in sql.duplicates_sql(cols["claim_id"][0]):
                    run("checking claim ids", statement)
            has_incurred = "incurred_on" in cols
            year_basis = chosen_year(contract, cfg, has_incurred)
            rows, bad_count = con.execute("SELECT count(*), count(problems) FROM claims").fetchone() or (0, 0)
            _build_due(con, cfg, contract, calendar, file)
            run("computing", sql.result_sql(contract.doc, cfg, basis, as_of, year_basis, has_incurred))
            if out_tmp is not None and out_fmt is not None:
                try:
                    _write_out(run, con, "SELECT * FROM result ORDER BY row", Path(out_tmp), out_fmt, str(tmp), file, name=Path(out).name if out is not None else None)
                except duckdb.Error as exc:
                    if _out_of_memory(exc):
                        raise
                    raise InputError.one(str(out), "", f"cannot write: {_first_line(exc)}") from None
            summary = _summary(con, contract.doc, cfg, as_of, with_benefit)
            bad = _bad_rows(con, file, bad_count, bad_tmp, examples, str(tmp), translate)
            if bad_tmp is not None and not bad_count:
                bad_tmp.unlink()  # no bad rows: no bad-rows file
        except (duckdb.InterruptException, RuntimeError) as exc:
            if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
                raise interruption() from None  # Ctrl-C, or SIGTERM (DuckDB reports either as "interrupted")
            if isinstance(exc, duckdb.Error) and _out_of_memory(exc):
                raise _memory_error(exc, memory_limit) from None
            raise
    bad_file = str(bad_target) if bad_target is not None and bad_count else None
    return ClaimsReport(
        contract=contract.doc.id,
        city=contract.doc.city,
        file=file,
        rows=rows,
        processed=rows - bad_count,
        bad_rows=bad_count,
        bad=bad,
        summary=summary,
        counts=counts(cfg, summary),
        benefit=benefit_info(contract.doc, cfg, basis, year_basis),
        interpretations=interpretations_used(contract, cfg, has_incurred),
        out=str(out) if out is not None else None,
        bad_rows_file=bad_file,
        as_of=as_of,
        seconds=time.perf_counter() - started,
    )


def _close(con: Any) -> None:
    """Close the connection; one still finishing an interrupted statement
    is interrupted again and waited for (never left to the interpreter's
    exit, where DuckDB's threads would abort the process)."""
    import duckdb  # noqa: PLC0415

    for _ in range(100):
        try:
            con.close()
            return
        except duckdb.Error:
            con.interrupt()
            time.sleep(0.05)


# --------------------------------------------------------------- errors
def _out_of_memory(exc: BaseException) -> bool:
    import duckdb  # noqa: PLC0415

    return isinstance(exc, duckdb.OutOfMemoryException) or "Out of Memory" in str(exc)


def _memory_error(exc: BaseException, memory_limit: str) -> InputError:
    return InputError.one(
        None,
        "--memory-limit",
        f"DuckDB ran out of memory at {memory_limit} ({_first_line(exc)}); raise --memory-limit, or free space for its temporary files",
    )


def _read_error(file: str, exc: BaseException, memory_limit: str) -> InputError:
    import duckdb  # noqa: PLC0415

    if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
        from ..files import interruption  # noqa: PLC0415

        raise interruption() from None
    if _out_of_memory(exc):
        return _memory_error(exc, memory_limit)
    text = str(exc)
    if "unicode" in text.lower() or "utf-8" in text.lower() or "utf8" in text.lower():
        return InputError.one(file, "", "expected a UTF-8 CSV file (one saved as GBK, Excel's default on a Chinese Windows, must be saved again as UTF-8)")
    return InputError.one(file, "", f"cannot read the claim log: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _out_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise InputError.one(str(out), "--out", f"expected a .parquet, .csv or .xlsx file name, got suffix {suffix or '(none)'!r}")


def _utf8_source(file: str, encoding: str | None, tmp: str) -> str:
    """The CSV log DuckDB reads: ``file`` when it is UTF-8; with another
    ``encoding``, a UTF-8 copy in ``tmp``; a log that is not UTF-8 and no
    ``encoding`` given is refused, saying what to do."""
    import codecs  # noqa: PLC0415

    try:
        name = codecs.lookup(encoding).name if encoding else "utf-8"
    except LookupError:
        raise InputError.one("command line", "--encoding", f"unknown encoding {encoding!r}; e.g. utf-8, gb18030") from None
    if name not in ("utf-8", "utf-8-sig"):
        target = str(Path(tmp) / ("source" + Path(file).suffix))
        try:
            with open(file, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except UnicodeDecodeError:
            raise InputError.one(file, "", f"not {encoding} text: check --encoding") from None
        return target
    with open(file, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            head[: max(0, len(head) - 4)].decode("gb18030")
            guess = "it looks like GBK/GB18030 (Excel's 'CSV' on Chinese Windows): pass --encoding gb18030"
        except UnicodeDecodeError:
            guess = "pass --encoding with the file's encoding"
        raise InputError.one(file, "", f"not UTF-8 text; {guess}, or save it from Excel/WPS as 'CSV UTF-8'") from None
    return file


def _write_out(run: _Runner, con: Any, query: str, out: Path, fmt: str, tmp: str, source: str, name: str | None = None) -> None:
    """Write a query's rows to ``out`` atomically: Parquet as DuckDB writes
    it; CSV for Excel (a UTF-8 BOM, text cells that would run as formulas
    neutralised); a workbook up to Excel's row limit. ``name``: the file's
    name as progress shows it (``out`` may be the temporary file)."""
    name = name or out.name
    from ..excel import atomic  # noqa: PLC0415 - no openpyxl: only the atomic rename

    if fmt == "parquet":
        with atomic(out, [source]) as part:
            run(f"writing {name}", sql.copy_sql(query, str(part), "parquet"))
        return
    if fmt == "xlsx":
        from ..excel import write_rows  # noqa: PLC0415

        (n,) = con.execute(f"SELECT count(*) FROM ({query})").fetchone() or (0,)
        cur = con.execute(query) if n < (1 << 20) else None
        header = [d[0] for d in cur.description] if cur is not None else []

        def batches() -> Any:
            while cur is not None and (rows := cur.fetchmany(50_000)):
                yield rows

        write_rows(out, header, batches(), n, [source])
        return
    plain = str(Path(tmp) / "out.csv")
    run(f"writing {name}", sql.copy_sql(_neutralised(con, query), plain, "csv"))
    with atomic(out, [source]) as part, open(part, "wb") as dst, open(plain, "rb") as src:
        dst.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, dst, 1 << 20)


def _neutralised(con: Any, query: str) -> str:
    """``query`` with every text cell that begins with = + - @ (or a tab or
    carriage return) prefixed by an apostrophe, so that a spreadsheet shows
    it as text instead of running it as a formula."""
    cols = con.execute(f"DESCRIBE {query}").fetchall()
    parts = []
    for name, typ, *_ in cols:
        q = '"' + str(name).replace('"', '""') + '"'
        if str(typ).upper() == "VARCHAR":
            parts.append(f"CASE WHEN regexp_matches({q}, '^[-=+@\\t\\r]') THEN chr(39) || {q} ELSE {q} END AS {q}")
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM ({query})"


# --------------------------------------------------------------- progress and interrupts
class _Runner:
    """Runs a statement; with a progress callback, on a worker thread while
    this one polls DuckDB's ``query_progress``."""

    def __init__(self, con: Any, progress: ProgressFn | None) -> None:
        self.con = con
        self.progress = progress
        # DuckDB's own bar would print to the terminal (into our stdout):
        # never; with a callback, the progress is only polled
        con.execute(f"SET enable_progress_bar = {'true' if progress is not None else 'false'}")
        con.execute("SET enable_progress_bar_print = false")

    def __call__(self, step: str, statement: str) -> None:
        if self.progress is None:
            self.con.execute(statement)
            return
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self.con.execute(statement)
            except BaseException as exc:  # handed to the calling thread
                failure.append(exc)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        self.progress(step, 0.0)
        try:
            while worker.is_alive():
                worker.join(0.25)
                try:
                    pct = float(self.con.query_progress())
                except Exception:  # noqa: BLE001 - progress is best effort
                    pct = -1.0
                if pct >= 0:
                    self.progress(step, pct)
        except BaseException:  # Ctrl-C, SIGTERM (files.Terminated): stop DuckDB, then let it through
            self.con.interrupt()
            while worker.is_alive():
                worker.join(0.1)
            raise
        if failure:
            raise failure[0]
        self.progress(step, 100.0)


# --------------------------------------------------------------- reading
def _describe_source(con: Any, file: str, memory_limit: str = "", shown: str | None = None) -> sql.Source:
    """The claim log's columns; ``shown`` is the name messages use (``file``
    may be a link to it, see :func:`_literal_name`)."""
    import duckdb  # noqa: PLC0415

    shown = shown or file
    reader = sql.reader_sql(file)
    header_len: int | None = None
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
        if sql.is_csv(file):
            header_len = _header_len(con, file, shown)
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.InterruptException):
            raise
        raise _read_error(shown, exc, memory_limit) from None
    names = tuple(str(r[0]) for r in desc)
    types = tuple(str(r[1]) for r in desc)
    return sql.Source(shown, reader, names, types, header_len, None if shown == file else file)


def _header_len(con: Any, file: str, shown: str) -> int | None:
    """The number of fields in a CSV's header line, as DuckDB's sniffer
    splits it (a row with more fields gets extra columns named ``columnN``;
    we flag the rows that fill them). A header naming a column twice is an
    InputError: which of the two is meant cannot be guessed."""
    first = con.execute(sql.header_sql(file)).fetchone()
    if not first:
        return None
    filled = [i for i, v in enumerate(first) if v is not None]
    names = [str(v).strip() for v in first if v is not None]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError([Problem(shown, f"column {n}", f"given {names.count(n)} times in the header") for n in twice])
    return filled[-1] + 1 if filled else None


def _read(run: _Runner, con: Any, cfg: ClaimsDoc, src: sql.Source, cols: dict[str, tuple[str, str]], with_benefit: bool, memory_limit: str) -> None:
    """The file into the table ``claims``. DuckDB's parallel CSV reader
    refuses line breaks inside quoted fields together with the padding of
    short rows; such a file is read again on one thread — slower, but only
    the files that need it pay."""
    import duckdb  # noqa: PLC0415

    step = f"reading {Path(src.file).name}"
    try:
        run(step, sql.parse_sql(cfg, src, cols, with_benefit))
        return
    except duckdb.Error as exc:
        if not (sql.is_csv(src.file) and "parallel=false" in str(exc)):
            raise _read_error(src.file, exc, memory_limit) from None
    con.execute("DROP TABLE IF EXISTS claims")
    serial = attrs.evolve(src, sql=sql.reader_sql(src.read_as or src.file, parallel=False))
    try:
        run(step, sql.parse_sql(cfg, serial, cols, with_benefit))
    except duckdb.Error as exc:
        raise _read_error(src.file, exc, memory_limit) from None


# --------------------------------------------------------------- deadlines
def _build_due(con: Any, cfg: ClaimsDoc, contract: Any, calendar: WorkCalendar, file: str) -> None:
    """The table ``due(kind, received_on, deadline, due_on)``: the due date of
    every kind for every day from the first to the last received_on of the
    good rows — the calendar, counted once per day, joined to the claims."""
    row = con.execute("SELECT min(received_on), max(received_on) FROM claims WHERE problems IS NULL").fetchone()
    first: dt.date | None = row[0] if row else None
    last: dt.date = row[1] if row else dt.date.min
    kinds: list[str] = []
    starts: list[dt.date] = []
    dues: list[dt.date] = []
    keys: list[str] = []
    deadlines = {d.key: d for d in contract.doc.deadlines}
    if first is not None:
        n = (last - first).days + 1
        for kind, key in cfg.kinds.items():
            d = deadlines[key]
            try:
                dues += calendar.due_dates(first, last, d.count, d.unit)
            except InputError as exc:
                raise _with_row(con, exc, kind, _first_failing(calendar, first, last, d), d, file) from None
            kinds += [kind] * n
            starts += [first + dt.timedelta(days=i) for i in range(n)]
            keys += [key] * n
    con.execute(
        "CREATE TEMP TABLE due AS SELECT unnest(?::VARCHAR[]) AS kind, unnest(?::DATE[]) AS received_on, "
        "unnest(?::VARCHAR[]) AS deadline, unnest(?::DATE[]) AS due_on",
        [kinds, starts, keys, dues],
    )


def _first_failing(calendar: WorkCalendar, first: dt.date, last: dt.date, d: Any) -> dt.date:
    """The first start day whose deadline needs a year no table covers."""
    day = first
    while day <= last:
        try:
            calendar.due(day, d.count, d.unit)
        except InputError:
            return day
        day += dt.timedelta(days=1)
    return first  # pragma: no cover - due_dates failed, so some day does


def _with_row(con: Any, exc: InputError, kind: str, day: dt.date, d: Any, file: str) -> InputError:
    """Point a calendar error at the first row that needs the missing year."""
    found = con.execute(
        "SELECT rowid + 1, received_on FROM claims WHERE problems IS NULL AND kind = ? AND received_on >= ? "
        "ORDER BY received_on, rowid LIMIT 1",
        [kind, day],
    ).fetchone()
    row, received = found if found else ("?", day)
    from ..calendar import UNIT_ZH  # noqa: PLC0415

    where = Problem(
        file,
        f"row {row}",
        f"{kind} claim received on {received}: its deadline ({d.key}, {d.count}{UNIT_ZH[d.unit]}, {d.clause}) needs that year",
    )
    return InputError([*exc.problems, where])


# --------------------------------------------------------------- results
def _summary(con: Any, doc: Any, cfg: ClaimsDoc, as_of: dt.date | None, with_benefit: bool) -> tuple[SummaryRow, ...]:
    rows = con.execute(sql.summary_sql(with_benefit)).fetchall()
    clauses = {d.key: d.clause for d in doc.deadlines}
    order = {k: i for i, k in enumerate(cfg.kinds)}
    out = [
        SummaryRow(
            year=int(r[0]),
            kind=r[1],
            deadline=r[2],
            clause=clauses[r[2]],
            claims=int(r[3]),
            settled=int(r[4]),
            on_time=int(r[5]),
            late=int(r[6]),
            open=int(r[7]),
            overdue=int(r[8]) if as_of is not None else None,
            benefit=(Decimal(r[9]) if r[9] is not None else Decimal("0.00")) if with_benefit else None,
        )
        for r in rows
    ]
    return tuple(sorted(out, key=lambda s: (s.year, order.get(s.kind, 99))))


def _bad_rows(
    con: Any, file: str, count: int, target: Path | None, examples: int, tmp: str, translate: Callable[[str], str] | None = None
) -> tuple[BadRow, ...]:
    """The first ``examples`` bad cells for the report, and all of them in
    the bad-rows CSV (``target``: the temporary file of ``--bad-rows``, else
    of the file next to ``--out``), its messages through ``translate``."""
    if count == 0:
        return ()
    cells = sql.bad_cells_sql()
    if target is not None:
        shown = cells
        if translate is not None:  # a dozen different messages at most: translated once each, in SQL
            found = [r[0] for r in con.execute(sql.distinct_messages_sql(cells)).fetchall()]
            shown = sql.messages_sql(cells, {m: translate(m) for m in found}, translate(sql.DUPLICATE))
        _write_out(_Runner(con, None), con, shown, Path(target), "csv", tmp, file)
    got = con.execute(f"{cells} LIMIT {int(examples)}").fetchall()
    return tuple(BadRow(file, int(r[0]), r[1], r[2], r[3]) for r in got)


def _not_found(file: str) -> None:
    raise InputError.one(file, "", "file not found")


#: characters DuckDB reads as a pattern or a scheme in a file name
_PATTERN = re.compile(r"[*?\[\]{}]|://|^~")


def _literal_name(file: str, tmp: Path) -> str:
    """A name DuckDB reads as exactly ``file``: a file name holding a
    wildcard (``log[1].csv``, ``a*.csv``) would make it read other or
    several files, so such a file is read through a link of a plain name
    in the run's temporary directory."""
    if not _PATTERN.search(file):
        return file
    import os  # noqa: PLC0415

    link = tmp / ("claims" + Path(file).suffix.lower())
    try:
        os.symlink(os.path.abspath(file), link)
    except OSError:
        raise InputError.one(file, "", "a file name with * ? [ ] { } cannot be read here: rename or copy the file") from None
    return str(link)
