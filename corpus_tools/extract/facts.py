"""Report facts: the years a report is dated by, its reporting unit, its regions, and counts.

* ``find_years``  year expressions as written: 2012年, 二〇一三年, and anonymised 20xx, xx, 20__.
* ``find_unit``   the reporting organisation (我受电力公司工会委员会的委托 → 电力公司工会), or None
  when it is anonymised (吉林省xx医院工会) or only generic (院工会).
* ``find_regions`` places that locate the unit: those in its name, those naming a local body
  (湖南省总工会, 长沙市政府), and a province the report keeps returning to.
* ``find_counts`` counts of people and events (600多人次, 150名, 24件), masked ones kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..offsets import SpanIndex
from ._fold import fold
from ._gazetteer import Gazetteer, default_gazetteer
from ._text import CJK, Prefiltered
from .numbers import (
    APPROX_PREFIX_CHARS,
    APPROX_PREFIX_FIRST,
    MASK_CHARS,
    NUMBER_CHARS,
    NUMBER_FIRST,
    NUMBER_LEFT_EDGE,
    parse_number_cached,
)
from .numbers import APPROX_PREFIX_PATTERN as _PRE
from .numbers import NUMBER_PATTERN as _BODY

__all__ = ["Year", "Count", "find_years", "find_unit", "find_regions", "find_counts", "COUNT_RE"]

# -- years ------------------------------------------------------------------------------------

_CN_YEAR = r"[一二][〇○零0Ｏ][〇○零0一二三四五六七八九_xX]{2}"
_YEAR_RE = re.compile(
    rf"(?<![\dA-Za-z_＿×*＊])(?P<y>(?:19|20)\d{{2}}|20[xX×_＿]{{2}}|{_CN_YEAR}|[xX×]{{1,4}}|[_＿]{{2,4}}|[*＊]{{2,5}})"
    r"年(?!来|前|后|间|内)"
)
#: how every year starts: one to five digits or masks, then 年
_YEARS = Prefiltered(_YEAR_RE, r"[12一二xX×_＿*＊][\d〇○零Ｏ一二三四五六七八九xX×_＿*＊]{0,4}年")
#: a year after 到/至 is a horizon (到2020年), not a date of the report
_HORIZON_BEFORE = re.compile(r"(?:到|至|截至|截止)$")


@dataclass(frozen=True)
class Year:
    """One year expression; ``value`` is as written (20xx; 2012年 keeps its 年)."""

    start: int
    end: int
    text: str
    value: str
    masked: bool


def find_years(text: str) -> list[Year]:
    """Every year expression that dates something in the report, in text order.

    A complete year keeps its 年 (2012年, 二〇一三年); an anonymised one is given without it
    (20xx, xx, 20__, 二0__), as the gold annotation writes them.

    Examples
    --------
    >>> [y.value for y in find_years("20xx年，院工会……二〇一三年三月，2012年初，力争到2020年，工作三年来")]
    ['20xx', '二〇一三年', '2012年']
    """
    folded = fold(text)
    out = []
    for m in _YEARS.finditer(folded):
        if _HORIZON_BEFORE.search(folded, max(0, m.start() - 2), m.start()):
            continue
        masked = any(c in MASK_CHARS for c in m.group("y"))
        written = text[m.start():m.end()]
        out.append(Year(m.start(), m.end(), written, written[:-1] if masked else written, masked))
    return out


def distinct_years(text: str) -> list[str]:
    """The distinct year values of ``find_years``, in order of first appearance."""
    seen: dict[str, None] = {}
    for y in find_years(text):
        seen.setdefault(y.value, None)
    return list(seen)


# -- the reporting unit ---------------------------------------------------------------------

_ORG_CHARS = r"[^，,。；;：:、\s“”《》()（）]"
#: what follows the unit's name in a report title: 20xx年工作报告, 财务工作总结
_TITLE_TAIL = r"(?:\d{4}|20xx|20XX)?年?度?(?:财务)?工作(?:报告|总结)"
_TITLE_NAME_MAX = 30
_UNIT_PATTERNS = (
    # 我受电力公司工会委员会的委托
    re.compile(rf"受(?P<org>{_ORG_CHARS}{{2,30}}?工会)(?:委员会)?的?委托"),
    # 作巴林左旗医院八届四次工会委员会财务工作报告
    re.compile(rf"[作做](?P<org>{_ORG_CHARS}{{2,30}}?)(?:第?[一二三四五六七八九十\d]{{1,3}}届[一二三四五六七八九十\d]{{1,3}}次)?工会(?:委员会)?(?:财务)?工作报告"),
    # 代表机械工程学院工会向大会
    re.compile(rf"代表(?P<org>{_ORG_CHARS}{{2,30}}?工会)(?:委员会)?向"),
    # 电力公司工会20xx年工作报告 (kept last: see ``_unit_matches``)
    re.compile(rf"(?P<org>{_ORG_CHARS}{{2,{_TITLE_NAME_MAX}}}?工会){_TITLE_TAIL}"),
)
#: the first 工会 the last unit pattern can end its name with
_TITLE_UNION = re.compile(rf"工会(?={_TITLE_TAIL})")
#: the words a body's name ends with, and how many characters may come before one
_ORG_WORDS = ("公司", "医院", "学院", "学校", "大学", "中学", "小学", "法院", "检察院", "局", "厂", "段", "中心", "集团",
              "机关", "站", "矿", "馆", "社", "银行", "委员会")
_ORG_NAME_MAX = 14
#: a named body's union: 机械工程学院工会, 电力公司工会 (its name ends with an organisation word)
_ORG_MENTION = re.compile(rf"(?P<org>{_ORG_CHARS}{{1,{_ORG_NAME_MAX}}}?(?:{'|'.join(_ORG_WORDS)}))工会")
#: how far before its 工会 a mention can start
_ORG_REACH = _ORG_NAME_MAX + max(map(len, _ORG_WORDS))
#: a unit name made only of these words says nothing about who reports
_GENERIC_UNIT = re.compile(
    r"^(?:我|本|该|各|全|院|校|段|厂|局|医院|学院|学校|公司|集团|机关|基层|分|上级|总|省|市|县|区|中国|中华全国|全国|"
    r"教育|省教育|市教育|部门|企业|单位|职工|会员|女职工|委员会|工作|xx|XX|某)*工会$"
)
_UNIT_NOISE = re.compile(r"^(?:20[xX\d]{2}年度?|今年|一年来|同时|并|在|为|由|向|是|与|和|及)+")


#: words before an organisation's name that are not part of it (…做好医院工会, 通过这次工会)
_UNIT_LEAD = re.compile(
    r"^.*(?:的|在|了|和|与|为|对|把|被|将|从|向|代表|发挥|做好|促使|提高|通过|这次|总结|体会|方面|以来|年来|来|下拨|组织|"
    r"开展|配合|支持|现将|努力|充分|加强|利用|根据|探索|依托|围绕|是|由|经|让|使|我们|我)"
)
_TERM = re.compile(r"第?[一二三四五六七八九十\d]{1,3}届(?:[一二三四五六七八九十\d]{1,3}次)?")


def _unit_name(raw: str) -> str:
    org = _UNIT_LEAD.sub("", _UNIT_NOISE.sub("", raw))
    org = _TERM.sub("", org)
    return org if org.endswith("工会") else org + "工会"


def _unit_ok(org: str) -> bool:
    return bool(org) and not _GENERIC_UNIT.match(org) and not any(c in MASK_CHARS for c in org) and "某" not in org


def _org_mentions(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_ORG_MENTION.finditer(text)``, found by looking only around each 工会.

    Scanning the whole text tries the lazy name at every position, which made this the
    slowest scan of the extract stage. But a mention ends with an organisation word and 工会,
    and starts at most ``_ORG_REACH`` characters before that 工会; and since its name is lazy
    and two 工会 never overlap, it ends at the first 工会 it can reach (reaching a later one
    takes a longer name). So searching the stretch just before each such 工会, up to that 工会
    and never before the end of the previous mention, finds the same mentions in the same
    order: whatever a search cut off at that 工会 finds is exactly what the whole-text scan
    finds there, and no mention can start earlier and end at a later 工会 than one found.
    """
    free = 0  # where the previous mention ended
    q = text.find("工会")
    while q != -1:
        if text.endswith(_ORG_WORDS, 0, q):  # else no mention ends with this 工会
            lo = max(free, q - _ORG_REACH)
            while (m := _ORG_MENTION.search(text, lo, q + 2)) is not None:
                yield m
                free = lo = m.end()
        q = text.find("工会", q + 2)


