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
    """Longest-first lookup of surface strings in text (a picklable trie-free matcher).

    Surfaces are grouped by their first character, longest first, so scanning a text is
    linear in practice and the longest surface at a position wins.
    """

    def __init__(self, surfaces: list[str] | tuple[str, ...]):
        by_first: dict[str, list[str]] = {}
        for s in sorted(set(surfaces), key=lambda x: (-len(x), x)):
            if s:
                by_first.setdefault(s[0], []).append(s)
        self._by_first = by_first

    def match_at(self, text: str, pos: int) -> str | None:
        """The longest surface starting at ``pos``, or None."""
        for s in self._by_first.get(text[pos:pos + 1], ()):
            if text.startswith(s, pos):
                return s
        return None

    def find_all(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, surface)`` matches, leftmost-longest, in text order."""
        end = len(text) if end is None else end
        return [(m.start(), m.end(), m.group(0)) for m in self._pattern().finditer(text, start, end)]

    def _pattern(self) -> re.Pattern[str]:
        # one alternation, longest surfaces first: re takes the first alternative that matches at
        # the leftmost position, which is the leftmost-longest scan, at C speed
        pat = self.__dict__.get("_compiled")
        if pat is None:
            surfaces = sorted((s for group in self._by_first.values() for s in group), key=lambda x: (-len(x), x))
            pat = re.compile("|".join(map(re.escape, surfaces)) or r"(?!)")
            self.__dict__["_compiled"] = pat
        return pat

    def ends_before(self, text: str, pos: int, lo: int) -> list[tuple[int, int, str]]:
        """All surfaces lying inside ``text[lo:pos]`` (overlaps allowed), in text order."""
        out = []
        for i in range(lo, pos):
            for s in self._by_first.get(text[i], ()):
                if i + len(s) <= pos and text.startswith(s, i):
                    out.append((i, i + len(s), s))
        return out
