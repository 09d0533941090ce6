"""``yibao serve``: the API over HTTP (FastAPI on uvicorn), for host systems
not written in Python.

Imported only by the ``serve`` command (and by uvicorn in its workers), so
no other command pays for FastAPI. Every answer is the JSON the CLI prints
(:mod:`yibao.output`); every error is RFC 9457 problem details
(``application/problem+json``) carrying the CLI's problem list.

Safe by default (docs/http.md): binds to 127.0.0.1; with a token file every
request but ``GET /health`` needs ``Authorization: Bearer TOKEN``, and a
token file is required to bind to any other address; an endpoint that
writes (the ledger, once it exists) declares :func:`writes` and always needs
the token; bodies over ``max_body`` bytes (10 MB) get 413 before any handler
runs; contracts are frozen and each request computes on its own values, so
no request changes what another sees; request bodies (rosters included) are
never logged.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, api
from .contract import Contract
from .describe import contract_rows
from .errors import InputError, Problem, closest, join_path
from .output import compute_schema, error_schema, problem_dicts, stamp
from .registry import Registry

log = logging.getLogger("yibao.serve")

#: request bodies larger than this get 413 (bytes)
MAX_BODY = 10 * 1024 * 1024
#: addresses that are this machine only
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: the environment variable that carries the settings to uvicorn's workers
CONFIG_ENV = "YIBAO_SERVE_CONFIG"
#: paths open without the token
OPEN_PATHS = frozenset({"/health"})
PROBLEM = "application/problem+json"
#: how many contracts with --reading choices applied are kept per process
_READINGS_KEPT = 64

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@attrs.frozen(slots=False)
class Settings:
    """What a server process needs; plain data, passed to workers as JSON."""

    token_file: str | None = None
    max_body: int = MAX_BODY
    plugins_dirs: tuple[str, ...] = ()

    def token(self) -> str | None:
        if self.token_file is None:
            return None
        return read_token(self.token_file)


def read_token(path: str | Path) -> str:
    """The bearer token in a file (surrounding whitespace dropped).

    :raises InputError: unreadable or empty.
    """
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError.one(str(path), "", f"cannot read the token file: {exc.strerror}") from None
    if not token or any(c.isspace() for c in token):
        raise InputError.one(str(path), "", "expected one token (no spaces) in the file")
    return token


# ------------------------------------------------------------------ problems
class HTTPProblem(Exception):
    """An answer other than 2xx, as RFC 9457 problem details."""

    def __init__(self, status: int, kind: str, title: str, detail: str, problems: Sequence[Problem] = (), **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.problems, self.extra = tuple(problems), extra

    def response(self, instance: str | None = None) -> Response:
        body: dict[str, Any] = {
            "type": f"urn:yibao:problem:{self.kind}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body["error"] = self.kind
        body["problems"] = problem_dicts(self.problems)
        body.update(self.extra)
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return Response(_dumps(stamp(body)), status_code=self.status, media_type=PROBLEM, headers=headers)


def input_problem(exc: InputError) -> HTTPProblem:
    detail = "; ".join(str(p) for p in exc.problems[:3]) + (f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else "")
    return HTTPProblem(422, "input", "Bad input: nothing was computed", detail, exc.problems)


def _dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")


def _json(doc: Any) -> Response:
    return Response(_dumps(doc), media_type="application/json")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number yibao accepts")


def parse_json(body: bytes) -> Any:
    """A request body as JSON, every non-integer number a Decimal (no float
    ever touches money, rates or scores)."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError.one("request", "", f"expected a JSON document: {exc}") from None


# ------------------------------------------------------------------ the ASGI guard
class Guard:
    """Outermost ASGI layer: the token (before a byte of the body is read),
    then the body limit (413 when the declared or the received size is over
    it; the body is read here, at most ``max_body`` bytes, and replayed)."""

    def __init__(self, app: Any, token: str | None, max_body: int) -> None:
        self.app, self.token, self.max_body = app, token, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token is not None and scope["path"] not in OPEN_PATHS and not self._authorized(scope):
            await _send(send, HTTPProblem(401, "unauthorized", "A bearer token is required", "send Authorization: Bearer TOKEN (the token of --token-file)").response(scope["path"]))
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _send(send, _too_large(self.max_body, scope["path"]))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _send(send, _too_large(self.max_body, scope["path"]))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _authorized(self, scope: Scope) -> bool:
        return _bearer_ok(dict(scope["headers"]).get(b"authorization", b"").decode("latin-1"), self.token)


