"""pytest fixtures for plugin authors, loaded by pytest through the
``pytest11`` entry point whenever yibao is installed (as tox exports
``tox.pytest``): a plugin's own tests use them without any conftest.

- ``yibao_registry``: a fresh registry of the built-in plugins only.
- ``yibao_plugin``: register a module or object as a plugin for this test.
- ``yibao_cli``: run the real ``yibao`` click group in-process, against the
  plugins of this test; ``.code``, ``.out``, ``.err``, ``.json``.
- ``toy_contract``: load a one-off contract from a TOML snippet.

Nothing global changes: every registry is built fresh, with no entry points
and no ``YIBAO_*`` environment, so a test sees exactly the built-ins and the
plugins it registers, whatever else is installed::

    import yibao_kaifeng

    def test_compute(yibao_plugin, yibao_cli):
        yibao_plugin("kaifeng", yibao_kaifeng)
        res = yibao_cli("compute", "kaifeng", "--format", "json")
        assert res.code == 0 and res.json["city"] == "kaifeng"
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from . import api
from .cli import cli
from .contract import Contract, ContractSpec
from .hookspecs import hookimpl
from .registry import Registry, make_registry

TOY_HEAD = """
id = "{name}-test"
city = "{name}"
title = "测试合同"
kind = "test"

[parties]
bureau = "甲方"
insurer = "乙方"

[term]
start = {start}
end = {end}
clause = "第一条"
"""


def builtin_registry(extra_plugins: tuple[tuple[str, object], ...] = ()) -> Registry:
    """A fresh registry: the built-in plugins, then ``extra_plugins`` in
    order; no entry points, no ``YIBAO_*`` environment."""
    return make_registry(load_entrypoints=False, env={}, extra_plugins=extra_plugins)


def toy_registry(
    directory: Path,
    body: str,
    facts_class: type,
    *,
    name: str = "toy",
    start: str = "2025-02-01",
    end: str = "2026-01-31",
) -> Registry:
    """A registry with the built-ins plus one plugin providing the contract
    ``name``: ``body`` (steps, interpretations, carries…) under a fixed header
    (parties, term from ``start`` to ``end``), written to ``directory``."""
    path = directory / f"{name}.toml"
    path.write_text(TOY_HEAD.format(name=name, start=start, end=end) + body, encoding="utf-8")

    class Toy:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name=name, contract_file=path, facts_class=facts_class))

    return builtin_registry(((name, Toy()),))


def load_toy_contract(directory: Path, body: str, facts_class: type, **kw: Any) -> Contract:
    """Load the contract of :func:`toy_registry` through the real loader.

    :raises InputError: as :func:`yibao.api.load_contract` does.
    """
    return api.load_contract(kw.get("name", "toy"), reg=toy_registry(directory, body, facts_class, **kw))


@attrs.frozen(slots=False)
class CliResult:
    """One run of the CLI: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        """stdout parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.out)
        except ValueError:
            return None


class _Plugins:
    """The plugins a test registered, and the registry they make."""

    def __init__(self) -> None:
        self.extra: list[tuple[str, object]] = []
        self.registry: Registry | None = None

    def add(self, name: str, plugin: object) -> Registry:
        self.extra.append((name, plugin))
        self.registry = builtin_registry(tuple(self.extra))
        return self.registry

    def current(self) -> Registry:
        if self.registry is None:
            self.registry = builtin_registry()
        return self.registry


@pytest.fixture
def _yibao_plugins() -> _Plugins:
    return _Plugins()


@pytest.fixture
def yibao_registry() -> Registry:
    """A fresh registry of the built-in plugins only (no entry points, no
    ``YIBAO_*`` environment): ``api.load_contract(name, reg=yibao_registry)``."""
    return builtin_registry()


@pytest.fixture
def yibao_plugin(_yibao_plugins: _Plugins) -> Callable[[str, object], Registry]:
    """Register a throwaway plugin: ``yibao_plugin(name, module_or_object)``
    returns a fresh registry of the built-ins plus every plugin registered so
    far in this test, and ``yibao_cli`` runs against it from then on.

    A plugin that fails to load is not raised: it is in ``registry.failures``,
    as for a user."""
    return _yibao_plugins.add


@pytest.fixture
def yibao_cli(_yibao_plugins: _Plugins) -> Callable[..., CliResult]:
    """Run the real ``yibao`` command in-process:
    ``yibao_cli("compute", "xinxiang", "--format", "json", input=None, env=None)``
    returns a :class:`CliResult`. It sees the built-ins and the plugins given
    to ``yibao_plugin``; ``--plugins-dir DIR`` runs against a registry that
    loads DIR instead. ``env`` adds environment variables for the run (the
    ``YIBAO_*`` plugin variables do not change this test's registry).
    Exceptions other than exits propagate, so a bug shows its traceback."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        runner = CliRunner()
        res = runner.invoke(
            cli,
            list(args),
            input=input,
            env={"YIBAO_LOAD_PLUGINS": "", **(env or {})},
            catch_exceptions=False,
            obj={"registry": _yibao_plugins.current()},
            prog_name="yibao",
        )
        return CliResult(res.exit_code, res.stdout, res.stderr)

    return run


@pytest.fixture
def toy_contract(tmp_path: Path) -> Callable[..., Contract]:
    """Load a one-off contract from a TOML snippet:
    ``toy_contract(body, facts_class, name="toy", start="2025-02-01", end="2026-01-31")``
    (see :func:`toy_registry`); for unit tests of models and engine features
    through the real loader and engine."""

    def load(body: str, facts_class: type, **kw: Any) -> Contract:
        return load_toy_contract(tmp_path, body, facts_class, **kw)

    return load
