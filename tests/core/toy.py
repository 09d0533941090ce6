"""A one-off contract built from a TOML snippet, for the standard models' unit
tests: ``toy_contract(throwaway_plugin, tmp_path, steps, facts_class)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yibao import api
from yibao.contract import ContractSpec
from yibao.hookspecs import hookimpl

HEAD = """
id = "toy-2025"
city = "toy"
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


def toy_contract(
    throwaway_plugin: Any,
    tmp_path: Path,
    body: str,
    facts_class: type,
    start: str = "2025-02-01",
    end: str = "2026-01-31",
) -> Any:
    """Load a contract whose steps, interpretations… are ``body``.

    :raises InputError: as ``api.load_contract`` does.
    """
    path = tmp_path / "toy.toml"
    path.write_text(HEAD.format(start=start, end=end) + body, encoding="utf-8")

    class Toy:
        @hookimpl
        def yibao_register_contracts(self, register: Any) -> None:
            register(ContractSpec(name="toy", contract_file=path, facts_class=facts_class))

    reg = throwaway_plugin("toy", Toy())
    return api.load_contract("toy", reg=reg)
