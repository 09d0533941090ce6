"""``yibao plugins``: which plugins are loaded, what they provide, which failed."""

from __future__ import annotations

from typing import Any

import click

from ..registry import Registry
from ._common import emit, format_option, json_alias_option, registry


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the core's own plugin.")
@format_option
@json_alias_option
@click.pass_context
def cmd(ctx: click.Context, show_all: bool, fmt: str | None, as_json: bool) -> None:
    """List plugins: name, version, hooks, contracts; and any that failed.

    \b
    Example:
      yibao plugins --all --format json
    """
    reg = registry(ctx)
    plugins = [p for p in reg.describe() if show_all or p["contracts"] or p["source"] != "builtin"]
    failed = [
        {"name": f.name, "source": f.source, "distribution": f.distribution, "version": f.version, "error": f.cause}
        for f in reg.failures
    ]
    emit({"plugins": plugins, "failed": failed}, "json" if as_json else fmt, lambda: _text(plugins, reg))


def _text(plugins: list[dict[str, Any]], reg: Registry) -> str:
    lines = []
    for p in plugins:
        lines.append(f"{p['name']} ({p['distribution'] or p['source']} {p['version'] or ''})".rstrip())
        lines.append(f"  contracts: {', '.join(p['contracts']) or '—'}")
        lines.append(f"  hooks: {', '.join(p['hooks'])}")
    lines += [f"FAILED {f}" for f in reg.failures]
    return "\n".join(lines)
