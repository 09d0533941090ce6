"""Issue 16: every bad input and fault handled, nothing lost, no personal
data leaked. One test (or more) per defect the issue lists.

Exit codes (DESIGN.md): 0 computed; 1 computed with violations; 2 bad
input, nothing computed; 3 a failing plugin or an internal error — one line
naming it, the traceback only with ``YIBAO_DEBUG=1``; 130 on Ctrl-C; 143 on
SIGTERM. An uncaught exception is never exit 1.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yibao import api
from yibao.calendar import calendar_for
from yibao.claims import run_claims
from yibao.errors import InputError, PluginFailure
from yibao.files import Terminated, atomic_output
from yibao.hookspecs import hookimpl
from yibao.money import fmt_amount, parse_decimal, to_fen

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
CITIES = ("xinxiang", "luoyang", "huaiyang", "xianyang", "huaian")
DEMO = Path(__file__).parent / "demo"
sys.path.insert(0, str(DEMO.parent))

from demo import DemoPlugin  # noqa: E402


def one_line_error(res: Any, prefix: str = "error:") -> str:
    lines = [line for line in res.err.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, res.err
    assert "Traceback" not in res.err
    return lines[0]


ZH = {"YIBAO_LANG": "zh"}


# ------------------------------------------------------------------ exit codes
class Crashing(DemoPlugin):
    """A city plugin whose own hook raises while computing."""

    @hookimpl
    def yibao_share_risk(self, contract: Any, facts: Any, ledger: Any) -> None:
        raise ZeroDivisionError("a secret")


class Interrupted(DemoPlugin):
    @hookimpl
    def yibao_share_risk(self, contract: Any, facts: Any, ledger: Any) -> None:
        raise KeyboardInterrupt


DEMO_FACTS = 'year = 2025\ninsured = 10\n'


def test_a_city_hook_raising_is_exit_3_naming_the_plugin(throwaway_plugin: Any, run: Any, write_toml: Any) -> None:
    throwaway_plugin("boomcity", Crashing("boomcity"))
    res = run("compute", "boomcity", "--facts", str(write_toml(DEMO_FACTS)), "--format", "json")
    assert res.code == 3
    line = one_line_error(res)
    assert "boomcity" in line and "ZeroDivisionError" in line and "yibao_share_risk" in line
    assert line == "error: plugin 'boomcity' failed in yibao_share_risk: ZeroDivisionError: a secret (YIBAO_DEBUG=1 shows the traceback)"
    zh = run("compute", "boomcity", "--facts", str(write_toml(DEMO_FACTS)), "--format", "json", env=ZH)
    assert zh.code == 3  # the same line in Chinese; the plugin, the hook and Python's own words as they are
    assert zh.err.strip() == "错误：插件 'boomcity' 在 yibao_share_risk 中出错：ZeroDivisionError: a secret（设 YIBAO_DEBUG=1 可显示回溯）"
    debug = run("compute", "boomcity", "--facts", str(write_toml(DEMO_FACTS)), env={"YIBAO_DEBUG": "1"})
    assert debug.code == 3 and "Traceback" in debug.err  # the traceback only on request
    # only the computations that call that hook are affected
    assert run("compute", "xinxiang", "--format", "json").code == 0


def test_api_raises_plugin_failure(throwaway_plugin: Any) -> None:
    reg = throwaway_plugin("boomcity", Crashing("boomcity"))
    c = api.load_contract("boomcity", reg=reg)
    with pytest.raises(PluginFailure) as e:
        api.compute(c, api.load_facts(c, {"year": 2025, "insured": 10}))
    assert e.value.plugin == "boomcity" and isinstance(e.value.__cause__, ZeroDivisionError)


def test_ctrl_c_is_exit_130(throwaway_plugin: Any, run: Any, write_toml: Any) -> None:
    throwaway_plugin("stopcity", Interrupted("stopcity"))
    res = run("compute", "stopcity", "--facts", str(write_toml(DEMO_FACTS)))
    assert res.code == 130 and "Traceback" not in res.err
    assert res.err == "interrupted\n"
    zh = run("compute", "stopcity", "--facts", str(write_toml(DEMO_FACTS)), env=ZH)
    assert (zh.code, zh.err) == (130, "已中断\n")


def test_an_internal_error_is_exit_3_naming_the_module(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from yibao.commands import list as list_cmd

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(list_cmd.api, "list_contracts", broken)
    res = run("list", "--format", "json")
    assert res.code == 3  # never 1, which means "violations found"
    assert one_line_error(res) == "error: internal error in yibao.commands.list: RuntimeError: a bug (YIBAO_DEBUG=1 shows the traceback)"
    zh = run("list", "--format", "json", env=ZH)
    assert zh.code == 3
    assert one_line_error(zh, "错误") == "错误：yibao.commands.list 内部错误：RuntimeError: a bug（设 YIBAO_DEBUG=1 可显示回溯）"


def test_nesting_too_deep_is_exit_2_in_either_language(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A RecursionError no input check caught: bad input (exit 2), one line."""
    from yibao.commands import list as list_cmd

    def deep(*a: Any, **k: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(list_cmd.api, "list_contracts", deep)
    assert (run("list").code, run("list").err) == (2, "error: input nested too deeply\n")
    assert (run("list", env=ZH).code, run("list", env=ZH).err) == (2, "错误：输入嵌套层次过深\n")


# A plugins directory (--plugins-dir) with a city whose own hook raises, and a
# plugin command that raises or signals its own process.
BOOM_CITY = """
import sys
sys.path.insert(0, {demo!r})
from demo import HERE, DemoFacts
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl


@hookimpl
def yibao_register_contracts(register):
    register(ContractSpec(name="boomdir", contract_file=HERE / "contract.toml", facts_class=DemoFacts))


@hookimpl
def yibao_share_risk(contract, facts, ledger):
    if contract.name == "boomdir":
        raise ZeroDivisionError("a secret")
"""

BOOM_COMMANDS = """
import os
import signal

import click
from yibao.hookspecs import hookimpl


@hookimpl
def yibao_register_commands(cli):
    @cli.command("boom")
    def boom():
        \"\"\"Fail (test command).\"\"\"
        raise ValueError("kaboom")

    @cli.command("kill")
    @click.argument("name")
    def kill(name):
        \"\"\"Send this process a signal (test command).\"\"\"
        os.kill(os.getpid(), getattr(signal, name))
        for _ in range(10**7):  # the handler runs between bytecodes
            pass
"""


@pytest.fixture
def plugins_dir(tmp_path: Path) -> Path:
    d = tmp_path / "plugins"
    d.mkdir()
    (d / "boomdir.py").write_text(BOOM_CITY.format(demo=str(DEMO.parent)), encoding="utf-8")
    (d / "boomcmds.py").write_text(BOOM_COMMANDS, encoding="utf-8")
    (tmp_path / "f.toml").write_text(DEMO_FACTS, encoding="utf-8")
    return d


def test_a_plugins_dir_city_failing_is_one_line_in_either_language(run: Any, plugins_dir: Path) -> None:
    args = ("--plugins-dir", str(plugins_dir), "compute", "boomdir", "--facts", str(plugins_dir.parent / "f.toml"))
    en = run(*args)
    assert en.code == 3
    assert en.err == "error: plugin 'boomdir' failed in yibao_share_risk: ZeroDivisionError: a secret (YIBAO_DEBUG=1 shows the traceback)\n"
    zh = run(*args, env=ZH)
    assert zh.code == 3
    assert zh.err == "错误：插件 'boomdir' 在 yibao_share_risk 中出错：ZeroDivisionError: a secret（设 YIBAO_DEBUG=1 可显示回溯）\n"


def test_a_plugin_command_failing_names_the_plugin_in_either_language(run: Any, plugins_dir: Path) -> None:
    en = run("--plugins-dir", str(plugins_dir), "boom")
    assert en.code == 3
    assert en.err == "error: plugin 'boomcmds' failed (yibao_local_plugins.boomcmds): ValueError: kaboom (YIBAO_DEBUG=1 shows the traceback)\n"
    zh = run("--plugins-dir", str(plugins_dir), "boom", env=ZH)
    assert zh.code == 3
    assert zh.err == "错误：插件 'boomcmds' 出错（yibao_local_plugins.boomcmds）：ValueError: kaboom（设 YIBAO_DEBUG=1 可显示回溯）\n"


@pytest.mark.parametrize(
    ("name", "code", "en", "zh"),
    [("SIGINT", 130, "interrupted", "已中断"), ("SIGTERM", 143, "terminated", "已终止")],
)
def test_a_real_signal_is_one_line_in_either_language(plugins_dir: Path, name: str, code: int, en: str, zh: str) -> None:
    """``yibao`` as a process (its console-script entry point, which turns
    SIGTERM into exit 143) receiving the signal while a command runs."""
    import subprocess

    for lang, line in (("en", en), ("zh", zh)):
        env = {**os.environ, "YIBAO_LANG": lang, "YIBAO_LOAD_PLUGINS": ""}
        done = subprocess.run([sys.executable, "-m", "yibao", "--plugins-dir", str(plugins_dir), "kill", name], env=env, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (code, line + "\n"), (lang, done.stderr)


def test_a_cross_cutting_plugin_raising_does_not_break_every_city(throwaway_plugin: Any, run: Any) -> None:
    class Broken:
        @hookimpl
        def yibao_compute_fees(self, contract: Any, facts: Any, ledger: Any) -> None:
            raise ValueError("boom")

    throwaway_plugin("broken", Broken())
    for city in CITIES:
        res = run("compute", city, "--format", "json")
        assert res.code in (0, 1), (city, res.err)
        assert any(f["key"] == "plugin.left_out" and f["scope"] == "broken" for f in res.json["findings"])
        assert "broken" in res.err


def test_sys_exit_at_import_disables_only_that_plugin(run: Any, tmp_path: Path) -> None:
    (tmp_path / "exiter.py").write_text("import sys\nsys.exit(0)\n", encoding="utf-8")
    res = run("--plugins-dir", str(tmp_path), "compute", "xinxiang", "--format", "json")
    assert res.code == 0 and res.json["city"] == "xinxiang"
    assert "exiter" in res.err and "SystemExit" in res.err


def test_a_missing_plugins_dir_is_exit_2(run: Any, tmp_path: Path) -> None:
    res = run("--plugins-dir", str(tmp_path / "nowhere"), "list")
    assert res.code == 2 and "nowhere" in res.err


def test_a_disabled_plugins_city_is_named_as_disabled() -> None:
    from yibao.registry import make_registry

    reg = make_registry(load_entrypoints=False, env={"YIBAO_DISABLED_PLUGINS": "xinxiang"})
    with pytest.raises(InputError) as e:
        api.get_spec("xinxiang", reg)
    assert "disabled" in str(e.value) and "did you mean" not in str(e.value)


# ------------------------------------------------------------------ number limits
@pytest.mark.parametrize("literal", ["1E+999999", "1e400", "12345678901234567890123456", "-1e20", "[1E+999999]"])
def test_huge_numbers_are_exit_2_fast_naming_the_key(run: Any, write_toml: Any, literal: str) -> None:
    text = (PLUGINS / "luoyang" / "examples" / "2026Q1.toml").read_text(encoding="utf-8")
    text = text.replace("enrolled_prior_year = 5012345", f"enrolled_prior_year = {literal}")
    res = run("compute", "luoyang", "--facts", str(write_toml(text)), "--format", "json")
    assert res.code == 2, res.err
    assert "enrolled_prior_year" in res.err and len(res.err) < 2000


@pytest.mark.parametrize("city", CITIES)
def test_huge_numbers_in_every_city_through_the_api(contract: Any, city: str) -> None:
    c = contract(city)
    from yibao.inputs import read_toml

    data = read_toml(api.example_facts(c))
    keys = [k for k, v in data.items() if isinstance(v, (int, Decimal)) and not isinstance(v, bool) and k not in ("year",)]
    assert keys, city
    for key in keys:
        with pytest.raises(InputError) as e:
            api.load_facts(c, {**data, key: Decimal("1E+999999")}, file="f.toml")
        assert key in str(e.value)


def test_parse_decimal_limits() -> None:
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("1E+15"), 10**15, "1E+5", Decimal("1E-19"), "9999999999999999万"):
        with pytest.raises(ValueError):
            parse_decimal(bad)
    assert parse_decimal(Decimal("999999999999999.99")) == Decimal("999999999999999.99")
    assert parse_decimal("3.85%") == Decimal("0.0385")
    assert str(parse_decimal(Decimal("-0.00"))) == "0.00"


def test_no_negative_zero_amount() -> None:
    assert str(to_fen(Decimal("-0.001"))) == "0.00"
    assert fmt_amount(Decimal("-0.004")) == "0.00"


# ------------------------------------------------------------------ any value in any facts key
def _toml_values() -> st.SearchStrategy[str]:
    scalars = st.one_of(
        st.integers().map(str),
        st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: f"{d:E}" if d.is_finite() else "0"),
        st.sampled_from(["nan", "inf", "-inf", "1E+999999", "true", '""', '"abc"', '"1E+999999"', "1800-01-01", "9999-12-31", '"17811万"', '"-5%"']),
        st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'),
    )
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"), st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), inner, max_size=3).map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}")), max_leaves=6)


