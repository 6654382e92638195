"""Topic models over the stored reports: LDA or NMF, coherence, prevalence by sector.

The pieces, from the bottom up:

- ``TermTokenizer``: the ``Segmenter`` plus the rules that make words fit for topic models (a
  domain stop-list from ``resources/topic_stopwords.txt``, no numbers, no anonymised placeholders,
  no one-character words). Picklable, so it is the ``tokenizer`` of the saved vectorizer.
- ``TopicModel``: a scikit-learn estimator, texts in, topic weights out (``fit``/``transform``),
  wrapping ``CountVectorizer`` + ``LatentDirichletAllocation`` or ``TfidfVectorizer`` + ``NMF``.
  Topics are numbered by prevalence in the fitted corpus, each with its top terms, an NPMI
  coherence and a label.
- ``npmi_coherence``, ``topic_diversity``, ``score_k_grid``: how good a set of topics is, measured on
  the corpus' own document co-occurrence, and the choice of k from a grid.
- ``topic_prevalence``: mean topic weight per sector with a seeded bootstrap interval.
- ``fit_topics`` / ``apply_topics``: tables in, tables out (pure); ``run_topics``: the same
  between a tables folder and its ``models/topics.joblib`` (the only function here touching files).

See docs/topics.md for the method, the options and the result on the bundled corpus.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import uuid
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from .records import CorpusToolsError
from .schema import TABLES as _SCHEMA_TABLES
from .segment import Segmenter

__all__ = [
    "DEFAULT_K_GRID",
    "METHODS",
    "MODEL_PATH",
    "TABLE_SCHEMAS",
    "UNCLASSIFIED",
    "UNITS",
    "FittedTopics",
    "TermTokenizer",
    "TopicModel",
    "TopicsError",
    "TopicsResult",
    "apply_topics",
    "default_stop_words",
    "fit_topics",
    "format_k_scores",
    "format_topics",
    "load_fitted",
    "load_stop_words",
    "npmi_coherence",
    "parse_k",
    "parse_k_grid",
    "read_stop_words",
    "restart_seeds",
    "run_topics",
    "save_fitted",
    "score_k_grid",
    "topic_diversity",
    "topic_prevalence",
    "topic_units",
]

logger = logging.getLogger(__name__)

METHODS = ("lda", "nmf")
UNITS = ("report", "section")
#: the sector name used for reports whose ``documents.sector`` is null
UNCLASSIFIED = "unclassified"
#: where ``run_topics`` keeps the fitted model, relative to the tables folder
MODEL_PATH = Path("models") / "topics.joblib"
DEFAULT_K_GRID = tuple(range(3, 13))

_STOP_PACKAGE = "corpus_tools.resources"
_STOP_NAME = "topic_stopwords.txt"

# Digits with their separators (2019, 3.5%, １２), ordinals (第一, 第二届, 第12次), Chinese numbers with
# a power of ten (三十, 二百, 千万) and counted units (三年, 两次, 5人). Bare digit pairs such as 三八
# or 五一 stay: they name 三八节 and 五一.
_NUMERAL = "0-9０-９零〇一二三四五六七八九十百千万亿两"
_NUMBER_RE = re.compile(
    r"[0-9０-９.．,，:：%％‰+\-－~～/]+"
    rf"|第[{_NUMERAL}]+[届次个批期名位条项轮年]?"
    r"|[零〇一二三四五六七八九两]*[十百千万亿][零〇一二三四五六七八九十百千万亿两]*"
    rf"|[{_NUMERAL}]+(?:年|个月|月|天|日|届|次|项|名|人|个|位|批|期|条|轮|家|场|户)"
)
# Anonymised placeholders as the Segmenter cuts them: xx, 20xx, XX, Ｘ, 20__, ***, ××.
_PLACEHOLDER_RE = re.compile(r"[0-9０-９]*(?:[xXｘＸ]+|[×✕*＊_＿□○〇]+)[0-9０-９]*")
# An xx inside a longer token (xx大, xx市): the token is a placeholder with a suffix, not a word.
_EMBEDDED_PLACEHOLDER_RE = re.compile(r"(?<![A-Za-z])[xXｘＸ]{2,}(?![A-Za-z])")

_GROUP_RE = re.compile(r"\[([A-Za-z_][\w-]*)\]")

_LABEL_TERMS = 3
_RELEVANCE_LAMBDA = 0.6


class TopicsError(CorpusToolsError):
    """Topics cannot be fitted or applied (bad option, corpus too small, missing or foreign model)."""


# -- stop words -----------------------------------------------------------------------------


def read_stop_words(text: str, *, exclude_groups: Collection[str] = ()) -> list[str]:
    """Parse a stop-list: one word per line, ``#`` starts a comment, blank lines skipped.

    A line ``[name]`` starts a group of words (words before the first one are in group
    ``general``); groups named in ``exclude_groups`` are left out.

    Examples
    --------
    >>> text = "# generic\\n工作\\n开展  # every report\\n\\n[sector]\\n医院\\n"
    >>> read_stop_words(text), read_stop_words(text, exclude_groups={"sector"})
    (['工作', '开展', '医院'], ['工作', '开展'])
    """
    words = []
    group = "general"
    for line in text.lstrip("\ufeff").splitlines():
        word = line.split("#", 1)[0].strip()
        header = _GROUP_RE.fullmatch(word)
        if header:
            group = header.group(1)
        elif word and group not in exclude_groups:
            words.append(word)
    return words


def default_stop_words(*, exclude_groups: Collection[str] = ()) -> frozenset[str]:
    """The packaged domain stop-list (``corpus_tools/resources/topic_stopwords.txt``).

    Its groups: ``general`` (words every union report uses) and ``sector`` (words naming the
    reporting unit, its sector, people or place; leave them out with ``exclude_groups={"sector"}``).

    Examples
    --------
    >>> {"工会", "开展", "加强", "医院"} <= default_stop_words()
    True
    >>> "医院" in default_stop_words(exclude_groups={"sector"})
    False
    """
    resource = files(_STOP_PACKAGE) / _STOP_NAME
    return frozenset(read_stop_words(resource.read_text(encoding="utf-8"), exclude_groups=exclude_groups))


def load_stop_words(paths: Iterable[str | os.PathLike[str]] = (), *, use_default: bool = True,
                    keep_sector_words: bool = False) -> frozenset[str]:
    """The packaged stop-list (unless ``use_default=False``) plus the words of each file in ``paths``.

    ``keep_sector_words=True`` leaves out the packaged ``sector`` group (医院, 学校, 干警, 企业 …).

    Examples
    --------
    >>> "工会" in load_stop_words(use_default=False)
    False
    """
    exclude = {"sector"} if keep_sector_words else set()
    words = set(default_stop_words(exclude_groups=exclude)) if use_default else set()
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TopicsError(f"cannot read stop-list {path}: {exc}") from exc
        words.update(read_stop_words(text))
    return frozenset(words)


# -- the tokenizer ---------------------------------------------------------------------------


class TermTokenizer:
    """Segmenter words fit for a topic model: the ``tokenizer`` of the topic vectorizer.

    Keeps the words of ``segmenter(text)`` (punctuation already gone) that are at least
    ``min_chars`` long, not numbers, not anonymised placeholders and not in ``stop_words``.
    Picklable (the Segmenter drops its jieba tables when pickled and rebuilds them on use).

    Parameters
    ----------
    segmenter
        The word segmenter; ``None`` means ``Segmenter()``.
    stop_words
        Words to drop; ``None`` means the packaged stop-list (``default_stop_words()``).
    min_chars
        Shortest word kept. 2 drops the one-character function words (的, 了, 和, 在).

    Examples
    --------
    >>> TermTokenizer(stop_words={"开展"})("20xx年开展职工技能比武，3人获奖。")
    ['职工', '技能比武', '获奖']
    >>> TermTokenizer()("20xx年开展职工技能比武，3人获奖。")  # the packaged stop-list drops 职工
    ['技能比武', '获奖']
    """

    def __init__(self, segmenter: Segmenter | None = None, stop_words: Collection[str] | None = None,
                 min_chars: int = 2):
        self.segmenter = segmenter
        self.stop_words = stop_words
        self.min_chars = min_chars

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"segmenter": self.segmenter, "stop_words": self.stop_words, "min_chars": self.min_chars}

    def __repr__(self) -> str:
        n = "default" if self.stop_words is None else len(self.stop_words)
        return f"TermTokenizer(segmenter={self.segmenter!r}, stop_words=<{n}>, min_chars={self.min_chars})"

    def _resolved(self) -> tuple[Segmenter, frozenset[str]]:
        cached = getattr(self, "_cache", None)
        key = (id(self.segmenter), id(self.stop_words))
        if cached is None or cached[0] != key:
            seg = self.segmenter if self.segmenter is not None else Segmenter()
            stop = default_stop_words() if self.stop_words is None else frozenset(self.stop_words)
            cached = (key, seg, stop)
            self._cache = cached
        return cached[1], cached[2]

    def __getstate__(self) -> dict[str, Any]:
        # the cache may hold a default Segmenter with built jieba tables; parameters are enough
        state = self.get_params()
        if state["stop_words"] is not None:
            state["stop_words"] = tuple(sorted(state["stop_words"]))  # stable pickle bytes
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def keep(self, word: str, stop_words: Collection[str]) -> bool:
        """Whether ``word`` counts as a term (length, number, placeholder and stop-list rules)."""
        return not (
            len(word) < self.min_chars
            or word in stop_words
            or _NUMBER_RE.fullmatch(word)
            or _PLACEHOLDER_RE.fullmatch(word)
            or _EMBEDDED_PLACEHOLDER_RE.search(word)
        )

    def __call__(self, text: str) -> list[str]:
        seg, stop = self._resolved()
        return [w for w in seg(text) if self.keep(w, stop)]


# -- the model -------------------------------------------------------------------------------


def _normalize_rows(m: np.ndarray) -> np.ndarray:
    sums = m.sum(axis=1, keepdims=True)
    return np.divide(m, sums, out=np.zeros_like(m, dtype=float), where=sums > 0)


def _top_ids(rows: np.ndarray, n: int) -> np.ndarray:
    # stable sort: ties are broken by vocabulary order, so the result never depends on chance
    return np.argsort(-rows, axis=1, kind="stable")[:, :n]


class TopicModel(TransformerMixin, BaseEstimator):
    """Topics of Chinese texts: Segmenter words, then LDA (counts) or NMF (TF-IDF).

    Parameters
    ----------
    n_topics
        Number of topics k.
    method
        ``"lda"`` (``LatentDirichletAllocation`` on term counts) or ``"nmf"`` (``NMF`` on
        sublinear TF-IDF).
    segmenter, stop_words, min_chars
        Passed to ``TermTokenizer`` (``stop_words=None``: the packaged domain stop-list).
    min_df, max_df
        Document-frequency limits of the vocabulary: a share of the texts below 1 (``max_df``: up
        to 1), a number of texts from 1 (``max_df``: above 1). With ``max_df=0.5`` a word in more
        than half the texts is treated as a stop-word of this corpus; ``min_df=2`` drops words
        of a single text, which cannot show co-occurrence.
    top_n
        Number of top terms per topic (shown, saved, and scored for coherence).
    max_iter
        Most iterations of LDA (default 200; it stops earlier once the perplexity settles) or
        NMF (default 1000).
    random_state
        Seed of the factorization.

    Attributes
    ----------
    vectorizer_, model_
        The fitted vectorizer (its tokenizer a ``TermTokenizer``) and LDA/NMF.
    terms_
        The vocabulary (array of str).
    topic_term_
        ``(n_topics, n_terms)`` term weights of each topic, rows summing to 1; topics are numbered
        by their total weight in the fitted texts, most prevalent first.
    top_term_ids_, coherence_, labels_
        Top ``top_n`` term ids per topic, their NPMI coherence, and a label from the three most
        distinctive terms (relevance with lambda 0.6, Sievert & Shirley 2014).

    Examples
    --------
    >>> texts = ["劳动竞赛 技能比武 岗位练兵"] * 3 + ["女职工 三八节 妇女"] * 3
    >>> tm = TopicModel(2, stop_words=(), min_df=1, max_df=1.0).fit(texts)
    >>> sorted(sorted(label.split("、")) for label in tm.labels_)
    [['三八节', '女职工', '妇女'], ['劳动竞赛', '岗位练兵', '技能比武']]
    """

    def __init__(self, n_topics: int = 8, *, method: str = "lda", segmenter: Segmenter | None = None,
                 stop_words: Collection[str] | None = None, min_chars: int = 2, min_df: float = 2,
                 max_df: float = 0.5, top_n: int = 10, max_iter: int | None = None, random_state: int = 0):
        self.n_topics = n_topics
        self.method = method
        self.segmenter = segmenter
        self.stop_words = stop_words
        self.min_chars = min_chars
        self.min_df = min_df
        self.max_df = max_df
        self.top_n = top_n
        self.max_iter = max_iter
        self.random_state = random_state

    # -- building blocks shared with score_k_grid

    def _make_vectorizer(self) -> CountVectorizer:
        if self.method not in METHODS:
            raise TopicsError(f"method must be one of {METHODS}, got {self.method!r}")
        tokenizer = TermTokenizer(self.segmenter, self.stop_words, self.min_chars)
        common = dict(tokenizer=tokenizer, token_pattern=None, lowercase=False,
                      min_df=_df_limit(self.min_df, is_max=False),
                      max_df=_df_limit(self.max_df, is_max=True), dtype=np.float64)
        if self.method == "nmf":
            return TfidfVectorizer(sublinear_tf=True, **common)
        return CountVectorizer(**common)

    def _make_factorization(self) -> LatentDirichletAllocation | NMF:
        if self.method == "nmf":
            return NMF(self.n_topics, init="nndsvda", max_iter=self.max_iter or 1000,
                       random_state=self.random_state)
        # batch EM until the perplexity (checked every 5 passes) changes by less than 0.1: on
        # report corpora that is 20-60 passes, and the topics no longer change after it
        return LatentDirichletAllocation(self.n_topics, learning_method="batch", max_iter=self.max_iter or 200,
                                         evaluate_every=5, perp_tol=0.1, random_state=self.random_state)

    def _fit_matrix(self, vectorizer: CountVectorizer, X: sp.spmatrix) -> TopicModel:
        n_docs, n_terms = X.shape
        if not 1 <= self.n_topics <= min(n_docs, n_terms):
            raise TopicsError(f"cannot fit {self.n_topics} topics to {n_docs} texts with {n_terms} terms "
                              f"(k must be between 1 and {min(n_docs, n_terms)})")
        model = self._make_factorization()
        model.fit(X)
        self.vectorizer_ = vectorizer
        self.model_ = model
        self.terms_ = vectorizer.get_feature_names_out()
        weights = self._weights(X, order=None)
        # topic numbers follow prevalence so that topic 1 is the most common theme on every run
        self.order_ = np.argsort(-weights.sum(axis=0), kind="stable")
        self.topic_term_ = _normalize_rows(model.components_)[self.order_]
        self.top_term_ids_ = _top_ids(self.topic_term_, self.top_n)
        self.coherence_ = npmi_coherence(X, self.top_term_ids_)
        term_share = np.asarray(X.sum(axis=0)).ravel()
        self.labels_ = _labels(self.topic_term_, term_share / term_share.sum(), self.terms_)
        self.n_fit_texts_ = n_docs
        return self

    def _weights(self, X: sp.spmatrix, order: np.ndarray | None) -> np.ndarray:
        w = _normalize_rows(self.model_.transform(X))
        return w if order is None else w[:, order]

    # -- the estimator API

    def fit(self, texts: Sequence[str], y: Any = None) -> TopicModel:
        """Learn the vocabulary and the topics of ``texts``."""
        vectorizer = self._make_vectorizer()
        return self._fit_matrix(vectorizer, _vectorize(vectorizer, texts))

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Topic weights ``(n_texts, n_topics)`` of any texts, without refitting.

        Rows sum to 1, except NMF rows of a text without any vocabulary term, which are all 0
        (LDA gives such a text its prior, equal weights).
        """
        return self._weights(self.vectorizer_.transform(texts), self.order_)

    def top_terms(self) -> list[list[tuple[str, float]]]:
        """``(term, weight)`` pairs of each topic's top terms, heaviest first."""
        return [[(str(self.terms_[j]), float(self.topic_term_[t, j])) for j in ids]
                for t, ids in enumerate(self.top_term_ids_)]

    def diversity(self) -> float:
        """Share of distinct words among all topics' top terms (``topic_diversity``)."""
        return topic_diversity(self.top_term_ids_)


