"""Chinese word segmentation and sentence splitting with the union-domain dictionary.

``Segmenter`` wraps its *own* ``jieba.Tokenizer`` (never jieba's process-wide ``jieba.dt``),
loads the packaged union dictionary (``resources/union_dict.txt``) plus any user
dictionaries into it, and returns tokens with exact offsets. It follows the scikit-learn
convention (``__init__`` only stores parameters), builds the tokenizer lazily on first use,
and pickles without it, so it can be handed to worker processes and used as the
``tokenizer`` of a ``TfidfVectorizer``.

Sentence splitting is a pure function of the text (``split_sentences``); the segmenter
only combines it with tokenization (``Segmenter.sentences``).
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from .records import CorpusToolsError, Token

__all__ = [
    "BACKENDS",
    "DictEntry",
    "DictionaryError",
    "SegmentationError",
    "Segmenter",
    "domain_dictionary",
    "read_dictionary",
    "split_sentences",
    "tokens_string",
]

logger = logging.getLogger(__name__)

#: accepted values of ``Segmenter(backend=...)``; "auto" currently means "jieba" (see ``_resolve_backend``)
BACKENDS = ("auto", "jieba", "rjieba")

_DICT_PACKAGE = "corpus_tools.resources"
_DICT_NAME = "union_dict.txt"

#: marks that end a sentence
SENTENCE_END = "。！？!?；;"
#: closing quotes/brackets that stay with the sentence they close ("…好。”" is one sentence)
SENTENCE_CLOSERS = "”’」』）)】》"
# Line boundaries are those of ``str.splitlines``. "□" (a stray mark scraped pages put where a
# comma or full stop was lost, e.g. "总之□20xx年") is deliberately absent: it separates clauses
# inside a sentence as often as sentences, so it never ends one.
_SENTENCE_BOUNDARY_RE = re.compile(
    rf"[{SENTENCE_END}][{SENTENCE_END}{SENTENCE_CLOSERS}]*|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]"
)

# jieba's own user-dictionary line format: "word [freq] [tag]"
_DICT_LINE_RE = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")


class DictionaryError(CorpusToolsError):
    """A segmentation dictionary could not be read (missing, not UTF-8, bad line)."""

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class SegmentationError(CorpusToolsError):
    """The segmentation backend returned tokens that do not tile the input text."""


@dataclass(frozen=True)
class DictEntry:
    """One dictionary line: ``freq``/``tag`` are ``None`` when the line omits them."""

    word: str
    freq: int | None = None
    tag: str | None = None


def read_dictionary(text: str, *, source: str = "<string>") -> list[DictEntry]:
    """Parse dictionary text in jieba's user-dictionary format (``word [freq] [tag]`` per line).

    Blank lines are skipped; a leading BOM is ignored.

    Examples
    --------
    >>> read_dictionary("工人先锋号 3000 nz\\n职代会")
    [DictEntry(word='工人先锋号', freq=3000, tag='nz'), DictEntry(word='职代会', freq=None, tag=None)]
    """
    entries = []
    for lineno, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _DICT_LINE_RE.match(line)
        if m is None:  # cannot happen for a non-empty line; a guard, not a code path
            raise DictionaryError(source, f"line {lineno}: cannot parse {line!r}")
        word, freq, tag = m.groups()
        entries.append(DictEntry(word, int(freq) if freq is not None else None, tag))
    return entries


def _read_dictionary_file(path: str | os.PathLike[str]) -> list[DictEntry]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DictionaryError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DictionaryError(str(path), f"not UTF-8 (byte {exc.start})") from exc
    return read_dictionary(text, source=str(path))


def domain_dictionary() -> list[DictEntry]:
    """The packaged union-domain dictionary (``corpus_tools/resources/union_dict.txt``).

    Examples
    --------
    >>> any(e.word == "职代会" for e in domain_dictionary())
    True
    """
    resource = files(_DICT_PACKAGE) / _DICT_NAME
    return read_dictionary(resource.read_text(encoding="utf-8"), source=f"{_DICT_PACKAGE}/{_DICT_NAME}")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``.

    A sentence ends after a run of 。！？!?；; (with the closing quotes/brackets ”’」』）)】》
    that follow it) and at every line break. "□" is not a sentence end. Spans are in text
    order, do not overlap, exclude surrounding whitespace and together cover every
    non-whitespace character; whitespace-only text gives ``[]``.

    Examples
    --------
    >>> text = "他说：“好。”然后走了\\n总之□20xx年完成了任务！"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['他说：“好。”', '然后走了', '总之□20xx年完成了任务！']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_BOUNDARY_RE.finditer(text):
        _append_stripped(spans, text, start, m.end())
        start = m.end()
    _append_stripped(spans, text, start, len(text))
    return spans


def _append_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.lstrip()
    if not stripped:
        return
    left = start + len(piece) - len(stripped)
    spans.append((left, left + len(stripped.rstrip())))


def tokens_string(tokens: Iterable[Token]) -> str:
    """Token words joined by single spaces, whitespace tokens left out.

    This is the ``sentences.tokens`` column; words never contain whitespace, so
    ``tokens_string(ts).split(" ")`` gives the words back.

    Examples
    --------
    >>> tokens_string([Token("职代会", 0, 3), Token(" ", 3, 4), Token("。", 4, 5)])
    '职代会 。'
    """
    return " ".join(t.word for t in tokens if t.word and not t.word.isspace())


def _is_punct(word: str) -> bool:
    # Unicode punctuation (P*) and symbols (S*): ，。“”《》 but also □ ※ ★ and ASCII marks.
    return all(unicodedata.category(ch)[0] in "PS" for ch in word)


def _cache_dir() -> str | None:
    """Per-user cache folder for jieba's prefix dictionary, or ``None`` when unusable."""
    home = os.path.expanduser("~")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    if not os.path.isabs(base):  # no usable home folder: never create "~/.cache" under the cwd
        return None
    path = os.path.join(base, "corpus-tools")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


