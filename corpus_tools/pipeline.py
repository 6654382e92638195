"""Orchestration of ingest: map the pure stages over buckets of source files, then publish.

This is the only module (with ``store``) that knows about files, processes and clusters.

* Source files are assigned to buckets by a hash of their path. One task processes one bucket:
  it runs every per-file stage (load → clean → split → structure → segment → extract) on the
  bucket's new or changed files, carries over the stored rows of its unchanged files, and writes
  the bucket's partition of every table into a staging folder itself. Only small summaries
  (MinHash signatures, counts) travel back to the driver, so memory stays bounded by the bucket
  size, and the same task runs in a local process pool or on a Dask cluster.
* Cross-bucket steps (near-duplicates, sector/genre labels) run in the driver on those summaries
  and then touch only the documents partitions whose values changed.
* Reruns skip files whose sha256 is unchanged; ``full=True`` rebuilds everything.
* Publication goes through the store's journal: an interrupted run leaves the previous output
  intact, and the next run completes or discards what it left.

A file that fails at any stage becomes an ``errors`` row and never stops the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .clean import clean_page
from .dedup import DedupSettings, DocSignature, find_duplicates, signature, signature_from_row, signature_row
from .load import iter_source_paths, load_source
from .records import CorpusToolsError, LoadError, PageResult
from .schema import PARTITIONED_TABLES, SCHEMA_VERSION, TABLES, empty_table, to_arrow
from .segment import Segmenter
from .split import split_reports
from .store import (
    STAGING_PREFIX,
    commit_staging,
    new_staging,
    partition_buckets,
    partition_file,
    read_partition,
    recover,
    refresh_database,
    write_partition,
)
from .structure import parse_sections

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
PER_FILE_TABLES = tuple(t for t in PARTITIONED_TABLES if t != "signatures")


@dataclass(frozen=True)
class IngestConfig:
    """Settings of one ingest run (see pipelines/union_reports.toml)."""

    workers: int = 1
    user_dicts: tuple[str, ...] = ()
    dedup: DedupSettings = field(default_factory=DedupSettings)
    scheduler: str | None = None  # None: local processes; "local": a Dask LocalCluster; else a Dask address
    full: bool = False
    seed: int = 0
    bucket_bytes: int = 4_000_000  # aim for buckets of about this many input bytes

    def fingerprint(self) -> str:
        """What must match for a rerun to reuse stored rows (settings that change the output)."""
        dicts = []
        for p in self.user_dicts:
            try:
                dicts.append(hashlib.sha256(Path(p).read_bytes()).hexdigest())
            except OSError:
                dicts.append(f"missing:{p}")
        backend = Segmenter(user_dicts=self.user_dicts).resolved_backend  # jieba and rjieba may differ
        key = json.dumps({"version": __version__, "schema": SCHEMA_VERSION, "dicts": dicts, "backend": backend,
                          "dedup": asdict(self.dedup), "seed": self.seed}, sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class IngestSummary:
    pages: int = 0
    reports: int = 0
    duplicates: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    out_dir: Path | None = None
    processed: int = 0  # files (re)processed this run
    unchanged: int = 0  # files whose stored rows were kept
    removed: int = 0  # files gone since the last run
    recovered: bool = False  # an interrupted run was completed first

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


def display_name(rel: str) -> str:
    """A file name as it can be stored: bytes that are not UTF-8 (e.g. GBK names from a Windows
    zip) are shown as \\xNN escapes instead of making the tables unwritable."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")


def bucket_of(source_file: str, n_buckets: int) -> int:
    """The bucket a source file belongs to: stable across runs and machines."""
    return int(hashlib.sha1(source_file.encode("utf-8")).hexdigest()[:8], 16) % n_buckets


# -- per-file stages ------------------------------------------------------------------------------
@dataclass
class WorkerState:
    """What a worker process builds once and reuses for every file."""

    segmenter: Segmenter
    extractors: object | None
    config: IngestConfig

    @classmethod
    def build(cls, config: IngestConfig) -> WorkerState:
        return cls(Segmenter(user_dicts=config.user_dicts), _make_extractors(), config)


def _make_extractors():
    from .extract import Extractors

    return Extractors.default()


