"""Sector and genre of each report: evidence rules, a scikit-learn layer, and their agreement.

Page titles lie (a page titled 医院工会工作报告 holds school, court and company reports), so every
report is judged by its own text, in two layers:

1. **Rules** (``rule_sector``, ``rule_genre``). The text is first normalised for matching
   (``normalize_for_rules``: full-width forms, Traditional → Simplified script, pinyin glosses such
   as 醫(yī)院, navigation lines, URLs and watermarks removed) while keeping a map back to the
   original offsets. The sector lexicon (``resources/sector_lexicon.tsv``) scores what the report
   says about *its own unit*: an institution noun in unit position (…医院工会, 法院党组, 我公司) counts
   fully, a passing mention of the same noun a little; self-references (我校, 我院 …) count fully,
   and 我院 is given to hospital, court or school by the report's context words (临床/审判/教学);
   words in the opening sentences or the closing signature count more, words inside 在…领导下,
   按照…部署 or 被…授予 spans (superior and awarding bodies) hardly at all. Genre cues
   (``resources/genre_cues.tsv``) are weighted regular expressions, some only valid in the opening.
2. **Model** (``ReportClassifier``): per task, a ``Pipeline`` of ``TfidfVectorizer`` over
   ``Segmenter`` tokens and ``LogisticRegression``, trained on the confident rule labels plus the
   researcher's own labels, predicting every report.

The final label comes from the layer that is more sure; the confidence is high only when the
layers agree (``combine_layers``). Reports below ``LOW_CONFIDENCE`` are listed, not hidden.

Orchestration over stored tables: ``run_classify`` (the ``corpus-tools classify`` command) and
``explain`` (``--explain DOC_ID``).

Examples
--------
>>> lex = load_lexicons()
>>> rule_sector("20xx年，我院工会组织干警开展审判业务竞赛。", lexicons=lex).label
'court'
>>> rule_sector("醫(yī)院工會在院黨委領導下，組織臨床護理技能競賽。", lexicons=lex).label
'hospital'
>>> rule_genre("各位代表：我受工会委员会的委托，向大会作财务工作报告，请予以审议。", lexicons=lex).label
'financial_report'
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import logging
import math
import os
import re
import unicodedata
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .offsets import SpanIndex
from .records import CorpusToolsError
from .regex_literals import needed_literals
from .regex_literals import sre_constants as _sre_c
from .regex_literals import sre_parse as _sre_parse
from .schema import TABLES

__all__ = [
    "GENRES",
    "LOW_CONFIDENCE",
    "MODEL_PATH",
    "SECTORS",
    "ClassificationResult",
    "ClassifyError",
    "ClassifySummary",
    "Evidence",
    "GenreCue",
    "LabelsError",
    "LexiconEntry",
    "LexiconError",
    "Lexicons",
    "NormalizedText",
    "CachedTokenizer",
    "ReportClassifier",
    "RuleDecision",
    "TaskDecision",
    "classify_documents",
    "combine_layers",
    "cross_validate",
    "evidence_table",
    "explain",
    "load_lexicons",
    "load_model",
    "low_confidence_table",
    "normalize_for_rules",
    "read_labels",
    "rule_genre",
    "rule_sector",
    "run_classify",
]

if TYPE_CHECKING:  # pandas loads where a DataFrame is made: ingest's workers never need it
    import pandas as pd

log = logging.getLogger(__name__)

SECTORS = ("hospital", "court", "school", "enterprise", "government", "federation", "other")
GENRES = ("work_report", "work_summary", "work_plan", "financial_report", "reflection", "news", "other")
TASKS = ("sector", "genre")
_LABELS = {"sector": SECTORS, "genre": GENRES}

#: a final confidence below this puts the report in the low_confidence table
LOW_CONFIDENCE = 0.5
#: rule decisions at least this confident become training labels for the model layer
MIN_RULE_CONFIDENCE = 0.5
#: where ``run_classify`` saves the fitted model, relative to the tables folder
MODEL_PATH = Path("models") / "classifier.joblib"
#: tables written by ``run_classify`` besides documents (not yet in corpus_tools.schema)
EVIDENCE_TABLE, LOW_CONFIDENCE_TABLE = "classification_evidence", "low_confidence"
CV_TABLE, CONFUSION_TABLE = "classification_cv", "confusion_matrix"

_RESOURCES = "corpus_tools.resources"
_SECTOR_LEXICON = "sector_lexicon.tsv"
_GENRE_CUES = "genre_cues.tsv"
_TRADITIONAL_CHARS = "sector_traditional_chars.tsv"

# -- weighting of rule evidence (see docs/classification.md) ---------------------------------
#: characters of the opening zone (after salutation lines such as 各位代表：)
OPENING_CHARS = 160
#: closing zone: the last lines, when short (signatures, dates, 谢谢大家)
CLOSING_LINES, CLOSING_LINE_MAX = 3, 40
ZONE_FACTOR = {"opening": 3.0, "body": 1.0, "closing": 2.0}
#: an institution noun outside unit position is a passing mention
MENTION_FACTOR = 0.15
#: evidence inside a 在…领导下 / 按照…部署 / 被…授予 span names another body
SUPERIOR_FACTOR = 0.15
#: a unit name opening its clause may carry a proper-name prefix of at most this many characters
CLAUSE_PREFIX_MAX = 12
#: below this total the report names no recognisable unit: sector "other"
MIN_SECTOR_SCORE = 3.0
#: genre of a report without any genre cue
DEFAULT_GENRE = "work_report"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_LATIN_PY = f"a-zü{_TONED}"

# what follows an institution noun when it names the reporting unit (医院工会, 法院党组, 公司职代会)
_UNIT_SUFFIX_RE = re.compile(
    r"[ \t]*(?:[(（][^()（）\n]{0,12}[)）])?"
    r"(?:工会委员会|分工会|工会|党委|党总支|党支部|党组|党工委|职代会|教代会|职工代表大会|教职工代表大会|机关|行政|领导班子)"
)
# party bodies: inside a 在…领导下 span they are the unit's own leadership, not a superior body
_PARTY_SUFFIX_RE = re.compile(r"[ \t]*(?:党委|党总支|党支部|党组|党工委|行政|领导班子)")
_UNIT_PREFIX = "我本全该"
# spans naming superior or awarding bodies: 在市总工会的领导下, 按照县总工会安排, 被省总工会授予
_SUPERIOR_RES = (
    re.compile(r"(?:在|经|由|请)[^。；！？!?\n]{0,40}?(?:领导|指导|关心|支持|帮助|关怀|部署|带领)"),
    re.compile(r"(?:按照|根据|依照|遵照|落实)[^。；！？!?\n]{0,30}?(?:安排|部署|要求|精神|计划|规定|统一|意见|通知|决定)"),
    re.compile(r"被[^。；！？!?，,\n]{0,30}?(?:授予|评为|表彰|命名|认定)"),
    re.compile(r"(?:得到|受到|获得)了?[^。；！？!?，,\n]{0,20}?(?:表彰|奖励|肯定|好评)"),
    re.compile(r"(?:获得|荣获|获)了?[^。；！？!?\n]{0,30}?(?:称号|荣誉|奖)"),
    re.compile(r"上级工会"),
)
_CLAUSE_BOUNDARIES = "，,。；;：:！!？?\n"
# a prefix with one of these is not a proper name: the unit is an object (参加市总工会…, 向区总工会…)
_NOT_SUBJECT_RE = re.compile(r"[在按根依遵被向对给从经由请跟]|参加|获得|受到|配合|协助|协同|联合")
_SALUTATION_RE = re.compile(r"^\s*(?:各位|尊敬的|亲爱的|同志们|女士们|老师们|大家好)[^。\n]{0,30}$")

# -- normalisation patterns ---------------------------------------------------------------------
_NAV_START_RE = re.compile(
    r"^\s*(?:首页|当前位置|您的位置|您现在的位置|位置[:：]|导航|返回(?:首页|目录|列表|顶部)?\s*$|上一篇|下一篇|上一页|"
    r"下一页|相关(?:文章|推荐|阅读|范文|内容|热词)|热门(?:文章|推荐|搜索|标签)|推荐阅读|猜你喜欢|延伸阅读|"
    r"版权(?:所有|声明)|copyright|免责声明|本文(?:来源|来自|由|地址|链接|标题)|来源[:：]|责任编辑|编辑[:：]|扫一扫|"
    r"扫码|关注(?:我们|公众号|微信)|点击(?:查看|下载|进入|阅读)|分享到|更多(?:精彩|相关|内容|范文)|标签[:：])",
    re.IGNORECASE,
)
_NAV_SEPARATORS_RE = re.compile(r"\s*(?:>|›|»|\||｜|/|·|•|→)\s*")
_SENTENCE_PUNCT_RE = re.compile(r"[，。；！？,;!?]")
_URL_RE = re.compile(
    r"(?:https?://|www\.)[\w./?=&%#:~+-]+|[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|cc|top|vip)(?:/[\w./?=&%#~+-]*)?",
    re.IGNORECASE,
)
# the hint less "://", as a pattern opening with a literal (the engine then only stops at dots):
# whether a text has a hint is whether it has "://" or a match of this
_URL_DOT_HINT_RE = re.compile(r"\.(?:(?<=www\.)|com|cn|net|org|cc|top|vip)", re.IGNORECASE)
_WATERMARK_HINTS = ("来源", "来自", "出自", "转载自", "摘自", "首发", "【", "[")  # one is in every watermark match
_WATERMARK_RE = re.compile(
    r"[【\[]?(?:本文|文章|内容|此文)?(?:来源|来自|出自|转载自|摘自|首发于|首发)[:：]?[^\s，。；,;\n]{0,20}?"
    r"(?:网|网站|文库|平台|公众号)[】\]]?|[【\[][^【】\[\]\n]{1,15}(?:网|文库|范文)[^【】\[\]\n]{0,6}[】\]]"
)
_PINYIN_PAREN_RE = re.compile(rf"(?<=[{_CJK}])\s*\(\s*([{_LATIN_PY}]+(?:[\s'’·-][{_LATIN_PY}]+)*[1-5]?)\s*\)")
_PINYIN_INLINE_RE = re.compile(rf"(?<=[{_CJK}])[a-zü]*[{_TONED}][{_LATIN_PY}]*")
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")  # what _cjk_gaps finds
_GAP_RUN_RE = re.compile(r"[ \t\u3000]+")
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
# every _PINYIN_PAREN_RE match has this; unlike that pattern (which opens with a look-behind) it
# starts with a literal, which the regex engine finds fast
_PINYIN_PAREN_HINT_RE = re.compile(rf"\(\s*[{_LATIN_PY}]")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")


class ClassifyError(CorpusToolsError):
    """Classification could not run (no documents, no saved model, unknown doc_id)."""


class LexiconError(ClassifyError):
    """A lexicon or cue file has a line the classifier cannot use."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class LabelsError(ClassifyError):
    """The researcher's labels file is unreadable or names unknown documents or labels."""


# ==============================================================================================
# Lexicons (data files under corpus_tools/resources)
# ==============================================================================================


@dataclass(frozen=True)
class LexiconEntry:
    """One line of the sector lexicon; ``sectors`` has several entries for ambiguous terms (我院)."""

    term: str
    sectors: tuple[str, ...]
    kind: str
    weight: float


@dataclass(frozen=True)
class GenreCue:
    """One line of the genre cues: a regular expression voting for ``genre`` in ``zone``."""

    genre: str
    zone: str
    weight: float
    pattern: str


_SECTOR_KINDS = ("unit", "strict", "name", "self", "context", "ignore")
_CUE_ZONES = ("opening", "closing", "any")


def _data_lines(text: str) -> Iterable[tuple[int, list[str]]]:
    for lineno, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield lineno, line.split("\t")


