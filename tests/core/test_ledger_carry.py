"""A series takes its carried figures from the settlement ledger (issue 14):
淮阳's 滚存结余 (第二十九条、第三十条) and 洛阳's quarters paid (第三条(五)),
when the first period's facts leave them out. Figures worked by hand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
HY = ROOT / "plugins" / "huaiyang" / "examples"
LY = ROOT / "plugins" / "luoyang" / "examples"


def _without(path: Path, key: str, tmp: Path, replace: dict[str, str] | None = None) -> Path:
    """A copy of an example facts file without ``key`` (and with lines replaced)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(f"{key} ")]
    text = "\n".join(lines) + "\n"
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    out = tmp / f"{path.stem}-{key}.toml"
    out.write_text(text, encoding="utf-8")
    return out


def _record(c: Any, file: Path, db: Path, **kw: Any) -> Any:
    facts = api.load_facts(c, file)
    return api.record(c, facts, api.compute(c, facts), ledger=db, facts_file=str(file), **kw)


def _findings(result: Any, key: str) -> list[str]:
    return [f.message for f in result.findings if f.key == key]


# ------------------------------------------------------------------ 淮阳: 滚存结余
# 2025 (examples/2025.toml): 56,000 × 150 = 8,400,000.00 income; the promised use is
# 91% (第二十九条) = 7,644,000.00; paid out 7,500,000.00 → 144,000.00 unused rolls over:
# 3,000,000.00 + 144,000.00 = 3,144,000.00 at the end of 2025.
# 2026: 57,000 × 150 = 8,550,000.00; paid out 8,700,000.00 → 150,000.00 above 100% is
# borne by the surplus (第三十条): 3,144,000.00 − 150,000.00 = 2,994,000.00.
def test_huaiyang_2026_alone_takes_2025s_surplus_from_the_ledger(contract: Any, tmp_path: Path) -> None:
    c, db = contract("huaiyang"), tmp_path / "l.db"
    entry = _record(c, HY / "2025.toml", db)
    facts = api.load_facts(c, _without(HY / "2026.toml", "rolling_surplus_start", tmp_path))
    assert facts.rolling_surplus_start is None
    result = api.compute(c, facts, ledger=db)
    [msg] = _findings(result, "series.carried_from_ledger")
    assert f"ledger entry {entry.id}" in msg and "rolling_surplus_end of 2025" in msg and "3144000.00" in msg
    assert result.amount("excess_from_surplus") == 150000
    assert result.amount("rolling_surplus_end") == 2994000
    # the same through compute_series, for a series that starts at 2026
    [again] = api.compute_series(c, [facts], ledger=db)
    assert again.amount("rolling_surplus_end") == 2994000


def test_the_current_correction_is_carried_not_the_superseded_entry(contract: Any, tmp_path: Path) -> None:
    c, db = contract("huaiyang"), tmp_path / "l.db"
    _record(c, HY / "2025.toml", db)
    # corrected: paid out 7,600,000.00 → 7,644,000.00 − 7,600,000.00 = 44,000.00 unused → 3,044,000.00
    fixed = _record(c, _without(HY / "2025.toml", "#", tmp_path, {"payouts = 7500000": "payouts = 7600000"}), db, reason="更正")
    assert fixed.id == 2
    facts = api.load_facts(c, _without(HY / "2026.toml", "rolling_surplus_start", tmp_path))
    result = api.compute(c, facts, ledger=db)
    [msg] = _findings(result, "series.carried_from_ledger")
    assert "ledger entry 2" in msg and "3044000.00" in msg
    assert result.amount("rolling_surplus_end") == 3044000 - 150000


@pytest.mark.parametrize(("stated", "ok"), [("3144000", True), ("3143999.99", False), ("3144000.01", False)])
def test_a_stated_figure_must_agree_with_the_ledger(contract: Any, tmp_path: Path, stated: str, ok: bool) -> None:
    c, db = contract("huaiyang"), tmp_path / "l.db"
    _record(c, HY / "2025.toml", db)
    facts = api.load_facts(c, _without(HY / "2026.toml", "#", tmp_path, {"rolling_surplus_start = 3144000": f"rolling_surplus_start = {stated}"}))
    if ok:
        result = api.compute(c, facts, ledger=db)
        assert not _findings(result, "series.carried_from_ledger")
        assert result.amount("rolling_surplus_end") == 2994000
        return
    with pytest.raises(InputError) as err:
        api.compute(c, facts, None, "2026.toml", ledger=db)
    [p] = err.value.problems
    assert p.file == "2026.toml" and p.path == "rolling_surplus_start"
    assert "ledger entry 1" in p.message and "3144000.00" in p.message


