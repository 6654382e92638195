"""Tests for corpus_tools.extract.amounts and .numbers: money forms, traps, masks, purposes, offsets.

Example sentences are cut from the sample pages in /work/shared/seeds (lightly shortened);
the forms other sites use (3 000元, ￥3,000.00 …) come from the issue.
"""

from __future__ import annotations

import pickle

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.extract import AmountLexicon, find_amounts, parse_number


def one(text: str):
    found = find_amounts(text)
    assert len(found) == 1, [a.text for a in found]
    return found[0]


def texts(text: str) -> list[str]:
    return [a.text for a in find_amounts(text)]


# -- forms of the number -------------------------------------------------------------------

@pytest.mark.parametrize("text, span, value", [
    ("2011年初经费余额8721.40元。", "8721.40元", 8721.40),
    ("经费合计总支出为29358.50元。", "29358.50元", 29358.50),
    ("基金总额达到587.8万元。", "587.8万元", 5_878_000),
    ("工程投资1.2亿元。", "1.2亿元", 120_000_000),
    ("力争产值达1.5万亿元。", "1.5万亿元", 1.5e12),
    ("自发捐款4万5千元；", "4万5千元", 45_000),
    ("向上级缴纳工会经费（6）万元。", "（6）万元", 60_000),
    ("总投资3亿5000万元。", "3亿5000万元", 350_000_000),
])
def test_arabic_and_mixed_numbers(text, span, value):
    a = one(text)
    assert (a.text, a.value_yuan, a.masked) == (span, pytest.approx(value), False)


@pytest.mark.parametrize("text, span, value", [
    ("捐款三万元。", "三万元", 30_000),
    ("每人两百元人民币。", "两百元人民币", 200),
    ("支部先后用七千多元钱两次为党员订阅报刊", "七千多元", 7_000),
    ("购买十几万元的健身器材", "十几万元", 100_000),
    ("今年理赔35人，近万元。", "近万元", 10_000),
    ("资助壹万贰仟元。", "壹万贰仟元", 12_000),
    ("补助一万零五百元。", "一万零五百元", 10_500),
    ("奖励一万五千元。", "一万五千元", 15_000),
])
def test_chinese_numerals(text, span, value):
    a = one(text)
    assert (a.text, a.value_yuan) == (span, pytest.approx(value))


@pytest.mark.parametrize("text, span, value", [
    ("捐款3 000元。", "3 000元", 3_000),
    ("捐款￥3,000.00，", "￥3,000.00", 3_000),
    ("捐款3000 元。", "3000 元", 3_000),
    ("捐款人民币3000元。", "人民币3000元", 3_000),
    ("捐款¥2000。", "¥2000", 2_000),
    ("捐款3,000元。", "3,000元", 3_000),
    ("捐款RMB 3000。", "RMB 3000", 3_000),
    ("捐款３０００元。", "３０００元", 3_000),
])
def test_forms_other_sites_use(text, span, value):
    a = one(text)
    assert (a.text, a.value_yuan, a.currency) == (span, pytest.approx(value), "CNY")


# -- approximate amounts ---------------------------------------------------------------------

@pytest.mark.parametrize("text, span, value", [
    ("发放奖金10万余元。", "10万余元", 100_000),
    ("补助金额140余万元，", "140余万元", 1_400_000),
    ("共捐款30多万元，", "30多万元", 300_000),
    ("近6万元体育用品", "近6万元", 60_000),
    ("上级工会经费，约计114万元。", "约计114万元", 1_140_000),
    ("总金额近16余万元，", "近16余万元", 160_000),
    ("赠送药品2019余元；", "2019余元", 2_019),
    ("超过50万元。", "超过50万元", 500_000),
    ("筹集爱心善款万余元。", "万余元", 10_000),
    ("上万元的设备", "上万元", 10_000),
])
def test_approx_words_in_the_span(text, span, value):
    a = one(text)
    assert (a.text, a.value_yuan, a.approx) == (span, pytest.approx(value), True)


@pytest.mark.parametrize("text, span", [
    ("力争全年工业投资7500亿元以上、", "7500亿元"),
    ("每人1000元左右。", "1000元"),
])
def test_approx_words_after_the_span(text, span):
    a = one(text)
    assert (a.text, a.approx) == (span, True)


def test_exact_amount_is_not_approx():
    assert one("年末经费余额15562.90元。").approx is False


def test_vague_amount_has_no_value():
    a = one("投入数万元。")
    assert (a.text, a.value_yuan, a.approx) == ("数万元", None, True)


def test_range_is_one_amount_valued_at_its_lower_end():
    a = one("每人补贴1-2万元。")
    assert (a.text, a.value_yuan, a.approx) == ("1-2万元", 10_000, True)


# -- masked (anonymised) amounts -----------------------------------------------------------

@pytest.mark.parametrize("text, span", [
    ("发放各类困难补助xx万元。", "xx万元"),
    ("对口捐助x万元;", "x万元"),
    ("慰问金×元。", "×元"),
    ("共计¥20xx。", "¥20xx"),
    ("涉案金额XX元。", "XX元"),
    ("投入xx.x万元。", "xx.x万元"),
    ("缴纳经费（  ）万元。", "（  ）万元"),
])
def test_masked_digits(text, span):
    a = one(text)
    assert (a.text, a.value_yuan, a.masked) == (span, None, True)


def test_masked_and_approx():
    a = one("送温暖慰问金xx万余元。")
    assert (a.masked, a.approx, a.value_yuan) == (True, True, None)


