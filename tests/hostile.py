"""The hostile-input corpus: a generator of the dirtiest pages ingest must survive.

``build_hostile_corpus(folder)`` writes every file into ``folder`` and returns, for each, what
ingest must do with it: *ingest* it (with substrings that must and must not appear in the
file's ``documents.text``, and the number of reports when it is known), or *reject* it (an
``errors`` row whose message names the file and says what is wrong). Nothing here is hand
picked: the content is short passages of the sample pages (``data/raw``, the seeds), re-encoded,
wrapped, cut and polluted the way scraped pages are.

Two files are damaged by the test itself after ingest has listed the input folder
(``Expectation.fault``): one is deleted (it vanishes mid-run) and one can no longer be read
(``PermissionError``; tests may run as root, where ``chmod 000`` does not stop reads, so the
test patches ``open`` for that path instead). See ``inject_faults``.

The size of the page on one line and the number of tiny files are parameters, so the fast
suite builds a small corpus and the slow one a 50 MB page (``big_page_bytes``).
"""

from __future__ import annotations

import builtins
import codecs
import errno
import gzip
import io
import os
import pathlib
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# --------------------------------------------------------------------------- seed passages
# Short passages of the sample pages (seeds 000-004), as written there.

#: seeds/000: the title, the site boilerplate and the first paragraphs of a hospital report
TITLE = "医院工会工作报告(实用2篇)"
BOILERPLATE = (
    "“报告”使用范围很广，按照上级部署或工作计划，每完成一项任务，一般都要向上级写报告，反映工作中的基本"
    "情况、工作中取得的经验教训、存在的问题以及今后工作设想等，以取得上级领导部门的指导。优秀的报告都具"
    "备一些什么特点呢？又该怎么写呢？下面是小编为大家带来的报告优秀范文，希望大家可以喜欢。"
)
OPENING = (
    "20xx年，在医院党委和上级工会的正确领导下，按照省教育工会和医院工作计划，院工会以党的和中国工会xx大"
    "精神为指导，认真履行职能，巩固建家成果，积极开展工会活动，着力建设幸福之家，为构建和谐医院做出了积极贡献。"
)
AWARD = (
    "胸心外科被中华全国总工会授予工人先锋号，第一分工会被湖南省总工会授予模范职工小家，张亚林教授被授予"
    "湖南省师德标兵。"
)
DEMOCRACY = (
    "认真贯彻落实《湖南省学校教职工代表大会规定》，坚持每年召开教职工代表大会，落实教代会各项职权，积极开展"
    "民主评议领导干部、会员评家的工作，圆满完成教代会各项议题。"
)
CARE = "关心职工子女学习成长，奖励大中小学生411人，发放奖金10万余元（名单附后）。"
#: seeds/002: a financial report
FIN_OPENING = "我在这里代表医院工会向大会作巴林左旗医院八届四次工会委员会财务工作报告，请予以审议。"
FIN_INCOME = "（一）经费收入情况。2011年初经费余额8721.40元。1. 会员会费收缴6200.00元。2. 单位补助30000.00元。"
FIN_SPENDING = (
    "（二）经费支出情况。经费合计总支出为29358.50元。其中：三八妇女节支出723.00元，职工元旦活动费支出"
    "5178.70元；庆“七.一”文艺汇演支出经费300.00元；为乡村扶贫点等捐赠及慰问款23156.80元。年末经费余额15562.90元。"
)
FIN_CLOSING = (
    "各位领导、各位代表，我们将紧紧围绕医院工会的中心工作，以服务为宗旨，进一步加强工会财务管理，竭尽全力"
    "收好、管好、用好工会经费，为开创工会财务工作新局面做出新的贡献！"
)
#: seeds/001: a hotel union (with its ***** masks) and seeds/003: a street federation
HOTEL = (
    "大力加强职代会的组织建设，及时建立健全了各项规章制度和会议制度，共组织召开了4次职工代表大会和工会会员"
    "大会。"
)
SKILLS = (
    "共举办4期职工技能比武，分别是女职工点钞技能比赛;首届职工叉车技能比赛;企业员工安全生产应急处置技能比武"
    "活动;青峙紧固件园区36名员工比技能。"
)
#: seeds/004: a college union
TEACHING = (
    "学院工会不仅加强了教师的师德师风教育，提高教师的职业道德素质，同时更注重培养教师的教育教学能力，通过"
    "教育教学实践活动提高能力水平。"
)
#: seeds/003: a sentence that a page footer (― 2 ―) cuts inside the word 处理
FOOTER_LEFT = "为进一步加强疾控中心的公共卫生体系建设，健全内部应急机制，提高处"
FOOTER_RIGHT = "理突发公共卫生事件应急能力，结合中心服务职能，以传染病防治为重点。"

