"""Tests for corpus_tools.extract.facts and the Extractors bundle: years, unit, regions, counts,
section ids, schema columns, pickling and the offset invariant on every table."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.extract import Extractors, ReportFacts, find_counts, find_regions, find_unit, find_years
from corpus_tools.records import Section
from corpus_tools.schema import TABLES
from corpus_tools.structure import parse_sections


@pytest.fixture(scope="module")
def extractors() -> Extractors:
    return Extractors.default()


# -- years ---------------------------------------------------------------------------------------

def test_years_as_written():
    text = "2012年医院工会财务工作……2011年初经费余额8721.40元。……二〇一三年三月二十六日"
    assert [y.value for y in find_years(text)] == ["2012年", "2011年", "二〇一三年"]


@pytest.mark.parametrize("text, value", [
    ("20xx年，在医院党委的领导下", "20xx"),
    ("20__年，院工会在院党委的直接领导下", "20__"),
    ("__年底召开的八届四次职代会上", "__"),
    ("二、二0__年主要工作打算", "二0__"),
    ("组织职工参加了x年明光纳凉晚会", "x"),
    ("xx年逸夫小学被评为市级“礼貌岗”", "xx"),
    ("如：****年4月举办", "****"),
])
def test_masked_years_are_kept_without_nian(text, value):
    years = find_years(text)
    assert [y.value for y in years] == [value] and years[0].masked


@pytest.mark.parametrize("text", [
    "到2020年带动四川装备出口",     # a horizon, not a date of the report
    "推动2019个竣工项目投产",       # not followed by 年
    "工作三年来",                   # a duration
    "党的xx大和xx届三中全会",
])
def test_not_years(text):
    assert find_years(text) == []


def test_year_offsets_are_exact():
    text = "二〇一三年三月，20xx年"
    assert all(text[y.start:y.end] == y.text for y in find_years(text))


# -- the reporting unit ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, unit", [
    ("我受电力公司工会委员会的委托，向大会做电力公司工会工作报告", "电力公司工会"),
    ("我在这里代表医院工会向大会作巴林左旗医院八届四次工会委员会财务工作报告，请予以审议。", "巴林左旗医院工会"),
    ("我受吉林省xx医院工会委员会的委托，向大会做第八届一次工会委员会财务工作报告", None),
    ("院工会在院党委的直接领导下，院工会积极参与民主管理。", None),
    ("相信，在全体教职工的共同努力下，机械工程学院工会会越办越好。", "机械工程学院工会"),
])
def test_unit(text, unit):
    assert find_unit(text) == unit


# -- regions -------------------------------------------------------------------------------------------

def test_regions_that_name_local_bodies():
    text = "第一分工会被湖南省总工会授予模范职工小家。积极响应长沙市政府无偿献血的号召。组织职工赴北京参观。"
    assert find_regions(text) == ["湖南省", "长沙市"]


def test_region_from_the_unit_name():
    assert find_regions("院工会积极参与。", unit="巴林左旗医院工会") == ["巴林左旗"]


def test_short_place_forms_inside_words_are_not_places():
    assert find_regions("多年来宾馆工会积极参与，各乡镇和县总工会") == []


def test_province_the_report_returns_to():
    assert find_regions("四川发展……四川产品……四川装备……") == ["四川省"]


# -- counts ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, span, value, unit, approx", [
    ("慰问老专家等600多人次，", "600多人次", 600, "人次", True),
    ("有近700人次职工住院", "近700人次", 700, "人次", True),
    ("150名职工参加了无偿献血", "150名", 150, "名", False),
    ("慰问11户离退休职工", "11户", 11, "户", False),
    ("力争城镇新增就业80万人", "80万人", 800_000, "人", False),
    ("每年组织1000家左右的企业", "1000家", 1000, "家", True),
    ("将收集的24件代表提案分类提交", "24件", 24, "件", False),
    ("与十名留守学生结成对子", "十名", 10, "名", False),
])
def test_counts(text, span, value, unit, approx):
    c = find_counts(text)
    assert [(x.text, x.value, x.unit, x.approx) for x in c] == [(span, value, unit, approx)]


def test_masked_counts():
    c = find_counts("慰问劳模x人，金额x万元")
    assert [(x.text, x.value, x.masked) for x in c] == [("x人", None, True)]


@pytest.mark.parametrize("text", [
    "我院女队获第三名",       # an ordinal
    "召开四次会议",           # a small Chinese numeral is prose
    "一次、两人、三名",
    "人民群众",
])
def test_not_counts(text):
    assert find_counts(text) == []


def test_counts_skip_amount_spans():
    assert find_counts("捐款30多万元", exclude=[(2, 8)]) == []


# -- the bundle --------------------------------------------------------------------------------------------

REPORT = (
    "20xx年，在医院党委和上级工会的正确领导下，院工会认真履行职能。\n"
    "一、工会经费收支使用情况\n"
    "（一）经费收入情况。2011年初经费余额8721.40元。会员会费收缴6200.00元。\n"
    "（二）经费支出情况。慰问老专家600多人次，发放慰问金5600元。\n"
    "二、荣誉\n"
    "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家。召开职代会，开展劳动竞赛。\n"
)


def test_extract_returns_rows_for_every_table(extractors):
    facts = extractors.extract(REPORT, parse_sections(REPORT))
    assert isinstance(facts, ReportFacts)
    assert [a["text"] for a in facts.amounts] == ["8721.40元", "6200.00元", "5600元"]
    assert [a["award"] for a in facts.awards] == ["工人先锋号", "模范职工小家"]
    assert {a["name"] for a in facts.activities} >= {"职工代表大会", "劳动竞赛"}
    assert [c["text"] for c in facts.counts] == ["600多人次"]
    assert facts.years == ["20xx", "2011年"]
    assert facts.regions == ["湖南省"]


def test_every_row_of_every_table_has_exact_offsets_and_schema_columns(extractors):
    facts = extractors.extract(REPORT, parse_sections(REPORT))
    for table in ("amounts", "awards", "activities", "counts"):
        rows = getattr(facts, table)
        assert rows, table
        for row in rows:
            assert REPORT[row["start"]:row["end"]] == row["text"]
            assert list(row) == [c for c in TABLES[table].column_names if c != "doc_id"]
        assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)


def test_section_id_is_the_innermost_containing_section(extractors):
    sections = parse_sections(REPORT)
    facts = extractors.extract(REPORT, sections)
    by_title = {s.title: s.section_id for s in sections}
    first = facts.amounts[0]
    inner = [s for s in sections if s.start <= first["start"] and first["end"] <= s.end]
    assert first["section_id"] == max(inner, key=lambda s: s.level).section_id
    assert first["section_id"] == by_title[next(t for t in by_title if t.startswith("经费收入情况"))]
    assert facts.awards[0]["section_id"] == by_title["荣誉"]
    assert extractors.extract("慰问金5600元").amounts[0]["section_id"] is None


def test_section_id_uses_the_deepest_level_not_the_first_match(extractors):
    sections = [Section(1, None, 1, "一、", "a", 0, 100, "other"), Section(2, 1, 2, "（一）", "b", 0, 50, "other")]
    assert extractors.extract("慰问金5600元", sections).amounts[0]["section_id"] == 2


def test_extractors_pickle_and_give_the_same_result(extractors):
    again = pickle.loads(pickle.dumps(extractors))
    assert again.extract(REPORT) == extractors.extract(REPORT)


def test_user_activity_lexicon(tmp_path):
    path = tmp_path / "acts.tsv"
    path.write_text("华牌赛\t华牌比赛\tsports\n", encoding="utf-8")
    ex = Extractors.default(activity_lexicon=path)
    assert ex.extract("举办华牌赛").activities[0]["name"] == "华牌比赛"


def test_extraction_is_deterministic(extractors):
    assert extractors.extract(REPORT) == extractors.extract(REPORT)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789xX年元万名人次被评为获得奖称号，。\n一二三、（）职代会劳动竞赛湖南省总工会 ")),
               max_size=80))
def test_never_raises_and_every_offset_is_exact(extractors, text):
    facts = extractors.extract(text, parse_sections(text))
    for table in ("amounts", "awards", "activities", "counts"):
        for row in getattr(facts, table):
            assert text[row["start"]:row["end"]] == row["text"]
