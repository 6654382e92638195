"""The ``corpus-tools`` command line: a thin skin over the library.

Each command parses options, calls one library function and prints a summary; library errors
become clear messages and a non-zero exit status.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
import tomllib

from . import __version__
from .cli_common import CONTEXT_SETTINGS, DEFAULT_CONFIG, DEFAULT_INPUT, library_errors, out_option


def _quiet_jieba() -> None:
    logging.getLogger("jieba").setLevel(logging.ERROR)
    jieba = sys.modules.get("jieba")
    if jieba is not None:
        jieba.setLogLevel(logging.ERROR)
    else:  # silenced by the segmenter when it first imports jieba
        from . import segment

        segment.QUIET_JIEBA = True


def _load_config(path: Path | None) -> dict:
    if path is None:
        path = DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"cannot read run configuration {path}: {exc}") from exc


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="corpus-tools")
def cli() -> None:
    """Chinese trade-union report mining: scraped pages in, research tables out.

    \b
    Example:
      corpus-tools ingest                  # data/raw -> data/processed
      corpus-tools query "select sector, count(*) from documents group by 1"
    """
    _quiet_jieba()


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("input_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@out_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Run configuration (TOML). Default: {DEFAULT_CONFIG} when present.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the configuration's value, else all cores).")
@click.option("--scheduler", default=None, metavar="ADDRESS|local",
              help="Run the stages on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
                   "for a LocalCluster with --workers processes. Workers must see the input and --out folders.")
@click.option("--full", is_flag=True, help="Rebuild every table instead of re-processing only new or changed files.")
@click.option("--user-dict", "user_dicts", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Extra jieba dictionary file(s), loaded after the union dictionary.")
@click.option("--seed", type=int, default=None, help="Seed for every random component (default 0).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@library_errors
def ingest(input_dir: Path | None, out_dir: Path, config_path: Path | None, workers: int | None,
           scheduler: str | None, full: bool, user_dicts: tuple[str, ...], seed: int | None, quiet: bool) -> None:
    """Ingest scraped pages into research tables.

    Reads every file under INPUT_DIR (default data/raw): detects its encoding, reduces HTML to
    text, cleans it, splits it into reports, finds duplicates, segments sentences, parses section
    trees and extracts facts, then writes the tables as Parquet plus corpus.duckdb into --out.
    A rerun re-processes only new or changed files (by sha256) and drops removed ones.

    \b
    Example:
      corpus-tools ingest
      corpus-tools ingest ~/scraped/pages --out ~/scraped/tables --workers 2
      corpus-tools ingest ~/scraped/pages --scheduler tcp://10.0.0.5:8786
    """
    from .dedup import DedupSettings
    from .pipeline import IngestConfig, default_workers
    from .pipeline import ingest as run_ingest

    cfg = _load_config(config_path)
    ing = cfg.get("ingest", {})
    input_dir = input_dir or Path(ing.get("input", DEFAULT_INPUT))
    dd = cfg.get("dedup", {})
    config = IngestConfig(
        workers=workers or int(ing.get("workers") or default_workers()),
        user_dicts=tuple(user_dicts) or tuple(cfg.get("segment", {}).get("user_dicts", [])),
        dedup=DedupSettings(**{k: dd[k] for k in ("shingle", "num_perm", "threshold", "superset_share", "hash") if k in dd}),
        scheduler=scheduler or ing.get("scheduler") or None,
        full=full,
        seed=seed if seed is not None else int(ing.get("seed", 0)),
    )
    live = not quiet and sys.stderr.isatty()

    def progress(message: str, done: int, total: int) -> None:
        if quiet:
            return
        line = f"[{done}/{total} files] {message}"
        if live:
            click.echo("\r" + line[:110].ljust(110), err=True, nl=False)
        else:
            click.echo(line, err=True)

    summary = run_ingest(input_dir, out_dir, config, progress=progress)
    if live:
        click.echo("", err=True)
    if summary.recovered:
        click.echo("completed the publication of an interrupted earlier run first", err=True)
    click.echo(f"pages: {summary.pages}  reports: {summary.reports}  duplicates: {summary.duplicates}  "
               f"errors: {len(summary.errors)}  seconds: {summary.seconds:.1f}")
    click.echo(f"files processed: {summary.processed}  unchanged: {summary.unchanged}  removed: {summary.removed}")
    if summary.processed or summary.removed:
        click.echo(f"tables written to {out_dir}/ (corpus.duckdb has a view per table)")
    else:
        click.echo(f"nothing changed since the last run: tables in {out_dir}/ are up to date (--full rebuilds)")
    if summary.errors:
        for f, stage, err in summary.errors:
            click.echo(f"  failed: {f} [{stage}] {err}", err=True)
        sys.exit(1)


@cli.command(context_settings=CONTEXT_SETTINGS)
@click.argument("sql")
@out_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-width", type=int, default=60, show_default=True, help="Truncate table cells to this width.")
@library_errors
def query(sql: str, out_dir: Path, fmt: str, max_width: int) -> None:
    """Run read-only SQL against the tables.

    Every table (documents, sections, sentences, sources, errors, …) is a view. Statements that
    write, copy or attach files are refused.

    \b
    Example:
      corpus-tools query "select source_file, count(*) n from documents group by 1"
      corpus-tools query --format csv "select doc_id, title from documents" > titles.csv
    """
    from .query import run_query

    df = run_query(out_dir, sql)
    if fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", 200, "display.max_columns", 50, "display.width", 200,
                               "display.max_colwidth", max_width, "display.unicode.east_asian_width", True):
            click.echo(df.to_string(index=False) if len(df) else "(no rows)")


def _register_commands() -> None:
    """Commands that live in their own modules (one module per command family)."""
    import importlib

    for module, name in ((".cli_classify", "classify"), (".cli_topics", "topics"), (".cli_report", "report"),
                         (".cli_report", "kwic"), (".cli_report", "export")):
        cli.add_command(getattr(importlib.import_module(module, __package__), name))


_register_commands()


def main() -> None:
    cli(prog_name="corpus-tools")


if __name__ == "__main__":
    main()