def _bearer_ok(header: str, token: str | None) -> bool:
    scheme, _, given = header.partition(" ")
    return token is not None and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _too_large(limit: int, path: str) -> Response:
    return HTTPProblem(413, "too_large", "Request body too large", f"the body is over {limit} bytes (yibao serve --max-body)").response(path)


async def _send(send: Send, response: Response) -> None:
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": bytes(response.body)})


# ------------------------------------------------------------------ the service
class Service:
    """The registry and the loaded contracts of one server process. Contracts
    are frozen values: a request's --reading choices give it a new contract,
    never change a shared one."""

    def __init__(self, reg: Registry) -> None:
        self.reg = reg
        self._contracts: dict[str, Contract] = {}
        self._with_readings: dict[tuple[str, tuple[tuple[str, str], ...]], Contract] = {}

    def spec_or_404(self, city: str) -> None:
        if self.reg.spec(city) is not None:
            return
        failed = [f for f in self.reg.failures if f.name == city]
        if failed:
            raise HTTPProblem(500, "plugin", "A plugin failed", f"plugin {failed[0].name!r} failed to load: {failed[0].cause}", plugin=failed[0].name)
        names = self.reg.names()
        hint = closest(city, names)
        msg = f"no contract {city!r}" + (f"; did you mean {hint!r}?" if hint else f"; known: {', '.join(names) or 'none'}")
        raise HTTPProblem(404, "not_found", "No such contract", msg, [Problem(None, "city", msg)], closest=hint)

    def contract(self, city: str, readings: Sequence[str] = ()) -> Contract:
        self.spec_or_404(city)
        c = self._contracts.get(city)
        if c is None:
            c = self._contracts[city] = api.load_contract(city, reg=self.reg)
        if not readings:
            return c
        choices: dict[str, str] = {}
        for r in readings:
            if "=" not in r:
                raise InputError.one("request", "query.reading", f"expected ID=CHOICE, got {r!r}")
            k, v = r.split("=", 1)
            choices[k.strip()] = v.strip()
        key = (city, tuple(sorted(choices.items())))
        found = self._with_readings.get(key)
        if found is None:
            try:
                found = c.with_choices(choices)
            except InputError as exc:
                raise InputError([attrs.evolve(p, file="request", path="query.reading") for p in exc.problems]) from None
            if len(self._with_readings) >= _READINGS_KEPT:
                self._with_readings.pop(next(iter(self._with_readings)))
            self._with_readings[key] = found
        return found

    def owner(self, city: str) -> str:
        spec = self.reg.spec(city)
        return self.reg.plugin_name(self.reg.owners[spec.name]) if spec is not None else city

    def failing_plugin(self, city: str, exc: BaseException) -> HTTPProblem:
        """500 naming the plugin whose code raised (the innermost frame in a
        registered plugin's module), else the contract's own plugin."""
        from .errors import PluginFailure  # noqa: PLC0415 - only on the error path

        if isinstance(exc, PluginFailure) and exc.__cause__ is not None:  # named by the registry already
            named: str | None = exc.plugin
            exc = exc.__cause__
        else:
            named = None
        modules = {}
        for name, plugin in self.reg.pm.list_name_plugin():
            if plugin is not None:
                modules[getattr(plugin, "__name__", type(plugin).__module__)] = name
        found = None
        tb = exc.__traceback__
        while tb is not None:
            found = modules.get(tb.tb_frame.f_globals.get("__name__", ""), found)
            tb = tb.tb_next
        plugin = named or found or self.owner(city)
        log.error("plugin %r failed computing %r: %s", plugin, city, type(exc).__name__)
        if os.environ.get("YIBAO_DEBUG") == "1":
            log.exception("traceback (YIBAO_DEBUG=1)")
        return HTTPProblem(500, "plugin", "A plugin failed", f"plugin {plugin!r} failed on contract {city!r}: {type(exc).__name__}", plugin=plugin)


