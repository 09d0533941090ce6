"""``yibao claims``: per-claim deadline, lateness and benefit from a claim log.

新乡 第十七条: direct settlement within 30 working days of 申报成功, manual
reimbursement within 20 working days of receiving the papers. 第十二条: the
fund pays 90%, at most 40万 per person per (insurance) year; applied in
order of received_on, then claim_id. Dates worked by hand in test_calendar.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import duckdb
import pytest
from yibao import api
from yibao.calendar import calendar_for
from yibao.claims import run_claims
from yibao.errors import InputError

HEADER = ("claim_id", "person_id", "kind", "received_on", "settled_on", "amount_eligible")
FICTIONAL = Path(__file__).parent / "data" / "fictional_2027_2028.toml"


def write_log(path: Path, rows: list[tuple[Any, ...]], header: tuple[str, ...] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def read_out(path: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    cur = con.execute(f"SELECT * FROM {reader}('{path}') ORDER BY row")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def claims(run: Any, tmp_path: Path, rows: list[tuple[Any, ...]], *args: str, out: str = "out.parquet") -> tuple[Any, list[dict[str, Any]]]:
    src = write_log(tmp_path / "log.csv", rows)
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / out), "--format", "json", *args)
    assert r.code in (0, 1), r.err
    return r, read_out(tmp_path / out)


def by_id(out: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["claim_id"]: r for r in out}


# ------------------------------------------------------------- 第十二条: 90%, 40万 per person per year
def test_per_person_cap_across_several_claims(run: Any, tmp_path: Path) -> None:
    r, out = claims(
        run,
        tmp_path,
        [
            ("A1", "P1", "direct", "2025-01-06", "2025-01-10", "100000.00"),  # 90000.00, cum 90000.00
            ("A2", "P1", "direct", "2025-02-10", "2025-02-12", "200000.00"),  # 180000.00, cum 270000.00
            ("A3", "P1", "manual", "2025-03-03", "2025-03-05", "200000.00"),  # raw 180000.00 -> 400000 - 270000 = 130000.00
            ("A4", "P1", "direct", "2025-04-01", "2025-04-02", "10000.00"),  # cap reached: 0.00
            ("B1", "P2", "direct", "2025-04-01", "2025-04-02", "10000.00"),  # another person: 9000.00
            ("A5", "P1", "direct", "2026-01-05", "2026-01-06", "10000.00"),  # a new year: 9000.00
        ],
    )
    got = by_id(out)
    assert got["A1"]["benefit"] == D("90000.00")
    assert got["A2"]["benefit"] == D("180000.00")
    assert got["A3"]["benefit"] == D("130000.00")
    assert got["A3"]["person_year_benefit"] == D("400000.00")
    assert got["A4"]["benefit"] == D("0.00")
    assert got["B1"]["benefit"] == D("9000.00")
    assert got["A5"]["benefit"] == D("9000.00")
    assert got["A5"]["person_year_benefit"] == D("9000.00")
    summary = {(s["year"], s["kind"]): s for s in r.json["summary"]}
    # 2025 direct: 90000 + 180000 + 0 + 9000 = 279000.00; manual: 130000.00
    assert summary[(2025, "direct")]["benefit"] == "279000.00"
    assert summary[(2025, "manual")]["benefit"] == "130000.00"
    assert summary[(2026, "direct")]["benefit"] == "9000.00"
    assert r.json["benefit"]["ratio"] == "90%"
    assert r.json["benefit"]["annual_cap"] == "400000.00"
    assert r.json["interpretations"][0]["id"] == "claims_amount_basis"


@pytest.mark.parametrize(
    ("second", "benefit", "cum", "third"),
    [
        # first claim 400000.00 -> 360000.00; room left 40000.00
        ("44444.44", "40000.00", "400000.00", "0.00"),  # 90% = 39999.996 -> 40000.00: exactly at the cap
        ("44444.43", "39999.99", "399999.99", "0.01"),  # 90% = 39999.987 -> 39999.99: 0.01 below; then 0.01 fits
        ("44444.45", "40000.00", "400000.00", "0.00"),  # 90% = 40000.005 -> 40000.01 (half up): 0.01 above, capped
    ],
)
def test_cap_at_just_below_and_just_above(run: Any, tmp_path: Path, second: str, benefit: str, cum: str, third: str) -> None:
    _, out = claims(
        run,
        tmp_path,
        [
            ("C1", "P1", "direct", "2025-03-03", "2025-03-04", "400000.00"),
            ("C2", "P1", "direct", "2025-03-04", "2025-03-05", second),
            ("C3", "P1", "direct", "2025-03-05", "2025-03-06", "0.01"),  # 90% = 0.009 -> 0.01
        ],
    )
    got = by_id(out)
    assert got["C1"]["benefit"] == D("360000.00")
    assert got["C2"]["benefit"] == D(benefit)
    assert got["C2"]["person_year_benefit"] == D(cum)
    assert got["C3"]["benefit"] == D(third)


def test_cap_applies_in_date_order_not_file_order(run: Any, tmp_path: Path) -> None:
    _, out = claims(
        run,
        tmp_path,
        [
            ("Z9", "P1", "direct", "2025-06-02", "2025-06-03", "300000.00"),  # later: 270000 -> room 400000 - 270000 - ... see below
            ("Z1", "P1", "direct", "2025-05-06", "2025-05-07", "300000.00"),  # first by date: 270000.00
            ("Z5", "P1", "direct", "2025-06-02", "2025-06-03", "100000.00"),  # same day as Z9, Z5 < Z9: 90000.00
        ],
    )
    got = by_id(out)
    # date order: Z1 270000.00 (cum 270000), Z5 90000.00 (cum 360000), Z9 40000.00 (cum 400000)
    assert got["Z1"]["benefit"] == D("270000.00")
    assert got["Z5"]["benefit"] == D("90000.00")
    assert got["Z9"]["benefit"] == D("40000.00")
    assert [r["claim_id"] for r in out] == ["Z9", "Z1", "Z5"]  # the output keeps the file's order


def test_whole_cost_reading(run: Any, tmp_path: Path) -> None:
    rows = [
        ("W1", "P1", "direct", "2025-03-03", "2025-03-04", "60000.00"),  # cum 60000 <= 10万: 0.00
        ("W2", "P1", "direct", "2025-03-04", "2025-03-05", "60000.00"),  # cum 120000: 20000 above -> 18000.00
        ("W3", "P1", "direct", "2025-03-05", "2025-03-06", "500000.00"),  # all above -> 450000 -> capped 400000 - 18000 = 382000.00
    ]
    r, out = claims(run, tmp_path, rows, "--reading", "claims_amount_basis=whole_cost")
    got = by_id(out)
    assert [got[k]["benefit_base"] for k in ("W1", "W2", "W3")] == [D("0.00"), D("20000.00"), D("500000.00")]
    assert [got[k]["benefit"] for k in ("W1", "W2", "W3")] == [D("0.00"), D("18000.00"), D("382000.00")]
    assert r.json["benefit"]["basis"] == "whole_cost"
    assert r.json["benefit"]["deductible"] == "100000.00"
    # the default reading: amount_eligible is already above the pool
    _, out = claims(run, tmp_path, rows, out="default.parquet")
    assert [by_id(out)[k]["benefit"] for k in ("W1", "W2", "W3")] == [D("54000.00"), D("54000.00"), D("292000.00")]


# ------------------------------------------------------------- 第十七条: lateness
def test_settled_on_the_deadline_is_on_time_a_day_later_is_late(run: Any, tmp_path: Path) -> None:
    r, out = claims(
        run,
        tmp_path,
        [
            # direct, 30 working days from 2025-09-26 (国庆 crossed) -> 2025-11-13
            ("D1", "P1", "direct", "2025-09-26", "2025-11-13", "1.00"),
            ("D2", "P2", "direct", "2025-09-26", "2025-11-14", "1.00"),
            # manual, 20 working days from 2025-01-20 (春节 crossed) -> 2025-02-21
            ("M1", "P3", "manual", "2025-01-20", "2025-02-21", "1.00"),
            ("M2", "P4", "manual", "2025-01-20", "2025-02-24", "1.00"),  # Monday after: 3 days late
            ("M3", "P5", "manual", "2025-01-20", "2025-01-20", "1.00"),  # same day: on time
        ],
    )
    got = by_id(out)
    assert got["D1"]["due_on"] == dt.date(2025, 11, 13)
    assert (got["D1"]["status"], got["D1"]["days_late"]) == ("on_time", 0)
    assert (got["D2"]["status"], got["D2"]["days_late"]) == ("late", 1)
    assert got["M1"]["due_on"] == dt.date(2025, 2, 21)
    assert (got["M1"]["status"], got["M1"]["days_late"]) == ("on_time", 0)
    assert (got["M2"]["status"], got["M2"]["days_late"]) == ("late", 3)
    assert got["M3"]["status"] == "on_time"
    assert got["D1"]["deadline"] == "direct_settlement"
    assert got["M1"]["deadline"] == "manual_reimbursement"
    assert r.code == 1  # late settlements are violations of 第十七条
    counts = {(c["key"], c["year"]): c["value"] for c in r.json["counts"]}
    assert counts == {("late_settlements", 2025): 2}


def test_open_claims_and_as_of(run: Any, tmp_path: Path) -> None:
    rows = [
        ("O1", "P1", "direct", "2025-09-26", "", "1.00"),  # due 2025-11-13
        ("O2", "P2", "manual", "2025-01-20", "2025-02-21", "1.00"),  # on time
    ]
    r, out = claims(run, tmp_path, rows)
    assert by_id(out)["O1"]["status"] == "open"
    assert by_id(out)["O1"]["days_late"] is None
    assert r.code == 0
    assert r.json["summary"][0]["overdue"] is None
    r, out = claims(run, tmp_path, rows, "--as-of", "2025-11-13", out="b.parquet")
    assert by_id(out)["O1"]["status"] == "open"  # due today: not yet overdue
    assert r.code == 0
    r, out = claims(run, tmp_path, rows, "--as-of", "2025-11-14", out="c.parquet")
    assert (by_id(out)["O1"]["status"], by_id(out)["O1"]["days_late"]) == ("overdue", 1)
    assert r.code == 1
    direct = next(s for s in r.json["summary"] if s["kind"] == "direct")
    assert (direct["open"], direct["overdue"], direct["late"]) == (1, 1, 0)
    assert {c["key"]: c["value"] for c in r.json["counts"]} == {"late_settlements": 1}  # late_or_overdue


def test_table_format_and_csv_output(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("T1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00")])
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.csv"), "--format", "table")
    assert r.code == 0, r.err
    assert "direct_settlement" in r.out and "第十七条(一)" in r.out and "900.00" in r.out
    assert "late_settlements" in r.out
    raw = (tmp_path / "o.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM: Excel on Chinese Windows reads it right
    text = raw.decode("utf-8-sig").splitlines()
    assert text[0] == "row,claim_id,person_id,kind,received_on,settled_on,amount_eligible,year,deadline,due_on,status,days_late,benefit_base,benefit,person_year_benefit"
    # 2025-03-03 + 30 working days: 03-04..04-03 (23), 04-04 清明 off, 04-07..11 (28), 04-14, 15 (30)
    assert text[1] == "1,T1,P1,direct,2025-03-03,2025-03-04,1000.00,2025,direct_settlement,2025-04-15,on_time,0,1000.00,900.00,900.00"


def test_without_out_only_the_summary(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("T1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00")])
    r = run("claims", "xinxiang", str(src), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["out"] is None
    assert r.json["rows"] == r.json["processed"] == 1


# ------------------------------------------------------------- bad rows
def test_bad_rows_are_listed_and_the_rest_processed(run: Any, tmp_path: Path) -> None:
    src = write_log(
        tmp_path / "log.csv",
        [
            ("G1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00"),
            ("B1", "P1", "direct", "2025-02-30", "2025-03-04", "1000.00"),  # row 2: no 02-30
            ("B2", "P1", "direct", "2025-03-03", "2025-03-04", "-1.00"),  # row 3: negative
            ("B3", "P1", "cash", "2025-03-03", "yesterday", "1.005"),  # row 4: three cells
            ("B4", "", "direct", "", "", ""),  # row 5: missing values
            ("B5", "P1", "manual", "2025-03-03", "2025-03-01", "1.00"),  # row 6: settled before received
            ("G2", "P2", "manual", "2025-03-03", "", "2.00"),
        ],
    )
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json")
    assert r.code == 1
    assert (r.json["rows"], r.json["processed"], r.json["bad_rows"]) == (7, 2, 5)
    bad = [(b["row"], b["column"], b["value"]) for b in r.json["bad"]]
    assert bad == [
        (2, "received_on", "2025-02-30"),
        (3, "amount_eligible", "-1.00"),
        (4, "kind", "cash"),
        (4, "settled_on", "yesterday"),
        (4, "amount_eligible", "1.005"),
        (5, "received_on", None),
        (5, "person_id", None),
        (5, "amount_eligible", None),
        (6, "settled_on", "2025-03-01"),
    ]
    messages = {(b["row"], b["column"]): b["message"] for b in r.json["bad"]}
    assert messages[(3, "amount_eligible")] == "expected an amount ≥ 0"
    assert messages[(4, "amount_eligible")] == "expected at most 2 decimals (分)"
    assert messages[(4, "kind")] == "expected one of direct, manual"
    assert messages[(5, "person_id")] == "missing value"
    assert messages[(6, "settled_on")] == "expected a date on or after received_on"
    # on stderr, with file, row and column
    assert f"bad row: {src}: row 2: received_on: expected a date such as 2025-06-15 (got '2025-02-30')" in r.err
    assert f"bad row: {src}: row 3: amount_eligible: expected an amount ≥ 0 (got '-1.00')" in r.err
    assert "5 bad row(s) not processed" in r.err
    # the good rows are processed, the bad ones listed in full next to the output
    assert [x["claim_id"] for x in read_out(tmp_path / "o.parquet")] == ["G1", "G2"]
    listed = (tmp_path / "o.bad_rows.csv").read_text(encoding="utf-8-sig").splitlines()
    assert listed[0] == "row,column,value,message"
    assert listed[1] == "2,received_on,2025-02-30,expected a date such as 2025-06-15"
    assert len(listed) == 1 + 9
    assert r.json["bad_rows_file"] == str(tmp_path / "o.bad_rows.csv")


def test_bad_rows_file_without_out(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("B1", "P1", "direct", "2025-03-03", "", "x")])
    r = run("claims", "xinxiang", str(src), "--bad-rows", str(tmp_path / "bad.csv"), "--format", "json")
    assert r.code == 1
    assert (tmp_path / "bad.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "1,amount_eligible,x,expected an amount in 元 such as 1234.56 (under 100亿)"


def test_a_row_with_more_fields_than_the_header(run: Any, tmp_path: Path) -> None:
    src = tmp_path / "log.csv"
    src.write_text(
        ",".join(HEADER) + "\nE1,P1,direct,2025-03-03,2025-03-04,1.00,surplus\nE2,P1,direct,2025-03-03,2025-03-04,1.00\nE3,P1,direct\n",
        encoding="utf-8",
    )
    r = run("claims", "xinxiang", str(src), "--format", "json")
    assert r.code == 1
    bad = [(b["row"], b["column"], b["value"]) for b in r.json["bad"]]
    assert bad == [
        (1, "(after column 6)", "surplus"),
        (3, "received_on", None),
        (3, "amount_eligible", None),
    ]
    assert r.json["processed"] == 1


def test_missing_column_is_a_whole_file_error(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04")], header=HEADER[:5])
    r = run("claims", "xinxiang", str(src))
    assert r.code == 2
    assert f"error: {src}: column amount_eligible: required column 'amount_eligible' missing" in r.err
    assert "Traceback" not in r.err


def test_misspelled_column_names_the_closest(run: Any, tmp_path: Path) -> None:
    header = (*HEADER[:5], "amount_elligible")
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1")], header=header)
    r = run("claims", "xinxiang", str(src))
    assert r.code == 2
    assert "did you mean 'amount_elligible'?" in r.err


def test_empty_file_and_missing_file(run: Any, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    r = run("claims", "xinxiang", str(tmp_path / "empty.csv"))
    assert r.code == 2
    assert "required column 'claim_id' missing" in r.err
    r = run("claims", "xinxiang", str(tmp_path / "nope.csv"))
    assert r.code == 2
    assert "file not found" in r.err


def test_header_only_file(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [])
    r = run("claims", "xinxiang", str(src), "--format", "json")
    assert r.code == 0, r.err
    assert r.json["rows"] == 0 and r.json["summary"] == []
    assert r.json["counts"] == []


def test_wrong_suffixes(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1")])
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.xls"))
    assert r.code == 2 and "expected a .parquet, .csv or .xlsx file name" in r.err
    other = tmp_path / "log.xlsx"
    other.write_text("x", encoding="utf-8")
    r = run("claims", "xinxiang", str(other))
    assert r.code == 2 and "expected a .csv or .parquet claim log" in r.err


def test_bad_memory_limit(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1")])
    r = run("claims", "xinxiang", str(src), "--memory-limit", "lots")
    assert r.code == 2 and "--memory-limit" in r.err


# ------------------------------------------------------------- calendar years
def test_a_claim_needing_an_uncovered_year_exits_2(run: Any, tmp_path: Path) -> None:
    src = write_log(
        tmp_path / "log.csv",
        [
            ("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1.00"),
            ("C2", "P1", "direct", "2026-12-20", "", "1.00"),  # 30 working days run into 2027
        ],
    )
    r = run("claims", "xinxiang", str(src))
    assert r.code == 2
    assert "no holiday table for 2027" in r.err
    assert f"{src}: row 2: direct claim received on 2026-12-20: its deadline (direct_settlement, 30个工作日, 第十七条(一)) needs that year" in r.err
    # with the (fictional) 2027 table it runs: due 2027-02-01 (see test_deadlines)
    r = run("claims", "xinxiang", str(src), "--calendar", str(FICTIONAL), "--out", str(tmp_path / "o.parquet"), "--format", "json")
    assert r.code == 0, r.err
    assert by_id(read_out(tmp_path / "o.parquet"))["C2"]["due_on"] == dt.date(2027, 2, 1)


# ------------------------------------------------------------- inputs: Parquet, column names, scale
def test_parquet_input_with_typed_columns(run: Any, tmp_path: Path) -> None:
    src = tmp_path / "log.parquet"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * FROM (VALUES
            ('P1', 'X', 'direct', DATE '2025-09-26', DATE '2025-11-14', CAST(100000.10 AS DOUBLE)),
            ('P2', 'X', 'manual', DATE '2025-01-20', NULL, CAST(1.005 AS DOUBLE)),
            ('P3', 'Y', 'manual', DATE '2025-01-20', DATE '2025-02-21', CAST(-3 AS DOUBLE))
        ) t({', '.join(HEADER)})) TO '{src}' (FORMAT parquet)"""
    )
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json")
    assert r.code == 1
    out = read_out(tmp_path / "o.parquet")
    assert len(out) == 1
    assert out[0]["amount_eligible"] == D("100000.10")  # the double's shortest form, exact
    assert out[0]["benefit"] == D("90000.09")  # 90000.09
    assert (out[0]["status"], out[0]["days_late"]) == ("late", 1)
    assert [(b["row"], b["column"]) for b in r.json["bad"]] == [(2, "amount_eligible"), (3, "amount_eligible")]


