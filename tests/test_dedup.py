"""Dedup stage: exact copies, near copies, partial copies, and originals left alone."""

from dataclasses import asdict

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSHEnsemble
from datasketch.lshensemble_partition import optimal_partitions

from corpus_tools.dedup import (
    DedupSettings,
    DocSignature,
    affine32_minhash_values,
    ensemble_partitions,
    find_duplicates,
    normalise_for_dedup,
    shingle_hashes,
    signature,
    signature_from_row,
    signature_row,
)

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


def test_report_reposted_many_times_points_every_copy_and_near_copy_at_the_first():
    edited = BASE.replace("600多人次", "650多人次")
    texts = [OTHER] + [BASE] * 30 + [edited, edited + "各位代表，让我们再创新的辉煌！"]
    expected = {f"d{i}": "d2" for i in range(3, len(texts) + 1)}
    assert find_duplicates(sigs(*texts)) == expected


# -- signatures: the fast shingle hash ------------------------------------------------------------
def _shingles(text, k=5):
    norm = normalise_for_dedup(text)
    return {norm[i:i + k] for i in range(max(1, len(norm) - k + 1))} if norm else set()


@pytest.mark.parametrize("text", [BASE, OTHER, "工会", "工会工会工会工会", "", " ，。\n", "abcde"])
def test_signature_size_is_the_number_of_distinct_shingles(text):
    assert signature("d", ("p", 1), text).size == len(_shingles(text))


def test_empty_text_has_the_empty_minhash_and_is_never_a_duplicate():
    empty = signature("e", ("p", 2), " 。\n")
    assert empty.size == 0 and empty.minhash.is_empty()
    assert find_duplicates([signature("e0", ("p", 1), "。"), empty]) == {}


def test_fast_permutations_are_datasketch_affine32():
    hashes = np.random.default_rng(0).integers(0, 2**32, 3000, dtype=np.uint64).astype(np.uint32)
    reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=lambda v: v)
    reference.update_batch([int(h) for h in hashes])
    assert np.array_equal(affine32_minhash_values(hashes, 128, 1), reference.hashvalues)


def test_signature_is_the_datasketch_minhash_of_the_shingles_under_the_shingle_hash():
    def one_shingle_hash(shingle: bytes) -> int:
        return int(shingle_hashes(shingle.decode("utf-8"), 5)[0] >> np.uint64(32))

    reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=one_shingle_hash)
    reference.update_batch([s.encode("utf-8") for s in _shingles(BASE)])
    assert np.array_equal(signature("d", ("p", 1), BASE).minhash.hashvalues, reference.hashvalues)


def test_distinct_shingles_get_distinct_hashes_even_for_neighbouring_code_points():
    text = "".join(chr(0x4E00 + i) for i in range(20000))  # every shingle differs by one code point
    assert len(shingle_hashes(text, 5)) == len(text) - 4
    # and their 32-bit MinHash inputs are spread evenly, not clustered like the code points
    high = (shingle_hashes(text, 5) >> np.uint64(60)).astype(int)
    assert np.bincount(high, minlength=16).min() > 20000 / 16 * 0.85


