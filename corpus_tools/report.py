"""The HTML report: one self-contained page of figures over the tables, each traceable to its text.

``build_report(out_dir)`` reads whatever tables the folder holds and writes ``report.html``
into it: corpus overview; reports by sector and genre; money amounts by sector and purpose
(totals, distribution, masked amounts counted apart); awards by level and issuer; top
activities per sector; topics with their top terms and prevalence by sector; and an index of
every report with its evidence (each amount, award, activity and count with the sentence it
was found in, its ``doc_id``, ``sentence_id`` and offsets). Every figure links down to that
evidence. A part whose tables are missing or empty says what to run instead of failing.

The page needs no network: charts are matplotlib SVG drawn inline (glyphs as outlines when a
CJK font is installed, so Chinese labels render on any machine), the stylesheet is inline and
there is no script at all. Scraped text is untrusted: the page is rendered by Jinja2 with
autoescaping, so every value from the tables is HTML-escaped, and a Content-Security-Policy
forbids scripts and remote loads in case anything ever slipped through.

The aggregations (``sector_genre_counts``, ``amount_stats`` …) are public pure functions over
DataFrames so that notebooks and tests can use the same numbers the page shows.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .records import CorpusToolsError
from .schema import SCHEMA_VERSION
from .store import existing_tables, read_table, table_path

__all__ = [
    "AWARD_LEVELS",
    "REPORT_FILE",
    "SECTORS",
    "ReportError",
    "ReportResult",
    "activity_counts",
    "amount_stats",
    "award_counts",
    "build_report",
    "find_cjk_font",
    "load_tables",
    "purpose_stats",
    "render_report",
    "sector_genre_counts",
    "sector_labels",
    "topic_prevalence",
]

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
SECTORS = ("hospital", "court", "school", "enterprise", "government", "federation", "other")
GENRES = ("work_report", "work_summary", "work_plan", "financial_report", "reflection", "news", "other")
AWARD_LEVELS = ("national", "provincial", "city", "county", "internal", "unknown")
UNCLASSIFIED = "unclassified"
NO_PURPOSE = "(no purpose stated)"
#: tables the report reads; the others in the folder are listed but not charted
REPORT_TABLES = ("documents", "sections", "sentences", "sources", "errors", "amounts", "awards", "activities",
                 "counts", "topics", "doc_topics", "topic_prevalence")
#: what to run when a table is missing
HOW_TO_MAKE = {
    "documents": "run `corpus-tools ingest`",
    "sections": "run `corpus-tools ingest`",
    "sentences": "run `corpus-tools ingest`",
    "sources": "run `corpus-tools ingest`",
    "errors": "run `corpus-tools ingest`",
    "amounts": "run `corpus-tools ingest` (its extract stage writes amounts, awards, activities and counts)",
    "awards": "run `corpus-tools ingest` (its extract stage writes amounts, awards, activities and counts)",
    "activities": "run `corpus-tools ingest` (its extract stage writes amounts, awards, activities and counts)",
    "counts": "run `corpus-tools ingest` (its extract stage writes amounts, awards, activities and counts)",
    "topics": "run `corpus-tools topics`",
    "doc_topics": "run `corpus-tools topics`",
    "topic_prevalence": "run `corpus-tools topics`",
    "sector": "run `corpus-tools classify` (or an ingest that classifies reports)",
}
# CJK fonts matplotlib may find, best first; file-name hints for fonts installed after matplotlib
# built its font cache
_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                 "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Noto Sans CJK TC",
                 "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "Microsoft YaHei", "SimHei",
                 "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS")
_CJK_FILE_HINT = re.compile(r"cjk|wqy|wenquanyi|droidsansfallback|sourcehan|simhei|msyh|pingfang|notosans[st]c|"
                            r"uming|ukai|hiragino", re.I)
_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac")
_SVG_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_YUAN_LABEL = "yuan (万 = 10,000; 亿 = 100 million)"
_SVG_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


class ReportError(CorpusToolsError):
    """The report could not be built (no tables, unwritable folder)."""


@dataclass(frozen=True)
class ReportResult:
    """What ``build_report`` wrote: the file, the parts drawn and the parts waiting for tables."""

    path: Path
    charts: int
    drawn: tuple[str, ...]
    not_computed: tuple[str, ...] = field(default=())


# -- the data --------------------------------------------------------------------------------


def load_tables(out_dir: Path, names: Sequence[str] = REPORT_TABLES) -> dict[str, pd.DataFrame]:
    """The tables of ``out_dir`` the report uses, by name; missing tables are simply absent."""
    out_dir = Path(out_dir)
    tables = {}
    for name in names:
        if table_path(out_dir, name) is None:
            continue
        # the tokens are the bulk of the sentences table and the page never shows them
        columns = ["doc_id", "sentence_id", "start", "end"] if name == "sentences" else None
        tables[name] = read_table(out_dir, name, columns=columns)
    return tables


def _nonempty(df: pd.DataFrame | None, *columns: str) -> bool:
    return df is not None and len(df) > 0 and all(c in df.columns for c in columns)


def originals(documents: pd.DataFrame) -> pd.DataFrame:
    """Reports that are not (near-)duplicates of an earlier one: the unit every figure counts."""
    if "duplicate_of" not in documents:
        return documents
    return documents[documents["duplicate_of"].isna()]


def sector_labels(documents: pd.DataFrame) -> pd.Series:
    """``doc_id`` → sector, ``"unclassified"`` where the sector is null or missing."""
    if "sector" not in documents:
        return pd.Series(UNCLASSIFIED, index=documents["doc_id"].to_numpy(), dtype=object)
    return pd.Series(documents["sector"].astype(object).where(documents["sector"].notna(), UNCLASSIFIED).to_numpy(),
                     index=documents["doc_id"].to_numpy(), dtype=object)


def _ordered(values, order: Sequence[str]) -> list[str]:
    values = list(dict.fromkeys(values))
    known = [v for v in order if v in values]
    rest = sorted(v for v in values if v not in order and v != UNCLASSIFIED)
    return known + rest + ([UNCLASSIFIED] if UNCLASSIFIED in values else [])


def _with_sector(rows: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Rows of an extraction table that belong to original reports, with their sector."""
    docs = originals(documents)
    sectors = sector_labels(docs)
    rows = rows[rows["doc_id"].isin(sectors.index)].copy()
    rows["sector"] = rows["doc_id"].map(sectors)
    return rows


def sector_genre_counts(documents: pd.DataFrame) -> pd.DataFrame:
    """Original reports by sector (rows) and genre (columns), with a ``total`` column.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "sector": ["court", "court", None],
    ...                      "genre": ["work_report", "news", "work_report"], "duplicate_of": [None, None, None]})
    >>> sector_genre_counts(docs).loc["court", "total"]
    2
    """
    docs = originals(documents)
    sectors = sector_labels(docs).to_numpy()
    genres = (docs["genre"].astype(object).where(docs["genre"].notna(), UNCLASSIFIED)
              if "genre" in docs else pd.Series(UNCLASSIFIED, index=docs.index))
    table = pd.crosstab(pd.Series(sectors, name="sector"), pd.Series(genres.to_numpy(), name="genre"))
    table = table.reindex(index=_ordered(table.index, SECTORS), columns=_ordered(table.columns, GENRES))
    table["total"] = table.sum(axis=1)
    return table


