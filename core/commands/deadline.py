"""``yibao deadline``: the last day of a contract deadline, counted as the
civil code counts it, on the official working-day calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import api
from . import _common as _c
from ._common import DATE, contract_option, emit, format_option, load_contract


@click.command("deadline")
@click.argument("city", shell_complete=_c.complete_cities)
@click.argument("key", shell_complete=_c.complete_deadline_keys)
@click.option("--from", "start", type=DATE, required=True, help="The day of the event the deadline counts from (YYYY-MM-DD; not itself counted).")
@contract_option
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation, as compute does (a deadline may depend on one; see 'yibao show CITY').")
@click.option("--calendar", "calendars", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="A TOML file of [[calendar.years]] holiday tables (repeatable).")
@format_option
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    key: str,
    start: Any,
    contract_file: Path | None,
    readings: tuple[str, ...],
    calendars: tuple[Path, ...],
    fmt: str | None,
) -> None:
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
      yibao deadline xianyang advance_first_month --from 2025-12-29 --reading first_month=within_one_month
      yibao deadline xianyang annual_settlement --from 2026-12-31 --calendar holidays-2027.toml
    """
    c = load_contract(ctx, city, contract_file, readings)
    data = api.deadline(c, key, start.date(), calendars)
    lines = [
        f"{data['label']}（{data['clause']}）",
        f"  起算：{data['start_event']} {data['from']}（当日不计入）",
        f"  到期：{data['due']}（{data['weekday']}）",
        f"  计算：{data['formula']}",
        *(f"        {n}" for n in data["notes"]),
        "  日历：" + "；".join(f"{y} {s}" for y, s in data["calendar"].items()),
        *([f"  解释：{data['reading']}"] if data["reading"] else []),
    ]
    emit(data, fmt, lambda: "\n".join(lines))
