"""The speed shortcuts of the dedup, split and structure stages give what the plain way gives.

Each shortcut is compared with the straightforward code it replaces, on the sample pages and
on inputs chosen to reach its edges (characters beyond the BMP, lone surrogates, blocks of
shingles that do not divide evenly), so that a shortcut that drifts makes these tests fail.
"""

import dataclasses
import hashlib

import numpy as np
import pytest
from datasketch import LeanMinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_tools import dedup, split, structure
from corpus_tools.clean import clean_page, is_heading_like
from corpus_tools.dedup import (
    DedupSettings,
    affine32_minhash_values,
    normalise_for_dedup,
    shingle_hashes,
    signature,
)
from corpus_tools.patterns import CLOSERS, match_marker
from corpus_tools.split import OPENING_PATTERNS, SALUTATION, is_closing, is_opening, split_reports
from tests.conftest import RAW

EDGE_TEXTS = [
    "",
    "工",
    "工会",
    "，。、 \n\t_",
    "院工会认真履行职能，巩固建家成果。",
    "a_b c-d 1.5万元 ＡＢＣ１２３ ①② Ⅻ ½ x²",
    "职工😀之家𠀀𝔘𝔫 \u3000全角空格\u00a0不换行\u200b零宽",
    "孤立代理\ud800项\udfff与\ud83d\ude00",
    "组合\u0301字符\u0000空字符\x1f控制",
]


def sample_pages() -> list[str]:
    return [clean_page(p.read_text(encoding="utf-8")).text for p in sorted(RAW.iterdir()) if p.is_file()]


def sample_reports() -> list[str]:
    return [text[s.start:s.end] for text in sample_pages() for s in split_reports(text)]


def sample_lines() -> list[str]:
    return [line for text in sample_pages() for line in text.split("\n") if line.strip()]


# -- dedup -------------------------------------------------------------------------------------------
def plain_affine32(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """The affine32 MinHash written out in exact integers: min over h of (a * fmix32(h) + b) mod 2**32."""
    a, b = dedup._affine32_permutations(num_perm, seed)
    if len(hashes) == 0:
        return np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    mixed = dedup._fmix32(hashes.astype(np.uint32)).astype(np.uint64)
    values = (mixed[:, None] * a.astype(np.uint64) + b.astype(np.uint64)) % np.uint64(2 ** 32)
    return values.min(axis=0).astype(np.uint32)


def plain_signature_values(text: str, s: DedupSettings) -> tuple[str, int, np.ndarray]:
    norm = normalise_for_dedup(text)
    hashes = shingle_hashes(norm, s.shingle)
    mh = LeanMinHash(seed=s.seed, hashvalues=affine32_minhash_values((hashes >> np.uint64(32)).astype(np.uint32),
                                                                     s.num_perm, s.seed), scheme="affine32")
    return hashlib.sha1(norm.encode("utf-8")).hexdigest(), len(hashes), mh.hashvalues


def test_code_point_table_keeps_exactly_what_the_regex_keeps():
    every_bmp = "".join(map(chr, range(0x10000)))
    got = dedup._normalised_code_points(every_bmp).tobytes().decode("utf-32-le")
    assert got == normalise_for_dedup(every_bmp)


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_normalised_code_points_match_the_regex(text):
    got = dedup._normalised_code_points(text).tobytes().decode("utf-32-le")
    assert got == normalise_for_dedup(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_normalised_code_points_match_the_regex_on_any_text(text):
    assert dedup._normalised_code_points(text).tobytes().decode("utf-32-le") == normalise_for_dedup(text)


@pytest.mark.parametrize("n", [0, 1, 7, 100, 8191, 8192, 8193, 20000])
@pytest.mark.parametrize("columns", [8192, 7, 64])
def test_affine32_blocks_give_the_plain_minimum(monkeypatch, n, columns):
    monkeypatch.setattr(dedup, "_PERMUTATION_COLUMNS", columns)
    hashes = np.random.default_rng(n).integers(0, 2 ** 32, n, dtype=np.uint64).astype(np.uint32)
    for num_perm, seed in [(128, 1), (16, 7)]:
        got = affine32_minhash_values(hashes, num_perm, seed)
        assert got.dtype == np.uint32
        assert np.array_equal(got, plain_affine32(hashes, num_perm, seed))


def test_lean_minhash_built_directly_equals_the_constructed_one():
    values = affine32_minhash_values(np.arange(50, dtype=np.uint32), 128, 1)
    direct = dedup._lean_minhash(1, values.copy())
    plain = LeanMinHash(seed=1, hashvalues=values, scheme="affine32")
    assert type(direct) is LeanMinHash
    assert (direct.seed, direct.scheme) == (plain.seed, plain.scheme)
    assert direct.hashvalues.dtype == plain.hashvalues.dtype and np.array_equal(direct.hashvalues, plain.hashvalues)
    assert direct == plain and direct.jaccard(plain) == 1.0 and hash(direct) == hash(plain)
    buf = bytearray(plain.bytesize())
    direct.serialize(buf)
    assert LeanMinHash.deserialize(buf) == plain


@pytest.mark.parametrize("hash_name", ["fmix64", "sha1"])
def test_signature_equals_the_plain_way_on_sample_reports_and_edge_texts(hash_name):
    s = DedupSettings(hash=hash_name)
    for text in sample_reports() + [t for t in EDGE_TEXTS if "\ud800" not in t]:
        sig = signature("d", ("p", 1), text, s)
        if hash_name == "sha1":
            assert sig.exact == plain_signature_values(text, s)[0]
            continue
        exact, size, values = plain_signature_values(text, s)
        assert (sig.exact, sig.size) == (exact, size)
        assert sig.minhash.hashvalues.dtype == values.dtype and np.array_equal(sig.minhash.hashvalues, values)
        assert (sig.minhash.seed, sig.minhash.scheme) == (s.seed, "affine32")


def test_signature_of_text_with_lone_surrogates_equals_the_plain_way():
    text = EDGE_TEXTS[7]
    exact, size, values = plain_signature_values(text, DedupSettings())
    sig = signature("d", ("p", 1), text)
    assert (sig.exact, sig.size) == (exact, size) and np.array_equal(sig.minhash.hashvalues, values)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7])
