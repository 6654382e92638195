"""Keyword in context (KWIC) over the sentences table, aligned on segmenter tokens.

A hit is an occurrence of the keyword whose start and end both fall on token boundaries of
the corpus segmentation (``sentences.tokens``, made by :class:`~corpus_tools.segment.Segmenter`
at ingest). So 工会 matches the token 工会 and the run 工会 + 工作, but not the inside of
总工会, 工会工作 or 中华全国总工会 when the segmenter keeps those as one word — which is
what a researcher counting "the union" as a word usually wants. ``match="substring"`` finds
the characters anywhere instead. The context window is counted in tokens (punctuation tokens
count, whitespace does not) and stops at the sentence's edges.

Every line carries ``doc_id``, ``sentence_id`` and the keyword's ``start``/``end`` in
``documents.text``, so ``documents.text[start:end] == keyword``: a line can be cited and
found again.

Tokens come from the stored ``sentences.tokens`` column (so KWIC sees exactly the words the
topic models saw, user dictionaries included), re-aligned onto the text to recover their
offsets. Pass a ``Segmenter`` to re-segment the matching sentences instead (e.g. to try a new
user dictionary); a sentence whose stored tokens do not fit its text is re-segmented too.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .records import CorpusToolsError, Token
from .segment import Segmenter
from .store import read_table, table_path

if TYPE_CHECKING:  # pandas is imported where it is used: the CLI starts without it
    import pandas as pd

__all__ = [
    "GROUP_COLUMNS",
    "MATCH_MODES",
    "KwicError",
    "KwicLine",
    "align_tokens",
    "find_keyword",
    "format_kwic",
    "kwic",
    "kwic_frame",
    "kwic_lines",
    "token_context",
]

MATCH_MODES = ("token", "substring")
#: columns ``by=`` may group on
GROUP_COLUMNS = ("sector", "genre", "source_file", "doc_id")
#: how a missing group value (e.g. a report not classified yet) is shown
UNCLASSIFIED = "(unclassified)"


class KwicError(CorpusToolsError):
    """A KWIC request could not be answered (empty keyword, bad option, missing tables)."""


@dataclass(frozen=True)
class KwicLine:
    """One keyword-in-context line; ``start``/``end`` are offsets of the keyword in ``documents.text``."""

    doc_id: str
    source_file: str
    sector: str | None
    genre: str | None
    sentence_id: int
    start: int
    end: int
    left: str
    keyword: str
    right: str


def align_tokens(text: str, words: Sequence[str], offset: int = 0) -> list[Token]:
    """Recover token offsets from space-separated tokens (``sentences.tokens``) and their text.

    The stored tokens leave out whitespace tokens; every other character of ``text`` must be
    covered, in order. Raises ``ValueError`` when the words do not tile the text.

    Examples
    --------
    >>> align_tokens("召开 职代会。", ["召开", "职代会", "。"], offset=10)
    [Token(word='召开', start=10, end=12), Token(word='职代会', start=13, end=16), Token(word='。', start=16, end=17)]
    """
    tokens = []
    pos = 0
    for word in words:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not word or not text.startswith(word, pos):
            raise ValueError(f"token {word!r} does not continue the text at {pos}")
        tokens.append(Token(word, offset + pos, offset + pos + len(word)))
        pos += len(word)
    if text[pos:].strip():
        raise ValueError(f"tokens end at {pos}, text has more: {text[pos:pos + 10]!r}")
    return tokens


def find_keyword(text: str, tokens: Sequence[Token], keyword: str, *, match: str = "token",
                 offset: int = 0) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of ``keyword`` in ``text``, in text order.

    With ``match="token"`` a span must start and end on token boundaries (``tokens`` carry
    offsets in the same coordinates as ``offset + position in text``). Spaces in the keyword
    stand for token boundaries: "工会 工作" needs a boundary between 工会 and 工作, and the
    two may be separated by whitespace in the text.

    Examples
    --------
    >>> toks = [Token("市总工会", 0, 4), Token("和", 4, 5), Token("工会", 5, 7)]
    >>> find_keyword("市总工会和工会", toks, "工会")
    [(5, 7)]
    >>> find_keyword("市总工会和工会", toks, "工会", match="substring")
    [(2, 4), (5, 7)]
    """
    if match not in MATCH_MODES:
        raise KwicError(f"match must be one of {MATCH_MODES}, got {match!r}")
    parts = keyword.split()
    if not parts:
        raise KwicError("the keyword is empty")
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    spans = []
    for first in _find_all(text, parts[0]):
        pos = first + len(parts[0])
        inner_ok = True
        for part in parts[1:]:
            if match == "token" and offset + pos not in ends:
                inner_ok = False
                break
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if not text.startswith(part, pos):
                inner_ok = False
                break
            if match == "token" and offset + pos not in starts:
                inner_ok = False
                break
            pos += len(part)
        if not inner_ok:
            continue
        if match == "token" and (offset + first not in starts or offset + pos not in ends):
            continue
        spans.append((offset + first, offset + pos))
    return spans


