"""``yibao readings``: what each ambiguity of a contract is worth on a period's facts."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ._common import contract_option, emit, facts_source, format_option, load_contract, load_facts


@click.command("readings")
@click.argument("city")
@click.option("--facts", "facts", help="Facts TOML ('-' reads stdin). Default: the bundled example.")
@contract_option
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation for the default too.")
@format_option
@click.pass_context
def cmd(ctx: click.Context, city: str, facts: str | None, contract_file: Path | None, readings: tuple[str, ...], fmt: str | None) -> None:
    """Compute every alternative reading of every interpretation and show
    the change of each money item against the default reading.

    The readings that move money are the ones worth settling in a
    supplementary agreement. For expected values over drawn scenarios, use
    'yibao simulate CITY --readings all'.

    \b
    Examples:
      yibao readings xinxiang
      yibao readings huaiyang --facts 2026.toml --format json
      yibao readings xinxiang --facts 2025.toml --reading tier_rate_scope=marginal
    """
    c = load_contract(ctx, city, contract_file, readings)
    file = facts or str(api.example_facts(c))
    loaded = load_facts(c, file)
    from ..i18n import tr_message  # noqa: PLC0415 - the messages of a reading not computed

    doc = api.readings(c, loaded, None if file == "-" else file, tr_message)
    doc["inputs"] = {"facts": facts_source(file, bundled=facts is None)}

    def text() -> str:
        from ..readings import render_readings  # noqa: PLC0415

        return render_readings(doc)

    emit(doc, fmt, text)
