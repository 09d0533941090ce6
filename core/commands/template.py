"""``yibao template``: a facts workbook (or TOML) for a city, to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..errors import InputError
from . import _common as _c
from ._common import contract_option, load_contract


@click.command("template")
@click.argument("city", shell_complete=_c.complete_cities)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="facts.xlsx (a workbook for Excel/WPS) or facts.toml.")
@click.option("--example", is_flag=True, help="Fill it with the bundled example's facts.")
@contract_option
@click.pass_context
def cmd(ctx: click.Context, city: str, out: Path, example: bool, contract_file: Path | None) -> None:
    """Write a facts template to fill in: a workbook for Excel/WPS, or TOML.

    The workbook has one sheet per table with Chinese headers (the key and
    clause in each header's note), drop-downs for yes/no and checks for
    counts, scores and rates. Fill it and pass it to compute, validate or
    statement as --facts. See docs/excel.md.

    \b
    Examples:
      yibao template xinxiang --out 2025.xlsx
      yibao template xinxiang --out 2025.xlsx --example
      yibao template luoyang --out 2026Q1.toml --example
    """
    c = load_contract(ctx, city, contract_file)
    data = None
    suffix = out.suffix.lower()
    if example:
        from ..inputs import read_toml  # noqa: PLC0415

        source = api.example_facts(c)
        data = read_toml(source)
        if data.get("roster"):
            data["roster"] = _copy_roster(source.parent / data["roster"], out, suffix)
    if suffix == ".xlsx":
        from ..excel import write_template  # noqa: PLC0415 - openpyxl only here

        write_template(out, c.spec.facts_class, c.spec.description or c.name, data)
    elif suffix == ".toml":
        from ..excel import atomic, template_toml  # noqa: PLC0415

        with atomic(out) as tmp:
            tmp.write_text(template_toml(c.spec.facts_class, data), encoding="utf-8")
    else:
        raise InputError.one("command line", "--out", f"expected a .xlsx or .toml file name, got {out.name!r}")
    click.echo(f"wrote {out}", err=True)


def _copy_roster(src: Path, out: Path, suffix: str) -> str:
    """The example's roster next to ``out`` (a workbook beside a workbook,
    CSV beside TOML); its name, relative to ``out``, for the facts key."""
    if suffix == ".xlsx":
        import csv  # noqa: PLC0415

        from ..excel import write_roster  # noqa: PLC0415

        with src.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = list(reader.fieldnames or [])
        target = out.with_name(f"{out.stem}.roster.xlsx")
        write_roster(target, rows, header)
    else:
        from ..excel import atomic  # noqa: PLC0415

        target = out.with_name(f"{out.stem}.roster.csv")
        with atomic(target) as tmp:
            tmp.write_bytes(src.read_bytes())
    click.echo(f"wrote {target}", err=True)
    return target.name
