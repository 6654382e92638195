"""The HTML report: aggregations, escaping of scraped text, evidence links, and headless Chromium.

Tables other engineers' stages write (amounts, awards, activities, topics, sectors) are used as
stored when present; when a stage has not landed yet they are synthesised here, small and
schema-conformant, from the report texts, so that every part of the page is exercised.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from corpus_tools.cli_report import report as report_command
from corpus_tools.pipeline import IngestConfig, ingest
from corpus_tools.report import (
    activity_counts,
    amount_stats,
    award_counts,
    build_report,
    doc_anchor,
    purpose_stats,
    render_report,
    sector_genre_counts,
    topic_prevalence,
)
from corpus_tools.schema import TABLES, to_arrow
from corpus_tools.store import read_table, table_path, write_tables
from tests.conftest import RAW

PAYLOAD = "<script>alert(1)</script>"
# a scraped page whose text carries markup: as a .txt page it is text, and must stay text
CRAFTED_PAGE = (
    "医院工会工作报告篇一 " + PAYLOAD + "\n\n"
    "各位代表：\n\n"
    "20xx年，在医院党委的领导下，院工会认真履行职能。" + PAYLOAD + "全年发放慰问金3000元，"
    "胸心外科被中华全国总工会授予工人先锋号。<img src=x onerror=\"document.title='pwned'\">开展金秋助学活动。\n\n"
    "谢谢大家！\n"
)

# -- synthesising the tables of stages that may not have landed yet --------------------------

_SECTOR_CUES = (("医院", "hospital"), ("卫生", "hospital"), ("法院", "court"), ("检察", "court"),
                ("学校", "school"), ("学院", "school"), ("大学", "school"), ("公司", "enterprise"),
                ("企业", "enterprise"), ("总工会", "federation"), ("机关", "government"))
_AMOUNT_RE = re.compile(r"(?:\d+(?:\.\d+)?|[xX×]+)(万|千)?(余|多)?元")
_PURPOSES = ("慰问金", "奖金", "会费", "补助", "经费", "福利", "捐款")
_AWARD_RE = re.compile(r"(工人先锋号|模范职工之家|先进职工之家|五一劳动奖状|先进集体|一等奖)")
_ACTIVITIES = {"劳动竞赛": "skills_competition", "技能比武": "skills_competition", "金秋助学": "welfare_care",
               "送温暖": "welfare_care", "职代会": "democratic_management", "篮球": "sports", "拔河": "sports",
               "演讲": "culture_arts", "体检": "health", "培训": "education_training"}


def _sector(text: str) -> str:
    head = text[:300]
    for cue, sector in _SECTOR_CUES:
        if cue in head:
            return sector
    return "other"


def _amount_rows(doc_id: str, text: str) -> list[dict]:
    rows = []
    for m in _AMOUNT_RE.finditer(text):
        digits = m.group(0).split(m.group(1) or "元")[0].rstrip("余多")
        masked = not digits[:1].isdigit()
        value = None if masked else float(digits) * {"万": 1e4, "千": 1e3}.get(m.group(1), 1)
        before = text[max(0, m.start() - 12):m.start()]
        purpose = next((p for p in _PURPOSES if p in before), None)
        rows.append({"doc_id": doc_id, "start": m.start(), "end": m.end(), "text": m.group(0),
                     "value_yuan": value, "approx": bool(m.group(2)), "masked": masked, "purpose": purpose,
                     "section_id": None})
    return rows


def _award_rows(doc_id: str, text: str) -> list[dict]:
    rows = []
    for m in _AWARD_RE.finditer(text):
        start = max(0, m.start() - 15)
        issuer_m = re.search(r"被(.{2,12}?)(授予|评为)", text[start:m.start()])
        issuer = issuer_m.group(1) if issuer_m else None
        level = "unknown"
        if issuer:
            level = next((lv for cue, lv in (("全国", "national"), ("省", "provincial"), ("市", "city"),
                                              ("县", "county"), ("区", "county")) if cue in issuer), "unknown")
        rows.append({"doc_id": doc_id, "start": start, "end": m.end(), "text": text[start:m.end()],
                     "award": m.group(0), "recipient": None, "issuer": issuer, "level": level, "section_id": None})
    return rows


def _activity_rows(doc_id: str, text: str) -> list[dict]:
    rows = []
    for name, category in _ACTIVITIES.items():
        for m in re.finditer(re.escape(name), text):
            rows.append({"doc_id": doc_id, "start": m.start(), "end": m.end(), "text": name, "name": name,
                         "category": category, "section_id": None})
    return sorted(rows, key=lambda r: r["start"])


def _weight(doc_id: str, topic: int) -> float:
    return int(hashlib.sha1(f"{doc_id}{topic}".encode()).hexdigest()[:4], 16) / 65535


def synthesise_missing_tables(out_dir: Path) -> set[str]:
    """Give ``out_dir`` every table the report draws, synthesising those no stage wrote yet."""
    docs = read_table(out_dir, "documents")
    made: set[str] = set()
    if "sector" not in docs or docs["sector"].isna().all():
        docs["sector"] = [_sector(t) for t in docs["text"]]
        docs["sector_confidence"] = 0.9
        docs["genre"] = ["financial_report" if "经费" in t[:400] else "work_report" for t in docs["text"]]
        rows = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
                for r in docs.to_dict("records")]
        for r in rows:
            for key in ("years", "regions"):
                r[key] = list(r[key]) if r.get(key) is not None else None
        write_tables(out_dir, {"documents": rows})
        made.add("sector")
    for name, rows_of in (("amounts", _amount_rows), ("awards", _award_rows), ("activities", _activity_rows)):
        if table_path(out_dir, name) is None or read_table(out_dir, name).empty:
            rows = [r for d in docs.itertuples() for r in rows_of(d.doc_id, d.text)]
            write_tables(out_dir, {name: rows})
            made.add(name)
    if table_path(out_dir, "topics") is None:  # as `corpus-tools topics` writes them (docs/topics.md)
        terms = [["慰问", "困难职工", "送温暖"], ["劳动竞赛", "技能", "比武"], ["经费", "收入", "支出"]]
        topics = pa.table({"topic": pa.array([1, 2, 3], pa.int64()), "label": ["慰问、困难职工", "劳动竞赛、技能", "经费、收入"],
                           "terms": [[{"term": w, "weight": 0.01} for w in ws] for ws in terms],
                           "coherence": [0.51, 0.43, 0.38]})
        weights = [(d, t, _weight(d, t)) for d in docs["doc_id"] for t in (1, 2, 3)]
        doc_topics = pa.table({"doc_id": [d for d, _, _ in weights], "topic": pa.array([t for _, t, _ in weights]),
                               "weight": [w for _, _, w in weights], "in_fit": [True] * len(weights)})
        sectors = dict(zip(docs["doc_id"], docs["sector"].fillna("unclassified"), strict=True))
        prev = (pd.DataFrame(weights, columns=["doc_id", "topic", "weight"]).assign(sector=lambda f: f.doc_id.map(sectors))
                .groupby(["topic", "sector"])["weight"].agg(["mean", "size"]).reset_index())
        prevalence = pa.table({"topic": prev["topic"], "sector": prev["sector"], "mean_weight": prev["mean"],
                               "ci_low": prev["mean"] * 0.5, "ci_high": (prev["mean"] * 1.5).clip(upper=1.0),
                               "n_docs": prev["size"]})
        write_tables(out_dir, {"topics": topics, "doc_topics": doc_topics, "topic_prevalence": prevalence})
        made.add("topics")
    return made


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sample pages plus a crafted page with markup in its text, ingested, every table present."""
    pages = tmp_path_factory.mktemp("pages")
    # a hospital compilation and a page repeating one of its reports (a duplicate)
    for name in ("000_4b27597311967f95.txt", "004_ffc48c9a9b096a3f.txt"):
        shutil.copy(RAW / name, pages / name)
    (pages / "zz_crafted_script.txt").write_text(CRAFTED_PAGE, encoding="utf-8")
    out = tmp_path_factory.mktemp("tables")
    ingest(pages, out, IngestConfig(workers=1))
    synthesise_missing_tables(out)
    return out