def process_file(path: Path, root: Path, state: WorkerState) -> FileOutcome:
    """Run every per-file stage on one source file; failures become error rows."""
    rel = display_name(path.relative_to(root).as_posix())
    result = PageResult(source_file=rel)
    for name in PER_FILE_TABLES:
        if name not in ("sources", "errors", "documents", "sections", "sentences"):
            result.extra[name] = []
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
            sections = parse_sections(text)
            for s in sections:
                result.sections.append(dict(doc_id=doc_id, section_id=s.section_id, parent_id=s.parent_id,
                                            level=s.level, marker=s.marker, title=s.title, start=s.start,
                                            end=s.end, kind=s.kind))
            stage = "segment"
            for k, (start, end, tokens) in enumerate(state.segmenter.sentence_token_strings(text), start=1):
                result.sentences.append(dict(doc_id=doc_id, sentence_id=k, start=start, end=end, tokens=tokens))
            doc = dict(doc_id=doc_id, source_file=rel, report_index=span.report_index, title=span.title, text=text,
                       source_start=src_start, source_end=src_end, sector=None, sector_confidence=None, genre=None,
                       genre_confidence=None, years=None, unit=None, regions=None, duplicate_of=None,
                       n_chars=len(text))
            if state.extractors is not None:
                stage = "extract"
                facts = state.extractors.extract(text, sections)
                for name in ("amounts", "awards", "activities", "counts"):
                    result.extra[name].extend(dict(row, doc_id=doc_id) for row in getattr(facts, name))
                doc.update(years=list(facts.years), unit=facts.unit, regions=list(facts.regions))
            result.documents.append(doc)
            sigs.append(signature(doc_id, (rel, span.report_index), text, state.config.dedup))
        source_row.update(n_reports=len(spans), status="ok" if spans else "empty")
    except LoadError as exc:
        result = _failed(result, rel, stage, str(exc))
        sigs = []
    except Exception as exc:  # one bad file must never sink the run
        log.exception("failed on %s at %s", rel, stage)
        result = _failed(result, rel, stage, f"{rel}: {stage} failed: {type(exc).__name__}: {exc}")
        sigs = []
    result.sources.append(source_row)
    return FileOutcome(result, sigs)


def _failed(result: PageResult, rel: str, stage: str, message: str) -> PageResult:
    fresh = PageResult(source_file=rel, extra={k: [] for k in result.extra})
    fresh.errors.append(dict(source_file=rel, stage=stage, error=message))
    return fresh


# -- one bucket = one task --------------------------------------------------------------------------
@dataclass(frozen=True)
class BucketTask:
    bucket: int
    root: str
    process: tuple[str, ...]  # source files (relative) to (re)process
    keep: tuple[str, ...]  # source files whose stored rows are carried over
    out_dir: str
    staging: str


@dataclass
class BucketSummary:
    """The small result a bucket task sends back to the driver."""

    bucket: int
    signatures: list[dict]
    sources: list[dict]
    errors: list[dict]
    n_docs: int
    processed: list[str]


_SORT_KEYS = {
    "documents": ("source_file", "report_index"), "sections": ("doc_id", "section_id"),
    "sentences": ("doc_id", "sentence_id"), "sources": ("source_file",), "errors": ("source_file", "stage"),
    "amounts": ("doc_id", "start"), "awards": ("doc_id", "start"), "activities": ("doc_id", "start"),
    "counts": ("doc_id", "start"), "signatures": ("source_file", "report_index"),
}


def run_bucket(task: BucketTask, state: WorkerState) -> BucketSummary:
    """Process one bucket and write its partitions into the staging folder."""
    rows: dict[str, list[dict]] = {name: [] for name in PARTITIONED_TABLES}
    root = Path(task.root)
    for rel in task.process:
        outcome = process_file(root / rel, root, state)
        r = outcome.result
        for name in ("documents", "sections", "sentences", "sources", "errors"):
            rows[name].extend(getattr(r, name))
        for name, extra in r.extra.items():
            rows[name].extend(extra)
        rows["signatures"].extend(signature_row(s) for s in outcome.signatures)
    tables = {name: to_arrow(name, rows[name]) for name in PARTITIONED_TABLES}
    if task.keep:
        tables = _carry_over(tables, Path(task.out_dir), task.bucket, set(task.keep))
    sigs = tables["signatures"]
    for name, table in tables.items():
        keys = _SORT_KEYS[name]
        if table.num_rows:
            table = table.sort_by([(k, "ascending") for k in keys])
        write_partition(Path(task.staging), name, task.bucket, table)
    return BucketSummary(
        bucket=task.bucket,
        signatures=sigs.to_pylist(),
        sources=tables["sources"].to_pylist(),
        errors=tables["errors"].to_pylist(),
        n_docs=tables["documents"].num_rows,
        processed=list(task.process),
    )


