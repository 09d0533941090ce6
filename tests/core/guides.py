"""The examples of the guides under docs/, read as the tests that run them
read them (tests/core/test_guides.py, the plugin guide's worked example in
test_authoring.py, docs/excel.md in test_excel_guide.py).

A guide's fenced blocks, in order. A shell block (```sh, ```bash,
```console) holds commands: each line, a line ending in ``\\`` joined with
the next, a trailing ``# comment`` set apart (``# exit 1`` in it is the exit
code the guide implies; default 0). In a block whose lines start with
``$ ``, only those are commands and the lines after each are its output.
What a command prints is shown by

- an unlabelled (or ``text``) block right after the shell block, with only
  blank lines between: the output of the block's commands, together;
- a block after ``<!-- output of: COMMAND -->``: the output of that command
  (which the test runs);

and a block after ``<!-- file: PATH -->`` (or ``<!-- steps of: PATH -->``)
is that file (the ``[[steps]]`` of it).

How shown output is compared: every line shown appears as a line of what
the command printed, modulo whitespace, ``…`` standing for any text; shown
JSON (with ``…`` for any member, element or part of a string) is a
sub-document of the real one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SHELLS = ("sh", "bash", "console", "shell")
_FENCE = re.compile(r"^```\s*([\w-]*)\s*$")
_MARKER = re.compile(r"^<!--\s*(file|steps of|output of):\s*(.+?)\s*-->\s*$")
_EXIT = re.compile(r"\bexit (\d+)\b")


@dataclass(frozen=True)
class Command:
    """One command line of a guide."""

    text: str
    comment: str = ""
    line: int = 0
    output: str = ""  # shown after a ``$ `` prompt line

    @property
    def exit_code(self) -> int:
        """The exit code the guide implies: ``# exit N`` in its comment, else 0."""
        m = _EXIT.search(self.comment)
        return int(m.group(1)) if m else 0


@dataclass(frozen=True)
class Block:
    """A fenced block: its language, body, first line, the heading it is
    under, the marker comment before it, and (a shell block) its commands
    and the output block that follows it."""

    lang: str
    body: str
    line: int
    section: str
    marker: tuple[str, str] | None = None
    commands: tuple[Command, ...] = ()
    output: str | None = None

    @property
    def is_shell(self) -> bool:
        return self.lang in SHELLS


def blocks(text: str) -> list[Block]:
    """Every fenced block of a guide's text, in order."""
    lines = text.splitlines()
    out: list[Block] = []
    section, i = "", 0
    last_end = -10
    while i < len(lines):
        line = lines[i]
        if line.startswith("#") and not line.startswith("#!"):
            section = line.lstrip("#").strip()
        m = _FENCE.match(line)
        if not m:
            i += 1
            continue
        start = i
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        body = "\n".join(lines[start + 1 : j]) + "\n"
        prev = lines[start - 1] if start else ""
        mk = _MARKER.match(prev)
        lang = m.group(1)
        block = Block(lang, body, start + 1, section, (mk.group(1), mk.group(2)) if mk else None)
        if lang in SHELLS:
            block = Block(lang, body, start + 1, section, block.marker, tuple(parse_commands(body, start + 2)))
        elif lang in ("", "text") and out and out[-1].is_shell and out[-1].output is None and mk is None:
            between = lines[last_end + 1 : start]
            if all(not x.strip() for x in between):
                prev_block = out[-1]
                out[-1] = Block(prev_block.lang, prev_block.body, prev_block.line, prev_block.section, prev_block.marker, prev_block.commands, body)
        out.append(block)
        last_end = j
        i = j + 1
    return out


def guide_blocks(name: str) -> list[Block]:
    """The blocks of ``docs/NAME``."""
    return blocks((DOCS / name).read_text(encoding="utf-8"))


def split_comment(line: str) -> tuple[str, str]:
    """A shell line without its trailing comment, and the comment (a ``#``
    at the start or after a blank, outside quotes)."""
    quote = ""
    for k, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or line[k - 1].isspace()):
            return line[:k].rstrip(), line[k + 1 :].strip()
    return line.rstrip(), ""