@pytest.fixture(scope="module")
def built(corpus) -> tuple[Path, str]:
    """The report of ``corpus``, written by the ``report`` command into the tables folder."""
    result = CliRunner().invoke(report_command, ["--out", str(corpus)])
    assert result.exit_code == 0, result.output
    path = corpus / "report.html"
    assert f"report written to {path} (8 charts)" in result.output
    return path, path.read_text(encoding="utf-8")


# -- the numbers -----------------------------------------------------------------------------

DOCS = pd.DataFrame({
    "doc_id": ["d1", "d2", "d3", "d4"],
    "source_file": ["a.txt", "a.txt", "b.txt", "b.txt"],
    "report_index": [1, 2, 1, 2],
    "title": ["医院工会工作报告", "法院工会工作总结", "医院工会（副本）", "未分类"],
    "text": ["发放慰问金3000元，奖金xx万元。", "捐款1.5万元。", "发放慰问金3000元，奖金xx万元。", "经费100元。"],
    "sector": ["hospital", "court", "hospital", None],
    "genre": ["work_report", "work_summary", "work_report", "work_report"],
    "duplicate_of": [None, None, "d1", None],
    "n_chars": [17, 7, 17, 6],
})
AMOUNTS = pd.DataFrame({
    "doc_id": ["d1", "d1", "d2", "d3", "d3", "d4"],
    "start": [5, 12, 2, 5, 12, 2], "end": [10, 17, 7, 10, 17, 6],
    "text": ["3000元", "xx万元", "1.5万元", "3000元", "xx万元", "100元"],
    "value_yuan": [3000.0, None, 15000.0, 3000.0, None, 100.0],
    "approx": [False, False, False, False, False, False],
    "masked": [False, True, False, False, True, False],
    "purpose": ["慰问金", "奖金", "捐款", "慰问金", "奖金", None],
    "section_id": [None] * 6,
})


