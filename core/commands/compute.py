"""``yibao compute``: a period's figures, findings and interpretations.

The command start-up matters most for: it imports the API and nothing that
only other commands or table output need.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
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
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    facts: tuple[str, ...],
    contract_file: Path | None,
    roster: Path | None,
    readings: tuple[str, ...],
    fmt: str | None,
) -> None:
    """Compute a period's figures, findings and interpretations.

    \b
    Examples:
      yibao compute xinxiang
      yibao compute xinxiang --facts 2025.toml --format json
      yibao compute xinxiang --reading fractional_points=whole_points
      cat 2025.toml | yibao compute xinxiang --facts - --format json
    """
    c = load_contract(ctx, city, contract_file, readings)
    files = facts_files(facts) if facts else [str(api.example_facts(c))]
    sources = [facts_source(f, bundled=not facts) for f in files]
    loaded = [load_facts(c, f) for f in files]
    rosters = [roster_for(c, fa, f, roster) for f, fa in zip(files, loaded, strict=True)]
    if len(loaded) == 1:
        results = [api.compute(c, loaded[0], rosters[0], files[0])]
    else:
        results = api.compute_series(c, loaded, rosters, files)
    emit(api.envelope(c, results, sources), fmt, lambda: result_text(results))
    ctx.exit(1 if any(r.has_violations for r in results) else 0)
