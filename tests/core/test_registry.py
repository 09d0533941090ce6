"""The registry: defaults, entry points, plugin dirs, failures that name the
plugin while the other cities keep working, allow/block lists."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.hookspecs import hookimpl
from yibao.registry import DEFAULT_PLUGINS, make_registry

DEMO = Path(__file__).parent / "demo"

GOOD_PLUGIN = f'''
import sys
sys.path.insert(0, {str(DEMO.parent)!r})
from demo import DemoPlugin
_p = DemoPlugin("{{name}}")
yibao_register_contracts = _p.yibao_register_contracts
'''


def make_dist(root: Path, dist: str, version: str, entry: str, module: str | None, code: str | None) -> None:
    """A real installed distribution (dist-info on sys.path) with a yibao entry point."""
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[yibao]\n{entry}\n", encoding="utf-8")
    if module and code is not None:
        (root / f"{module}.py").write_text(code, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Any:
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for m in [m for m in sys.modules if m.startswith("yibao_test_")]:
            del sys.modules[m]


def test_defaults_are_registered_like_any_plugin() -> None:
    reg = make_registry(load_entrypoints=False, env={})
    names = {n for n, _ in reg.pm.list_name_plugin()}
    assert {d.rsplit(".", 1)[-1] for d in DEFAULT_PLUGINS} <= names
    assert reg.failures == []


def test_entry_point_plugin_is_loaded(site: Path) -> None:
    make_dist(site, "yibao-demo", "1.2.3", "demo = yibao_test_demo", "yibao_test_demo", GOOD_PLUGIN.format(name="demo"))
    reg = make_registry(env={})
    assert "demo" in reg.contracts
    row = [p for p in reg.describe() if p["name"] == "demo"][0]
    assert row["distribution"] == "yibao-demo" and row["version"] == "1.2.3" and row["contracts"] == ["demo"]


def test_broken_entry_point_names_itself_and_others_still_work(site: Path) -> None:
    make_dist(site, "yibao-broken", "0.1", "broken = yibao_test_broken", "yibao_test_broken", "raise RuntimeError('boom')\n")
    make_dist(site, "yibao-missing", "0.2", "missing = yibao_test_nowhere", None, None)
    make_dist(site, "yibao-demo", "1.0", "demo = yibao_test_demo2", "yibao_test_demo2", GOOD_PLUGIN.format(name="demo"))
    reg = make_registry(env={})
    causes = {f.name: f for f in reg.failures}
    assert "RuntimeError: boom" in causes["broken"].cause
    assert causes["broken"].distribution == "yibao-broken" and causes["broken"].version == "0.1"
    assert "entry point broken = yibao_test_broken" in str(causes["broken"])
    assert "ModuleNotFoundError" in causes["missing"].cause
    assert {"xinxiang", "demo"} <= set(reg.contracts)
    c = api.load_contract("xinxiang", reg=reg)
    r = api.compute(c, api.load_facts(c, api.example_facts(c)))
    # the bundled example: 100,000 insured × 190 (第十九条); cap 3.85% of 19,000,000 (第二十一条(1))
    assert r.amount("funding_total", "市本级") == Decimal("19000000.00")
    assert r.amount("approved_profit", "市本级") == Decimal("731500.00")


def test_misspelled_hook_is_reported_not_fatal(throwaway_plugin: Any) -> None:
    class Typo:
        @hookimpl
        def yibao_compute_fee(self, contract: Any, facts: Any, ledger: Any) -> None: ...

    reg = throwaway_plugin("typo", Typo())
    f = [f for f in reg.failures if f.name == "typo"][0]
    assert "yibao_compute_fee" in f.cause
    assert not reg.pm.has_plugin("typo") and "xinxiang" in reg.contracts


def test_register_hook_that_raises_is_isolated(throwaway_plugin: Any) -> None:
    class Raises:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            raise ValueError("bad spec")

    reg = throwaway_plugin("raises", Raises())
    assert any(f.name == "raises" and "bad spec" in f.cause for f in reg.failures)
    assert "xinxiang" in reg.contracts


def test_disabled_plugins_are_blocked() -> None:
    reg = make_registry(load_entrypoints=False, env={"YIBAO_DISABLED_PLUGINS": "xinxiang"})
    assert "xinxiang" not in reg.contracts
    assert reg.pm.is_blocked("xinxiang")


def test_allowlist_filters_entry_points(site: Path) -> None:
    make_dist(site, "yibao-demo", "1.0", "demo = yibao_test_demo3", "yibao_test_demo3", GOOD_PLUGIN.format(name="demo"))
    assert "demo" not in make_registry(env={"YIBAO_LOAD_PLUGINS": ""}).contracts
    assert "demo" not in make_registry(env={"YIBAO_LOAD_PLUGINS": "other"}).contracts
    assert "demo" in make_registry(env={"YIBAO_LOAD_PLUGINS": "demo"}).contracts
    assert "xinxiang" in make_registry(env={"YIBAO_LOAD_PLUGINS": ""}).contracts  # built-ins always


def test_plugins_dir(tmp_path: Path, run: Any) -> None:
    (tmp_path / "localcity.py").write_text(GOOD_PLUGIN.format(name="localcity"), encoding="utf-8")
    (tmp_path / "broken_local.py").write_text("import nowhere_at_all\n", encoding="utf-8")
    reg = make_registry(load_entrypoints=False, plugins_dirs=[tmp_path], env={})
    assert "localcity" in reg.contracts
    assert any(f.name == "broken_local" and "plugins dir" in f.source for f in reg.failures)
    res = run("--plugins-dir", str(tmp_path), "plugins", "--json")
    assert res.code == 0
    assert "localcity" in [c for p in res.json["plugins"] for c in p["contracts"]]
    assert [f["name"] for f in res.json["failed"]] == ["broken_local"]
    res = run("--plugins-dir", str(tmp_path), "compute", "localcity", "--facts", "-", "--format", "json", input="year = 2025\ninsured = 10\n")
    assert res.code == 0 and res.json["items"][0]["amount"] == "15.00"
    assert "broken_local" in res.err  # the failure is a warning, not fatal


def test_plugins_dir_from_environment(tmp_path: Path) -> None:
    (tmp_path / "envcity.py").write_text(GOOD_PLUGIN.format(name="envcity"), encoding="utf-8")
    reg = make_registry(load_entrypoints=False, env={"YIBAO_PLUGINS_DIR": str(tmp_path)})
    assert "envcity" in reg.contracts


def test_registry_is_fresh_each_time() -> None:
    a = make_registry(load_entrypoints=False, env={})
    b = make_registry(load_entrypoints=False, env={})
    assert a.pm is not b.pm and a.contracts is not b.contracts
