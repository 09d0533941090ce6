"""``--help`` in the user's language, wrapped by display width.

:class:`Formatter` is click's help formatter with every heading, paragraph
of help and option help passed through :func:`yibao.i18n.tr`, and text
wrapped by display width (a CJK character takes two columns: click's own
wrapping counts one). ``\\b`` blocks (``Examples:``) are kept line by line.
Imported only when a help page is formatted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import click

from .i18n import tr, trf
from .textwidth import pad, width, wrap

_EXTRA = re.compile(r"(\s+\[[^\[\]]*\])+$")  # click's "  [default: 1GB]", "[required]"


def _tr_help(text: str) -> str:
    """One help text (an option's, a summary): its main part translated,
    click's trailing ``[default: …]`` kept as it is."""
    m = _EXTRA.search(text)
    extra = m.group(0) if m else ""
    main = text[: m.start()] if m else text
    return tr(" ".join(main.split())) + extra


class Formatter(click.HelpFormatter):
    """click's formatter, translated and CJK-width aware."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else tr("Usage:") + " ")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{tr(heading + ':')}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        out: list[str] = []
        for para in re.split(r"\n\s*\n", text):
            if not para.strip():
                continue
            lines = para.splitlines()
            if lines[0].strip() == "\b":  # a block kept as written
                block = lines[1:]
                if block and block[0].strip().endswith(":"):
                    block[0] = block[0].replace(block[0].strip(), tr(block[0].strip()))
                out.append("\n".join(indent + line for line in block))
            else:
                translated = tr(" ".join(para.split()))
                out.append("\n".join(indent + line for line in wrap(translated, self.width - self.current_indent)))
        self.write("\n\n".join(out))
        self.write("\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(a, _tr_help(b) if b else b) for a, b in rows]
        first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(pad("", first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - self.current_indent - 2, 10))
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")



def exit3_line(message: str) -> str:
    """The one line of exit 3 (a failing plugin, an internal error; ``yibao.cli``):
    ``error: … (YIBAO_DEBUG=1 shows the traceback)``, in the user's language."""
    return trf("error: {message} (YIBAO_DEBUG=1 shows the traceback)", message=message)


def plugin_error_text(exc: Exception) -> str:
    """A plugin's failure (:class:`yibao.errors.PluginError`) in the user's
    language: a hook that raised (:class:`~yibao.errors.PluginFailure`) from
    its parts, the cause as Python wrote it; another plugin error by the
    catalog, if it knows it, its first line."""
    from .errors import PluginFailure  # noqa: PLC0415

    if isinstance(exc, PluginFailure):
        return trf("plugin {name} failed in {hook}: {cause}", name=repr(exc.plugin), hook=exc.hook, cause=exc.cause)
    return str(tr(one_line(str(exc))))


def one_line(text: str, limit: int = 300) -> str:
    """The first line of ``text``, cut at ``limit`` characters with ``…``:
    an exception's text as the one line of exit 3 shows it."""
    lines = text.strip().splitlines()
    first = lines[0] if lines else text.strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def usage_error(exc: click.UsageError) -> click.UsageError:
    """A usage error of click's (an unknown option, a missing argument, a
    value its type refuses) shown in the user's language: the same error,
    its message, hint and ``Error:`` translated as it is shown. ``exc``
    itself in English, and for a group called without a command (``yibao``,
    ``yibao ledger``: click's ``NoArgsIsHelpError``), whose message is the
    help page, already translated."""
    from .i18n import lang  # noqa: PLC0415

    if lang() == "en" or isinstance(exc, (_UsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    return _UsageError(exc)


class _UsageError(click.UsageError):
    """click's usage error, shown as click shows it, in Chinese."""

    def __init__(self, exc: click.UsageError) -> None:
        super().__init__(exc.format_message(), exc.ctx)

    def format_message(self) -> str:
        return str(tr(self.message))

    def show(self, file: object = None) -> None:
        ctx = self.ctx
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                option = max(ctx.command.get_help_option_names(ctx), key=len)
                hint = trf("Try '{command} {option}' for help.", command=ctx.command_path, option=option) + "\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
        click.echo(trf("Error: {message}", message=self.format_message()), err=True, color=ctx.color if ctx else None)
