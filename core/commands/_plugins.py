"""Commands that plugins add through ``yibao_register_commands``.

Called only when a command name is not a built-in one, or when the commands
are listed (``yibao --help``, completion): ``yibao compute`` never builds a
registry for it. Each plugin's hook runs inside its own ``try``, against a
group of its own, so a plugin that raises adds nothing, is named in one
line, and every other command keeps working.
"""

from __future__ import annotations

from collections.abc import Collection

import attrs
import click

from ..registry import Registry

HOOK = "yibao_register_commands"


@attrs.frozen(slots=False)
class PluginCommands:
    """The commands the plugins added, by name, and one line per problem."""

    commands: dict[str, click.Command]
    problems: tuple[str, ...]


def collect(reg: Registry, builtins: Collection[str]) -> PluginCommands:
    """Call every plugin's ``yibao_register_commands`` with a click group of
    its own and gather the commands added to it. A command whose name is a
    built-in one, or that another plugin already added, is left out and
    named in ``problems``; so is a plugin whose hook raises."""
    commands: dict[str, click.Command] = {}
    owners: dict[str, str] = {}
    problems: list[str] = []
    plugins = [(n, p) for n, p in reg.pm.list_name_plugin() if p is not None]
    for name, plugin in plugins:
        if not any(h.name == HOOK for h in reg.pm.get_hookcallers(plugin) or ()):
            continue
        others = [p for _, p in plugins if p is not plugin]
        group = click.Group("yibao")
        try:
            reg.pm.subset_hook_caller(HOOK, remove_plugins=others)(cli=group)
        except Exception as exc:  # one plugin's failure must not hide the other commands
            problems.append(f"plugin {name!r} ({_source(reg, name)}): {HOOK} failed: {type(exc).__name__}: {exc}")
            continue
        for cmd_name, command in group.commands.items():
            if cmd_name in builtins:
                problems.append(f"plugin {name!r}: command {cmd_name!r} ignored, a built-in command has that name")
            elif cmd_name in commands:
                problems.append(f"command {cmd_name!r} added twice: by plugin {owners[cmd_name]!r} and by {name!r}; the first is used")
            else:
                commands[cmd_name] = command
                owners[cmd_name] = name
    return PluginCommands(commands, tuple(problems))


def _source(reg: Registry, name: str) -> str:
    source, dist, version = reg.origins.get(name, ("builtin", "yibao", None))
    return f"{source} from {dist} {version or ''}".rstrip() if dist else source
