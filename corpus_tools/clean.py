"""The clean stage: a decoded page in, clean text plus an offset map out.

Cleaning only deletes: markdown marks, page artefacts (― 2 ―, 第 1 页 共 9 页, 12下一页,
stray backticks), site boilerplate, and the line breaks that page breaks put inside sentences.
Anonymised placeholders (20xx, xx万元, ***, 20__) and full-width punctuation are kept as written.
The result has one paragraph per line, and every character maps back to the decoded source.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .offsets import DeletingText, OffsetMap
from .patterns import CLAUSE_PUNCT, CLOSERS, PAGE_TITLE, REPORT_MARKER, SENTENCE_END, match_marker
from .regex_literals import rarest_literals


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

        Most rules hold a literal that every match contains (``regex_literals.rarest_literals``), so one scan
        for all those literals finds the lines where they may match (one scan per rule, even
        with literal prefixes, costs several times more); such a line is a candidate when one
        of the rules whose literal it holds matches in it. A rule without such a literal scans
        the whole text itself, in multi-line mode so that ``^``/``$`` are line anchors; a match
        of it that runs over a line break only adds a candidate, which ``boilerplate_spans``
        then checks line by line, so no line is missed."""
        found: set[int] = set()
        prefilter, literal_rules, unfiltered = self._prefilter()
        for rule in unfiltered:
            pos = 0
            while (m := rule.search(text, pos)) is not None:
                start = text.rfind("\n", 0, m.start()) + 1
                found.add(start)
                nxt = text.find("\n", m.start())
                if nxt < 0:
                    break
                pos = nxt + 1
        pos = 0
        while prefilter is not None and (m := prefilter.search(text, pos)) is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.start())
            line = text[start:] if end < 0 else text[start:end]
            # the rules of every literal in the line: at each position the longest literal there
            # is found, and the rules of the literals it starts with come along
            rules: set[int] = set()
            q = m.start() - start
            while (hit := prefilter.search(line, q)) is not None:
                rules.update(literal_rules[hit.group()])
                q = hit.start() + 1
            if any(self._all[i].search(line) for i in sorted(rules)):
                found.add(start)
            if end < 0:
                break
            pos = end + 1
        return found

    def _prefilter(self) -> tuple[re.Pattern[str] | None, dict[str, set[int]], list[re.Pattern[str]]]:
        """One pattern of every required literal (longest first), the rules that need each literal
        or one it starts with, and the rules without a literal."""
        cached = self.__dict__.get("_pre")
        if cached is None:
            by_literal: dict[str, list[int]] = {}
            unfiltered = []
            for i, (rule, multi) in enumerate(zip(self._all, self._multiline(), strict=True)):
                literals = rarest_literals(rule)
                if literals is None or any("\n" in lit for lit in literals):
                    unfiltered.append(multi)
                    continue
                for lit in literals:
                    by_literal.setdefault(lit, []).append(i)
            ordered = sorted(by_literal, key=lambda lit: (-len(lit), lit))
            prefilter = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            literal_rules = {
                lit: {i for other in ordered if lit.startswith(other) for i in by_literal[other]} for lit in ordered
            }
            cached = (prefilter, literal_rules, unfiltered)
            object.__setattr__(self, "_pre", cached)
        return cached

    @property
    def _all(self) -> tuple[re.Pattern[str], ...]:
        return self.formula + self.teaser

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


class _LineStart:
    """A pattern anchored at line starts, ``(?m)^body``, as Python's re runs it fast.

    re tries ``^`` at every position of the text. ``\\n(body)`` instead has a literal first
    character, so re skips from line break to line break; the first line is matched on its own.
    ``body`` must not match a line break, so the matches are those of ``(?m)^body``.
    """

    def __init__(self, body: str):
        self.first = re.compile(body, re.MULTILINE)
        self.rest = re.compile(rf"\n({body})", re.MULTILINE)

    def spans(self, text: str) -> list[tuple[int, int]]:
        m = self.first.match(text)
        spans = [m.span()] if m else []
        spans.extend(m.span(1) for m in self.rest.finditer(text))
        return spans