def test_amount_totals_leave_out_masked_amounts_and_duplicate_reports():
    stats = amount_stats(AMOUNTS, DOCS)
    assert list(stats.index) == ["hospital", "court", "unclassified"]
    hospital = stats.loc["hospital"]
    # d3 is a duplicate of d1: its two amounts are not counted again
    assert (hospital["amounts"], hospital["with_value"], hospital["masked"]) == (2, 1, 1)
    assert hospital["total_yuan"] == 3000.0 and hospital["reports"] == 1
    assert stats.loc["court", "total_yuan"] == 15000.0
    purposes = purpose_stats(AMOUNTS, DOCS)
    assert purposes.index[0] == "捐款"  # largest total first
    assert purposes.loc["奖金", "masked"] == 1 and pd.isna(purposes.loc["奖金", "total_yuan"])
    assert purposes.loc["(no purpose stated)", "total_yuan"] == 100.0


def test_reports_by_sector_and_genre_count_originals_with_unclassified_last():
    table = sector_genre_counts(DOCS)
    assert list(table.index) == ["hospital", "court", "unclassified"]
    assert table.loc["hospital", "total"] == 1 and table.loc["court", "work_summary"] == 1


def test_award_levels_in_rank_order_and_activities_ranked_by_reports():
    awards = pd.DataFrame({"doc_id": ["d1", "d2", "d2"], "start": [0, 0, 3], "end": [2, 2, 5],
                           "text": ["x"] * 3, "award": ["工人先锋号", "先进集体", "一等奖"],
                           "recipient": [None] * 3, "issuer": ["中华全国总工会", "市总工会", None],
                           "level": ["national", "city", "internal"], "section_id": [None] * 3})
    table = award_counts(awards, DOCS)
    assert list(table.index) == ["national", "city", "internal"]
    assert table.loc["city", "court"] == 1 and table["total"].sum() == 3
    acts = pd.DataFrame({"doc_id": ["d1", "d1", "d2", "d4", "d3"], "start": [0, 5, 0, 0, 0], "end": [2, 7, 2, 2, 2],
                         "text": ["送温暖", "送温暖", "送温暖", "职代会", "职代会"],
                         "name": ["送温暖", "送温暖", "送温暖", "职代会", "职代会"],
                         "category": ["welfare_care"] * 3 + ["democratic_management"] * 2,
                         "section_id": [None] * 5})
    counts = activity_counts(acts, DOCS)
    hospital = counts[counts["sector"] == "hospital"].iloc[0]
    assert (hospital["name"], hospital["mentions"], hospital["reports"]) == ("送温暖", 2, 1)
    assert counts[counts["sector"] == "hospital"]["mentions"].sum() == 2  # the duplicate d3 is left out


