"""Property tests (hypothesis) of the pure stages over arbitrary Chinese and mixed text.

The texts are built from the pieces scraped pages are made of (passages of the sample pages,
report markers, numbering, page artefacts, boilerplate, placeholders, markdown marks) mixed
with arbitrary characters, whitespace and controls. For clean, split, structure and every
extractor: they never raise, every offset is inside the text and exact, cleaning is
idempotent and splitting loses no line of report text.

Profiles: ``ci`` (the default, 200 examples per test) and ``slow`` (2,000), chosen with the
HYPOTHESIS_PROFILE environment variable::

    HYPOTHESIS_PROFILE=slow python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os
from functools import cache

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus_tools.clean import clean_page, is_heading_like
from corpus_tools.patterns import CLOSERS, REPORT_MARKER, match_marker
from corpus_tools.split import split_reports
from corpus_tools.structure import SECTION_KINDS, parse_sections
from tests import hostile

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("slow", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
try:
    PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except Exception:  # noqa: BLE001 - a profile registered elsewhere under another name: use ours
    PROFILE = settings.get_profile("ci")

# --------------------------------------------------------------------------- strategies

_PASSAGES = [
    hostile.OPENING, hostile.AWARD, hostile.DEMOCRACY, hostile.CARE, hostile.FIN_OPENING, hostile.FIN_INCOME,
    hostile.FIN_SPENDING, hostile.FIN_CLOSING, hostile.HOTEL, hostile.SKILLS, hostile.TEACHING, hostile.T_AWARD,
    hostile.T_CARE, hostile.PINYIN_SIMPLIFIED, hostile.FOOTER_LEFT, hostile.FOOTER_RIGHT,
]
_PIECES = [
    # report markers and page titles
    "医院工会工作报告篇一", "篇二", "篇 3", "【篇四】", "## 工会工作报告篇五", "**工会工作总结篇六**", "第2篇",
    "医院工会工作报告(实用8篇)", "工会工作总结范文大全",
    # numbering
    "一、", "二、", "十一、", "（一）", "（二）", "(三)", "1.", "2、", "3．", "（1）", "(2)", "①", "②", "第一，", "第二部分",
    "一、工作回顾", "二、存在的问题", "三、今后的工作打算", "（一）经费收入情况", "1、春节前夕为职工发放福利1000元。",
    # openings, closings, salutations, signatures, dates
    "各位代表：", "同志们：", "尊敬的各位领导：", "20xx年，在医院党委的正确领导下，", "我受工会委员会委托，向大会作工作报告，请予审议。",
    "谢谢大家！", "为开创工会工作新局面而努力奋斗！", "二〇一三年三月二十六日", "××医院工会委员会", "20xx年x月x日",
    # page artefacts, boilerplate, paywalls, watermarks
    "第 1 页 共 9 页", "― 2 ―", "- 3 -", "12下一页", "上一页", "返回目录", "（此处隐藏2632个字）", "……此处隐藏2632个字……",
    hostile.BOILERPLATE, "下面是小编为大家整理的工会工作报告，欢迎阅读！", "本文档由第一范文网整理，仅供参考",
    "www.diyifanwen.com",
    # placeholders, masks, censorship codes, numbers
    "20xx", "20XX年", "20__年", "xx万元", "x人", "***", "*****", "\\*\\*\\*", "×××", "ZZ建设", "10万余元", "8721.40元",
    "近700人次", "3,000元", "一万二千元", "400余人", "¥500", "第三名", "四次",
    # markdown and HTML remnants
    "# ", "## ", "**", "*", "`", "```", "> ", "- ", "\\", "&nbsp;", "<br>", "<p>",
    # whitespace, line breaks, invisible and control characters
    "\n", "\n\n", "\n\n\n", " ", "\t", "\u3000", "\u3000\u3000", "\xa0", "\r\n", "\r", "\u200b", "\ufeff", "\x00",
    "\x07", "\x0c", "\u2028",
    # punctuation that decides sentences and headings
    "。", "，", "、", "；", "：", "！", "？", "…", "……", "“", "”", "「", "」", "（", "）", "《", "》", "—", "□",
]
_HANZI = sorted({ch for p in _PASSAGES for ch in p if "\u4e00" <= ch <= "\u9fff"})
_MIXED = st.characters(blacklist_categories=("Cs",))  # any character a decoded page can hold

_piece = st.one_of(
    st.sampled_from(_PASSAGES),
    st.sampled_from(_PIECES),
    st.text(st.sampled_from(_HANZI), min_size=1, max_size=30),
    st.text(_MIXED, min_size=1, max_size=8),
)
#: a page: pieces of scraped pages in any order, with arbitrary characters among them
pages = st.lists(_piece, max_size=60).map("".join)

@cache
def _extractors():
    from corpus_tools.extract import Extractors

    return Extractors.default()


def _reports(raw: str) -> list[str]:
    text = clean_page(raw).text
    return [text[r.start:r.end] for r in split_reports(text)]


# --------------------------------------------------------------------------- clean


@PROFILE
@given(pages)
@example("## 标题篇一\n\n各项开\n\n支严格按照规定执行。")
@example("胸心外科被中华全国总\n第 1 页 共 9 页\n工会授予工人先锋号。")
@example("\ufeff\r\n\x00 \u3000")
def test_clean_maps_every_character_back_to_the_source(raw: str) -> None:
    cleaned = clean_page(raw)
    assert cleaned.offsets.length == len(cleaned.text)
    previous = -1
    for i, ch in enumerate(cleaned.text):
        source = cleaned.offsets.to_source(i)
        assert previous < source < len(raw), (i, ch)  # cleaning only deletes: positions increase
        previous = source
        if ch != "\n":
            assert raw[source] == ch, (i, ch, raw[source])


@PROFILE
@given(pages)
@example("## 标题篇一\n\n各项开\n\n支严格按照规定执行。")
@example("医院工会工作报告篇一\n\n" + hostile.OPENING + "……此处隐藏2632个字……" + hostile.AWARD)
def test_clean_is_idempotent(raw: str) -> None:
    once = clean_page(raw).text
    assert clean_page(once).text == once


#: site boilerplate; it stands on lines of its own below: a short paragraph that mixes it
#: with other sentences is dropped whole by design (clean.boilerplate_spans), and a long page
#: on one line is a file of the hostile corpus (lines/whole_page_on_one_line.txt)
_BOILERPLATE_LINES = [
    hostile.BOILERPLATE, "下面是小编为大家整理的工会工作报告，欢迎阅读！", "本文档由第一范文网整理，仅供参考。",
]
#: what cleaning may delete around report text: markers, numbering, page artefacts, paywall
#: notices, boilerplate, markdown marks, whitespace and controls
_ARTEFACTS = [
    "医院工会工作报告篇一", "【篇二】", "## 工会工作报告篇三", "医院工会工作报告(实用8篇)", "一、", "（一）", "1.",
    "第 1 页 共 9 页", "― 2 ―", " - 3 - ", "12下一页", "上一页", "返回目录", "（此处隐藏2632个字）",
    "……此处隐藏2632个字……", *_BOILERPLATE_LINES, "# ", "## ", "**", "`", "> ", "- ", "\\", " ", "\t", "\u3000", "\xa0",
    "\u200b", "\ufeff", "\x07", "\r", "\n",
]
#: passages of report text: each must come out of cleaning whole, wherever it stands
_REPORT_PASSAGES = [
    hostile.OPENING, hostile.AWARD, hostile.DEMOCRACY, hostile.CARE, hostile.FIN_INCOME, hostile.FIN_SPENDING,
    hostile.HOTEL, hostile.SKILLS, hostile.TEACHING, hostile.T_AWARD,
]


@PROFILE
@given(st.lists(st.sampled_from(_REPORT_PASSAGES + _ARTEFACTS), max_size=25), st.sampled_from(["\n\n", "\n", ""]))
@example([hostile.OPENING, "\n", "（此处隐藏2632个字）", "\n", hostile.AWARD], "\n")
def test_clean_keeps_every_report_passage_whole(pieces: list[str], separator: str) -> None:
    """Only artefacts go: report sentences survive whole, even when a page lost its line
    breaks (``separator=""``) and artefacts sit right against them."""
    raw = separator.join(f"\n{p}\n" if p in _BOILERPLATE_LINES else p for p in pieces)
    text = clean_page(raw).text
    for piece in pieces:
        if piece in _REPORT_PASSAGES:
            assert piece in text, f"lost or altered: {piece[:40]!r}"


@PROFILE
@given(pages)
def test_clean_text_has_one_paragraph_per_line(raw: str) -> None:
    text = clean_page(raw).text
    assert "\r" not in text and "\x00" not in text
    assert not text.startswith("\n") and not text.endswith("\n") and "\n\n" not in text


# --------------------------------------------------------------------------- split


def _body_lines(text: str) -> list[tuple[int, str]]:
    """Lines that are report text whatever the splitter decides: a paragraph that is not a
    heading, a marker or a title (20 characters or more), or any line that ends a sentence
    and does not start with a numbering marker."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip() and not REPORT_MARKER.match(line):
            ends_sentence = line.rstrip(CLOSERS)[-1:] in ("。", "！", "？", "!", "?") and not match_marker(line)
            if (len(line) >= 20 and not is_heading_like(line)) or ends_sentence:
                out.append((pos, line))
        pos += len(line) + 1
    return out


