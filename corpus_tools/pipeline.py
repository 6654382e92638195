"""Orchestration of ingest: map the pure stages over source files, then store the tables.

This is the only module (with ``store``) that knows about files and processes. Each source
file is processed independently (load → clean → split → structure → segment → summarise);
only small summaries (MinHash signatures) are compared across files for duplicates.
A file that fails at any stage becomes an ``errors`` row and never stops the run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .clean import clean_page
from .dedup import DedupSettings, DocSignature, find_duplicates, signature
from .load import iter_source_paths, load_source
from .records import CorpusToolsError, LoadError, PageResult
from .schema import INGEST_TABLES
from .segment import Segmenter, tokens_string
from .split import split_reports
from .store import StoreError, remove_stale_staging, write_tables
from .structure import parse_sections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestConfig:
    """Settings of one ingest run (see pipelines/union_reports.toml)."""

    workers: int = 1
    user_dicts: tuple[str, ...] = ()
    dedup: DedupSettings = field(default_factory=DedupSettings)


@dataclass
class IngestSummary:
    pages: int = 0
    reports: int = 0
    duplicates: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None

    @property
    def failed_files(self) -> list[str]:
        return sorted({e[0] for e in self.errors})


@dataclass
class FileOutcome:
    """What processing one file produced: table rows plus dedup summaries."""

    result: PageResult
    signatures: list[DocSignature]


def make_doc_id(source_file: str, sha256: str, report_index: int) -> str:
    """Stable report id from the file's path, content hash and the report's position."""
    key = f"{source_file}\0{sha256}\0{report_index}".encode()
    return hashlib.sha256(key).hexdigest()[:16]


def process_file(path: Path, root: Path, segmenter: Segmenter, config: IngestConfig) -> FileOutcome:
    """Run every per-file stage on one source file; failures become error rows."""
    rel = path.relative_to(root).as_posix()
    result = PageResult(source_file=rel)
    sigs: list[DocSignature] = []
    stage = "load"
    source_row = dict(source_file=rel, sha256=None, bytes=None, encoding=None, n_reports=0, status="error")
    try:
        loaded = load_source(path, root)
        source_row.update(sha256=loaded.sha256, bytes=loaded.n_bytes, encoding=loaded.encoding)
        stage = "clean"
        cleaned = clean_page(loaded.text)
        stage = "split"
        spans = split_reports(cleaned.text)
        for span in spans:
            text = cleaned.text[span.start:span.end]
            doc_id = make_doc_id(rel, loaded.sha256, span.report_index)
            src_start, src_end = cleaned.offsets.span_to_source(span.start, span.end)
            stage = "structure"
            for s in parse_sections(text):
                result.sections.append(dict(doc_id=doc_id, section_id=s.section_id, parent_id=s.parent_id,
                                            level=s.level, marker=s.marker, title=s.title, start=s.start,
                                            end=s.end, kind=s.kind))
            stage = "segment"
            for k, (start, end, tokens) in enumerate(segmenter.sentences(text), start=1):
                result.sentences.append(dict(doc_id=doc_id, sentence_id=k, start=start, end=end,
                                             tokens=tokens_string(tokens)))
            result.documents.append(dict(
                doc_id=doc_id, source_file=rel, report_index=span.report_index, title=span.title, text=text,
                source_start=src_start, source_end=src_end, sector=None, sector_confidence=None, genre=None,
                genre_confidence=None, years=None, unit=None, regions=None, duplicate_of=None,
                n_chars=len(text)))
            sigs.append(signature(doc_id, (rel, span.report_index), text, config.dedup))
        source_row.update(n_reports=len(spans), status="ok" if spans else "empty")
    except LoadError as exc:
        result.errors.append(dict(source_file=rel, stage=stage, error=str(exc)))
        result.documents.clear(), result.sections.clear(), result.sentences.clear()
        sigs = []
    except Exception as exc:  # one bad file must never sink the run
        log.exception("failed on %s at %s", rel, stage)
        result.errors.append(dict(source_file=rel, stage=stage,
                                  error=f"{rel}: {stage} failed: {type(exc).__name__}: {exc}"))
        result.documents.clear(), result.sections.clear(), result.sentences.clear()
        sigs = []
    result.sources.append(source_row)
    return FileOutcome(result, sigs)


# -- worker-process plumbing --------------------------------------------------------------------
_WORKER: dict[str, object] = {}


def _init_worker(config: IngestConfig) -> None:
    _WORKER["segmenter"] = Segmenter(user_dicts=config.user_dicts)
    _WORKER["config"] = config


def _work(args: tuple[str, str]) -> FileOutcome:
    path, root = args
    return process_file(Path(path), Path(root), _WORKER["segmenter"], _WORKER["config"])  # type: ignore[arg-type]


def iter_outcomes(paths: list[Path], root: Path, config: IngestConfig) -> Iterator[FileOutcome]:
    """Process files in order, in worker processes when ``config.workers > 1``."""
    if config.workers <= 1 or len(paths) <= 1:
        segmenter = Segmenter(user_dicts=config.user_dicts)
        for p in paths:
            yield process_file(p, root, segmenter, config)
        return
    with ProcessPoolExecutor(max_workers=config.workers, initializer=_init_worker, initargs=(config,)) as pool:
        yield from pool.map(_work, [(str(p), str(root)) for p in paths], chunksize=4)


def ingest(input_dir: Path, out_dir: Path, config: IngestConfig = IngestConfig(),
           progress: Callable[[str, FileOutcome], None] | None = None) -> IngestSummary:
    """Ingest every page under ``input_dir`` into the tables in ``out_dir``.

    Raises
    ------
    CorpusToolsError
        When the input folder does not exist or the output cannot be written. Problems with
        single files never raise: they are rows of the ``errors`` table.
    """
    t0 = time.perf_counter()
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    if not input_dir.is_dir():
        raise CorpusToolsError(f"input folder not found: {input_dir}")
    paths = iter_source_paths(input_dir)
    tables: dict[str, list[dict]] = {name: [] for name in INGEST_TABLES}
    sigs: list[DocSignature] = []
    for outcome in iter_outcomes(paths, input_dir, config):
        r = outcome.result
        for name in INGEST_TABLES:
            tables[name].extend(getattr(r, name))
        sigs.extend(outcome.signatures)
        if progress:
            progress(r.source_file, outcome)
    dups = find_duplicates(sigs, config.dedup)
    for doc in tables["documents"]:
        doc["duplicate_of"] = dups.get(doc["doc_id"])
    for name, key in (("documents", ("source_file", "report_index")), ("sections", ("doc_id", "section_id")),
                      ("sentences", ("doc_id", "sentence_id")), ("sources", ("source_file",)),
                      ("errors", ("source_file", "stage"))):
        tables[name].sort(key=lambda row, key=key: tuple(row[k] for k in key))
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    write_tables(out_dir, tables)
    summary = IngestSummary(pages=len(paths), reports=len(tables["documents"]), duplicates=len(dups),
                            errors=[(e["source_file"], e["stage"], e["error"]) for e in tables["errors"]],
                            seconds=time.perf_counter() - t0, out_dir=out_dir)
    return summary


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


__all__ = ["IngestConfig", "IngestSummary", "ingest", "process_file", "make_doc_id", "StoreError"]
