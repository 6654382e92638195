"""The dedup stage: exact and near-duplicate reports, within and across pages.

Each report is summarised by a MinHash signature over character shingles (datasketch). Only
these small summaries are compared, so the step works the same whether the reports were
processed in one process or on a cluster. A report is a duplicate of an *earlier* report
(in source-file, report-index order) when it is (nearly) the same text or (nearly) contained
in it — compilations often copy half of another page's report — or when it repeats an earlier
report in full and adds only a little (at most half of it is new).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash, MinHashLSHEnsemble

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DedupSettings:
    shingle: int = 5
    num_perm: int = 128
    threshold: float = 0.8  # share of one report's shingles found in the other
    superset_share: float = 0.5  # a later report holding all of an earlier one must be mostly that copy
    seed: int = 1


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
    """Summarise one report."""
    norm = normalise_for_dedup(text)
    k = settings.shingle
    shingles = {norm[i:i + k] for i in range(max(1, len(norm) - k + 1))} if norm else set()
    mh = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine32")
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    exact = hashlib.sha1(norm.encode("utf-8")).hexdigest()
    return DocSignature(doc_id, order, exact, len(shingles), LeanMinHash(mh))


def signature_row(sig: DocSignature) -> dict:
    """A signature as a row of the internal ``signatures`` table."""
    return dict(doc_id=sig.doc_id, source_file=sig.order[0], report_index=sig.order[1], exact=sig.exact,
                size=sig.size, hashvalues=[int(v) for v in sig.minhash.hashvalues])


def signature_from_row(row: dict, settings: DedupSettings = DedupSettings()) -> DocSignature:
    """Rebuild a signature stored by :func:`signature_row`."""
    mh = LeanMinHash(seed=settings.seed, hashvalues=row["hashvalues"], scheme="affine32")
    return DocSignature(row["doc_id"], (row["source_file"], row["report_index"]), row["exact"], row["size"], mh)


def find_duplicates(sigs: Sequence[DocSignature],
                    settings: DedupSettings = DedupSettings()) -> dict[str, str]:
    """Map doc_id -> doc_id of the earliest report it duplicates (originals are absent)."""
    ordered = sorted(sigs, key=lambda s: s.order)
    result: dict[str, str] = {}
    first_exact: dict[str, str] = {}
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
    lean = {s.doc_id: s.minhash for s in candidates}
    index = MinHashLSHEnsemble(threshold=settings.threshold, num_perm=settings.num_perm, num_part=8)
    index.index([(s.doc_id, lean[s.doc_id], s.size) for s in candidates])
    rank = {s.doc_id: i for i, s in enumerate(ordered)}
    by_id = {s.doc_id: s for s in candidates}
    origin: dict[str, str] = {}
    for q in candidates:
        for x_id in index.query(lean[q.doc_id], q.size):
            if x_id == q.doc_id:
                continue
            x = by_id[x_id]
            if _containment(q, x, lean) < settings.threshold:
                continue
            if rank[x_id] < rank[q.doc_id]:
                later, earlier = q, x  # q repeats (most of) an earlier report
            elif _containment(x, q, lean) >= settings.superset_share:
                later, earlier = x, q  # a later report repeats q in full and adds a little
            else:
                continue
            best = origin.get(later.doc_id)
            if best is None or rank[earlier.doc_id] < rank[best]:
                origin[later.doc_id] = earlier.doc_id
    for doc_id in sorted(origin, key=rank.__getitem__):
        if doc_id in result:
            continue
        target = origin[doc_id]
        result[doc_id] = result.get(target, target)
    return result


def _containment(q: DocSignature, x: DocSignature, lean: dict[str, LeanMinHash]) -> float:
    """Estimated share of q's shingles that also occur in x."""
    j = lean[q.doc_id].jaccard(lean[x.doc_id])
    if j <= 0:
        return 0.0
    return min(1.0, j * (q.size + x.size) / ((1 + j) * q.size))
