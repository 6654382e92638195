"""The split stage: one cleaned compilation page in, its reports out.

Pages cut their reports with markers (篇一, 篇1, 篇 1, 【篇一】, with or without markdown), but
some reports follow each other with no marker at all. There a new report is recognised the
way a reader does: the previous one has closed (谢谢大家, …而努力奋斗, a date or a signature)
and/or the next one opens like a report opens (各位代表：, 我受…委托, 20xx年，在…领导下,
现将…总结如下), or the text stops being about a union altogether for a long stretch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import is_heading_like
from .patterns import CLOSERS, PAGE_TITLE, REPORT_MARKER, marker_number, match_marker
from .records import ReportSpan

_YEAR = r"(?:(?:19|20)[\dxX×_＿*＊]{2}|[xX×]{2,4}|二[〇○零0][\d〇○零一二三四五六七八九xX_]{2}|[一二三四五六七八九〇○零]{4})年?"

#: the first sentence of a report: "20xx年，在…领导下", "我受…委托，向大会…", "现将…总结如下"
OPENING_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^{_YEAR}(?:上半年|下半年|度|以来|全年)?[，,]?[^。！？]{{0,40}}在[^。！？]{{0,50}}(?:正确|直接|坚强|亲切|大力)?(?:领导|指导)下"),
    re.compile(r"^(?:一年来|半年来|今年以来|今年上半年|上半年|下半年|过去的一年|回顾过去的一年)[，,]?[^。！？]{0,40}在[^。！？]{0,50}(?:正确|直接|坚强)?领导下"),
    re.compile(r"^我(?:院|校|局|园|所|厂|司|段|中心|会|部|处|委|站|行)[^。！？]{0,24}工会工作[，,]?在[^。！？]{0,50}领导下"),
    re.compile(r"^(?:现在，?|下面，?|首先，?)?我(?:受|代表|谨代表)[^。！？]{0,50}(?:委托|向(?:大会|各位|全体)|作[^。！？]{0,10}报告)"),
    re.compile(r"^[^。！？]{0,120}现将[^。！？]{0,60}(?:总结|报告|汇报|情况)(?:如下|汇报如下)"),
    re.compile(r"^(?:上半年|下半年|今年|一年来)[，,][^。！？]{0,20}工会[^。！？]{0,60}(?:贯彻|围绕|按照|在)"),
)

#: all of OPENING_PATTERNS in one: each is anchored at the start, so one ``match`` of the
#: alternation says whether any of them ``search``-es successfully, in one call instead of six
_ANY_OPENING = re.compile("|".join(f"(?:{p.pattern})" for p in OPENING_PATTERNS))

#: a salutation standing alone on its line opens a speech
SALUTATION = re.compile(r"^(?:尊敬的|各位|亲爱的)[^。！？]{0,30}[：:]$|^同志们[：:，,！!]?$|^(?:各位)?代表们?[：:，,]$")

#: a short line naming a report: "泸西县疾控中心xx年工会工作总结"
REPORT_TITLE = re.compile(r"^[^。！？，,]{2,40}(?:工作报告|工作总结|工作计划|工作要点|工作思路|财务报告|经费审查报告|讲话|发言|致辞|总结|报告)$")

#: how a report ends
CLOSING_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"谢谢(?:大家|各位|您)?[！!。.]?$"),
    re.compile(r"(?:而努力奋斗|而奋斗|而努力|而不懈努力|努力奋斗|不懈奋斗|贡献力量|再创辉煌|再创[^。！？]{0,6}辉煌|再上新台阶|再立新功|保驾护航|更美好|更加美好|开创[^。！？]{0,12}新局面|新的?更大的?贡献|新的贡献|新贡献|新成绩|新跨越|新征程|新篇章)[！!。]?$"),
    re.compile(r"(?:批评指正|予以审议|请审议|审议。|特此报告|请批示|妥否)[^。！？]{0,4}[！!。]?$"),
    re.compile(r"(?:新春快乐|合家幸福|万事如意|身体健康)[！!。]?$"),
)

DATE_LINE = re.compile(rf"^(?:{_YEAR}|[ 　]*年)[^。，！？]{{0,3}}月[^。，！？]{{0,4}}日?$")
SIGNATURE_LINE = re.compile(r"^[^。，！？：:]{2,30}(?:工会|委员会|党支部|党委|总工会|办公室|女工委|工会小组|（[^）]{0,8}章）|\([^)]{0,8}章\))$")

#: words that mark a paragraph as being about a trade union
UNION_WORDS = re.compile(r"工会|职工|会员|员工|女工|教工|职代会|教代会|劳模|工友|干警|教职工")

MIN_REPORT_CHARS = 300  # a report needs this much text before another can start inside it
SHIFT_WINDOW = 10  # paragraphs that must be union-free for a change of subject to count
SHIFT_CHARS = 1500


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for part in text.split("\n"):
        if part.strip():
            out.append(_Line(pos, pos + len(part), part))
        pos += len(part) + 1
    return out


def is_opening(line: str) -> bool:
    """Whether a paragraph reads like the first paragraph of a report or speech."""
    return bool(SALUTATION.match(line) or _ANY_OPENING.match(line[:200]))


def is_closing(line: str) -> bool:
    """Whether a paragraph reads like the last paragraph (or sign-off) of a report."""
    tail = line[-40:]
    return bool(any(p.search(tail) for p in CLOSING_PATTERNS) or DATE_LINE.match(line)
                or (len(line) <= 30 and SIGNATURE_LINE.match(line)))


def _is_union(line: str) -> bool:
    return bool(UNION_WORDS.search(line))


def _first_ordinal_heading(line: str) -> bool | None:
    """For a heading line: True if it is the first of its kind (一、/（一）/1、), False if a later
    one (二、…), None if it is not a numbered heading."""
    m = match_marker(line)
    if not m or not is_heading_like(line):
        return None
    return marker_number(m[1]) == 1


def find_unmarked_boundaries(lines: list[str]) -> list[int]:
    """Indices (> 0) of paragraphs where a new report begins inside one marked piece.

    Examples
    --------
    >>> paras = ["20xx年，在院党委的正确领导下，医院工会做了以下工作。" + "内容" * 200,
    ...          "我们一定要继续努力，再上新台阶。",
    ...          "20xx年，在局党组的正确领导下，我局工会认真履行职能。"]
    >>> find_unmarked_boundaries(paras)
    [2]
    """
    boundaries: list[int] = []
    last = 0
    n = len(lines)
    union = [_is_union(x) for x in lines]
    cum = [0]
    for x in lines:
        cum.append(cum[-1] + len(x))
    for i in range(1, n):
        line = lines[i]
        if cum[i] - cum[last] < MIN_REPORT_CHARS:
            continue
        prev = lines[i - 1]
        cut = None
        if is_opening(line):
            closing = is_closing(prev)
            prev_heading = is_heading_like(prev) and not closing
            if SALUTATION.match(line):
                cut = i if closing or not prev_heading else None
            elif not prev_heading or closing:
                cut = i
            elif _first_ordinal_heading(prev):
                # "一、20xx年工作回顾" right above an opening: the heading starts the report
                if i - 2 >= last and is_closing(lines[i - 2]):
                    cut = i - 1
            elif REPORT_TITLE.match(prev) and not match_marker(prev):
                cut = i - 1
        elif REPORT_TITLE.match(line) and not match_marker(line) and is_closing(prev):
            cut = i
        elif union[i - 1] and not union[i] and _union_free_stretch(lines, union, i):
            cut = i
        if cut is None or cut <= last:
            continue
        # title lines and salutations right above the cut belong to the new report
        while cut - 1 > last and (REPORT_TITLE.match(lines[cut - 1]) or SALUTATION.match(lines[cut - 1])) \
                and not match_marker(lines[cut - 1]):
            cut -= 1
        boundaries.append(cut)
        last = cut
    return boundaries


def _union_free_stretch(lines: list[str], union: list[bool], i: int) -> bool:
    window = union[i:i + SHIFT_WINDOW * 2]
    if len(window) < SHIFT_WINDOW:
        return False
    head = union[i:i + SHIFT_WINDOW]
    if any(head[:3]) or sum(head) > 1:
        return False
    chars = sum(len(x) for x in lines[i:i + SHIFT_WINDOW])
    before = union[max(0, i - 6):i]
    return chars >= SHIFT_CHARS and sum(window) <= len(window) // 10 and sum(before) >= len(before) // 2 + 1


def _piece_has_body(lines: list[_Line]) -> bool:
    """A piece is a report if it has any sentence of its own, not only headings."""
    # stop at 20 characters of body: a report's first paragraphs get there, so only a few of
    # its lines are looked at (is_heading_like on every line was a third of the split stage)
    body_chars = 0
    for x in lines:
        if not is_heading_like(x.text):
            body_chars += len(x.text)
            if body_chars >= 20:
                return True
    return any(x.text.rstrip(CLOSERS)[-1:] in ("。", "！", "？", "!", "?") and not match_marker(x.text) for x in lines)


def split_reports(text: str) -> list[ReportSpan]:
    """Find the reports of a cleaned page (one paragraph per line).

    Returns spans in page order; ``start``..``end`` cover the report's body, ``title`` is the
    marker heading (or a report-title line) when there is one.

    Examples
    --------
    >>> page = "汇编(精选2篇)\\n报告篇一\\n20xx年，工会工作取得成效。\\n报告篇二\\n今年工会组织了劳动竞赛。"
    >>> [(r.title, page[r.start:r.end]) for r in split_reports(page)]
    [('报告篇一', '20xx年，工会工作取得成效。'), ('报告篇二', '今年工会组织了劳动竞赛。')]
    """
    lines = _lines(text)
    if not lines:
        return []
    markers = [i for i, x in enumerate(lines) if REPORT_MARKER.match(x.text)]
    first = 0
    if PAGE_TITLE.search(lines[0].text) and not REPORT_MARKER.match(lines[0].text):
        first = 1
    elif (markers and markers[0] > 0 and is_heading_like(lines[0].text) and len(lines[0].text) <= 60
          and lines[0].text.rstrip(CLOSERS)[-1:] not in ("。", "！", "？", "!", "?")):
        first = 1  # the page's own title above its first marker
    segments: list[tuple[str | None, list[_Line]]] = []
    head = lines[first:markers[0]] if markers else lines[first:]
    if head:
        segments.append((None, head))
    for k, m in enumerate(markers):
        end = markers[k + 1] if k + 1 < len(markers) else len(lines)
        segments.append((lines[m].text, lines[m + 1:end]))

    spans: list[ReportSpan] = []
    for title, body in segments:
        if not body:
            continue
        cuts = [0] + find_unmarked_boundaries([x.text for x in body]) + [len(body)]
        for j in range(len(cuts) - 1):
            piece = body[cuts[j]:cuts[j + 1]]
            if not _piece_has_body(piece):
                continue
            piece_title = title if j == 0 else None
            if piece_title is None and REPORT_TITLE.match(piece[0].text) and not match_marker(piece[0].text):
                piece_title = piece[0].text
            spans.append(ReportSpan(
                report_index=len(spans) + 1,
                title=_strip_title(piece_title),
                start=piece[0].start,
                end=piece[-1].end,
                body_start=piece[0].start,
            ))
    return spans


def _strip_title(title: str | None) -> str | None:
    if title is None:
        return None
    return title.strip() or None
