"""docs/excel.md runs as written: every ``sh`` block's commands, in order,
in one folder, with the real ``yibao`` console script (the clerk's path:
template → fill → compute → statement)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .guides import commands

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "excel.md"


def test_guide_commands_run(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint or Pango missing: {exc}")
    yibao = shutil.which("yibao") or str(Path(sys.executable).parent / "yibao")
    env = {**os.environ, "YIBAO_LANG": "zh"}
    cmds = [c.text for c in commands(GUIDE.read_text(encoding="utf-8"))]
    assert any(c.startswith("yibao statement") for c in cmds)
    for cmd in cmds:
        argv = shlex.split(cmd)
        if argv[0] == "pip":
            continue  # the install: done by the test environment itself
        assert argv[0] == "yibao", cmd
        r = subprocess.run([yibao, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stderr}"
    assert (tmp_path / "2025.xlsx").exists() and (tmp_path / "结果.xlsx").exists()
    assert (tmp_path / "结算单.pdf").read_bytes().startswith(b"%PDF")
    assert "人民币壹仟玖佰万元整" in (tmp_path / "结算单.html").read_text(encoding="utf-8")
