"""The CLI: every command has --help with an example; JSON equals the API."""

from __future__ import annotations

from typing import Any

import click
import pytest
from yibao import __version__, api
from yibao.cli import COMMANDS, cli


def commands() -> list[str]:
    return sorted(COMMANDS)


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help_with_an_example(run: Any, name: str) -> None:
    res = run(name, "--help")
    assert res.code == 0
    assert "Example" in res.out and "yibao " in res.out


def test_version(run: Any) -> None:
    res = run("--version")
    assert res.code == 0 and __version__ in res.out


def test_list(run: Any) -> None:
    res = run("list", "--json")
    row = [r for r in res.json if r["name"] == "xinxiang"][0]
    assert row["contract"] == "xinxiang-2025" and row["start"] == "2025-01-01"
    assert row["insurer"] == "中原农业保险股份有限公司河南省分公司"
    table = run("list").out
    assert "xinxiang" in table and "新乡市" in table


def test_show_lists_parameters_terms_and_interpretations(run: Any) -> None:
    res = run("show", "xinxiang", "--format", "json")
    keys = {s["key"]: s for s in res.json["steps"]}
    assert keys["approved_profit"]["clause"] == "第二十一条(1)(2)"
    assert "rate=3.85%" in keys["approved_profit"]["params"]
    assert {i["id"] for i in res.json["interpretations"]} == {"fractional_points", "tier_rate_scope", "claims_amount_basis"}
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
    expected = api.compute(c, facts, roster, example).to_dict()
    res = run("compute", city, "--facts", example, "--format", "json")
    assert res.code in (0, 1), res.err
    assert res.json == expected


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
    p = write_toml('year = 2025\nscore = 50\n[[regions]]\nname = "市本级"\ninsured = 10\npayouts = 0\n')
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
    res = run("compute", "xinxiang", "--facts", str(a), "--facts", str(a), "--format", "json")
    assert res.code == 0 and len(res.json["results"]) == 2
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


def test_click_group_is_the_entry_point() -> None:
    assert isinstance(cli, click.Group)
