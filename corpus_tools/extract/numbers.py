"""Numbers as written in Chinese reports: Arabic, Chinese, financial and mixed forms.

``parse_number`` reads the number part of a span that a matcher has already found
(``4万5千``, ``1.5万亿``, ``两百``, ``140余万``, ``3,000.00``). It never scans free text: a
text-wide numeral transform (cn2an's ``transform``) turns ordinary words such as 统一 into
digits, so conversion happens only inside a span.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["ParsedNumber", "parse_number", "parse_number_cached", "MASK_CHARS", "CN_DIGIT_VALUES", "CN_UNIT_VALUES", "NUMBER_PATTERN",
           "APPROX_PREFIX_PATTERN", "CN_UNIT_CHARS", "NUMBER_LEFT_EDGE", "NUMBER_FIRST", "NUMBER_CHARS",
           "APPROX_PREFIX_FIRST", "APPROX_PREFIX_CHARS"]

#: characters that stand for anonymised digits (xx万元, ×元, 20__年, ***)
MASK_CHARS = "xX×ｘＸ*＊_＿"

CN_DIGIT_VALUES = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
#: small units multiply the digit before them; 万 and 亿 multiply everything before them
CN_UNIT_VALUES = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
                  "万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
#: words inside a number that make it approximate (140余万, 30多万, 十几万)
APPROX_INFIXES = "余多几"

_MASK = r"[xX×ｘＸ*＊_＿]"
_ARNUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:[ \u00a0\u2009]\d{{3}})+|\d+)(?:[.．](?:\d+|{_MASK}+))?(?![\d])"
_CND = "零〇○一壹二贰两三叁四肆五伍六陆七柒八捌九玖"
CN_UNIT_CHARS = "十拾百佰千仟万萬亿億"
# every atom is maximal (no digit run can be split two ways), which keeps matching linear
_ATOM = rf"(?:{_ARNUM}|[{_CND}]+(?![{_CND}])|{_MASK}+(?:[.．](?:\d+|{_MASK}+))?(?![xX×ｘＸ*＊_＿\d]))"
#: a number as written (regex source): starts with a digit, a Chinese digit, a mask or 十, and
#: goes on with digits, units and the infixes 余/多/几 (8721.40, 3,000, 3 000, 4万5千, 140余万,
#: 十几万, 七千多, 20xx). Callers add the left boundary and what must follow.
NUMBER_PATTERN = rf"(?:{_ATOM}|[十拾])(?:{_ATOM}|[{CN_UNIT_CHARS}]|[余多几])*"
#: every character ``NUMBER_PATTERN`` can start with (the inside of a regex character class)
NUMBER_FIRST = rf"\d{_CND}xX×ｘＸ*＊_＿十拾"
#: every character ``NUMBER_PATTERN`` can hold (the inside of a regex character class)
NUMBER_CHARS = rf"{NUMBER_FIRST},.． \u00a0\u2009{CN_UNIT_CHARS}余多几"
#: what may not come right before a number's first character (it would be inside another number)
NUMBER_LEFT_EDGE = rf"(?<![\d.,A-Za-z{_CND}xX×ｘＸ*＊_＿])"
#: approximation words glued before a number (regex source); 上/数/几/过 only before a bare
#: unit (上万, 数十万)
APPROX_PREFIX_PATTERN = (r"约计|约合|大约|将近|接近|超过|不足|不到|约|近|逾|超|"
                         rf"(?:上|数|几|过)(?=[{CN_UNIT_CHARS}])")
#: every character ``APPROX_PREFIX_PATTERN`` can start with (the inside of a regex character class)
APPROX_PREFIX_FIRST = "约大将接超不近逾上数几过"
#: every character ``APPROX_PREFIX_PATTERN`` can hold (the inside of a regex character class)
APPROX_PREFIX_CHARS = "约计合大将近接超过不足到逾上数几"
#: words that make a number vague rather than approximate (数万, 几十万): no value
VAGUE_PREFIXES = ("数", "几")


@dataclass(frozen=True)
class ParsedNumber:
    """What a number expression says: its value (None when masked or vague), and flags."""

    value: float | None
    approx: bool
    masked: bool


def _arabic(chunk: str) -> float:
    cleaned = unicodedata.normalize("NFKC", chunk)
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u00a0", "").replace("\u2009", "")
    cleaned = cleaned.replace("·", ".")
    return float(cleaned)


def _tokens(s: str) -> list[tuple[str, float | str]]:
    """Split a number expression into ('num', value) and ('unit', char) / ('approx', char)."""
    out: list[tuple[str, float | str]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch.isdigit():
            j = i
            while j < n and (s[j].isdigit() or (s[j] in ",.．·  \u2009" and j + 1 < n and s[j + 1].isdigit())):
                j += 1
            out.append(("num", _arabic(s[i:j].replace("．", "."))))
            i = j
        elif ch in CN_DIGIT_VALUES:
            # a run of bare Chinese digits is positional (二〇一三 = 2013); a leading 零 only
            # holds a place between units (一百零五), which the caller must know
            j = i
            while j < n and s[j] in CN_DIGIT_VALUES:
                j += 1
            run = s[i:j]
            digits = run.lstrip("零〇○Ｏ") if j < n or i > 0 else run
            if len(digits) < len(run) and i > 0:
                out.append(("zero", 0.0))
            if digits:
                out.append(("num", float("".join(str(CN_DIGIT_VALUES[c]) for c in digits))))
            elif i == 0:
                out.append(("num", 0.0))
            i = j
        elif ch in CN_UNIT_VALUES:
            out.append(("unit", ch))
            i += 1
        elif ch in APPROX_INFIXES:
            out.append(("approx", ch))
            i += 1
        elif ch in "（()）":
            i += 1
        else:
            raise ValueError(f"not a number: {s!r}")
    return out


def parse_number(s: str) -> ParsedNumber:
    """Read a number expression as it occurs inside a found money or count span.

    Parameters
    ----------
    s
        The number part only, e.g. ``"4万5千"``, ``"1.5万亿"``, ``"140余万"``, ``"两百"``,
        ``"3,000.00"``, ``"（6）万"``, ``"xx万"``.

    Returns
    -------
    ParsedNumber
        ``value`` is None when digits are anonymised (``masked``) or the number is vague (数万).

    Examples
    --------
    >>> parse_number("4万5千")
    ParsedNumber(value=45000.0, approx=False, masked=False)
    >>> parse_number("140余万")
    ParsedNumber(value=1400000.0, approx=True, masked=False)
    >>> parse_number("xx万").masked
    True
    """
    if any(c in MASK_CHARS for c in s):
        return ParsedNumber(None, any(c in APPROX_INFIXES for c in s), True)
    if s.startswith(VAGUE_PREFIXES):
        return ParsedNumber(None, True, False)
    tokens = _tokens(s)
    approx = any(kind == "approx" for kind, _ in tokens)
    total = 0.0      # everything already multiplied by 亿
    section = 0.0    # everything already multiplied by 万 (below 亿)
    current = 0.0    # thousands, hundreds and tens below 万
    digit: float | None = None
    last_unit = 0
    seen_number = False
    for kind, val in tokens:
        if kind == "zero":
            continue
        if kind == "num":
            digit = float(val)
            seen_number = True
        elif kind == "unit":
            mult = CN_UNIT_VALUES[str(val)]
            if mult < 10_000:
                current += (digit if digit is not None else 1.0) * mult
            elif mult == 10_000:
                section = (section + current + (digit if digit is not None else 0.0)) * mult
                if section == 0:
                    section = float(mult)
                current = 0.0
            else:  # 亿 multiplies everything before it (1.5万亿 = 1.5e12)
                total = (total + section + current + (digit if digit is not None else 0.0)) * mult
                if total == 0:
                    total = float(mult)
                section = current = 0.0
            digit = None
            last_unit = mult
            seen_number = True
    if digit is not None:
        # 一万五 = 15000, 两千五 = 2500: a Chinese digit right after a unit counts in the next
        # unit down (but not after 零: 一百零五 = 105)
        trailing_cn = len(tokens) > 1 and tokens[-2][0] == "unit" and s[-1] in CN_DIGIT_VALUES
        if trailing_cn and last_unit >= 100:
            step = {100: 10, 1000: 100, 10_000: 1000, 100_000_000: 10_000_000}.get(last_unit, 1)
            digit *= step
        current += digit
    if not seen_number:
        raise ValueError(f"not a number: {s!r}")
    return ParsedNumber(total + section + current, approx, False)


@lru_cache(maxsize=4096)
def parse_number_cached(s: str) -> ParsedNumber:
    """``parse_number(s)``, remembered (a ``ValueError`` is raised again each time).

    The extractors parse every count and amount they find, and a corpus writes the same few
    numbers over and over (5,831 counts in the 5 MB benchmark corpus are 111 distinct
    strings); ``ParsedNumber`` is frozen, so one answer can be handed out many times.

    Examples
    --------
    >>> parse_number_cached("4万5千") == parse_number("4万5千")
    True
    """
    return parse_number(s)
