"""Claim logs at scale: per-claim deadlines, lateness and benefit, in DuckDB.

A contract's ``[claims]`` table says what a claim log means for it: which
``kind`` values exist and which ``[[deadlines]]`` entry each is settled
against, the file's column headers, the benefit rule (if the contract sets
one, with its figures taken from ``[[terms]]``), and the counts that feed the
period's deductions. :func:`run_claims` reads a CSV or Parquet log with
DuckDB — columnar and streaming, no Python object per row, memory bounded by
DuckDB's ``memory_limit`` (it spills to a temporary directory) — and writes
one output row per good claim plus a summary. Bad rows are reported with file,
row and column; the rest of the file is still processed; nothing is dropped
silently. See ``docs/claims.md``.

DuckDB is imported lazily: ``yibao compute`` never pays for it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .errors import InputError, Problem, closest
from .inputs import Scalar
from .money import ZERO, fmt_amount, fmt_rate, parse_decimal

if TYPE_CHECKING:
    from .calendar import WorkCalendar
    from .contract import ContractDoc

STANDARD_COLUMNS: tuple[str, ...] = ("claim_id", "person_id", "kind", "received_on", "settled_on", "amount_eligible")
BASES: tuple[str, ...] = ("above_pool", "whole_cost")
COUNTS = Literal["claims", "settled", "on_time", "late", "open", "overdue", "late_or_overdue"]
COUNT_STATUSES: dict[str, tuple[str, ...]] = {
    "claims": ("on_time", "late", "open", "overdue"),
    "settled": ("on_time", "late"),
    "on_time": ("on_time",),
    "late": ("late",),
    "open": ("open", "overdue"),
    "overdue": ("overdue",),
    "late_or_overdue": ("late", "overdue"),
}
SEP_FIELD, SEP_PROBLEM, NULL_MARK = "\x1e", "\x1f", "\x1d"


# --------------------------------------------------------------- TOML shapes
@attrs.frozen
class ClaimColumns:
    """The header in the file of each standard column (default: its name)."""

    claim_id: str = "claim_id"
    person_id: str = "person_id"
    kind: str = "kind"
    received_on: str = "received_on"
    settled_on: str = "settled_on"
    amount_eligible: str = "amount_eligible"


@attrs.frozen
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
    """

    clause: str
    label: str
    ratio: str
    annual_cap: str
    deductible: str | None = None
    basis: Literal["above_pool", "whole_cost"] = "above_pool"
    basis_interpretation: str | None = None


@attrs.frozen
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


@attrs.frozen
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


def claims_doc(contract: Any) -> ClaimsDoc:
    """The contract's ``[claims]`` table, structured and checked.

    :raises InputError: the contract has none, or each problem with key path.
    """
    from .contract import facts_names  # noqa: PLC0415
    from .inputs import structure  # noqa: PLC0415

    raw = contract.doc.claims
    if raw is None:
        raise InputError.one(contract.path, "claims", f"contract {contract.name!r} has no [claims] table: it defines no claim log")
    cfg = structure(raw, ClaimsDoc, contract.path, "claims")
    problems = check_claims_doc(contract.doc, cfg, contract.path, facts_names(contract.spec.facts_class))
    if problems:
        raise InputError(problems)
    return cfg


def check_claims_doc(doc: ContractDoc, c: ClaimsDoc, file: str, facts_keys: set[str] | None = None) -> list[Problem]:
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


def _check_benefit(doc: ContractDoc, b: BenefitRule, file: str) -> list[Problem]:
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
    if "whole_cost" in bases and b.deductible is None:
        out.append(Problem(file, "claims.benefit.deductible", "required by the whole_cost reading: the amount of each person's year that is not this fund's"))
    return out


def term_value(doc: ContractDoc, raw: str) -> Decimal:
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


# --------------------------------------------------------------- results
@attrs.frozen
class BadRow:
    """One problem in one cell of the claim log."""

    file: str
    row: int
    column: str
    value: str | None
    message: str

    def __str__(self) -> str:
        got = "empty" if self.value is None else repr(self.value)
        return f"{self.file}: row {self.row}: {self.column}: {self.message} (got {got})"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@attrs.frozen