def test_row_numbers_hold_in_a_large_file(run: Any, tmp_path: Path) -> None:
    """A file big enough for DuckDB to read in parallel: row numbers still
    follow the file."""
    src = tmp_path / "big.csv"
    n, bad_at = 300_000, 287_654
    duckdb.connect().execute(
        f"""COPY (SELECT 'C' || i AS claim_id, 'P' || (i % 5000) AS person_id,
                   CASE WHEN i % 3 = 0 THEN 'manual' ELSE 'direct' END AS kind,
                   CASE WHEN i + 1 = {bad_at} THEN '2025-99-99'
                        ELSE CAST(DATE '2025-01-01' + CAST(i % 300 AS INTEGER) AS VARCHAR) END AS received_on,
                   '' AS settled_on, '10.00' AS amount_eligible
            FROM range({n}) t(i)) TO '{src}' (FORMAT csv, HEADER)"""
    )
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json", "--threads", "2")
    assert r.code == 1
    assert [(b["row"], b["value"]) for b in r.json["bad"]] == [(bad_at, "2025-99-99")]
    con = duckdb.connect()
    rows = con.execute(f"SELECT count(*), count_if(claim_id <> 'C' || (row - 1)) FROM read_parquet('{tmp_path / 'o.parquet'}')").fetchone()
    assert rows == (n - 1, 0)