@PROFILE
@given(pages)
@example(hostile.compilation_page())
@example("汇编(精选2篇)\n报告篇一\n20xx年，工会工作取得成效。\n报告篇二\n今年工会组织了劳动竞赛。")
def test_split_spans_are_ordered_in_bounds_and_lose_no_report_text(raw: str) -> None:
    text = clean_page(raw).text
    spans = split_reports(text)
    assert [s.report_index for s in spans] == list(range(1, len(spans) + 1))
    end = 0
    for s in spans:
        assert end <= s.start < s.end <= len(text), (s, len(text))
        assert s.start <= s.body_start <= s.end
        assert s.title is None or (isinstance(s.title, str) and s.title.strip())
        end = s.end
    for pos, line in _body_lines(text):
        assert any(s.start <= pos and pos + len(line) <= s.end for s in spans), f"line lost: {line!r}"


@PROFILE
@given(st.text(_MIXED, max_size=400))
def test_split_never_raises_on_any_text(text: str) -> None:
    for s in split_reports(text):
        assert 0 <= s.start < s.end <= len(text)


# --------------------------------------------------------------------------- structure


def _check_sections(text: str) -> None:
    sections = parse_sections(text)
    by_id = {s.section_id: s for s in sections}
    assert [s.section_id for s in sections] == list(range(1, len(sections) + 1))
    assert [s.start for s in sections] == sorted(s.start for s in sections)
    for s in sections:
        assert 0 <= s.start < s.end <= len(text), s
        assert s.kind in SECTION_KINDS
        assert text[s.start:s.end].lstrip().startswith(s.marker), s
        if s.parent_id is None:
            assert s.level == 1, s
        else:
            parent = by_id.get(s.parent_id)
            assert parent is not None and parent.section_id < s.section_id, s
            assert s.level == parent.level + 1, (s, parent)
            assert parent.start <= s.start and s.end <= parent.end, (s, parent)


