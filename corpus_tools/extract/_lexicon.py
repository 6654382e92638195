"""Reading the extractors' word lists (package resources or a researcher's own files).

Every list is UTF-8 text: one entry per line, fields separated by a tab, ``#`` starting a
comment line. The readers are pure functions of the text; only ``read_resource`` and
``read_path`` touch files.
"""

from __future__ import annotations

import os
import re
from importlib.resources import files
from pathlib import Path

from ..records import CorpusToolsError

__all__ = ["LexiconError", "parse_rows", "read_resource", "read_path", "SurfaceIndex"]

_PACKAGE = "corpus_tools.resources"


class LexiconError(CorpusToolsError):
    """A word list could not be read or has a malformed line."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


def parse_rows(text: str, *, n_fields: int, source: str = "<string>") -> list[tuple[str, ...]]:
    """Rows of a tab-separated word list, each padded to ``n_fields`` with empty strings.

    Examples
    --------
    >>> parse_rows("# comment\\n慰问金\\t慰问金\\n\\n会费\\t会费", n_fields=2)
    [('慰问金', '慰问金'), ('会费', '会费')]
    """
    rows = []
    for lineno, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) > n_fields:
            raise LexiconError(source, f"line {lineno}: expected at most {n_fields} tab-separated fields")
        if not fields[0]:
            raise LexiconError(source, f"line {lineno}: empty first field")
        rows.append(tuple(fields + [""] * (n_fields - len(fields))))
    return rows


def read_resource(name: str) -> str:
    """The text of a packaged word list (``corpus_tools/resources/<name>``)."""
    return (files(_PACKAGE) / name).read_text(encoding="utf-8")


def read_path(path: str | os.PathLike[str]) -> str:
    """The text of a researcher's word list, as UTF-8 (never silently dropping bytes)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LexiconError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), f"not UTF-8 (byte {exc.start})") from exc


class SurfaceIndex:
    """Longest-first lookup of surface strings in text (picklable, deterministic).

    Surfaces are grouped by their first character and by their first two characters, longest
    first, so the longest surface at a position is the first one that fits.

    ``find_all`` scans thousands of surfaces (the gazetteer) over whole reports, so it must not
    try every surface at every position; one alternation of all surfaces does exactly that
    inside ``re`` (2.4 µs a character on the gazetteer). Instead a small pattern of character
    classes (``_start_pattern``) lets ``re`` skip, at C speed, the positions where no surface
    can start; only the few positions left are looked up, by their first two characters, in
    Python.
    """

    def __init__(self, surfaces: list[str] | tuple[str, ...]):
        by_first: dict[str, list[str]] = {}
        by_two: dict[str, list[str]] = {}
        singles: set[str] = set()
        for s in sorted(set(surfaces), key=lambda x: (-len(x), x)):
            if s:
                by_first.setdefault(s[0], []).append(s)
                if len(s) == 1:
                    singles.add(s)
                else:
                    by_two.setdefault(s[:2], []).append(s)
        self._by_first = by_first
        self._by_two = by_two
        self._singles = frozenset(singles)
        self._starts = _start_pattern(by_two, singles)

    def match_at(self, text: str, pos: int) -> str | None:
        """The longest surface starting at ``pos``, or None."""
        for s in self._by_first.get(text[pos:pos + 1], ()):
            if text.startswith(s, pos):
                return s
        return None

    def find_all(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, surface)`` matches, leftmost-longest, in text order.

        Only ``text[start:end]`` is searched; no match runs past ``end``.
        """
        end = len(text) if end is None else end
        out: list[tuple[int, int, str]] = []
        by_two, singles = self._by_two, self._singles
        free = start  # the first position not inside the last match
        for m in self._starts.finditer(text, start, end):
            pos = m.start()
            if pos < free:
                continue
            # surfaces of two or more characters are longer than a one-character one: try them first
            for s in by_two.get(text[pos:pos + 2], ()):
                if text.startswith(s, pos, end):
                    break
            else:
                s = text[pos]
                if s not in singles:
                    continue
            free = pos + len(s)
            out.append((pos, free, s))
        return out

    def ends_before(self, text: str, pos: int, lo: int) -> list[tuple[int, int, str]]:
        """All surfaces lying inside ``text[lo:pos]`` (overlaps allowed), in text order."""
        out = []
        for i in range(lo, pos):
            for s in self._by_first.get(text[i], ()):
                if i + len(s) <= pos and text.startswith(s, i):
                    out.append((i, i + len(s), s))
        return out


def _char_class(chars: set[str] | frozenset[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _start_pattern(by_two: dict[str, list[str]], singles: frozenset[str]) -> re.Pattern[str]:
    """A one-character match at every position where some surface could start.

    A position qualifies when it is a one-character surface, or when its character can begin
    a longer surface and the next one can follow it, and then either both fit a two-character
    surface or the third character fits a longer one. Each test is a character-class lookup
    (not a lookup of pairs, which would make the pattern large and slow to compile). The
    pattern starts with one class of every possible first character, which lets ``re`` skip
    ahead at C speed; on the gazetteer about one position in fifteen is left for ``find_all``.
    """
    if not by_two:
        return re.compile(_char_class(singles) if singles else r"(?!)")
    pairs = [p for p in by_two if len(by_two[p][-1]) == 2]  # pairs that are surfaces themselves
    longer = [s for group in by_two.values() for s in group if len(s) > 2]
    fits = []
    if pairs:
        fits.append(f"(?<={_char_class({p[0] for p in pairs})})(?={_char_class({p[1] for p in pairs})})")
    if longer:
        fits.append(f"(?={_char_class({s[1] for s in longer})}{_char_class({s[2] for s in longer})})")
    firsts = {p[0] for p in by_two}
    begins_longer = f"(?={_char_class({p[1] for p in by_two})})(?:{'|'.join(fits)})"
    if not singles:
        return re.compile(_char_class(firsts) + begins_longer)
    return re.compile(f"{_char_class(firsts | singles)}(?:(?<={_char_class(singles)})"
                      f"|(?<={_char_class(firsts)}){begins_longer})")
