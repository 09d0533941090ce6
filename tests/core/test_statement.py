"""``yibao statement``: the 结算单 as HTML and PDF.

Figures worked by hand: Xinxiang 2025 (第十九条 100000人 × 190元 =
19,000,000.00, the [[payable]] item): 壹仟玖佰万元整. Huaiyang 2025–2027
(第二十八条 参保人数 × 150元): 56000 × 150 = 8,400,000; 57000 × 150 =
8,550,000; 57500 × 150 = 8,625,000; together 25,575,000.00 =
贰仟伍佰伍拾柒万伍仟元整.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.statement import daxie

HUAIYANG = [str(Path(api.example_facts(api.load_contract("huaiyang"))).parent / f"{y}.toml") for y in (2025, 2026, 2027)]


def _weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint or Pango missing: {exc}")


def test_html_has_everything_to_sign(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "结算单.html"
    r = run("statement", "xinxiang", "--out", str(out))
    assert r.code == 0, r.err
    text = out.read_text(encoding="utf-8")
    doc = run("compute", "xinxiang", "--format", "json").json
    c = api.load_contract("xinxiang")
    assert c.doc.parties.bureau in text and c.doc.parties.insurer in text
    assert "xinxiang-2025" in text and "结算期间" in text
    for item in doc["items"]:
        assert item["clause"] in text and item["label"] in text
    assert "￥19,000,000.00 元" in text and "人民币壹仟玖佰万元整" in text
    for i in c.doc.interpretations:
        assert i.id in text
    assert text.count("（盖章）") == 2 and "甲方</b>" in text and "乙方</b>" in text
    assert "counter(page)" in text and "@page" in text  # page numbers when printed


def test_findings_are_listed(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    r = run("statement", "luoyang", "--out", str(out))
    doc = run("compute", "luoyang", "--format", "json").json
    assert r.code == (1 if any(f["severity"] == "violation" for f in doc["findings"]) else 0)
    text = out.read_text(encoding="utf-8")
    assert doc["findings"]
    for f in doc["findings"]:
        assert f["clause"] in text


def test_series_has_a_chart_and_the_total(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    args = [a for f in HUAIYANG for a in ("--facts", f)]
    r = run("statement", "huaiyang", *args, "--out", str(out))
    assert r.code in (0, 1), r.err
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and "各期概览" in text
    for amount in ("8,400,000.00", "8,550,000.00", "8,625,000.00"):
        assert amount in text
    assert "￥25,575,000.00 元" in text and "人民币贰仟伍佰伍拾柒万伍仟元整" in text


def test_negative_net_says_who_pays_back() -> None:
    assert daxie(Decimal("-1200.50")) == "壹仟贰佰元伍角（乙方应退回）"


def test_bad_suffix(run: Any, tmp_path: Path) -> None:
    r = run("statement", "xinxiang", "--out", str(tmp_path / "s.docx"))
    assert r.code == 2 and "expected a .pdf or .html" in r.err


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def test_pdf_text_has_every_clause_and_the_daxie(run: Any, tmp_path: Path) -> None:
    _weasyprint()
    facts = tmp_path / "2025.xlsx"
    assert run("template", "xinxiang", "--out", str(facts), "--example").code == 0
    out = tmp_path / "结算单.pdf"
    r = run("statement", "xinxiang", "--facts", str(facts), "--out", str(out))
    assert r.code == 0, r.err
    assert out.read_bytes().startswith(b"%PDF")
    text = _pdf_text(out)
    flat = "".join(text.split())  # a long cell wraps over lines
    doc = run("compute", "xinxiang", "--format", "json").json
    for item in doc["items"]:
        assert "".join(item["clause"].split()) in flat, item["clause"]
    assert "人民币壹仟玖佰万元整" in flat
    assert "新乡市医疗保险中心" in flat and "（盖章）" in flat
    pages = re.findall(r"第(\d+)页共(\d+)页", flat)
    total = int(pages[0][1])
    assert total >= 2 and [int(n) for n, _ in pages] == list(range(1, total + 1))  # every page numbered, of the same total
    assert all(int(m) == total for _, m in pages)


def test_pdf_page_renders_to_an_image(run: Any, tmp_path: Path) -> None:
    _weasyprint()
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    from PIL import Image

    out = tmp_path / "s.pdf"
    args = [a for f in HUAIYANG for a in ("--facts", f)]
    assert run("statement", "huaiyang", *args, "--out", str(out)).code in (0, 1)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    img = Image.open(png).convert("L")
    w, h = img.size
    assert 400 < w < 450 and h > w  # A4 portrait at 50 dpi: 413 × 585
    dark = sum(1 for px in img.tobytes() if px < 128)
    assert dark > 0.01 * w * h  # text, tables and the chart were drawn
    # the chart's bars (#4a6fa5) are on the first page
    rgb = Image.open(png).convert("RGB")
    raw = rgb.tobytes()
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    assert any(abs(r - 0x4A) < 20 and abs(g - 0x6F) < 20 and abs(b - 0xA5) < 20 for r, g, b in pixels)