def read_sector_lexicon(text: str, *, source: str = "<string>") -> list[LexiconEntry]:
    """Parse sector-lexicon text (``sector<TAB>kind<TAB>weight<TAB>term`` lines, ``#`` comments).

    Every problem is reported at once.

    Examples
    --------
    >>> read_sector_lexicon("hospital\\tunit\\t4\\t医院\\nhospital|court|school\\tself\\t4\\t我院")[1].sectors
    ('hospital', 'court', 'school')
    """
    entries, problems = [], []
    for lineno, cols in _data_lines(text):
        if len(cols) != 4:
            problems.append(f"line {lineno}: expected 4 tab-separated columns, got {len(cols)}")
            continue
        sectors, kind, weight, term = (c.strip() for c in cols)
        secs = tuple(sectors.split("|"))
        bad = [s for s in secs if s not in SECTORS and not (kind == "ignore" and s == "-")]
        if bad:
            problems.append(f"line {lineno}: unknown sector {'|'.join(bad)!r}")
        if kind not in _SECTOR_KINDS:
            problems.append(f"line {lineno}: unknown kind {kind!r} (one of {', '.join(_SECTOR_KINDS)})")
        try:
            w = float(weight)
        except ValueError:
            problems.append(f"line {lineno}: weight {weight!r} is not a number")
            continue
        if not term:
            problems.append(f"line {lineno}: empty term")
            continue
        entries.append(LexiconEntry(term, secs, kind, w))
    if problems:
        raise LexiconError(source, "; ".join(problems))
    return entries


def read_genre_cues(text: str, *, source: str = "<string>") -> list[GenreCue]:
    """Parse genre-cue text (``genre<TAB>zone<TAB>weight<TAB>pattern`` lines, ``#`` comments).

    Examples
    --------
    >>> read_genre_cues("reflection\\tany\\t5\\t心得体会")
    [GenreCue(genre='reflection', zone='any', weight=5.0, pattern='心得体会')]
    """
    cues, problems = [], []
    for lineno, cols in _data_lines(text):
        if len(cols) < 4:
            problems.append(f"line {lineno}: expected 4 tab-separated columns, got {len(cols)}")
            continue
        genre, zone, weight = (c.strip() for c in cols[:3])
        pattern = "\t".join(cols[3:]).strip()
        if genre not in GENRES:
            problems.append(f"line {lineno}: unknown genre {genre!r}")
        if zone not in _CUE_ZONES:
            problems.append(f"line {lineno}: unknown zone {zone!r} (one of {', '.join(_CUE_ZONES)})")
        try:
            w = float(weight)
            re.compile(pattern)
        except ValueError:
            problems.append(f"line {lineno}: weight {weight!r} is not a number")
            continue
        except re.error as exc:
            problems.append(f"line {lineno}: bad pattern {pattern!r}: {exc}")
            continue
        cues.append(GenreCue(genre, zone, w, pattern))
    if problems:
        raise LexiconError(source, "; ".join(problems))
    return cues


def read_char_table(text: str, *, source: str = "<string>") -> dict[str, str]:
    """Parse a ``traditional<TAB>simplified`` character table.

    Examples
    --------
    >>> read_char_table("醫\\t医\\n# comment\\n學\\t学")
    {'醫': '医', '學': '学'}
    """
    table, problems = {}, []
    for lineno, cols in _data_lines(text):
        if len(cols) != 2 or len(cols[0]) != 1 or len(cols[1]) != 1:
            problems.append(f"line {lineno}: expected one character, a tab, one character")
            continue
        table[cols[0]] = cols[1]
    if problems:
        raise LexiconError(source, "; ".join(problems[:10]))
    return table


def _read_resource_or_file(path: str | os.PathLike[str] | None, name: str) -> tuple[str, str]:
    if path is None:
        return (files(_RESOURCES) / name).read_text(encoding="utf-8"), f"{_RESOURCES}/{name}"
    try:
        return Path(path).read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(str(path), f"cannot read: {exc}") from exc


