"""Money amounts: every expression of money in a report, normalised to yuan.

Matching and interpreting are kept apart:

* ``AMOUNT_RE`` (matching) finds candidate spans: a number (Arabic ``8721.40`` ``3,000``
  ``3 000``, Chinese ``三万`` ``两百`` ``壹万``, mixed ``4万5千`` ``1.5万亿``, masked ``xx``
  ``20xx`` ``×``, parenthesised ``（6）``) followed by a currency unit (元, 块钱, 美元 …) or
  preceded by a currency sign (￥, ¥, 人民币, RMB), with an optional approximation word
  before it (近, 约, 超过 …).
* ``interpret`` (interpreting) reads the span: value in yuan (None when masked, vague or in
  a foreign currency), approx, masked, and the purpose from the words around it.

Words that decide things live in data files: ``resources/amount_purposes.tsv`` (purpose
words) and ``resources/amount_traps.txt`` (元旦, 元月 … that are not money after a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ._fold import fold
from ._lexicon import SurfaceIndex, parse_rows, read_path, read_resource
from ._text import clause_end, clause_start, guarded, run_start
from .numbers import (
    APPROX_PREFIX_CHARS,
    APPROX_PREFIX_FIRST,
    CN_DIGIT_VALUES,
    NUMBER_CHARS,
    NUMBER_FIRST,
    NUMBER_LEFT_EDGE,
    ParsedNumber,
    parse_number,
    parse_number_cached,
)
from .numbers import APPROX_PREFIX_PATTERN as _PRE
from .numbers import CN_UNIT_CHARS as _CNU
from .numbers import NUMBER_PATTERN as _BODY

__all__ = ["Amount", "AmountLexicon", "AMOUNT_RE", "find_amounts", "default_amount_lexicon"]

_CND = "".join(CN_DIGIT_VALUES)
#: currency units; foreign currencies are found but get no yuan value
_UNIT = r"(?:元|块钱)(?:人民币)?|美元|欧元|英镑|日元|港元|港币|韩元|澳元|卢布"
_SIGN = r"人民币|RMB|rmb|CNY|￥|¥"

#: candidate money spans (see the module docstring); ``interpret`` decides what they mean
AMOUNT_RE = re.compile(
    rf"(?P<sign>{_SIGN})?[ \u00a0]?"
    rf"(?P<pre>{_PRE})?"
    rf"(?P<num>{NUMBER_LEFT_EDGE}{_BODY}"
    rf"|[（(](?:\d+(?:\.\d+)?|[ \u3000_＿xX×]*)[）)][{_CNU}]*"
    rf"|(?<![{_CNU}{_CND}\d])[百佰千仟万萬][余多][{_CNU}]*"
    rf"|(?<=[近上数几逾过约])[百佰千仟万萬亿億]+[余多]?)"
    rf"(?:[ \u00a0]?(?P<unit>{_UNIT}))?"
)
#: ``AMOUNT_RE`` behind what a candidate can start with: a currency sign, the space after a
#: missing one, an approximation word, a number, a parenthesised number or a bare unit (百余元)
_AMOUNTS = guarded(rf"[人RrC￥¥ \u00a0{APPROX_PREFIX_FIRST}{NUMBER_FIRST}（({_CNU}]", AMOUNT_RE.pattern)
#: every character an ``AMOUNT_RE`` match can hold or its lookaheads can test (the inside of
#: a regex character class): a sign, a unit, an approximation word, a number, a parenthesised
#: number or blank
_AMOUNT_CHARS = (rf"{NUMBER_CHARS}{APPROX_PREFIX_CHARS}人民币RMBrmbCNY￥¥元块钱美欧英镑日港韩澳卢布"
                 r"（()）\u3000_＿xX×")
#: a run of ``_AMOUNT_CHARS`` (matched forward from a key, and backward on the reversed text)
_AMOUNT_RUN = re.compile(rf"[{_AMOUNT_CHARS}]*")
#: what every money expression holds: one of its units (元, 块钱, 英镑 …) or signs (人民币, ￥ …);
#: literals only, so that ``re`` skips at C speed to the characters they start with
_MONEY_KEY = re.compile(r"元|块钱|英镑|港币|卢布|人民币|RMB|rmb|CNY|￥|¥")
#: approximation words right after an amount (not part of its span): 7500亿元以上, 1000元左右
_APPROX_AFTER = re.compile(r"左右|以上|上下|之多|有余|以下|以内|许")
_APPROX_PRE = {"约计", "约合", "大约", "将近", "接近", "超过", "不足", "不到", "约", "近", "逾", "超", "上", "过",
               "数", "几"}
#: a Chinese digit that only ends a word (统一, 唯一, 第一 …) is not the start of a number
#: the lower end of a range just before an amount (2000-3000元, 1至2万元)
_RANGE_BEFORE = re.compile(rf"(?<![\d.,])(?P<lo>\d+(?:\.\d+)?|[{_CND}十百千]+)[{_CNU}]?(?:-|－|~|～|—|至|到)$")
_CN_WORD_BEFORE = re.compile(r"(?:统|唯|同|第|之|专|单|划|初|周|星期|万)$")
_FOREIGN = {"美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港元": "HKD", "港币": "HKD",
            "韩元": "KRW", "澳元": "AUD", "卢布": "RUB"}
_USED_FOR = re.compile(r"^[，,]?\s*(?:全部|主要|专门|专项)?(?:用于|用作|作为)")


@dataclass(frozen=True)
class Amount:
    """One money expression; ``text == report_text[start:end]``."""

    start: int
    end: int
    text: str
    value_yuan: float | None
    approx: bool
    masked: bool
    purpose: str | None
    currency: str = "CNY"

    def row(self, section_id: int | None = None) -> dict:
        """The ``amounts`` table row (without ``doc_id``)."""
        return dict(start=self.start, end=self.end, text=self.text, value_yuan=self.value_yuan,
                    approx=self.approx, masked=self.masked, purpose=self.purpose, section_id=section_id)


@dataclass(frozen=True)
class AmountLexicon:
    """Purpose words (surface → purpose) and the 元-words that are not money."""

    purposes: dict[str, str]
    traps: tuple[str, ...]
    purpose_index: SurfaceIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "purpose_index", SurfaceIndex(tuple(self.purposes)))

    @classmethod
    def from_text(cls, purposes: str, traps: str, *, source: str = "<string>") -> AmountLexicon:
        rows = parse_rows(purposes, n_fields=2, source=source)
        return cls({s: (p or s) for s, p in rows}, tuple(r[0] for r in parse_rows(traps, n_fields=1, source=source)))

    @classmethod
    def from_files(cls, purposes_path: str | None = None, traps_path: str | None = None) -> AmountLexicon:
        """The packaged lists, or the researcher's own files where given."""
        p = read_path(purposes_path) if purposes_path else read_resource("amount_purposes.tsv")
        t = read_path(traps_path) if traps_path else read_resource("amount_traps.txt")
        return cls.from_text(p, t, source=str(purposes_path or "amount_purposes.tsv"))


