"""The clean stage: a decoded page in, clean text plus an offset map out.

Cleaning only deletes: markdown marks, page artefacts (― 2 ―, 第 1 页 共 9 页, 12下一页,
stray backticks), site boilerplate, and the line breaks that page breaks put inside sentences.
Anonymised placeholders (20xx, xx万元, ***, 20__) and full-width punctuation are kept as written.
The result has one paragraph per line, and every character maps back to the decoded source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .offsets import DeletingText, OffsetMap
from .patterns import CLAUSE_PUNCT, CLOSERS, PAGE_TITLE, REPORT_MARKER, SENTENCE_END, match_marker


@dataclass(frozen=True)
class CleanText:
    """Cleaned page text and the map from its positions to the decoded source."""

    text: str
    offsets: OffsetMap


@dataclass(frozen=True)
class BoilerplateRules:
    """Sentence patterns of site boilerplate (see ``resources/boilerplate.txt``)."""

    formula: tuple[re.Pattern[str], ...]
    teaser: tuple[re.Pattern[str], ...]

    @property
    def any_pattern(self) -> re.Pattern[str]:
        """One alternation of every rule: lines without a hit skip the sentence-level check."""
        cached = self.__dict__.get("_any")
        if cached is None:
            cached = re.compile("|".join(f"(?:{p.pattern})" for p in self.formula + self.teaser) or r"(?!)")
            object.__setattr__(self, "_any", cached)
        return cached

    def candidate_lines(self, text: str) -> set[int]:
        """Start offsets of the lines of ``text`` where some rule may match.

        Each rule scans the whole text once (per-rule literal prefixes make that fast, while the
        one alternation of every rule has none and is slow on every line). Multi-line mode makes
        ``^``/``$`` line anchors; a match that runs over a line break only adds a candidate,
        which ``boilerplate_spans`` then checks line by line, so no line is missed."""
        found: set[int] = set()
        for rule in self._multiline():
            pos = 0
            while (m := rule.search(text, pos)) is not None:
                start = text.rfind("\n", 0, m.start()) + 1
                found.add(start)
                nxt = text.find("\n", m.start())
                if nxt < 0:
                    break
                pos = nxt + 1
        return found

    def _multiline(self) -> tuple[re.Pattern[str], ...]:
        cached = self.__dict__.get("_multi")
        if cached is None:
            cached = tuple(re.compile(p.pattern, p.flags | re.MULTILINE) for p in self.formula + self.teaser)
            object.__setattr__(self, "_multi", cached)
        return cached

    @classmethod
    def from_text(cls, text: str) -> BoilerplateRules:
        groups: dict[str, list[re.Pattern[str]]] = {"formula": [], "teaser": []}
        current = "formula"
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]") and line[1:-1] in groups:
                current = line[1:-1]
                continue
            groups[current].append(re.compile(line))
        return cls(tuple(groups["formula"]), tuple(groups["teaser"]))


@lru_cache(maxsize=1)
def default_boilerplate() -> BoilerplateRules:
    """The packaged boilerplate rules."""
    text = resources.files("corpus_tools.resources").joinpath("boilerplate.txt").read_text("utf-8")
    return BoilerplateRules.from_text(text)


# -- deletion patterns -------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\r]")
_MD_HEADING = re.compile(r"(?m)^[ \t\u3000\xa0]*#{1,6}(?=[ \t\u3000]|[^#\s])[ \t\u3000]*")
_MD_BULLET = re.compile(r"(?m)^[ \t\u3000\xa0]*[-+*•][ \t\u3000]+")
_MD_QUOTE = re.compile(r"(?m)^[ \t\u3000\xa0]*>[ \t]?")
# **bold** on one line; the content must not itself be made of asterisks (*** masks names)
_MD_BOLD = re.compile(r"(?<![\\*])(\*\*)(?=[^*\s])[^*\n]+?[^*\s\\](\*\*)(?!\*)")
_MD_ESCAPE = re.compile(r"\\(?=[*_#\-.\[\]()`!>+|~])")
_BACKTICK = re.compile(r"`+")
_PAGE_DASH = re.compile(r"(?m)(?:^|(?<![ \t\u3000])(?=[ \t\u3000]))[ \t\u3000]*+[―—–-]{1,2}[ \t\u3000]*+\d{1,4}[ \t\u3000]*+[―—–-]{1,2}[ \t\u3000]*+$")
_PAGE_OF = re.compile(r"(?<![ \t\u3000])[ \t\u3000]*第[ \t\u3000]*\d{1,4}[ \t\u3000]*页[ \t\u3000]*[，,/]?[ \t\u3000]*共[ \t\u3000]*\d{1,4}[ \t\u3000]*页[ \t\u3000]*")
_PAGE_NAV = re.compile(r"(?m)(?:上一页|下一页|首页|尾页|返回目录|返回顶部)(?:[ \t\u3000]*\d{1,3})*[ \t\u3000]*$")
_NAV_LEFT = re.compile(r"(?<![ \t\u3000\d])[ \t\u3000\d]*+\Z")
_PAGE_NUM_LINE = re.compile(r"(?m)^[ \t\u3000]*+(?:共[ \t\u3000]*+\d{1,4}[ \t\u3000]*+页|\d{1,4}[ \t\u3000]*+/[ \t\u3000]*+\d{1,4}|[-―—]?[ \t\u3000]*+\d{1,3}[ \t\u3000]*+[-―—]?)[ \t\u3000]*+$")
_PAYWALL = re.compile(r"[（(【\[]?[.…·]*此处(?:隐藏|省略)了?[：:]?\s*\d+\s*个?字(?:[^\n。]{0,30}?(?:下载后查看|请下载|查看全文)[^\n。]{0,4}。?)?[.…·]*[）)】\]]?")
_URL = re.compile(r"(?:https?://)?(?:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|cc|info)(?:/[A-Za-z0-9._~%/?#=&-]*)?|https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/?#=&-]*)?")
_LEADING_WS = re.compile(r"(?m)^[ \t\u3000\xa0]+")
_TRAILING_WS = re.compile(r"(?m)(?<![ \t\u3000\xa0])[ \t\u3000\xa0]+$")
_BLANK_LINES = re.compile(r"(?<=\n)\n+")
_EDGE_NEWLINES = re.compile(r"^\n+|\n+\Z")
_SENTENCE = re.compile(rf"[^{SENTENCE_END}]*(?:[{SENTENCE_END}]+[{CLOSERS}]*|$)")


def clean_page(raw: str, *, boilerplate: BoilerplateRules | None = None) -> CleanText:
    """Clean a decoded page.

    Parameters
    ----------
    raw
        The decoded source text (line breaks normalised to ``\\n``).
    boilerplate
        Boilerplate rules; the packaged ones by default.

    Returns
    -------
    CleanText
        One paragraph per line; ``raw[offsets.to_source(i)] == text[i]`` for every character
        that is not a line break.

    Examples
    --------
    >>> c = clean_page("## 标题篇一\\n\\n各项开\\n\\n支严格按照规定执行。")
    >>> c.text
    '标题篇一\\n各项开支严格按照规定执行。'
    """
    rules = boilerplate or default_boilerplate()
    doc = DeletingText(raw)
    # Each pass only deletes; a join can expose a new artefact (or a joined line can read
    # differently), so repeat until nothing changes: that makes cleaning idempotent.
    for _ in range(_MAX_PASSES):
        before = len(doc.text)
        _clean_pass(doc, rules)
        if len(doc.text) == before:
            break
    return CleanText(doc.text, doc.offset_map())


_MAX_PASSES = 6


# Hints: fast patterns (a literal or character-set prefix) found in every match of a slow one
# (one that can start at any character, so Python's re tries it at every position)
_PAGE_OF_HINT = re.compile(r"第[ \t\u3000]*\d{1,4}[ \t\u3000]*页")
_PAGE_DASH_HINT = re.compile(r"[―—–-][ \t\u3000]*\d{1,4}[ \t\u3000]*[―—–-]")
_TRAILING_WS_HINT = re.compile(r"[ \t\u3000\xa0](?:\n|\Z)")
_EDGE_NEWLINES_HINT = re.compile(r"\A\n|\n\Z")

#: deletion patterns in order, each with a cheap test that must pass before it runs: literals
#: (any of them in the text) or a hint pattern (found in the text)
_DELETIONS: tuple[tuple[re.Pattern[str], tuple[str, ...] | re.Pattern[str]], ...] = (
    (_MD_ESCAPE, ("\\",)), (_BACKTICK, ("`",)), (_PAYWALL, ("此处",)), (_URL, ("www.", "http")),
    (_PAGE_OF, _PAGE_OF_HINT), (_PAGE_DASH, _PAGE_DASH_HINT), (_PAGE_NUM_LINE, ()),
    (_LEADING_WS, ()), (_TRAILING_WS, _TRAILING_WS_HINT), (_BLANK_LINES, ("\n\n",)), (_EDGE_NEWLINES, _EDGE_NEWLINES_HINT),
)


def _may_match(text: str, test: tuple[str, ...] | re.Pattern[str]) -> bool:
    if isinstance(test, re.Pattern):
        return test.search(text) is not None
    return not test or any(n in text for n in test)


def _delete_page_nav(doc: DeletingText) -> None:
    """Drop "12下一页"-style navigation at the end of a line (with the page numbers before it)."""
    spans = []
    for m in _PAGE_NAV.finditer(doc.text):
        line_start = doc.text.rfind("\n", 0, m.start()) + 1
        left = _NAV_LEFT.search(doc.text, line_start, m.start())
        spans.append((left.start() if left else m.start(), m.end()))
    doc.delete_spans(spans)


def _clean_pass(doc: DeletingText, rules: BoilerplateRules) -> None:
    for pat in (_CONTROL, _MD_HEADING, _MD_BULLET, _MD_QUOTE):
        doc.delete_matches(pat)
    if "**" in doc.text:
        _delete_bold(doc)
    if any(n in doc.text for n in ("上一页", "下一页", "首页", "尾页", "返回目录", "返回顶部")):
        _delete_page_nav(doc)
    for pat, test in _DELETIONS:
        if _may_match(doc.text, test):
            doc.delete_matches(pat)
    _delete_boilerplate(doc, rules)
    doc.delete_matches(_BLANK_LINES)
    if _may_match(doc.text, _EDGE_NEWLINES_HINT):
        doc.delete_matches(_EDGE_NEWLINES)
    _join_broken_lines(doc)


def _delete_bold(doc: DeletingText) -> None:
    spans = []
    for m in _MD_BOLD.finditer(doc.text):
        spans.append(m.span(1))
        spans.append(m.span(2))
    doc.delete_spans(spans)


def split_sentences_simple(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one line, cut after 。！？；… (closing quotes stay attached)."""
    spans = []
    for m in _SENTENCE.finditer(line):
        if m.end() > m.start():
            spans.append(m.span())
    return spans


