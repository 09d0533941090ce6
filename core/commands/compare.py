"""``yibao compare``: cities' terms side by side, stage by stage."""

from __future__ import annotations

import click

from .. import api
from ..render import table
from ..stages import STAGES
from . import _common as _c
from ._common import default_format, emit, format_option, load_contract


@click.command("compare")
@click.argument("cities", nargs=-1, required=True, shell_complete=_c.complete_cities)
@format_option
@click.pass_context
def cmd(ctx: click.Context, cities: tuple[str, ...], fmt: str | None) -> None:
    """Compare cities' terms side by side: fees, risk sharing, assessment, staffing.

    \b
    Example:
      yibao compare xinxiang luoyang huaiyang
    """
    data = api.compare_contracts([load_contract(ctx, city, None) for city in cities])
    if default_format(fmt) == "json":
        emit(data, "json", str)
        return
    rows = []
    for stage in STAGES:
        depth = max((len(data[c][stage.name]) for c in cities), default=0)
        for i in range(depth):
            rows.append([stage.title if i == 0 else ""] + [data[c][stage.name][i] if i < len(data[c][stage.name]) else "" for c in cities])
    click.echo(table(["", *cities], rows))
