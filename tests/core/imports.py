"""What a ``yibao`` command imports: run in a fresh interpreter through the
console script's own entry point (:func:`yibao.cli.main`), the module names
reported by an ``atexit`` function — ``main`` ends a short command without
the interpreter's teardown, but after the ``atexit`` functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = (
    "import atexit, json, sys\n"
    "from yibao.cli import main\n"
    "sys.argv = ['yibao', *sys.argv[1:]]\n"
    "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
    "main()\n"
)


def imported_by(*args: str, **env: str) -> tuple[int, set[str], str]:
    """Run ``yibao ARGS``; its exit code, every module it imported, and its
    stdout. Plugins from entry points are not loaded (``YIBAO_LOAD_PLUGINS``
    empty) unless ``env`` says otherwise."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "YIBAO_LOAD_PLUGINS": "", **env},
        timeout=120,
    )
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    return done.returncode, set(modules), done.stdout