def boilerplate_spans(line: str, rules: BoilerplateRules) -> list[tuple[int, int]]:
    """Spans of ``line`` that are site boilerplate (possibly the whole line)."""
    if not rules.any_pattern.search(line):
        return []
    sents = split_sentences_simple(line)
    if not sents:
        return []
    kinds = []
    for s, e in sents:
        sent = line[s:e]
        if any(p.search(sent) for p in rules.formula):
            kinds.append("formula")
        elif any(p.search(sent) for p in rules.teaser):
            kinds.append("teaser")
        else:
            kinds.append(None)
    flagged = [i for i, k in enumerate(kinds) if k]
    if not flagged:
        return []
    n_formula = sum(k == "formula" for k in kinds)
    last = flagged[-1]
    tail = "".join(line[s:e] for s, e in sents[last + 1:]).strip()
    flagged_chars = sum(sents[i][1] - sents[i][0] for i in flagged)
    # a teaser paragraph: a short one that is mostly boilerplate or a lead-in ending in the
    # formula, or any paragraph that is mostly boilerplate by length
    short_teaser = len(line) <= _TEASER_MAX and (
        len(flagged) >= 2 or len(flagged) * 2 >= len(sents) or (n_formula and not tail))
    if short_teaser or flagged_chars * 2 >= len(line):
        return [(0, len(line))]
    if n_formula == 0 and len(flagged) < 2:
        return []  # a lone teaser-like sentence inside a report is not enough evidence
    return [sents[i] for i in flagged]