def _df_limit(value: float, *, is_max: bool) -> int | float:
    # CountVectorizer reads an int as a number of documents and a float as a share of them; the
    # command line gives floats, so read values below 1 (max_df: up to 1) as shares, others as counts
    value = float(value)
    if value < 0:
        raise TopicsError(f"document-frequency limits cannot be negative, got {value:g}")
    if value < 1 or (is_max and value == 1):
        return value
    if not value.is_integer():
        raise TopicsError(f"a number of documents must be whole, got {value:g}")
    return int(value)


def _vectorize(vectorizer: CountVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    try:
        return vectorizer.fit_transform(texts)
    except ValueError as exc:  # empty vocabulary, or min_df/max_df leaving no term
        raise TopicsError(f"no vocabulary left for {len(texts)} texts "
                          f"(min_df={vectorizer.min_df}, max_df={vectorizer.max_df}): {exc}") from exc


def _labels(topic_term: np.ndarray, term_share: np.ndarray, terms: np.ndarray) -> list[str]:
    with np.errstate(divide="ignore"):
        log_p = np.log(topic_term)
        lift = log_p - np.log(term_share)[None, :]
    relevance = _RELEVANCE_LAMBDA * log_p + (1 - _RELEVANCE_LAMBDA) * lift
    relevance[~np.isfinite(relevance)] = -np.inf
    labels: list[str] = []
    for t, ids in enumerate(_top_ids(relevance, _LABEL_TERMS)):
        label = "、".join(str(terms[j]) for j in ids)
        labels.append(label if label not in labels else f"{label} ({t + 1})")
    return labels


# -- quality of a set of topics ---------------------------------------------------------------


def npmi_coherence(doc_term: sp.spmatrix | np.ndarray, top_term_ids: np.ndarray) -> np.ndarray:
    """NPMI coherence of each topic's top terms over document co-occurrence in ``doc_term``.

    For every pair of a topic's top terms, NPMI = log(p(a,b) / p(a)p(b)) / -log p(a,b), with
    p the share of documents (rows of ``doc_term``) containing the term(s); -1 for a pair that
    never co-occurs, 1 for a pair found together in every document. A topic's coherence is the
    mean over its pairs (Bouma 2009; Lau, Newman & Baldwin 2014). Ranges from -1 to 1.

    Examples
    --------
    >>> X = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    >>> npmi_coherence(X, np.array([[0, 1], [0, 2]])).round(2).tolist()
    [1.0, -1.0]
    """
    present = sp.csc_matrix(doc_term, dtype=np.float64)
    present.data = (present.data > 0).astype(np.float64)
    n_docs = present.shape[0]
    scores = np.zeros(len(top_term_ids))
    for t, ids in enumerate(top_term_ids):
        cols = present[:, np.asarray(ids)]
        joint = (cols.T @ cols).toarray() / n_docs
        p = np.diag(joint)
        values = []
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                values.append(_npmi(joint[i, j], p[i], p[j]))
        scores[t] = float(np.mean(values)) if values else 0.0
    return scores


def _npmi(p_ab: float, p_a: float, p_b: float) -> float:
    if p_ab <= 0:
        return -1.0
    if p_ab >= 1:
        return 1.0
    return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def topic_diversity(top_term_ids: np.ndarray) -> float:
    """Share of distinct terms among all topics' top terms: 1 when no two topics share a top term.

    Examples
    --------
    >>> topic_diversity(np.array([[0, 1], [2, 3]])), topic_diversity(np.array([[0, 1], [0, 1]]))
    (1.0, 0.5)
    """
    ids = np.asarray(top_term_ids)
    return float(len(np.unique(ids)) / ids.size) if ids.size else 0.0


def _max_overlap(top_term_ids: np.ndarray) -> float:
    sets = [set(map(int, ids)) for ids in top_term_ids]
    best = 0.0
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            best = max(best, len(sets[i] & sets[j]) / len(sets[i] | sets[j]))
    return best


def _k_score(coherence: float, diversity: float) -> float:
    # topic quality TQ = coherence x diversity (Dieng, Ruiz & Blei 2020). NPMI can be negative, and
    # then a product would punish diversity; C / D keeps the score rising with both (and meets
    # C x D at C = 0). Diversity is never 0: at least one top term is distinct.
    return coherence * diversity if coherence >= 0 else coherence / diversity


def restart_seeds(seed: int, restarts: int) -> list[int]:
    """The ``random_state`` of each restart: ``seed`` itself first, then seeds derived from it.

    Examples
    --------
    >>> restart_seeds(0, 1)
    [0]
    >>> len(set(restart_seeds(0, 3)))
    3
    """
    return [seed] + [int(np.random.SeedSequence([seed, r]).generate_state(1)[0]) for r in range(1, restarts)]


def score_k_grid(texts: Sequence[str], k_grid: Iterable[int], *, restarts: int = 1,
                 **params: Any) -> tuple[TopicModel, pd.DataFrame]:
    """Fit ``TopicModel`` for each k of ``k_grid`` and pick k by coherence and diversity.

    The texts are segmented and counted once. Each model is scored by its mean NPMI coherence
    (over the texts' own document co-occurrence) and its topic diversity: ``score = coherence *
    diversity`` (topic quality, Dieng, Ruiz & Blei 2020; ``coherence / diversity`` when coherence
    is negative). Each k is fitted ``restarts`` times from different seeds (``restart_seeds``):
    on a small corpus the topics, and so the score, change with the starting point, so k is
    chosen by the mean score over the restarts (the smaller k on a tie) and, at that k, the
    restart with the best score is kept. k larger than the number of texts or terms is skipped.

    Returns the chosen model and one row per k: k, coherence, diversity, max_overlap (the
    largest Jaccard overlap of two topics' top terms; 1 means two topics with the same top
    terms) and score of the best restart, score_mean over the restarts, selected.
    """
    if restarts < 1:
        raise TopicsError(f"restarts must be at least 1, got {restarts}")
    base = TopicModel(**params)
    vectorizer = base._make_vectorizer()
    X = _vectorize(vectorizer, texts)
    limit = min(X.shape)
    ks = sorted({int(k) for k in k_grid})
    fitting = [k for k in ks if 1 <= k <= limit]
    if not fitting:
        raise TopicsError(f"cannot fit k={','.join(map(str, ks))} topics to {X.shape[0]} texts with "
                          f"{X.shape[1]} terms (k can be 1 to {limit})")
    if len(fitting) < len(ks):
        logger.warning("skipping k=%s: %d texts with %d terms allow 1..%d topics",
                       [k for k in ks if k not in fitting], *X.shape, limit)
    rows, models = [], {}
    for k in fitting:
        tries = [TopicModel(**{**base.get_params(deep=False), "n_topics": k, "random_state": rs})
                 ._fit_matrix(vectorizer, X) for rs in restart_seeds(base.random_state, restarts)]
        scored = [_k_row(m) for m in tries]
        best = max(range(len(tries)), key=lambda i: scored[i]["score"])  # first on a tie
        models[k] = tries[best]
        rows.append({**scored[best], "score_mean": float(np.mean([r["score"] for r in scored]))})
    scores = pd.DataFrame(rows)
    chosen = int(scores.loc[scores["score_mean"].idxmax(), "k"])  # idxmax: first (smallest k) on a tie
    scores["selected"] = scores["k"] == chosen
    return models[chosen], scores


def _k_row(model: TopicModel) -> dict[str, Any]:
    coherence = float(np.mean(model.coherence_))
    diversity = model.diversity()
    return {"k": model.n_topics, "coherence": coherence, "diversity": diversity,
            "max_overlap": _max_overlap(model.top_term_ids_), "score": _k_score(coherence, diversity)}


# -- prevalence ------------------------------------------------------------------------------


def topic_prevalence(weights: np.ndarray, sectors: Sequence[str | None], *, n_boot: int = 1000,
                     level: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Mean topic weight per sector with a percentile bootstrap interval.

    ``weights`` is ``(n_docs, n_topics)``, one row per report; ``sectors`` gives each report's
    sector (``None`` counts as ``"unclassified"``). Reports are resampled with replacement within
    their sector ``n_boot`` times. Each sector draws from its own generator, seeded by
    ``random_state`` and the sector name, so the intervals of one sector do not change when
    reports of another are added. ``ci_low <= mean_weight <= ci_high`` always holds.

    Returns rows (topic, sector, mean_weight, ci_low, ci_high, n_docs) ordered by topic then
    sector; topics are numbered from 1 like the columns of ``weights``.

    Examples
    --------
    >>> w = np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8]])
    >>> p = topic_prevalence(w, ["school", "school", None], n_boot=200)
    >>> p[["topic", "sector", "mean_weight", "n_docs"]].round(2).values.tolist()
    [[1, 'school', 0.8, 2], [1, 'unclassified', 0.2, 1], [2, 'school', 0.2, 2], [2, 'unclassified', 0.8, 1]]
    """
    weights = np.asarray(weights, dtype=float)
    labels = np.array([s if isinstance(s, str) and s else UNCLASSIFIED for s in sectors], dtype=object)
    if len(labels) != len(weights):
        raise ValueError(f"{len(weights)} weight rows but {len(labels)} sectors")
    alpha = (1 - level) / 2
    rows = []
    for sector in sorted(set(labels)):
        w = weights[labels == sector]
        mean = w.mean(axis=0)
        rng = np.random.default_rng([random_state, zlib.crc32(sector.encode("utf-8"))])
        boot = w[rng.integers(0, len(w), size=(n_boot, len(w)))].mean(axis=1)
        low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        for t in range(weights.shape[1]):
            # the percentile interval of a mean holds the mean in all but freak samples, and in
            # the last bit of rounding; clip so the promise ci_low <= mean <= ci_high is exact
            rows.append({"topic": t + 1, "sector": sector, "mean_weight": float(mean[t]),
                         "ci_low": float(min(low[t], mean[t])), "ci_high": float(max(high[t], mean[t])),
                         "n_docs": int(len(w))})
    cols = ["topic", "sector", "mean_weight", "ci_low", "ci_high", "n_docs"]
    return pd.DataFrame(rows, columns=cols).sort_values(["topic", "sector"], kind="stable").reset_index(drop=True)


# -- tables in, tables out -------------------------------------------------------------------

# the table contract lives in schema.py (one schema module for every table)
TABLE_SCHEMAS: dict[str, pa.Schema] = {
    name: _SCHEMA_TABLES[name].arrow_schema()
    for name in ("topics", "doc_topics", "section_topics", "topic_prevalence", "topic_k_scores")
}



def topic_units(documents: pd.DataFrame, sections: pd.DataFrame | None = None, *,
                unit: str = "report") -> pd.DataFrame:
    """The texts to model, one row per unit, ordered by doc_id (and section_id).

    ``unit="report"``: one unit per report, ``section_id`` null. ``unit="section"``: one unit per
    top-level section (``sections.level == 1``, its text including its subsections) plus, as
    section 0, the text before the first one (the whole report when it has no sections).
    Columns: doc_id, section_id, text, sector (null as ``"unclassified"``), duplicate (the report
    is a copy of another: ``documents.duplicate_of`` set).
    """
    if unit not in UNITS:
        raise TopicsError(f"unit must be one of {UNITS}, got {unit!r}")
    docs = documents.sort_values("doc_id", kind="stable")
    sector = docs["sector"] if "sector" in docs else pd.Series(None, index=docs.index, dtype=object)
    dup = docs["duplicate_of"].notna() if "duplicate_of" in docs else pd.Series(False, index=docs.index)
    base = pd.DataFrame({
        "doc_id": docs["doc_id"].astype(str).to_numpy(),
        "text": docs["text"].fillna("").astype(str).to_numpy(),
        "sector": [s if isinstance(s, str) and s else UNCLASSIFIED for s in sector],
        "duplicate": dup.astype(bool).to_numpy(),
    })
    if unit == "report":
        base.insert(1, "section_id", pd.array([None] * len(base), dtype="Int64"))
        return base[["doc_id", "section_id", "text", "sector", "duplicate"]]
    if sections is None:
        raise TopicsError("unit='section' needs the sections table")
    top = sections[sections["level"] == 1].sort_values(["doc_id", "start", "section_id"], kind="stable")
    by_doc = {d: g for d, g in top.groupby("doc_id", sort=False)}
    rows = []
    for doc in base.itertuples(index=False):
        secs = by_doc.get(doc.doc_id)
        first = int(secs["start"].min()) if secs is not None else len(doc.text)
        if doc.text[:first].strip() or secs is None:
            rows.append((doc.doc_id, 0, doc.text[:first], doc.sector, doc.duplicate))
        if secs is not None:
            for s in secs.itertuples(index=False):
                rows.append((doc.doc_id, int(s.section_id), doc.text[int(s.start):int(s.end)], doc.sector,
                             doc.duplicate))
    out = pd.DataFrame(rows, columns=["doc_id", "section_id", "text", "sector", "duplicate"])
    out["section_id"] = out["section_id"].astype("Int64")
    return out.sort_values(["doc_id", "section_id"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class FittedTopics:
    """What ``fit_topics`` learned and ``save_fitted`` keeps: enough to assign topics later."""

    model: TopicModel
    unit: str
    #: (doc_id, section_id or -1) of every unit the model was fitted on, sorted
    fit_units: tuple[tuple[str, int], ...]
    k_scores: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class TopicsResult:
    """The topic tables (pandas, typed by ``TABLE_SCHEMAS``: ``topics``, ``doc_topics``,
    ``section_topics``, ``topic_prevalence``, ``topic_k_scores``) and the fitted model."""

    fitted: FittedTopics
    tables: dict[str, pd.DataFrame]
    #: where ``run_topics`` saved (or read) the model
    model_path: Path | None = None

    def arrow_tables(self) -> dict[str, pa.Table]:
        """The tables as Arrow, typed by ``TABLE_SCHEMAS``."""
        return {name: pa.Table.from_pandas(df, schema=TABLE_SCHEMAS[name], preserve_index=False)
                for name, df in self.tables.items()}


def _unit_key(doc_id: str, section_id: Any) -> tuple[str, int]:
    return (doc_id, -1 if pd.isna(section_id) else int(section_id))


def parse_k(value: int | str) -> int | str:
    """``"auto"`` or a positive number of topics.

    Examples
    --------
    >>> parse_k("auto"), parse_k("8")
    ('auto', 8)
    """
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise TopicsError(f"k must be a number of topics or 'auto', got {value!r}") from None
    if k < 1:
        raise TopicsError(f"k must be at least 1, got {k}")
    return k


def parse_k_grid(value: str | Iterable[int]) -> tuple[int, ...]:
    """The k values to try: ``"3-12"``, ``"4,6,8"``, a mix (``"2,4-6"``) or integers.

    Examples
    --------
    >>> parse_k_grid("3-6"), parse_k_grid("4,8,6"), parse_k_grid([5, 3])
    ((3, 4, 5, 6), (4, 6, 8), (3, 5))
    """
    if not isinstance(value, str):
        ks = {int(k) for k in value}
    else:
        ks = set()
        for part in filter(None, (p.strip() for p in value.split(","))):
            m = re.fullmatch(r"(\d+)\s*(?:-|\.\.)\s*(\d+)|(\d+)", part)
            if m is None:
                raise TopicsError(f"cannot read k grid {value!r}: use e.g. 3-12 or 4,6,8")
            if m.group(3):
                ks.add(int(m.group(3)))
            else:
                ks.update(range(int(m.group(1)), int(m.group(2)) + 1))
    if not ks or min(ks) < 1:
        raise TopicsError(f"k grid {value!r} must list numbers of topics of at least 1")
    return tuple(sorted(ks))


def fit_topics(documents: pd.DataFrame, sections: pd.DataFrame | None = None, *, k: int | str = "auto",
               k_grid: str | Iterable[int] = DEFAULT_K_GRID, method: str = "lda", unit: str = "report",
               stop_words: Collection[str] | None = None, segmenter: Segmenter | None = None,
               min_chars: int = 2, min_df: float = 2, max_df: float = 0.5, top_n: int = 10,
               restarts: int = 3, n_boot: int = 1000, seed: int = 0) -> TopicsResult:
    """Fit topics to the reports of ``documents`` (or their sections) and build the topic tables.

    The model is fitted on the original reports only (duplicates, ``duplicate_of`` set, would
    count one text twice); every report, duplicates included, is then assigned topics by the
    fitted model (``doc_topics.in_fit`` tells which units trained it). Prevalence is computed
    over the original reports. ``k="auto"`` fits every k of ``k_grid`` and keeps the best
    (``score_k_grid``); a number fits that k and still scores it. Each k is fitted ``restarts``
    times from seeds derived from ``seed``, which also seeds the bootstrap.

    Examples
    --------
    >>> result = fit_topics(documents, k=8, seed=0)            # doctest: +SKIP
    >>> result.tables["topics"][["topic", "label", "coherence"]]  # doctest: +SKIP
    """
    k = parse_k(k)
    if method not in METHODS:
        raise TopicsError(f"method must be one of {METHODS}, got {method!r}")
    units = topic_units(documents, sections, unit=unit)
    train = units[~units["duplicate"]]
    if train.empty:
        raise TopicsError("no reports to fit topics to (the documents table is empty)")
    params = dict(method=method, segmenter=segmenter, stop_words=stop_words, min_chars=min_chars,
                  min_df=min_df, max_df=max_df, top_n=top_n, random_state=seed)
    grid = parse_k_grid(k_grid) if k == "auto" else (k,)
    model, k_scores = score_k_grid(train["text"].tolist(), grid, restarts=restarts, **params)
    if k != "auto" and model.n_topics != k:  # pragma: no cover - score_k_grid raises first
        raise TopicsError(f"cannot fit {k} topics")
    settings = {"method": method, "unit": unit, "k": k, "k_grid": list(grid), "n_topics": model.n_topics,
                "min_chars": min_chars, "min_df": min_df, "max_df": max_df, "top_n": top_n, "restarts": restarts,
                "seed": seed, "random_state": int(model.random_state),
                "n_fit_units": int(len(train)), "n_terms": int(len(model.terms_)),
                "stop_words": "default" if stop_words is None else len(stop_words)}
    fit_units = tuple(sorted(_unit_key(d, s)
                             for d, s in zip(train["doc_id"], train["section_id"], strict=True)))
    fitted = FittedTopics(model, unit, fit_units, k_scores.reset_index(drop=True), settings)
    return apply_topics(fitted, documents, sections, n_boot=n_boot, seed=seed)


def _report_weights(units: pd.DataFrame, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row of topic weights per report: its own, or the mean of its sections' weighted by length."""
    doc_ids = units["doc_id"].to_numpy()
    if units["section_id"].isna().all():  # unit=report: already one row per report, in doc_id order
        return doc_ids, weights
    # a section's say in its report is its length (+1, so that a report of empty sections still
    # gets the mean): a two-line preamble must not weigh as much as a page on the workers' congress
    size = units["text"].str.len().to_numpy(dtype=float) + 1
    frame = pd.DataFrame(weights * size[:, None]).assign(_size=size)
    sums = frame.groupby(doc_ids, sort=True).sum()
    return sums.index.to_numpy(), sums.drop(columns="_size").to_numpy() / sums[["_size"]].to_numpy()


