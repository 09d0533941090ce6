"""``yibao validate``: check a contract, facts and roster without computing."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from . import _common as _c
from ._common import (
    contract_option,
    emit,
    encoding_option,
    facts_files,
    format_option,
    load_contract,
    load_facts,
    result_text,
    roster_for,
)


@click.command("validate")
@click.argument("city", shell_complete=_c.complete_cities)
@contract_option
@click.option("--facts", "facts", multiple=True, shell_complete=_c.complete_files, help="Facts TOML or .xlsx to check ('-' reads TOML from stdin; a directory: every *.toml and *.xlsx).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV or .xlsx to check.")
@encoding_option
@format_option
@click.pass_context
def cmd(
    ctx: click.Context, city: str, contract_file: Path | None, facts: tuple[str, ...], roster: Path | None, fmt: str | None, encoding: str | None = None
) -> None:
    """Validate a contract (its stated arithmetic), facts and roster, without computing.

    \b
    Examples:
      yibao validate xinxiang
      yibao validate xinxiang --contract my-draft.toml --facts 2025.toml
    """
    c = load_contract(ctx, city, contract_file)
    files = facts_files(facts)
    loaded = [load_facts(c, f) for f in files]
    for f, fa in zip(files, loaded, strict=True):
        roster_for(c, fa, f, roster, encoding)
    if roster is not None and not files:
        api.load_roster(roster, c, encoding)
    result = api.validate(c, loaded[0] if loaded else None)
    emit(result.to_dict(), fmt, lambda: result_text([result]))
    rosters = [str(roster)] if roster is not None else [str(p) for f, fa in zip(files, loaded, strict=True) if (p := api.roster_path(fa, f))]
    n_warnings = sum(f.severity == "warning" for f in result.findings)
    click.echo(_summary(files, rosters, sum(f.severity == "violation" for f in result.findings), n_warnings), err=True)
    ctx.exit(1 if result.has_violations else 0)


def _summary(files: list[str], rosters: list[str], violations: int, warnings: int = 0) -> str:
    """What was checked and whether it passed, on stderr (either format)."""
    from ..i18n import tr  # noqa: PLC0415 - a message is shown

    parts = [tr("the contract's stated arithmetic")]
    if files:
        parts.append(tr(f"facts {', '.join(files)}"))
    parts += [tr(f"roster {r}") for r in rosters]
    what = "; ".join(parts)
    if violations:
        return tr(f"Checked: {what}. {violations} violation(s) found.")
    if warnings:
        return tr(f"Checked: {what}. No violation; {warnings} warning(s) to look at.")
    return tr(f"Checked: {what}. No problem found.")

