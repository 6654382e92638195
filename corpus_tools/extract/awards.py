"""Awards: honours received by the union, its members, departments or unit.

Matching finds the constructions Chinese reports use to say an honour was received:

* passive   ``胸心外科被中华全国总工会授予工人先锋号`` · ``眼科被评为湖南省芙蓉标兵岗``
* grant     ``湖南省校务公开工作领导小组授予我院…先进单位称号``
* get       ``荣获特等奖`` · ``获得了“模范教工之家”的称号`` · ``我院女队获第三名``
* hold      ``永远保持“全国模范职工之家”、“全国五一劳动奖状”的荣誉``
* commend   ``老体协工作受到州里表彰``

Interpreting turns each match into award names (lists 、/和 split into one row per honour,
a bare award-like clause after a comma continues the list: ``获二等奖，校杰出女性奖``), a
recipient (the words before the verb, else the previous recipient in the sentence), an issuer
(``被<issuer>授予``, ``<issuer>授予``, an issuer at the start of the name, or the body that ran
the contest ``在…比赛中``) and a level. Ambitions (力争被评为…, 争创…, 申报…), prizes the union
hands out (评选表彰…) and vague mentions (荣获多个奖项) are not awards received.

The words live in data files: ``award_heads.txt`` (how an honour's name ends),
``award_issuers.txt`` (how an issuing body's name ends), ``award_levels.tsv`` (level words)
and ``award_cues.tsv`` (ambition, handout and vague cues); place names come from
``regions.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ._fold import fold
from ._gazetteer import Gazetteer, default_gazetteer
from ._lexicon import SurfaceIndex, parse_rows, read_path, read_resource
from ._text import CJK, Prefiltered, run_start

__all__ = ["Award", "AwardLexicon", "find_awards", "default_award_lexicon", "award_level", "LEVELS"]

LEVELS = ("national", "provincial", "city", "county", "internal", "unknown")

_NOT_PUNCT = r"[^，,。；;！？!?\n□、：:]"
#: 被 <issuer?> 评为/授予 … (the issuer part also catches adverbs such as 光荣地; checked later)
_PASSIVE_RE = re.compile(rf"被(?P<iss>{_NOT_PUNCT}{{0,20}}?)(?P<verb>推评为|评选为|评定为|评为|授予|命名为|表彰为)了?")
#: 受到/得到 <issuer?> 的 表彰 (an honour without a name)
_COMMEND_RE = re.compile(rf"(?P<verb>受到|得到|获得)了?(?P<iss>{_NOT_PUNCT}{{0,20}}?)的?(?P<award>通报表扬|通报嘉奖|表彰|嘉奖)")
#: 评为 without 被 (我校工会连续三年评为先进单位); not 将/把…评为 (the union rating its members).
#: These three start with a lookbehind, so they are searched from their verbs' first characters.
_RATED_RE = Prefiltered(re.compile(r"(?<![被获推选])(?P<verb>评为|评选为)了?"), "评")
#: <issuer> 授予 <recipient> <award>
_GRANT_RE = Prefiltered(re.compile(r"(?<!被)(?P<verb>授予|颁发给)了?"), "[授颁]")
#: 荣获/获得/获 … ; 获 is not 获悉/获取/获批/获奖 …, nor part of 收获/查获/捕获
_GET_RE = Prefiltered(
    re.compile(r"(?<![收查捕俘缴破])(?P<verb>荣获|获评|获得|喜获|夺得|摘得|赢得|斩获|分获|荣膺|取得|保持|获(?![悉取批准益救胜利知赔释奖得评]))了?"),
    "[荣获喜夺摘赢斩分取保]",
)
#: verbs that only count when their object is a placing (取得第二名) or a titled honour (保持…的荣誉)
_PLACING_ONLY = {"取得"}
_TITLE_ONLY = {"保持"}
#: placings: 第三名, 前三名, 一等奖, 冠军 …
_PLACING_RE = re.compile(r"(?:第|前)[一二三四五六七八九十\d]{1,3}名$|[一二三四五六七八九十\d特]等奖$|冠军$|亚军$|季军$|[金银铜]奖$|[金银铜]牌$")
#: words after an award name that are not part of it
_TAIL_RE = re.compile(r"(?:等|的|之)*(?:好成绩|优异成绩|优秀成绩|较好成绩|好名次|成绩|光荣称号|荣誉称号|称号|荣誉|殊荣|光荣)$|等$|的$")
_HOLDER_RE = re.compile(r"(?<=[^的])的(?!好成绩|优异成绩|优秀成绩|较好成绩|成绩|光荣称号|荣誉称号|称号|荣誉|殊荣)")
_TITLE_WORD_RE = re.compile(r"(?:的)?(?:光荣称号|荣誉称号|称号|荣誉)")
_TIME_PREFIX_RE = re.compile(
    r"^(?:(?:\d{2,4}|[xX×]{1,4}|20[xX_]{2}|[零〇一二三四五六七八九十]{2,4})年度?(?:\d{1,2}月份?)?(?:[，,])?"
    r"|(?:今年|去年|上半年|下半年|年内|近年来|多年来|近年|本年度|年度))+"
)
_LEAD_RE = re.compile(r"^(?:并且|并|同时|其中|另外|此外|而且|以及|还|又|也|先后|分别|均|都|曾|已|再次|首次|顺利|连续\S{1,3}年|多次|数次|因此|也因此|如|永远|继续|始终|一直)+")
_TRAIL_RE = re.compile(r"(?:分别|先后|均|也|还|又|都|再次|首次|顺利地?|因此|也因此|曾|已|已经|光荣的|光荣地|连续\S{1,3}年|连续多年|多次|数次|同时|并|共|一举|荣幸地|永远|继续|始终|一直)+$")
_CONTEST_NOUNS = (r"(?:赛|竞赛|评比|评选|运动会|考核|考评|测试|测评|评估|评审|汇演|会演|调演|会议|大会|演讲|展演|晚会|"
                  r"活动|展览|艺术节|文化节|体育节)")
#: the contest an honour was won at: 在校篮球比赛中 / 参加了市职工运动会腰鼓比赛
_CONTEXT_RE = re.compile(
    rf"(?:在|参加了?)?(?P<ctx>{_NOT_PUNCT}{{2,40}}?{_CONTEST_NOUNS})(?:中|上|期间)|参加了?(?P<ctx2>{_NOT_PUNCT}{{2,40}}{_CONTEST_NOUNS})"
)
_CONTEST_NOUN_RE = re.compile(_CONTEST_NOUNS)
_CONTEST_END_RE = re.compile("(?:比赛|大赛|竞赛|评比|运动会|联赛|锦标赛|汇演|调演|展演|艺术节)$")
_ORGANISED_RE = re.compile(r"^(?P<org>.+?)(?:组织|举办|主办|开展|承办)的")
_SELF_RECIPIENT_RE = re.compile(r"^(?:我[院校会厅局司处部所队站委]|我单位|我公司|我中心|我们|本[院校会]|本单位|该[院校]|该单位)")
_MEMBERS_RE = re.compile(r"\d+名|[一二三四五六七八九十百]+名|职工|会员|教职工|同志")
_QUOTES = "“”\"'‘’「」『』"
_CLOSERS = "”’\"」』》)）"
_AWARD_ADJECTIVES = re.compile("优秀|先进|模范|示范|星级|文明|标兵")
#: a continuation clause must be a bare name: no verb, no preposition
_CLAUSE_WORDS = re.compile("[在居是为了将使把对向让有获被得]")
_HEAD_CONTINUES = set("励金品学项")
#: only a prize can be cut out of a run-on object (获院优秀奖通过讲课比赛); 获得先进的管理经验 is no title
_PRIZE_ENDINGS = ("奖", "奖状", "奖章", "奖杯", "奖牌", "金牌", "银牌", "铜牌", "冠军", "亚军", "季军")
_SPLIT_RE = re.compile(r"、|以及|(?<=[^\s])(?:和|及|与)(?![谐平睦时格])")
#: a sentence, from a position on to its end (and, on the reversed text, back to its start):
#: the constructions are matched and interpreted within one
_SENTENCE_RUN = re.compile(r"[^。！？!?；;\n]*")


@dataclass(frozen=True)
class Award:
    """One honour received; ``text == report_text[start:end]`` is the evidence."""

    start: int
    end: int
    text: str
    award: str
    recipient: str | None
    issuer: str | None
    level: str

    def row(self, section_id: int | None = None) -> dict:
        """The ``awards`` table row (without ``doc_id``)."""
        return dict(start=self.start, end=self.end, text=self.text, award=self.award, recipient=self.recipient,
                    issuer=self.issuer, level=self.level, section_id=section_id)


@dataclass(frozen=True)
class AwardLexicon:
    """The award word lists (see the module docstring) and the place gazetteer."""

    heads: tuple[str, ...]
    issuer_suffixes: tuple[str, ...]
    levels: dict[str, str]
    cues: dict[str, str]
    gazetteer: Gazetteer = field(repr=False, compare=False, default_factory=default_gazetteer)
    # built from the lists above in __post_init__ (and again after unpickling)
    _level_index: SurfaceIndex = field(init=False, repr=False, compare=False)
    _cue_index: SurfaceIndex = field(init=False, repr=False, compare=False)
    _org_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _org_end_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _head_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _vague_cues: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_level_index", SurfaceIndex(tuple(self.levels)))
        object.__setattr__(self, "_cue_index", SurfaceIndex(tuple(self.cues)))
        object.__setattr__(self, "_vague_cues", tuple(w for w, kind in self.cues.items() if kind == "vague"))
        suffixes = "|".join(re.escape(s) for s in sorted(self.issuer_suffixes, key=len, reverse=True))
        heads = "|".join(re.escape(s) for s in sorted(self.heads, key=len, reverse=True))
        object.__setattr__(self, "_org_re", re.compile(rf"[^，,。；;□、]{{0,16}}?(?:{suffixes})") if suffixes else None)
        object.__setattr__(self, "_org_end_re", re.compile(rf"(?:{suffixes})$") if suffixes else None)
        object.__setattr__(self, "_head_re", re.compile(rf"(?:{heads})") if heads else re.compile(r"(?!)"))

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in ("heads", "issuer_suffixes", "levels", "cues", "gazetteer")}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self.__post_init__()

    @classmethod
    def from_text(cls, heads: str, issuers: str, levels: str, cues: str, *,
                  gazetteer: Gazetteer | None = None) -> AwardLexicon:
        return cls(
            tuple(r[0] for r in parse_rows(heads, n_fields=1, source="award_heads")),
            tuple(r[0] for r in parse_rows(issuers, n_fields=1, source="award_issuers")),
            {w: lv for w, lv in parse_rows(levels, n_fields=2, source="award_levels") if lv in LEVELS},
            {w: k for w, k in parse_rows(cues, n_fields=2, source="award_cues")},
            gazetteer or default_gazetteer(),
        )

    def with_gazetteer(self, gazetteer: Gazetteer) -> AwardLexicon:
        """The same lists with another gazetteer (place names decide levels too)."""
        return replace(self, gazetteer=gazetteer)

    @classmethod
    def from_files(cls, directory: str | None = None) -> AwardLexicon:
        """The packaged lists, or the same four file names from ``directory``."""
        def read(name: str) -> str:
            return read_path(f"{directory}/{name}") if directory else read_resource(name)
        return cls.from_text(read("award_heads.txt"), read("award_issuers.txt"), read("award_levels.tsv"),
                             read("award_cues.tsv"))

    # -- lookups used by the interpreter --------------------------------------------------

    def cue_in(self, text: str, kind: str) -> bool:
        return any(self.cues[w] == kind for _, _, w in self._cue_index.find_all(text))

    def is_vague(self, name: str) -> bool:
        return any(w in name for w in self._vague_cues) or not CJK.search(name)

    def org_prefix(self, s: str) -> str | None:
        """The issuing body a name starts with (省教育工会百岗明星 → 省教育工会), or None."""
        if self._org_re is None:
            return None
        m = self._org_re.match(s)
        if not m or m.end() >= len(s):
            return None
        org = m.group(0)
        # 中华全国总工会女职工委员会: a second body name right after the first belongs to it
        m2 = self._org_re.match(s, m.end())
        if m2 and m2.end() < len(s) and m2.end() - m.end() <= 8 and not re.search("直属|基层|所属|下属", m2.group(0)):
            org = s[:m2.end()]
        # 优秀工会工作者 names an honour, not a body
        if _AWARD_ADJECTIVES.search(org) or s[len(org):].startswith(("工作者", "干部", "积极分子")):
            return None
        return org

    def is_holder(self, s: str) -> bool:
        """Whether ``s`` starts with a noun naming who holds an honour (职工, 同志, 20名 …)."""
        s = re.sub(r"^[\d一二三四五六七八九十百]+", "", s)
        return any(kind == "holder" and s.startswith(w) for w, kind in self.cues.items())

    def is_org(self, s: str) -> bool:
        return bool(s) and self._org_end_re is not None and bool(self._org_end_re.search(s))

    def head_end(self, s: str) -> int:
        """End of the last award ending inside ``s`` (0 when none)."""
        ends = [m.end() for m in self._head_re.finditer(s)]
        return max(ends) if ends else 0

    def ends_with_head(self, s: str) -> bool:
        s = s.rstrip(_CLOSERS)
        return self.head_end(s) == len(s) and len(s) > 0 or bool(_PLACING_RE.search(s))


@lru_cache(maxsize=1)
def default_award_lexicon() -> AwardLexicon:
    """The packaged award word lists (loaded once per process)."""
    return AwardLexicon.from_files()


# -- interpreting -------------------------------------------------------------------------

def award_level(name: str, issuer: str | None = None, context: str | None = None, *,
                lexicon: AwardLexicon | None = None) -> str:
    """The level of an honour from its issuer, else its name, else the contest it was won in.

    In each string the earliest level word or place name decides.

    Examples
    --------
    >>> award_level("工人先锋号", "中华全国总工会")
    'national'
    >>> award_level("湖南省芙蓉标兵岗")
    'provincial'
    >>> award_level("第三名", None, "校篮球比赛")
    'internal'
    """
    lexicon = lexicon or default_award_lexicon()
    for s in (issuer, name, context):
        if not s:
            continue
        best: tuple[int, int, str] | None = None
        for st, en, w in lexicon._level_index.find_all(s):
            best = (st, -(en - st), lexicon.levels[w])
            break
        for st, en, place in lexicon.gazetteer.find_all(s):
            cand = (st, -(en - st), {"province": "provincial", "city": "city"}.get(place.level, "county"))
            if best is None or cand[:2] < best[:2]:
                best = cand
            break
        if best is not None:
            return best[2]
    return "unknown"


def _unquote(s: str) -> str:
    s = s.strip().strip("的了")
    if len(s) >= 2 and s[0] in _QUOTES and s[-1] in _QUOTES and not any(q in s[1:-1] for q in "“”"):
        return s[1:-1].strip()
    return s


def _clean_name(raw: str) -> tuple[str, bool]:
    """Strip time words, tails (的好成绩, 称号 …) and quotes; say whether a title word followed."""
    s = _TIME_PREFIX_RE.sub("", raw.strip())
    titled = False
    while True:
        m = _TAIL_RE.search(s)
        if not m or m.start() == 0:
            break
        if re.search("称号|荣誉", m.group(0)):
            titled = True
        s = s[:m.start()]
    return _unquote(s), titled


def _split_items(obj: str, lexicon: AwardLexicon) -> list[tuple[int, int]]:
    """``(start, end)`` of each honour in a list object (A、B和C)."""
    pieces, pos = [], 0
    for m in _SPLIT_RE.finditer(obj):
        left = obj[pos:m.start()]
        if m.group(0) in ("和", "及", "与"):
            right = obj[m.end():]
            # 和 splits only two award names (先进党支部和先进工会小组), never 创新和谐演讲比赛
            if not (len(left) >= 3 and len(right) >= 3 and
                    (lexicon.ends_with_head(_clean_name(left)[0]) or _PLACING_RE.search(left))):
                continue
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(obj)))
    return [(a, b) for a, b in pieces if obj[a:b].strip()]


def _recipient(text: str, lo: int, hi: int) -> str | None:
    s = text[lo:hi].strip(" 　，,、□")
    s = _TIME_PREFIX_RE.sub("", s)
    s = _CONTEXT_RE.sub("", s) if _CONTEXT_RE.search(s) else s
    s = re.sub(r"^在.{1,30}?(?:中|上|期间)", "", s)
    s = _LEAD_RE.sub("", s)
    s = _TRAIL_RE.sub("", s).strip(" 　，,、")
    s = re.sub(r"(?:两|二|三|四|五|\d+)?(?:位|名)?同志$", "", s) if s.endswith("同志") and len(s) > 4 else s
    if not s or len(s) > 24 or not CJK.search(s):
        return None
    return s


def _context(text: str, lo: int, hi: int) -> str | None:
    """The contest or meeting the honour was won at (在校篮球比赛中 → 校篮球比赛)."""
    if _CONTEST_NOUN_RE.search(text, lo, hi) is None:
        return None  # the quick answer for most windows: every context names its contest
    found = None
    for m in _CONTEXT_RE.finditer(text, lo, hi):
        found = m.group("ctx") or m.group("ctx2")
    if found is None:
        return None
    found = re.split("在|参加了?", found)[-1].lstrip("如")
    return _TIME_PREFIX_RE.sub("", found) or None


def _issuer_from_context(ctx: str | None, lexicon: AwardLexicon) -> str | None:
    if not ctx:
        return None
    m = _ORGANISED_RE.match(ctx)
    if m:
        return _TIME_PREFIX_RE.sub("", m.group("org").split("、")[0]) or None
    org = lexicon._org_re.match(ctx) if lexicon._org_re else None
    return org.group(0) if org and org.end() < len(ctx) else None


def _clean_issuer(s: str, lexicon: AwardLexicon) -> str | None:
    s = s.strip().rstrip("的")
    if lexicon.is_org(s) or re.fullmatch(r".{0,4}(?:州里|市里|省里|县里|区里|街道|政府)", s):
        return s
    return None


@dataclass
class _Match:
    """A matched construction (matching only; ``_awards_in_sentence`` interprets it)."""

    kind: str          # passive | commend | rated | grant | get
    start: int         # where the construction starts (被 / the verb)
    verb_start: int
    verb_end: int      # where the object starts
    verb: str
    issuer: str | None = None
    award: str | None = None  # for commend: the fixed name


def _candidates(text: str, lo: int, hi: int) -> list[_Match]:
    """The constructions matched in ``text[lo:hi]``, in text order; none spans a sentence break."""
    found: list[_Match] = []
    busy = bytearray(hi - lo)

    def free(a: int, b: int) -> bool:
        return not any(busy[a - lo:b - lo])

    def take(a: int, b: int) -> None:
        busy[a - lo:b - lo] = b"\x01" * (b - a)

    for m in _PASSIVE_RE.finditer(text, lo, hi):
        found.append(_Match("passive", m.start(), m.start("verb"), m.end(), m.group("verb"), m.group("iss")))
        take(m.start(), m.end())
    for m in _COMMEND_RE.finditer(text, lo, hi):
        if free(m.start(), m.end()):
            found.append(_Match("commend", m.start(), m.start(), m.end(), m.group("verb"), m.group("iss"),
                                m.group("award")))
            take(m.start(), m.end())
    for m in _RATED_RE.finditer(text, lo, hi):
        if free(m.start(), m.end()):
            found.append(_Match("rated", m.start(), m.start(), m.end(), m.group("verb")))
            take(m.start(), m.end())
    for m in _GRANT_RE.finditer(text, lo, hi):
        if free(m.start(), m.end()):
            found.append(_Match("grant", m.start(), m.start(), m.end(), m.group("verb")))
            take(m.start(), m.end())
    for m in _GET_RE.finditer(text, lo, hi):
        if free(m.start(), m.end()):
            found.append(_Match("get", m.start(), m.start(), m.end(), m.group("verb")))
            take(m.start(), m.end())
    found.sort(key=lambda c: c.start)
    return found


_OBJ_BREAKS = "，,。；;！？!?\n□：:"
_WINDOW = 120


def _object_end(text: str, pos: int, hi: int, next_start: int) -> int:
    end = pos
    limit = min(hi, next_start)
    while end < limit and text[end] not in _OBJ_BREAKS:
        end += 1
    return end


def _continuations(text: str, pos: int, hi: int, lexicon: AwardLexicon) -> list[tuple[int, int]]:
    """Award-only clauses right after an award (获二等奖，校杰出女性奖□…)."""
    out = []
    while pos < len(text) and text[pos] in "，,、□":
        s = pos + 1
        e = s
        while e < len(text) and e - s <= 24 and text[e] not in _OBJ_BREAKS + "、":
            e += 1
        name, _ = _clean_name(text[s:e])
        seg = text[s:e]
        if (not name or len(name) > 20 or _CLAUSE_WORDS.search(_TIME_PREFIX_RE.sub("", seg))
                or not lexicon.ends_with_head(name) or lexicon.is_vague(name)):
            break
        out.append((s, e))
        pos = e
    return out


def find_awards(text: str, *, lexicon: AwardLexicon | None = None) -> list[Award]:
    """Find every honour received in ``text``, in text order.

    Parameters
    ----------
    text
        A report's text (``documents.text``).
    lexicon
        The award word lists; the packaged ones when None.

    Returns
    -------
    list[Award]
        One row per honour; a list (A、B等荣誉称号) gives one row per item. The same titled
        honour named twice for the same recipient is kept once.

    Examples
    --------
    >>> [(a.award, a.recipient, a.issuer, a.level) for a in find_awards("胸心外科被中华全国总工会授予工人先锋号。")]
    [('工人先锋号', '胸心外科', '中华全国总工会', 'national')]
    >>> find_awards("力争被评为全国模范职工之家。")
    []
    """
    lexicon = lexicon or default_award_lexicon()
    folded = fold(text)
    out: list[Award] = []
    # no construction can match across a sentence break, so matching them once over the whole
    # text finds what matching each sentence would, and only the few sentences holding a
    # candidate need interpreting
    cands = _candidates(folded, 0, len(folded))
    reverse = folded[::-1] if cands else ""
    i = 0
    while i < len(cands):
        # the sentence around the next candidate, found from the candidate rather
        # than by walking every sentence of the text: candidates are few, sentences are not
        at = cands[i].start
        lo, hi = run_start(_SENTENCE_RUN, folded, reverse, at), _SENTENCE_RUN.match(folded, at).end()
        j = i + 1
        while j < len(cands) and cands[j].start < hi:
            j += 1
        out.extend(_awards_in_sentence(folded, lo, hi, cands[i:j], lexicon))
        i = j
    if folded is text:
        return _dedupe(out)  # each evidence is already the text as written
    return [replace(a, text=text[a.start:a.end]) for a in _dedupe(out)]


def _awards_in_sentence(text: str, lo: int, hi: int, cands: list[_Match], lexicon: AwardLexicon) -> list[Award]:
    """The honours of the sentence ``text[lo:hi]``, given its candidates in text order."""
    out: list[Award] = []
    last_recipient: str | None = None
    consumed = lo
    for i, c in enumerate(cands):
        if c.start < consumed:
            continue
        # look back at most _WINDOW characters: keeps long unpunctuated paragraphs linear
        win = max(lo, c.start - _WINDOW)
        clause_lo = c.start
        while clause_lo > max(win, consumed) and text[clause_lo - 1] not in "，,；;：:□":
            clause_lo -= 1
        before = text[clause_lo:c.start]
        if lexicon.cue_in(before, "ambition") or lexicon.cue_in(text[win:c.start], "handout"):
            continue
        if c.kind == "rated" and re.search("[将把对]", before):
            continue
        recipient = _recipient(text, clause_lo, c.start)
        ctx = _context(text, win, c.start)
        inherit = True
        if recipient and _CONTEST_END_RE.search(recipient):
            # 南阳市老干部运动会荣获优秀组织奖: the contest, not the winner
            ctx, recipient, inherit = recipient, None, False
        if c.kind == "commend":
            issuer = _clean_issuer(c.issuer or "", lexicon)
            rec = recipient or last_recipient
            level = award_level(c.award or "", issuer, ctx, lexicon=lexicon)
            ev_lo = clause_lo + (len(text[clause_lo:c.start]) - len(text[clause_lo:c.start].lstrip(" 　，,、□")))
            out.append(Award(ev_lo, c.verb_end, text[ev_lo:c.verb_end], c.award or "表彰", rec, issuer, level))
            consumed = c.verb_end
            last_recipient = rec
            continue
        obj_lo = c.verb_end
        next_start = cands[i + 1].start if i + 1 < len(cands) and cands[i + 1].start >= obj_lo else hi
        obj_hi = _object_end(text, obj_lo, min(hi, obj_lo + _WINDOW), next_start)
        obj = text[obj_lo:obj_hi]
        # 获得一等奖的职工 / 被评为先进个人的20名职工: the honour describes its holder
        holder = _HOLDER_RE.search(obj)
        if holder and lexicon.is_holder(obj[holder.end():]):
            continue
        # a title word inside the object ends the honour's name (荣获“礼貌岗”荣誉称号的图书馆 …)
        titled_inside = False
        tm = _TITLE_WORD_RE.search(obj)
        if tm and tm.end() < len(obj) and c.kind not in ("passive", "rated"):
            obj = obj[:tm.end()]
            titled_inside = True
        issuer: str | None = None
        if c.kind == "passive":
            issuer = _clean_issuer(c.issuer or "", lexicon)
        elif c.kind == "grant":
            subject = text[clause_lo:c.start]
            if not lexicon.is_org(subject.strip()):
                continue
            issuer = _recipient(text, clause_lo, c.start) or subject.strip()
            rm = _SELF_RECIPIENT_RE.match(obj) or re.match(r"^[^“”，。]{1,12}?(?=“)", obj)
            grant_rec = rm.group(0) if rm else None
            if grant_rec and _MEMBERS_RE.search(grant_rec):
                continue  # the union honouring its own members
            if grant_rec:
                obj_lo += len(grant_rec)
                obj = obj[len(grant_rec):]
                recipient = grant_rec
        rows = _name_items(c, obj, obj_lo, titled_inside, lexicon)
        if not rows:
            continue
        # an award-only clause after the last item continues the list
        for s, e in _continuations(text, obj_hi, hi, lexicon):
            rows.append((s, e, _clean_name(text[s:e])[0], False))
            obj_hi = e
        rec = recipient or (last_recipient if inherit else None)
        ev_lo = clause_lo if recipient else c.start
        while ev_lo < c.start and text[ev_lo] in " 　，,、□":
            ev_lo += 1
        for k, (s, e, name, _) in enumerate(rows):
            item_issuer = issuer or lexicon.org_prefix(name) or _issuer_from_context(ctx, lexicon)
            level = award_level(name, issuer or lexicon.org_prefix(name), ctx, lexicon=lexicon)
            start = ev_lo if k == 0 else s
            end = e
            if k == 0 and len(rows) == 1 and _clean_name(text[s:obj_lo + len(obj)])[0] == name:
                end = obj_lo + len(obj)  # keep the title words (…称号, …的好成绩) in the evidence
            while end > start and text[end - 1] in " 　，,、□":
                end -= 1
            out.append(Award(start, end, text[start:end], name, rec, item_issuer, level))
        consumed = max(obj_hi, c.verb_end)
        last_recipient = rec
    return out


def _name_items(c: _Match, obj: str, obj_lo: int, titled_inside: bool,
                lexicon: AwardLexicon) -> list[tuple[int, int, str, bool]]:
    """Interpret an object span as honour names: ``(start, end, name, titled)`` per list item."""
    # a title word after a list (A、B等荣誉称号) covers every item
    titled_all = titled_inside or _clean_name(obj)[1]
    rows: list[tuple[int, int, str, bool]] = []
    for a, b in _split_items(obj, lexicon):
        name, titled = _clean_name(obj[a:b])
        titled = titled or titled_all
        if c.kind in ("get", "grant") and not (lexicon.ends_with_head(name) or titled):
            cut = lexicon.head_end(name)
            # 院优秀奖通过讲课比赛 (a lost full stop) → 院优秀奖; never 奖|励 or a 的-phrase
            if (cut >= 2 and c.kind == "get" and name[cut:cut + 1] not in _HEAD_CONTINUES and "的" not in name[:cut]
                    and (_PLACING_RE.search(name[:cut]) or name[:cut].endswith(_PRIZE_ENDINGS))):
                name = name[:cut]
                b = a + obj[a:b].find(name) + len(name) if name in obj[a:b] else b
            else:
                continue
        if c.verb in _PLACING_ONLY and not (_PLACING_RE.search(name) or name.endswith("奖")):
            continue
        if c.verb in _TITLE_ONLY and not titled:
            continue
        if len(name) < 2 or len(name) > 60 or lexicon.is_vague(name):
            continue
        rows.append((obj_lo + a, obj_lo + b, name, titled))
    return rows


def _dedupe(awards: list[Award]) -> list[Award]:
    """Drop a titled honour named again for the same (or an unnamed) recipient."""
    out: list[Award] = []
    seen: dict[str, set[str | None]] = {}
    for a in awards:
        key = re.sub(f"[{_QUOTES}]", "", a.award)
        recips = seen.get(key)
        placing = bool(_PLACING_RE.search(key)) or key.endswith("奖")
        if recips is not None and not placing and (a.recipient is None or a.recipient in recips or None in recips):
            continue
        seen.setdefault(key, set()).add(a.recipient)
        out.append(a)
    return out
