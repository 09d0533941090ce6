"""A simulation as a table (``--format table``) and as a plot (``--plot``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .run import Simulation, _publish


def _pct(p: float) -> str:
    return f"{100 * p:.2f}%"


def render(sim: Simulation, translate: Callable[[str], str] | None = None) -> str:
    """The table; ``translate`` as for :meth:`Simulation.to_dict`."""
    d = sim.to_dict(translate)
    lines = [
        f"{d['contract']}  {', '.join(d['periods'])}  {d['scenarios']:,} 个情景  seed {d['seed']}  引擎 {d['engine']}",
    ]
    if d["engine_note"]:
        lines.append(f"  注：{d['engine_note']}")
    for v in d["vary"]:
        lines.append(f"  随机：{v['key']} ~ {v['distribution']}" + (f"（事实文件中为 {v['facts_value']}）" if v["facts_value"] else ""))
    lines.append("")
    head = f"{'项目':<28}{'均值':>15}{'标准差':>14}{'P1':>15}{'P5':>15}{'P50':>15}{'P95':>15}{'P99':>15}{'P(>0)':>9}"
    for period in d["periods"]:
        if len(d["periods"]) > 1:
            lines.append(f"【{period}】")
        lines.append(head)
        for it in d["items"]:
            if it["period"] != period:
                continue
            name = it["label"] + (f"@{it['scope']}" if it["scope"] and it["scope"] != "合计" else "")
            lines.append(
                f"{name[:26]:<28}{it['mean']:>15}{it['sd']:>14}{it['p1']:>15}{it['p5']:>15}{it['p50']:>15}{it['p95']:>15}{it['p99']:>15}{_pct(it['p_positive']):>9}"
            )
        for r in d["result"]:
            if r["period"] != period:
                continue
            lines += [
                "",
                f"{r['label']}：均值 {r['mean']}（95% CI {r['mean_ci95'][0]} – {r['mean_ci95'][1]}）",
                f"  P(亏损) {_pct(r['p_loss'])}（95% CI {_pct(r['p_loss_ci95'][0])} – {_pct(r['p_loss_ci95'][1])}）  VaR99 {r['var99']}  TVaR99 {r.get('tvar99', '—')}",
            ]
        lines.append("")
    if d["runs_out"]:
        lines.append("滚存结余耗尽概率（截至各年末）：" + "；".join(f"{r['period']} {_pct(r['p_by_end'])}" for r in d["runs_out"]))
    if d["findings"]:
        lines.append("发现（情景占比）：")
        for f in d["findings"]:
            scope = f"@{f['scope']}" if f["scope"] else ""
            lines.append(f"  {f['period']} {f['key']}{scope} [{f['severity']}]  {_pct(f['p'])}")
    if d["readings"]:
        lines.append("")
        lines.append("替代读法对期望值的影响（相同情景，相对默认读法）：")
        for r in d["readings"]:
            if "not_computed" in r:
                lines.append(f"  {r['interpretation']}={r['reading']}: 无法计算（{r['not_computed']}）")
                continue
            if not r["changes"]:
                lines.append(f"  {r['interpretation']}={r['reading']}: 无变化")
                continue
            lines.append(f"  {r['interpretation']}={r['reading']}:")
            for c in r["changes"]:
                scope = f"@{c['scope']}" if c["scope"] else ""
                lines.append(f"      {c['period']} {c['key']}{scope}  均值变动 {c['mean_change']}（95% CI {c['mean_change_ci95'][0]} – {c['mean_change_ci95'][1]}），{_pct(c['p_changed'])} 的情景有变化")
    return "\n".join(lines).rstrip()


def plot(sim: Simulation, path: str | Path) -> None:
    """A histogram of the insurer's result in the last period: the cap (the largest
    value of the ``[simulate] cap`` item), the break-even line at 0, the mean and
    P(loss) marked. PNG or SVG by the file's suffix; written atomically."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    target = Path(path)
    if sim.histogram is None or not sim.result:
        from ..errors import InputError  # noqa: PLC0415

        raise InputError.one("command line", "--plot", "this contract has no [simulate] result to plot")
    edges, counts = sim.histogram
    r = sim.result[-1]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    total = sim.scenarios
    colors = ["#c0392b" if a + w <= 0 else "#2e86c1" for a, w in zip(edges, widths, strict=False)]
    ax.bar(edges[:-1], [c / total for c in counts], width=widths, align="edge", color=colors, linewidth=0)
    ax.axvline(0, color="black", linewidth=1.2, label="break-even (0)")
    mean = float(r["mean"])
    ax.axvline(mean, color="#7d3c98", linestyle=":", linewidth=1.2, label=f"mean {mean:,.0f}")
    if sim.cap is not None:
        ax.axvline(sim.cap, color="#27ae60", linestyle="--", linewidth=1.2, label=f"cap {sim.cap:,.0f}")
    what = " + ".join(r["add"]) + "".join(f" − {x}" for x in r["subtract"])
    ax.set_title(f"{sim.contract.doc.id} {r['period']}: {what}, {sim.scenarios:,} scenarios — P(< 0) = {100 * r['p_loss']:.2f}%", fontsize=10)
    ax.set_xlabel("yuan")
    ax.set_ylabel("share of scenarios")
    left = 1 - sum(counts) / total
    ax.text(0.01, 0.97, f"P(loss: < 0) {100 * r['p_loss']:.2f}%\n{100 * left:.2f}% of scenarios left of the axis\nVaR99 {float(r['var99']):,.0f}\nTVaR99 {float(r.get('tvar99', 0)):,.0f}", transform=ax.transAxes, va="top", fontsize=9, bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "#cccccc"})
    ax.legend(loc="upper center", fontsize=8)
    fig.tight_layout()
    fmt = target.suffix.lower().lstrip(".") or "png"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent) if str(target.parent) else ".")
    os.close(fd)
    try:
        fig.savefig(tmp, format=fmt)
        _publish(Path(tmp), target)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)