_MD_HEADING = _LineStart(r"[ \t\u3000\xa0]*#{1,6}(?=[ \t\u3000]|[^#\s])[ \t\u3000]*")
_MD_BULLET = _LineStart(r"[ \t\u3000\xa0]*[-+*•][ \t\u3000]+")
_MD_QUOTE = _LineStart(r"[ \t\u3000\xa0]*>[ \t]?")
# **bold** on one line; the content must not itself be made of asterisks (*** masks names).
# The opening ** must not follow \ or *: checked by a lookbehind after it, not before, so
# that re gets a literal prefix to search for instead of trying every position.
_MD_BOLD = re.compile(r"(\*\*)(?<![\\*]\*\*)(?=[^*\s])[^*\n]+?[^*\s\\](\*\*)(?!\*)")
_MD_ESCAPE = re.compile(r"\\(?=[*_#\-.\[\]()`!>+|~])")
_BACKTICK = re.compile(r"`+")
_PAGE_DASH = re.compile(r"(?m)(?:^|(?<![ \t\u3000])(?=[ \t\u3000]))[ \t\u3000]*+[―—–-]{1,2}[ \t\u3000]*+\d{1,4}[ \t\u3000]*+[―—–-]{1,2}[ \t\u3000]*+$")
_PAGE_OF = re.compile(r"(?<![ \t\u3000])[ \t\u3000]*第[ \t\u3000]*\d{1,4}[ \t\u3000]*页[ \t\u3000]*[，,/]?[ \t\u3000]*共[ \t\u3000]*\d{1,4}[ \t\u3000]*页[ \t\u3000]*")
_PAGE_NAV = re.compile(r"(?m)(?:上一页|下一页|首页|尾页|返回目录|返回顶部)(?:[ \t\u3000]*\d{1,3})*[ \t\u3000]*$")
_NAV_LEFT = re.compile(r"(?<![ \t\u3000\d])[ \t\u3000\d]*+\Z")
_PAGE_NUM_LINE = _LineStart(r"[ \t\u3000]*+(?:共[ \t\u3000]*+\d{1,4}[ \t\u3000]*+页|\d{1,4}[ \t\u3000]*+/[ \t\u3000]*+\d{1,4}|[-―—]?[ \t\u3000]*+\d{1,3}[ \t\u3000]*+[-―—]?)[ \t\u3000]*+$")
_PAYWALL = re.compile(r"[（(【\[]?[.…·]*此处(?:隐藏|省略)了?[：:]?\s*\d+\s*个?字(?:[^\n。]{0,30}?(?:下载后查看|请下载|查看全文)[^\n。]{0,4}。?)?[.…·]*[）)】\]]?")
_URL = re.compile(r"(?:https?://)?(?:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|cc|info)(?:/[A-Za-z0-9._~%/?#=&-]*)?|https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/?#=&-]*)?")
_LEADING_WS = _LineStart(r"[ \t\u3000\xa0]+")
_TRAILING_WS = re.compile(r"(?m)(?<![ \t\u3000\xa0])[ \t\u3000\xa0]+$")
# group 1: all line breaks of a run but the first (``(?<=\n)\n+``, with a literal prefix for re)
_BLANK_LINES = re.compile(r"\n(\n+)")
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
    # differently), so repeat until nothing changes: that makes cleaning idempotent. Most pages
    # need one pass; the pass that would only confirm it is replaced by a check of the lines
    # the last pass touched (_pass_would_change).
    for _ in range(_MAX_PASSES):
        before = doc.text, doc.index
        _clean_pass(doc, rules)
        if len(doc.text) == len(before[0]) or not _pass_would_change(doc, before, rules):
            break
    return CleanText(doc.text, doc.offset_map())


_MAX_PASSES = 6


# Hints: fast patterns (a literal or character-set prefix) found in every match of a slow one
# (one that can start at any character, so Python's re tries it at every position)
_PAGE_OF_HINT = re.compile(r"第[ \t\u3000]*\d{1,4}[ \t\u3000]*页")
_PAGE_DASH_HINT = re.compile(r"[―—–-][ \t\u3000]*\d{1,4}[ \t\u3000]*[―—–-]")
_TRAILING_WS_HINT = re.compile(r"[ \t\u3000\xa0](?:\n|\Z)")