def _facts_forms(data: Any) -> list[tuple[str, Any, Any, str]]:
    """The periods of a compute body, each (facts path, facts, roster_csv,
    roster path): the facts themselves; ``{"facts": …, "roster_csv": …}``;
    or ``{"periods": [facts or {"facts", "roster_csv"}, …]}``."""
    if not isinstance(data, dict):
        raise InputError.one("request", "", "expected a JSON object: the facts, {\"facts\": …, \"roster_csv\": …} or {\"periods\": […]}")
    if "periods" in data:
        extra = sorted(set(data) - {"periods"})
        if extra:
            raise InputError.one("request", extra[0], "unknown key beside 'periods'")
        periods = data["periods"]
        if not isinstance(periods, list) or not periods:
            raise InputError.one("request", "periods", "expected a non-empty list of facts")
        out = []
        for i, p in enumerate(periods):
            prefix = f"periods[{i}]"
            out.append(_wrapped(p, prefix) if isinstance(p, dict) and "facts" in p else (prefix, p, None, ""))
        return out
    if "facts" in data:
        return [_wrapped(data, "")]
    return [("", data, None, "")]


def _wrapped(d: dict[str, Any], prefix: str) -> tuple[str, Any, Any, str]:
    extra = sorted(set(d) - {"facts", "roster_csv"})
    if extra:
        hint = closest(extra[0], ["facts", "roster_csv"])
        raise InputError.one("request", join_path(prefix, extra[0]), "unknown key" + (f"; did you mean {hint!r}?" if hint else ""))
    roster = d.get("roster_csv")
    if roster is not None and not isinstance(roster, str):
        raise InputError.one("request", join_path(prefix, "roster_csv"), "expected the roster's CSV as a string")
    return (join_path(prefix, "facts"), d["facts"], roster, join_path(prefix, "roster_csv"))


def _prefixed(exc: InputError, prefix: str) -> list[Problem]:
    """Problems of one part of a body, named ``request`` with their full key path."""
    return [Problem("request", join_path(prefix, p.path) if prefix and p.path else (prefix or p.path), p.message) for p in exc.problems]


def load_periods(c: Contract, data: Any) -> tuple[list[Any], list[Any]]:
    """Structured facts and rosters of every period of a body; every problem
    of every period at once, each with its key path in the body."""
    facts_list: list[Any] = []
    rosters: list[Any] = []
    problems: list[Problem] = []
    for prefix, facts, roster_csv, roster_prefix in _facts_forms(data):
        if not isinstance(facts, Mapping):
            problems.append(Problem("request", prefix, "expected the facts as a JSON object"))
            continue
        if facts.get("roster"):
            problems.append(Problem("request", join_path(prefix, "roster"), "the service reads no file: send the roster's CSV text as roster_csv"))
            continue
        try:
            facts_list.append(api.load_facts(c, facts, "request"))
        except InputError as exc:
            problems += _prefixed(exc, prefix)
            continue
        try:
            rosters.append(api.load_roster_text(roster_csv, c, "request") if roster_csv is not None else None)
        except InputError as exc:
            problems += _prefixed(exc, roster_prefix)
    if problems:
        raise InputError(problems)
    return facts_list, rosters


