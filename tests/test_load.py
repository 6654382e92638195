"""Tests for the load stage: decoding, HTML to text, and listing/reading source files.

Inputs are generated here from short real excerpts of the sample pages (no binary fixtures).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import random
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, FeatureNotFound
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_tools.load import (
    decode_bytes,
    html_to_text,
    iter_source_paths,
    load_source,
    looks_like_html,
)
from corpus_tools.records import LoadedSource, LoadError

FIXTURES = Path(__file__).parent / "fixtures" / "load"
# The title, boilerplate and first paragraphs of seeds/000_4b27597311967f95.txt.
SAMPLE_PAGE = FIXTURES / "sample_page_excerpt_utf8.txt"

# From seeds/000_4b27597311967f95.txt (plus the （名单附后） aside of another sample page).
SIMPLIFIED = (
    "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家，"
    "张亚林教授被授予湖南省师德标兵。\n"
    "严格执行中央“八项规定”和“六项禁令”，提高服务意识、精简会议、减少经费支出。\n"
    "关心职工子女学习成长，奖励大中小学生411人，发放奖金10万余元（名单附后）。\n"
    "但是，我们也清醒地认识到工作中还存在一些缺点与不足：工会干部队伍建设有待加强。\n"
)
# The same kind of text in Traditional script, as a Big5 page from Taiwan or Hong Kong has it.
TRADITIONAL = (
    "醫院工會工作報告\n"
    "胸心外科被中華全國總工會授予「工人先鋒號」，第一分工會被湖南省總工會授予模範職工小家。\n"
    "關心職工子女學習成長，獎勵大中小學生411人，發放獎金10萬餘元（名單附後）。\n"
)


def assert_load_error(excinfo: pytest.ExceptionInfo[LoadError], source_file: str, fragment: str) -> None:
    """Every LoadError names the file and says what is wrong."""
    assert excinfo.value.source_file == source_file
    assert source_file in str(excinfo.value)
    assert fragment in excinfo.value.problem


# --------------------------------------------------------------------------- decode_bytes


@pytest.mark.parametrize(
    ("text", "raw", "encoding"),
    [
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(SIMPLIFIED, codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig", id="utf-8-bom"),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("gb18030"), "gb18030", id="gb18030"),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("gbk"), "gb18030", id="gbk-read-as-gb18030"),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("gb2312"), "gb18030", id="gb2312-read-as-gb18030"),
        pytest.param(TRADITIONAL, TRADITIONAL.encode("big5"), "big5", id="big5"),
        pytest.param(TRADITIONAL, TRADITIONAL.encode("utf-8"), "utf-8", id="traditional-utf-8"),
        pytest.param(TRADITIONAL, TRADITIONAL.encode("gb18030"), "gb18030", id="traditional-gb18030"),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("utf-16"), "utf-16-le", id="utf-16-le-bom"),
        pytest.param(
            SIMPLIFIED, codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be", id="utf-16-be-bom"
        ),
        pytest.param(
            SIMPLIFIED, codecs.BOM_UTF32_LE + SIMPLIFIED.encode("utf-32-le"), "utf-32-le", id="utf-32-le-bom"
        ),
        pytest.param(
            SIMPLIFIED, codecs.BOM_UTF32_BE + SIMPLIFIED.encode("utf-32-be"), "utf-32-be", id="utf-32-be-bom"
        ),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param(SIMPLIFIED, SIMPLIFIED.encode("utf-16-be"), "utf-16-be", id="utf-16-be-no-bom"),
    ],
)
def test_each_encoding_decodes_to_exactly_the_original_text(text: str, raw: bytes, encoding: str) -> None:
    decoded, detected = decode_bytes(raw, source_file="page.txt")
    assert decoded == text
    assert detected == encoding
    assert "\ufffd" not in decoded and "\ufeff" not in decoded


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # charset-normalizer takes these for cp949 (Korean) or Big5; the plausibility score does not.
        ("胸心外科被中华全", "gbk"),
        ("10万余元", "gbk"),
        ("第一分工会被湖南省总工会授予模范职工小家", "gbk"),
        ("醫院工會工作報告", "big5"),
        ("發放獎金10萬餘元", "big5"),
    ],
)
def test_short_gbk_and_big5_samples_decode_despite_the_detector(text: str, encoding: str) -> None:
    decoded, detected = decode_bytes(text.encode(encoding), source_file="short.txt")
    assert decoded == text
    assert detected == ("gb18030" if encoding == "gbk" else encoding)


@pytest.mark.parametrize("text", ["同时", "400平", "#### (一)", "## 职业学"])
def test_gbk_bytes_that_happen_to_be_valid_utf8_are_read_as_gbk(text: str) -> None:
    # 同时 in GBK is CD AC CA B1: two valid 2-byte UTF-8 sequences (ͬʱ).
    raw = text.encode("gbk")
    raw.decode("utf-8")  # the trap is real
    assert decode_bytes(raw, source_file="trap.txt") == (text, "gb18030")


def test_utf8_with_western_accents_stays_utf8() -> None:
    assert decode_bytes("Café Müller 工会".encode(), source_file="a.txt") == ("Café Müller 工会", "utf-8")
    assert decode_bytes("café".encode(), source_file="a.txt") == ("café", "utf-8")


def test_declared_html_charset_is_a_candidate() -> None:
    page = '<html><head><meta charset="big5"></head><body><p>醫院工會</p></body></html>'
    assert decode_bytes(page.encode("big5"), source_file="p.html") == (page, "big5")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16", "big5"])
def test_line_endings_are_normalised(encoding: str) -> None:
    text = "醫院工會工作報告" if encoding == "big5" else "工会工作报告"
    raw = f"{text}\r\n第一段\r第二段\n".replace("第一段", "一").replace("第二段", "二").encode(encoding)
    decoded, _ = decode_bytes(raw, source_file="crlf.txt")
    assert decoded == f"{text}\n一\n二\n"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b" \r\n\t \n", "empty file", id="whitespace-only"),
        pytest.param(codecs.BOM_UTF8 + b"  \n", "empty file", id="bom-and-whitespace"),
        pytest.param("  \r\n　".encode("utf-16"), "empty file", id="utf-16-whitespace-and-ideographic-space"),
    ],
)
def test_empty_and_whitespace_only_files_are_errors(raw: bytes, fragment: str) -> None:
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="blank.txt")
    assert_load_error(excinfo, "blank.txt", fragment)


@pytest.mark.parametrize(
    "magic",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"\x1f\x8b\x08\x00",
    ],
    ids=["png", "pdf", "zip", "jpeg", "gzip"],
)
def test_binary_magic_bytes_are_rejected(magic: bytes) -> None:
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(magic + SIMPLIFIED.encode("utf-8"), source_file="report.txt")
    assert_load_error(excinfo, "report.txt", "binary file (not text)")


def test_nul_bytes_in_a_non_utf16_file_are_binary() -> None:
    raw = "工会工作报告".encode("gbk") + b"\x00\x00\x01\x02" + "发放奖金10万余元".encode("gbk")
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="nul.txt")
    assert_load_error(excinfo, "nul.txt", "binary file (not text)")
    assert "NUL" in excinfo.value.problem


def test_many_control_characters_are_binary() -> None:
    raw = bytes(range(1, 32)) * 4 + "工会工作报告".encode()
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="ctrl.txt")
    assert_load_error(excinfo, "ctrl.txt", "control characters")


@pytest.mark.parametrize("low", [1, 0x80], ids=["random-bytes", "random-high-bytes"])
def test_random_bytes_are_not_read_as_text(low: int) -> None:
    rng = random.Random(0)
    raw = bytes(rng.randrange(low, 256) for _ in range(4000))
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="noise.txt")
    assert_load_error(excinfo, "noise.txt", "not")


def test_truncated_utf8_is_an_error_not_a_dropped_character() -> None:
    raw = SIMPLIFIED.rstrip("\n").encode("utf-8")[:-1]  # cut inside the final "。"
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="cut.txt")
    assert_load_error(excinfo, "cut.txt", "truncated UTF-8")


def test_every_cut_of_a_utf8_page_decodes_exactly_or_fails() -> None:
    raw = SIMPLIFIED.encode("utf-8")[:160]
    # From 3 bytes on: one or two bytes of a cut character are too short to tell any encoding.
    for cut in range(3, len(raw) + 1):
        chunk = raw[:cut]
        try:
            text, encoding = decode_bytes(chunk, source_file="cut.txt")
        except LoadError as exc:
            assert "cut.txt" in str(exc)
            continue
        assert "\ufffd" not in text
        assert encoding == "utf-8", (cut, encoding, text)
        assert text == chunk.decode("utf-8")


def test_bom_with_undecodable_rest_names_the_problem() -> None:
    raw = codecs.BOM_UTF16_LE + "工会".encode("utf-16-le") + b"\x00\xd8"  # unpaired surrogate
    with pytest.raises(LoadError) as excinfo:
        decode_bytes(raw, source_file="bad16.txt")
    assert_load_error(excinfo, "bad16.txt", "byte-order mark")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_clean_text_or_a_load_error(raw: bytes) -> None:
    try:
        text, encoding = decode_bytes(raw, source_file="any.bin")
    except LoadError as exc:
        assert exc.source_file == "any.bin"
        return
    assert text.strip() and encoding
    assert "\r" not in text and "\x00" not in text
    assert not any("\ud800" <= ch <= "\udfff" for ch in text)


_SEED_PARAGRAPHS = [
    line
    for line in SAMPLE_PAGE.read_text(encoding="utf-8").splitlines()
    if len(line) >= 40 and not line.startswith("#")
]


@settings(max_examples=60, deadline=None)
@given(
    paragraph=st.sampled_from(_SEED_PARAGRAPHS),
    start=st.integers(min_value=0, max_value=30),
    length=st.integers(min_value=8, max_value=200),
    encoding=st.sampled_from(["utf-8", "gb18030", "gbk", "utf-16", "utf-16-be"]),
)
def test_excerpts_of_a_sample_page_round_trip(paragraph: str, start: int, length: int, encoding: str) -> None:
    excerpt = paragraph[start : start + length]
    raw = excerpt.encode(encoding)
    if encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    text, _ = decode_bytes(raw, source_file="excerpt.txt")
    assert text == excerpt


# --------------------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>医院工会工作报告 - 范文网</title>
<style>p { color: red; } .menu { display: none }</style>
<script>alert(1)</script>
</head>
<body>
<nav class="menu"><ul><li><a href="/">首页</a></li><li><a href="/fanwen">工作报告</a></li></ul></nav>
<header class="site">范文网 · 下载</header>
<article>
  <header><h1>医院工会工作报告</h1></header>
  <!-- 广告位 -->
  <p>胸心外科被中华全国总工会授予工人先锋号，
  第一分工会被湖南省总工会授予模范职工小家。</p>
  <p>发放奖金10万余元 &amp; 慰问金。正文中的 &lt;script&gt; 是文字，不是标签。<br>严格执行中央“八项规定”和“六项禁令”：（一）精简会议。</p>
  <div>关心职工&nbsp;&nbsp;子女<br><br>学习成长</div>
  <footer>责任编辑：小编</footer>
</article>
<aside>热门范文</aside>
<form><input name="q"><button>搜索</button></form>
<footer>版权所有 范文网</footer>
<script type="text/javascript">var x = "<p>不要</p>";</script>
<noscript>请启用脚本</noscript>
</body></html>
"""

