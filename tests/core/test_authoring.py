"""Adding a city in minutes (new-city), comparing cities, diffing versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .guides import guide_blocks


def test_new_city_scaffold_loads_computes_and_breaks_cleanly(run: Any, tmp_path: Path) -> None:
    res = run("new-city", "kaifeng", "--dir", str(tmp_path), "--from", "xinxiang")
    assert res.code == 0, res.err
    root = tmp_path / "yibao-kaifeng"
    pkg = root / "yibao_kaifeng"
    assert (root / "pyproject.toml").read_text(encoding="utf-8").count('kaifeng = "yibao_kaifeng"') == 1
    assert (pkg / "contract.toml").read_text(encoding="utf-8").startswith("#:schema ")
    assert 'id = "kaifeng-2025"' in (pkg / "contract.toml").read_text(encoding="utf-8")
    assert (root / "schemas" / "facts.schema.json").is_file()
    assert "| 条款 |" in (root / "docs" / "kaifeng.md").read_text(encoding="utf-8")

    listed = run("--plugins-dir", str(root), "list", "--format", "json")
    assert "kaifeng" in [r["name"] for r in listed.json["contracts"]]
    computed = run("--plugins-dir", str(root), "compute", "kaifeng", "--format", "json")
    assert computed.code == 0 and computed.json["city"] == "kaifeng"

    # the scaffold's own test runs
    env = {**os.environ, "PYTHONPATH": str(root)}
    t = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")], env=env, capture_output=True, text=True)
    assert t.returncode == 0 and "2 passed" in t.stdout, t.stdout + t.stderr  # yibao.testing fixtures, via pytest11

    # break its TOML: a clear error for that city, the others still work
    toml = pkg / "contract.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('rate = "3.85%"', 'rte = "3.85%"'), encoding="utf-8")
    broken = run("--plugins-dir", str(root), "compute", "kaifeng")
    assert broken.code == 2 and "steps[1].rte: unknown key 'rte'" in broken.err and "did you mean 'rate'?" in broken.err
    assert run("--plugins-dir", str(root), "compute", "xinxiang").code == 0
    listed = run("--plugins-dir", str(root), "list", "--format", "json")
    assert [r for r in listed.json["contracts"] if r["name"] == "kaifeng"][0].get("error")
    assert [r for r in listed.json["contracts"] if r["name"] == "xinxiang"][0]["contract"] == "xinxiang-2025"


def test_new_city_from_nothing(run: Any, tmp_path: Path) -> None:
    assert run("new-city", "zhengzhou", "--dir", str(tmp_path)).code == 0
    res = run("--plugins-dir", str(tmp_path / "yibao-zhengzhou"), "compute", "zhengzhou", "--format", "json")
    assert res.code == 0 and res.json["items"][0]["amount"] == "150000.00"


@pytest.mark.parametrize("name", ["9lives", "Kaifeng", "kai-feng", "class", "xinxiang"])
def test_new_city_bad_names(run: Any, tmp_path: Path, name: str) -> None:
    res = run("new-city", name, "--dir", str(tmp_path))
    assert res.code == 2 and res.err.startswith("error: command line: NAME")


def test_new_city_refuses_to_overwrite(run: Any, tmp_path: Path) -> None:
    assert run("new-city", "kaifeng", "--dir", str(tmp_path)).code == 0
    res = run("new-city", "kaifeng", "--dir", str(tmp_path))
    assert res.code == 2 and "refusing to overwrite" in res.err


def test_compare(run: Any, tmp_path: Path) -> None:
    assert run("new-city", "zz", "--dir", str(tmp_path)).code == 0
    res = run("--plugins-dir", str(tmp_path / "yibao-zz"), "compare", "xinxiang", "zz", "--format", "json")
    assert res.code == 0
    assert any("第十九条" in cell for cell in res.json["xinxiang"]["fees"])
    assert any("第二十一条" in cell for cell in res.json["xinxiang"]["risk"])
    assert res.json["zz"]["risk"] == []
    assert "费用" in run("--plugins-dir", str(tmp_path / "yibao-zz"), "compare", "xinxiang", "zz", "--format", "table").out


def test_diff_parameters_and_items(run: Any, tmp_path: Path) -> None:
    old = Path(__file__).resolve().parents[2] / "plugins" / "xinxiang" / "contract.toml"
    new = tmp_path / "supplement.toml"
    new.write_text(old.read_text(encoding="utf-8").replace("rate = 190 ", "rate = 200 "), encoding="utf-8")
    facts = Path(__file__).resolve().parents[2] / "plugins" / "xinxiang" / "examples" / "2025.toml"
    res = run("diff", "xinxiang", "--contract", str(old), "--contract", str(new), "--facts", str(facts), "--format", "json")
    assert res.code == 0, res.err
    assert res.json["parameters"] == [{"key": "steps[0].rate", "old": 190, "new": 200}]
    changed = {(i["key"], i["scope"]): i for i in res.json["items"]}
    # 100,000 insured × 10 元 more = 1,000,000.00 more funding (第十九条)
    assert changed[("funding_total", "市本级")]["change"] == "1000000.00"
    # the cap follows: 3.85% × 20,000,000 = 770,000 vs 731,500; payouts 17,900,000 leave 2,100,000
    assert changed[("approved_profit", "市本级")]["new"] == "770000.00"
    assert run("diff", "xinxiang", "--contract", str(old)).code == 2


GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugin-guide.md"
#: the worked example's one line that needs the network (pip builds the distribution)
NEEDS_NETWORK = "pip install -e "


def _worked_example() -> tuple[list[str], list[tuple[str, str, str]]]:
    """docs/plugin-guide.md, "Worked example": its shell blocks, and its
    file blocks as (marker, path, text) — a block preceded by
    ``<!-- file: PATH -->`` is that file, by ``<!-- steps of: PATH -->`` the
    ``[[steps]]`` of that file (read by tests/core/guides.py)."""
    worked = [b for b in guide_blocks(GUIDE.name) if b.section.startswith("Worked example")]
    shell = [b.body for b in worked if b.lang == "sh"]
    files = [(b.marker[0], b.marker[1], b.body) for b in worked if b.marker and b.marker[0] in ("file", "steps of")]
    return shell, files


def test_the_plugin_guides_worked_example(tmp_path: Path) -> None:
    """The guide's worked example, run as written: its shell blocks in
    order (in a shell whose home is tmp_path), its files written where it
    says, then the numbers it states, at, below and above the threshold."""
    shell, files = _worked_example()
    assert len(shell) >= 4 and {p for _, p, _ in files} >= {"yibao_kaifeng/__init__.py", "yibao_kaifeng/contract.toml", "q1.toml"}
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    root = tmp_path / "src" / "yibao-kaifeng"

    def sh(block: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["bash", "-ec", block], cwd=root if root.is_dir() else tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{block}\n{done.stdout}{done.stderr}"
        return done

    assert shell[0].lstrip().startswith("mkdir") and "new-city kaifeng" in shell[0]
    sh(shell[0])  # the scaffold
    for marker, rel, body in files:
        path = root / rel
        if marker == "file":
            path.write_text(body, encoding="utf-8")
        else:
            toml = path.read_text(encoding="utf-8")
            path.write_text(toml[: toml.index("[[steps]]")] + body, encoding="utf-8")
    rest = [b for b in shell[1:] if not b.strip().startswith(NEEDS_NETWORK)]
    assert len(rest) == len(shell) - 2, "every block but the scaffold and pip is run"
    outs = [sh(block) for block in rest]
    wrote = " ".join(o.stdout for o in outs)
    assert "contract.schema.json" in wrote and "facts.schema.json" in wrote
    # schema --write in the plugin writes the plugin's schemas only
    assert sorted(p.name for p in (root / "schemas").iterdir()) == ["contract.schema.json", "facts.schema.json"]
    facts_schema = json.loads((root / "schemas" / "facts.schema.json").read_text(encoding="utf-8"))
    assert {"period", "enrolled", "score"} <= set(facts_schema["properties"])
    # the numbers the guide states: 100,001 × 1.5 ÷ 4 = 37,500.375 -> 37,500.38;
    # 79.99 < 80: 3% of it = 1,125.0114 -> 1,125.01, payable 36,375.37; 80 and 80.01: no deduction
    text = GUIDE.read_text(encoding="utf-8")
    assert "37,500.38" in text and "1,125.01" in text and "36,375.37" in text
    q1 = (root / "q1.toml").read_text(encoding="utf-8")
    for score, deduction, payable in (("79.99", "1125.01", "36375.37"), ("80", "0.00", "37500.38"), ("80.01", "0.00", "37500.38")):
        (root / "q.toml").write_text(q1.replace("score = 79.99", f"score = {score}"), encoding="utf-8")
        res = json.loads(sh("yibao --plugins-dir . compute kaifeng --facts q.toml --format json").stdout)
        assert {i["key"]: i["amount"] for i in res["items"]} == {"quarter_fee": "37500.38", "assessment_deduction": deduction, "quarter_payable": payable}
    # the example facts the guide gives are what compute uses without --facts, and the scaffold's own tests pass
    assert json.loads(sh("yibao --plugins-dir . compute kaifeng --format json").stdout)["items"][0]["amount"] == "37500.38"
    t = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root, env={**env, "PYTHONPATH": str(root)}, capture_output=True, text=True)
    assert t.returncode == 0 and "2 passed" in t.stdout, t.stdout + t.stderr
    # a misspelt fact is an exit-2 error that suggests the property, as the guide says
    contract = root / "yibao_kaifeng" / "contract.toml"
    contract.write_text(contract.read_text(encoding="utf-8").replace('rate = "score_share"', 'rate = "score_shar"'), encoding="utf-8")
    bad = subprocess.run(["yibao", "--plugins-dir", ".", "compute", "kaifeng", "--facts", "q1.toml"], cwd=root, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "score_share" in bad.stderr, bad.stderr
