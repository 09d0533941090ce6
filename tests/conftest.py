"""Shared fixtures: a fresh registry, a CLI runner, facts built in code."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from yibao import api
from yibao.cli import cli
from yibao.registry import Registry, make_registry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def contract_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The contract cache of the whole run in a temporary directory (never
    the user's own), so the suite exercises it as a user's commands do."""
    d = tmp_path_factory.mktemp("yibao-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("YIBAO_CACHE_DIR", str(d))
    mp.delenv("YIBAO_NO_CACHE", raising=False)
    yield d
    mp.undo()


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The built-in plugins only (no entry points from the test environment)."""
    return make_registry(load_entrypoints=False, env={})


@pytest.fixture(scope="session")
def contract(registry: Registry) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}

    def load(city: str) -> Any:
        if city not in cache:
            cache[city] = api.load_contract(city, reg=registry)
        return cache[city]

    return load


class Cli:
    """Runs ``yibao`` in-process; ``.code``, ``.out``, ``.err``, ``.json``."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        env = {"YIBAO_LOAD_PLUGINS": "", **(env or {})}
        res = self.runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
        res.code = res.exit_code
        res.out = res.stdout
        res.err = res.stderr
        try:
            res.json = json.loads(res.stdout)
        except ValueError:
            res.json = None
        return res


@pytest.fixture
def run() -> Cli:
    return Cli()


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "facts.toml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture
def throwaway_plugin() -> Iterator[Callable[[str, object], Registry]]:
    """Build a registry with an extra plugin object; nothing global changes."""

    def build(name: str, plugin: object) -> Registry:
        return make_registry(load_entrypoints=False, env={}, extra_plugins=[(name, plugin)])

    yield build