PAGE_TEXT = (
    "医院工会工作报告\n\n"
    "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家。\n\n"
    "发放奖金10万余元 & 慰问金。正文中的 <script> 是文字，不是标签。\n"
    "严格执行中央“八项规定”和“六项禁令”：（一）精简会议。\n\n"
    "关心职工 子女\n\n"
    "学习成长"
)


def test_html_page_reduces_to_its_paragraphs() -> None:
    assert html_to_text(PAGE) == PAGE_TEXT


def test_html_falls_back_to_the_standard_library_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    import bs4

    real = bs4.BeautifulSoup

    def without_lxml(markup: str, features: str) -> BeautifulSoup:
        if features == "lxml":
            raise FeatureNotFound("lxml")
        return real(markup, features)

    monkeypatch.setattr(bs4, "BeautifulSoup", without_lxml)  # html_to_text imports it when called
    assert html_to_text(PAGE) == PAGE_TEXT


def test_html_drops_script_style_and_page_chrome() -> None:
    text = html_to_text(PAGE)
    for unwanted in ("alert", "color", "display", "var x", "不要", "首页", "范文网", "热门", "搜索", "版权",
                     "请启用", "广告位", "责任编辑"):  # fmt: skip
        assert unwanted not in text


def test_escaped_script_tag_is_kept_as_literal_text() -> None:
    assert (
        html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt; 与 &amp;</p>")
        == "<script>alert(1)</script> 与 &"
    )