def amount_stats(amounts: pd.DataFrame, documents: pd.DataFrame, by: str = "sector") -> pd.DataFrame:
    """Money amounts per sector (or ``by="purpose"``): how many, how many masked, totals.

    Columns: ``amounts`` (all found), ``with_value``, ``masked`` (digits anonymised: counted
    here, never summed), ``approx``, ``total_yuan`` (sum of stated values), ``median_yuan``,
    ``max_yuan``, ``reports`` (original reports with at least one amount). Only original
    reports count.
    """
    rows = _with_sector(amounts, documents)
    if by == "purpose":
        rows["purpose"] = rows["purpose"].astype(object).where(rows["purpose"].notna(), NO_PURPOSE)
    masked = rows["masked"].fillna(False).astype(bool)
    value = pd.to_numeric(rows["value_yuan"], errors="coerce").where(~masked)
    rows = rows.assign(_value=value, _masked=masked, _approx=rows["approx"].fillna(False).astype(bool))
    grouped = rows.groupby(by, sort=False)
    stats = pd.DataFrame({
        "amounts": grouped.size(),
        "with_value": grouped["_value"].count(),
        "masked": grouped["_masked"].sum().astype(int),
        "approx": grouped["_approx"].sum().astype(int),
        "total_yuan": grouped["_value"].sum(min_count=1),
        "median_yuan": grouped["_value"].median(),
        "max_yuan": grouped["_value"].max(),
        "reports": grouped["doc_id"].nunique(),
    })
    if by == "sector":
        return stats.reindex(_ordered(stats.index, SECTORS))
    return stats.sort_values(["total_yuan", "amounts"], ascending=False, na_position="last")