class _Backend(Protocol):
    """What a segmentation engine provides: ``(word, start, end)`` tiles of the text."""

    def tokenize(self, text: str, hmm: bool) -> Iterable[tuple[str, int, int]]: ...


class _JiebaBackend:
    """A private ``jieba.Tokenizer`` with the dictionaries loaded."""

    def __init__(self, entries: Sequence[DictEntry]):
        import jieba  # deferred: importing jieba sets up its logging, keep that off our import path

        tokenizer = jieba.Tokenizer()
        cache = _cache_dir()
        if cache is not None:
            # otherwise jieba writes /tmp/jieba.cache, shared by every user and version
            tokenizer.tmp_dir = cache
            tokenizer.cache_file = f"jieba-{jieba.__version__}.cache"
        tokenizer.initialize()
        for entry in entries:
            if entry.freq == 0:
                # Tokenizer.add_word(word, 0) also calls finalseg.add_force_split, which is
                # process-wide; removing the word from our own table keeps the change private
                # (the HMM may still join its characters; use hmm=False to rule that out).
                tokenizer.FREQ[entry.word] = 0
                continue
            tokenizer.add_word(entry.word, entry.freq, entry.tag)
        self.tokenizer = tokenizer

    def tokenize(self, text: str, hmm: bool) -> Iterable[tuple[str, int, int]]:
        return self.tokenizer.tokenize(text, HMM=hmm)


class _RjiebaBackend:
    """``rjieba`` (jieba-rs): faster, but its model differs slightly from jieba's."""

    def __init__(self, entries: Sequence[DictEntry]):
        try:
            import rjieba
        except ImportError as exc:
            raise ModuleNotFoundError(
                "backend='rjieba' needs the rjieba package: pip install 'corpus-tools[fast]'"
            ) from exc
        self.jieba = rjieba.Jieba()
        for entry in entries:
            self.jieba.add_word(entry.word, entry.freq, entry.tag)

    def tokenize(self, text: str, hmm: bool) -> Iterable[tuple[str, int, int]]:
        return self.jieba.tokenize(text, hmm=hmm)


_BACKEND_CLASSES: dict[str, type[_JiebaBackend] | type[_RjiebaBackend]] = {
    "jieba": _JiebaBackend,
    "rjieba": _RjiebaBackend,
}


def _resolve_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    # "auto" stays jieba. rjieba keeps every union-dictionary term whole and is ~4x faster, but
    # it cuts "2-3", "e-mail" and rare CJK extension characters differently; results must not
    # depend on which optional packages happen to be installed (docs/segmentation.md).
    return "jieba" if name == "auto" else name


