"""The settlement statement (结算单): a page for the two parties to sign.

:func:`statement_html` builds it as one self-contained HTML document with
print CSS (A4, the table header repeated on each page, 第 N 页 共 M 页 in the
page footer); :func:`write_pdf` renders that HTML with WeasyPrint (the
``[pdf]`` extra; it needs Pango and a font with CJK glyphs, e.g.
``fonts-noto-cjk``). What it shows, for each period: the parties, the
contract and the period; every line item with its formula and clause; the
net amount due (the contract's ``[[payable]]`` items, as ``yibao ledger
balance`` counts them) in figures and in 大写; the readings in force; the
findings; and signature and seal blocks for 甲方 and 乙方. For several
periods (a series), a chart of the years: the net due, the surplus and the
payout rate where the contract has them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .money import fmt_grouped, fmt_rate, to_daxie

SEVERITY = {"info": "提示", "warning": "注意", "violation": "违约"}

CSS = """
@page {
  size: A4;
  margin: 16mm 14mm 20mm 14mm;
  @bottom-right { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; color: #333; width: 40%; }
  @bottom-left { content: string(docid); font-size: 7pt; color: #777; width: 60%; }
}
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Songti SC", "SimSun",
       "Microsoft YaHei", serif; font-size: 10pt; color: #000; }
body { margin: 0; }
h1 { font-size: 18pt; text-align: center; letter-spacing: 0.3em; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1.5px solid #000; padding-bottom: 1mm; }
.sub { text-align: center; margin-bottom: 4mm; }
.docid { string-set: docid content(); font-size: 8pt; color: #555; text-align: right; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; }
th, td { border: 0.6pt solid #333; padding: 1.2mm 1.6mm; vertical-align: top; }
th { background: #eee; font-weight: bold; white-space: nowrap; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.formula { font-size: 8.5pt; word-break: break-all; }
td.clause, td.scope { white-space: nowrap; }
table.parties td:first-child, table.net td:first-child { width: 22%; background: #f6f6f6; }
.net .big { font-size: 12pt; font-weight: bold; }
.daxie { font-size: 12pt; font-weight: bold; letter-spacing: 0.05em; }
.muted { color: #555; font-size: 8.5pt; }
.sign { width: 100%; margin-top: 8mm; border: none; page-break-inside: avoid; break-inside: avoid; }
.sign td { border: none; width: 50%; padding: 0 4mm; vertical-align: top; }
.seal { border: 0.6pt dashed #666; height: 30mm; margin: 2mm 0; text-align: center; color: #888; padding-top: 12mm; }
.line { border-bottom: 0.6pt solid #000; display: inline-block; min-width: 40mm; }
.period { page-break-before: always; break-before: page; }
.period:first-of-type { page-break-before: avoid; break-before: avoid; }
svg text { font-family: inherit; }
@media screen { body { max-width: 190mm; margin: 10mm auto; } }
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def net_due(contract: Any, period: dict[str, Any]) -> tuple[Decimal, list[dict[str, Any]]]:
    """The net amount due for one period of a compute document: the sum of
    the contract's ``[[payable]]`` items (payments only), with the parts."""
    parts = []
    total = Decimal("0")
    for p in contract.doc.payable:
        rows = [i for i in period["items"] if i["key"] == p.item and i.get("kind", "payment") == "payment"]
        if not rows:
            continue
        amount = sum((Decimal(i["amount"]) for i in rows), Decimal("0"))
        total += amount
        parts.append({"label": rows[0]["label"], "clause": p.clause, "amount": amount})
    return total, parts


def daxie(amount: Decimal) -> str:
    """人民币大写 of an amount; a negative amount says who pays it back."""
    if amount < 0:
        return f"{to_daxie(-amount)}（乙方应退回）"
    return to_daxie(amount)


def statement_html(contract: Any, doc: dict[str, Any], facts: Sequence[Any] = (), today: dt.date | None = None) -> str:
    """The 结算单 of a compute document (:func:`yibao.output.envelope`)."""
    d = contract.doc
    today = today or dt.date.today()
    periods = doc.get("results") or [doc]
    sha = (doc.get("inputs") or {}).get("contract_sha256", "")
    docid = f"{d.id} · 合同 SHA-256 {sha[:12]} · yibao {doc.get('yibao_version', '')} · {today.isoformat()}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>结算单 {_e(d.title)} {_e(', '.join(p['period'] for p in periods))}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<div class="docid">{_e(docid)}</div>',
        "<h1>结 算 单</h1>",
        f'<div class="sub">{_e(d.title)}</div>',
        '<table class="parties"><tbody>',
        f"<tr><td>甲方</td><td>{_e(d.parties.bureau)}</td></tr>",
        f"<tr><td>乙方</td><td>{_e(d.parties.insurer)}</td></tr>",
        f"<tr><td>合同</td><td>{_e(d.id)}（期限 {d.term.start.isoformat()} 至 {d.term.end.isoformat()}，{_e(d.term.clause)}）</td></tr>",
        f"<tr><td>结算期间</td><td>{_e('、'.join(p['period'] for p in periods))}</td></tr>",
        "</tbody></table>",
    ]
    if len(periods) > 1:
        out += _series(contract, periods, facts)
    for n, p in enumerate(periods):
        out += _period(contract, p, first=n == 0, many=len(periods) > 1)
    out += _readings(contract)
    out += _signatures(contract)
    out.append("</body></html>")
    return "\n".join(out)


def _period(contract: Any, p: dict[str, Any], first: bool, many: bool) -> list[str]:
    total, parts = net_due(contract, p)
    cls = "" if first else ' class="period"'
    out = [f"<section{cls}>", f"<h2>{'期间 ' + _e(p['period']) if many else '计算明细（' + _e(p['period']) + '）'}</h2>"]
    out += [
        "<table><thead><tr><th>项目</th><th>范围</th><th class='num'>金额（元）</th><th>计算</th><th>条款</th></tr></thead><tbody>"
    ]
    for i in p["items"]:
        kind = {"contingent": "（或有）", "total": ""}.get(i.get("kind", ""), "")
        out.append(
            f"<tr><td>{_e(i['label'])}{kind}</td><td class='scope'>{_e(i['scope'] or '')}</td>"
            f"<td class='num'>{fmt_grouped(Decimal(i['amount']))}</td><td class='formula'>{_e(i['formula'])}</td>"
            f"<td class='clause'>{_e(i['clause'])}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append("<h2>应付净额</h2><table class='net'><tbody>")
    for part in parts:
        out.append(f"<tr><td>{_e(part['label'])}</td><td class='num'>{fmt_grouped(part['amount'])} 元（{_e(part['clause'])}）</td></tr>")
    out.append(f"<tr><td>小写</td><td class='big'>￥{fmt_grouped(total)} 元</td></tr>")
    out.append(f"<tr><td>大写</td><td class='daxie'>人民币{_e(daxie(total))}</td></tr>")
    out.append("</tbody></table>")
    if not parts:
        out.append("<p class='muted'>本合同未约定本期间的应付项目（[[payable]]）。</p>")
    out.append("<h2>检查发现</h2>")
    if p["findings"]:
        out.append("<table><thead><tr><th>性质</th><th>范围</th><th>说明</th><th>条款</th></tr></thead><tbody>")
        for f in p["findings"]:
            out.append(
                f"<tr><td>{_e(SEVERITY.get(f['severity'], f['severity']))}</td><td>{_e(f['scope'] or '')}</td>"
                f"<td>{_e(f['message'])}</td><td class='clause'>{_e(f['clause'])}</td></tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>无。</p>")
    out.append("</section>")
    return out


def _readings(contract: Any) -> list[str]:
    its = contract.doc.interpretations
    if not its:
        return []
    out = ["<h2>采用的解释（合同文本不明确之处）</h2>", "<table><thead><tr><th>编号</th><th>条款</th><th>问题</th><th>采用的解释</th></tr></thead><tbody>"]
    for i in its:
        out.append(
            f"<tr><td>{_e(i.id)}</td><td class='clause'>{_e(i.clause)}</td><td>{_e(i.question)}</td>"
            f"<td>{_e(i.choice)}：{_e(i.readings[i.choice])}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def _signatures(contract: Any) -> list[str]:
    d = contract.doc

    def block(side: str, name: str) -> str:
        return (
            f"<td><p><b>{side}</b>：{_e(name)}</p><div class='seal'>（盖章）</div>"
            "<p>负责人或授权代表（签字）：<span class='line'>&#160;</span></p>"
            "<p>日期：<span class='line' style='min-width:12mm'>&#160;</span>年"
            "<span class='line' style='min-width:8mm'>&#160;</span>月<span class='line' style='min-width:8mm'>&#160;</span>日</p></td>"
        )

    return [
        "<h2>确认</h2><p>双方确认上列金额依合同条款计算无误。</p>",
        "<table class='sign'><tbody><tr>",
        block("甲方", d.parties.bureau),
        block("乙方", d.parties.insurer),
        "</tr></tbody></table>",
    ]


def _series(contract: Any, periods: Sequence[dict[str, Any]], facts: Sequence[Any]) -> list[str]:
    """A chart of the periods: net due (bars), the surplus at year end and
    the payout rate (payouts ÷ funding) where the contract has them."""
    rows: list[tuple[str, Decimal, Decimal | None, Decimal | None]] = []
    for n, p in enumerate(periods):
        net, _ = net_due(contract, p)
        surpluses = [Decimal(i["amount"]) for i in p["items"] if "surplus" in i["key"] and i.get("kind", "payment") == "payment"]
        funding = [Decimal(i["amount"]) for i in p["items"] if i["key"] == "funding_total" and i.get("kind", "payment") == "payment"]
        payouts = getattr(facts[n], "payouts", None) if n < len(facts) else None
        rate = (Decimal(payouts) / sum(funding)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if payouts is not None and funding and sum(funding) else None
        rows.append((p["period"], net, surpluses[-1] if surpluses else None, rate))
    top = max([abs(r[1]) for r in rows] + [abs(r[2]) for r in rows if r[2] is not None] + [Decimal(1)])
    w, h, left, base = 640, 220, 60, 180
    step = (w - left - 20) / len(rows)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {w} {h + 20}" role="img" aria-label="各期金额">']
    svg.append(f'<line x1="{left}" y1="{base}" x2="{w - 10}" y2="{base}" stroke="#000" stroke-width="0.8"/>')
    pts = []
    for k, (period, net, surplus, rate) in enumerate(rows):
        x = left + k * step + step * 0.2
        bh = float(abs(net) / top) * 150
        svg.append(f'<rect x="{x:.1f}" y="{base - bh:.1f}" width="{step * 0.35:.1f}" height="{bh:.1f}" fill="#4a6fa5"/>')
        svg.append(f'<text x="{x + step * 0.17:.1f}" y="{base + 14}" font-size="11" text-anchor="middle">{_e(period)}</text>')
        svg.append(f'<text x="{x + step * 0.17:.1f}" y="{base - bh - 3:.1f}" font-size="8" text-anchor="middle">{fmt_grouped(net)}</text>')
        if surplus is not None:
            sh = float(abs(surplus) / top) * 150
            sx = x + step * 0.4
            svg.append(f'<rect x="{sx:.1f}" y="{base - sh:.1f}" width="{step * 0.25:.1f}" height="{sh:.1f}" fill="#9bbb59"/>')
        if rate is not None:
            pts.append((x + step * 0.3, base - float(min(rate, Decimal(2))) * 75, rate))
    if len(pts) > 1:
        svg.append('<polyline fill="none" stroke="#c0504d" stroke-width="1.5" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts) + '"/>')
    for x, y, rate in pts:
        svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#c0504d"/><text x="{x + 4:.1f}" y="{y - 4:.1f}" font-size="8" fill="#c0504d">{fmt_rate(rate)}</text>')
    legend = [("#4a6fa5", "应付净额"), ("#9bbb59", "结余"), ("#c0504d", "赔付率（支出÷筹资）")]
    for k, (color, text) in enumerate(legend):
        svg.append(f'<rect x="{left + k * 150}" y="{h + 4}" width="10" height="10" fill="{color}"/><text x="{left + k * 150 + 14}" y="{h + 13}" font-size="10">{text}</text>')
    svg.append("</svg>")
    table = ["<table><thead><tr><th>期间</th><th class='num'>应付净额（元）</th><th class='num'>结余（元）</th><th class='num'>赔付率</th></tr></thead><tbody>"]
    for period, net, surplus, rate in rows:
        table.append(
            f"<tr><td>{_e(period)}</td><td class='num'>{fmt_grouped(net)}</td>"
            f"<td class='num'>{fmt_grouped(surplus) if surplus is not None else '—'}</td>"
            f"<td class='num'>{fmt_rate(rate) if rate is not None else '—'}</td></tr>"
        )
    table.append("</tbody></table>")
    total = sum((r[1] for r in rows), Decimal("0"))
    return [
        "<h2>各期概览</h2>",
        *svg,
        *table,
        f"<p>各期应付净额合计：<b>￥{fmt_grouped(total)} 元</b>（大写：<span class='daxie'>人民币{_e(daxie(total))}</span>）</p>",
    ]


def write_pdf(text: str, target: str | Path) -> None:
    """Render the statement's HTML to PDF (WeasyPrint, the ``[pdf]`` extra)."""
    from .errors import InputError  # noqa: PLC0415

    try:
        from weasyprint import HTML  # noqa: PLC0415 - heavy; only for a PDF
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise InputError.one(
            None, "--out",
            f"a PDF needs WeasyPrint and Pango (pip install 'yibao[pdf]'; apt-get install libpango-1.0-0 fonts-noto-cjk): {exc}; "
            "or write .html and print it from a browser",
        ) from None
    HTML(string=text).write_pdf(str(target))