def apply_topics(fitted: FittedTopics, documents: pd.DataFrame, sections: pd.DataFrame | None = None, *,
                 n_boot: int = 1000, seed: int = 0) -> TopicsResult:
    """Assign the fitted topics to every report of ``documents`` without refitting, and build the tables.

    Reports seen at fit time get exactly the weights they got then; new reports get weights from
    the same vocabulary and topics. The ``topics`` and ``topic_k_scores`` tables are those of the fit.
    """
    model = fitted.model
    k = model.n_topics
    units = topic_units(documents, sections, unit=fitted.unit)
    weights = model.transform(units["text"].tolist()) if len(units) else np.zeros((0, k))
    seen = set(fitted.fit_units)
    seen_docs = {doc_id for doc_id, _ in fitted.fit_units}
    unit_in_fit = np.array([_unit_key(d, s) in seen
                            for d, s in zip(units["doc_id"], units["section_id"], strict=True)], dtype=bool)
    doc_ids, per_doc = _report_weights(units, weights)
    doc_topics = pd.DataFrame({
        "doc_id": np.repeat(doc_ids, k),
        "topic": np.tile(np.arange(1, k + 1), len(doc_ids)),
        "weight": per_doc.ravel(),
        "in_fit": np.repeat([d in seen_docs for d in doc_ids], k).astype(bool),
    })
    section_units = units if fitted.unit == "section" else units.iloc[:0]
    section_topics = pd.DataFrame({
        "doc_id": np.repeat(section_units["doc_id"].to_numpy(), k),
        "section_id": np.repeat(section_units["section_id"].to_numpy(dtype=np.int64), k),
        "topic": np.tile(np.arange(1, k + 1), len(section_units)),
        "weight": weights[: len(section_units)].ravel(),
        "in_fit": np.repeat(unit_in_fit[: len(section_units)], k),
    })
    # prevalence counts each report once: originals only
    docs = units.drop_duplicates("doc_id").set_index("doc_id").reindex(doc_ids)
    originals = ~docs["duplicate"].to_numpy(dtype=bool)
    prevalence = topic_prevalence(per_doc[originals], docs["sector"].to_numpy()[originals].tolist(),
                                  n_boot=n_boot, random_state=seed)
    topics = pd.DataFrame({
        "topic": np.arange(1, k + 1),
        "label": model.labels_,
        "terms": [[{"term": t, "weight": w} for t, w in terms] for terms in model.top_terms()],
        "coherence": model.coherence_.astype(float),
    })
    k_scores = fitted.k_scores[list(TABLE_SCHEMAS["topic_k_scores"].names)]
    tables = {"topics": topics, "doc_topics": doc_topics, "section_topics": section_topics,
              "topic_prevalence": prevalence, "topic_k_scores": k_scores}
    return TopicsResult(fitted, tables)