def create_app(reg: Registry | None = None, settings: Settings | None = None) -> Any:
    """The ASGI application: FastAPI routes wrapped in :class:`Guard`."""
    settings = settings or Settings()
    service = Service(reg or api.registry())
    app = FastAPI(
        title="yibao",
        version=__version__,
        summary="Compute and check medical-insurance outsourcing contracts, clause by clause.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = service
    app.state.token = settings.token()

    @app.exception_handler(HTTPProblem)
    async def _problem(request: Request, exc: HTTPProblem) -> Response:
        return exc.response(request.url.path)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return input_problem(exc).response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [Problem("request", ".".join(str(x) for x in e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
        return HTTPProblem(422, "input", "Bad input: nothing was computed", "; ".join(str(p) for p in problems), problems).response(request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        return HTTPProblem(exc.status_code, kind, str(exc.detail), f"{request.method} {request.url.path}: {exc.detail}").response(request.url.path)

    def compute_or_500(city: str, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except (InputError, HTTPProblem):
            raise
        except Exception as exc:  # a failing plugin: 500 naming it, no traceback in the body
            raise service.failing_plugin(city, exc) from None

    @app.get("/health", summary="Liveness: status and versions.")
    async def health() -> Response:
        return _json(stamp({"status": "ok", "contracts": len(service.reg.names())}))

    @app.get("/contracts", summary="The contracts (yibao list).")
    async def contracts() -> Response:
        rows = contract_rows(api.list_contracts(service.reg), service.contract, service.owner)
        return _json(stamp({"contracts": rows}))

    @app.get("/contracts/{city}", summary="A contract's terms, parameters and interpretations (yibao show).")
    async def show(city: str) -> Response:
        return _json(stamp(api.describe_contract(service.contract(city))))

    @app.get("/contracts/{city}/schema/facts", summary="The JSON Schema of the city's facts (yibao schema CITY --facts).")
    async def facts_schema(city: str) -> Response:
        service.spec_or_404(city)
        return _json(api.facts_schema(city, service.reg))

    @app.post("/contracts/{city}/compute", summary="Compute one period or a series (yibao compute).")
    async def compute(city: str, request: Request) -> Response:
        c = service.contract(city, request.query_params.getlist("reading"))
        data = parse_json(await request.body())
        facts_list, rosters = load_periods(c, data)

        def run() -> Any:
            if len(facts_list) == 1:
                return [api.compute(c, facts_list[0], rosters[0], "request")]
            return api.compute_series(c, facts_list, rosters, None)

        results = compute_or_500(city, run)
        return _json(api.envelope(c, results, ["request"] * len(results)))

    @app.post("/contracts/{city}/validate", summary="Check a contract's stated arithmetic, and facts if sent (yibao validate).")
    async def validate(city: str, request: Request) -> Response:
        c = service.contract(city)
        body = await request.body()
        facts = None
        if body.strip():
            facts_list, _ = load_periods(c, parse_json(body))
            facts = facts_list[0]
        result = compute_or_500(city, lambda: api.validate(c, facts))
        return _json(stamp(result.to_dict()))

    @app.get("/contracts/{city}/deadlines/{key}", summary="The last day of a contract deadline (yibao deadline).")
    async def deadline(city: str, key: str, request: Request) -> Response:
        c = service.contract(city)
        given = request.query_params.get("from")
        if not given:
            raise InputError.one("request", "query.from", "required: the day of the event, YYYY-MM-DD")
        try:
            start = dt.date.fromisoformat(given)
        except ValueError:
            raise InputError.one("request", "query.from", f"expected a date such as 2025-09-26, got {given!r}") from None
        return _json(stamp(api.deadline(c, key, start)))

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app, service.reg)
        return app.openapi_schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return Guard(app, app.state.token, settings.max_body)


def writes(request: Request) -> None:
    """Dependency of every endpoint that writes (the ledger, once it exists):
    it always needs the bearer token, wherever the server is bound; without
    a token file the endpoint is refused (403)."""
    token = getattr(request.app.state, "token", None)
    if token is None:
        raise HTTPProblem(403, "forbidden", "This endpoint writes", "start yibao serve with --token-file to use endpoints that write")
    if not _bearer_ok(request.headers.get("authorization", ""), token):
        raise HTTPProblem(401, "unauthorized", "A bearer token is required", "send Authorization: Bearer TOKEN")


#: for write endpoints: ``@app.post(..., dependencies=[WRITES])``
WRITES = Depends(writes)


# ------------------------------------------------------------------ OpenAPI
def _hoist(schema: dict[str, Any], prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema with ``$defs`` as OpenAPI components named
    ``PREFIX.Name``, every ``#/$defs/X`` reference rewritten to point there."""

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items() if k not in ("$defs", "$schema")}
            ref = out.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                out["$ref"] = f"#/components/schemas/{prefix}.{ref.removeprefix('#/$defs/')}"
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    for name, sub in schema.get("$defs", {}).items():
        into[f"{prefix}.{name}"] = rewrite(sub)
    return rewrite(schema)


def openapi_document(app: Any, reg: Registry) -> dict[str, Any]:
    """FastAPI's document, with each city's facts schema, the compute
    envelope and the problem document as components, referenced from the
    operations."""
    doc: dict[str, Any] = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    cities = sorted(reg.contracts)
    for city in cities:
        schemas[f"{city}.Facts"] = _hoist(api.facts_schema(city, reg), city, schemas)
    schemas["ComputeResult"] = _hoist(compute_schema(), "yibao", schemas)
    err = _hoist(error_schema(), "yibao", schemas)
    err["properties"].update(
        {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "error": {"type": "string", "description": "input, not_found, plugin, unauthorized, forbidden, too_large, …"},
            "plugin": {"type": "string", "description": "The failing plugin (500)."},
            "closest": {"type": ["string", "null"], "description": "The closest contract name (404)."},
        }
    )
    err["required"] = ["type", "title", "status", "detail", *err["required"]]
    err["properties"]["problems"].pop("minItems", None)
    err["title"] = "RFC 9457 problem details"
    schemas["Problem"] = err
    facts_refs = [{"$ref": f"#/components/schemas/{c}.Facts"} for c in cities]
    any_facts = {"oneOf": facts_refs, "description": "The facts of the city named in the path: the schema `{city}.Facts`."}
    schemas["FactsWithRoster"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["facts"],
        "properties": {"facts": any_facts, "roster_csv": {"type": "string", "description": "The staff roster as CSV text."}},
    }
    schemas["Series"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["periods"],
        "properties": {"periods": {"type": "array", "minItems": 1, "items": {"anyOf": [*facts_refs, {"$ref": "#/components/schemas/FactsWithRoster"}]}}},
    }
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    errors = {
        "401": {"description": "Token missing or wrong (when the server has a token file).", "content": problem},
        "404": {"description": "No such contract; `closest` names the nearest.", "content": problem},
        "413": {"description": "Body over the limit (10 MB by default).", "content": problem},
        "422": {"description": "Bad input: every problem with its key path.", "content": problem},
        "500": {"description": "A plugin failed; `plugin` names it.", "content": problem},
    }
    reading = {
        "name": "reading",
        "in": "query",
        "required": False,
        "description": "Switch an interpretation: ID=CHOICE (repeatable; see GET /contracts/{city}).",
        "schema": {"type": "array", "items": {"type": "string", "pattern": "^[^=]+=.+$"}},
        "style": "form",
        "explode": True,
    }
    paths = doc["paths"]
    for path, ops in paths.items():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            for code, r in errors.items():
                if code != "401" or path not in OPEN_PATHS:
                    responses.setdefault(code, r)
    comp = paths["/contracts/{city}/compute"]["post"]
    comp["parameters"] = [*comp.get("parameters", []), reading]
    comp["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [*facts_refs, {"$ref": "#/components/schemas/FactsWithRoster"}, {"$ref": "#/components/schemas/Series"}]
                }
            }
        },
    }
    comp["responses"]["200"] = {
        "description": "The compute document, exactly the JSON of `yibao compute --format json`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ComputeResult"}}},
    }
    paths["/contracts/{city}/validate"]["post"]["requestBody"] = {
        "required": False,
        "content": {"application/json": {"schema": {"oneOf": [*facts_refs, {"$ref": "#/components/schemas/FactsWithRoster"}]}}},
    }
    dl = paths["/contracts/{city}/deadlines/{key}"]["get"]
    dl["parameters"] = [
        *dl.get("parameters", []),
        {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}, "description": "The day of the event (not counted)."},
    ]
    for city in cities:
        paths["/contracts/{city}/schema/facts"]["get"].setdefault("x-yibao-facts-schemas", {})[city] = f"#/components/schemas/{city}.Facts"
    doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    doc["security"] = [{}, {"bearer": []}]
    return doc