def _overlapping_pairs(make_text, n_pairs, rng):
    """Pairs (a, b) where b keeps a random part of a and adds other text: known shingle overlap."""
    for _ in range(n_pairs):
        a = make_text(int(rng.integers(300, 1500)))
        keep = int(rng.integers(len(a) // 4, len(a)))
        start = int(rng.integers(0, len(a) - keep + 1))
        b = a[start:start + keep] + make_text(int(rng.integers(0, len(a))))
        yield a, b


@pytest.mark.parametrize("kind", ["random hanzi", "neighbouring code points"])
def test_jaccard_estimates_are_as_accurate_as_with_sha1(kind):
    rng = np.random.default_rng(11)
    if kind == "random hanzi":
        def make_text(n):
            return "".join(chr(c) for c in rng.integers(0x4E00, 0x4E00 + 3000, n))
    else:
        def make_text(n):
            first = int(rng.integers(0x4E00, 0x9000))
            return "".join(chr(first + i) for i in range(n))
    z = {"fmix64": [], "sha1": []}
    for a, b in _overlapping_pairs(make_text, 150, rng):
        sa, sb = _shingles(a), _shingles(b)
        exact = len(sa & sb) / len(sa | sb)
        if not 0.05 < exact < 0.95:
            continue
        for scheme in z:
            settings = DedupSettings(hash=scheme, seed=int(rng.integers(1, 1 << 30)))  # independent pairs
            est = signature("a", ("p", 1), a, settings).minhash.jaccard(signature("b", ("p", 2), b, settings).minhash)
            z[scheme].append((est - exact) / np.sqrt(exact * (1 - exact) / 128))
    for scheme, values in z.items():
        values = np.array(values)
        assert len(values) > 100
        # unbiased, with the spread MinHash theory predicts for 128 permutations
        assert abs(values.mean()) < 0.25, scheme
        assert 0.75 < values.std() < 1.3, scheme


def test_hash_setting_is_part_of_the_settings_and_validated():
    assert asdict(DedupSettings())["hash"] == "fmix64"
    assert asdict(DedupSettings()) != asdict(DedupSettings(hash="sha1"))  # so the ingest fingerprint differs
    with pytest.raises(ValueError, match="unknown dedup hash"):
        DedupSettings(hash="md5")


def test_sha1_hash_keeps_the_original_signatures():
    settings = DedupSettings(hash="sha1")
    reference = MinHash(num_perm=128, seed=1, scheme="affine32")
    reference.update_batch([s.encode("utf-8") for s in sorted(_shingles(BASE))])
    assert np.array_equal(signature("d", ("p", 1), BASE, settings).minhash.hashvalues, reference.hashvalues)


def test_stored_signature_rebuilds_to_the_same_signature():
    s = signature("d1", ("page", 3), BASE)
    back = signature_from_row(signature_row(s))
    assert (back.doc_id, back.order, back.exact, back.size) == (s.doc_id, s.order, s.exact, s.size)
    assert np.array_equal(back.minhash.hashvalues, s.minhash.hashvalues)
    assert back.minhash.jaccard(s.minhash) == 1.0


# -- find_duplicates: the same answers as datasketch's LSH Ensemble ---------------------------------
def _reference_find_duplicates(sigs):
    """find_duplicates as first written: datasketch's MinHashLSHEnsemble and per-pair jaccard."""
    settings = DedupSettings()
    ordered = sorted(sigs, key=lambda s: s.order)
    result, first_exact = {}, {}
    for s in ordered:
        if s.size == 0:
            continue
        if s.exact in first_exact:
            result[s.doc_id] = first_exact[s.exact]
        else:
            first_exact[s.exact] = s.doc_id
    candidates = [s for s in ordered if s.size >= 3]
    if len(candidates) < 2:
        return result
    index = MinHashLSHEnsemble(threshold=settings.threshold, num_perm=settings.num_perm, num_part=8)
    index.index([(s.doc_id, s.minhash, s.size) for s in candidates])
    rank = {s.doc_id: i for i, s in enumerate(ordered)}
    by_id = {s.doc_id: s for s in candidates}

    def containment(q, x):
        j = q.minhash.jaccard(x.minhash)
        return 0.0 if j <= 0 else min(1.0, j * (q.size + x.size) / ((1 + j) * q.size))

    origin = {}
    for q in candidates:
        for x_id in index.query(q.minhash, q.size):
            if x_id == q.doc_id:
                continue
            x = by_id[x_id]
            if containment(q, x) < settings.threshold:
                continue
            if rank[x_id] < rank[q.doc_id]:
                later, earlier = q, x
            elif containment(x, q) >= settings.superset_share:
                later, earlier = x, q
            else:
                continue
            best = origin.get(later.doc_id)
            if best is None or rank[earlier.doc_id] < rank[best]:
                origin[later.doc_id] = earlier.doc_id
    for doc_id in sorted(origin, key=rank.__getitem__):
        if doc_id not in result:
            result[doc_id] = result.get(origin[doc_id], origin[doc_id])
    return result


def _synthetic_signatures(n, seed):
    """Signatures with exact copies, near copies and partial copies of earlier ones, built from
    hash values directly so that many borderline pairs occur."""
    rng = np.random.default_rng(seed)
    hv = rng.integers(0, 2**32, (n, 128), dtype=np.uint64).astype(np.uint32)
    size = rng.choice(np.arange(20, 4000, 37), n)  # few distinct sizes keeps the reference quick
    exact = [f"x{i}" for i in range(n)]
    for i in range(1, n):
        u = rng.random()
        j = int(rng.integers(0, i))
        if u < 0.05:
            hv[i], size[i], exact[i] = hv[j], size[j], exact[j]
        elif u < 0.45:
            hv[i] = np.where(rng.random(128) < rng.uniform(0, 0.6), hv[i], hv[j])
            size[i] = max(3, int(size[j] * rng.uniform(0.5, 2.0)))
    size[rng.random(n) < 0.02] = 2  # too small to compare
    order = rng.permutation(n)  # signatures arrive in no particular order
    return [DocSignature(f"d{i}", (f"p{i // 4:04d}", i % 4), exact[i], int(size[i]),
                         LeanMinHash(seed=1, hashvalues=hv[i], scheme="affine32")) for i in order]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_duplicates_are_those_of_the_lsh_ensemble_reference(seed):
    sigs = _synthetic_signatures(500, seed)
    expected = _reference_find_duplicates(sigs)
    assert len(expected) > 100
    assert find_duplicates(sigs) == expected


@pytest.mark.parametrize("seed", range(6))
def test_partitions_are_those_of_datasketch(seed):
    rng = np.random.default_rng(seed)
    sizes = np.unique(np.maximum(3, rng.lognormal(6, 1, int(rng.integers(1, 160)))).astype(np.int64))
    counts = rng.integers(1, 5, len(sizes))
    for num_part in (1, 2, 3, 8, 12):
        expected = [(int(lo), int(hi)) for lo, hi in optimal_partitions(sizes, counts, num_part)]
        assert ensemble_partitions(sizes, counts, num_part) == expected


def test_partitions_with_tied_costs_are_those_of_datasketch():
    sizes = np.arange(3, 60)  # consecutive sizes, one report each: many equal partition costs
    counts = np.ones(len(sizes), dtype=np.int64)
    for num_part in (2, 4, 8):
        expected = [(int(lo), int(hi)) for lo, hi in optimal_partitions(sizes, counts, num_part)]
        assert ensemble_partitions(sizes, counts, num_part) == expected


def test_signatures_of_another_length_are_refused():
    short = DedupSettings(num_perm=64)
    sigs = [signature("a", ("p", 1), BASE, short), signature("b", ("p", 2), OTHER, short)]
    with pytest.raises(ValueError, match="hash values"):
        find_duplicates(sigs)


def test_signatures_of_another_seed_are_refused():
    sigs = [signature("a", ("p", 1), BASE), signature("b", ("p", 2), BASE, DedupSettings(seed=2))]
    with pytest.raises(ValueError, match="different seeds"):
        find_duplicates(sigs)