def _find_all(text: str, needle: str) -> Iterable[int]:
    i = text.find(needle)
    while i != -1:
        yield i
        i = text.find(needle, i + 1)


def token_context(text: str, tokens: Sequence[Token], start: int, end: int, window: int,
                  *, offset: int = 0) -> tuple[str, str]:
    """The ``window`` tokens left of ``start`` and right of ``end`` as text.

    Whitespace tokens do not count. A token cut by the keyword (substring matches) is part of
    the context up to the keyword's edge.

    Examples
    --------
    >>> toks = [Token("召开", 0, 2), Token("职代会", 2, 5), Token("，", 5, 6), Token("表彰", 6, 8)]
    >>> token_context("召开职代会，表彰", toks, 2, 5, 1)
    ('召开', '，')
    """
    if window < 0:
        raise KwicError(f"window must be 0 or more tokens, got {window}")
    words = [t for t in tokens if not t.word.isspace()]
    before = [t for t in words if t.start < start]
    after = [t for t in words if t.end > end]
    left = ""
    right = ""
    if window and before:
        left_start = before[-window].start if len(before) >= window else before[0].start
        left = text[left_start - offset:start - offset]
    if window and after:
        right_end = after[window - 1].end if len(after) >= window else after[-1].end
        right = text[end - offset:right_end - offset]
    return left, right


def kwic_lines(documents: pd.DataFrame, sentences: pd.DataFrame, keyword: str, *, window: int = 8,
               by: str | None = None, match: str = "token", segmenter: Segmenter | None = None,
               include_duplicates: bool = False, limit: int | None = None) -> list[KwicLine]:
    """KWIC lines for ``keyword`` from a documents and a sentences table (pure; see ``kwic``).

    Lines are ordered by the ``by`` column (if given; unclassified last), then by source file,
    report, sentence and position. Duplicate reports (``documents.duplicate_of`` set) are left
    out unless ``include_duplicates``.
    """
    keyword = keyword.strip()
    if not keyword:
        raise KwicError("the keyword is empty")
    if match not in MATCH_MODES:
        raise KwicError(f"match must be one of {MATCH_MODES}, got {match!r}")
    if by is not None and by not in GROUP_COLUMNS:
        raise KwicError(f"--by must be one of {', '.join(GROUP_COLUMNS)}, got {by!r}")
    if window < 0:
        raise KwicError(f"window must be 0 or more tokens, got {window}")
    needle = keyword.split()[0]
    docs = documents
    if not include_duplicates and "duplicate_of" in docs:
        docs = docs[docs["duplicate_of"].isna()]
    docs = docs[docs["text"].str.contains(needle, regex=False)]
    if docs.empty:
        return []
    meta = {}
    for row in docs.itertuples(index=False):
        meta[row.doc_id] = (row.text, row.source_file, int(row.report_index),
                            _none(getattr(row, "sector", None)), _none(getattr(row, "genre", None)))
    sents = sentences[sentences["doc_id"].isin(meta.keys())]
    found: list[tuple[tuple, KwicLine]] = []
    for s in sents.itertuples(index=False):
        text, source_file, report_index, sector, genre = meta[s.doc_id]
        start, end = int(s.start), int(s.end)
        sentence = text[start:end]
        if needle not in sentence:
            continue
        tokens = _sentence_tokens(sentence, s.tokens, start, segmenter)
        for k_start, k_end in find_keyword(sentence, tokens, keyword, match=match, offset=start):
            left, right = token_context(sentence, tokens, k_start, k_end, window, offset=start)
            line = KwicLine(s.doc_id, source_file, sector, genre, int(s.sentence_id), k_start, k_end,
                            left, text[k_start:k_end], right)
            group = getattr(line, by) if by else None
            found.append(((group is None, group or "", source_file, report_index, line.sentence_id,
                           k_start), line))
    found.sort(key=lambda item: item[0])
    lines = [line for _, line in found]
    return lines[:limit] if limit else lines


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _sentence_tokens(sentence: str, stored: str, offset: int, segmenter: Segmenter | None) -> list[Token]:
    if segmenter is None:
        try:
            return align_tokens(sentence, stored.split(" ") if stored else [], offset)
        except ValueError:
            segmenter = Segmenter()  # stored tokens out of step with the text: segment afresh
    return [Token(t.word, t.start + offset, t.end + offset) for t in segmenter.tokenize(sentence)]


