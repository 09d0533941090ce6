"""Readable tables for a terminal (``--format table``): CJK-width aware,
fitted to the terminal's width (``COLUMNS`` honoured), long cells wrapped
by display width; headers and findings in the user's language
(:mod:`yibao.i18n`). Imported only when a table is printed."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from .i18n import lang, tr
from .money import fmt_grouped
from .results import Result
from .textwidth import pad, width, wrap

SEVERITY_LABEL = {"info": "提示", "warning": "注意", "violation": "违约"}

#: narrowest a wrapped column gets (display columns)
MIN_COLUMN = 8


#: the width of output that goes to no terminal and no ``COLUMNS``: unlimited
UNLIMITED = 1 << 20


def terminal_width() -> int:
    """The width to fit: ``COLUMNS`` if set; else the terminal's when
    stdout is one; else unlimited (a file or a pipe keeps whole lines)."""
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return max(int(cols), 20)
    if sys.stdout.isatty():
        return max(shutil.get_terminal_size((80, 24)).columns, 20)
    return UNLIMITED


def fit(natural: Sequence[int], fixed: Sequence[bool], total: int, gap: int = 2) -> list[int]:
    """Column widths that fit ``total`` columns: the widest wrappable
    column is narrowed first, one column at a time, down to
    :data:`MIN_COLUMN`; fixed columns (amounts, clauses) never wrap."""
    widths = list(natural)
    room = total - gap * (len(widths) - 1)
    for allowed in (lambda i: not fixed[i], lambda i: True):  # fixed columns wrap only as a last resort
        while sum(widths) > room:
            candidates = [i for i, w in enumerate(widths) if allowed(i) and w > MIN_COLUMN]
            if not candidates:
                break
            widths[max(candidates, key=lambda k: widths[k])] -= 1
    return widths


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    max_width: int | None = None,
) -> str:
    """Rows under headers, each column as wide as its widest cell — unless
    that is wider than ``max_width`` (default: the terminal), when the
    wrappable columns are narrowed and their cells wrapped. Right-aligned
    columns (amounts) and ``nowrap`` columns (clauses) are never wrapped."""
    cols = len(headers)
    natural = [max([width(headers[i])] + [width(r[i]) for r in rows]) for i in range(cols)]
    fixed = [i in right or i in nowrap for i in range(cols)]
    widths = fit(natural, fixed, max_width or terminal_width())

    def lines(cells: Sequence[str]) -> list[str]:
        parts = [wrap(c, widths[i]) if width(c) > widths[i] else [c] for i, c in enumerate(cells)]
        height = max(len(p) for p in parts)
        return [
            "  ".join(pad(p[k] if k < len(p) else "", widths[i], i in right) for i, p in enumerate(parts)).rstrip()
            for k in range(height)
        ]

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([*lines(headers), rule, *(line for r in rows for line in lines(r))])


def _hanging(first: str, rest: str, total: int) -> list[str]:
    """``first`` + ``rest`` wrapped to ``total`` columns, continuation
    lines indented under the start of ``rest``."""
    indent = width(first)
    if indent > total // 2:
        indent = 6
    body = wrap(rest, max(total - indent, 20))
    return [first + body[0]] + [" " * indent + b for b in body[1:]]


def render_result(result: Result) -> str:
    zh = lang() != "en"
    total = terminal_width()
    out = [f"{result.contract}  {result.city}  {tr('Period')} {result.period}", ""]
    rows = []
    for i in result.items:
        label = i.label + ((f"（{tr('contingent')}）" if zh else " (contingent)") if i.kind == "contingent" else "")
        rows.append([label, i.scope or "", fmt_grouped(i.amount), i.clause, i.formula])
    if rows:
        headers = [tr("Item"), tr("Scope"), tr("Amount (元)"), tr("Clause"), tr("Computation")]
        out.append(table(headers, rows, right=(2,), nowrap=(3,), max_width=total))
    if result.findings:
        out += ["", tr("Findings:")]
        for f in result.findings:
            scope = f"[{f.scope}] " if f.scope else ""
            severity = SEVERITY_LABEL.get(f.severity, f.severity) if zh else f.severity
            clause = f"（{f.clause}）" if zh else f" ({f.clause})"
            out += _hanging(f"  {severity} ", f"{f.key} {scope}{tr(f.message)}{clause}", total)
    if result.interpretations:
        out += ["", tr("Readings applied:")]
        for it in result.interpretations:
            out += _hanging("  ", f"{it.id}（{it.clause}）：{it.reading}", total)
            for alt in it.alternatives:
                out += _hanging(f"      {tr('alternative')} ", alt, total)
    return "\n".join(out)


def render_terms(info: dict[str, Any]) -> str:
    """``yibao show`` as text."""
    out = [info["title"], f"  甲方：{info['parties']['bureau']}", f"  乙方：{info['parties']['insurer']}"]
    t = info["term"]
    out.append(f"  期限：{t['start']} 至 {t['end']}（{t['clause']}）")
    if info["steps"]:
        out += ["", "计算参数："]
        rows = [[s["key"], s["label"], s["model"], s["stage"], s["clause"], s["params"]] for s in info["steps"]]
        out.append(table(["项目", "名称", "模型", "阶段", "条款", "参数"], rows, nowrap=(0, 4)))
    if info["terms"]:
        out += ["", "其他条款："]
        out.append(table(["键", "条款内容", "值", "条款"], [[x["key"], x["label"], str(x["value"]), x["clause"]] for x in info["terms"]], nowrap=(3,)))
    if info["deadlines"]:
        out += ["", "期限："]
        unit = {
            "working_days": "个工作日",
            "days": "日",
            "months": "个月",
            "month_ends": "个月末",
            "quarter_ends": "个季度末",
            "year_ends": "个年度末",
        }
        out.append(
            table(
                ["键", "事项", "期限", "起算", "条款", "解释"],
                [
                    [d["key"], d["label"], f"{d['count']}{unit[d['unit']]}", d["start"], d["clause"], d.get("reading") or ""]
                    for d in info["deadlines"]
                ],
            )
        )
    if info["interpretations"]:
        total = terminal_width()
        out += ["", "解释（合同文本不明确之处）："]
        for it in info["interpretations"]:
            out += _hanging("  ", f"{it['id']}（{it['clause']}）{it['question']}", total)
            for k, v in it["readings"].items():
                mark = "●" if k == it["choice"] else "○"
                out += _hanging(f"    {mark} {k}: ", v, total)
    return "\n".join(out)