@dataclass(frozen=True)
class Lexicons:
    """The rule layer's data: sector lexicon, genre cues and the Traditional→Simplified table.

    Build it once per process with ``load_lexicons()`` and pass it around; it pickles with the model.
    """

    sector_entries: tuple[LexiconEntry, ...]
    genre_cues: tuple[GenreCue, ...]
    traditional: Mapping[str, str]
    _term_index: dict[str, list[LexiconEntry]] = field(init=False, repr=False, compare=False)
    _term_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _cue_res: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _counted_entries: dict[str, tuple[LexiconEntry, ...]] = field(init=False, repr=False, compare=False)
    _sector_bases: dict[str, float] = field(init=False, repr=False, compare=False)
    _genre_bases: dict[str, float] = field(init=False, repr=False, compare=False)
    _cue_scans: tuple[_Scan, ...] = field(init=False, repr=False, compare=False)
    _cue_filter: _LiteralFilter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[LexiconEntry]] = defaultdict(list)
        for e in self.sector_entries:
            index[e.term].append(e)
        cue_res = tuple(re.compile(c.pattern) for c in self.genre_cues)
        object.__setattr__(self, "_term_index", dict(index))
        object.__setattr__(self, "_term_re", _term_pattern(index))
        object.__setattr__(self, "_cue_res", cue_res)
        object.__setattr__(self, "_counted_entries",
                           {t: tuple(e for e in es if e.kind != "ignore") for t, es in index.items()})
        object.__setattr__(self, "_sector_bases", {e.term: e.weight for e in self.sector_entries})
        object.__setattr__(self, "_genre_bases", {c.pattern: c.weight for c in self.genre_cues})
        scans = tuple(_Scan.of(r) for r in cue_res)
        object.__setattr__(self, "_cue_scans", scans)
        object.__setattr__(self, "_cue_filter", _LiteralFilter([scan.needs for scan in scans]))

    def __repr__(self) -> str:
        return (f"Lexicons({len(self.sector_entries)} sector entries, {len(self.genre_cues)} genre cues, "
                f"{len(self.traditional)} traditional characters)")

    def __reduce__(self):  # rebuild the compiled patterns on unpickling
        return (Lexicons, (self.sector_entries, self.genre_cues, dict(self.traditional)))


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One pattern finding the terms, the longest at each position (人民法院 over 法院, 中心小学 over
    小学), as the alternation of the terms sorted longest first would, but shaped as a trie
    (医(?:院|疗(?:保险)?)…): the regex engine then tries one branch per character instead of
    every term at every position where a term could start."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}  # a term ends here

    def alternation(node: dict[str, dict]) -> str:
        # children start with different characters, so at most one can match: the only choice is
        # to go on or stop where a term ends, and the greedy ? goes on first (longest match)
        branches = [re.escape(ch) + alternation(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return re.compile(alternation(trie) or r"(?!x)x")


@dataclass(frozen=True)
class _Scan:
    """What the rule layer knows of one pattern (a genre cue, a superior-body span), worked out
    from its syntax tree; ``matches`` finds what ``regex.finditer`` finds, often faster.

    ``reach``: the longest a match can be, when the pattern reads nothing past the end of its
    match (no look-ahead, ``$`` or ``\\b``); then the matches starting before offset ``k`` are the
    same in ``text`` and in ``text[:k + reach]``. ``None`` when that is not known.
    ``needs``: groups of literals; every match contains one literal of each group.
    ``starts``: the characters a (never empty) match starts with, when the regex engine cannot
    find them fast itself: it can when the pattern opens with a literal, but with a choice
    (五年来|一年来 …) or a look-behind first it tries the whole pattern at every character.
    """

    regex: re.Pattern[str]
    reach: int | None
    needs: tuple[tuple[str, ...], ...]
    starts: str | None

    @classmethod
    def of(cls, regex: re.Pattern[str]) -> _Scan:
        try:
            tree = _sre_parse.parse(regex.pattern, regex.flags)
        except Exception:  # noqa: BLE001 - a private module: without it, scan plainly
            return cls(regex, None, (), None)
        reach = None
        if _looks_only_behind(tree):
            hi = tree.getwidth()[1]
            reach = hi if hi < 10_000 else None
        if tree.state.flags & re.IGNORECASE:
            return cls(regex, reach, (), None)
        first = _first_chars(tree)
        starts = None
        if first is not None and not first[1] and tree.getwidth()[0] > 0 and tree[0][0] is not _sre_c.LITERAL:
            starts = "".join(sorted(first[0]))
        return cls(regex, reach, tuple(needed_literals(tree)), starts)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """``regex.finditer(text)``, trying the pattern only where a match can start when those
        places are few (found with ``str.find``, which is fast)."""
        candidates = None if self.starts is None else _offsets_of(text, self.starts, len(text) // 32)
        if candidates is None:
            yield from self.regex.finditer(text)
            return
        match, pos = self.regex.match, 0
        for at in candidates:
            if at >= pos:  # finditer goes on after the end of the previous match
                m = match(text, at)
                if m is not None:
                    yield m
                    pos = m.end()  # > at: no match is empty


def _offsets_of(text: str, chars: str, limit: int) -> list[int] | None:
    """The offsets of ``chars`` in ``text`` in order, or ``None`` if there are more than ``limit``."""
    found: list[int] = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            found.append(i)
            if len(found) > limit:
                return None
            i = text.find(c, i + 1)
    if len(chars) > 1:
        found.sort()
    return found


def _first_chars(tree: Any) -> tuple[set[str], bool] | None:
    """The characters a match of a parsed (sub)pattern can start with and whether it can be
    empty; ``None`` when that is not known (any character, a negated set, flags …)."""
    first: set[str] = set()
    for op, av in tree:
        if op is _sre_c.LITERAL:
            return first | {chr(av)}, False
        if op is _sre_c.IN:
            if not all(item_op is _sre_c.LITERAL for item_op, _ in av):
                return None
            return first | {chr(c) for _, c in av}, False
        if op in (_sre_c.AT, _sre_c.ASSERT, _sre_c.ASSERT_NOT):
            continue  # zero width: the first character comes later
        if op is _sre_c.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None
            sub = _first_chars(av[-1])
        elif op is _sre_c.BRANCH:
            subs = [_first_chars(b) for b in av[1]]
            if any(x is None for x in subs):
                return None
            sub = (set().union(*(x[0] for x in subs)), any(x[1] for x in subs))  # type: ignore[index]
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
            inner = _first_chars(av[2])
            sub = None if inner is None else (inner[0], inner[1] or av[0] == 0)
        else:
            return None
        if sub is None:
            return None
        first |= sub[0]
        if not sub[1]:
            return first, False
    return first, True


class _LiteralFilter:
    """Which of several patterns can match a text, from the literals each needs (``_Scan.needs``).

    A literal can only be in a text that has each pair of neighbouring characters of it. One pass
    of table look-ups over the text's code points says which of the pairs of all the literals it
    has; a pattern whose needs are not met then cannot match, and is not scanned. (Looking for
    each literal with ``in`` costs about as much as the scans it would save; one-character
    literals are too common to rule anything out and are not looked for.)
    """

    def __init__(self, needs: Sequence[tuple[tuple[str, ...], ...]]):
        chars = sorted({c for groups in needs for group in groups for lit in group for c in lit})
        self._width = len(chars) + 1  # index 0: a character no literal has
        self._char_index = np.zeros(0x10000, dtype=np.int32)
        for i, c in enumerate(chars, start=1):
            if ord(c) < 0x10000:
                self._char_index[ord(c)] = i
        units: dict[int, int] = {}  # character pair (i * width + j) -> bit

        def bits(lit: str) -> int:
            if any(ord(c) >= 0x10000 for c in lit):
                return 0  # never ruled out
            idx = [int(self._char_index[ord(c)]) for c in lit]
            return sum({1 << units.setdefault(a * self._width + b, len(units)) for a, b in zip(idx, idx[1:], strict=False)})

        # a group with a literal that cannot be ruled out (one character) is always met: left out
        self._needs = [tuple(g for g in (tuple(bits(lit) for lit in group) for group in groups) if all(g))
                       for groups in needs]
        self._unit_of = np.zeros(self._width * self._width, dtype=np.int32)  # pair -> 1 + its bit (0: none)
        for key, bit in units.items():
            self._unit_of[key] = 1 + bit
        self._n_units = len(units)

    def possible(self, text: str) -> list[bool]:
        """Per pattern: whether ``text`` has what it needs (``False``: it cannot match)."""
        if not self._n_units:
            return [True] * len(self._needs)
        idx = self._char_index[np.minimum(_codes(text), 0xFFFF)]
        present = np.zeros(self._n_units + 1, dtype=bool)
        present[self._unit_of[idx[:-1] * self._width + idx[1:]]] = True
        have = int.from_bytes(np.packbits(present[1:], bitorder="little").tobytes(), "little")
        possible = []
        for groups in self._needs:
            ok = True
            for group in groups:
                for lit in group:
                    if lit & have == lit:
                        break
                else:  # no literal of the group is there
                    ok = False
                    break
            possible.append(ok)
        return possible


_AT_START = {_sre_c.AT_BEGINNING, _sre_c.AT_BEGINNING_LINE, _sre_c.AT_BEGINNING_STRING}


def _looks_only_behind(tree: Any) -> bool:
    """Whether a parsed pattern reads nothing after the end of its match (see ``_Scan.reach``)."""
    for op, av in tree:
        if op in (_sre_c.LITERAL, _sre_c.NOT_LITERAL, _sre_c.IN, _sre_c.ANY):
            continue
        if op is _sre_c.AT:
            if av not in _AT_START:
                return False
        elif op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT):
            direction, sub = av
            if direction >= 0 or not _looks_only_behind(sub):
                return False
        elif op is _sre_c.SUBPATTERN:
            if not _looks_only_behind(av[-1]):
                return False
        elif op is _sre_c.BRANCH:
            if not all(_looks_only_behind(b) for b in av[1]):
                return False
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
            if not _looks_only_behind(av[2]):
                return False
        else:  # back-references, atomic groups, anything else: do not guess
            return False
    return True


def load_lexicons(
    sector_lexicon: str | os.PathLike[str] | None = None,
    genre_cues: str | os.PathLike[str] | None = None,
    traditional_chars: str | os.PathLike[str] | None = None,
) -> Lexicons:
    """Load the packaged lexicons, or the given files instead.

    Examples
    --------
    >>> lex = load_lexicons()
    >>> lex.traditional["醫"], any(e.term == "我校" for e in lex.sector_entries)
    ('医', True)
    """
    text, src = _read_resource_or_file(sector_lexicon, _SECTOR_LEXICON)
    entries = read_sector_lexicon(text, source=src)
    text, src = _read_resource_or_file(genre_cues, _GENRE_CUES)
    cues = read_genre_cues(text, source=src)
    text, src = _read_resource_or_file(traditional_chars, _TRADITIONAL_CHARS)
    table = read_char_table(text, source=src)
    return Lexicons(tuple(entries), tuple(cues), table)


# ==============================================================================================
# Normalisation for matching (offsets kept)
# ==============================================================================================


@dataclass(frozen=True)
class NormalizedText:
    """Text rewritten for matching; ``index[i]`` is the original offset of character ``i``."""

    text: str
    index: Sequence[int]
    source_length: int

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalised span ``text[start:end]``."""
        if not self.index:
            return (0, 0)
        if end <= start:
            s = self.index[start] if start < len(self.index) else self.source_length
            return (s, s)
        return (self.index[start], self.index[end - 1] + 1)


def _is_nav_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _NAV_START_RE.match(stripped) and len(stripped) <= 120:
        return True
    if len(stripped) <= 160 and not _SENTENCE_PUNCT_RE.search(stripped):
        parts = [p for p in _NAV_SEPARATORS_RE.split(stripped) if p]
        if len(parts) >= 3 and sum(map(len, parts)) / len(parts) <= 12:
            return True  # breadcrumb / menu: 首页 > 范文 > 工作报告
        items = stripped.split()
        if len(items) >= 4 and sum(map(len, items)) / len(items) <= 10:
            return True  # a row of links: 医院工作总结 学校工作总结 企业工作总结 …
    return False


def normalize_for_rules(text: str, *, traditional: Mapping[str, str]) -> NormalizedText:
    """Rewrite ``text`` for the rules: NFKC, Traditional → Simplified, noise removed; offsets kept.

    Removed: navigation/menu lines, URLs and site watermarks, pinyin glosses (醫(yī)院, 医yī院),
    invisible characters and spaces between Chinese characters (医 院). Placeholders
    (20xx, ***) and line breaks are kept.

    Examples
    --------
    >>> n = normalize_for_rules("本院醫(yī)院工會", traditional={"醫": "医", "會": "会"})
    >>> n.text, n.source_span(2, 4)
    ('本院医院工会', (2, 8))
    """
    # pass 1: NFKC and script conversion; offsets are kept as runs, broken only where a
    # character became several (… → ...) or none
    first, starts, sources = _convert(text, traditional)
    # pass 2: find the spans to drop on the converted text
    drop = bytearray(len(first))

    def mark(start: int, end: int) -> None:
        drop[start:end] = b"\x01" * (end - start)

    pos = 0
    for line in first.split("\n"):
        if _is_nav_line(line):
            mark(pos, pos + len(line))
        pos += len(line) + 1
    # most patterns need a character most reports lack (a toned vowel, an invisible character, a
    # space): one look-up over the text says which are worth running at all
    present = _char_classes(first)
    regexes = []
    if present & _TONED_CLASS:
        regexes.append(_PINYIN_INLINE_RE)
    if present & _INVISIBLE_CLASS:
        regexes.append(_INVISIBLE_RE)
    # the URL and watermark patterns are slow to scan (optional prefixes, runs of word characters):
    # run them only on text holding a piece every match of theirs has
    if "://" in first or ("." in first and _URL_DOT_HINT_RE.search(first)):
        regexes.append(_URL_RE)
    if any(hint in first for hint in _WATERMARK_HINTS):
        regexes.append(_WATERMARK_RE)
    for regex in regexes:
        for m in regex.finditer(first):
            mark(m.start(), m.end())
    if present & _GAP_CLASS:
        for a, b in _cjk_gaps(first):
            mark(a, b)
    if present & _PAREN_CLASS and _PINYIN_PAREN_HINT_RE.search(first):
        for m in _PINYIN_PAREN_RE.finditer(first):
            gloss = m.group(1)
            if gloss == gloss.lower() and re.search(r"[aeiouü" + _TONED + "]", gloss):
                mark(m.start(), m.end())
    index = _RunIndex(starts, sources, len(first))
    if not drop.count(1):
        return NormalizedText(first, index, len(text))
    pieces: list[str] = []
    kept_starts: list[int] = []
    kept_sources: list[int] = []
    n = 0
    for m in re.finditer(rb"\x00+", bytes(drop)):
        a, b = m.start(), m.end()
        pieces.append(first[a:b])
        for run_start, _run_end, source in index.runs_within(a, b):
            kept_starts.append(n + run_start - a)
            kept_sources.append(source)
        n += b - a
    return NormalizedText("".join(pieces), _RunIndex(kept_starts, kept_sources, n), len(text))


def _cjk_gaps(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``_CJK_GAP_RE`` matches (spaces between Chinese characters), found fast.

    That pattern opens with a look-behind, so the regex engine tries it at every character; its
    matches are exactly the maximal runs of spaces with a Chinese character on both sides, and
    runs of spaces alone are quick to find."""
    n = len(text)
    for m in _GAP_RUN_RE.finditer(text):
        a, b = m.span()
        if a and b < n and _CJK_CHAR_RE.match(text, a - 1) and _CJK_CHAR_RE.match(text, b):
            yield a, b


# class bits (_class_of): which characters some pass-2 pattern cannot match without
_TONED_CLASS, _INVISIBLE_CLASS, _GAP_CLASS, _PAREN_CLASS = 1, 2, 4, 8


@functools.lru_cache(maxsize=1)
def _class_of() -> np.ndarray:
    """Per BMP code point, its class bits (built once per process, not at import)."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for chars, bit in ((_TONED, _TONED_CLASS), ("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad", _INVISIBLE_CLASS),
                       (" \t\u3000", _GAP_CLASS), ("(", _PAREN_CLASS)):
        for c in chars:
            table[ord(c)] |= bit
    table.setflags(write=False)
    return table


def _codes(text: str) -> np.ndarray:
    """The code points of ``text`` (lone surrogates included) as an array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _char_classes(text: str) -> int:
    """The ``_class_of`` bits of the characters in ``text`` (characters beyond the BMP have none)."""
    codes = _codes(text)
    if not codes.size:
        return 0
    return int(np.bitwise_or.reduce(_class_of()[np.minimum(codes, 0xFFFF)]))


def _convert(text: str, traditional: Mapping[str, str]) -> tuple[str, list[int], list[int]]:
    """``text`` after NFKC and script conversion, and its offset runs (see ``_RunIndex``).

    When every character stays one character (nearly every report) this is a table look-up over
    the code points; otherwise ``_convert_plain`` does the work and keeps the offsets."""
    table = _CharTable.of(traditional)
    first = table.convert(text)
    if first is None:
        return _convert_plain(text, traditional)
    return first, [0], [0]


def _convert_plain(text: str, traditional: Mapping[str, str]) -> tuple[str, list[int], list[int]]:
    """``_convert`` with ``str.translate``, for any text: per distinct character (cached across
    reports) and applied with one C-speed translate; offsets are kept as runs, broken only where
    a character became several (… → ...) or none."""
    distinct = set(text)
    changed = _char_changes(traditional, distinct)
    table = {c: changed[c] for c in distinct.intersection(changed)}
    first = text.translate(str.maketrans(table)) if table else text
    starts, sources = [0], [0]
    if len(first) != len(text):
        starts, sources = [], []
        grow = "".join(c for c, out in table.items() if len(out) != 1)
        n = prev = 0
        for m in re.finditer(f"[{re.escape(grow)}]", text):
            i = m.start()
            if i > prev:
                starts.append(n)
                sources.append(prev)
                n += i - prev
            for _ in table[m.group()]:  # every output character points at its source character
                starts.append(n)
                sources.append(i)
                n += 1
            prev = i + 1
        if len(text) > prev:
            starts.append(n)
            sources.append(prev)
    return first, starts, sources


class _CharTable:
    """What NFKC plus one Traditional→Simplified table make of each BMP character, as arrays
    indexed by code point, learnt as characters are met. ``str.translate`` with a dict looks up
    every character of a report in Python; this converts a report with a few numpy operations."""

    _tables: dict[int, _CharTable] = {}

    def __init__(self, traditional: Mapping[str, str]):
        self.traditional = traditional
        self.learnt = np.zeros(0x10000, dtype=bool)
        self.single = np.zeros(0x10000, dtype=bool)  # learnt, and becomes exactly one BMP character
        self.target = np.arange(0x10000, dtype=np.uint32)  # that character

    @classmethod
    def of(cls, traditional: Mapping[str, str]) -> _CharTable:
        table = cls._tables.get(id(traditional))
        if table is None or table.traditional is not traditional:
            if len(cls._tables) > 8:
                cls._tables.clear()
            table = cls._tables[id(traditional)] = cls(traditional)
        return table

    def convert(self, text: str) -> str | None:
        """``text`` converted, or ``None`` when a character leaves the BMP or becomes several or none."""
        codes = _codes(text)
        if not codes.size:
            return text
        if int(codes.max()) > 0xFFFF:
            return None
        new = ~self.learnt[codes]
        if new.any():
            self._learn({chr(c) for c in np.unique(codes[new]).tolist()})
        if not self.single[codes].all():
            return None
        out = self.target[codes]
        if np.array_equal(out, codes):
            return text
        return out.tobytes().decode("utf-32-le", "surrogatepass")

    def _learn(self, chars: set[str]) -> None:
        changes = _char_changes(self.traditional, chars)
        for ch in chars:
            out = changes.get(ch, ch)
            if len(out) == 1 and ord(out) <= 0xFFFF:
                self.single[ord(ch)] = True
                self.target[ord(ch)] = ord(out)
            self.learnt[ord(ch)] = True


_CHAR_CHANGES: dict[int, tuple[Mapping[str, str], dict[str, str], set[str]]] = {}


def _char_changes(traditional: Mapping[str, str], chars: set[str]) -> dict[str, str]:
    """Characters that NFKC plus ``traditional`` rewrite, with their rewriting, having learnt
    ``chars``. Kept per process and table: a corpus has a few thousand distinct characters, so
    each is normalised once instead of once per report."""
    entry = _CHAR_CHANGES.get(id(traditional))
    if entry is None or entry[0] is not traditional:
        if len(_CHAR_CHANGES) > 8:
            _CHAR_CHANGES.clear()
        entry = _CHAR_CHANGES[id(traditional)] = (traditional, {}, set())
    _, changes, seen = entry
    for ch in chars - seen:
        out = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out = "".join(traditional.get(c, c) for c in out)
        if out != ch:
            changes[ch] = out
        seen.add(ch)
    return changes


class _RunIndex(Sequence[int]):
    """Source offsets of normalised characters kept as runs of consecutive offsets: run ``k``
    maps ``starts[k] + j`` to ``sources[k] + j``."""

    __slots__ = ("_starts", "_sources", "_length")

    def __init__(self, starts: list[int], sources: list[int], length: int):
        self._starts, self._sources, self._length = starts, sources, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        k = bisect.bisect_right(self._starts, i) - 1
        return self._sources[k] + i - self._starts[k]

    def runs_within(self, a: int, b: int) -> Iterator[tuple[int, int, int]]:
        """``(start, end, source of start)`` of the parts of the runs inside ``[a, b)``."""
        k = bisect.bisect_right(self._starts, a) - 1
        while k < len(self._starts) and self._starts[k] < b:
            run_end = self._starts[k + 1] if k + 1 < len(self._starts) else self._length
            start = max(a, self._starts[k])
            yield start, min(b, run_end), self._sources[k] + start - self._starts[k]
            k += 1

    def __iter__(self):
        ends = self._starts[1:] + [self._length] if self._starts else []
        for start, end, src in zip(self._starts, ends, self._sources, strict=True):
            yield from range(src, src + end - start)


# ==============================================================================================
# Rule layer
# ==============================================================================================


@dataclass(frozen=True)
class Evidence:
    """One piece of rule evidence: a lexicon term or genre cue found in the report.

    ``start``/``end`` are offsets in the report text and ``text == report_text[start:end]``;
    ``weight`` is the base weight times the zone, mention and superior factors.
    """

    task: str
    label: str
    cue: str
    kind: str
    zone: str
    weight: float
    start: int
    end: int
    text: str
    note: str = ""


@dataclass(frozen=True)
class RuleDecision:
    """The rule layer's verdict for one task: label, confidence 0–1, per-label scores, evidence."""

    task: str
    label: str
    confidence: float
    scores: Mapping[str, float]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class _Zones:
    opening: tuple[int, int]
    closing_start: int
    superior: tuple[tuple[int, int], ...]

    def zone(self, start: int) -> str:
        if self.opening[0] <= start < self.opening[1]:
            return "opening"
        if start >= self.closing_start:
            return "closing"
        return "body"

    def in_superior(self, start: int, end: int) -> bool:
        """Whether a superior-body span contains ``[start, end)`` (log time: long pages have many)."""
        index = self.__dict__.get("_index")
        if index is None:
            index = SpanIndex(self.superior)
            object.__setattr__(self, "_index", index)
        return index.contains(start, end)


def _zones(text: str) -> _Zones:
    lines = text.split("\n")
    pos, start = 0, 0
    for line in lines:
        if line.strip() and not _SALUTATION_RE.match(line):
            start = pos
            break
        pos += len(line) + 1
    else:
        start = 0
    closing_start = len(text) + 1
    pos = len(text)
    tail = [ln for ln in lines]
    taken = 0
    for line in reversed(tail):
        pos -= len(line)
        if line.strip():
            if len(line.strip()) > CLOSING_LINE_MAX or taken >= CLOSING_LINES:
                break
            closing_start = pos
            taken += 1
        pos -= 1
    closing_start = max(closing_start, start + OPENING_CHARS)
    superior = tuple((m.start(), m.end()) for scan in _superior_scans() for m in scan.matches(text))
    return _Zones((start, start + OPENING_CHARS), closing_start, superior)


@functools.lru_cache(maxsize=1)
def _superior_scans() -> tuple[_Scan, ...]:
    """``_SUPERIOR_RES`` as scans that only try where a match can start (built once per process)."""
    return tuple(_Scan.of(regex) for regex in _SUPERIOR_RES)


def _squash(total: float, base: float) -> float:
    """Diminishing returns for repeats: one plain occurrence scores ``base``."""
    if total <= 0 or base <= 0:
        return 0.0
    return base * math.log2(1 + total / base)


def _confidence(scores: Mapping[str, float]) -> tuple[str | None, float]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], _order(kv[0])))
    if not ranked or ranked[0][1] <= 0:
        return None, 0.0
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], round((top - second) / (top + 2.0), 4)


