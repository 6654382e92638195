"""Load stage: a source file becomes decoded text plus source metadata.

This is one of the few modules that touches files (``load_source``, ``iter_source_paths``);
``decode_bytes``, ``html_to_text`` and ``looks_like_html`` are pure.

Decoding is strict everywhere: bytes are never decoded with ``errors="ignore"`` or
``"replace"``. A file that cannot be read as text raises :class:`~corpus_tools.records.LoadError`
naming the file and the problem, so the orchestrator can record it in the ``errors`` table.

Offsets: ``LoadedSource.text`` is the coordinate system of ``documents.source_start`` and
``source_end``. It is the *decoded* text with the byte-order mark removed and line endings
normalised (``\\r\\n`` and ``\\r`` become ``\\n``); for HTML it is the visible text produced by
:func:`html_to_text`. Offsets are therefore not byte offsets into the raw file.

How the encoding is chosen (:func:`decode_bytes`):

1. a byte-order mark (UTF-32, UTF-8, UTF-16) decides, and is stripped;
2. files containing NUL bytes are only accepted as BOM-less UTF-16/UTF-32;
3. strict UTF-8;
4. otherwise candidates are decoded strictly and the most plausible reading wins. The
   candidates are, in order: the charset the page declares (``<meta charset>``), gb18030
   (the superset of GBK and GB2312, so a GB guess is always read as gb18030), the guess of
   charset-normalizer, and the Big5 family (big5, cp950, big5hkscs). charset-normalizer
   alone is not enough: on short texts it takes GBK for cp949 (Korean) or Big5. Each
   reading is scored by the kind of characters it yields: ASCII, CJK and full-width
   punctuation and the most frequent hanzi count fully, other common hanzi (GB2312 level 1,
   Big5 frequent characters) a little less, letters of other scripts half, rare ideographs
   (what mojibake is made of) little, symbols and controls nothing. Ties go to the earlier
   candidate, so a text too short to tell (two or three hanzi) is read as Simplified rather
   than Big5: the corpus is mostly mainland reports. A best reading below
   ``_MIN_PLAUSIBILITY`` is an error, not text.

Valid UTF-8 is trusted, except when it holds no character from U+0800 up (no hanzi) but
some from U+0180 to U+07FF: a few GBK hanzi can form valid 2-byte UTF-8 by chance, so the
readings are then scored as in step 4.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import charset_normalizer

from .records import LoadedSource, LoadError

if TYPE_CHECKING:  # bs4 loads when a page is HTML, not at start-up (~0.14 s)
    from bs4 import BeautifulSoup
    from bs4.element import Tag

logger = logging.getLogger(__name__)

__all__ = [
    "HTML_SUFFIXES",
    "decode_bytes",
    "html_to_text",
    "iter_source_paths",
    "load_source",
    "looks_like_html",
]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})

# Longest first where one BOM is a prefix of another (UTF-32-LE starts with the UTF-16-LE BOM).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (doc/xls/ppt)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh91AY&SY", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ\x90\x00", "Windows executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"\x00asm", "WebAssembly module"),
    (b"PAR1", "Parquet file"),
)

_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
_BIG5_FAMILY = ("big5", "cp950", "big5hkscs")
# EBCDIC code pages decode any byte to something letter-like; no scraped web page uses them.
_NEVER_GUESS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})

# Below this plausibility the best reading is mojibake rather than text. Measured on sentences
# of the sample pages: right readings score 0.84-1.0 (median 0.91), GBK read as Big5 about
# 0.58, random bytes 0.2-0.5 (those with ASCII controls are caught by the control ratio).
_MIN_PLAUSIBILITY = 0.5
# Share of control characters above which decoded "text" is taken to be binary data.
_MAX_CONTROL_RATIO = 0.05
_COMMON_WEIGHT = 0.8
_RARE_IDEOGRAPH_WEIGHT = 0.2
_OTHER_LETTER_WEIGHT = 0.5
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
# category Cc (C0, DEL, C1) minus the layout controls above; a C-speed count instead of a
# per-character loop
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# The most frequent hanzi of general Chinese (charset-normalizer's list) and of union reports,
# in both scripts. Mojibake is made of common but not of *frequent* characters, so these
# separate a right reading from a wrong one even in a short text.
_FREQUENT_HANZI = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下"
    "自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部"
    "其些主样理心她本前开但因只从想实工职报告活展组织委员党单位企业医院校教育建设管理服务"
    "劳技竞赛先集体全总领导议民"
    "這個們來為國說時會對著過發後裡於種麼經學現當沒動還進樣開從實職報組織員黨單業醫設務勞"
    "競賽體總領導議"
)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# a character of _CONTROL_RE or of _LONE_SURROGATE: most pages have neither, found in one scan
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Any character from U+0800 up: a C-speed search that stops at the first hanzi, where
# max(map(ord, text)) walked the whole text in Python.
_FROM_U0800 = re.compile("[\u0800-\U0010ffff]")
# Pinyin letters from U+0180 up (third tone and ü with tones, ǹ; ɑ and ɡ of pinyin fonts). GBK
# has them all in its pinyin row (A8A1-A8C0), so pinyin glosses such as 醫(yī)院 are common.
_PINYIN_LETTERS = frozenset("ǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǸǹɑɡ")
_NEWLINES = re.compile(r"\r\n?")

_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_HTML_BLOCK_TAG = re.compile(r"<(?:p|div|br)\b[^<>]*>", re.IGNORECASE)
_HTML_SNIFF_CHARS = 4096
_HTML_SNIFF_MIN_TAGS = 3

# Elements whose content is never page text. <header> inside <article>/<main> is kept: in
# HTML5 it is the article's own header and holds its title.
_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
        "iframe", "head", "title", "svg", "canvas", "object", "embed", "audio", "video",
        "select", "button", "textarea", "map",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol",
        "p", "pre", "section", "summary", "table", "ul",
    }
)  # fmt: skip
_ROW_TAGS = frozenset({"tr"})
_CELL_TAGS = frozenset({"td", "th"})
# HTML whitespace plus no-break space (&nbsp;); the ideographic space U+3000 is content.
_HTML_SPACE_RUN = re.compile(r"[ \t\n\r\f\v\u00a0]+")
# Break markers between text pieces: paragraph, <br> (two in a row end the paragraph), and
# a row break that never makes an empty line.
_PARA = object()
_LINE = object()
_ROW = object()


# --------------------------------------------------------------------------- decoding


def decode_bytes(data: bytes, *, source_file: str) -> tuple[str, str]:
    """Decode the raw bytes of a page strictly; return ``(text, encoding_name)``.

    Line endings of the result are normalised to ``\\n`` and the byte-order mark is removed.
    See the module docstring for how the encoding is chosen.

    Raises
    ------
    LoadError
        For an empty file, binary data, or bytes that no candidate encoding decodes to
        plausible text. The message names ``source_file`` and the problem.

    Examples
    --------
    >>> decode_bytes("工会工作报告\\r\\n".encode("gbk"), source_file="a.txt")
    ('工会工作报告\\n', 'gb18030')
    """
    if not data or data.isspace():  # what ``not data.strip()`` says, without copying the file
        raise LoadError(source_file, "empty file" if not data else "empty file (only whitespace)")
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            raise LoadError(source_file, f"binary file (not text): starts like a {kind}")
    text, encoding = _decode_strict(data, source_file)
    _reject_unusable_text(text, source_file, encoding)
    return (_NEWLINES.sub("\n", text) if "\r" in text else text), encoding


def _decode_strict(data: bytes, source_file: str) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(_bom_codec(name)), name
            except UnicodeDecodeError as exc:
                if name.startswith("utf-32"):
                    continue  # may be a UTF-16-LE BOM followed by U+0000; try that reading
                raise LoadError(
                    source_file,
                    f"not decodable as text: has a {name} byte-order mark but {exc.reason} "
                    f"at byte {exc.start + len(bom)}",
                ) from None

    if b"\x00" in data:
        return _decode_wide_without_bom(data, source_file)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _is_truncated_utf8(data, exc):
            raise LoadError(
                source_file,
                f"truncated UTF-8: the last {len(data) - exc.start} byte(s) are an incomplete "
                f"multi-byte character (byte offset {exc.start}); the file was probably cut off",
            ) from None
        _reject_encoded_surrogates(data, exc, source_file)
        utf8_failure = f"utf-8 ({exc.reason} at byte {exc.start})"
        return _decode_best_candidate(data, source_file, _candidate_encodings(data), [utf8_failure])
    if _is_suspicious_utf8(text):
        readings, _ = _strict_readings(data, _candidate_encodings(data))
        best = _most_plausible([(text, "utf-8"), *readings])
        if best is not None and best[1] != "utf-8" and best[2] >= _MIN_PLAUSIBILITY:
            return best[0], best[1]
    return text, "utf-8"


def _is_suspicious_utf8(text: str) -> bool:
    """Valid UTF-8 that may be a few GBK/Big5 hanzi forming 2-byte UTF-8 sequences by chance.

    Chinese in UTF-8 takes three bytes per hanzi, so a text with any character from U+0800 up
    is certainly UTF-8. Without one, characters from U+0180 to U+07FF (Latin Extended-B, IPA,
    combining marks, Greek, Cyrillic, Hebrew, Arabic) in a Chinese corpus more likely mean
    GB bytes (``同时`` in GBK reads ``ͬʱ``); both readings are then scored. Western European
    letters (``café``, up to U+017F) and the pinyin tone letters of Latin Extended-B (``ǎ ǐ ǒ
    ǔ ǚ``, in a pinyin-only line such as ``Gōnghuì gōngzuò bàogào``) are left alone: GBK bytes
    that form only those are a handful of rare extension hanzi, never a real page.
    """
    if text.isascii():
        return False
    if _FROM_U0800.search(text):
        return False
    return any(0x180 <= ord(ch) < 0x800 and ch not in _PINYIN_LETTERS for ch in text)


def _reject_encoded_surrogates(data: bytes, exc: UnicodeDecodeError, source_file: str) -> None:
    """UTF-8 that is only invalid because it encodes UTF-16 surrogates (bytes ED A0-BF xx).

    CESU-8 and WTF-8 writers (Java's modified UTF-8, JavaScript strings with unpaired
    surrogates) produce these; GB or Big5 readings of such a page are mojibake, so say what
    the bytes are instead of listing every failed candidate.
    """
    lead = data[exc.start : exc.start + 2]
    if len(lead) < 2 or lead[0] != 0xED or not 0xA0 <= lead[1] <= 0xBF:
        return
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return  # other damage too: let the candidates be tried and reported
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate is None:  # pragma: no cover - the strict decode failed on one
        return
    i = surrogate.start()
    pair = text[i : i + 2]
    if len(pair) == 2 and "\ud800" <= pair[0] <= "\udbff" and "\udc00" <= pair[1] <= "\udfff":
        what = f"the surrogate pair U+{ord(pair[0]):04X} U+{ord(pair[1]):04X} one by one (CESU-8)"
    else:
        what = f"a lone surrogate U+{ord(pair[0]):04X} (WTF-8/CESU-8)"
    raise LoadError(
        source_file,
        f"not decodable as text: the UTF-8 bytes at byte {exc.start} encode {what}, which is not valid UTF-8",
    )


def _bom_codec(name: str) -> str:
    return "utf-8" if name == "utf-8-sig" else name


def _is_truncated_utf8(data: bytes, exc: UnicodeDecodeError) -> bool:
    """UTF-8 that is valid up to an incomplete character at the very end."""
    if exc.reason != "unexpected end of data" or exc.end != len(data):
        return False
    # A multi-byte character before the cut makes it unlikely that these are GBK/Big5 bytes
    # which happen to be valid UTF-8 up to there.
    return not data[: exc.start].isascii()


def _decode_wide_without_bom(data: bytes, source_file: str) -> tuple[str, str]:
    """NUL bytes are only text in UTF-16/UTF-32; anything else with NULs is binary."""
    candidates = ["utf-16-le", "utf-16-be"]
    if len(data) % 4 == 0:
        candidates += ["utf-32-le", "utf-32-be"]
    readings, _ = _strict_readings(data, candidates)
    best = _most_plausible(readings)
    if best is not None:
        text, encoding, score = best
        if score >= _MIN_PLAUSIBILITY and _control_ratio(text) <= _MAX_CONTROL_RATIO:
            return text, encoding
    for encoding in ("utf-16-le", "utf-16-be"):
        # Text in UTF-16 except for an unpaired surrogate: say so rather than "binary".
        try:
            text = data.decode(encoding, "surrogatepass")
        except UnicodeDecodeError:
            continue
        surrogate = _LONE_SURROGATE.search(text)
        if (
            surrogate
            and _plausibility(text) >= _MIN_PLAUSIBILITY
            and _control_ratio(text) <= _MAX_CONTROL_RATIO
        ):
            raise LoadError(
                source_file,
                f"not decodable as text: reads as {encoding} but has a lone surrogate "
                f"U+{ord(surrogate.group()):04X} at byte "
                f"{len(text[: surrogate.start()].encode(encoding, 'surrogatepass'))}",
            )
    raise LoadError(
        source_file,
        f"binary file (not text): contains {data.count(0)} NUL byte(s) and does not read as "
        "UTF-16 or UTF-32 text",
    )


def _candidate_encodings(data: bytes) -> list[str]:
    names: list[str] = []
    declared = _DECLARED_CHARSET.search(data, 0, 4096)
    if declared:
        names.append((declared.group(1) or declared.group(2)).decode("ascii"))
    names.append("gb18030")
    match = charset_normalizer.from_bytes(data).best()
    if match is not None:
        if match.encoding in ("utf_16", "utf_32"):
            names += [f"{match.encoding}_le", f"{match.encoding}_be"]
        else:
            names.append(match.encoding)
    names += _BIG5_FAMILY

    candidates: list[str] = []
    for name in names:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec in _GB_FAMILY:
            codec = "gb18030"  # superset of GBK and GB2312
        if codec not in candidates and codec != "utf-8" and codec not in _NEVER_GUESS:
            candidates.append(codec)
    return candidates


def _decode_best_candidate(
    data: bytes, source_file: str, candidates: list[str], failures: list[str]
) -> tuple[str, str]:
    readings, more_failures = _strict_readings(data, candidates)
    failures = failures + more_failures
    best = _most_plausible(readings)
    if best is None:
        _reject_truncated_multibyte(data, source_file, candidates)
        raise LoadError(source_file, "not decodable as text: tried " + ", ".join(failures))
    text, encoding, score = best
    if score < _MIN_PLAUSIBILITY:
        tried = ", ".join([*failures, *(enc for _, enc in readings)])
        raise LoadError(
            source_file,
            f"not decodable as text: tried {tried}; the best reading ({encoding}) is mostly "
            f"rare or non-text characters (plausibility {score:.2f})",
        )
    logger.debug("%s: decoded as %s (plausibility %.2f)", source_file, encoding, score)
    return text.removeprefix("\ufeff"), encoding


def _reject_truncated_multibyte(data: bytes, source_file: str, candidates: list[str]) -> None:
    """A GB/Big5 page that is plausible text up to an incomplete character at the very end."""
    for encoding in candidates:
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.reason != "incomplete multibyte sequence" or exc.end != len(data):
                continue
            try:
                head = data[: exc.start].decode(encoding)
            except UnicodeDecodeError:
                continue
            if head.isascii() or _plausibility(head) < _MIN_PLAUSIBILITY:
                continue
            raise LoadError(
                source_file,
                f"truncated {encoding}: the last {len(data) - exc.start} byte(s) are an incomplete "
                f"multi-byte character (byte offset {exc.start}); the file was probably cut off",
            ) from None


def _strict_readings(data: bytes, encodings: Iterable[str]) -> tuple[list[tuple[str, str]], list[str]]:
    readings: list[tuple[str, str]] = []
    failures: list[str] = []
    for encoding in encodings:
        try:
            readings.append((data.decode(encoding), encoding))
        except UnicodeDecodeError as exc:
            failures.append(f"{encoding} ({exc.reason} at byte {exc.start})")
    return readings, failures


def _most_plausible(readings: list[tuple[str, str]]) -> tuple[str, str, float] | None:
    best: tuple[str, str, float] | None = None
    for text, encoding in readings:
        score = _plausibility(text)
        if best is None or score > best[2]:  # strict: ties keep the earlier candidate
            best = (text, encoding, score)
    return best


def _plausibility(text: str) -> float:
    """Weighted share of characters one expects in a Chinese (or at least real) text."""
    if not text:
        return 0.0
    plain, common = _plain_characters(), _common_characters()
    total = 0.0
    for ch in text:
        if ch in plain:
            total += 1.0
            continue
        if ch in common:
            total += _COMMON_WEIGHT
            continue
        if unicodedata.category(ch)[0] not in "LNM":
            continue
        if _is_ideograph(ch):
            total += _RARE_IDEOGRAPH_WEIGHT
        else:
            total += _OTHER_LETTER_WEIGHT
    return total / len(text)


def _is_ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK") or 0x20000 <= ord(ch) <= 0x3FFFF


@cache
def _plain_characters() -> frozenset[str]:
    """ASCII, CJK and full-width punctuation, and the most frequent hanzi: they count fully."""
    chars: set[str] = set(chr(i) for i in range(0x20, 0x7F)) | set("\t\n\r\f\u00a0\ufeff")
    chars.update(chr(i) for i in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(i) for i in range(0xFF01, 0xFF66))  # full-width forms
    chars.update(chr(i) for i in range(0x2010, 0x2040))  # dashes, quotes “”, ……, ‰
    return frozenset(chars | _FREQUENT_HANZI)


@cache
def _common_characters() -> frozenset[str]:
    """Common hanzi and symbols of Chinese text; built once per process from the codec tables.

    GB2312 level 1 (rows 0xB0-0xD7) holds the 3,755 most frequent Simplified hanzi; Big5
    0xA440-0xC67E holds the 5,401 frequent Traditional ones.
    """
    chars: set[str] = set()
    chars.update(chr(i) for i in range(0x2160, 0x217C))  # Roman numerals Ⅰ Ⅱ
    chars.update(chr(i) for i in range(0x2460, 0x249C))  # ① ⑴ ⒈
    chars.update("·×÷±°¥§№℃□■○●◎◇◆△▲☆★→←↑↓")
    chars.update(_decode_each(range(0xB0, 0xD8), range(0xA1, 0xFF), "gb2312"))
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    chars.update(_decode_each(range(0xA4, 0xC6), big5_trails, "big5"))
    chars.update(_decode_each([0xC6], range(0x40, 0x7F), "big5"))  # C6A1- is kana, not hanzi
    return frozenset(chars)


def _decode_each(leads: Iterable[int], trails: Iterable[int], encoding: str) -> set[str]:
    trails = list(trails)
    out: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                out.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return out


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL_RE.findall(text)) / len(text)


def _reject_unusable_text(text: str, source_file: str, encoding: str) -> None:
    if not text or text.isspace():
        raise LoadError(source_file, f"empty file (only whitespace after decoding as {encoding})")
    if "\x00" in text:
        raise LoadError(source_file, f"binary file (not text): NUL characters after decoding as {encoding}")
    if not _CONTROL_OR_SURROGATE.search(text):
        return  # the usual page: one scan instead of the two below
    ratio = _control_ratio(text)
    if ratio > _MAX_CONTROL_RATIO:
        raise LoadError(
            source_file,
            f"binary file (not text): {ratio:.0%} of the characters are control characters "
            f"(decoded as {encoding})",
        )
    surrogate = _LONE_SURROGATE.search(text)
    if surrogate:
        raise LoadError(
            source_file,
            f"not decodable as text: decoding as {encoding} gives a lone surrogate "
            f"U+{ord(surrogate.group()):04X} at character {surrogate.start()}",
        )


# --------------------------------------------------------------------------- HTML


def looks_like_html(text: str, suffix: str) -> bool:
    """Whether a decoded page is HTML: by file suffix, or by sniffing its beginning.

    Examples
    --------
    >>> looks_like_html("工会工作报告", ".HTM")
    True
    >>> looks_like_html("<!DOCTYPE html><html><body>…", ".txt")
    True
    >>> looks_like_html("# 工会工作报告\\n\\n20xx年，……", ".txt")
    False
    """
    if suffix.lower() in HTML_SUFFIXES:
        return True
    head = text[:_HTML_SNIFF_CHARS].lstrip("\ufeff")
    if _HTML_START.match(head):
        return True
    return len(_HTML_BLOCK_TAG.findall(head)) >= _HTML_SNIFF_MIN_TAGS


def html_to_text(html: str) -> str:
    """Reduce an HTML page to its visible text, paragraphs separated by blank lines.

    Scripts, styles, navigation, page header/footer, asides, forms, iframes and comments are
    dropped. Block elements (p, div, h1-h6, li, section, article, table, …) become paragraphs,
    ``<br>`` a line break (two in a row a paragraph break), table rows lines and cells are
    separated by a space. Runs of HTML whitespace collapse to one space, and a line break in
    the markup between two CJK characters disappears (as browsers render it). Entities are
    unescaped; characters are otherwise untouched (no NFKC: full-width punctuation stays).

    Examples
    --------
    >>> html_to_text("<h1>工会工作报告</h1><script>alert(1)</script><p>一、工作回顾<br>二、问题</p>")
    '工会工作报告\\n\\n一、工作回顾\\n二、问题'
    """
    from bs4 import BeautifulSoup, FeatureNotFound

    try:
        soup = BeautifulSoup(html, "lxml")
    except FeatureNotFound:  # lxml missing: the standard-library parser is slower but fine
        soup = BeautifulSoup(html, "html.parser")
    return _assemble(_flatten(soup))


def _flatten(soup: BeautifulSoup) -> list[object]:
    """Walk the tree (iteratively: scraped pages can nest deeper than the recursion limit)."""
    from bs4.element import NavigableString, PreformattedString, Tag

    parts: list[object] = []
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(soup.contents)]
    while stack:
        node, in_pre = stack.pop()
        if node is _PARA or node is _LINE or node is _ROW:
            parts.append(node)
        elif isinstance(node, NavigableString):
            # Comments, CDATA, doctype and processing instructions are not visible text.
            if not isinstance(node, PreformattedString):
                parts.extend(_split_pre(str(node)) if in_pre else [str(node)])
        elif isinstance(node, Tag):
            name = (node.name or "").lower()
            if name in _DROP_TAGS and not _is_article_header(node, name):
                continue
            if name == "br":
                parts.append(_LINE)
                continue
            in_pre = in_pre or name == "pre"
            children = [(child, in_pre) for child in node.contents]
            if name in _BLOCK_TAGS:
                stack.append((_PARA, False))
                stack.extend(reversed(children))
                parts.append(_PARA)
            elif name in _ROW_TAGS:
                stack.append((_ROW, False))
                stack.extend(reversed(children))
                parts.append(_ROW)
            else:
                stack.extend(reversed(children))
                if name in _CELL_TAGS:
                    parts.append(" ")
    return parts


def _is_article_header(tag: Tag, name: str) -> bool:
    return name == "header" and tag.find_parent(["article", "main"]) is not None


def _split_pre(text: str) -> list[object]:
    pieces: list[object] = []
    for i, line in enumerate(_NEWLINES.sub("\n", text).split("\n")):
        if i:
            pieces.append(_LINE)
        pieces.append(line)
    return pieces


def _assemble(parts: list[object]) -> str:
    paragraphs: list[str] = []
    lines: list[str] = []
    buffer: list[str] = []

    def end_line() -> str:
        line = _collapse_spaces("".join(buffer))
        buffer.clear()
        if line:
            lines.append(line)
        return line

    def end_paragraph() -> None:
        end_line()
        if lines:
            paragraphs.append("\n".join(lines))
            lines.clear()

    for part in parts:
        if part is _PARA:
            end_paragraph()
        elif part is _LINE:
            if not end_line() and lines:
                end_paragraph()  # an empty line (<br><br>) ends the paragraph
        elif part is _ROW:
            end_line()
        else:
            buffer.append(part)  # type: ignore[arg-type]
    end_paragraph()
    return "\n\n".join(paragraphs)


def _collapse_spaces(text: str) -> str:
    return _HTML_SPACE_RUN.sub(_space_replacement, text).strip(" ")


def _space_replacement(match: re.Match[str]) -> str:
    run = match.group()
    if "\n" in run or "\r" in run:
        text, start, end = match.string, match.start(), match.end()
        if 0 < start and end < len(text) and _is_wide(text[start - 1]) and _is_wide(text[end]):
            return ""  # a source line break inside Chinese text is not a space
    return " "


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# --------------------------------------------------------------------------- files


def load_source(path: Path, root: Path) -> LoadedSource:
    """Read one source file and return it decoded (HTML reduced to its visible text).

    ``source_file`` is ``path`` relative to ``root`` as a POSIX string; ``sha256`` and
    ``n_bytes`` describe the raw bytes.

    Raises
    ------
    LoadError
        When the file cannot be read (vanished, unreadable, a directory), is empty or binary,
        or cannot be decoded. ``ValueError`` when ``path`` is not under ``root`` (a caller bug).

    Examples
    --------
    >>> src = load_source(Path("data/raw/医院/001.html"), Path("data/raw"))  # doctest: +SKIP
    >>> src.source_file, src.encoding, src.is_html  # doctest: +SKIP
    ('医院/001.html', 'gb18030', True)
    """
    path = Path(path)
    source_file = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise LoadError(source_file, _directory_problem(path)) from None
    except OSError as exc:
        raise LoadError(source_file, f"cannot read file: {exc.strerror or exc}") from None
    text, encoding = decode_bytes(data, source_file=source_file)
    is_html = looks_like_html(text, path.suffix)
    if is_html:
        text = html_to_text(text)
        if not text or text.isspace():
            raise LoadError(source_file, "empty page: the HTML has no visible text")
    return LoadedSource(
        source_file=source_file,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
        is_html=is_html,
    )


def _directory_problem(path: Path) -> str:
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return f"cannot read: a directory whose contents cannot be listed ({exc.strerror or exc})"
    return "cannot read: is a directory"


def iter_source_paths(root: Path) -> list[Path]:
    """All files under ``root``, recursively, sorted by their relative POSIX path.

    Hidden files and folders (name starting with ".") are skipped. Every other file is
    listed, whatever its suffix: the caller tries each and records the failures. Symlinks
    are followed; a link back to one of its own ancestor folders is not (no loops). Broken
    links and folders that cannot be listed are returned too, so that loading them reports
    the problem instead of the file vanishing silently. FIFOs, sockets and devices are
    skipped (reading them could block).

    Examples
    --------
    >>> [p.name for p in iter_source_paths(Path("data/raw"))]  # doctest: +SKIP
    ['000_4b27597311967f95.txt', '001_ea8d174b914c7aa7.txt']
    """
    root = Path(root)
    if not root.is_dir():
        raise LoadError(root.as_posix(), "input folder not found (or not a folder)")
    found: list[Path] = []
    stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [(root, frozenset())]
    while stack:
        folder, ancestors = stack.pop()
        try:
            info = folder.stat()
        except OSError:
            found.append(folder)
            continue
        key = (info.st_dev, info.st_ino)
        if key in ancestors:
            logger.debug("not following %s: it links back to one of its ancestors", folder)
            continue
        ancestors = ancestors | {key}
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            found.append(folder)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            entry_path = Path(entry.path)
            try:
                if entry.is_dir():
                    stack.append((entry_path, ancestors))
                elif entry.is_file() or (entry.is_symlink() and not entry_path.exists()):
                    found.append(entry_path)
            except OSError:
                found.append(entry_path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())
