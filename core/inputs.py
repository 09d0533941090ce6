"""Reading TOML and structuring it into frozen attrs classes.

TOML is read with ``parse_float=Decimal`` so no float ever holds money; cattrs
structures the tables into attrs classes with ``forbid_extra_keys``, and every
failure becomes a :class:`~yibao.errors.Problem` naming the file, the key path
(``regions[0].insured``), what was expected, and for an unknown key the
closest valid one.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NewType, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from .errors import FieldError, InputError, Problem, closest, join_path
from .money import LIMIT_DIGITS, LIMIT_INT, Money, parse_decimal, parse_money, shown
from .operands import Operand
from .periods import kinds_of, parse_any

T = TypeVar("T")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file with every float as an exact Decimal.

    :raises InputError: the file is missing or is not valid TOML.
    """
    p = Path(path)
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):  # before open(): a FIFO would block it
            raise InputError.one(str(p), "", "expected a TOML file, got a directory, a device or a pipe")
        with open(p, "rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
        if len(data) > MAX_TOML_BYTES:
            raise InputError.one(str(p), "", f"expected a TOML file of at most {MAX_TOML_BYTES // 2**20} MB")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError.one(str(p), "", "file not found") from None
    except IsADirectoryError:
        raise InputError.one(str(p), "", "expected a TOML file, got a directory") from None
    except UnicodeDecodeError:
        raise InputError.one(str(p), "", "expected a UTF-8 TOML file") from None
    except (OSError, ValueError) as exc:
        raise InputError.one(str(p), "", f"cannot read the file ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    return parse_toml(text, str(p))


#: the largest TOML file read, and the deepest nesting of tables and lists
MAX_TOML_BYTES = 16 * 2**20
MAX_DEPTH = 32


def parse_toml(text: str, file: str | None = None) -> dict[str, Any]:
    """Parse TOML text (``parse_float=Decimal``; a UTF-8 byte-order mark is
    skipped); a syntax error, a number too long to read or nesting deeper
    than :data:`MAX_DEPTH` is an InputError."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.one(file, "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError.one(file, "", f"tables or lists nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise InputError.one(file, "", f"not valid TOML: {str(exc)[:200]}") from None
    _check_depth(data, file)
    return data


def _check_depth(data: Any, file: str | None) -> None:
    """Nesting deeper than :data:`MAX_DEPTH` is an InputError (checked
    without recursion, before anything recursive reads the data)."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError.one(file, path, f"tables or lists nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1, join_path(path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, join_path(path, i)) for i, v in enumerate(value))


def _structure_decimal(value: Any, _: type) -> Decimal:
    return parse_decimal(value)


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal):
            number = parse_decimal(value)  # magnitude checked before any arithmetic
            if number == number.to_integral_value():
                return int(number)
        raise ValueError(f"expected a whole number, got {_shown(value)}")
    if abs(value) >= LIMIT_INT:
        raise ValueError(f"expected a whole number below 10^{LIMIT_DIGITS}, got {shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A value in a message: its repr, at most 40 characters."""
    return shown(repr(value) if isinstance(value, str) else value)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    """What a value is, for a message that must not quote it (a list or a
    table may be long)."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return _shown(value)


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_kind(value)}")
    return value


#: the dates accepted anywhere (a contract, facts, a roster's birth dates)
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)


def _structure_date(value: Any, _: type) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
    if day is None:
        raise ValueError(f"expected a date such as 2025-06-15, got {_kind(value)}")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {day}")
    return day


#: a yes/no cell of a CSV (a roster's ``full_time``): true or false in TOML,
#: or one of the words below in a CSV cell
YesNo = NewType("YesNo", bool)
YES_WORDS = frozenset({"true", "1", "yes", "y", "是", "全日制"})
NO_WORDS = frozenset({"false", "0", "no", "n", "否", "非全日制"})


def _structure_yes_no(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES_WORDS:
        return True
    if isinstance(value, str) and value.strip().lower() in NO_WORDS:
        return False
    raise ValueError(f"expected true or false ({'/'.join(sorted(YES_WORDS))} or {'/'.join(sorted(NO_WORDS))}), got {value!r}")


#: a TOML scalar shown as it is (``[[terms]] value``)
Scalar = str | Decimal | int | bool


def _structure_scalar(value: Any, _: type) -> Any:
    if isinstance(value, (str, Decimal, int, bool)):
        return value
    raise ValueError(f"expected a string, number or boolean, got {value!r}")


def make_converter(detailed: bool = True) -> cattrs.Converter:
    """A converter that forbids unknown keys and never coerces silently.

    :param detailed: collect every error with its path (slower to generate);
        the fast one is tried first, the detailed one only to explain a failure.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.date, _structure_date)
    # yibao's own types through one function hook: cattrs inspects every
    # hook it registers (≈ 0.3M instructions apiece, at every start-up)
    conv.register_structure_hook_func(_is_own_type, _structure_own_type)
    return conv


