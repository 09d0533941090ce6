"""``yibao schema``: the JSON Schemas of a city's contract TOML and facts."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..describe import dump_schema
from ..errors import InputError
from ..output import OUTPUT_SCHEMAS
from . import _common as _c
from ._common import registry


@click.command("schema")
@click.argument("city", required=False, shell_complete=_c.complete_cities)
@click.option("--facts", "for_facts", is_flag=True, help="The facts schema instead of the contract schema.")
@click.option("--write", "write_dir", type=click.Path(file_okay=False, path_type=Path), help="Write every city's two schemas into this directory (with a CITY: that city's only).")
@click.pass_context
def cmd(ctx: click.Context, city: str | None, for_facts: bool, write_dir: Path | None) -> None:
    """Print the JSON Schema of a city's contract TOML (or, with --facts, its facts).

    --write also writes the schemas of yibao's own JSON output:
    output.compute.schema.json (the compute envelope) and
    output.error.schema.json (an input error with --format json).

    With a CITY, --write writes that city's two schemas only, as
    contract.schema.json and facts.schema.json: the layout of a plugin
    distribution made by 'yibao new-city', whose #:schema lines point at them.

    \b
    Examples:
      yibao schema xinxiang --facts > xinxiang.facts.schema.json
      yibao schema --write schemas/        # regenerate the committed schemas
      yibao --plugins-dir . schema kaifeng --write schemas/   # in a plugin
    """
    reg = registry(ctx)
    if write_dir is not None:
        from ..files import write_text  # noqa: PLC0415 - atomic: a reader never sees half a schema

        try:
            write_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError.one(str(write_dir), "--write", f"cannot create the directory: {exc.strerror or type(exc).__name__}") from None
        if city is not None:  # one plugin distribution's schemas (the names new-city gives them)
            for schema, file in ((api.contract_schema, "contract.schema.json"), (api.facts_schema, "facts.schema.json")):
                path = write_dir / file
                write_text(path, dump_schema(schema(city, reg)), "--write")
                click.echo(f"wrote {path}")
            return
        for name in sorted(reg.contracts):
            for schema, suffix in ((api.contract_schema, "contract"), (api.facts_schema, "facts")):
                path = write_dir / f"{name}.{suffix}.schema.json"
                write_text(path, dump_schema(schema(name, reg)), "--write")
                click.echo(f"wrote {path}")
        for file, build in OUTPUT_SCHEMAS.items():  # what yibao prints: the compute envelope, the error document
            path = write_dir / file
            write_text(path, dump_schema(build()), "--write")
            click.echo(f"wrote {path}")
        return
    if city is None:
        raise click.UsageError("give a CITY, or --write DIR")
    schema = api.facts_schema if for_facts else api.contract_schema
    click.echo(dump_schema(schema(city, reg)), nl=False)