def _order(label: str) -> int:
    for labels in _LABELS.values():
        if label in labels:
            return labels.index(label)
    return 99


class _Hit(NamedTuple):
    """One piece of rule evidence as the matchers find it: offsets in the *normalised* text and
    the weight already rounded as ``Evidence.weight`` is. ``rule_labels`` only scores these;
    ``rule_sector``/``rule_genre`` turn them into ``Evidence`` (``_to_evidence``)."""

    label: str
    cue: str
    kind: str
    zone: str
    weight: float
    start: int
    end: int
    note: str = ""


@functools.lru_cache(maxsize=1 << 16)
def _round4(weight: float) -> float:
    """``round(weight, 4)``, remembered: weights are a base weight times a few factors, so there
    are few distinct ones, and ``round`` is slow."""
    return round(weight, 4)


def _to_evidence(norm: NormalizedText, source: str, task: str, hit: _Hit) -> Evidence:
    s, e = norm.source_span(hit.start, hit.end)
    return Evidence(task, hit.label, hit.cue, hit.kind, hit.zone, hit.weight, s, e, source[s:e], hit.note)


def _clause_initial(text: str, start: int) -> bool:
    """Whether a unit name at ``start`` opens its clause (…，街道总工会按照…), i.e. is its subject."""
    window = text[max(0, start - CLAUSE_PREFIX_MAX - 1):start]
    cut = max((window.rfind(ch) for ch in _CLAUSE_BOUNDARIES), default=-1)
    if cut < 0 and start > CLAUSE_PREFIX_MAX:
        return False
    prefix = window[cut + 1:]
    return _NOT_SUBJECT_RE.search(prefix) is None


def _zones_of(norm: NormalizedText) -> _Zones:
    """``_zones(norm.text)``, computed once per normalised text (sector and genre both need it)."""
    zones = norm.__dict__.get("_zones")
    if zones is None:
        zones = norm.__dict__["_zones"] = _zones(norm.text)
    return zones


def _sector_hits(text: str, lexicons: Lexicons, zones: _Zones) -> Iterator[_Hit]:
    """The sector-lexicon terms in normalised ``text``, weighted; an ambiguous self-reference (我院)
    comes as one hit with label ``hospital|court|school`` and kind ``ambiguous``."""
    counted, zone_of = lexicons._counted_entries, zones.zone
    superior_contains = zones.in_superior if zones.superior else None
    for m in lexicons._term_re.finditer(text):
        term = m.group()
        entries = counted[term]
        if not entries:  # an "ignore" term: it absorbs the match and counts nothing
            continue
        start, end = m.span()
        zone = zone_of(start)
        in_superior = superior_contains is not None and superior_contains(start, end)
        # what follows or precedes the term, looked at only when an entry's kind asks
        unit_position = party = None
        for entry in entries:
            kind = entry.kind
            factor = ZONE_FACTOR[zone]
            if kind == "name" and zone == "body" and not _clause_initial(text, start):
                kind, factor = "mention", factor * MENTION_FACTOR
            unit_kind = entry.kind in ("unit", "strict")
            if unit_kind:
                if unit_position is None:
                    # (at offset 0 there is no character before, which counts as unit position)
                    unit_position = (_UNIT_SUFFIX_RE.match(text, end) is not None
                                     or start == 0 or text[start - 1] in _UNIT_PREFIX)
                if not unit_position:
                    if entry.kind == "strict":
                        continue
                    kind, factor = "mention", factor * MENTION_FACTOR
            superior = in_superior
            if superior and unit_kind:
                if party is None:
                    party = _PARTY_SUFFIX_RE.match(text, end) is not None
                superior = not party
            if superior:
                factor *= SUPERIOR_FACTOR
            if len(entry.sectors) == 1:
                label = entry.sectors[0]
            else:
                label, kind = "|".join(entry.sectors), "ambiguous"
            yield _Hit(label, term, kind, "superior" if superior else zone, _round4(entry.weight * factor),
                       start, end)


def _totals(hits: Iterable[_Hit], totals: dict[tuple[str, str, str], float]) -> dict[tuple[str, str, str], float]:
    """Add each hit's weight to its ``(label, cue, kind)`` total, in order."""
    for hit in hits:
        key = (hit.label, hit.cue, hit.kind)
        totals[key] = totals.get(key, 0.0) + hit.weight
    return totals


def _scores(totals: Mapping[tuple[str, str, str], float], bases: Mapping[str, float]) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for (label, cue, kind), total in totals.items():
        base = bases[cue] * (MENTION_FACTOR if kind == "mention" else 1.0)
        scores[label] += _squash(total, base)
    return dict(scores)


def _decide_sector(found: Iterable[_Hit], lexicons: Lexicons) -> tuple[str, float, dict[str, float], list[_Hit]]:
    """``(label, confidence, scores, evidence)`` from the sector hits, ambiguous ones resolved."""
    bases = lexicons._sector_bases
    plain, ambiguous = [], []
    for h in found:
        (ambiguous if h.kind == "ambiguous" else plain).append(h)
    totals = _totals(plain, {})
    # 我院/院工会: hospital, court or college? the report's other evidence decides
    resolved = []
    if ambiguous:
        scores = _scores(totals, bases)
        for h in ambiguous:
            candidates = h.label.split("|")
            best = sorted(candidates, key=lambda c: (-scores.get(c, 0.0), _order(c)))
            if scores.get(best[0], 0.0) > 0 and scores.get(best[0], 0.0) > scores.get(best[1], 0.0):
                resolved.append(h._replace(label=best[0], kind="self",
                                           note=f"{h.cue} read as {best[0]} from the report's other evidence"))
            else:
                share = h.weight / len(candidates)
                resolved.extend(h._replace(label=c, kind="self", weight=share,
                                           note=f"{h.cue} unresolved: shared between {', '.join(candidates)}")
                                for c in candidates)
    # the totals of plain + resolved, summed in that order (the plain ones are already added)
    scores = _scores(_totals(resolved, totals), bases)
    scores = {s: round(scores.get(s, 0.0), 4) for s in SECTORS}
    label, conf = _confidence(scores)
    if label is None or scores[label] < MIN_SECTOR_SCORE:
        label, conf = "other", round(0.3 * (1 - min(scores[label], MIN_SECTOR_SCORE) / MIN_SECTOR_SCORE)
                                     if label else 0.3, 4)
    return label, conf, scores, plain + resolved


