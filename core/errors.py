"""The one exception hierarchy of yibao, each error carrying its key path.

``YibaoError`` is the root. ``InputError`` means bad input (a TOML, facts or
roster file, or arguments): nothing was computed, the CLI exits 2 and prints
one line per problem — file, key path, what was expected, and for a typo the
closest valid key. ``PluginError`` means a plugin could not be loaded or
failed while computing (:class:`PluginFailure`): the CLI exits 3 with one
line naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from .values import Value


@attrs.frozen(eq=False, repr=False, slots=False)
class Problem(Value):
    """One thing wrong with one input, at one key path."""

    file: str | None
    path: str
    message: str
    #: where in a workbook (``地区!C3``) for facts and rosters read from .xlsx
    cell: str | None = None

    def __str__(self) -> str:
        key = self.path or "(top level)"
        if self.cell:
            key = f"{self.cell} ({key})" if self.path else self.cell
        return f"{self.file}: {key}: {self.message}" if self.file else f"{key}: {self.message}"


class YibaoError(Exception):
    """Root of every error yibao raises on purpose."""


class InputError(YibaoError):
    """Bad input: a list of problems, each with file and key path."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file: str | None, path: str, message: str) -> InputError:
        return cls([Problem(file, path, message)])


class PluginError(YibaoError):
    """A plugin failed to load or registered something invalid; the CLI
    exits 3 with one line naming it."""


class PluginFailure(PluginError):
    """A plugin's hook raised during a computation: that computation has no
    result (a contract computed without one of its hooks is not a result)."""

    def __init__(self, plugin: str, hook: str, cause: BaseException) -> None:
        self.plugin = plugin
        self.hook = hook
        text = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
        #: the cause as Python wrote it: its type and the first line of its text
        self.cause = f"{type(cause).__name__}{': ' + text if text else ''}"
        super().__init__(f"plugin {plugin!r} failed in {hook}: {self.cause}")


class FieldError(ValueError):
    """Raised by attrs validators so the error names the field, not its class
    (cattrs reports a validator's failure at the class otherwise)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest valid key to a misspelled one, or None."""
    import difflib  # noqa: PLC0415 - only on the error path

    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def join_path(path: str, key: str | int) -> str:
    """``regions[0]`` + ``insured`` -> ``regions[0].insured``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