def test_cli_ledger_carry_contradiction_and_no_entry(run: Any, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    bare = _without(HY / "2026.toml", "rolling_surplus_start", tmp_path)
    # no entry for 2025 in the ledger: as today, the facts must state it
    empty = run("compute", "huaiyang", "--facts", str(bare), "--ledger", str(db), "--format", "json")
    assert empty.code == 2 and [p["path"] for p in empty.json["problems"]] == ["rolling_surplus_start"]
    assert run("compute", "huaiyang", "--facts", str(HY / "2025.toml"), "--record", "--ledger", str(db), "--format", "json").code == 0
    got = run("compute", "huaiyang", "--facts", str(bare), "--ledger", str(db), "--format", "json")
    assert got.code == 0
    assert any(f["key"] == "series.carried_from_ledger" and "ledger entry 1" in f["message"] for f in got.json["findings"])
    assert {i["key"]: i["amount"] for i in got.json["items"]}["rolling_surplus_end"] == "2994000.00"
    # without --ledger (nor --record) the ledger in $YIBAO_LEDGER is not consulted
    assert run("compute", "huaiyang", "--facts", str(bare), "--format", "json", env={"YIBAO_LEDGER": str(db)}).code == 2
    wrong = _without(HY / "2026.toml", "#", tmp_path, {"rolling_surplus_start = 3144000": "rolling_surplus_start = 3000000"})
    bad = run("compute", "huaiyang", "--facts", str(wrong), "--ledger", str(db), "--format", "json")
    assert bad.code == 2
    [p] = bad.json["problems"]
    assert p["file"] == str(wrong) and p["path"] == "rolling_surplus_start" and "ledger entry 1" in p["message"]


# ------------------------------------------------------------------ 洛阳: the quarters paid
# 第三条(五): each quarter is paid on last year's enrolment, 5,012,345 × 1.2 ÷ 4 = 1,503,703.50
# (quarter_fee); the year-end sets the quarters paid against the year's fee.
def _quarters(c: Any, db: Path, tmp_path: Path) -> None:
    for q in (1, 2, 3, 4):
        f = _without(LY / "2026Q1.toml", "roster", tmp_path, {'period = "2026Q1"': f'period = "2026Q{q}"'})
        f = f.rename(tmp_path / f"2026Q{q}.toml")
        _record(c, f, db)


def test_luoyang_year_end_alone_takes_the_quarters_as_paid(contract: Any, tmp_path: Path) -> None:
    c, db = contract("luoyang"), tmp_path / "l.db"
    year = api.load_facts(c, LY / "2026.toml")
    assert year.quarter_fees_paid is None
    # only 2026Q1 recorded: the ledger cannot give the year's four quarters — unchanged
    _record(c, _without(LY / "2026Q1.toml", "roster", tmp_path), db)
    assert not _findings(api.compute(c, year, ledger=db), "series.carried_from_ledger")
    db2 = tmp_path / "l2.db"
    _quarters(c, db2, tmp_path)
    result = api.compute(c, year, ledger=db2)
    [msg] = _findings(result, "series.carried_from_ledger")
    # 4 × 1,503,703.50 = 6,014,814.00, taken as paid (no payment recorded)
    assert "taken as paid" in msg and "6014814.00" in msg and all(f"ledger entry {i}" in msg for i in (1, 2, 3, 4))
    # a payment recorded for 2026Q1 comes before its computed figure:
    # 1,443,555.36 + 3 × 1,503,703.50 = 1,443,555.36 + 4,511,110.50 = 5,954,665.86
    pay = api.record_payment(c, "2026Q1", "1443555.36", dt.date(2026, 4, 15), "付-0415", ledger=db2)
    [msg] = _findings(api.compute(c, year, ledger=db2), "series.carried_from_ledger")
    assert f"paid for 2026Q1 (entry {pay.id})" in msg and "5954665.86" in msg and "taken as paid" not in msg


def test_luoyang_stated_paid_against_the_ledger(contract: Any, tmp_path: Path) -> None:
    c, db = contract("luoyang"), tmp_path / "l.db"
    _quarters(c, db, tmp_path)
    text = (LY / "2026.toml").read_text(encoding="utf-8") + "quarter_fees_paid = 6000000\n"
    stated = tmp_path / "2026.toml"
    stated.write_text(re.sub(r"(?m)^roster.*$", "", text), encoding="utf-8")
    year = api.load_facts(c, stated)
    # no payment recorded: the ledger's figure is computed, not paid — the stated figure wins, said so
    [msg] = _findings(api.compute(c, year, None, str(stated), ledger=db), "series.paid_as_stated")
    assert "6000000.00" in msg and "6014814.00" in msg
    # a payment recorded: two records of what was paid disagree — an input error
    api.record_payment(c, "2026Q1", "1443555.36", dt.date(2026, 4, 15), "付-0415", ledger=db)
    with pytest.raises(InputError) as err:
        api.compute(c, year, None, str(stated), ledger=db)
    [p] = err.value.problems
    assert p.file == str(stated) and p.path == "quarter_fees_paid" and "entry 5" in p.message and "5954665.86" in p.message


# ------------------------------------------------------------------ 淮安: what the quarters before a termination paid
def test_huaian_termination_alone_takes_the_payments_before_it(contract: Any, tmp_path: Path) -> None:
    c, db = contract("huaian"), tmp_path / "l.db"
    hx = ROOT / "plugins" / "huaian" / "examples"
    term = api.load_facts(c, _without(hx / "2025Q2-terminated.toml", "roster", tmp_path))
    assert term.paid_before is None
    # nothing recorded for contract quarter 1: nothing from the ledger
    assert not _findings(api.compute(c, term, ledger=db), "series.carried_from_ledger")
    _record(c, _without(hx / "2025Q1.toml", "roster", tmp_path), db)  # contract quarter 1
    api.record_payment(c, "Q1", "1000000.00", dt.date(2025, 4, 10), "付-0410", ledger=db)
    api.record_payment(c, "Q1", "234.56", dt.date(2025, 4, 20), "付-0420", ledger=db)
    [msg] = _findings(api.compute(c, term, ledger=db), "series.carried_from_ledger")
    # 八: what was paid before, as recorded — 1,000,000.00 + 234.56 = 1,000,234.56
    assert "paid for Q1 (entries 2, 3)" in msg and "1000234.56" in msg