def parse_commands(body: str, first_line: int = 0) -> list[Command]:
    """The commands of a shell block's body (see the module's docstring)."""
    raw = body.splitlines()
    prompted = any(x.startswith("$ ") for x in raw)
    out: list[Command] = []
    k = 0
    while k < len(raw):
        line = raw[k]
        if prompted and not line.startswith("$ "):
            if out:  # output of the command before
                c = out[-1]
                out[-1] = Command(c.text, c.comment, c.line, c.output + line + "\n")
            k += 1
            continue
        start = k
        text, comment = split_comment(line[2:] if prompted else line)
        parts = []
        while text.endswith("\\") and k + 1 < len(raw):
            parts.append(text[:-1].strip())
            k += 1
            text, more = split_comment(raw[k])
            comment = " ".join(x for x in (comment, more) if x)
        parts.append(text.strip())
        joined = " ".join(p for p in parts if p)
        if joined:
            out.append(Command(joined, comment, first_line + start))
        k += 1
    return out


def commands(text: str, langs: tuple[str, ...] = ("sh",)) -> list[Command]:
    """Every command of a guide's shell blocks of the given languages."""
    return [c for b in blocks(text) if b.lang in langs for c in b.commands]


def files(text: str) -> list[tuple[str, str, str]]:
    """The blocks that are files: ``(marker, path, text)``, marker being
    ``file`` or ``steps of``."""
    return [(b.marker[0], b.marker[1], b.body) for b in blocks(text) if b.marker and b.marker[0] in ("file", "steps of")]


# --------------------------------------------------------------- comparing
def _norm(s: str) -> str:
    return " ".join(s.split())


def missing_lines(shown: str, printed: str) -> list[str]:
    """The lines of ``shown`` that are no line of ``printed`` (modulo
    whitespace; ``…`` is any text)."""
    have = [_norm(x) for x in printed.splitlines()]
    missing = []
    for line in shown.splitlines():
        if not line.strip():
            continue
        pattern = re.compile(".*".join(re.escape(p) for p in _norm(line).split("…")))
        if not any(pattern.fullmatch(h) for h in have):
            missing.append(line)
    return missing


_ANY = "\u2026"


def loads_shown_json(shown: str) -> Any:
    """Shown JSON with ``…``: ``[…]``/``{…}`` and a bare ``…`` member or
    element mean anything (a bare one is dropped); ``…`` in a string is any
    text."""
    s = re.sub(r"\[\s*…\s*\]|\{\s*…\s*\}", '"…"', shown)
    s = re.sub(r",\s*…(?=\s*[,}\]])", "", s)
    s = re.sub(r"(?<=[{\[])\s*…\s*,", "", s)
    return json.loads(s)


def json_mismatches(shown: Any, real: Any, path: str = "$") -> list[str]:
    """Where ``shown`` is not a sub-document of ``real``: every key shown
    is there with a matching value, every list has the elements shown, in
    order; ``"…"`` matches anything, a string with ``…`` any text there."""
    if shown == _ANY:
        return []
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{path}: expected an object, got {real!r}"]
        out: list[str] = []
        for k, v in shown.items():
            if k not in real:
                out.append(f"{path}.{k}: missing")
            else:
                out += json_mismatches(v, real[k], f"{path}.{k}")
        return out
    if isinstance(shown, list):
        if not isinstance(real, list) or len(real) != len(shown):
            return [f"{path}: expected {len(shown)} elements, got {real!r}"]
        return [m for i, (a, b) in enumerate(zip(shown, real, strict=True)) for m in json_mismatches(a, b, f"{path}[{i}]")]
    if isinstance(shown, str) and _ANY in shown and isinstance(real, str):
        pattern = ".*".join(re.escape(p) for p in shown.split(_ANY))
        return [] if re.fullmatch(pattern, real, flags=re.S) else [f"{path}: {real!r} is not {shown!r}"]
    return [] if shown == real else [f"{path}: {real!r}, the guide shows {shown!r}"]


def output_mismatches(shown: str, printed: str) -> list[str]:
    """Where what a guide shows is not what was printed: JSON as a
    sub-document, anything else line by line."""
    if shown.lstrip().startswith("{"):
        try:
            real = json.loads(printed)
        except ValueError:
            return [f"not JSON: {printed[:200]!r}"]
        return json_mismatches(loads_shown_json(shown), real)
    return missing_lines(shown, printed)