class SummaryRow:
    year: int
    kind: str
    deadline: str
    clause: str
    claims: int
    settled: int
    on_time: int
    late: int
    open: int
    overdue: int | None
    benefit: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        d = attrs.asdict(self)
        d["benefit"] = None if self.benefit is None else fmt_amount(self.benefit)
        return d


@attrs.frozen
class CountRow:
    key: str
    label: str
    clause: str
    year: int
    value: int
    fact: str | None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class ClaimsReport:
    """What ``yibao claims`` prints (``to_dict`` is its JSON)."""

    contract: str
    city: str
    file: str
    rows: int
    processed: int
    bad_rows: int
    bad: tuple[BadRow, ...]
    summary: tuple[SummaryRow, ...]
    counts: tuple[CountRow, ...]
    benefit: dict[str, Any] | None
    interpretations: tuple[dict[str, Any], ...]
    out: str | None
    bad_rows_file: str | None
    as_of: dt.date | None
    seconds: float

    @property
    def late(self) -> int:
        return sum(s.late + (s.overdue or 0) for s in self.summary)

    @property
    def has_violations(self) -> bool:
        """Late or overdue claims, or bad rows: the CLI exits 1."""
        return self.late > 0 or self.bad_rows > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "city": self.city,
            "file": self.file,
            "rows": self.rows,
            "processed": self.processed,
            "bad_rows": self.bad_rows,
            "bad": [b.to_dict() for b in self.bad],
            "bad_rows_file": self.bad_rows_file,
            "out": self.out,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "summary": [s.to_dict() for s in self.summary],
            "counts": [c.to_dict() for c in self.counts],
            "benefit": self.benefit,
            "interpretations": list(self.interpretations),
        }


# --------------------------------------------------------------- running
ProgressFn = Callable[[str, float], None]


@attrs.frozen
class _Source:
    file: str
    sql: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    header_len: int | None


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
) -> ClaimsReport:
    """Process a claim log (see the module docstring and ``docs/claims.md``).

    :param out: per-claim output, ``.parquet`` or ``.csv`` (by suffix).
    :param bad_rows_out: every bad cell as CSV ``row,column,value,message``;
        default ``<out>.bad_rows.csv`` next to ``out`` when there are any.
    :param as_of: the date the log was extracted: open claims past their
        deadline on that date are ``overdue``.
    :param memory_limit: DuckDB's ``memory_limit`` (e.g. ``"1GB"``).
    :param progress: called with (step, percent) while DuckDB works.
    :param examples: how many bad rows the report itself carries.
    :raises InputError: the contract has no ``[claims]``, a column is
        missing, the file cannot be read, or a date needs an uncovered year.
    """
    cfg = claims_doc(contract)
    file = str(source)
    if not Path(file).is_file():
        raise InputError.one(file, "", "file not found")
    out_fmt = _out_format(out) if out is not None else None
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory_limit):
        raise InputError.one(None, "--memory-limit", f"expected a size such as 1GB or 512MB, got {memory_limit!r}")
    basis = _basis(contract, cfg)
    started = time.perf_counter()
    import duckdb  # noqa: PLC0415 - lazy on purpose

    tmp = tempfile.mkdtemp(prefix="yibao-claims-")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET temp_directory = '{_sql_str(tmp)}'")
        con.execute("SET preserve_insertion_order = true")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        run = _Runner(con, progress)
        src = _describe_source(con, file, memory_limit)
        cols = _resolve_columns(cfg, src, with_benefit=cfg.benefit is not None)
        try:
            run(f"reading {Path(file).name}", _parse_sql(cfg, src, cols, with_benefit=cfg.benefit is not None))
        except duckdb.Error as exc:
            raise _read_error(file, exc, memory_limit) from None
        rows, bad_count = con.execute("SELECT count(*), count(problems) FROM claims").fetchone() or (0, 0)
        _build_due(con, cfg, contract, calendar, file)
        run("computing", _result_sql(contract.doc, cfg, basis, as_of))
        if out is not None:
            try:
                fmt = "(FORMAT parquet)" if out_fmt == "parquet" else "(FORMAT csv, HEADER)"
                run(f"writing {Path(out).name}", f"COPY (SELECT * FROM result ORDER BY row) TO '{_sql_str(str(out))}' {fmt}")
            except duckdb.Error as exc:
                if _out_of_memory(exc):
                    raise
                raise InputError.one(str(out), "", f"cannot write: {_first_line(exc)}") from None
        summary = _summary(con, contract.doc, cfg, as_of, with_benefit=cfg.benefit is not None)
        bad, bad_file = _bad_rows(con, file, bad_count, bad_rows_out, out, examples)
    except duckdb.Error as exc:
        if _out_of_memory(exc):
            raise _memory_error(exc, memory_limit) from None
        raise
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    counts = _counts(cfg, summary)
    interps = []
    if cfg.benefit is not None and cfg.benefit.basis_interpretation is not None:
        it = contract.interpretations[cfg.benefit.basis_interpretation]
        interps.append({"id": it.id, "clause": it.clause, "reading": it.reading, "alternatives": list(it.alternatives)})
    return ClaimsReport(
        contract=contract.doc.id,
        city=contract.doc.city,
        file=file,
        rows=rows,
        processed=rows - bad_count,
        bad_rows=bad_count,
        bad=bad,
        summary=summary,
        counts=counts,
        benefit=_benefit_info(contract.doc, cfg, basis),
        interpretations=tuple(interps),
        out=str(out) if out is not None else None,
        bad_rows_file=bad_file,
        as_of=as_of,
        seconds=time.perf_counter() - started,
    )


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
    if _out_of_memory(exc):
        return _memory_error(exc, memory_limit)
    return InputError.one(file, "", f"cannot read the claim log: {_first_line(exc)}")