@PROFILE
@given(pages)
@example("一、工作回顾\n今年工会做了很多工作。\n二、存在的问题\n经费不足。")
@example(hostile.compilation_page())
def test_sections_lie_inside_the_report_and_their_parents(raw: str) -> None:
    for report in _reports(raw):
        _check_sections(report)


@PROFILE
@given(st.text(_MIXED, max_size=400))
def test_structure_never_raises_on_any_text(text: str) -> None:
    _check_sections(text)


# --------------------------------------------------------------------------- extract


def _check_facts(text: str) -> None:
    sections = parse_sections(text)
    facts = _extractors().extract(text, sections)
    ids = {s.section_id for s in sections}
    for name in ("amounts", "awards", "activities", "counts"):
        rows = getattr(facts, name)
        assert [r["start"] for r in rows] == sorted(r["start"] for r in rows), name
        for row in rows:
            assert 0 <= row["start"] <= row["end"] <= len(text), (name, row)
            assert text[row["start"]:row["end"]] == row["text"], (name, row)
            assert row.get("section_id") is None or row["section_id"] in ids, (name, row)
    for year in facts.years:
        assert year in text, year
    assert facts.unit is None or isinstance(facts.unit, str)
    assert all(isinstance(r, str) and r for r in facts.regions)


@PROFILE
@given(pages)
@example(hostile.compilation_page())
@example("春节慰问困难职工50户，发放慰问金5600元，胸心外科被中华全国总工会授予工人先锋号。")
@example("经费余额xx万元，近700人次，约3,000元，一万二千元，¥500，20__年，*****公司")
def test_every_extractor_row_points_at_its_exact_text(raw: str) -> None:
    for report in _reports(raw):
        _check_facts(report)


@PROFILE
@given(st.text(_MIXED, max_size=300))
def test_extractors_never_raise_on_any_text(text: str) -> None:
    _check_facts(text)
