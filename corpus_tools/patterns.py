"""Compiled patterns shared by the clean, split and structure stages.

Chinese official documents number their parts in a fixed hierarchy (第一， / 一、 / （一） /
1、 1. / （1） / ①). The patterns here recognise those markers at the start of a line; the
stages decide what a marker means in context.
"""

from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十百零〇○两"
_CN = f"[{CN_DIGITS}]{{1,4}}"
# separators seen after a marker; □ and [] stand in for lost punctuation on some sites
_SEP = r"(?:[、，,．.:：]|□|\[\])"

#: marker kinds, from the outermost to the innermost
MARKER_RANKS = {"di": 0, "cn": 1, "paren_cn": 2, "arabic": 3, "paren_arabic": 4, "circled": 5}

MARKER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("di", re.compile(rf"第{_CN}(?:{_SEP}|部分|章|节)\s*")),
    ("paren_cn", re.compile(rf"[（(]\s*{_CN}\s*[）)]\s*{_SEP}?\s*")),
    ("cn", re.compile(rf"{_CN}\s*{_SEP}\s*")),
    ("paren_arabic", re.compile(r"[（(]\s*\d{1,2}\s*[）)]\s*(?:[、，,．.]\s*)?")),
    ("arabic", re.compile(r"\d{1,2}\s*(?:[、．]|\.(?!\d)|[)）](?!\d))\s*")),
    ("circled", re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
)

_CN_VALUES = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def match_marker(line: str) -> tuple[str, str] | None:
    """Return ``(kind, marker_text)`` when ``line`` starts with a numbering marker.

    Examples
    --------
    >>> match_marker("（一）经费收入情况")
    ('paren_cn', '（一）')
    >>> match_marker("1.2亿元的投入") is None
    True
    """
    for kind, pat in MARKER_PATTERNS:
        m = pat.match(line)
        if m:
            text = m.group(0)
            rest = line[m.end():]
            if kind == "cn" and text.rstrip().endswith((".", "，", ",", ":", "：")) and rest[:1].isdigit():
                continue
            if kind in ("cn", "di") and not rest:
                continue
            return kind, text.strip()
    return None


def marker_number(marker: str) -> int | None:
    """The ordinal a marker carries (``"（三）" -> 3``, ``"十一、" -> 11``)."""
    digits = re.search(r"\d+", marker)
    if digits:
        return int(digits.group(0))
    circled = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    for i, ch in enumerate(circled):
        if ch in marker:
            return i + 1
    cn = re.search(_CN, marker.replace("第", ""))
    if not cn:
        return None
    return cn_to_int(cn.group(0))


def cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (up to the hundreds) to int."""
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_VALUES:
            cur = _CN_VALUES[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


#: a line that introduces one piece of a compilation: "…篇一", "篇 3", "【篇二】", "第2篇"
REPORT_MARKER = re.compile(
    rf"^(?P<title>.{{0,80}}?)\s*(?:【\s*(?:第\s*)?篇?\s*(?:{_CN}|\d{{1,3}})\s*篇?\s*】|篇\s*(?:{_CN}|\d{{1,3}})|第\s*(?:{_CN}|\d{{1,3}})\s*篇)\s*[:：]?$"
)

#: the title of a compilation page: "…(精选9篇)", "…（通用5篇）", "…大全"
PAGE_TITLE = re.compile(
    rf"[(（【\[][^)）】\]]{{0,8}}(?:{_CN}|\d{{1,3}})\s*篇[^)）】\]]{{0,4}}[)）】\]]\s*$|(?:范文|模板|大全|合集|汇编)(?:\s*[(（][^)）]{{0,10}}[)）])?\s*$"
)

SENTENCE_END = "。！？!?；;…"
CLAUSE_PUNCT = "，、,；;：:—－-"
CLOSERS = "”’」』）)】》"
