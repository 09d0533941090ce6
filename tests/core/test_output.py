"""The one output contract (yibao.output): every JSON document is versioned,
a compute is one envelope for one period or many, input errors are data,
and the published schemas describe what is printed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from yibao import __version__, api
from yibao.describe import dump_schema
from yibao.errors import InputError
from yibao.output import OUTPUT_SCHEMAS, compute_schema, error_schema

ROOT = Path(__file__).resolve().parents[2]
COMPUTE = jsonschema.Draft202012Validator(compute_schema())
ERROR = jsonschema.Draft202012Validator(error_schema())


def bundled_examples() -> list[tuple[str, str]]:
    from yibao.registry import make_registry

    reg = make_registry(load_entrypoints=False, env={})
    return [(name, str(ex)) for name, spec in sorted(reg.contracts.items()) for ex in spec.examples]


def test_output_schemas_are_valid_and_fresh() -> None:
    for file, build in OUTPUT_SCHEMAS.items():
        jsonschema.Draft202012Validator.check_schema(build())
        path = ROOT / "schemas" / file
        assert path.is_file() and path.read_text(encoding="utf-8") == dump_schema(build()), (
            f"{path} is stale: run yibao schema --write schemas/"
        )


@pytest.mark.parametrize(("city", "example"), bundled_examples())
def test_every_bundled_example_validates_against_the_compute_schema(run: Any, city: str, example: str) -> None:
    res = run("compute", city, "--facts", example, "--format", "json")
    assert res.code in (0, 1), res.err
    COMPUTE.validate(res.json)
    assert res.json["schema_version"] == 1 and res.json["yibao_version"] == __version__
    assert res.json["inputs"]["facts"] == [{"source": example, "period": res.json["period"]}]


def test_the_schema_rejects_a_document_without_its_version(run: Any) -> None:
    doc = run("compute", "xinxiang", "--format", "json").json
    del doc["schema_version"]
    with pytest.raises(jsonschema.ValidationError):
        COMPUTE.validate(doc)


def test_one_envelope_for_one_period_or_many(run: Any) -> None:
    examples = ROOT / "plugins" / "huaiyang" / "examples"
    series = run("compute", "huaiyang", "--facts", str(examples), "--format", "json")
    assert series.code in (0, 1), series.err
    COMPUTE.validate(series.json)
    assert [r["period"] for r in series.json["results"]] == ["2025", "2026", "2027"]
    assert [f["source"] for f in series.json["inputs"]["facts"]] == [str(examples / f"{y}.toml") for y in (2025, 2026, 2027)]
    last = series.json["results"][-1]
    assert {k: series.json[k] for k in last} == last  # the last period reads at the top level
    single = run("compute", "huaiyang", "--facts", str(examples / "2025.toml"), "--format", "json")
    assert set(single.json) == set(series.json)  # the same keys whatever the number of periods
    assert single.json["results"] == series.json["results"][:1]


def test_inputs_name_what_was_computed_from(run: Any, contract: Any) -> None:
    c = contract("xinxiang")
    res = run("compute", "xinxiang", "--format", "json")
    inputs = res.json["inputs"]
    assert inputs["facts"] == [{"source": "bundled example", "period": "2025"}]
    assert inputs["contract_id"] == "xinxiang-2025" == res.json["contract"]
    assert inputs["contract_sha256"] == hashlib.sha256(Path(c.path).read_bytes()).hexdigest()
    assert inputs["readings"] == {i.id: i.choice for i in c.doc.interpretations}
    switched = run("compute", "xinxiang", "--reading", "tier_rate_scope=marginal", "--format", "json").json
    assert switched["inputs"]["readings"]["tier_rate_scope"] == "marginal"
    assert inputs["readings"]["tier_rate_scope"] != "marginal"
    piped = run("compute", "xinxiang", "--facts", "-", "--format", "json", input='year = 2025\nscore = 90\nregions = [{name = "a", insured = 3, payouts = 0}]\n')
    assert piped.json["inputs"]["facts"] == [{"source": "stdin", "period": "2025"}]


def test_an_input_error_is_a_json_document(run: Any, write_toml: Any) -> None:
    p = write_toml('year = 2025\nscore = 101\n[[regions]]\nname = "a"\ninsurd = 3\npayouts = 0\n')
    res = run("compute", "xinxiang", "--facts", str(p), "--format", "json")
    assert res.code == 2
    ERROR.validate(res.json)
    assert res.json["error"] == "input" and res.json["schema_version"] == 1
    paths = {pr["path"]: pr for pr in res.json["problems"]}
    assert paths["regions[0].insurd"]["file"] == str(p)
    assert "did you mean 'insured'?" in paths["regions[0].insurd"]["message"]
    # stderr keeps one line per problem, the same problems
    assert len(res.err.strip().splitlines()) == len(res.json["problems"])
    # a table run prints the lines only
    table = run("compute", "xinxiang", "--facts", str(p), "--format", "table")
    assert table.code == 2 and table.out == "" and table.err == res.err


def test_an_unknown_city_is_a_json_document_naming_city(run: Any) -> None:
    res = run("compute", "xinxaing", "--format", "json")
    assert res.code == 2
    ERROR.validate(res.json)
    [problem] = res.json["problems"]
    assert problem["file"] is None and problem["path"] == "city" and "did you mean 'xinxiang'?" in problem["message"]


def test_api_unknown_city_names_city() -> None:
    with pytest.raises(InputError) as e:
        api.load_contract("xinxaing")
    [problem] = e.value.problems
    assert problem.file is None and problem.path == "city"
    assert str(problem) == "city: no contract 'xinxaing'; did you mean 'xinxiang'?"


def test_amount_without_a_scope(contract: Any) -> None:
    c = contract("xinxiang")
    one = api.compute(c, api.load_facts(c, {"year": 2025, "score": 90, "regions": [{"name": "市本级", "insured": 3, "payouts": 0}]}))
    assert one.amount("approved_profit") == one.amount("approved_profit", "市本级")
    two = api.compute(
        c,
        api.load_facts(
            c,
            {"year": 2025, "score": 90, "regions": [{"name": "甲", "insured": 3, "payouts": 0}, {"name": "乙", "insured": 4, "payouts": 0}]},
        ),
    )
    with pytest.raises(KeyError) as e:
        two.amount("approved_profit")
    assert "'甲'" in str(e.value) and "'乙'" in str(e.value)
    with pytest.raises(KeyError, match="no item 'nosuch'"):
        two.amount("nosuch")
    with pytest.raises(KeyError, match="'甲', '乙'"):
        two.amount("approved_profit", "丙")


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("plugins",),
        ("show", "xinxiang"),
        ("validate", "xinxiang"),
        ("compare", "xinxiang", "luoyang"),
        ("deadline", "xinxiang", "manual_reimbursement", "--from", "2025-09-26"),
    ],
)
def test_every_json_document_is_versioned(run: Any, args: tuple[str, ...]) -> None:
    res = run(*args, "--format", "json")
    assert res.code == 0, res.err
    assert isinstance(res.json, dict)
    assert list(res.json)[:2] == ["schema_version", "yibao_version"]
    assert res.json["schema_version"] == 1 and res.json["yibao_version"] == __version__
    assert run(*args).json == res.json  # JSON is the default when stdout is not a terminal


def test_envelope_from_the_api_equals_the_cli(run: Any, contract: Any) -> None:
    c = contract("xinxiang")
    example = str(api.example_facts(c))
    result = api.compute(c, api.load_facts(c, example), None, example)
    doc = api.envelope(c, result, ["bundled example"])
    cli = run("compute", "xinxiang", "--format", "json").json
    # the CLI reads the roster the example names; the API call above did not
    assert {k: doc[k] for k in ("schema_version", "yibao_version", "contract", "city", "inputs")} == {
        k: cli[k] for k in ("schema_version", "yibao_version", "contract", "city", "inputs")
    }
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
