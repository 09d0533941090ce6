"""Excel/WPS in and out (core/excel.py): facts templates and workbooks,
rosters as .xlsx, results and claim logs as .xlsx, CSV for Excel (BOM,
formula injection), GBK/GB18030 inputs.

Expected figures are worked by hand from the Xinxiang contract
(shared/contracts, 新乡 2025): 第十九条 缴费标准每人每年190元; 第二十一条(1)(2)
年度盈利率控制在筹集总额的3.85%以内; 第二十九条 80–90分每低1分扣0.5%.
"""

from __future__ import annotations

import csv
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

from yibao import api  # noqa: E402
from yibao.errors import InputError  # noqa: E402
from yibao.excel import MAX_ROWS, neutralise, write_rows  # noqa: E402

CITIES = ("xinxiang", "luoyang", "xianyang", "huaian", "huaiyang")


def _same_result(a: dict[str, Any], b: dict[str, Any]) -> None:
    for k in ("items", "findings", "interpretations", "period"):
        assert a[k] == b[k], k


# ------------------------------------------------------------------ template
@pytest.mark.parametrize("city", CITIES)
def test_template_example_round_trips_to_the_same_result(run: Any, tmp_path: Path, city: str) -> None:
    out = tmp_path / "facts.xlsx"
    r = run("template", city, "--out", str(out), "--example")
    assert r.code == 0, r.err
    from_xlsx = run("compute", city, "--facts", str(out), "--format", "json")
    bundled = run("compute", city, "--format", "json")
    assert from_xlsx.code == bundled.code, from_xlsx.err
    _same_result(from_xlsx.json, bundled.json)
    assert from_xlsx.json["inputs"]["facts"][0]["source"] == str(out)


