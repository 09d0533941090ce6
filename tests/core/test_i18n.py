"""Messages in Chinese by default, English with YIBAO_LANG=en (core/i18n.py,
core/locale/zh.po), translated at output time."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from yibao import i18n
from yibao.cli import COMMANDS, SUMMARIES, cli

ZH = {"YIBAO_LANG": "zh"}
#: the commands a bureau or insurer clerk uses: their help is entirely translated
CLERK_COMMANDS = ("compute", "validate", "template", "statement", "show", "list")


def test_every_catalog_entry_has_both_languages_and_the_same_placeholders() -> None:
    entries = i18n.catalog()
    assert len(entries) > 100
    for en, zh in entries.items():
        assert en.strip() and zh.strip(), en
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), en
        assert zh != en, f"not translated: {en!r}"


def test_po_escapes_and_fuzzy_entries() -> None:
    text = 'msgid "a \\"b\\"\\n"\nmsgstr "甲\\n"\n\n#, fuzzy\nmsgid "c"\nmsgstr "丙"\n\nmsgid "d"\nmsgstr ""\n'
    assert i18n.parse_po(text) == {'a "b"\n': "甲\n"}


def _help_texts(cmd: click.Command) -> list[str]:
    """Every help text of ``cmd`` (and of its subcommands, for a group):
    paragraphs of its docstring but the ``\\b`` blocks, and its options' help
    without click's trailing ``[default: …]``."""
    from yibao.help import _EXTRA

    texts = [" ".join(p.split()) for p in (cmd.help or "").split("\n\n") if p.strip() and not p.strip().startswith("\b")]
    for p in cmd.params:
        if isinstance(p, click.Option) and p.help and not p.hidden:
            text = " ".join(p.help.split())
            m = _EXTRA.search(text)
            texts.append(text[: m.start()] if m else text)
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd)
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None
            texts += _help_texts(sub) + ([sub.short_help] if sub.short_help else [])
    return texts


def test_every_commands_help_has_both() -> None:
    """Walks ``yibao.cli.COMMANDS``: every command's (and subcommand's) help."""
    ctx = click.Context(cli)
    messages = list(SUMMARIES.values()) + _help_texts(cli)
    assert set(COMMANDS) >= set(CLERK_COMMANDS)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None, name
        messages += _help_texts(cmd)
    messages += ["Usage:", "Options:", "Commands:", "Examples:", "Show this message and exit.", "Show the version and exit."]
    assert i18n.untranslated(messages) == []


