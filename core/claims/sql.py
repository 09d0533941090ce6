"""The SQL of a claims run, as text: reading the file, checking every cell,
the result table, the summary and the bad-cell listing.

Only strings are built here — nothing is executed and DuckDB is not
imported — so each query can be read and tested on its own, and
:mod:`yibao.claims.run` stays about execution. Identifiers and literals
always go through :func:`ident` and :func:`sql_str`: headers, kinds and
file names come from users.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from ..errors import InputError, Problem, closest
from ..money import ZERO
from .spec import ClaimsDoc, ContractText, term_value

INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def sql_str(text: str) -> str:
    """``text`` for inside a single-quoted SQL literal."""
    return text.replace("'", "''")


def ident(name: str) -> str:
    """A quoted identifier: a header may hold any character."""
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------- the file
@attrs.frozen(slots=False)
class Source:
    """The claim log as DuckDB sees it: ``sql`` is the table expression that
    reads it, ``names``/``types`` its columns, ``header_len`` the number of
    fields in a CSV's header line (None for Parquet)."""

    file: str
    sql: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    header_len: int | None
    #: the name DuckDB reads, when not ``file`` (a link of a plain name to a
    #: file whose name DuckDB would take for a pattern)
    read_as: str | None = None


def is_csv(file: str) -> bool:
    return Path(file).suffix.lower() in (".csv", ".txt", ".tsv")


def reader_sql(file: str, parallel: bool = True) -> str:
    """The table expression that reads ``file``: every CSV field as text (so
    each cell is checked by us, not rejected by the sniffer), a short row
    padded with NULLs. ``parallel=False`` is for a CSV with line breaks
    inside quoted fields, which DuckDB's parallel reader cannot combine
    with the padding.

    :raises InputError: neither a CSV nor a Parquet file name.
    """
    lit = sql_str(file)
    suffix = Path(file).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return f"read_parquet('{lit}')"
    if is_csv(file):
        serial = "" if parallel else ", parallel = false"
        return f"read_csv('{lit}', header = true, all_varchar = true, null_padding = true{serial})"
    raise InputError.one(file, "", f"expected a .csv or .parquet claim log, got suffix {suffix or '(none)'!r}")


def header_sql(file: str) -> str:
    """The first line of a CSV as a row of fields (see ``run._header_len``);
    on one thread, which reads no further than that line and, unlike the
    parallel reader, accepts line breaks inside quoted fields."""
    return f"SELECT * FROM read_csv('{sql_str(file)}', header = false, all_varchar = true, null_padding = true, parallel = false) LIMIT 1"


def resolve_columns(cfg: ClaimsDoc, src: Source, with_benefit: bool) -> dict[str, tuple[str, str]]:
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
    incurred = cfg.columns.incurred_on
    if with_benefit and incurred in present:
        # optional: the day the cost was incurred (the benefit year, 第十一条)
        found["incurred_on"] = (incurred, present[incurred])
    return found


# --------------------------------------------------------------- cells
def _is_text(t: str) -> bool:
    return t.upper() in ("VARCHAR", "TEXT", "STRING")


def _text(col: str, t: str) -> str:
    """The cell as text; an empty CSV field is already NULL."""
    q = ident(col)
    return q if _is_text(t) else f"CAST({q} AS VARCHAR)"


#: the dates a claim may carry (as everywhere: yibao.inputs.FIRST_DATE/LAST_DATE);
#: outside them — ``infinity``, year 12000 — the cell is flagged
DATE_RANGE = ("1900-01-01", "2199-12-31")


def _date(col: str, t: str) -> str:
    """A date; text such as ``2025-06-15`` (``2025/6/15`` and a trailing
    time are accepted too); anything else, or a date outside
    :data:`DATE_RANGE`, is NULL and flagged."""
    q, up = ident(col), t.upper()
    if up == "DATE":
        d = q
    elif up.startswith("TIMESTAMP"):
        d = f"try_cast({q} AS DATE)"
    else:
        d = f"try_cast({_text(col, t)} AS DATE)"
    first, last = DATE_RANGE
    return f"(CASE WHEN {d} BETWEEN DATE '{first}' AND DATE '{last}' THEN {d} END)"


def _amount(col: str, t: str) -> str:
    """The amount as DECIMAL(18,8) — so a third decimal is seen and flagged,
    never rounded away; a DOUBLE goes through its shortest text form; an
    amount of 10^10 元 or more does not fit and is flagged."""
    q, up = ident(col), t.upper()
    if up.startswith("DECIMAL") or up in INTEGER_TYPES:
        return f"try_cast({q} AS DECIMAL(18,8))"
    return f"try_cast({_text(col, t)} AS DECIMAL(18,8))"