def purpose_stats(amounts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``amount_stats`` by purpose (amounts with no purpose grouped as "(no purpose stated)")."""
    return amount_stats(amounts, documents, by="purpose")


def award_counts(awards: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Awards by level (rows, national → unknown) and sector (columns), with a ``total`` column."""
    rows = _with_sector(awards, documents)
    level = rows["level"].astype(object).where(rows["level"].notna(), "unknown")
    table = pd.crosstab(level.rename("level"), rows["sector"])
    table = table.reindex(index=_ordered(table.index, AWARD_LEVELS), columns=_ordered(table.columns, SECTORS))
    table["total"] = table.sum(axis=1)
    return table


def issuer_counts(awards: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Awards per issuer (``(issuer not stated)`` for nulls): awards, reports, levels seen."""
    rows = _with_sector(awards, documents)
    rows["issuer"] = rows["issuer"].astype(object).where(rows["issuer"].notna(), "(issuer not stated)")
    grouped = rows.groupby("issuer")
    out = pd.DataFrame({"awards": grouped.size(), "reports": grouped["doc_id"].nunique(),
                        "levels": grouped["level"].agg(lambda s: ", ".join(_ordered(s.dropna(), AWARD_LEVELS)))})
    return out.sort_values(["awards", "reports"], ascending=False, kind="stable")


def activity_counts(activities: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Activities per sector and canonical name: ``mentions`` and ``reports`` (original reports).

    Sorted by sector (taxonomy order), then most reports first.
    """
    rows = _with_sector(activities, documents)
    grouped = rows.groupby(["sector", "name"])
    out = pd.DataFrame({"category": grouped["category"].agg(lambda s: s.mode().iat[0] if len(s.mode()) else None),
                        "mentions": grouped.size(), "reports": grouped["doc_id"].nunique()}).reset_index()
    order = {s: i for i, s in enumerate(_ordered(out["sector"], SECTORS))}
    out["_o"] = out["sector"].map(order)
    out = out.sort_values(["_o", "reports", "mentions", "name"], ascending=[True, False, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def topic_prevalence(doc_topics: pd.DataFrame, documents: pd.DataFrame,
                     stored: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean topic weight per sector (rows: topics, columns: sectors) over original reports.

    A report without a weight for a topic counts as 0. When ``stored`` (the ``topic_prevalence``
    table of ``corpus-tools topics``) has ``topic``, ``sector`` and a prevalence column, it is used.
    """
    if _nonempty(stored, "topic", "sector"):
        value = next((c for c in ("prevalence", "mean_weight", "weight", "share") if c in stored.columns), None)
        if value is not None:
            table = stored.pivot_table(index="topic", columns="sector", values=value, aggfunc="mean")
            return table.reindex(columns=_ordered(table.columns, ("all",) + SECTORS))
    sectors = sector_labels(originals(documents))
    rows = doc_topics[doc_topics["doc_id"].isin(sectors.index)]
    wide = rows.pivot_table(index="doc_id", columns="topic", values="weight", aggfunc="sum")
    wide = wide.reindex(sectors.index).fillna(0.0)
    table = wide.groupby(sectors.reindex(wide.index).to_numpy()).mean().T
    table.columns.name = "sector"
    return table.reindex(columns=_ordered(table.columns, SECTORS))


# -- evidence: the sentence each row comes from ----------------------------------------------


class _Evidence:
    """Finds the sentence around a span of a report, for citing it."""

    def __init__(self, documents: pd.DataFrame, sentences: pd.DataFrame | None, side: int = 70):
        self.text = dict(zip(documents["doc_id"], documents["text"], strict=True)) if "text" in documents else {}
        self.side = side
        self.spans: dict[str, tuple[list[int], list[int], list[int]]] = {}
        if _nonempty(sentences, "doc_id", "sentence_id", "start", "end"):
            s = sentences.sort_values(["doc_id", "start"])
            for doc_id, g in s.groupby("doc_id", sort=False):
                self.spans[doc_id] = (g["start"].tolist(), g["end"].tolist(), g["sentence_id"].tolist())

    def context(self, doc_id: str, start: int, end: int) -> tuple[int | None, dict[str, str]]:
        text = self.text.get(doc_id)
        if text is None or not (0 <= start <= end <= len(text)):
            return None, {"before": "", "mark": "", "after": "(text not available)"}
        sid = None
        lo, hi = max(0, start - self.side), min(len(text), end + self.side)
        spans = self.spans.get(doc_id)
        if spans:
            starts, ends, ids = spans
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0:
                sid = ids[i]
                lo = starts[i]
                j = bisect.bisect_left(starts, end) - 1  # a span may run into the next sentence
                hi = max(ends[i], ends[max(i, j)], end)
        before, after = text[lo:start], text[end:hi]
        if len(before) > self.side:
            before = "…" + before[-self.side:]
        if len(after) > self.side:
            after = after[:self.side] + "…"
        return sid, {"before": before, "mark": text[start:end], "after": after}


# -- charts ------------------------------------------------------------------------------------


def find_cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs that matplotlib can use, or None.

    Looks for well-known CJK families (Noto Sans CJK, Source Han Sans, WenQuanYi, …); fonts
    installed after matplotlib built its font cache are added to its font list.
    """
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((fam for fam in _CJK_FAMILIES if fam in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if _CJK_FILE_HINT.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


class _Charts:
    """Draws figures as inline SVG with one set of matplotlib settings (no pyplot, no global state)."""

    def __init__(self, cjk_font: str | None):
        self.cjk_font = cjk_font
        families = ["DejaVu Sans"] + ([cjk_font] if cjk_font else [])
        self.rc = {
            "font.family": families, "font.size": 10, "text.parse_math": False,
            # glyphs as outlines when we have a CJK font: the page then renders Chinese anywhere;
            # otherwise keep real text and let the reader's browser find a font
            "svg.fonttype": "path" if cjk_font else "none",
            "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11,
            "axes.titleweight": "bold", "axes.titlelocation": "left",
        }
        self.count = 0

    def _svg(self, draw: Callable[[Any], None], *, width: float, height: float, salt: str, label: str,
             layout: str | None = None) -> str:
        import matplotlib as mpl
        from markupsafe import Markup, escape
        from matplotlib.figure import Figure

        with mpl.rc_context({**self.rc, "svg.hashsalt": salt}), warnings.catch_warnings():
            if self.cjk_font is None:  # expected: the reader's browser draws those glyphs
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            fig = Figure(figsize=(width, height), layout=layout)
            draw(fig)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
        svg = _SVG_PROLOG.sub("", buf.getvalue(), count=1)
        svg = _SVG_METADATA.sub("", _SVG_COMMENT.sub("", svg), count=1)
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
        self.count += 1
        return Markup(svg)  # noqa: S704 - our own drawing; every label in it was escaped by matplotlib

    @staticmethod
    def _margins(fig, labels: Sequence[str], width: float, height: float, *, bottom: float = 0.55,
                 top: float = 0.4, right: float = 0.25) -> None:
        # fixed margins sized to the longest tick label: constrained layout would double the drawing time
        fig.subplots_adjust(left=(_label_inches(labels) + 0.3) / width, right=1 - right / width,
                            bottom=bottom / height, top=1 - top / height)

    @staticmethod
    def _short(label: object, n: int = 18) -> str:
        s = str(label)
        return s if len(s) <= n else s[: n - 1] + "…"

    def barh(self, labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str, salt: str,
             unit: str = "count", annotate: Sequence[str] | None = None, color: str = _PALETTE[0]) -> str:
        labels = [self._short(v) for v in labels]
        height = 0.9 + 0.32 * max(1, len(labels))

        def draw(fig):
            ax = fig.subplots()
            ys = range(len(labels))[::-1]
            ax.barh(list(ys), list(values), color=color)
            ax.set_yticks(list(ys), labels)
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            _axis_format(ax.xaxis, unit)
            self._margins(fig, labels, 8, height)
            if annotate:
                for y, v, note in zip(ys, values, annotate, strict=True):
                    ax.annotate(note, (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
                ax.margins(x=0.18)

        return self._svg(draw, width=8, height=height, salt=salt, label=title)

    def stacked_barh(self, table: pd.DataFrame, *, title: str, xlabel: str, salt: str) -> str:
        labels = [self._short(v) for v in table.index]
        height = 1.4 + 0.34 * max(1, len(labels))

        def draw(fig):
            ax = fig.subplots()
            ys = list(range(len(labels)))[::-1]
            left = [0.0] * len(labels)
            for i, col in enumerate(table.columns):
                vals = [float(v) for v in table[col].fillna(0)]
                ax.barh(ys, vals, left=left, color=_PALETTE[i % len(_PALETTE)], label=str(col))
                left = [a + b for a, b in zip(left, vals, strict=True)]
            ax.set_yticks(ys, labels)
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            _axis_format(ax.xaxis, "count")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
            self._margins(fig, labels, 8, height, right=1.7)

        return self._svg(draw, width=8, height=height, salt=salt, label=title)

    def distribution(self, groups: dict[str, list[float]], *, title: str, xlabel: str, salt: str) -> str:
        import numpy as np

        labels = list(groups)
        height = 1.0 + 0.45 * max(1, len(labels))

        def draw(fig):
            ax = fig.subplots()
            data = [np.asarray(groups[k], dtype=float) for k in labels]
            ys = list(range(1, len(labels) + 1))[::-1]
            ax.boxplot(data, positions=ys, orientation="horizontal", widths=0.55, showfliers=False,
                       patch_artist=True, boxprops={"facecolor": "#dbe6f1", "edgecolor": _PALETTE[0]},
                       medianprops={"color": _PALETTE[1], "linewidth": 2})
            rng = np.random.default_rng(0)
            for y, vals in zip(ys, data, strict=True):
                ax.scatter(vals, y + rng.uniform(-0.18, 0.18, len(vals)), s=10, alpha=0.75, color=_PALETTE[0],
                           zorder=3)
            ax.set_xscale("log")
            _axis_format(ax.xaxis, "yuan", log=True)
            ax.set_yticks(ys, [self._short(v) for v in labels])
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            self._margins(fig, [self._short(v) for v in labels], 8, height)

        return self._svg(draw, width=8, height=height, salt=salt, label=title)

    def heatmap(self, table: pd.DataFrame, *, title: str, salt: str, fmt: str = "{:.2f}") -> str:
        rows = [self._short(v, 24) for v in table.index]
        cols = [self._short(v, 14) for v in table.columns]
        values = table.fillna(0.0).to_numpy(dtype=float)
        height = 1.4 + 0.34 * max(1, len(rows))
        width = min(11.0, 3.5 + 0.9 * max(1, len(cols)))

        def draw(fig):
            ax = fig.subplots()
            im = ax.imshow(values, cmap="Blues", aspect="auto", vmin=0)
            ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
            ax.set_yticks(range(len(rows)), rows)
            ax.set_title(title)
            top = values.max() if values.size else 0
            for (i, j), v in _ndenumerate(values):
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="white" if top and v > 0.6 * top else "#1f2328")
            fig.colorbar(im, ax=ax, shrink=0.8)

        return self._svg(draw, width=width, height=height, salt=salt, label=title, layout="constrained")

    def small_multiples(self, panels: dict[str, tuple[list[str], list[float]]], *, title: str, xlabel: str,
                        salt: str) -> str:
        names = list(panels)
        ncols = 2 if len(names) > 1 else 1
        nrows = -(-len(names) // ncols)
        per = max(len(v[0]) for v in panels.values())
        row_h, gap_h, top, bottom, width = 0.26 * per + 0.2, 0.8, 0.7, 0.5, 9.0
        height = top + bottom + nrows * row_h + (nrows - 1) * gap_h
        left = _label_inches([self._short(v, 12) for p in panels.values() for v in p[0]]) + 0.3
        gap_w = left + 0.3
        axis_w = (width - left - 0.25 - gap_w * (ncols - 1)) / ncols
        grid = {"left": left / width, "right": 1 - 0.25 / width, "top": 1 - top / height, "bottom": bottom / height,
                "wspace": gap_w / axis_w, "hspace": gap_h / row_h}

        def draw(fig):
            axes = fig.subplots(nrows, ncols, squeeze=False, gridspec_kw=grid)
            for k, ax in enumerate(axes.flat):
                if k >= len(names):
                    ax.set_axis_off()
                    continue
                labels, values = panels[names[k]]
                ys = list(range(len(labels)))[::-1]
                ax.barh(ys, values, color=_PALETTE[k % len(_PALETTE)])
                ax.set_yticks(ys, [self._short(v, 12) for v in labels])
                ax.set_title(names[k], fontsize=10)
                ax.set_xlabel(xlabel, fontsize=8)
                _axis_format(ax.xaxis, "count")
            fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)

        return self._svg(draw, width=width, height=height, salt=salt, label=title)


def _label_inches(labels: Sequence[str], size: float = 10) -> float:
    """Rough width of the longest label in inches (CJK characters are about 1 em, others 0.6)."""
    ems = max((sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.62 for ch in str(v)) for v in labels),
              default=0.0)
    return ems * size / 72


def _yuan(x, _pos=None) -> str:
    """Axis label for yuan in the units Chinese reports use (万 = 10^4, 亿 = 10^8)."""
    for size, unit in ((1e8, "亿"), (1e4, "万")):
        if abs(x) >= size:
            q = x / size
            return f"{q:,.0f}{unit}" if abs(q) >= 100 else f"{q:.3g}{unit}"
    return f"{x:,.0f}"


def _axis_format(axis, unit: str, log: bool = False) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

    if unit == "yuan":
        axis.set_major_formatter(FuncFormatter(_yuan))
        if log:
            axis.set_minor_formatter(NullFormatter())
    else:
        axis.set_major_locator(MaxNLocator(integer=True))


def _ndenumerate(values):
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            yield (i, j), v


# -- page building blocks --------------------------------------------------------------------


def _anchor(prefix: str, value: object) -> str:
    """A safe, stable HTML id for any value (source text never becomes markup)."""
    return f"{prefix}-{hashlib.sha1(str(value).encode('utf-8')).hexdigest()[:10]}"


def doc_anchor(doc_id: str) -> str:
    """The id of a report's entry in the page (``#doc-<doc_id>``)."""
    return "doc-" + re.sub(r"[^0-9A-Za-z_-]", "_", str(doc_id))


def _link(text: object, href: str) -> dict[str, str]:
    return {"href": href, "text": str(text)}


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _num(v, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "–"
    return f"{v:,.{digits}f}" if isinstance(v, float) else f"{int(v):,}"


def _table(columns: Sequence[str], rows: list[list], *, numeric: Sequence[str] = (), more: str | None = None,
           id: str | None = None) -> dict:
    special = {"context": "ctx", "title": "title", "reading": "reading"}
    classes = ["num" if c in numeric else special.get(c, "ref" if c.startswith("report") else "") for c in columns]
    return {"kind": "table", "columns": list(columns), "rows": rows, "classes": classes, "more": more, "id": id}


def _missing(what: str, name: str, table: pd.DataFrame | None = None) -> dict:
    if table is not None and len(table) == 0:  # computed, and nothing was found
        return {"kind": "missing", "text": f"{what}: none found in these reports (the {name} table is empty)."}
    return {"kind": "missing", "text": f"{what}: not computed yet — {HOW_TO_MAKE.get(name, 'run corpus-tools ingest')}."}


def _sql(text: str) -> dict:
    return {"kind": "sql", "text": text}


def _q(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


@dataclass
class _Page:
    tables: dict[str, pd.DataFrame]
    charts: _Charts
    max_evidence: int
    top_n: int
    max_reports: int = 2000
    out_dir: Path | None = None
    parts: list[dict] = field(default_factory=list)
    drawn: list[str] = field(default_factory=list)
    not_computed: list[str] = field(default_factory=list)
    #: reports a figure links to: they always get an evidence entry
    cited: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.documents = self.tables.get("documents")
        assert self.documents is not None
        self.docs = originals(self.documents)
        self.sectors = sector_labels(self.documents)
        self.evidence = _Evidence(self.documents, self.tables.get("sentences"))
        self.titles = {r.doc_id: _doc_title(r) for r in self.documents.itertuples(index=False)}

    def doc_link(self, doc_id: str) -> dict[str, str]:
        self.cited.add(doc_id)
        return _link(doc_id, "#" + doc_anchor(doc_id))

    def ref(self, doc_id: str, start: int, end: int) -> tuple[dict, dict]:
        self.cited.add(doc_id)
        sid, ctx = self.evidence.context(doc_id, int(start), int(end))
        cite = f"{doc_id}:{sid if sid is not None else '?'} [{int(start)}–{int(end)}]"
        return _link(cite, "#" + doc_anchor(doc_id)), ctx

    def evidence_table(self, rows: pd.DataFrame, describe: Callable[[Any], str], *, sql: str) -> dict:
        """Evidence rows: the report and sentence (linked), the sector, the span as found, its reading."""
        shown = rows.head(self.max_evidence)
        body = []
        for r in shown.itertuples(index=False):
            cite, ctx = self.ref(r.doc_id, r.start, r.end)
            body.append([cite, self.sectors.get(r.doc_id, UNCLASSIFIED), describe(r), ctx])
        more = None
        if len(rows) > len(shown):
            more = (f"{len(rows) - len(shown):,} more not shown (the report lists at most {self.max_evidence} per "
                    f"group); all of them: corpus-tools query \"{sql}\"")
        return _table(["report:sentence [offsets]", "sector", "reading", "context"], body, more=more)


def _doc_title(r) -> str:
    title = getattr(r, "title", None)
    if isinstance(title, str) and title.strip():
        return title.strip()
    text = getattr(r, "text", "") or ""
    first = text.strip().split("\n", 1)[0] if isinstance(text, str) else ""
    return (first[:40] + "…") if len(first) > 40 else (first or f"report {r.report_index}")


def _overview(page: _Page) -> dict:
    t = page.tables
    docs = page.documents
    sources = t.get("sources")
    errors = t.get("errors")
    sentences = t.get("sentences")
    n_dup = int(docs["duplicate_of"].notna().sum()) if "duplicate_of" in docs else 0
    failed = int((sources["status"] == "error").sum()) if _nonempty(sources, "status") else None
    cards = [
        (_num(len(sources)) if sources is not None else "–", "pages read"),
        (_num(len(docs)), "reports found"),
        (_num(len(docs) - n_dup), "original reports"),
        (_num(n_dup), "duplicates (kept in the tables, left out of the figures)"),
        (_num(len(errors)) if errors is not None else "–", "errors"),
        (_num(len(sentences)) if sentences is not None else "–", "sentences"),
        (_num(int(docs["n_chars"].sum())) if "n_chars" in docs else "–", "characters of report text"),
    ]
    if failed is not None:
        cards.insert(1, (_num(failed), "pages that failed"))
    blocks: list[dict] = [{"kind": "cards", "entries": cards},
                          {"kind": "note", "text": "Every figure below counts original reports only; each links to "
                                                   "the reports and sentences it comes from (see Reports and evidence)."}]
    rows = []
    for name in REPORT_TABLES:
        df = t.get(name)
        status = f"{len(df):,} rows" if df is not None else f"not computed yet — {HOW_TO_MAKE.get(name, '')}"
        rows.append([name, status])
    extra = [n for n in existing_tables(page.out_dir) if n not in REPORT_TABLES] if page.out_dir else []
    for name in extra:
        rows.append([name, "present (not charted)"])
    blocks += [{"kind": "heading", "text": "Tables in this folder"}, _table(["table", "rows"], rows)]
    if _nonempty(sources, "source_file", "status"):
        src_rows = [[r.source_file, r.status, _num(getattr(r, "n_reports", None)), getattr(r, "encoding", None)]
                    for r in sources.itertuples(index=False)]
        blocks += [{"kind": "details", "summary": f"Pages read ({len(sources):,})", "blocks": [
            _table(["source_file", "status", "reports", "encoding"], src_rows[: page.max_evidence * 5], numeric=["reports"],
                   more=(f"{len(src_rows) - page.max_evidence * 5:,} more" if len(src_rows) > page.max_evidence * 5
                         else None))]}]
    if errors is not None and len(errors):
        err_rows = [[r.source_file, r.stage, r.error] for r in errors.itertuples(index=False)]
        blocks += [{"kind": "heading", "text": f"Errors ({len(errors):,})"},
                   _table(["source_file", "stage", "error"], err_rows[: page.max_evidence],
                          more=(f"{len(err_rows) - page.max_evidence:,} more: corpus-tools query \"select * from errors\""
                                if len(err_rows) > page.max_evidence else None))]
    elif errors is not None:
        blocks.append({"kind": "note", "text": "No errors: every page was read."})
    page.drawn.append("overview")
    return {"id": "overview", "title": "Corpus overview", "blocks": blocks}


def _sectors_part(page: _Page) -> dict:
    blocks: list[dict] = []
    table = sector_genre_counts(page.documents)
    if "sector" not in page.documents or page.documents["sector"].isna().all():
        blocks.append(_missing("Sectors", "sector"))
        page.not_computed.append("sector")
    if len(table):
        blocks.append({"kind": "chart", "id": "fig-sector-genre",
                       "svg": page.charts.stacked_barh(table.drop(columns="total"), title="Reports by sector and genre",
                                                       xlabel="original reports", salt="sector-genre"),
                       "caption": "Original reports per sector, stacked by genre. Sector names link to their reports."})
        rows = [[_link(s, "#" + _anchor("sector", s))] + [_num(v) for v in table.loc[s]] for s in table.index]
        blocks.append(_table(["sector"] + [str(c) for c in table.columns], rows,
                             numeric=[str(c) for c in table.columns]))
        blocks.append(_sql("select sector, genre, count(*) as reports from documents where duplicate_of is null "
                           "group by all order by reports desc"))
    page.drawn.append("sectors")
    return {"id": "sectors", "title": "Reports by sector and genre", "blocks": blocks}


def _amounts_part(page: _Page) -> dict:
    amounts = page.tables.get("amounts")
    title = "Money amounts by sector and purpose"
    if not _nonempty(amounts, "doc_id", "start", "end", "value_yuan", "masked", "purpose"):
        if amounts is None:
            page.not_computed.append("amounts")
        return {"id": "amounts", "title": title, "blocks": [_missing("Money amounts", "amounts", amounts)]}
    rows = _with_sector(amounts, page.documents).sort_values(["doc_id", "start"])
    by_sector = amount_stats(amounts, page.documents)
    by_purpose = purpose_stats(amounts, page.documents)
    blocks: list[dict] = []
    totals = by_sector["total_yuan"].fillna(0.0)
    blocks.append({"kind": "chart", "id": "fig-amount-sector", "svg": page.charts.barh(
        list(by_sector.index), list(totals), title="Sum of stated amounts by sector (yuan)", xlabel=_YUAN_LABEL,
        salt="amount-sector", unit="yuan",
        annotate=[f"{_plural(int(r.with_value), 'amount')}, {int(r.masked)} masked" for r in by_sector.itertuples()]),
        "caption": "Sum of the amounts with a stated value. Masked amounts (digits anonymised, e.g. xx万元) have no "
                   "value: they are counted beside each bar and in the table, never summed. Sums take every amount "
                   "found, economic figures (产值, 投资, 收入) as well as union spending: see the purposes below."})
    groups = {s: [v for v in g["value_yuan"].dropna().tolist() if v > 0]
              for s, g in rows[~rows["masked"].fillna(False).astype(bool)].groupby("sector", sort=False)}
    groups = {s: groups[s] for s in _ordered(groups, SECTORS) if groups.get(s)}
    if groups:
        blocks.append({"kind": "chart", "id": "fig-amount-distribution", "svg": page.charts.distribution(
            groups, title="Distribution of stated amounts by sector (log scale)", xlabel=_YUAN_LABEL + ", log scale",
            salt="amount-dist"), "caption": "Each dot is one amount; boxes show the quartiles and the median."})
    top = by_purpose.head(page.top_n)
    blocks.append({"kind": "chart", "id": "fig-amount-purpose", "svg": page.charts.barh(
        list(top.index), list(top["total_yuan"].fillna(0.0)), title="Sum of stated amounts by purpose (yuan)",
        xlabel=_YUAN_LABEL, salt="amount-purpose", unit="yuan", color=_PALETTE[1],
        annotate=[f"{int(r.amounts)} found, {int(r.masked)} masked" for r in top.itertuples()]),
        "caption": f"The {len(top)} purposes with the largest sums; all purposes are in the table below."})
    numeric = ["amounts", "with value", "masked", "approximate", "total (yuan)", "median (yuan)", "max (yuan)", "reports"]

    def stat_rows(stats: pd.DataFrame, key: str) -> list[list]:
        return [[_link(idx, "#" + _anchor(key, idx)), _num(r.amounts), _num(r.with_value), _num(r.masked),
                 _num(r.approx), _num(r.total_yuan), _num(r.median_yuan), _num(r.max_yuan), _num(r.reports)]
                for idx, r in zip(stats.index, stats.itertuples(index=False), strict=True)]

    blocks += [{"kind": "heading", "text": "By sector"},
               _table(["sector"] + numeric, stat_rows(by_sector, "amount-sector"), numeric=numeric),
               {"kind": "heading", "text": "By purpose"},
               _table(["purpose"] + numeric, stat_rows(by_purpose, "amount-purpose"), numeric=numeric),
               _sql("select d.sector, a.purpose, count(*) as amounts, count(*) filter (where a.masked) as masked, "
                    "sum(a.value_yuan) as total_yuan from amounts a join documents d using (doc_id) "
                    "where d.duplicate_of is null group by all order by total_yuan desc nulls last")]

    def describe(r) -> str:
        if bool(r.masked):
            reading = "masked (no value)"
        else:
            reading = f"{_num(r.value_yuan)} yuan" + (" (approximate)" if bool(r.approx) else "")
        purpose = r.purpose if isinstance(r.purpose, str) else NO_PURPOSE
        return f"{r.text} → {reading}; {purpose}"

    evidence: list[dict] = [{"kind": "heading", "text": "Evidence by sector"}]
    for sector in by_sector.index:
        sub = rows[rows["sector"] == sector]
        evidence.append({"kind": "details", "id": _anchor("amount-sector", sector),
                         "summary": f"{sector}: {_plural(len(sub), 'amount')}", "blocks": [page.evidence_table(
                             sub, describe, sql=f"select a.* from amounts a join documents d using (doc_id) where "
                                                f"d.sector = {_q(sector)}")]})
    evidence.append({"kind": "heading", "text": "Evidence by purpose"})
    purposes = rows["purpose"].astype(object).where(rows["purpose"].notna(), NO_PURPOSE)
    for purpose in by_purpose.index:
        sub = rows[purposes == purpose]
        cond = "purpose is null" if purpose == NO_PURPOSE else f"purpose = {_q(purpose)}"
        evidence.append({"kind": "details", "id": _anchor("amount-purpose", purpose),
                         "summary": f"{purpose}: {_plural(len(sub), 'amount')}", "blocks": [page.evidence_table(
                             sub, describe, sql=f"select * from amounts where {cond}")]})
    page.drawn.append("amounts")
    return {"id": "amounts", "title": title, "blocks": blocks + evidence}


def _awards_part(page: _Page) -> dict:
    awards = page.tables.get("awards")
    title = "Awards by level and issuer"
    if not _nonempty(awards, "doc_id", "start", "end", "award", "level"):
        if awards is None:
            page.not_computed.append("awards")
        return {"id": "awards", "title": title, "blocks": [_missing("Awards", "awards", awards)]}
    rows = _with_sector(awards, page.documents).sort_values(["doc_id", "start"])
    levels = award_counts(awards, page.documents)
    issuers = issuer_counts(awards, page.documents)
    blocks: list[dict] = [
        {"kind": "chart", "id": "fig-award-level", "svg": page.charts.stacked_barh(
            levels.drop(columns="total"), title="Awards by level and sector", xlabel="awards", salt="award-level"),
         "caption": "Honours received, by the level of the body that conferred them, stacked by sector."}]
    stated = issuers[issuers.index != "(issuer not stated)"]
    top = stated.head(page.top_n)
    unstated = int(issuers["awards"].get("(issuer not stated)", 0))
    if len(top):
        blocks.append({"kind": "chart", "id": "fig-award-issuer", "svg": page.charts.barh(
            list(top.index), list(top["awards"]), title="Awards by issuer", xlabel="awards", salt="award-issuer",
            color=_PALETTE[4]), "caption": f"The {len(top)} issuers conferring the most awards "
                                           f"({_plural(unstated, 'award')} name no issuer: see the table)."})
    lv_rows = [[_link(lv, "#" + _anchor("award-level", lv))] + [_num(v) for v in levels.loc[lv]] for lv in levels.index]
    blocks += [{"kind": "heading", "text": "By level"},
               _table(["level"] + [str(c) for c in levels.columns], lv_rows, numeric=[str(c) for c in levels.columns]),
               {"kind": "heading", "text": "By issuer"},
               _table(["issuer", "awards", "reports", "levels"],
                      [[i, _num(r.awards), _num(r.reports), r.levels] for i, r in
                       zip(issuers.index, issuers.itertuples(index=False), strict=True)],
                      numeric=["awards", "reports"]),
               _sql("select level, issuer, award, count(*) as n from awards group by all order by n desc")]

    def describe(r) -> str:
        parts = [f"{r.award}"]
        if isinstance(getattr(r, "recipient", None), str):
            parts.append(f"to {r.recipient}")
        if isinstance(getattr(r, "issuer", None), str):
            parts.append(f"from {r.issuer}")
        return " ".join(parts) + f" ({r.level})"

    blocks.append({"kind": "heading", "text": "Evidence by level"})
    level_col = rows["level"].astype(object).where(rows["level"].notna(), "unknown")
    for lv in levels.index:
        sub = rows[level_col == lv]
        blocks.append({"kind": "details", "id": _anchor("award-level", lv), "summary": f"{lv}: {_plural(len(sub), 'award')}",
                       "blocks": [page.evidence_table(sub, describe, sql=f"select * from awards where level = {_q(lv)}")]})
    page.drawn.append("awards")
    return {"id": "awards", "title": title, "blocks": blocks}


def _activities_part(page: _Page) -> dict:
    acts = page.tables.get("activities")
    title = "Top activities per sector"
    if not _nonempty(acts, "doc_id", "start", "end", "name", "category"):
        if acts is None:
            page.not_computed.append("activities")
        return {"id": "activities", "title": title, "blocks": [_missing("Activities", "activities", acts)]}
    rows = _with_sector(acts, page.documents).sort_values(["doc_id", "start"])
    counts = activity_counts(acts, page.documents)
    per = 8
    panels = {}
    for sector, g in counts.groupby("sector", sort=False):
        g = g.head(per)
        panels[sector] = (g["name"].tolist(), g["reports"].astype(float).tolist())
    blocks: list[dict] = [{"kind": "chart", "id": "fig-activities", "svg": page.charts.small_multiples(
        panels, title="Top activities per sector (reports mentioning them)", xlabel="original reports",
        salt="activities"), "caption": f"The {per} activities mentioned by the most reports in each sector."}]
    cat = rows.assign(category=rows["category"].fillna("other"))
    cat_table = pd.crosstab(cat["category"], cat["sector"], values=cat["doc_id"], aggfunc="nunique").fillna(0)
    cat_table = cat_table.reindex(columns=_ordered(cat_table.columns, SECTORS))
    blocks += [{"kind": "heading", "text": "Reports mentioning each category, by sector"},
               _table(["category"] + list(cat_table.columns),
                      [[c] + [_num(int(v)) for v in cat_table.loc[c]] for c in cat_table.index],
                      numeric=list(cat_table.columns))]

    def describe(r) -> str:
        return f"{r.name} ({r.category})"

    for sector, g in counts.groupby("sector", sort=False):
        g = g.head(page.top_n)
        blocks.append({"kind": "subheading", "id": _anchor("activity-sector", sector), "text": f"{sector}"})
        blocks.append(_table(["activity", "category", "reports", "mentions"],
                             [[_link(r.name, "#" + _anchor("activity", f"{sector}|{r.name}")), r.category,
                               _num(r.reports), _num(r.mentions)] for r in g.itertuples(index=False)],
                             numeric=["reports", "mentions"]))
        for r in g.itertuples(index=False):
            sub = rows[(rows["sector"] == sector) & (rows["name"] == r.name)]
            blocks.append({"kind": "details", "id": _anchor("activity", f"{sector}|{r.name}"),
                           "summary": f"{r.name} in {sector}: {_plural(len(sub), 'mention')}", "blocks": [page.evidence_table(
                               sub, describe, sql=f"select a.* from activities a join documents d using (doc_id) "
                                                  f"where d.sector = {_q(sector)} and a.name = {_q(r.name)}")]})
    blocks.append(_sql("select d.sector, a.name, count(distinct a.doc_id) as reports from activities a "
                       "join documents d using (doc_id) where d.duplicate_of is null group by all "
                       "order by d.sector, reports desc"))
    page.drawn.append("activities")
    return {"id": "activities", "title": title, "blocks": blocks}


def _terms(value, n: int = 10) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,，、;；]+", value) if p]
    else:  # a list of terms, or of {"term": …, "weight": …} as `corpus-tools topics` stores them
        parts = [str(v.get("term", v)) if isinstance(v, dict) else str(v) for v in list(value)]
    return ", ".join(parts[:n])


def _prevalence_intervals(stored: pd.DataFrame | None, labels: dict) -> dict | None:
    """The stored prevalence with its bootstrap interval as a table block, when the table has one."""
    if not _nonempty(stored, "topic", "sector", "mean_weight", "ci_low", "ci_high"):
        return None
    sectors = _ordered(stored["sector"], ("all",) + SECTORS)
    n_docs = stored.groupby("sector")["n_docs"].max() if "n_docs" in stored else {}
    cells = {(r.topic, r.sector): f"{r.mean_weight:.2f} [{r.ci_low:.2f}–{r.ci_high:.2f}]"
             for r in stored.itertuples(index=False)}
    columns = [f"{s} (n={int(n_docs[s])})" if s in n_docs else s for s in sectors]
    rows = [[labels.get(t, f"topic {t}")] + [cells.get((t, s), "") for s in sectors]
            for t in sorted(stored["topic"].unique())]
    return _table(["topic"] + columns, rows, numeric=columns)


def _topics_part(page: _Page) -> dict:
    topics = page.tables.get("topics")
    doc_topics = page.tables.get("doc_topics")
    title = "Topics"
    if not _nonempty(topics, "topic") or not _nonempty(doc_topics, "doc_id", "topic", "weight"):
        if topics is None or doc_topics is None:
            page.not_computed.append("topics")
        return {"id": "topics", "title": title, "blocks": [_missing("Topic models", "topics", topics)]}
    labels = {}
    for r in topics.itertuples(index=False):
        label = getattr(r, "label", None)
        labels[r.topic] = f"{r.topic}: {label}" if isinstance(label, str) and label else f"topic {r.topic}"
    stored = page.tables.get("topic_prevalence")
    prevalence = topic_prevalence(doc_topics, page.documents, stored)
    prevalence = prevalence.reindex([t for t in topics["topic"] if t in prevalence.index])
    shown = prevalence.rename(index=labels)
    intervals = _prevalence_intervals(stored, labels)
    caption = ("Mean weight of each topic in the reports of each sector, as `corpus-tools topics` computed it; "
               "the table below gives the bootstrap interval and the number of reports." if intervals else
               "Mean weight of each topic in the original reports of each sector (a report without the topic "
               "counts as 0).")
    blocks: list[dict] = [{"kind": "chart", "id": "fig-topic-sector", "svg": page.charts.heatmap(
        shown, title="Topic prevalence by sector (mean topic weight)", salt="topics"), "caption": caption}]
    if intervals:
        blocks += [{"kind": "heading", "text": "Prevalence with bootstrap intervals"}, intervals]
    dt = doc_topics[doc_topics["doc_id"].isin(page.docs["doc_id"])]
    dominant = dt.sort_values("weight", ascending=False).drop_duplicates("doc_id")["topic"].value_counts()
    rows = []
    for r in topics.itertuples(index=False):
        coherence = getattr(r, "coherence", None)
        rows.append([_link(labels[r.topic], "#" + _anchor("topic", r.topic)), _terms(getattr(r, "terms", None)),
                     _num(coherence, 3) if isinstance(coherence, float) else coherence,
                     _num(int(dominant.get(r.topic, 0)))])
    blocks += [_table(["topic", "top terms", "coherence", "reports where dominant"], rows,
                      numeric=["coherence", "reports where dominant"]),
               _sql("select topic, sector, mean_weight, ci_low, ci_high, n_docs from topic_prevalence order by all"
                    if intervals else
                    "select d.sector, t.topic, avg(t.weight) as prevalence from doc_topics t "
                    "join documents d using (doc_id) where d.duplicate_of is null group by all order by all")]
    for r in topics.itertuples(index=False):
        top = dt[dt["topic"] == r.topic].sort_values(["weight", "doc_id"], ascending=[False, True]).head(10)
        body = [[page.doc_link(d.doc_id), page.titles.get(d.doc_id, ""), page.sectors.get(d.doc_id, UNCLASSIFIED),
                 _num(float(d.weight), 3)] for d in top.itertuples(index=False)]
        blocks.append({"kind": "details", "id": _anchor("topic", r.topic),
                       "summary": f"{labels[r.topic]}: the {len(body)} reports where it weighs most",
                       "blocks": [_table(["report", "title", "sector", "weight"], body, numeric=["weight"])]})
    page.drawn.append("topics")
    return {"id": "topics", "title": title, "blocks": blocks}


_KIND_COLUMNS = {
    "amounts": ("amount", ("doc_id", "start", "end", "text")),
    "awards": ("award", ("doc_id", "start", "end", "award", "level")),
    "activities": ("activity", ("doc_id", "start", "end", "name")),
    "counts": ("count", ("doc_id", "start", "end", "text")),
}


def _reading(kind: str, r) -> str:
    if kind == "amounts":
        v = "masked" if bool(getattr(r, "masked", False)) else f"{_num(getattr(r, 'value_yuan', None))} yuan"
        purpose = getattr(r, "purpose", None)
        return f"{r.text} → {v}" + (f"; {purpose}" if isinstance(purpose, str) else "")
    if kind == "awards":
        issuer = getattr(r, "issuer", None)
        return f"{r.award} ({r.level})" + (f" from {issuer}" if isinstance(issuer, str) else "")
    if kind == "activities":
        return f"{r.name} ({getattr(r, 'category', '')})"
    value = getattr(r, "value", None)
    masked = bool(getattr(r, "masked", False))
    return f"{r.text} → {'masked' if masked else _num(value)} {getattr(r, 'unit', '')}".strip()


def _reports_part(page: _Page) -> dict:
    docs = page.documents
    if "report_index" in docs:
        docs = docs.sort_values(["source_file", "report_index"])
    per_doc: dict[str, list[tuple[int, str, Any]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, (_kind, cols) in _KIND_COLUMNS.items():
        df = page.tables.get(name)
        if not _nonempty(df, *cols):
            continue
        for r in df.itertuples(index=False):
            per_doc.setdefault(r.doc_id, []).append((int(r.start), name, r))
            counts.setdefault(r.doc_id, {}).setdefault(name, 0)
            counts[r.doc_id][name] += 1
    present = [n for n in _KIND_COLUMNS if _nonempty(page.tables.get(n), *_KIND_COLUMNS[n][1])]
    # every report cited by a figure gets an entry; the others too, up to max_reports, so the page stays
    # a size a browser opens on a large corpus
    listed = set(page.cited)
    for doc_id in docs["doc_id"]:
        if len(listed) >= page.max_reports:
            break
        listed.add(doc_id)

    def link(doc_id: str):
        return _link(doc_id, "#" + doc_anchor(doc_id)) if doc_id in listed else doc_id

    note = ("Every report, grouped by sector. Each entry lists the evidence found in it, with the sentence "
            "(report:sentence) and the character offsets into documents.text, so any figure can be checked "
            "in the source.")
    if len(listed) < len(docs):
        note += (f" Evidence is listed for {len(listed):,} of {len(docs):,} reports (those the figures cite, then "
                 f"the first in corpus order); for any other: corpus-tools query \"select * from amounts where "
                 f"doc_id = '…'\".")
    blocks: list[dict] = [{"kind": "note", "text": note}]
    sector_of = page.sectors
    order = _ordered(sector_of.reindex(docs["doc_id"]).tolist(), SECTORS)
    for sector in order:
        sub = docs[docs["doc_id"].map(sector_of) == sector]
        blocks.append({"kind": "heading", "id": _anchor("sector", sector), "text": f"{sector} ({len(sub):,} reports)"})
        index_rows = []
        for r in sub.itertuples(index=False):
            c = counts.get(r.doc_id, {})
            dup = getattr(r, "duplicate_of", None)
            index_rows.append([link(r.doc_id), page.titles[r.doc_id],
                               f"{r.source_file} #{getattr(r, 'report_index', '')}", getattr(r, "genre", None),
                               _num(getattr(r, "n_chars", None))]
                              + [_num(c.get(n, 0)) for n in present]
                              + [link(dup) if isinstance(dup, str) else ""])
        blocks.append(_table(["report", "title", "source", "genre", "characters"] + present + ["duplicate of"],
                             index_rows, numeric=["characters"] + present))
    blocks.append({"kind": "heading", "text": "Evidence per report"})
    for r in docs.itertuples(index=False):
        if r.doc_id not in listed:
            continue
        meta = [("doc_id", r.doc_id), ("source", f"{r.source_file} (report {getattr(r, 'report_index', '?')})"),
                ("sector", _labelled(getattr(r, "sector", None), getattr(r, "sector_confidence", None))),
                ("genre", _labelled(getattr(r, "genre", None), getattr(r, "genre_confidence", None)))]
        unit = getattr(r, "unit", None)
        if isinstance(unit, str):
            meta.append(("unit", unit))
        for key in ("years", "regions"):
            value = getattr(r, key, None)
            if value is not None and not isinstance(value, float) and len(value):
                meta.append((key, "、".join(str(v) for v in value)))
        dup = getattr(r, "duplicate_of", None)
        if isinstance(dup, str):
            meta.append(("duplicate of", link(dup)))
        inner: list[dict] = [{"kind": "meta", "entries": meta}]
        items = sorted(per_doc.get(r.doc_id, []), key=lambda x: (x[0], x[1]))
        if items:
            body = []
            for _start, name, e in items:
                sid, ctx = page.evidence.context(e.doc_id, int(e.start), int(e.end))
                body.append([f"{e.doc_id}:{sid if sid is not None else '?'} [{int(e.start)}–{int(e.end)}]",
                             _KIND_COLUMNS[name][0], _reading(name, e), ctx])
            inner.append(_table(["report:sentence [offsets]", "kind", "reading", "context"], body))
        elif present:
            inner.append({"kind": "note", "text": "No amounts, awards, activities or counts found in this report."})
        blocks.append({"kind": "doc", "id": doc_anchor(r.doc_id), "title": page.titles[r.doc_id], "blocks": inner})
    page.drawn.append("reports")
    return {"id": "reports", "title": "Reports and evidence", "blocks": blocks}


def _labelled(value, confidence) -> str:
    if not isinstance(value, str):
        return "not classified"
    if isinstance(confidence, float) and not pd.isna(confidence):
        return f"{value} (confidence {confidence:.2f})"
    return value


# -- the page ----------------------------------------------------------------------------------


def _template():
    from jinja2 import Environment, StrictUndefined

    root = files("corpus_tools.resources") / "report"
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    template = env.from_string((root / "report.html.j2").read_text(encoding="utf-8"))
    css = (root / "report.css").read_text(encoding="utf-8")
    return template, css


def render_report(tables: dict[str, pd.DataFrame], *, title: str = "Trade-union work reports: corpus report",
                  folder: str = "", max_evidence: int = 100, top_n: int = 12, max_reports: int = 2000,
                  cjk_font: str | None = "auto", out_dir: Path | None = None) -> tuple[str, ReportResult]:
    """Render the report page from tables (pure apart from drawing); returns the HTML and a summary.

    ``tables`` maps table names to DataFrames as ``load_tables`` returns them; ``documents`` is
    required, every other table is optional. ``cjk_font`` names the font for Chinese chart
    labels (``"auto"``: ``find_cjk_font()``; ``None``: leave the glyphs to the reader's
    browser). The summary's ``path`` is empty.
    """
    from markupsafe import Markup

    if not _nonempty(tables.get("documents"), "doc_id", "source_file"):
        raise ReportError("the documents table is missing or empty (run `corpus-tools ingest` first, or pass --out)")
    if cjk_font == "auto":
        cjk_font = find_cjk_font()
    page = _Page(tables, _Charts(cjk_font), max_evidence=max_evidence, top_n=top_n, max_reports=max_reports,
                 out_dir=Path(out_dir) if out_dir is not None else None)
    parts = [_overview(page), _sectors_part(page), _amounts_part(page), _awards_part(page),
             _activities_part(page), _topics_part(page), _reports_part(page)]
    header_notes = []
    if cjk_font is None:
        header_notes.append("No Chinese font was found when the charts were drawn: chart labels use the reader's "
                            "fonts (install fonts-noto-cjk or fonts-wqy-zenhei and rebuild for self-contained charts).")
    template, css = _template()
    html = template.render(title=title, folder=folder, version=__version__, schema_version=SCHEMA_VERSION,
                           css=Markup(css), parts=parts, header_notes=header_notes)  # noqa: S704 - our stylesheet
    return html, ReportResult(Path(), page.charts.count, tuple(page.drawn), tuple(dict.fromkeys(page.not_computed)))


def build_report(out_dir: Path, *, to: Path | None = None, title: str = "Trade-union work reports: corpus report",
                 max_evidence: int = 100, top_n: int = 12, max_reports: int = 2000) -> ReportResult:
    """Write the HTML report for the tables in ``out_dir`` (default file ``out_dir/report.html``).

    Parameters
    ----------
    to
        The file to write (default ``report.html`` in the tables folder).
    max_evidence
        Evidence rows listed per figure group (amounts of one purpose, …); the page says how
        many more there are and gives the query that lists them all.
    top_n
        Purposes, issuers and activities shown per chart.
    max_reports
        Reports given an evidence entry: all those a figure cites, then others in corpus order up
        to this number (the page of a very large corpus would otherwise be too big to open).

    Examples
    --------
    >>> result = build_report(Path("data/processed"))   # doctest: +SKIP
    >>> result.path, result.not_computed                 # doctest: +SKIP
    (PosixPath('data/processed/report.html'), ('topics',))
    """
    out_dir = Path(out_dir)
    if table_path(out_dir, "documents") is None:
        raise ReportError(f"no documents table in {out_dir} (run `corpus-tools ingest` first, or pass --out)")
    tables = load_tables(out_dir)
    html, result = render_report(tables, title=title, folder=str(out_dir), max_evidence=max_evidence, top_n=top_n,
                                 max_reports=max_reports, out_dir=out_dir)
    if result.not_computed:
        log.info("report: not computed yet: %s", ", ".join(result.not_computed))
    target = Path(to) if to is not None else out_dir / REPORT_FILE
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return ReportResult(target, result.charts, result.drawn, result.not_computed)