# ------------------------------------------------------------------ running
def app_from_env() -> Any:
    """uvicorn's factory in each worker: the settings from :data:`CONFIG_ENV`."""
    raw = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    settings = Settings(raw.get("token_file"), int(raw.get("max_body", MAX_BODY)), tuple(raw.get("plugins_dirs", ())))
    reg = api.registry(plugins_dirs=settings.plugins_dirs) if settings.plugins_dirs else api.registry()
    return create_app(reg, settings)


def check_bind(host: str, token_file: str | None) -> None:
    """A token file is required to bind anywhere but this machine."""
    if host not in LOOPBACK and token_file is None:
        raise InputError.one("command line", "--host", f"binding to {host} exposes the service beyond this machine: give --token-file")


def run(host: str, port: int, settings: Settings, workers: int = 1, access_log: bool = True) -> None:
    """Start uvicorn (blocks until stopped)."""
    import uvicorn  # noqa: PLC0415 - only when serving

    check_bind(host, settings.token_file)
    settings.token()  # unreadable or empty: exit 2 before binding
    os.environ[CONFIG_ENV] = json.dumps(attrs.asdict(settings))
    print(f"yibao {__version__} serving on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''})", file=sys.stderr)
    uvicorn.run(
        "yibao.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        server_header=False,
    )
