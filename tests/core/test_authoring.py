"""Adding a city in minutes (new-city), comparing cities, diffing versions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


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


KAIFENG_FACTS = '''
@attrs.frozen
class Facts:
    period: Quarter
    enrolled: int = attrs.field(validator=non_negative)
    score: Decimal = attrs.field(validator=score_0_100)
    roster: str | None = None

    @property
    def score_share(self) -> Decimal:
        return self.score / 100
'''

KAIFENG_STEPS = """
[[steps]]
model = "per_capita"
clause = "第三条"
key = "quarter_fee"
label = "季度经办服务费"
count = "enrolled"
rate = "1.5"
divisor = 4

[[steps]]
model = "threshold_deduction"
clause = "第五条"
key = "assessment_deduction"
label = "考核扣减"
base = "quarter_fee"
rate = "score_share"
thresholds = [{ below = "80%", deduct = "3%" }]

[[steps]]
model = "sum"
clause = "第三条、第五条"
key = "quarter_payable"
label = "本季度应拨付"
add = ["quarter_fee"]
subtract = ["assessment_deduction"]

[[steps]]
model = "headcount"
clause = "第七条"
minimum = 12
group = "派驻人员"
finding_key = "staffing.seconded"
"""


@pytest.mark.parametrize(("score", "deduction", "payable"), [("79.99", "1125.01", "36375.37"), ("80", "0.00", "37500.38")])
def test_the_plugin_guides_worked_example(run: Any, tmp_path: Path, score: str, deduction: str, payable: str) -> None:
    """docs/plugin-guide.md, "Worked example": the numbers it states."""
    assert run("new-city", "kaifeng", "--dir", str(tmp_path)).code == 0
    pkg = tmp_path / "yibao-kaifeng" / "yibao_kaifeng"
    init = (pkg / "__init__.py").read_text(encoding="utf-8")
    start, end = init.index("@attrs.frozen"), init.index("yibao_register_contracts = ")
    init = init[:start] + KAIFENG_FACTS.strip() + "\n\n\n" + init[end:]
    (pkg / "__init__.py").write_text(init.replace("from yibao.inputs import non_negative", "from yibao.inputs import non_negative, score_0_100").replace("from yibao.periods import Year", "from yibao.periods import Quarter"), encoding="utf-8")
    toml = (pkg / "contract.toml").read_text(encoding="utf-8")
    (pkg / "contract.toml").write_text(toml[: toml.index("[[steps]]")] + KAIFENG_STEPS, encoding="utf-8")
    facts = tmp_path / "q1.toml"
    facts.write_text(f'period = "2026Q1"\nenrolled = 100001\nscore = {score}\n', encoding="utf-8")
    res = run("--plugins-dir", str(tmp_path / "yibao-kaifeng"), "compute", "kaifeng", "--facts", str(facts), "--format", "json")
    assert res.code == 0, res.err
    amounts = {i["key"]: i["amount"] for i in res.json["items"]}
    # 100,001 × 1.5 ÷ 4 = 37,500.375 -> 37,500.38; 3% of it = 1,125.0114 -> 1,125.01
    assert amounts == {"quarter_fee": "37500.38", "assessment_deduction": deduction, "quarter_payable": payable}
    guide = (Path(__file__).resolve().parents[2] / "docs" / "plugin-guide.md").read_text(encoding="utf-8")
    assert "37,500.38" in guide and "1,125.01" in guide and "36,375.37" in guide
