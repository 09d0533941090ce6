"""``yibao new-city``: scaffold an installable city plugin distribution.

The result is a directory ``yibao-<name>/`` holding a ``pyproject.toml`` with
the ``yibao`` entry point, the package ``yibao_<name>`` (hookimpls, facts
class, ``contract.toml`` starting with ``#:schema``, example facts), a test
file that runs, and a docs page with an empty clause table. ``--from CITY``
starts from a bundled city's TOML and reuses its facts class.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from pathlib import Path

from .errors import InputError

_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: the longest city name (it becomes a directory, a package and an entry point)
MAX_NAME = 40

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "yibao-{name}"
version = "0.1.0"
description = "yibao plugin: the {name} contract"
requires-python = ">=3.11"
dependencies = ["yibao"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.yibao]
{name} = "yibao_{name}"

[tool.setuptools]
packages = ["yibao_{name}"]

[tool.setuptools.package-data]
yibao_{name} = ["*.toml", "examples/*"]
'''

PLUGIN_NEW = '''"""The {name} contract as a yibao plugin.

Everything computed is in ``contract.toml`` (steps of standard models, each
with its clause). This module declares the contract and the facts of a
period. Write Python here only for what no standard model covers.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from yibao.inputs import non_negative
from yibao.periods import Year
from yibao.spec import declare_contract


@attrs.frozen(slots=False)
class Facts:
    """A period's facts. Add a field for every fact a step reads. The field
    typed with a period kind (yibao.periods: Year, Quarter, ContractQuarter,
    Month) says which period a facts file is about."""

    year: Year
    insured: int = attrs.field(validator=non_negative)
    payouts: Decimal = attrs.field(default=Decimal(0), validator=non_negative)
    roster: str | None = None


yibao_register_contracts = declare_contract(
    __file__,
    name="{name}",
    facts_class=Facts,
    examples=("facts.toml",),
)
'''

PLUGIN_FROM = '''"""The {name} contract as a yibao plugin, started from the {source} contract.

It reuses {source}'s facts class; replace it with your own when the facts
differ. Everything computed is in ``contract.toml``.
"""

from __future__ import annotations

from yibao.spec import declare_contract
from {facts_module} import {facts_class} as Facts

yibao_register_contracts = declare_contract(
    __file__,
    name="{name}",
    facts_class=Facts,
    examples=("facts.toml",),
)
'''

CONTRACT_NEW = '''#:schema {schema}
# The {name} contract. Quote the clause of every number.

id = "{name}-2026"
city = "{name}"
title = "（合同标题）"
kind = "（委托经办 / 大额补助 …）"

[parties]
bureau = "（甲方）"
insurer = "（乙方）"

[term]
start = 2026-01-01
end = 2026-12-31
clause = "第二条"

[[steps]]
model = "per_capita"
clause = "第三条"
key = "annual_fee"
label = "年度经办服务费"
count = "insured"
rate = "1.5"          # 元/参保人/年 — replace with the contract's figure
'''

FACTS_NEW = '''#:schema {schema}
year = 2026
insured = 100000
'''

TEST = '''"""{name}: hand-worked cases from the contract text.

The fixtures (yibao_plugin, yibao_cli, yibao_registry, toy_contract) come
from yibao.testing, which pytest loads by itself wherever yibao is installed.
"""

from decimal import Decimal

from yibao import api

import yibao_{name}


def test_example_computes(yibao_plugin) -> None:
    reg = yibao_plugin("{name}", yibao_{name})
    contract = api.load_contract("{name}", reg=reg)
    facts = api.load_facts(contract, api.example_facts(contract))
    result = api.compute(contract, facts)
    assert result.items, "the example produces items"
    for item in result.items:
        assert item.amount == item.amount.quantize(Decimal("0.01"))
        assert item.clause


def test_the_command_line_computes_the_example(yibao_plugin, yibao_cli) -> None:
    yibao_plugin("{name}", yibao_{name})
    res = yibao_cli("compute", "{name}", "--format", "json")
    assert res.code == 0, res.err
    assert res.json["city"] == "{name}"
'''


DOC = '''# {name}

- 甲方：　乙方：
- 期限：
- TOML: `yibao_{name}/contract.toml`

| 条款 | 内容（摘要） | 处理 | 项目/发现 |
|---|---|---|---|
| | | | |

