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


def test_cli_reference_renders_examples_as_code_and_no_sentinel(tmp_path: Path) -> None:
    """The built CLI reference (mkdocs + mkdocs-click, through yibao.clidoc):
    no ``Sentinel.UNSET`` default, every ``Examples:`` block a code block,
    every built-in command documented."""
    import re
    import subprocess
    import sys

    import pytest

    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocs_click")
    from yibao.cli import COMMANDS

    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    html = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "Sentinel" not in html and "UNSET" not in html
    headings = re.findall(r"<p>Examples?:</p>", html)
    assert len(headings) >= len(COMMANDS)
    assert len(re.findall(r'<p>Examples?:</p>\s*<pre><code class="language-sh">yibao ', html)) + html.count('<p>Example:</p>\n<pre><code class="language-sh">eval') == len(headings)
    for name in COMMANDS:
        assert f'id="{name}"' in html, name
