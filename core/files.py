"""Files in and out: output written atomically, never onto an input; input
paths checked before they are read.

Every file yibao writes (claims outputs and bad rows, ``schema --write``,
``new-city``, ``ledger export`` and ``ledger facts``) goes through
:func:`atomic_output`: the content is written to a temporary file in the
target's own directory and renamed over the target only when it is
complete, so a reader never sees half a file, and of two concurrent writers
the last rename wins with a whole file. The temporary file (or directory,
:func:`temp_dir`) is removed on every way out — an error, Ctrl-C, and
SIGTERM, which the ``yibao`` command turns into an exit that unwinds like
any other (:func:`exit_on_sigterm`).

Nothing here is imported on the compute path except by the functions that
read a roster path (:func:`regular_file`), which use only ``os`` and ``stat``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

#: the largest input file read whole (facts TOML, a contract TOML, a roster)
MAX_INPUT_BYTES = 16 * 1024 * 1024


def _same(a: str | Path, b: str | Path) -> bool:
    """Are ``a`` and ``b`` the same file (or, when one does not exist yet,
    the same resolved path)?"""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, ValueError, RuntimeError):
            return False


def refuse_onto(target: str | Path, inputs: Sequence[tuple[str, str | Path | None]], option: str) -> None:
    """An InputError when ``target`` is one of ``inputs`` (``(what, path)``
    pairs: ``("the claim log", file)``): output is never written onto an input.
    """
    for what, path in inputs:
        if path is not None and _same(target, path):
            raise InputError.one("command line", option, f"{target} is {what}: choose another file")


@contextmanager
def atomic_output(target: str | Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path in ``target``'s directory; on a normal exit it
    is renamed to ``target`` (unless the block removed it: nothing to
    write), on any other it is removed.

    :raises InputError: the directory does not exist or cannot be written
        (named with ``option``).
    """
    import tempfile  # noqa: PLC0415 - only when a file is written

    target = Path(target)
    directory = target.parent
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name[:64]}.", suffix=".tmp")
    except (OSError, ValueError) as exc:
        raise InputError.one(str(target), option, f"cannot write here: {_reason(exc)}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if not tmp.exists():
            return
        try:
            os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError.one(str(target), option, f"cannot write: {_reason(exc)}") from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


def write_text(target: str | Path, text: str, option: str = "--out", inputs: Sequence[tuple[str, str | Path | None]] = ()) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically, never onto one of ``inputs``."""
    refuse_onto(target, inputs, option)
    with atomic_output(target, option) as tmp:
        try:
            tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError.one(str(target), option, f"cannot write: {_reason(exc)}") from None


@contextmanager
def temp_dir(prefix: str, directory: str | Path | None = None) -> Iterator[Path]:
    """A temporary directory removed on every way out (error, Ctrl-C, SIGTERM)."""
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    path = Path(tempfile.mkdtemp(prefix=prefix, dir=directory))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, ValueError) and "null" in str(exc):
        return "the name holds a NUL byte"
    return type(exc).__name__


def regular_file(
    path: str | Path, file: str | None, key: str, what: str = "file", hint: str = "", max_bytes: int | None = MAX_INPUT_BYTES
) -> Path:
    """``path`` if it names a readable regular file of at most
    :data:`MAX_INPUT_BYTES`; else an InputError at ``file``/``key``
    (a directory, a device, a symlink loop, a NUL byte, a name too long…).

    :param hint: appended to a "not found" message (where else to give it).
    :param max_bytes: None for a file that is streamed, not read whole (a claim log).
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError.one(file, key, f"{what} {str(p)!r} not found{hint}") from None
    except (OSError, ValueError) as exc:
        raise InputError.one(file, key, f"{what} {_short(str(p))!r} cannot be opened: {_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError.one(file, key, f"{what} {_short(str(p))!r} is not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputError.one(file, key, f"{what} {_short(str(p))!r} is larger than {max_bytes // 1024 // 1024} MB")
    return p


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Terminated(SystemExit):
    """SIGTERM, raised where the process was: every ``finally`` runs (temporary
    files removed) and the process exits 143 (128 + 15)."""


#: the signals received (SIGTERM), for code that sees them only as a
#: library's "interrupted" error (DuckDB turns an exception raised by a
#: signal handler into ``RuntimeError: Query interrupted``)
_RECEIVED: list[int] = []


def interruption() -> BaseException:
    """What an "interrupted" error of a library stands for: the
    :class:`Terminated` of a SIGTERM received, else Ctrl-C."""
    return Terminated(128 + _RECEIVED[-1]) if _RECEIVED else KeyboardInterrupt()


def exit_on_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` in the main thread (the
    ``yibao`` command installs it; an embedding host keeps its own)."""
    try:  # the C module: `signal` itself builds its enums, ≈ 0.5 ms of every start-up
        import _signal as signal  # noqa: PLC0415
    except ImportError:  # pragma: no cover - another Python
        import signal  # type: ignore[no-redef]  # noqa: PLC0415

    def handler(signum: int, frame: object) -> None:
        _RECEIVED.append(signum)
        raise Terminated(128 + signum)

    try:
        signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM
        pass
