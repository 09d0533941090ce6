"""Every hook is documented, listed in docs/hooks.md, and tested here.

``test_hook_<name>`` exists for every hookspec (test_every_hook_has_a_test
fails otherwise, as datasette does it). A city's stage hooks run only for its
own contracts; cross-cutting plugins run for all.
"""

from __future__ import annotations

import inspect
import re
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import click
import pytest
from yibao import api, hookspecs
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl
from yibao.models import Model
from yibao.models.fees.per_capita import PerCapita
from yibao.roster import StaffMember

from .demo import DemoFacts, DemoPlugin

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(n for n in dir(hookspecs) if n.startswith("yibao_"))


def test_hooks_exist() -> None:
    assert HOOKS == [
        "yibao_assess_payout",
        "yibao_check_staffing",
        "yibao_compute_fees",
        "yibao_register_commands",
        "yibao_register_contracts",
        "yibao_register_models",
        "yibao_settle_payment",
        "yibao_share_risk",
        "yibao_validate_contract",
    ]


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_has_docstring_with_params(name: str) -> None:
    fn = getattr(hookspecs, name)
    doc = inspect.getdoc(fn) or ""
    assert len(doc) > 80, f"{name} needs a docstring saying when, with what, returning what"
    for param in inspect.signature(fn).parameters:
        assert f":param {param}:" in doc, f"{name}: :param {param}: missing"
    assert ":return:" in doc
    assert "Called" in doc, f"{name}: the docstring must say when it is called"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_in_the_docs(name: str) -> None:
    assert f"## {name}" in (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")


def test_every_hook_has_a_test() -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    missing = [h for h in HOOKS if not re.search(rf"def test_hook_{h}\b", tests)]
    assert not missing, f"hooks without a test_hook_<name>: {missing}"


# ------------------------------------------------------------------ the hooks
@pytest.fixture
def demo(throwaway_plugin: Any) -> tuple[DemoPlugin, Any]:
    plugin = DemoPlugin()
    reg = throwaway_plugin("demo", plugin)
    return plugin, reg


def compute_demo(reg: Any, roster: Any = None, **facts: Any) -> Any:
    c = api.load_contract("demo", reg=reg)
    f = api.load_facts(c, {"year": 2025, "insured": 1000, **facts})
    return api.compute(c, f, roster)


def test_hook_yibao_register_contracts(demo: Any) -> None:
    plugin, reg = demo
    assert "demo" in reg.contracts and reg.owners["demo"] is plugin
    assert "xinxiang" in reg.contracts  # the built-ins are still there


def test_duplicate_contract_name_is_a_load_failure(throwaway_plugin: Any) -> None:
    class Dup:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name="xinxiang", contract_file=Path("x"), facts_class=DemoFacts))

    reg = throwaway_plugin("dup", Dup())
    assert any("registered twice" in f.cause and f.name == "dup" for f in reg.failures)
    assert reg.spec("xinxiang") is not None  # the bundled city, imported now
    assert reg.plugin_name(reg.owners["xinxiang"]) == "xinxiang"


def test_hook_yibao_register_models(throwaway_plugin: Any) -> None:
    class Doubled(Model):
        """Twice a figure (test model)."""

        name = "doubled"
        Params = PerCapita.Params

        def compute(self, p: Any, ctx: Any) -> dict[str, tuple[D, str]]:
            v = ctx.value(p.count) * 2
            return {"amount": (v, f"2 × {p.count}")}

    class Provider:
        @hookimpl
        def yibao_register_models(self, register: Any) -> None:
            register(Doubled)

    reg = throwaway_plugin("doubled", Provider())
    assert reg.models["doubled"] is Doubled

    class Clash:
        @hookimpl
        def yibao_register_models(self, register: Any) -> None:
            class Other(Doubled):
                name = "per_capita"

            register(Other)

    reg = throwaway_plugin("clash", Clash())
    failure = [f for f in reg.failures if f.name == "clash"][0]
    assert "registered twice" in failure.cause and "yibao.models.fees" in failure.cause and "Other" in failure.cause


def test_hook_yibao_compute_fees(demo: Any) -> None:
    plugin, reg = demo
    r = compute_demo(reg)
    assert r.amount("fee") == D("1500.00")  # 1000 × 1.5 (第二条)
    assert "fees:demo" in plugin.calls


def test_hook_yibao_share_risk(demo: Any) -> None:
    plugin, reg = demo
    r = compute_demo(reg, payouts=D("1400"))
    assert r.amount("approved_profit") == D("100.00")  # min(1500 − 1400, 10% × 1500 = 150)
    assert "risk:demo" in plugin.calls


def test_hook_yibao_assess_payout(demo: Any) -> None:
    plugin, reg = demo
    r = compute_demo(reg, breaches=3)
    assert r.amount("penalty") == D("300.00")
    assert "assessment:demo" in plugin.calls


def test_hook_yibao_settle_payment(demo: Any) -> None:
    plugin, reg = demo
    r = compute_demo(reg, breaches=20)  # 2,000 of penalties against a 1,500 fee
    assert r.amount("payable") == D("0.00")
    owed = [f for f in r.findings if f.key == "payment.owed"]
    assert owed and "500.00" in owed[0].message
    assert r.amount("bonus") == D("0.13")  # the ledger rounds half up when produced
    assert plugin.calls.index("settlement:demo") > plugin.calls.index("assessment:demo")