@lru_cache(maxsize=1)
def default_amount_lexicon() -> AmountLexicon:
    """The packaged amount word lists (loaded once per process)."""
    return AmountLexicon.from_files()


# -- interpreting ---------------------------------------------------------------------------

def _is_trap(text: str, m: re.Match[str], lexicon: AmountLexicon) -> bool:
    unit = m.group("unit")
    if unit is None:
        return m.group("sign") is None  # a bare number is not money
    if unit.startswith("元") and m.end("unit") - m.start("unit") == 1:
        if text.startswith(tuple(lexicon.traps), m.start("unit")):  # any of them
            return True
    num = m.group("num")
    if num[0] in CN_DIGIT_VALUES and not m.group("pre") and not m.group("sign"):
        if _CN_WORD_BEFORE.search(text, 0, m.start("num")):
            return True
    return False


def _purpose(text: str, start: int, end: int, lexicon: AmountLexicon) -> str | None:
    """The purpose word nearest before the amount in its clause, else one after 用于."""
    lo = clause_start(text, start, limit=30)
    best: tuple[int, int, str] | None = None
    for s, e, surface in lexicon.purpose_index.ends_before(text, start, lo):
        # nearest end wins; at the same end, the longest surface
        if best is None or (e, e - s) > (best[1], best[1] - best[0]):
            best = (s, e, surface)
    if best is not None:
        return lexicon.purposes[best[2]]
    after = text[end:clause_end(text, end + 1, limit=30)]
    m = _USED_FOR.match(after)
    if m:
        hits = lexicon.purpose_index.find_all(after, m.end())
        if hits:
            return lexicon.purposes[hits[0][2]]
    return None