def test_template_sheets_headers_notes_and_validation(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("template", "xinxiang", "--out", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["基本信息", "行政区划"]
    main = wb["基本信息"]
    assert [c.value for c in main[1]] == ["项目", "值", "键", "条款", "说明"]
    rows = {r[2]: r for r in main.iter_rows(min_row=2, values_only=True) if r[2]}
    assert rows["score"][0] == "年度总评分 *" and rows["score"][3] == "第二十九条"
    assert rows["year"][3] == "第五条"
    assert rows["roster"][0] == "花名册文件（相对本文件）"  # optional: no *
    regions = wb["行政区划"]
    assert [c.value for c in regions[1]] == ["行政区划", "参保人数", "大额补助资金年度支出（元）", "政策性亏损（元）", "当年实际筹集资金（元）", "本区划年度总评分"]
    note = regions["B1"].comment.text
    assert "regions[].insured" in note and "第十九条" in note and "必填" in note
    # a score is 0–100 (validated in Excel); a count is a whole number ≥ 0
    kinds = {(dv.type, dv.formula1, dv.formula2) for dv in main.data_validations.dataValidation}
    assert ("decimal", "0", "100") in kinds
    assert ("whole", "0", None) in {(dv.type, dv.formula1, dv.formula2) for dv in regions.data_validations.dataValidation}


def test_yes_no_fields_offer_a_list(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run("template", "xianyang", "--out", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    lists = [dv for dv in wb["基本信息"].data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"是,否"'
    # a list of values (第十条3(4): one deduction per financial issue) is its own sheet
    assert "财务制度问题扣款" in wb.sheetnames


def _fill_xinxiang(path: Path, score: Any = 85, payouts: Any = 17900000, insured: Any = 100000) -> None:
    wb = openpyxl.load_workbook(path)
    main = wb["基本信息"]
    for row in main.iter_rows(min_row=2):
        key = row[2].value
        if key == "year":
            row[1].value = 2025
        elif key == "score":
            row[1].value = score
    regions = wb["行政区划"]
    regions["A2"], regions["B2"], regions["C2"] = "市本级", insured, payouts
    wb.save(path)


def test_a_clerk_fills_the_blank_template_and_computes(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "2025.xlsx"
    assert run("template", "xinxiang", "--out", str(out)).code == 0
    _fill_xinxiang(out)
    r = run("compute", "xinxiang", "--facts", str(out), "--format", "json")
    assert r.code == 0, r.err
    items = {(i["key"], i["scope"]): i["amount"] for i in r.json["items"]}
    # 第十九条: 100000人 × 190元 = 19,000,000.00
    assert items[("funding_total", "市本级")] == "19000000.00"
    # 第二十一条: min(19,000,000 − 17,900,000, 19,000,000 × 3.85% = 731,500) = 731,500.00
    assert items[("approved_profit", "市本级")] == "731500.00"
    # 第二十九条: 85分, 5 points under 90 × 0.5% = 2.5% of 731,500 = 18,287.50
    assert items[("profit_deduction", "市本级")] == "18287.50"
    assert items[("profit_returned", "市本级")] == "713212.50"
    v = run("validate", "xinxiang", "--facts", str(out), "--format", "json")
    assert v.code == 0, v.err


def test_a_cell_typed_with_decimals_is_read_as_excel_shows_it(contract: Any, tmp_path: Path, run: Any) -> None:
    out = tmp_path / "f.xlsx"
    assert run("template", "xinxiang", "--out", str(out)).code == 0
    _fill_xinxiang(out, payouts=17900000.1, score=85.5)
    facts = api.load_facts(contract("xinxiang"), out)
    assert facts.regions[0].payouts == Decimal("17900000.1")
    assert facts.score == Decimal("85.5")


def test_errors_name_sheet_cell_and_key_path(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "facts.xlsx"
    assert run("template", "xinxiang", "--out", str(out)).code == 0
    _fill_xinxiang(out)
    wb = openpyxl.load_workbook(out)
    regions = wb["行政区划"]
    regions["A3"], regions["B3"], regions["C3"] = "县区", -5, 100
    wb.save(out)
    r = run("compute", "xinxiang", "--facts", str(out), "--format", "json")
    assert r.code == 2
    assert f"{out}: 行政区划!B3 (regions[1].insured): expected a number ≥ 0, got -5" in r.err
    assert r.json["problems"][0]["cell"] == "行政区划!B3" and r.json["problems"][0]["path"] == "regions[1].insured"
    assert "Traceback" not in r.err


def test_unknown_column_and_sheet_are_named(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "facts.xlsx"
    assert run("template", "xinxiang", "--out", str(out), "--example").code == 0
    wb = openpyxl.load_workbook(out)
    wb["行政区划"]["E1"] = "参保人"
    wb.create_sheet("备注")
    wb.save(out)
    r = run("validate", "xinxiang", "--facts", str(out))
    assert r.code == 2
    assert "行政区划!E1 (regions): unknown column '参保人'; did you mean '参保人数'?" in r.err
    assert "备注!A1: unknown sheet '备注'" in r.err


def test_not_a_workbook(run: Any, tmp_path: Path) -> None:
    bad = tmp_path / "facts.xlsx"
    bad.write_text("year = 2025", encoding="utf-8")
    r = run("compute", "xinxiang", "--facts", str(bad))
    assert r.code == 2 and "not an Excel workbook" in r.err and "Traceback" not in r.err


def test_template_toml(run: Any, tmp_path: Path, contract: Any) -> None:
    out = tmp_path / "f.toml"
    assert run("template", "luoyang", "--out", str(out), "--example").code == 0
    import attrs

    example = api.load_facts(contract("luoyang"), api.example_facts(contract("luoyang")))
    written = api.load_facts(contract("luoyang"), out)
    assert written == attrs.evolve(example, roster="f.roster.csv")  # the roster copied beside it
    assert (tmp_path / "f.roster.csv").read_bytes() == (Path(api.example_facts(contract("luoyang"))).parent / "roster.csv").read_bytes()
    blank = tmp_path / "blank.toml"
    assert run("template", "xinxiang", "--out", str(blank)).code == 0
    text = blank.read_text(encoding="utf-8")
    assert "regions" in text and "insured = 0" in text
    r = run("template", "xinxiang", "--out", str(tmp_path / "f.json"))
    assert r.code == 2 and "expected a .xlsx or .toml" in r.err


def test_a_directory_holds_workbooks_too(run: Any, tmp_path: Path) -> None:
    d = tmp_path / "periods"
    d.mkdir()
    assert run("template", "huaiyang", "--out", str(d / "2025.xlsx"), "--example").code == 0
    (d / "~$2025.xlsx").write_bytes(b"")  # Excel's lock file while the workbook is open: not a period
    r = run("compute", "huaiyang", "--facts", str(d), "--format", "json")
    assert r.code == 0, r.err
    _same_result(r.json, run("compute", "huaiyang", "--format", "json").json)


# ------------------------------------------------------------------ rosters
def test_roster_workbook_reads_like_its_csv(run: Any, tmp_path: Path, contract: Any) -> None:
    out = tmp_path / "f.xlsx"
    assert run("template", "luoyang", "--out", str(out), "--example").code == 0
    roster_xlsx = tmp_path / "f.roster.xlsx"
    assert roster_xlsx.exists()
    c = contract("luoyang")
    csv_path = Path(api.example_facts(c)).parent / "roster.csv"
    assert api.load_roster(roster_xlsx, c) == api.load_roster(csv_path, c)
    wb = openpyxl.load_workbook(roster_xlsx)
    ws = wb.active
    assert ws.title == "花名册" and ws["A1"].value == "编号" and ws["A1"].comment.text == "键：id"


def test_roster_workbook_errors_name_the_cell(run: Any, tmp_path: Path) -> None:
    roster = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["编号", "经办机构", "岗位", "工作年限"])
    ws.append(["S1", "市本级", "经办", "三年"])
    wb.save(roster)
    r = run("validate", "luoyang", "--roster", str(roster))
    assert r.code == 2
    assert f"{roster}: 人员!D2 (row 2.experience_years):" in r.err


# ------------------------------------------------------------------ results
def test_result_workbook(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "result.xlsx"
    r = run("compute", "xinxiang", "--out", str(out))
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["项目", "发现", "解释", "输入"]
    items = wb["项目"]
    assert [c.value for c in items[1]] == ["期间", "项目", "范围", "金额（元）", "计算", "条款", "键", "性质"]
    row = next(r for r in items.iter_rows(min_row=2) if r[6].value == "profit_deduction")
    assert row[3].value == 18287.5 and row[3].number_format == "#,##0.00" and row[5].value == "第二十九条"
    assert wb["输入"]["B2"].value == "xinxiang-2025"
    r = run("compute", "xinxiang", "--format", "xlsx")
    assert r.code == 2 and "needs --out" in r.err


def test_result_never_overwrites_an_input(run: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.xlsx"
    assert run("template", "xinxiang", "--out", str(facts), "--example").code == 0
    before = facts.read_bytes()
    r = run("compute", "xinxiang", "--facts", str(facts), "--out", str(facts))
    assert r.code == 2 and "is an input of this run" in r.err
    assert facts.read_bytes() == before


def test_formula_text_stays_text_in_a_workbook(run: Any, tmp_path: Path) -> None:
    facts = tmp_path / "f.toml"
    facts.write_text('year = 2025\nscore = 85\n[[regions]]\nname = "=HYPERLINK(\\"http://x\\")"\ninsured = 1\npayouts = 1\n', encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert run("compute", "xinxiang", "--facts", str(facts), "--out", str(out)).code in (0, 1)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    cell = next(r[2] for r in openpyxl.load_workbook(out)["项目"].iter_rows(min_row=2) if r[2].value and r[2].value.startswith("="))
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.parametrize(("value", "expected"), [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("a=1", "a=1"), (5, 5)])
def test_neutralise(value: Any, expected: Any) -> None:
    assert neutralise(value) == expected


# ------------------------------------------------------------------ claim logs
HEADER = ("claim_id", "person_id", "kind", "received_on", "settled_on", "amount_eligible")


def _log(path: Path, rows: list[tuple[str, ...]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_claims_csv_is_for_excel(run: Any, tmp_path: Path) -> None:
    src = _log(tmp_path / "log.csv", [("=cmd|' /C calc'!A0", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00")])
    r = run("claims", "xinxiang", str(src), "--out", str(tmp_path / "o.csv"), "--format", "json")
    assert r.code == 0, r.err
    raw = (tmp_path / "o.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["claim_id"] == "'=cmd|' /C calc'!A0"


def test_claims_workbook(run: Any, tmp_path: Path) -> None:
    src = _log(tmp_path / "log.csv", [("C1", "P1", "direct", "2025-03-03", "2025-03-04", "1000.00"), ("@C2", "P1", "direct", "2025-03-03", "2025-03-04", "1.00")])
    out = tmp_path / "o.xlsx"
    r = run("claims", "xinxiang", str(src), "--out", str(out), "--format", "json")
    assert r.code == 0, r.err
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["row", "claim_id", "person_id"]
    assert ws.max_row == 3 and ws["B3"].value == "@C2" and ws["B3"].data_type == "s"


def test_rows_beyond_excel_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "big.xlsx"
    write_rows(tmp_path / "ok.xlsx", ["a"], [[[1]]], MAX_ROWS - 1)  # the header plus 1,048,575 rows fit
    with pytest.raises(InputError, match="1,048,576 rows do not fit in one Excel sheet"):
        write_rows(out, ["a"], [], MAX_ROWS)
    assert not out.exists()


def test_gbk_claim_log_refused_saying_how_then_read(run: Any, tmp_path: Path) -> None:
    rows = [("甲1", "张三", "direct", "2025-03-03", "2025-03-04", "1000.00")]
    gbk = _log(tmp_path / "gbk.csv", rows, encoding="gbk")
    r = run("claims", "xinxiang", str(gbk), "--format", "json")
    assert r.code == 2 and "--encoding gb18030" in r.err and "CSV UTF-8" in r.err
    utf8 = _log(tmp_path / "utf8.csv", rows)
    a = run("claims", "xinxiang", str(gbk), "--encoding", "gb18030", "--format", "json")
    b = run("claims", "xinxiang", str(utf8), "--format", "json")
    assert a.code == b.code == 0, a.err
    assert a.json["summary"] == b.json["summary"] and a.json["rows"] == 1