def test_line_break_in_markup_between_hanzi_is_not_a_space() -> None:
    assert html_to_text("<p>工会\n  工作报告</p>") == "工会工作报告"
    assert html_to_text("<p>trade\n  union 工会</p>") == "trade union 工会"
    assert html_to_text("<p>工会  工作</p>") == "工会 工作"


def test_br_is_a_line_break_and_two_br_a_paragraph_break() -> None:
    assert html_to_text("<p>一、工作回顾<br>二、存在问题<br>\n<br>三、今后打算</p>") == (
        "一、工作回顾\n二、存在问题\n\n三、今后打算"
    )


def test_headings_and_list_items_stand_on_their_own() -> None:
    html = "<div><h2>篇一</h2>正文开头<ul><li>慰问困难职工</li><li>发放奖金10万余元</li></ul>结尾</div>"
    assert html_to_text(html) == "篇一\n\n正文开头\n\n慰问困难职工\n\n发放奖金10万余元\n\n结尾"


def test_table_rows_become_lines_and_cells_are_spaced() -> None:
    html = "<table><tr><th>项目</th><th>金额</th></tr><tr><td>会费收入</td><td>10万余元</td></tr></table>"
    assert html_to_text(html) == "项目 金额\n会费收入 10万余元"


def test_fullwidth_punctuation_and_ideographic_space_are_untouched() -> None:
    html = "<p>\u3000\u3000“工会”：（一）１０万余元，共计。</p>"
    assert html_to_text(html) == "\u3000\u3000“工会”：（一）１０万余元，共计。"