def _carry_over(tables: dict[str, pa.Table], out_dir: Path, bucket: int, keep: set[str]) -> dict[str, pa.Table]:
    """Add the stored rows of unchanged files (kept files) from the published partition."""
    old_docs = read_partition(out_dir, "documents", bucket, columns=["doc_id", "source_file"])
    keep_arr = pa.array(sorted(keep), pa.string())
    kept_ids = set()
    if old_docs is not None:
        mask = pc.is_in(old_docs["source_file"], value_set=keep_arr)
        kept_ids = set(old_docs.filter(mask)["doc_id"].to_pylist())
    ids_arr = pa.array(sorted(kept_ids), pa.string())
    merged = {}
    for name, table in tables.items():
        old = read_partition(out_dir, name, bucket)
        if old is None:
            merged[name] = table
            continue
        key = "source_file" if "source_file" in old.column_names else "doc_id"
        value_set = keep_arr if key == "source_file" else ids_arr
        old = old.filter(pc.is_in(old[key], value_set=value_set))
        old = old.select(table.column_names).cast(table.schema)
        merged[name] = pa.concat_tables([table, old])
    return merged


# -- worker plumbing: local processes or Dask --------------------------------------------------------
_PROCESS_STATE: dict[str, WorkerState] = {}  # one per worker process, keyed by config fingerprint


def _state_for(config: IngestConfig) -> WorkerState:
    key = config.fingerprint()
    state = _PROCESS_STATE.get(key)
    if state is None:
        _PROCESS_STATE.clear()
        state = _PROCESS_STATE[key] = WorkerState.build(config)
    return state


def _run_bucket_task(task: BucketTask, config: IngestConfig) -> BucketSummary:
    return run_bucket(task, _state_for(config))


def _run_tasks(tasks: list[BucketTask], config: IngestConfig) -> Iterator[BucketSummary]:
    if not tasks:
        return
    if config.scheduler:
        yield from _run_on_dask(tasks, config)
    elif config.workers <= 1 or len(tasks) == 1:
        for t in tasks:
            yield _run_bucket_task(t, config)
    else:
        with ProcessPoolExecutor(max_workers=min(config.workers, len(tasks))) as pool:
            futures = [pool.submit(_run_bucket_task, t, config) for t in tasks]
            for f in futures:
                yield f.result()