def _template(node: ast.expr) -> str | None:
    """An error message's English as a catalog template: an f-string's
    values as ``{name}`` (numbered when a name repeats); of ``a + b``, ``a``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left)
    if not isinstance(node, ast.JoinedStr):
        return None
    out: list[str] = []
    seen: dict[str, int] = {}
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(str(v.value))
        elif isinstance(v, ast.FormattedValue):
            e = v.value
            name = e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else "value"
            seen[name] = seen.get(name, 0) + 1
            out.append("{" + name + (str(seen[name]) if seen[name] > 1 else "") + "}")
    return "".join(out)


def test_every_input_error_of_the_core_has_both() -> None:
    """The message of every ``InputError.one(…)`` and ``Problem(…)`` in core/
    (a message of several lines is translated line by line, not as a whole)."""
    core = Path(i18n.__file__).parent
    messages: list[str] = []
    for f in sorted(core.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and len(node.args) >= 3:
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if name in ("one", "Problem"):
                    text = _template(node.args[2])
                    if text and "\n" not in text:
                        messages.append(text)
    assert len(messages) > 100
    assert i18n.untranslated(messages) == []


def test_a_hint_is_translated_after_any_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIBAO_LANG", "zh")
    assert i18n.tr("no step produces 'quarter_fe'; did you mean 'quarter_fee'?") == "没有任何计算步骤产生 'quarter_fe'；是否应为 'quarter_fee'？"


def test_errors_in_chinese_by_default_and_in_english_on_request(run: Any) -> None:
    zh = run("compute", "nope", env=ZH)
    assert zh.code == 2 and zh.err.startswith("错误：city：没有合同 'nope'；已有：")
    assert zh.json["problems"][0]["message"].startswith("没有合同 'nope'")
    en = run("compute", "nope", env={"YIBAO_LANG": "en"})
    assert en.err.startswith("error: city: no contract 'nope'; known:")


def test_a_workbook_error_in_chinese(run: Any, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    import openpyxl

    out = tmp_path / "f.xlsx"
    assert run("template", "xinxiang", "--out", str(out), "--example").code == 0
    wb = openpyxl.load_workbook(out)
    wb["行政区划"]["B2"] = -5
    wb.save(out)
    r = run("validate", "xinxiang", "--facts", str(out), env=ZH)
    assert f"错误：{out}: 行政区划!B2 (regions[0].insured)：应为不小于 0 的数，实为 -5" in r.err


def _small_roster(tmp_path: Path) -> Path:
    p = tmp_path / "staff.csv"
    p.write_text("id,site,role\nS1,市本级,经办\n", encoding="utf-8")
    return p


def test_findings_translated_at_output_time(run: Any, tmp_path: Path) -> None:
    roster = _small_roster(tmp_path)
    en = run("compute", "luoyang", "--roster", str(roster), "--format", "json", env={"YIBAO_LANG": "en"})
    zh = run("compute", "luoyang", "--roster", str(roster), "--format", "json", env=ZH)
    assert en.code == zh.code == 1
    pairs = [(a["message"], b["message"]) for a, b in zip(en.json["findings"], zh.json["findings"], strict=True)]
    counted = [(a, b) for a, b in pairs if "on the roster" in a]
    assert counted, pairs
    for _en, b in counted:  # 第四条(一): the head counts, in Chinese
        assert "花名册上" in b and "合同要求至少" in b and "on the roster" not in b
    table = run("compute", "luoyang", "--roster", str(roster), "--format", "table", env=ZH)
    assert "违约" in table.out and "花名册上" in table.out and "发现：" in table.out


def test_a_message_not_in_the_catalog_is_shown_as_written() -> None:
    os.environ["YIBAO_LANG"] = "zh"
    new = "a new plugin's finding: 3 things the catalog does not know"
    assert i18n.tr(new) == new
    assert i18n.tr(12) == 12


def test_composed_messages_translate_part_by_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIBAO_LANG", "zh")
    msg = "派驻人员: all roles: 14 on the roster, the contract requires at least 20"
    assert i18n.tr(msg) == "派驻人员：全部岗位：花名册上 14 人，合同要求至少 20 人"
    monkeypatch.setenv("YIBAO_LANG", "en")
    assert i18n.tr(msg) == msg


def test_help_in_chinese_fits_the_width(run: Any) -> None:
    # a real process: click's test runner forces 80 columns
    done = subprocess.run(
        [sys.executable, "-m", "yibao", "compute", "--help"], capture_output=True, text=True, env={**os.environ, **ZH, "COLUMNS": "60"}
    )
    r = type("R", (), {"out": done.stdout})
    assert "用法：" in r.out and "选项：" in r.out and "计算一个期间的金额" in r.out
    from yibao.textwidth import width

    # example command lines are kept whole, to be copied as they are
    assert max(width(line) for line in r.out.splitlines() if "yibao " not in line) <= 60
    en = run("compute", "--help", env={"YIBAO_LANG": "en"})
    assert "Usage:" in en.out and "Compute a period's figures" in en.out


def test_json_compute_without_findings_reads_no_catalog() -> None:
    code = (
        "import sys, json\n"
        "from yibao.cli import cli\n"
        "try:\n    cli(['compute', 'xinxiang', '--format', 'json'], prog_name='yibao')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print(json.dumps([code, sorted(m for m in ('yibao.i18n', 'yibao.help', 'yibao.render', 'yibao.textwidth', 'yibao.excel', 'openpyxl', 'yibao.statement') if m in sys.modules)]), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "YIBAO_LANG": "zh"})
    rc, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert rc == 0 and json.loads(done.stdout)["findings"] == []
    assert loaded == []
