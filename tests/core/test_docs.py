"""The docs match the code: the hook reference is fresh, every city has its
clause page, the README's commands exist."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _gen() -> Any:
    spec = importlib.util.spec_from_file_location("gen_hooks", ROOT / "docs" / "gen_hooks.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_hook_reference_is_fresh() -> None:
    committed = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    assert committed == _gen().render(), "docs/hooks.md is stale: run python docs/gen_hooks.py"


def test_every_city_has_a_clause_page(registry: Any) -> None:
    for name in registry.contracts:
        page = ROOT / "docs" / "cities" / f"{name}.md"
        assert page.is_file(), f"docs/cities/{name}.md missing"
        text = page.read_text(encoding="utf-8")
        assert "| 条款 |" in text, f"{page}: needs the clause table"


def test_readme_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e . && yibao compute xinxiang" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tox" in ci and "tox" in readme


def test_every_city_page_is_in_the_site_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs" / "cities").glob("*.md"):
        assert f"cities/{page.name}" in nav, f"add docs/cities/{page.name} to mkdocs.yml nav"