def _keys(city: str) -> list[str]:
    from yibao.inputs import read_toml

    files = sorted((PLUGINS / city / "examples").glob("*.toml"))
    return sorted({k for f in files for k in read_toml(f)} | {"bogus"})


@pytest.mark.parametrize("city", CITIES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_toml_value_in_any_facts_key_is_exit_0_1_or_2(run: Any, tmp_path: Path, city: str, data: Any) -> None:
    """Property: whatever TOML value any facts key holds, compute ends in
    0, 1 or 2 — never 3, never a traceback."""
    example = sorted((PLUGINS / city / "examples").glob("*.toml"))[0]
    key = data.draw(st.sampled_from(_keys(city)))
    value = data.draw(_toml_values())
    lines = [line for line in example.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{key} ") and not line.startswith(f"{key}=")]
    first_table = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    lines.insert(first_table, f"{key} = {value}")
    f = tmp_path / "facts.toml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_bytes((PLUGINS / city / "examples" / "roster.csv").read_bytes() if (PLUGINS / city / "examples" / "roster.csv").exists() else b"id,site,role\n")
    res = run("compute", city, "--facts", str(f), "--format", "json")
    assert res.code in (0, 1, 2), (key, value, res.err)
    assert "Traceback" not in res.err


# ------------------------------------------------------------------ facts files
def test_deep_nesting_is_exit_2(run: Any, write_toml: Any) -> None:
    res = run("compute", "xinxiang", "--facts", str(write_toml("year = 2025\nx = " + "[" * 3000 + "]" * 3000 + "\n")))
    assert res.code == 2 and "nested" in res.err


def test_a_facts_file_that_is_a_device_is_exit_2(run: Any) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    res = run("compute", "xinxiang", "--facts", "/dev/zero")
    assert res.code == 2 and "/dev/zero" in res.err


def test_a_facts_file_with_a_bom_is_read(run: Any, tmp_path: Path) -> None:
    src = PLUGINS / "xinxiang" / "examples"
    (tmp_path / "f.toml").write_bytes(b"\xef\xbb\xbf" + (src / "2025.toml").read_bytes())
    (tmp_path / "roster.csv").write_bytes((src / "roster.csv").read_bytes())
    assert run("compute", "xinxiang", "--facts", str(tmp_path / "f.toml"), "--format", "json").code in (0, 1)


def test_a_table_where_a_list_of_tables_belongs(run: Any, write_toml: Any) -> None:
    res = run("compute", "xinxiang", "--facts", str(write_toml('year = 2025\nscore = 85\n[regions]\nname = "a"\n')))
    assert res.code == 2 and "regions" in res.err and "[[regions]]" in res.err and "keys" not in res.err


def test_a_string_where_a_list_belongs(run: Any, write_toml: Any) -> None:
    res = run("compute", "xinxiang", "--facts", str(write_toml('year = 2025\nscore = 85\nregions = "abc"\n')))
    assert res.code == 2 and res.err.count("regions") == 1 and "expected a list" in res.err


def test_dates_outside_a_sane_range(contract: Any) -> None:
    from yibao.inputs import converter

    for bad in (dt.date(1800, 1, 1), "2300-01-01"):
        with pytest.raises(Exception, match="1900"):
            converter().structure(bad, dt.date)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "inf", "1E+999999"])