def test_column_names_come_from_the_contract(run: Any, tmp_path: Path) -> None:
    """A contract that names the columns in Chinese and has no benefit rule:
    person and amount columns are not needed."""
    base = Path(api.load_contract("xinxiang").path).read_text(encoding="utf-8").replace("#:schema ../../schemas/", "#:schema ")
    start = base.index("[claims]")
    end = base.index("[[interpretations]]\nid = \"claims_amount_basis\"")
    text = (
        base[:start]
        + """[claims]
clause = "第十七条"
kinds = { "直接" = "direct_settlement", "手工" = "manual_reimbursement" }
columns = { claim_id = "单号", kind = "结算方式", received_on = "受理日期", settled_on = "支付日期" }

[[claims.counts]]
key = "manual_late"
label = "手工报销逾期"
clause = "第十七条(二)"
count = "late"
kinds = ["手工"]

"""
        + base[end:]
    )
    contract = tmp_path / "contract.toml"
    contract.write_text(text, encoding="utf-8")
    src = write_log(
        tmp_path / "log.csv",
        [("1", "直接", "2025-09-26", "2025-11-14"), ("2", "手工", "2025-01-20", "2025-02-24"), ("3", "手工", "2025-01-20", "2025-02-21")],
        header=("单号", "结算方式", "受理日期", "支付日期"),
    )
    r = run("claims", "xinxiang", str(src), "--contract", str(contract), "--out", str(tmp_path / "o.csv"), "--format", "json")
    assert r.code == 1, r.err
    assert r.json["benefit"] is None
    assert {c["key"]: c["value"] for c in r.json["counts"]} == {"manual_late": 1}  # only 手工 counts
    out = read_out(tmp_path / "o.csv")
    assert [o["status"] for o in out] == ["late", "late", "on_time"]
    assert "benefit" not in out[0]
    r = run("claims", "xinxiang", str(write_log(tmp_path / "x.csv", [], header=("单号", "kind"))), "--contract", str(contract))
    assert r.code == 2
    assert "required column '结算方式' (claims.columns.kind) missing" in r.err