处理 is one of computed / checked / recorded only / not computable.

## Interpretations

| id | 条款 | default | alternative |
|---|---|---|---|
'''


def check_name(name: str) -> None:
    """A city name must be a lower-case Python identifier (it becomes a
    module and an entry point)."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name) or len(name) > MAX_NAME:
        raise InputError.one(
            "command line", "NAME", f"expected a lower-case identifier of at most {MAX_NAME} characters such as 'zhengzhou', got {name[:MAX_NAME + 10]!r}"
        )


def scaffold(name: str, directory: Path, source: object | None = None, finish: Callable[[Path], None] | None = None) -> Path:
    """Write ``directory/yibao-<name>/``; refuse to overwrite anything.

    The tree is built in a temporary directory beside it and renamed into
    place only when complete (``finish`` is called on it first): a failure
    or an interrupt leaves nothing behind, and a rerun is not blocked.

    :param source: a bundled :class:`~yibao.contract.ContractSpec` to start from.
    :param finish: called with the complete temporary tree before the rename.
    :return: the new distribution's directory.
    """
    import os  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    check_name(name)
    root = directory / f"yibao-{name}"
    if root.exists():
        raise InputError.one(str(root), "", "already exists; refusing to overwrite")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".yibao-{name}.", dir=directory))
    except OSError as exc:
        raise InputError.one(str(directory), "--dir", f"cannot create a directory here: {exc.strerror or type(exc).__name__}") from None
    try:
        _write_tree(tmp, name, source)
        if finish is not None:
            finish(tmp)
        try:
            os.rename(tmp, root)  # onto an existing empty directory too: checked above, and again here
        except OSError as exc:
            raise InputError.one(str(root), "", f"cannot create it: {exc.strerror or type(exc).__name__}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def _write_tree(root: Path, name: str, source: object | None) -> None:
    pkg = root / f"yibao_{name}"
    (pkg / "examples").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "docs").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(name=name), encoding="utf-8")
    if source is None:
        (pkg / "__init__.py").write_text(PLUGIN_NEW.format(name=name), encoding="utf-8")
        (pkg / "contract.toml").write_text(
            CONTRACT_NEW.format(name=name, schema="../schemas/contract.schema.json"), encoding="utf-8"
        )
        (pkg / "examples" / "facts.toml").write_text(
            FACTS_NEW.format(schema="../../schemas/facts.schema.json"), encoding="utf-8"
        )
    else:
        facts_class = source.facts_class  # type: ignore[attr-defined]
        (pkg / "__init__.py").write_text(
            PLUGIN_FROM.format(
                name=name,
                source=source.name,  # type: ignore[attr-defined]
                facts_module=facts_class.__module__,
                facts_class=facts_class.__qualname__,
            ),
            encoding="utf-8",
        )
        toml = Path(str(source.contract_file)).read_text(encoding="utf-8")  # type: ignore[attr-defined]
        toml = _retarget(toml, "../schemas/contract.schema.json")
        toml = re.sub(r'(?m)^id = "[^"]*?(-[^"-]*)?"$', lambda m: f'id = "{name}{m.group(1) or ""}"', toml, count=1)
        toml = re.sub(r'(?m)^city = "[^"]*"$', f'city = "{name}"', toml, count=1)
        (pkg / "contract.toml").write_text(toml, encoding="utf-8")
        examples = source.examples  # type: ignore[attr-defined]
        facts = Path(str(examples[0])).read_text(encoding="utf-8") if examples else "year = 2026\n"
        facts = _retarget(facts, "../../schemas/facts.schema.json")
        facts = re.sub(r'(?m)^roster\s*=.*\n', "", facts)  # the source's roster is not copied
        (pkg / "examples" / "facts.toml").write_text(facts, encoding="utf-8")
    (root / "tests" / f"test_{name}.py").write_text(TEST.format(name=name), encoding="utf-8")
    (root / "docs" / f"{name}.md").write_text(DOC.format(name=name), encoding="utf-8")
    (root / "schemas").mkdir()


def _retarget(text: str, schema: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith("#:schema"):
        lines[0] = f"#:schema {schema}\n"
    else:
        lines.insert(0, f"#:schema {schema}\n")
    return "".join(lines)
