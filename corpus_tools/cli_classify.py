"""``corpus-tools classify``: sector and genre for every stored report (a thin skin over classify)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import CONTEXT_SETTINGS, library_errors, out_option


@click.command("classify", context_settings=CONTEXT_SETTINGS)
@out_option
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Your own labels (CSV: doc_id,sector[,genre]): added to training, and cross-validated.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the model layer.")
@click.option("--explain", "explain_doc", metavar="DOC_ID", default=None,
              help="Print the evidence that decided one report (uses the last saved model) and stop.")
@library_errors
def classify(out_dir: Path, labels_path: Path | None, seed: int, explain_doc: str | None) -> None:
    """Classify every report by sector and genre, with confidence.

    Judges each report by its own text (its unit name, self-references, sector words weighted by
    position, genre cues), trains a TF-IDF + logistic-regression layer on the confident rule labels
    plus your --labels, and combines the two. Updates the sector/genre columns of documents, writes
    classification_evidence and low_confidence (with --labels also classification_cv and
    confusion_matrix) and saves the model to models/classifier.joblib in the tables folder.

    \b
    Example:
      corpus-tools classify
      corpus-tools classify --labels my_labels.csv --seed 1
      corpus-tools classify --explain 3f2a9c0d1e4b5a67
    """
    from .classify import explain, run_classify

    if explain_doc is not None:
        click.echo(explain(out_dir, explain_doc))
        return
    summary = run_classify(out_dir, labels_path=labels_path, seed=seed)
    click.echo(summary.report())