@pytest.mark.parametrize(
    ("claims_toml", "path", "message"),
    [
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_setlement" }\n', "claims.kinds.direct", "did you mean 'direct_settlement'?"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[claims.benefit]\nclause = "x"\nlabel = "x"\nratio = "payment_ration"\nannual_cap = "annual_cap"\n', "claims.benefit.ratio", "did you mean 'payment_ratio'?"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[claims.benefit]\nclause = "x"\nlabel = "x"\nratio = "120%"\nannual_cap = "annual_cap"\n', "claims.benefit.ratio", "expected a rate from 0 to 1"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[claims.benefit]\nclause = "x"\nlabel = "x"\nratio = "90%"\nannual_cap = "40万"\nbasis = "whole_cost"\n', "claims.benefit.deductible", "required by the whole_cost reading"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[claims.benefit]\nclause = "x"\nlabel = "x"\nratio = "90%"\nannual_cap = "40万"\nbasis_interpretation = "fractional_points"\n', "claims.benefit.basis_interpretation", "readings must be among above_pool, whole_cost"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[[claims.counts]]\nkey = "k"\nlabel = "k"\nclause = "k"\ncount = "late"\nkinds = ["manual"]\nfact = "scor"\n', "claims.counts[0].kinds", "no kind 'manual'"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[[claims.counts]]\nkey = "k"\nlabel = "k"\nclause = "k"\ncount = "late"\nfact = "scor"\n', "claims.counts[0].fact", "did you mean 'score'?"),
        ('[claims]\nclause = "x"\nkinds = { direct = "direct_settlement" }\n[[claims.counts]]\nkey = "k"\nlabel = "k"\nclause = "k"\ncount = "tardy"\n', "claims.counts[0].count", "tardy"),
        ('[claims]\nclause = "x"\nkind = { direct = "direct_settlement" }\n', "claims.kind", "did you mean 'kinds'?"),
    ],
)
def test_claims_table_errors(registry: Any, run: Any, tmp_path: Path, claims_toml: str, path: str, message: str) -> None:
    """[claims] is checked when the contract loads, like every other table:
    ``compute``, ``validate`` and ``claims`` all refuse it."""
    base = Path(api.load_contract("xinxiang", reg=registry).path).read_text(encoding="utf-8")
    base = base[: base.index("# ---------------------------------------------------------------- claim logs")]
    base = base.replace("#:schema ../../schemas/", "#:schema ")
    contract = tmp_path / "contract.toml"
    contract.write_text(base + claims_toml, encoding="utf-8")
    with pytest.raises(InputError) as e:
        api.load_contract("xinxiang", contract, reg=registry)
    found = [p for p in e.value.problems if p.path == path]
    assert found, e.value
    assert message in found[0].message
    for command in ("validate", "compute"):
        r = run(command, "xinxiang", "--contract", str(contract))
        assert r.code == 2 and f"{contract}: {path}: " in r.err
    src = write_log(tmp_path / "log.csv", [])
    r = run("claims", "xinxiang", str(src), "--contract", str(contract))
    assert r.code == 2 and f"{contract}: {path}: " in r.err


