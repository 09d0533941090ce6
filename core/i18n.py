"""Messages in the user's language: Chinese by default, English with
``YIBAO_LANG=en``.

yibao's messages are written in English in the code (and in the models and
plugins, by whoever writes them). They are translated **at output time**,
by a gettext catalog keyed by the English text: ``core/locale/zh.po``,
whose ``msgid`` is the English message with ``{name}`` where a value goes
and whose ``msgstr`` is the Chinese. A message is translated when it is
shown — an error line, a finding in a table or JSON, a help page — so:

- nothing is loaded until a message is actually produced (``compute
  --format json`` without findings never reads the catalog);
- a message the catalog does not know yet (a new one in a plugin) is shown
  as written, never broken;
- a message built from parts (``"{where}: {who}: {n} on the roster, …"``)
  matches its template, and each part is translated in turn
  (``all roles`` → ``全部岗位``).

The catalog is a standard ``.po`` file (edit it with any gettext tool); it
is compiled when first needed, in this process, into a table of exact
messages and of templates as regular expressions, most specific first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).with_name("locale") / "zh.po"
LANGS = ("zh", "en")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_compiled: tuple[dict[str, str], list[tuple[re.Pattern[str], str]]] | None = None
#: every entry of the catalog, templates as written (for :func:`trf`)
_entries: dict[str, str] = {}


def lang() -> str:
    """The language chosen: ``YIBAO_LANG`` (``zh`` or ``en``; ``zh_CN.UTF-8``
    style values are read by their first two letters), default ``zh``."""
    value = os.environ.get("YIBAO_LANG", "zh").strip().lower()[:2]
    return value if value in LANGS else "zh"


def parse_po(text: str) -> dict[str, str]:
    """The ``msgid`` → ``msgstr`` pairs of a ``.po`` file (entries with an
    empty ``msgstr`` or marked ``fuzzy`` are left out)."""
    out: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    fuzzy = False
    cur: list[str] | None = None

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value and not fuzzy:
                out[key] = value
        msgid = msgstr = None
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            cur = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            pending, fuzzy = fuzzy, False
            flush()
            fuzzy = pending
            msgid = [_unquote(line[6:])]
            cur = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            cur = msgstr
        elif line.startswith('"') and cur is not None:
            cur.append(_unquote(line))
    flush()
    return out


def _unquote(s: str) -> str:
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), s) if "\\" in s else s


def catalog() -> dict[str, str]:
    """The Chinese catalog: English message (template) → Chinese."""
    return parse_po(CATALOG.read_text(encoding="utf-8"))


def _load() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    global _compiled
    if _compiled is None:
        exact: dict[str, str] = {}
        patterns: list[tuple[int, re.Pattern[str], str]] = []
        _entries.update(catalog())
        for en, zh in _entries.items():
            if _PLACEHOLDER.search(en):
                parts = _PLACEHOLDER.split(en)  # literal, name, literal, name, ...
                regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
                literal = sum(len(p) for p in parts[0::2])
                patterns.append((literal, re.compile(regex + r"\Z", re.S), zh))
            else:
                exact[en] = zh
        patterns.sort(key=lambda x: -x[0])
        _compiled = (exact, [(p, zh) for _, p, zh in patterns])
    return _compiled


def tr(text: Any, depth: int = 0) -> Any:
    """``text`` in the chosen language; text the catalog does not know, or
    anything not a string, as it is."""
    if not isinstance(text, str) or not text or lang() == "en":
        return text
    exact, patterns = _load()
    hit = exact.get(text)
    if hit is not None:
        return hit
    if depth > 3:
        return text
    for pattern, zh in patterns:
        m = pattern.match(text)
        if m is not None:
            values = {k: tr(v, depth + 1) for k, v in m.groupdict().items()}
            return _PLACEHOLDER.sub(lambda x, v=values: str(v.get(x.group(1), x.group(0))), zh)  # type: ignore[misc]
    return text


def trf(template: str, **values: Any) -> str:
    """``template`` — a catalog ``msgid`` with ``{name}`` placeholders — in
    the chosen language, with ``values`` put in **as they are**: what comes
    from the user's files (a file name, a column header, a cell) is never
    matched against the catalog. Translate a value that is a message
    yourself (``message=tr(m)``). A template the catalog lacks is filled in
    as written."""
    text = template
    if lang() != "en":
        _load()
        text = _entries.get(template, template)
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def tr_lines(text: str) -> str:
    """Each line of ``text`` translated on its own (a message of several lines)."""
    return "\n".join(tr(line) for line in text.split("\n"))


def tr_message(text: str) -> str:
    """A message as it is shown: line by line if it has several (:func:`tr_lines`), else whole."""
    return tr_lines(text) if "\n" in text else str(tr(text))


def localize(doc: Any) -> Any:
    """A JSON document (a compute envelope, a validate result, an error
    document, a claims report) with its human messages translated: each
    finding's, each problem's and each bad cell's (``bad``) ``message``;
    everything else untouched. The same object when the language is
    English or there is nothing to translate."""
    if lang() == "en" or not isinstance(doc, Mapping):
        return doc
    if not _has_messages(doc):
        return doc
    out = dict(doc)
    for key in MESSAGE_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_msg(x) for x in out[key]]
    if isinstance(out.get("results"), list):
        out["results"] = [localize(r) for r in out["results"]]
    return out


#: the members of a JSON document that are lists of objects with a ``message``
MESSAGE_LISTS = ("findings", "problems", "bad")


def _has_messages(doc: Mapping[str, Any]) -> bool:
    return bool(any(doc.get(k) for k in MESSAGE_LISTS) or any(r.get("findings") for r in doc.get("results") or () if isinstance(r, Mapping)))


def _msg(x: Any) -> Any:
    if isinstance(x, Mapping) and isinstance(x.get("message"), str):
        return {**x, "message": tr_message(x["message"])}
    return x


def untranslated(messages: Iterable[str]) -> list[str]:
    """Those of ``messages`` that the Chinese catalog leaves as they are."""
    exact, patterns = _load()
    return [m for m in messages if m not in exact and not any(p.match(m) for p, _ in patterns)]


def problem_line(p: Any) -> str:
    """One input problem as the CLI prints it on stderr: ``error: file:
    cell (key path): message`` (``错误：…`` in Chinese); a plain string as
    ``error: message``."""
    if isinstance(p, str):
        return f"error: {p}" if lang() == "en" else f"{tr('error')}：{tr_lines(p)}"
    key = p.path or tr("(top level)")
    if getattr(p, "cell", None):
        key = f"{p.cell} ({key})" if p.path else p.cell
    where = f"{p.file}: {key}" if p.file else key
    if lang() == "en":
        return f"error: {where}: {p.message}"
    return f"{tr('error')}：{where}：{tr_lines(p.message)}"
