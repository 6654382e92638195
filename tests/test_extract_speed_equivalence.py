"""The extract stage's shortcuts find exactly what the plain scans they replace would find.

Each shortcut skips work a plain scan does (trying a pattern at every position, folding a text
that has nothing to fold, looking at sentences without a candidate); these tests pin that the
results stay the same, on generated texts made of the words the patterns care about and on
the sample pages.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.clean import clean_page
from corpus_tools.extract import Extractors, _fold, _text, amounts, awards, facts, numbers
from corpus_tools.extract._lexicon import SurfaceIndex
from corpus_tools.load import iter_source_paths, load_source

#: fragments the number patterns (amounts, counts, years) look for
NUMBER_TOKENS = [
    "1", "15", "2012", "1990", "1,000", "3 000", "8.5", "．", "4", "一", "二", "两", "三", "〇", "零", "十", "百", "千",
    "万", "亿", "余", "多", "几", "x", "X", "×", "_", "＿", "*", "＊", "（", "）", "(", ")", " ", "约", "近", "超过",
    "将近", "上", "数", "第", "人", "人次", "人民", "名", "名单", "位", "位置", "家", "家庭", "次", "件", "元", "元旦",
    "块钱", "美元", "人民币", "RMB", "￥", "年", "年来", "到", "统", "，", "。", "a", "萬元",
]
#: fragments the reporting-unit patterns look for
ORG_TOKENS = [
    "工会", "总工会", "公司", "检察院", "委员会", "局", "厂", "中心", "电力", "机械", "制造", "院", "学", "，", "、", " ",
    "的", "工作报告", "工作总结", "工作", "报告", "财务", "受", "委托", "代表", "向", "做", "第三届", "四次", "2012",
    "20xx", "年", "度", "xx",
]
#: fragments the award patterns look for
AWARD_TOKENS = [
    "被", "评为", "评选为", "推", "获", "授予", "颁发给", "荣获", "获得", "获悉", "取得", "保持", "收", "破", "了", "的",
    "受到", "得到", "表彰", "通报表扬", "省总工会", "我院", "称号", "先进单位", "一等奖", "第三名", "在", "参加", "比赛",
    "运动会", "中", "，", "。", "；", "！", "\n", "□", "、", "：", " ", "榮獲",
]


#: fragments of money expressions beyond ``NUMBER_TOKENS``: every unit and sign, the spaces a
#: number may hold, traditional characters to fold
MONEY_TOKENS = NUMBER_TOKENS + [
    "欧元", "英镑", "日元", "港元", "港币", "韩元", "澳元", "卢布", "块", "钱", "rmb", "CNY", "¥", "\u00a0", "\u2009",
    "\u3000", "ｘ", "．", "萬", "億", "壹", "兩", "左右", "以上", "-", "至", "慰问金", "用于", "补助", "元月", "统",
    "（\u3000", "（x", "）元", ")元", "\u3000）",
]


def texts_of(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=40).map("".join)


texts = texts_of(NUMBER_TOKENS + ORG_TOKENS + AWARD_TOKENS)
#: hand-picked cases each shortcut must get right, checked with the sample pages
TRICKY = [
    "＿＿年", "**年", "二〇一三年三月", "到2020年", "15人", "约3万元", "近700人次", "xx名", "人民币 5元", "（ ）万元",
    "百余元", "1-2万元", "统一", "电力机械制造有限公司工会", "我受电力公司工会委员会的委托", "某某市电力公司工会工作报告",
    "被评为先进单位", "收获得", "破荣获一等奖", "授予我院", "被授予", "在全市职工运动会中荣获第三名", "榮獲一等獎",
    "发放慰问金3 000元，捐款¥ 5.5，元旦", "1至2萬元人民币", "港币（6）万元左右", "获二等奖，校杰出女性奖□被评为先进。",
    "（\u3000\u3000）万元", "约\u00a0１,000.5元", "3\u20092万元", "我院荣获一等奖;获得优秀奖!荣获二等奖?获得先进单位称号",
]


@pytest.fixture(scope="module")
def samples(raw_dir: Path) -> list[str]:
    """The sample pages (cleaned) and the hand-picked cases."""
    return [clean_page(load_source(p, raw_dir).text).text for p in iter_source_paths(raw_dir)] + TRICKY


def spans(matches) -> list[tuple[tuple[int, int], ...]]:
    """Every group's span of every match: equal lists mean equal matches."""
    return [m.regs for m in matches]


# -- surface lookup ------------------------------------------------------------------------

def plain_find_all(surfaces: list[str], text: str, start: int = 0, end: int | None = None) -> list[tuple]:
    """Leftmost-longest lookup as one alternation of every surface, longest first."""
    ordered = sorted({s for s in surfaces if s}, key=lambda x: (-len(x), x))
    pattern = re.compile("|".join(map(re.escape, ordered)) or r"(?!)")
    end = len(text) if end is None else end
    return [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text, start, end)]