def test_a_contract_without_claims(registry: Any, tmp_path: Path) -> None:
    base = Path(api.load_contract("xinxiang", reg=registry).path).read_text(encoding="utf-8")
    base = base[: base.index("# ---------------------------------------------------------------- claim logs")]
    contract = tmp_path / "contract.toml"
    contract.write_text(base.replace("#:schema ../../schemas/", "#:schema "), encoding="utf-8")
    c = api.load_contract("xinxiang", contract, reg=registry)
    src = write_log(tmp_path / "log.csv", [])
    with pytest.raises(InputError, match=r"has no \[claims\] table"):
        run_claims(c, src, calendar_for(c))


# ------------------------------------------------------------- progress and laziness
def test_progress_on_stderr(run: Any, tmp_path: Path) -> None:
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1")])
    r = run("claims", "xinxiang", str(src), "--progress", "--format", "json")
    assert r.code == 0, r.err
    assert "reading log.csv" in r.err and "100%" in r.err
    assert r.json["rows"] == 1  # stdout stays clean JSON
    r = run("claims", "xinxiang", str(src), "--no-progress", "--format", "json")
    assert "%" not in r.err


def test_compute_does_not_import_duckdb_or_chinese_calendar() -> None:
    """Loading a contract checks its [claims] table, but neither DuckDB nor
    the holiday tables are imported for it (the start-up budget of compute is
    tight)."""
    import subprocess

    code = (
        "import sys; from yibao import api; from yibao.cli import cli; "
        "c = api.load_contract('xinxiang'); api.compute(c, api.load_facts(c, api.example_facts(c))); "
        "print(sorted(m for m in ('duckdb', 'chinese_calendar', 'yibao.calendar', 'yibao.claims.run', 'yibao.claims.sql', 'yibao.claims.report') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_api_report(contract: Any, tmp_path: Path) -> None:
    c = contract("xinxiang")
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "manual", "2025-01-20", "2025-02-24", "100.00")])
    seen: list[tuple[str, float]] = []
    rep = run_claims(c, src, calendar_for(c), progress=lambda step, pct: seen.append((step, pct)), threads=1)
    assert rep.late == 1 and rep.has_violations
    assert rep.summary[0].benefit == D("90.00")
    assert seen[-1][1] == 100.0


