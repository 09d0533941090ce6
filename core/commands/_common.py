"""What the commands share: the registry of this invocation, the ``--format``
choice and output, loading a contract with ``--reading``, expanding
``--facts``, finding a roster, progress on stderr.

Everything here is small and imported by every command that needs it; the
table renderer is not imported here (a command imports it only when it
prints a table), so ``--format json`` never loads it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from .. import api
from ..contract import Contract
from ..errors import InputError
from ..output import BUNDLED, stamp
from ..registry import Registry
from ..results import Result

FORMATS = click.Choice(["table", "json"])
DATE = click.DateTime(formats=["%Y-%m-%d"])

#: where the chosen output format is kept on the context (shared by the whole
#: chain), so the group can print an input error as JSON when JSON was chosen
FORMAT_META = "yibao.format"


def _remember_format(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    ctx.meta[FORMAT_META] = default_format(value)
    return value


def _json_alias(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[FORMAT_META] = "json"
    return value


#: ``--format`` for every command that has one
format_option = click.option(
    "--format", "fmt", type=FORMATS, callback=_remember_format, help="table (default on a terminal) or json."
)
#: ``--format`` of ``compute``: also a workbook (``xlsx``, with ``--out``)
compute_format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), callback=_remember_format,
    help="table (default on a terminal), json, or xlsx (a workbook; needs --out).",
)
#: ``--encoding`` of a roster CSV
encoding_option = click.option(
    "--encoding", help="Encoding of a roster CSV (default: UTF-8, else GBK/GB18030 detected), e.g. gb18030."
)
#: ``--json``: the deprecated spelling of ``--format json`` (``list``, ``plugins``)
json_alias_option = click.option("--json", "as_json", is_flag=True, hidden=True, callback=_json_alias, help="Same as --format json (deprecated).")
#: ``--contract`` for the commands that take one contract TOML
contract_option = click.option(
    "--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one."
)

_REGISTRY = REGISTRY_META = "yibao.registry"


def _completer(name: str) -> Callable[[click.Context, click.Parameter, str], Any]:
    """A ``shell_complete`` callback of :mod:`._complete`, imported only
    while the shell asks for completions."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        from . import _complete  # noqa: PLC0415 - only while completing

        return getattr(_complete, name)(ctx, param, incomplete, registry)

    return complete


#: completion of cities, a city's deadline keys and readings (ID=CHOICE), and files
complete_cities = _completer("cities")
complete_deadline_keys = _completer("deadline_keys")
complete_readings = _completer("readings")
complete_files = _completer("files")


def default_format(fmt: str | None) -> str:
    """``--format`` as given, else a table on a terminal and JSON otherwise."""
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


def emit(data: Any, fmt: str | None, text: Callable[[], str]) -> None:
    """Print ``data`` as JSON, or ``text()`` for a table. ``text`` is called
    only for a table, so JSON output never imports the table renderer. A
    JSON object gets ``schema_version`` and ``yibao_version`` first
    (:func:`yibao.output.stamp`) unless it has them already."""
    if default_format(fmt) == "json":
        if isinstance(data, dict) and "schema_version" not in data:
            data = stamp(data)
        if isinstance(data, dict) and (data.get("findings") or data.get("problems") or len(data.get("results") or ()) > 1):
            from ..i18n import localize  # noqa: PLC0415 - only when a message is shown

            data = localize(data)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text())


def result_text(results: Iterable[Result]) -> str:
    """One or more results as tables (``compute``, ``validate``)."""
    from ..render import render_result  # noqa: PLC0415 - only for a table: JSON output never loads the renderer

    return "\n\n".join(render_result(r) for r in results)


def registry(ctx: click.Context) -> Registry:
    """The registry of this invocation, built once and kept on the root
    context: with ``--plugins-dir``, a new one that loads those directories
    too; else one given as ``obj={"registry": reg}`` to ``cli.main`` (how
    :mod:`yibao.testing` runs the CLI against a test's plugins); else the
    API's default."""
    root = ctx.find_root()
    reg = root.meta.get(_REGISTRY)
    if reg is None:
        dirs = root.params.get("plugins_dirs") or ()
        given = root.obj.get("registry") if isinstance(root.obj, dict) else None
        reg = api.registry(plugins_dirs=dirs) if dirs or given is None else given
        root.meta[_REGISTRY] = reg
    return reg


def warn_failures(reg: Registry) -> None:
    """One ``warning:`` line on stderr per plugin that failed to load."""
    for f in reg.failures:
        click.echo(f"warning: {f}", err=True)


def load_contract(ctx: click.Context, city: str, contract_file: Path | None, readings: tuple[str, ...] = ()) -> Contract:
    """The contract a command works on, with ``--reading ID=CHOICE`` applied;
    warns about plugins that failed to load."""
    reg = registry(ctx)
    warn_failures(reg)
    c = api.load_contract(city, contract_file, reg=reg)
    if readings:
        choices = {}
        for r in readings:
            if "=" not in r:
                raise InputError.one("command line", "--reading", f"expected ID=CHOICE, got {r!r}")
            k, v = r.split("=", 1)
            choices[k.strip()] = v.strip()
        c = c.with_choices(choices)
    return c


def facts_files(facts: tuple[str, ...]) -> list[str]:
    """``--facts`` values as files: a directory stands for its ``*.toml`` and
    ``*.xlsx`` in name order (consecutive periods); ``-`` is stdin."""
    files: list[str] = []
    for f in facts:
        p = Path(f)
        if f != "-" and p.is_dir():
            found = sorted(str(x) for x in (*p.glob("*.toml"), *p.glob("*.xlsx")) if not x.name.startswith(("~$", ".")))
            if not found:
                raise InputError.one(f, "", "directory holds no *.toml or *.xlsx facts files")
            files += found
        else:
            files.append(f)
    return files


def facts_source(file: str, bundled: bool = False) -> str:
    """``inputs.facts[].source`` of a facts file: its path, ``stdin`` for
    ``-``, ``bundled example`` when no --facts was given."""
    if bundled:
        return BUNDLED
    return "stdin" if file == "-" else file


def load_facts(contract: Contract, file: str) -> Any:
    """One facts file (``-``: TOML read from stdin)."""
    if file == "-":
        return api.load_facts_text(contract, sys.stdin.read())
    return api.load_facts(contract, file)


def roster_for(contract: Contract, facts: Any, file: str | None, roster: Path | None, encoding: str | None = None) -> Any:
    """The roster of a period: ``--roster`` if given, else the one the facts
    name (relative to the facts file), else None."""
    if roster is not None:
        return api.load_roster(roster, contract, encoding)
    path = api.roster_path(facts, file)
    if path is None:
        return None
    from ..files import regular_file  # noqa: PLC0415 - only when the facts name a roster

    # named by the facts: a problem names the facts file and its key (a copied
    # example whose roster stayed behind), and says where else to give one
    regular_file(path, file, "roster", "roster file", f" (the facts key 'roster' is relative to {file}); correct the key, or pass --roster FILE")
    return api.load_roster(path, contract, encoding)


class Progress:
    """Progress of a long run on stderr: one updating line on a terminal, a
    line per step and per 25% otherwise (a log stays short)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, step: str, pct: float) -> None:
        if self.tty:
            end = "\n" if pct >= 100 else ""
            click.echo(f"\r  {step} {pct:5.1f}%", nl=False, err=True)
            if end:
                click.echo("", err=True)
            return
        bucket = int(pct // 25)
        if (step, bucket) != self.last:
            self.last = (step, bucket)
            click.echo(f"  {step} {pct:.0f}%", err=True)