surface_lists = st.lists(st.text(alphabet="abcde省市", min_size=0, max_size=5), max_size=25)


@settings(max_examples=300, deadline=None)
@given(surface_lists, st.text(alphabet="abcdef省市 ", max_size=80), st.data())
def test_surface_lookup_is_the_leftmost_longest_alternation(surfaces, text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    index = SurfaceIndex(surfaces)
    assert index.find_all(text) == plain_find_all(surfaces, text)
    assert index.find_all(text, start, end) == plain_find_all(surfaces, text, start, end)


def test_packaged_lexicons_find_what_the_alternation_finds_on_sample_pages(samples):
    ex = Extractors.default()
    indexes = [ex.gazetteer.index, ex.activities.index, ex.amounts.purpose_index, ex.awards._level_index,
               ex.awards._cue_index]
    for index in indexes:
        surfaces = [s for group in index._by_first.values() for s in group]
        restored = pickle.loads(pickle.dumps(index))
        for text in samples + ["湖南省长沙市总工会", "“三八”节劳动竞赛", "长沙市政府"]:
            expected = plain_find_all(surfaces, text)
            assert index.find_all(text) == expected
            assert restored.find_all(text) == expected


# -- scans that skip positions where no match can start -------------------------------------

SCANS = {
    "amounts": (amounts._AMOUNTS, amounts.AMOUNT_RE),
    "counts": (facts._COUNTS, facts.COUNT_RE),
    "years": (facts._YEARS, facts._YEAR_RE),
    "rated": (awards._RATED_RE, awards._RATED_RE.pattern),
    "grant": (awards._GRANT_RE, awards._GRANT_RE.pattern),
    "get": (awards._GET_RE, awards._GET_RE.pattern),
}


@pytest.mark.parametrize("name", sorted(SCANS))
@settings(max_examples=300, deadline=None)
@given(text=st.one_of(texts_of(NUMBER_TOKENS), texts_of(AWARD_TOKENS), texts), data=st.data())
def test_prefiltered_scans_find_every_match_of_the_plain_pattern(name, text, data):
    scan, plain = SCANS[name]
    text = _fold.fold(text)
    assert spans(scan.finditer(text)) == spans(plain.finditer(text))
    pos = data.draw(st.integers(0, len(text)))
    endpos = data.draw(st.integers(pos, len(text)))
    assert spans(scan.finditer(text, pos, endpos)) == spans(plain.finditer(text, pos, endpos))


@pytest.mark.parametrize("name", sorted(SCANS))
def test_prefiltered_scans_on_sample_pages(name, samples):
    scan, plain = SCANS[name]
    for text in map(_fold.fold, samples):
        assert spans(scan.finditer(text)) == spans(plain.finditer(text))


@settings(max_examples=1000, deadline=None)
@given(texts_of(ORG_TOKENS))
def test_org_mentions_near_each_union_are_all_the_mentions(text):
    assert spans(facts._org_mentions(text)) == spans(facts._ORG_MENTION.finditer(text))


@settings(max_examples=1000, deadline=None)
@given(texts_of(ORG_TOKENS))
def test_unit_title_scan_starts_late_without_losing_a_match(text):
    plain = [m for pat in facts._UNIT_PATTERNS for m in pat.finditer(text)]
    assert spans(facts._unit_matches(text)) == spans(plain)


def test_org_and_unit_scans_on_sample_pages(samples):
    for text in map(_fold.fold, samples):
        assert spans(facts._org_mentions(text)) == spans(facts._ORG_MENTION.finditer(text))
        plain = [m for pat in facts._UNIT_PATTERNS for m in pat.finditer(text[:800])]
        assert spans(facts._unit_matches(text[:800])) == spans(plain)


# -- awards: matched once per text, interpreted per sentence -----------------------------

def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence bounds as the award matcher used to walk them, character by character."""
    out, lo = [], 0
    while lo < len(text):
        hi = lo
        while hi < len(text) and text[hi] not in "。！？!?；;\n":
            hi += 1
        if hi > lo:
            out.append((lo, hi))
        lo = hi + 1
    return out


def _check_candidates(text: str) -> None:
    whole = awards._candidates(text, 0, len(text))
    per_sentence = [c for lo, hi in _sentences(text) for c in awards._candidates(text, lo, hi)]
    assert whole == per_sentence


@settings(max_examples=300, deadline=None)
@given(texts_of(AWARD_TOKENS))
def test_award_candidates_of_the_whole_text_are_those_of_its_sentences(text):
    _check_candidates(_fold.fold(text))


def test_award_candidates_on_sample_pages(samples):
    for text in map(_fold.fold, samples):
        _check_candidates(text)


@settings(max_examples=300, deadline=None)
@given(texts_of(AWARD_TOKENS))
def test_a_contest_context_always_names_a_contest_noun(text):
    if awards._CONTEXT_RE.search(text):
        assert awards._CONTEST_NOUN_RE.search(text)


# -- folding ------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(texts)
def test_fold_is_the_character_table(text):
    assert _fold.fold(text) == text.translate(_fold.variant_table())


def test_fold_on_sample_pages(samples):
    for text in samples:
        assert _fold.fold(text) == text.translate(_fold.variant_table())


def test_fold_remembers_the_last_text_without_mixing_texts_up(samples):
    texts = ["榮獲一等獎", "荣获一等奖", *samples[:5], "萬元"]
    for text in texts + texts[::-1] + [t for t in texts for _ in range(2)]:
        assert _fold.fold(text) == text.translate(_fold.variant_table())


# -- amounts: only the runs around a unit or a sign are scanned ------------------------------

def plain_money_candidates(text: str) -> list:
    return [m for m in amounts.AMOUNT_RE.finditer(text) if m.group("unit") is not None or m.group("sign") is not None]


def plain_find_amounts(text: str) -> list:
    """``find_amounts`` as it was: every candidate of the whole-text scan interpreted."""
    folded, lexicon = _fold.fold(text), amounts.default_amount_lexicon()
    found = [amounts.interpret(folded, m, lexicon) for m in plain_money_candidates(folded)]
    return [replace(a, text=text[a.start:a.end]) for a in found if a is not None]


@settings(max_examples=500, deadline=None)
@given(texts_of(MONEY_TOKENS))
def test_money_runs_find_the_money_matches_of_the_whole_text_scan(text):
    text = _fold.fold(text)
    assert spans(amounts._money_candidates(text)) == spans(plain_money_candidates(text))


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts_of(MONEY_TOKENS), texts))
def test_find_amounts_is_the_plain_scan_interpreted(text):
    assert amounts.find_amounts(text) == plain_find_amounts(text)


def test_money_runs_on_sample_pages(samples):
    for text in samples:
        folded = _fold.fold(text)
        assert spans(amounts._money_candidates(folded)) == spans(plain_money_candidates(folded))
        assert amounts.find_amounts(text) == plain_find_amounts(text)


def test_every_unit_and_sign_character_can_be_inside_a_money_run():
    # ``_AMOUNT_CHARS`` is written out by hand: a unit or sign added to the pattern must be added there
    allowed = re.compile(f"[{amounts._AMOUNT_CHARS}]")
    for source in (amounts._UNIT, amounts._SIGN):
        for word in re.sub(r"\(\?:|[()?]", "", source).split("|"):
            assert all(allowed.match(c) for c in word), word
            assert amounts._MONEY_KEY.search(word), word


def test_a_run_starts_after_the_last_character_outside_it():
    run = re.compile("[^。，]*")
    for text in ["", "一", "一。二三，四", "。。", "abc"]:
        for pos in range(len(text) + 1):
            lo = pos
            while lo > 0 and text[lo - 1] not in "。，":
                lo -= 1
            assert _text.run_start(run, text, text[::-1], pos) == lo


# -- awards: each sentence found from its first candidate ----------------------------------

def plain_find_awards(text: str) -> list:
    """``find_awards`` walking every sentence of the text, as it used to."""
    lexicon, folded, out = awards.default_award_lexicon(), _fold.fold(text), []
    cands, i = awards._candidates(_fold.fold(text), 0, len(folded)), 0
    for sentence in re.finditer(r"[^。！？!?；;\n]+", folded):
        lo, hi = sentence.span()
        j = i
        while j < len(cands) and cands[j].start < hi:
            j += 1
        if j > i:
            out.extend(awards._awards_in_sentence(folded, lo, hi, cands[i:j], lexicon))
            i = j
    return [replace(a, text=text[a.start:a.end]) for a in awards._dedupe(out)]


@settings(max_examples=500, deadline=None)
@given(texts_of(AWARD_TOKENS + ["!", "?", ";", "！", "？", "。", "。", "\n"]))
def test_find_awards_interprets_the_sentences_the_plain_walk_does(text):
    assert awards.find_awards(text) == plain_find_awards(text)


def test_find_awards_on_sample_pages(samples):
    for text in samples:
        assert awards.find_awards(text) == plain_find_awards(text)


# -- numbers: parsed once per distinct string ----------------------------------------------

def outcome(parse, s: str):
    try:
        return parse(s)
    except ValueError as exc:
        return ("ValueError", str(exc))


@settings(max_examples=500, deadline=None)
@given(texts_of(NUMBER_TOKENS))
def test_remembered_numbers_parse_as_fresh_ones(s):
    for _ in range(2):  # the second time comes from the cache
        assert outcome(numbers.parse_number_cached, s) == outcome(numbers.parse_number, s)
