"""Every shell example of the guides runs as written (issue 17, "docs that
run"): each command, in order, in a temporary directory holding the bundled
examples (``plugins/<city>/examples/``) and the input files a guide treats as
the reader's own (written below); each exits with the code the guide
implies (0, or the ``# exit N`` its comment gives); and what a guide shows a
command print is what it prints (tests/core/guides.py: every line shown, modulo
whitespace, ``…`` any text; JSON as a sub-document).

Which guides, and who runs them:

- here: getting-started.md, claims.md, deadlines.md, http.md, simulate.md;
- plugin-guide.md (its worked example): test_authoring.py;
- excel.md: test_excel_guide.py; ledger.md (its walkthrough): test_ledger.py;
- api.md, hooks.md, index.md, cli.md, cities/*.md: no shell block (Python,
  or generated).

Not run, anywhere: ``pip install …`` (the test environment is the install)
and ``npx @openapitools/openapi-generator-cli …`` (Node and the network).
``yibao serve`` is run: each serve line starts a real server on a free
loopback port (never another address: ``--host 0.0.0.0`` becomes
``127.0.0.1``; ``/etc/yibao/token`` a token file of the test), and the curl
examples are run against them with the port rewritten.

Commands run in-process (click's runner) but ``cp``, ``curl`` and ``yibao
serve``; a command the guide runs on a terminal without ``--format`` gets
``--format table``, as a terminal would. Messages in the default language
(Chinese), as a reader sees them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest

from .guides import DOCS, ROOT, Block, Command, guide_blocks, output_mismatches, parse_commands

RUN_HERE = ("getting-started.md", "claims.md", "deadlines.md", "http.md", "simulate.md")
RUN_ELSEWHERE = {"plugin-guide.md": "test_authoring.py", "excel.md": "test_excel_guide.py", "ledger.md": "test_ledger.py"}
#: commands no test runs: the install, and the OpenAPI client generator (Node, network)
NOT_RUN = ("pip", "npx")
ENV = {"YIBAO_LANG": "zh", "COLUMNS": "160"}


def test_every_guide_with_shell_examples_is_run() -> None:
    with_shell = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md") if any(b.is_shell for b in guide_blocks(str(p.relative_to(DOCS))))}
    assert with_shell == set(RUN_HERE) | set(RUN_ELSEWHERE), "a guide with shell examples needs a test that runs them"


# ------------------------------------------------------------ the inputs
#: 新乡's claim logs (docs/claims.md): columns of 第十七条 and 第十一条/第十二条;
#: every claim settled within its deadline (direct: 30 working days, manual: 20)
CLAIMS_2025 = """claim_id,kind,received_on,settled_on,person_id,amount_eligible
C1,direct,2025-03-03,2025-03-20,P1,150000.00
C2,manual,2025-06-16,2025-07-01,P2,80000.00
C3,direct,2025-09-01,2025-09-15,P1,30000.00
"""
#: the bad rows docs/claims.md shows: rows 2 (no 2月30日) and 3 (a negative
#: amount) and three more (an unknown kind, no claim_id, settled before
#: received) — 5 bad rows; rows 1 and 7 are good
LOG = """claim_id,kind,received_on,settled_on,person_id,amount_eligible
L1,direct,2025-03-03,2025-03-20,P1,150000.00
L2,direct,2025-02-30,2025-03-20,P1,100.00
L3,manual,2025-03-03,2025-03-20,P2,-1.00
L4,postal,2025-03-03,2025-03-20,P2,100.00
,manual,2025-03-03,2025-03-20,P2,100.00
L6,manual,2025-03-03,2025-03-01,P2,100.00
L7,manual,2025-04-01,2025-04-10,P3,500.00
"""
#: received late in 2026: the deadline (30 working days) runs into 2027
LOG_2026 = """claim_id,kind,received_on,settled_on,person_id,amount_eligible
N1,direct,2026-12-21,2027-01-20,P1,1000.00
"""


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    if isinstance(x, Decimal):
        return str(x)
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return x


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reader's directory: the bundled examples where a checkout has
    them, and the files the guides name as the reader's own."""
    for city in (ROOT / "plugins").iterdir():
        if (city / "examples").is_dir():
            shutil.copytree(city / "examples", tmp_path / "plugins" / city.name / "examples")
    (tmp_path / "claims-2025.csv").write_text(CLAIMS_2025, encoding="utf-8")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    (tmp_path / "log-2026.csv").write_text(LOG_2026, encoding="utf-8")
    # a --calendar file for 2027 (docs/deadlines.md): the tests' FICTIONAL tables
    shutil.copy(ROOT / "tests" / "core" / "data" / "fictional_2027_2028.toml", tmp_path / "holidays-2027.toml")
    # docs/http.md's series.json: {"periods": [2025, 2026]} of 淮阳's examples
    periods = [tomllib.loads((ROOT / "plugins" / "huaiyang" / "examples" / f"{y}.toml").read_text(encoding="utf-8"), parse_float=Decimal) for y in (2025, 2026)]
    for p in periods:
        p.pop("#:schema", None)
    (tmp_path / "series.json").write_text(json.dumps({"periods": _jsonable(periods)}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------ running
def _takes_format(argv: list[str]) -> bool:
    """Whether the yibao command of ``argv`` has a ``--format`` option."""
    from yibao.cli import cli

    words = [a for a in argv if not a.startswith("-")]
    ctx = click.Context(cli)
    cmd: Any = cli
    for w in words:
        if not isinstance(cmd, click.Group):
            break
        sub = cmd.get_command(ctx, w)
        if sub is None:
            break
        cmd = sub
    return any(isinstance(p, click.Option) and "--format" in p.opts for p in cmd.params)


class Reader:
    """Runs a guide's commands as a reader would, keeping what each printed."""

    def __init__(self, run: Callable[..., Any], workdir: Path, rewrite: Callable[[str], str] = lambda s: s) -> None:
        self.run, self.dir, self.rewrite = run, workdir, rewrite
        self.env = dict(ENV)
        self.printed: dict[str, tuple[int, str]] = {}

    def command(self, cmd: Command) -> tuple[int, str]:
        code, printed = 0, ""
        for part in cmd.text.split(" && "):
            argv = shlex.split(part)
            if argv[0] in NOT_RUN:
                continue
            code, out = self._one(part, argv)
            printed += out
            if code:
                break
        self.printed[cmd.text] = (code, printed)
        return code, printed

    def _one(self, line: str, argv: list[str]) -> tuple[int, str]:
        if argv[0] == "export":
            k, _, v = argv[1].partition("=")
            self.env[k] = v
            return 0, ""
        if argv[0] != "yibao":  # cp, curl: the real programs
            done = subprocess.run(["bash", "-c", self.rewrite(line)], cwd=self.dir, capture_output=True, text=True, timeout=60, env={**os.environ, **self.env})
            return done.returncode, done.stdout + done.stderr
        target = None
        if ">" in argv:
            k = argv.index(">")
            argv, target = argv[:k], argv[k + 1]
        elif "--format" not in argv and _takes_format(argv[1:]):
            argv = [*argv, "--format", "table"]  # a terminal
        res = self.run(*argv[1:], env=self.env)
        if target is not None:
            (self.dir / target).write_text(res.out, encoding="utf-8")
            return res.code, res.err
        return res.code, res.out + res.err

    def guide(self, blocks: list[Block], skip: Callable[[Command], bool] = lambda c: False) -> None:
        """Every shell block in order, then the blocks marked as a command's
        output; each command's exit code and shown output checked."""
        for b in blocks:
            if b.is_shell:
                printed = ""
                for cmd in b.commands:
                    if skip(cmd) or shlex.split(cmd.text)[0] in NOT_RUN:
                        continue
                    code, out = self.command(cmd)
                    assert code == cmd.exit_code, f"{cmd.text}: exit {code}, the guide implies {cmd.exit_code}\n{out}"
                    if cmd.output:
                        assert output_mismatches(cmd.output, out) == [], f"{cmd.text}\n{out}"
                    date = re.match(r"\d{4}-\d{2}-\d{2}", cmd.comment)
                    if date:  # `# 2026-02-02 (…)`: the last day the guide says
                        assert f"到期：{date.group(0)}" in out, f"{cmd.text}\n{out}"
                    printed += out
                if b.output is not None:
                    assert output_mismatches(b.output, printed) == [], f"block at line {b.line}:\n{printed}"
            elif b.marker and b.marker[0] == "output of":
                cmd = parse_commands(b.marker[1])[0]
                code, out = self.printed.get(cmd.text) or self.command(cmd)
                assert code == cmd.exit_code, f"{cmd.text}: exit {code}, the guide implies {cmd.exit_code}\n{out}"
                assert output_mismatches(b.body, out) == [], f"{cmd.text}\n{out}"


# ------------------------------------------------------------ the guides
def test_getting_started(run: Any, workdir: Path) -> None:
    reader = Reader(run, workdir)
    blocks = guide_blocks("getting-started.md")
    assert [c.text for c in blocks[0].commands] == ["pip install -e . && yibao compute xinxiang"]
    reader.guide(blocks)
    # the formula the guide quotes is the one computed (第二十一条(1)(2))
    text = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    quoted = " ".join(re.search(r"`approved_profit = (.*?)`", text, flags=re.S).group(1).split())  # type: ignore[union-attr]
    result = json.loads((workdir / "result.json").read_text(encoding="utf-8"))
    assert quoted in [i["formula"] for i in result["items"] if i["key"] == "approved_profit"]


def test_claims(run: Any, workdir: Path) -> None:
    pytest.importorskip("duckdb")
    reader = Reader(run, workdir)
    reader.guide(guide_blocks("claims.md"))
    assert (workdir / "claims-2025.parquet").is_file() and (workdir / "out.csv").is_file()
    # all 5 bad rows are in the file next to --out
    assert len((workdir / "out.bad_rows.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 5


def test_deadlines(run: Any, workdir: Path) -> None:
    reader = Reader(run, workdir)
    blocks = guide_blocks("deadlines.md")
    assert sum(len(b.commands) for b in blocks) == 5 and any(b.marker and b.marker[0] == "output of" for b in blocks)
    reader.guide(blocks)


def test_simulate(run: Any, workdir: Path) -> None:
    pytest.importorskip("numpy")
    pytest.importorskip("matplotlib")
    reader = Reader(run, workdir)
    reader.guide(guide_blocks("simulate.md"))
    for png in ("xinxiang.png", "huaiyang.png", "huaian.png"):
        assert (workdir / png).read_bytes().startswith(b"\x89PNG"), png
    # the figures each section's tables and P(loss) line give are what its command printed
    text = (DOCS / "simulate.md").read_text(encoding="utf-8")
    for b in guide_blocks("simulate.md"):
        if not b.is_shell or not b.section.startswith(("Capped", "Rolling", "Fixed")):
            continue
        section = text.split(f"## {b.section}", 1)[1].split("\n## ", 1)[0]
        shown = [line for line in section.splitlines() if line.startswith(("|", "P(loss)"))]
        figures = re.findall(r"−?\d[\d,]*\.\d\d%?", "\n".join(shown))
        printed = reader.printed[b.commands[0].text][1]
        assert figures, b.section
        for f in figures:  # the insurer's P1 is shown as printed VaR99 = −P1: compared without its sign
            assert f.replace(",", "").lstrip("−") in printed, (b.section, f)


# ------------------------------------------------------------ http
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[str], seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"{url}: the server exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise AssertionError(f"{url}: no answer in {seconds} s")


@pytest.fixture
def servers(workdir: Path) -> Iterator[dict[str, Any]]:
    """docs/http.md's ``yibao serve`` lines, each a real server on a free
    loopback port; stopped afterwards (each by its own process group)."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    start = next(b for b in guide_blocks("http.md") if b.section == "Starting it" and b.is_shell)
    lines = [c.text for c in start.commands if c.text.startswith("yibao serve")]
    assert len(lines) == 3 and not any("--port" in c.text and "serve" not in c.text for c in start.commands)
    token = workdir / "token"
    token.write_text("s3cret-for-the-docs-test\n", encoding="utf-8")
    procs: list[subprocess.Popen[str]] = []
    found: dict[str, Any] = {"ports": {}, "token": token}
    try:
        for line in lines:
            argv = shlex.split(line)[2:]
            port = _free_port()
            # the port of the guide's line (8000 when it names none; the token server's own)
            name = "token" if "--token-file" in argv else argv[argv.index("--port") + 1] if "--port" in argv else "8000"
            found["ports"][name] = port
            if "--port" in argv:
                argv[argv.index("--port") + 1] = str(port)
            else:
                argv += ["--port", str(port)]
            if "--host" in argv:  # loopback only, whatever the guide binds
                argv[argv.index("--host") + 1] = "127.0.0.1"
            if "--token-file" in argv:
                argv[argv.index("--token-file") + 1] = str(token)
            procs.append(subprocess.Popen([sys.executable, "-m", "yibao", "serve", *argv], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True))
        for proc, port in zip(procs, found["ports"].values(), strict=True):
            _wait(f"http://127.0.0.1:{port}/health", proc)
        yield found
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)  # the server's own group: uvicorn and its workers
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover
                os.killpg(proc.pid, 9)
                proc.wait()


def test_http(run: Any, workdir: Path, servers: dict[str, Any]) -> None:
    ports, token = servers["ports"], servers["token"]
    assert set(ports) == {"8000", "8080", "token"}
    with_token = ports["token"]

    def rewrite(line: str) -> str:
        line = line.replace("localhost:8000", f"127.0.0.1:{ports['8000']}").replace("localhost:8080", f"127.0.0.1:{ports['8080']}")
        return line.replace("https://yibao.example", f"http://127.0.0.1:{with_token}").replace("/etc/yibao/token", str(token))

    reader = Reader(run, workdir, rewrite)
    blocks = guide_blocks("http.md")
    curls = [c for b in blocks if b.is_shell for c in b.commands if c.text.startswith("curl")]
    assert len(curls) >= 9 and any(c.output for c in curls)
    reader.guide(blocks, skip=lambda c: c.text.startswith("yibao serve"))  # the servers are running
    # every curl printed JSON; the token server answered with the token only
    for c in curls:
        if ">" not in shlex.split(c.text):
            assert json.loads(reader.printed[c.text][1]), c.text
    bearer = next(c for c in curls if "Bearer" in c.text)
    assert "contracts" in json.loads(reader.printed[bearer.text][1])
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{with_token}/contracts", timeout=5)
        raise AssertionError("the server with a token file answered without the token")
    except urllib.error.HTTPError as e:
        assert e.code == 401
    spec = json.loads((workdir / "yibao.openapi.json").read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.1")


# ------------------------------------------------------------ the reader itself
def test_the_reader_of_the_guides_can_fail() -> None:
    from .guides import blocks, missing_lines

    text = "# T\n\n```sh\nyibao a \\\n  --b 'x # y'   # exit 1: why\n# only a comment\nyibao c\n```\n\n```\nout 1\n```\n"
    [sh, out] = blocks(text)
    assert [(c.text, c.exit_code) for c in sh.commands] == [("yibao a --b 'x # y'", 1), ("yibao c", 0)]
    assert sh.output == "out 1\n" and out.lang == ""
    prompted = parse_commands("$ curl -s x \\\n   -d 1\n{\"a\": 1}\n")
    assert [(c.text, c.output) for c in prompted] == [("curl -s x -d 1", '{"a": 1}\n')]
    assert missing_lines("到期：2025-02-21（星期五）\n  a   b … d", "到期：2025-02-21（星期五）\na b c d") == []
    assert missing_lines("到期：2025-02-22（星期六）", "到期：2025-02-21（星期五）") == ["到期：2025-02-22（星期六）"]
    real = '{"a": 1, "b": [1, 2], "c": "e321abc07bc", "d": {"e": 1}}'
    assert output_mismatches('{"a": 1, …, "b": […], "c": "e321…07bc"}', real) == []
    assert output_mismatches('{"a": 2}', real) == ["$.a: 1, the guide shows 2"]
    assert output_mismatches('{"d": {"f": 1}}', real) == ["$.d.f: missing"]
    assert output_mismatches('{"b": [1]}', real) != []
