"""Folding traditional characters to simplified ones, one for one, so offsets stay valid.

Pages from Big5 sites are written in traditional characters (榮獲, 萬元, 稱號). The extractors
match on ``fold(text)`` and report spans as written (``text[start:end]`` of the original).
"""

from __future__ import annotations

from functools import lru_cache

from ._lexicon import parse_rows, read_resource

__all__ = ["fold", "variant_table"]


@lru_cache(maxsize=1)
def variant_table() -> dict[int, str]:
    """The packaged character map (``resources/zh_hant_chars.tsv``) as a ``str.translate`` table."""
    rows = parse_rows(read_resource("zh_hant_chars.tsv"), n_fields=2, source="zh_hant_chars.tsv")
    return {ord(a): b for a, b in rows if len(a) == 1 and len(b) == 1}


def fold(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones; same length, same offsets.

    Examples
    --------
    >>> fold("榮獲一等獎，捐款3萬元")
    '荣获一等奖，捐款3万元'
    """
    return text.translate(variant_table())