def _basis(contract: Any, cfg: ClaimsDoc) -> str:
    b = cfg.benefit
    if b is None:
        return ""
    if b.basis_interpretation is not None:
        return str(contract.interpretations[b.basis_interpretation].choice)
    return b.basis


def _benefit_info(doc: ContractDoc, cfg: ClaimsDoc, basis: str) -> dict[str, Any] | None:
    b = cfg.benefit
    if b is None:
        return None
    ratio, cap = term_value(doc, b.ratio), term_value(doc, b.annual_cap)
    info: dict[str, Any] = {
        "clause": b.clause,
        "label": b.label,
        "basis": basis,
        "ratio": fmt_rate(ratio),
        "annual_cap": fmt_amount(cap),
    }
    if b.deductible is not None:
        info["deductible"] = fmt_amount(term_value(doc, b.deductible))
    return info


def _out_format(out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError.one(str(out), "--out", f"expected a .parquet or .csv file name, got suffix {suffix or '(none)'!r}")


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


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

    def __call__(self, step: str, sql: str) -> None:
        if self.progress is None:
            self.con.execute(sql)
            return
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self.con.execute(sql)
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
        except KeyboardInterrupt:
            self.con.interrupt()  # stop DuckDB, then let Ctrl-C through
            worker.join()
            raise
        if failure:
            raise failure[0]
        self.progress(step, 100.0)


# ---- reading
def _describe_source(con: Any, file: str, memory_limit: str = "") -> _Source:
    import duckdb  # noqa: PLC0415

    suffix = Path(file).suffix.lower()
    lit = _sql_str(file)
    header_len: int | None = None
    if suffix in (".parquet", ".pq"):
        sql = f"read_parquet('{lit}')"
    elif suffix in (".csv", ".txt", ".tsv"):
        sql = f"read_csv('{lit}', header = true, all_varchar = true, null_padding = true)"
    else:
        raise InputError.one(file, "", f"expected a .csv or .parquet claim log, got suffix {suffix or '(none)'!r}")
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()
        if sql.startswith("read_csv"):
            header_len = _header_len(con, file)
    except duckdb.Error as exc:
        raise _read_error(file, exc, memory_limit) from None
    names = tuple(str(r[0]) for r in desc)
    types = tuple(str(r[1]) for r in desc)
    return _Source(file, sql, names, types, header_len)


def _header_len(con: Any, file: str) -> int | None:
    """The number of fields in a CSV's header line, as DuckDB's sniffer
    splits it (a row with more fields gets extra columns named ``columnN``;
    we flag the rows that fill them)."""
    lit = _sql_str(file)
    first = con.execute(f"SELECT * FROM read_csv('{lit}', header = false, all_varchar = true, null_padding = true) LIMIT 1").fetchone()
    if not first:
        return None
    filled = [i for i, v in enumerate(first) if v is not None]
    return filled[-1] + 1 if filled else None


def _resolve_columns(cfg: ClaimsDoc, src: _Source, with_benefit: bool) -> dict[str, tuple[str, str]]:
    """standard column -> (header in the file, DuckDB type); a missing
    required column is a whole-file InputError naming it."""
    present = dict(zip(src.names, src.types, strict=True))
    if src.header_len is not None:
        present = dict(list(present.items())[: src.header_len])
    need = ["claim_id", "kind", "received_on", "settled_on"]
    if with_benefit:
        need += ["person_id", "amount_eligible"]
    problems: list[Problem] = []
    found: dict[str, tuple[str, str]] = {}
    for std in need:
        header = getattr(cfg.columns, std)
        if header in present:
            found[std] = (header, present[header])
            continue
        hint = closest(header, present)
        renamed = f" (claims.columns.{std})" if header != std else ""
        msg = f"required column {header!r}{renamed} missing; the file's columns: {', '.join(present) or '(none)'}"
        msg += f"; did you mean {hint!r}?" if hint else ""
        problems.append(Problem(src.file, f"column {header}", msg))
    if problems:
        raise InputError(problems)
    return found


def _is_text(t: str) -> bool:
    return t.upper() in ("VARCHAR", "TEXT", "STRING")


def _text(col: str, t: str) -> str:
    """The cell as text; an empty CSV field is already NULL."""
    q = _ident(col)
    return q if _is_text(t) else f"CAST({q} AS VARCHAR)"


def _date(col: str, t: str) -> str:
    """A date; text such as ``2025-06-15`` (``2025/6/15`` and a trailing
    time are accepted too); anything else is NULL and flagged."""
    q, up = _ident(col), t.upper()
    if up == "DATE":
        return q
    if up.startswith("TIMESTAMP"):
        return f"CAST({q} AS DATE)"
    return f"try_cast({_text(col, t)} AS DATE)"


def _amount(col: str, t: str) -> str:
    """The amount as DECIMAL(18,8) — so a third decimal is seen and flagged,
    never rounded away; a DOUBLE goes through its shortest text form; an
    amount of 10^10 元 or more does not fit and is flagged."""
    q, up = _ident(col), t.upper()
    if up.startswith("DECIMAL") or up in INTEGER_TYPES:
        return f"try_cast({q} AS DECIMAL(18,8))"
    return f"try_cast({_text(col, t)} AS DECIMAL(18,8))"


INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def _problem(cond: str, column: str, raw: str, message: str) -> str:
    return f"CASE WHEN {cond} THEN '{_sql_str(column)}' || '{SEP_FIELD}' || coalesce({raw}, '{NULL_MARK}') || '{SEP_FIELD}' || '{_sql_str(message)}' END"


def _parse_sql(cfg: ClaimsDoc, src: _Source, cols: Mapping[str, tuple[str, str]], with_benefit: bool) -> str:
    """One pass over the file into the temp table ``claims``: typed columns
    plus ``problems`` (NULL for a good row; else column, value and message
    of each bad cell). Its rowid + 1 is the row number in the file."""
    inner = [
        f"{_text(*cols['claim_id'])} AS claim_id",
        f"{_text(*cols['kind'])} AS kind",
        f"{_text(*cols['received_on'])} AS received_raw",
        f"{_date(*cols['received_on'])} AS received_on",
        f"{_text(*cols['settled_on'])} AS settled_raw",
        f"{_date(*cols['settled_on'])} AS settled_on",
    ]
    if with_benefit:
        inner += [
            f"{_text(*cols['person_id'])} AS person_id",
            f"{_text(*cols['amount_eligible'])} AS amount_raw",
            f"{_amount(*cols['amount_eligible'])} AS amount8",
        ]
    extra = list(src.names[src.header_len :]) if src.header_len is not None else []
    if extra:
        inner.append("concat_ws(',', " + ", ".join(f"CAST({_ident(e)} AS VARCHAR)" for e in extra) + ") AS extra_fields")
    kinds = ", ".join(f"'{_sql_str(k)}'" for k in cfg.kinds)
    kind_list = ", ".join(cfg.kinds)
    cid, knd, rcv, stl = (cols[n][0] for n in ("claim_id", "kind", "received_on", "settled_on"))
    # blank: NULL (an empty CSV field) or only spaces; the cheap comparison
    # first, so trim runs only on values that start with a space or below
    blank = "({0} < '!' AND trim({0}) = '')"
    checks = [
        ("claim_id IS NULL OR " + blank.format("claim_id"), cid, "claim_id", "missing value"),
        ("kind IS NULL", knd, "kind", "missing value"),
        (f"kind NOT IN ({kinds})", knd, "kind", f"expected one of {kind_list}"),
        ("received_raw IS NULL", rcv, "received_raw", "missing value"),
        ("received_raw IS NOT NULL AND received_on IS NULL", rcv, "received_raw", "expected a date such as 2025-06-15"),
        ("settled_raw IS NOT NULL AND settled_on IS NULL AND trim(settled_raw) <> ''", stl, "settled_raw", "expected a date such as 2025-06-15 (empty when not yet settled)"),
        ("settled_on < received_on", stl, "settled_raw", f"expected a date on or after {rcv}"),
    ]
    select = ["claim_id", "kind", "received_on", "settled_on"]
    if with_benefit:
        pid, amt = cols["person_id"][0], cols["amount_eligible"][0]
        checks += [
            ("person_id IS NULL OR " + blank.format("person_id"), pid, "person_id", "missing value"),
            ("amount_raw IS NULL", amt, "amount_raw", "missing value"),
            ("amount_raw IS NOT NULL AND amount8 IS NULL", amt, "amount_raw", "expected an amount in 元 such as 1234.56 (under 100亿)"),
            ("amount8 < 0", amt, "amount_raw", "expected an amount ≥ 0"),
            ("amount8 <> round(amount8, 2)", amt, "amount_raw", "expected at most 2 decimals (分)"),
        ]
        select += ["person_id", "CAST(amount8 AS DECIMAL(18,2)) AS amount_eligible"]
    if extra:
        checks.append(("extra_fields <> ''", f"(after column {src.header_len})", "extra_fields", "more fields than the header has"))
    # the messages are built only for the rows where some check fails
    any_bad = " OR ".join(f"coalesce({cond}, false)" for cond, *_ in checks)
    parts = ", ".join(_problem(*c) for c in checks)
    problems = f"CASE WHEN {any_bad} THEN concat_ws('{SEP_PROBLEM}', {parts}) END AS problems"
    return (
        f"CREATE TEMP TABLE claims AS SELECT {', '.join(select)}, {problems} "
        f"FROM (SELECT {', '.join(inner)} FROM {src.sql})"
    )


# ---- deadlines
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
    from .calendar import UNIT_ZH  # noqa: PLC0415

    where = Problem(
        file,
        f"row {row}",
        f"{kind} claim received on {received}: its deadline ({d.key}, {d.count}{UNIT_ZH[d.unit]}, {d.clause}) needs that year",
    )
    return InputError([*exc.problems, where])


# ---- computing
def _amount_lit(value: Decimal) -> str:
    return f"CAST('{value}' AS DECIMAL(18,2))"


def _rate_lit(value: Decimal) -> str:
    """A rate as the narrowest DECIMAL that holds it exactly: narrow decimals
    keep DuckDB's arithmetic in fewer bits."""
    exponent = value.normalize().as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    width = max(len(str(int(abs(value)))) + scale, scale + 1)
    return f"CAST('{value}' AS DECIMAL({width},{scale}))"


def _result_sql(doc: ContractDoc, cfg: ClaimsDoc, basis: str, as_of: dt.date | None) -> str:
    """The temp table ``result``: one row per good claim, with its due date,
    status, days late and (with a benefit rule) its benefit."""
    asof = f"DATE '{as_of.isoformat()}'" if as_of else "NULL::DATE"
    status = (
        "CASE WHEN c.settled_on IS NULL THEN "
        f"(CASE WHEN {asof} > d.due_on THEN 'overdue' ELSE 'open' END) "
        "WHEN c.settled_on > d.due_on THEN 'late' ELSE 'on_time' END"
    )
    days_late = (
        "CASE WHEN c.settled_on IS NULL THEN "
        f"(CASE WHEN {asof} > d.due_on THEN {asof} - d.due_on END) "
        "WHEN c.settled_on > d.due_on THEN c.settled_on - d.due_on ELSE 0 END"
    )
    base_cols = (
        "c.rowid + 1 AS row, c.claim_id, {person}c.kind, c.received_on, c.settled_on, {amount}"
        "year(c.received_on) AS year, d.deadline, d.due_on, "
        f"{status} AS status, CAST({days_late} AS INTEGER) AS days_late"
    )
    join = "FROM claims c JOIN due d ON d.kind = c.kind AND d.received_on = c.received_on WHERE c.problems IS NULL"
    b = cfg.benefit
    if b is None:
        return f"CREATE TEMP TABLE result AS SELECT {base_cols.format(person='', amount='')} {join}"
    ratio, cap = term_value(doc, b.ratio), term_value(doc, b.annual_cap)
    cols = base_cols.format(person="c.person_id, ", amount="c.amount_eligible, ")
    window = "PARTITION BY person_id, year ORDER BY received_on, claim_id, row ROWS UNBOUNDED PRECEDING"
    if basis == "whole_cost":
        ded = term_value(doc, b.deductible) if b.deductible is not None else ZERO
        based = (
            f"SELECT *, CAST(greatest(cum_amount - {_amount_lit(ded)}, 0) - greatest(cum_amount - amount_eligible - {_amount_lit(ded)}, 0) AS DECIMAL(18,2)) AS benefit_base "
            f"FROM (SELECT *, sum(amount_eligible) OVER ({window}) AS cum_amount FROM ({'SELECT ' + cols + ' ' + join}))"
        )
        drop = " EXCLUDE (cum_amount)"
    else:
        based = f"SELECT *, amount_eligible AS benefit_base FROM (SELECT {cols} {join})"
        drop = ""
    raw = f"CAST(round(benefit_base * {_rate_lit(ratio)}, 2) AS DECIMAL(18,2))"
    capped = (
        f"SELECT *{drop}, CAST(least(cum, {_amount_lit(cap)}) - least(cum - raw, {_amount_lit(cap)}) AS DECIMAL(18,2)) AS benefit, "
        f"CAST(least(cum, {_amount_lit(cap)}) AS DECIMAL(18,2)) AS person_year_benefit "
        f"FROM (SELECT *, sum(raw) OVER ({window}) AS cum FROM (SELECT *, {raw} AS raw FROM ({based})))"
    )
    return f"CREATE TEMP TABLE result AS SELECT * EXCLUDE (raw, cum) FROM ({capped})"


def _summary(con: Any, doc: ContractDoc, cfg: ClaimsDoc, as_of: dt.date | None, with_benefit: bool) -> tuple[SummaryRow, ...]:
    benefit = "sum(benefit)" if with_benefit else "NULL"
    rows = con.execute(
        "SELECT year, kind, deadline, count(*), count_if(status IN ('on_time', 'late')), count_if(status = 'on_time'), "
        f"count_if(status = 'late'), count_if(status IN ('open', 'overdue')), count_if(status = 'overdue'), {benefit} "
        "FROM result GROUP BY year, kind, deadline ORDER BY year, kind"
    ).fetchall()
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


def _counts(cfg: ClaimsDoc, summary: Sequence[SummaryRow]) -> tuple[CountRow, ...]:
    """Each ``[[claims.counts]]`` per year of the summary (0 when none)."""
    out: list[CountRow] = []
    years = sorted({s.year for s in summary})
    for c in cfg.counts:
        statuses = COUNT_STATUSES[c.count]
        kinds = set(c.kinds or cfg.kinds)
        for y in years:
            n = 0
            for s in summary:
                if s.year != y or s.kind not in kinds:
                    continue
                per = {"on_time": s.on_time, "late": s.late, "open": s.open - (s.overdue or 0), "overdue": s.overdue or 0}
                n += sum(per[st] for st in statuses)
            out.append(CountRow(c.key, c.label, c.clause, y, n, c.fact))
    return tuple(out)


def _bad_rows(
    con: Any, file: str, count: int, bad_rows_out: str | Path | None, out: str | Path | None, examples: int
) -> tuple[tuple[BadRow, ...], str | None]:
    if count == 0:
        return (), None
    cells = (
        f"SELECT row, p[1] AS column, nullif(p[2], '{NULL_MARK}') AS value, p[3] AS message FROM "
        f"(SELECT row, pos, string_split(prob, '{SEP_FIELD}') AS p FROM "
        f"(SELECT row, unnest(ps) AS prob, unnest(range(len(ps))) AS pos FROM "
        f"(SELECT rowid + 1 AS row, string_split(problems, '{SEP_PROBLEM}') AS ps FROM claims WHERE problems IS NOT NULL))) "
    )
    target = bad_rows_out
    if target is None and out is not None:
        target = Path(out).with_name(Path(out).stem + ".bad_rows.csv")
    if target is not None:
        con.execute(f"COPY ({cells} ORDER BY row, pos) TO '{_sql_str(str(target))}' (FORMAT csv, HEADER)")
    got = con.execute(f"{cells} ORDER BY row, pos LIMIT {int(examples)}").fetchall()
    bad = tuple(BadRow(file, int(r[0]), r[1], r[2], r[3]) for r in got)
    return bad, (str(target) if target is not None else None)


# --------------------------------------------------------------- rendering



def render_report(r: ClaimsReport) -> str:
    """``yibao claims --format table``."""
    from .money import fmt_grouped  # noqa: PLC0415
    from .render import table  # noqa: PLC0415

    out = [f"{r.contract}  {r.city}  {r.file}", f"  行数 {r.rows}：已处理 {r.processed}，错误行 {r.bad_rows}（{r.seconds:.1f} 秒）"]
    if r.out:
        out.append(f"  逐笔结果：{r.out}")
    if r.bad_rows_file:
        out.append(f"  错误行清单：{r.bad_rows_file}")
    with_benefit = r.benefit is not None
    headers = ["年度", "类别", "期限", "条款", "笔数", "已结算", "按期", "逾期", "未结算"]
    right = [4, 5, 6, 7, 8]
    if r.as_of is not None:
        headers.append(f"其中至{r.as_of}已超期")
        right.append(len(headers) - 1)
    if with_benefit:
        headers.append("待遇（元）")
        right.append(len(headers) - 1)
    rows = []
    for s in r.summary:
        row = [str(s.year), s.kind, s.deadline, s.clause, str(s.claims), str(s.settled), str(s.on_time), str(s.late), str(s.open)]
        if r.as_of is not None:
            row.append(str(s.overdue or 0))
        if with_benefit:
            row.append(fmt_grouped(s.benefit or ZERO))
        rows.append(row)
    if rows:
        out += ["", table(headers, rows, right=right)]
    if r.counts:
        out += ["", "扣减依据（计数）："]
        out.append(
            table(
                ["键", "年度", "数量", "条款", "事项", "对应事实键"],
                [[c.key, str(c.year), str(c.value), c.clause, c.label, c.fact or "—"] for c in r.counts],
                right=[2],
            )
        )
    if r.benefit is not None:
        b = r.benefit
        text = f"  {b['label']}（{b['clause']}）：{b['ratio']} × 金额，每人每年不超过 {b['annual_cap']}"
        if b["basis"] == "whole_cost":
            text += f"，每人每年前 {b.get('deductible')} 不计"
        out += ["", "待遇规则：", text]
    for it in r.interpretations:
        out += [f"  采用的解释 {it['id']}（{it['clause']}）：{it['reading']}"]
    return "\n".join(out)
