"""``yibao serve``: the real server (uvicorn in a subprocess, 127.0.0.1 on a
free port), talked to over HTTP. Every request has a timeout; every server
is stopped when its test ends."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from yibao.output import compute_schema

from .imports import imported_by

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

ROOT = Path(__file__).resolve().parents[2]
DEMO = Path(__file__).parent / "demo"
TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, *args: str, plugins_dir: Path | None = None, log: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        pre = ["--plugins-dir", str(plugins_dir)] if plugins_dir else []
        self.log = log
        out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed in stop()
        self._out = out
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yibao", *pre, "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
            stdout=out,
            stderr=out,
            env={**os.environ, "YIBAO_LOAD_PLUGINS": ""},
        )
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("yibao serve did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if hasattr(self._out, "close"):
            self._out.close()

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body, ensure_ascii=False, default=_plain).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                return r.status, dict(r.headers), json.loads(r.read())
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, dict(e.headers), json.loads(raw) if raw else None


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    raise TypeError(type(v))


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    try:
        yield s
    finally:
        s.stop()


def request_body(example: str) -> dict[str, Any]:
    """A bundled example as a compute request: the facts, and the roster's
    CSV text in place of the roster file it names."""
    facts = tomllib.loads(Path(example).read_text(encoding="utf-8"), parse_float=Decimal)
    roster = facts.pop("roster", None)
    if roster is None:
        return facts
    return {"facts": facts, "roster_csv": (Path(example).parent / roster).read_text(encoding="utf-8")}


def bundled_examples() -> list[tuple[str, str]]:
    from yibao.registry import make_registry

    reg = make_registry(load_entrypoints=False, env={})
    return [(name, str(ex)) for name, spec in sorted(reg.contracts.items()) for ex in spec.examples]


def without_sources(doc: dict[str, Any]) -> dict[str, Any]:
    inputs = {**doc["inputs"], "facts": [{**f, "source": None} for f in doc["inputs"]["facts"]]}
    return {**doc, "inputs": inputs}


@pytest.mark.parametrize(("city", "example"), bundled_examples())
def test_compute_equals_the_cli(server: Server, run: Any, city: str, example: str) -> None:
    status, headers, doc = server.request("POST", f"/contracts/{city}/compute", request_body(example))
    assert status == 200 and headers["content-type"] == "application/json"
    jsonschema.validate(doc, compute_schema())
    cli = run("compute", city, "--facts", example, "--format", "json").json
    assert doc["inputs"]["facts"] == [{"source": "request", "period": cli["period"]}]
    assert without_sources(doc) == without_sources(cli)


def test_a_series_and_a_reading_equal_the_cli(server: Server, run: Any) -> None:
    examples = sorted((ROOT / "plugins" / "huaiyang" / "examples").glob("*.toml"))
    body = {"periods": [request_body(str(e)) for e in examples]}
    status, _, doc = server.request("POST", "/contracts/huaiyang/compute", body)
    cli = run("compute", "huaiyang", "--facts", str(examples[0].parent), "--format", "json").json
    assert status == 200 and len(doc["results"]) == 3
    assert without_sources(doc) == without_sources(cli)
    status, _, marginal = server.request("POST", "/contracts/xinxiang/compute?reading=tier_rate_scope=marginal", {"year": 2025, "score": 85, "regions": [{"name": "a", "insured": 3, "payouts": 0}]})
    cli = run("compute", "xinxiang", "--facts", "-", "--reading", "tier_rate_scope=marginal", "--format", "json", input='year = 2025\nscore = 85\nregions = [{name = "a", insured = 3, payouts = 0}]\n').json
    assert status == 200 and without_sources(marginal) == without_sources(cli)
    # a request's reading changes nothing another request sees
    _, _, default = server.request("POST", "/contracts/xinxiang/compute", {"year": 2025, "score": 85, "regions": [{"name": "a", "insured": 3, "payouts": 0}]})
    assert default["inputs"]["readings"]["tier_rate_scope"] != "marginal"


def test_bad_input_is_422_problem_details_with_the_cli_problems(server: Server, run: Any, write_toml: Any) -> None:
    status, headers, doc = server.request("POST", "/contracts/xinxiang/compute", {"year": 2025, "score": 85, "regions": [{"name": "a", "insurd": 3, "payouts": 0}]})
    assert status == 422 and headers["content-type"] == "application/problem+json"
    assert doc["type"] == "urn:yibao:problem:input" and doc["status"] == 422 and doc["title"] and doc["detail"]
    assert doc["instance"] == "/contracts/xinxiang/compute" and doc["schema_version"] == 1
    p = write_toml('year = 2025\nscore = 85\nregions = [{name = "a", insurd = 3, payouts = 0}]\n')
    cli = run("compute", "xinxiang", "--facts", str(p), "--format", "json").json
    assert [(x["path"], x["message"]) for x in doc["problems"]] == [(x["path"], x["message"]) for x in cli["problems"]]
    assert {x["file"] for x in doc["problems"]} == {"request"}
    # a series names the period: every problem of every period at once
    status, _, doc = server.request("POST", "/contracts/xinxiang/compute", {"periods": [{"year": 2025, "score": 85, "regions": []}, {"facts": {"year": 2025, "score": 101, "regions": []}}]})
    assert status == 422 and any(x["path"].startswith("periods[1].facts.score") for x in doc["problems"]), doc
    # not JSON, a float that must not become one, a file the service must not read
    status, _, doc = server.request("POST", "/contracts/xinxiang/compute", b"{year = 2025")
    assert status == 422 and doc["problems"][0]["message"].startswith("expected a JSON document")
    status, _, doc = server.request("POST", "/contracts/xinxiang/compute", {"year": 2025, "score": 85, "roster": "/etc/passwd", "regions": [{"name": "a", "insured": 3, "payouts": 0}]})
    assert status == 422 and doc["problems"][0]["path"] == "roster" and "/etc/passwd" not in doc["detail"]
    status, _, doc = server.request("GET", "/contracts/xinxiang/deadlines/manual_reimbursement?from=2025-13-01")
    assert status == 422 and doc["problems"][0]["path"] == "query.from"
    status, _, doc = server.request("POST", "/contracts/xinxiang/compute?reading=nosuch=1", {"year": 2025})
    assert status == 422 and doc["problems"][0]["path"] == "query.reading"


def test_json_numbers_are_read_as_decimals_never_floats(server: Server) -> None:
    from yibao.errors import InputError
    from yibao.serve import parse_json

    data = parse_json(b'{"rate": 0.1, "n": 3, "big": 12345678901234567.89}')
    assert type(data["rate"]) is Decimal and data["rate"] == Decimal("0.1")
    assert data["big"] == Decimal("12345678901234567.89")  # a float would have lost the 分
    assert type(data["n"]) is int
    with pytest.raises(InputError):
        parse_json(b'{"payouts": NaN}')
    status, _, doc = server.request("POST", "/contracts/xinxiang/compute", b'{"year": 2025, "score": 85, "regions": [{"name": "a", "insured": 3, "payouts": Infinity}]}')
    assert status == 422 and doc["error"] == "input"


def test_unknown_city_is_404_with_the_closest_name(server: Server) -> None:
    status, headers, doc = server.request("GET", "/contracts/xinxaing")
    assert status == 404 and headers["content-type"] == "application/problem+json"
    assert doc["closest"] == "xinxiang" and "did you mean 'xinxiang'?" in doc["detail"]
    assert doc["problems"] == [{"file": None, "path": "city", "message": doc["detail"]}]
    status, _, doc = server.request("POST", "/contracts/xinxaing/compute", {})
    assert status == 404 and doc["closest"] == "xinxiang"
    status, _, doc = server.request("GET", "/no/such/path")
    assert status == 404 and doc["type"] == "urn:yibao:problem:not_found"


def test_read_endpoints(server: Server, run: Any) -> None:
    status, _, doc = server.request("GET", "/health")
    assert status == 200 and doc["status"] == "ok" and doc["schema_version"] == 1
    status, _, doc = server.request("GET", "/contracts")
    assert status == 200 and doc == run("list", "--format", "json").json
    status, _, doc = server.request("GET", "/contracts/xinxiang")
    assert status == 200 and doc == run("show", "xinxiang", "--format", "json").json
    status, _, doc = server.request("GET", "/contracts/xinxiang/schema/facts")
    assert status == 200 and doc == json.loads(run("schema", "xinxiang", "--facts").out)
    status, _, doc = server.request("GET", "/contracts/xinxiang/deadlines/manual_reimbursement?from=2025-09-26")
    assert status == 200 and doc == run("deadline", "xinxiang", "manual_reimbursement", "--from", "2025-09-26", "--format", "json").json
    status, _, doc = server.request("POST", "/contracts/xinxiang/validate")
    assert status == 200 and doc == run("validate", "xinxiang", "--format", "json").json


def test_openapi_references_every_city_facts_schema(server: Server) -> None:
    status, _, doc = server.request("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]
    cities = [c["name"] for c in server.request("GET", "/contracts")[2]["contracts"]]
    body = doc["paths"]["/contracts/{city}/compute"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    refs = {r["$ref"] for r in body["oneOf"]}
    for city in cities:
        assert f"#/components/schemas/{city}.Facts" in refs and f"{city}.Facts" in schemas
    assert doc["paths"]["/contracts/{city}/compute"]["post"]["responses"]["422"]["content"]["application/problem+json"]
    # every reference resolves inside the document (a client generator can follow it)

    def refs_in(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for v in node.values():
                yield from refs_in(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs_in(v)

    for ref in refs_in(doc):
        assert ref.startswith("#/components/schemas/") and ref.removeprefix("#/components/schemas/") in schemas, ref


FAILING = f'''
import sys
sys.path.insert(0, {str(DEMO.parent)!r})
from demo import DemoPlugin
from yibao.hookspecs import hookimpl


class Failing(DemoPlugin):
    @hookimpl
    def yibao_share_risk(self, contract, facts, ledger):
        raise ZeroDivisionError("a secret the body must not carry")


_p = Failing("boomcity")
yibao_register_contracts = _p.yibao_register_contracts
yibao_share_risk = _p.yibao_share_risk
'''


def test_a_failing_plugin_is_500_naming_it_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "boomcity.py").write_text(FAILING, encoding="utf-8")
    s = Server(plugins_dir=tmp_path)
    try:
        status, headers, doc = s.request("POST", "/contracts/boomcity/compute", {"year": 2025, "insured": 10})
        assert status == 500 and headers["content-type"] == "application/problem+json"
        assert doc["plugin"] == "boomcity" and "boomcity" in doc["detail"] and "ZeroDivisionError" in doc["detail"]
        text = json.dumps(doc, ensure_ascii=False)
        assert "Traceback" not in text and "secret" not in text and ".py" not in text
        assert s.request("GET", "/health")[0] == 200  # the server goes on
    finally:
        s.stop()


def test_the_token_rule(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token\n", encoding="utf-8")
    s = Server("--token-file", str(token))
    try:
        facts = {"year": 2025, "score": 85, "regions": [{"name": "a", "insured": 3, "payouts": 0}]}
        status, headers, doc = s.request("POST", "/contracts/xinxiang/compute", facts)
        assert status == 401 and headers["www-authenticate"] == "Bearer" and doc["error"] == "unauthorized"
        assert s.request("POST", "/contracts/xinxiang/compute", facts, {"authorization": "Bearer wrong"})[0] == 401
        assert s.request("GET", "/contracts", headers={"authorization": "Basic czNjcmV0LXRva2Vu"})[0] == 401
        assert s.request("POST", "/contracts/xinxiang/compute", facts, {"authorization": "Bearer s3cret-token"})[0] == 200
        assert s.request("GET", "/health")[0] == 200  # liveness stays open
    finally:
        s.stop()


def test_binding_beyond_this_machine_needs_a_token_file(run: Any, tmp_path: Path) -> None:
    res = run("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert res.code == 2 and "--token-file" in res.err
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    res = run("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--token-file", str(empty))
    assert res.code == 2 and "expected one token" in res.err


@pytest.mark.filterwarnings("ignore")  # starlette: TestClient over httpx is deprecated
def test_a_writing_endpoint_always_needs_the_token(tmp_path: Path) -> None:
    """No endpoint writes yet (the ledger will); the rule is in place: a
    route that declares WRITES refuses without a token file (403) and
    without the right token (401), wherever the server is bound."""
    from starlette.testclient import TestClient
    from yibao.serve import WRITES, Settings, create_app

    def with_write_route(settings: Settings) -> Any:
        guarded = create_app(settings=settings)

        @guarded.app.post("/ledger/entries", dependencies=[WRITES])
        async def record() -> dict[str, str]:
            return {"recorded": "yes"}

        return guarded

    with TestClient(with_write_route(Settings())) as client:
        r = client.post("/ledger/entries")
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        assert client.get("/health").status_code == 200  # reading needs no token on loopback
    token = tmp_path / "token"
    token.write_text("w-token", encoding="utf-8")
    with TestClient(with_write_route(Settings(token_file=str(token)))) as client:
        assert client.post("/ledger/entries").status_code == 401
        assert client.post("/ledger/entries", headers={"authorization": "Bearer nope"}).status_code == 401
        r = client.post("/ledger/entries", headers={"authorization": "Bearer w-token"})
        assert r.status_code == 200 and r.json() == {"recorded": "yes"}


def test_bodies_over_the_limit_get_413(tmp_path: Path) -> None:
    s = Server("--max-body", "1000")
    try:
        facts = json.dumps({"year": 2025, "score": 85, "regions": [{"name": "a", "insured": 3, "payouts": 0}]}).encode()
        at_limit = facts[:-1] + b" " * (1000 - len(facts)) + b"}"
        assert len(at_limit) == 1000
        assert s.request("POST", "/contracts/xinxiang/compute", at_limit)[0] == 200
        over = facts[:-1] + b" " * (1001 - len(facts)) + b"}"
        status, headers, doc = s.request("POST", "/contracts/xinxiang/compute", over)
        assert status == 413 and headers["content-type"] == "application/problem+json" and doc["error"] == "too_large"
        # chunked, no Content-Length: counted as it arrives
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=TIMEOUT)
        try:
            conn.request("POST", "/contracts/xinxiang/compute", body=iter([b"{" + b" " * 600, b" " * 600 + b"}"]), headers={"content-type": "application/json"}, encode_chunked=True)
            assert conn.getresponse().status == 413
        finally:
            conn.close()
    finally:
        s.stop()


def test_roster_contents_are_never_logged(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    s = Server(log=log)
    try:
        example = ROOT / "plugins" / "xinxiang" / "examples" / "2025.toml"
        body = request_body(str(example))
        body["roster_csv"] = body["roster_csv"].replace("\n", "\n", 1) + "ZZ99,张秀兰,市本级,nosuchrole,,,,,,\n"
        status, _, _ = s.request("POST", "/contracts/xinxiang/compute", body)
        assert status in (200, 422)
    finally:
        s.stop()
    text = log.read_text(encoding="utf-8")
    assert "POST /contracts/xinxiang/compute" in text  # the access log is on …
    assert "张秀兰" not in text and "ZZ99" not in text  # … and carries no roster content


def test_compute_does_not_import_the_server() -> None:
    code, modules, _ = imported_by("compute", "xinxiang", "--format", "json")
    assert code == 0 and not modules & {"yibao.serve", "fastapi", "uvicorn", "starlette", "pydantic"}
