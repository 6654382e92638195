"""End to end: `corpus-tools ingest` and `query` through the CLI, checking the written data."""

import codecs
import json

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from corpus_tools.clean import clean_page
from corpus_tools.cli import cli
from corpus_tools.pipeline import IngestConfig, ingest
from corpus_tools.schema import INGEST_TABLES, TABLES
from tests.conftest import RAW

EXCERPT = ("医院工会工作报告篇一\n\n各位代表：\n\n20xx年，在医院党委和上级工会的正确领导下，院工会认真履行职能。"
           "胸心外科被中华全国总工会授予工人先锋号，全年发放奖金10万余元。\n\n谢谢大家！\n")


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    summary = ingest(RAW, out, IngestConfig(workers=1))
    return out, summary


def table(out, name):
    path = out / name if (out / name).is_dir() else out / f"{name}.parquet"
    return pd.read_parquet(path)


def test_ingest_writes_every_contract_table_with_its_columns(seeds_out):
    out, summary = seeds_out
    assert summary.pages == 5 and summary.reports == 43 and not summary.errors
    for name in INGEST_TABLES:
        df = table(out, name)
        assert list(df.columns)[:len(TABLES[name].columns)] == TABLES[name].column_names
    con = duckdb.connect(str(out / "corpus.duckdb"), read_only=True)
    assert con.execute("select count(*) from documents").fetchone()[0] == 43


def test_every_report_maps_back_into_its_decoded_source(seeds_out):
    out, _ = seeds_out
    for doc in table(out, "documents").itertuples():
        raw = (RAW / doc.source_file).read_text(encoding="utf-8")
        cleaned = clean_page(raw)
        src = raw[doc.source_start:doc.source_end]
        # the report is the source span with deletions only: its characters appear in order
        it = iter(src)
        assert all(ch in it for ch in doc.text.replace("\n", "")), doc.doc_id
        assert cleaned.text.count(doc.text) >= 1


def test_sections_and_sentences_point_into_their_report(seeds_out):
    out, _ = seeds_out
    texts = dict(zip(table(out, "documents").doc_id, table(out, "documents").text, strict=True))
    for s in table(out, "sections").itertuples():
        assert texts[s.doc_id][s.start:s.end].startswith(s.marker)
    sents = table(out, "sentences")
    assert len(sents) > 500
    for s in sents.head(2000).itertuples():
        piece = texts[s.doc_id][s.start:s.end]
        assert piece.strip() and "".join(s.tokens.split()) in piece.replace(" ", "").replace("\u3000", "")


def test_domain_terms_are_single_tokens_in_the_sentences_table(seeds_out):
    out, _ = seeds_out
    tokens = " ".join(table(out, "sentences").tokens).split()
    for term in ("工人先锋号", "职代会", "送温暖"):
        assert term in tokens


def test_near_duplicates_point_at_the_earlier_copy(seeds_out):
    out, _ = seeds_out
    docs = table(out, "documents").set_index("doc_id")
    pairs = {(docs.loc[d].source_file[:3], docs.loc[d].report_index, docs.loc[o].source_file[:3], docs.loc[o].report_index)
             for d, o in docs.duplicate_of.dropna().items()}
    assert ("002", 6, "000", 1) in pairs and ("004", 5, "000", 1) in pairs


