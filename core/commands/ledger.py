"""``yibao ledger``: the settlement ledger — list, show, verify, export,
facts, pay, balance (docs/ledger.md). Every subcommand is a thin layer over
the ledger functions of :mod:`yibao.api`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from .. import api
from . import _common as _c
from ._common import DATE, emit, format_option, load_contract

#: ``--ledger`` for every subcommand
ledger_option = click.option(
    "--ledger",
    "ledger_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="YIBAO_LEDGER",
    help="The ledger file (default: $YIBAO_LEDGER, else ledger.sqlite in the user data directory).",
)


def _table(headers: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> str:
    from ..render import table  # noqa: PLC0415 - only for a table

    return table(headers, rows, right)


def _s(v: Any) -> str:
    return "" if v is None else str(v)


@click.group("ledger")
def cmd() -> None:
    """The settlement ledger: recorded settlements and payments, tamper-evident.

    One SQLite file (--ledger FILE, or $YIBAO_LEDGER, else ledger.sqlite in
    the user data directory). 'yibao compute CITY --record' appends a
    settlement; entries are never changed: recording a period again is a
    correction that supersedes the earlier entry and needs --reason. Every
    entry carries the hash of the one before it, so 'verify' names an
    edited or deleted entry.

    \b
    Examples:
      yibao compute xinxiang --record --ledger ledger.db
      yibao ledger list --ledger ledger.db
      yibao ledger verify --ledger ledger.db --recompute
      yibao ledger pay xinxiang 2025 19000000 --on 2025-12-20 --ref 记-2025-118 --ledger ledger.db
      yibao ledger balance xinxiang --ledger ledger.db
    """


@cmd.command("list")
@click.argument("city", required=False, shell_complete=_c.complete_cities)
@click.option("--period", help="Only this period (e.g. 2025, 2026Q1).")
@ledger_option
@format_option
def list_cmd(city: str | None, period: str | None, ledger_file: Path | None, fmt: str | None) -> None:
    """List entries: settlements (current or superseded) and payments.

    \b
    Examples:
      yibao ledger list
      yibao ledger list xinxiang --period 2025 --format json
    """
    rows = api.ledger_entries(ledger_file, city, period)
    emit(
        rows,
        fmt,
        lambda: _table(
            ["id", "city", "period", "kind", "status", "amount", "recorded_at", "by", "reason"],
            [
                [str(r["id"]), r["city"], r["period"], r["kind"], r["status"], _s(r["amount"]), r["recorded_at"], r["recorded_by"], _s(r["reason"])]
                for r in rows
            ],
            (5,),
        )
        if rows
        else "(no entries)",
    )


@cmd.command("show")
@click.argument("entry_id", metavar="ID", type=int)
@ledger_option
@format_option
def show_cmd(entry_id: int, ledger_file: Path | None, fmt: str | None) -> None:
    """Show one entry in full: inputs' hashes, versions, readings, facts, result.

    \b
    Examples:
      yibao ledger show 1
      yibao ledger show 1 --format json
    """
    e = api.ledger_entry(entry_id, ledger_file)
    emit(e.to_dict(), fmt, lambda: _show_text(e))


def _show_text(e: Any) -> str:
    d = e.data
    lines = [
        f"entry {e.id}: {e.kind} {e.contract} ({e.city}) {e.period}",
        f"  recorded   {e.recorded_at} by {e.recorded_by}",
    ]
    if e.reason:
        lines.append(f"  reason     {e.reason}")
    if e.supersedes:
        lines.append(f"  supersedes entry {e.supersedes}")
    if e.kind == "payment":
        lines += [f"  amount     {d['amount']}", f"  paid on    {d['paid_on']}", f"  ref        {d['ref']}"]
    else:
        roster = d.get("roster")
        lines += [
            f"  contract   sha256 {d['contract_sha256']}",
            f"  versions   yibao {d['yibao_version']}, plugin {d['plugin']} {d['plugin_version']}",
            "  readings   " + (", ".join(f"{k}={v}" for k, v in d["readings"].items()) or "none"),
            f"  facts      sha256 {d['facts_sha256']} ({_s(d.get('facts_file'))})",
            f"  roster     sha256 {roster['sha256']}, {roster['rows']} rows (content not stored)" if roster else "  roster     none",
        ]
        from ..ledger.entries import result_from_dict  # noqa: PLC0415
        from ..render import render_result  # noqa: PLC0415

        lines += ["", render_result(result_from_dict(d["result"]))]
    lines += ["", f"  prev hash  {e.prev_hash}", f"  hash       {e.hash}"]
    return "\n".join(lines)


@cmd.command("verify")
@click.option("--recompute", is_flag=True, help="Also run every current settlement again from its stored inputs and list each figure that differs.")
@ledger_option
@format_option
@click.pass_context
def verify_cmd(ctx: click.Context, recompute: bool, ledger_file: Path | None, fmt: str | None) -> None:
    """Check the hash chain (exit 1 naming an edited or deleted entry).

    With --recompute, every current settlement is computed again from its
    stored contract text, readings and facts (the roster is not stored, so
    staffing findings are not compared): each figure that differs is listed
    and the exit code is 1.

    \b
    Examples:
      yibao ledger verify
      yibao ledger verify --recompute --format json
    """
    v = api.verify_ledger(ledger_file, recompute)
    emit(v.to_dict(), fmt, lambda: _verify_text(v, recompute))
    ctx.exit(0 if v.ok else 1)


def _verify_text(v: Any, recompute: bool) -> str:
    lines = []
    for p in v.problems:
        where = f"entry {p['entry']}: " if p["entry"] is not None else ""
        lines.append(f"BROKEN  {where}{p['problem']}")
    for w in v.warnings:
        lines.append(f"warning {w}")
    for d in v.differences:
        if "problem" in d:
            lines.append(f"DIFFERS entry {d['entry']} {d['contract']} {d['period']}: {d['problem']}")
        else:
            scope = f" [{d['scope']}]" if d["scope"] else ""
            lines.append(f"DIFFERS entry {d['entry']} {d['contract']} {d['period']} {d['key']}{scope}: recorded {_s(d['recorded']) or '—'}, now {_s(d['recomputed']) or '—'}")
    if v.ok:
        lines.append(f"ok: {v.entries} entries, chain intact" + ("; every current settlement recomputes to the same figures" if recompute else ""))
    if not v.problems:
        lines.append(f"head {v.head}")
    return "\n".join(lines)


@cmd.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "parquet"]), required=True, help="json: the entries in full; csv, parquet: one row per entry.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write (atomically).")
@ledger_option
def export_cmd(fmt: str, out: Path, ledger_file: Path | None) -> None:
    """Write every entry to a file: json, csv or parquet.

    \b
    Examples:
      yibao ledger export --format csv --out ledger.csv
      yibao ledger export --format parquet --out ledger.parquet
    """
    n = api.export_ledger(out, fmt, ledger_file)
    click.echo(f"{n} entries written to {out}", err=True)


@cmd.command("facts")
@click.argument("entry_id", metavar="ID", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The TOML file to write (atomically).")
@ledger_option
@format_option
def facts_cmd(entry_id: int, out: Path, ledger_file: Path | None, fmt: str | None) -> None:
    """Write an entry's stored facts back as a TOML file that recomputes it.

    The roster is not stored (personal data): the file's header names its
    hash and row count; give it again with --roster.

    \b
    Examples:
      yibao ledger facts 3 --out 2025-as-recorded.toml
      yibao compute xinxiang --facts 2025-as-recorded.toml
    """
    from ..files import write_text  # noqa: PLC0415

    text = api.entry_facts_toml(entry_id, ledger_file)
    write_text(out, text, "--out", [("the ledger itself", api.ledger_path(ledger_file))])
    emit({"entry": entry_id, "out": str(out)}, fmt, lambda: f"entry {entry_id}: facts written to {out}")


@cmd.command("pay")
@click.argument("city", shell_complete=_c.complete_cities)
@click.argument("period")
@click.argument("amount")
@click.option("--on", "on", type=DATE, required=True, help="The day the money was transferred (YYYY-MM-DD).")
@click.option("--ref", required=True, help="The voucher reference (凭证号).")
@click.option("--by", help="Who records it (default: $YIBAO_USER, else the login name).")
@click.option("--note", help="A note kept with the payment.")
@ledger_option
@format_option
@click.pass_context
def pay_cmd(ctx: click.Context, city: str, period: str, amount: str, on: Any, ref: str, by: str | None, note: str | None, ledger_file: Path | None, fmt: str | None) -> None:
    """Record money actually transferred for a period (negative: a refund).

    AMOUNT is in 元 ("19000000", "1443555.36", "1900万"); a refund by the
    insurer is negative (put '--' before it: yibao ledger pay ... -- -29629.20).

    \b
    Examples:
      yibao ledger pay xinxiang 2025 19000000 --on 2025-12-20 --ref 记-2025-118
      yibao ledger pay luoyang 2026Q1 1443555.36 --on 2026-04-15 --ref 付-0415-02
    """
    c = load_contract(ctx, city, None)
    e = api.record_payment(c, period, amount, on.date(), ref, ledger=ledger_file, by=by, note=note)
    emit(e.to_dict(), fmt, lambda: f"recorded: entry {e.id} payment {e.amount} for {e.contract} {e.period} on {on.date()} ({ref})")


@cmd.command("balance")
@click.argument("city", shell_complete=_c.complete_cities)
@click.option("--as-of", "as_of", type=DATE, help="The day overdue is judged on (default: today).")
@ledger_option
@format_option
@click.pass_context
def balance_cmd(ctx: click.Context, city: str, as_of: Any, ledger_file: Path | None, fmt: str | None) -> None:
    """Per period: due, paid, outstanding, payment deadline, overdue.

    Due is the sum of the contract's [[payable]] items in the period's
    current recorded settlement; the deadline is the contract's, in working
    days where it sets one (counted on the official calendar).

    \b
    Examples:
      yibao ledger balance xinxiang
      yibao ledger balance xianyang --as-of 2026-03-01 --format json
    """
    c = load_contract(ctx, city, None)
    day = as_of.date() if as_of else dt.date.today()
    rows = api.balance(c, ledger_file, day)
    data = {"contract": c.doc.id, "city": c.name, "as_of": day.isoformat(), "periods": rows}
    emit(data, fmt, lambda: _balance_text(data))


def _balance_text(data: dict[str, Any]) -> str:
    rows = data["periods"]
    if not rows:
        return f"{data['contract']}: nothing recorded"
    body = [
        [
            r["period"],
            _s(r["entry"]),
            r["due"] if r["due"] is not None else "（未记录）",
            r["paid"],
            _s(r["outstanding"]),
            _s(r["deadline"]) or "—",
            "逾期" if r["overdue"] else "",
        ]
        for r in rows
    ]
    lines = [
        f"{data['contract']}  截至 {data['as_of']}",
        _table(["期间", "记录", "应付", "已付", "未付", "付款期限", ""], body, (2, 3, 4)),
    ]
    for r in rows:
        for p in r["parts"]:
            extra = f"；{p['deadline_rule']}" if p["deadline_rule"] else ""
            lines.append(f"  {r['period']} {p['label']} {p['amount']}（{p['clause']}）{extra}")
    return "\n".join(lines)
