"""The CLI: every command has --help with an example; JSON equals the API;
the real entry points work; a command imports only what it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from yibao import __version__, api
from yibao.cli import COMMANDS, SUMMARIES, cli

from .imports import imported_by

ROOT = Path(__file__).resolve().parents[2]


def commands() -> list[str]:
    return sorted(COMMANDS)


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help_with_an_example(run: Any, name: str) -> None:
    res = run(name, "--help")
    assert res.code == 0
    assert ("Examples:\n" in res.out or "Example:\n" in res.out) and f"yibao {name}" in res.out


def test_the_group_help_lists_every_command_with_examples(run: Any) -> None:
    res = run("--help")
    assert res.code == 0 and "Examples:\n    yibao list" in res.out
    listed = [line.split()[0] for line in res.out.split("Commands:\n")[1].splitlines()]
    assert listed == sorted(COMMANDS)


@pytest.mark.parametrize("name", commands())
def test_static_command_table_matches_the_commands(name: str) -> None:
    """COMMANDS and SUMMARIES list the commands without importing them; they
    must name the real command and repeat its help's first paragraph."""
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert command is not None and command.name == name
    for limit in (45, 80):
        assert click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit) == command.get_short_help_str(limit)


def test_version(run: Any) -> None:
    res = run("--version")
    assert res.code == 0 and __version__ in res.out


def test_list(run: Any) -> None:
    res = run("list", "--format", "json")
    assert res.json["schema_version"] == 1 and res.json["yibao_version"] == __version__
    row = [r for r in res.json["contracts"] if r["name"] == "xinxiang"][0]
    assert row["contract"] == "xinxiang-2025" and row["start"] == "2025-01-01"
    assert row["insurer"] == "中原农业保险股份有限公司河南省分公司"
    assert run("list", "--json").json == res.json  # the deprecated spelling, still accepted
    assert run("list").json == res.json  # JSON when stdout is not a terminal, as for every command
    table = run("list", "--format", "table").out
    assert "xinxiang" in table and "新乡市" in table


def test_show_lists_parameters_terms_and_interpretations(run: Any) -> None:
    res = run("show", "xinxiang", "--format", "json")
    keys = {s["key"]: s for s in res.json["steps"]}
    assert keys["approved_profit"]["clause"] == "第二十一条(1)(2)"
    assert "rate=3.85%" in keys["approved_profit"]["params"]
    assert {i["id"] for i in res.json["interpretations"]} == {
        "fractional_points", "tier_rate_scope", "claims_amount_basis", "funding_base", "claims_benefit_year",
        "auditors_seconded", "region_score",
    }
    assert any(d["key"] == "manual_reimbursement" and d["count"] == 20 for d in res.json["deadlines"])
    text = run("show", "xinxiang", "--format", "table").out
    assert "第二十九条" in text and "● proportional" in text


def bundled_examples() -> list[tuple[str, str]]:
    from yibao.registry import make_registry

    reg = make_registry(load_entrypoints=False, env={})
    return [(name, str(ex)) for name, spec in sorted(reg.contracts.items()) for ex in spec.examples]


@pytest.mark.parametrize(("city", "example"), bundled_examples())
def test_cli_json_equals_api_to_dict_for_every_bundled_example(run: Any, contract: Any, city: str, example: str) -> None:
    c = contract(city)
    facts = api.load_facts(c, example)
    path = api.roster_path(facts, example)
    roster = api.load_roster(path, c) if path else None
    result = api.compute(c, facts, roster, example)
    res = run("compute", city, "--facts", example, "--format", "json")
    assert res.code == EXPECTED_CODE.get(Path(example).name, 0), res.err
    assert res.json == api.envelope(c, result, [example])
    # the single-period shape of DESIGN.md reads at the top level, unchanged
    expected = result.to_dict()
    assert {k: res.json[k] for k in expected} == expected
    assert res.json["results"] == [{k: expected[k] for k in ("period", "items", "findings", "interpretations")}]


#: bundled examples that exit 1: facts that breach the contract on purpose
#: (咸阳 2026-loss.toml exits 0: deductions above the unpaid operating cost are a warning, docs/severities.md)
EXPECTED_CODE: dict[str, int] = {}