def test_topic_prevalence_is_the_mean_weight_with_absent_topics_as_zero():
    doc_topics = pd.DataFrame({"doc_id": ["d1", "d2", "d2", "d4"], "topic": [0, 0, 1, 1],
                               "weight": [0.8, 0.4, 0.6, 1.0]})
    table = topic_prevalence(doc_topics, DOCS)
    assert table.loc[0, "hospital"] == pytest.approx(0.8)
    assert table.loc[1, "hospital"] == pytest.approx(0.0)
    assert table.loc[1, "court"] == pytest.approx(0.6)
    assert table.loc[1, "unclassified"] == pytest.approx(1.0)


# -- the page --------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.tags, self.external = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k == "href" and tag == "a":
                self.hrefs.append(v)
            if k in ("src", "href", "xlink:href", "action") and v and not v.startswith(("#", "data:")):
                self.external.append((tag, k, v))


def test_report_says_what_to_run_for_tables_not_computed_yet():
    tables = {"documents": DOCS.assign(sector=None, genre=None)}
    page, result = render_report(tables)
    assert set(result.not_computed) == {"sector", "amounts", "awards", "activities", "topics"}
    text = html.unescape(page)
    assert "Topic models: not computed yet — run `corpus-tools topics`." in text
    assert "Money amounts: not computed yet — run `corpus-tools ingest`" in text
    assert "Sectors: not computed yet — run `corpus-tools classify`" in text
    # a table that was computed but found nothing says so instead
    _, result = render_report({**tables, "awards": pd.DataFrame(columns=["doc_id", "start", "end", "award", "level"])})
    assert "awards" not in result.not_computed


def test_the_same_tables_give_the_same_page():
    tables = {"documents": DOCS, "amounts": AMOUNTS}
    first, _ = render_report(tables)
    second, _ = render_report(tables)
    assert first == second