def _run_on_dask(tasks: list[BucketTask], config: IngestConfig) -> Iterator[BucketSummary]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise CorpusToolsError("--scheduler needs the dask extra: pip install 'corpus-tools[dask]'") from exc
    cluster = None
    if config.scheduler == "local":
        cluster = LocalCluster(n_workers=max(1, config.workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(config.scheduler, timeout="10s")
        except OSError as exc:
            raise CorpusToolsError(f"cannot reach the Dask scheduler at {config.scheduler}: {exc}") from exc
    try:
        futures = client.map(_run_bucket_task, tasks, config=config, pure=False)
        for f in futures:
            yield f.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- the driver ----------------------------------------------------------------------------------------
def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _stored_sources(out_dir: Path) -> dict[str, tuple[str | None, int]]:
    """source_file -> (sha256, bucket) of the published output."""
    found = {}
    for b in partition_buckets(out_dir, "sources"):
        t = read_partition(out_dir, "sources", b, columns=["source_file", "sha256"])
        if t is None:
            continue
        for f, sha in zip(t["source_file"].to_pylist(), t["sha256"].to_pylist(), strict=True):
            found[f] = (sha, b)
    return found


def _choose_buckets(total_bytes: int, n_files: int, config: IngestConfig) -> int:
    by_size = math.ceil(total_bytes / max(1, config.bucket_bytes))
    want = max(by_size, min(n_files, 2 * max(1, config.workers)) if total_bytes > config.bucket_bytes // 4 else 1)
    return int(min(max(1, want), 4096, max(1, n_files)))


def ingest(input_dir: Path, out_dir: Path, config: IngestConfig = IngestConfig(),
           progress: Callable[[str, int, int], None] | None = None) -> IngestSummary:
    """Ingest every page under ``input_dir`` into the tables in ``out_dir``.

    Parameters
    ----------
    progress
        Called as ``progress(message, done, total)`` after each bucket (files done / total).

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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorpusToolsError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from exc
    summary = IngestSummary(out_dir=out_dir)
    summary.recovered = recover(out_dir)

    paths = iter_source_paths(input_dir)
    rels = [p.relative_to(input_dir).as_posix() for p in paths]
    sizes = {}
    for p, rel in zip(paths, rels, strict=True):
        try:
            sizes[rel] = p.stat().st_size
        except OSError:
            sizes[rel] = 0
    manifest = _read_manifest(out_dir)
    fingerprint = config.fingerprint()
    reuse = (not config.full and manifest.get("fingerprint") == fingerprint
             and all((out_dir / t).is_dir() for t in PARTITIONED_TABLES))
    stored = _stored_sources(out_dir) if reuse else {}
    n_buckets = int(manifest["n_buckets"]) if reuse else _choose_buckets(sum(sizes.values()), len(rels), config)

    current_sha = {rel: _sha256_or_none(input_dir / rel) for rel in rels} if stored else {}
    by_bucket: dict[int, tuple[list[str], list[str]]] = {}  # bucket -> (files to process, names kept)
    shown = {rel: display_name(rel) for rel in rels}
    for rel in rels:
        b = bucket_of(shown[rel], n_buckets)
        proc, keep = by_bucket.setdefault(b, ([], []))
        old = stored.get(shown[rel])
        if old is not None and old[0] is not None and old[0] == current_sha.get(rel) and old[1] == b:
            keep.append(shown[rel])
        else:
            proc.append(rel)
    if not rels and not reuse:
        by_bucket[0] = ([], [])  # an empty input folder still gives (empty) tables
    removed = sorted(set(stored) - set(shown.values()))
    removed_buckets = {stored[f][1] for f in removed}
    touched = sorted({b for b, (proc, _) in by_bucket.items() if proc or not reuse} | (removed_buckets & set(by_bucket)))
    emptied = sorted(removed_buckets - set(by_bucket))  # buckets left with no files at all
    summary.pages = len(rels)
    summary.removed = len(removed)
    summary.unchanged = sum(len(by_bucket[b][1]) for b in by_bucket if b not in touched)

    if reuse and not touched and not emptied:
        _fill_summary_from_store(summary, out_dir)
        summary.seconds = time.perf_counter() - t0
        return summary

    staging = new_staging(out_dir)
    try:
        tasks = [BucketTask(b, str(input_dir), tuple(by_bucket.get(b, ([], []))[0]),
                            tuple(by_bucket.get(b, ([], []))[1]), str(out_dir), str(staging))
                 for b in touched]
        done_files = sum(len(by_bucket[b][1]) for b in by_bucket if b not in touched)
        results: dict[int, BucketSummary] = {}
        for s in _run_tasks(tasks, config):
            results[s.bucket] = s
            done_files += len(s.processed) + len(by_bucket.get(s.bucket, ([], []))[1])
            summary.processed += len(s.processed)
            if progress:
                bad = [e["source_file"] for e in s.errors if e["source_file"] in s.processed]
                msg = f"bucket {s.bucket}: {len(s.processed)} files processed, {s.n_docs} reports"
                progress(msg + (f", failed: {', '.join(bad)}" if bad else ""), done_files, len(rels))
        # cross-bucket steps on the summaries: duplicates over every stored and new signature
        all_sigs: list[DocSignature] = []
        for b in sorted(set(by_bucket) | set(touched)):
            if b in results:
                rows = results[b].signatures
            else:
                t = read_partition(out_dir, "signatures", b)
                rows = t.to_pylist() if t is not None else []
            all_sigs.extend(signature_from_row(r, config.dedup) for r in rows)
        dups = find_duplicates(all_sigs, config.dedup)
        labeller = _fit_labeller(out_dir, staging, touched, [s.doc_id for s in all_sigs], config)
        _finalise_documents(out_dir, staging, dups, touched, sorted(set(by_bucket) - set(touched)), labeller)
        deletions = [partition_file(out_dir, t, b) for b in emptied for t in PARTITIONED_TABLES]
        deletions += [out_dir / f"{t}.parquet" for t in PARTITIONED_TABLES if (out_dir / f"{t}.parquet").exists()]
        if not reuse:
            deletions += [partition_file(out_dir, t, b) for t in PARTITIONED_TABLES
                          for b in partition_buckets(out_dir, t) if b not in by_bucket]
        (staging / MANIFEST).write_text(json.dumps({"fingerprint": fingerprint, "n_buckets": n_buckets,
                                                    "schema_version": SCHEMA_VERSION}), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing was published: the previous output stands
        raise
    # the commit point: once the journal is written, the next run completes it if this one dies
    commit_staging(out_dir, staging, deletions)
    refresh_database(out_dir)
    _fill_summary_from_store(summary, out_dir)
    summary.seconds = time.perf_counter() - t0
    return summary


def _sha256_or_none(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _finalise_documents(out_dir: Path, staging: Path, dups: dict[str, str], touched: Iterable[int],
                        untouched: Iterable[int], labeller: Labeller | None) -> None:
    """Set duplicate_of and the sector/genre labels on the new documents partitions, and rewrite
    stored partitions whose values changed. One partition in memory at a time."""
    touched = set(touched)
    for b in sorted(touched | set(untouched)):
        src = staging if b in touched else out_dir
        table = read_partition(src, "documents", b)
        if table is None:
            continue
        new = _with_duplicates(table, dups)
        if labeller is not None:
            new = labeller.label(new, read_partition(src, "sentences", b, columns=["doc_id", "tokens"]))
        if b in touched or not new.equals(table):
            write_partition(staging, "documents", b, new)


def _with_duplicates(table: pa.Table, dups: dict[str, str]) -> pa.Table:
    values = pa.array([dups.get(d) for d in table["doc_id"].to_pylist()], pa.string())
    i = table.column_names.index("duplicate_of")
    return table.set_column(i, "duplicate_of", values)


MAX_TRAINING_DOCS = 3000  # the classifier's model layer learns from at most this many reports


@dataclass
class Labeller:
    """The fitted sector/genre classifier plus a tokenizer fed from the stored sentence tokens, so
    reports are not segmented a second time."""

    model: object
    tokenizer: object

    def label(self, docs: pa.Table, sentences: pa.Table | None) -> pa.Table:
        from .classify import stored_token_cache

        texts = [t or "" for t in docs["text"].to_pylist()]
        self.tokenizer.__dict__["_cache"] = stored_token_cache(docs, sentences)
        try:
            pred = self.model.predict_table(texts)
        finally:
            self.tokenizer.__dict__["_cache"] = {}
        for name, type_ in (("sector", pa.string()), ("sector_confidence", pa.float64()),
                            ("genre", pa.string()), ("genre_confidence", pa.float64())):
            values = pa.array(pred[name].tolist(), type_)
            docs = docs.set_column(docs.column_names.index(name), name, values)
        return docs


def _fit_labeller(out_dir: Path, staging: Path, touched: Iterable[int], doc_ids: list[str],
                  config: IngestConfig) -> Labeller | None:
    """Fit the classifier on a deterministic sample of at most MAX_TRAINING_DOCS reports."""
    from .classify import MODEL_PATH, CachedTokenizer, _save_model, classify_documents, stored_token_cache

    if not doc_ids:
        return None
    chosen = set(sorted(doc_ids, key=lambda d: hashlib.sha1(d.encode()).hexdigest())[:MAX_TRAINING_DOCS])
    touched = set(touched)
    texts: dict[str, str] = {}
    cache: dict[str, list[str]] = {}
    for b in sorted(set(partition_buckets(out_dir, "documents")) | touched):
        src = staging if b in touched else out_dir
        docs = read_partition(src, "documents", b, columns=["doc_id", "text"])
        if docs is None:
            continue
        keep = pc.is_in(docs["doc_id"], value_set=pa.array(sorted(chosen), pa.string()))
        docs = docs.filter(keep)
        if not docs.num_rows:
            continue
        sents = read_partition(src, "sentences", b, columns=["doc_id", "tokens"])
        if sents is not None:
            sents = sents.filter(pc.is_in(sents["doc_id"], value_set=docs["doc_id"]))
        cache.update(stored_token_cache(docs, sents))
        texts.update(zip(docs["doc_id"].to_pylist(), docs["text"].to_pylist(), strict=True))
    import pandas as pd

    frame = pd.DataFrame({"doc_id": sorted(texts), "text": [texts[d] for d in sorted(texts)]})
    tokenizer = CachedTokenizer(Segmenter(user_dicts=config.user_dicts), max_items=MAX_TRAINING_DOCS * 4)
    tokenizer.__dict__["_cache"] = cache
    result = classify_documents(frame, segmenter=tokenizer, seed=config.seed)
    tokenizer.__dict__["_cache"] = {}
    _save_model(staging / MODEL_PATH, {"format": 1, "model": result.model, "seed": config.seed, "user_labels": {}})
    return Labeller(result.model, tokenizer)


def _fill_summary_from_store(summary: IngestSummary, out_dir: Path) -> None:
    docs = pq.read_table(out_dir / "documents", columns=["duplicate_of"])
    summary.reports = docs.num_rows
    summary.duplicates = docs.num_rows - docs["duplicate_of"].null_count
    errs = pq.read_table(out_dir / "errors").to_pylist()
    summary.errors = sorted((e["source_file"], e["stage"], e["error"]) for e in errs)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


__all__ = ["IngestConfig", "IngestSummary", "ingest", "process_file", "make_doc_id", "bucket_of",
           "STAGING_PREFIX", "TABLES", "empty_table"]
