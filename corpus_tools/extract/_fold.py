"""Folding traditional characters to simplified ones, one for one, so offsets stay valid.

Pages from Big5 sites are written in traditional characters (榮獲, 萬元, 稱號). The extractors
match on ``fold(text)`` and report spans as written (``text[start:end]`` of the original).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._lexicon import parse_rows, read_resource

__all__ = ["fold", "variant_table"]


@lru_cache(maxsize=1)
def variant_table() -> dict[int, str]:
    """The packaged character map (``resources/zh_hant_chars.tsv``) as a ``str.translate`` table."""
    rows = parse_rows(read_resource("zh_hant_chars.tsv"), n_fields=2, source="zh_hant_chars.tsv")
    return {ord(a): b for a, b in rows if len(a) == 1 and len(b) == 1}


@lru_cache(maxsize=1)
def _variants() -> tuple[re.Pattern[str], dict[str, str]]:
    """A class of every character ``variant_table`` maps, and the map keyed by character.

    ``re`` scans for a character class at C speed, so finding none costs little.
    """
    table = {chr(c): s for c, s in variant_table().items()}
    chars = "[" + "".join(re.escape(c) for c in sorted(table)) + "]" if table else r"(?!)"
    return re.compile(chars), table


@lru_cache(maxsize=2)
def fold(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones; same length, same offsets.

    Every extractor folds the same report text, and ``str.translate`` with a dict table costs a
    dict lookup per character. Most reports hold no traditional character at all (a quick scan
    returns them unchanged) and the rest only a few, so those are replaced one by one; a folded
    text is remembered for the next extractor. Even the quick scan costs a pass over the text,
    and the seven extractors of ``Extractors.extract`` fold the very same string object one
    after another, so the last answers are kept (``lru_cache``: a string caches its own hash and
    the lookup compares identity first, so a hit costs nothing like a scan).

    Examples
    --------
    >>> fold("榮獲一等獎，捐款3萬元")
    '荣获一等奖，捐款3万元'
    """
    if _variants()[0].search(text) is None:
        return text
    return _fold_variants(text)


@lru_cache(maxsize=8)
def _fold_variants(text: str) -> str:
    chars, table = _variants()
    return chars.sub(lambda m: table[m.group()], text)
