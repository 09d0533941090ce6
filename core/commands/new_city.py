"""``yibao new-city``: scaffold an installable plugin distribution."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..describe import dump_schema
from ..errors import InputError
from ..registry import make_registry
from ..scaffold import check_name, scaffold
from ._common import registry


@click.command("new-city")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Where to create yibao-NAME/.")
@click.option("--from", "source", metavar="CITY", help="Start from a bundled city's contract TOML and facts class.")
@click.pass_context
def cmd(ctx: click.Context, name: str, directory: Path, source: str | None) -> None:
    """Scaffold an installable plugin distribution for a new city.

    \b
    Examples:
      yibao new-city zhengzhou --dir ~/src
      yibao new-city kaifeng --from xinxiang
      pip install -e ./yibao-kaifeng && yibao compute kaifeng
      yibao --plugins-dir ./yibao-kaifeng compute kaifeng   # without installing
    """
    check_name(name)
    reg = registry(ctx)
    if name in reg.contracts:
        raise InputError.one("command line", "NAME", f"a contract named {name!r} already exists")
    spec = api.get_spec(source, reg) if source else None
    if not directory.is_dir():
        raise InputError.one(str(directory), "--dir", "no such directory")

    def schemas(tree: Path) -> None:  # written into the tree before it is renamed into place
        fresh = make_registry(load_entrypoints=False, plugins_dirs=[tree])
        for schema, file in ((api.contract_schema, "contract.schema.json"), (api.facts_schema, "facts.schema.json")):
            (tree / "schemas" / file).write_text(dump_schema(schema(name, fresh)), encoding="utf-8")

    root = scaffold(name, directory, spec, schemas)
    click.echo(f"created {root}")
    click.echo(f"  try:   yibao --plugins-dir {root} compute {name}")
    click.echo(f"  test:  PYTHONPATH={root} python -m pytest {root / 'tests'}")
    click.echo(f"  install: pip install -e {root}")