def test_amounts_are_strings_with_two_decimals(run: Any) -> None:
    res = run("compute", "xinxiang", "--format", "json")
    for item in res.json["items"]:
        assert isinstance(item["amount"], str)
        whole, _, dec = item["amount"].lstrip("-").partition(".")
        assert whole.isdigit() and len(dec) == 2
        assert set(item) >= {"key", "scope", "label", "amount", "formula", "clause"}


def test_table_is_the_default_on_a_terminal_json_otherwise(run: Any) -> None:
    assert run("compute", "xinxiang").json is not None  # not a tty under the runner
    assert "大额补助资金筹集总额" in run("compute", "xinxiang", "--format", "table").out


def test_violations_exit_1_with_full_result(run: Any, write_toml: Any) -> None:
    # 第三十一条: 政策宣传每年不少于2次; one is a breach of the insurer's duty (a violation)
    p = write_toml('year = 2025\nscore = 50\n[[regions]]\nname = "市本级"\ninsured = 10\npayouts = 0\n[duties]\npublicity_campaigns = 1\n')
    res = run("compute", "xinxiang", "--facts", str(p), "--format", "json")
    assert res.code == 1
    assert res.json["items"] and any(f["severity"] == "violation" for f in res.json["findings"])


def test_facts_from_stdin(run: Any) -> None:
    res = run("compute", "xinxiang", "--facts", "-", "--format", "json", input='year = 2025\nscore = 90\nregions = [{name = "a", insured = 3, payouts = 0}]\n')
    assert res.code == 0 and res.json["items"][0]["amount"] == "570.00"


def test_stdin_errors_name_stdin(run: Any) -> None:
    res = run("compute", "xinxiang", "--facts", "-", input="year = 2025\n")
    assert res.code == 2 and "<stdin>: score: required key missing" in res.err


def test_several_facts_files_give_a_series(run: Any, write_toml: Any) -> None:
    a = write_toml('year = 2025\nscore = 90\nregions = [{name = "a", insured = 3, payouts = 0}]\n', "a.toml")
    # one period given twice is no series: exit 2 naming both files
    res = run("compute", "xinxiang", "--facts", str(a), "--facts", str(a), "--format", "json")
    assert res.code == 2 and "period 2025 is given twice" in res.json["problems"][0]["message"]
    res = run("compute", "xinxiang", "--facts", str(a.parent), "--format", "json")
    assert res.code == 0 and res.json["period"] == "2025"


def test_validate(run: Any) -> None:
    res = run("validate", "xinxiang", "--format", "json")
    assert res.code == 0 and res.json["items"] == []


def test_validate_reports_bad_roster(run: Any, tmp_path: Any) -> None:
    p = tmp_path / "r.csv"
    p.write_text("id,name,site\nA,张三,市本级\n", encoding="utf-8")
    res = run("validate", "xinxiang", "--roster", str(p))
    assert res.code == 2 and "missing column 'role'" in res.err and "张三" not in res.err


def test_schema_command(run: Any) -> None:
    res = run("schema", "xinxiang", "--facts")
    assert res.code == 0 and "score" in res.json["properties"]
    assert run("schema").code == 2


def test_completion_script(run: Any) -> None:
    res = run("completion", "bash")
    assert res.code == 0 and "_YIBAO_COMPLETE" in res.out


def test_no_traceback_on_any_input_error(run: Any, write_toml: Any) -> None:
    for text in ["", "year = []", "[[regions]]\nname = 1", "score = 'x'\nyear = 2025\nregions = []"]:
        res = run("compute", "xinxiang", "--facts", str(write_toml(text)))
        assert res.code == 2 and "Traceback" not in res.err and res.err.startswith("error: ")


# ------------------------------------------------------------ the real entry points
def _env() -> dict[str, str]:
    return {**os.environ, "YIBAO_LOAD_PLUGINS": ""}


@pytest.mark.parametrize(
    "argv",
    [[str(Path(sys.executable).with_name("yibao"))], [sys.executable, "-m", "yibao"]],
    ids=["console-script", "python-m"],
)
def test_entry_point_computes_the_bundled_example(run: Any, argv: list[str]) -> None:
    done = subprocess.run([*argv, "compute", "xinxiang", "--format", "json"], capture_output=True, text=True, env=_env())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run("compute", "xinxiang", "--format", "json").json
    bad = subprocess.run([*argv, "compute", "nosuch"], capture_output=True, text=True, env=_env())
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


