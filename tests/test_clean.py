"""Clean stage: one test per phenomenon, plus the offset and idempotence invariants."""

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.clean import clean_page, should_join
from tests.conftest import RAW, read_fixture


def assert_maps_back(raw: str, cleaned) -> None:
    for i, ch in enumerate(cleaned.text):
        if ch != "\n":
            assert raw[cleaned.offsets.to_source(i)] == ch, (i, ch)


def test_markdown_heading_and_bold_marks_are_dropped():
    raw = "## **换届学校工会工作报告 机关工会换届工作报告篇二**\n\n### **(一)重视理论学习推动支部建设**\n"
    assert clean_page(raw).text == "换届学校工会工作报告 机关工会换届工作报告篇二\n(一)重视理论学习推动支部建设"


def test_escaped_asterisks_of_anonymised_names_are_kept_as_asterisks():
    raw = "构建和谐为\\*\\*\\*\\*\\*持续稳定发展保驾护航。\n\n\\*\\*\\*\\*年\\*\\*月\\*\\*日召开代表大会。"
    text = clean_page(raw).text
    assert "*****持续稳定" in text
    assert "****年**月**日召开" in text


def test_placeholders_are_kept_as_written():
    raw = "20xx年，工会发放慰问金xx万元，共***人，20__年起执行，二0__年计划。"
    assert clean_page(raw).text == raw


def test_full_width_punctuation_is_not_normalised():
    raw = "工会经费（6）万元：“统筹兼顾、量入为出”；１２３。"
    assert clean_page(raw).text == raw


def test_sentence_broken_by_page_break_is_rejoined():
    raw = "院工会经费管理坚持原则，切实抓好工会经费的收、管、用。各项开\n\n支严格按照有关规定执行。"
    assert clean_page(raw).text == "院工会经费管理坚持原则，切实抓好工会经费的收、管、用。各项开支严格按照有关规定执行。"


def test_line_starting_with_a_full_stop_joins_the_previous_line():
    raw = "邓娅莉被推评为百岗明星\n\n。为庆祝建院五十五周年，举办了艺术节。"
    assert clean_page(raw).text == "邓娅莉被推评为百岗明星。为庆祝建院五十五周年，举办了艺术节。"


def test_continuation_lines_without_blank_line_are_rejoined():
    text = clean_page(read_fixture("clean_page_break_continuation.txt")).text
    assert "增强职工的身体素质和凝聚力，以崭新的姿态迎接新的一年" in text


def test_heading_line_is_not_joined_to_its_body():
    raw = "一、20xx年工作回顾\n\n20xx年在院党组的正确领导下，工会工作取得成效。"
    assert clean_page(raw).text.split("\n") == ["一、20xx年工作回顾", "20xx年在院党组的正确领导下，工会工作取得成效。"]
    assert not should_join("xx年工作思路", "xx年，校工会将继续按照要求开展工作。")


def test_page_artefacts_are_dropped():
    raw = ("健全内部应急机制，提高处 ― 2 ―\n\n理突发公共卫生事件应急能力。\n\n― 4 ―\n\n"
           "工会组织就是他们的家。12下一页\n\n经费第 1 页 共 9 页收支平衡。`关怀`温暖。1―11月共举办12期。")
    text = clean_page(raw).text
    assert "提高处理突发公共卫生事件应急能力。" in text
    for junk in ("― 2 ―", "― 4 ―", "下一页", "第 1 页", "`"):
        assert junk not in text
    assert "经费收支平衡" in text and "关怀温暖" in text
    assert "1―11月" in text  # a range, not a page number


def test_site_boilerplate_paragraphs_are_dropped():
    text = clean_page(read_fixture("clean_boilerplate.txt")).text
    assert "小编" not in text
    assert "希望大家可以喜欢" not in text
    assert "医院工会配合党政认真做好职代会的宣传工作" not in text  # the teaser lead-in goes too
    assert "20xx年，在医院党委和上级工会的正确领导下" in text
    assert "工会是职工的群众组织" in text


def test_generic_intro_about_writing_reports_is_dropped():
    raw = ("如何着手动笔撰写工作总结呢？时间过得非常的快，不知不觉这一阶段的工作已接近尾声。"
           "总结的标题由总结的单位名称、总结的时间组成，\n \t20XX年，街道总工会按照上级工会的工作要求开展工作。")
    assert clean_page(raw).text == "20XX年，街道总工会按照上级工会的工作要求开展工作。"


def test_boilerplate_formula_inside_a_report_drops_only_that_sentence():
    raw = "今年工会组织了劳动竞赛，" + "职工踊跃参加，" * 30 + "成效显著。精选优质文档-倾情为你奉上。全年慰问困难职工20户。"
    text = clean_page(raw).text
    assert "倾情为你奉上" not in text
    assert text.startswith("今年工会组织了劳动竞赛") and text.endswith("全年慰问困难职工20户。")


def test_every_cleaned_character_maps_back_to_the_source_on_the_sample_pages():
    for path in sorted(RAW.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        assert_maps_back(raw, clean_page(raw))


def test_cleaning_is_idempotent_on_the_sample_pages():
    for path in sorted(RAW.glob("*.txt")):
        once = clean_page(path.read_text(encoding="utf-8")).text
        assert clean_page(once).text == once, path.name


_CHARS = st.sampled_from(list("工会职工经费万元年xX_＊*#`―-—。，、：；！？“”（）()【】篇一二三1234 \t\n\u3000下一页第共小编") + ["\n\n", "## ", "**", "篇一", "20xx年"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHARS, max_size=80).map("".join))
def test_property_cleaning_never_raises_maps_back_and_is_idempotent(raw):
    cleaned = clean_page(raw)
    assert_maps_back(raw, cleaned)
    assert clean_page(cleaned.text).text == cleaned.text
