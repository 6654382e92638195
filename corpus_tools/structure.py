"""The structure stage: a report's section tree from Chinese official numbering.

Headings come numbered (第一， / 一、 / （一） / 1、 1. / （1） / ①) or unnumbered (a short line
such as "xx年工作思路" above its body). Arabic-numbered paragraphs are often plain list items
("1、春节前夕为职工发放福利1000元。"), so they count as headings only when they stand alone
above a body, or when they open a paragraph under a higher-level heading with a lead sentence
followed by more text.
"""

from __future__ import annotations

import re

from .clean import is_heading_like
from .patterns import MARKER_RANKS, marker_number, match_marker
from .records import Section
from .split import DATE_LINE, REPORT_TITLE, SALUTATION, SIGNATURE_LINE, is_closing

SECTION_KINDS = ("review", "problems", "plans", "finance", "other")

#: title words that decide a section's kind, checked in this order
KIND_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("finance", re.compile(r"经费|财务|收支|预算|决算|会费|资产|账")),
    ("problems", re.compile(r"问题|不足|差距|困难和|薄弱|教训|短板")),
    ("plans", re.compile(r"打算|计划|思路|部署|设想|安排|目标|任务|今后|下一步|明年|新的一年|下半年|努力方向|展望|措施")),
    ("review", re.compile(r"回顾|主要工作|工作总结|成绩|成效|做法|完成情况|取得|进展|情况")),
)

_TITLE_END = re.compile(r"[。！？!?；;：:]")
_INLINE_MAX = 60
_UNNUMBERED_MAX = 25
_ARABIC_KINDS = ("arabic", "paren_arabic", "circled")


def section_kind(title: str, parent_kind: str = "other") -> str:
    """Classify a section title as review | problems | plans | finance | other.

    >>> section_kind("二、存在的问题和几点工作体会")
    'problems'
    >>> section_kind("经费收入情况")
    'finance'
    """
    for kind, pat in KIND_CUES:
        if pat.search(title):
            return kind
    return parent_kind


def _lead_sentence(body: str) -> tuple[str, bool]:
    """The heading part of a paragraph and whether more text follows it."""
    m = _TITLE_END.search(body)
    if not m:
        return body.strip(), False
    rest = body[m.end():].strip()
    return body[:m.start()].strip(), len(rest) >= 2


def _standalone(line: str, body: str) -> bool:
    """A heading line with no body of its own: short, at most one sentence, no clause commas
    when it ends like a sentence."""
    if len(line) > 40:
        return False
    core = body.rstrip("。.；;！!")
    if _TITLE_END.search(core):
        return False
    if core != body and "，" in core:
        return False  # "1、认真贯彻执行《工会法》，按比例…万元。" is a list item
    return True


def parse_sections(text: str) -> list[Section]:
    """Parse the section tree of one report.

    Parameters
    ----------
    text
        The cleaned report text, one paragraph per line.

    Returns
    -------
    list[Section]
        Sections in text order with 1-based ids; ``start``/``end`` are offsets into ``text``
        covering the heading and everything up to the next heading of the same or a higher level.

    Examples
    --------
    >>> secs = parse_sections("一、工作回顾\\n今年工会做了很多工作。\\n二、存在的问题\\n经费不足。")
    >>> [(s.level, s.marker, s.title, s.kind) for s in secs]
    [(1, '一、', '工作回顾', 'review'), (1, '二、', '存在的问题', 'problems')]
    """
    paras = []
    pos = 0
    for part in text.split("\n"):
        if part.strip():
            paras.append((pos, part))
        pos += len(part) + 1

    # first pass: what each paragraph would be on its own
    cands: list[dict] = []
    seen_ranks: list[int] = []
    seen_body = False
    closed = False
    # each paragraph's marker once: a list item also looks at its successor's
    markers = [match_marker(line) for _, line in paras] + [None]
    for idx, (start, line) in enumerate(paras):
        nxt = paras[idx + 1][1] if idx + 1 < len(paras) else ""
        m = markers[idx]
        cand = None
        if m:
            kind, marker = m
            body = line[line.find(marker) + len(marker):].strip() if marker in line else line
            rank = MARKER_RANKS[kind]
            standalone = _standalone(line, body)
            lead, has_more = _lead_sentence(body)
            ok = False
            if kind == "di":
                ok = standalone or (len(lead) <= 20 and has_more and len(line) <= 40)
            elif kind in _ARABIC_KINDS:
                nested = any(r < rank for r in seen_ranks)
                nm = markers[idx + 1]
                next_is_sibling = bool(nm) and nm[0] == kind
                if standalone:
                    ok = bool(nxt and not next_is_sibling) or (nested and not nxt)
                elif nested and has_more and not closed:
                    ok = True
                lead = lead[:_INLINE_MAX] if lead else body[:_INLINE_MAX]
            else:
                ok = True
                lead = lead[:80] if lead else body[:80]
            cand = dict(start=start, kind=kind, marker=marker, title=lead, ok=ok and bool(lead), rank=rank)
            if cand["ok"]:
                seen_ranks.append(rank)
        elif _unnumbered_heading(line, nxt, seen_body):
            cand = dict(start=start, kind="plain", marker="", title=line.strip().rstrip("：:"), ok=True, rank=-1)
        if cand is None:
            seen_body, closed = _after_paragraph(line, seen_body, closed)
        cands.append(cand)
    _harmonise_siblings(cands)
    found = [(c["start"], c["kind"], c["marker"], c["title"]) for c in cands if c and c["ok"]]
    return _build_tree(found, len(text))


