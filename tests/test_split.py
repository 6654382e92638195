"""Split stage: every marker style, unmarked boundaries, and the no-character-lost invariant."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.clean import clean_page
from corpus_tools.split import find_unmarked_boundaries, is_closing, is_opening, split_reports
from tests.conftest import RAW, read_fixture

BODY = "20xx年，院工会认真履行职能，积极开展劳动竞赛，为职工办实事。"


def titles_and_starts(page: str):
    text = clean_page(page).text
    return [(r.title, text[r.start:r.end][:6]) for r in split_reports(text)]


@pytest.mark.parametrize("marker", ["篇一", "篇1", "篇 1", "【篇一】", "【第1篇】", "第一篇"])
def test_each_marker_style_starts_a_report(marker):
    page = f"医院工会工作报告(精选2篇)\n\n医院工会工作报告{marker}\n\n{BODY}\n\n医院工会工作报告{marker.replace('一', '二').replace('1', '2')}\n\n今年工会组织了篮球赛和拔河比赛，职工踊跃参加。"
    got = titles_and_starts(page)
    assert len(got) == 2
    assert got[0][0].endswith(marker.strip())
    assert got[0][1] == BODY[:6] and got[1][1] == "今年工会组织"


@pytest.mark.parametrize("wrap", ["## {}", "# {}", "**{}**", "## **{}**", "### {}", "{}"])
def test_marker_headings_with_or_without_markdown(wrap):
    page = "\n\n".join(["# 汇编(通用2篇)", wrap.format("工会工作总结 篇1"), BODY, wrap.format("工会工作总结 篇2"), BODY])
    assert [t for t, _ in titles_and_starts(page)] == ["工会工作总结 篇1", "工会工作总结 篇2"]


def test_page_title_and_intro_are_not_reports():
    page = read_fixture("clean_boilerplate.txt")
    text = clean_page(page).text
    reports = split_reports(text)
    assert all("实用8篇" not in text[r.start:r.end] for r in reports)
    assert text[reports[0].start:].startswith("20xx年，在医院党委和上级工会的正确领导下")


def test_nested_compilation_counts_inner_pieces():
    page = ("## 学校工会工作报告篇八\n\n学校党支部换届工作报告不知道怎么写的话，下面是整理的范文，欢迎借鉴！\n\n"
            f"**xx学校党支部换届工作报告范文【篇一】**\n\n{BODY}\n\n### xx学校党支部换届工作报告范文【篇二】\n\n{BODY}")
    assert [t for t, _ in titles_and_starts(page)] == ["xx学校党支部换届工作报告范文【篇一】", "xx学校党支部换届工作报告范文【篇二】"]


def test_unmarked_boundaries_where_a_new_organisation_reports():
    text = clean_page(read_fixture("split_unmarked_boundary.txt")).text
    starts = [text[r.start:r.start + 12] for r in split_reports(text)]
    assert [s[:9] for s in starts] == ["20XX年，街道总", "我院20xx年工会", "上半年，公司工会认"]


def test_page_break_continuation_is_not_a_boundary():
    text = clean_page(read_fixture("clean_page_break_continuation.txt")).text
    assert len(split_reports(text)) == 1


def test_a_long_stretch_about_something_else_is_another_report():
    text = clean_page(read_fixture("split_subject_change.txt")).text
    reports = split_reports(text)
    assert len(reports) == 2
    assert text[reports[1].start:].startswith("关于发展战略。省委提出的")


def test_salutation_after_a_closing_opens_a_new_speech():
    paras = ["尊敬的领导、各位会员：", "王石中心小学工会换届选举大会胜利召开。" + "会员们认真审议了报告。" * 30,
             "让我们为办好人民满意的学校而努力！", "各位领导、各位老师：", "第二届工会委员换届选举大会胜利闭幕。"]
    assert find_unmarked_boundaries(paras) == [3]


def test_opening_right_after_report_start_is_not_a_boundary():
    paras = ["上午好！我院职工代表大会今天隆重召开了，首先我代表院工会委员会表示感谢！",
             "下面我受院工会委员会的委托，向大会报告20xx年工会工作情况，请予以审议。",
             "20xx年，我院工会在上级工会和医院党政班子的正确领导下，充分发挥工会组织的桥梁作用。"]
    assert find_unmarked_boundaries(paras) == []


def test_opening_and_closing_cues():
    assert is_opening("各位代表、同志们：")
    assert is_opening("20__年，院工会在院党委的直接领导下，以高度的政治责任感开展工作。")
    assert is_opening("我受电力公司工会委员会的委托，向大会做工会工作报告，请各位代表审议。")
    assert not is_opening("20xx年，尼勒克县法院基层工会在县总工会和院党组强有力的支持下，取得成绩。")
    assert is_closing("谢谢大家！")
    assert is_closing("我们决心在县总工会的正确领导下，为经济社会又快又好的发展而努力奋斗。")
    assert is_closing("二〇一三年三月二十六日")
    assert not is_closing("院工会积极参与民主管理，依法选举职工代表43名。")


def test_sample_pages_split_into_the_expected_number_of_reports():
    counts = {}
    for path in sorted(RAW.glob("*.txt")):
        counts[path.name[:3]] = len(split_reports(clean_page(path.read_text(encoding="utf-8")).text))
    # 002 and 004 are the hand-annotated pages (6 and 5 reports); 003 has three unmarked reports before 篇4
    assert counts["002"] == 6 and counts["004"] == 5 and counts["003"] == 9


_PARA = st.sampled_from([BODY, "谢谢大家！", "各位代表：", "一、工作回顾", "篇一", "报告篇二", "工会组织了劳动竞赛。",
                         "20xx年，在局党委的正确领导下，我局工会认真履行职能。", "关于发展战略。", "\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARA, max_size=40))
def test_property_reports_are_ordered_non_overlapping_and_lose_no_report_text(paras):
    text = clean_page("\n\n".join(paras)).text
    reports = split_reports(text)
    pos = 0
    for r in reports:
        assert pos <= r.start < r.end <= len(text)
        pos = r.end
    covered = "".join(text[r.start:r.end] for r in reports)
    # every body paragraph (not a marker line or the page title) lands in some report
    for line in text.split("\n"):
        if "工会组织了劳动竞赛" in line or "积极开展劳动竞赛" in line:
            assert line in covered
