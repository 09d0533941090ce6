"""``yibao serve``: the API over HTTP, with an OpenAPI description.

FastAPI and uvicorn are imported here, in the command's body, so no other
command pays for them.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ._common import registry, warn_failures


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind. Any address but this machine's needs --token-file.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), help="A file holding the bearer token every request (but GET /health) must send.")
@click.option("--max-body", default=10 * 1024 * 1024, show_default=True, type=click.IntRange(1), help="Largest request body in bytes; larger ones get 413.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="uvicorn worker processes.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log one line per request (method, path, status; never a body).")
@click.pass_context
def cmd(ctx: click.Context, host: str, port: int, token_file: Path | None, max_body: int, workers: int, access_log: bool) -> None:
    """Serve the API over HTTP: compute, validate, contracts, deadlines, OpenAPI.

    Endpoints: GET /health, GET /contracts, GET /contracts/CITY,
    GET /contracts/CITY/schema/facts, POST /contracts/CITY/compute,
    POST /contracts/CITY/validate, GET /contracts/CITY/deadlines/KEY?from=DATE,
    GET /openapi.json (see docs/http.md).

    \b
    Examples:
      yibao serve                                  # http://127.0.0.1:8000
      yibao serve --port 8080 --workers 2
      yibao serve --host 0.0.0.0 --token-file /etc/yibao/token
      curl -s -X POST localhost:8000/contracts/xinxiang/compute -H 'content-type: application/json' \\
           -d '{"year": 2025, "score": 90, "regions": [{"name": "市本级", "insured": 3, "payouts": 0}]}'
    """
    try:
        from .. import serve  # noqa: PLC0415 - FastAPI and uvicorn only for this command
    except ImportError as exc:
        raise InputError.one("command line", "serve", f"needs FastAPI and uvicorn ({exc.name} is missing): pip install 'yibao[serve]'") from None
    root = ctx.find_root()
    dirs = tuple(str(d) for d in root.params.get("plugins_dirs") or ())
    warn_failures(registry(ctx))  # plugins that fail to load are named now, before binding
    settings = serve.Settings(str(token_file) if token_file else None, max_body, dirs)
    serve.run(host, port, settings, workers=workers, access_log=access_log)
