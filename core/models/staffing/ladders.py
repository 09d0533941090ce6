"""Ladders of a staffing clause, as data: professional titles with their
equivalences across series, and levels of education with their spellings.

Both are read from a contract's TOML (a ``person_rules`` step's ``titles``
and ``education`` tables); nothing here knows a city or a title. A roster
cell is normalised before it is looked up: full-width characters as
half-width (``（函授）`` as ``(函授)``), every space dropped, ``【】`` and
``[]`` as round brackets.

- :class:`TitleLadder`: levels from low to high (卫生专业技术资格: 初级（士）,
  初级（师）, 中级, 副高级, 正高级), each listing its titles by series
  (physician 主治医师, nursing 主管护师, pharmacy 主管药师 … all 中级). A
  requirement "主治医师及以上" is met by a title at the level of 主治医师 or
  above, in a series the rule admits.
- :class:`EducationLadder`: levels from low to high, each with its names
  (本科, 大学本科, 学士); a qualifier — bracketed (``本科(函授)``) or leading
  (``全日制本科``) — says whether the study was full-time.

A value a ladder does not know is :data:`None` from the lookups, never an
error: the caller decides what that means (``person_rules``: a warning
naming the roster id).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property

import attrs

from ...errors import FieldError
from ...values import Value

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_QUALIFIED = re.compile(r"(.+?)\((.+)\)")
_LEADING = re.compile(r"\((.+?)\)(.+)")


def normalise(text: str) -> str:
    """A roster cell as the ladders compare it: NFKC (full-width brackets,
    letters and digits as half-width), no spaces, square brackets as round."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_BRACKETS)


@attrs.frozen(eq=False, repr=False, slots=False)
class TitleLevel(Value):
    """One level of a title ladder: its name and, by series, the titles at
    that level (the first of each list is the title's own name, the others
    its spellings)."""

    level: str
    titles: dict[str, tuple[str, ...]] = attrs.Factory(dict)


@attrs.frozen(eq=False, repr=False, slots=False)
class TitleLadder(Value):
    """Professional titles by level (``levels``, low to high) and series.

    ``admitted`` maps a reading of the step's ``title_interpretation`` to
    the series whose titles count under it; a reading it does not list
    admits every series of the ladder (titles of the same level are
    equivalent across series).
    """

    levels: tuple[TitleLevel, ...]
    admitted: dict[str, tuple[str, ...]] = attrs.Factory(dict)

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            raise FieldError("levels", "expected at least one [[…titles.levels]] entry, low to high")
        seen: dict[str, str] = {}
        for i, lv in enumerate(self.levels):
            for series, names in lv.titles.items():
                for j, name in enumerate(names):
                    key = normalise(name)
                    where = f"levels[{i}].titles.{series}[{j}]"
                    if key in seen:
                        raise FieldError(where, f"{name!r} is already on the ladder at {seen[key]}")
                    seen[key] = where
        known = self.series
        for reading, names in self.admitted.items():
            for s in names:
                if s not in known:
                    raise FieldError(f"admitted.{reading}", f"{s!r} is no series of the ladder ({', '.join(known)})")

    @property
    def series(self) -> tuple[str, ...]:
        """Every series named at some level, in order of first appearance."""
        return tuple(dict.fromkeys(s for lv in self.levels for s in lv.titles))

    @property
    def summary(self) -> str:
        """The ladder in a few words (``yibao show``)."""
        return f"{len(self.levels)}级 × {len(self.series)}系列 ({', '.join(self.series)})"

    @cached_property
    def _index(self) -> dict[str, tuple[str, int, str]]:
        """Normalised spelling -> (series, level index, the title's own name)."""
        return {
            normalise(name): (series, i, names[0])
            for i, lv in enumerate(self.levels)
            for series, names in lv.titles.items()
            for name in names
        }

    def find(self, value: str) -> tuple[str, int, str] | None:
        """(series, level index, title) of a roster's title, or None when
        the ladder does not know it (a bracketed qualifier is not read: a
        title written with one is unknown until the ladder lists it)."""
        return self._index.get(normalise(value))

    def admits(self, reading: str | None) -> tuple[str, ...]:
        """The series admitted under ``reading`` (every series by default)."""
        if reading is not None and reading in self.admitted:
            return self.admitted[reading]
        return self.series


