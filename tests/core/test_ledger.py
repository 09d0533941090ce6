"""The settlement ledger (issue 14): recording, the hash chain, corrections,
payments and the balance, export, the schema fixture, real concurrency and a
real kill, and the walkthrough of docs/ledger.md run command by command."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from yibao import api
from yibao.errors import InputError
from yibao.ledger import SCHEMA_VERSION, Store
from yibao.ledger.entries import canonical, from_json

from .guides import guide_blocks
from .imports import imported_by

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "core" / "data" / "ledger-v1.sqlite"


def _tamper(path: Path, sql: str) -> None:
    """What someone with the sqlite3 shell does (Python's sqlite3: the CLI may be absent)."""
    con = sqlite3.connect(path)
    con.executescript(sql)
    con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


def _record_example(contract: Any, city: str, db: Path, **kw: Any) -> Any:
    c = contract(city)
    file = api.example_facts(c)
    facts = api.load_facts(c, file)
    roster = api.roster_path(facts, file)
    result = api.compute(c, facts, api.load_roster(roster, c) if roster else None, str(file))
    return api.record(c, facts, result, ledger=db, facts_file=str(file), roster_file=roster, **kw)


# ------------------------------------------------------------------ canonical JSON
def test_canonical_json_is_sorted_compact_and_exact() -> None:
    text = canonical({"b": Decimal("0.10"), "a": [1, "新乡", dt.date(2025, 1, 2)], "c": None})
    assert text == '{"a":[1,"新乡","2025-01-02"],"b":0.10,"c":null}'
    assert from_json(text)["b"] == Decimal("0.10")
    with pytest.raises(TypeError):
        canonical({"x": 0.1})


# ------------------------------------------------------------------ recording
def test_record_keeps_hashes_versions_readings_and_no_roster_content(contract: Any, db: Path) -> None:
    e = _record_example(contract, "xinxiang", db, by="张三")
    d = e.data
    c = contract("xinxiang")
    import hashlib

    assert d["contract_sha256"] == hashlib.sha256(Path(c.path).read_bytes()).hexdigest()
    assert d["facts_sha256"] == hashlib.sha256(canonical(d["facts"]).encode()).hexdigest()
    assert d["readings"]["tier_rate_scope"] == "all_points"
    assert d["yibao_version"] and d["plugin"] == "xinxiang"
    roster = ROOT / "plugins" / "xinxiang" / "examples" / "roster.csv"
    rows = roster.read_text(encoding="utf-8").strip().splitlines()
    assert d["roster"] == {"sha256": hashlib.sha256(roster.read_bytes()).hexdigest(), "rows": len(rows) - 1}
    assert e.recorded_by == "张三" and e.prev_hash == "0" * 64 and e.id == 1
    # no personal data: no roster name or ID column value anywhere in the file
    names = [r.split(",")[1] for r in rows[1:]]
    raw = db.read_bytes() + (db.with_name(db.name + "-wal").read_bytes() if db.with_name(db.name + "-wal").exists() else b"")
    assert not [n for n in names if n and n.encode() in raw]
    assert d["result"]["items"] == api.compute(c, api.load_facts(c, api.example_facts(c))).to_dict()["items"]


def test_a_correction_needs_a_reason_and_supersedes(contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    with pytest.raises(InputError, match="needs --reason"):
        _record_example(contract, "xinxiang", db)
    e = _record_example(contract, "xinxiang", db, reason="参保人数复核")
    assert (e.id, e.supersedes, e.reason) == (2, 1, "参保人数复核")
    rows = api.ledger_entries(db)
    assert [r["status"] for r in rows] == ["superseded by 2", "current"]
    # another period of another contract is no correction
    assert _record_example(contract, "luoyang", db).supersedes is None


def test_cli_record_correct_and_list(run: Any, db: Path) -> None:
    env = {"YIBAO_LEDGER": str(db)}
    first = run("compute", "xinxiang", "--record", "--by", "a", "--format", "json", env=env)
    assert first.code == 0 and "recorded: entry 1" in first.err and first.json["city"] == "xinxiang"
    again = run("compute", "xinxiang", "--record", "--format", "json", env=env)
    assert again.code == 2 and "--reason" in again.err
    # with --format json the input error is a JSON document, and no result is printed
    assert again.json["error"] == "input" and [p["path"] for p in again.json["problems"]] == ["--reason"]
    fixed = run("compute", "xinxiang", "--record", "--reason", "更正", "--format", "json", env=env)
    assert fixed.code == 0 and "supersedes entry 1" in fixed.err
    assert run("compute", "xinxiang", "--reason", "x", env=env).code == 2  # --reason only with --record
    listed = run("ledger", "list", "xinxiang", "--period", "2025", "--format", "json", env=env).json
    assert [(r["id"], r["status"]) for r in listed] == [(1, "superseded by 2"), (2, "current")]
    shown = run("ledger", "show", "2", "--format", "json", "--ledger", str(db))
    assert shown.code == 0 and shown.json["supersedes"] == 1
    assert "entry 2" in run("ledger", "show", "2", "--format", "table", env=env).out
    assert run("ledger", "show", "9", env=env).code == 2


def test_a_series_is_recorded_in_one_transaction(run: Any, db: Path) -> None:
    ex = ROOT / "plugins" / "huaiyang" / "examples"
    args = ["compute", "huaiyang", "--facts", str(ex / "2025.toml"), "--facts", str(ex / "2026.toml"), "--record", "--ledger", str(db), "--format", "json"]
    assert run(*args).code == 0
    assert [r["period"] for r in api.ledger_entries(db)] == ["2025", "2026"]
    # the series again without a reason: refused as a whole, nothing written
    assert run(*args).code == 2
    assert len(api.ledger_entries(db)) == 2
    # its stored facts carry the carried surplus: 2026 recomputes alone
    assert api.verify_ledger(db, recompute=True).ok


def test_compute_without_record_never_imports_the_ledger() -> None:
    code, modules, _ = imported_by("compute", "xinxiang", "--format", "json")
    assert code == 0 and not {m for m in modules if m.startswith("yibao.ledger")}


# ------------------------------------------------------------------ verify
def test_verify_names_an_edited_entry(contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    _record_example(contract, "luoyang", db)
    assert api.verify_ledger(db).ok
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        _tamper(db, "UPDATE entries SET recorded_by = 'x' WHERE id = 1")
    _tamper(db, "DROP TRIGGER entries_no_update; UPDATE entries SET body = replace(body, '17900000', '17000000') WHERE id = 1")
    v = api.verify_ledger(db)
    assert not v.ok and v.problems[0]["entry"] == 1 and "edited" in v.problems[0]["problem"]
    assert any("entries_no_update" in w for w in v.warnings)


def test_verify_names_an_edited_and_rehashed_entry(contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    _record_example(contract, "luoyang", db)
    with Store(db) as s:
        e = attrs.evolve(s.entry(1), recorded_by="someone else").sealed()
    _tamper(db, f"DROP TRIGGER entries_no_update; UPDATE entries SET recorded_by = 'someone else', hash = '{e.hash}' WHERE id = 1")
    v = api.verify_ledger(db)
    assert v.problems[0]["entry"] == 1 and "re-hashed" in v.problems[0]["problem"]


def test_verify_names_a_deleted_entry_middle_and_last(contract: Any, db: Path, tmp_path: Path) -> None:
    for city in ("xinxiang", "luoyang", "huaian"):
        _record_example(contract, city, db)
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    _tamper(db, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id = 2")
    v = api.verify_ledger(db)
    assert v.problems[0]["entry"] == 2 and "deleted" in v.problems[0]["problem"]
    _tamper(copy, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE id = 3")
    v = api.verify_ledger(copy)
    assert v.problems[0]["entry"] == 3 and "deleted" in v.problems[0]["problem"]


def test_cli_verify_exits_1_naming_the_entry(run: Any, contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    ok = run("ledger", "verify", "--ledger", str(db), "--format", "table")
    assert ok.code == 0 and "chain intact" in ok.out
    _tamper(db, "DROP TRIGGER entries_no_update; UPDATE entries SET reason = 'x' WHERE id = 1")
    bad = run("ledger", "verify", "--ledger", str(db), "--format", "json")
    assert bad.code == 1 and bad.json["problems"][0]["entry"] == 1


def test_recompute_reports_each_figure_that_differs(contract: Any, db: Path, run: Any) -> None:
    """A result recorded by an 'older version' (here: a result whose
    profit_deduction differs from what the code computes now) is caught."""
    c = contract("xinxiang")
    facts = api.load_facts(c, api.example_facts(c))
    result = api.compute(c, facts)
    old = result.item("profit_deduction", "市本级")
    changed = attrs.evolve(result, items=tuple(attrs.evolve(i, amount=Decimal("1.00")) if i is old else i for i in result.items))
    api.record(c, facts, changed, ledger=db)
    v = api.verify_ledger(db, recompute=True)
    assert not v.ok and not v.problems
    assert v.differences == (
        {"entry": 1, "contract": "xinxiang-2025", "period": "2025", "key": "profit_deduction", "scope": "市本级", "recorded": "1.00", "recomputed": str(old.amount)},
    )
    out = run("ledger", "verify", "--recompute", "--ledger", str(db), "--format", "table")
    assert out.code == 1 and "profit_deduction" in out.out


def test_recompute_uses_the_recorded_readings(contract: Any, db: Path) -> None:
    c = contract("xinxiang").with_choices({"tier_rate_scope": "marginal"})
    facts = api.load_facts(c, api.example_facts(c))
    api.record(c, facts, api.compute(c, facts), ledger=db)
    assert api.verify_ledger(db, recompute=True).ok


# ------------------------------------------------------------------ facts back out
@pytest.mark.parametrize("city", ["xinxiang", "luoyang", "huaiyang", "xianyang", "huaian"])
def test_stored_facts_written_back_recompute_the_same_figures(run: Any, contract: Any, db: Path, tmp_path: Path, city: str) -> None:
    e = _record_example(contract, city, db)
    out = tmp_path / "back.toml"
    assert run("ledger", "facts", str(e.id), "--out", str(out), "--ledger", str(db), "--format", "json").code == 0
    again = run("compute", city, "--facts", str(out), "--format", "json")
    assert again.code in (0, 1)
    assert [(i["key"], i["scope"], i["amount"]) for i in again.json["items"]] == [
        (i["key"], i["scope"], i["amount"]) for i in e.data["result"]["items"]
    ]


# ------------------------------------------------------------------ payments and balance
def test_pay_and_balance_xinxiang(run: Any, contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    led = ["--ledger", str(db)]
    assert run("ledger", "pay", "xinxiang", "2025", "1500万", "--on", "2025-12-20", "--ref", "记-118", *led).code == 0
    assert run("ledger", "pay", "xinxiang", "2025", "0", "--on", "2025-12-20", "--ref", "x", *led).code == 2
    assert run("ledger", "pay", "xinxiang", "2025", "1.005", "--on", "2025-12-20", "--ref", "x", *led).code == 2
    assert run("ledger", "pay", "xinxiang", "2031", "1", "--on", "2025-12-20", "--ref", "x", *led).code == 2  # outside the term
    b = run("ledger", "balance", "xinxiang", "--as-of", "2026-01-31", "--format", "json", *led).json
    (row,) = b["periods"]
    # 第十九条: 筹集总额 = 100000 人 × 190 元 = 19,000,000 元 (worked by hand)
    assert (row["due"], row["paid"], row["outstanding"], row["deadline"], row["overdue"]) == ("19000000.00", "15000000.00", "4000000.00", None, False)
    assert api.paid(db, "xinxiang", "2025") == Decimal("15000000.00")
    assert api.paid(db, "xinxiang-2025", "2024") is None


def test_balance_xianyang_deadline_in_working_days(contract: Any, db: Path) -> None:
    """第五条: 54.78万 within 30 working days of the signing (2025-12-29).
    Counted by hand on the 2026 arrangement (国办发明电〔2025〕…: 元旦 1月1–3日
    放假, 1月4日(日)上班; 春节 2月15–23日放假, 2月14日(六)上班): 12-30, 12-31,
    01-04, then 5 a week from 01-05 → the 30th working day is 2026-02-10."""
    c = contract("xianyang")
    _record_example(contract, "xianyang", db)
    initial = Decimal("300000") + Decimal("826000") * Decimal("0.30")  # 第五条: 30万 + 82.6万 × 30% = 547,800
    rows = api.balance(c, db, dt.date(2026, 2, 10))
    (row,) = rows
    parts = {p["item"]: p for p in row["parts"]}
    assert Decimal(parts["op_cost_initial"]["amount"]) == initial
    assert parts["op_cost_initial"]["deadline"] == "2026-02-10" and parts["net_settlement"]["deadline"] is None
    assert row["deadline"] == "2026-02-10" and row["overdue"] is False  # the last day itself is in time
    assert api.balance(c, db, dt.date(2026, 2, 11))[0]["overdue"] is True  # the next day is late
    api.record_payment(c, "2026", initial - Decimal("0.01"), dt.date(2026, 2, 9), "付-1", ledger=db)
    assert api.balance(c, db, dt.date(2026, 2, 11))[0]["overdue"] is True  # 1 分 short
    api.record_payment(c, "2026", "0.01", dt.date(2026, 2, 10), "付-2", ledger=db)
    after = api.balance(c, db, dt.date(2026, 2, 11))[0]
    assert after["overdue"] is False and after["deadline"] is None
    # 第七条2 年底清算: op_cost_final 578,200 − 12,500 = 565,700.00, less the surplus returned
    # (capped at 14,160,000.00) and the fund clawed back (8,640.50): −13,602,940.50, the insurer returns it
    assert Decimal(parts["net_settlement"]["amount"]) == Decimal("-13602940.50")
    assert Decimal(after["outstanding"]) == Decimal("-13602940.50")


def test_balance_luoyang_quarter_and_year_items(contract: Any, db: Path) -> None:
    c = contract("luoyang")
    _record_example(contract, "luoyang", db)  # 2026Q1
    year = api.load_facts(c, ROOT / "plugins" / "luoyang" / "examples" / "2026.toml")
    api.record(c, year, api.compute(c, year), ledger=db)
    api.record_payment(c, "2026Q1", "1443555.36", dt.date(2026, 4, 15), "付-0415", ledger=db)
    rows = {r["period"]: r for r in api.balance(c, db, dt.date(2026, 5, 1))}
    # the quarter's net (quarter_payable − quarter_paid; the example states no quarter_paid: 0.00)
    assert [p["item"] for p in rows["2026Q1"]["parts"]] == ["quarter_net"]
    assert [p["item"] for p in rows["2026"]["parts"]] == ["true_up"]
    # 第三条(三)(四)(五): 5,012,345 × 1.2 ÷ 4 = 1,503,703.50; 89.3% < 90% → 2% = 30,074.07;
    # one 第五条(二) breach → 2% = 30,074.07; payable 1,443,555.36 — paid in full
    assert rows["2026Q1"]["outstanding"] == "0.00"
    assert list(rows) == ["2026Q1", "2026"]


def test_recorded_result_is_the_current_correction(contract: Any, db: Path) -> None:
    c = contract("xinxiang")
    assert api.recorded_result(db, c, "2025") is None
    _record_example(contract, "xinxiang", db)
    m = c.with_choices({"tier_rate_scope": "marginal"})
    facts = api.load_facts(m, api.example_facts(m))
    want = api.compute(m, facts)
    api.record(m, facts, want, ledger=db, reason="累进")
    got = api.recorded_result(db, "xinxiang", "2025")
    assert got is not None and got.items == want.items and got.findings == want.findings


# ------------------------------------------------------------------ export
def test_export_json_csv_parquet(run: Any, contract: Any, db: Path, tmp_path: Path) -> None:
    _record_example(contract, "xinxiang", db)
    api.record_payment(contract("xinxiang"), "2025", "100.10", dt.date(2025, 12, 1), "r", ledger=db)
    for fmt in ("json", "csv", "parquet"):
        out = tmp_path / f"x.{fmt}"
        assert run("ledger", "export", "--format", fmt, "--out", str(out), "--ledger", str(db)).code == 0
        assert out.exists() and not list(tmp_path.glob(".x.*.tmp"))
    assert [e["id"] for e in json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["entries"]] == [1, 2]
    with (tmp_path / "x.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[1]["amount"] == "100.10" and rows[0]["current"] == "True"
    import duckdb

    got = duckdb.connect().execute(f"SELECT id, amount FROM '{tmp_path / 'x.parquet'}' ORDER BY id").fetchall()
    assert got == [(1, None), (2, "100.10")]
    assert run("ledger", "export", "--format", "csv", "--out", str(db), "--ledger", str(db)).code == 2


# ------------------------------------------------------------------ schema versions
def test_the_committed_v1_ledger_opens_and_verifies(tmp_path: Path) -> None:
    copy = tmp_path / "v1.sqlite"
    shutil.copy(FIXTURE, copy)
    v = api.verify_ledger(copy, recompute=True)
    assert v.ok and v.entries == 4, v.to_dict()
    with Store(copy) as s:
        assert s.version == SCHEMA_VERSION == 1
    assert api.paid(copy, "luoyang", "2026Q1") == Decimal("1443555.36")
    assert [r["status"] for r in api.ledger_entries(copy)] == ["superseded by 3", "current", "current", "payment"]


def test_a_newer_ledger_is_refused(tmp_path: Path, run: Any) -> None:
    copy = tmp_path / "v99.sqlite"
    shutil.copy(FIXTURE, copy)
    _tamper(copy, "PRAGMA user_version = 99")
    r = run("ledger", "list", "--ledger", str(copy))
    assert r.code == 2 and "newer yibao" in r.err
    (tmp_path / "junk").write_text("not sqlite", encoding="utf-8")
    assert run("ledger", "list", "--ledger", str(tmp_path / "junk")).code == 2


# ------------------------------------------------------------------ real processes
_WRITER = textwrap.dedent(
    """
    import sys
    from yibao import api
    city, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    c = api.load_contract(city)
    facts = api.load_facts(c, api.example_facts(c))
    result = api.compute(c, facts)
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(n):
        api.record(c, facts, result, ledger=db, reason=f"run {i}")
    """
)


def test_two_processes_recording_at_once_both_land(db: Path) -> None:
    n = 15
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, city, str(db), str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for city in ("xinxiang", "luoyang")
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:  # release both together
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(timeout=120) == 0
    rows = api.ledger_entries(db)
    assert len(rows) == 2 * n and [r["id"] for r in rows] == list(range(1, 2 * n + 1))
    assert {r["city"] for r in rows} == {"xinxiang", "luoyang"}
    assert api.verify_ledger(db).ok
    assert sum(r["status"] == "current" for r in rows) == 2


_KILLED = textwrap.dedent(
    """
    import sys, time
    from yibao import api
    import yibao.ledger.store as store
    def hang():
        print("in transaction", flush=True)
        time.sleep(600)
    c = api.load_contract("luoyang")
    facts = api.load_facts(c, api.example_facts(c))
    result = api.compute(c, facts)
    store._before_commit = hang
    api.record(c, facts, result, ledger=sys.argv[1])
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_write_leaves_the_ledger_consistent(contract: Any, db: Path) -> None:
    _record_example(contract, "xinxiang", db)
    p = subprocess.Popen([sys.executable, "-c", _KILLED, str(db)], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "in transaction"
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL
    v = api.verify_ledger(db)
    assert v.ok and v.entries == 1
    # the lock died with the process: the next record lands as entry 2
    assert _record_example(contract, "luoyang", db).id == 2
    assert api.verify_ledger(db).ok


# ------------------------------------------------------------------ the docs walkthrough
def _doc_commands() -> list[str]:
    """The commands of docs/ledger.md's walkthrough (read by tests/core/guides.py)."""
    return [c.text for b in guide_blocks("ledger.md") if b.section == "Walkthrough" and b.lang == "sh" for c in b.commands]


def test_the_docs_walkthrough_runs(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cmds = _doc_commands()
    assert cmds[0] == "export YIBAO_LEDGER=ledger.db" and any(c.startswith("sqlite3 ") for c in cmds)
    env: dict[str, str] = {}
    outputs: list[tuple[str, Any]] = []
    for line in cmds:
        argv = shlex.split(line)
        if argv[0] == "export":
            k, _, v = argv[1].partition("=")
            env[k] = v
        elif argv[0] == "cp":
            shutil.copy(argv[1], argv[2])
        elif argv[0] == "sqlite3":
            _tamper(Path(argv[1]), argv[2])
        else:
            assert argv[0] == "yibao", line
            outputs.append((line, run(*argv[1:], "--format", "table", env=env)))
    by = dict(outputs)
    codes = {line: r.code for line, r in outputs}
    tampered = next(line for line in by if "tampered.db" in line)
    assert codes.pop(tampered) == 1 and "entry 1: edited" in by[tampered].out
    assert set(codes.values()) == {0}, {k: (v, by[k].err) for k, v in codes.items() if v}
    assert "supersedes entry 1" in next(r.err for line, r in outputs if "--reason" in line)
    balance = next(r.out for line, r in outputs if "balance" in line)
    assert "4000000.00" in balance
    assert "recomputes to the same figures" in outputs[-1][1].out


def test_a_payable_naming_no_item_or_deadline_is_an_input_error(tmp_path: Path) -> None:
    text = (ROOT / "plugins" / "xinxiang" / "contract.toml").read_text(encoding="utf-8")
    bad = tmp_path / "contract.toml"
    bad.write_text(text.replace('item = "funding_total"', 'item = "funding_totl"\ndeadline = "manual_reimbursment"'), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        api.load_contract("xinxiang", bad)
    found = {(p.path, p.message) for p in exc.value.problems}
    assert ("payable[0].item", "no step produces 'funding_totl'; did you mean 'funding_total'?") in found
    assert any(path == "payable[0].deadline" and "'manual_reimbursement'" in msg for path, msg in found)
