"""What a plugin declares: a contract, by name, with its TOML and facts class.

``ContractSpec`` is what a plugin hands to ``register`` in the
``yibao_register_contracts`` hook. :func:`declare_contract` writes that hook
for the common case, so that a city plugin says in one call what it provides::

    yibao_register_contracts = declare_contract(
        __file__,
        name="xinxiang",
        facts_class=XinxiangFacts,
        examples=("2025.toml",),
        description="新乡市职工大额医疗费用补助（中原农业保险，2025）",
    )

Paths are plain :class:`pathlib.Path` objects next to the plugin's module
(``Path(__file__)``): resolving them through ``importlib.resources`` would
import tempfile, shutil and zipfile on every command for nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .hookspecs import hookimpl


@attrs.frozen(eq=False, repr=False, slots=False)
class ContractSpec:
    """What a plugin hands to ``register`` in ``yibao_register_contracts``.

    :param name: the name users type (``yibao compute xinxiang``): the city.
    :param contract_file: the bundled ``contract.toml``.
    :param facts_class: the attrs class a period's facts are structured into.
        It has exactly one field whose type is a period kind of
        :mod:`yibao.periods` (or a union of kinds), and may have
        ``validate_against(contract) -> list[(key_path, message)]`` for checks
        that need the contract.
    :param examples: bundled example facts files, the first is the default.
    :param description: one line for ``yibao list``.
    """

    name: str
    contract_file: Path
    facts_class: type
    examples: tuple[Path, ...] = ()
    description: str = ""


def declare_contract(
    module_file: str | Path,
    *,
    name: str,
    facts_class: type,
    examples: Sequence[str] = (),
    description: str = "",
    contract_file: str = "contract.toml",
) -> Callable[[Any], None]:
    """The ``yibao_register_contracts`` hook of a plugin that provides one
    contract, its files next to ``module_file``: ``contract_file`` and, under
    ``examples/``, the example facts (the first is the default).

    Assign the result to ``yibao_register_contracts`` in the plugin module.
    """
    here = Path(module_file).parent
    spec = ContractSpec(
        name=name,
        contract_file=here / contract_file,
        facts_class=facts_class,
        examples=tuple(here / "examples" / e for e in examples),
        description=description,
    )

    @hookimpl
    def yibao_register_contracts(register: Any) -> None:
        register(spec)

    yibao_register_contracts.spec = spec  # type: ignore[attr-defined]
    return yibao_register_contracts