#: the same report in Traditional script, as a Big5 page from Taiwan or Hong Kong has it
T_TITLE = "醫院工會工作報告(精選2篇)"
T_OPENING = (
    "20xx年，在醫院黨委和上級工會的正確領導下，院工會認真履行職能，鞏固建家成果，積極開展工會活動，著力"
    "建設幸福之家，為構建和諧醫院做出了積極貢獻。"
)
T_AWARD = "胸心外科被中華全國總工會授予「工人先鋒號」，第一分工會被湖南省總工會授予模範職工小家，張亞林教授被授予湖南省師德標兵。"
T_CARE = "關心職工子女學習成長，獎勵大中小學生411人，發放獎金10萬餘元（名單附後）。"
#: pinyin glosses, as textbook-style and children's pages print them
PINYIN_SIMPLIFIED = "医(yī)院工会组织职工开展技能竞(jìng)赛，护(hù)理部获得一等奖，工会为职工办实事。"
PINYIN_TRADITIONAL = "醫(yī)院工會組織職工開展技能競(jìng)賽，護(hù)理部獲得一等獎，工會為職工辦實事。"
PINYIN_ONLY = "Yīyuàn gōnghuì gōngzuò bàogào: gōnghuì zǔzhī zhígōng cānjiā jìnéng jìngsài, lǚxíng zhízé.\n"

#: a short report used for the tiny files, the encodings and the faults
SHORT_REPORT = (
    "医院工会工作报告篇一\n\n各位代表：\n\n" + OPENING + "\n\n" + AWARD + "\n\n" + CARE + "\n\n谢谢大家！\n"
)


def compilation_page(*, title: str = TITLE, boilerplate: str = BOILERPLATE) -> str:
    """A two-report page shaped like the sample pages (markdown title, boilerplate, 篇 markers)."""
    return (
        f"\n\n# {title}\n\n{boilerplate}\n\n"
        f"## 医院工会工作报告篇一\n\n{OPENING}\n\n一、加强民主管理，推进院务公开\n\n{DEMOCRACY}\n\n"
        f"二、开展劳动竞赛，建设职工之家\n\n{AWARD}\n\n{CARE}\n\n谢谢大家！\n\n"
        f"## 医院工会工作报告篇二\n\n各位领导、各位代表：\n\n{FIN_OPENING}\n\n一、工会经费收支使用情况\n\n"
        f"{FIN_INCOME}\n\n{FIN_SPENDING}\n\n{FIN_CLOSING}\n\n二〇一三年三月二十六日\n"
    )


def traditional_page() -> str:
    return (
        f"{T_TITLE}\n\n醫院工會工作報告篇一\n\n各位代表：\n\n{T_OPENING}\n\n{T_AWARD}\n\n{T_CARE}\n\n謝謝大家！\n\n"
        f"醫院工會工作報告篇二\n\n{T_OPENING.replace('醫院黨委', '學院黨委')}\n\n{T_CARE}\n"
    )


#: what every ingested report must be free of, whatever the input
NEVER_IN_TEXT = ("\ufeff", "\r", "\x00", "\ufffd")

#: the text checks shared by the pages built by ``compilation_page``
PAGE_CONTAINS = (OPENING, AWARD, DEMOCRACY, CARE, FIN_SPENDING, FIN_CLOSING)
PAGE_ABSENT = ("小编", "使用范围很广", *NEVER_IN_TEXT)


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expectation:
    """What ingest must do with one file of the hostile corpus.

    ``outcome`` is ``"ingested"`` (no ``errors`` row; ``contains``/``absent`` are checked against
    the file's reports, ``n_reports`` when not None, and ``min_chars`` against their total length)
    or ``"rejected"`` (an ``errors`` row whose message names the file and contains every phrase
    of ``error``, compared case-insensitively).
    """

    path: str
    phenomenon: str
    outcome: str
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = NEVER_IN_TEXT
    n_reports: int | None = None
    min_chars: int = 0
    error: tuple[str, ...] = ()
    fault: str | None = None  # "vanish" | "unreadable": applied after ingest lists the folder
    group: str = ""  # files checked together rather than one test each (the tiny files)


@dataclass
class HostileCorpus:
    """A generated corpus: the folder and the expectation of every file in it."""

    root: Path
    expectations: dict[str, Expectation] = field(default_factory=dict)

    def faulty(self, kind: str) -> list[Path]:
        return [self.root / e.path for e in self.expectations.values() if e.fault == kind]

    def by_outcome(self, outcome: str) -> list[Expectation]:
        return [e for e in self.expectations.values() if e.outcome == outcome]


