"""The rule layer's shortcuts find exactly what the plain scans they replace would find.

``normalize_for_rules``, ``rule_sector``, ``rule_genre`` and ``rule_labels`` skip work a plain
scan does: converting characters with a code-point table instead of ``str.translate``, not
running a pattern on a text that lacks a character or literal every match of it has, scanning
an opening cue over the opening only, trying a pattern only where a match can start, matching
the lexicon as a trie. These tests pin that the results stay the same, on generated texts made
of the pieces the patterns care about and on the sample pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools import classify as C
from corpus_tools.clean import clean_page
from corpus_tools.load import iter_source_paths, load_source
from corpus_tools.split import split_reports

LEX = C.load_lexicons()


def _pieces(pattern: str) -> list[str]:
    """Runs of Chinese characters and single punctuation marks of a pattern, as text pieces."""
    return re.findall(r"[\u4e00-\u9fff]+", pattern) + re.findall(r"[，。：:！!？?,；（）()\n]", pattern)


#: fragments the genre cues, the superior-span patterns and the lexicon look for
CUE_TOKENS = sorted({p for cue in LEX.genre_cues for p in _pieces(cue.pattern)}
                    | {p for r in C._SUPERIOR_RES for p in _pieces(r.pattern)})
TERM_TOKENS = sorted({e.term for e in LEX.sector_entries} | {"工会", "党委", "（一）", "(", ")", " ", "我", "本"})
NOISE_TOKENS = [
    "医", "院", "法", "校", "一", "我", "自", "忘", "了", "的", "在", "被", "，", "。", "\n", " ", "　", "\t", "x",
    "www.", ".com", "http://", "来源：", "【", "】", "网", "医(yī)院", "医yī院", "法 院", "\u200b", "…", "㈱", "醫",
    "學", "會", "ＡＢ", "（", "）", "：", "！", "𠀀", "\ud800", "首页 > 范文 > 工作报告", "当前位置：", "各位代表：",
]
texts = st.lists(st.sampled_from(CUE_TOKENS + TERM_TOKENS + NOISE_TOKENS), max_size=60).map("".join)
#: hand-picked cases, checked with the sample pages
TRICKY = [
    "", "我", "自我也", "忘我对", "我也我更", "五年来一年来过去的一年", "经费收支情况经费收入", "各位代表，同志们！",
    "谢谢大家", "谢谢！", "谢谢!", "向大会作报告，", "向大会作财务报告", "在新的一年里工作计划如下：", "(样本)（样本）",
    "人民法院工会", "法院党组", "中心小学", "我院工会", "在市总工会的领导下，我校工会", "被省总工会授予", "上级工会",
    "各位代表：\n" + "这是开场白。" * 40 + "工作计划如下：召开了职工代表大会", "醫(yī)院工會", "本院醫院", "Ａ…Ｂ",
    "w\u0307ww.x", "WWW.EXAMPLE.COM 来源：某某网", "医 院 工 会", "𠀀医院", "\ud800医院\udfff",
]


@pytest.fixture(scope="module")
def samples(raw_dir: Path) -> list[str]:
    """The reports of the sample pages, as ingest hands them to ``rule_labels``, and the tricky cases."""
    reports = []
    for path in iter_source_paths(raw_dir):
        cleaned = clean_page(load_source(path, raw_dir).text).text
        reports += [cleaned[s.start:s.end] for s in split_reports(cleaned)]
    return reports + TRICKY


def _normalized(texts_: list[str]) -> list[str]:
    return [C.normalize_for_rules(t, traditional=LEX.traditional).text for t in texts_]


# -- normalisation ----------------------------------------------------------------------------


def test_table_conversion_is_translate(samples):
    for text in samples + ["".join(TRICKY), "ｆｕｌｌ　ｗｉｄｔｈ：１２３", "①②…㍿"]:
        assert C._convert(text, LEX.traditional) == C._convert_plain(text, LEX.traditional)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalisation_prefilters_only_skip_patterns_that_cannot_match(text):
    first, _, _ = C._convert(text, LEX.traditional)
    assert (first, *C._convert(text, LEX.traditional)[1:]) == C._convert_plain(text, LEX.traditional)
    present = C._char_classes(first)
    if C._PINYIN_INLINE_RE.search(first):
        assert present & C._TONED_CLASS
    if C._INVISIBLE_RE.search(first):
        assert present & C._INVISIBLE_CLASS
    if C._URL_RE.search(first):
        assert "://" in first or C._URL_DOT_HINT_RE.search(first)
    if C._WATERMARK_RE.search(first):
        assert any(h in first for h in C._WATERMARK_HINTS)
    if C._PINYIN_PAREN_RE.search(first):
        assert present & C._PAREN_CLASS and C._PINYIN_PAREN_HINT_RE.search(first)
    assert list(C._cjk_gaps(first)) == [m.span() for m in C._CJK_GAP_RE.finditer(first)]
    if C._CJK_GAP_RE.search(first):
        assert present & C._GAP_CLASS


#: the URL hint as it was: a piece every URL match has (normalize_for_rules now tests "://" and
#: _URL_DOT_HINT_RE instead, which must find it wherever this did)
URL_HINT_RE = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|cc|top|vip)", re.IGNORECASE)


def test_url_hint_split_is_the_hint():
    for text in ["WWW.x", "wWw.", "a.COM", ".Cn", "HTTPS://", "http:/", "ww.w", "..com", "x.vIp", "ſ.com", "www。",
                 "w\u0307ww.", "K.COM", "\u212a.com"]:
        assert bool(URL_HINT_RE.search(text)) <= ("://" in text or bool(C._URL_DOT_HINT_RE.search(text)))


# -- the lexicon trie ---------------------------------------------------------------------------


def _alternation(terms) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t))) or r"(?!x)x")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc医院", min_size=1, max_size=4), max_size=12),
       st.text(alphabet="abc医院 ", max_size=60))
def test_term_trie_is_the_longest_first_alternation(terms, text):
    assert ([m.span() for m in C._term_pattern(terms).finditer(text)]
            == [m.span() for m in _alternation(terms).finditer(text)])


def test_packaged_term_trie_on_sample_pages(samples):
    plain = _alternation(e.term for e in LEX.sector_entries)
    for text in _normalized(samples):
        assert [m.span() for m in LEX._term_re.finditer(text)] == [m.span() for m in plain.finditer(text)]


# -- genre cues and superior spans ----------------------------------------------------------------

SCANS = [(c.pattern, s) for c, s in zip(LEX.genre_cues, LEX._cue_scans, strict=True)] + [
    (s.regex.pattern, s) for s in C._superior_scans()]
EXTRA_PATTERNS = [r"(?<![自忘])我(也|对)", r"(a|b)?c", r"x*", r"(?m)^[^。\n]{0,5}计划", r"(?i)www", r"[^a]b", r"ab(?=c)",
                  r"(甲|乙)+丙", r"丁?(甲|乙)", r"\b甲", r"甲$"]


def _check_scan(scan: C._Scan, text: str) -> None:
    expected = [m.span() for m in scan.regex.finditer(text)]
    assert [m.span() for m in scan.matches(text)] == expected
    if scan.reach is not None:  # the opening cut: matches starting before k, from text[:k + reach]
        for k in {0, 1, len(text) // 3, len(text) // 2, len(text)}:
            cut = [m.span() for m in scan.regex.finditer(text, 0, min(len(text), k + scan.reach)) if m.start() < k]
            assert cut == [span for span in expected if span[0] < k]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_cue_scans_find_what_finditer_finds(text):
    for _, scan in SCANS:
        _check_scan(scan, text)
    for pattern in EXTRA_PATTERNS:
        _check_scan(C._Scan.of(re.compile(pattern)), text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙丙丁我也对自忘abcx计划。\n ", max_size=80))
def test_scans_of_odd_patterns_find_what_finditer_finds(text):
    for pattern in EXTRA_PATTERNS:
        _check_scan(C._Scan.of(re.compile(pattern)), text)
    # many candidates: the scan falls back to finditer (the limit is a 32nd of the text)
    _check_scan(C._Scan.of(re.compile(r"(?<![自忘])我(也|对)")), "我也" * 50 + text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_literal_filter_only_rules_out_cues_that_cannot_match(text):
    for (pattern, scan), possible in zip(SCANS, LEX._cue_filter.possible(text) + [True] * len(C._superior_scans()),
                                         strict=True):
        if not possible:
            assert scan.regex.search(text) is None, pattern


def test_cue_shortcuts_on_sample_pages(samples):
    long_ = "\n".join(samples)
    for text in _normalized(samples) + [long_]:
        for (pattern, scan), possible in zip(SCANS, LEX._cue_filter.possible(text) + [True] * len(C._superior_scans()),
                                             strict=True):
            _check_scan(scan, text)
            if not possible:
                assert scan.regex.search(text) is None, pattern


def test_cue_plans_are_what_the_patterns_say():
    """Spot checks of what the syntax trees give (a wrong plan would skip real matches)."""
    by_pattern = dict(SCANS)
    assert by_pattern["(?<![自忘])我(也|更|还|将|可以|能够|个人|自己|相信|希望|期待|感|认|觉|体|深|对)"].starts == "我"
    assert by_pattern["心得体会"].starts is None  # opens with a literal: the engine is fast already
    assert by_pattern["心得体会"].needs == (("心得体会",),)
    assert by_pattern[r"向(大会|各位代表)(作|做|报告)(?![^。\n]{0,30}(财务|经费))"].reach is None  # looks ahead
    assert by_pattern[r"受[^。\n]{0,25}委托"].reach == 28
    assert C._Scan.of(re.compile("(?i)www")).needs == ()
    assert C._Scan.of(re.compile("a?")).starts is None  # can be empty


# -- the lean path of rule_labels ---------------------------------------------------------------


def _full(text: str) -> dict[str, tuple[str, float]]:
    s, g = C.rule_sector(text, lexicons=LEX), C.rule_genre(text, lexicons=LEX)
    return {"sector": (s.label, s.confidence), "genre": (g.label, g.confidence)}


def test_rule_labels_is_the_full_decision_on_sample_pages(samples):
    for text in samples:
        assert C.rule_labels(text, LEX) == _full(text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_rule_labels_is_the_full_decision(text):
    assert C.rule_labels(text, LEX) == _full(text)


def test_evidence_offsets_point_at_the_source(samples):
    for text in samples:
        for task in (C.rule_sector, C.rule_genre):
            decision = task(text, lexicons=LEX)
            starts = [(e.start, e.label) for e in decision.evidence]
            assert starts == sorted(starts)
            assert all(e.text == text[e.start:e.end] for e in decision.evidence)
