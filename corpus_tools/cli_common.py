"""Options and error handling shared by every corpus-tools command."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from .records import CorpusToolsError

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUT = Path("data/processed")
DEFAULT_CONFIG = Path("pipelines/union_reports.toml")
#: every command takes -h as well as --help, also when run on its own (click keeps a command's
#: help option from its first use, so giving it to the group alone made the help depend on that)
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def out_option(f):
    """The tables folder, shared by every command."""
    return click.option(
        "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
        show_default=True, help="The tables folder (ingest writes it; other commands read and add to it).",
    )(f)


def library_errors(f):
    """Turn the library's typed errors into clean CLI errors."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except CorpusToolsError as exc:
            raise click.ClickException(str(exc)) from exc
    return wrapper
