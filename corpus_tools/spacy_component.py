"""spaCy integration: our Segmenter as a tokenizer and the report extractors as a pipeline component.

Needs the ``spacy`` extra (``pip install 'corpus-tools[spacy]'``); nothing here downloads a model.

Examples
--------
>>> from corpus_tools.spacy_component import make_nlp
>>> nlp = make_nlp()
>>> doc = nlp("胸心外科被中华全国总工会授予工人先锋号，发放慰问金5600元。")
>>> doc._.union_awards[0]["award"], doc._.union_amounts[0]["value_yuan"]
('工人先锋号', 5600.0)
>>> [span.text for span in doc.spans["union_amounts"]]
['5600元']

The same pipeline by hand::

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "corpus_tools.SegmenterTokenizer.v1"}}})
    nlp.add_pipe("union_facts")

Once the package is installed, spaCy finds the factory through the ``spacy_factories`` entry
point (``union_facts``) and the tokenizer through ``spacy_tokenizers``; importing this module
registers both as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import get_words_and_spaces, registry
from spacy.vocab import Vocab

from .extract import ActivityLexicon, Extractors, ReportFacts
from .segment import Segmenter
from .structure import parse_sections

__all__ = [
    "FACTORY", "TOKENIZER", "DOC_EXTENSIONS", "SegmenterTokenizer", "UnionFacts", "create_segmenter_tokenizer",
    "install_extensions", "make_nlp", "make_union_facts",
]

FACTORY = "union_facts"
TOKENIZER = "corpus_tools.SegmenterTokenizer.v1"
#: ``Doc`` extension attributes set by the component (rows as in the tables, char offsets)
DOC_EXTENSIONS = ("union_amounts", "union_awards", "union_activities", "union_counts", "union_years",
                  "union_unit", "union_regions")
#: tables that also become span groups ``doc.spans[name]`` (token-aligned views of the rows)
SPAN_GROUPS = ("union_amounts", "union_awards", "union_activities", "union_counts")


def install_extensions() -> None:
    """Register the namespaced extension attributes; safe to call any number of times."""
    for name in DOC_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Span.has_extension("union_row"):
        # the table row behind a span: its exact char offsets ("start"/"end") and fields
        Span.set_extension("union_row", default=None)


# -- tokenizer ------------------------------------------------------------------------------

class SegmenterTokenizer:
    """A spaCy tokenizer backed by our ``Segmenter`` (jieba + the union dictionary).

    Whitespace is kept exactly: a single space after a word becomes that token's trailing
    space, any other whitespace becomes its own token, so ``doc.text == text`` always.
    """

    def __init__(self, vocab: Vocab, segmenter: Segmenter | None = None):
        self.vocab = vocab
        self.segmenter = segmenter if segmenter is not None else Segmenter()

    def __call__(self, text: str) -> Doc:
        words = [t.word for t in self.segmenter.tokenize(text) if not t.word.isspace()]
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # the segmenter's parameters are the tokenizer's whole state
    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        params = self.segmenter.get_params()
        params["user_dicts"] = [str(p) for p in params["user_dicts"]]
        return srsly.msgpack_dumps(params)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> SegmenterTokenizer:
        self.segmenter = Segmenter(**srsly.msgpack_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "segmenter.msgpack").write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> SegmenterTokenizer:
        return self.from_bytes((Path(path) / "segmenter.msgpack").read_bytes())


@registry.tokenizers(TOKENIZER)
def create_segmenter_tokenizer(
    segmenter: str = "char", user_dicts: list[str] = [], hmm: bool = True,  # noqa: B006 - config defaults
) -> Callable[[Language], SegmenterTokenizer]:
    """Config entry for ``[nlp.tokenizer]``; ``segmenter`` is accepted (and ignored) so that the
    setting ``spacy.blank("zh")`` inherits from the Chinese defaults does not clash."""

    def make(nlp: Language) -> SegmenterTokenizer:
        return SegmenterTokenizer(nlp.vocab, Segmenter(user_dicts=tuple(user_dicts), hmm=hmm))

    return make


# -- the component --------------------------------------------------------------------------

class UnionFacts:
    """Runs the corpus-tools extractors on ``doc.text`` and stores the rows on the doc.

    Sets ``doc._.union_amounts``, ``union_awards``, ``union_activities``, ``union_counts``
    (lists of row dicts with char offsets ``start``/``end`` into ``doc.text``),
    ``union_years``, ``union_unit``, ``union_regions``, and the span groups
    ``doc.spans["union_amounts"]`` … (each span's ``._.union_row`` is its row). Word lists load
    in ``initialize()`` (or on first use) and are saved with the pipeline.
    """

    def __init__(self, nlp: Language, name: str = FACTORY, *, activity_lexicon: str | None = None,
                 sections: bool = True):
        self.name = name
        self.activity_lexicon = activity_lexicon
        self.sections = sections
        self.extractors: Extractors | None = None
        install_extensions()

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None) -> None:
        self.extractors = Extractors.default(activity_lexicon=self.activity_lexicon)

    def _get_extractors(self) -> Extractors:
        if self.extractors is None:
            self.initialize()
        assert self.extractors is not None
        return self.extractors

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        facts: ReportFacts = self._get_extractors().extract(text, parse_sections(text) if self.sections else ())
        for name in SPAN_GROUPS:
            rows = getattr(facts, name.removeprefix("union_"))
            doc._.set(name, rows)
            spans = []
            for row in rows:
                span = doc.char_span(row["start"], row["end"], label=_label(name, row), alignment_mode="expand")
                if span is not None:
                    span._.union_row = row
                    spans.append(span)
            doc.spans[name] = spans
        doc._.union_years = facts.years
        doc._.union_unit = facts.unit
        doc._.union_regions = facts.regions
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # -- serialisation: the activity lexicon (the researcher-editable part) travels with the pipeline
    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        ex = self._get_extractors()
        return srsly.msgpack_dumps({"activities": {k: list(v) for k, v in ex.activities.entries.items()},
                                    "sections": self.sections})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> UnionFacts:
        state = srsly.msgpack_loads(data)
        base = Extractors.default()
        activities = ActivityLexicon({k: (v[0], v[1]) for k, v in state["activities"].items()})
        self.extractors = Extractors(base.amounts, base.awards, activities, base.gazetteer)
        self.sections = state.get("sections", True)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "union_facts.msgpack").write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> UnionFacts:
        return self.from_bytes((Path(path) / "union_facts.msgpack").read_bytes())


def _label(group: str, row: dict) -> str:
    if group == "union_awards":
        return row.get("level") or "unknown"
    if group == "union_activities":
        return row.get("category") or "other"
    if group == "union_amounts":
        return "MONEY"
    return "COUNT"


@Language.factory(FACTORY, default_config={"activity_lexicon": None, "sections": True})
def make_union_facts(nlp: Language, name: str, activity_lexicon: str | None, sections: bool) -> UnionFacts:
    """The ``union_facts`` factory (``nlp.add_pipe("union_facts")``)."""
    return UnionFacts(nlp, name, activity_lexicon=activity_lexicon, sections=sections)


def make_nlp(*, user_dicts: Iterable[str] = (), activity_lexicon: str | None = None) -> Language:
    """A blank Chinese pipeline with our tokenizer and the ``union_facts`` component.

    No model is downloaded: the tokenizer is ours (jieba + the union dictionary), not spaCy's
    jieba/pkuseg wrapper.
    """
    config = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER, "user_dicts": [str(p) for p in user_dicts]}}}
    nlp = spacy_blank_zh(config)
    nlp.add_pipe(FACTORY, config={"activity_lexicon": activity_lexicon})
    return nlp


def spacy_blank_zh(config: dict) -> Language:
    import spacy

    return spacy.blank("zh", config=config)
