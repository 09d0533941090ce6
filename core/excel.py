"""Excel/WPS workbooks in and out (openpyxl, the ``[excel]`` extra).

Imported only by the commands and API paths that read or write a ``.xlsx``
file, so ``yibao compute --format json`` never loads openpyxl.

**A facts workbook** is laid out from the city's facts class:

- sheet ``基本信息``: one row per single value (top-level keys and the keys
  of nested tables, dotted: ``audit.sampled``) — columns 项目 (the Chinese
  label), 值 (what the clerk fills), 键 (the TOML key), 条款, 说明;
- one sheet per list of tables (``[[regions]]`` → sheet ``行政区划``), one row
  per entry, one column per key: the header is the Chinese label, the key
  and clause are in the header cell's note;
- one sheet per list of values (``financial_issues``), a single column.

Labels and clauses come from the facts class's field metadata
(``attrs.field(metadata={"label": "参保人数", "clause": "第二十一条(4)"})``);
a field without them shows its key. Data validation offers 是/否 for yes/no
fields, whole numbers for counts, 0–100 for scores, 0–1 for rates.

Reading maps every cell back to its key path, so an error names both:
``facts.xlsx: 行政区划!C3 (regions[1].insured): expected a number ≥ 0``.
Numbers come from Excel as binary floats; each is read as the decimal
Excel shows (15 significant digits) and becomes a ``Decimal`` at once.

**Outputs** (a compute result, a claim log) are written atomically (a
temporary file in the target's folder, then a rename). Every text cell
that begins with ``= + - @`` (or a tab or carriage return) is neutralised:
in a workbook it is stored as text with Excel's quote prefix, never as a
formula; in CSV (:func:`neutralise`) it gets a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import os
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .errors import InputError, Problem
from .inputs import split_optional

#: rows of one Excel worksheet (the header included)
MAX_ROWS = 1_048_576
#: the first characters that make a spreadsheet read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAIN_SHEET = "基本信息"
MAIN_HEADER = ("项目", "值", "键", "条款", "说明")
YES, NO = "是", "否"


def neutralise(value: Any) -> Any:
    """A CSV cell that a spreadsheet would run as a formula, made plain
    text with a leading apostrophe (OWASP's advice); anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def is_xlsx(path: str | Path) -> bool:
    return str(path).lower().endswith(".xlsx")


def _openpyxl() -> Any:
    try:
        import openpyxl  # noqa: PLC0415 - the [excel] extra, loaded only for a workbook
    except ImportError:
        raise InputError.one(None, "", "reading or writing .xlsx needs openpyxl: pip install 'yibao[excel]'") from None
    return openpyxl


# ------------------------------------------------------------------ layout
@attrs.frozen
class Leaf:
    """One value a clerk fills: its key path pattern, label, type, clause."""

    key: str
    label: str
    type: Any
    clause: str
    required: bool
    validators: tuple[Any, ...]


@attrs.frozen
class Table:
    """One sheet of the workbook: the main sheet, a list of tables, or a list of values."""

    sheet: str
    key: str  # "" for the main sheet
    kind: str  # "main", "rows", "values"
    leaves: tuple[Leaf, ...]
    clause: str = ""


def _meta(a: attrs.Attribute) -> tuple[str, str]:  # type: ignore[type-arg]
    md = a.metadata or {}
    return str(md.get("label") or a.name), str(md.get("clause") or "")


def _validators(a: attrs.Attribute) -> tuple[Any, ...]:  # type: ignore[type-arg]
    v = a.validator
    if v is None:
        return ()
    return tuple(getattr(v, "_validators", (v,)))


def _is_attrs(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _seq_item(tp: Any) -> Any | None:
    if typing.get_origin(tp) in (tuple, list):
        args = [x for x in typing.get_args(tp) if x is not Ellipsis]
        return args[0] if args else Any
    return None


def _leaves(cls: type, prefix: str = "", label_prefix: str = "") -> Iterator[tuple[attrs.Attribute, str, str, Any]]:  # type: ignore[type-arg]
    attrs.resolve_types(cls)
    for a in attrs.fields(cls):
        if a.name.startswith("_") or not a.init:
            continue
        yield a, f"{prefix}{a.name}", label_prefix, a.type


def layout(facts_class: type) -> list[Table]:
    """The sheets of a facts workbook, from the facts class."""
    from .periods import kinds_of  # noqa: PLC0415

    main: list[Leaf] = []
    tables: list[Table] = []

    def walk(cls: type, prefix: str, label_prefix: str, parent_required: bool) -> None:
        for a, key, lp, tp in _leaves(cls, prefix, label_prefix):
            inner, optional = split_optional(tp)
            label, clause = _meta(a)
            required = a.default is attrs.NOTHING and not optional and parent_required
            item = _seq_item(inner)
            if kinds_of(inner):
                main.append(Leaf(key, f"{lp}{label}", inner, clause, required, _validators(a)))
            elif _is_attrs(inner):
                walk(inner, f"{key}.", f"{lp}{label}·", required)
            elif item is not None and _is_attrs(item):
                attrs.resolve_types(item)
                cols = [
                    Leaf(b.name, _meta(b)[0], split_optional(b.type)[0], _meta(b)[1],
                         b.default is attrs.NOTHING and not split_optional(b.type)[1], _validators(b))
                    for b in attrs.fields(item)
                    if b.init and not b.name.startswith("_")
                ]
                tables.append(Table(_sheet_name(label), key, "rows", tuple(cols), clause))
            elif item is not None:
                tables.append(Table(_sheet_name(label), key, "values", (Leaf("", label, item, clause, False, ()),), clause))
            else:
                main.append(Leaf(key, f"{lp}{label}", inner, clause, required, _validators(a)))

    walk(facts_class, "", "", True)
    return [Table(MAIN_SHEET, "", "main", tuple(main)), *tables]


def _sheet_name(label: str) -> str:
    bad = set("[]:*?/\\")
    return "".join("_" if ch in bad else ch for ch in label)[:31] or "sheet"


def _expected(leaf: Leaf) -> str:
    """What to type in a cell, in Chinese, for the 说明 column and notes."""
    from .periods import kinds_of  # noqa: PLC0415

    tp = leaf.type
    names = {getattr(v, "__name__", "") for v in leaf.validators}
    kinds = kinds_of(tp)
    if kinds:
        return "期间：" + "；或 ".join(k.expected for k in kinds)
    if tp is bool:
        return "是 或 否"
    if tp is int:
        return "整数，不小于 0" if "non_negative" in names else "整数"
    if tp is Decimal:
        if "score_0_100" in names:
            return "分数，0–100"
        if "rate_0_1" in names:
            return "比率，0–1（或 89.9%）"
        return "金额或数字（元），可写“17811万”" + ("，不小于 0" if "non_negative" in names else "")
    if tp is dt.date:
        return "日期，如 2025-06-15"
    if typing.get_origin(tp) is typing.Literal:
        return "之一：" + "、".join(str(x) for x in typing.get_args(tp))
    return "文字"


# ------------------------------------------------------------------ reading
def _number(value: float) -> Decimal | int:
    """A float from a cell as the decimal Excel shows (15 significant digits)."""
    d = Decimal(format(value, ".15g"))
    return int(d) if d == d.to_integral_value() and "e" not in format(value, ".15g").lower() else d


def _cell_value(value: Any, tp: Any) -> Any:
    """A cell's value in the shape the facts converter expects for ``tp``."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(value, float):
        value = _number(value)
    if tp is bool and isinstance(value, str):
        low = value.lower()
        if value == YES or low in ("true", "yes", "y", "1", "是"):
            return True
        if value == NO or low in ("false", "no", "n", "0", "否"):
            return False
        return value
    if tp is bool and isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    if tp is int and isinstance(value, str):
        try:
            return int(value.replace(",", ""))
        except ValueError:
            return value
    if tp is str and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        data = data.setdefault(p, {})
    data[parts[-1]] = value


def read_facts(path: str | Path, facts_class: type) -> tuple[dict[str, Any], dict[str, str]]:
    """A facts workbook as the dict a facts TOML would give, and where each
    key path is (``{"regions[1].insured": "行政区划!C3", ...}``).

    :raises InputError: the file cannot be read, a sheet or column is
        unknown — each problem naming the sheet and cell.
    """
    openpyxl = _openpyxl()
    file = str(path)
    try:
        wb = openpyxl.load_workbook(file, data_only=True)
    except FileNotFoundError:
        raise InputError.one(file, "", "file not found") from None
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise InputError.one(file, "", f"not an Excel workbook (.xlsx): {exc}") from None
    sheets = layout(facts_class)
    data: dict[str, Any] = {}
    cells: dict[str, str] = {}
    problems: list[Problem] = []
    known = {t.sheet for t in sheets}
    for name in wb.sheetnames:
        if name not in known:
            from .errors import closest  # noqa: PLC0415

            hint = closest(name, known)
            msg = f"unknown sheet {name!r}; " + (f"did you mean {hint!r}?" if hint else f"expected: {', '.join(sorted(known))}")
            problems.append(Problem(file, "", msg, f"{name}!A1"))
    for t in sheets:
        if t.sheet not in wb.sheetnames:
            if t.kind == "main":
                problems.append(Problem(file, "", f"sheet {t.sheet!r} is missing", t.sheet))
            continue
        ws = wb[t.sheet]
        cells[t.key] = t.sheet
        if t.kind == "main":
            _read_main(ws, t, data, cells, problems, file)
        elif t.kind == "rows":
            _read_rows(ws, t, data, cells, problems, file)
        else:
            _read_values(ws, t, data, cells)
    if problems:
        raise InputError(problems)
    return data, cells


def _read_main(ws: Any, t: Table, data: dict[str, Any], cells: dict[str, str], problems: list[Problem], file: str) -> None:
    by_key = {leaf.key: leaf for leaf in t.leaves}
    by_label = {leaf.label: leaf for leaf in t.leaves}
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=3, values_only=True), start=2):
        label, value, key = (list(row) + [None] * 3)[:3]
        if label is None and value is None and key is None:
            continue
        leaf = by_key.get(str(key).strip()) if key else None
        if leaf is None and label is not None and not key:
            leaf = by_label.get(str(label).strip().removesuffix("*").strip())
        if leaf is None:
            if value is None and not key:
                continue  # a note, or a label left without a value
            from .errors import closest  # noqa: PLC0415

            name = str(key or label)
            hint = closest(name, list(by_key))
            msg = f"unknown key {name!r} in column 键" + (f"; did you mean {hint!r}?" if hint else f"; expected one of {', '.join(by_key)}")
            problems.append(Problem(file, "", msg, f"{t.sheet}!{'C' if key else 'A'}{r}"))
            continue
        cells[leaf.key] = f"{t.sheet}!B{r}"
        v = _cell_value(value, leaf.type)
        if v is not None:
            _set(data, leaf.key, v)


def _columns(ws: Any, t: Table, problems: list[Problem], file: str) -> list[Leaf | None]:
    """The leaf of each header cell of a table sheet (by label or by key)."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    by_name = {leaf.label: leaf for leaf in t.leaves} | {leaf.key: leaf for leaf in t.leaves}
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    cols: list[Leaf | None] = []
    for c, h in enumerate(header, start=1):
        if h is None or str(h).strip() == "":
            cols.append(None)
            continue
        leaf = by_name.get(str(h).strip())
        if leaf is None:
            from .errors import closest  # noqa: PLC0415

            hint = closest(str(h), list(by_name))
            msg = f"unknown column {h!r}; " + (f"did you mean {hint!r}?" if hint else "expected: " + "、".join(x.label for x in t.leaves))
            problems.append(Problem(file, t.key, msg, f"{t.sheet}!{get_column_letter(c)}1"))
        cols.append(leaf)
    return cols


def _read_rows(ws: Any, t: Table, data: dict[str, Any], cells: dict[str, str], problems: list[Problem], file: str) -> None:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    cols = _columns(ws, t, problems, file)
    rows: list[dict[str, Any]] = []
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        i = len(rows)
        entry: dict[str, Any] = {}
        cells[f"{t.key}[{i}]"] = f"{t.sheet}!A{r}"
        for c, (leaf, value) in enumerate(zip(cols, row, strict=False), start=1):
            if leaf is None:
                continue
            cells[f"{t.key}[{i}].{leaf.key}"] = f"{t.sheet}!{get_column_letter(c)}{r}"
            v = _cell_value(value, leaf.type)
            if v is not None:
                entry[leaf.key] = v
        rows.append(entry)
    _set(data, t.key, rows)


def _read_values(ws: Any, t: Table, data: dict[str, Any], cells: dict[str, str]) -> None:
    values: list[Any] = []
    for r, (value,) in enumerate(ws.iter_rows(min_row=2, max_col=1, values_only=True), start=2):
        v = _cell_value(value, t.leaves[0].type)
        if v is None:
            continue
        cells[f"{t.key}[{len(values)}]"] = f"{t.sheet}!A{r}"
        values.append(v)
    if values or "." not in t.key:
        # an empty list inside an optional table (咸阳 transfers.monthly) is
        # left out, so the table stays absent when nothing of it was filled
        _set(data, t.key, values)


def locate(problems: Iterable[Problem], cells: Mapping[str, str]) -> list[Problem]:
    """Each problem with the sheet and cell of its key path (or of the
    nearest enclosing path the workbook has)."""
    out = []
    for p in problems:
        path = p.path
        cell = None
        while path:
            cell = cells.get(path)
            if cell:
                break
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        out.append(Problem(p.file, p.path, p.message, p.cell or cell or MAIN_SHEET))
    return out


# ------------------------------------------------------------------ rosters
#: the roster columns' Chinese headers (either the header or the key is accepted)
ROSTER_LABELS = {
    "id": "编号", "name": "姓名", "site": "经办机构", "role": "岗位", "education": "学历",
    "major": "专业", "birth_date": "出生日期", "title": "职称", "experience_years": "工作年限", "full_time": "全日制",
}


def read_roster_rows(path: str | Path) -> tuple[str, list[str], list[dict[str, str]], Callable[[int, str], str]]:
    """A roster workbook's first sheet as CSV-like rows (every cell text):
    ``(sheet, header, rows, cell)`` where ``cell(row, column)`` names a cell."""
    openpyxl = _openpyxl()
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    file = str(path)
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError.one(file, "", "roster file not found") from None
    except Exception as exc:
        raise InputError.one(file, "", f"not an Excel workbook (.xlsx): {exc}") from None
    ws = wb.worksheets[0]
    by_label = {v: k for k, v in ROSTER_LABELS.items()}
    it = ws.iter_rows(values_only=True)
    raw_header = next(it, ())
    header = [by_label.get(str(h).strip(), str(h).strip()) if h is not None else "" for h in raw_header]
    letters = {h: get_column_letter(i) for i, h in enumerate(header, start=1)}
    rows: list[dict[str, str]] = []
    for row in it:
        cells = {h: _text(v) for h, v in zip(header, row, strict=False) if h}
        rows.append(cells)
    title = ws.title
    wb.close()

    def cell(r: int, column: str) -> str:
        return f"{title}!{letters.get(column, 'A')}{r}"

    return title, header, rows, cell


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(_number(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, bool):
        return YES if value else NO
    return str(value).strip()


# ------------------------------------------------------------------ writing
@contextmanager
def atomic(out: str | Path, inputs: Sequence[str | Path] = ()) -> Iterator[Path]:
    """A temporary path in ``out``'s folder, renamed onto ``out`` when the
    block ends without error (removed otherwise). Refuses an input as target."""
    target = Path(out)
    for i in inputs:
        try:
            if Path(i).resolve() == target.resolve():
                raise InputError.one("command line", "--out", f"{out} is an input of this run: choose another file")
        except OSError:
            pass
    if not target.parent.exists():
        raise InputError.one("command line", "--out", f"folder {target.parent} does not exist")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415

    return {
        "head": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "grey": Font(color="808080"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one cell; text that looks like a formula stays text."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _validation(leaf: Leaf) -> Any | None:
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    from .periods import Year, kinds_of  # noqa: PLC0415

    tp = leaf.type
    names = {getattr(v, "__name__", "") for v in leaf.validators}
    dv = None
    if tp is bool:
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    elif typing.get_origin(tp) is typing.Literal:
        dv = DataValidation(type="list", formula1='"' + ",".join(str(x) for x in typing.get_args(tp)) + '"', allow_blank=True)
    elif kinds_of(tp) == (Year,):
        dv = DataValidation(type="whole", operator="between", formula1="1990", formula2="2100", allow_blank=True)
    elif tp is int:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True) if "non_negative" in names else DataValidation(type="whole", allow_blank=True)
    elif tp is Decimal and "score_0_100" in names:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    elif tp is Decimal and "rate_0_1" in names:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
    elif tp is Decimal and "non_negative" in names:
        # a warning, not a stop: "17811万" is valid text for a number
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, errorStyle="warning")
    if dv is not None:
        dv.error = _expected(leaf)
        dv.errorTitle = leaf.label
        dv.prompt = _expected(leaf) + (f"（{leaf.clause}）" if leaf.clause else "")
        dv.promptTitle = leaf.label[:32]
        dv.showErrorMessage = True
        dv.showInputMessage = True
    return dv


def _excel_value(value: Any, leaf: Leaf) -> Any:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, (dt.date, int, Decimal)):
        return value
    return value if not isinstance(value, (dict, list)) else str(value)


def _get(data: Mapping[str, Any] | None, dotted: str) -> Any:
    cur: Any = data
    for p in dotted.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(p)
    return cur


def write_template(out: str | Path, facts_class: type, title: str, example: Mapping[str, Any] | None = None, rows: int = 3) -> None:
    """The facts workbook of ``facts_class`` (see the module doc); with
    ``example``, filled with its values."""
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    st = _styles()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in layout(facts_class):
        ws = wb.create_sheet(t.sheet)
        if t.kind == "main":
            for c, h in enumerate(MAIN_HEADER, start=1):
                cell = _put(ws, 1, c, h)
                cell.font, cell.fill = st["head"], st["fill"]
            for r, leaf in enumerate(t.leaves, start=2):
                _put(ws, r, 1, leaf.label + (" *" if leaf.required else ""))
                v = _get(example, leaf.key)
                cell = _put(ws, r, 2, _excel_value(v, leaf) if v is not None else None)
                if leaf.type is dt.date:
                    cell.number_format = "yyyy-mm-dd"
                _put(ws, r, 3, leaf.key).font = st["grey"]
                _put(ws, r, 4, leaf.clause)
                _put(ws, r, 5, _expected(leaf))
                dv = _validation(leaf)
                if dv is not None:
                    ws.add_data_validation(dv)
                    dv.add(f"B{r}")
            ws.cell(row=len(t.leaves) + 3, column=1, value=f"{title}：填写“值”一列；带 * 的必填。“键”一列请勿改动。").font = st["grey"]
            for col, w in zip("ABCDE", (28, 20, 26, 16, 40), strict=True):
                ws.column_dimensions[col].width = w
            ws.freeze_panes = "A2"
            continue
        entries = _get(example, t.key) or []
        for c, leaf in enumerate(t.leaves, start=1):
            cell = _put(ws, 1, c, leaf.label if t.kind == "rows" else "值")
            cell.font, cell.fill = st["head"], st["fill"]
            note = f"键：{t.key}" + (f"[].{leaf.key}" if t.kind == "rows" else "[]")
            note += f"\n条款：{leaf.clause or t.clause}" if (leaf.clause or t.clause) else ""
            note += f"\n{_expected(leaf)}" + ("（必填）" if leaf.required else "")
            cell.comment = Comment(note, "yibao")
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = max(14, 2 * len(leaf.label) + 4)
            dv = _validation(leaf)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{max(rows, len(entries)) + 200}")
            for r, entry in enumerate(entries, start=2):
                v = entry.get(leaf.key) if t.kind == "rows" and isinstance(entry, Mapping) else (entry if t.kind == "values" else None)
                if v is not None:
                    _put(ws, r, c, _excel_value(v, leaf))
        ws.freeze_panes = "A2"
    with atomic(out) as tmp:
        wb.save(tmp)


def template_toml(facts_class: type, example: Mapping[str, Any] | None = None) -> str:
    """The facts as TOML (tomli-w): the example's, or a skeleton of the
    required keys with zero values and one entry per list of tables."""
    import tomli_w  # noqa: PLC0415

    if example is not None:
        data: dict[str, Any] = dict(example)
    else:
        data = {}
        for t in layout(facts_class):
            if t.kind == "main":
                for leaf in t.leaves:
                    if leaf.required:
                        _set(data, leaf.key, _placeholder(leaf))
            elif t.kind == "rows":
                _set(data, t.key, [{leaf.key: _placeholder(leaf) for leaf in t.leaves if leaf.required}])
    head = "# yibao facts: 填写后运行 yibao validate / yibao compute（键的含义见 yibao template CITY --out facts.xlsx）\n"
    return head + tomli_w.dumps(data)


def _placeholder(leaf: Leaf) -> Any:
    from .periods import Year, kinds_of  # noqa: PLC0415

    tp = leaf.type
    kinds = kinds_of(tp)
    if kinds:
        return dt.date.today().year if Year in kinds else f"{dt.date.today().year}Q1"
    return {bool: False, int: 0, Decimal: 0, dt.date: dt.date.today()}.get(tp, "")


# ------------------------------------------------------------------ results
SEVERITY = {"info": "提示", "warning": "注意", "violation": "违约"}


def write_result(out: str | Path, doc: Mapping[str, Any], inputs: Sequence[str | Path] = ()) -> None:
    """A compute envelope (:func:`yibao.output.envelope`) as a workbook:
    sheets 项目 (amounts as numbers to 分), 发现, 解释, 输入."""
    openpyxl = _openpyxl()
    st = _styles()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)

    def sheet(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int], money: int | None = None) -> None:
        ws = wb.create_sheet(name)
        for c, h in enumerate(header, start=1):
            cell = _put(ws, 1, c, h)
            cell.font, cell.fill = st["head"], st["fill"]
        for r, row in enumerate(rows, start=2):
            for c, v in enumerate(row, start=1):
                cell = _put(ws, r, c, v)
                if money is not None and c == money:
                    cell.number_format = "#,##0.00"
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + c)].width = w
        ws.freeze_panes = "A2"

    periods = doc.get("results") or [doc]
    sheet(
        "项目",
        ("期间", "项目", "范围", "金额（元）", "计算", "条款", "键", "性质"),
        (
            [p["period"], i["label"], i["scope"] or "", Decimal(i["amount"]), i["formula"], i["clause"], i["key"],
             "或有" if i.get("kind") == "contingent" else ""]
            for p in periods for i in p["items"]
        ),
        (10, 28, 12, 18, 60, 16, 26, 6),
        money=4,
    )
    sheet(
        "发现",
        ("期间", "性质", "键", "范围", "说明", "条款"),
        ([p["period"], SEVERITY.get(f["severity"], f["severity"]), f["key"], f["scope"] or "", f["message"], f["clause"]] for p in periods for f in p["findings"]),
        (10, 8, 26, 12, 70, 16),
    )
    sheet(
        "解释",
        ("期间", "编号", "条款", "采用的解释", "其他解释"),
        ([p["period"], i["id"], i["clause"], i["reading"], "；".join(i["alternatives"])] for p in periods for i in p["interpretations"]),
        (10, 24, 16, 60, 60),
    )
    inp = doc.get("inputs") or {}
    rows: list[list[Any]] = [
        ["合同", doc.get("contract", "")],
        ["城市", doc.get("city", "")],
        ["合同 SHA-256", inp.get("contract_sha256", "")],
        ["yibao 版本", doc.get("yibao_version", "")],
    ]
    rows += [[f"事实（{f['period']}）", f["source"] or ""] for f in inp.get("facts", [])]
    rows += [[f"解释 {k}", v] for k, v in (inp.get("readings") or {}).items()]
    sheet("输入", ("项", "值"), rows, (28, 70))
    with atomic(out, inputs) as tmp:
        wb.save(tmp)


