"""``corpus-tools topics``: a thin skin over ``corpus_tools.topics.run_topics``."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from .cli_common import CONTEXT_SETTINGS, library_errors, out_option

# options that shape a fit; with --apply the saved model decides them, so giving one is a mistake
_FIT_OPTIONS = ("method", "k", "k_grid", "unit", "stop_words", "no_default_stop_words", "keep_sector_words",
                "min_df", "max_df", "min_chars", "top_terms", "restarts", "user_dicts")


@click.command(context_settings=CONTEXT_SETTINGS)
@out_option
@click.option("--method", type=click.Choice(["lda", "nmf"]), default="lda", show_default=True,
              help="LDA on word counts, or NMF on TF-IDF.")
@click.option("--k", "k", default="auto", show_default=True, metavar="N|auto",
              help="Number of topics, or 'auto': fit every k of --k-grid and keep the best "
                   "(NPMI coherence x topic diversity).")
@click.option("--k-grid", default="3-12", show_default=True, help="The k values --k auto tries: 3-12, 4,6,8 or 2,4-6.")
@click.option("--unit", type=click.Choice(["report", "section"]), default="report", show_default=True,
              help="Model whole reports, or their top-level sections (weights are averaged back to reports "
                   "for the prevalence table).")
@click.option("--stop-words", "stop_words", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Extra stop-list file(s), one word per line, '#' comments; added to the packaged list "
                   "(corpus_tools/resources/topic_stopwords.txt).")
@click.option("--no-default-stop-words", is_flag=True, help="Use only the --stop-words files.")
@click.option("--keep-sector-words", is_flag=True,
              help="Keep words that name the reporting unit or sector (医院, 学校, 干警, 企业 …), which the "
                   "packaged list drops so that topics are themes comparable across sectors.")
@click.option("--min-df", type=float, default=2, show_default=True,
              help="Drop words found in fewer texts (below 1: a share of the texts).")
@click.option("--max-df", type=float, default=0.5, show_default=True,
              help="Drop words found in more texts (up to 1: a share of the texts).")
@click.option("--min-chars", type=int, default=2, show_default=True, help="Drop shorter words (2 drops 的, 了, 和 …).")
@click.option("--top-terms", type=int, default=10, show_default=True,
              help="Top terms kept per topic (saved, printed, and scored for coherence).")
@click.option("--restarts", type=int, default=3, show_default=True,
              help="Fits per k from different seeds; k is chosen by their mean score and the best is kept.")
@click.option("--bootstrap", "n_boot", type=int, default=1000, show_default=True,
              help="Bootstrap resamples for the prevalence intervals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the model and the bootstrap.")
@click.option("--user-dict", "user_dicts", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Extra jieba dictionary file(s) for the Segmenter (use the ones given to ingest).")
@click.option("--apply", is_flag=True,
              help="Do not fit: assign the saved model's topics to every report now in the tables.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the fitted model is saved (or read with --apply). Default: OUT/models/topics.joblib.")
@click.pass_context
@library_errors
def topics(ctx: click.Context, out_dir: Path, method: str, k: str, k_grid: str, unit: str,
           stop_words: tuple[str, ...], no_default_stop_words: bool, keep_sector_words: bool, min_df: float,
           max_df: float, min_chars: int, top_terms: int, restarts: int, n_boot: int, seed: int, user_dicts: tuple[str, ...],
           apply: bool, model_path: Path | None) -> None:
    """Fit topics to the reports and compare their prevalence across sectors.

    Reads documents (and sections with --unit section) from --out, fits LDA or NMF over the
    Segmenter's words minus a domain stop-list, and writes topics, doc_topics, section_topics
    (filled with --unit section), topic_prevalence (mean weight per sector with a bootstrap
    interval) and topic_k_scores, plus the fitted model (OUT/models/topics.joblib). Prints the k
    scores and a table of topics with their top terms and prevalence per sector. The same input
    and --seed give identical tables. See docs/topics.md.

    With --apply, the saved model assigns topics to every report now in the tables (new ones
    included) without refitting; reports seen at fit time keep their weights.

    \b
    Example:
      corpus-tools topics                          # LDA, k chosen from 3-12
      corpus-tools topics --method nmf --k 8 --seed 1
      corpus-tools ingest && corpus-tools topics --apply   # after adding pages to data/raw
    """
    from .segment import Segmenter
    from .topics import format_k_scores, format_topics, load_stop_words, run_topics

    if apply:
        given = [p.opts[0] for p in ctx.command.params
                 if p.name in _FIT_OPTIONS and ctx.get_parameter_source(p.name) not in (ParameterSource.DEFAULT, None)]
        if given:
            raise click.UsageError(f"--apply uses the saved model's settings; drop {', '.join(given)}")
        result = run_topics(out_dir, apply=True, model_path=model_path, n_boot=n_boot, seed=seed)
    else:
        result = run_topics(
            out_dir, model_path=model_path, n_boot=n_boot, seed=seed, method=method, k=k, k_grid=k_grid,
            unit=unit, min_df=min_df, max_df=max_df, min_chars=min_chars, top_n=top_terms, restarts=restarts,
            stop_words=load_stop_words(stop_words, use_default=not no_default_stop_words,
                                       keep_sector_words=keep_sector_words),
            segmenter=Segmenter(user_dicts=user_dicts),
        )
        click.echo("k scores (coherence: mean NPMI of the top terms; diversity: share of distinct top terms; "
                   "score = coherence x diversity of the best restart; k is chosen by score_mean):")
        click.echo(format_k_scores(result.tables["topic_k_scores"]))
        click.echo("")
    click.echo(format_topics(result))
    n_docs = result.tables["doc_topics"]["doc_id"].nunique()
    click.echo(f"\ntables written to {out_dir}/: topics, doc_topics ({n_docs} reports), topic_prevalence, "
               f"topic_k_scores; model: {result.model_path}")