def interpret(text: str, m: re.Match[str], lexicon: AmountLexicon) -> Amount | None:
    """Turn a candidate match into an ``Amount`` (None when it is not money after all)."""
    if _is_trap(text, m, lexicon):
        return None
    start = m.start("sign") if m.group("sign") else (m.start("pre") if m.group("pre") else m.start("num"))
    end = m.end()
    pre = m.group("pre") or ""
    num = m.group("num")
    if num[0] in "（(" and not any(c.isdigit() for c in num):
        parsed = ParsedNumber(None, False, True)  # a blank to fill in: （  ）万元
    else:
        try:
            parsed = parse_number_cached((pre if pre in ("数", "几") else "") + num)
        except ValueError:
            return None
    if parsed.value is not None and parsed.value == 0 and not parsed.masked:
        return None
    unit = m.group("unit") or ""
    currency = _FOREIGN.get(unit, "CNY")
    approx = parsed.approx or pre in _APPROX_PRE or bool(_APPROX_AFTER.match(text, end))
    value = parsed.value
    if not m.group("sign") and not pre:
        rng = _RANGE_BEFORE.search(text, max(0, start - 12), start)
        if rng:
            # a range is one amount: its lower end, approximate (1-2万元 → 10000)
            low = _range_low(rng.group(0), num)
            if low is not None and value is not None and low < value:
                start, value, approx = rng.start(), low, True
    if currency != "CNY":
        value = None
    return Amount(start, end, text[start:end], value, approx, parsed.masked, _purpose(text, start, end, lexicon),
                  currency)


def _range_low(before: str, upper: str) -> float | None:
    """The lower end of 2000-3000元 or 1-2万元 (the upper end's multiplier applies to both)."""
    low = re.sub(r"(?:-|－|~|～|—|至|到)$", "", before)
    try:
        parsed = parse_number(low)
    except ValueError:
        return None
    if parsed.value is None:
        return None
    if low[-1] in _CNU:
        return parsed.value
    mult = re.search(rf"[{_CNU}]+$", upper.rstrip("余多"))
    if mult:
        return parse_number(low + mult.group(0)).value
    return parsed.value


def find_amounts(text: str, *, lexicon: AmountLexicon | None = None) -> list[Amount]:
    """Find every money expression in ``text``, in text order.

    Parameters
    ----------
    text
        A report's text (``documents.text``).
    lexicon
        Purpose words and 元-traps; the packaged lists when None.

    Returns
    -------
    list[Amount]
        ``value_yuan`` is None for masked digits (xx万元), vague numbers (数万元) and foreign
        currencies; ``approx`` marks 余/多/近/约/超过/左右/以上 …

    Examples
    --------
    >>> [(a.text, a.value_yuan, a.approx) for a in find_amounts("发放奖金10万余元，元旦慰问两百元人民币。")]
    [('10万余元', 100000.0, True), ('两百元人民币', 200.0, False)]
    >>> [(a.text, a.value_yuan, a.masked) for a in find_amounts("对口捐助x万元，组织10万人参加")]
    [('x万元', None, True)]
    """
    lexicon = lexicon or default_amount_lexicon()
    folded = fold(text)
    out = []
    for m in _money_candidates(folded):
        a = interpret(folded, m, lexicon)
        if a is not None:
            # its text is that of the folded text: the text as written unless something was folded
            out.append(a if folded is text else replace(a, text=text[a.start:a.end]))
    return out


def _money_candidates(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_AMOUNTS.finditer(text)`` that have a unit or a sign, in text order.

    A match without either is a bare number (统一, 一些 …), which ``interpret`` rejects; they
    are about thirty times as many as the money ones, and looping over them in Python cost more
    than the scan. A match holds only ``_AMOUNT_CHARS`` and its lookaheads test only those, so
    a character outside them ends every match before it: the runs between such characters can
    be scanned each on its own (from the run's start, with the text ending at its end) and
    give the whole-text scan's matches. Only runs holding a unit or a sign (``_MONEY_KEY``)
    can give a money match, and those are few and short.
    """
    reverse = None  # the text reversed, to find where a run starts (made on the first key)
    scanned = 0  # the end of the last run scanned
    for key in _MONEY_KEY.finditer(text):
        at = key.start()
        if at < scanned:
            continue  # in the run just scanned
        if reverse is None:
            reverse = text[::-1]
        lo = run_start(_AMOUNT_RUN, text, reverse, at)
        scanned = _AMOUNT_RUN.match(text, at).end()
        for m in _AMOUNTS.finditer(text, lo, scanned):
            if m.start("unit") >= 0 or m.start("sign") >= 0:
                yield m

