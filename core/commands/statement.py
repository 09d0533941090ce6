"""``yibao statement``: the settlement statement (结算单) to print and sign."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..errors import InputError
from . import _common as _c
from ._common import (
    contract_option,
    encoding_option,
    facts_files,
    facts_source,
    load_contract,
    load_facts,
    roster_for,
)


@click.command("statement")
@click.argument("city", shell_complete=_c.complete_cities)
@click.option("--facts", "facts", multiple=True, shell_complete=_c.complete_files, help="Facts TOML or .xlsx (repeat, or a directory, for consecutive periods). Default: the bundled example.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="结算单.pdf (needs WeasyPrint) or 结算单.html (print it from a browser).")
@contract_option
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV or .xlsx (overrides the facts key 'roster').")
@encoding_option
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", shell_complete=_c.complete_readings, help="Switch an interpretation for this statement.")
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    facts: tuple[str, ...],
    out: Path,
    contract_file: Path | None,
    roster: Path | None,
    encoding: str | None,
    readings: tuple[str, ...],
) -> None:
    """Print a settlement statement (结算单) to sign: HTML or PDF.

    The parties, the contract and period, every line with its formula and
    clause, the net amount due in figures and in 大写, the readings in force,
    the findings, and signature and seal blocks for 甲方 and 乙方; for
    several periods, a chart of them. Exit 1 when the findings include a
    violation (the statement is written all the same).

    \b
    Examples:
      yibao statement xinxiang --out 结算单.html
      yibao statement xinxiang --facts 2025.xlsx --out 结算单.pdf
      yibao statement huaiyang --facts 2025.toml --facts 2026.toml --out 结算单.pdf
    """
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise InputError.one("command line", "--out", f"expected a .pdf or .html file name, got {out.name!r}")
    c = load_contract(ctx, city, contract_file, readings)
    files = facts_files(facts) if facts else [str(api.example_facts(c))]
    sources = [facts_source(f, bundled=not facts) for f in files]
    loaded = [load_facts(c, f) for f in files]
    rosters = [roster_for(c, fa, f, roster, encoding) for f, fa in zip(files, loaded, strict=True)]
    if len(loaded) == 1:
        results = [api.compute(c, loaded[0], rosters[0], files[0])]
    else:
        results = api.compute_series(c, loaded, rosters, files)
    from ..excel import atomic  # noqa: PLC0415 - the atomic rename only (no openpyxl)
    from ..statement import statement_html, write_pdf  # noqa: PLC0415

    text = statement_html(c, api.envelope(c, results, sources), loaded)
    used = [roster or api.roster_path(fa, f) for f, fa in zip(files, loaded, strict=True)]
    with atomic(out, [*files, *(r for r in used if r)]) as tmp:
        if suffix == ".pdf":
            write_pdf(text, tmp)
        else:
            tmp.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
    ctx.exit(1 if any(r.has_violations for r in results) else 0)