@dataclass(frozen=True)
class _Spec:
    expectation: Expectation
    data: Callable[[], bytes] | None = None
    symlink_to: str | None = None


def _ingested(path: str, phenomenon: str, data: Callable[[], bytes], *, contains=(), absent=(), n_reports=None,
              min_chars=0, fault=None, group="") -> _Spec:
    return _Spec(Expectation(path, phenomenon, "ingested", tuple(contains), tuple(absent) + NEVER_IN_TEXT,
                             n_reports, min_chars, (), fault, group), data)


def _rejected(path: str, phenomenon: str, data: Callable[[], bytes] | None, *error: str, fault=None,
              symlink_to=None) -> _Spec:
    return _Spec(Expectation(path, phenomenon, "rejected", error=error, fault=fault), data, symlink_to)


def _utf8(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


# --------------------------------------------------------------------------- the files


def _encodings() -> list[_Spec]:
    page = compilation_page()
    crlf = page.replace("\n", "\r\n")
    specs = [
        _ingested("encodings/utf8.txt", "UTF-8 without BOM", _utf8(page), contains=PAGE_CONTAINS,
                  absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf8_bom.txt", "UTF-8 with a byte-order mark",
                  lambda: codecs.BOM_UTF8 + page.encode("utf-8"), contains=PAGE_CONTAINS, absent=PAGE_ABSENT,
                  n_reports=2),
        _ingested("encodings/gb18030.txt", "GB18030 with characters outside GBK (4-byte sequences)",
                  lambda: page.replace("张亚林", "张䶮林").replace("职工子女", "职工𠮷子女").encode("gb18030"),
                  contains=("张䶮林教授", "关心职工𠮷子女", OPENING, FIN_SPENDING), absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/gbk.txt", "GBK", lambda: page.encode("gbk"), contains=PAGE_CONTAINS,
                  absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/gbk_crlf.txt", "GBK with Windows line endings", lambda: crlf.encode("gbk"),
                  contains=PAGE_CONTAINS, absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/big5.txt", "Big5, Traditional script", lambda: traditional_page().encode("big5"),
                  contains=(T_OPENING, T_AWARD, T_CARE), absent=("医院", "工会"), n_reports=2),
        _ingested("encodings/utf16le_bom.txt", "UTF-16 LE with BOM",
                  lambda: codecs.BOM_UTF16_LE + page.encode("utf-16-le"), contains=PAGE_CONTAINS,
                  absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf16be_bom.txt", "UTF-16 BE with BOM",
                  lambda: codecs.BOM_UTF16_BE + page.encode("utf-16-be"), contains=PAGE_CONTAINS,
                  absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf16le.txt", "UTF-16 LE without BOM", lambda: page.encode("utf-16-le"),
                  contains=PAGE_CONTAINS, absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf16be_crlf.txt", "UTF-16 BE without BOM, Windows line endings",
                  lambda: crlf.encode("utf-16-be"), contains=PAGE_CONTAINS, absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf8_cr_only.txt", "old Mac line endings (CR only)",
                  _utf8(page.replace("\n", "\r")), contains=PAGE_CONTAINS, absent=PAGE_ABSENT, n_reports=2),
        _ingested("encodings/utf8_emoji.txt", "UTF-8 with emoji and a skin-tone modifier",
                  _utf8(page.replace("谢谢大家！", "谢谢大家！👍🏻😀")), contains=("👍🏻😀", OPENING, AWARD),
                  absent=PAGE_ABSENT, n_reports=2),
    ]
    return specs


def _scripts() -> list[_Spec]:
    trad_utf8 = traditional_page()
    pinyin_page = f"{TITLE}\n\n医院工会工作报告篇一\n\n{OPENING}\n\n{PINYIN_SIMPLIFIED}\n\n{AWARD}\n"
    return [
        _ingested("scripts/traditional_utf8.txt", "Traditional script in UTF-8", _utf8(trad_utf8),
                  contains=(T_OPENING, T_AWARD, T_CARE), n_reports=2),
        _ingested("scripts/traditional_gb18030.txt", "Traditional script in GB18030",
                  lambda: trad_utf8.encode("gb18030"), contains=(T_OPENING, T_AWARD), n_reports=2),
        _ingested("scripts/pinyin_glosses_utf8.txt", "Traditional script with pinyin glosses, UTF-8",
                  _utf8(f"{T_TITLE}\n\n醫院工會工作報告篇一\n\n{T_OPENING}\n\n{PINYIN_TRADITIONAL}\n\n{T_AWARD}\n"),
                  contains=(PINYIN_TRADITIONAL, T_AWARD)),
        _ingested("scripts/pinyin_glosses_gb18030.txt", "Simplified script with pinyin glosses, GB18030",
                  lambda: pinyin_page.encode("gb18030"), contains=(PINYIN_SIMPLIFIED, OPENING, AWARD)),
        _ingested("scripts/pinyin_only_utf8.txt", "a page of pinyin only (tone letters from U+01CE), UTF-8",
                  _utf8(PINYIN_ONLY * 3), contains=(PINYIN_ONLY.strip(),)),
    ]


_HTML_CHROME_ABSENT = ("_hmt", "document.write", "广告代码", "font-size", "首页", "showAd", "版权所有", "ICP备",
                       "热门推荐", "范文网", "<p>", "&nbsp;", "&gt;")


def _html_page(*, charset: str = "utf-8") -> str:
    paras = [OPENING, "一、加强民主管理，推进院务公开", DEMOCRACY, AWARD, CARE, "谢谢大家！"]
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>医院工会工作报告_第一范文网</title>
<style>body {{ font-size: 14px }} .ad {{ display: none }}</style>
<script>var _hmt = _hmt || []; document.write("<p>广告代码</p>");</script>
</head><body>
<nav><a href="/">首页</a> &gt; <a href="/baogao/">工作报告</a> &gt; 正文</nav>
<header><div class="logo">第一范文网</div></header>
<div class="content"><h1>医院工会工作报告</h1>
{body}
<script>showAd('content-bottom');</script>
<p>工会经费&nbsp;&nbsp;收支&amp;管理情况良好。</p>
</div>
<aside>热门推荐：<a href="/z">工会工作总结</a></aside>
<footer>Copyright &copy; 第一范文网 版权所有 京ICP备12345678号</footer>
</body></html>
"""


def _html() -> list[_Spec]:
    contains = (OPENING, DEMOCRACY, AWARD, CARE, "工会经费 收支&管理情况良好。")
    nested = "<div>" * 5000 + f"<p>{OPENING}</p><p>{AWARD}</p>" + "</div>" * 5000
    chrome_only = (
        '<html><head><script>var a = "工会";</script><style>p{color:red}</style></head>'
        '<body><nav><a href="/">首页</a></nav><footer>版权所有</footer></body></html>'
    )
    unclosed = f"<html><body><div><p>{OPENING}<p>{AWARD}<table><tr><td>{CARE}<td>合计"  # never closed
    return [
        _ingested("html/scripts_styles_nav.html", "HTML with scripts, styles, navigation, header, footer",
                  _utf8(_html_page()), contains=contains, absent=_HTML_CHROME_ABSENT),
        _ingested("html/gb2312_meta.htm", "GBK-encoded HTML declaring gb2312",
                  lambda: _html_page(charset="gb2312").encode("gbk"), contains=contains, absent=_HTML_CHROME_ABSENT),
        _ingested("html/html_named_txt.txt", "HTML saved with a .txt name", _utf8(_html_page()), contains=contains,
                  absent=_HTML_CHROME_ABSENT),
        _ingested("html/utf16_html.html", "HTML in UTF-16 with BOM",
                  lambda: _html_page(charset="utf-16").encode("utf-16"), contains=contains,
                  absent=_HTML_CHROME_ABSENT),
        _ingested("html/nested_5000.html", "HTML nested 5000 elements deep", _utf8(nested),
                  contains=(OPENING, AWARD)),
        _ingested("html/unclosed_tags.html", "HTML whose tags are never closed", _utf8(unclosed),
                  contains=(OPENING, AWARD, CARE)),
        _rejected("html/chrome_only.html", "HTML with scripts and navigation but no visible text",
                  _utf8(chrome_only), "no visible text"),
    ]


def _big_page_text(n_bytes: int) -> tuple[str, str, str, str]:
    """A page on one line of about ``n_bytes`` UTF-8 bytes, and three numbered passages in it."""
    block = OPENING + DEMOCRACY + AWARD + CARE + HOTEL + SKILLS + TEACHING
    per = len(f"第{0:07d}段。{block}".encode())
    n = max(3, n_bytes // per)
    first, middle, last = (f"第{k:07d}段。" for k in (0, n // 2, n - 1))
    text = "".join(f"第{k:07d}段。{block}" for k in range(n))
    return text, first, middle, last


def big_page(path: str, n_bytes: int) -> _Spec:
    """A page of ``n_bytes`` on one line (no line break at all): report text, no boilerplate."""
    text, first, middle, last = _big_page_text(n_bytes)
    return _ingested(path, f"a {n_bytes / 1e6:g} MB page on one line", _utf8(text),
                     contains=(first + OPENING[:20], middle + OPENING[:20], last + OPENING, SKILLS),
                     min_chars=int(len(text) * 0.99))


def _one_line() -> list[_Spec]:
    flat = compilation_page().replace("\n", "")
    return [
        # a whole page (title, boilerplate, two reports) whose line breaks were lost
        _ingested("lines/whole_page_on_one_line.txt", "a whole page, boilerplate included, on one line",
                  _utf8(flat), contains=(OPENING, AWARD, FIN_SPENDING), absent=("小编",)),
    ]


def _bytes_damage() -> list[_Spec]:
    page = compilation_page()
    raw = page.encode("utf-8")
    cut = raw.index(AWARD.encode())
    rng = random.Random(8)
    return [
        _rejected("nul/nul_inside_utf8.txt", "UTF-8 text with NUL bytes inside",
                  lambda: raw[:cut] + b"\x00\x00" + raw[cut:], "binary file", "NUL"),
        _rejected("nul/nul_padded.txt", "a text followed by 4 KB of NUL padding (preallocated file)",
                  lambda: raw + b"\x00" * 4096, "binary file", "NUL"),
        _rejected("surrogates/cesu8_lone.txt", "a lone surrogate encoded as UTF-8 bytes (WTF-8)",
                  lambda: page.replace("胸心外科", "胸心\ud800外科").encode("utf-8", "surrogatepass"),
                  "not decodable", "surrogate"),
        _rejected("surrogates/cesu8_pair.txt", "a supplementary character as two encoded surrogates (CESU-8)",
                  lambda: page.replace("胸心外科", "胸心\ud842\udfb7外科").encode("utf-8", "surrogatepass"),
                  "not decodable", "surrogate"),
        _rejected("surrogates/utf16_bom_lone.txt", "UTF-16 with BOM and an unpaired surrogate",
                  lambda: codecs.BOM_UTF16_LE
                  + page.replace("胸心外科", "胸心\udc00外科").encode("utf-16-le", "surrogatepass"),
                  "not decodable", "surrogate"),
        _rejected("surrogates/utf16_lone.txt", "UTF-16 without BOM and an unpaired surrogate",
                  lambda: page.replace("胸心外科", "胸心\ud800外科").encode("utf-16-le", "surrogatepass"),
                  "not decodable", "surrogate"),
        _rejected("truncated/utf8_cut.txt", "UTF-8 cut inside its last character",
                  lambda: raw + "工".encode()[:2], "truncated"),
        _rejected("truncated/gbk_cut.txt", "GBK cut inside its last character",
                  lambda: page.encode("gbk") + "工".encode("gbk")[:1], "truncated"),
        _rejected("truncated/big5_cut.txt", "Big5 cut inside its last character",
                  lambda: traditional_page().encode("big5") + "會".encode("big5")[:1], "truncated"),
        _rejected("truncated/utf16_odd_bytes.txt", "UTF-16 with BOM and an odd number of bytes",
                  lambda: codecs.BOM_UTF16_BE + page.encode("utf-16-be")[:-1], "truncated"),
        _rejected("truncated/utf8_broken_middle.txt", "UTF-8 with a multi-byte character cut in the middle",
                  lambda: raw[:cut] + "工".encode()[:2] + raw[cut:], "not decodable"),
        _rejected("binary/png_image.txt", "a PNG image named .txt",
                  lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(2048), "binary file", "PNG"),
        _rejected("binary/docx_zip.txt", "a zip archive (docx) named .txt", _zip_bytes, "binary file", "ZIP"),
        _rejected("binary/gzip_page.txt", "a gzip-compressed page named .txt",
                  lambda: gzip.compress(raw, mtime=0), "binary file", "gzip"),
        _rejected("binary/pdf.txt", "a PDF named .txt",
                  lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + rng.randbytes(1024),
                  "binary file", "PDF"),
        _rejected("binary/random_bytes.txt", "random bytes named .txt",
                  lambda: random.Random(1).randbytes(8192), "not"),
        _rejected("binary/random_high_bytes.txt", "random bytes 0x80-0xFF named .txt",
                  lambda: bytes(rng.randrange(0x80, 0x100) for _ in range(8192)), "not decodable"),
        _rejected("empty/empty.txt", "an empty file", lambda: b"", "empty file"),
        _rejected("empty/whitespace.txt", "spaces, tabs and line breaks only", lambda: b" \t\r\n \n\t\n",
                  "empty file"),
        _rejected("empty/ideographic_spaces.txt", "ideographic spaces only (UTF-8)",
                  _utf8("\u3000\u3000\r\n\u3000\n"), "empty file"),
        _rejected("empty/bom_only.txt", "a UTF-8 byte-order mark and nothing else", lambda: codecs.BOM_UTF8,
                  "empty file"),
        _rejected("empty/utf16_whitespace.txt", "UTF-16 whitespace only", lambda: " \r\n\u3000 ".encode("utf-16"),
                  "empty file"),
    ]


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("word/document.xml", (2020, 1, 1, 0, 0, 0)), SHORT_REPORT)
    return buf.getvalue()


def _content() -> list[_Spec]:
    no_markers = f"院工会20xx年工作总结\n\n{OPENING}\n\n{DEMOCRACY}\n\n{AWARD}\n\n{CARE}\n"
    all_boilerplate = f"# {TITLE}\n\n{BOILERPLATE}\n\n下面是小编为大家整理的工会工作报告范文，欢迎阅读借鉴！\n"
    # OPENING ends in "。"; the paywall notice must go, not the full stop before it
    paywall_line = f"医院工会工作报告篇一\n\n{OPENING}\n\n（此处隐藏2632个字）\n\n{AWARD}\n\n{CARE}\n"
    paywall_inline = f"医院工会工作报告篇一\n\n{OPENING}……此处隐藏2632个字……{AWARD}\n\n{CARE}\n"
    paywall_docin = (
        f"医院工会工作报告篇一\n\n{OPENING}\n\n此处隐藏：2632字，全部文档内容请下载后查看。喜欢就下载吧 ……\n\n"
        f"{AWARD}\n\n{CARE}\n"
    )
    left, right = AWARD[: AWARD.index("总工会") + 1], AWARD[AWARD.index("总工会") + 1 :]
    long_left = DEMOCRACY + left  # a page break cuts a long paragraph, inside 总工会
    watermark_line = f"医院工会工作报告篇一\n\n{OPENING}\n\n{long_left}\n本文档由第一范文网整理，仅供参考\n{right}\n"
    watermark_site = f"医院工会工作报告篇一\n\n{OPENING}\n\n{long_left}\n\n第一范文网 www.diyifanwen.com\n\n{right}\n"
    watermark_inline = f"医院工会工作报告篇一\n\n{OPENING}\n\n{long_left}www.diyifanwen.com{right}\n"
    footers = (
        f"医院工会工作报告篇一\n\n{OPENING}\n\n{long_left}\n\n第 1 页 共 9 页\n\n{right}\n\n"
        f"{FOOTER_LEFT} ― 2 ―\n\n\n\n\t{FOOTER_RIGHT}\n\n"
        f"{HOTEL[:30]}\n第2页/共9页\n{HOTEL[30:]}\n\n"
        f"{TEACHING[:40]}12下一页\n{TEACHING[40:]}\n"
    )
    censored_lines = (
        "加强ZZ建设和DJ工作，坚持以ZZ学习为统领。",
        "***同志被评为优秀工会干部，张**获得先进个人称号。",
        "为\\*\\*\\*\\*\\*持续稳定发展保驾护航，×××工会全年慰问困难职工xx人，发放慰问金xx万元。",
        "20__年，在×××党委的正确领导下，工会组织职工参加FLG警示教育和**主题活动。",
    )
    censored = f"医院工会工作报告篇一\n\n{OPENING}\n\n" + "\n\n".join(censored_lines) + f"\n\n{AWARD}\n"
    invisible = (
        f"医院工会工作报告篇一\n\n{OPENING}\n\n"
        + AWARD.replace("总工会", "总\u200b工会").replace("模范", "模\u200d范")
        + "\n\n\ufeff"
        + CARE.replace("子女", "子\u2060女")
        + "\n"
    )
    numbers = (
        f"医院工会工作报告篇一\n\n{OPENING}\n\n"
        "困难职工张某，身份证号430102199001011234，银行账号6222021234567890123，已发放救助金2000元。\n\n"
        "受助职工名单：****************，共计12人。\n\n" + AWARD + "\n"
    )
    return [
        _ingested("content/no_report_markers.txt", "a report with no 篇 marker at all", _utf8(no_markers),
                  contains=(OPENING, DEMOCRACY, AWARD, CARE), n_reports=1),
        _ingested("content/all_boilerplate.txt", "a page that is all title and boilerplate",
                  _utf8(all_boilerplate), absent=("小编", "使用范围很广"), n_reports=0),
        _ingested("content/markers_only.txt", "markers and a title but no report text",
                  _utf8(f"{TITLE}\n\n医院工会工作报告篇一\n\n医院工会工作报告篇二\n"), n_reports=0),
        _ingested("content/paywall_line.txt", "a paywall notice (此处隐藏2632个字) on its own line",
                  _utf8(paywall_line), contains=(OPENING, AWARD, CARE), absent=("此处隐藏", "2632")),
        _ingested("content/paywall_inline.txt", "a paywall notice between two sentences",
                  _utf8(paywall_inline), contains=(OPENING, AWARD, CARE), absent=("此处隐藏", "2632")),
        _ingested("content/paywall_download.txt", "the doc-site paywall (此处隐藏：2632字，…请下载后查看)",
                  _utf8(paywall_docin), contains=(OPENING, AWARD, CARE), absent=("此处隐藏", "2632", "下载")),
        _ingested("content/watermark_line.txt", "a watermark line cutting 总|工会", _utf8(watermark_line),
                  contains=(DEMOCRACY + AWARD,), absent=("范文网", "仅供参考")),
        _ingested("content/watermark_site_line.txt", "a site-name watermark line cutting 总|工会",
                  _utf8(watermark_site), contains=(DEMOCRACY + AWARD,), absent=("范文网", "diyifanwen")),
        _ingested("content/watermark_inline.txt", "an inline URL watermark cutting 总|工会",
                  _utf8(watermark_inline), contains=(DEMOCRACY + AWARD,), absent=("diyifanwen",)),
        _ingested("content/page_footers.txt", "page footers splitting words (第 1 页 共 9 页, ― 2 ―, 12下一页)",
                  _utf8(footers), contains=(DEMOCRACY + AWARD, FOOTER_LEFT + FOOTER_RIGHT, HOTEL, TEACHING),
                  absent=("第 1 页", "共9页", "― 2 ―", "下一页")),
        _ingested("content/censorship_codes.txt", "censorship codes and masks (ZZ建设, ***, ×××, 20__)",
                  _utf8(censored),
                  contains=(*censored_lines[:2], censored_lines[2].replace("\\", ""), censored_lines[3], AWARD)),
        _ingested("content/invisible_characters.txt", "zero-width characters and a BOM inside the text",
                  _utf8(invisible), contains=(AWARD, CARE), absent=("\u200b", "\u200d", "\u2060")),
        _ingested("content/long_numbers_and_masks.txt", "an 18-digit ID, a 19-digit account, a 16-star mask",
                  _utf8(numbers), contains=("身份证号430102199001011234", "6222021234567890123",
                                            "****************", AWARD)),
    ]


def _names_and_links() -> list[_Spec]:
    deep = "/".join(f"d{k}" for k in range(40))
    return [
        _ingested("names/医院 工会 (1).txt", "a file name with hanzi, spaces and brackets",
                  _utf8(SHORT_REPORT.replace("胸心外科", "骨科")), contains=(OPENING,), n_reports=1),
        _ingested("names/-rf #1 & 'x'.txt", "a file name with shell metacharacters",
                  _utf8(SHORT_REPORT.replace("胸心外科", "眼科")), contains=(OPENING,), n_reports=1),
        _ingested("names/no_suffix", "a file with no suffix", _utf8(SHORT_REPORT.replace("胸心外科", "儿科")),
                  contains=(OPENING,), n_reports=1),
        _ingested(f"names/{deep}/deep.txt", "a page 40 folders deep", _utf8(SHORT_REPORT.replace("胸心外科", "外科")),
                  contains=(OPENING,), n_reports=1),
        _rejected("links/broken_link.txt", "a symbolic link to a file that does not exist", None,
                  "cannot read", "no such file", symlink_to="../nowhere/missing.txt"),
    ]


def _faults() -> list[_Spec]:
    return [
        _rejected("faults/vanishes.txt", "a file deleted after the folder was listed",
                  _utf8(SHORT_REPORT.replace("胸心外科", "内科")), "cannot read", "no such file", fault="vanish"),
        _rejected("faults/unreadable.txt", "a file that cannot be read any more (PermissionError)",
                  _utf8(SHORT_REPORT.replace("胸心外科", "急诊科")), "cannot read", "permission denied",
                  fault="unreadable"),
    ]


TINY_TEMPLATES = (
    "工会组织职工开展健步走活动，参加职工{n}人。",
    "院工会慰问困难职工{n}户，送去温暖。",
    "工会举办第{n}期职工技能培训班，受到职工好评。",
    "工會為職工辦實事{n}件，職工滿意。",
)
TINY_ENCODINGS = ("utf-8", "gb18030", "utf-16", "utf-8-sig", "big5")


def tiny_sentence(k: int) -> str:
    return TINY_TEMPLATES[k % len(TINY_TEMPLATES)].format(n=k + 1)


def _tiny(n_tiny: int) -> list[_Spec]:
    specs = []
    for k in range(n_tiny):
        sentence = tiny_sentence(k)
        encoding = TINY_ENCODINGS[k % len(TINY_ENCODINGS)]
        if encoding == "big5" and k % len(TINY_TEMPLATES) != 3:
            encoding = "gbk"  # only the Traditional sentence is written in Big5
        specs.append(_ingested(f"many/{k:05d}.txt", f"a tiny page ({encoding})",
                               (lambda s=sentence, e=encoding: s.encode(e)), contains=(sentence,), n_reports=1,
                               group="tiny"))
    return specs


def all_specs(*, big_page_bytes: int, n_tiny: int) -> list[_Spec]:
    return [
        *_encodings(), *_scripts(), *_html(), big_page("lines/one_line_page.txt", big_page_bytes), *_one_line(),
        *_bytes_damage(), *_content(), *_names_and_links(), *_faults(), *_tiny(n_tiny),
    ]


def expectations(*, big_page_bytes: int = 1_000_000, n_tiny: int = 2000) -> list[Expectation]:
    """The expectations of the corpus ``build_hostile_corpus`` writes with the same settings."""
    return [s.expectation for s in all_specs(big_page_bytes=big_page_bytes, n_tiny=n_tiny)]


def build_hostile_corpus(root: Path, *, big_page_bytes: int = 1_000_000, n_tiny: int = 2000,
                         select: Callable[[Expectation], bool] | None = None) -> HostileCorpus:
    """Write the hostile corpus into ``root`` (created) and return its expectations.

    Parameters
    ----------
    big_page_bytes
        Size of the page on one line (the slow suite uses 50 MB).
    n_tiny
        Number of tiny files in ``many/``.
    select
        Write only the files whose expectation passes this test (e.g. a control corpus of the
        files that must be ingested).
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    corpus = HostileCorpus(root)
    for spec in all_specs(big_page_bytes=big_page_bytes, n_tiny=n_tiny):
        if select is not None and not select(spec.expectation):
            continue
        path = root / spec.expectation.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if spec.symlink_to is not None:
            os.symlink(spec.symlink_to, path)
        else:
            assert spec.data is not None
            path.write_bytes(spec.data())
        corpus.expectations[spec.expectation.path] = spec.expectation
    return corpus


# --------------------------------------------------------------------------- mid-run faults


def inject_faults(monkeypatch: pytest.MonkeyPatch, corpus: HostileCorpus) -> None:
    """Damage the ``fault`` files right after ingest has listed the input folder.

    "vanish" files are deleted; "unreadable" files raise ``PermissionError`` on every open
    (patched rather than ``chmod 000``, which does not stop root).
    """
    from corpus_tools import pipeline

    vanish = corpus.faulty("vanish")
    unreadable = {os.path.abspath(p) for p in corpus.faulty("unreadable")}
    real_listing = pipeline.iter_source_paths

    def listing_then_damage(root: Path) -> list[Path]:
        paths = real_listing(root)
        for p in vanish:
            p.unlink(missing_ok=True)
        _forbid_reading(monkeypatch, unreadable)
        return paths

    monkeypatch.setattr(pipeline, "iter_source_paths", listing_then_damage)


def _forbid_reading(monkeypatch: pytest.MonkeyPatch, paths: set[str]) -> None:
    def denied(path: object) -> bool:
        try:
            return os.path.abspath(os.fspath(path)) in paths  # type: ignore[arg-type]
        except TypeError:  # a file descriptor
            return False

    def check(path: object) -> None:
        if denied(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))  # type: ignore[arg-type]

    real_open, real_io_open = builtins.open, io.open
    real_read_bytes, real_read_text = pathlib.Path.read_bytes, pathlib.Path.read_text

    def guarded_open(file, *args, **kwargs):
        check(file)
        return real_open(file, *args, **kwargs)

    def guarded_io_open(file, *args, **kwargs):
        check(file)
        return real_io_open(file, *args, **kwargs)

    def guarded_read_bytes(self):
        check(self)
        return real_read_bytes(self)

    def guarded_read_text(self, *args, **kwargs):
        check(self)
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_io_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", guarded_read_bytes)
    monkeypatch.setattr(pathlib.Path, "read_text", guarded_read_text)
