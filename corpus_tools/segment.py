"""Chinese word segmentation and sentence splitting with the union-domain dictionary.

``Segmenter`` wraps its *own* ``jieba.Tokenizer`` (never jieba's process-wide ``jieba.dt``),
loads the packaged union dictionary (``resources/union_dict.txt``) plus any user
dictionaries into it, and returns tokens with exact offsets. It follows the scikit-learn
convention (``__init__`` only stores parameters), builds the tokenizer lazily on first use,
and pickles without it, so it can be handed to worker processes and used as the
``tokenizer`` of a ``TfidfVectorizer``.

Sentence splitting is a pure function of the text (``split_sentences``); the segmenter
only combines it with tokenization (``Segmenter.sentences``).

Two engines give the same tokens: jieba (the reference, always installed) and rjieba (the
``fast`` extra, about 10x faster), whose few differences from jieba are undone here
(``_RjiebaBackend``). ``backend="auto"`` picks rjieba when it is installed; the environment
variable ``CORPUS_TOOLS_SEGMENTER_BACKEND`` overrides that choice (docs/segmentation.md).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from .records import CorpusToolsError, Token

__all__ = [
    "BACKENDS",
    "BACKEND_ENV",
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

#: accepted values of ``Segmenter(backend=...)``; "auto" means rjieba when installed, else jieba
BACKENDS = ("auto", "jieba", "rjieba")
#: environment variable that decides what ``backend="auto"`` means ("jieba", "rjieba" or "auto")
BACKEND_ENV = "CORPUS_TOOLS_SEGMENTER_BACKEND"

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


@functools.lru_cache(maxsize=1 << 16)
def _is_punct(word: str) -> bool:
    # Unicode punctuation (P*) and symbols (S*): ，。“”《》 but also □ ※ ★ and ASCII marks.
    # Cached: called for every token of every report (bag-of-words models), and a few thousand
    # distinct words make up almost all tokens; a cache hit is ~10x cheaper than the test.
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
    """A segmentation engine: ``cut(text, hmm)`` gives words that concatenate to ``text``."""

    def cut(self, text: str, hmm: bool) -> list[str]: ...


#: Set by the command line: silence jieba's "Building prefix dict" messages when it is first
#: imported (importing it up front only to silence it would cost every command a third of a second).
QUIET_JIEBA = False


class _JiebaBackend:
    """A private ``jieba.Tokenizer`` with the dictionaries loaded: the reference engine."""

    def __init__(self, entries: Sequence[DictEntry]):
        import jieba  # deferred: importing jieba sets up its logging, keep that off our import path

        if QUIET_JIEBA:
            jieba.setLogLevel(logging.ERROR)
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

    def cut(self, text: str, hmm: bool) -> list[str]:
        return self.tokenizer.lcut(text, HMM=hmm)


# Characters rjieba (jieba-rs) counts as Han but jieba 0.42.1 does not: CJK extension A,
# U+9FD6-9FFF, compatibility ideographs, extensions B-G and the compatibility supplement. jieba
# emits each as a token of its own that also ends the word run around it; rjieba lets its HMM
# join them ("𠀀𠀁"). Cutting the text apart at them gives jieba's result.
_RJIEBA_ONLY_HAN_RE = re.compile(
    "[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef"
    "\U0002f800-\U0002fa1f\U00030000-\U0003134f]"
)
# ASCII marks that both engines let into a word run; their HMM steps then cut such runs apart
# differently: rjieba keeps "2-3", "1-10", "e-mail", "1_2" whole, jieba does not.
_JOINER_RE = re.compile(r"[+#&._%\-]")
# how jieba's HMM step (jieba.finalseg.cut) cuts a run of non-Han word characters: letters and
# digits (with a decimal part and a percent sign) stay together, each stretch between them is one token
_JIEBA_HMM_RUN_RE = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|[^a-zA-Z0-9]+")
# without the HMM, jieba joins runs of single letters and digits and nothing else
_JIEBA_NO_HMM_RUN_RE = re.compile(r"[a-zA-Z0-9]+|.", re.DOTALL)
# what str.isspace() calls whitespace (re's \s on str is the same Unicode test)
_SPACE_RE = re.compile(r"\s")


class _RjiebaBackend:
    """``rjieba`` (jieba-rs, 10-20x faster), made to cut like jieba.

    Left alone it differs from jieba in two ways, both undone here: it joins the characters of
    ``_RJIEBA_ONLY_HAN_RE`` (the text is cut apart at them first), and its HMM keeps runs such
    as ``2-3``, ``e-mail`` or ``1_2`` whole (a word holding one of ``+#&._%-`` that is not in
    the dictionary is cut again by jieba's own rule). What remains is jieba-rs breaking ties
    between equally likely cuts of repeated characters the other way (``费费费``): no sentence
    of the sample pages, about 1 in 20,000 random strings (docs/segmentation.md).
    """

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

    def cut(self, text: str, hmm: bool) -> list[str]:
        if _RJIEBA_ONLY_HAN_RE.search(text) is None:
            words = self.jieba.cut(text, hmm)
        else:
            words = []
            pos = 0
            for m in _RJIEBA_ONLY_HAN_RE.finditer(text):
                if m.start() > pos:
                    words += self.jieba.cut(text[pos : m.start()], hmm)
                words.append(m.group())
                pos = m.end()
            if pos < len(text):
                words += self.jieba.cut(text[pos:], hmm)
        if _JOINER_RE.search(text) is not None:
            words = self._recut_joined_runs(words, hmm)
        return words

    def _recut_joined_runs(self, words: list[str], hmm: bool) -> list[str]:
        run_re = _JIEBA_HMM_RUN_RE if hmm else _JIEBA_NO_HMM_RUN_RE
        out: list[str] = []
        for word in words:
            if len(word) > 1 and _JOINER_RE.search(word) is not None and not self.jieba.has_word(word):
                out += run_re.findall(word)
            else:
                out.append(word)
        return out


_BACKEND_CLASSES: dict[str, type[_JiebaBackend] | type[_RjiebaBackend]] = {
    "jieba": _JiebaBackend,
    "rjieba": _RjiebaBackend,
}


def _rjieba_installed() -> bool:
    try:
        return importlib.util.find_spec("rjieba") is not None
    except (ImportError, ValueError):  # ValueError: sys.modules["rjieba"] set to None to hide it
        return False


def _resolve_backend(name: str, env_value: str | None) -> str:
    """The engine that ``backend=name`` stands for, given the value of ``BACKEND_ENV``."""
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    if name != "auto":
        return name
    choice = (env_value or "").strip().lower() or "auto"
    if choice == "auto":
        # rjieba gives jieba's tokens on every sentence of the sample pages, 10-20x faster
        return "rjieba" if _rjieba_installed() else "jieba"
    if choice not in _BACKEND_CLASSES:
        raise ValueError(f"{BACKEND_ENV} must be one of {BACKENDS}, got {env_value!r}")
    return choice


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
        ``"jieba"``, ``"rjieba"`` (needs the ``fast`` extra) or ``"auto"``: rjieba when it is
        installed, else jieba; the environment variable ``CORPUS_TOOLS_SEGMENTER_BACKEND``
        (``jieba``/``rjieba``/``auto``) overrides what ``"auto"`` picks.
    drop_punct
        Make ``__call__`` leave out punctuation/symbol tokens (``tokenize``/``cut`` keep them).

    The tokenizer is built on first use (about a second for jieba) and is not pickled; an
    unpickled copy rebuilds it. Build one ``Segmenter`` per process and pass it around.

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

    @property
    def resolved_backend(self) -> str:
        """The engine ``backend`` stands for here and now: ``"jieba"`` or ``"rjieba"``.

        Examples
        --------
        >>> Segmenter(backend="jieba").resolved_backend
        'jieba'
        """
        return _resolve_backend(self.backend, os.environ.get(BACKEND_ENV))

    def _engine_key(self) -> tuple[Any, ...]:
        user_dicts = tuple(str(p) for p in self.user_dicts) if self.user_dicts else ()
        return (self.backend, self.use_domain_dict, user_dicts)

    def _get_engine(self) -> _Backend:
        # called once per text: keep it cheap (reading os.environ here cost as much as the
        # check below), so the environment variable is read when the engine is built
        key = self._engine_key()
        built = getattr(self, "_engine", None)
        if built is None or built[0] != key:
            built = (key, self._build_engine(*key))
            self._engine = built
        return built[1]

    def _build_engine(self, backend: str, use_domain_dict: bool, user_dicts: tuple[str, ...]) -> _Backend:
        name = _resolve_backend(backend, os.environ.get(BACKEND_ENV))
        entries: list[DictEntry] = domain_dictionary() if use_domain_dict else []
        for path in user_dicts:
            entries.extend(_read_dictionary_file(path))
        logger.debug("building %s segmenter with %d dictionary entries", name, len(entries))
        return _BACKEND_CLASSES[name](entries)

    # -- segmentation --------------------------------------------------------------------

    def _words(self, engine: _Backend, text: str) -> list[str]:
        words = engine.cut(text, self.hmm)
        # concatenating to the text with no empty word is exactly "the tokens tile the text"
        if "".join(words) != text or not all(words):
            raise SegmentationError(
                f"the {type(engine).__name__} words {words[:20]!r} do not tile the text {text[:50]!r}"
            )
        return words

    def _tokens(self, engine: _Backend, text: str, offset: int) -> list[Token]:
        tokens = []
        pos = offset
        for word in self._words(engine, text):
            end = pos + len(word)
            tokens.append(Token(word, pos, end))
            pos = end
        return tokens

    def tokenize(self, text: str) -> list[Token]:
        """All tokens of ``text`` (whitespace and punctuation included), in order.

        The tokens tile the text: ``text[t.start:t.end] == t.word``, the first starts at 0,
        each starts where the previous ended and the last ends at ``len(text)``.

        Examples
        --------
        >>> [(t.word, t.start, t.end) for t in Segmenter().tokenize("召开职代会。")]
        [('召开', 0, 2), ('职代会', 2, 5), ('。', 5, 6)]
        """
        return self._tokens(self._get_engine(), text, 0)

    def cut(self, text: str) -> list[str]:
        """The words of all tokens (whitespace and punctuation included).

        Examples
        --------
        >>> Segmenter().cut("金秋助学 送温暖")
        ['金秋助学', ' ', '送温暖']
        """
        return self._words(self._get_engine(), text)

    def __call__(self, text: str) -> list[str]:
        """Words for bag-of-words models: no whitespace tokens, no punctuation if ``drop_punct``.

        Examples
        --------
        >>> Segmenter()("开展“金秋助学”活动。")
        ['开展', '金秋助学', '活动']
        """
        words = [w for w in self.cut(text) if not w.isspace()]
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
        engine = self._get_engine()
        return [(start, end, self._tokens(engine, text[start:end], start)) for start, end in split_sentences(text)]

    def sentence_token_strings(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, tokens_string)`` per sentence: the rows of the ``sentences`` table.

        The same as ``[(s, e, tokens_string(ts)) for s, e, ts in self.sentences(text)]``,
        without building a ``Token`` per word (several times faster with rjieba).

        Examples
        --------
        >>> Segmenter().sentence_token_strings("召开职代会。 表彰劳模！")
        [(0, 6, '召开 职代会 。'), (7, 12, '表彰 劳模 ！')]
        """
        engine = self._get_engine()
        rows = []
        for start, end in split_sentences(text):
            sentence = text[start:end]
            words = self._words(engine, sentence)
            if _SPACE_RE.search(sentence) is not None:
                words = [w for w in words if not w.isspace()]
            rows.append((start, end, " ".join(words)))
        return rows
