"""The dedup stage: exact and near-duplicate reports, within and across pages.

Each report is summarised by a MinHash signature over character shingles (datasketch). Only
these small summaries are compared, so the step works the same whether the reports were
processed in one process or on a cluster. A report is a duplicate of an *earlier* report
(in source-file, report-index order) when it is (nearly) the same text or (nearly) contained
in it — compilations often copy half of another page's report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSHEnsemble

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class DedupSettings:
    shingle: int = 5
    num_perm: int = 128
    threshold: float = 0.8  # containment of the later report in the earlier one
    seed: int = 1


@dataclass(frozen=True)
class DocSignature:
    """The small summary of one report used for duplicate detection."""

    doc_id: str
    order: tuple[str, int]
    exact: str
    size: int
    hashvalues: np.ndarray


def normalise_for_dedup(text: str) -> str:
    """Drop whitespace and punctuation so layout differences do not hide a copy."""
    return _NOISE.sub("", text)


def signature(doc_id: str, order: tuple[str, int], text: str,
              settings: DedupSettings = DedupSettings()) -> DocSignature:
    """Summarise one report."""
    norm = normalise_for_dedup(text)
    k = settings.shingle
    shingles = {norm[i:i + k] for i in range(max(1, len(norm) - k + 1))} if norm else set()
    mh = MinHash(num_perm=settings.num_perm, seed=settings.seed)
    mh.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    exact = hashlib.sha1(norm.encode("utf-8")).hexdigest()
    return DocSignature(doc_id, order, exact, len(shingles), np.asarray(mh.hashvalues, dtype=np.uint64))


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
    lean = {s.doc_id: LeanMinHash(seed=settings.seed, hashvalues=s.hashvalues) for s in candidates}
    index = MinHashLSHEnsemble(threshold=settings.threshold, num_perm=settings.num_perm, num_part=8)
    index.index([(s.doc_id, lean[s.doc_id], s.size) for s in candidates])
    rank = {s.doc_id: i for i, s in enumerate(ordered)}
    by_id = {s.doc_id: s for s in candidates}
    for s in candidates:
        if s.doc_id in result:
            continue
        best = None
        for other_id in index.query(lean[s.doc_id], s.size):
            if other_id == s.doc_id or rank[other_id] > rank[s.doc_id]:
                continue
            o = by_id[other_id]
            if _containment(s, o, lean) >= settings.threshold:
                if best is None or rank[other_id] < rank[best]:
                    best = other_id
        if best is not None:
            result[s.doc_id] = result.get(best, best)
    return result


def _containment(q: DocSignature, x: DocSignature, lean: dict[str, LeanMinHash]) -> float:
    """Estimated share of q's shingles that also occur in x."""
    j = lean[q.doc_id].jaccard(lean[x.doc_id])
    if j <= 0:
        return 0.0
    return min(1.0, j * (q.size + x.size) / ((1 + j) * q.size))