#: deletion patterns in order, each with a cheap test that must pass before it runs: literals
#: (any of them in the text) or a hint pattern (found in the text); then _delete_edge_newlines
_DELETIONS: tuple[tuple[re.Pattern[str] | _LineStart, tuple[str, ...] | re.Pattern[str]], ...] = (
    (_MD_ESCAPE, ("\\",)), (_BACKTICK, ("`",)), (_PAYWALL, ("此处",)), (_URL, ("www.", "http")),
    (_PAGE_OF, _PAGE_OF_HINT), (_PAGE_DASH, _PAGE_DASH_HINT), (_PAGE_NUM_LINE, ()),
    (_LEADING_WS, ()), (_TRAILING_WS, _TRAILING_WS_HINT), (_BLANK_LINES, ("\n\n",)),
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
    _clean_lines(doc, rules)
    _join_broken_lines(doc)


def _clean_lines(doc: DeletingText, rules: BoilerplateRules) -> None:
    """Every step of a pass but the joining of lines.

    All these steps are line-local (what they delete in a line depends on that line alone: no
    match spans a line break, and lookarounds see at most the line break next to the line)
    except _PAYWALL, whose ``\\s*`` may cross a line break, and the steps that delete line
    breaks (_BLANK_LINES, _delete_edge_newlines). _pass_would_change relies on this."""
    doc.delete_matches(_CONTROL)
    for line_start in (_MD_HEADING, _MD_BULLET, _MD_QUOTE):
        doc.delete_spans(line_start.spans(doc.text))
    if "**" in doc.text:
        _delete_bold(doc)
    if any(n in doc.text for n in ("上一页", "下一页", "首页", "尾页", "返回目录", "返回顶部")):
        _delete_page_nav(doc)
    for pat, test in _DELETIONS:
        if not _may_match(doc.text, test):
            continue
        if isinstance(pat, _LineStart):
            doc.delete_spans(pat.spans(doc.text))
        else:
            doc.delete_matches(pat, 1 if pat is _BLANK_LINES else 0)
    _delete_edge_newlines(doc)
    _delete_boilerplate(doc, rules)
    if "\n\n" in doc.text:
        doc.delete_matches(_BLANK_LINES, 1)
    _delete_edge_newlines(doc)


def _delete_edge_newlines(doc: DeletingText) -> None:
    """Delete the line breaks at both ends: the matches of ``^\\n+|\\n+\\Z``, found without a scan."""
    text = doc.text
    lead = len(text) - len(text.lstrip("\n"))
    trail = len(text) - len(text.rstrip("\n"))
    doc.delete_spans([(0, lead), (len(text) - trail, len(text))])


def _pass_would_change(doc: DeletingText, before: tuple[str, np.ndarray], rules: BoilerplateRules) -> bool:
    """Whether another ``_clean_pass`` would delete anything; ``before``: text and index before the last.

    Exact, not a guess. Say a line is untouched by the last pass: its characters were
    neighbours before it, and all that the pass deleted right before and after it were line
    breaks. Then it was a whole line with the same content all through that pass, every
    line-local step (see ``_clean_lines``) ran over it and found nothing, and would find
    nothing again. The steps that are not line-local are checked on the whole text (cheap
    string tests), and the touched lines are put through the line-local steps for real.
    Joining: the last pass tested each line that it did not join to the line before against
    that line as it is now (the joined line before included), so only a touched line can join
    the line before it now. A false alarm would only cost the full pass.
    """
    text = doc.text
    if not text:
        return False
    if "\n\n" in text or text.startswith("\n") or text.endswith("\n"):
        return True  # for _BLANK_LINES or _delete_edge_newlines
    if "此处" in text and _PAYWALL.search(text):
        return True
    before_text, before_index = before
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    touched = set()
    for p, s, e in doc.deletions_since(before_index):
        left = p > 0 and text[p - 1] != "\n"
        right = p < len(text) and text[p] != "\n"
        if not (left and right) and not before_text[s:e].strip("\n"):
            continue  # only line breaks went, next to a line break or an end: no line changed
        if left:
            touched.add(bisect_right(starts, p - 1) - 1)
        if right:
            touched.add(bisect_right(starts, p) - 1)
    touched_lines = sorted(touched)
    if not touched_lines:
        return False
    # each touched line stays a whole line, between line breaks or ends, as in the text
    probe = DeletingText("\n".join(lines[i] for i in touched_lines))
    n = len(probe.text)
    _clean_lines(probe, rules)
    if len(probe.text) != n:
        return True
    return any(i > 0 and should_join(lines[i - 1], lines[i]) for i in touched_lines)


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


#: a line starting with one of these continues the line before
_CONTINUES = "。，、；：！？）」』”’,.;:!?)"
#: a line ending in one of these ends a sentence (see _ends_sentence)
_ENDS = SENTENCE_END + "：:"


def should_join(prev: str, nxt: str) -> bool:
    """Whether ``nxt`` continues the sentence that a page break cut at the end of ``prev``."""
    if not prev or not nxt:
        return False
    if nxt[0] in _CONTINUES:
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
        if acc and nxt and acc[-1] in _ENDS and nxt[0] not in _CONTINUES:
            acc = nxt  # ends a sentence, and nxt does not continue it: should_join's no, sooner
        elif should_join(acc, nxt):
            spans.append((pos - 1, pos))
            acc = acc + nxt
        else:
            acc = nxt
    doc.delete_spans(spans)
