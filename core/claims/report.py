"""What a claims run reports: bad cells, the per-year summary, the counts
that feed deductions; as JSON (``to_dict``) and as a table.

Plain values only — the report is built from what DuckDB returned and
outlives the connection, so the CLI and host systems can keep it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..money import ZERO, fmt_amount, fmt_grouped, fmt_rate
from ..render import table
from .spec import COUNT_STATUSES, ClaimsDoc, ContractText, term_value


@attrs.frozen(slots=False)
class BadRow:
    """One problem in one cell of the claim log."""

    file: str
    row: int
    column: str
    value: str | None
    message: str

    def __str__(self) -> str:
        got = "empty" if self.value is None else repr(self.value)
        return f"{self.file}: row {self.row}: {self.column}: {self.message} (got {got})"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@attrs.frozen(slots=False)
class SummaryRow:
    """One year and kind of claims; ``overdue`` is None without ``as_of``
    (nothing can be called overdue without the extraction date)."""

    year: int
    kind: str
    deadline: str
    clause: str
    claims: int
    settled: int
    on_time: int
    late: int
    open: int
    overdue: int | None
    benefit: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        d = attrs.asdict(self)
        d["benefit"] = None if self.benefit is None else fmt_amount(self.benefit)
        return d


@attrs.frozen(slots=False)
class CountRow:
    """One ``[[claims.counts]]`` entry for one year: the figure to put into
    that period's facts under ``fact``."""

    key: str
    label: str
    clause: str
    year: int
    value: int
    fact: str | None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen(slots=False)
class ClaimsReport:
    """What ``yibao claims`` prints (``to_dict`` is its JSON)."""

    contract: str
    city: str
    file: str
    rows: int
    processed: int
    bad_rows: int
    bad: tuple[BadRow, ...]
    summary: tuple[SummaryRow, ...]
    counts: tuple[CountRow, ...]
    benefit: dict[str, Any] | None
    interpretations: tuple[dict[str, Any], ...]
    out: str | None
    bad_rows_file: str | None
    as_of: dt.date | None
    seconds: float

    @property
    def late(self) -> int:
        return sum(s.late + (s.overdue or 0) for s in self.summary)

    @property
    def has_violations(self) -> bool:
        """Late or overdue claims, or bad rows: the CLI exits 1."""
        return self.late > 0 or self.bad_rows > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "city": self.city,
            "file": self.file,
            "rows": self.rows,
            "processed": self.processed,
            "bad_rows": self.bad_rows,
            "bad": [b.to_dict() for b in self.bad],
            "bad_rows_file": self.bad_rows_file,
            "out": self.out,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "summary": [s.to_dict() for s in self.summary],
            "counts": [c.to_dict() for c in self.counts],
            "benefit": self.benefit,
            "interpretations": list(self.interpretations),
        }


# --------------------------------------------------------------- parts of a report
def counts(cfg: ClaimsDoc, summary: Sequence[SummaryRow]) -> tuple[CountRow, ...]:
    """Each ``[[claims.counts]]`` per year of the summary (0 when none):
    from the summary, so the file is not read again."""
    out: list[CountRow] = []
    years = sorted({s.year for s in summary})
    for c in cfg.counts:
        statuses = COUNT_STATUSES[c.count]
        kinds = set(c.kinds or cfg.kinds)
        for y in years:
            n = 0
            for s in summary:
                if s.year != y or s.kind not in kinds:
                    continue
                per = {"on_time": s.on_time, "late": s.late, "open": s.open - (s.overdue or 0), "overdue": s.overdue or 0}
                n += sum(per[st] for st in statuses)
            out.append(CountRow(c.key, c.label, c.clause, y, n, c.fact))
    return tuple(out)


def benefit_info(doc: ContractText, cfg: ClaimsDoc, basis: str, year: str = "received") -> dict[str, Any] | None:
    """The benefit rule as applied, with its figures resolved, for the
    report to say what was computed and under which clause."""
    b = cfg.benefit
    if b is None:
        return None
    ratio, cap = term_value(doc, b.ratio), term_value(doc, b.annual_cap)
    info: dict[str, Any] = {
        "clause": b.clause,
        "label": b.label,
        "basis": basis,
        "year": year,
        "ratio": fmt_rate(ratio),
        "annual_cap": fmt_amount(cap),
    }
    if b.deductible is not None:
        info["deductible"] = fmt_amount(term_value(doc, b.deductible))
    return info


def interpretations_used(contract: Any, cfg: ClaimsDoc, has_incurred: bool = False) -> tuple[dict[str, Any], ...]:
    """The interpretations that affected the run (the benefit basis; the
    benefit year when the log has an ``incurred_on`` column)."""
    b = cfg.benefit
    if b is None:
        return ()
    ids = [b.basis_interpretation]
    if has_incurred:
        ids.append(b.year_interpretation)
    out = []
    for iid in ids:
        if iid is None:
            continue
        it = contract.interpretations[iid]
        out.append({"id": it.id, "clause": it.clause, "reading": it.reading, "alternatives": list(it.alternatives)})
    return tuple(out)


# --------------------------------------------------------------- rendering
def render_report(r: ClaimsReport) -> str:
    """``yibao claims --format table``."""
    out = [f"{r.contract}  {r.city}  {r.file}", f"  行数 {r.rows}：已处理 {r.processed}，错误行 {r.bad_rows}（{r.seconds:.1f} 秒）"]
    if r.out:
        out.append(f"  逐笔结果：{r.out}")
    if r.bad_rows_file:
        out.append(f"  错误行清单：{r.bad_rows_file}")
    with_benefit = r.benefit is not None
    headers = ["年度", "类别", "期限", "条款", "笔数", "已结算", "按期", "逾期", "未结算"]
    right = [4, 5, 6, 7, 8]
    if r.as_of is not None:
        headers.append(f"其中至{r.as_of}已超期")
        right.append(len(headers) - 1)
    if with_benefit:
        headers.append("待遇（元）")
        right.append(len(headers) - 1)
    rows = []
    for s in r.summary:
        row = [str(s.year), s.kind, s.deadline, s.clause, str(s.claims), str(s.settled), str(s.on_time), str(s.late), str(s.open)]
        if r.as_of is not None:
            row.append(str(s.overdue or 0))
        if with_benefit:
            row.append(fmt_grouped(s.benefit or ZERO))
        rows.append(row)
    if rows:
        out += ["", table(headers, rows, right=right)]
    if r.counts:
        out += ["", "扣减依据（计数）："]
        out.append(
            table(
                ["键", "年度", "数量", "条款", "事项", "对应事实键"],
                [[c.key, str(c.year), str(c.value), c.clause, c.label, c.fact or "—"] for c in r.counts],
                right=[2],
            )
        )
    if r.benefit is not None:
        b = r.benefit
        text = f"  {b['label']}（{b['clause']}）：{b['ratio']} × 金额，每人每年不超过 {b['annual_cap']}"
        if b["basis"] == "whole_cost":
            text += f"，每人每年前 {b.get('deductible')} 不计"
        out += ["", "待遇规则：", text]
    for it in r.interpretations:
        out += [f"  采用的解释 {it['id']}（{it['clause']}）：{it['reading']}"]
    return "\n".join(out)