def write_rows(out: str | Path, header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]], count: int, inputs: Sequence[str | Path] = ()) -> None:
    """Rows as one worksheet (write-only mode, constant memory).

    :param count: the number of rows, checked first: more than Excel holds
        under a header (1,048,575) is an InputError and nothing is written.
    """
    if count > MAX_ROWS - 1:
        raise InputError.one(
            str(out), "--out",
            f"{count:,} rows do not fit in one Excel sheet (at most {MAX_ROWS - 1:,} under the header); write .parquet or .csv instead",
        )
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(list(header))

    def cell(v: Any) -> Any:
        if isinstance(v, str) and v.startswith(FORMULA_START):
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"
            c.quotePrefix = True
            return c
        return v

    for batch in batches:
        for row in batch:
            ws.append([cell(v) for v in row])
    with atomic(out, inputs) as tmp:
        wb.save(tmp)


def write_roster(out: str | Path, rows: Sequence[Mapping[str, str]], header: Sequence[str]) -> None:
    """A roster as a workbook: Chinese headers (:data:`ROSTER_LABELS`, the
    key in each header's note), one row per person, every cell text."""
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment  # noqa: PLC0415

    st = _styles()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for c, key in enumerate(header, start=1):
        cell = _put(ws, 1, c, ROSTER_LABELS.get(key, key))
        cell.font, cell.fill = st["head"], st["fill"]
        cell.comment = Comment(f"键：{key}", "yibao")
        ws.column_dimensions[cell.column_letter].width = 14
    for r, row in enumerate(rows, start=2):
        for c, key in enumerate(header, start=1):
            v = row.get(key) or None
            if v is not None:
                _put(ws, r, c, v).number_format = "@"
    ws.freeze_panes = "A2"
    with atomic(out) as tmp:
        wb.save(tmp)