def _unit_matches(head: str) -> Iterator[re.Match[str]]:
    """The matches of each of ``_UNIT_PATTERNS`` in ``head``, pattern by pattern.

    The last pattern starts with a lazy name, so a plain scan tries it at every position. Its
    name (at most ``_TITLE_NAME_MAX`` characters) ends with a 工会 that the title words follow;
    no match can start further than that before the first such 工会, so the scan starts there.
    """
    for pat in _UNIT_PATTERNS[:-1]:
        yield from pat.finditer(head)
    union = _TITLE_UNION.search(head)
    if union is not None:
        yield from _UNIT_PATTERNS[-1].finditer(head, max(0, union.start() - _TITLE_NAME_MAX))


def find_unit(text: str) -> str | None:
    """The reporting organisation as named, or None when anonymised or only generic.

    Examples
    --------
    >>> find_unit("我受电力公司工会委员会的委托，向大会做工作报告。")
    '电力公司工会'
    >>> find_unit("我受吉林省xx医院工会委员会的委托，向大会做报告。") is None
    True
    """
    text = fold(text)
    for m in _unit_matches(text[:800]):
        org = _unit_name(m.group("org"))
        if any(c in MASK_CHARS for c in org):
            return None  # the text names its unit, but anonymised
        if _unit_ok(org):
            return org
    counts = Counter(_unit_name(m.group("org")) for m in _org_mentions(text))
    specific = [(n, -text.find(org), org) for org, n in counts.items()
                if _unit_ok(org) and len(org) >= 5 and not org.endswith(("总工会", "分工会", "教育工会"))]
    if specific:
        return max(specific)[2]
    return None


