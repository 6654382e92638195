"""Small text helpers shared by the extractors: clause bounds and section lookup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Section

__all__ = ["SENTENCE_BREAKS", "CLAUSE_BREAKS", "sentence_bounds", "clause_start", "clause_end",
           "innermost_section", "CJK"]

#: characters that end a sentence; "□" stands in for lost punctuation on scraped pages and a
#: line break is a paragraph end in cleaned text
SENTENCE_BREAKS = "。！？!?；;\n□"
#: characters that end a clause inside a sentence
CLAUSE_BREAKS = SENTENCE_BREAKS + "，,：:"

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def sentence_bounds(text: str, pos: int, *, breaks: str = SENTENCE_BREAKS) -> tuple[int, int]:
    """``(start, end)`` of the sentence around ``pos`` (end excludes the break character)."""
    lo = pos
    while lo > 0 and text[lo - 1] not in breaks:
        lo -= 1
    hi = pos
    while hi < len(text) and text[hi] not in breaks:
        hi += 1
    return lo, hi


def clause_start(text: str, pos: int, *, limit: int = 40, breaks: str = CLAUSE_BREAKS) -> int:
    """Where the clause ending at ``pos`` begins (at most ``limit`` characters back)."""
    lo = pos
    floor = max(0, pos - limit)
    while lo > floor and text[lo - 1] not in breaks:
        lo -= 1
    return lo


def clause_end(text: str, pos: int, *, limit: int = 40, breaks: str = CLAUSE_BREAKS) -> int:
    """Where the clause starting at ``pos`` ends (at most ``limit`` characters on)."""
    hi = pos
    ceiling = min(len(text), pos + limit)
    while hi < ceiling and text[hi] not in breaks:
        hi += 1
    return hi


def innermost_section(sections: Sequence[Section], start: int, end: int) -> int | None:
    """``section_id`` of the deepest section whose ``[start, end)`` contains the span, or None.

    Examples
    --------
    >>> s1 = Section(1, None, 1, "一、", "a", 0, 100, "other")
    >>> s2 = Section(2, 1, 2, "（一）", "b", 10, 50, "other")
    >>> innermost_section([s1, s2], 20, 30), innermost_section([s1, s2], 60, 70), innermost_section([s1], 120, 130)
    (2, 1, None)
    """
    best: Section | None = None
    for s in sections:
        if s.start <= start and end <= s.end and (best is None or s.level > best.level):
            best = s
    return best.section_id if best is not None else None
