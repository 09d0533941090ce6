"""Bad roster input: every bad-cell branch of the roster reader, through the
public API (``api.load_roster(path, contract)``) and the CLI (``yibao compute
huaian --roster bad.csv``): exit 2, nothing computed, a message naming the
file, the row and the column.

The rosters are the bundled Huai'an example (四(二)2: per-person rules, so
every column is required) with one cell changed. Row numbers are the file's
line numbers, the header being row 1, as a spreadsheet shows them.
Messages are matched loosely (file name, row number, column key) so that a
reworded message still passes.

Personal data (DESIGN.md, "Facts"): a name or an ID number put into a wrong
column must not be echoed in the message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "huaian"
EXAMPLE = Path(__file__).resolve().parents[2] / "plugins" / CITY / "examples" / "roster.csv"
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
LINES = EXAMPLE.read_text(encoding="utf-8").splitlines()
#: the row (file line) of each member in the example: HA01 is row 2 … HA09 row 10
ROW = {line.split(",")[0]: n for n, line in enumerate(LINES, start=1) if n > 1}

NAME = "张秀兰"  # a made-up name
ID_NUMBER = "410102198503124017"  # 18 digits, the shape of a 居民身份证号码 (made up)
ID_NUMBER_X = "41010219850312401X"  # … and with the check character X



# ---------------------------------------------------------------- helpers
def edited(tmp_path: Path, member: str | None = None, column: str | None = None, value: str = "", *, name: str = "bad.csv") -> Path:
    """The example roster with one cell of ``member``'s row set to ``value``."""
    lines = list(LINES)
    if member is not None and column is not None:
        n = ROW[member] - 1
        cells = lines[n].split(",")
        cells[HEADER.index(column)] = value
        lines[n] = ",".join(cells)
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def write(tmp_path: Path, lines: list[str], name: str = "bad.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def api_error(p: Path, c: Any) -> str:
    with pytest.raises(InputError) as e:
        api.load_roster(p, c)
    assert e.value.problems, "an InputError names at least one problem"
    return str(e.value)


def cli_error(run: Any, p: Path) -> Any:
    res = run("compute", CITY, "--roster", str(p))
    assert res.code == 2, (res.code, res.out, res.err)
    assert res.json["error"] == "input" and "items" not in res.json  # nothing computed: the error as data, no result
    assert "Traceback" not in res.err
    return res


def assert_names(text: str, p: Path, column: str, row: int | None = None) -> None:
    """Some line of ``text`` names the file, the column key and (when given)
    the row number after the file name."""
    lines = [line for line in text.splitlines() if p.name in line and column in line]
    assert lines, f"no line naming {p.name} and {column!r}:\n{text}"
    if row is not None:
        after = [line.split(p.name, 1)[1] for line in lines]
        assert any(re.search(rf"(?<!\d){row}(?!\d)", a) for a in after), f"row {row} not named:\n{text}"


# ---------------------------------------------------------------- cells
BAD_CELLS = [
    # member, column, value: what the reader refuses
    ("HA04", "birth_date", "1996-13-08"),  # no 13th month
    ("HA04", "birth_date", "1996/05/08"),  # not ISO
    ("HA04", "experience_years", "五年"),
    ("HA04", "experience_years", "5 years"),
    ("HA04", "full_time", "maybe"),
    ("HA04", "id", ""),  # id, site, role: required in every row
    ("HA04", "site", ""),
    ("HA04", "role", ""),
    ("HA09", "birth_date", "1995-02-30"),  # the last row too
]


@pytest.mark.parametrize(("member", "column", "value"), BAD_CELLS)
def test_bad_cell_api(contract: Any, tmp_path: Path, member: str, column: str, value: str) -> None:
    p = edited(tmp_path, member, column, value)
    assert_names(api_error(p, contract(CITY)), p, column, ROW[member])


@pytest.mark.parametrize(("member", "column", "value"), BAD_CELLS)
def test_bad_cell_cli(run: Any, tmp_path: Path, member: str, column: str, value: str) -> None:
    p = edited(tmp_path, member, column, value)
    assert_names(cli_error(run, p).err, p, column, ROW[member])


def test_bad_cell_cli_json(run: Any, tmp_path: Path) -> None:
    """With --format json: still exit 2, nothing computed, the place named
    (on stdout as JSON or on stderr: either is read here)."""
    p = edited(tmp_path, "HA04", "full_time", "maybe")
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 2
    assert "quarter_payable" not in res.out  # nothing computed
    assert_names(res.out + "\n" + res.err, p, "full_time", ROW["HA04"])


@pytest.mark.parametrize("value", ["true", "false", "是", "否", "全日制", "非全日制", "1", "0", "YES", ""])
def test_full_time_spellings_accepted(contract: Any, tmp_path: Path, value: str) -> None:
    """The other side of the full_time branch: what the reader accepts."""
    roster = api.load_roster(edited(tmp_path, "HA01", "full_time", value), contract(CITY))
    expected = {"true": True, "是": True, "全日制": True, "1": True, "YES": True, "": None}.get(value, False)
    assert next(m for m in roster if m.id == "HA01").full_time is expected


def test_duplicate_id(contract: Any, run: Any, tmp_path: Path) -> None:
    p = edited(tmp_path, "HA05", "id", "HA04")  # HA05's row now repeats HA04
    assert_names(api_error(p, contract(CITY)), p, "id", ROW["HA05"])
    assert_names(cli_error(run, p).err, p, "id", ROW["HA05"])


def test_every_bad_row_is_reported_at_once(contract: Any, run: Any, tmp_path: Path) -> None:
    lines = list(LINES)
    lines[ROW["HA02"] - 1] = lines[ROW["HA02"] - 1].replace("1978-09-02", "1978-9-2x")
    lines[ROW["HA08"] - 1] = lines[ROW["HA08"] - 1].replace(",3,true", ",three,true")
    p = write(tmp_path, lines)
    with pytest.raises(InputError) as e:
        api.load_roster(p, contract(CITY))
    assert len(e.value.problems) == 2
    assert_names(str(e.value), p, "birth_date", ROW["HA02"])
    assert_names(str(e.value), p, "experience_years", ROW["HA08"])
    err = cli_error(run, p).err
    assert_names(err, p, "birth_date", ROW["HA02"])
    assert_names(err, p, "experience_years", ROW["HA08"])


# ---------------------------------------------------------------- header and file
def test_missing_required_column(contract: Any, run: Any, tmp_path: Path) -> None:
    keep = [i for i, c in enumerate(HEADER) if c != "role"]
    p = write(tmp_path, [",".join(line.split(",")[i] for i in keep) for line in LINES])
    assert_names(api_error(p, contract(CITY)), p, "role")
    assert_names(api_error(p, None), p, "role")  # role is required for every contract
    assert_names(cli_error(run, p).err, p, "role")


def test_column_the_contracts_rules_need(contract: Any, run: Any, tmp_path: Path) -> None:
    """四(二)2(3) limits age (35周岁以下): without birth_date the Huai'an roster
    is an input error; a roster without it is fine where no rule needs it."""
    keep = [i for i, c in enumerate(HEADER) if c != "birth_date"]
    p = write(tmp_path, [",".join(line.split(",")[i] for i in keep) for line in LINES])
    assert len(api.load_roster(p)) == 9  # no contract: only id, site, role are required
    assert_names(api_error(p, contract(CITY)), p, "birth_date")
    assert_names(cli_error(run, p).err, p, "birth_date")


def test_unknown_column(contract: Any, run: Any, tmp_path: Path) -> None:
    p = write(tmp_path, [LINES[0] + ",phone"] + [line + ",13800000000" for line in LINES[1:]])
    assert_names(api_error(p, contract(CITY)), p, "phone")
    err = cli_error(run, p).err
    assert_names(err, p, "phone")
    assert "13800000000" not in err  # the column's cells are not read, let alone printed


def test_file_not_found(contract: Any, run: Any, tmp_path: Path) -> None:
    p = tmp_path / "nowhere.csv"
    assert p.name in api_error(p, contract(CITY))
    assert p.name in cli_error(run, p).err


def test_gbk_roster_is_detected_and_read(contract: Any, run: Any, tmp_path: Path) -> None:
    """A roster saved as GBK (Excel's default "CSV" on a Chinese Windows)
    reads as the same roster as its UTF-8 original."""
    from yibao import api

    p = tmp_path / "gbk.csv"
    p.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gbk"))
    c = contract(CITY)
    assert api.load_roster(p, c) == api.load_roster(EXAMPLE, c)
    assert api.load_roster(p, c, encoding="gb18030") == api.load_roster(EXAMPLE, c)


def test_roster_in_neither_encoding_is_refused_saying_how(contract: Any, run: Any, tmp_path: Path) -> None:
    p = tmp_path / "odd.csv"
    p.write_bytes(b"id,site,role\n\xff\xfe,\x80,x\n")  # 0x80 and 0xFF lead no GB18030 character
    msg = api_error(p, contract(CITY))
    assert p.name in msg and "CSV UTF-8" in msg and "--encoding" in msg
    err = cli_error(run, p).err
    assert p.name in err and "--encoding gb18030" in err


def test_wrong_encoding_named_is_refused(contract: Any, run: Any, tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gbk"))
    r = run("validate", CITY, "--roster", str(p), "--encoding", "utf-8")
    assert r.code == 2 and "not utf-8 text" in r.err
    r = run("validate", CITY, "--roster", str(p), "--encoding", "klingon")
    assert r.code == 2 and "unknown encoding 'klingon'" in r.err


def test_bom_is_tolerated(contract: Any, tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert [m.id for m in api.load_roster(p, contract(CITY))] == [f"HA0{i}" for i in range(1, 10)]


# ---------------------------------------------------------------- rows of the wrong length


def test_row_with_more_cells_than_the_header(run: Any, tmp_path: Path) -> None:
    lines = list(LINES)
    lines[ROW["HA04"] - 1] += f",{ID_NUMBER}"  # a shifted row: one cell too many
    p = write(tmp_path, lines)
    res = run("compute", CITY, "--roster", str(p))
    assert res.code == 2
    assert_names(res.err, p, "row", ROW["HA04"])


def test_row_with_fewer_cells_than_the_header(run: Any, tmp_path: Path) -> None:
    lines = list(LINES)
    lines[ROW["HA04"] - 1] = ",".join(lines[ROW["HA04"] - 1].split(",")[:5])
    p = write(tmp_path, lines)
    res = run("compute", CITY, "--roster", str(p))
    assert res.code == 2
    assert_names(res.err, p, "row", ROW["HA04"])


# ---------------------------------------------------------------- personal data never echoed
def _not_echoed(contract: Any, run: Any, tmp_path: Path, member: str, column: str, value: str) -> None:
    p = edited(tmp_path, member, column, value)
    msg = api_error(p, contract(CITY))
    assert_names(msg, p, column, ROW[member])  # the place is named …
    res = cli_error(run, p)
    assert_names(res.err, p, column, ROW[member])
    res_json = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res_json.code == 2
    # … the value is not
    for text in (msg, res.out, res.err, res_json.out, res_json.err):
        assert value not in text


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("birth_date", NAME),
        ("birth_date", ID_NUMBER),
        ("experience_years", NAME),
        ("experience_years", ID_NUMBER_X),
        ("full_time", NAME),
        ("full_time", ID_NUMBER),
    ],
)
def test_personal_data_in_a_checked_column_is_not_echoed(contract: Any, run: Any, tmp_path: Path, column: str, value: str) -> None:
    _not_echoed(contract, run, tmp_path, "HA04", column, value)


@pytest.mark.parametrize("column", ["id", "site", "role"])
def test_personal_data_beside_an_empty_required_cell_is_not_echoed(contract: Any, run: Any, tmp_path: Path, column: str) -> None:
    """A row whose required cell is empty while the name column holds a name
    and an ID number: the message names row and column, neither value."""
    lines = list(LINES)
    n = ROW["HA04"] - 1
    cells = lines[n].split(",")
    cells[HEADER.index("name")] = NAME
    cells[HEADER.index("major")] = ID_NUMBER
    cells[HEADER.index(column)] = ""
    lines[n] = ",".join(cells)
    p = write(tmp_path, lines)
    msg = api_error(p, contract(CITY))
    assert_names(msg, p, column, ROW["HA04"])
    res = cli_error(run, p)
    assert_names(res.err, p, column, ROW["HA04"])
    for text in (msg, res.out, res.err):
        assert NAME not in text and ID_NUMBER not in text


# ---------------------------------------------------------------- … nor by the staffing stage
def test_personal_data_in_a_ranked_column_is_not_echoed(run: Any, tmp_path: Path) -> None:
    """A name in HA02's title column: off the 职称 ladder (四(二)2(2)). It
    never blocks the quarter: a warning naming the roster id (exit 0 with no
    violation), the value quoted nowhere, in JSON or in the table."""
    p = edited(tmp_path, "HA02", "title", NAME)
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 0, res.err
    assert [(f["key"], f["severity"], f["scope"]) for f in res.json["findings"]] == [("staffing.unknown_title", "warning", "HA02")]
    table = run("compute", CITY, "--roster", str(p), "--format", "table")
    for text in (res.out, res.err, table.out, table.err):
        assert NAME not in text


def test_personal_data_in_the_role_column_is_not_printed(run: Any, tmp_path: Path) -> None:
    p = edited(tmp_path, "HA09", "role", NAME)
    res = run("compute", CITY, "--roster", str(p), "--format", "json")
    assert res.code == 1  # 其他工作人员 one short of 2 (四(二)2(5)): a violation
    assert NAME not in res.out + res.err
