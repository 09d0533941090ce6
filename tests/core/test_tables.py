"""Tables fit the terminal (core/render.py, core/textwidth.py): COLUMNS is
honoured, long cells wrap by display width, a CJK character is two columns,
clauses and amounts are not split while anything else can give way."""

from __future__ import annotations

from typing import Any

import pytest
from yibao.render import table
from yibao.textwidth import width, wrap


def test_width_counts_cjk_as_two() -> None:
    assert width("第二十一条") == 10 and width("abc") == 3 and width("市本级 a") == 8


def test_wrap_by_display_width() -> None:
    lines = wrap("大额补助资金筹集总额（合计，仅供参考）", 10)
    assert all(width(x) <= 10 for x in lines)
    assert "".join(lines) == "大额补助资金筹集总额（合计，仅供参考）"
    assert not any(x.startswith(("，", "）")) for x in lines)  # closing punctuation stays with its text
    assert wrap("min(19000000.00 × 3.85%)", 16) == ["min(19000000.00", "× 3.85%)"]


def test_table_fits_and_keeps_fixed_columns_whole() -> None:
    rows = [["年度核定盈利" * 3, "市本级", "731,500.00", "第二十一条(1)(2)", "max(0, min(19000000.00 − 17900000.00, 19000000.00 × 3.85%))"]]
    text = table(["项目", "范围", "金额（元）", "条款", "计算"], rows, right=(2,), nowrap=(3,), max_width=70)
    lines = text.splitlines()
    assert max(width(x) for x in lines) <= 70
    assert "第二十一条(1)(2)" in text and "731,500.00" in text
    assert len(lines) > 3  # the long cells wrapped
    wide = table(["项目", "范围", "金额（元）", "条款", "计算"], rows, right=(2,), nowrap=(3,), max_width=500)
    assert len(wide.splitlines()) == 3


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize("args", [("compute", "xinxiang"), ("compute", "luoyang"), ("show", "xinxiang"), ("compare", "xinxiang", "luoyang", "huaiyang"), ("list",)])
def test_commands_fit_columns(run: Any, columns: int, args: tuple[str, ...]) -> None:
    r = run(*args, "--format", "table", env={"COLUMNS": str(columns), "YIBAO_LANG": "zh"})
    assert r.code in (0, 1), r.err
    assert max(width(x) for x in r.out.splitlines()) <= columns
    if columns >= 100 and args == ("compute", "xinxiang"):
        assert "第二十一条(1)(2)" in r.out  # a clause is never split at 100 columns


def test_without_a_terminal_or_columns_lines_are_whole(run: Any) -> None:
    r = run("compute", "xinxiang", "--format", "table", env={"COLUMNS": ""})
    assert any(width(x) > 100 for x in r.out.splitlines())  # written to a file: nothing wrapped