def test_pre_keeps_its_lines() -> None:
    assert html_to_text("<pre>一、收入\n二、支出</pre>") == "一、收入\n二、支出"


def test_deeply_nested_html_does_not_hit_the_recursion_limit() -> None:
    depth = 3000
    assert html_to_text("<div>" * depth + "工会" + "</div>" * depth) == "工会"


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("工会工作报告", ".html", True),
        ("工会工作报告", ".HTM", True),
        ("工会工作报告", ".xhtml", True),
        ("工会工作报告", ".shtml", True),
        ("\ufeff<!DOCTYPE html><html><body>工会</body></html>", ".txt", True),
        ("  <html lang='zh'><body>工会</body></html>", "", True),
        ("<p>一</p><p>二</p><div>三</div>", ".txt", True),
        ("段落<br>段落<br/>段落<br />", ".txt", True),
        ("# 工会工作报告\n\n20xx年，院工会……", ".txt", False),
        ("正文里提到一次 <p> 标签", ".txt", False),
        ("<htmlish>not html", ".txt", False),
    ],
)
def test_looks_like_html(text: str, suffix: str, expected: bool) -> None:
    assert looks_like_html(text, suffix) is expected


# --------------------------------------------------------------------------- files


def test_load_source_reads_a_sample_page(tmp_path: Path) -> None:
    seed = SAMPLE_PAGE.read_bytes()
    (tmp_path / "医院").mkdir()
    path = tmp_path / "医院" / "000.txt"
    path.write_bytes(seed)
    loaded = load_source(path, tmp_path)
    assert loaded == LoadedSource(
        source_file="医院/000.txt",
        text=seed.decode("utf-8"),
        encoding="utf-8",
        sha256=hashlib.sha256(seed).hexdigest(),
        n_bytes=len(seed),
        is_html=False,
    )
    assert load_source(path, tmp_path) == loaded  # deterministic