def test_doc_ids_and_tables_are_identical_across_runs(seeds_out, tmp_path):
    out, _ = seeds_out
    ingest(RAW, tmp_path, IngestConfig(workers=2))
    for name in INGEST_TABLES:
        pd.testing.assert_frame_equal(table(out, name), table(tmp_path, name))
    # two workers fit the sector and genre layers side by side and join them; one fits both:
    # the labels above are the same, the joined model is published and its parts are not
    assert (tmp_path / "models" / "classifier.joblib").is_file()
    assert not [p for p in tmp_path.rglob("*") if "_fit" in p.parts or p.suffix == ".pickle"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_pages_in_every_encoding_are_ingested(tmp_path, encoding):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_bytes(EXCERPT.encode(encoding))
    ingest(tmp_path / "in", tmp_path / "out")
    docs = table(tmp_path / "out", "documents")
    assert len(docs) == 1 and "胸心外科被中华全国总工会授予工人先锋号" in docs.text[0]
    assert table(tmp_path / "out", "sources").status[0] == "ok"


def test_html_page_is_reduced_to_text(tmp_path):
    (tmp_path / "in").mkdir()
    html = ("<html><head><style>p{color:red}</style><script>alert('x')</script></head><body><nav>首页 | 范文</nav>"
            + "".join(f"<p>{p}</p>" for p in EXCERPT.split("\n\n")) + "</body></html>")
    (tmp_path / "in" / "page.html").write_text(html, encoding="utf-8")
    ingest(tmp_path / "in", tmp_path / "out")
    text = table(tmp_path / "out", "documents").text[0]
    assert "工人先锋号" in text and "alert" not in text and "color" not in text


def test_bad_files_become_error_rows_and_others_are_kept(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(EXCERPT, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = CliRunner().invoke(cli, ["ingest", str(src), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "picture.txt" in result.output
    errors = table(tmp_path / "out", "errors")
    assert sorted(errors.source_file) == ["empty.txt", "picture.txt"]
    assert all(f in e for f, e in zip(errors.source_file, errors.error, strict=True))
    assert len(table(tmp_path / "out", "documents")) == 1
    sources = table(tmp_path / "out", "sources").set_index("source_file")
    assert sources.loc["good.txt", "status"] == "ok" and sources.loc["empty.txt", "status"] == "error"


def test_missing_input_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "nope" in result.output


def test_query_prints_a_table_and_supports_csv_and_json(seeds_out):
    out, _ = seeds_out
    runner = CliRunner()
    r = runner.invoke(cli, ["query", "--out", str(out), "select count(*) as n from documents"])
    assert r.exit_code == 0 and "43" in r.output
    r = runner.invoke(cli, ["query", "--out", str(out), "--format", "csv", "select report_index from documents order by 1 limit 2"])
    assert r.output.splitlines() == ["report_index", "1", "1"]
    r = runner.invoke(cli, ["query", "--out", str(out), "--format", "json", "select title from documents where title is not null limit 1"])
    assert "篇" in json.loads(r.output)[0]["title"]


@pytest.mark.parametrize("sql", [
    "insert into documents select * from documents",
    "copy documents to '/tmp/stolen.csv'",
    "create table x as select 1",
    "attach '/tmp/other.db'",
])
def test_query_refuses_statements_that_write(seeds_out, sql):
    out, _ = seeds_out
    r = CliRunner().invoke(cli, ["query", "--out", str(out), sql])
    assert r.exit_code != 0 and "read-only" in r.output


def test_query_cannot_read_files_outside_the_tables(seeds_out):
    out, _ = seeds_out
    r = CliRunner().invoke(cli, ["query", "--out", str(out), "select * from read_csv('/etc/passwd')"])
    assert r.exit_code != 0 and "passwd" in r.output


def test_python_dash_m_works_like_the_console_script():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "corpus_tools", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in r.stdout and "query" in r.stdout


def test_utf16_bom_detected_by_load(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.txt").write_bytes(codecs.BOM_UTF16_LE + EXCERPT.encode("utf-16-le"))
    ingest(tmp_path / "in", tmp_path / "out")
    assert table(tmp_path / "out", "sources").encoding[0] == "utf-16-le"


def test_tables_are_partitioned_with_a_view_per_table(seeds_out):
    out, _ = seeds_out
    for name in INGEST_TABLES:
        assert sorted(p.name for p in (out / name).glob("*.parquet")) == ["part-00000.parquet"]


def _corpus(tmp_path, n=6):
    src = tmp_path / "in"
    src.mkdir()
    pages = sorted(RAW.glob("*.txt"))
    for i in range(n):
        (src / f"p{i:02d}.txt").write_text(pages[i % len(pages)].read_text(encoding="utf-8") + f"\n\n第{i}号附记。", encoding="utf-8")
    return src


def test_rerun_on_unchanged_input_processes_nothing(tmp_path):
    src = _corpus(tmp_path, 3)
    first = ingest(src, tmp_path / "out")
    again = ingest(src, tmp_path / "out")
    assert first.processed == 3 and again.processed == 0 and again.unchanged == 3
    assert again.reports == first.reports


def test_incremental_add_change_remove_matches_a_full_rebuild(tmp_path):
    src = _corpus(tmp_path, 8)
    cfg = IngestConfig(workers=1, bucket_bytes=40_000)
    ingest(src, tmp_path / "out", cfg)
    (src / "p01.txt").write_text((RAW / "004_ffc48c9a9b096a3f.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "p03.txt").unlink()
    (src / "new.txt").write_text(EXCERPT, encoding="utf-8")
    inc = ingest(src, tmp_path / "out", cfg)
    assert inc.processed == 2 and inc.removed == 1
    ingest(src, tmp_path / "full", cfg)
    for name in INGEST_TABLES + ("amounts", "awards"):
        a = table(tmp_path / "out", name).sort_values(list(table(tmp_path / "out", name).columns[:2])).reset_index(drop=True)
        b = table(tmp_path / "full", name).sort_values(list(table(tmp_path / "full", name).columns[:2])).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)
    assert "p03.txt" not in set(table(tmp_path / "out", "sources").source_file)


def test_interrupted_publication_is_completed_by_the_next_run(tmp_path):
    from corpus_tools import store

    src = _corpus(tmp_path, 2)
    ingest(src, tmp_path / "out")
    before = table(tmp_path / "out", "documents")
    real_apply = store._apply_journal
    calls = {"n": 0}

    def dying(out_dir):
        calls["n"] += 1
        raise KeyboardInterrupt  # the process dies after writing the journal, before moving files

    store._apply_journal = dying
    try:
        (src / "p00.txt").write_text(EXCERPT, encoding="utf-8")
        with pytest.raises(KeyboardInterrupt):
            ingest(src, tmp_path / "out", IngestConfig(full=True))
    finally:
        store._apply_journal = real_apply
    pd.testing.assert_frame_equal(table(tmp_path / "out", "documents"), before)  # previous output intact
    again = ingest(src, tmp_path / "out")
    assert again.recovered and again.processed == 0  # the interrupted run's complete output was published
    assert "胸心外科" in " ".join(table(tmp_path / "out", "documents").text)
    assert not list((tmp_path / "out").glob(".staging-*")) and not (tmp_path / "out" / ".journal.json").exists()


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_tables_as_local_processes(tmp_path):
    src = _corpus(tmp_path, 6)
    ingest(src, tmp_path / "local", IngestConfig(workers=2, bucket_bytes=60_000))
    ingest(src, tmp_path / "dask", IngestConfig(workers=2, bucket_bytes=60_000, scheduler="local"))
    for name in INGEST_TABLES:
        pd.testing.assert_frame_equal(table(tmp_path / "local", name), table(tmp_path / "dask", name))
