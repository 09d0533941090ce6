"""The ``yibao`` command: a thin click group over :mod:`yibao.api`.

Each command is a module of :mod:`yibao.commands`, named in :data:`COMMANDS`
and imported only when it runs or its ``--help`` is shown (click's "lazily
loading subcommands" pattern), so ``yibao compute`` imports the compute
command and nothing the other commands need. ``yibao --help`` and shell
completion list the commands from :data:`COMMANDS` and :data:`SUMMARIES`
without importing any. Commands added by plugins (``yibao_register_commands``)
are looked up only for a name that is not built in, and when listing.

Exit codes (DESIGN.md): 0 computed, no violations; 1 computed, violations
found (the full result is still printed); 2 bad input — nothing computed, one
line per problem on stderr naming file, key path, what was expected and the
closest valid key; 3 a failing plugin or an internal error — one line
naming the plugin or the yibao module, the traceback only with
``YIBAO_DEBUG=1``; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM). An
uncaught exception is never exit 1. Never a traceback for bad input. With JSON output
(``--format json``, or stdout not a terminal) the problems are also printed
on stdout as a JSON document (:mod:`yibao.output`).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import InputError, PluginError, Problem, YibaoError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from .commands._plugins import PluginCommands

def _keep_click_texts_as_written() -> None:
    """Let click's own texts ("Usage:", "Show this message and exit.", the
    type name "file") through untranslated by the system's gettext.

    yibao translates click's texts itself, at output time, with its own
    catalog keyed by click's English (:mod:`yibao.i18n`): a text a system
    catalog had translated first would no longer match its key. And click
    looks each text up as commands are *built* — the help option, every
    ``click.Path`` — so with gettext every ``yibao`` run probed the
    filesystem for catalogs and imported :mod:`locale` (≈ 6M instructions,
    1.5% of ``yibao compute``'s start-up; ``benchmarks/startup.py``).
    Rebinds the ``_``/``ngettext`` names click's modules imported from
    :mod:`gettext`, in click's modules only; gettext itself is untouched.
    """
    import gettext  # noqa: PLC0415 - imported by click already
    import sys  # noqa: PLC0415 - imported by click already

    def ngettext(singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = str  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = ngettext  # type: ignore[attr-defined]


_keep_click_texts_as_written()


#: every built-in command: name -> "module:object", imported on first use
COMMANDS: dict[str, str] = {
    "claims": "yibao.commands.claims:cmd",
    "compare": "yibao.commands.compare:cmd",
    "completion": "yibao.commands.completion:cmd",
    "compute": "yibao.commands.compute:cmd",
    "deadline": "yibao.commands.deadline:cmd",
    "diff": "yibao.commands.diff:cmd",
    "ledger": "yibao.commands.ledger:cmd",
    "list": "yibao.commands.list:cmd",
    "new-city": "yibao.commands.new_city:cmd",
    "plugins": "yibao.commands.plugins:cmd",
    "readings": "yibao.commands.readings:cmd",
    "schema": "yibao.commands.schema:cmd",
    "serve": "yibao.commands.serve:cmd",
    "show": "yibao.commands.show:cmd",
    "simulate": "yibao.commands.simulate:cmd",
    "statement": "yibao.commands.statement:cmd",
    "template": "yibao.commands.template:cmd",
    "validate": "yibao.commands.validate:cmd",
}

#: the first paragraph of each built-in command's help, for ``yibao --help``
#: and completion without importing the command (a test keeps them equal)
SUMMARIES: dict[str, str] = {
    "claims": "Process a claim log (CSV or Parquet): per-claim deadline, lateness and benefit, and the counts that feed the period's deductions.",
    "compare": "Compare cities' terms side by side: fees, risk sharing, assessment, staffing.",
    "completion": "Print the shell completion script.",
    "compute": "Compute a period's figures, findings and interpretations.",
    "deadline": "Print the last day of a contract deadline counted from an event.",
    "diff": "Show what changes between two versions of a city's contract TOML.",
    "ledger": "The settlement ledger: recorded settlements and payments, tamper-evident.",
    "list": "List the contracts: name, title, parties, term.",
    "new-city": "Scaffold an installable plugin distribution for a new city.",
    "plugins": "List plugins: name, version, hooks, contracts; and any that failed.",
    "readings": "Compute every alternative reading of every interpretation and show the change of each money item against the default reading.",
    "schema": "Print the JSON Schema of a city's contract TOML (or, with --facts, its facts).",
    "serve": "Serve the API over HTTP: compute, validate, contracts, deadlines, OpenAPI.",
    "show": "Show a contract's terms and parameters, each with its clause.",
    "simulate": "Simulate a contract over many drawn periods: the distribution of every money item, the insurer's result and its risk.",
    "statement": "Print a settlement statement (结算单) to sign: HTML or PDF.",
    "template": "Write a facts template to fill in: a workbook for Excel/WPS, or TOML.",
    "validate": "Validate a contract (its stated arithmetic), facts and roster, without computing.",
}

_PLUGIN_COMMANDS = "yibao.plugin_commands"

#: built-in commands that run long or serve: the cyclic garbage collector is
#: switched back on for them (see :func:`main`); so it is for plugin commands
LONG_RUNNING = frozenset({"claims", "serve", "simulate"})


class YibaoContext(click.Context):
    """Help pages translated and wrapped by display width (:mod:`yibao.help`,
    imported only when a help page is formatted)."""

    def make_formatter(self) -> click.HelpFormatter:
        from .help import Formatter  # noqa: PLC0415 - only for a help page

        return Formatter(width=self.terminal_width, max_width=self.max_content_width)


def _use_context(cmd: click.Command) -> None:
    """``cmd`` (and, for a group, its subcommands) formats help with :class:`YibaoContext`."""
    if cmd.context_class is click.Context:
        cmd.context_class = YibaoContext
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _use_context(sub)


class YibaoGroup(click.Group):
    """Loads built-in commands lazily from ``lazy_subcommands``, plugin
    commands on demand, and turns :class:`yibao.errors.InputError` into exit 2
    with one line per problem and no traceback."""

    context_class = YibaoContext

    def __init__(self, *args: Any, lazy_subcommands: Mapping[str, str], summaries: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands)
        self.summaries = dict(summaries)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands, *self._plugins(ctx).commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self._lazy_load(cmd_name)
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None:
            cmd = self._plugins(ctx).commands.get(cmd_name)
            gc.enable()  # a plugin's command may run for as long as it likes
        return cmd

    def _lazy_load(self, cmd_name: str) -> click.Command:
        if cmd_name in LONG_RUNNING:
            gc.enable()
        module, _, name = self.lazy_subcommands[cmd_name].partition(":")
        cmd = getattr(importlib.import_module(module), name)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
        _use_context(cmd)
        return cmd

    def _plugins(self, ctx: click.Context) -> PluginCommands:
        """The plugins' commands, collected once per invocation; a plugin
        whose hook failed is named on stderr (not while completing)."""
        root = ctx.find_root()
        found: PluginCommands | None = root.meta.get(_PLUGIN_COMMANDS)
        if found is None:
            # Imported here, not at the top: building the registry is what a
            # built-in command such as `compute` must not pay for up front.
            from .commands._common import registry  # noqa: PLC0415 - lazy: only for non-built-in names and listings
            from .commands._plugins import collect  # noqa: PLC0415 - lazy: as above

            found = root.meta[_PLUGIN_COMMANDS] = collect(registry(ctx), self.lazy_subcommands)
            if not ctx.resilient_parsing:
                for problem in found.problems:
                    click.echo(f"warning: {problem}", err=True)
        return found

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str | None:
        """A command's one-line help; a built-in one's from SUMMARIES, so
        listing imports no command module. None for a hidden command."""
        if name in self.summaries:  # shortened exactly as click shortens a command's own help
            from .i18n import tr  # noqa: PLC0415 - only when listing commands

            return click.Command(name, help=tr(self.summaries[name])).get_short_help_str(limit)
        cmd = self.get_command(ctx, name)
        return None if cmd is None or cmd.hidden else cmd.get_short_help_str(limit)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, h) for n in names if (h := self._short_help(ctx, n, limit)) is not None]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem  # noqa: PLC0415 - lazy, as click's own Group does it

        items = [
            CompletionItem(n, help=h)
            for n in self.list_commands(ctx)
            if n.startswith(incomplete) and (h := self._short_help(ctx, n, 45)) is not None
        ]
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A usage error of the group itself (`yibao --bogus`, a --plugins-dir
        # that does not exist) comes before invoke: the same translation.
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            from .help import usage_error  # noqa: PLC0415 - only on the error path

            raise usage_error(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        """The exit-code contract (DESIGN.md): 2 for bad input, 3 for a
        failing plugin or an internal error (one line naming it; the
        traceback only with ``YIBAO_DEBUG=1``), 130 on Ctrl-C. An uncaught
        exception never leaves as exit 1, which means "violations found"."""
        try:
            return super().invoke(ctx)
        except InputError as exc:
            from .i18n import problem_line  # noqa: PLC0415 - only on the error path

            for p in exc.problems:
                click.echo(problem_line(p), err=True)
            _error_as_json(ctx, exc.problems)
            ctx.exit(2)
        except PluginError as exc:
            _debug_traceback(exc)
            from .help import exit3_line, plugin_error_text  # noqa: PLC0415 - only on the error path

            click.echo(exit3_line(plugin_error_text(exc)), err=True)
            ctx.exit(3)
        except YibaoError as exc:
            from .i18n import problem_line  # noqa: PLC0415 - only on the error path

            click.echo(problem_line(str(exc)), err=True)
            _error_as_json(ctx, [Problem(None, "", str(exc))])
            ctx.exit(2)
        except click.UsageError as exc:
            from .help import usage_error  # noqa: PLC0415 - only on the error path

            raise usage_error(exc) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            from .i18n import trf  # noqa: PLC0415 - only on the error path

            click.echo(trf("interrupted"), err=True)
            ctx.exit(130)
        except RecursionError as exc:  # nesting no input check caught: still bad input, never a traceback
            _debug_traceback(exc)
            from .i18n import problem_line  # noqa: PLC0415 - only on the error path

            click.echo(problem_line("input nested too deeply"), err=True)
            ctx.exit(2)
        except Exception as exc:
            _debug_traceback(exc)
            from .help import exit3_line  # noqa: PLC0415 - only on the error path

            click.echo(exit3_line(_crash_line(ctx, exc)), err=True)
            ctx.exit(3)


def _debug_traceback(exc: BaseException) -> None:
    import os  # noqa: PLC0415 - only on the error path

    if os.environ.get("YIBAO_DEBUG", "") not in ("", "0"):
        import traceback  # noqa: PLC0415

        click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)


def _crash_line(ctx: click.Context, exc: BaseException) -> str:
    """One line naming where an unexpected exception came from: the plugin
    whose module raised it (the innermost frame in a plugin's module), else
    the innermost yibao module, else the innermost module."""
    from .commands._common import REGISTRY_META  # noqa: PLC0415 - only on the error path
    from .help import one_line  # noqa: PLC0415 - only on the error path
    from .i18n import trf  # noqa: PLC0415 - only on the error path

    modules: list[str] = []
    tb = exc.__traceback__
    while tb is not None:
        modules.append(str(tb.tb_frame.f_globals.get("__name__", "?")))
        tb = tb.tb_next
    plugins: dict[str, str] = {}
    reg = ctx.find_root().meta.get(REGISTRY_META)
    if reg is not None:
        for name, plugin in reg.pm.list_name_plugin():
            if plugin is not None and name not in ("engine",):
                mod = getattr(plugin, "__name__", None) or type(plugin).__module__
                plugins[mod] = name
    what = f"{type(exc).__name__}{': ' + one_line(str(exc), 200) if str(exc).strip() else ''}"
    for mod in reversed(modules):
        name = plugins.get(mod) or next((n for m, n in plugins.items() if mod.startswith(m + ".")), None)
        if name is not None:
            return trf("plugin {name} failed ({module}): {cause}", name=repr(name), module=mod, cause=what)
    ours = [m for m in modules if m == "yibao" or m.startswith("yibao.")]
    where = ours[-1] if ours else (modules[-1] if modules else "?")
    return trf("internal error in {module}: {cause}", module=where, cause=what)


def _error_as_json(ctx: click.Context, problems: Sequence[Problem]) -> None:
    """With JSON output chosen (``--format json``, or the default when
    stdout is not a terminal), the input error as a JSON document on stdout
    too (:func:`yibao.output.error_document`); stderr keeps its lines."""
    if ctx.meta.get("yibao.format") != "json":  # commands._common.FORMAT_META
        return
    import json  # noqa: PLC0415 - only on the error path

    from .i18n import localize  # noqa: PLC0415 - only on the error path
    from .output import error_document  # noqa: PLC0415 - only on the error path

    click.echo(json.dumps(localize(error_document(problems)), ensure_ascii=False, indent=2))


def _print_version(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    """``--version``, printed as click's ``version_option`` prints it. That
    option looks its texts up in gettext catalogs when the group is defined:
    filesystem probes at the start of every command."""
    if value and not ctx.resilient_parsing:
        click.echo(f"yibao, version {__version__}")
        ctx.exit()


@click.group(
    cls=YibaoGroup,
    lazy_subcommands=COMMANDS,
    summaries=SUMMARIES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--plugins-dir",
    "plugins_dirs",
    multiple=True,
    is_eager=True,  # read before --help, so `--plugins-dir D --help` lists D's commands
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Load plugin modules from this directory too (also YIBAO_PLUGINS_DIR).",
)
@click.pass_context
def cli(ctx: click.Context, plugins_dirs: tuple[Path, ...]) -> None:
    """Compute and check medical-insurance outsourcing contracts.

    \b
    Examples:
      yibao list
      yibao compute xinxiang                      # the bundled example facts
      yibao compute xinxiang --facts 2025.toml --format json
      yibao show xinxiang
      yibao validate xinxiang --facts 2025.toml --roster staff.csv
    """
    ctx.ensure_object(dict)
    ctx.obj["plugins_dirs"] = plugins_dirs


def main() -> None:
    """The ``yibao`` console script and ``python -m yibao``.

    A command such as ``compute`` is a short process that builds many
    long-lived objects (modules, classes, the contract) and hardly any
    reference cycles; the cyclic garbage collector would walk the growing
    heap again and again while it starts (≈ 3M instructions of ``compute``).
    It is off while a command runs — reference counting still frees
    everything that is not in a cycle — and on again for the commands in
    :data:`LONG_RUNNING`, for plugin commands, and for every caller that
    embeds the group (only this entry point switches it off).

    The same short commands end without tearing the interpreter down
    (:func:`_leave`): freeing every module, class and object one by one
    before the process ends anyway cost ``compute`` as much as its own
    figures and JSON together (≈ 35M instructions, 8% of its run).
    """
    from .files import Terminated, exit_on_sigterm  # noqa: PLC0415 - os and stat only

    exit_on_sigterm()  # SIGTERM unwinds like Ctrl-C: temporary files removed, exit 143
    gc.disable()
    try:
        cli(prog_name="yibao")
    except Terminated:
        from .i18n import trf  # noqa: PLC0415 - only on the error path

        click.echo(trf("terminated"), err=True)
        raise
    except SystemExit as done:  # click's standalone mode ends every command here
        if not gc.isenabled():  # a short command: see _lazy_load
            _leave(done.code)
        raise
    finally:
        gc.enable()


def _leave(code: int | str | None) -> None:
    """End the process now, with exit status ``code``, skipping the
    interpreter's teardown — and nothing else: the ``atexit`` functions run,
    stdout and stderr are flushed (a closed pipe is ignored, as Python's
    own exit does), and every file yibao writes is closed by then (written
    atomically under ``with``; the ledger commits before it returns).
    Only after a short built-in command (the collector still off); falls
    back to the ordinary exit where CPython lacks ``atexit._run_exitfuncs``."""
    import atexit  # noqa: PLC0415 - built in
    import os  # noqa: PLC0415 - imported at start-up already
    import sys  # noqa: PLC0415 - as above

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None:  # pragma: no cover - another Python
        return
    run_exitfuncs()
    status = 0 if code is None else code if isinstance(code, int) else 1
    if isinstance(code, str):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`yibao … | head`), a closed stream
            pass
    os._exit(status)
