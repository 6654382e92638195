"""Tests for corpus_tools.extract.activities: lexicon lookup, canonical names, user lexicons, offsets."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.extract import ACTIVITY_CATEGORIES, ActivityLexicon, LexiconError, find_activities


def found(text: str, **kw) -> list[tuple[str, str, str]]:
    return [(a.text, a.name, a.category) for a in find_activities(text, **kw)]


@pytest.mark.parametrize("text, name, category", [
    ("在全院范围内开展了第二届劳动竞赛", "劳动竞赛", "skills_competition"),
    ("第九届技术比武", "技能比武", "skills_competition"),
    ("庆“七.一”文艺汇演", "文艺汇演", "culture_arts"),
    ("组织篮球赛", "篮球赛", "sports"),
    ("做好今年金秋助学工作", "金秋助学", "welfare_care"),
    ("做好困难职工的送温暖工作", "送温暖", "welfare_care"),
    ("多次到社区、农村义诊服务", "义诊", "health"),
    ("定期召开职代会", "职工代表大会", "democratic_management"),
    ("组织全院职工学习政治理论", None, None),
])
def test_issue_examples_map_to_canonical_names(text, name, category):
    got = found(text)
    if name is None:
        assert got == []
    else:
        assert got[0][1:] == (name, category)


def test_longest_surface_wins():
    assert found("召开教职工代表大会") == [("教职工代表大会", "教职工代表大会", "democratic_management")]


def test_one_row_per_activity_unless_asked():
    text = "开展技术比武。举办技能比武。召开职代会。"
    assert [a.name for a in find_activities(text)] == ["技能比武", "职工代表大会"]
    assert [a.name for a in find_activities(text, distinct=False)] == ["技能比武", "技能比武", "职工代表大会"]


def test_user_lexicon_extends_and_overrides(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("# my words\n华牌赛\t华牌比赛\tsports\n职代会\t职代会\tdemocratic_management\n", encoding="utf-8")
    lex = ActivityLexicon.load(path)
    assert found("举办华牌赛，召开职代会", lexicon=lex) == [
        ("华牌赛", "华牌比赛", "sports"), ("职代会", "职代会", "democratic_management")]
    assert len(lex) > 100  # the packaged entries are still there


def test_user_lexicon_alone(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("读书会\n", encoding="utf-8")
    lex = ActivityLexicon.load(path, packaged=False)
    assert found("举办读书会和篮球赛", lexicon=lex) == [("读书会", "读书会", "other")]


def test_bad_category_is_reported(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("读书会\t读书会\treading\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="reading"):
        ActivityLexicon.load(path)


def test_unreadable_lexicon_is_reported(tmp_path):
    path = tmp_path / "gbk.tsv"
    path.write_bytes("读书会".encode("gbk"))
    with pytest.raises(LexiconError, match="not UTF-8"):
        ActivityLexicon.load(path)


def test_packaged_categories_are_all_in_the_taxonomy():
    lex = ActivityLexicon.load()
    assert {c for _, c in lex.entries.values()} <= set(ACTIVITY_CATEGORIES)


def test_traditional_characters_are_matched_and_reported_as_written():
    assert found("開展勞動競賽") == [("勞動競賽", "劳动竞赛", "skills_competition")]


def test_lexicon_pickles():
    lex = pickle.loads(pickle.dumps(ActivityLexicon.load()))
    assert found("召开职代会", lexicon=lex)[0][1] == "职工代表大会"


def test_rows_have_the_schema_columns():
    from corpus_tools.schema import TABLES

    row = find_activities("召开职代会")[0].row(section_id=2)
    assert set(row) == set(TABLES["activities"].column_names) - {"doc_id"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_and_offsets_are_exact(text):
    for a in find_activities(text, distinct=False):
        assert text[a.start:a.end] == a.text
