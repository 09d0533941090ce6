"""``yibao show``: a contract's terms, parameters and interpretations."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..render import render_terms
from . import _common as _c
from ._common import contract_option, emit, format_option, load_contract


@click.command("show")
@click.argument("city", shell_complete=_c.complete_cities)
@contract_option
@format_option
@click.pass_context
def cmd(ctx: click.Context, city: str, contract_file: Path | None, fmt: str | None) -> None:
    """Show a contract's terms and parameters, each with its clause.

    \b
    Example:
      yibao show xinxiang
    """
    info = api.describe_contract(load_contract(ctx, city, contract_file))
    emit(info, fmt, lambda: render_terms(info))