class Segmenter:
    """Word segmenter for union reports: jieba + the union dictionary, with offsets.

    Parameters
    ----------
    user_dicts
        Extra dictionary files (jieba user-dictionary format, UTF-8), loaded after the
        packaged union dictionary, in order; later entries override earlier ones.
    use_domain_dict
        Load the packaged union dictionary (``corpus_tools/resources/union_dict.txt``).
    hmm
        Let jieba's HMM join runs of unknown single characters into new words.
    backend
        ``"jieba"``, ``"rjieba"`` (needs the ``fast`` extra) or ``"auto"`` (currently jieba).
    drop_punct
        Make ``__call__`` leave out punctuation/symbol tokens (``tokenize``/``cut`` keep them).

    The tokenizer is built on first use (about a second) and is not pickled; an unpickled
    copy rebuilds it. Build one ``Segmenter`` per process and pass it around.

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg("胸心外科被中华全国总工会授予工人先锋号。")
    ['胸心外科', '被', '中华全国总工会', '授予', '工人先锋号']
    >>> seg.tokenize("职代会 召开")[0]
    Token(word='职代会', start=0, end=3)
    """

    def __init__(
        self,
        user_dicts: Sequence[str | os.PathLike[str]] = (),
        use_domain_dict: bool = True,
        hmm: bool = True,
        backend: str = "auto",
        drop_punct: bool = True,
    ):
        self.user_dicts = user_dicts
        self.use_domain_dict = use_domain_dict
        self.hmm = hmm
        self.backend = backend
        self.drop_punct = drop_punct

    # -- parameters and pickling ---------------------------------------------------------

    _PARAMS = ("user_dicts", "use_domain_dict", "hmm", "backend", "drop_punct")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> Segmenter:
        """Change constructor parameters; the tokenizer is rebuilt on next use if needed."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"invalid parameter {name!r} for Segmenter")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = Segmenter().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return "Segmenter(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def __getstate__(self) -> dict[str, Any]:
        # the built tokenizer holds a threading lock and ~100 MB of tables: never pickle it
        return self.get_params()

    def __setstate__(self, state: dict[str, Any]) -> None:
        # start from the defaults so pickles made before a parameter existed still load
        self.__dict__.update(Segmenter().get_params(), **state)

    # -- the engine ----------------------------------------------------------------------

    def _engine_key(self) -> tuple[Any, ...]:
        return (_resolve_backend(self.backend), self.use_domain_dict, tuple(str(p) for p in self.user_dicts))

    def _get_engine(self) -> _Backend:
        key = self._engine_key()
        built = getattr(self, "_engine", None)
        if built is None or built[0] != key:
            built = (key, self._build_engine(key))
            self._engine = built
        return built[1]

    def _build_engine(self, key: tuple[Any, ...]) -> _Backend:
        backend, use_domain_dict, user_dicts = key
        entries: list[DictEntry] = domain_dictionary() if use_domain_dict else []
        for path in user_dicts:
            entries.extend(_read_dictionary_file(path))
        logger.debug("building %s segmenter with %d dictionary entries", backend, len(entries))
        return _BACKEND_CLASSES[backend](entries)

    # -- segmentation --------------------------------------------------------------------

    def tokenize(self, text: str) -> list[Token]:
        """All tokens of ``text`` (whitespace and punctuation included), in order.

        The tokens tile the text: ``text[t.start:t.end] == t.word``, the first starts at 0,
        each starts where the previous ended and the last ends at ``len(text)``.

        Examples
        --------
        >>> [(t.word, t.start, t.end) for t in Segmenter().tokenize("召开职代会。")]
        [('召开', 0, 2), ('职代会', 2, 5), ('。', 5, 6)]
        """
        return list(self._tokens(text, 0))

    def _tokens(self, text: str, offset: int) -> Iterator[Token]:
        pos = 0
        for word, start, end in self._get_engine().tokenize(text, self.hmm):
            if start != pos or text[start:end] != word:
                raise SegmentationError(
                    f"token {word!r} at {start}:{end} does not continue the text at {pos}"
                )
            pos = end
            yield Token(word, start + offset, end + offset)
        if pos != len(text):
            raise SegmentationError(f"tokens end at {pos}, text is {len(text)} characters long")

    def cut(self, text: str) -> list[str]:
        """The words of all tokens (whitespace and punctuation included).

        Examples
        --------
        >>> Segmenter().cut("金秋助学 送温暖")
        ['金秋助学', ' ', '送温暖']
        """
        return [t.word for t in self.tokenize(text)]

    def __call__(self, text: str) -> list[str]:
        """Words for bag-of-words models: no whitespace tokens, no punctuation if ``drop_punct``.

        Examples
        --------
        >>> Segmenter()("开展“金秋助学”活动。")
        ['开展', '金秋助学', '活动']
        """
        words = [t.word for t in self.tokenize(text) if not t.word.isspace()]
        if self.drop_punct:
            words = [w for w in words if not _is_punct(w)]
        return words

    def split_sentences(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans of ``text``; see the module function ``split_sentences``."""
        return split_sentences(text)

    def sentences(self, text: str) -> list[tuple[int, int, list[Token]]]:
        """``(start, end, tokens)`` per sentence, token offsets relative to ``text``.

        Each sentence is tokenized on its own, so no token crosses a sentence boundary.

        Examples
        --------
        >>> [(s, e, tokens_string(ts)) for s, e, ts in Segmenter().sentences("召开职代会。 表彰劳模！")]
        [(0, 6, '召开 职代会 。'), (7, 12, '表彰 劳模 ！')]
        """
        return [
            (start, end, list(self._tokens(text[start:end], start))) for start, end in split_sentences(text)
        ]