def test_a_count_feeds_a_deduction_fact(run: Any, tmp_path: Path) -> None:
    """咸阳 第十条3(1): 500 元 per late settlement (facts late_settlements). The
    time limit is in an external list, not the contract: a TEST-ONLY limit of
    20 working days is added with --contract, as docs/claims.md shows."""
    base = Path(api.load_contract("xianyang").path).read_text(encoding="utf-8").replace("#:schema ../../schemas/", "#:schema ")
    contract = tmp_path / "xianyang.toml"
    contract.write_text(
        base
        + """
[[deadlines]]
key = "reimbursement"
label = "零星报销办理时限（测试用）"
clause = "第十条3(1)"
count = 20
unit = "working_days"
start = "受理"

[claims]
clause = "第十条3(1)"
kinds = { manual = "reimbursement" }

[[claims.counts]]
key = "late_settlements"
label = "未按办理时限结算报销费用（笔）"
clause = "第十条3(1)"
count = "late_or_overdue"
fact = "late_settlements"
""",
        encoding="utf-8",
    )
    src = write_log(
        tmp_path / "log.csv",
        [
            # 2026-01-05 (Mon) + 20 working days: 01-06..09 (4), 01-12..16 (9), 01-19..23 (14), 01-26..30 (19), 02-02 (20)
            ("X1", "", "manual", "2026-01-05", "2026-02-02", ""),  # on time
            ("X2", "", "manual", "2026-01-05", "2026-02-03", ""),  # late
            ("X3", "", "manual", "2026-01-05", "", ""),  # overdue as of 2026-03-01
        ],
        header=("claim_id", "person_id", "kind", "received_on", "settled_on", "amount"),
    )
    r = run("claims", "xianyang", str(src), "--contract", str(contract), "--as-of", "2026-03-01", "--format", "json")
    assert r.code == 1, r.err
    assert r.json["counts"] == [
        {"key": "late_settlements", "label": "未按办理时限结算报销费用（笔）", "clause": "第十条3(1)", "year": 2026, "value": 2, "fact": "late_settlements"}
    ]
    # the count goes into the period's facts: 2 × 500 = 1000.00
    facts = (Path(api.load_contract("xianyang").path).parent / "examples" / "2026.toml").read_text(encoding="utf-8")
    facts = facts.replace("late_settlements = 3 ", "late_settlements = 2 ").replace("#:schema ../../../schemas/", "#:schema ")
    (tmp_path / "2026.toml").write_text(facts, encoding="utf-8")
    r = run("compute", "xianyang", "--facts", str(tmp_path / "2026.toml"), "--format", "json")
    items = {i["key"]: i for i in r.json["items"]}
    assert items["deduction_late_settlements"]["amount"] == "1000.00"
    assert items["deduction_late_settlements"]["formula"] == "2 × 500.00"


def test_semicolon_separated_csv_is_sniffed(run: Any, tmp_path: Path) -> None:
    src = tmp_path / "log.csv"
    src.write_text(
        ";".join(HEADER) + "\nS1;P1;direct;2025-03-03;2025-03-04;100.00\nS2;P1;direct;2025-03-03;2025-03-04;1,50\nS3;P1;direct;2025-03-03;;2.00;x\n",
        encoding="utf-8",
    )
    r = run("claims", "xinxiang", str(src), "--format", "json")
    assert r.code == 1, r.err
    assert [(b["row"], b["column"], b["value"]) for b in r.json["bad"]] == [(2, "amount_eligible", "1,50"), (3, "(after column 6)", "x")]
    assert r.json["processed"] == 1


