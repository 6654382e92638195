"""The dedup stage: exact and near-duplicate reports, within and across pages.

Each report is summarised by a MinHash signature over character shingles (datasketch). Only
these small summaries are compared, so the step works the same whether the reports were
processed in one process or on a cluster. A report is a duplicate of an *earlier* report
(in source-file, report-index order) when it is (nearly) the same text or (nearly) contained
in it — compilations often copy half of another page's report — or when it repeats an earlier
report in full and adds only a little (at most half of it is new).

How it is computed, and why it is fast:

* :func:`signature` hashes every shingle with numpy in one pass over the text's code points
  (:func:`shingle_hashes`) instead of calling SHA-1 once per shingle, then applies datasketch's
  ``affine32`` permutations to all shingles at once. The result is exactly the datasketch
  ``affine32`` MinHash of the shingle set under that shingle hash, so signatures remain
  ordinary :class:`~datasketch.LeanMinHash` objects. ``DedupSettings.hash`` names the shingle
  hash; it is part of the ingest fingerprint, so signatures stored under another hash are never
  compared with new ones.
* :func:`find_duplicates` finds exactly the candidate pairs datasketch's ``MinHashLSHEnsemble``
  would return (same size partitions, same tuned bands per partition and query size), but
  for all reports at once: the partition search is vectorised (datasketch's costs
  O(distinct sizes²) Python calls, a minute for 5,000 reports), band matches come from
  sparse matrix products, and containment is estimated for all candidate pairs in one array
  operation, with the same floating-point results as the per-pair code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # datasketch and scipy load in about a second: imported where used, so the CLI starts fast
    from datasketch import LeanMinHash
    from scipy import sparse

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)

#: Shingle hashes :func:`signature` knows: ``"fmix64"`` (code points packed and mixed with
#: numpy, see :func:`shingle_hashes`) and ``"sha1"`` (datasketch's default: SHA-1 of each
#: shingle's UTF-8 bytes; the scheme of signatures stored before the ``hash`` setting existed,
#: about ten times slower).
SHINGLE_HASHES = ("fmix64", "sha1")

_U32_MAX = np.uint32(0xFFFFFFFF)
_CODE_POINT_BITS = 21  # every code point is below 0x110000 = 2**21, so three fit in 64 bits
_PERMUTATION_COLUMNS = 8192  # shingles permuted per step: bounds the num_perm x shingles block (4 MB)
_PAIR_CHUNK = 1 << 13  # candidate pairs compared per step, for the same reason
_QUERY_BLOCK = 512  # queries whose candidate pairs are found, compared and reduced together
_LSH_ENSEMBLE_PARTS = 8  # partitions of the LSH Ensemble (by set size)


@dataclass(frozen=True)
class DedupSettings:
    shingle: int = 5
    num_perm: int = 128
    threshold: float = 0.8  # share of one report's shingles found in the other
    superset_share: float = 0.5  # a later report holding all of an earlier one must be mostly that copy
    seed: int = 1
    # How a shingle becomes the MinHash input (one of SHINGLE_HASHES). Signatures made with
    # different hashes are incomparable, and this field being in the ingest fingerprint is
    # what keeps them apart.
    hash: str = "fmix64"

    def __post_init__(self) -> None:
        if self.hash not in SHINGLE_HASHES:
            raise ValueError(f"unknown dedup hash {self.hash!r}; expected one of {', '.join(SHINGLE_HASHES)}")


@dataclass(frozen=True)
class DocSignature:
    """The small summary of one report used for duplicate detection."""

    doc_id: str
    order: tuple[str, int]
    exact: str
    size: int
    minhash: LeanMinHash


def normalise_for_dedup(text: str) -> str:
    """Drop whitespace and punctuation so layout differences do not hide a copy."""
    return _NOISE.sub("", text)


def signature(doc_id: str, order: tuple[str, int], text: str,
              settings: DedupSettings = DedupSettings()) -> DocSignature:
    """Summarise one report.

    ``size`` is the number of distinct shingles (for ``"fmix64"``, of distinct 64-bit shingle
    hashes, which differs only if two shingles of one report collide in 64 bits).

    Example
    -------
    >>> s = signature("d1", ("page.txt", 1), "院工会认真履行职能，巩固建家成果。")
    >>> s.size, len(s.minhash)
    (11, 128)
    """
    cps = _normalised_code_points(text)
    norm = cps.tobytes().decode("utf-32-le")  # no surrogates: normalisation drops them
    exact = hashlib.sha1(norm.encode("utf-8")).hexdigest()
    if settings.hash == "sha1":
        return _signature_sha1(doc_id, order, norm, exact, settings)
    hashes = _shingle_hashes_of_code_points(cps, settings.shingle)
    values = affine32_minhash_values((hashes >> np.uint64(32)).astype(np.uint32), settings.num_perm, settings.seed)
    return DocSignature(doc_id, order, exact, len(hashes), _lean_minhash(settings.seed, values))


def _normalised_code_points(text: str) -> np.ndarray:
    """The code points of ``normalise_for_dedup(text)`` (``<u4``), by a table lookup per code
    point instead of the regex, which costs about as much as all the hashing together.

    The table covers the Basic Multilingual Plane; a text with a code point beyond it (rare:
    emoji, rare CJK extensions) goes through the regex itself.
    """
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if len(cps) and cps.max() > 0xFFFF:
        return np.frombuffer(normalise_for_dedup(text).encode("utf-32-le"), dtype="<u4")
    return cps[_bmp_kept()[cps]]


@lru_cache(maxsize=1)
def _bmp_kept() -> np.ndarray:
    """Per BMP code point: whether :func:`normalise_for_dedup` keeps it. Taken from ``_NOISE``
    itself (a character class, so each character is kept or dropped on its own), so the table
    cannot disagree with the regex; about 30 ms, once per process."""
    kept_text = normalise_for_dedup("".join(map(chr, range(0x10000))))
    table = np.zeros(0x10000, dtype=bool)
    table[np.frombuffer(kept_text.encode("utf-32-le", "surrogatepass"), dtype="<u4")] = True
    table.setflags(write=False)
    return table


def _lean_minhash(seed: int, values: np.ndarray) -> LeanMinHash:
    """``LeanMinHash(seed=seed, hashvalues=values, scheme="affine32")`` without its checks.

    The constructor validates the values (two reductions and a copy), about a tenth of a
    short report's signature; ``values`` here are fresh affine32 values that nothing else
    holds, so the object is filled in directly, the way datasketch's own ``copy`` does.
    """
    from datasketch import LeanMinHash

    mh = object.__new__(LeanMinHash)
    mh.seed, mh.scheme, mh.hashvalues = seed, "affine32", values
    return mh


def _signature_sha1(doc_id: str, order: tuple[str, int], norm: str, exact: str,
                    settings: DedupSettings) -> DocSignature:
    """The signature as first implemented: datasketch hashes each shingle with SHA-1."""
    k = settings.shingle
    shingles = {norm[i:i + k] for i in range(max(1, len(norm) - k + 1))} if norm else set()
    from datasketch import LeanMinHash, MinHash

    mh = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine32")
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return DocSignature(doc_id, order, exact, len(shingles), LeanMinHash(mh))


def shingle_hashes(norm: str, k: int = 5) -> np.ndarray:
    """The distinct 64-bit hashes of the ``k``-character shingles of a normalised text, sorted.

    Each shingle's code points are packed three to a 64-bit word (injective, as code points
    have 21 bits), and the words are folded in with the MurmurHash3 64-bit finalizer:
    ``h = fmix64(h ^ word)``. The first word alone is a bijection; a later word collides only
    if two mixed prefixes differ by exactly the xor of the two words, a ~2**-64 chance. So
    distinct shingles practically never share a hash, and the finalizer's avalanche makes the
    high 32 bits (the MinHash input) well spread even for runs of neighbouring code points.

    A text shorter than ``k`` is one shingle, as in the original set-of-strings definition; it
    is padded with NUL, which normalisation never leaves in a text.

    Example
    -------
    >>> len(shingle_hashes("工会工会工会", 2))  # 工会, 会工
    2
    """
    return _shingle_hashes_of_code_points(np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype="<u4"), k)


def _shingle_hashes_of_code_points(code_points: np.ndarray, k: int) -> np.ndarray:
    """:func:`shingle_hashes` of a text given as its code points."""
    if len(code_points) == 0:
        return np.empty(0, dtype=np.uint64)
    cps = code_points.astype(np.uint64)
    if len(cps) < k:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
    n = len(cps) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    scratch = np.empty(n, dtype=np.uint64)  # one temporary for all the shifts below
    for start in range(0, k, 3):
        word = cps[start:start + n].copy()
        for j in range(1, min(3, k - start)):
            np.left_shift(cps[start + j:start + j + n], np.uint64(_CODE_POINT_BITS * j), out=scratch)
            word |= scratch
        h ^= word
        _fmix64_inplace(h, scratch)
    h.sort()  # np.unique's hash table is several times slower on arrays this small
    return h[np.concatenate(([True], h[1:] != h[:-1]))]


def affine32_minhash_values(hashes: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash values of a set of 32-bit hashes under datasketch's ``affine32`` scheme.

    The same as ``MinHash(num_perm, seed, hashfunc=<identity>, scheme="affine32")`` updated with
    ``hashes`` (pre-mix with the 32-bit MurmurHash3 finalizer, then ``a*h + b mod 2**32`` per
    permutation, minimum over the set), but without Python calls per value and in blocks of
    shingles so memory stays bounded on very long reports. An empty set gives the all-max
    values of an empty MinHash.
    """
    a, b = _affine32_permutations(num_perm, seed)
    mixed = _fmix32(hashes.astype(np.uint32, copy=False))
    mins = np.full(num_perm, _U32_MAX, dtype=np.uint32)
    if len(mixed) == 0:
        return mins
    # permutations x shingles, not the other way round: each row then applies one (a, b) to a
    # contiguous run of shingles and reduces along it, which numpy does about 1.5x faster than
    # shingles x 128 permutations; one block per call, reused for every step
    a_col, b_col = a[:, None], b[:, None]
    width = min(len(mixed), _PERMUTATION_COLUMNS)
    block = np.empty((num_perm, width), dtype=np.uint32)
    for start in range(0, len(mixed), width):
        part = block[:, :len(mixed) - start] if start + width > len(mixed) else block
        np.multiply(a_col, mixed[None, start:start + width], out=part)  # wraps: arithmetic mod 2**32
        part += b_col
        np.minimum(mins, part.min(axis=1), out=mins)
    return mins


