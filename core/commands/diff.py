"""``yibao diff``: what changes between two versions of a contract TOML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import api
from ..errors import InputError
from ..render import table
from . import _common as _c
from ._common import default_format, emit, format_option, load_contract


@click.command("diff")
@click.argument("city", shell_complete=_c.complete_cities)
@click.option("--contract", "contracts", multiple=True, required=True, type=click.Path(dir_okay=False, path_type=Path), help="Give exactly two: the old and the new contract TOML.")
@click.option("--facts", "facts", help="Also compute both on these facts and show every item that changes.")
@format_option
@click.pass_context
def cmd(ctx: click.Context, city: str, contracts: tuple[Path, ...], facts: str | None, fmt: str | None) -> None:
    """Show what changes between two versions of a city's contract TOML.

    \b
    Examples:
      yibao diff xinxiang --contract 2025.toml --contract 2025-supplement.toml
      yibao diff xinxiang --contract a.toml --contract b.toml --facts 2025.toml
    """
    if len(contracts) != 2:
        raise InputError.one("command line", "--contract", f"expected exactly two --contract files, got {len(contracts)}")
    old, new = (load_contract(ctx, city, p) for p in contracts)
    data = api.diff_contracts(old, new, facts or None)
    if default_format(fmt) == "json":
        emit(data, "json", str)
        return
    params, items = data["parameters"], data["items"]
    click.echo(table(["参数", "原", "新"], [[str(p["key"]), _show(p["old"]), _show(p["new"])] for p in params]) if params else "参数无变化")
    if facts:
        click.echo("")
        click.echo(
            table(
                ["项目", "范围", "原", "新", "变化", "条款"],
                [[i["key"], i["scope"] or "", i["old"] or "—", i["new"] or "—", i["change"], i["clause"]] for i in items],
                right=(2, 3, 4),
            )
            if items
            else "计算结果无变化"
        )


def _show(v: Any) -> str:
    return "—" if v is None else str(v)