# ------------------------------------------------------------- cells that look like structure
def test_bad_cells_holding_separators_quotes_and_line_breaks(run: Any, tmp_path: Path) -> None:
    """Bad cells come back from DuckDB as structured values: no content of a
    cell — the control characters once used to join them, ``|``, ``,``,
    quotes, a line break inside a quoted field — can shift a column or a
    message. Rows are numbered by record, so a quoted line break does not
    shift the rows after it either."""
    src = write_log(
        tmp_path / "log.csv",
        [
            ("G1", "P1", "direct", "2025-03-03", "2025-03-04", "1.00"),  # row 1: good
            ("U1", "P1", "\x1f", "2025-03-03", "2025-03-04", "1.00"),  # 2: unit separator
            ("R1", "P1", "dir\x1eect", "2025-03-03", "2025-03-04", "1.00"),  # 3: record separator inside
            ("N1", "P1", "\x1d", "2025-03-03", "2025-03-04", "1.00"),  # 4: group separator: a value, not empty
            ("B1", "P1", "direct|manual", "2025-03-03", "2025-03-04", "1|00"),  # 5: pipes
            ("C1", "P1", "direct,manual", "2025-03-03", "2025-03-04", "1,00"),  # 6: commas (quoted)
            ("Q1", "P1", 'say "direct"', "2025-03-03", "'2025-03-04'", "1.00"),  # 7: quotes
            ("L1", "P1", "direct\nmanual", "2025-03-03", "2025-03-04", "1.00\n2"),  # 8: line breaks in quotes
            ("M1", "", "manual", "2025-03-03", "2025-03-04", "\x1f"),  # 9: a truly empty cell next to a separator
            ("G2", "P\n2", "manual", "2025-03-03", "", "2.00"),  # 10: good, with a line break in its person_id
        ],
    )
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json")
    assert r.code == 1, r.err
    assert (r.json["rows"], r.json["processed"], r.json["bad_rows"]) == (10, 2, 8)
    kind = "expected one of direct, manual"
    amount = "expected an amount in 元 such as 1234.56 (under 100亿)"
    expected = [
        (2, "kind", "\x1f", kind),
        (3, "kind", "dir\x1eect", kind),
        (4, "kind", "\x1d", kind),
        (5, "kind", "direct|manual", kind),
        (5, "amount_eligible", "1|00", amount),
        (6, "kind", "direct,manual", kind),
        (6, "amount_eligible", "1,00", amount),
        (7, "kind", 'say "direct"', kind),
        (7, "settled_on", "'2025-03-04'", "expected a date such as 2025-06-15 (empty when not yet settled)"),
        (8, "kind", "direct\nmanual", kind),
        (8, "amount_eligible", "1.00\n2", amount),
        (9, "person_id", None, "missing value"),
        (9, "amount_eligible", "\x1f", amount),
    ]
    assert [(b["row"], b["column"], b["value"], b["message"]) for b in r.json["bad"]] == expected
    # on stderr each cell is one line, its value shown with repr
    assert f"bad row: {src}: row 8: kind: {kind} (got 'direct\\nmanual')" in r.err
    assert f"bad row: {src}: row 9: person_id: missing value (got empty)" in r.err
    # the bad-rows CSV holds the same cells, quoted as CSV quotes them
    with open(tmp_path / "o.bad_rows.csv", encoding="utf-8-sig", newline="") as fh:
        listed = list(csv.reader(fh))
    assert listed[0] == ["row", "column", "value", "message"]
    assert [(int(row), col, val or None, msg) for row, col, val, msg in listed[1:]] == expected
    # the good rows keep their file row numbers and their text
    assert [(x["row"], x["claim_id"], x["person_id"]) for x in read_out(tmp_path / "o.parquet")] == [(1, "G1", "P1"), (10, "G2", "P\n2")]


def test_bad_cells_are_a_list_of_structs_in_duckdb(tmp_path: Path) -> None:
    """The ``problems`` column of the claims table is typed, not text."""
    from yibao.claims import sql
    from yibao.claims.spec import ClaimsDoc

    src = write_log(tmp_path / "log.csv", [("C1", "P1", "\x1f|,", "2025-03-03", "", "1.00"), ("C2", "P1", "direct", "2025-03-03", "", "1.00")])
    con = duckdb.connect()
    cfg = ClaimsDoc(clause="x", kinds={"direct": "direct_settlement"})
    desc = con.execute(f"DESCRIBE SELECT * FROM {sql.reader_sql(str(src))}").fetchall()
    source = sql.Source(str(src), sql.reader_sql(str(src)), tuple(d[0] for d in desc), tuple(d[1] for d in desc), 6)
    con.execute(sql.parse_sql(cfg, source, sql.resolve_columns(cfg, source, with_benefit=False), with_benefit=False))
    kind = con.execute("SELECT typeof(problems) FROM claims LIMIT 1").fetchone()
    assert kind == ('STRUCT("column" VARCHAR, "value" VARCHAR, message VARCHAR)[]',)
    assert con.execute(sql.bad_cells_sql()).fetchall() == [(1, "kind", "\x1f|,", "expected one of direct")]