# -- regions --------------------------------------------------------------------------------

#: words after a place name that show a local body (湖南省总工会, 长沙市政府, 吉林省xx医院)
_LOCAL_BODY = re.compile(
    r"[^，,。；;、\s]{0,8}?(?:总工会|工会|政府|人民政府|省委|市委|县委|区委|医院|法院|检察院|公安局|教育局|卫生局|消防|"
    r"中学|小学|大学|学院|公司|供电|电力|铁路|银行|政法|卫生|疾控|中心|委员会|妇联)"
)
_BODY_NOW = re.compile(r"(?:市|省|县|区)?(?:总工会|政府|人民政府|省委|市委|县委|区委|消防|公安|中级|电力|供电|卫生|教育|疾控|妇联)")


def find_regions(text: str, *, unit: str | None = None, gazetteer: Gazetteer | None = None) -> list[str]:
    """Places that locate the reporting unit, as full names, in order of first mention.

    A place counts when it is part of the unit's name, names a local body (湖南省总工会,
    长沙市政府), or is a province mentioned at least three times.

    Examples
    --------
    >>> find_regions("胸心外科被湖南省总工会授予工人先锋号，响应长沙市政府号召，赴北京参观。")
    ['湖南省', '长沙市']
    """
    gazetteer = gazetteer or default_gazetteer()
    text = fold(text)
    found: dict[str, int] = {}
    if unit:
        for s, _, place in gazetteer.find_all(unit):
            found.setdefault(place.name, -1000 + s)
    mentions = gazetteer.find_all(text)
    per_province = Counter(p.name for _, _, p in mentions if p.level == "province")
    for s, e, place in mentions:
        surface = text[s:e]
        if len(surface) == 2 and s > 0 and CJK.match(text, s - 1) and text[s - 1] not in "省市州在于我的":
            continue  # 和县 in 乡镇和县总工会 is "and the county"
        # a short form (长沙, 来宾) must be followed right away by the body it names
        body = _LOCAL_BODY.match(text, e) if surface == place.name else _BODY_NOW.match(text, e)
        if body or (place.level == "province" and per_province[place.name] >= 3):
            found.setdefault(place.name, s)
    return [name for name, _ in sorted(found.items(), key=lambda kv: kv[1])]


