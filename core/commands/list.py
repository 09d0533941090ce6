"""``yibao list``: the contracts the plugins provide, one line each."""

from __future__ import annotations

from typing import Any

import click

from .. import api
from ..describe import contract_rows
from ..render import table
from ._common import emit, format_option, json_alias_option, registry, warn_failures


@click.command("list")
@format_option
@json_alias_option
@click.pass_context
def cmd(ctx: click.Context, fmt: str | None, as_json: bool) -> None:
    """List the contracts: name, title, parties, term.

    JSON: {"schema_version", "yibao_version", "contracts": [one object per contract]}.

    \b
    Example:
      yibao list --format json
    """
    reg = registry(ctx)
    warn_failures(reg)
    rows = contract_rows(
        api.list_contracts(reg), lambda name: api.load_contract(name, reg=reg), lambda name: reg.plugin_name(reg.owners[name])
    )
    emit({"contracts": rows}, "json" if as_json else fmt, lambda: _text(rows))


def _text(rows: list[dict[str, Any]]) -> str:
    return table(
        ["名称", "合同", "标题", "甲方", "乙方", "期限"],
        [
            [r["name"], r.get("contract", "—"), r.get("title", "error: " + r.get("error", "")), r.get("bureau", ""), r.get("insurer", ""), f"{r.get('start', '')}–{r.get('end', '')}"]
            for r in rows
        ],
    )