def rule_sector(text: str, *, lexicons: Lexicons, normalized: NormalizedText | None = None) -> RuleDecision:
    """Sector of one report from the evidence rules.

    Examples
    --------
    >>> lex = load_lexicons()
    >>> d = rule_sector("在县总工会的领导下，我校工会组织教职工开展师德学习。", lexicons=lex)
    >>> d.label, [e.cue for e in d.evidence if e.label == "school"][:2]
    ('school', ['我校', '教职工'])
    """
    norm = normalized or normalize_for_rules(text, traditional=lexicons.traditional)
    label, conf, scores, hits = _decide_sector(_sector_hits(norm.text, lexicons, _zones_of(norm)), lexicons)
    evidence = [_to_evidence(norm, text, "sector", h) for h in hits]
    evidence.sort(key=lambda e: (e.start, e.label))
    return RuleDecision("sector", label, conf, scores, tuple(evidence))


def _genre_hits(text: str, lexicons: Lexicons, zones: _Zones) -> Iterator[_Hit]:
    """The genre-cue matches in normalised ``text`` that count (right zone, not empty), cue by cue.

    Cues the text lacks the literals for are not scanned (``_LiteralFilter``), and an opening cue
    only as far as a match starting in the opening can reach (``_Scan.reach``)."""
    opening_end = zones.opening[1]
    possible = lexicons._cue_filter.possible(text)
    for cue, scan, may_match in zip(lexicons.genre_cues, lexicons._cue_scans, possible, strict=True):
        if not may_match:
            continue
        if cue.zone == "opening" and scan.reach is not None:
            matches = scan.regex.finditer(text, 0, min(len(text), opening_end + scan.reach))
        else:
            matches = scan.matches(text)
        weight = _round4(cue.weight)
        for m in matches:
            start, end = m.span()
            if end == start:
                continue
            zone = zones.zone(start)
            if cue.zone == "opening" and start >= opening_end:
                break  # no later match starts in the opening
            if cue.zone != "any" and zone != cue.zone:
                continue
            yield _Hit(cue.genre, cue.pattern, "cue", zone, weight, start, end)


def _decide_genre(hits: Iterable[_Hit], lexicons: Lexicons) -> tuple[str, float, dict[str, float]]:
    """``(label, confidence, scores)`` from the genre hits."""
    counts: dict[tuple[str, str], float] = defaultdict(float)
    for h in hits:
        counts[(h.label, h.cue)] += 1
    bases = lexicons._genre_bases
    scores: dict[str, float] = defaultdict(float)
    for (genre, cue), n in counts.items():
        scores[genre] += bases[cue] * math.log2(1 + n)
    scores = {g: round(scores.get(g, 0.0), 4) for g in GENRES}
    label, conf = _confidence(scores)
    if label is None:
        label, conf = DEFAULT_GENRE, 0.3
    return label, conf, scores


def rule_genre(text: str, *, lexicons: Lexicons, normalized: NormalizedText | None = None) -> RuleDecision:
    """Genre of one report from the cue patterns.

    Examples
    --------
    >>> lex = load_lexicons()
    >>> rule_genre("近日，某区总工会召开第二次代表大会。区委书记在会上作了讲话。", lexicons=lex).label
    'news'
    >>> rule_genre("在新的一年里，工会工作总体设想是：加强自身建设。", lexicons=lex).label
    'work_plan'
    """
    norm = normalized or normalize_for_rules(text, traditional=lexicons.traditional)
    hits = list(_genre_hits(norm.text, lexicons, _zones_of(norm)))
    label, conf, scores = _decide_genre(hits, lexicons)
    evidence = [_to_evidence(norm, text, "genre", h) for h in hits]
    evidence.sort(key=lambda e: (e.start, e.label))
    return RuleDecision("genre", label, conf, scores, tuple(evidence))


# ==============================================================================================
# Model layer and the combination of both layers
# ==============================================================================================


@dataclass(frozen=True)
class TaskDecision:
    """The final verdict for one task and how it was reached.

    ``source`` is ``rules+model`` (layers agree), ``rules`` or ``model`` (layers disagree, or
    no model), or ``user`` (the researcher's label).
    """

    task: str
    label: str
    confidence: float
    source: str
    rule: RuleDecision
    model_label: str | None = None
    model_probability: float | None = None
    model_probabilities: Mapping[str, float] | None = None


def combine_layers(rule_label: str, rule_confidence: float, model_label: str | None,
                   model_probability: float | None) -> tuple[str, float, str]:
    """Final ``(label, confidence, source)`` from the two layers.

    When they agree the confidences combine like independent witnesses (1 − (1−r)(1−m));
    when they disagree the surer layer wins, discounted by how sure the other one is.

    Examples
    --------
    >>> combine_layers("court", 0.8, "court", 0.6)
    ('court', 0.92, 'rules+model')
    >>> combine_layers("court", 0.8, "enterprise", 0.6)
    ('court', 0.32, 'rules')
    """
    if model_label is None or model_probability is None:
        return rule_label, round(rule_confidence, 4), "rules"
    if model_label == rule_label:
        return rule_label, round(1 - (1 - rule_confidence) * (1 - model_probability), 4), "rules+model"
    if rule_confidence >= model_probability:
        return rule_label, round(rule_confidence * (1 - model_probability), 4), "rules"
    return model_label, round(model_probability * (1 - rule_confidence), 4), "model"


def _combine(rule_label: str, rule_confidence: float, probs: Mapping[str, float] | None
             ) -> tuple[str, float, str, str | None, float | None]:
    """``(label, confidence, source, model label, model probability)`` of one task from the rule
    verdict and the model's class probabilities (``None`` or empty: no model layer)."""
    if not probs:
        return (*combine_layers(rule_label, rule_confidence, None, None), None, None)
    m_label = max(sorted(probs), key=lambda c: probs[c])
    m_prob = round(probs[m_label], 4)
    return (*combine_layers(rule_label, rule_confidence, m_label, m_prob), m_label, m_prob)


class CachedTokenizer:
    """A tokenizer that remembers its output per text, so CV folds and refits segment each report once.

    The cache is per process and never pickled; the wrapped tokenizer is.

    Examples
    --------
    >>> tok = CachedTokenizer(str.split)
    >>> tok("a b") is tok("a b")
    True
    """

    def __init__(self, tokenizer: Any, max_items: int = 50_000):
        self.tokenizer = tokenizer
        self.max_items = max_items

    def __call__(self, text: str) -> list[str]:
        cache = self.__dict__.setdefault("_cache", {})
        tokens = cache.get(text)
        if tokens is None:
            if len(cache) >= self.max_items:
                cache.clear()
            tokens = cache[text] = list(self.tokenizer(text))
        elif isinstance(tokens, str):  # pre-segmented words, space-joined (kept as one string: less memory)
            return tokens.split(" ") if tokens else []
        return tokens

    @contextlib.contextmanager
    def presegmented(self, token_strings: Sequence[str]) -> Iterator[list[str]]:
        """Within the block, each of ``token_strings`` (words joined by single spaces) tokenizes
        to its own words: pass the strings themselves as the documents to a vectorizer that uses
        this tokenizer. They are forgotten afterwards."""
        keys = list(token_strings)
        cache = self.__dict__.setdefault("_cache", {})
        cache.update((k, k) for k in keys)  # a string value is split on lookup
        try:
            yield keys
        finally:
            for k in keys:
                cache.pop(k, None)

    def __getstate__(self) -> dict[str, Any]:
        return {"tokenizer": self.tokenizer, "max_items": self.max_items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"CachedTokenizer({self.tokenizer!r})"


def _single_thread():
    # a few hundred reports make a tiny problem: BLAS threads only fight over the cores (10x slower)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _make_pipeline(segmenter: Any, C: float, random_state: int):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("tfidf", TfidfVectorizer(tokenizer=segmenter, token_pattern=None, lowercase=False, sublinear_tf=True)),
        ("clf", LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=random_state)),
    ])


