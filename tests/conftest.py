"""Shared fixtures: the built-in registry and contracts of the session, the
CLI runner and throwaway plugins (thin names for :mod:`yibao.testing`'s
fixtures, which pytest loads through the ``pytest11`` entry point)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from yibao import api
from yibao.registry import Registry, make_registry
from yibao.testing import CliResult

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


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read messages in English (``YIBAO_LANG=en``); the Chinese ones,
    the default, are tested where a test sets ``YIBAO_LANG=zh``."""
    monkeypatch.setenv("YIBAO_LANG", "en")


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


@pytest.fixture
def run(yibao_cli: Callable[..., CliResult]) -> Callable[..., CliResult]:
    """``yibao`` in-process (yibao.testing's ``yibao_cli``): ``.code``, ``.out``, ``.err``, ``.json``."""
    return yibao_cli


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(text: str, name: str = "facts.toml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture
def throwaway_plugin(yibao_plugin: Callable[[str, object], Registry]) -> Callable[[str, object], Registry]:
    """A registry with extra plugins (yibao.testing's ``yibao_plugin``); nothing global changes."""
    return yibao_plugin