# -- traps: not money -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "开展元旦春节困难职工慰问",          # 元旦
    "参加2019元旦晚会",                 # a year before 元旦
    "组织10万人参加",                   # 万人
    "年产5万吨",                        # 万吨
    "按篇计酬，元/篇",                  # 元/篇 without a number
    "抓好631个重点项目、1000家企业",    # bare numbers
    "增加多元化的服务供给",             # 多元
    "推进管理一元化",                   # 一元化 is a word
    "科元塑胶、广元港",                 # 元 inside names
    "统一思想，提高认识",               # 统一 never becomes a number
    "一元复始，万象更新",
])
def test_traps_are_not_money(text):
    assert find_amounts(text) == []


def test_cjk_digit_ending_a_word_does_not_start_a_number():
    assert texts("他是唯一万元户") == []


def test_bare_number_after_amount_list_stays_out():
    assert texts("共发放200元/篇，合计12篇") == ["200元"]


def test_chinese_numerals_convert_only_inside_the_found_span():
    text = "统一思想，捐款三万元，第一名"
    a = one(text)
    assert a.value_yuan == 30_000 and text[a.start:a.end] == "三万元"


# -- currency, purposes ------------------------------------------------------------------------

def test_foreign_currency_has_no_yuan_value():
    a = one("带动四川装备出口100亿美元。")
    assert (a.text, a.value_yuan, a.currency, a.masked) == ("100亿美元", None, "USD", False)


@pytest.mark.parametrize("text, purpose", [
    ("今年看望、慰问17人，慰问款4300元。", "慰问金"),
    ("1. 会员会费6200.00元。", "会费"),
    ("共捐款30多万元，", "捐款"),
    ("发放奖金10万余元。", "奖金"),
    ("补助金额140余万元，", "补助"),
    ("每年节约经费10多万元。", "经费"),
    ("春节前夕为职工发放福利1000元，", "福利"),
    ("共计近6万元，用于企业文化建设", None),
    ("共投入近6万元，用于企业文化建设", "投资"),
    ("共计近6万元，用于职工福利", "福利"),
    ("合计12000元。", None),
])
def test_purpose_from_context(text, purpose):
    assert one(text).purpose == purpose


def test_purpose_never_crosses_a_sentence():
    assert one("发放慰问金。合计12000元。").purpose is None


def test_custom_purpose_words():
    lex = AmountLexicon.from_text("茶歇\t会议费\n", "元旦\n")
    assert find_amounts("茶歇300元", lexicon=lex)[0].purpose == "会议费"


def test_traditional_characters():
    a = one("籌集送溫暖活動資金138余萬元")
    assert (a.text, a.value_yuan, a.approx) == ("138余萬元", 1_380_000, True)


# -- invariants ----------------------------------------------------------------------------------

SEED_EXCERPT = (
    "（一）经费收入情况。2011年初经费余额8721.40元。1. 会员会费收缴6200.00元。2. 单位补助30000.00元。\n"
    "（二）经费支出情况。经费合计总支出为29358.50元。其中：三八妇女节支出723.00元，职工元旦活动费支出5178.70元；"
    "庆“七.一”文艺汇演支出经费300.00元；为乡村扶贫点等捐赠及慰问款23156.80元。年末经费余额15562.90元。\n"
    "2、多次到社区、农村义诊服务，赠送药品2019余元；到石坝胜利村对口帮扶衣物100件，药品1000余元。\n"
)


def test_seed_excerpt_finds_every_amount_with_exact_offsets():
    found = find_amounts(SEED_EXCERPT)
    assert [a.text for a in found] == ["8721.40元", "6200.00元", "30000.00元", "29358.50元", "723.00元", "5178.70元",
                                       "300.00元", "23156.80元", "15562.90元", "2019余元", "1000余元"]
    assert all(SEED_EXCERPT[a.start:a.end] == a.text for a in found)
    assert [a.start for a in found] == sorted(a.start for a in found)


def test_rows_have_the_schema_columns():
    from corpus_tools.schema import TABLES

    row = one("慰问金5600元").row(section_id=3)
    assert set(row) == set(TABLES["amounts"].column_names) - {"doc_id"}


def test_lexicon_pickles():
    lex = AmountLexicon.from_files()
    again = pickle.loads(pickle.dumps(lex))
    assert find_amounts("慰问金5600元", lexicon=again)[0].purpose == "慰问金"


MONEYISH = st.text(alphabet=st.sampled_from(list("0123456789.,， 元万亿千百十余多近约xX×¥￥人民币美两三一二旦月篇/（）()统第多化")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.one_of(MONEYISH, st.text(max_size=60)))
def test_never_raises_and_offsets_are_exact(text):
    for a in find_amounts(text):
        assert text[a.start:a.end] == a.text
        assert a.value_yuan is None or a.value_yuan >= 0
        assert not (a.masked and a.value_yuan is not None)


# -- the number reader ---------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_parse_number_reads_what_cn2an_writes(n):
    assert parse_number(cn2an.an2cn(n)).value == n


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_parse_number_reads_financial_numerals(n):
    assert parse_number(cn2an.an2cn(n, "up")).value == n


def test_parse_number_rejects_non_numbers():
    with pytest.raises(ValueError):
        parse_number("统一")


@pytest.mark.parametrize("run", ["9" * 5000, "一" * 5000, "x" * 5000, "9x" * 2500, "3 000" * 1000])
def test_long_number_runs_stay_fast(run):
    # a number pattern that can split a digit run two ways backtracks exponentially
    import time

    t0 = time.perf_counter()
    find_amounts(run)
    assert time.perf_counter() - t0 < 1.0
