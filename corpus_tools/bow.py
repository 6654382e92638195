"""Bag-of-words matrices straight from the stored sentence tokens, at Arrow speed.

Labelling a partition needs each report's TF-IDF row under a fitted ``TfidfVectorizer``. Its
``transform`` walks every token in Python (about a microsecond each, per task); here the words
are split, pooled and coded by Arrow's compute kernels once, and each task only maps the few
thousand distinct words to its vocabulary. ``tfidf_rows`` gives exactly what the vectorizer's
``transform`` gives on the same words (tests/test_bow.py checks it value for value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class EncodedWords:
    """The words of ``n_docs`` reports as counts: report row ``docs[k]`` holds word
    ``words[codes[k]]`` ``counts[k]`` times. ``words`` are sorted and the pairs are sorted by
    report, then word, with no pair twice."""

    words: list[str]
    docs: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    n_docs: int


def encode_sentence_tokens(tokens: pa.Array | pa.ChunkedArray, sentence_doc: np.ndarray,
                           n_docs: int) -> EncodedWords:
    """Pool the words of sentence rows (the ``sentences.tokens`` strings, words joined by single
    spaces) by report: sentence ``i`` belongs to report row ``sentence_doc[i]`` (``-1``: to none).

    Examples
    --------
    >>> e = encode_sentence_tokens(pa.array(["召开 职代会 。", "表彰 劳模 召开"]), np.array([0, 1]), 2)
    >>> [(int(d), e.words[c], int(n)) for d, c, n in zip(e.docs, e.codes, e.counts)]
    [(0, '。', 1), (0, '召开', 1), (0, '职代会', 1), (1, '劳模', 1), (1, '召开', 1), (1, '表彰', 1)]
    """
    if isinstance(tokens, pa.ChunkedArray):
        tokens = tokens.combine_chunks()
    sentence_doc = np.asarray(sentence_doc, dtype=np.int64)
    if len(sentence_doc) != len(tokens):
        raise ValueError(f"{len(tokens)} sentences but {len(sentence_doc)} report rows")
    split = pc.split_pattern(tokens.fill_null(""), " ")
    per_sentence = pc.list_value_length(split).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(split.flatten())
    found = encoded.dictionary.to_pylist()
    # code the words in sorted order: a fitted vectorizer's columns are its words in sorted order,
    # so pairs sorted by (report, code) are then sorted by (report, column) for every vocabulary
    order = sorted(range(len(found)), key=found.__getitem__)
    rank = np.empty(len(found), dtype=np.int64)
    rank[order] = np.arange(len(found))
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    docs = np.repeat(sentence_doc, per_sentence)
    keep = docs >= 0
    pairs, counts = np.unique(docs[keep] * max(1, len(found)) + codes[keep], return_counts=True)
    return EncodedWords([found[i] for i in order], pairs // max(1, len(found)), pairs % max(1, len(found)),
                        counts, int(n_docs))


def tfidf_rows(encoded: EncodedWords, vectorizer: Any):
    """``vectorizer.transform`` of the reports' words, from their encoding: a CSR matrix with
    one row per report, equal value for value to what the fitted ``TfidfVectorizer`` gives when
    its analyzer yields exactly these words.

    Supports the settings the classifier uses: no binary counts, any ``sublinear_tf`` /
    ``use_idf`` / ``norm``.
    """
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    if getattr(vectorizer, "binary", False):
        raise ValueError("tfidf_rows does not support binary=True")
    vocabulary = vectorizer.vocabulary_
    column_of = np.fromiter((vocabulary.get(w, -1) for w in encoded.words), dtype=np.int64, count=len(encoded.words))
    columns = column_of[encoded.codes]
    known = columns >= 0
    rows = encoded.docs[known]
    indptr = np.zeros(encoded.n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=encoded.n_docs), out=indptr[1:])
    counts = sp.csr_array((encoded.counts[known].astype(np.float64), columns[known], indptr),
                          shape=(encoded.n_docs, len(vocabulary)))
    if np.any(np.diff(column_of[column_of >= 0]) <= 0):  # a vocabulary not in word order
        counts.sort_indices()
    counts.has_sorted_indices = True
    # what TfidfTransformer.transform does with the counts, step by step (same float operations)
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm is not None:
        counts = normalize(counts, norm=vectorizer.norm, copy=False)
    return counts


__all__ = ["EncodedWords", "encode_sentence_tokens", "tfidf_rows"]
