"""Messages in Chinese by default, English with YIBAO_LANG=en (core/i18n.py,
core/locale/zh.po), translated at output time."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
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


def _templates(node: ast.expr | None, assigned: dict[str, list[ast.stmt]] | None = None) -> list[str]:
    """The English a message expression can produce, as catalog templates:
    an f-string's values as ``{name}`` (numbered when a name repeats); both
    branches of ``a if c else b``; every combination of ``a + b``; a local
    variable as each text it is assigned and extended to (``msg = …`` then
    ``msg += …``, in the order of the code). What is not text the code
    spells (``str(exc)``, ``p.message``: a message made elsewhere) gives none."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, assigned) + _templates(node.orelse, assigned)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _templates(node.left, assigned), _templates(node.right, assigned)
        return [a + b for a in left for b in right or ['{value}']]  # what the code does not spell: a value
    if isinstance(node, ast.Name) and assigned and node.id in assigned:
        done: list[str] = []
        current: list[str] = []
        rest = {k: v for k, v in assigned.items() if k != node.id}  # a value made from itself: not again
        for stmt in assigned[node.id]:
            if isinstance(stmt, ast.Assign):
                done += current
                current = _templates(stmt.value, rest)
            elif isinstance(stmt, ast.AugAssign):
                tails = _templates(stmt.value, rest)
                current = [a + b for a in current for b in tails] if tails else current
        return done + current
    if not isinstance(node, ast.JoinedStr):
        return []
    outs: list[str] = [""]
    seen: dict[str, int] = {}
    for v in node.values:
        if isinstance(v, ast.Constant):
            outs = [o + str(v.value) for o in outs]
        elif isinstance(v, ast.FormattedValue):
            e = v.value
            # a local variable that is only ever words (``need = "exactly" if
            # exactly else "at least"``): each of them, as the code spells it
            words = _words_only(e, assigned) if v.conversion == -1 else None
            if words:
                outs = [o + w for o in outs for w in words]
                continue
            name = e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else "value"
            seen[name] = seen.get(name, 0) + 1
            outs = [o + "{" + name + (str(seen[name]) if seen[name] > 1 else "") + "}" for o in outs]
    return outs


def _words_only(node: ast.expr, assigned: dict[str, list[ast.stmt]] | None, depth: int = 0) -> list[str] | None:
    """The texts ``node`` can be when it is only ever text the code spells
    (a constant, ``a if c else b`` of them, a local variable assigned only
    such values); else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _words_only(node.body, assigned, depth), _words_only(node.orelse, assigned, depth)
        return a + b if a is not None and b is not None else None
    if isinstance(node, ast.Name) and assigned and node.id in assigned and depth < 3:
        out: list[str] = []
        for stmt in assigned[node.id]:
            got = _words_only(stmt.value, assigned, depth + 1) if isinstance(stmt, ast.Assign) else None
            if got is None:
                return None
            out += got
        return out
    return None


def _assignments(fn: ast.AST) -> dict[str, list[ast.stmt]]:
    """A function's assignments to plain names, in the order of the code."""
    out: dict[str, list[ast.stmt]] = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            out.setdefault(n.targets[0].id, []).append(n)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and isinstance(n.op, ast.Add):
            out.setdefault(n.target.id, []).append(n)
    for stmts in out.values():
        stmts.sort(key=lambda s: (s.lineno, s.col_offset))
    return out


def _callee(call: ast.Call) -> str:
    fn = call.func
    return fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")


#: the calls whose third argument is an input problem's message
_MAKERS = {"one": 2, "Problem": 2}
#: and the calls of findings and field errors (a validator's message): the
#: position of the message — ``ledger.finding(key, severity, message, …)``,
#: ``ctx.finding(…)``, ``FieldError(field, message)``
_SHOWN = {"finding": 2, "FieldError": 1}
#: the severities: a tuple ``(…, "warning", message, …)`` is a finding's
#: severity and message handed on (``person_rules._failures``, 淮阳's
#: ``_stated_revolving_fund``)
_SEVERITIES = ("info", "warning", "violation")


