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
from ._common import (
    contract_option,
    emit,
    facts_files,
    facts_source,
    format_option,
    load_contract,
    load_facts,
    result_text,
    roster_for,
)


@click.command("compute")
@click.argument("city")
@click.option("--facts", "facts", multiple=True, help="Facts TOML ('-' reads stdin; repeat or give a directory for consecutive periods). Default: the bundled example.")
@contract_option
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV (overrides the facts key 'roster').")
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation for this run (see 'yibao show CITY').")
@format_option
@click.option("--record", is_flag=True, help="Append the result to the settlement ledger (see 'yibao ledger --help').")
@click.option("--by", help="With --record: who records it (default: $YIBAO_USER, else the login name).")
@click.option("--reason", help="With --record: why; required when the period is recorded already (a correction).")
@click.option("--ledger", "ledger_file", type=click.Path(dir_okay=False, path_type=Path), envvar="YIBAO_LEDGER", help="With --record: the ledger file (default: $YIBAO_LEDGER, else the user data directory).")
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
    """
    if (by or reason) and not record:
        raise InputError.one("command line", "--by" if by else "--reason", "only with --record")
    c = load_contract(ctx, city, contract_file, readings)
    files = facts_files(facts) if facts else [str(api.example_facts(c))]
    sources = [facts_source(f, bundled=not facts) for f in files]
    loaded = [load_facts(c, f) for f in files]
    rosters = [roster_for(c, fa, f, roster) for f, fa in zip(files, loaded, strict=True)]
    failed = len(c.registry.failures)
    if len(loaded) == 1:
        results = [api.compute(c, loaded[0], rosters[0], files[0])]
    else:
        idx = api.series_order(c, loaded, files)
        files, sources = [files[i] for i in idx], [sources[i] for i in idx]
        loaded, rosters = [loaded[i] for i in idx], [rosters[i] for i in idx]
        results = api.compute_series(c, loaded, rosters, files)
    for f in c.registry.failures[failed:]:  # a cross-cutting plugin left out while computing
        click.echo(f"warning: {f}", err=True)
    if record:
        _record(c, loaded, results, files, roster, ledger_file, by, reason)
    emit(api.envelope(c, results, sources), fmt, lambda: result_text(results))
    ctx.exit(1 if any(r.has_violations for r in results) else 0)


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