@lru_cache(maxsize=8)
def _affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of datasketch's affine32 permutations for this seed, drawn by datasketch
    itself so that our values are its values."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    a, b = a.astype(np.uint32), b.astype(np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's affine32 pre-mix), on a new array."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _fmix64_inplace(h: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """MurmurHash3's 64-bit finalizer, a bijection with full avalanche, in place.

    ``scratch`` (an array like ``h``) holds the shifted values, so that none is allocated.
    """
    if scratch is None:
        scratch = np.empty_like(h)
    shift = np.uint64(33)
    np.right_shift(h, shift, out=scratch)
    h ^= scratch
    h *= np.uint64(0xFF51AFD7ED558CCD)
    np.right_shift(h, shift, out=scratch)
    h ^= scratch
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    np.right_shift(h, shift, out=scratch)
    h ^= scratch


def signature_row(sig: DocSignature) -> dict:
    """A signature as a row of the internal ``signatures`` table."""
    return dict(doc_id=sig.doc_id, source_file=sig.order[0], report_index=sig.order[1], exact=sig.exact,
                size=sig.size, hashvalues=np.asarray(sig.minhash.hashvalues).tolist())


def signature_from_row(row: dict, settings: DedupSettings = DedupSettings()) -> DocSignature:
    """Rebuild a signature stored by :func:`signature_row`.

    Both shingle hashes give affine32 values, so rebuilding does not depend on
    ``settings.hash``; stored rows only ever meet signatures of the same hash because the hash
    is part of the ingest fingerprint.
    """
    from datasketch import LeanMinHash

    mh = LeanMinHash(seed=settings.seed, hashvalues=row["hashvalues"], scheme="affine32")
    return DocSignature(row["doc_id"], (row["source_file"], row["report_index"]), row["exact"], row["size"], mh)


def signatures_from_table(table: pa.Table, settings: DedupSettings = DedupSettings()) -> list[DocSignature]:
    """Every signature stored in a ``signatures`` table (rows of :func:`signature_row`), as
    :func:`signature_from_row` rebuilds them one by one.

    The hash values are read as one array instead of a Python int per value: the driver reads
    the signatures of the whole corpus, and 128 Python ints per report add up.
    """
    n = table.num_rows
    if n == 0:
        return []
    column = table["hashvalues"].combine_chunks()
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    if column.null_count or (lengths != lengths[0]).any():
        return [signature_from_row(r, settings) for r in table.to_pylist()]
    values = pc.list_flatten(column).to_numpy(zero_copy_only=False).astype(np.uint32, copy=False)
    values = values.reshape(n, int(lengths[0]))
    doc_ids = table["doc_id"].to_pylist()
    files = table["source_file"].to_pylist()
    indexes = table["report_index"].to_pylist()
    exacts = table["exact"].to_pylist()
    sizes = table["size"].to_pylist()
    return [DocSignature(doc_ids[i], (files[i], indexes[i]), exacts[i], sizes[i],
                         _lean_minhash(settings.seed, values[i]))
            for i in range(n)]


# -- near duplicates --------------------------------------------------------------------------------
def find_duplicates(sigs: Sequence[DocSignature],
                    settings: DedupSettings = DedupSettings()) -> dict[str, str]:
    """Map doc_id -> doc_id of the earliest report it duplicates (originals are absent).

    Candidates come from an LSH Ensemble over containment (as datasketch's
    ``MinHashLSHEnsemble(threshold, num_perm, num_part=8)`` would return them); a candidate
    pair counts when its estimated containment passes ``settings.threshold``.

    Example
    -------
    >>> text = "全年慰问老教授、老专家、生病住院职工等600多人次，奖励大中小学生411人。"
    >>> a = signature("a", ("p.txt", 1), text)
    >>> b = signature("b", ("p.txt", 2), text + "各位代表！")
    >>> find_duplicates([b, a])
    {'b': 'a'}
    """
    ordered = sorted(sigs, key=lambda s: s.order)
    if len({(s.minhash.seed, s.minhash.scheme) for s in ordered if s.size >= 3}) > 1:
        raise ValueError("signatures made with different seeds or schemes cannot be compared")
    width = next((len(s.minhash.hashvalues) for s in ordered if s.size >= 3), settings.num_perm)
    blank = np.zeros(width, dtype=np.uint32)  # reports too short to compare carry no values
    hv = (np.stack([np.asarray(s.minhash.hashvalues) if s.size >= 3 else blank for s in ordered]) if ordered
          else np.zeros((0, width), dtype=np.uint32))
    return _duplicates_in_order([s.doc_id for s in ordered], [s.exact for s in ordered],
                                np.array([s.size for s in ordered], dtype=np.int64), hv, settings)


def find_duplicates_in_table(table: pa.Table, settings: DedupSettings = DedupSettings()) -> dict[str, str]:
    """``find_duplicates`` over the rows of a ``signatures`` table (see :func:`signature_row`),
    read as arrays: no signature object per report. This is how ingest's driver runs it; the
    rows only ever hold signatures of the run's seed and hash (both are in its fingerprint)."""
    if table.num_rows == 0:
        return {}
    column = table["hashvalues"].combine_chunks()
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    if column.null_count or (lengths != lengths[0]).any():
        return find_duplicates(signatures_from_table(table, settings), settings)
    # report order, as find_duplicates sorts by (source_file, report_index): Arrow compares
    # strings by their UTF-8 bytes, which orders them as Python does, and the sort is stable
    order = pc.sort_indices(table, sort_keys=[("source_file", "ascending"), ("report_index", "ascending")])
    order = order.to_numpy(zero_copy_only=False)
    hv = pc.list_flatten(column).to_numpy(zero_copy_only=False).astype(np.uint32, copy=False)
    doc_ids, exacts = table["doc_id"].to_pylist(), table["exact"].to_pylist()
    return _duplicates_in_order([doc_ids[i] for i in order.tolist()], [exacts[i] for i in order.tolist()],
                                table["size"].to_numpy().astype(np.int64)[order],
                                hv.reshape(table.num_rows, int(lengths[0]))[order], settings)


def _duplicates_in_order(doc_ids: list[str], exacts: list[str], sizes: np.ndarray, hv: np.ndarray,
                         settings: DedupSettings) -> dict[str, str]:
    """``find_duplicates`` of reports given in report order as parallel lists and arrays."""
    result: dict[str, str] = {}
    first_exact: dict[str, str] = {}
    for doc_id, exact, size in zip(doc_ids, exacts, sizes.tolist(), strict=True):
        if size == 0:
            continue
        if exact in first_exact:
            result[doc_id] = first_exact[exact]
        else:
            first_exact[exact] = doc_id
    # the candidates are in report order, so a position among them ranks reports as well
    chosen = np.flatnonzero(sizes >= 3)
    if len(chosen) < 2:
        return result
    ids = [doc_ids[i] for i in chosen.tolist()]
    hv, sizes = hv[chosen], sizes[chosen]
    if hv.shape[1] != settings.num_perm:
        raise ValueError(f"signatures have {hv.shape[1]} hash values, settings expect {settings.num_perm}")
    # A later exact copy has the same values and size as its first copy, so it finds and is
    # found by the same reports; as the earlier side of a pair its first copy always wins, and
    # as the later side it is already mapped. Leaving such copies out of the search (but not
    # out of the size distribution the partitions are fitted to) changes nothing and keeps
    # pages reposted many times from producing pairs quadratically. (Checked, not assumed:
    # a copy whose signature differs from its first copy's is searched.)
    position = {d: i for i, d in enumerate(ids)}
    searched = np.ones(len(ids), dtype=bool)
    for i, d in enumerate(ids):
        first = position.get(result.get(d, d), i)
        if first != i and sizes[first] == sizes[i] and np.array_equal(hv[first], hv[i]):
            searched[i] = False
    # the pairs come in blocks and each block is reduced at once (the earliest report each one
    # repeats), so memory does not grow with the number of near-duplicate pairs
    origin = np.full(len(ids), len(ids), dtype=np.int64)
    for q, x, same in _ensemble_candidates(hv, sizes, searched, settings.threshold):
        cont_qx = _containment(same, sizes[q], sizes[x], settings.num_perm)
        cont_xq = _containment(same, sizes[x], sizes[q], settings.num_perm)
        passed = cont_qx >= settings.threshold
        repeats_earlier = passed & (x < q)  # q repeats (most of) an earlier report
        repeated_later = passed & (x > q) & (cont_xq >= settings.superset_share)  # a later x repeats q, adds a little
        later = np.concatenate([q[repeats_earlier], x[repeated_later]])
        earlier = np.concatenate([x[repeats_earlier], q[repeated_later]])
        np.minimum.at(origin, later, earlier)
    for i in np.flatnonzero(origin < len(ids)).tolist():  # in report order, so chains resolve to the first
        doc_id = ids[i]
        if doc_id in result:
            continue
        target = ids[origin[i]]
        result[doc_id] = result.get(target, target)
    return result


def _containment(same: np.ndarray, q_size: np.ndarray, x_size: np.ndarray, num_perm: int) -> np.ndarray:
    """Estimated share of q's shingles that also occur in x, for arrays of pairs.

    From the Jaccard estimate j = same / num_perm: |q ∩ x| = j (|q| + |x|) / (1 + j). The float
    operations are those of datasketch's ``jaccard`` and the scalar formula, in the same order,
    so the values are the same to the bit.
    """
    j = same / float(num_perm)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.minimum(1.0, j * (q_size + x_size) / ((1 + j) * q_size))
    return np.where(j <= 0, 0.0, c)


def _ensemble_candidates(hv: np.ndarray, sizes: np.ndarray, searched: np.ndarray,
                         threshold: float) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Ordered pairs (q, x), q != x, such that querying datasketch's LSH Ensemble with q would
    return x, among the rows where ``searched`` is true; with, per pair, how many of their
    MinHash values are equal (the numerator of the Jaccard estimate). Yielded in blocks of at
    most ``_QUERY_BLOCK`` queries' pairs, each pair once.

    The ensemble splits the sets into partitions by size. Querying with set q, partition i is
    searched with ``b`` bands of ``r`` values, tuned for the ratio of the partition's largest
    size to |q|, and x is returned when one of those bands of x equals q's. There are only a
    few distinct ``(b, r)``; for each, the sets are linked to the bands they share with another
    set (a sparse set x band incidence matrix), and for every partition the queries that use
    this ``(b, r)`` there are multiplied with the partition's sets. A product lists each pair
    once however many bands it shares, so a cluster of many near-identical reports costs one
    pass over its pairs, not one per band.
    """
    n, num_perm = hv.shape
    distinct, counts = np.unique(sizes, return_counts=True)
    bounds = ensemble_partitions(distinct, counts, _LSH_ENSEMBLE_PARTS)
    uppers = np.array([upper for _, upper in bounds], dtype=np.int64)
    part = np.searchsorted(uppers, sizes, side="left")
    xqs, params = _ensemble_params(threshold, num_perm)
    # the ensemble looks the ratio up as float(upper) / float(size), with searchsorted 'left'
    ratio = uppers[None, :].astype(np.float64) / sizes[:, None].astype(np.float64)
    tuned = np.minimum(np.searchsorted(xqs, ratio, side="left"), len(params) - 1)  # (n, parts): row of params
    choices, choice_of_row = np.unique(params, axis=0, return_inverse=True)
    choice = choice_of_row.reshape(-1)[tuned]
    rows = np.flatnonzero(searched)
    for k, (b, r) in enumerate(choices):
        shared = _shared_bands(hv[rows], int(b), int(r))
        for i in range(len(uppers)):
            queries = np.flatnonzero(choice[rows, i] == k)
            members = np.flatnonzero(part[rows] == i)
            if not len(queries) or not len(members):
                continue
            member_bands = shared[members].T.tocsr()
            for start in range(0, len(queries), _QUERY_BLOCK):
                block = queries[start:start + _QUERY_BLOCK]
                hits = (shared[block] @ member_bands).tocoo()
                q, x = rows[block[hits.row]], rows[members[hits.col]]
                q, x = q[q != x], x[q != x]
                if not len(q):
                    continue
                limit, width = params[tuned[q, part[x]]].T
                same, banded = _compare_pairs(hv, q, x, limit, width)
                yield q[banded], x[banded], same[banded]


def _shared_bands(hv: np.ndarray, b: int, r: int) -> sparse.csr_matrix:
    """Incidence matrix: row s has a 1 in the column of each of its first ``b`` bands of ``r``
    values that some other row also has. Bands are told apart by a 64-bit key of their values
    (a key collision could only add a pair, and :func:`_compare_pairs` drops those)."""
    m = len(hv)
    members: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    offset = 0
    for j in range(b):
        keys = _band_keys(hv[:, j * r:(j + 1) * r])
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        new_group = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
        group = np.cumsum(new_group) - 1
        group_size = np.bincount(group)
        shared = group_size[group] >= 2  # a band no other set has can only find the set itself
        members.append(order[shared])
        columns.append(offset + group[shared])
        offset += len(group_size)
    row = np.concatenate(members)
    data = np.ones(len(row), dtype=np.int32)
    from scipy import sparse

    return sparse.csr_matrix((data, (row, np.concatenate(columns))), shape=(m, max(offset, 1)))


def _band_keys(band: np.ndarray) -> np.ndarray:
    """A 64-bit key per row of a band of MinHash values (equal bands, equal keys)."""
    key = np.zeros(len(band), dtype=np.uint64)
    for col in band.T:
        key ^= col.astype(np.uint64)
        _fmix64_inplace(key)
    return key


def _compare_pairs(hv: np.ndarray, q: np.ndarray, x: np.ndarray, limit: np.ndarray,
                   width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: how many MinHash values of q and x are equal, and whether one of the first
    ``limit`` bands of ``width`` values is entirely equal (the LSH match, checked exactly)."""
    num_perm = hv.shape[1]
    same = np.empty(len(q), dtype=np.int64)
    banded = np.empty(len(q), dtype=bool)
    for start in range(0, len(q), _PAIR_CHUNK):
        chunk = slice(start, start + _PAIR_CHUNK)
        equal = hv[q[chunk]] == hv[x[chunk]]
        same[chunk] = np.count_nonzero(equal, axis=1)
        chunk_limit, chunk_width = limit[chunk], width[chunk]
        matched = np.zeros(len(equal), dtype=bool)
        for r in np.unique(chunk_width):
            pick = chunk_width == r
            n_bands = num_perm // int(r)
            values = equal[pick, :n_bands * r].reshape(-1, n_bands, int(r))
            bands = values[:, :, 0].copy()
            for v in range(1, int(r)):  # and-ing the r columns is much faster than .all(axis=2)
                bands &= values[:, :, v]
            first = np.where(bands.any(axis=1), bands.argmax(axis=1), n_bands)
            matched[pick] = first < chunk_limit[pick]
        banded[chunk] = matched
    return same, banded


@lru_cache(maxsize=8)
def _ensemble_params(threshold: float, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The ensemble's size ratios and tuned ``(b, r)`` per ratio, as datasketch computes them
    (numerical integration of false positive and negative rates; about 0.1–0.3 s, so once)."""
    from datasketch import MinHashLSHEnsemble

    ensemble = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm, num_part=1)
    xqs, params = np.array(ensemble.xqs, dtype=np.float64), np.array(ensemble.params, dtype=np.int64)
    xqs.setflags(write=False)
    params.setflags(write=False)
    return xqs, params


def ensemble_partitions(sizes: np.ndarray, counts: np.ndarray, num_part: int) -> list[tuple[int, int]]:
    """Size partitions ``[(lower, upper), ...]`` (inclusive) of the LSH Ensemble for a set-size
    distribution: the same search as datasketch's ``optimal_partitions``, vectorised.

    ``sizes`` are the distinct set sizes in ascending order and ``counts`` their frequencies.
    Using a partition's upper size for all its sets costs an expected number of false positives
    ``nfp(l, u) = sum_{l<=i<=u} counts[i] * (sizes[u] - sizes[i]) / sizes[u]``, and a dynamic
    program minimises its total. datasketch evaluates each ``nfp`` with a numpy call and the
    program in Python, O(distinct sizes²) calls (a minute for 5,000 reports); here ``nfp`` comes
    from prefix sums in exact integers and the program runs on blocks of its table at once.

    The backtracking step reproduces datasketch's exactly, including that it reads the cost
    table of ``p`` rather than ``p - 1`` partitions, so that the partitions — and with them
    the candidates — are the ones ``MinHashLSHEnsemble`` would use.

    Example
    -------
    >>> ensemble_partitions(np.array([10, 11, 12, 50, 51, 200]), np.array([3, 1, 2, 5, 1, 1]), 3)
    [(10, 12), (50, 51), (200, 200)]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    n = len(sizes)
    if num_part < 2:
        return [(int(sizes[0]), int(sizes[-1]))]
    if num_part >= n:
        return [(int(s), int(s)) for s in sizes]
    nfp = _NfpTable(sizes, counts)
    if num_part == 2:
        u = int(np.argmin(nfp.first(np.arange(n - 1)) + nfp.last_from(np.arange(n - 1), n - 1)))
        return [(int(sizes[0]), int(sizes[u])), (int(sizes[u + 1]), int(sizes[-1]))]
    # cost[u, p - 2]: least total nfp of p partitions of sizes[0..u] (0 where never computed)
    cost = nfp.split_costs(num_part)
    p = num_part
    u = p - 2 + int(np.argmin(cost[p - 2:n - 1, p - 3] + nfp.last_from(np.arange(p - 2, n - 1), n - 1)))
    partitions = [(int(sizes[u + 1]), int(sizes[-1]))]
    p -= 1
    while p > 1:
        u1 = p - 2 + int(np.argmin(cost[p - 2:u, p - 2] + nfp.last_from(np.arange(p - 2, u), u)))
        partitions.insert(0, (int(sizes[u1 + 1]), int(sizes[u])))
        u = u1
        p -= 1
    partitions.insert(0, (int(sizes[0]), int(sizes[u])))
    return partitions


class _NfpTable:
    """``nfp(l, u)`` of :func:`ensemble_partitions` from prefix sums, without the n x n table.

    The numerator ``sizes[u] * count(l..u) - weight(l..u)`` is an integer below 2**53 (checked:
    largest size x number of sets, and total weight), so it is exact in float64 and each value
    is the correctly rounded quotient; datasketch's float sums agree with it to the last bits.
    """

    _BLOCK_ELEMENTS = 1 << 20  # split x u block of split_costs, bounds its memory (8 MB)

    def __init__(self, sizes: np.ndarray, counts: np.ndarray) -> None:
        self.sizes = sizes.astype(np.float64)
        self.cum_count = np.concatenate(([0], np.cumsum(counts))).astype(np.float64)
        self.cum_weight = np.concatenate(([0], np.cumsum(counts * sizes))).astype(np.float64)
        if max(self.sizes[-1] * self.cum_count[-1], self.cum_weight[-1]) >= 2.0 ** 53:
            raise ValueError("set sizes too large for exact partition costs")

    def first(self, u: np.ndarray) -> np.ndarray:
        """nfp(0, u) for an array of u."""
        s = self.sizes[u]
        return (s * self.cum_count[u + 1] - self.cum_weight[u + 1]) / s

    def last_from(self, u1: np.ndarray, u: int) -> np.ndarray:
        """nfp(u1 + 1, u) for an array of u1 and one u."""
        s = self.sizes[u]
        count = self.cum_count[u + 1] - self.cum_count[u1 + 1]
        weight = self.cum_weight[u + 1] - self.cum_weight[u1 + 1]
        return (s * count - weight) / s

    def split_costs(self, num_part: int) -> np.ndarray:
        """The forward table of the partition program, ``cost[u, p - 2]`` for p = 2 .. num_part - 1:
        the least ``prev[u1] + nfp(u1 + 1, u)`` over ``lo <= u1 < u``, where ``prev`` is
        ``nfp(0, .)`` with ``lo = 0`` for p = 2 and the table of ``p - 1`` with ``lo = p - 2``
        after; entries with ``u < p - 1`` stay 0, as in datasketch.

        Columns u are taken in blocks, and every p is done for a block before the next, since
        its rows u1 < u are then final; so each block of nfp values is computed once, not per p.
        """
        n = len(self.sizes)
        cost = np.zeros((n, num_part - 2))
        first = self.first(np.arange(n))
        block = max(1, self._BLOCK_ELEMENTS // n)
        for ua in range(1, n, block):
            ub = min(n, ua + block)
            s = self.sizes[ua:ub]
            # nfp(u1 + 1, u) = (s_u * C(u) - W(u) - s_u * C(u1) + W(u1)) / s_u, every step but the last exact
            own = s * self.cum_count[ua + 1:ub + 1] - self.cum_weight[ua + 1:ub + 1]
            nfp = np.multiply.outer(self.cum_count[1:ub], s)
            np.subtract(own, nfp, out=nfp)
            nfp += self.cum_weight[1:ub, None]
            nfp /= s
            # a split must leave u in the last partition: u1 < u (row ua + i of the tail is u1)
            tail = nfp[ua:]
            tail[np.tri(*tail.shape, dtype=bool)] = np.inf
            for p in range(2, num_part):
                lo, done = (0, first) if p == 2 else (p - 2, cost[:, p - 3])
                u0 = max(ua, p - 1)
                if u0 >= ub:
                    continue
                best = (nfp[lo:, u0 - ua:] + done[lo:ub - 1, None]).min(axis=0)
                cost[u0:ub, p - 2] = best
        return cost