class ReportClassifier:
    """Layered sector/genre classifier (scikit-learn conventions).

    Parameters
    ----------
    segmenter
        Tokenizer for the TF-IDF layer (a ``corpus_tools.segment.Segmenter``); ``None`` builds one.
    lexicons
        ``Lexicons`` for the rule layer; ``None`` loads the packaged ones at ``fit``.
    min_rule_confidence
        Rule decisions at least this confident become training labels for the model layer.
    C
        Inverse regularisation of the logistic regression.
    random_state
        Seed for every random component.
    tasks
        Which of ``("sector", "genre")`` to fit a model layer for.

    ``fit(X, y)`` takes report texts and, optionally, a DataFrame of the researcher's labels
    aligned with ``X`` (columns ``sector`` and/or ``genre``; missing values = unlabelled).

    Examples
    --------
    >>> clf = ReportClassifier(random_state=0).fit(["我校工会组织教师开展教学竞赛。", "公司工会开展安全生产劳动竞赛。"])
    >>> clf.predict(["我校工会慰问退休教师。"])[0].tolist()
    ['school', 'work_report']
    """

    def __init__(self, segmenter: Any = None, lexicons: Lexicons | None = None,
                 min_rule_confidence: float = MIN_RULE_CONFIDENCE, C: float = 10.0, random_state: int = 0,
                 tasks: Sequence[str] = TASKS):
        self.segmenter = segmenter
        self.lexicons = lexicons
        self.min_rule_confidence = min_rule_confidence
        self.C = C
        self.random_state = random_state
        self.tasks = tasks

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("segmenter", "lexicons", "min_rule_confidence", "C",
                                               "random_state", "tasks")}

    def set_params(self, **params: Any) -> ReportClassifier:
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"invalid parameter {k!r} for ReportClassifier")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        return f"ReportClassifier(C={self.C}, random_state={self.random_state}, tasks={tuple(self.tasks)})"

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, X: Iterable[str], y: pd.DataFrame | None = None) -> ReportClassifier:
        texts = [str(t) for t in X]
        self.lexicons_ = self.lexicons if self.lexicons is not None else load_lexicons()
        segmenter = self._cached_segmenter()
        normalized = [self._normalize(t) for t in texts]
        rules = [self._rules(t, n) for t, n in zip(texts, normalized, strict=True)]
        found = [{task: (r[task].label, r[task].confidence) for task in TASKS} for r in rules]
        return self._fit_models([n.text for n in normalized], found, y, segmenter)

    def fit_tokens(self, token_strings: Sequence[str], rule_labels: Sequence[Mapping[str, tuple[str, float]]],
                   y: pd.DataFrame | None = None) -> ReportClassifier:
        """Fit on reports already normalised, ruled and segmented elsewhere.

        ``token_strings[i]`` is report ``i``'s words joined by single spaces (see
        ``model_token_string``); ``rule_labels[i]`` maps each task to the rule layer's
        ``(label, confidence)`` (see ``rule_labels``). This is how ``ingest`` trains from its
        stored tables: the workers ran the rules, the sentences table holds the words. The
        fitted model still classifies raw text with ``predict``/``decide``.
        """
        self.lexicons_ = self.lexicons if self.lexicons is not None else load_lexicons()
        segmenter = self._cached_segmenter()
        with segmenter.presegmented(token_strings) as keys:
            return self._fit_models(keys, rule_labels, y, segmenter)

    @classmethod
    def join_tasks(cls, parts: Sequence[ReportClassifier]) -> ReportClassifier:
        """One classifier from classifiers fitted on the same reports for different ``tasks``
        (as ingest fits them, side by side in two processes). Each task's model layer comes from
        the part that fitted it; the layers then share one tokenizer, as in a classifier fitted
        on all tasks at once. The parts' model layers are taken over, not copied."""
        tasks = tuple(t for t in TASKS if any(t in p.tasks for p in parts))
        joined = cls(**{**parts[0].get_params(), "tasks": tasks})
        joined.lexicons_ = parts[0].lexicons_
        joined.models_, joined.training_labels_ = {}, {}
        shared = None
        for task in TASKS:
            part = next((p for p in parts if task in p.tasks), None)
            model = joined.models_[task] = part.models_[task] if part is not None else None
            if part is not None:
                joined.training_labels_[task] = part.training_labels_[task]
            if model is not None:
                tfidf = model.named_steps["tfidf"]
                shared = shared or tfidf.tokenizer
                tfidf.tokenizer = shared
        return joined

    def _cached_segmenter(self) -> CachedTokenizer:
        segmenter = self.segmenter
        if segmenter is None:
            from .segment import Segmenter

            segmenter = Segmenter()
        if not isinstance(segmenter, CachedTokenizer):
            segmenter = CachedTokenizer(segmenter)
        return segmenter

    def _fit_models(self, keys: Sequence[str], rules: Sequence[Mapping[str, tuple[str, float]]],
                    y: pd.DataFrame | None, segmenter: CachedTokenizer) -> ReportClassifier:
        self.models_: dict[str, Any] = {}
        self.training_labels_: dict[str, dict[str, int]] = {}
        for task in TASKS:
            self.models_[task] = None
            if task not in self.tasks:
                continue
            user = _aligned_labels(y, task, len(keys))
            idx, labels = [], []
            for i, r in enumerate(rules):
                if user[i] is not None:
                    idx.append(i)
                    labels.append(user[i])
                elif r[task][1] >= self.min_rule_confidence:
                    idx.append(i)
                    labels.append(r[task][0])
            self.training_labels_[task] = dict(sorted(Counter(labels).items()))
            if len(set(labels)) < 2:
                log.info("%s model layer skipped: fewer than two labels to learn from", task)
                continue
            pipe = _make_pipeline(segmenter, self.C, self.random_state)
            with warnings.catch_warnings(), _single_thread():
                warnings.simplefilter("ignore")
                pipe.fit([keys[i] for i in idx], labels)
            self.models_[task] = pipe
        return self

    # -- prediction ------------------------------------------------------------------------------

    def _normalize(self, text: str) -> NormalizedText:
        lex = getattr(self, "lexicons_", None) or self.lexicons or load_lexicons()
        return normalize_for_rules(text, traditional=lex.traditional)

    def _rules(self, text: str, norm: NormalizedText) -> dict[str, RuleDecision]:
        return {"sector": rule_sector(text, lexicons=self.lexicons_, normalized=norm),
                "genre": rule_genre(text, lexicons=self.lexicons_, normalized=norm)}

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise ClassifyError("ReportClassifier is not fitted yet: call fit() first")

    def decide(self, X: Iterable[str]) -> list[dict[str, TaskDecision]]:
        """Full decisions (label, confidence, source, rule evidence, model probabilities) per report."""
        self._check_fitted()
        texts = [str(t) for t in X]
        normalized = [self._normalize(t) for t in texts]
        rules = [self._rules(t, n) for t, n in zip(texts, normalized, strict=True)]
        keys = [n.text for n in normalized]
        probas = self._model_probas(len(keys), lambda model: model.predict_proba(keys))
        out = []
        for i, r in enumerate(rules):
            row = {}
            for task in TASKS:
                rule = r[task]
                probs = probas[task][i] if probas[task] is not None else None
                label, conf, source, m_label, m_prob = _combine(rule.label, rule.confidence, probs)
                if probs:
                    rounded = {c: round(v, 4) for c, v in sorted(probs.items(), key=lambda kv: -kv[1])}
                    row[task] = TaskDecision(task, label, conf, source, rule, m_label, m_prob, rounded)
                else:
                    row[task] = TaskDecision(task, label, conf, source, rule)
            out.append(row)
        return out

    def _model_probas(self, n: int, predict: Any) -> dict[str, list[dict[str, float]] | None]:
        """``{task: [{label: probability}] per report}`` from ``predict(pipeline)``, the
        pipeline's probability rows for the ``n`` reports (``None`` where no layer was fitted)."""
        probas: dict[str, list[dict[str, float]] | None] = {}
        for task in TASKS:
            model = self.models_.get(task)
            if model is None or not n:
                probas[task] = None
                continue
            with _single_thread():
                p = predict(model)
            classes = [str(c) for c in model.classes_]
            probas[task] = [{c: float(v) for c, v in zip(classes, row, strict=True)} for row in p]
        return probas

    @staticmethod
    def _final_labels(probas: Mapping[str, list[dict[str, float]] | None],
                      rule_labels: Sequence[Mapping[str, tuple[str, float]]]) -> list[dict[str, tuple[str, float]]]:
        out = []
        for i, rules in enumerate(rule_labels):
            row = {}
            for task in TASKS:
                probs = probas[task][i] if probas[task] is not None else None
                label, conf, _, _, _ = _combine(*rules[task], probs)
                row[task] = (label, conf)
            out.append(row)
        return out

    def label_tokens(self, token_strings: Sequence[str], rule_labels: Sequence[Mapping[str, tuple[str, float]]]
                     ) -> list[dict[str, tuple[str, float]]]:
        """Final ``{task: (label, confidence)}`` per report from its words (space-joined, see
        ``model_token_string``) and its rule decisions: the same as ``decide`` on the report's
        text, for callers that already hold both."""
        self._check_fitted()
        segmenter = next((m.named_steps["tfidf"].tokenizer for m in self.models_.values() if m is not None), None)
        if isinstance(segmenter, CachedTokenizer):
            with segmenter.presegmented(token_strings) as keys:
                probas = self._model_probas(len(keys), lambda model: model.predict_proba(keys))
        else:  # no model layer was fitted: the rules decide alone
            probas = dict.fromkeys(TASKS)
        return self._final_labels(probas, rule_labels)

    def label_encoded(self, encoded: Any, rule_labels: Sequence[Mapping[str, tuple[str, float]]]
                      ) -> list[dict[str, tuple[str, float]]]:
        """``label_tokens`` for reports whose words come pooled by ``bow.encode_sentence_tokens``
        (row ``i`` of the encoding is report ``i``): the same labels, with the TF-IDF rows built
        at Arrow speed instead of one Python step per word. Ingest labels its partitions so."""
        from .bow import tfidf_rows

        self._check_fitted()

        def predict(model: Any) -> Any:
            return model.named_steps["clf"].predict_proba(tfidf_rows(encoded, model.named_steps["tfidf"]))

        return self._final_labels(self._model_probas(encoded.n_docs, predict), rule_labels)

    def predict_table(self, X: Iterable[str]) -> pd.DataFrame:
        """``sector, sector_confidence, genre, genre_confidence`` per report, in input order."""
        import pandas as pd

        rows = [{"sector": d["sector"].label, "sector_confidence": d["sector"].confidence,
                 "genre": d["genre"].label, "genre_confidence": d["genre"].confidence} for d in self.decide(X)]
        return pd.DataFrame(rows, columns=["sector", "sector_confidence", "genre", "genre_confidence"])

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """An ``(n, 2)`` array of ``[sector, genre]`` labels."""
        table = self.predict_table(X)
        return table[["sector", "genre"]].to_numpy(dtype=object)


def _aligned_labels(y: pd.DataFrame | None, task: str, n: int) -> list[str | None]:
    if y is None or task not in getattr(y, "columns", ()):
        return [None] * n
    values = list(y[task])
    if len(values) != n:
        raise ClassifyError(f"labels have {len(values)} rows for {n} texts")
    return [None if (v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "")
            else str(v).strip() for v in values]


# ==============================================================================================
# Orchestration over a DataFrame of documents
# ==============================================================================================


@dataclass
class ClassificationResult:
    """What ``classify_documents`` returns.

    ``predictions``: doc_id, sector, sector_confidence, genre, genre_confidence (input order);
    ``model``: the fitted ``ReportClassifier``; ``evidence``: doc_id → {task: TaskDecision};
    ``low_confidence``: doc_ids with a confidence below ``LOW_CONFIDENCE``; ``cv`` and
    ``confusion``: cross-validation tables when labels were given, else ``None``.
    """

    predictions: pd.DataFrame
    model: ReportClassifier
    evidence: dict[str, dict[str, TaskDecision]]
    low_confidence: list[str]
    cv: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None
    user_labels: dict[str, dict[str, str]] = field(default_factory=dict)


def _labels_frame(docs: pd.DataFrame, labels: pd.DataFrame | None) -> pd.DataFrame | None:
    import pandas as pd

    if labels is None or labels.empty:
        return None
    lab = labels.drop_duplicates("doc_id", keep="last").set_index("doc_id")
    y = pd.DataFrame(index=docs["doc_id"])
    for task in TASKS:
        if task in lab.columns:
            y[task] = lab[task].reindex(docs["doc_id"]).to_numpy()
    return y.reset_index(drop=True)


