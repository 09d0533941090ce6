"""``yibao plugins``: which plugins are loaded, what they provide, which failed."""

from __future__ import annotations

import json

import click

from ._common import registry


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the core's own plugin.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def cmd(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List plugins: name, version, hooks, contracts; and any that failed.

    \b
    Example:
      yibao plugins --all --json
    """
    reg = registry(ctx)
    plugins = [p for p in reg.describe() if show_all or p["contracts"] or p["source"] != "builtin"]
    failed = [
        {"name": f.name, "source": f.source, "distribution": f.distribution, "version": f.version, "error": f.cause}
        for f in reg.failures
    ]
    if as_json:
        click.echo(json.dumps({"plugins": plugins, "failed": failed}, ensure_ascii=False, indent=2))
        return
    for p in plugins:
        click.echo(f"{p['name']} ({p['distribution'] or p['source']} {p['version'] or ''})".rstrip())
        click.echo(f"  contracts: {', '.join(p['contracts']) or '—'}")
        click.echo(f"  hooks: {', '.join(p['hooks'])}")
    for f in reg.failures:
        click.echo(f"FAILED {f}")