# ------------------------------------------------------------- the package
def test_spec_is_cheap() -> None:
    """The contract loader checks [claims] through ``yibao.claims.spec`` at
    load time: that imports neither DuckDB nor the rest of the package."""
    import subprocess

    code = (
        "import sys; from yibao import api; from yibao.contract import facts_names; "
        "from yibao.claims.spec import structure_claims; "
        "c = api.load_contract('xinxiang'); "
        "cfg = structure_claims(c.doc.claims, c.doc, c.path, facts_names(c.spec.facts_class)); "
        "assert sorted(cfg.kinds) == ['direct', 'manual'], cfg; "
        "print(sorted(m for m in ('duckdb', 'yibao.claims.sql', 'yibao.claims.run', 'yibao.claims.report', 'yibao.calendar') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_public_names_are_reexported() -> None:
    import yibao.claims as claims
    from yibao.claims import BadRow, ClaimsReport, claims_doc, render_report, run_claims
    from yibao.claims.report import render_report as render
    from yibao.claims.run import run_claims as run_
    from yibao.claims.spec import claims_doc as doc

    assert (run_claims, render_report, claims_doc) == (run_, render, doc)
    assert BadRow.__module__ == ClaimsReport.__module__ == "yibao.claims.report"
    assert set(claims.__all__) <= set(dir(claims))
    with pytest.raises(AttributeError):
        claims.nope  # noqa: B018


# ------------------------------------------------------------- 第十一条/第十二条: the year the cost was incurred
INCURRED = (*HEADER, "incurred_on")


def claims_incurred(run: Any, tmp_path: Path, rows: list[tuple[Any, ...]], *args: str) -> tuple[Any, list[dict[str, Any]]]:
    src = write_log(tmp_path / "log.csv", rows, INCURRED)
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json", *args)
    assert r.code in (0, 1), r.err
    return r, read_out(tmp_path / "o.parquet")


# P1 treated in 2025: 440,000 of costs × 90% = 396,000 (4,000 under the 40万 cap);
# a second 2025 cost of 10,000 (× 90% = 9,000) is received in 2026.
YEAR_ROWS = [
    ("A1", "P1", "manual", "2025-11-03", "2025-11-04", "440000.00", "2025-10-20"),
    ("A2", "P1", "manual", "2026-01-05", "2026-01-06", "10000.00", "2025-12-28"),
]


def test_cap_counts_in_the_year_the_cost_was_incurred(run: Any, tmp_path: Path) -> None:
    r, out = claims_incurred(run, tmp_path, YEAR_ROWS)
    rows = by_id(out)
    # incurred (the default when the column is there): both costs are 2025's; 396,000 + 9,000 > 400,000:
    # A2 gets what is left of the cap, 400,000 − 396,000 = 4,000.00
    assert rows["A1"]["benefit"] == D("396000.00")
    assert rows["A2"]["benefit"] == D("4000.00")
    assert rows["A2"]["benefit_year"] == 2025 and rows["A2"]["year"] == 2026
    assert r.json["benefit"]["year"] == "incurred"
    assert "claims_benefit_year" in {i["id"] for i in r.json["interpretations"]}


def test_received_year_reading(run: Any, tmp_path: Path) -> None:
    r, out = claims_incurred(run, tmp_path, YEAR_ROWS, "--reading", "claims_benefit_year=received")
    rows = by_id(out)
    # A2 received in 2026: a new year, 10,000 × 90% = 9,000.00 in full
    assert rows["A2"]["benefit"] == D("9000.00")
    assert rows["A2"]["benefit_year"] == 2026
    assert r.json["benefit"]["year"] == "received"


def test_without_the_column_the_received_year_is_used(run: Any, tmp_path: Path) -> None:
    r, out = claims(run, tmp_path, [row[:6] for row in YEAR_ROWS])
    assert by_id(out)["A2"]["benefit"] == D("9000.00")
    assert "benefit_year" not in out[0]
    assert r.json["benefit"]["year"] == "received"
    assert "claims_benefit_year" not in {i["id"] for i in r.json["interpretations"]}


@pytest.mark.parametrize(
    ("incurred", "ok"),
    [
        ("2025-03-03", True),  # the day it was received: at the boundary
        ("2025-03-02", True),  # the day before
        ("2025-03-04", False),  # a day after it was received: impossible
        ("", False),  # the column is there: every claim needs its date
        ("soon", False),
    ],
)
def test_incurred_on_is_checked(run: Any, tmp_path: Path, incurred: str, ok: bool) -> None:
    src = write_log(tmp_path / "log.csv", [("C1", "P1", "manual", "2025-03-03", "2025-03-04", "100.00", incurred)], INCURRED)
    r = run("claims", "xinxiang", str(src), "--format", "json")
    assert r.json["bad_rows"] == (0 if ok else 1)
    if not ok:
        [b] = r.json["bad"]
        assert (b["row"], b["column"]) == (1, "incurred_on")


# ------------------------------------------------------------- a claim paid twice: duplicate claim_id is a bad row
def test_duplicate_claim_id_is_a_bad_row(run: Any, tmp_path: Path) -> None:
    src = write_log(
        tmp_path / "log.csv",
        [
            ("D1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00"),
            ("D2", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00"),
            ("D1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00"),  # row 3: D1 again
            ("D1", "P2", "manual", "2025-03-05", "", "1.00"),  # row 4: and again
        ],
    )
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.parquet"), "--format", "json")
    assert r.code == 1
    assert (r.json["rows"], r.json["processed"], r.json["bad_rows"]) == (4, 2, 2)
    assert [(b["row"], b["column"], b["value"], b["message"]) for b in r.json["bad"]] == [
        (3, "claim_id", "D1", "duplicate claim_id: first in row 1"),
        (4, "claim_id", "D1", "duplicate claim_id: first in row 1"),
    ]
    out = read_out(tmp_path / "o.parquet")
    # paid once: rows keep their file numbers after the check
    assert [(x["row"], x["claim_id"], x["benefit"]) for x in out] == [(1, "D1", D("900.00")), (2, "D2", D("900.00"))]


def test_unique_claim_ids_are_not_flagged(run: Any, tmp_path: Path) -> None:
    r, _ = claims(run, tmp_path, [("U1", "P1", "direct", "2025-03-03", "2025-03-04", "1.00"), ("U2", "P1", "direct", "2025-03-03", "2025-03-04", "1.00")])
    assert r.json["bad_rows"] == 0
