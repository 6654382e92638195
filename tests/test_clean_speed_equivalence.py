"""The fast paths of the clean stage give exactly what the plain ones give.

``clean_page`` skips the pass that would only confirm the last one (``_pass_would_change``),
finds boilerplate candidates with one literal scan (``BoilerplateRules.candidate_lines``) and
runs line-anchored patterns from line break to line break (``_LineStart``). Each is checked
here against the plain formulation on the sample pages, the hostile inputs and random pages
made of the artefacts the cleaner deletes (pasted so that one pass often exposes another).
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from corpus_tools import clean
from corpus_tools.clean import BoilerplateRules, clean_page, default_boilerplate
from corpus_tools.load import decode_bytes, iter_source_paths, load_source
from corpus_tools.offsets import DeletingText
from corpus_tools.records import LoadError
from corpus_tools.regex_literals import rarest_literals
from tests import hostile
from tests.conftest import RAW

SEEDS = RAW.parent.parent.parent / "shared" / "seeds"

_SENTENCES = (
    hostile.OPENING, hostile.AWARD, hostile.DEMOCRACY, hostile.CARE, hostile.FIN_INCOME, hostile.FIN_SPENDING,
    hostile.HOTEL, hostile.SKILLS, hostile.BOILERPLATE, hostile.TITLE, "一、加强民主管理", "（二）经费支出情况",
    "下面是小编为大家整理的工会工作报告，希望对你有所帮助。", "欢迎阅读。", "仅供参考", "本文档由用户上传。",
    "工会工作报告大全", "怎么写好报告呢？", "时间过得真快，不知不觉一年过去了。", "医院工会工作报告篇二",
)
_ARTEFACTS = (
    "## ", "# ", "### **", "**", "> ", "- ", "* ", "• ", "― 2 ―", " - 12 - ", "第 1 页 共 9 页", "12下一页",
    "返回目录", "共3页", "3/9", "`", "``", "\\*", "\\#", "www.example.com/a?b=1", "http://x.cn", "此处隐藏了1234个字",
    "（此处省略 20 个字，下载后查看全文。）", " ", "\u3000", "\t", "\xa0", "\x0b", "\u200b", "\r", "\n", "\n\n", "\n\n\n",
    "。", "，", "：", "”", "1、", "(一)", "①", "5",
)


def _random_page(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 40)):
        if rng.random() < 0.5:
            sentence = rng.choice(_SENTENCES)
            cut = sorted(rng.sample(range(len(sentence) + 1), 2))
            parts.append(sentence[cut[0]:cut[1]] if rng.random() < 0.4 else sentence)
        else:
            parts.append(rng.choice(_ARTEFACTS))
        parts.append(rng.choice(("\n", "\n\n", "", "\n", " ")))
    return "".join(parts)


def _random_pages(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [_random_page(rng) for _ in range(n)]


def _hostile_texts() -> list[str]:
    texts = []
    for spec in hostile.all_specs(big_page_bytes=20_000, n_tiny=5):
        if spec.data is None:
            continue
        try:
            texts.append(decode_bytes(spec.data(), source_file=spec.expectation.path)[0])
        except LoadError:
            continue
    return texts


def _sample_texts() -> list[str]:
    texts = []
    for root in (RAW, SEEDS):
        if root.is_dir():
            texts.extend(load_source(p, root).text for p in iter_source_paths(root))
    return texts


def _plain_clean(raw: str, rules: BoilerplateRules) -> tuple[str, tuple]:
    """Passes until one changes nothing, with no shortcut: what clean_page must equal."""
    doc = DeletingText(raw)
    for _ in range(clean._MAX_PASSES):
        before = len(doc.text)
        clean._clean_pass(doc, rules)
        if len(doc.text) == before:
            break
    return doc.text, doc.offset_map().runs


@pytest.fixture(scope="module")
def inputs() -> list[str]:
    return _sample_texts() + _hostile_texts() + _random_pages(400)


def test_clean_page_equals_the_plain_pass_loop(inputs):
    rules = default_boilerplate()
    for raw in inputs:
        cleaned = clean_page(raw)
        assert (cleaned.text, cleaned.offsets.runs) == _plain_clean(raw, rules), raw[:200]


def test_random_pages_exercise_both_answers_of_the_pass_check():
    """The skip is taken on most pages, and the random pages do include ones needing more passes."""
    rules = default_boilerplate()
    answers = []
    for raw in _random_pages(400):
        doc = DeletingText(raw)
        for _ in range(clean._MAX_PASSES):
            before = doc.text, doc.index
            clean._clean_pass(doc, rules)
            if len(doc.text) == len(before[0]):
                break
            predicted = clean._pass_would_change(doc, before, rules)
            again = DeletingText(doc.text, doc.index)
            clean._clean_pass(again, rules)
            changed = len(again.text) != len(doc.text)
            assert predicted or not changed, raw[:200]  # a False must be right
            answers.append((predicted, changed))
    assert any(changed for _, changed in answers)
    assert any(not predicted for predicted, _ in answers)


def test_a_heading_mark_exposed_by_the_first_pass_goes_in_the_second():
    rules = default_boilerplate()
    raw = "第一段文字。\n\n\n## ## 第二段标题\n\n第三段文字。"
    assert clean_page(raw).text == _plain_clean(raw, rules)[0] == "第一段文字。\n第二段标题\n第三段文字。"


# -- the rewritten patterns against their plain forms ------------------------------------------
_LINE_START_BODIES = {
    "_MD_HEADING": r"[ \t\u3000\xa0]*#{1,6}(?=[ \t\u3000]|[^#\s])[ \t\u3000]*",
    "_MD_BULLET": r"[ \t\u3000\xa0]*[-+*•][ \t\u3000]+",
    "_MD_QUOTE": r"[ \t\u3000\xa0]*>[ \t]?",
    "_LEADING_WS": r"[ \t\u3000\xa0]+",
}


@pytest.mark.parametrize("name", [*_LINE_START_BODIES, "_PAGE_NUM_LINE"])
def test_line_start_patterns_match_as_multiline_caret(name, inputs):
    line_start = getattr(clean, name)
    plain = re.compile("(?m)^" + line_start.first.pattern)
    for text in inputs:
        expected = [m.span() for m in plain.finditer(text)]
        assert [s for s in line_start.spans(text) if s[1] > s[0]] == [s for s in expected if s[1] > s[0]]


def test_blank_lines_and_edge_newlines_match_the_plain_patterns(inputs):
    blank, edge = re.compile(r"(?<=\n)\n+"), re.compile(r"^\n+|\n+\Z")
    for text in [*inputs, "", "\n", "\n\n\n", "a\n", "\na", "\n\na\n\n\nb\n"]:
        assert [m.span(1) for m in clean._BLANK_LINES.finditer(text)] == [m.span() for m in blank.finditer(text)]
        doc = DeletingText(text)
        clean._delete_edge_newlines(doc)
        plain = DeletingText(text)
        plain.delete_matches(edge)
        assert doc.text == plain.text and np.array_equal(doc.index, plain.index)


def test_bold_pattern_matches_its_plain_form(inputs):
    plain = re.compile(r"(?<![\\*])(\*\*)(?=[^*\s])[^*\n]+?[^*\s\\](\*\*)(?!\*)")
    rng = random.Random(4)
    pieces = ("**", "*", "\\", "加粗", " ", "\n", "***", "x")
    fuzz = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(2000)]
    for text in [*inputs, *fuzz]:
        assert [m.regs for m in clean._MD_BOLD.finditer(text)] == [m.regs for m in plain.finditer(text)], text


def _plain_candidate_lines(rules: BoilerplateRules, text: str) -> set[int]:
    """Every rule scanning the text on its own (the former candidate_lines)."""
    found = set()
    for rule in rules._multiline():
        pos = 0
        while (m := rule.search(text, pos)) is not None:
            found.add(text.rfind("\n", 0, m.start()) + 1)
            nxt = text.find("\n", m.start())
            if nxt < 0:
                break
            pos = nxt + 1
    return found


def _with_a_hit(rules: BoilerplateRules, text: str, starts: set[int]) -> set[int]:
    """The candidates that matter: lines where boilerplate_spans looks further."""
    out = set()
    for s in starts:
        e = text.find("\n", s)
        if rules.any_pattern.search(text[s:] if e < 0 else text[s:e]):
            out.add(s)
    return out


_CUSTOM_RULES = BoilerplateRules.from_text(
    "[formula]\n小编\n(?i:word)可编辑\n[0-9]+篇范文\n文(?:档|库)|范文\n^.{0,3}大全$\n(?:报告|总结)在[^。]{0,5}作用\n"
    "[teaser]\n(?:时间|时光)(?:过得)?(?:真|飞)?(?:快|逝)\n(?=本)本站\n"
)


@pytest.mark.parametrize("rules", [default_boilerplate(), _CUSTOM_RULES], ids=["packaged", "custom"])
def test_candidate_lines_find_every_line_the_plain_scan_finds(rules, inputs):
    extra = ["范文网\n小编说\nWORD可编辑\n12篇范文\n时间真快\n本站整理", "文档文库范文\n报告在这里起作用。"]
    for text in [*inputs, *extra]:
        fast = rules.candidate_lines(text)
        plain = _plain_candidate_lines(rules, text)
        assert _with_a_hit(rules, text, fast) == _with_a_hit(rules, text, plain), text[:200]


def test_rarest_literals_are_in_every_match():
    rules = default_boilerplate()._all + _CUSTOM_RULES._all
    texts = _random_pages(200, seed=1) + _sample_texts()
    for rule in rules:
        literals = rarest_literals(rule)
        if literals is None:
            continue
        for text in texts:
            for m in rule.finditer(text):
                assert any(lit in m.group() for lit in literals), (rule.pattern, m.group())


def test_deletions_since_names_every_deleted_span():
    rng = random.Random(2)
    for text in _random_pages(100, seed=3):
        doc = DeletingText(text)
        for _ in range(3):
            before_text, before_index = doc.text, doc.index
            n = len(doc.text)
            cuts = sorted(rng.sample(range(n + 1), min(n + 1, 2 * rng.randint(0, 4))))
            cuts = cuts[: len(cuts) // 2 * 2]
            doc.delete_spans(list(zip(cuts[::2], cuts[1::2], strict=True)))
            # plain: walk both texts character by character
            expected, j = [], 0
            positions = {int(v): k for k, v in enumerate(before_index)}
            for p in range(len(doc.text) + 1):
                k = positions[int(doc.index[p])] if p < len(doc.text) else len(before_text)
                if k > j:
                    expected.append((p, j, k))
                j = k + 1
            assert doc.deletions_since(before_index) == expected


# -- load: one C-speed scan where a Python loop or two scans were ------------------------------
def test_load_scans_agree_with_their_plain_forms(inputs):
    from corpus_tools import load

    odd = ["", "abc", "café", "ͬʱ", "中", "\ud800", "\U0010ffff", "a\u07ff", "a\u0800", "\x85", "\x1f", "\t\n\r", "\x7f"]
    for text in [*inputs, *odd]:
        if text:
            assert bool(load._FROM_U0800.search(text)) == (max(map(ord, text)) >= 0x800)
        plain = bool(load._CONTROL_RE.search(text)) or bool(load._LONE_SURROGATE.search(text))
        assert bool(load._CONTROL_OR_SURROGATE.search(text)) == plain
        assert (not text.strip()) == (not text or text.isspace())
        data = text.encode("utf-8", "surrogatepass")
        assert (not data.strip()) == (not data or data.isspace())
