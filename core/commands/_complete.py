"""Shell completion of values: cities, deadline keys, reading ids and their
choices, facts and roster files. Each function runs only while the shell
asks for completions (``_YIBAO_COMPLETE``); a failure completes nothing.
``registry`` is :func:`._common.registry`, handed in by the callback
there (this module is what it imports lazily, so it does not import it
back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem

Registry = Callable[[click.Context], Any]


def cities(ctx: click.Context, param: click.Parameter, incomplete: str, registry: Registry) -> list[CompletionItem]:
    """The contracts the plugins provide, with their descriptions."""
    try:
        reg = registry(ctx)
        return [
            CompletionItem(name, help=getattr(reg.contracts[name], "description", "") or None)
            for name in sorted(reg.contracts)
            if name.startswith(incomplete)
        ]
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []


def _city(ctx: click.Context) -> str | None:
    """The city typed before: parsed, or — while an option still lacks its
    value, when click has parsed nothing — the first word after the command
    name on the command line being completed."""
    city = ctx.params.get("city")
    if city:
        return str(city)
    import os  # noqa: PLC0415
    import shlex  # noqa: PLC0415

    try:
        words = shlex.split(os.environ.get("COMP_WORDS", ""))
    except ValueError:
        return None
    name = ctx.info_name
    if name in words:
        after = words[words.index(name) + 1 :]
        return next((w for w in after if not w.startswith("-")), None)
    return None


def _contract(ctx: click.Context, registry: Registry) -> Any:
    from .. import api  # noqa: PLC0415

    city = _city(ctx)
    return api.load_contract(city, ctx.params.get("contract_file"), reg=registry(ctx)) if city else None


def deadline_keys(ctx: click.Context, param: click.Parameter, incomplete: str, registry: Registry) -> list[CompletionItem]:
    """The ``[[deadlines]]`` keys of the city given before."""
    try:
        c = _contract(ctx, registry)
        return [CompletionItem(d.key, help=d.label) for d in (c.doc.deadlines if c else ()) if d.key.startswith(incomplete)]
    except Exception:  # noqa: BLE001
        return []


def readings(ctx: click.Context, param: click.Parameter, incomplete: str, registry: Registry) -> list[CompletionItem]:
    """``ID=CHOICE`` for each interpretation of the city given before."""
    try:
        c = _contract(ctx, registry)
        items = [
            CompletionItem(f"{i.id}={k}", help=v)
            for i in (c.doc.interpretations if c else ())
            for k, v in i.readings.items()
        ]
        return [x for x in items if x.value.startswith(incomplete)]
    except Exception:  # noqa: BLE001
        return []


def files(ctx: click.Context, param: click.Parameter, incomplete: str, registry: Registry) -> list[CompletionItem]:
    """Let the shell complete a file name."""
    return [CompletionItem(incomplete, type="file")]
