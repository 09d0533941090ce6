"""A cache of loaded contracts: an unchanged contract is not re-read.

Loading a contract structures its TOML into attrs classes and checks every
name a step reads — cattrs generates its structuring code for each class on
first use, which is most of a short command's own time. The result of a
successful load (the structured document and the bound steps) is kept in a
file and reused while nothing it was made from has changed.

Where: ``$YIBAO_CACHE_DIR`` if set, else the user cache directory —
``$XDG_CACHE_HOME/yibao`` (default ``~/.cache/yibao``) on Linux and BSD,
``~/Library/Caches/yibao`` on macOS, ``%LOCALAPPDATA%\\yibao\\Cache`` on
Windows. One small file per contract version, ``contract-<key>.pickle``,
and a few small remembered answers, ``answer-<key>.pickle`` (whether any
installed distribution declares yibao plugins, under the modification
times of the ``sys.path`` folders); deleting the directory is always safe.

Opt out: ``YIBAO_NO_CACHE=1`` (nothing is read or written).

The key is a sha256 over everything the loaded contract depends on: the
contract file's bytes, the facts class (module and name), the yibao and
Python versions, the models the registry offers (by module and name), and
the size and modification time of the source file of every yibao module
imported when the key is computed (the loader, the input pipeline, periods,
results …), of each model's module, of the facts class's module and of the
modules that check ``[calendar]`` and ``[claims]`` — so an edit to any code
a loaded contract depends on, in an editable install, changes the key and
stale data is never served. A file that cannot be read back (truncated,
from another version) is ignored and rewritten. Files are written
atomically (a temporary file renamed into place), so two processes never
see half a file. The cache holds only what the user's own contract files
and installed code produce, in the user's own directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from . import __version__

FORMAT = 1

try:  # the C pickler itself: the pure-Python pickle module costs ≈ 5M instructions to import
    from _pickle import dumps, load
except ImportError:  # pragma: no cover - an interpreter without the C accelerator
    from pickle import dumps, load

#: pickle protocol 5 (Python 3.8+): every supported interpreter reads it
PROTOCOL = 5

try:  # the interpreter's built-in SHA-256: hashlib would load OpenSSL (≈ 3 ms) for one digest
    from _sha2 import sha256  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - Python 3.11 names it _sha256; others have hashlib only
    try:
        from _sha256 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment, unused-ignore]


def cache_dir() -> Path | None:
    """The cache directory, or ``None`` when caching is off."""
    if os.environ.get("YIBAO_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("YIBAO_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "yibao" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "yibao"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yibao"


def _file_stat(path: str | None, out: list[str]) -> None:
    if not path:
        return
    try:
        st = os.stat(path)
    except OSError:
        return
    out.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")


#: the core modules a loaded contract depends on: the loader, the input
#: pipeline and the values it builds, the registry that offers the models,
#: and the checks of ``[calendar]`` and ``[claims]`` run at load time
LOAD_MODULES = (
    "yibao",
    "yibao.cache",
    "yibao.calendar",
    "yibao.claims",
    "yibao.claims.spec",
    "yibao.contract",
    "yibao.dates",
    "yibao.errors",
    "yibao.hookspecs",
    "yibao.inputs",
    "yibao.models",
    "yibao.models.base",
    "yibao.money",
    "yibao.operands",
    "yibao.periods",
    "yibao.registry",
    "yibao.results",
    "yibao.spec",
    "yibao.stages",
    "yibao.values",
)


def _source_files(facts_class: type, models: dict[str, Any]) -> set[str]:
    """The source files a loaded contract depends on — the same set whatever
    has been imported so far, so that a second load in one process is served
    from the cache too: :data:`LOAD_MODULES`, every standard model's module
    and its family package (imported or not), the facts class's module and
    the modules of models registered as classes."""
    root = os.path.dirname(getattr(sys.modules.get("yibao"), "__file__", "") or "")
    names = set(LOAD_MODULES)
    for m in models.values():
        ref = getattr(m, "module", None)
        if ref and ref.startswith("yibao."):
            parts = ref.split(".")
            names.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
    # a name that prefixes another is a package (its __init__.py), the rest modules
    packages = {n.rpartition(".")[0] for n in names} | {"yibao"}
    files: set[str] = set()
    if root:
        for name in names:
            stem = os.path.join(root, *name.split(".")[1:])
            files.add(os.path.join(stem, "__init__.py") if name in packages else stem + ".py")
    for name in {facts_class.__module__, *(m.__module__ for m in models.values() if isinstance(m, type))}:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file:
            files.add(file)
    return files


def digest(*parts: str) -> str:
    """A cache key made of strings (for small answers worth remembering)."""
    h = sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogateescape") + b"\0")
    return "answer-" + h.hexdigest()


def key(contract_bytes: bytes, facts_class: type, models: dict[str, Any]) -> str:
    """The cache key of a contract load (see the module docstring):
    ``contract-<sha256>``, the name of its file in the cache directory."""
    parts = [
        f"format {FORMAT}",
        f"yibao {__version__}",
        sys.version,
        f"{facts_class.__module__}.{facts_class.__qualname__}",
    ]
    parts += sorted(
        f"{n}={getattr(m, 'module', None) or f'{m.__module__}.{m.__qualname__}'}" for n, m in models.items()
    )
    stats: list[str] = []
    for file in sorted(_source_files(facts_class, models)):
        _file_stat(file, stats)
    h = sha256()
    for p in [*parts, *sorted(set(stats))]:
        h.update(p.encode("utf-8", "surrogateescape") + b"\0")
    h.update(contract_bytes)
    return "contract-" + h.hexdigest()


def get(k: str) -> Any | None:
    """The cached value of key ``k``, or ``None`` (absent, off, unreadable)."""
    d = cache_dir()
    if d is None:
        return None
    try:
        with open(d / f"{k}.pickle", "rb") as fh:
            return load(fh)
    except Exception:  # absent, truncated or from other code: rebuilt by the caller
        return None


def put(k: str, value: Any) -> None:
    """Keep ``value`` under key ``k``; a value that cannot be pickled (a
    class defined inside a function) or a directory that cannot be written
    is silently not cached. Written to a file of this process's own, then
    renamed into place (atomic; no ``tempfile``, which would import shutil
    and random on the way)."""
    d = cache_dir()
    if d is None:
        return
    try:
        data = dumps(value, protocol=PROTOCOL)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".tmp-{os.getpid()}-{id(data)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, d / f"{k}.pickle")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if len(os.listdir(d)) > KEEP:
            _prune(d)
    except Exception:
        return


#: files kept in the cache directory; older ones go when a new one is written
KEEP = 64


def _prune(d: Path) -> None:
    """Keep the ``KEEP`` most recently written files (every code change in an
    editable install writes a new one)."""
    files = sorted(d.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