def test_every_value_from_the_tables_is_escaped():
    docs = DOCS.assign(title=[PAYLOAD, "<b>粗体</b>", "x", "y"], unit=["<img src=x onerror=alert(1)>", None, None, None])
    amounts = AMOUNTS.assign(purpose=["</svg><script>alert(2)</script>", "奖金", "捐款", "a", "b", None])
    awards = pd.DataFrame({"doc_id": ["d1"], "start": [0], "end": [2], "text": ["发放"], "award": ["<iframe>"],
                           "recipient": [None], "issuer": ["--><script>alert(3)</script>"], "level": ["national"],
                           "section_id": [None]})
    page, _ = render_report({"documents": docs, "amounts": amounts, "awards": awards})
    parser = _Links()
    parser.feed(page)
    assert not {"script", "img", "iframe", "b"} & set(parser.tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/svg&gt;&lt;script&gt;alert(2)" in page
    assert not parser.external, "the page must load nothing from outside"


def test_figures_link_to_reports_and_sentences_that_exist(built, corpus):
    path, page = built
    parser = _Links()
    parser.feed(page)
    assert not parser.external
    missing = {h for h in parser.hrefs if h.startswith("#") and h[1:] not in parser.ids}
    assert not missing, f"links without a target: {sorted(missing)[:5]}"
    docs = read_table(corpus, "documents")
    for doc_id in docs["doc_id"]:
        assert f'id="{doc_anchor(doc_id)}"' in page
    # every amount is cited with its report, sentence and offsets, and its span is highlighted
    amounts = read_table(corpus, "amounts")
    sentences = read_table(corpus, "sentences")
    a = amounts.iloc[0]
    s = sentences[(sentences.doc_id == a.doc_id) & (sentences.start <= a.start) & (sentences.end > a.start)].iloc[0]
    assert f"{a.doc_id}:{s.sentence_id} [{a.start}–{a.end}]" in page
    assert f"<mark>{html.escape(a.text)}</mark>" in page
    for part in ("fig-sector-genre", "fig-amount-sector", "fig-amount-distribution", "fig-amount-purpose",
                 "fig-award-level", "fig-award-issuer", "fig-activities", "fig-topic-sector"):
        assert f'id="{part}"' in page
    # topics: the top terms as stored ({term, weight} records) and the prevalence with its interval
    topics = read_table(corpus, "topics")
    first_terms = ", ".join(t["term"] for t in topics["terms"].iloc[0][:3])
    assert first_terms in page
    assert re.search(r"\d\.\d\d \[\d\.\d\d–\d\.\d\d\]", page) and "(n=" in page


def test_scraped_markup_in_a_source_page_reaches_the_page_as_text(built):
    _, page = built
    assert "<script" not in page.lower()
    assert html.escape(PAYLOAD) in page
    assert "&lt;img src=x onerror=" in page


def test_report_is_one_self_contained_file_in_the_tables_folder(built):
    path, page = built
    assert path.parent.name.startswith("tables") and sorted(path.parent.glob("*.html")) == [path]
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 8
    assert "Content-Security-Policy" in page
    # the only URLs are XML namespace names, which are never fetched
    assert set(re.findall(r'https?://[^"\s)<]+', page)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_report_writes_where_asked_and_fails_clearly_without_tables(corpus, tmp_path):
    result = build_report(corpus, to=tmp_path / "elsewhere" / "r.html", max_reports=1, max_evidence=2)
    page = result.path.read_text(encoding="utf-8")
    assert result.path == tmp_path / "elsewhere" / "r.html" and "more not shown" in page
    empty = CliRunner().invoke(report_command, ["--out", str(tmp_path / "nothing")])
    assert empty.exit_code != 0 and "run `corpus-tools ingest` first" in empty.output


# -- headless Chromium -----------------------------------------------------------------------

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _chromium(url: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _colour_pixels(png: Path, box: tuple[int, int, int, int] | None = None) -> tuple[int, int]:
    """(pixels that are not near-white, strongly coloured pixels) in the screenshot (or a box of it)."""
    import numpy as np
    from PIL import Image

    img = Image.open(png).convert("RGB")
    if box:
        img = img.crop(box)
    a = np.asarray(img).astype(int)
    ink = int(((a < 235).any(axis=2)).sum())
    colour = int(((a.max(axis=2) - a.min(axis=2)) > 60).sum())
    return ink, colour


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium)")
def test_report_renders_its_charts_and_scraped_script_as_text_in_chromium(built, tmp_path):
    path, page = built
    charts = re.findall(r'<figure class="chart" id="([^"]+)">(<svg.*?</svg>)', page, re.S)
    assert len(charts) == 8
    # 1. every chart (its SVG alone, with the report's stylesheet) in a fixed slot of one screenshot,
    #    after an empty SVG of the same kind as a control that the measure tells blank from drawn
    charts.insert(0, ("control", '<svg width="576pt" height="200pt" viewBox="0 0 576 200"></svg>'))
    head = page.split("<body>", 1)[0]
    slot_h, width = 520, 1000
    sheet = head + "<body style='margin:0'>" + "".join(
        f"<div style='height:{slot_h}px;width:{width}px;overflow:hidden;margin:0'>"
        f"<figure class='chart' style='margin:0;border:0'>{svg}</figure></div>" for _, svg in charts) + "</body></html>"
    sheet_file = tmp_path / "charts.html"
    sheet_file.write_text(sheet, encoding="utf-8")
    shot = tmp_path / "charts.png"
    _chromium(sheet_file.as_uri(), tmp_path, f"--screenshot={shot}", f"--window-size={width},{slot_h * len(charts)}")
    assert shot.is_file()
    for i, (chart_id, _) in enumerate(charts):
        ink, colour = _colour_pixels(shot, (0, i * slot_h, width, (i + 1) * slot_h))
        if chart_id == "control":
            assert ink < 50 and colour == 0, f"the blank control measures ink {ink}, colour {colour}"
        else:
            assert ink > 4000 and colour > 150, f"{chart_id} looks blank (ink {ink}, colour {colour})"
    # 2. the report itself: its top renders (overview and first chart) with coloured chart pixels
    full = tmp_path / "report.png"
    _chromium(path.as_uri(), tmp_path, f"--screenshot={full}", "--window-size=1280,2400")
    ink, colour = _colour_pixels(full)
    assert ink > 20000 and colour > 3000
    # 3. the scraped <script> is text in the rendered page, and nothing ran
    dom = _chromium(path.as_uri(), tmp_path, "--dump-dom").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert "<script" not in dom.lower()


def test_synthesised_tables_follow_the_schema(corpus):
    for name in ("amounts", "awards", "activities"):
        df = read_table(corpus, name)
        assert list(df.columns) == TABLES[name].column_names
        to_arrow(name, [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
                        for r in df.head(50).to_dict("records")])
        texts = dict(zip(read_table(corpus, "documents").doc_id, read_table(corpus, "documents").text, strict=True))
        for r in df.head(50).itertuples():
            assert texts[r.doc_id][r.start:r.end] == r.text
