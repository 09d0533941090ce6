"""Readable tables for a terminal (``--format table``), CJK-width aware."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from .money import fmt_grouped
from .results import Result

SEVERITY_LABEL = {"info": "提示", "warning": "注意", "violation": "违约"}


def width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - width(text))
    return fill + text if right else text + fill


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    cols = len(headers)
    widths = [max([width(headers[i])] + [width(r[i]) for r in rows]) for i in range(cols)]
    line = "  ".join(pad(headers[i], widths[i], i in right) for i in range(cols)).rstrip()
    rule = "  ".join("─" * widths[i] for i in range(cols))
    body = ["  ".join(pad(r[i], widths[i], i in right) for i in range(cols)).rstrip() for r in rows]
    return "\n".join([line, rule, *body])


def render_result(result: Result) -> str:
    out = [f"{result.contract}  {result.city}  期间 {result.period}", ""]
    rows = []
    for i in result.items:
        label = i.label + ("（或有）" if i.kind == "contingent" else "")
        rows.append([label, i.scope or "", fmt_grouped(i.amount), i.clause, i.formula])
    if rows:
        out.append(table(["项目", "范围", "金额（元）", "条款", "计算"], rows, right=(2,)))
    if result.findings:
        out += ["", "发现："]
        for f in result.findings:
            scope = f"[{f.scope}] " if f.scope else ""
            out.append(f"  {SEVERITY_LABEL.get(f.severity, f.severity)} {f.key} {scope}{f.message}（{f.clause}）")
    if result.interpretations:
        out += ["", "采用的解释："]
        for it in result.interpretations:
            out.append(f"  {it.id}（{it.clause}）：{it.reading}")
            for alt in it.alternatives:
                out.append(f"      另一解释 {alt}")
    return "\n".join(out)


def render_terms(info: dict[str, Any]) -> str:
    """``yibao show`` as text."""
    out = [info["title"], f"  甲方：{info['parties']['bureau']}", f"  乙方：{info['parties']['insurer']}"]
    t = info["term"]
    out.append(f"  期限：{t['start']} 至 {t['end']}（{t['clause']}）")
    if info["steps"]:
        out += ["", "计算参数："]
        rows = [[s["key"], s["label"], s["model"], s["stage"], s["clause"], s["params"]] for s in info["steps"]]
        out.append(table(["项目", "名称", "模型", "阶段", "条款", "参数"], rows))
    if info["terms"]:
        out += ["", "其他条款："]
        out.append(table(["键", "条款内容", "值", "条款"], [[x["key"], x["label"], str(x["value"]), x["clause"]] for x in info["terms"]]))
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
        out += ["", "解释（合同文本不明确之处）："]
        for it in info["interpretations"]:
            out.append(f"  {it['id']}（{it['clause']}）{it['question']}")
            for k, v in it["readings"].items():
                mark = "●" if k == it["choice"] else "○"
                out.append(f"    {mark} {k}: {v}")
    return "\n".join(out)