def test_shingle_hashes_with_a_scratch_buffer_match_the_plain_fold(k):
    norm = normalise_for_dedup(sample_reports()[0])[:3000]
    cps = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(cps) < k:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
    n = len(cps) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for start in range(0, k, 3):
        word = cps[start:start + n].copy()
        for j in range(1, min(3, k - start)):
            word |= cps[start + j:start + j + n] << np.uint64(21 * j)
        h ^= word
        for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, None):
            h ^= h >> np.uint64(33)
            if multiplier is not None:
                h *= np.uint64(multiplier)
    assert np.array_equal(shingle_hashes(norm, k), np.unique(h))


# -- split -------------------------------------------------------------------------------------------
def test_combined_opening_pattern_agrees_with_each_pattern_searched():
    lines = sample_lines() + ["各位代表：", "现在，我受工会委员会委托，向大会作工作报告。", "上半年，工会围绕中心工作开展活动。",
                              "我院今年工会工作在院党委领导下" + "很好" * 200, "x" * 150 + "现将今年工作总结如下"]
    for line in lines:
        plain = bool(SALUTATION.match(line) or any(p.search(line[:200]) for p in OPENING_PATTERNS))
        assert is_opening(line) == plain, line


def test_piece_body_check_stopping_early_agrees_with_the_plain_count():
    def plain(piece):
        body = [x.text for x in piece if not is_heading_like(x.text)]
        if sum(len(x) for x in body) >= 20:
            return True
        return any(x.text.rstrip(CLOSERS)[-1:] in ("。", "！", "？", "!", "?") and not match_marker(x.text)
                   for x in piece)

    checked = 0
    for text in sample_pages():
        lines = split._lines(text)
        for width in (1, 2, 3, 5):
            for i in range(0, len(lines), width):
                piece = lines[i:i + width]
                assert split._piece_has_body(piece) == plain(piece)
                checked += 1
    assert checked > 100


