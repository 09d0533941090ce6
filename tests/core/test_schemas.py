"""schemas/ is regenerated from the attrs classes; a stale copy fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from yibao.describe import dump_schema, schema_for

ROOT = Path(__file__).resolve().parents[2]


def cities() -> list[str]:
    from yibao.registry import make_registry

    return sorted(make_registry(load_entrypoints=False, env={}).contracts)


@pytest.mark.parametrize("city", cities())
@pytest.mark.parametrize(("facts", "suffix"), [(False, "contract"), (True, "facts")])
def test_schema_is_fresh(registry: Any, city: str, facts: bool, suffix: str) -> None:
    path = ROOT / "schemas" / f"{city}.{suffix}.schema.json"
    assert path.is_file(), f"{path} missing: run yibao schema --write schemas/"
    assert path.read_text(encoding="utf-8") == dump_schema(schema_for(registry, city, facts)), (
        f"{path} is stale: run yibao schema --write schemas/"
    )


@pytest.mark.parametrize("city", cities())
def test_bundled_toml_declares_its_schema(registry: Any, city: str) -> None:
    spec = registry.contracts[city]
    first = Path(str(spec.contract_file)).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"#:schema ../../schemas/{city}.contract.schema.json"
    for ex in spec.examples:
        first = Path(str(ex)).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"#:schema ../../../schemas/{city}.facts.schema.json"


def test_schema_rejects_unknown_keys(registry: Any) -> None:
    s = schema_for(registry, "xinxiang", True)
    assert s["additionalProperties"] is False
    # the nested [[regions]] table is closed too, so a typo there is flagged by an editor
    region = s["$defs"]["Region"]
    assert region["additionalProperties"] is False
    assert s["properties"]["regions"]["items"] == {"$ref": "#/$defs/Region"}
    # what a year's facts cannot do without (第十九条 参保人数, 第二十一条 支出, 第二十九条 总评分)
    assert s["required"] == ["year", "score", "regions"]
    assert region["required"] == ["name", "insured", "payouts"]
    # plain JSON: survives a round trip unchanged (no tuples, Decimals or non-string keys)
    assert json.loads(json.dumps(s)) == s
    assert json.loads(dump_schema(s)) == s  # plain JSON: nothing lost in the committed copy
