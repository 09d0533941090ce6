"""The CLI as the docs site shows it (``docs/cli.md``, mkdocs-click).

mkdocs-click reads each command's help and parameters. Two things would
come out wrong from the commands as they are: click marks "no default"
with a sentinel that mkdocs-click prints as ``Sentinel.UNSET``, and the
``\\b`` blocks (``Examples:``) are joined into one paragraph of Markdown.
:data:`cli` is a copy of the ``yibao`` group for the docs only: every
command loaded (built-in ones; plugin commands are not documented here),
"no default" as ``None``, and each ``\\b`` block as a fenced code block
under its heading. The commands themselves are untouched.
"""

from __future__ import annotations

import copy
import inspect
import re

import click

from .cli import cli as _cli


def _markdown_help(text: str | None) -> str | None:
    if not text:
        return text
    out = []
    for para in re.split(r"\n\s*\n", inspect.cleandoc(text).partition("\f")[0].strip()):
        lines = para.splitlines()
        if lines and lines[0].strip() == "\b":
            body = [x for x in lines[1:]]
            head = body[0].strip() if body and body[0].strip().endswith(":") else None
            code = body[1:] if head else body
            indent = min((len(x) - len(x.lstrip()) for x in code if x.strip()), default=0)
            block = "```sh\n" + "\n".join(x[indent:] for x in code).strip("\n") + "\n```"
            out.append(f"{head}\n\n{block}" if head else block)
        else:
            out.append(para)
    return "\n\n".join(out)


def _unset(value: object) -> bool:
    return type(value).__name__ == "Sentinel" or repr(value).endswith("UNSET")


def _param(p: click.Parameter) -> click.Parameter:
    q = copy.copy(p)
    if _unset(q.default):
        q.default = False if isinstance(q, click.Option) and q.is_flag and not q.secondary_opts else None
    return q


#: the help option as the docs list it (click builds its own, with a sentinel default)
HELP = click.Option(["-h", "--help"], is_flag=True, default=False, help="Show this message and exit.")


def _doc_copy(cmd: click.Command) -> click.Command:
    doc = copy.copy(cmd)
    doc.help = _markdown_help(cmd.help)
    doc.params = [*(_param(p) for p in cmd.params), HELP]
    doc.add_help_option = False
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        group = doc  # a click.Group copy: give it its own command table
        assert isinstance(group, click.Group)
        group.commands = {n: _doc_copy(c) for n in cmd.list_commands(ctx) if (c := cmd.get_command(ctx, n)) is not None}
    return doc


def _build() -> click.Group:
    ctx = click.Context(_cli)
    group = click.Group(
        name=_cli.name,
        help=_markdown_help(_cli.help),
        params=[*(_param(p) for p in _cli.params), HELP],
        add_help_option=False,
    )
    for name in sorted(_cli.lazy_subcommands):
        cmd = _cli.get_command(ctx, name)
        if cmd is not None:
            group.add_command(_doc_copy(cmd), name)
    return group


#: the ``yibao`` group as the docs show it
cli = _build()