def test_hook_yibao_check_staffing(demo: Any) -> None:
    plugin, reg = demo
    one = (StaffMember(id="A1", site="s", role="r", name="张三"),)
    r = compute_demo(reg, roster=one)
    assert "staffing:demo:1" in plugin.calls
    v = [f for f in r.findings if f.severity == "violation"]
    assert v and "1 on the roster" in v[0].message and "张三" not in v[0].message
    r = compute_demo(reg, roster=one * 2)
    assert not [f for f in r.findings if f.severity == "violation"]
    r = compute_demo(reg)  # no roster: not called, and the result says so
    assert any(f.key == "staffing.not_checked" for f in r.findings)


def test_hook_yibao_validate_contract(demo: Any) -> None:
    plugin, reg = demo
    c = api.load_contract("demo", reg=reg)
    r = api.validate(c)
    assert "validate:demo" in plugin.calls
    msgs = {f.key: (f.severity, f.message) for f in r.findings}
    assert msgs["stated.parts"][0] == "info"
    assert msgs["stated.words"] == ("info", "大写金额: 陆拾玖万玖仟元整 = 699000.00 ✓")


def test_stated_arithmetic_mismatch_is_a_warning(demo: Any, tmp_path: Path) -> None:
    """The contract's text disagreeing with itself breaches no party's duty (docs/severities.md)."""
    _, reg = demo
    text = (Path(__file__).parent / "demo" / "contract.toml").read_text(encoding="utf-8")
    bad = tmp_path / "c.toml"
    bad.write_text(text.replace('parts = ["1万", 20000]', 'parts = ["1万", 20001]').replace("total = 699000", "total = 690000"), encoding="utf-8")
    r = api.validate(api.load_contract("demo", bad, reg=reg))
    sev = {f.key: f.severity for f in r.findings}
    assert sev == {"stated.parts": "warning", "stated.words": "warning"}


def test_city_hooks_run_only_for_their_own_contract(demo: Any) -> None:
    plugin, reg = demo
    c = api.load_contract("xinxiang", reg=reg)
    f = api.load_facts(c, {"year": 2025, "score": 90, "regions": [{"name": "a", "insured": 1, "payouts": 0}]})
    api.compute(c, f)
    assert plugin.calls == []


def test_cross_cutting_plugin_runs_for_every_contract(throwaway_plugin: Any) -> None:
    seen: list[str] = []

    class Auditor:
        @hookimpl
        def yibao_settle_payment(self, contract: Any, facts: Any, ledger: Any) -> None:
            seen.append(contract.name)
            ledger.finding("audit.seen", "info", "checked", "—")

    reg = throwaway_plugin("auditor", Auditor())
    c = api.load_contract("xinxiang", reg=reg)
    r = api.compute(c, api.load_facts(c, api.example_facts(c)))
    assert seen == ["xinxiang"] and any(f.key == "audit.seen" for f in r.findings)


def test_hook_yibao_register_commands(throwaway_plugin: Any, run: Any, tmp_path: Path) -> None:
    calls: list[str] = []

    class Hello:
        @hookimpl
        def yibao_register_commands(self, cli: Any) -> None:
            calls.append("hello")

            @cli.command("hello")
            @click.argument("city")
            def hello(city: str) -> None:
                """Greet a city (test command)."""
                click.echo(f"hello {city}")

            @cli.command("compute")
            def shadow() -> None:
                """A second compute (must be ignored)."""

    class Broken:
        @hookimpl
        def yibao_register_commands(self, cli: Any) -> None:
            raise RuntimeError("boom")

    throwaway_plugin("hello", Hello())
    throwaway_plugin("broken", Broken())

    res = run("compute", "xinxiang", "--format", "json")  # a built-in: the hook is not even called
    assert (res.code, res.err, calls) == (0, "", [])
    assert res.json["city"] == "xinxiang"

    res = run("hello", "xinxiang")
    assert (res.code, res.out) == (0, "hello xinxiang\n")
    assert "plugin 'broken' (extra): yibao_register_commands failed: RuntimeError: boom" in res.err

    res = run("--help")
    assert res.code == 0
    assert "hello       Greet a city (test command)." in res.out
    assert "compute     Compute a period's figures" in res.out
    assert "'broken'" in res.err and "command 'compute' ignored, a built-in command has that name" in res.err

    res = run("nosuch")
    assert res.code == 2 and "No such command 'nosuch'" in res.err and "'broken'" in res.err


def test_plugin_commands_from_a_plugins_dir(run: Any, tmp_path: Path) -> None:
    (tmp_path / "greeter.py").write_text(
        "import click\n"
        "from yibao.hookspecs import hookimpl\n\n"
        "@hookimpl\n"
        "def yibao_register_commands(cli):\n"
        "    @cli.command()\n"
        "    def greet():\n"
        "        \"\"\"Say hello (plugins-dir command).\"\"\"\n"
        "        click.echo('hello')\n",
        encoding="utf-8",
    )
    assert "greet" in run("--plugins-dir", str(tmp_path), "--help").out
    assert "greet" not in run("--help").out
    res = run("--plugins-dir", str(tmp_path), "greet")
    assert (res.code, res.out) == (0, "hello\n")
