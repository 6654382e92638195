"""corpus_tools.topics and `corpus-tools topics`: topics a reader can name, reproducible, comparable by sector.

Most tests use a small synthetic corpus with four known themes (sports, finance, women workers,
democratic management) written the way reports are: theme words mixed with words every union
report uses (工作, 工会, 职工, 开展, 加强), numbers and anonymised placeholders.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools.cli_topics import topics as topics_command
from corpus_tools.segment import Segmenter
from corpus_tools.store import read_table, table_path, write_tables
from corpus_tools.topics import (
    MODEL_PATH,
    TABLE_SCHEMAS,
    TermTokenizer,
    TopicModel,
    TopicsError,
    apply_topics,
    default_stop_words,
    fit_topics,
    load_fitted,
    load_stop_words,
    npmi_coherence,
    parse_k,
    parse_k_grid,
    read_stop_words,
    run_topics,
    topic_diversity,
    topic_prevalence,
    topic_units,
)
from tests.conftest import RAW, REPO

THEMES = {
    "sports": "篮球 足球 运动会 羽毛球 乒乓球 拔河 健身 田径 游泳 登山 跑步 球队".split(),
    "finance": "预算 支出 收入 账目 审计 财务 结余 报销 决算 会费 票据 出纳".split(),
    "women": "女职工 三八节 妇女 母婴 生育 女工 巾帼 哺乳 孕期 妇科 女性 母亲".split(),
    "democracy": "职代会 提案 职工代表 厂务公开 民主管理 选举 表决 审议 监督 民主 议题 投票".split(),
}
GENERIC = "工作 工会 职工 开展 加强 进一步 积极 20xx年 xx万元 3人 第一".split()
SECTOR_OF = {"sports": "hospital", "finance": "school", "women": "hospital", "democracy": None}


def _report(rng: np.random.Generator, theme: str, n_words: int = 60) -> str:
    others = [t for t in THEMES if t != theme]
    words = []
    for _ in range(n_words):
        r = rng.random()
        if r < 0.7:
            words.append(rng.choice(THEMES[theme]))
        elif r < 0.8:
            words.append(rng.choice(THEMES[others[rng.integers(len(others))]]))
        else:
            words.append(rng.choice(GENERIC))
    return "，".join(words) + "。"


def _documents(n_per_theme: int = 8, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for theme in THEMES:
        for i in range(n_per_theme):
            text = _report(rng, theme)
            rows.append({"doc_id": f"{theme}{i:02d}", "source_file": f"{theme}.txt", "report_index": i + 1,
                         "text": text, "source_start": 0, "source_end": len(text), "n_chars": len(text),
                         "sector": SECTOR_OF[theme], "duplicate_of": None})
    # a copy of the first sports report, as dedup marks it
    copy = dict(rows[0], doc_id="sports_copy", report_index=99, duplicate_of=rows[0]["doc_id"])
    return pd.DataFrame(rows + [copy])


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    return _documents()


@pytest.fixture(scope="module")
def fitted_lda(documents, segmenter):
    return fit_topics(documents, k="auto", k_grid="2-6", segmenter=segmenter, n_boot=200, seed=0)


def _tables_dir(path, documents: pd.DataFrame):
    rows = documents.astype(object).where(documents.notna(), None).to_dict("records")
    write_tables(path, {"documents": rows})
    return path


def _theme_of(terms: list[str]) -> set[str]:
    return {theme for theme, words in THEMES.items() if set(terms) <= set(words)}


# -- words -------------------------------------------------------------------------------------


def test_stop_list_parses_comments_blank_lines_and_groups():
    text = "# a comment\n工作\n开展  # inline comment\n\n[sector]\n医院\n"
    assert read_stop_words(text) == ["工作", "开展", "医院"]
    assert read_stop_words(text, exclude_groups={"sector"}) == ["工作", "开展"]


def test_packaged_stop_list_drops_generic_union_words_but_not_themes():
    stop = default_stop_words()
    assert {"工作", "工会", "职工", "开展", "加强", "建设", "进一步"} <= stop
    assert not {"女职工", "民主管理", "职代会", "劳动竞赛", "工会经费", "慰问", "困难职工", "培训"} & stop
    assert "医院" in stop and "医院" not in default_stop_words(exclude_groups={"sector"})


def test_extra_stop_list_file_adds_to_or_replaces_the_packaged_one(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("# mine\n篮球\n", encoding="utf-8")
    assert {"篮球", "工会"} <= load_stop_words([mine])
    assert load_stop_words([mine], use_default=False) == {"篮球"}
    with pytest.raises(TopicsError, match="cannot read stop-list"):
        load_stop_words([tmp_path / "missing.txt"])


def test_term_tokenizer_drops_numbers_placeholders_short_words_and_stop_words(segmenter):
    tok = TermTokenizer(segmenter)
    text = "20xx年工会开展第二届职工篮球赛，3.5%的职工参加，发放xx万元，XX医院，××同志，三十人，“三八”节表彰女职工。"
    words = tok(text)
    assert "女职工" in words and "三八" in words  # a digit pair that names a day stays
    for dropped in ("20xx", "xx", "XX", "3.5%", "第二届", "三十", "工会", "开展", "职工", "的", "年"):
        assert dropped not in words


def test_term_tokenizer_pickles_with_its_segmenter(segmenter):
    tok = TermTokenizer(segmenter, stop_words={"开展"})
    clone = pickle.loads(pickle.dumps(tok))
    assert clone("开展篮球、足球活动") == tok("开展篮球、足球活动") == ["篮球", "足球", "活动"]


# -- quality measures --------------------------------------------------------------------------


def test_npmi_is_one_for_terms_always_together_and_minus_one_for_terms_never_together():
    X = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    assert npmi_coherence(X, np.array([[0, 1], [2, 3], [0, 2]])).tolist() == [1.0, 1.0, -1.0]


def test_npmi_of_independent_terms_is_zero():
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    assert npmi_coherence(X, np.array([[0, 1]]))[0] == pytest.approx(0.0)


def test_diversity_is_the_share_of_distinct_top_terms():
    assert topic_diversity(np.array([[0, 1, 2], [3, 4, 5]])) == 1.0
    assert topic_diversity(np.array([[0, 1, 2], [0, 1, 2]])) == 0.5


def test_k_and_k_grid_parsing():
    assert parse_k("auto") == "auto" and parse_k("8") == 8 and parse_k(5) == 5
    assert parse_k_grid("2,4-6") == (2, 4, 5, 6) and parse_k_grid("3..5") == (3, 4, 5)
    for bad in ("0", "many"):
        with pytest.raises(TopicsError):
            parse_k(bad)
    with pytest.raises(TopicsError):
        parse_k_grid("3-x")


# -- fitting -----------------------------------------------------------------------------------


def test_k_auto_recovers_the_known_themes_of_a_synthetic_corpus(fitted_lda):
    scores = fitted_lda.tables["topic_k_scores"]
    assert scores["k"].tolist() == [2, 3, 4, 5, 6]
    assert scores.loc[scores["selected"], "k"].tolist() == [4]
    topics = fitted_lda.tables["topics"]
    found = [_theme_of([t["term"] for t in terms[:5]]) for terms in topics["terms"]]
    assert all(len(f) == 1 for f in found), found
    assert set().union(*found) == set(THEMES)


def test_nmf_recovers_the_known_themes(documents, segmenter):
    # k is given: NMF can leave a whole theme out at k=3 and mean coherence cannot see a missing
    # theme, so with NMF the k-auto pick on this corpus is 3 or 4 (docs/topics.md, "choosing k")
    result = fit_topics(documents, method="nmf", k=4, segmenter=segmenter, n_boot=50)
    found = [_theme_of([t["term"] for t in terms[:5]]) for terms in result.tables["topics"]["terms"]]
    assert set().union(*found) == set(THEMES) and all(len(f) == 1 for f in found)


def test_no_topic_term_is_a_stop_word_number_or_placeholder(fitted_lda):
    stop = default_stop_words()
    for terms in fitted_lda.tables["topics"]["terms"]:
        for t in terms:
            assert t["term"] not in stop and not any(ch.isdigit() or ch in "xX" for ch in t["term"])


def test_topics_are_numbered_by_prevalence_with_distinct_labels_and_coherence(fitted_lda):
    topics = fitted_lda.tables["topics"]
    assert topics["topic"].tolist() == [1, 2, 3, 4]
    assert topics["label"].is_unique
    assert topics["coherence"].between(-1, 1).all()
    dt = fitted_lda.tables["doc_topics"]
    overall = dt[dt["in_fit"]].groupby("topic")["weight"].sum()
    assert overall.is_monotonic_decreasing
    for terms in topics["terms"]:
        weights = [t["weight"] for t in terms]
        assert weights == sorted(weights, reverse=True) and len(terms) == 10


def test_doc_topics_has_every_report_with_weights_summing_to_one(fitted_lda, documents):
    dt = fitted_lda.tables["doc_topics"]
    assert sorted(dt["doc_id"].unique()) == sorted(documents["doc_id"])
    assert np.allclose(dt.groupby("doc_id")["weight"].sum(), 1.0)
    # the duplicate is assigned topics but did not train the model
    fitted_ids = set(dt.loc[dt["in_fit"], "doc_id"])
    assert "sports_copy" not in fitted_ids and len(fitted_ids) == len(documents) - 1
    copy = dt[dt["doc_id"] == "sports_copy"]["weight"].to_numpy()
    original = dt[dt["doc_id"] == "sports00"]["weight"].to_numpy()
    assert np.array_equal(copy, original)


def test_k_larger_than_the_corpus_allows_is_a_clear_error(documents, segmenter):
    with pytest.raises(TopicsError, match="cannot fit k=500 topics"):
        fit_topics(documents, k=500, segmenter=segmenter)


def test_vocabulary_emptied_by_the_limits_is_a_clear_error(documents, segmenter):
    with pytest.raises(TopicsError, match="no vocabulary"):
        fit_topics(documents, k=2, min_df=100, segmenter=segmenter)


# -- prevalence --------------------------------------------------------------------------------


def test_prevalence_sums_to_one_per_sector_and_intervals_hold_the_mean(fitted_lda):
    prev = fitted_lda.tables["topic_prevalence"]
    assert set(prev["sector"]) == {"hospital", "school", "unclassified"}
    assert np.allclose(prev.groupby("sector")["mean_weight"].sum(), 1.0)
    assert (prev["ci_low"] <= prev["mean_weight"]).all() and (prev["mean_weight"] <= prev["ci_high"]).all()
    assert ((prev["ci_low"] >= 0) & (prev["ci_high"] <= 1)).all()
    # the duplicate is not counted twice: 16 hospital originals (sports, women)
    assert prev.groupby("sector")["n_docs"].first().to_dict() == {"hospital": 16, "school": 8, "unclassified": 8}


def test_prevalence_shows_which_sector_writes_about_which_theme(fitted_lda):
    topics = fitted_lda.tables["topics"]
    theme = {row.topic: _theme_of([t["term"] for t in row.terms[:5]]).pop() for row in topics.itertuples()}
    prev = fitted_lda.tables["topic_prevalence"].assign(theme=lambda d: d["topic"].map(theme))
    mean = prev.set_index(["theme", "sector"])["mean_weight"]
    assert mean["finance", "school"] > 0.6 > mean["finance", "hospital"]
    assert mean["democracy", "unclassified"] > 0.6
    # sports and women share the hospital reports; each interval excludes the school mean
    lo = prev.set_index(["theme", "sector"])["ci_low"]
    assert lo["sports", "hospital"] > mean["sports", "school"]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(1, 6), st.integers(0, 2**16), st.lists(st.sampled_from(["a", "b", None]),
                                                                               min_size=30, max_size=30))
def test_prevalence_invariants_hold_for_any_weights(n_docs, k, seed, sectors):
    weights = np.random.default_rng(seed).dirichlet(np.ones(k), size=n_docs)
    prev = topic_prevalence(weights, sectors[:n_docs], n_boot=50, random_state=seed)
    assert (prev["ci_low"] <= prev["mean_weight"]).all() and (prev["mean_weight"] <= prev["ci_high"]).all()
    assert np.allclose(prev.groupby("sector")["mean_weight"].sum(), 1.0)
    assert prev.groupby("sector")["n_docs"].first().sum() == n_docs
    assert len(prev) == k * prev["sector"].nunique()


def test_prevalence_interval_of_one_sector_ignores_reports_of_another():
    w = np.random.default_rng(1).dirichlet(np.ones(3), size=20)
    alone = topic_prevalence(w[:10], ["a"] * 10, n_boot=100, random_state=3)
    mixed = topic_prevalence(w, ["a"] * 10 + ["b"] * 10, n_boot=100, random_state=3)
    assert alone.equals(mixed[mixed["sector"] == "a"].reset_index(drop=True))


# -- determinism, saving, applying -------------------------------------------------------------


def test_two_runs_with_the_same_seed_write_identical_tables(tmp_path, documents, segmenter):
    outs = []
    for name in ("a", "b"):
        out = _tables_dir(tmp_path / name, documents)
        run_topics(out, k="auto", k_grid="3-5", restarts=2, segmenter=segmenter, n_boot=100, seed=0)
        outs.append(out)
    for table in TABLE_SCHEMAS:
        a, b = (pq.read_table(o / f"{table}.parquet") for o in outs)
        assert a.schema.equals(TABLE_SCHEMAS[table]) and a.equals(b), table
    assert (outs[0] / "models/topics.json").read_text() == (outs[1] / "models/topics.json").read_text()


def test_saved_model_pickles_the_segmenter_tokenizer_and_transforms_the_same(tmp_path, fitted_lda, documents):
    from corpus_tools.topics import save_fitted

    path = save_fitted(fitted_lda.fitted, tmp_path / "m.joblib")
    loaded = load_fitted(path)
    tokenizer = loaded.model.vectorizer_.tokenizer
    assert isinstance(tokenizer, TermTokenizer) and isinstance(tokenizer.segmenter, Segmenter)
    texts = documents["text"].tolist()
    assert np.array_equal(loaded.model.transform(texts), fitted_lda.fitted.model.transform(texts))


def test_apply_on_the_training_reports_matches_the_fit(fitted_lda, documents):
    applied = apply_topics(fitted_lda.fitted, documents, n_boot=200, seed=0)
    for name, table in fitted_lda.tables.items():
        pd.testing.assert_frame_equal(applied.tables[name], table, check_exact=True, obj=name)


def test_apply_assigns_new_reports_without_refitting(tmp_path, documents, segmenter):
    out = _tables_dir(tmp_path / "t", documents)
    fit = run_topics(out, k=4, restarts=1, segmenter=segmenter, n_boot=100)
    before, topics_before = read_table(out, "doc_topics"), read_table(out, "topics")
    new_text = _report(np.random.default_rng(99), "finance")
    new = {"doc_id": "new_finance", "source_file": "new.txt", "report_index": 1, "text": new_text,
           "source_start": 0, "source_end": len(new_text), "n_chars": len(new_text), "sector": "court",
           "duplicate_of": None}
    _tables_dir(out, pd.concat([documents, pd.DataFrame([new])], ignore_index=True))
    applied = run_topics(out, apply=True, n_boot=100)
    after = read_table(out, "doc_topics")
    pd.testing.assert_frame_equal(after[after["doc_id"] != "new_finance"].reset_index(drop=True), before)
    mine = after[after["doc_id"] == "new_finance"]
    assert not mine["in_fit"].any() and mine["weight"].sum() == pytest.approx(1.0)
    top = int(mine.loc[mine["weight"].idxmax(), "topic"])
    top_terms = [t["term"] for t in fit.tables["topics"].loc[top - 1, "terms"][:5]]
    assert _theme_of(top_terms) == {"finance"}
    assert "court" in set(applied.tables["topic_prevalence"]["sector"])
    pd.testing.assert_frame_equal(read_table(out, "topics"), topics_before)


def test_apply_without_a_saved_model_says_what_to_run(tmp_path, documents):
    out = _tables_dir(tmp_path / "t", documents)
    with pytest.raises(TopicsError, match="without --apply first"):
        run_topics(out, apply=True)


# -- sections ----------------------------------------------------------------------------------


def test_section_units_cover_the_preamble_and_top_level_sections():
    text = "各位代表：\n一、体育\n篮球足球\n（一）田径\n二、财务\n预算支出"
    docs = pd.DataFrame([{"doc_id": "d", "text": text, "sector": None, "duplicate_of": None},
                         {"doc_id": "e", "text": "没有标题的报告", "sector": "court", "duplicate_of": None}])
    secs = pd.DataFrame([
        {"doc_id": "d", "section_id": 1, "level": 1, "start": 6, "end": 22},
        {"doc_id": "d", "section_id": 2, "level": 2, "start": 16, "end": 22},
        {"doc_id": "d", "section_id": 3, "level": 1, "start": 22, "end": len(text)},
    ])
    units = topic_units(docs, secs, unit="section")
    assert units[["doc_id", "section_id"]].values.tolist() == [["d", 0], ["d", 1], ["d", 3], ["e", 0]]
    assert units["text"].tolist() == [text[:6], text[6:22], text[22:], "没有标题的报告"]
    assert units["sector"].tolist() == ["unclassified"] * 3 + ["court"]


def test_section_unit_writes_section_topics_and_report_weights_that_sum_to_one(documents, segmenter):
    # each report becomes two sections of different themes
    rng = np.random.default_rng(5)
    rows, secs = [], []
    for doc in documents.itertuples():
        a, b = _report(rng, "sports"), _report(rng, "finance" if doc.Index % 2 else "women")
        rows.append({"doc_id": doc.doc_id, "text": a + b, "sector": doc.sector, "duplicate_of": doc.duplicate_of})
        secs += [{"doc_id": doc.doc_id, "section_id": 1, "level": 1, "start": 0, "end": len(a)},
                 {"doc_id": doc.doc_id, "section_id": 2, "level": 1, "start": len(a), "end": len(a + b)}]
    result = fit_topics(pd.DataFrame(rows), pd.DataFrame(secs), unit="section", k=3, segmenter=segmenter,
                        n_boot=50)
    st_ = result.tables["section_topics"]
    assert len(st_) == 3 * 2 * len(rows)
    assert np.allclose(st_.groupby(["doc_id", "section_id"])["weight"].sum(), 1.0)
    dt = result.tables["doc_topics"]
    assert len(dt) == 3 * len(rows) and np.allclose(dt.groupby("doc_id")["weight"].sum(), 1.0)
    with pytest.raises(TopicsError, match="needs the sections table"):
        fit_topics(pd.DataFrame(rows), unit="section", k=3, segmenter=segmenter)


# -- the command -------------------------------------------------------------------------------


def test_cli_fits_prints_and_writes_the_tables_and_the_model(tmp_path, documents):
    out = _tables_dir(tmp_path / "t", documents)
    runner = CliRunner()
    res = runner.invoke(topics_command, ["--out", str(out), "--k-grid", "3-5", "--restarts", "2", "--bootstrap", "100"])
    assert res.exit_code == 0, res.output
    assert "k scores" in res.output and "hospital (16)" in res.output and "unclassified (8)" in res.output
    for name in TABLE_SCHEMAS:
        assert (out / f"{name}.parquet").is_file(), name
    assert (out / MODEL_PATH).is_file()
    topics = read_table(out, "topics")
    assert len(topics) == 4 and topics["label"].is_unique
    assert all(label in res.output for label in topics["label"])
    assert read_table(out, "doc_topics")["doc_id"].nunique() == len(documents)
    prev = read_table(out, "topic_prevalence")
    assert np.allclose(prev.groupby("sector")["mean_weight"].sum(), 1.0)

    fitted = read_table(out, "doc_topics")
    again = runner.invoke(topics_command, ["--out", str(out), "--apply", "--bootstrap", "100"])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(read_table(out, "doc_topics"), fitted)


def test_cli_apply_refuses_fit_options_and_reports_library_errors(tmp_path, documents):
    out = _tables_dir(tmp_path / "t", documents)
    res = CliRunner().invoke(topics_command, ["--out", str(out), "--apply", "--k", "3"])
    assert res.exit_code != 0 and "drop --k" in res.output
    res = CliRunner().invoke(topics_command, ["--out", str(out), "--apply"])
    assert res.exit_code != 0 and "without --apply first" in res.output
    res = CliRunner().invoke(topics_command, ["--out", str(tmp_path / "empty")])
    assert res.exit_code != 0 and "run `corpus-tools ingest` first" in res.output


# -- the bundled corpus ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    from corpus_tools.pipeline import IngestConfig, ingest

    out = tmp_path_factory.mktemp("bundled")
    ingest(RAW, out, IngestConfig())
    return out


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lda", "nmf"])
def test_bundled_corpus_topics_are_nameable_distinct_and_free_of_stop_words(bundled, tmp_path, method):
    result = run_topics(bundled, method=method, model_path=tmp_path / "m.joblib", seed=0)
    topics = result.tables["topics"]
    terms = [[t["term"] for t in ts] for ts in topics["terms"]]
    stop = default_stop_words()
    assert not any(set(ts) & stop for ts in terms)
    assert topics["label"].is_unique
    scores = result.tables["topic_k_scores"]
    assert scores.loc[scores["selected"], "max_overlap"].item() < 0.5  # no two topics alike
    assert topics["coherence"].mean() > 0.1
    # themes every run finds in these reports lead some topic: party branches, union finances,
    # democratic management (the workers' congress)
    assert any({"党支部", "党员", "支部"} & set(ts[:3]) for ts in terms)
    assert any({"工会经费", "工会财务", "经费"} & set(ts[:5]) for ts in terms)
    assert any({"民主管理", "职代会", "职工代表"} & set(ts[:5]) for ts in terms)


@pytest.mark.slow
def test_bundled_corpus_tables_are_identical_across_processes(bundled, tmp_path):
    """Same input and seed in two fresh interpreters (different hash seeds): identical tables."""
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        write_tables(out, {"documents": pq.read_table(table_path(bundled, "documents"))})
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        code = f"from corpus_tools.cli_topics import topics; topics(['--out', {str(out)!r}, '--k', '6'])"
        subprocess.run([sys.executable, "-c", code],
                       cwd=REPO, env=env, check=True, capture_output=True)
        outs.append(out)
    for name in TABLE_SCHEMAS:
        assert pq.read_table(outs[0] / f"{name}.parquet").equals(pq.read_table(outs[1] / f"{name}.parquet")), name


def test_topic_model_is_a_scikit_learn_estimator(segmenter):
    from sklearn.base import clone

    texts = ["篮球 足球 田径"] * 3 + ["预算 支出 审计"] * 3
    tm = TopicModel(2, segmenter=segmenter, min_df=1, max_df=1.0, top_n=3)
    assert tm.fit(texts) is tm and tm.transform(texts).shape == (6, 2)
    assert clone(tm).get_params()["n_topics"] == 2 and not hasattr(clone(tm), "model_")
    again = pickle.loads(pickle.dumps(tm))
    assert np.array_equal(again.transform(texts), tm.transform(texts))
