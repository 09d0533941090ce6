"""Display width of terminal text: a CJK character takes two columns.

Used by the table renderer and the help formatter (both only when they
print); nothing here is imported by ``--format json``.
"""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    """Display width: CJK (wide and full-width) characters take two columns."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def pad(text: str, w: int, right: bool = False) -> str:
    fill = " " * max(0, w - width(text))
    return fill + text if right else text + fill


def _tokens(text: str) -> list[str]:
    """Words (with the space after them) and single CJK characters: the
    places a line may break. Closing punctuation stays with what it follows."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch == " ":
            out.append(word + " ")
            word = ""
        elif char_width(ch) == 2:
            if word and not _closing(ch) and not all(_opening(c) for c in word):
                out.append(word)
                word = ""
            if _closing(ch) and out and not word:
                out[-1] += ch
            else:
                word += ch
                if not _opening(ch):
                    out.append(word)
                    word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _closing(ch: str) -> bool:
    return ch in "，。、；：？！）》」』】〕”’%"


def _opening(ch: str) -> bool:
    return ch in "（《「『【〔“‘"


def wrap(text: str, w: int) -> list[str]:
    """``text`` in lines of at most ``w`` columns, broken at spaces and
    between CJK characters (never inside a Latin word unless it alone is
    wider than ``w``); newlines in ``text`` are kept."""
    w = max(w, 4)
    lines: list[str] = []
    for para in text.split("\n"):
        line, lw = "", 0
        for tok in _tokens(para):
            tw = width(tok.rstrip(" "))
            if lw + tw > w and line.strip():
                lines.append(line.rstrip(" "))
                line, lw = "", 0
            while tw > w:  # a single token wider than the line: cut it
                cut, cw = "", 0
                for ch in tok:
                    if cw + char_width(ch) > w:
                        break
                    cut += ch
                    cw += char_width(ch)
                lines.append(cut)
                tok = tok[len(cut):]
                tw = width(tok.rstrip(" "))
            line += tok
            lw += width(tok)
        lines.append(line.rstrip(" "))
    return lines