#: yibao's own types (not cattrs' primitives) and how each is structured
_OWN_TYPES: dict[Any, Any] = {
    Scalar: _structure_scalar,
    YesNo: _structure_yes_no,
    Operand: lambda v, _: Operand.parse(v),
    Money: lambda v, _: parse_money(v),
}


def _is_own_type(t: Any) -> bool:
    """A yibao type: a scalar, a yes/no cell, an operand, an amount of money
    (:data:`yibao.money.Money`), a period kind or a union of period kinds."""
    try:
        if t in _OWN_TYPES:
            return True
    except TypeError:  # an unhashable annotation is none of ours
        return False
    return bool(kinds_of(t))


def _structure_own_type(value: Any, t: Any) -> Any:
    hook = _OWN_TYPES.get(t)
    if hook is not None:
        return hook(value, t)
    return parse_any(kinds_of(t), value)


_CONVERTERS: dict[bool, cattrs.Converter] = {}


def converter(detailed: bool = True) -> cattrs.Converter:
    """The shared converters (built on first use: no work at import time)."""
    conv = _CONVERTERS.get(detailed)
    if conv is None:
        conv = _CONVERTERS[detailed] = make_converter(detailed)
    return conv


def try_structure(data: Any, cls: type[T], file: str | None = None, path: str = "") -> tuple[T | None, list[Problem]]:
    """Structure ``data`` into ``cls``: ``(value, [])`` or ``(None, problems)``.

    The fast converter runs first; only when it fails is the input
    structured again with detailed validation, which names every problem
    with its key path. Both apply the same hooks and validators, so they
    accept exactly the same input — and good input pays for no error
    bookkeeping (about 10 ms of generated code per contract at start-up).
    """
    try:
        return converter(detailed=False).structure(data, cls), []
    except Exception:  # explained below, with every path
        pass
    try:
        return converter().structure(data, cls), []
    except Exception as exc:  # cattrs raises groups and plain errors alike
        problems = problems_from(exc, cls, file, path)
    shapes = _shape_problems(data, cls, file, path)
    if shapes:  # a string or a table where a list belongs: said once, not per character or key
        under = tuple(p.path for p in shapes)
        problems = shapes + [p for p in problems if not p.path.startswith(under)]
    return None, problems


def _shape_problems(data: Any, cls: Any, file: str | None, path: str, depth: int = 0) -> list[Problem]:
    """A string or a table given where ``cls`` has a list (``[regions]``
    where ``[[regions]]`` belongs): cattrs would iterate its characters or
    keys. Walks the data alongside the attrs classes."""
    fields = _fields_of(cls)
    if not fields or not isinstance(data, dict) or depth > MAX_DEPTH:
        return []
    out: list[Problem] = []
    for key, t in fields.items():
        if key not in data:
            continue
        value, t = data[key], split_optional(t)[0]
        where = join_path(path, key)
        if typing.get_origin(t) in (list, tuple, Sequence):
            args = typing.get_args(t)
            elem = args[0] if args else Any
            if isinstance(value, (str, dict)):
                tables = isinstance(value, dict) and attrs.has(elem)
                msg = f"expected a list ([[{key}]] tables, not [{key}]), got {_kind(value)}" if tables else f"expected a list, got {_kind(value)}"
                out.append(Problem(file, where, msg))
            elif isinstance(value, list):
                for i, x in enumerate(value):
                    out += _shape_problems(x, elem, file, join_path(where, i), depth + 1)
        elif attrs.has(t):
            out += _shape_problems(value, t, file, where, depth + 1)
    return out


