"""docs/severities.md lists every finding code declared in the core, Huaiyang and
Xianyang, with the severity the code gives it (issue 15: severities mean one
thing everywhere)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "severities.md"
SEVERITIES = {"info", "warning", "violation"}


def documented() -> dict[str, set[str]]:
    """code -> the severities its row names (``info / warning``); ``stated.*``
    style codes keep their ``*``."""
    out: dict[str, set[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        sev = {s.strip() for s in cells[1].split("/")} & SEVERITIES or {"any"}
        for code in re.findall(r"`([^`]+)`", cells[0]):
            out[code] = sev
    return out


def _literal(node: ast.AST) -> str | None:
    """A string constant, or an f-string's literal head followed by ``*``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return f"{node.values[0].value}*"
    return None


def _severities(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and node.value in SEVERITIES:
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _severities(node.body) | _severities(node.orelse)
    return set()


def declared_in_python(paths: list[Path]) -> list[tuple[str, set[str], str]]:
    """(code, severities, file) of each ``….finding(KEY, SEVERITY, …)`` and
    ``Finding(KEY, SEVERITY, …)`` whose key is written out."""
    out = []
    for f in paths:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("finding", "Finding"):
                continue
            key = _literal(node.args[0])
            if key is not None:
                out.append((key, _severities(node.args[1]), f.name))
    return out


def declared_in_toml(path: Path) -> list[tuple[str, set[str], str]]:
    """Every inline finding table (``{ key = …, severity = … }``) of a contract."""
    out: list[tuple[str, set[str], str]] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if "key" in v and "severity" in v:
                out.append((v["key"], {v["severity"]}, str(path.relative_to(ROOT))))
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return out


def declared() -> list[tuple[str, set[str], str]]:
    files = sorted((ROOT / "core").rglob("*.py")) + [ROOT / "plugins" / c / "__init__.py" for c in ("huaiyang", "xianyang")]
    found = declared_in_python(files)
    for city in ("huaiyang", "xianyang"):
        found += declared_in_toml(ROOT / "plugins" / city / "contract.toml")
    return found


def _row(doc: dict[str, set[str]], code: str) -> set[str] | None:
    if code in doc:
        return doc[code]
    if code.endswith("*"):
        return doc.get(code.rstrip("*").rstrip(".") + ".*")
    return None


def test_every_declared_finding_has_its_row_and_severity() -> None:
    doc = documented()
    found = declared()
    assert len(found) > 20  # the scan sees the codes (a scan that finds nothing cannot fail)
    missing = [(code, where) for code, _, where in found if _row(doc, code) is None]
    assert missing == []
    wrong = [(code, sev, where) for code, sev, where in found if sev and not sev <= (_row(doc, code) or set())]
    assert wrong == []


def test_the_definitions_are_stated_and_linked() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "a party (甲方 or 乙方) breaches a duty" in text
    assert "severities.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_a_wrong_row_is_caught(tmp_path: Path) -> None:
    # the check is not vacuous: a violation declared in code against a row saying warning
    src = tmp_path / "m.py"
    src.write_text('ledger.finding("x.y", "violation", "m", "c")\nledger.finding(f"z.{k}", "info" if ok else "warning", "m", "c")\n', encoding="utf-8")
    found = {code: sev for code, sev, _ in declared_in_python([src])}
    assert found == {"x.y": {"violation"}, "z.*": {"info", "warning"}}
    assert not found["x.y"] <= {"warning"}
