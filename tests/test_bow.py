"""bow: TF-IDF rows from stored sentence tokens equal the vectorizer's own transform."""

import random

import numpy as np
import pyarrow as pa
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from corpus_tools.bow import encode_sentence_tokens, tfidf_rows

WORDS = ["召开", "职代会", "表彰", "劳模", "工会", "。", "，", "送温暖", "a", "B", "2024", "金秋助学", "职工"]


def _split(doc: str) -> list[str]:
    return doc.split(" ") if doc else []


def _corpus(rng: random.Random, n_docs: int) -> tuple[list[list[str]], list[int]]:
    """Sentences (token strings) and the report of each; some reports have no sentence."""
    sentences, owner = [], []
    for d in range(n_docs):
        for _ in range(rng.choice([0, 1, 1, 2, 5])):
            sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))))
            owner.append(d)
    order = list(range(len(sentences)))
    rng.shuffle(order)  # sentences need not come grouped by report
    return [sentences[i] for i in order], [owner[i] for i in order]


def _docs(sentences: list[str], owner: list[int], n_docs: int) -> list[str]:
    joined = [[] for _ in range(n_docs)]
    for s, d in zip(sentences, owner, strict=True):
        if d >= 0:
            joined[d].append(s)
    return [" ".join(x) for x in joined]


@pytest.mark.parametrize("settings", [
    dict(sublinear_tf=True),
    dict(sublinear_tf=False),
    dict(norm=None),
    dict(use_idf=False, norm="l1"),
    dict(smooth_idf=False, sublinear_tf=True),
])
@pytest.mark.parametrize("seed", range(4))
def test_rows_equal_the_vectorizers_transform(settings, seed):
    rng = random.Random(seed)
    train, _ = _corpus(rng, 30)
    vec = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False, **settings)
    vec.fit(train[: max(1, len(train) // 2)])  # unseen words remain in the rest
    sentences, owner = _corpus(rng, 40)
    owner = [d if rng.random() > 0.1 else -1 for d in owner]  # sentences of no report are left out
    expected = vec.transform(_docs(sentences, owner, 40))
    got = tfidf_rows(encode_sentence_tokens(pa.array(sentences), np.array(owner), 40), vec)
    assert got.shape == expected.shape
    assert (got != expected).nnz == 0  # value for value, not approximately
    assert got.has_sorted_indices


def test_a_vocabulary_out_of_word_order_still_gives_sorted_rows():
    vec = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False,
                          vocabulary={"职工": 0, "工会": 1, "召开": 2, "。": 3})
    vec.fit(["职工 工会", "召开 。"])
    sentences = ["召开 职工 工会 。 职工", "工会"]
    got = tfidf_rows(encode_sentence_tokens(pa.array(sentences), np.array([0, 1]), 2), vec)
    assert (got != vec.transform(sentences)).nnz == 0
    assert all(np.all(np.diff(got.indices[got.indptr[i]:got.indptr[i + 1]]) > 0) for i in range(2))


def test_empty_input_gives_empty_rows():
    vec = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False).fit(["召开 职代会"])
    got = tfidf_rows(encode_sentence_tokens(pa.array([], pa.string()), np.array([], dtype=np.int64), 3), vec)
    assert got.shape == (3, 2) and got.nnz == 0


def test_mismatched_report_rows_are_refused():
    with pytest.raises(ValueError, match="2 sentences but 1 report rows"):
        encode_sentence_tokens(pa.array(["a", "b"]), np.array([0]), 1)
