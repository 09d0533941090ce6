"""The ``yibao`` command: a thin layer over :mod:`yibao.api`.

Exit codes (DESIGN.md): 0 computed, no violations; 1 computed, violations
found (the full result is still printed); 2 bad input — nothing computed, one
line per problem on stderr naming file, key path, what was expected and the
closest valid key. Never a traceback for bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__

FORMATS = click.Choice(["table", "json"])


def _default_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "json"


class YibaoGroup(click.Group):
    """Turns :class:`yibao.errors.InputError` into exit 2 without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import InputError, YibaoError  # noqa: PLC0415

        try:
            return super().invoke(ctx)
        except InputError as exc:
            for p in exc.problems:
                click.echo(f"error: {p}", err=True)
            ctx.exit(2)
        except YibaoError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=YibaoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yibao")
@click.option(
    "--plugins-dir",
    "plugins_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
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


def _registry(ctx: click.Context) -> Any:
    from . import api  # noqa: PLC0415

    return api.registry(plugins_dirs=ctx.obj.get("plugins_dirs", ()))


def _warn_failures(reg: Any) -> None:
    for f in reg.failures:
        click.echo(f"warning: {f}", err=True)


def _emit(data: Any, fmt: str, text: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(text)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the contracts: name, title, parties, term.

    \b
    Example:
      yibao list --json
    """
    from . import api  # noqa: PLC0415
    from .render import table  # noqa: PLC0415

    reg = _registry(ctx)
    _warn_failures(reg)
    rows = []
    for spec in api.list_contracts(reg):
        try:
            c = api.load_contract(spec.name, reg=reg)
        except Exception as exc:  # a broken TOML must not hide the other cities
            rows.append({"name": spec.name, "plugin": reg.plugin_name(reg.owners[spec.name]), "error": str(exc)})
            continue
        d = c.doc
        rows.append(
            {
                "name": spec.name,
                "plugin": reg.plugin_name(reg.owners[spec.name]),
                "contract": d.id,
                "title": d.title,
                "bureau": d.parties.bureau,
                "insurer": d.parties.insurer,
                "start": d.term.start.isoformat(),
                "end": d.term.end.isoformat(),
            }
        )
    text = table(
        ["名称", "合同", "标题", "甲方", "乙方", "期限"],
        [
            [r["name"], r.get("contract", "—"), r.get("title", "error: " + r.get("error", "")), r.get("bureau", ""), r.get("insurer", ""), f"{r.get('start', '')}–{r.get('end', '')}"]
            for r in rows
        ],
    )
    _emit(rows, "json" if as_json else "table", text)


@cli.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the core's own plugin.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def plugins_cmd(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """List plugins: name, version, hooks, contracts; and any that failed.

    \b
    Example:
      yibao plugins --all --json
    """
    reg = _registry(ctx)
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


def _contract(ctx: click.Context, city: str, contract_file: Path | None, readings: tuple[str, ...] = ()) -> Any:
    from . import api  # noqa: PLC0415
    from .errors import InputError  # noqa: PLC0415

    reg = _registry(ctx)
    _warn_failures(reg)
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


def _facts_files(facts: tuple[str, ...]) -> list[str]:
    files: list[str] = []
    for f in facts:
        p = Path(f)
        if f != "-" and p.is_dir():
            found = sorted(str(x) for x in p.glob("*.toml"))
            if not found:
                from .errors import InputError  # noqa: PLC0415

                raise InputError.one(f, "", "directory holds no *.toml facts files")
            files += found
        else:
            files.append(f)
    return files


def _load_facts(contract: Any, file: str) -> Any:
    from . import api  # noqa: PLC0415

    if file == "-":
        return api.load_facts_text(contract, sys.stdin.read())
    return api.load_facts(contract, file)


def _roster_for(contract: Any, facts: Any, file: str | None, roster: Path | None) -> Any:
    from . import api  # noqa: PLC0415

    path = roster or api.roster_path(facts, file)
    return api.load_roster(path, contract) if path is not None else None


@cli.command("show")
@click.argument("city")
@click.option("--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one.")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def show_cmd(ctx: click.Context, city: str, contract_file: Path | None, fmt: str | None) -> None:
    """Show a contract's terms and parameters, each with its clause.

    \b
    Example:
      yibao show xinxiang
    """
    from .render import render_terms  # noqa: PLC0415

    c = _contract(ctx, city, contract_file)
    info = describe_contract(c)
    _emit(info, _default_format(fmt), render_terms(info))


def describe_contract(c: Any) -> dict[str, Any]:
    """A contract's terms as data (``yibao show``)."""
    import attrs  # noqa: PLC0415


    d = c.doc
    steps = []
    for b in c.steps:
        for spec in b.outputs.values() or [None]:
            steps.append(
                {
                    "key": spec.key if spec else "—",
                    "label": spec.label if spec else (b.step.scope or b.step.model),
                    "model": b.step.model,
                    "stage": b.stage,
                    "clause": (spec.clause if spec and spec.clause else b.step.clause),
                    "params": describe_contract_step(b, sep="; "),
                }
            )
    return {
        "contract": d.id,
        "city": d.city,
        "title": d.title,
        "kind": d.kind,
        "parties": {"bureau": d.parties.bureau, "insurer": d.parties.insurer},
        "term": {"start": d.term.start.isoformat(), "end": d.term.end.isoformat(), "clause": d.term.clause},
        "steps": steps,
        "terms": [{"key": t.key, "label": t.label, "value": str(t.value) if not isinstance(t.value, (int, bool, str)) else t.value, "clause": t.clause} for t in d.terms],
        "deadlines": [attrs.asdict(x) for x in d.deadlines],
        "interpretations": [
            {"id": i.id, "clause": i.clause, "question": i.question, "choice": i.choice, "readings": dict(i.readings)}
            for i in d.interpretations
        ],
    }


@cli.command("validate")
@click.argument("city")
@click.option("--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one.")
@click.option("--facts", "facts", multiple=True, help="Facts TOML to check ('-' reads stdin; a directory: every *.toml).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV to check.")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def validate_cmd(ctx: click.Context, city: str, contract_file: Path | None, facts: tuple[str, ...], roster: Path | None, fmt: str | None) -> None:
    """Validate a contract (its stated arithmetic), facts and roster, without computing.

    \b
    Examples:
      yibao validate xinxiang
      yibao validate xinxiang --contract my-draft.toml --facts 2025.toml
    """
    from . import api  # noqa: PLC0415
    from .render import render_result  # noqa: PLC0415

    c = _contract(ctx, city, contract_file)
    files = _facts_files(facts)
    loaded = [_load_facts(c, f) for f in files]
    for f, fa in zip(files, loaded, strict=True):
        _roster_for(c, fa, f, roster)
    if roster is not None and not files:
        api.load_roster(roster, c)
    result = api.validate(c, loaded[0] if loaded else None)
    _emit(result.to_dict(), _default_format(fmt), render_result(result))
    ctx.exit(1 if result.has_violations else 0)


@cli.command("compute")
@click.argument("city")
@click.option("--facts", "facts", multiple=True, help="Facts TOML ('-' reads stdin; repeat or give a directory for consecutive periods). Default: the bundled example.")
@click.option("--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Staff roster CSV (overrides the facts key 'roster').")
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation for this run (see 'yibao show CITY').")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def compute_cmd(
    ctx: click.Context,
    city: str,
    facts: tuple[str, ...],
    contract_file: Path | None,
    roster: Path | None,
    readings: tuple[str, ...],
    fmt: str | None,
) -> None:
    """Compute a period's figures, findings and interpretations.

    \b
    Examples:
      yibao compute xinxiang
      yibao compute xinxiang --facts 2025.toml --format json
      yibao compute xinxiang --reading fractional_points=whole_points
      cat 2025.toml | yibao compute xinxiang --facts - --format json
    """
    from . import api  # noqa: PLC0415
    from .render import render_result  # noqa: PLC0415
    from .results import combine  # noqa: PLC0415

    c = _contract(ctx, city, contract_file, readings)
    files = _facts_files(facts) if facts else [str(api.example_facts(c))]
    loaded = [_load_facts(c, f) for f in files]
    rosters = [_roster_for(c, fa, f, roster) for f, fa in zip(files, loaded, strict=True)]
    fmt = _default_format(fmt)
    if len(loaded) == 1:
        result = api.compute(c, loaded[0], rosters[0], files[0])
        _emit(result.to_dict(), fmt, render_result(result))
        ctx.exit(1 if result.has_violations else 0)
    results = api.compute_series(c, loaded, rosters, files)
    _emit(combine(results), fmt, "\n\n".join(render_result(r) for r in results))
    ctx.exit(1 if any(r.has_violations for r in results) else 0)


@cli.command("schema")
@click.argument("city", required=False)
@click.option("--facts", "for_facts", is_flag=True, help="The facts schema instead of the contract schema.")
@click.option("--write", "write_dir", type=click.Path(file_okay=False, path_type=Path), help="Write every city's two schemas into this directory.")
@click.pass_context
def schema_cmd(ctx: click.Context, city: str | None, for_facts: bool, write_dir: Path | None) -> None:
    """Print the JSON Schema of a city's contract TOML (or, with --facts, its facts).

    \b
    Examples:
      yibao schema xinxiang --facts > xinxiang.facts.schema.json
      yibao schema --write schemas/        # regenerate the committed schemas
    """
    reg = _registry(ctx)
    if write_dir is not None:
        write_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(reg.contracts):
            for facts_flag, suffix in ((False, "contract"), (True, "facts")):
                path = write_dir / f"{name}.{suffix}.schema.json"
                path.write_text(dump_schema(schema_for(reg, name, facts_flag)), encoding="utf-8")
                click.echo(f"wrote {path}")
        return
    if city is None:
        raise click.UsageError("give a CITY, or --write DIR")
    click.echo(dump_schema(schema_for(reg, city, for_facts)), nl=False)


def dump_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def schema_for(reg: Any, city: str, for_facts: bool) -> dict[str, Any]:
    from . import api  # noqa: PLC0415
    from .schema import contract_schema, facts_schema  # noqa: PLC0415

    spec = api.get_spec(city, reg)
    if for_facts:
        return facts_schema(spec.facts_class, f"yibao {city} facts")
    return contract_schema(reg.models, f"yibao {city} contract")


@cli.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script.

    \b
    Example:
      eval "$(yibao completion bash)"
    """
    from click.shell_completion import get_completion_class  # noqa: PLC0415

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(cli, {}, "yibao", "_YIBAO_COMPLETE").source())


# ---------------------------------------------------------------- authoring
@cli.command("new-city")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Where to create yibao-NAME/.")
@click.option("--from", "source", metavar="CITY", help="Start from a bundled city's contract TOML and facts class.")
@click.pass_context
def new_city_cmd(ctx: click.Context, name: str, directory: Path, source: str | None) -> None:
    """Scaffold an installable plugin distribution for a new city.

    \b
    Examples:
      yibao new-city zhengzhou --dir ~/src
      yibao new-city kaifeng --from xinxiang
      pip install -e ./yibao-kaifeng && yibao compute kaifeng
      yibao --plugins-dir ./yibao-kaifeng compute kaifeng   # without installing
    """
    from . import api  # noqa: PLC0415
    from .registry import make_registry  # noqa: PLC0415
    from .scaffold import check_name, scaffold  # noqa: PLC0415

    check_name(name)
    reg = _registry(ctx)
    if name in reg.contracts:
        from .errors import InputError  # noqa: PLC0415

        raise InputError.one("command line", "NAME", f"a contract named {name!r} already exists")
    spec = api.get_spec(source, reg) if source else None
    root = scaffold(name, directory, spec)
    fresh = make_registry(load_entrypoints=False, plugins_dirs=[root])
    for facts_flag, file in ((False, "contract.schema.json"), (True, "facts.schema.json")):
        (root / "schemas" / file).write_text(dump_schema(schema_for(fresh, name, facts_flag)), encoding="utf-8")
    click.echo(f"created {root}")
    click.echo(f"  try:   yibao --plugins-dir {root} compute {name}")
    click.echo(f"  test:  PYTHONPATH={root} python -m pytest {root / 'tests'}")
    click.echo(f"  install: pip install -e {root}")


@cli.command("compare")
@click.argument("cities", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def compare_cmd(ctx: click.Context, cities: tuple[str, ...], fmt: str | None) -> None:
    """Compare cities' terms side by side: fees, risk sharing, assessment, staffing.

    \b
    Example:
      yibao compare xinxiang luoyang huaiyang
    """
    from .render import table  # noqa: PLC0415

    families = {
        "fees": "费用（fees）",
        "risk": "风险分担（risk）",
        "assessment": "考核（assessment）",
        "settlement": "结算（settlement）",
        "staffing": "人员（staffing）",
    }
    data: dict[str, dict[str, list[str]]] = {}
    for city in cities:
        c = _contract(ctx, city, None)
        cells: dict[str, list[str]] = {f: [] for f in families}
        for b in c.steps:
            label = next(iter(b.outputs.values())).label if b.outputs else (getattr(b.params, "group", None) or b.step.model)
            detail = describe_contract_step(b)
            cells[b.stage].append(f"{label}: {detail} [{b.step.clause}]")
        data[city] = cells
    if _default_format(fmt) == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = []
    for fam, title in families.items():
        depth = max((len(data[c][fam]) for c in cities), default=0)
        for i in range(depth):
            rows.append([title if i == 0 else ""] + [data[c][fam][i] if i < len(data[c][fam]) else "" for c in cities])
    click.echo(table(["", *cities], rows))


def describe_contract_step(b: Any, sep: str = " ") -> str:
    """One step's parameters in a line, as the TOML writes them (``show``,
    ``compare``): operands as written, tables by their number of bands."""
    import attrs  # noqa: PLC0415

    from .models.base import param_fields  # noqa: PLC0415
    from .operands import Operand  # noqa: PLC0415

    parts = []
    for a in param_fields(b.params):
        v = getattr(b.params, a.name)
        if v is None or v == () or v is False or a.name.endswith("interpretation") or a.name == "finding_key":
            continue
        if isinstance(v, tuple) and v and attrs.has(type(v[0])) and not isinstance(v[0], Operand):
            v = f"{len(v)}档"
        elif isinstance(v, tuple):
            v = "[" + ", ".join(str(x) for x in v) + "]"
        elif attrs.has(type(v)) and not isinstance(v, Operand):
            v = getattr(v, "key", type(v).__name__)
        elif isinstance(v, dict):  # ladders, categories: values, or list lengths
            v = "{" + ", ".join(f"{k}: {len(x)}项" if isinstance(x, tuple) else f"{k}={x}" for k, x in v.items()) + "}"
        parts.append(f"{a.name}={v}")
    if b.step.when is not None:
        parts.append(f"when={b.step.when}")
    return (f"[{b.step.reading}] " if b.step.reading else "") + sep.join(parts)


@cli.command("diff")
@click.argument("city")
@click.option("--contract", "contracts", multiple=True, required=True, type=click.Path(dir_okay=False, path_type=Path), help="Give exactly two: the old and the new contract TOML.")
@click.option("--facts", "facts", help="Also compute both on these facts and show every item that changes.")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def diff_cmd(ctx: click.Context, city: str, contracts: tuple[Path, ...], facts: str | None, fmt: str | None) -> None:
    """Show what changes between two versions of a city's contract TOML.

    \b
    Examples:
      yibao diff xinxiang --contract 2025.toml --contract 2025-supplement.toml
      yibao diff xinxiang --contract a.toml --contract b.toml --facts 2025.toml
    """
    from . import api  # noqa: PLC0415
    from .errors import InputError  # noqa: PLC0415
    from .inputs import read_toml  # noqa: PLC0415
    from .render import table  # noqa: PLC0415

    if len(contracts) != 2:
        raise InputError.one("command line", "--contract", f"expected exactly two --contract files, got {len(contracts)}")
    old, new = (_contract(ctx, city, p) for p in contracts)
    a, b = (flatten(read_toml(p)) for p in contracts)
    params = [
        {"key": k, "old": a.get(k), "new": b.get(k)}
        for k in sorted(set(a) | set(b), key=_natural)
        if a.get(k) != b.get(k)
    ]
    items: list[dict[str, Any]] = []
    if facts:
        ra = api.compute(old, _load_facts(old, facts), None, facts)
        rb = api.compute(new, _load_facts(new, facts), None, facts)
        before = {(i.key, i.scope): i for i in ra.items}
        after = {(i.key, i.scope): i for i in rb.items}
        for key in list(dict.fromkeys([*before, *after])):
            x, y = before.get(key), after.get(key)
            xa, ya = (x.amount if x else None), (y.amount if y else None)
            if xa != ya:
                items.append(
                    {
                        "key": key[0],
                        "scope": key[1],
                        "old": None if xa is None else f"{xa:.2f}",
                        "new": None if ya is None else f"{ya:.2f}",
                        "change": f"{(ya or 0) - (xa or 0):.2f}",
                        "clause": (y or x).clause,  # type: ignore[union-attr]
                    }
                )
    if _default_format(fmt) == "json":
        click.echo(json.dumps({"parameters": params, "items": items}, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(table(["参数", "原", "新"], [[str(p["key"]), _show(p["old"]), _show(p["new"])] for p in params]) if params else "参数无变化")
    if facts:
        click.echo("")
        click.echo(
            table(
                ["项目", "范围", "原", "新", "变化", "条款"],
                [[i["key"], i["scope"] or "", i["old"] or "—", i["new"] or "—", i["change"], i["clause"]] for i in items],
                right=(2, 3, 4),
            )
            if items
            else "计算结果无变化"
        )


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A TOML document as ``key.path -> scalar`` (lists indexed)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def _natural(key: str) -> list[Any]:
    import re  # noqa: PLC0415

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key)]


def _show(v: Any) -> str:
    return "—" if v is None else str(v)


def main() -> None:
    cli(prog_name="yibao")


# --------------------------------------------------------------- deadlines and claim logs
DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command("deadline")
@click.argument("city")
@click.argument("key")
@click.option("--from", "start", type=DATE, required=True, help="The day of the event the deadline counts from (YYYY-MM-DD; not itself counted).")
@click.option("--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one.")
@click.option("--calendar", "calendars", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="A TOML file of [[calendar.years]] holiday tables (repeatable).")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def deadline_cmd(ctx: click.Context, city: str, key: str, start: Any, contract_file: Path | None, calendars: tuple[Path, ...], fmt: str | None) -> None:
    """Print the last day of a contract deadline counted from an event.

    KEY is a [[deadlines]] key of the contract (see 'yibao show CITY'), or a
    clause that has exactly one deadline. Days are counted as 民法典
    第二百零一条–第二百零四条 say: the start day is not counted; a deadline in
    days or months whose last day is a rest day moves to the next working
    day; working days follow the official holiday arrangement with its
    make-up working days (docs/deadlines.md).

    \b
    Examples:
      yibao deadline xinxiang manual_reimbursement --from 2025-01-20
      yibao deadline xinxiang 第十七条(一) --from 2025-09-26 --format json
      yibao deadline luoyang some_key --from 2027-03-01 --calendar holidays-2027.toml
    """
    from .calendar import WEEKDAYS_ZH, calendar_for, find_deadline  # noqa: PLC0415

    c = _contract(ctx, city, contract_file)
    d = find_deadline(c, key)
    cal = calendar_for(c, calendars)
    due = cal.due(start.date(), d.count, d.unit)
    years = range(due.start.year, due.due.year + 1)
    data = {
        "contract": c.doc.id,
        "city": c.doc.city,
        "key": d.key,
        "label": d.label,
        "clause": d.clause,
        "count": d.count,
        "unit": d.unit,
        "start_event": d.start,
        "from": due.start.isoformat(),
        "due": due.due.isoformat(),
        "weekday": WEEKDAYS_ZH[due.due.weekday()],
        "rolled_from": due.rolled_from.isoformat() if due.rolled_from else None,
        "formula": due.formula,
        "notes": list(due.notes),
        "calendar": {str(y): cal.source(y) for y in years if cal.covers(y)},
    }
    lines = [
        f"{d.label}（{d.clause}）",
        f"  起算：{d.start} {data['from']}（当日不计入）",
        f"  到期：{data['due']}（{data['weekday']}）",
        f"  计算：{due.formula}",
        *(f"        {n}" for n in due.notes),
        "  日历：" + "；".join(f"{y} {s}" for y, s in data["calendar"].items()),
    ]
    _emit(data, _default_format(fmt), "\n".join(lines))


class _Progress:
    """Progress of a long claims run on stderr: one updating line on a
    terminal, a line per step and per 25% otherwise."""

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


@cli.command("claims")
@click.argument("city")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Per-claim output: OUT.parquet or OUT.csv.")
@click.option("--bad-rows", "bad_rows", type=click.Path(dir_okay=False, path_type=Path), help="Every bad cell as CSV (row,column,value,message). Default with --out: OUT.bad_rows.csv.")
@click.option("--as-of", "as_of", type=DATE, help="The date the log was extracted: open claims past their deadline then count as overdue.")
@click.option("--contract", "contract_file", type=click.Path(dir_okay=False, path_type=Path), help="A contract TOML instead of the bundled one.")
@click.option("--calendar", "calendars", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="A TOML file of [[calendar.years]] holiday tables (repeatable).")
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation for this run.")
@click.option("--memory-limit", default="1GB", show_default=True, help="DuckDB's memory limit; beyond it DuckDB spills to a temporary directory.")
@click.option("--threads", type=click.IntRange(1), help="DuckDB threads (default: one per core).")
@click.option("--progress/--no-progress", default=None, help="Show progress on stderr (default: when stderr is a terminal).")
@click.option("--format", "fmt", type=FORMATS, help="table (default on a terminal) or json.")
@click.pass_context
def claims_cmd(
    ctx: click.Context,
    city: str,
    file: Path,
    out: Path | None,
    bad_rows: Path | None,
    as_of: Any,
    contract_file: Path | None,
    calendars: tuple[Path, ...],
    readings: tuple[str, ...],
    memory_limit: str,
    threads: int | None,
    progress: bool | None,
    fmt: str | None,
) -> None:
    """Process a claim log (CSV or Parquet): per-claim deadline, lateness and
    benefit, and the counts that feed the period's deductions.

    The columns, the deadline of each claim kind and the benefit rule come
    from the contract's [claims] table (docs/claims.md). Bad rows are listed
    with row and column and the rest of the file is processed. Exit 1 when a
    claim is late (or overdue with --as-of) or a row is bad.

    \b
    Examples:
      yibao claims xinxiang claims-2025.csv --out claims-2025.parquet
      yibao claims xinxiang claims-2025.parquet --as-of 2026-01-15 --format json
      yibao claims xinxiang log.csv --reading claims_amount_basis=whole_cost
    """
    from .calendar import calendar_for  # noqa: PLC0415
    from .claims import render_report, run_claims  # noqa: PLC0415

    c = _contract(ctx, city, contract_file, readings)
    cal = calendar_for(c, calendars)
    show = sys.stderr.isatty() if progress is None else progress
    report = run_claims(
        c,
        file,
        cal,
        out=out,
        bad_rows_out=bad_rows,
        as_of=as_of.date() if as_of else None,
        memory_limit=memory_limit,
        threads=threads,
        progress=_Progress() if show else None,
    )
    fmt = _default_format(fmt)
    if report.bad_rows:
        for b in report.bad:
            click.echo(f"bad row: {b}", err=True)
        more = report.bad_rows - len({b.row for b in report.bad})
        where = f"all listed in {report.bad_rows_file}" if report.bad_rows_file else "pass --bad-rows FILE to list all"
        click.echo(f"{report.bad_rows} bad row(s) not processed{f' ({more} more not shown)' if more > 0 else ''}; {where}", err=True)
    _emit(report.to_dict(), fmt, render_report(report))
    ctx.exit(1 if report.has_violations else 0)
