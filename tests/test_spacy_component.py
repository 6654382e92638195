"""Tests for corpus_tools.spacy_component: the tokenizer, the union_facts component, serialisation."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc, Span  # noqa: E402

from corpus_tools.spacy_component import (  # noqa: E402
    DOC_EXTENSIONS,
    FACTORY,
    TOKENIZER,
    SegmenterTokenizer,
    install_extensions,
    make_nlp,
)

TEXT = "胸心外科被中华全国总工会授予工人先锋号，发放慰问金5600元。  二、职工活动\n 开展金秋助学 送温暖"


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def test_blank_zh_pipeline_needs_no_model_download(nlp):
    assert nlp.lang == "zh"
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == TOKENIZER
    assert nlp.pipe_names == [FACTORY]
    assert isinstance(nlp.tokenizer, SegmenterTokenizer)


def test_tokenizer_uses_the_union_dictionary_and_keeps_whitespace(nlp):
    doc = nlp.make_doc(TEXT)
    assert doc.text == TEXT
    words = [t.text for t in doc]
    assert "中华全国总工会" in words and "工人先锋号" in words and "金秋助学" in words
    # a single space is the previous token's trailing space; longer whitespace is its own token
    assert doc[words.index("金秋助学")].whitespace_ == " "
    assert doc[words.index("。")].whitespace_ == " " and doc[words.index("。") + 1].text == " "


@pytest.mark.parametrize("text", ["", " ", "\n\n", "工会  工作 ", " 职代会\t召开"])
def test_tokenizer_round_trips_odd_whitespace(nlp, text):
    assert nlp.make_doc(text).text == text


def test_component_sets_namespaced_extensions(nlp):
    doc = nlp(TEXT)
    assert doc._.union_awards[0]["award"] == "工人先锋号"
    assert doc._.union_awards[0]["level"] == "national"
    assert doc._.union_amounts[0]["value_yuan"] == 5600.0
    assert {a["name"] for a in doc._.union_activities} >= {"金秋助学", "送温暖"}
    assert doc._.union_years == [] and doc._.union_unit is None and doc._.union_regions == []


def test_rows_carry_exact_char_offsets_and_spans_cover_them(nlp):
    doc = nlp(TEXT)
    for group in ("union_amounts", "union_awards", "union_activities"):
        rows = getattr(doc._, group)
        for row in rows:
            assert doc.text[row["start"]:row["end"]] == row["text"]
        for span in doc.spans[group]:
            row = span._.union_row
            assert span.start_char <= row["start"] and row["end"] <= span.end_char
    assert [s.text for s in doc.spans["union_amounts"]] == ["5600元"]
    assert doc.spans["union_awards"][0].label_ == "national"


def test_extensions_install_idempotently():
    install_extensions()
    install_extensions()
    assert all(Doc.has_extension(name) for name in DOC_EXTENSIONS)
    assert Span.has_extension("union_row")


def test_factory_on_a_plain_blank_zh_pipeline():
    nlp = spacy.blank("zh")  # spaCy's own character segmenter: no jieba, no pkuseg, no download
    nlp.add_pipe(FACTORY)
    doc = nlp("荣获特等奖，捐款3万元。")
    assert doc._.union_awards[0]["award"] == "特等奖"
    assert doc._.union_amounts[0]["value_yuan"] == 30000.0


def test_user_activity_lexicon_in_the_config_and_saved_with_the_pipeline(tmp_path):
    lexicon = tmp_path / "acts.tsv"
    lexicon.write_text("华牌赛\t华牌比赛\tsports\n", encoding="utf-8")
    nlp = spacy.blank("zh")
    nlp.add_pipe(FACTORY, config={"activity_lexicon": str(lexicon)})
    nlp.initialize()
    assert nlp("举办华牌赛")._.union_activities[0]["name"] == "华牌比赛"
    nlp.to_disk(tmp_path / "pipeline")
    lexicon.unlink()  # the pipeline carries its own copy
    again = spacy.load(tmp_path / "pipeline")
    assert again("举办华牌赛")._.union_activities[0]["name"] == "华牌比赛"


def test_pipeline_with_our_tokenizer_round_trips_to_disk(nlp, tmp_path):
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert isinstance(again.tokenizer, SegmenterTokenizer)
    assert again(TEXT)._.union_awards == nlp(TEXT)._.union_awards


def test_pipe_processes_many_texts(nlp):
    docs = list(nlp.pipe(["捐款3万元。", "获一等奖。"]))
    assert docs[0]._.union_amounts[0]["value_yuan"] == 30000.0 and docs[1]._.union_awards[0]["award"] == "一等奖"
