"""``docs/cities/*.md`` clause tables stay tied to the contract TOML: every
clause a step cites has a row, and every row that says "computed" names an
item one of the contract's steps produces (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CITIES = ("huaian", "huaiyang", "luoyang", "xianyang", "xinxiang")
PARTS = re.compile(r"^(?P<base>[^()（）]+?)(?P<groups>(?:[(（][^()（）]+[)）])*)(?P<tail>[0-9]*(?:[(（][^()（）]+[)）])?)$")


def clause_rows(city: str) -> list[tuple[str, str, str]]:
    """(条款, 处理, 项目/发现) of each row of the page's clause table."""
    text = (ROOT / "docs" / "cities" / f"{city}.md").read_text(encoding="utf-8")
    section = text.split("## Clause table", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] not in ("条款", "---") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[2], cells[3]))
    return rows


def cited_parts(clause: str) -> list[str]:
    """One cited clause as the rows it needs: 第三条(四)(五) -> 第三条(四), 第三条(五);
    several clauses joined with 、 each."""
    out = []
    for part in re.split(r"[、，,]", clause):
        part = part.strip().replace(" ", "")
        m = re.fullmatch(r"(?P<base>[^()（）]+)(?P<groups>(?:[(（][^()（）]+[)）]){2,})", part)
        if m:
            out += [m["base"] + g for g in re.findall(r"[(（][^()（）]+[)）]", m["groups"])]
        else:
            out.append(part)
    return out


def norm(clause: str) -> str:
    return clause.replace(" ", "").replace("（", "(").replace("）", ")")


@pytest.mark.parametrize("city", CITIES)
def test_every_cited_clause_has_a_row(contract: Any, city: str) -> None:
    c = contract(city)
    rows = {norm(r[0]) for r in clause_rows(city)}
    missing = set()
    for b in c.steps:
        for part in cited_parts(b.step.clause):
            p = norm(part)
            # a row for the clause itself, or for one of its sub-clauses (第二十九条 -> 第二十九条(一)…)
            if p not in rows and not any(r.startswith(p) for r in rows) and not any("-" in r and r.split("(")[0] == p.split("(")[0] for r in rows):
                missing.add(f"{part} (step {b.step.key or b.step.model}, cited as {b.step.clause!r})")
    assert not missing, f"docs/cities/{city}.md has no clause-table row for: " + "; ".join(sorted(missing))


@pytest.mark.parametrize("city", CITIES)
def test_every_computed_row_names_its_step(contract: Any, city: str) -> None:
    c = contract(city)
    items = {o.key for b in c.steps for o in b.outputs.values()}
    bad = []
    for clause, how, what in clause_rows(city):
        if "computed" not in how or "claim logs" in how:
            continue  # a claim log's figures are computed by `yibao claims` ([claims]), not by a step
        named = set(re.findall(r"`([a-z][a-z0-9_.]*)`", what))
        if not named & items:
            bad.append(f"{clause}: {what!r}")
    assert not bad, f"docs/cities/{city}.md: rows marked computed that name no item a step produces: " + "; ".join(bad)
