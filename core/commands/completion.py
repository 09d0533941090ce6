"""``yibao completion``: the shell completion script."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def cmd(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script.

    \b
    Example:
      eval "$(yibao completion bash)"
    """
    cls = get_completion_class(shell)
    assert cls is not None  # click knows the three shells the argument allows
    click.echo(cls(ctx.find_root().command, {}, "yibao", "_YIBAO_COMPLETE").source())
