"""Sector and genre classification: each rule cue, the noise it must survive, the model layer,
the ``classify`` command (--labels with cross-validation, --explain), determinism and reloading."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools import store
from corpus_tools.classify import (
    CONFUSION_TABLE,
    CV_TABLE,
    EVIDENCE_TABLE,
    GENRES,
    LOW_CONFIDENCE_TABLE,
    SECTORS,
    LabelsError,
    LexiconError,
    ReportClassifier,
    classify_documents,
    combine_layers,
    explain,
    load_lexicons,
    load_model,
    normalize_for_rules,
    read_genre_cues,
    read_labels,
    read_sector_lexicon,
    rule_genre,
    rule_sector,
    run_classify,
)
from corpus_tools.cli_classify import classify
from corpus_tools.segment import Segmenter

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lex():
    return load_lexicons()


@pytest.fixture(scope="module")
def segmenter():
    seg = Segmenter()
    seg("预热")  # build the tokenizer once for the module
    return seg


def sector(text, lex):
    return rule_sector(text, lexicons=lex)


def genre(text, lex):
    return rule_genre(text, lexicons=lex)


# -- sector cues -----------------------------------------------------------------------------------

def test_unit_name_decides_over_more_frequent_other_words(lex):
    text = ("20xx年，湘雅二医院工会组织职工子女参加学校夏令营，联系学校为职工子女办理入学，"
            "走访学校三所，与学校共建读书角。")
    d = sector(text, lex)
    assert d.label == "hospital"
    unit = [e for e in d.evidence if e.cue == "医院"]
    assert unit and unit[0].kind == "unit" and unit[0].zone == "opening"
    assert all(e.kind == "mention" for e in d.evidence if e.cue == "学校")


def test_opening_counts_more_than_the_same_word_later(lex):
    body = "组织职工开展健步走活动。" * 20
    early = sector("公司工会组织职工开展读书活动。" + body, lex)
    late = sector(body + "公司工会组织职工开展读书活动。", lex)
    w_early = [e.weight for e in early.evidence if e.cue == "公司"][0]
    w_late = [e.weight for e in late.evidence if e.cue == "公司"][0]
    assert w_early == 3 * w_late
    assert early.scores["enterprise"] > late.scores["enterprise"]


def test_passing_mentions_of_enterprises_do_not_outvote_the_courts_own_words(lex):
    text = ("一年来，我院工会在院党组的领导下，组织干警走访辖区企业，为企业提供法律服务，"
            "帮助企业规范用工，审结涉企案件，召开企业家座谈会，听取企业对审判工作的意见。")
    assert sector(text, lex).label == "court"


def test_superior_bodies_in_zai_lingdao_xia_spans_hardly_count(lex):
    text = "在县总工会和县教育局的领导下，我校工会组织教职工开展师德学习。"
    d = sector(text, lex)
    assert d.label == "school"
    fed = [e for e in d.evidence if e.label == "federation"]
    assert fed and all(e.zone == "superior" for e in fed)


def test_own_party_committee_in_the_leadership_span_still_counts(lex):
    d = sector("在医院党委和上级工会的正确领导下，工会组织职工开展活动。", lex)
    assert d.label == "hospital"
    assert [e.zone for e in d.evidence if e.cue == "医院"] == ["opening"]


@pytest.mark.parametrize("context, expected", [
    ("组织临床一线护理人员开展技能竞赛，关心患者满意度。", "hospital"),
    ("组织干警开展审判业务竞赛，提高办案质量。", "court"),
    ("组织教师开展教学竞赛，关心学生成长。", "school"),
])
def test_wo_yuan_is_read_from_the_reports_context(lex, context, expected):
    d = sector("20xx年，我院工会" + context, lex)
    assert d.label == expected
    wo_yuan = [e for e in d.evidence if e.cue == "我院"]
    assert wo_yuan[0].label == expected and "read as" in wo_yuan[0].note


def test_wo_yuan_without_context_is_shared_and_low_confidence(lex):
    d = sector("我院工会开展了活动。", lex)
    assert {e.label for e in d.evidence if e.cue == "我院"} == {"hospital", "court", "school"}
    assert d.confidence < 0.5


def test_federation_as_subject_but_not_as_superior(lex):
    assert sector("20xx年，街道总工会以非公企业建会为重点，新建企业工会35家，指导各基层工会开展活动。",
                  lex).label == "federation"
    assert sector("在区总工会的领导下，我局工会组织干部职工开展学习。", lex).label == "government"


def test_report_naming_no_unit_is_other(lex):
    d = sector("开展了各项活动，取得了一定成绩。", lex)
    assert d.label == "other" and d.confidence < 0.5


def test_lexicon_longer_word_blocks_a_shorter_term(lex):
    d = sector("学校党组织带领教师学习，我校教职工参加医疗保险。", lex)
    assert not any(e.cue in ("党组", "医疗") for e in d.evidence)


# -- noise the rules must survive ------------------------------------------------------------------

def test_traditional_script_is_normalised_and_evidence_points_at_the_original(lex):
    text = "醫院工會在院黨委領導下，組織臨床護理技能競賽。"
    d = sector(text, lex)
    assert d.label == "hospital"
    for e in d.evidence:
        assert text[e.start:e.end] == e.text
    assert any(e.text == "醫院" for e in d.evidence)


def test_pinyin_glosses_are_stripped():
    n = normalize_for_rules("学(xué)校工会和医yī院、法（fǎ）院，PPP(PPP)项目", traditional={})
    assert n.text == "学校工会和医院、法院,PPP(PPP)项目"  # NFKC also folds the full-width comma


def test_navigation_lines_urls_and_watermarks_are_dropped():
    text = ("首页 > 工作报告 > 医院工作报告\n我局工会组织学习。本文来自医院范文网 www.example.com\n"
            "相关推荐：医院工会工作总结 学校工会工作计划\n医院工作总结 学校工作总结 公司工作总结 机关工作总结\n局机关慰问职工。")
    n = normalize_for_rules(text, traditional={})
    assert "医院" not in n.text and "www" not in n.text
    assert "我局工会组织学习。" in n.text and "局机关慰问职工。" in n.text


def test_spaces_inside_words_and_invisible_characters_are_removed():
    n = normalize_for_rules("法 院\u200b工会", traditional={})
    assert n.text == "法院工会"
    assert n.source_span(0, 2) == (0, 3)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="醫院學校工会(yī)首页>|我 \nwww.a.cn，。ｙ", max_size=60))
def test_normalisation_offsets_map_back_in_order(text):
    n = normalize_for_rules(text, traditional={"醫": "医", "學": "学"})
    assert len(n.index) == len(n.text)
    assert list(n.index) == sorted(n.index)
    assert all(0 <= i < len(text) for i in n.index)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="醫院學校工会(yī)首页>|我 \nwww.a.cn，。ｙ…ﬁ①\u200b", max_size=60))
def test_each_normalised_character_comes_from_its_source_character(text):
    # characters that NFKC expands (… → ..., ﬁ → fi) map every output character to their source
    # character; the offsets are stored as runs, so check them one by one against the source
    import unicodedata

    table = {"醫": "医", "學": "学"}
    n = normalize_for_rules(text, traditional=table)
    for i, ch in enumerate(n.text):
        source = text[n.index[i]]
        assert ch in "".join(table.get(c, c) for c in unicodedata.normalize("NFKC", source))
    if n.text:
        assert n.index[-1] == list(n.index)[-1] and n.index[:2] == list(n.index)[:2]


def test_expanding_characters_keep_offsets_after_dropped_spans():
    text = "医 院工会…www.a.cn 法院"
    n = normalize_for_rules(text, traditional={})
    assert n.text.startswith("医院工会...")
    start = n.text.index("...")
    assert n.source_span(start, start + 3) == (5, 6)  # the three dots are the one source character
    assert text[slice(*n.source_span(len(n.text) - 2, len(n.text)))] == "法院"


def _baseline_module():
    spec = importlib.util.spec_from_file_location("sector_baseline", REPO / "benchmarks" / "sector_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASELINE = _baseline_module()


@pytest.mark.parametrize("case", BASELINE.ADVERSARIAL, ids=lambda c: c["id"])
def test_adversarial_reports_break_the_keyword_baseline_but_not_the_rules(lex, case):
    assert BASELINE.keyword_baseline(case["text"]) != case["sector"]
    assert sector(case["text"], lex).label == case["sector"]


# -- genre cues ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("近日，广西工会发布了工作报告。通过阅读该报告，我深感工会工作的重要。以下是我的心得体会。", "reflection"),
    ("各位代表：\n我受工会委员会的委托，向大会作20xx年财务工作报告，请予以审议。一、经费收入情况", "financial_report"),
    ("下半年工作打算如下：一、加强组织建设。要进一步完善制度。", "work_plan"),
    ("在新的一年里，工会工作总体设想是：加强自身建设，要认真做好服务。", "work_plan"),
    ("上半年，公司工会认真落实各项部署。现将上半年工会工作总结汇报如下：", "work_summary"),
    ("各位代表：\n现在，我代表工会委员会向大会作工作报告，请予审议。一年来，我们开展了各项活动。", "work_report"),
    ("近日，某区总工会召开第二次代表大会。区委书记在会上作了讲话。他指出，工会要服务职工。", "news"),
    ("现在我宣布，工会换届选举大会胜利闭幕。", "other"),
    ("关于召开××工会第×次代表大会的请示（样本）", "other"),
])
def test_genre_cues(lex, text, expected):
    assert genre(text, lex).label == expected


def test_a_finance_report_delivered_to_a_congress_is_still_financial(lex):
    text = "各位代表：\n我受医院工会委员会的委托，向大会做工会委员会财务工作报告，请予以审议。\n一、经费收支情况"
    d = genre(text, lex)
    assert d.label == "financial_report"
    assert d.scores["financial_report"] > d.scores["work_report"]


def test_no_genre_cue_defaults_to_work_report_with_low_confidence(lex):
    d = genre("工会是职工的群众组织。", lex)
    assert d.label == "work_report" and d.confidence < 0.5


def test_opening_only_cues_do_not_fire_later(lex):
    late = "工会开展了活动。" * 40 + "在新的一年里，我们继续努力。"
    assert "work_plan" not in {e.label for e in genre(late, lex).evidence}


# -- data files ------------------------------------------------------------------------------------

def test_lexicon_problems_are_reported_all_at_once():
    with pytest.raises(LexiconError) as err:
        read_sector_lexicon("hospitall\tunit\t4\t医院\nschool\tunitt\tx\t学校\ncourt\tunit\t4")
    message = str(err.value)
    assert "line 1" in message and "line 2" in message and "line 3" in message


def test_genre_cue_with_a_bad_pattern_is_reported():
    with pytest.raises(LexiconError, match="bad pattern"):
        read_genre_cues("news\tany\t1\t(近日")


def test_custom_lexicon_files_are_used(tmp_path):
    path = tmp_path / "sector.tsv"
    path.write_text("court\tunit\t4\t仲裁院\n", encoding="utf-8")
    lex = load_lexicons(sector_lexicon=path)
    assert rule_sector("仲裁院工会组织职工学习。", lexicons=lex).label == "court"


# -- combining the layers --------------------------------------------------------------------------

def test_agreement_raises_confidence_disagreement_lowers_it():
    assert combine_layers("court", 0.6, "court", 0.5)[1] > 0.6
    label, conf, source = combine_layers("court", 0.6, "enterprise", 0.5)
    assert (label, source) == ("court", "rules") and conf < 0.5
    assert combine_layers("other", 0.1, "school", 0.7)[::2] == ("school", "model")
    assert combine_layers("school", 0.7, None, None) == ("school", 0.7, "rules")


CORPUS = [
    ("h1", "20xx年，医院工会组织临床护理人员开展技能竞赛，关心患者，慰问一线医护人员。"),
    ("h2", "我院工会围绕医疗中心工作，组织医生护士开展义诊，构建和谐医患关系，临床科室积极参与。"),
    ("h3", "院工会联合护理部开展护理技能比武，医务人员踊跃参加，患者满意度提高。"),
    ("c1", "20xx年，法院工会组织干警开展审判业务竞赛，提高办案质量。"),
    ("c2", "我院工会组织干警学习，法官积极参与审判执行工作，案件质量提升。"),
    ("c3", "院工会配合审判业务开展干警岗位练兵，法官、书记员参加庭审观摩。"),
    ("s1", "我校工会组织教师开展教学竞赛，关心学生成长，召开教代会。"),
    ("s2", "学校工会在学校党支部领导下，组织教职工开展师德学习和教研活动。"),
    ("s3", "校工会组织青年教师参加课堂教学大赛，教职工积极参与。"),
    ("e1", "公司工会开展安全生产劳动竞赛，组织员工参加技术创新活动，推进厂务公开。"),
    ("e2", "我公司工会围绕生产经营中心，组织一线职工开展班组竞赛。"),
    ("e3", "集团工会组织员工开展合理化建议活动，提升经营效益。"),
]


def _docs():
    return pd.DataFrame({"doc_id": [d for d, _ in CORPUS], "text": [t for _, t in CORPUS],
                         "title": ["医院工会工作报告篇一"] * len(CORPUS)})


def test_classify_documents_returns_one_row_per_report_in_order(segmenter):
    result = classify_documents(_docs(), segmenter=segmenter, seed=0)
    pred = result.predictions
    assert list(pred["doc_id"]) == [d for d, _ in CORPUS]
    assert list(pred.columns) == ["doc_id", "sector", "sector_confidence", "genre", "genre_confidence"]
    assert list(pred["sector"]) == ["hospital"] * 3 + ["court"] * 3 + ["school"] * 3 + ["enterprise"] * 3
    assert set(pred["genre"]) <= set(GENRES)
    assert pred["sector_confidence"].between(0, 1).all() and pred["genre_confidence"].between(0, 1).all()
    assert result.model.models_["sector"] is not None
    assert result.cv is None
    assert set(result.low_confidence) <= set(pred["doc_id"])


def test_the_page_title_is_not_used(segmenter):
    result = classify_documents(_docs(), segmenter=segmenter)
    assert (result.predictions["sector"] != "hospital").sum() == 9


def test_user_labels_override_and_train(segmenter):
    labels = pd.DataFrame({"doc_id": ["c3"], "sector": ["other"], "genre": ["news"]})
    result = classify_documents(_docs(), segmenter=segmenter, labels=labels)
    row = result.predictions.set_index("doc_id").loc["c3"]
    assert (row["sector"], row["sector_confidence"], row["genre"]) == ("other", 1.0, "news")
    assert result.evidence["c3"]["sector"].source == "user"
    assert result.model.training_labels_["sector"]["other"] == 1


def test_model_layer_predicts_reports_the_rules_cannot_place(segmenter):
    docs = _docs()
    # no unit word at all, but the vocabulary of the court reports
    docs.loc[len(docs)] = ["x1", "组织干警开展审判业务学习，法官参加庭审观摩，办案质量提升。", None]
    docs.loc[len(docs)] = ["x2", "xxx工会开展了活动。", None]
    result = classify_documents(docs, segmenter=segmenter)
    d = result.evidence["x1"]["sector"]
    assert d.label == "court" and d.model_label == "court"
    assert "x2" in result.low_confidence


def test_same_input_and_seed_give_identical_labels(segmenter):
    a = classify_documents(_docs(), segmenter=segmenter, seed=3).predictions
    b = classify_documents(_docs(), segmenter=Segmenter(), seed=3).predictions
    pd.testing.assert_frame_equal(a, b)


def test_classifier_pickles_and_predicts_the_same(segmenter):
    model = ReportClassifier(segmenter=segmenter, random_state=0).fit([t for _, t in CORPUS])
    again = pickle.loads(pickle.dumps(model))
    texts = ["我院工会组织干警开展活动。", "學校工會組織教師培訓。"]
    pd.testing.assert_frame_equal(model.predict_table(texts), again.predict_table(texts))
    assert model.predict(texts).shape == (2, 2)


# -- over stored tables and the command ------------------------------------------------------------

def _store(out_dir: Path, partitioned: bool = True) -> None:
    rows = [{"doc_id": d, "source_file": f"{d[0]}.txt", "report_index": int(d[1]), "title": "医院工会工作报告",
             "text": t, "source_start": 0, "source_end": len(t), "n_chars": len(t)} for d, t in CORPUS]
    if partitioned:  # the layout ingest writes: documents/part-*.parquet
        staging = store.new_staging(out_dir)
        store.write_partition(staging, "documents", 0, rows[:6])
        store.write_partition(staging, "documents", 1, rows[6:])
        store.commit_staging(out_dir, staging)
        store.refresh_database(out_dir)
    else:
        store.write_tables(out_dir, {"documents": rows})


def test_run_classify_updates_documents_and_keeps_its_partitions(tmp_path, segmenter):
    _store(tmp_path)
    summary = run_classify(tmp_path, segmenter=segmenter)
    assert summary.n_documents == len(CORPUS)
    assert sorted(p.name for p in (tmp_path / "documents").glob("*.parquet")) == ["part-00000.parquet",
                                                                                "part-00001.parquet"]
    docs = store.read_table(tmp_path, "documents")
    assert set(docs["sector"]) <= set(SECTORS) and docs["sector_confidence"].notna().all()
    assert list(docs.sort_values("doc_id")["sector"])[:3] == ["court"] * 3
    evidence = store.read_table(tmp_path, EVIDENCE_TABLE)
    for r in evidence.itertuples():
        assert docs.set_index("doc_id").loc[r.doc_id, "text"][r.start:r.end] == r.text
    assert store.table_path(tmp_path, LOW_CONFIDENCE_TABLE) is not None
    assert store.table_path(tmp_path, CV_TABLE) is None


def test_saved_model_reloads_and_reproduces_the_stored_labels(tmp_path, segmenter):
    _store(tmp_path, partitioned=False)
    run_classify(tmp_path, segmenter=segmenter)
    docs = store.read_table(tmp_path, "documents")
    model = load_model(tmp_path)
    again = model.predict_table(docs["text"])
    assert list(again["sector"]) == list(docs["sector"])
    assert list(again["genre_confidence"]) == list(docs["genre_confidence"])


def test_cli_with_labels_cross_validates_and_writes_the_tables(tmp_path):
    _store(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("doc_id,sector,genre\nh1,hospital,work_report\nh2,hospital,\nc1,court,work_report\n"
                      "c2,court,\ns1,school,\ns2,school,work_report\ne1,enterprise,\ne2,enterprise,\n",
                      encoding="utf-8")
    result = CliRunner().invoke(classify, ["--out", str(tmp_path), "--labels", str(labels), "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert "cross-validated sector" in result.output and "confusion matrix" in result.output
    cv = pq.read_table(tmp_path / f"{CV_TABLE}.parquet").to_pandas()
    sector_cv = cv[cv["task"] == "sector"].set_index("label")
    assert set(sector_cv.index) >= {"hospital", "court", "school", "enterprise", "macro avg", "accuracy"}
    assert sector_cv.loc["hospital", "support"] == 2
    assert cv[["precision", "recall", "f1"]].apply(lambda s: s.between(0, 1)).all().all()
    cm = pq.read_table(tmp_path / f"{CONFUSION_TABLE}.parquet").to_pandas()
    assert cm[cm["task"] == "sector"]["count"].sum() == 8
    assert cm[cm["task"] == "genre"]["count"].sum() == 3
    # the labelled genre only covers work_report: the table says so rather than inventing classes
    docs = store.read_table(tmp_path, "documents").set_index("doc_id")
    assert docs.loc["h1", "sector_confidence"] == 1.0
    # a later run without labels removes the cross-validation of the earlier model
    assert CliRunner().invoke(classify, ["--out", str(tmp_path)]).exit_code == 0
    assert store.table_path(tmp_path, CV_TABLE) is None and store.table_path(tmp_path, CONFUSION_TABLE) is None


def test_cli_rejects_labels_naming_unknown_documents_or_labels(tmp_path):
    _store(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("doc_id,sector\nnope,hospital\nh1,hospitals\n", encoding="utf-8")
    result = CliRunner().invoke(classify, ["--out", str(tmp_path), "--labels", str(labels)])
    assert result.exit_code != 0
    assert "unknown doc_id" in result.output and "hospitals" in result.output


def test_read_labels_accepts_sector_only_and_blank_cells(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("doc_id,sector\nh1,hospital\nc1,\n", encoding="utf-8")
    df = read_labels(path, known_doc_ids=["h1", "c1"])
    assert list(df.columns) == ["doc_id", "sector"] and df["sector"].tolist() == ["hospital", None]
    with pytest.raises(LabelsError):
        read_labels(path, known_doc_ids=["h1"])


def test_cli_explain_prints_the_deciding_evidence(tmp_path):
    _store(tmp_path)
    assert CliRunner().invoke(classify, ["--out", str(tmp_path)]).exit_code == 0
    result = CliRunner().invoke(classify, ["--out", str(tmp_path), "--explain", "c2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "sector: court" in out and "evidence for court" in out
    assert "[我院]" in out and "read as court" in out
    assert "title (not used for classification)" in out
    assert "genre:" in out and "model:" in out
    assert explain(tmp_path, "c2") in out


def test_cli_explain_without_a_saved_model_or_unknown_doc_is_a_clean_error(tmp_path):
    _store(tmp_path)
    result = CliRunner().invoke(classify, ["--out", str(tmp_path), "--explain", "c2"])
    assert result.exit_code != 0 and "run `corpus-tools classify" in result.output
    CliRunner().invoke(classify, ["--out", str(tmp_path)])
    result = CliRunner().invoke(classify, ["--out", str(tmp_path), "--explain", "nope"])
    assert result.exit_code != 0 and "no document 'nope'" in result.output


def test_cli_without_tables_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(classify, ["--out", str(tmp_path / "missing")])
    assert result.exit_code != 0 and "no documents table" in result.output