@attrs.frozen(eq=False, repr=False, slots=False)
class Education(Value):
    """What a roster's education cell says: the level (index and own name)
    and the mode of study its qualifier states (``True`` full-time, ``False``
    not, ``None`` not stated) with the qualifier itself."""

    rank: int
    level: str
    full_time: bool | None = None
    qualifier: str | None = None

    @property
    def shown(self) -> str:
        """The level with its qualifier, as a message shows it (never the raw cell)."""
        return f"{self.level}（{self.qualifier}）" if self.qualifier else self.level


@attrs.frozen(eq=False, repr=False, slots=False)
class EducationLadder(Value):
    """Levels of education, low to high, each a list of names (the first its
    own). ``full_time`` and ``part_time`` list the qualifiers of a mode of
    study, written in brackets after the level (``本科(函授)``) or before it
    (``全日制本科``, ``自考本科``). ``专科/大专``: names of one level joined by
    ``/`` are that level; of different levels, unknown."""

    levels: tuple[tuple[str, ...], ...]
    full_time: tuple[str, ...] = ()
    part_time: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            raise FieldError("levels", "expected at least one level, low to high")
        seen: dict[str, str] = {}
        for i, names in enumerate(self.levels):
            if not names:
                raise FieldError(f"levels[{i}]", "expected the level's names (at least one)")
            for j, name in enumerate(names):
                key = normalise(name)
                if key in seen:
                    raise FieldError(f"levels[{i}][{j}]", f"{name!r} is already on the ladder at {seen[key]}")
                seen[key] = f"levels[{i}][{j}]"
        both = {normalise(q) for q in self.full_time} & {normalise(q) for q in self.part_time}
        if both:
            raise FieldError("part_time", f"{', '.join(sorted(both))} is listed in full_time too")

    @property
    def summary(self) -> str:
        """The ladder in a few words (``yibao show``)."""
        return " < ".join(names[0] for names in self.levels)

    @cached_property
    def _index(self) -> tuple[dict[str, int], dict[str, bool]]:
        """Normalised name -> level index; normalised qualifier -> full-time."""
        names = {normalise(n): i for i, level in enumerate(self.levels) for n in level}
        modes = {normalise(q): True for q in self.full_time} | {normalise(q): False for q in self.part_time}
        return names, modes

    def rank_of(self, name: str) -> int | None:
        """The level index of a name the contract's TOML uses (``大专``)."""
        return self._index[0].get(normalise(name))

    def find(self, value: str) -> Education | None:
        """The level and mode of study a roster's education cell states, or
        None when the ladder does not know the level or the qualifier, or the
        cell states two modes of study."""
        names, modes = self._index
        text = normalise(value)
        qualifiers: list[str] = []
        m = _QUALIFIED.fullmatch(text)
        lead = None if m else _LEADING.fullmatch(text)
        if m or lead:
            text, q = (m.group(1), m.group(2)) if m else (lead.group(2), lead.group(1))  # type: ignore[union-attr]
            if q not in modes:
                return None
            qualifiers.append(q)
        rank = self._level(text, names)
        if rank is None:  # a leading or trailing qualifier: 全日制本科, 自考本科, 本科函授
            for q in sorted(modes, key=len, reverse=True):
                if text.startswith(q) and (rank := self._level(text[len(q):], names)) is not None:
                    qualifiers.append(q)
                    break
                if text.endswith(q) and (rank := self._level(text[: -len(q)], names)) is not None:
                    qualifiers.append(q)
                    break
        if rank is None:
            return None
        stated = {modes[q] for q in qualifiers}
        if len(stated) > 1:
            return None  # 全日制本科(函授): which is it?
        return Education(rank, self.levels[rank][0], stated.pop() if stated else None, "、".join(qualifiers) or None)

    @staticmethod
    def _level(text: str, names: dict[str, int]) -> int | None:
        if not text:
            return None
        if text in names:
            return names[text]
        parts = text.split("/")
        if len(parts) > 1:
            ranks = {names.get(p) for p in parts}
            if len(ranks) == 1 and None not in ranks:
                return ranks.pop()
        return None

