"""A one-off contract built from a TOML snippet, for unit tests of the
standard models and engine features through the real loader and engine.

``toy_contract(tmp_path, body, facts_class)`` loads a contract whose steps,
interpretations, carries… are ``body``, under a fixed header (parties, term).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yibao import api
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl
from yibao.registry import Registry, make_registry

HEAD = """
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


def toy_registry(
    tmp_path: Path,
    body: str,
    facts_class: type,
    *,
    name: str = "toy",
    start: str = "2025-02-01",
    end: str = "2026-01-31",
) -> Registry:
    """A registry with the built-ins plus one plugin providing the toy contract."""
    path = tmp_path / f"{name}.toml"
    path.write_text(HEAD.format(name=name, start=start, end=end) + body, encoding="utf-8")

    class Toy:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name=name, contract_file=path, facts_class=facts_class))

    return make_registry(load_entrypoints=False, env={}, extra_plugins=[(name, Toy())])


def toy_contract(tmp_path: Path, body: str, facts_class: type, **kw: Any) -> Any:
    """Load the toy contract. :raises InputError: as ``api.load_contract`` does."""
    name = kw.get("name", "toy")
    return api.load_contract(name, reg=toy_registry(tmp_path, body, facts_class, **kw))