LEAVE = (
    "import atexit, sys\n"
    "from yibao.cli import main\n"
    "ran = sys.argv[1]\n"
    "atexit.register(lambda: open(ran, 'w').write('ran'))\n"
    "sys.argv = ['yibao', *sys.argv[2:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["compute", "xinxiang", "--format", "json"], 0),
        (["compute", "xinxiang", "--reading", "fractional_points=none"], 2),
        (["show", "nosuch"], 2),
    ],
)
def test_a_short_command_ends_without_teardown_losing_nothing(tmp_path: Path, args: list[str], code: int) -> None:
    """cli._leave: the exit status, everything printed, and the atexit
    functions, as an ordinary exit has them."""
    ran = tmp_path / "atexit"
    done = subprocess.run([sys.executable, "-c", LEAVE, str(ran), *args], capture_output=True, text=True, env=_env())
    assert done.returncode == code, done.stderr
    assert ran.read_text() == "ran"
    if code == 0:
        assert json.loads(done.stdout)["city"] == "xinxiang"  # all of it: it parses
    else:
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_compute_imports_only_the_compute_command() -> None:
    # the first run may fill the contract cache, which checks [claims] and
    # [calendar] (yibao.claims, yibao.calendar); measured on the second
    imported_by("compute", "xinxiang", "--format", "json")
    code, modules, out = imported_by("compute", "xinxiang", "--format", "json")
    assert code == 0 and json.loads(out)["city"] == "xinxiang"
    commands = {m for m in modules if m.startswith("yibao.commands.")}
    assert commands == {"yibao.commands.compute", "yibao.commands._common"}
    for never in ("yibao.describe", "yibao.render", "yibao.schema", "yibao.scaffold", "yibao.claims", "yibao.calendar", "yibao.testing"):
        assert never not in modules, never
    # click's texts are not looked up in the system's gettext catalogs
    # (cli._keep_click_texts_as_written): that lookup imported locale
    assert "locale" not in modules


def _mo(pairs: dict[str, str]) -> bytes:
    """A GNU ``.mo`` catalog holding ``pairs`` (the format gettext reads)."""
    import struct  # noqa: PLC0415

    keys = sorted(pairs)
    ids = [k.encode() for k in keys]
    strs = [pairs[k].encode() for k in keys]
    n, start = len(keys), 7 * 4 + 16 * len(keys)
    table_ids, table_strs, blob = [], [], b""
    for data, table in [*((d, table_ids) for d in ids), *((d, table_strs) for d in strs)]:
        table.append((len(data), start + len(blob)))
        blob += data + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    return head + b"".join(struct.pack("<2I", *t) for t in table_ids + table_strs) + blob


def test_click_texts_reach_the_catalog_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """yibao's catalog is keyed by click's English (cli._keep_click_texts_as_written):
    a system catalog for gettext's default domain that translates click's
    texts must not translate them first."""
    import gettext  # noqa: PLC0415

    import click  # noqa: PLC0415

    mo = tmp_path / "fr" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(_mo({"file": "fichier", "Show this message and exit.": "Afficher ce message."}))
    monkeypatch.setenv("LANGUAGE", "fr")
    monkeypatch.setattr(gettext, "_default_localedir", str(tmp_path))
    monkeypatch.setattr(gettext, "_translations", {})
    assert gettext.gettext("file") == "fichier"  # the system catalog is in force
    assert click.Path(file_okay=True, dir_okay=False).name == "file"
    assert cli.get_help_option(click.Context(cli)).help == "Show this message and exit."  # type: ignore[union-attr]


COMMAND_MODULES = {v.partition(":")[0] for v in COMMANDS.values()}


def test_help_imports_no_command() -> None:
    code, modules, out = imported_by("--help")
    assert code == 0 and "new-city" in out
    assert not modules & COMMAND_MODULES


def test_completion_lists_commands_without_importing_them() -> None:
    code, modules, out = imported_by(_YIBAO_COMPLETE="bash_complete", COMP_WORDS="yibao co", COMP_CWORD="1")
    assert code == 0
    assert out.split() == ["plain,compare", "plain,completion", "plain,compute"]
    assert not modules & COMMAND_MODULES


def test_no_command_is_added_eagerly() -> None:
    """mkdocs-click documents ``cli.commands`` when it is not empty and the
    lazy list only when it is: one eager command would hide the others."""
    assert cli.commands == {}
