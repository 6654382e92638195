"""Tests for corpus_tools.extract.awards: constructions, recipients, issuers, levels, exclusions.

Example sentences are cut from the sample pages in /work/shared/seeds (lightly shortened).
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.extract import AwardLexicon, award_level, find_awards


def names(text: str) -> list[str]:
    return [a.award for a in find_awards(text)]


def one(text: str):
    found = find_awards(text)
    assert len(found) == 1, [(a.award, a.text) for a in found]
    return found[0]


# -- constructions ---------------------------------------------------------------------------

def test_passive_with_issuer():
    a = one("胸心外科被中华全国总工会授予工人先锋号，")
    assert (a.award, a.recipient, a.issuer, a.level) == ("工人先锋号", "胸心外科", "中华全国总工会", "national")
    assert a.text == "胸心外科被中华全国总工会授予工人先锋号"


def test_passive_without_issuer_takes_level_from_the_place_in_the_name():
    a = one("眼科被评为湖南省芙蓉标兵岗；")
    assert (a.award, a.recipient, a.issuer, a.level) == ("湖南省芙蓉标兵岗", "眼科", None, "provincial")


def test_passive_issuer_at_the_start_of_the_name():
    a = one("儿科曹艳、妇产科邓娅莉两同志被推评为省教育工会百岗明星；")
    assert (a.award, a.issuer, a.level) == ("省教育工会百岗明星", "省教育工会", "provincial")
    assert a.recipient == "儿科曹艳、妇产科邓娅莉"


def test_passive_adverb_is_not_an_issuer():
    a = one("2016年我们被光荣的评为东南大学先进党支部。")
    assert (a.award, a.recipient, a.issuer) == ("东南大学先进党支部", "我们", "东南大学")


def test_active_grant_splits_recipient_and_title():
    a = one("20xx年4月，湖南省校务公开工作领导小组授予我院校务公开民主管理工作先进单位称号。")
    assert (a.award, a.recipient, a.issuer, a.level) == (
        "校务公开民主管理工作先进单位", "我院", "湖南省校务公开工作领导小组", "provincial")


def test_won_at_a_contest_takes_issuer_and_level_from_the_contest():
    a = one("20xx年5月，在省教育工会直属基层工会财务工作考核评比中荣获特等奖。")
    assert (a.award, a.issuer, a.level) == ("特等奖", "省教育工会", "provincial")


def test_get_with_issuer_inside_the_name():
    a = one("获中华全国总工会女职工委员会《女职工劳动保护特别规定》知识竞赛活动湖南省唯一优秀组织奖；")
    assert a.award.endswith("优秀组织奖") and a.issuer == "中华全国总工会女职工委员会" and a.level == "national"


def test_title_in_quotes_with_cheng_hao():
    a = one("在xx年度校工会工作会议上，机械学院工会工作得到了认可，获得了“模范教工之家”的称号。")
    assert (a.award, a.issuer, a.level) == ("模范教工之家", "校工会", "internal")


def test_placings_in_a_contest():
    found = find_awards("在校篮球比赛中，我院女队获第三名，男队获第六名的好成绩。")
    assert [(a.award, a.recipient, a.level) for a in found] == [
        ("第三名", "我院女队", "internal"), ("第六名", "男队", "internal")]


def test_placing_after_qude_and_first_place_forms():
    assert names("疾控中心代表队取得了第二名的优秀成绩。") == ["第二名"]
    assert names("在全市职工篮球赛中夺得冠军。") == ["冠军"]
    assert names("分别荣获团体第一名和男子团体第三名的好成绩。") == ["团体第一名", "男子团体第三名"]


def test_list_with_lost_punctuation_gives_one_row_per_title():
    found = find_awards("荣获了省教委先进单位、市计划生育先进单位□xx市教育工会先进单位□xx市妇联先进单位等荣誉称号。")
    assert [(a.award, a.level) for a in found] == [
        ("省教委先进单位", "provincial"), ("市计划生育先进单位", "city"),
        ("xx市教育工会先进单位", "city"), ("xx市妇联先进单位", "city")]


def test_award_only_clause_continues_the_list():
    found = find_awards("xx年在校知识女性创新和谐演讲比赛中，刘燕苹老师获二等奖，校杰出女性奖□xx年校幽默笑话大赛中，"
                        "武颖、张琳获一等奖，学院获组织奖。")
    assert [(a.award, a.recipient) for a in found] == [
        ("二等奖", "刘燕苹老师"), ("校杰出女性奖", "刘燕苹老师"), ("一等奖", "武颖、张琳"), ("组织奖", "学院")]


def test_he_splits_two_titles_but_not_a_word():
    assert names("被评为东南大学先进党支部和东南大学先进工会小组。") == ["东南大学先进党支部", "东南大学先进工会小组"]
    assert names("获得创新和谐先进单位。") == ["创新和谐先进单位"]


def test_held_titles():
    found = find_awards("永远保持“全国模范职工之家”、“全国五一劳动奖状”的荣誉，")
    assert [(a.award, a.level) for a in found] == [("全国模范职工之家", "national"), ("全国五一劳动奖状", "national")]


def test_commendation_without_a_name():
    a = one("组织的文体活动获得好评，老体协工作受到州里表彰。")
    assert (a.award, a.recipient, a.issuer, a.level) == ("表彰", "老体协工作", "州里", "city")


def test_missing_full_stop_after_the_title():
    a = one("董志国、李军利等获院优秀奖通过讲课比赛，发现和培养了教学能手。")
    assert (a.award, a.level, a.text) == ("院优秀奖", "internal", "董志国、李军利等获院优秀奖")


def test_rated_without_bei():
    assert names("我校工会连续三年评为先进单位。") == ["先进单位"]


# -- recipients ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, recipient", [
    ("第一分工会被湖南省总工会授予模范职工小家，", "第一分工会"),
    ("xx年逸夫小学被评为市级“礼貌岗”，", "逸夫小学"),
    ("在市总工会举办的职工技能大赛中，我公司职工李某获得一等奖。", "我公司职工李某"),
    ("连续三年我支部被评为永安镇先进支部。", "我支部"),
    ("院工会女职工委员会主任丁依玲教授被评为湘雅名医。", "院工会女职工委员会主任丁依玲教授"),
    ("被评为医院“四型”职能部门。", None),
])
def test_recipient_forms(text, recipient):
    assert one(text).recipient == recipient


def test_recipient_carries_over_within_a_sentence():
    found = find_awards("在校乒乓球比赛中，我院获男队团体第三名，并获组织奖、体育道德风尚奖等。")
    assert [(a.award, a.recipient) for a in found] == [
        ("男队团体第三名", "我院"), ("组织奖", "我院"), ("体育道德风尚奖", "我院")]


def test_contest_before_the_verb_is_not_the_recipient():
    a = one("20xx年南阳市老干部运动会荣获优秀组织奖。")
    assert (a.recipient, a.level) == (None, "city")


# -- issuers and levels ------------------------------------------------------------------------

@pytest.mark.parametrize("text, issuer, level", [
    ("厅机关被辖区街道授予计划生育先进单位。", "辖区街道", "county"),
    ("我院被市总工会评为“模范职工之家”。", "市总工会", "city"),
    ("我会被省总工会授予“先进职工之家”称号。", "省总工会", "provincial"),
    ("公司被县总工会评为先进单位。", "县总工会", "county"),
    ("我校被学校评为优秀工会。", "学校", "internal"),
    ("2019年被浏阳市委市政府评为“美丽村庄”光荣称号。", "浏阳市委市政府", "county"),  # a county-level city
    ("工会被上级工会评为先进基层工会。", "上级工会", "unknown"),
])
def test_issuer_and_level(text, issuer, level):
    a = one(text)
    assert (a.issuer, a.level) == (issuer, level)


@pytest.mark.parametrize("name, issuer, context, level", [
    ("工人先锋号", "中华全国总工会", None, "national"),
    ("全国五一劳动奖状", None, None, "national"),
    ("湖南省芙蓉标兵岗", None, None, "provincial"),
    ("市级“礼貌岗”", None, None, "city"),
    ("xxx区工人先锋号", None, None, "county"),
    ("院优秀奖", None, None, "internal"),
    ("第三名", None, "校篮球比赛", "internal"),
    ("长沙市示范站点", None, None, "city"),
    ("浏阳市示范点", None, None, "county"),
    ("湘雅名医", None, None, "unknown"),
])
def test_award_level(name, issuer, context, level):
    assert award_level(name, issuer, context) == level


# -- what is not an award received ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "下一步我们将再接再厉，争创xx区文明单位和xx市工人先锋号。",
    "力争被评为全国模范职工之家。",
    "积极申报全国工人先锋号。",
    "争取获得省级先进单位称号。",
    "扎实开展各项工作，创建县级以上“先进职工之家”称号。",
])
def test_ambitions_are_not_awards(text):
    assert find_awards(text) == []


@pytest.mark.parametrize("text", [
    "评选表彰了20名优秀工会积极分子，授予“优秀会员”称号。",
    "对获得一等奖的职工给予奖励。",
    "工会将10名职工评为优秀会员。",
    "工会对被评为先进个人的20名职工进行了奖励。",
    "开展“最美职工”评选活动，共评出“最美职工”10名，并在文艺晚会上进行了表彰。",
    "在“五一”节，对16户“五好家庭”进行了表彰。",
    "院工会授予10名职工“优秀会员”称号。",
])
def test_prizes_the_union_hands_out_are_not_awards(text):
    assert find_awards(text) == []


@pytest.mark.parametrize("text", [
    "在南阳市中级法院老干部书画比赛中，荣获多个奖项。",
    "20人次获得市、区相关荣誉。",
    "获得了社会各界的一致好评。",
    "取得了显著成效。",
    "老年工作获得国家和省老龄委的肯定和奖励。",
    "获悉此事后，工会立即行动。",
    "收获颇丰。",
    "展出获奖作品10件。",
    "取得个人的好成绩。",
    "职工获得感不断增强。",
    "获得了上级的充分肯定。",
    "获得补助5000元。",
    "获得先进的管理经验。",
    "获得第一手资料。",
    "获得xx单位的大力支持。",
    "获批建设职工书屋。",
])
def test_vague_or_other_senses_are_not_awards(text):
    assert find_awards(text) == []


def test_same_title_mentioned_again_is_kept_once():
    text = "校图书馆被评为省级“礼貌岗”。荣获省级“礼貌岗”荣誉称号的高校图书馆只有我校。"
    assert names(text) == ["省级“礼貌岗”"]


def test_same_placing_for_different_contests_is_kept():
    assert names("学院获组织奖。在校乒乓球比赛中，我院获组织奖。") == ["组织奖", "组织奖"]


def test_traditional_characters():
    a = one("1名職工獲得湖南省勞動模範稱號。")
    assert (a.award, a.level, a.text) == ("湖南省劳动模范", "provincial", "1名職工獲得湖南省勞動模範稱號")


# -- invariants ----------------------------------------------------------------------------------

SEED_EXCERPT = (
    "严格执行中央“八项规定”和“六项禁令”，提高服务意识、精简会议、减少经费支出，被评为医院“四型”职能部门。"
    "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家，张亚林教授被授予湖南省师德标兵。\n"
    "20xx年4月，湖南省校务公开工作领导小组授予我院校务公开民主管理工作先进单位称号。\n"
    "在校篮球比赛中，我院女队获第三名，男队获第六名的好成绩。在校乒乓球比赛中，我院获男队团体第三名，男单获第一名，"
    "女队获第四名，并获组织奖、体育道德风尚奖等。\n"
)


def test_seed_excerpt_offsets_and_order():
    found = find_awards(SEED_EXCERPT)
    assert len(found) == 12
    assert all(SEED_EXCERPT[a.start:a.end] == a.text for a in found)
    assert [a.start for a in found] == sorted(a.start for a in found)
    assert {a.level for a in found} <= {"national", "provincial", "city", "county", "internal", "unknown"}


def test_rows_have_the_schema_columns():
    from corpus_tools.schema import TABLES

    row = one("眼科被评为湖南省芙蓉标兵岗").row(section_id=None)
    assert set(row) == set(TABLES["awards"].column_names) - {"doc_id"}


def test_lexicon_pickles():
    lex = pickle.loads(pickle.dumps(AwardLexicon.from_files()))
    assert find_awards("眼科被评为湖南省芙蓉标兵岗", lexicon=lex)[0].level == "provincial"


AWARDISH = st.text(alphabet=st.sampled_from(list("被评为授予荣获获得第一二三名等奖称号“”、和，。□的争创表彰受到在中比赛我院省市县全国先进单位")),
                   max_size=50)


@settings(max_examples=300, deadline=None)
@given(st.one_of(AWARDISH, st.text(max_size=60)))
def test_never_raises_and_offsets_are_exact(text):
    for a in find_awards(text):
        assert text[a.start:a.end] == a.text
        assert a.award and a.level in ("national", "provincial", "city", "county", "internal", "unknown")
