"""``yibao compute``: a period's figures, findings and interpretations.

The command start-up matters most for: it imports the API and nothing that
only other commands or table output need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import api
from ..contract import Contract
from ..errors import InputError
from ..results import Result
from . import _common as _c
from ._common import (
    compute_format_option,
    contract_option,
    emit,
    encoding_option,
    facts_files,
    facts_source,
    load_contract,
    load_facts,
    result_text,
    roster_for,
)


@click.command("compute")
@click.argument("city", shell_complete=_c.complete_cities)
@click.option("--facts", "facts", multiple=True, shell_complete=_c.complete_files, help="Facts TOML or .xlsx workbook ('-' reads TOML from stdin; repeat or give a directory for consecutive periods). Default: the bundled example.")
@contract_option
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV or .xlsx (overrides the facts key 'roster').")
@encoding_option
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", shell_complete=_c.complete_readings, help="Switch an interpretation for this run (see 'yibao show CITY').")
@compute_format_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the result to this file instead of stdout (result.xlsx: a workbook; result.json).")
@click.option("--record", is_flag=True, help="Append the result to the settlement ledger (see 'yibao ledger --help').")
@click.option("--by", help="With --record: who records it (default: $YIBAO_USER, else the login name).")
@click.option("--reason", help="With --record: why; required when the period is recorded already (a correction).")
@click.option("--ledger", "ledger_file", type=click.Path(dir_okay=False, path_type=Path), envvar="YIBAO_LEDGER", help="The settlement ledger file (default with --record: $YIBAO_LEDGER, else the user data directory). Given, or with --record, a carried figure the first period's facts leave out comes from the ledger (see 'yibao ledger --help').")
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    facts: tuple[str, ...],
    contract_file: Path | None,
    roster: Path | None,
    readings: tuple[str, ...],
    fmt: str | None,
    record: bool = False,
    by: str | None = None,
    reason: str | None = None,
    ledger_file: Path | None = None,
    encoding: str | None = None,
    out: Path | None = None,
) -> None:
    """Compute a period's figures, findings and interpretations.

    \b
    Examples:
      yibao compute xinxiang
      yibao compute xinxiang --facts 2025.toml --format json
      yibao compute xinxiang --reading fractional_points=whole_points
      cat 2025.toml | yibao compute xinxiang --facts - --format json
      yibao compute huaiyang --facts 2025.toml --facts 2026.toml --facts 2027.toml
      yibao compute luoyang --facts luoyang-2026/   # 2026Q1–Q4 and 2026: a series
      yibao compute xinxiang --facts 2025.toml --record --by 张三
      yibao compute xinxiang --facts 2025.toml --record --reason "复核后更正参保人数"
      yibao compute xinxiang --facts 2025.xlsx --out 结果.xlsx
      yibao compute huaiyang --facts 2026.toml --ledger 结算台账.sqlite  # 滚存结余 from 2025's entry
    """
    if (by or reason) and not record:
        raise InputError.one("command line", "--by" if by else "--reason", "only with --record")
    c = load_contract(ctx, city, contract_file, readings)
    files = facts_files(facts) if facts else [str(api.example_facts(c))]
    sources = [facts_source(f, bundled=not facts) for f in files]
    loaded = [load_facts(c, f) for f in files]
    rosters = [roster_for(c, fa, f, roster, encoding) for f, fa in zip(files, loaded, strict=True)]
    failed = len(c.registry.failures)
    # the ledger's carried figures: with --ledger on the command line, or with --record
    carry_from = (ledger_file or api.ledger_path()) if record or _given(ctx, "ledger_file") else None
    if len(loaded) == 1:
        results = [api.compute(c, loaded[0], rosters[0], files[0], ledger=carry_from)]
    else:
        idx = api.series_order(c, loaded, files)
        files, sources = [files[i] for i in idx], [sources[i] for i in idx]
        loaded, rosters = [loaded[i] for i in idx], [rosters[i] for i in idx]
        results = api.compute_series(c, loaded, rosters, files, ledger=carry_from)
    for f in c.registry.failures[failed:]:  # a cross-cutting plugin left out while computing
        click.echo(f"warning: {f}", err=True)
    if record:
        _record(c, loaded, results, files, roster, ledger_file, by, reason)
    doc = api.envelope(c, results, sources)
    if out is not None or fmt == "xlsx":
        used = [roster or api.roster_path(fa, f) for f, fa in zip(files, loaded, strict=True)]
        _write(out, fmt, doc, [*files, *(r for r in used if r)])
    else:
        emit(doc, fmt, lambda: result_text(results))
    ctx.exit(1 if any(r.has_violations for r in results) else 0)


def _given(ctx: click.Context, name: str) -> bool:
    """An option given on the command line (not from the environment)."""
    return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE


def _record(
    c: Contract,
    loaded: list[Any],
    results: list[Result],
    files: list[str],
    roster: Path | None,
    ledger_file: Path | None,
    by: str | None,
    reason: str | None,
) -> None:
    """``--record``: every period computed, in one transaction; the entries on stderr."""
    rosters = [roster or api.roster_path(fa, f) for f, fa in zip(files, loaded, strict=True)]
    entries = api.record_series(c, loaded, results, ledger=ledger_file, by=by, reason=reason, files=files, roster_files=rosters)
    where = api.ledger_path(ledger_file)
    for e in entries:
        fix = f", supersedes entry {e.supersedes}" if e.supersedes else ""
        click.echo(f"recorded: entry {e.id} ({e.contract} {e.period}{fix}) in {where}", err=True)


def _write(out: Path | None, fmt: str | None, doc: dict[str, Any], inputs: list[Any]) -> None:
    """``--out``: the result as a workbook (``.xlsx`` or ``--format xlsx``)
    or as JSON, written atomically and never onto an input."""
    if out is None:
        raise InputError.one("command line", "--format", "xlsx needs --out FILE.xlsx")
    if fmt == "xlsx" or (fmt is None and out.suffix.lower() == ".xlsx"):
        if out.suffix.lower() != ".xlsx":
            raise InputError.one("command line", "--out", f"--format xlsx writes a .xlsx file, got {out.name!r}")
        from ..excel import write_result  # noqa: PLC0415 - openpyxl only for a workbook

        write_result(out, doc, inputs)
    elif fmt in (None, "json"):
        import json  # noqa: PLC0415

        from ..excel import atomic  # noqa: PLC0415

        with atomic(out, inputs) as tmp:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    else:
        raise InputError.one("command line", "--format", f"--out writes json or xlsx, not {fmt}")
    click.echo(f"wrote {out}", err=True)