def _cell(cond: str, column: str, raw: str, message: str) -> str:
    """One check: when ``cond`` holds, the bad cell as a STRUCT (its column,
    its text as read, the message), else NULL. A STRUCT, not text joined
    with separators, so no cell content can be mistaken for structure."""
    return f"CASE WHEN {cond} THEN {{'column': '{sql_str(column)}', 'value': {raw}, 'message': '{sql_str(message)}'}} END"


def parse_sql(cfg: ClaimsDoc, src: Source, cols: Mapping[str, tuple[str, str]], with_benefit: bool) -> str:
    """One pass over the file into the temp table ``claims``: typed columns
    plus ``problems``, NULL for a good row, else a LIST of STRUCT(column,
    value, message) with one entry per check — NULL where the check passed
    (dropped by :func:`bad_cells_sql`; filtering here would need a lambda,
    whose syntax differs between the DuckDB versions supported). Its
    rowid + 1 is the row number in the file."""
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
        inner.append("concat_ws(',', " + ", ".join(f"CAST({ident(e)} AS VARCHAR)" for e in extra) + ") AS extra_fields")
    kinds = ", ".join(f"'{sql_str(k)}'" for k in cfg.kinds)
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
        if "incurred_on" in cols:
            inc = cols["incurred_on"][0]
            inner += [f"{_text(*cols['incurred_on'])} AS incurred_raw", f"{_date(*cols['incurred_on'])} AS incurred_on"]
            checks += [
                ("incurred_raw IS NULL OR " + blank.format("incurred_raw"), inc, "incurred_raw", "missing value (the log has this column: every claim's date of treatment or discharge)"),
                ("incurred_raw IS NOT NULL AND incurred_on IS NULL AND trim(incurred_raw) <> ''", inc, "incurred_raw", "expected a date such as 2025-06-15"),
                ("incurred_on > received_on", inc, "incurred_raw", f"expected a date on or before {rcv}"),
            ]
            select.append("incurred_on")
    if extra:
        checks.append(("extra_fields <> ''", EXTRA_COLUMN.format(n=src.header_len), "extra_fields", "more fields than the header has"))
    # the cells are built only for the rows where some check fails
    any_bad = " OR ".join(f"coalesce({cond}, false)" for cond, *_ in checks)
    cells = ", ".join(_cell(cond, column, raw, message) for cond, column, raw, message in checks)
    problems = f"CASE WHEN {any_bad} THEN [{cells}] END AS problems"
    return (
        f"CREATE TEMP TABLE claims AS SELECT {', '.join(select)}, {problems} "
        f"FROM (SELECT {', '.join(inner)} FROM {src.sql})"
    )


def duplicate_count_sql() -> str:
    """How many rows repeat a claim_id seen in an earlier row."""
    return "SELECT count(claim_id) - count(DISTINCT claim_id) FROM claims WHERE claim_id IS NOT NULL AND trim(claim_id) <> ''"


#: the ``column`` of a bad cell past the header's last field; ``{n}``: how many the header has
EXTRA_COLUMN = "(after column {n})"
#: the message of a ``claim_id`` an earlier row already has; ``{row}``: that row
DUPLICATE = "duplicate claim_id: first in row {row}"


def duplicates_sql(header: str) -> list[str]:
    """Flag every row whose claim_id an earlier row already has (a claim
    paid twice otherwise): the statements that rebuild ``claims`` with one
    more bad cell on each such row, in the file's order, so that rowid + 1
    is still the row number (an UPDATE would move the rows it changes)."""
    cell = (
        f"{{'column': '{sql_str(header)}', 'value': c.claim_id, "
        f"'message': {_with_row(DUPLICATE, 'CAST(d.first_row AS VARCHAR)')}}}"
    )
    firsts = (
        "SELECT rid, first_row FROM (SELECT rowid AS rid, min(rowid) OVER (PARTITION BY claim_id) + 1 AS first_row "
        "FROM claims WHERE claim_id IS NOT NULL AND trim(claim_id) <> '') WHERE rid + 1 > first_row"
    )
    return [
        "CREATE TEMP TABLE claims_checked AS SELECT c.* EXCLUDE (rid) REPLACE ("
        f"CASE WHEN d.first_row IS NOT NULL THEN list_append(coalesce(c.problems, []), {cell}) ELSE c.problems END AS problems) "
        f"FROM (SELECT rowid AS rid, * FROM claims) c LEFT JOIN ({firsts}) d ON c.rid = d.rid ORDER BY c.rid",
        "DROP TABLE claims",
        "ALTER TABLE claims_checked RENAME TO claims",
    ]


