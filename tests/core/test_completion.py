"""Shell completion of values: cities, deadline keys, readings, files; and
`validate` saying what it checked."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest


def complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_YIBAO_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([sys.executable, "-m", "yibao"], env=env, capture_output=True, text=True)
    return done.stdout.split()


@pytest.mark.parametrize("command", ["compute", "validate", "statement", "template", "show"])
def test_cities(command: str) -> None:
    assert complete(f"yibao {command} hua", 2) == ["plain,huaian", "plain,huaiyang"]


def test_deadline_keys_of_the_city() -> None:
    got = complete("yibao deadline huaiyang manual", 3)
    assert got == ["plain,manual_reimbursement"]


def test_readings_of_the_city() -> None:
    got = complete("yibao compute xinxiang --reading tier_rate", 4)
    assert got == ["plain,tier_rate_scope=all_points", "plain,tier_rate_scope=marginal"]


def test_facts_complete_as_files() -> None:
    assert complete("yibao compute xinxiang --facts 20", 4) == ["file,20"]


def test_validate_says_what_it_checked(run: Any, tmp_path: Any) -> None:
    r = run("validate", "xinxiang")
    assert r.code == 0 and "Checked: the contract's stated arithmetic. No problem found." in r.err
    from yibao import api

    facts = str(api.example_facts(api.load_contract("xinxiang")))
    r = run("validate", "xinxiang", "--facts", facts, env={"YIBAO_LANG": "zh"})
    assert r.code == 0 and f"已检查：合同中写明的算式; 事实数据 {facts}; 花名册 " in r.err and "未发现问题。" in r.err
