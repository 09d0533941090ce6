"""``yibao claims``: process a claim log — per-claim deadlines, lateness,
benefits, and the counts that feed a period's deductions."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from ..calendar import calendar_for
from ..claims import render_report, run_claims
from ..claims.sql import EXTRA_COLUMN
from . import _common as _c
from ._common import DATE, Progress, contract_option, emit, format_option, load_contract


@click.command("claims")
@click.argument("city", shell_complete=_c.complete_cities)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Per-claim output: OUT.parquet, OUT.csv (UTF-8 with a BOM, for Excel) or OUT.xlsx (up to 1,048,575 rows).")
@click.option("--encoding", help="The claim log's encoding when it is not UTF-8, e.g. gb18030.")
@click.option("--bad-rows", "bad_rows", type=click.Path(dir_okay=False, path_type=Path), help="Every bad cell as CSV (row,column,value,message). Default with --out: OUT.bad_rows.csv.")
@click.option("--as-of", "as_of", type=DATE, help="The date the log was extracted: open claims past their deadline then count as overdue.")
@contract_option
@click.option("--calendar", "calendars", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="A TOML file of [[calendar.years]] holiday tables (repeatable).")
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", shell_complete=_c.complete_readings, help="Switch an interpretation for this run.")
@click.option("--memory-limit", default="1GB", show_default=True, help="DuckDB's memory limit; beyond it DuckDB spills to a temporary directory.")
@click.option("--threads", type=click.IntRange(1), help="DuckDB threads (default: one per core).")
@click.option("--progress/--no-progress", default=None, help="Show progress on stderr (default: when stderr is a terminal).")
@format_option
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    file: Path,
    out: Path | None,
    bad_rows: Path | None,
    as_of: Any,
    contract_file: Path | None,
    calendars: tuple[Path, ...],
    readings: tuple[str, ...],
    memory_limit: str,
    threads: int | None,
    progress: bool | None,
    fmt: str | None,
    encoding: str | None = None,
) -> None:
    """Process a claim log (CSV or Parquet): per-claim deadline, lateness and
    benefit, and the counts that feed the period's deductions.

    The columns, the deadline of each claim kind and the benefit rule come
    from the contract's [claims] table (docs/claims.md). Bad rows are listed
    with row and column and the rest of the file is processed. Exit 1 when a
    claim is late (or overdue with --as-of) or a row is bad.

    \b
    Examples:
      yibao claims xinxiang claims-2025.csv --out claims-2025.parquet
      yibao claims xinxiang claims-2025.parquet --as-of 2026-01-15 --format json
      yibao claims xinxiang log.csv --reading claims_amount_basis=whole_cost
      yibao claims xinxiang 导出.csv --encoding gb18030 --out 结果.xlsx
    """
    from ..i18n import lang, localize, tr, trf  # noqa: PLC0415 - not on compute's path

    c = load_contract(ctx, city, contract_file, readings)
    cal = calendar_for(c, calendars)
    show = sys.stderr.isatty() if progress is None else progress
    shown = Progress() if show else None
    report = run_claims(
        c,
        file,
        cal,
        out=out,
        bad_rows_out=bad_rows,
        as_of=as_of.date() if as_of else None,
        memory_limit=memory_limit,
        threads=threads,
        progress=(lambda step, pct: shown(tr(step), pct)) if shown is not None else None,  # the step in the reader's language
        encoding=encoding,
        translate=tr if lang() != "en" else None,
    )
    if report.bad_rows:
        # the messages in the reader's language; file, column header and
        # cell as they are in the log
        for b in report.bad:
            got = trf("empty") if b.value is None else repr(b.value)
            extra = re.fullmatch(re.escape(EXTRA_COLUMN).replace(r"\{n\}", r"(\d+)"), b.column)  # not a header: fields past the last
            column = trf(EXTRA_COLUMN, n=extra.group(1)) if extra else b.column
            click.echo(trf("bad row: {file}: row {row}: {column}: {message} (got {got})", file=b.file, row=b.row, column=column, message=tr(b.message), got=got), err=True)
        more = report.bad_rows - len({b.row for b in report.bad})
        if report.bad_rows_file:
            line = "{n} bad row(s) not processed ({more} more not shown); all listed in {file}" if more > 0 else "{n} bad row(s) not processed; all listed in {file}"
        else:
            line = "{n} bad row(s) not processed ({more} more not shown); pass --bad-rows FILE to list all" if more > 0 else "{n} bad row(s) not processed; pass --bad-rows FILE to list all"
        click.echo(trf(line, n=report.bad_rows, more=more, file=report.bad_rows_file), err=True)
    emit(localize(report.to_dict()) if report.bad else report.to_dict(), fmt, lambda: render_report(report))
    ctx.exit(1 if report.has_violations else 0)