def _with_row(template: str, row: str) -> str:
    """``template`` as an SQL text expression, its ``{row}`` the expression ``row``."""
    before, _, after = template.partition("{row}")
    return " || ".join([f"'{sql_str(before)}'", row] + ([f"'{sql_str(after)}'"] if after else []))


def messages_sql(query: str, shown: Mapping[str, str], duplicate: str | None = None) -> str:
    """``query`` — rows ``row, column, value, message`` (:func:`bad_cells_sql`)
    — with each ``message`` as the reader is to see it: ``shown`` maps a
    message as the checks write it to its text in the user's language;
    ``duplicate`` is :data:`DUPLICATE` in that language (with its
    ``{row}``). A message neither covers is kept as it is. Only the text
    changes: the cells stay the STRUCTs of :func:`parse_sql`, translated on
    the way out."""
    cases = [f"WHEN message = '{sql_str(en)}' THEN '{sql_str(text)}'" for en, text in shown.items() if text != en]
    prefix = DUPLICATE.partition("{row}")[0]
    if duplicate is not None and duplicate != DUPLICATE and "{row}" in duplicate:
        first_row = f"substr(message, {len(prefix) + 1})"  # the rest: the row number
        cases.append(f"WHEN starts_with(message, '{sql_str(prefix)}') THEN {_with_row(duplicate, first_row)}")
    if not cases:
        return query
    return f'SELECT "row", "column", "value", CASE {" ".join(cases)} ELSE message END AS message FROM ({query})'


def distinct_messages_sql(query: str) -> str:
    """The different messages of ``query``'s bad cells but the duplicates'
    (one per first row: as many as rows, translated by template instead)."""
    prefix = DUPLICATE.partition("{row}")[0]
    return f"SELECT DISTINCT message FROM ({query}) WHERE NOT starts_with(message, '{sql_str(prefix)}')"


def bad_cells_sql() -> str:
    """Every bad cell of ``claims``, one row each: ``row, column, value,
    message`` in the file's order (by row, then in the order of the checks)."""
    return (
        "SELECT row, struct_extract(cell, 'column') AS column, struct_extract(cell, 'value') AS value, "
        "struct_extract(cell, 'message') AS message FROM "
        "(SELECT rowid + 1 AS row, unnest(problems) AS cell, unnest(range(len(problems))) AS pos "
        "FROM claims WHERE problems IS NOT NULL) "
        "WHERE cell IS NOT NULL ORDER BY row, pos"
    )


# --------------------------------------------------------------- the result
def _amount_lit(value: Decimal) -> str:
    return f"CAST('{value}' AS DECIMAL(18,2))"


def _rate_lit(value: Decimal) -> str:
    """A rate as the narrowest DECIMAL that holds it exactly: narrow decimals
    keep DuckDB's arithmetic in fewer bits."""
    exponent = value.normalize().as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    width = max(len(str(int(abs(value)))) + scale, scale + 1)
    return f"CAST('{value}' AS DECIMAL({width},{scale}))"


def result_sql(doc: ContractText, cfg: ClaimsDoc, basis: str, as_of: dt.date | None, year_basis: str = "received", has_incurred: bool = False) -> str:
    """The temp table ``result``: one row per good claim, with its due date,
    status, days late and (with a benefit rule) its benefit. ``year_basis``:
    the benefit year is the year of ``incurred_on`` (``incurred``) or of
    ``received_on`` (``received``); ``has_incurred``: the log has the column."""
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
    year_col = "year"
    if has_incurred:
        # the year the cap counts in: of treatment (incurred) or of receipt
        benefit_year = "year(c.incurred_on)" if year_basis == "incurred" else "year(c.received_on)"
        cols = cols.replace("c.amount_eligible, ", "c.incurred_on, c.amount_eligible, ") + f", {benefit_year} AS benefit_year"
        year_col = "benefit_year"
    window = f"PARTITION BY person_id, {year_col} ORDER BY received_on, claim_id, row ROWS UNBOUNDED PRECEDING"
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


def summary_sql(with_benefit: bool) -> str:
    """Per year, kind and deadline: claims, settled, on time, late, open,
    overdue and the benefit total."""
    benefit = "sum(benefit)" if with_benefit else "NULL"
    return (
        "SELECT year, kind, deadline, count(*), count_if(status IN ('on_time', 'late')), count_if(status = 'on_time'), "
        f"count_if(status = 'late'), count_if(status IN ('open', 'overdue')), count_if(status = 'overdue'), {benefit} "
        "FROM result GROUP BY year, kind, deadline ORDER BY year, kind"
    )


def copy_sql(query: str, target: str, fmt: str) -> str:
    """``COPY (query) TO target``, Parquet or CSV with a header."""
    opts = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
    return f"COPY ({query}) TO '{sql_str(target)}' {opts}"