def kwic(out_dir: Path, keyword: str, *, window: int = 8, by: str | None = None, match: str = "token",
         segmenter: Segmenter | None = None, include_duplicates: bool = False,
         limit: int | None = None) -> list[KwicLine]:
    """Keyword-in-context lines for ``keyword`` from the tables in ``out_dir``.

    Parameters
    ----------
    window
        Tokens of context on each side (within the sentence).
    by
        Group (sort) the lines by ``sector``, ``genre``, ``source_file`` or ``doc_id``.
    match
        ``"token"``: the keyword must start and end on token boundaries (工会 does not match
        inside 总工会); ``"substring"``: anywhere.
    segmenter
        Re-segment the matching sentences with this segmenter instead of using the stored tokens.

    Examples
    --------
    >>> lines = kwic(Path("data/processed"), "职代会", window=5, by="sector")  # doctest: +SKIP
    >>> lines[0].keyword, lines[0].doc_id                                      # doctest: +SKIP
    ('职代会', '7dd2b2b71291edcf')
    """
    out_dir = Path(out_dir)
    for name in ("documents", "sentences"):
        if table_path(out_dir, name) is None:
            raise KwicError(f"no {name} table in {out_dir} (run `corpus-tools ingest` first, or pass --out)")
    documents = read_table(out_dir, "documents")
    sentences = read_table(out_dir, "sentences", columns=["doc_id", "sentence_id", "start", "end", "tokens"])
    return kwic_lines(documents, sentences, keyword, window=window, by=by, match=match, segmenter=segmenter,
                      include_duplicates=include_duplicates, limit=limit)


def kwic_frame(lines: Sequence[KwicLine]) -> pd.DataFrame:
    """The lines as a DataFrame (one column per ``KwicLine`` field)."""
    import pandas as pd

    return pd.DataFrame([asdict(line) for line in lines], columns=[f.name for f in fields(KwicLine)])


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _clip_left(s: str, width: int) -> str:
    while _width(s) > width:
        s = s[1:]
    return s


def _clip_right(s: str, width: int) -> str:
    while _width(s) > width:
        s = s[:-1]
    return s


def format_kwic(lines: Sequence[KwicLine], fmt: str = "table", *, by: str | None = None,
                width: int = 40) -> str:
    """Render lines as an aligned concordance (``table``), ``csv`` (UTF-8) or ``json``.

    In the table, left contexts are right-aligned so the keywords line up (wide CJK characters
    count double), clipped to ``width`` columns on each side; with ``by``, each group gets a
    heading with its line count.
    """
    if fmt == "csv":
        return kwic_frame(lines).to_csv(index=False)
    if fmt == "json":
        return json.dumps([asdict(line) for line in lines], ensure_ascii=False, indent=1) + "\n"
    if fmt != "table":
        raise KwicError(f"format must be table, csv or json, got {fmt!r}")
    if not lines:
        return "(no lines)\n"
    out = []
    group = object()
    counts: dict = {}
    if by:
        for line in lines:
            key = getattr(line, by)
            counts[key] = counts.get(key, 0) + 1
    for line in lines:
        if by and getattr(line, by) != group:
            group = getattr(line, by)
            n = counts[group]
            out.append(f"== {by}: {group if group is not None else UNCLASSIFIED} ({n} line{'' if n == 1 else 's'})")
        left = _clip_left(line.left, width)
        right = _clip_right(line.right, width)
        pad = " " * (width - _width(left))
        ref = f"{line.doc_id}:{line.sentence_id}"
        sector = line.sector or UNCLASSIFIED
        out.append(f"{ref:<20} {sector:<14} {pad}{left} 【{line.keyword}】 {right}")
    return "\n".join(out) + "\n"
