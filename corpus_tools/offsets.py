"""Offset bookkeeping between a text and the text it was derived from by deletions.

Cleaning only ever *deletes* characters from the decoded source (markdown marks, page
artefacts, boilerplate, line breaks inside sentences). So every character of the cleaned text
is a character of the source, and an ``OffsetMap`` records where each one came from as a list
of runs, which stays small even for a 50 MB page.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OffsetMap:
    """Maps positions of a derived text to positions of its source.

    ``runs`` holds ``(derived_start, source_start, length)`` triples, sorted and contiguous
    in derived coordinates.

    Examples
    --------
    >>> m = OffsetMap.from_index(np.array([0, 1, 5, 6]))
    >>> m.to_source(2), m.span_to_source(1, 4)
    (5, (1, 7))
    """

    runs: tuple[tuple[int, int, int], ...]
    length: int

    @classmethod
    def from_index(cls, index: np.ndarray) -> OffsetMap:
        """Build from an array giving the source position of every derived character."""
        n = int(index.shape[0])
        if n == 0:
            return cls((), 0)
        breaks = np.flatnonzero(np.diff(index) != 1) + 1
        starts = np.concatenate(([0], breaks))
        ends = np.concatenate((breaks, [n]))
        runs = tuple(zip(starts.tolist(), index[starts].tolist(), (ends - starts).tolist(), strict=True))
        return cls(runs, n)

    def to_source(self, i: int) -> int:
        """Source position of derived character ``i`` (``i == length`` maps past the end)."""
        if not self.runs:
            return 0
        if i >= self.length:
            d, s, n = self.runs[-1]
            return s + n + (i - self.length)
        k = bisect_right(self._starts, i) - 1
        d, s, _n = self.runs[k]
        return s + (i - d)

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived characters ``start:end``."""
        if end <= start:
            p = self.to_source(start)
            return p, p
        return self.to_source(start), self.to_source(end - 1) + 1

    @property
    def _starts(self) -> list[int]:
        cached = self.__dict__.get("_starts_cache")
        if cached is None:
            cached = [r[0] for r in self.runs]
            object.__setattr__(self, "_starts_cache", cached)
        return cached


class DeletingText:
    """A text plus the source position of each character, edited only by deletions.

    Used by the cleaner: every edit is "drop these spans", so the source position of every
    kept character is known exactly.
    """

    __slots__ = ("text", "index")

    def __init__(self, text: str, index: np.ndarray | None = None):
        self.text = text
        self.index = np.arange(len(text), dtype=np.int64) if index is None else index

    def delete_spans(self, spans: Iterable[tuple[int, int]]) -> None:
        """Delete the given (start, end) spans; they must be sorted and non-overlapping."""
        keep_text: list[str] = []
        keep_idx: list[np.ndarray] = []
        pos = 0
        any_span = False
        for s, e in spans:
            if e <= s or s < pos:
                continue
            any_span = True
            keep_text.append(self.text[pos:s])
            keep_idx.append(self.index[pos:s])
            pos = e
        if not any_span:
            return
        keep_text.append(self.text[pos:])
        keep_idx.append(self.index[pos:])
        self.text = "".join(keep_text)
        self.index = np.concatenate(keep_idx) if keep_idx else np.zeros(0, dtype=np.int64)

    def delete_matches(self, pattern: re.Pattern[str], group: int | str = 0) -> None:
        """Delete every match of ``pattern`` (or of one of its groups)."""
        spans = []
        for m in pattern.finditer(self.text):
            s, e = m.span(group)
            if s >= 0 and e > s:
                spans.append((s, e))
        self.delete_spans(spans)

    def deletions_since(self, earlier_index: np.ndarray) -> list[tuple[int, int, int]]:
        """What was deleted since ``index`` was ``earlier_index``: ``(p, start, end)`` triples.

        ``p`` is the gap before ``text[p]`` (``len(text)``: the end) and ``start:end`` the span
        of the earlier text deleted there. Only where the source positions of neighbours jump
        can something have been deleted; what is found in ``earlier_index`` (a binary search)
        between the two neighbours was deleted.

        Examples
        --------
        >>> doc = DeletingText("ab\\ncd")
        >>> before = doc.index
        >>> doc.delete_spans([(0, 1), (2, 3)])
        >>> doc.text, doc.deletions_since(before)
        ('bcd', [(0, 0, 1), (1, 2, 3)])
        """
        now = self.index
        if len(now) == len(earlier_index):
            return []
        if len(now) == 0:
            return [(0, 0, len(earlier_index))]
        jumps = np.flatnonzero(np.diff(now) != 1)
        starts = np.searchsorted(earlier_index, now[jumps]) + 1
        ends = np.searchsorted(earlier_index, now[jumps + 1])
        deleted = ends > starts
        out = list(zip((jumps[deleted] + 1).tolist(), starts[deleted].tolist(), ends[deleted].tolist(), strict=True))
        if now[0] != earlier_index[0]:
            out.insert(0, (0, 0, int(np.searchsorted(earlier_index, now[0]))))
        if now[-1] != earlier_index[-1]:
            out.append((len(now), int(np.searchsorted(earlier_index, now[-1])) + 1, len(earlier_index)))
        return out

    def offset_map(self) -> OffsetMap:
        return OffsetMap.from_index(self.index)


class SpanIndex:
    """Sorted spans answering "does any span contain / overlap [start, end)?" in log time.

    Examples
    --------
    >>> idx = SpanIndex([(10, 20), (0, 5)])
    >>> idx.contains(12, 18), idx.contains(4, 6), idx.overlaps(4, 6), idx.overlaps(5, 10)
    (True, False, True, False)
    """

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._max_end: list[int] = []
        running = -1
        for _, e in ordered:
            running = max(running, e)
            self._max_end.append(running)

    def contains(self, start: int, end: int) -> bool:
        k = bisect_right(self._starts, start) - 1
        return k >= 0 and self._max_end[k] >= end

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end) - 1
        return k >= 0 and self._max_end[k] > start
