"""Commands for reading the results: ``report`` (HTML), ``kwic`` (keyword in context), ``export``.

Each command parses its options, calls one library function with the same keyword names and
prints a short summary; the work lives in ``report.py``, ``kwic.py`` and ``export.py``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .cli_common import CONTEXT_SETTINGS, library_errors, out_option
from .export import FORMATS
from .kwic import GROUP_COLUMNS, MATCH_MODES

__all__ = ["export", "kwic", "report"]


def _quiet_matplotlib() -> None:
    # matplotlib reports every font-weight substitution (CJK fonts ship one weight) as a warning
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


@click.command(context_settings=CONTEXT_SETTINGS)
@out_option
@click.option("--to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the page to this file instead of report.html in the tables folder.")
@click.option("--title", default="Trade-union work reports: corpus report", show_default=True,
              help="The page's title.")
@click.option("--max-evidence", type=click.IntRange(min=1), default=100, show_default=True,
              help="Evidence rows listed per figure group (the page gives the query for the rest).")
@click.option("--top", "top_n", type=click.IntRange(min=1), default=12, show_default=True,
              help="Purposes, issuers and activities shown per chart.")
@click.option("--max-reports", type=click.IntRange(min=0), default=2000, show_default=True,
              help="Reports given an evidence entry (all those the figures cite, then others in corpus order).")
@library_errors
def report(out_dir: Path, to: Path | None, title: str, max_evidence: int, top_n: int, max_reports: int) -> None:
    """Write an HTML report of the tables, every figure traced to its sentences.

    One self-contained file (charts inline, no network needed, no scripts): corpus overview;
    reports by sector and genre; money amounts by sector and purpose (masked amounts counted
    apart); awards by level and issuer; top activities per sector; topics and their
    prevalence by sector; and every report with the evidence behind the figures (doc_id,
    sentence, offsets). Parts whose tables are not computed yet say what to run.

    \b
    Example:
      corpus-tools report                          # -> data/processed/report.html
      corpus-tools report --out ~/scraped/tables --max-evidence 500
    """
    from .report import build_report

    _quiet_matplotlib()
    result = build_report(out_dir, to=to, title=title, max_evidence=max_evidence, top_n=top_n,
                          max_reports=max_reports)
    click.echo(f"report written to {result.path} ({result.charts} charts)")
    if result.not_computed:
        click.echo(f"not computed yet: {', '.join(result.not_computed)} (the page says what to run)")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("word")
@out_option
@click.option("--by", type=click.Choice(GROUP_COLUMNS), default=None,
              help="Group the lines by this documents column.")
@click.option("--window", type=click.IntRange(min=0), default=8, show_default=True,
              help="Tokens of context on each side (within the sentence; punctuation counts).")
@click.option("--match", type=click.Choice(MATCH_MODES), default="token", show_default=True,
              help="token: WORD must start and end on token boundaries (工会 does not match inside 总工会); "
                   "substring: anywhere.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: an aligned concordance; csv or json: one record per line, for other tools.")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True,
              help="At most this many lines (0: all).")
@click.option("--include-duplicates", is_flag=True, help="Also search reports marked as duplicates.")
@click.option("--user-dict", "user_dicts", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Re-segment the matching sentences with these extra dictionaries instead of the stored tokens.")
@library_errors
def kwic(word: str, out_dir: Path, by: str | None, window: int, match: str, fmt: str, limit: int,
         include_duplicates: bool, user_dicts: tuple[str, ...]) -> None:
    """Keyword in context: every use of WORD with the tokens around it.

    Lines come from the sentences table, aligned on the corpus segmentation (jieba + the union
    dictionary), each with its doc_id, sentence_id, sector and the keyword's offsets in
    documents.text. Spaces in WORD stand for token boundaries ("工会 工作").

    \b
    Example:
      corpus-tools kwic 职代会 --by sector --window 6
      corpus-tools kwic 慰问金 --format csv > weiwenjin.csv
    """
    from .kwic import format_kwic
    from .kwic import kwic as find_lines

    segmenter = None
    if user_dicts:
        from .segment import Segmenter

        segmenter = Segmenter(user_dicts=user_dicts)
    lines = find_lines(out_dir, word, window=window, by=by, match=match, segmenter=segmenter,
                       include_duplicates=include_duplicates, limit=limit or None)
    click.echo(format_kwic(lines, fmt, by=by), nl=False)
    if fmt == "table":
        click.echo(f"{len(lines)} lines in {len({line.doc_id for line in lines})} reports")


@click.command(context_settings=CONTEXT_SETTINGS)
@out_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv (UTF-8 with BOM, one file per table), xlsx (one workbook, a sheet per table) or parquet.")
@click.option("--table", "tables", multiple=True, metavar="NAME",
              help="A table to export (repeat for several; default: every table).")
@click.option("--to", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Destination folder (default: exports/ in the tables folder).")
@library_errors
def export(out_dir: Path, fmt: str, tables: tuple[str, ...], to: Path | None) -> None:
    """Export tables for spreadsheets: CSV, Excel or Parquet.

    CSV files are UTF-8 with a byte-order mark so Excel and WPS show the Chinese; the xlsx
    workbook has a README sheet explaining every column. Excel cells hold at most 32,767
    characters: longer report texts are cut with a marker, and the command says so.

    \b
    Example:
      corpus-tools export --format xlsx                 # -> data/processed/exports/tables.xlsx
      corpus-tools export --format csv --table documents --table amounts --to ~/paper/data
    """
    from .export import export_tables

    result = export_tables(out_dir, fmt, tables=list(tables) or None, to=to)
    for path in result.paths:
        click.echo(str(path))
    click.echo(f"{len(result.rows)} tables, {sum(result.rows.values()):,} rows exported as {result.format} "
               f"to {result.folder}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