def _after_paragraph(line: str, seen_body: bool, closed: bool) -> tuple[bool, bool]:
    """``(seen_body, closed)`` after a paragraph that is not a heading candidate.

    A body paragraph (not heading-like, not a salutation) sets ``seen_body``, and ``closed``
    when it reads like a report's last paragraph. Once ``seen_body`` is set only a closing body
    paragraph changes anything, so ``is_closing`` is asked first and the costlier
    ``is_heading_like`` only for the rare closing line (asking it of every paragraph was a
    fifth of the stage); once closed, nothing can change.
    """
    if closed:
        return seen_body, closed
    if seen_body:
        return True, bool(is_closing(line) and not is_heading_like(line) and not SALUTATION.match(line))
    if not is_heading_like(line) and not SALUTATION.match(line):
        return True, is_closing(line)
    return False, False


def _unnumbered_heading(line: str, nxt: str, seen_body: bool) -> bool:
    if not seen_body and REPORT_TITLE.match(line):
        return False  # the report's own title block
    if len(line) > _UNNUMBERED_MAX or not nxt or len(nxt) < 20:
        return False
    if line[-1] in "。！？!?；;，,、：:" or any(c in line for c in "。！？!?；;，,"):
        return False
    if SALUTATION.match(line) or DATE_LINE.match(line) or SIGNATURE_LINE.match(line):
        return False
    return is_heading_like(line) and not seen_body_only_title(line)


def seen_body_only_title(line: str) -> bool:
    """Lines that look like headings but are names or placeholders (×××工会, （加盖公章）)."""
    return bool(re.fullmatch(r"[×xX*＊\s（）()加盖公章]+|.{0,12}(?:公章|盖章).{0,4}", line))


def _harmonise_siblings(cands: list[dict | None]) -> None:
    """Numbered items of one list are all headings or all list items: decide by majority.

    A run is a sequence of same-kind arabic/circled items with only unnumbered paragraphs
    between them; a heading of a higher level ends it.
    """
    runs: list[list[dict]] = []
    current: list[dict] = []
    for c in cands:
        if c is None:
            continue
        if c["kind"] in _ARABIC_KINDS:
            if current and current[0]["kind"] != c["kind"]:
                runs.append(current)
                current = []
            current.append(c)
        elif c["ok"] or c["kind"] == "plain":
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    for run in runs:
        yes = sum(c["ok"] for c in run)
        decision = yes * 2 >= len(run) and yes > 0
        for c in run:
            c["ok"] = decision and bool(c["title"])


def _build_tree(found: list[tuple[int, str, str, str]], text_len: int) -> list[Section]:
    """Nest headings. A marker kind already open is a sibling; a new kind numbered 1 opens a
    child level; a new kind numbered later (二、 after （一）…（四）) continues an outer level."""
    rank_of = {"plain": -1, **MARKER_RANKS}
    stack: list[tuple[str, int, int]] = []  # (kind, rank, section_id)
    rows: list[dict] = []
    for i, (start, kind, marker, title) in enumerate(found):
        rank = rank_of[kind]
        if any(k == kind for k, _, _ in stack):
            while stack[-1][0] != kind:
                stack.pop()
            stack.pop()
        elif kind == "plain":
            stack.clear()
        elif marker_number(marker) != 1:
            while stack and stack[-1][1] >= rank:
                stack.pop()
        parent = stack[-1][2] if stack else None
        level = len(stack) + 1
        sid = i + 1
        parent_kind = rows[parent - 1]["kind"] if parent else "other"
        rows.append(dict(section_id=sid, parent_id=parent, level=level, marker=marker, title=title,
                         start=start, kind=section_kind(title, parent_kind)))
        stack.append((kind, rank, sid))
    # a section ends where the next heading of the same or a higher level starts
    ends = [text_len] * len(rows)
    open_rows: list[int] = []
    for i, r in enumerate(rows):
        while open_rows and rows[open_rows[-1]]["level"] >= r["level"]:
            ends[open_rows.pop()] = r["start"]
        open_rows.append(i)
    return [Section(end=ends[i], **r) for i, r in enumerate(rows)]