_TEASER_MAX = 400  # characters: longer paragraphs lose only their boilerplate sentences


def _delete_boilerplate(doc: DeletingText, rules: BoilerplateRules) -> None:
    spans = []
    text = doc.text
    for pos in sorted(rules.candidate_lines(text)):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        for s, e in boilerplate_spans(line, rules):
            spans.append((pos + s, pos + e))
    doc.delete_spans(spans)


# -- joining lines broken by page breaks ------------------------------------------------------
def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(CLOSERS)
    if not stripped:
        return True
    if stripped[-1] in SENTENCE_END or stripped[-1] in "：:":
        return True
    # a closing quote/bracket after nothing terminal still ends a heading-like phrase
    return False


def is_heading_like(line: str) -> bool:
    """A line that stands alone: a marker heading, a report marker, a title, a date, a name."""
    if REPORT_MARKER.match(line) or PAGE_TITLE.search(line):
        return True
    marker = match_marker(line)
    body = line
    if marker:
        body = line[line.find(marker[1]) + len(marker[1]):] if marker[1] in line else line
        if len(line) <= 40 and "。" not in body:
            return True
    inner = body[:-1] if body else body
    if len(line) <= 20 and not any(c in CLAUSE_PUNCT or c in "，。" for c in inner):
        return True
    if len(line) <= 30 and any(c in "：:" for c in inner):
        return True
    return False


def should_join(prev: str, nxt: str) -> bool:
    """Whether ``nxt`` continues the sentence that a page break cut at the end of ``prev``."""
    if not prev or not nxt:
        return False
    if nxt[0] in "。，、；：！？）」』”’,.;:!?)":
        return True
    if _ends_sentence(prev):
        return False
    if match_marker(nxt) or REPORT_MARKER.match(nxt) or PAGE_TITLE.search(nxt):
        return False
    if prev[-1] in CLAUSE_PUNCT:
        return True
    if is_heading_like(prev):
        return False
    return True


def _join_broken_lines(doc: DeletingText) -> None:
    lines = doc.text.split("\n")
    spans = []
    pos = 0
    acc = lines[0] if lines else ""
    for i in range(1, len(lines)):
        pos += len(lines[i - 1]) + 1
        nxt = lines[i]
        if should_join(acc, nxt):
            spans.append((pos - 1, pos))
            acc = acc + nxt
        else:
            acc = nxt
    doc.delete_spans(spans)
