"""Keyword in context: hits on token boundaries, exact offsets, token windows, grouping, the command."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from corpus_tools.cli_report import kwic as kwic_command
from corpus_tools.kwic import (
    KwicError,
    align_tokens,
    find_keyword,
    format_kwic,
    kwic,
    kwic_lines,
    token_context,
)
from corpus_tools.pipeline import IngestConfig, ingest
from corpus_tools.records import Token
from corpus_tools.segment import Segmenter
from corpus_tools.store import read_table
from tests.conftest import RAW

# two sample pages: a hospital compilation and a page repeating one of its reports (a duplicate)
PAGES = ("000_4b27597311967f95.txt", "004_ffc48c9a9b096a3f.txt")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    pages = tmp_path_factory.mktemp("pages")
    for name in PAGES:
        shutil.copy(RAW / name, pages / name)
    out = tmp_path_factory.mktemp("kwic")
    ingest(pages, out, IngestConfig(workers=1))
    return out


# -- small examples: what a hit is -----------------------------------------------------------

TEXT = "市总工会和院工会召开职代会。"
TOKENS = [Token("市总工会", 0, 4), Token("和", 4, 5), Token("院", 5, 6), Token("工会", 6, 8),
          Token("召开", 8, 10), Token("职代会", 10, 13), Token("。", 13, 14)]


def test_a_word_inside_a_longer_token_is_not_a_token_hit():
    assert find_keyword(TEXT, TOKENS, "工会") == [(6, 8)]  # not the 工会 inside 市总工会
    assert find_keyword(TEXT, TOKENS, "工会", match="substring") == [(2, 4), (6, 8)]


def test_a_keyword_spanning_several_tokens_matches_on_their_outer_boundaries():
    assert find_keyword(TEXT, TOKENS, "工会召开") == [(6, 10)]
    assert find_keyword(TEXT, TOKENS, "工会 召开") == [(6, 10)]
    assert find_keyword(TEXT, TOKENS, "会召") == []
    assert find_keyword(TEXT, TOKENS, "工 会") == []  # the space demands a boundary inside 工会


def test_the_window_counts_tokens_not_characters_and_skips_whitespace():
    tokens = [Token("召开", 0, 2), Token(" ", 2, 3), Token("职代会", 3, 6), Token("，", 6, 7),
              Token("表彰", 7, 9), Token("先进", 9, 11)]
    text = "召开 职代会，表彰先进"
    assert token_context(text, tokens, 3, 6, 1) == ("召开 ", "，")
    assert token_context(text, tokens, 3, 6, 2) == ("召开 ", "，表彰")
    assert token_context(text, tokens, 3, 6, 0) == ("", "")
    assert token_context(text, tokens, 3, 6, 50) == ("召开 ", "，表彰先进")


def test_stored_tokens_realign_onto_their_text_and_misfits_are_refused():
    assert align_tokens("召开 职代会。", ["召开", "职代会", "。"]) == [
        Token("召开", 0, 2), Token("职代会", 3, 6), Token("。", 6, 7)]
    with pytest.raises(ValueError):
        align_tokens("召开职代会。", ["召开", "职工", "。"])
    with pytest.raises(ValueError):
        align_tokens("召开职代会。", ["召开", "职代会"])  # text left over


@given(st.lists(st.sampled_from(["工会", "总工会", "工", "会", "召开", " ", "。"]), min_size=1, max_size=12),
       st.sampled_from(["工会", "会", "工会工会", "召开"]))
def test_token_hits_are_exactly_the_occurrences_on_token_boundaries(words, keyword):
    text, tokens, pos = "", [], 0
    for w in words:
        tokens.append(Token(w, pos, pos + len(w)))
        text += w
        pos += len(w)
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    expected = [(i, i + len(keyword)) for i in range(len(text)) if text.startswith(keyword, i)
                and i in starts and i + len(keyword) in ends]
    assert find_keyword(text, tokens, keyword) == expected
    subs = find_keyword(text, tokens, keyword, match="substring")
    assert all(text[s:e] == keyword for s, e in subs) and set(expected) <= set(subs)


def test_an_empty_keyword_or_a_bad_option_is_a_clear_error():
    docs = pd.DataFrame({"doc_id": ["a"], "source_file": ["x.txt"], "report_index": [1], "text": ["工会"]})
    sents = pd.DataFrame({"doc_id": ["a"], "sentence_id": [1], "start": [0], "end": [2], "tokens": ["工会"]})
    with pytest.raises(KwicError, match="empty"):
        kwic_lines(docs, sents, "  ")
    with pytest.raises(KwicError, match="--by"):
        kwic_lines(docs, sents, "工会", by="colour")


# -- on the ingested sample corpus -----------------------------------------------------------


def test_every_line_points_at_its_keyword_in_the_report_text(tables):
    docs = read_table(tables, "documents").set_index("doc_id")
    sents = read_table(tables, "sentences").set_index(["doc_id", "sentence_id"])
    lines = kwic(tables, "工会", window=4)
    assert len(lines) > 100
    for line in lines:
        text = docs.at[line.doc_id, "text"]
        assert text[line.start:line.end] == line.keyword == "工会"
        assert text[line.start - len(line.left):line.start] == line.left
        assert text[line.end:line.end + len(line.right)] == line.right
        s = sents.loc[(line.doc_id, line.sentence_id)]
        assert s.start <= line.start - len(line.left) and line.end + len(line.right) <= s.end
        # the hit is one stored token, and the context is exactly `window` whole tokens (fewer at the edges)
        tokens = align_tokens(text[s.start:s.end], s.tokens.split(" "), s.start)
        assert Token("工会", line.start, line.end) in tokens
        before = [t for t in tokens if t.end <= line.start]
        after = [t for t in tokens if t.start >= line.end]
        assert line.left == text[before[-4:][0].start:line.start] if before else line.left == ""
        assert line.right == text[line.end:after[:4][-1].end] if after else line.right == ""


def test_token_matching_leaves_out_longer_words_that_substring_matching_finds(tables):
    token = kwic(tables, "工会")
    anywhere = kwic(tables, "工会", match="substring")
    assert len(anywhere) > len(token)
    spans = {(line.doc_id, line.start) for line in token}
    extra = [line for line in anywhere if (line.doc_id, line.start) not in spans]
    # the extra hits sit inside longer tokens such as 总工会 or 工会工作
    assert any(line.left.endswith("总") or line.right.startswith("工作") for line in extra)


def test_stored_tokens_give_the_same_lines_as_segmenting_afresh(tables):
    stored = kwic(tables, "职代会", window=3)
    fresh = kwic(tables, "职代会", window=3, segmenter=Segmenter())
    assert stored and stored == fresh


def test_lines_grouped_by_sector_come_in_sector_order_with_unclassified_last(tables):
    lines = kwic(tables, "职工", by="sector")
    keys = [(line.sector is None, line.sector or "") for line in lines]
    assert len(lines) > 20 and keys == sorted(keys)


def test_duplicate_reports_are_left_out_unless_asked():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "source_file": ["x.txt", "y.txt"], "report_index": [1, 1],
                         "text": ["院工会召开职代会。"] * 2, "sector": ["hospital"] * 2, "duplicate_of": [None, "a"]})
    sents = pd.DataFrame({"doc_id": ["a", "b"], "sentence_id": [1, 1], "start": [0, 0], "end": [9, 9],
                          "tokens": ["院 工会 召开 职代会 。"] * 2})
    assert [line.doc_id for line in kwic_lines(docs, sents, "职代会")] == ["a"]
    assert [line.doc_id for line in kwic_lines(docs, sents, "职代会", include_duplicates=True)] == ["a", "b"]


def test_kwic_command_prints_json_and_csv_lines_with_doc_id_and_sector(tables):
    runner = CliRunner()
    result = runner.invoke(kwic_command, ["职代会", "--out", str(tables), "--window", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and {"doc_id", "sector", "sentence_id", "start", "end", "left", "keyword", "right"} <= set(rows[0])
    assert all(r["keyword"] == "职代会" for r in rows)
    csv = runner.invoke(kwic_command, ["职代会", "--out", str(tables), "--format", "csv", "--limit", "2"])
    assert csv.exit_code == 0 and len(csv.stdout.strip().splitlines()) == 3
    table = runner.invoke(kwic_command, ["职代会", "--out", str(tables), "--by", "sector"])
    assert table.exit_code == 0 and "【职代会】" in table.stdout and f"{len(rows)} lines in" in table.stdout
    missing = runner.invoke(kwic_command, ["职代会", "--out", str(tables / "nowhere")])
    assert missing.exit_code != 0 and "corpus-tools ingest" in missing.output


def test_table_format_lines_up_keywords_whatever_the_width_of_the_context():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "source_file": ["x.txt", "y.txt"], "report_index": [1, 1],
                         "text": ["在医院党委领导下工会开展活动。", "ab工会cd。"], "sector": ["hospital", None]})
    sents = pd.DataFrame({"doc_id": ["a", "b"], "sentence_id": [1, 1], "start": [0, 0], "end": [15, 7],
                          "tokens": ["在 医院 党委 领导 下 工会 开展 活动 。", "ab 工会 cd 。"]})
    lines = kwic_lines(docs, sents, "工会", window=3, by="sector")
    out = format_kwic(lines, by="sector").splitlines()
    assert out[0].startswith("== sector: hospital") and out[2].startswith("== sector: (unclassified)")
    cols = [line.index("【") for line in (out[1], out[3])]
    widths = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in line[:c]) for line, c in zip((out[1], out[3]), cols,
                                                                                     strict=True)]
    assert widths[0] == widths[1]