def test_experience_years_must_be_a_sane_number(contract: Any, tmp_path: Path, value: str) -> None:
    lines = (PLUGINS / "huaian" / "examples" / "roster.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("experience_years")] = value
    lines[1] = ",".join(cells)
    p = tmp_path / "r.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="experience_years"):
        api.load_roster(p, contract("huaian"))


# ------------------------------------------------------------------ roster paths and contents
def _facts_naming(tmp_path: Path, roster: str) -> Path:
    text = (PLUGINS / "xinxiang" / "examples" / "2025.toml").read_text(encoding="utf-8")
    text = text.replace('roster = "roster.csv"', f"roster = {roster}")
    p = tmp_path / "facts.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("roster", ['"."', '"a\\u0000b"', '"' + "a" * 5000 + '"', '"loop"', '"missing.csv"'])
def test_bad_roster_paths_in_facts_are_exit_2(run: Any, tmp_path: Path, roster: str) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    res = run("compute", "xinxiang", "--facts", str(_facts_naming(tmp_path, roster)), "--format", "json")
    assert res.code == 2
    line = one_line_error(res)
    assert "facts.toml" in line and "roster" in line


def test_a_copied_example_whose_roster_stayed_behind(run: Any, tmp_path: Path) -> None:
    """Getting started: copy the example and edit it."""
    (tmp_path / "mine.toml").write_bytes((PLUGINS / "xinxiang" / "examples" / "2025.toml").read_bytes())
    res = run("compute", "xinxiang", "--facts", str(tmp_path / "mine.toml"))
    assert res.code == 2
    line = one_line_error(res)
    assert "mine.toml" in line and "roster" in line and "--roster" in line


def test_an_unrelated_file_named_as_roster_is_not_echoed(run: Any, tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:secret-line:/root:/bin/bash\nalice:x:1000\n", encoding="utf-8")
    res = run("compute", "xinxiang", "--facts", str(_facts_naming(tmp_path, f'"{secret}"')))
    assert res.code == 2 and "secret-line" not in res.err + res.out and "alice" not in res.err + res.out


def test_a_roster_column_given_twice(contract: Any, tmp_path: Path) -> None:
    lines = (PLUGINS / "huaian" / "examples" / "roster.csv").read_text(encoding="utf-8").splitlines()
    p = tmp_path / "r.csv"
    p.write_text("\n".join([lines[0] + ",site"] + [line + ",x" for line in lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'site' given 2 times"):
        api.load_roster(p, contract("huaian"))


def test_an_unquoted_comma_in_a_name_prints_no_part_of_it(run: Any, tmp_path: Path) -> None:
    lines = (PLUGINS / "huaian" / "examples" / "roster.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("name")] = "Zhang,Xiulan"
    lines[1] = ",".join(cells)
    p = tmp_path / "r.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run("compute", "huaian", "--roster", str(p), "--format", "json")
    assert res.code == 2 and "row 2" in res.err
    assert "Zhang" not in res.err + res.out and "Xiulan" not in res.err + res.out


# ------------------------------------------------------------------ claims: nothing lost
LOG = "claim_id,person_id,kind,received_on,settled_on,amount_eligible\nc1,p1,direct,2025-03-03,2025-03-10,1000\nc2,p2,direct,2025-03-03,bad,1000\n"


def _log(tmp_path: Path, name: str = "log.csv") -> Path:
    p = tmp_path / name
    p.write_text(LOG, encoding="utf-8")
    return p


def test_claims_out_onto_the_input_is_refused(run: Any, tmp_path: Path) -> None:
    log = _log(tmp_path)
    res = run("claims", "xinxiang", str(log), "--out", str(log))
    assert res.code == 2 and log.read_text(encoding="utf-8") == LOG


@pytest.mark.parametrize("target", ["log.csv", "out.csv"])
def test_claims_bad_rows_onto_an_input_or_the_out_file_is_refused(run: Any, tmp_path: Path, target: str) -> None:
    log = _log(tmp_path)
    res = run("claims", "xinxiang", str(log), "--out", str(tmp_path / "out.csv"), "--bad-rows", str(tmp_path / target))
    assert res.code == 2 and log.read_text(encoding="utf-8") == LOG
    assert not (tmp_path / "out.csv").exists()


def test_claims_unwritable_bad_rows_writes_nothing(run: Any, tmp_path: Path) -> None:
    log = _log(tmp_path)
    res = run("claims", "xinxiang", str(log), "--out", str(tmp_path / "out.csv"), "--bad-rows", str(tmp_path / "no" / "b.csv"))
    assert res.code == 2 and "--bad-rows" in one_line_error(res)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


@pytest.mark.parametrize("name", ["log[1].csv", "a*.csv", "l?g.csv"])
def test_claims_wildcards_in_a_file_name_are_read_literally(run: Any, tmp_path: Path, name: str) -> None:
    _log(tmp_path, name)
    (tmp_path / "log1.csv").write_text(LOG + "c3,p3,direct,2025-03-03,2025-03-04,5\n", encoding="utf-8")  # what a pattern would match too
    (tmp_path / "ab.csv").write_text(LOG + "c3,p3,direct,2025-03-03,2025-03-04,5\n", encoding="utf-8")
    res = run("claims", "xinxiang", str(tmp_path / name), "--format", "json")
    assert res.code == 1 and res.json["rows"] == 2


def test_claims_a_column_given_twice(run: Any, tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("claim_id,claim_id,kind,received_on,settled_on,amount_eligible\nc1,p1,direct,2025-03-03,2025-03-10,1\n", encoding="utf-8")
    res = run("claims", "xinxiang", str(p))
    assert res.code == 2 and "claim_id" in res.err and "2 times" in res.err


def test_claims_gbk_log(run: Any, tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes(LOG.replace("p1", "张三").encode("gbk"))
    res = run("claims", "xinxiang", str(p))
    assert res.code == 2 and "UTF-8" in res.err and "CSV Error" not in res.err


@pytest.mark.parametrize("signal", [KeyboardInterrupt, Terminated])
def test_claims_interrupted_leaves_no_file(contract: Any, tmp_path: Path, signal: type[BaseException]) -> None:
    """Ctrl-C or SIGTERM while DuckDB works (raised from the progress
    callback, which runs where the signal handler would): no output, no
    temporary file or directory."""
    c = contract("xinxiang")
    log = _log(tmp_path)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()

    def stop(step: str, pct: float) -> None:
        if step.startswith("writing"):
            raise signal(143) if signal is Terminated else signal()

    old = tempfile.tempdir
    tempfile.tempdir = str(tmpdir)
    try:
        with pytest.raises(signal):
            run_claims(c, log, calendar_for(c, []), out=tmp_path / "out.csv", progress=stop)
    finally:
        tempfile.tempdir = old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "tmp"]
    assert list(tmpdir.iterdir()) == []


def test_atomic_output_last_writer_wins_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_output(target) as a, atomic_output(target) as b:
        a.write_text("first", encoding="utf-8")
        b.write_text("second", encoding="utf-8")
    assert target.read_text(encoding="utf-8") in ("first", "second")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with pytest.raises(RuntimeError), atomic_output(target) as c:
        c.write_text("half", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") != "half" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# ------------------------------------------------------------------ new-city, schema, deadline
@pytest.mark.parametrize("name", ["kaifeng\n", "a" * 249, "Kaifeng", "class"])
def test_new_city_bad_names_leave_nothing(run: Any, tmp_path: Path, name: str) -> None:
    res = run("new-city", name, "--dir", str(tmp_path))
    assert res.code == 2 and list(tmp_path.iterdir()) == []


def test_new_city_unwritable_dir_is_exit_2(run: Any, tmp_path: Path) -> None:
    res = run("new-city", "kaifeng", "--dir", str(tmp_path / "nowhere"))
    assert res.code == 2 and "nowhere" in res.err


def test_new_city_failure_leaves_nothing_and_a_rerun_works(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from yibao import scaffold

    def fail(*a: Any, **k: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scaffold, "_write_tree", fail)
    assert run("new-city", "kaifeng", "--dir", str(tmp_path)).code == 130
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert run("new-city", "kaifeng", "--dir", str(tmp_path)).code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["yibao-kaifeng"]


def test_schema_write_to_an_unwritable_place_is_exit_2(run: Any, tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    res = run("schema", "--write", str(f / "sub"))
    assert res.code == 2 and "--write" in res.err


def test_deadline_far_in_the_future_is_exit_2(run: Any) -> None:
    assert run("deadline", "xinxiang", "refund_after_termination", "--from", "9999-12-30").code == 2


def test_deadline_counts_in_a_draft_are_checked_with_file_and_key(run: Any, tmp_path: Path) -> None:
    text = (PLUGINS / "xinxiang" / "contract.toml").read_text(encoding="utf-8")
    for count in ("-5", "99999999999"):
        draft = tmp_path / "draft.toml"
        draft.write_text(text.replace("count = 10\n", f"count = {count}\n", 1), encoding="utf-8")
        res = run("deadline", "xinxiang", "refund_after_termination", "--from", "2025-01-01", "--contract", str(draft))
        assert res.code == 2, res.err
        assert "draft.toml" in res.err and "deadlines[" in res.err and ".count" in res.err


def test_sigterm_handler_raises_terminated() -> None:
    import signal

    from yibao.files import exit_on_sigterm

    old = signal.getsignal(signal.SIGTERM)
    try:
        exit_on_sigterm()
        with pytest.raises(Terminated) as e:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs between bytecodes
                pass
        assert e.value.code == 143
    finally:
        signal.signal(signal.SIGTERM, old)


def test_claims_parquet_dates_past_9999_or_infinite_are_bad_rows(run: Any, tmp_path: Path) -> None:
    import duckdb

    p = tmp_path / "log.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 'c1' AS claim_id, 'p1' AS person_id, 'direct' AS kind, 'infinity'::DATE AS received_on, "
        "DATE '2025-03-10' AS settled_on, 100 AS amount_eligible UNION ALL "
        f"SELECT 'c2', 'p2', 'direct', DATE '12000-01-01', NULL, 5) TO '{p}' (FORMAT parquet)"
    )
    con.close()
    res = run("claims", "xinxiang", str(p), "--format", "json")
    assert res.code == 1 and res.json["bad_rows"] == 2 and "Traceback" not in res.err


@pytest.mark.parametrize("period", ['"0000"', '"9999Q4"', '"2026Q5"'])
def test_luoyang_periods_out_of_range_are_exit_2(run: Any, write_toml: Any, period: str) -> None:
    text = (PLUGINS / "luoyang" / "examples" / "2026Q1.toml").read_text(encoding="utf-8")
    text = text.replace('period = "2026Q1"', f"period = {period}").replace('roster = "roster.csv"', "")
    res = run("compute", "luoyang", "--facts", str(write_toml(text)), "--format", "json")
    assert res.code == 2 and "period" in res.err