# -- counts ---------------------------------------------------------------------------------

#: people and event counts: 600多人次, 150名, 近700人次, 24件, xx名; 第三名 and 四次 (a
#: small Chinese numeral) are not counts
COUNT_RE = re.compile(
    rf"(?P<pre>{_PRE})?(?P<num>(?<!第){NUMBER_LEFT_EDGE}{_BODY})"
    r"(?P<unit>人次|人(?!民)|名(?![单称额义次列])|位(?![置于])|户|家(?![庭长属乡])|场|次|件|条|项|批|篇|所|对)"
)
#: how every count starts: an approximation word or a number, then more of either up to the unit
_COUNTS = Prefiltered(
    COUNT_RE,
    rf"[{APPROX_PREFIX_FIRST}{NUMBER_FIRST}][{APPROX_PREFIX_CHARS}{NUMBER_CHARS}]*[人名位户家场次件条项批篇所对]",
)
_APPROX_AFTER = re.compile(r"左右|以上|上下|之多|有余")


@dataclass(frozen=True)
class Count:
    """One count; ``text == report_text[start:end]``."""

    start: int
    end: int
    text: str
    value: float | None
    unit: str
    approx: bool
    masked: bool

    def row(self, section_id: int | None = None) -> dict:
        """The ``counts`` table row (without ``doc_id``)."""
        return dict(start=self.start, end=self.end, text=self.text, value=self.value, unit=self.unit,
                    approx=self.approx, masked=self.masked, section_id=section_id)


def find_counts(text: str, *, exclude: Sequence[tuple[int, int]] = ()) -> list[Count]:
    """Counts of people and events, in text order (spans in ``exclude``, e.g. amounts, skipped).

    Examples
    --------
    >>> [(c.text, c.value, c.unit, c.approx) for c in find_counts("慰问600多人次，奖励411人，获第三名，召开四次会议")]
    [('600多人次', 600.0, '人次', True), ('411人', 411.0, '人', False)]
    """
    source, text = text, fold(text)
    out = []
    excluded = SpanIndex(exclude)
    for m in _COUNTS.finditer(text):
        start = m.start("pre") if m.group("pre") else m.start("num")
        end = m.end()
        if excluded.overlaps(start, end):
            continue
        pre = m.group("pre") or ""
        num = m.group("num")
        if text[m.end("num") - 1:m.end("num")] in "余多几" and num[-1] in "余多几" and len(num) == 1:
            continue
        try:
            parsed = parse_number_cached((pre if pre in ("数", "几") else "") + num)
        except ValueError:
            continue
        arabic = any(c.isdigit() for c in num)
        if not parsed.masked and not arabic and (parsed.value is None or parsed.value < 10):
            continue  # 一次, 两人, 三名: prose, not a figure
        approx = parsed.approx or bool(pre) or bool(_APPROX_AFTER.match(text, end))
        out.append(Count(start, end, source[start:end], parsed.value, m.group("unit"), approx, parsed.masked))
    return out
