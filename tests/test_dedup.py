"""Dedup stage: exact copies, near copies, partial copies, and originals left alone."""

from corpus_tools.dedup import find_duplicates, signature

BASE = ("20xx年，在医院党委和上级工会的正确领导下，院工会认真履行职能，巩固建家成果，积极开展工会活动。"
        "全年慰问老教授、老专家、生病住院职工等600多人次，奖励大中小学生411人，发放奖金10万余元。"
        "在新的一年里，工会工作总体设想是：认真履行工会职能，围绕医院中心工作，努力助推医院科学发展。"
        "组织职工参加无偿献血，开展劳动竞赛和技能比武，举办职工运动会和文艺汇演，丰富职工文化生活。")
OTHER = ("今年，学校工会在市教育工会的领导下，加强民主管理，推行校务公开，召开教代会，审议学校发展规划。"
         "组织教职工开展篮球赛、拔河比赛和登山活动，慰问困难教职工，开展金秋助学，为教职工办实事。")


def sigs(*texts):
    return [signature(f"d{i}", ("page", i), t) for i, t in enumerate(texts, start=1)]


def test_exact_copy_points_at_the_earlier_report():
    assert find_duplicates(sigs(BASE, OTHER, BASE)) == {"d3": "d1"}


def test_copy_with_different_layout_and_punctuation_is_exact():
    assert find_duplicates(sigs(BASE, BASE.replace("，", ",\n"))) == {"d2": "d1"}


def test_near_copy_with_small_edits_is_a_duplicate():
    edited = BASE.replace("600多人次", "650多人次").replace("411人", "402人")
    assert find_duplicates(sigs(BASE, edited)) == {"d2": "d1"}


def test_later_report_copying_half_of_an_earlier_one_is_a_duplicate():
    half = BASE[len(BASE) // 2:]
    assert find_duplicates(sigs(BASE, half)) == {"d2": "d1"}


def test_later_report_repeating_an_earlier_one_with_a_little_more_is_a_duplicate():
    assert find_duplicates(sigs(BASE, BASE + "各位代表，让我们再创新的辉煌！")) == {"d2": "d1"}


def test_unrelated_reports_are_originals():
    assert find_duplicates(sigs(BASE, OTHER)) == {}


def test_duplicates_across_pages_follow_page_order():
    a = signature("a", ("000.txt", 1), BASE)
    b = signature("b", ("002.txt", 6), BASE)
    assert find_duplicates([b, a]) == {"b": "a"}


def test_chain_of_copies_points_at_the_first():
    assert find_duplicates(sigs(BASE, BASE, BASE)) == {"d2": "d1", "d3": "d1"}