# -- structure ---------------------------------------------------------------------------------------
def plain_after_paragraph(line, seen_body, closed):
    if not is_heading_like(line) and not SALUTATION.match(line):
        return True, closed or is_closing(line)
    return seen_body, closed


def test_paragraph_state_shortcut_agrees_with_the_plain_update():
    lines = sample_lines() + ["谢谢大家！", "二〇一三年三月二十六日", "xx工会委员会", "各位代表：", "一、工作回顾",
                              "尊敬的各位领导、各位来宾，我的汇报完毕，请批评指正："]  # a closing salutation
    for line in lines:
        for seen_body, closed in [(False, False), (True, False), (True, True)]:
            assert structure._after_paragraph(line, seen_body, closed) == \
                plain_after_paragraph(line, seen_body, closed), line


def test_sections_of_sample_reports_do_not_depend_on_the_shortcuts(monkeypatch):
    before = [[dataclasses.asdict(s) for s in structure.parse_sections(r)] for r in sample_reports()]
    monkeypatch.setattr(structure, "_after_paragraph", plain_after_paragraph)
    after = [[dataclasses.asdict(s) for s in structure.parse_sections(r)] for r in sample_reports()]
    assert before == after and sum(map(len, before)) > 10


# -- the driver reads stored signatures as one array -------------------------------------------------

def test_signatures_from_table_equal_row_by_row_rebuilding():
    import pyarrow as pa

    from corpus_tools.schema import to_arrow

    texts = ["院工会认真履行职能，巩固建家成果。" * 3, "我校工会组织教职工开展师德学习。", "短", "",
             "全年慰问老教授、老专家、生病住院职工等600多人次。" * 2]
    rows = [dedup.signature_row(dedup.signature(f"d{i}", (f"p{i % 2}.txt", i), t)) for i, t in enumerate(texts)]
    table = to_arrow("signatures", rows)
    chunked = pa.concat_tables([table.slice(0, 2), table.slice(2)])  # as read from several files
    for t in (table, chunked):
        got = dedup.signatures_from_table(t)
        want = [dedup.signature_from_row(r) for r in t.to_pylist()]
        assert [(s.doc_id, s.order, s.exact, s.size) for s in got] == [(s.doc_id, s.order, s.exact, s.size) for s in want]
        for g, w in zip(got, want, strict=True):
            assert g.minhash.hashvalues.dtype == w.minhash.hashvalues.dtype
            assert np.array_equal(g.minhash.hashvalues, w.minhash.hashvalues)
            assert (g.minhash.seed, g.minhash.scheme) == (w.minhash.seed, w.minhash.scheme)
        assert dedup.find_duplicates(got) == dedup.find_duplicates(want)
    assert dedup.signatures_from_table(table.slice(0, 0)) == []


def test_find_duplicates_in_table_equals_find_duplicates_on_the_sample_pages():
    import pyarrow as pa

    from corpus_tools.schema import to_arrow

    pages = sorted(RAW.glob("*"))
    rows = []
    for p in pages:
        text = clean_page(p.read_text(encoding="utf-8")).text
        for span in split_reports(text):
            body = text[span.start:span.end]
            rows.append(dedup.signature_row(dedup.signature(f"{p.name}-{span.report_index}", (p.name, span.report_index), body)))
            # a near copy and an exact copy, under other pages, so there is something to find
            rows.append(dedup.signature_row(dedup.signature(f"copy-{p.name}-{span.report_index}",
                                                            (f"z-{p.name}", span.report_index), body + "各位代表！")))
    rows.append(dedup.signature_row(dedup.signature("tiny", ("a.txt", 1), "短")))
    table = to_arrow("signatures", rows)
    shuffled = table.take(pa.array(list(range(table.num_rows))[::-1]))  # stored order need not be report order
    want = dedup.find_duplicates([dedup.signature_from_row(r) for r in table.to_pylist()])
    assert len(want) > 10
    assert dedup.find_duplicates_in_table(shuffled) == want
    assert dedup.find_duplicates_in_table(table.slice(0, 0)) == {}