def _user_label_map(y: pd.DataFrame | None, doc_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if y is None:
        return out
    for task in TASKS:
        for doc_id, v in zip(doc_ids, _aligned_labels(y, task, len(doc_ids)), strict=True):
            if v is not None:
                out.setdefault(doc_id, {})[task] = v
    return out


def _apply_user_labels(decision: dict[str, TaskDecision], user: Mapping[str, str]) -> dict[str, TaskDecision]:
    out = dict(decision)
    for task, label in user.items():
        d = decision[task]
        out[task] = TaskDecision(task, label, 1.0, "user", d.rule, d.model_label, d.model_probability,
                                 d.model_probabilities)
    return out


def classify_documents(docs: pd.DataFrame, *, segmenter: Any, labels: pd.DataFrame | None = None,
                       seed: int = 0, lexicons: Lexicons | None = None) -> ClassificationResult:
    """Classify every report of ``docs`` (columns doc_id, text; title is deliberately ignored).

    ``labels`` (doc_id, sector[, genre]) are the researcher's own: they train the model layer,
    override the prediction for their reports, and are cross-validated (``result.cv``).

    Examples
    --------
    >>> import pandas as pd
    >>> from corpus_tools.segment import Segmenter
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["我校工会组织教师培训。", "公司工会开展安全生产竞赛。"]})
    >>> classify_documents(docs, segmenter=Segmenter()).predictions["sector"].tolist()
    ['school', 'enterprise']
    """
    import pandas as pd

    if "doc_id" not in docs or "text" not in docs:
        raise ClassifyError("documents need doc_id and text columns")
    lexicons = lexicons if lexicons is not None else load_lexicons()
    if not isinstance(segmenter, CachedTokenizer):
        segmenter = CachedTokenizer(segmenter)
    doc_ids = [str(d) for d in docs["doc_id"]]
    texts = [str(t) for t in docs["text"].fillna("")]
    y = _labels_frame(docs, labels)
    model = ReportClassifier(segmenter=segmenter, lexicons=lexicons, random_state=seed).fit(texts, y)
    user = _user_label_map(y, doc_ids)
    decisions = [_apply_user_labels(d, user.get(doc_id, {})) for doc_id, d in zip(doc_ids, model.decide(texts), strict=True)]
    predictions = pd.DataFrame({
        "doc_id": doc_ids,
        "sector": [d["sector"].label for d in decisions],
        "sector_confidence": [d["sector"].confidence for d in decisions],
        "genre": [d["genre"].label for d in decisions],
        "genre_confidence": [d["genre"].confidence for d in decisions],
    })
    low = [doc_id for doc_id, d in zip(doc_ids, decisions, strict=True)
           if min(d["sector"].confidence, d["genre"].confidence) < LOW_CONFIDENCE]
    cv = confusion = None
    if y is not None:
        cv, confusion = cross_validate(docs, labels, segmenter=segmenter, seed=seed, lexicons=lexicons)
    return ClassificationResult(predictions, model, dict(zip(doc_ids, decisions, strict=True)), low, cv, confusion, user)


def cross_validate(docs: pd.DataFrame, labels: pd.DataFrame, *, segmenter: Any, seed: int = 0,
                   n_splits: int = 5, lexicons: Lexicons | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-validated precision/recall/F1 per class and confusion counts on the labelled reports.

    Each fold holds out some labelled reports entirely (neither their labels nor their texts are
    seen in training) and predicts them with a classifier fitted on everything else.

    Returns ``(cv, confusion)``: cv has task, label, precision, recall, f1, support, n_splits
    (plus ``macro avg`` and ``accuracy`` rows); confusion has task, true_label, predicted_label, count.
    """
    import pandas as pd
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
    from sklearn.model_selection import KFold, StratifiedKFold

    lexicons = lexicons if lexicons is not None else load_lexicons()
    if not isinstance(segmenter, CachedTokenizer):
        segmenter = CachedTokenizer(segmenter)
    texts = [str(t) for t in docs["text"].fillna("")]
    y = _labels_frame(docs, labels)
    cv_rows, cm_rows = [], []
    for task in TASKS:
        truth = _aligned_labels(y, task, len(texts))
        labelled = [i for i, v in enumerate(truth) if v is not None]
        if len(labelled) < 2:
            continue
        k = min(n_splits, len(labelled))
        y_lab = [truth[i] for i in labelled]
        counts = Counter(y_lab)
        if min(counts.values()) >= k:
            splitter: Any = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        else:
            splitter = KFold(n_splits=k, shuffle=True, random_state=seed)
        predicted: dict[int, str] = {}
        for _, test in splitter.split(np.zeros(len(labelled)), y_lab):
            held = {labelled[j] for j in test}
            train = [i for i in range(len(texts)) if i not in held]
            y_train = None
            if y is not None:
                y_train = y.iloc[train].reset_index(drop=True).copy()
            model = ReportClassifier(segmenter=segmenter, lexicons=lexicons, random_state=seed, tasks=(task,))
            model.fit([texts[i] for i in train], y_train)
            held_sorted = sorted(held)
            for i, d in zip(held_sorted, model.decide([texts[i] for i in held_sorted]), strict=True):
                predicted[i] = d[task].label
        y_true = [truth[i] for i in labelled]
        y_pred = [predicted[i] for i in labelled]
        classes = [c for c in _LABELS[task] if c in set(y_true) | set(y_pred)]
        classes += sorted((set(y_true) | set(y_pred)) - set(classes))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a single labelled class is legitimate here
            p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
            cm = confusion_matrix(y_true, y_pred, labels=classes)
        for c, pi, ri, fi, si in zip(classes, p, r, f, s, strict=True):
            cv_rows.append({"task": task, "label": c, "precision": round(float(pi), 4), "recall": round(float(ri), 4),
                            "f1": round(float(fi), 4), "support": int(si), "n_splits": k})
        present = [j for j, c in enumerate(classes) if s[j] > 0]
        cv_rows.append({"task": task, "label": "macro avg",
                        "precision": round(float(np.mean([p[j] for j in present])), 4),
                        "recall": round(float(np.mean([r[j] for j in present])), 4),
                        "f1": round(float(np.mean([f[j] for j in present])), 4),
                        "support": len(y_true), "n_splits": k})
        acc = round(sum(a == b for a, b in zip(y_true, y_pred, strict=True)) / len(y_true), 4)
        cv_rows.append({"task": task, "label": "accuracy", "precision": acc, "recall": acc, "f1": acc,
                        "support": len(y_true), "n_splits": k})
        for a, ta in enumerate(classes):
            for b, pb in enumerate(classes):
                cm_rows.append({"task": task, "true_label": ta, "predicted_label": pb, "count": int(cm[a, b])})
    cv = pd.DataFrame(cv_rows, columns=["task", "label", "precision", "recall", "f1", "support", "n_splits"])
    confusion = pd.DataFrame(cm_rows, columns=["task", "true_label", "predicted_label", "count"])
    return cv, confusion


# ==============================================================================================
# Labels file
# ==============================================================================================


def read_labels(path: str | os.PathLike[str], *, known_doc_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a researcher's labels CSV (``doc_id,sector[,genre]``; empty cells = no label).

    All problems (unknown doc_ids, labels outside the taxonomy) are reported at once.
    """
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LabelsError(f"{path}: cannot read labels: {exc}") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "doc_id" not in df.columns or not ({"sector", "genre"} & set(df.columns)):
        raise LabelsError(f"{path}: needs a doc_id column and a sector and/or genre column, got {list(df.columns)}")
    cols = ["doc_id"] + [t for t in TASKS if t in df.columns]
    df = df[cols].apply(lambda s: s.str.strip())
    problems = []
    for task in TASKS:
        if task in df.columns:
            bad = sorted(set(df.loc[(df[task] != "") & ~df[task].isin(_LABELS[task]), task]))
            if bad:
                problems.append(f"unknown {task} label(s) {', '.join(bad)} (one of {', '.join(_LABELS[task])})")
            df[task] = pd.Series([v if v else None for v in df[task]], index=df.index, dtype=object)
    if known_doc_ids is not None:
        known = set(known_doc_ids)
        unknown = [d for d in df["doc_id"] if d not in known]
        if unknown:
            problems.append(f"{len(unknown)} unknown doc_id(s): {', '.join(unknown[:5])}")
    if problems:
        raise LabelsError(f"{path}: " + "; ".join(problems))
    return df.reset_index(drop=True)


# ==============================================================================================
# Over stored tables: run_classify and explain
# ==============================================================================================

# the table contract lives in schema.py (one schema module for every table)
CV_SCHEMA = TABLES[CV_TABLE].arrow_schema()
CONFUSION_SCHEMA = TABLES[CONFUSION_TABLE].arrow_schema()
LOW_CONFIDENCE_SCHEMA = TABLES[LOW_CONFIDENCE_TABLE].arrow_schema()
EVIDENCE_SCHEMA = TABLES[EVIDENCE_TABLE].arrow_schema()
EXTRA_TABLE_SCHEMAS = {EVIDENCE_TABLE: EVIDENCE_SCHEMA, LOW_CONFIDENCE_TABLE: LOW_CONFIDENCE_SCHEMA,
                       CV_TABLE: CV_SCHEMA, CONFUSION_TABLE: CONFUSION_SCHEMA}


@dataclass
class ClassifySummary:
    """What ``run_classify`` did: counts per label, cross-validation, files written."""

    out_dir: Path
    n_documents: int
    sector_counts: dict[str, int]
    genre_counts: dict[str, int]
    low_confidence: int
    n_labels: int
    model_path: Path
    tables: list[str]
    cv: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None

    def report(self) -> str:
        """A plain-text summary for people (what the CLI prints)."""
        lines = [f"classified {self.n_documents} reports in {self.out_dir}"
                 + (f" ({self.n_labels} with your labels)" if self.n_labels else "")]
        lines.append("sector: " + "  ".join(f"{k} {v}" for k, v in self.sector_counts.items()))
        lines.append("genre:  " + "  ".join(f"{k} {v}" for k, v in self.genre_counts.items()))
        lines.append(f"low confidence: {self.low_confidence} reports (table {LOW_CONFIDENCE_TABLE})")
        if self.cv is not None and not self.cv.empty:
            for task in TASKS:
                part = self.cv[self.cv["task"] == task]
                if part.empty:
                    continue
                lines.append("")
                lines.append(f"cross-validated {task} ({int(part['n_splits'].iloc[0])} folds, table {CV_TABLE}):")
                lines.append(part.drop(columns=["task", "n_splits"]).to_string(index=False))
                if self.confusion is not None:
                    cm = self.confusion[self.confusion["task"] == task]
                    if not cm.empty:
                        lines.append(f"confusion matrix (rows: your label, columns: predicted; table {CONFUSION_TABLE}):")
                        lines.append(cm.pivot(index="true_label", columns="predicted_label", values="count")
                                     .rename_axis(index=None, columns=None).to_string())
        lines.append("")
        lines.append(f"tables written: {', '.join(self.tables)}; model saved to {self.model_path}")
        return "\n".join(lines)


def low_confidence_table(result: ClassificationResult) -> pa.Table:
    """The low_confidence table of a classification result (for writers other than run_classify)."""
    return pa.Table.from_pylist(_low_confidence_rows(result), schema=LOW_CONFIDENCE_SCHEMA)


def evidence_table(result: ClassificationResult) -> pa.Table:
    """The classification_evidence table of a classification result."""
    return pa.Table.from_pylist(_evidence_rows(result), schema=EVIDENCE_SCHEMA)


def _low_confidence_rows(result: ClassificationResult) -> list[dict[str, Any]]:
    rows = []
    for doc_id, decision in result.evidence.items():
        for task in TASKS:
            d = decision[task]
            if d.confidence < LOW_CONFIDENCE:
                rows.append({"doc_id": doc_id, "task": task, "label": d.label, "confidence": d.confidence,
                             "source": d.source, "rule_label": d.rule.label, "rule_confidence": d.rule.confidence,
                             "model_label": d.model_label, "model_probability": d.model_probability})
    return rows


def _evidence_rows(result: ClassificationResult) -> list[dict[str, Any]]:
    rows = []
    for doc_id, decision in result.evidence.items():
        for task in TASKS:
            for ev in decision[task].rule.evidence:
                rows.append({"doc_id": doc_id, "task": task, "label": ev.label, "cue": ev.cue, "kind": ev.kind,
                             "zone": ev.zone, "weight": ev.weight, "start": ev.start, "end": ev.end,
                             "text": ev.text, "note": ev.note or None})
    return rows


def _save_model(path: Path, bundle: dict[str, Any]) -> None:
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        joblib.dump(bundle, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ClassifyError(f"cannot save the model to {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def _load_bundle(out_dir: Path) -> dict[str, Any]:
    import joblib

    path = Path(out_dir) / MODEL_PATH
    if not path.is_file():
        raise ClassifyError(f"no saved classifier at {path}: run `corpus-tools classify --out {out_dir}` first")
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same thing here
        raise ClassifyError(f"cannot load the classifier {path}: {exc}") from exc
    if not isinstance(bundle, dict) or "model" not in bundle:
        raise ClassifyError(f"{path} is not a corpus-tools classifier")
    return bundle


def load_model(out_dir: str | os.PathLike[str]) -> ReportClassifier:
    """The classifier saved by ``run_classify`` in ``out_dir`` (``models/classifier.joblib``)."""
    return _load_bundle(Path(out_dir))["model"]


def _read_documents(out_dir: Path) -> pa.Table:
    import pyarrow.parquet as pq

    from .store import table_path

    path = table_path(out_dir, "documents")
    if path is None:
        raise ClassifyError(f"no documents table in {out_dir} (run `corpus-tools ingest` first)")
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        return pa.concat_tables([pq.read_table(p) for p in parts], promote_options="default")
    return pq.read_table(path)


def _replace_column(table: pa.Table, name: str, values: list[Any], type_: pa.DataType) -> pa.Table:
    array = pa.array(values, type=type_)
    if name in table.column_names:
        i = table.column_names.index(name)
        return table.set_column(i, table.schema.field(i).with_type(type_), array)
    return table.append_column(pa.field(name, type_), array)


def _with_predictions(table: pa.Table, by_doc: Mapping[str, tuple[str, float, str, float]]) -> pa.Table:
    rows = [by_doc[d] for d in table.column("doc_id").to_pylist()]
    table = _replace_column(table, "sector", [r[0] for r in rows], pa.string())
    table = _replace_column(table, "sector_confidence", [float(r[1]) for r in rows], pa.float64())
    table = _replace_column(table, "genre", [r[2] for r in rows], pa.string())
    return _replace_column(table, "genre_confidence", [float(r[3]) for r in rows], pa.float64())


def _publish(out_dir: Path, by_doc: Mapping[str, tuple[str, float, str, float]], extra: Mapping[str, pa.Table],
             stale: Sequence[str]) -> None:
    """Write documents (keeping ingest's partition layout) and the extra tables in one atomic publication."""
    import pyarrow.parquet as pq

    from .store import (
        StoreError,
        commit_staging,
        new_staging,
        partition_buckets,
        read_partition,
        refresh_database,
        table_path,
        write_partition,
    )

    path = table_path(out_dir, "documents")
    assert path is not None
    try:
        staging = new_staging(out_dir)
    except OSError as exc:
        raise StoreError(f"cannot write tables to {out_dir}: {exc.strerror or exc}") from exc
    try:
        if path.is_dir():
            # ingest updates documents partition by partition: keep its buckets as they are
            for bucket in partition_buckets(out_dir, "documents"):
                part = read_partition(out_dir, "documents", bucket)
                assert part is not None
                write_partition(staging, "documents", bucket, _with_predictions(part, by_doc))
        else:
            pq.write_table(_with_predictions(pq.read_table(path), by_doc), staging / "documents.parquet",
                           compression="zstd")
        for name, table in extra.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
        delete = [p for p in (table_path(out_dir, n) for n in stale) if p is not None]
        commit_staging(out_dir, staging, delete)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    refresh_database(out_dir)


def rule_labels(text: str, lexicons: Lexicons) -> dict[str, tuple[str, float]]:
    """``{task: (label, confidence)}`` of the rule layer alone, normalising the text once.

    Examples
    --------
    >>> rule_labels("我校工会组织教职工开展师德学习。", load_lexicons())["sector"][0]
    'school'
    """
    # the same hits and scores as rule_sector/rule_genre, without turning hits into Evidence
    # (a source-offset look-up and a copy of the text each), which ingest never reads
    norm = normalize_for_rules(text, traditional=lexicons.traditional)
    zones = _zones_of(norm)
    sector, s_conf, _, _ = _decide_sector(_sector_hits(norm.text, lexicons, zones), lexicons)
    genre, g_conf, _ = _decide_genre(_genre_hits(norm.text, lexicons, zones), lexicons)
    return {"sector": (sector, s_conf), "genre": (genre, g_conf)}


def model_token_string(sentence_tokens: Iterable[str | None]) -> str:
    """The words the model layer sees, space-joined, from a report's rows of the sentences
    table (their ``tokens`` strings): every token but punctuation and symbols.

    Examples
    --------
    >>> model_token_string(["召开 职代会 。", "表彰 劳模 ！"])
    '召开 职代会 表彰 劳模'
    """
    from .segment import _is_punct

    return " ".join(w for toks in sentence_tokens if toks for w in toks.split(" ") if w and not _is_punct(w))


def tokens_by_doc(sentences: pa.Table | None) -> dict[str, str]:
    """``doc_id -> model_token_string`` for every report with rows in a sentences table (its
    sentences in row order).

    The words are split, filtered and joined by Arrow kernels; only the distinct words are
    tested for punctuation in Python. The fit reads the words of thousands of reports.

    Examples
    --------
    >>> tokens_by_doc(pa.table({"doc_id": ["a", "b", "a"], "tokens": ["召开 职代会 。", "表彰", "劳模 ！"]}))
    {'a': '召开 职代会 劳模', 'b': '表彰'}
    """
    from .segment import _is_punct

    if sentences is None or sentences.num_rows == 0:
        return {}
    docs = pc.dictionary_encode(sentences["doc_id"].combine_chunks())
    doc_ids = docs.dictionary.to_pylist()
    split = pc.split_pattern(sentences["tokens"].combine_chunks().fill_null(""), " ")
    flat = split.flatten()
    words = pc.dictionary_encode(flat)
    distinct = words.dictionary.to_pylist()
    keep_word = np.fromiter((bool(w) and not _is_punct(w) for w in distinct), dtype=bool, count=len(distinct))
    keep = keep_word[words.indices.to_numpy(zero_copy_only=False)]
    word_doc = np.repeat(docs.indices.to_numpy(zero_copy_only=False), pc.list_value_length(split).to_numpy())[keep]
    order = np.argsort(word_doc, kind="stable")  # by report, each report's words in row order
    offsets = np.zeros(len(doc_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(word_doc, minlength=len(doc_ids)), out=offsets[1:])
    kept = flat.filter(pa.array(keep)).take(pa.array(order))
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), kept), " ")
    return dict(zip(doc_ids, joined.to_pylist(), strict=True))


def stored_token_cache(docs: pa.Table, sentences: pa.Table | None) -> dict[str, str]:
    """Stored tokens of each report (from the sentences table), keyed by its text and by the
    normalised text the model layer actually tokenizes, so reports are not segmented again.
    Values are space-joined words, which ``CachedTokenizer`` splits on lookup."""
    by_doc = tokens_by_doc(sentences)
    if not by_doc:
        return {}
    traditional = load_lexicons().traditional
    cache = {}
    for d, t in zip(docs["doc_id"].to_pylist(), docs["text"].to_pylist(), strict=True):
        if t is not None:
            cache[t] = cache[normalize_for_rules(t, traditional=traditional).text] = by_doc.get(d, "")
    return cache


def _stored_token_tokenizer(out_dir: Path) -> CachedTokenizer:
    """A Segmenter whose cache is filled from the stored sentence tokens, so reports are not
    segmented again and ``classify`` sees the same tokens as ``ingest`` did."""
    import pyarrow.parquet as pq

    from .segment import Segmenter
    from .store import table_path

    tokenizer = CachedTokenizer(Segmenter(), max_items=10**9)
    path = table_path(out_dir, "sentences")
    if path is not None:
        docs = _read_documents(out_dir).select(["doc_id", "text"])
        sents = pq.read_table(path, columns=["doc_id", "tokens"])
        tokenizer.__dict__["_cache"] = stored_token_cache(docs, sents)
    return tokenizer


def run_classify(out_dir: str | os.PathLike[str], *, labels_path: str | os.PathLike[str] | None = None,
                 seed: int = 0, segmenter: Any = None) -> ClassifySummary:
    """Re-classify the reports stored in ``out_dir`` and write the results back.

    Updates the sector/genre columns of documents (atomically, keeping its partitions), writes
    classification_evidence and low_confidence (plus classification_cv and confusion_matrix with
    ``labels_path``; without it, those of an earlier run are removed) and saves the fitted model
    to ``out_dir/models/classifier.joblib``.
    """
    out_dir = Path(out_dir)
    docs = _read_documents(out_dir).select(["doc_id", "text"]).to_pandas()
    if docs.empty:
        raise ClassifyError(f"the documents table in {out_dir} is empty")
    labels = read_labels(labels_path, known_doc_ids=docs["doc_id"]) if labels_path is not None else None
    if segmenter is None:
        segmenter = _stored_token_tokenizer(out_dir)
    result = classify_documents(docs, segmenter=segmenter, labels=labels, seed=seed)
    pred = result.predictions
    by_doc = {r.doc_id: (r.sector, r.sector_confidence, r.genre, r.genre_confidence) for r in pred.itertuples()}
    extra: dict[str, pa.Table] = {
        EVIDENCE_TABLE: evidence_table(result),
        LOW_CONFIDENCE_TABLE: low_confidence_table(result),
    }
    stale: list[str] = []
    if result.cv is not None and result.confusion is not None:
        extra[CV_TABLE] = pa.Table.from_pandas(result.cv, schema=CV_SCHEMA, preserve_index=False)
        extra[CONFUSION_TABLE] = pa.Table.from_pandas(result.confusion, schema=CONFUSION_SCHEMA, preserve_index=False)
    else:
        # cross-validation tables of an earlier run with labels would no longer describe this model
        stale = [CV_TABLE, CONFUSION_TABLE]
    model_path = out_dir / MODEL_PATH
    _save_model(model_path, {"format": 1, "model": result.model, "seed": seed, "user_labels": result.user_labels})
    _publish(out_dir, by_doc, extra, stale)
    return ClassifySummary(
        out_dir=out_dir, n_documents=len(pred),
        sector_counts={k: int(v) for k, v in pred["sector"].value_counts().reindex(SECTORS).dropna().items()},
        genre_counts={k: int(v) for k, v in pred["genre"].value_counts().reindex(GENRES).dropna().items()},
        low_confidence=len(result.low_confidence), n_labels=len(result.user_labels), model_path=model_path,
        tables=["documents", *extra], cv=result.cv, confusion=result.confusion,
    )


def _snippet(text: str, start: int, end: int, width: int = 14) -> str:
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"…{left}[{text[start:end]}]{right}…"


def _format_task(decision: TaskDecision, text: str, max_evidence: int) -> list[str]:
    rule = decision.rule
    lines = [f"{decision.task}: {decision.label}  confidence {decision.confidence:.2f}  (decided by {decision.source})"]
    ranked = [(k, v) for k, v in sorted(rule.scores.items(), key=lambda kv: -kv[1]) if v > 0]
    lines.append(f"  rules: {rule.label} (confidence {rule.confidence:.2f}); scores "
                 + (", ".join(f"{k} {v:.1f}" for k, v in ranked) if ranked else "none"))
    if decision.model_probabilities:
        top = list(decision.model_probabilities.items())[:3]
        lines.append("  model: " + ", ".join(f"{k} {v:.2f}" for k, v in top))
    else:
        lines.append("  model: none (too few confident labels to train one)")
    if decision.source == "user":
        lines.append("  label given by you (--labels)")
    per_label: dict[str, list[Evidence]] = defaultdict(list)
    for ev in rule.evidence:
        per_label[ev.label].append(ev)
    for label, _ in ranked[:3]:
        evs = sorted(per_label[label], key=lambda e: (-e.weight, e.start))[:max_evidence]
        lines.append(f"  evidence for {label}:")
        for ev in evs:
            note = f"  ({ev.note})" if ev.note else ""
            lines.append(f"    {ev.weight:5.2f}  {ev.kind:<9} {ev.zone:<8} @{ev.start:<5} {_snippet(text, ev.start, ev.end)}{note}")
    return lines


def explain(out_dir: str | os.PathLike[str], doc_id: str, *, max_evidence: int = 6) -> str:
    """The evidence that decided one report's sector and genre, as text for people.

    Uses the model saved by the last ``run_classify`` in ``out_dir``.
    """
    out_dir = Path(out_dir)
    table = _read_documents(out_dir)
    cols = [c for c in ("doc_id", "source_file", "report_index", "title", "text") if c in table.column_names]
    docs = table.select(cols).to_pandas()
    row = docs[docs["doc_id"] == doc_id]
    if row.empty:
        raise ClassifyError(f"no document {doc_id!r} in {out_dir}")
    bundle = _load_bundle(out_dir)
    model: ReportClassifier = bundle["model"]
    r = row.iloc[0]
    text = str(r["text"])
    decision = model.decide([text])[0]
    decision = _apply_user_labels(decision, bundle.get("user_labels", {}).get(doc_id, {}))
    where = f"{r.get('source_file', '?')} #{r.get('report_index', '?')}"
    lines = [f"{doc_id}  ({where}, {len(text)} characters)"]
    if r.get("title"):
        lines.append(f"title (not used for classification): {r['title']}")
    lines.append(f"opening: {text[:60].replace(chr(10), ' ')}…")
    lines.append("")
    lines += _format_task(decision["sector"], text, max_evidence)
    lines.append("")
    lines += _format_task(decision["genre"], text, max_evidence)
    return "\n".join(lines)