def _functions(files: list[Path]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    trees = [ast.parse(f.read_text(encoding="utf-8")) for f in files]
    return [fn for tree in trees for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _forwarders(functions: list[Any], base: dict[str, int]) -> dict[str, int]:
    """``base`` plus each helper that passes one of its parameters on as
    the message of a call of ``base`` (``_err(message)``,
    ``self.input_error(op, message)``), by the parameter's position."""
    makers = dict(base)
    for fn in functions:
        params = [a.arg for a in fn.args.args if a.arg not in ("self", "cls")]
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and _callee(call) in base and len(call.args) > base[_callee(call)]:
                arg = call.args[base[_callee(call)]]
                if isinstance(arg, ast.Name) and arg.id in params and fn.name not in makers:
                    makers[fn.name] = params.index(arg.id)
    return makers


def _messages(functions: list[Any], makers: dict[str, int], tuples: bool = False) -> list[str]:
    """The English of every call of ``makers`` in ``functions`` (its
    message argument as templates); with ``tuples``, also the message of
    each tuple that carries a severity (``("warning", message, clause)``)
    and of each ``(key, message)`` a facts class's ``validate_against``
    appends."""
    messages: list[str] = []
    for fn in functions:
        assigned = _assignments(fn)
        for node in ast.walk(fn):
            pos = makers.get(_callee(node)) if isinstance(node, ast.Call) else None
            if pos is not None and len(node.args) > pos:  # type: ignore[union-attr]
                messages += _templates(node.args[pos], assigned)  # type: ignore[union-attr]
            if not tuples:
                continue
            if isinstance(node, ast.Tuple):
                for i, e in enumerate(node.elts[:-1]):
                    after = node.elts[i + 1]
                    if isinstance(e, ast.Constant) and e.value in _SEVERITIES and not (isinstance(after, ast.Constant) and after.value in _SEVERITIES):
                        messages += _templates(node.elts[i + 1], assigned)
            if fn.name == "validate_against" and isinstance(node, ast.Call) and _callee(node) == "append":
                (arg,) = node.args
                if isinstance(arg, ast.Tuple) and len(arg.elts) == 2:
                    messages += _templates(arg.elts[1], assigned)
            if isinstance(node, ast.Call) and _callee(node) == "raise_finding" and len(node.args) > 1:
                # the TOML's message (Chinese) with this detail in （）
                messages += ["{message}（" + t + "）" for t in _templates(node.args[1], assigned)]
    return sorted(set(messages))


def core_input_error_messages() -> list[str]:
    """The English of every input problem the core can raise: the message of
    each ``InputError.one(…)`` and ``Problem(…)`` in core/, and of each call
    to a helper that passes one of its parameters on as that message
    (``_err(message)``, ``self.input_error(op, message)``)."""
    core = Path(i18n.__file__).parent
    functions = _functions(sorted(core.rglob("*.py")))
    makers = _forwarders(functions, _MAKERS)
    assert {"_err", "input_error"} <= set(makers), makers
    return _messages(functions, makers)


def shown_messages(files: list[Path]) -> list[str]:
    """The English of every message ``files`` can show besides input
    problems: findings (``ledger.finding``, ``ctx.finding``, and the
    severity tuples handed to them), field errors of validators
    (``FieldError``), what ``validate_against`` returns, the details of
    ``raise_finding``; and, for files outside core/, their input problems."""
    functions = _functions(files)
    makers = _forwarders(functions, {**_MAKERS, **_SHOWN})
    return _messages(functions, makers, tuples=True)


PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def _is_code(line: str) -> bool:
    """A line of a message that is a sample to copy (indented four spaces,
    no ``#`` comment): shown as written in every language."""
    return line.startswith("    ") and "#" not in line


def _deeply_untranslated(message: str) -> bool:
    """``message`` is not in the catalog, or it matches a template only
    because a part (a ``{message}``) that is English text is not."""
    exact, patterns = i18n._load()
    if message in exact:
        return False
    for pattern, _zh in patterns:
        m = pattern.match(message)
        if m is not None:
            # a part that is text (words, not only placeholders) must be translated too
            return any(" " in re.sub(r"\{\w+\}", "", v).strip() and _deeply_untranslated(v) for v in m.groupdict().values())
    return True


def test_every_input_error_of_the_core_has_both() -> None:
    """Every input problem of the core, in Chinese: a message of several
    lines line by line (as it is shown), but the lines that are a sample to
    copy; a message that ends in a hint, its own part too."""
    messages = core_input_error_messages()
    assert len(messages) > 150
    lines = [line for m in messages for line in m.split("\n") if line.strip() and not _is_code(line)]
    assert any("no holiday table for {year}" in line for line in lines) and any(line.startswith("no deadline {key}") for line in lines)
    assert [line for line in lines if _deeply_untranslated(line)] == []


def test_the_no_holiday_table_message_in_chinese(run: Any) -> None:
    """A message of several lines (calendar.uncovered_year) is translated
    line by line, on stderr and in the JSON error document; the TOML sample
    in it is shown as written."""
    r = run("deadline", "luoyang", "termination_notice", "--from", "2027-03-01", "--format", "table", env=ZH)
    assert r.code == 2
    assert "没有 2027 年的节假日表" in r.err and "no holiday table" not in r.err
    assert "    [[calendar.years]]\n    year = 2027\n" in r.err
    assert "in the contract TOML" not in r.err and "--calendar FILE" in r.err
    j = run("deadline", "luoyang", "termination_notice", "--from", "2027-03-01", "--format", "json", env=ZH)
    message = j.json["problems"][0]["message"]
    assert message.startswith("没有 2027 年的节假日表") and "    [[calendar.years]]" in message
    en = run("deadline", "luoyang", "termination_notice", "--from", "2027-03-01", "--format", "table", env={"YIBAO_LANG": "en"})
    assert "no holiday table for 2027" in en.err


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


# ------------------------------------------------------------ findings, field errors, plugins (issue 17 remainder)
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _needs_entry(messages: list[str]) -> list[str]:
    """The lines of ``messages`` a reader sees in English unless the
    catalog has them: lines with English words, but samples to copy."""
    lines = [line for m in messages for line in m.split("\n") if line.strip() and not _is_code(line)]
    return [line for line in lines if _WORDS.search(re.sub(r"\{\w+\}", "", line))]


def test_every_finding_and_field_error_of_the_core_has_both() -> None:
    """The findings of core/ (``ledger.finding``, ``ctx.finding``, the
    ``(…, severity, message)`` tuples handed to them, ``raise_finding``'s
    details) and the field errors of the contract TOML's validators
    (``FieldError``): each in Chinese, part by part."""
    core = Path(i18n.__file__).parent
    messages = shown_messages(sorted(core.rglob("*.py")))
    lines = _needs_entry(messages)
    assert len(lines) > 250
    # the scan reaches each kind of source (so this test can fail)
    assert "{who}: {n} on the roster, the contract requires exactly {count}" in lines  # a local of words, both spelled
    assert "the shares must add up to 100%" in lines  # FieldError
    assert any(line.startswith("turned {") for line in lines)  # a severity tuple
    assert "{message}（score {value}）" in lines  # raise_finding's detail
    assert [line for line in lines if _deeply_untranslated(line)] == []


def test_every_message_of_the_city_plugins_has_both() -> None:
    """plugins/*/: field errors, what ``validate_against`` returns, findings
    (also those returned as ``(severity, message, clause)``) and input
    problems, each in Chinese — e.g. 淮阳's ``march_batch`` (第二十八条)."""
    messages = shown_messages(sorted(PLUGINS.glob("*/*.py")))
    lines = _needs_entry(messages)
    assert len(lines) > 25
    assert "required under transfer_split = as_transferred (the March transfer actually made, 第二十八条)" in lines  # validate_against
    assert any(line.startswith("march_batch = {") for line in lines)  # ledger.finding
    assert any(line.startswith("{text}, the contract states") for line in lines)  # a (severity, message, clause) return
    assert any("files sampled to pass" in line for line in lines)  # FieldError
    assert [line for line in lines if _deeply_untranslated(line)] == []


def test_a_plugin_message_in_chinese_end_to_end(run: Any, write_toml: Any) -> None:
    """淮阳 第二十八条: the reading as_transferred needs march_batch; the
    input error of validate_against, in Chinese (and English on request)."""
    facts = write_toml((PLUGINS / "huaiyang" / "examples" / "2025.toml").read_text(encoding="utf-8").replace("\nmarch_batch", "\n# march_batch"))
    args = ("compute", "huaiyang", "--facts", str(facts), "--reading", "transfer_split=as_transferred", "--format", "table")
    zh = run(*args, env=ZH)
    assert zh.code == 2, zh.err
    assert "march_batch：在解释 transfer_split = as_transferred 下必填（3月实际划拨的金额，第二十八条）" in zh.err
    assert "required under" not in zh.err
    en = run(*args, env={"YIBAO_LANG": "en"})
    assert "march_batch: required under transfer_split = as_transferred" in en.err


def claims_messages() -> list[str]:
    """What a claims run can say about a bad cell: the message of each
    check of ``parse_sql`` (the last of its ``(condition, column, raw,
    message)`` tuples), the duplicate's and the pseudo-column past the
    header; and the lines ``yibao claims`` prints around them."""
    from yibao.claims import sql

    tree = ast.parse(Path(sql.__file__).read_text(encoding="utf-8"))
    parse = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "parse_sql")
    assigned = _assignments(parse)
    checks = [t for t in ast.walk(parse) if isinstance(t, ast.Tuple) and len(t.elts) == 4 and not isinstance(t.elts[1], ast.Constant) and isinstance(t.elts[2], ast.Constant)]
    messages = [m for t in checks for m in _templates(t.elts[3], assigned)]
    assert len(checks) >= 13, "the checks of parse_sql are no longer (condition, column, raw, message) tuples: update this scan"
    return sorted(set(messages)) + [sql.DUPLICATE, sql.EXTRA_COLUMN]


def test_every_claims_message_has_both() -> None:
    messages = claims_messages()
    assert "expected at most 2 decimals (分)" in messages and "expected one of {kind_list}" in messages
    assert [m for m in messages if _deeply_untranslated(m)] == []


def test_every_text_the_code_translates_is_in_the_catalog() -> None:
    """Every text the code hands to ``tr``/``trf`` (the claims lines, table
    headers, progress steps): a catalog entry, so none is shown in English
    by mistake."""
    core = Path(i18n.__file__).parent
    messages = _messages(_functions(sorted(core.rglob("*.py"))), {"tr": 0, "trf": 0, "problem_line": 0})
    assert any(m.startswith("bad row: {file}") for m in messages) and len(messages) > 10
    assert "internal error in {module}: {cause}" in messages and "terminated" in messages  # cli.py's error path
    assert [m for m in messages if _deeply_untranslated(m)] == []


def test_claims_bad_rows_in_chinese_on_stderr_json_and_csv(run: Any, tmp_path: Path) -> None:
    """What a clerk reads is Chinese: stderr, the JSON's messages, the
    bad-rows CSV's message column; the CSV's header, ``row``, ``column``
    (the log's own header) and ``value`` stay as they are. English with
    YIBAO_LANG=en. Rows: 2 no 2月30日, 3 a negative amount, 4 the claim_id
    of row 1 again, 5 one field past the header (6 fields)."""
    pytest.importorskip("duckdb")
    log = tmp_path / "log.csv"
    log.write_text(
        "claim_id,kind,received_on,settled_on,person_id,amount_eligible\n"
        "L1,direct,2025-03-03,2025-03-20,P1,100.00\n"
        "L2,direct,2025-02-30,2025-03-20,P1,100.00\n"
        "L3,manual,2025-03-03,2025-03-20,P2,-1.00\n"
        "L1,manual,2025-04-01,2025-04-10,P3,5.00\n"
        "L5,manual,2025-04-01,2025-04-10,P3,5.00,extra\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    zh = run("claims", "xinxiang", str(log), "--out", str(out), "--format", "json", env=ZH)
    assert zh.code == 1
    assert f"错误行：{log}：第 2 行：received_on：应为日期，如 2025-06-15（实为 '2025-02-30'）" in zh.err
    assert f"错误行：{log}：第 3 行：amount_eligible：应为不小于 0 的金额（实为 '-1.00'）" in zh.err
    assert f"错误行：{log}：第 4 行：claim_id：claim_id 重复：首次出现在第 1 行（实为 'L1'）" in zh.err
    assert f"错误行：{log}：第 5 行：（第 6 列之后）：字段比表头多（实为 'extra'）" in zh.err
    assert f"4 行有错误，未处理；全部列于 {tmp_path / 'out.bad_rows.csv'}" in zh.err
    assert "bad row" not in zh.err and "expected" not in zh.err
    assert [(b["row"], b["column"], b["message"]) for b in zh.json["bad"]] == [
        (2, "received_on", "应为日期，如 2025-06-15"),
        (3, "amount_eligible", "应为不小于 0 的金额"),
        (4, "claim_id", "claim_id 重复：首次出现在第 1 行"),
        (5, "(after column 6)", "字段比表头多"),
    ]
    csv_zh = (tmp_path / "out.bad_rows.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_zh == [
        "row,column,value,message",
        "2,received_on,2025-02-30,应为日期，如 2025-06-15",
        "3,amount_eligible,'-1.00,应为不小于 0 的金额",  # a cell that would run as a formula, neutralised
        "4,claim_id,L1,claim_id 重复：首次出现在第 1 行",
        "5,(after column 6),extra,字段比表头多",
    ]
    en = run("claims", "xinxiang", str(log), "--out", str(out), "--format", "json", env={"YIBAO_LANG": "en"})
    assert f"bad row: {log}: row 4: claim_id: duplicate claim_id: first in row 1 (got 'L1')" in en.err
    assert f"bad row: {log}: row 5: (after column 6): more fields than the header has (got 'extra')" in en.err
    assert en.json["bad"][0]["message"] == "expected a date such as 2025-06-15"
    csv_en = (tmp_path / "out.bad_rows.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_en[3:] == ["4,claim_id,L1,duplicate claim_id: first in row 1", "5,(after column 6),extra,more fields than the header has"]


def test_messages_sql_translates_only_the_message() -> None:
    """The CSV's translation is one CASE over the message column: an
    unknown message is kept; the duplicate's row number is kept in place."""
    duckdb = pytest.importorskip("duckdb")
    from yibao.claims import sql

    rows = "SELECT * FROM (VALUES (1, 'a', 'x', 'missing value'), (2, 'b', NULL, 'duplicate claim_id: first in row 12'), (3, 'c', 'y', 'new check')) t(row, \"column\", value, message)"
    query = sql.messages_sql(rows, {"missing value": "缺少值", "new check": "new check"}, "claim_id 重复：首次出现在第 {row} 行")
    assert duckdb.connect().execute(query).fetchall() == [(1, "a", "x", "缺少值"), (2, "b", None, "claim_id 重复：首次出现在第 12 行"), (3, "c", "y", "new check")]
    assert sql.messages_sql(rows, {"x": "x"}, sql.DUPLICATE) == rows  # nothing to translate: the query as it is


def test_trf_fills_a_template_without_translating_the_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIBAO_LANG", "zh")
    # a column header that is also a catalog entry ("error") is shown as it is
    assert i18n.trf("bad row: {file}: row {row}: {column}: {message} (got {got})", file="a.csv", row=2, column="error", message="缺少值", got="空值") == (
        "错误行：a.csv：第 2 行：error：缺少值（实为 空值）"
    )
    assert i18n.trf("not in the catalog: {x}", x="error") == "not in the catalog: error"
    monkeypatch.setenv("YIBAO_LANG", "en")
    assert i18n.trf("empty") == "empty"


# ------------------------------------------------------------ periods
def test_the_period_kinds_in_chinese(run: Any, write_toml: Any) -> None:
    """What a period key expects (periods.py ``expected``: not a message of
    a call, so no scan finds it) and the bad period of a facts file, in
    Chinese: 洛阳 takes a quarter or a year (第三条(四)(五))."""
    from yibao import periods

    os.environ["YIBAO_LANG"] = "zh"
    kinds = [k for k in vars(periods).values() if isinstance(k, type) and issubclass(k, periods.Period) and k is not periods.Period]
    assert len(kinds) >= 4
    for k in kinds:
        assert not _deeply_untranslated(k.expected), k
        assert not _deeply_untranslated(f"expected a {k.noun} from {{first}} to {{last}} ({{term}}), got {{period}}"), k
    facts = write_toml((PLUGINS / "luoyang" / "examples" / "2026Q1.toml").read_text(encoding="utf-8").replace('period = "2026Q1"', 'period = "soon"'))
    r = run("compute", "luoyang", "--facts", str(facts), "--format", "table", env=ZH)
    assert r.code == 2
    assert "period：应为 季度，如 '2026Q1'（Q1–Q4）；或 年度，如 2025；实为 'soon'" in r.err, r.err


# ------------------------------------------------------------ the TOML's texts
#: English prose: two words or more, not inside an identifier (``transfer_split``)
_PROSE = re.compile(r"(?<![\w.-])[A-Za-z]{2,}(?:[,;:'’()]?\s+[('’]?[A-Za-z]{2,})+(?![\w.-])")


def english_prose(text: str) -> list[str]:
    """The runs of English words in ``text`` (identifiers and codes are not)."""
    return _PROSE.findall(text)


def _strings(x: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(x, str):
        yield path, x


def untranslated_toml_texts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The texts of a contract TOML shown to users — finding messages
    (``[[steps]]`` ``finding``/``otherwise``/``*_finding`` specs), the
    interpretations' questions and readings, labels, terms — that hold
    English prose the catalog does not translate."""
    os.environ["YIBAO_LANG"] = "zh"
    return [(path, s) for path, s in _strings(doc) if english_prose(s) and i18n.tr(s) == s]


def test_the_contract_texts_shown_are_chinese() -> None:
    import tomllib
    from decimal import Decimal

    docs = {p.parent.name: tomllib.loads(p.read_text(encoding="utf-8"), parse_float=Decimal) for p in sorted(PLUGINS.glob("*/contract.toml"))}
    assert len(docs) == 5
    for doc in docs.values():
        assert untranslated_toml_texts(doc) == [], doc["id"]
    # what it looks at: the findings' messages and the readings (so it can fail)
    huaiyang = docs["huaiyang"]
    assert any("message" in p for p, _ in _strings(huaiyang)) and any(".readings." in p for p, _ in _strings(huaiyang))
    bad = {"steps": [{"excess_finding": {"key": "funding.x", "message": "the March batch exceeds the total"}}]}
    assert untranslated_toml_texts(bad) == [("steps[0].excess_finding.message", "the March batch exceeds the total")]
    assert english_prose("3月划拨超过全年筹资总额（解释 uncovered_excess = debt，facts 的 march_batch）") == []


# ------------------------------------------------------------ click's usage errors
@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("compute", "xinxiang", "--bogus"), "错误：没有选项 '--bogus'。是否应为 '--out'？", "Error: No such option '--bogus'. Did you mean '--out'?"),
        (("compute",), "错误：缺少参数 'CITY'。", "Error: Missing argument 'CITY'."),
        (("compute", "xinxiang", "--format", "xml"), "错误：'--format' 的值无效：'xml' 不是 'table', 'json', 'xlsx' 之一。", "Error: Invalid value for '--format': 'xml' is not one of"),
        (("claims", "xinxiang", "x.csv", "--threads", "0"), "错误：'--threads' 的值无效：0 不在范围 x>=1 内。", "is not in the range x>=1."),
        (("comptue",), "错误：没有命令 'comptue'。", "Error: No such command 'comptue'."),
        (("compute", "xinxiang", "--facts"), "错误：选项 '--facts' 需要一个值。", "Error: Option '--facts' requires an argument."),
    ],
)
def test_usage_errors_in_chinese(run: Any, args: tuple[str, ...], zh: str, en: str) -> None:
    """click's own errors (a mistyped option, a missing argument, a value
    its type refuses): Chinese by default, with the hint to --help; exit 2."""
    r = run(*args, env=ZH)
    assert r.code == 2
    assert zh in r.err, r.err
    assert "Error:" not in r.err and "Try '" not in r.err
    if "'CITY'" in zh:
        assert "用 'yibao compute --help' 查看帮助。" in r.err and "用法：" in r.err
    e = run(*args, env={"YIBAO_LANG": "en"})
    assert e.code == 2 and en in e.err


# ------------------------------------------------------------ the last English under zh (issue i18n2)
@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("--bogus",), "错误：没有选项 '--bogus'。", "Error: No such option '--bogus'."),
        (("--plugins-dir", "/nowhere/at/all", "list"), "错误：'--plugins-dir' 的值无效：目录 '/nowhere/at/all' 不存在。", "Error: Invalid value for '--plugins-dir': Directory '/nowhere/at/all' does not exist."),
    ],
)
def test_usage_errors_of_the_group_itself(run: Any, args: tuple[str, ...], zh: str, en: str) -> None:
    """An option of ``yibao`` itself that click refuses before any command
    runs (cli.YibaoGroup.parse_args): as the commands' own usage errors,
    Chinese by default with the --help hint, English on request; exit 2."""
    r = run(*args, env=ZH)
    assert r.code == 2
    assert r.err.endswith(zh + "\n"), r.err
    assert "用法： yibao [OPTIONS] COMMAND [ARGS]..." in r.err and "用 'yibao --help' 查看帮助。" in r.err
    assert "Error:" not in r.err and "Try '" not in r.err
    e = run(*args, env={"YIBAO_LANG": "en"})
    assert e.code == 2 and e.err.endswith(en + "\n"), e.err
    assert "Try 'yibao --help' for help." in e.err


def test_a_group_without_its_command_shows_its_help_not_an_error(run: Any) -> None:
    """``yibao ledger`` (click's NoArgsIsHelpError): the help page, never the
    help page again as an 错误：… message."""
    r = run("ledger", env=ZH)
    assert r.code == 2
    assert r.err.startswith("用法： yibao ledger [OPTIONS] COMMAND [ARGS]...") and "结算台账" in r.err
    assert "错误" not in r.err and r.err.count("用法：") == 1


def test_a_plugin_error_that_is_not_a_hook_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other plugin errors that reach exit 3 (a model that cannot be
    loaded): the catalog's words, the names and Python's words as they are."""
    from yibao.errors import PluginError
    from yibao.help import exit3_line, plugin_error_text

    exc = PluginError("model 'bonus' (yibao_x.models) cannot be loaded: ModuleNotFoundError: No module named 'yibao_x'")
    monkeypatch.setenv("YIBAO_LANG", "zh")
    assert exit3_line(plugin_error_text(exc)) == "错误：模型 'bonus'（yibao_x.models）无法加载：ModuleNotFoundError: No module named 'yibao_x'（设 YIBAO_DEBUG=1 可显示回溯）"
    monkeypatch.setenv("YIBAO_LANG", "en")
    assert exit3_line(plugin_error_text(exc)) == f"error: {exc} (YIBAO_DEBUG=1 shows the traceback)"


def test_why_not_computed_translates_each_message_before_the_join(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two problems: each message in Chinese, the keys and the file as they
    are, joined by "; " as in English."""
    from yibao.errors import Problem
    from yibao.readings import why_not_computed

    problems = [
        ("march_batch", "required under transfer_split = as_transferred (the March transfer actually made, 第二十八条)"),
        Problem("f.toml", "year", "expected a whole number"),
    ]
    monkeypatch.setenv("YIBAO_LANG", "zh")
    assert why_not_computed(problems, i18n.tr_message) == (
        "march_batch: 在解释 transfer_split = as_transferred 下必填（3月实际划拨的金额，第二十八条）; f.toml: year: 应为整数"
    )
    assert why_not_computed(problems) == (  # without translate: English, as the API returns it
        "march_batch: required under transfer_split = as_transferred (the March transfer actually made, 第二十八条); f.toml: year: expected a whole number"
    )


def _huaiyang_without_march_batch(write_toml: Any) -> str:
    """淮阳 第二十八条: the reading as_transferred needs march_batch, left out here."""
    text = (PLUGINS / "huaiyang" / "examples" / "2025.toml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("march_batch"))
    return str(write_toml(text + "\n"))


NOT_COMPUTED_ZH = "march_batch: 在解释 transfer_split = as_transferred 下必填（3月实际划拨的金额，第二十八条）"
NOT_COMPUTED_EN = "march_batch: required under transfer_split = as_transferred (the March transfer actually made, 第二十八条)"


def test_readings_not_computed_in_chinese_and_english(run: Any, write_toml: Any) -> None:
    facts = _huaiyang_without_march_batch(write_toml)
    for env, text in ((ZH, NOT_COMPUTED_ZH), ({"YIBAO_LANG": "en"}, NOT_COMPUTED_EN)):
        j = run("readings", "huaiyang", "--facts", facts, "--format", "json", env=env)
        assert j.code == 0, j.err
        split = next(i for i in j.json["interpretations"] if i["id"] == "transfer_split")
        assert split["alternatives"] == [{"reading": "as_transferred", "text": split["alternatives"][0]["text"], "not_computed": text}]  # a string, as before
        t = run("readings", "huaiyang", "--facts", facts, "--format", "table", env=env)
        assert f"  → as_transferred: 无法计算（{text}）" in t.out.splitlines()


def test_simulate_readings_not_computed_in_chinese_and_english(run: Any, write_toml: Any) -> None:
    pytest.importorskip("numpy")
    facts = _huaiyang_without_march_batch(write_toml)
    args = ("simulate", "huaiyang", "--facts", facts, "-n", "20", "--seed", "1", "--readings", "all")
    for env, text in ((ZH, NOT_COMPUTED_ZH), ({"YIBAO_LANG": "en"}, NOT_COMPUTED_EN)):
        j = run(*args, "--format", "json", env=env)
        assert j.code == 0, j.err
        rows = [r for r in j.json["readings"] if "not_computed" in r]
        assert rows == [{"interpretation": "transfer_split", "reading": "as_transferred", "not_computed": text}]
        t = run(*args, "--format", "table", env=env)
        assert f"  transfer_split=as_transferred: 无法计算（{text}）" in t.out.splitlines()