def test_load_source_reduces_a_gbk_html_page(tmp_path: Path) -> None:
    raw = PAGE.replace('charset="utf-8"', 'charset="gb2312"').encode("gbk")
    path = tmp_path / "page.htm"
    path.write_bytes(raw)
    loaded = load_source(path, tmp_path)
    assert loaded.is_html
    assert loaded.encoding == "gb18030"
    assert loaded.text == PAGE_TEXT
    assert loaded.n_bytes == len(raw)
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()


def test_html_content_in_a_txt_file_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    loaded = load_source(path, tmp_path)
    assert loaded.is_html and loaded.text == PAGE_TEXT


def test_html_page_without_visible_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "shell.html"
    path.write_text("<html><head><script>var a=1;</script></head><body><nav>首页</nav></body></html>")
    with pytest.raises(LoadError) as excinfo:
        load_source(path, tmp_path)
    assert_load_error(excinfo, "shell.html", "no visible text")


def test_binary_file_named_txt_is_an_error(tmp_path: Path) -> None:
    rng = random.Random(0)
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512)))
    with pytest.raises(LoadError) as excinfo:
        load_source(path, tmp_path)
    assert_load_error(excinfo, "scan.txt", "binary file (not text)")


def test_file_deleted_before_load_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text(SIMPLIFIED, encoding="utf-8")
    paths = iter_source_paths(tmp_path)
    path.unlink()
    with pytest.raises(LoadError) as excinfo:
        load_source(paths[0], tmp_path)
    assert_load_error(excinfo, "gone.txt", "No such file")


def test_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(LoadError) as excinfo:
        load_source(tmp_path / "sub", tmp_path)
    assert_load_error(excinfo, "sub", "directory")


def test_iter_source_paths_lists_files_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ["b.txt", "a/2.html", "a/10.html", "a/.cache/x.txt", ".hidden.txt", "z/y/x.bin", "A.TXT"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("工会", encoding="utf-8")
    rels = [p.relative_to(tmp_path).as_posix() for p in iter_source_paths(tmp_path)]
    assert rels == ["A.TXT", "a/10.html", "a/2.html", "b.txt", "z/y/x.bin"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_iter_source_paths_follows_symlinks_without_looping(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.txt").write_text("工会", encoding="utf-8")
    (tmp_path / "pages" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "link.txt").symlink_to(tmp_path / "pages" / "a.txt")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    rels = [p.relative_to(tmp_path).as_posix() for p in iter_source_paths(tmp_path)]
    assert rels == ["broken.txt", "link.txt", "pages/a.txt"]
    assert load_source(tmp_path / "link.txt", tmp_path).text == "工会"
    with pytest.raises(LoadError) as excinfo:
        load_source(tmp_path / "broken.txt", tmp_path)
    assert_load_error(excinfo, "broken.txt", "No such file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_iter_source_paths_skips_fifos(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("工会", encoding="utf-8")
    assert iter_source_paths(tmp_path) == [tmp_path / "a.txt"]


def test_iter_source_paths_of_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as excinfo:
        iter_source_paths(tmp_path / "nope")
    assert "nope" in str(excinfo.value)