# -- persistence and the tables folder -------------------------------------------------------


def save_fitted(fitted: FittedTopics, path: str | os.PathLike[str]) -> Path:
    """Save ``fitted`` with joblib (atomically), plus a readable ``.json`` of its settings beside it."""
    import joblib
    import sklearn

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(fitted, tmp)
        os.replace(tmp, path)
        info = {**fitted.settings, "labels": fitted.model.labels_, "scikit_learn": sklearn.__version__}
        path.with_suffix(".json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TopicsError(f"cannot save the topic model to {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_fitted(path: str | os.PathLike[str]) -> FittedTopics:
    """Load a model saved by ``save_fitted``. Like any pickle, only load files you made."""
    import joblib

    path = Path(path)
    if not path.is_file():
        raise TopicsError(f"no topic model at {path} (run `corpus-tools topics` without --apply first)")
    try:
        fitted = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "not a usable model"
        raise TopicsError(f"cannot load the topic model {path}: {exc}") from exc
    if not isinstance(fitted, FittedTopics):
        raise TopicsError(f"{path} is not a corpus-tools topic model")
    return fitted


def run_topics(out_dir: str | os.PathLike[str], *, apply: bool = False,
               model_path: str | os.PathLike[str] | None = None, n_boot: int = 1000, seed: int = 0,
               **fit_params: Any) -> TopicsResult:
    """Fit (or with ``apply=True``, apply) topics to the tables in ``out_dir`` and write the topic tables.

    Reads documents (and sections for ``unit="section"``), writes topics, doc_topics,
    section_topics, topic_prevalence and topic_k_scores into ``out_dir``, and saves the fitted model to
    ``model_path`` (default ``out_dir/models/topics.joblib``). With ``apply=True`` the saved model
    assigns topics to every report now in the tables, without refitting. ``fit_params`` are
    those of ``fit_topics``.
    """
    from .store import read_table, write_tables

    out_dir = Path(out_dir)
    model_path = Path(model_path) if model_path is not None else out_dir / MODEL_PATH
    documents = read_table(out_dir, "documents")
    if apply:
        fitted = load_fitted(model_path)
        sections = read_table(out_dir, "sections") if fitted.unit == "section" else None
        result = apply_topics(fitted, documents, sections, n_boot=n_boot, seed=seed)
    else:
        sections = read_table(out_dir, "sections") if fit_params.get("unit") == "section" else None
        result = fit_topics(documents, sections, n_boot=n_boot, seed=seed, **fit_params)
        save_fitted(result.fitted, model_path)
    write_tables(out_dir, result.arrow_tables())
    return replace(result, model_path=model_path)


# -- printing --------------------------------------------------------------------------------


def _frame_to_text(df: pd.DataFrame) -> str:
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 250,
                           "display.max_colwidth", 80, "display.unicode.east_asian_width", True):
        return df.to_string(index=False)


def format_topics(result: TopicsResult, *, n_terms: int = 6) -> str:
    """The printed result: each topic's label, coherence, top terms and mean weight per sector (%).

    The ``all`` column is the mean over every original report; the bootstrap intervals are in
    the topic_prevalence table.
    """
    topics = result.tables["topics"]
    prev = result.tables["topic_prevalence"]
    table = pd.DataFrame({"topic": topics["topic"], "label": topics["label"],
                          "coherence": topics["coherence"].map(lambda c: f"{c:.3f}")})
    if not prev.empty:
        total = prev.assign(w=prev["mean_weight"] * prev["n_docs"]).groupby("topic")
        overall = total["w"].sum() / total["n_docs"].sum()
        table["all"] = topics["topic"].map(overall).map(lambda v: f"{100 * v:.0f}%")
        wide = prev.pivot(index="topic", columns="sector", values="mean_weight")
        for sector in wide.columns:
            n = int(prev.loc[prev["sector"] == sector, "n_docs"].iloc[0])
            table[f"{sector} ({n})"] = topics["topic"].map(wide[sector]).map(lambda v: f"{100 * v:.0f}%")
    table["top terms"] = [" ".join(t["term"] for t in terms[:n_terms]) for terms in topics["terms"]]
    s = result.fitted.settings
    head = (f"{s.get('method', '?')} topics, k={result.fitted.model.n_topics}"
            f"{' (auto)' if s.get('k') == 'auto' else ''}, unit={result.fitted.unit}, "
            f"fitted on {s.get('n_fit_units', '?')} texts, {s.get('n_terms', '?')} terms\n"
            f"all, <sector> (reports): mean topic weight over the original reports; 95% intervals in the "
            f"topic_prevalence table")
    return head + "\n" + _frame_to_text(table)


def format_k_scores(k_scores: pd.DataFrame) -> str:
    """The k grid's scores, one line per k, the chosen k marked with ``*``."""
    df = k_scores.copy()
    for col in ("coherence", "diversity", "max_overlap", "score", "score_mean"):
        df[col] = df[col].map(lambda v: f"{v:.3f}")
    df["selected"] = df["selected"].map(lambda b: "*" if b else "")
    return _frame_to_text(df)