def split_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; ``X | Y | None`` -> ``(X | Y, True)``;
    anything else -> ``(tp, False)``. One reading of a field's annotation
    for every walker of the facts classes (this module, the Excel template,
    the simulation's distributions)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        if len(args) == 1:
            return args[0], optional
        return typing.Union[tuple(args)], optional  # noqa: UP007 - built from a runtime tuple
    return tp, False


def try_structure_parts(
    data: Mapping[str, Any], classes: Sequence[type], file: str | None = None, path: str = ""
) -> tuple[list[Any], list[Problem]]:
    """One table whose keys belong to several attrs classes (a contract step:
    the common step keys and its model's own parameters). Each key goes to
    the class that has it; a key that none has is reported with the closest
    key of all of them; each class is structured as :func:`try_structure`
    does. Returns one value per class (``None`` where it failed) and the
    problems.
    """
    keysets = [set(_fields_of(cls)) for cls in classes]
    valid = set().union(*keysets)
    problems: list[Problem] = []
    for key in data:
        if key not in valid:
            hint = closest(key, valid)
            msg = f"unknown key {key!r}"
            msg += f"; did you mean {hint!r}?" if hint else f"; valid keys: {', '.join(sorted(valid))}"
            problems.append(Problem(file, join_path(path, key), msg))
    values: list[Any] = []
    for cls, keys in zip(classes, keysets, strict=True):
        value, found = try_structure({k: v for k, v in data.items() if k in keys}, cls, file, path)
        problems.extend(found)
        values.append(value)
    return values, problems


def structure(data: Any, cls: type[T], file: str | None = None, path: str = "") -> T:
    """Structure ``data`` into ``cls``; every failure becomes a Problem.

    :raises InputError: listing each problem with file and key path.
    """
    value, problems = try_structure(data, cls, file, path)
    if problems:
        raise InputError(problems)
    return value  # type: ignore[return-value]


def problems_from(
    exc: BaseException, cls: Any, file: str | None, path: str
) -> list[Problem]:
    """Walk a cattrs exception (group) into one Problem per leaf error."""
    out: list[Problem] = []
    with_notes: Any
    without: Any
    if isinstance(exc, ClassValidationError):
        fields = _fields_of(cls)
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            sub_cls = fields.get(note.name, note.type)
            out.extend(problems_from(sub, sub_cls, file, join_path(path, note.name)))
        for sub in without:
            out.extend(problems_from(sub, cls, file, path))
    elif isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            out.extend(problems_from(sub, note.type, file, join_path(path, note.index)))
        for sub in without:
            out.extend(problems_from(sub, cls, file, path))
    elif isinstance(exc, ForbiddenExtraKeysError):
        valid = list(_fields_of(exc.cl))
        for key in sorted(exc.extra_fields):
            hint = closest(key, valid)
            msg = f"unknown key {key!r}"
            msg += f"; did you mean {hint!r}?" if hint else f"; valid keys: {', '.join(valid)}"
            out.append(Problem(file, join_path(path, key), msg))
    elif isinstance(exc, FieldError):
        out.append(Problem(file, join_path(path, exc.field), str(exc)))
    elif isinstance(exc, KeyError):
        out.append(Problem(file, path, "required key missing"))
    elif isinstance(exc, InputError):
        for p in exc.problems:
            out.append(Problem(p.file or file, join_path(path, p.path) if p.path else path, p.message))
    elif isinstance(exc, (ValueError, TypeError)):
        out.append(Problem(file, path, _describe(exc, cls)))
    elif isinstance(exc, AttributeError) and ("items" in str(exc) or "keys" in str(exc)):
        out.append(Problem(file, path, "expected a table"))
    elif isinstance(exc, RecursionError):
        out.append(Problem(file, path, f"tables or lists nested deeper than {MAX_DEPTH} levels"))
    else:
        out.append(Problem(file, path, f"invalid value ({exc})"))
    return out


def _describe(exc: BaseException, cls: Any) -> str:
    msg = str(exc)
    if msg.startswith("expected"):
        return msg
    name = getattr(cls, "__name__", None) or str(cls)
    if "not iterable" in msg:
        return "expected a list"
    if "must be" in msg or "argument" in msg:
        return f"expected {_type_name(cls)}"
    return f"expected {_type_name(cls)} ({msg})" if name else msg


def _type_name(cls: Any) -> str:
    if attrs.has(cls):
        return "a table"
    origin = typing.get_origin(cls)
    if origin in (list, tuple):
        return "a list"
    if origin is dict:
        return "a table"
    return {
        int: "a whole number",
        str: "a string",
        bool: "true or false",
        Decimal: "a number",
        dt.date: "a date",
    }.get(cls, getattr(cls, "__name__", str(cls)))


def _fields_of(cls: Any) -> dict[str, Any]:
    """Field name -> type of an attrs class (types resolved), else empty."""
    origin = typing.get_origin(cls)
    if origin is typing.Union or str(origin) == "types.UnionType":
        for arg in typing.get_args(cls):
            if attrs.has(arg):
                cls = arg
                break
    if not (isinstance(cls, type) and attrs.has(cls)):
        return {}
    attrs.resolve_types(cls)
    return {a.alias or a.name: a.type for a in attrs.fields(cls)}


# ----------------------------------------------------------------- validators
def _check(field: str, ok: bool, message: str) -> None:
    if not ok:
        raise FieldError(field, message)


def non_negative(_: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    """attrs validator: a count or amount that cannot be negative."""
    if value is None:
        return
    _check(attribute.name, value >= 0, f"expected a number ≥ 0, got {value}")


def score_0_100(_: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    """attrs validator: an assessment score from 0 to 100."""
    if value is None:
        return
    _check(attribute.name, 0 <= value <= 100, f"expected a score from 0 to 100, got {value}")


def rate_0_1(_: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    """attrs validator: a rate from 0 to 1 (``"90%"`` is accepted and is 0.9)."""
    if value is None:
        return
    _check(attribute.name, 0 <= value <= 1, f"expected a rate from 0 to 1 (or '0%'–'100%'), got {value}")


def identifier(_: Any, attribute: attrs.Attribute, value: str) -> None:  # type: ignore[type-arg]
    """attrs validator: a key usable in a result (letters, digits, _ and .)."""
    import re  # noqa: PLC0415

    _check(
        attribute.name,
        bool(re.fullmatch(r"[a-z][a-z0-9_.]*", value)),
        f"expected a lower-case key such as 'quarter_fee', got {value!r}",
    )
