"""Orchestration of ingest: map the pure stages over buckets of source files, then publish.

This is the only module (with ``store``) that knows about files, processes and clusters.

* Source files are assigned to buckets by a hash of their path. One task processes one bucket:
  it runs every per-file stage (load → clean → split → structure → segment → extract) on the
  bucket's new or changed files, carries over the stored rows of its unchanged files, and writes
  the bucket's partition of every table into a staging folder itself. Only small summaries
  (MinHash signatures, counts) travel back to the driver, so memory stays bounded by the bucket
  size, and the same task runs in a local process pool or on a Dask cluster.
* The classifier's rule layer runs per report inside the bucket tasks. Near-duplicates are found
  in the driver over the MinHash signatures. The classifier's model layer is fitted on a bounded
  sample of reports (their stored words and rule verdicts) by tasks on the same pool or cluster,
  the sector and genre layers side by side, so the driver never loads scikit-learn. A last map
  over the partitions then sets ``duplicate_of`` and the final labels, rewriting only the
  documents partitions whose values changed.
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
import pickle
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .clean import clean_page
from .dedup import DedupSettings, DocSignature, find_duplicates_in_table, signature, signature_row
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
    lexicons: object | None = None  # the classifier's rule lexicons: rules run per report in the workers

    @classmethod
    def build(cls, config: IngestConfig) -> WorkerState:
        from .classify import load_lexicons

        return cls(Segmenter(user_dicts=config.user_dicts), _make_extractors(), config, load_lexicons())


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
            if state.lexicons is not None:
                # the rule layer's verdicts, until the labelling step combines them with the model's
                from .classify import rule_labels  # imported here: a rerun with nothing to do never needs it

                stage = "classify"
                rules = rule_labels(text, state.lexicons)
                doc.update(sector=rules["sector"][0], sector_confidence=rules["sector"][1],
                           genre=rules["genre"][0], genre_confidence=rules["genre"][1])
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
    signatures: pa.Table  # Arrow, not Python rows: a few bytes per hash value in the driver
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
        tables = _carry_over(tables, Path(task.out_dir), task.bucket, set(task.keep), state.lexicons)
    sigs = tables["signatures"]
    for name, table in tables.items():
        keys = _SORT_KEYS[name]
        if table.num_rows:
            table = table.sort_by([(k, "ascending") for k in keys])
        write_partition(Path(task.staging), name, task.bucket, table)
    return BucketSummary(
        bucket=task.bucket,
        signatures=sigs,
        sources=tables["sources"].to_pylist(),
        errors=tables["errors"].to_pylist(),
        n_docs=tables["documents"].num_rows,
        processed=list(task.process),
    )


def _carry_over(tables: dict[str, pa.Table], out_dir: Path, bucket: int, keep: set[str],
                lexicons: object | None) -> dict[str, pa.Table]:
    """Add the stored rows of unchanged files (kept files) from the published partition.

    Stored documents carry final labels; like fresh rows they go back to the rule layer's
    verdicts, which the labelling step then combines with this run's model."""
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
        if name == "documents" and lexicons is not None and old.num_rows:
            old = _set_labels(old, _rules_of(old, False, lexicons))
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


class _Runner:
    """Runs the tasks of one ingest run: in this process (one worker), in a local process pool,
    or on a Dask cluster. The pool or cluster is started on first use and serves every phase."""

    def __init__(self, config: IngestConfig):
        self.config = config
        self._pool: ProcessPoolExecutor | None = None
        self._client = None
        self._cluster = None

    def __enter__(self) -> _Runner:
        return self

    @property
    def parallel(self) -> bool:
        """Whether tasks run in other processes (a pool or a cluster), not one after another here."""
        return bool(self.config.scheduler) or self.config.workers > 1

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def map(self, fn: Callable, items: list) -> Iterator:
        """``fn(item, config)`` for every item, results in the order of ``items``."""
        if not items:
            return
        config = self.config
        if config.scheduler:
            client = self._dask_client()
            futures = client.map(fn, items, config=config, pure=False)
            for f in futures:
                yield f.result()
        elif config.workers <= 1 or (len(items) == 1 and self._pool is None):
            for item in items:
                yield fn(item, config)
        else:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=config.workers)
            futures = [self._pool.submit(fn, item, config) for item in items]
            for f in futures:
                yield f.result()

    def _dask_client(self):
        if self._client is not None:
            return self._client
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:
            raise CorpusToolsError("--scheduler needs the dask extra: pip install 'corpus-tools[dask]'") from exc
        if self.config.scheduler == "local":
            self._cluster = LocalCluster(n_workers=max(1, self.config.workers), threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self.config.scheduler, timeout="10s")
            except OSError as exc:
                raise CorpusToolsError(f"cannot reach the Dask scheduler at {self.config.scheduler}: {exc}") from exc
        return self._client


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
        with _Runner(config) as runner:
            for s in runner.map(_run_bucket_task, tasks):
                results[s.bucket] = s
                done_files += len(s.processed) + len(by_bucket.get(s.bucket, ([], []))[1])
                summary.processed += len(s.processed)
                if progress:
                    bad = [e["source_file"] for e in s.errors if e["source_file"] in s.processed]
                    msg = f"bucket {s.bucket}: {len(s.processed)} files processed, {s.n_docs} reports"
                    progress(msg + (f", failed: {', '.join(bad)}" if bad else ""), done_files, len(rels))
            # cross-bucket steps on the summaries: duplicates over every stored and new signature
            tables: list[pa.Table] = []
            schema = empty_table("signatures").schema
            ids_of: dict[int, list[str]] = {}
            for b in sorted(set(by_bucket) | set(touched)):
                t = results[b].signatures if b in results else read_partition(out_dir, "signatures", b)
                if t is not None:
                    tables.append(t.select(schema.names).cast(schema))
                ids_of[b] = t["doc_id"].to_pylist() if t is not None else []
            signatures = pa.concat_tables(tables) if tables else schema.empty_table()
            del tables, results  # the summaries are in `signatures` now
            if progress:
                progress(f"finding near-duplicates among {signatures.num_rows} reports", done_files, len(rels))
            dups = find_duplicates_in_table(signatures, config.dedup)
            if progress:
                progress(f"{len(dups)} duplicates; fitting the sector/genre model", done_files, len(rels))
            fitted = _fit_model(runner, out_dir, staging, touched, set(by_bucket) | set(touched),
                                signatures["doc_id"].to_pylist(), config)
            del signatures
            # then every documents partition gets duplicate_of and its labels, in the workers
            touched_set = set(touched)
            label_tasks = [LabelTask(b, str(staging if b in touched_set else out_dir), str(staging), b in touched_set,
                                     tuple((d, dups[d]) for d in ids_of.get(b, ()) if d in dups),
                                     str(staging) if fitted else None)
                           for b in sorted(touched_set | (set(by_bucket) - touched_set))]
            for k, _ in enumerate(runner.map(_label_bucket, label_tasks), start=1):
                if progress:
                    progress(f"labelled partition {k}/{len(label_tasks)}", done_files, len(rels))
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


def _with_duplicates(table: pa.Table, dups: dict[str, str]) -> pa.Table:
    values = pa.array([dups.get(d) for d in table["doc_id"].to_pylist()], pa.string())
    i = table.column_names.index("duplicate_of")
    return table.set_column(i, "duplicate_of", values)


# -- the sector/genre labels: fit once on a sample, label every partition in the workers ---------------
MAX_TRAINING_DOCS = 3000  # the classifier's model layer learns from at most this many reports
_LABEL_COLUMNS = ("sector", "sector_confidence", "genre", "genre_confidence")


@dataclass(frozen=True)
class LabelTask:
    """Finish one documents partition: duplicate_of and the final sector/genre labels."""

    bucket: int
    source: str  # folder holding the partition to finish (the staging folder if written this run)
    staging: str
    fresh: bool  # written this run: its label columns still hold the rule layer's verdicts
    duplicates: tuple[tuple[str, str], ...]  # (doc_id, duplicate_of) of this bucket's reports
    model_dir: str | None  # folder holding the fitted classifier (models/classifier.joblib), if any


_PROCESS_MODELS: dict[tuple[str, int], object] = {}  # per worker process: the fitted classifier, by file


def _model_in(folder: str):
    """The classifier saved under ``folder`` (cached per process while the file is unchanged)."""
    from .classify import MODEL_PATH, _load_bundle

    key = (str(Path(folder) / MODEL_PATH), os.stat(Path(folder) / MODEL_PATH).st_mtime_ns)
    model = _PROCESS_MODELS.get(key)
    if model is None:
        _PROCESS_MODELS.clear()
        model = _PROCESS_MODELS[key] = _load_bundle(Path(folder))["model"]
    return model


def _rules_of(docs: pa.Table, fresh: bool, lexicons) -> list[dict[str, tuple[str, float]]]:
    """The rule layer's verdict per report: stored by the bucket task on fresh partitions,
    recomputed from the text on partitions carried over from an earlier run."""
    from .classify import rule_labels

    if fresh:
        cols = [docs[c].to_pylist() for c in _LABEL_COLUMNS]
        return [{"sector": (s, sc or 0.0), "genre": (g, gc or 0.0)} for s, sc, g, gc in zip(*cols, strict=True)]
    return [rule_labels(t or "", lexicons) for t in docs["text"].to_pylist()]


def _set_labels(docs: pa.Table, labels: list[dict[str, tuple[str, float]]]) -> pa.Table:
    """``docs`` with its sector/genre columns set from ``{task: (label, confidence)}`` per row."""
    for task in ("sector", "genre"):
        for col, k, type_ in ((task, 0, pa.string()), (f"{task}_confidence", 1, pa.float64())):
            values = pa.array([row[task][k] for row in labels], type_)
            docs = docs.set_column(docs.column_names.index(col), col, values)
    return docs


def _label_bucket(task: LabelTask, config: IngestConfig) -> int:
    from .bow import encode_sentence_tokens
    src = Path(task.source)
    table = read_partition(src, "documents", task.bucket)
    if table is None:
        return 0
    new = _with_duplicates(table, dict(task.duplicates))
    if task.model_dir is not None and new.num_rows:
        model = _model_in(task.model_dir)
        rules = _rules_of(new, task.fresh, model.lexicons_)
        sents = read_partition(src, "sentences", task.bucket, columns=["doc_id", "tokens"])
        if sents is None:
            sents = empty_table("sentences").select(["doc_id", "tokens"])
        rows = pc.index_in(sents["doc_id"], value_set=new["doc_id"].combine_chunks()).fill_null(-1)
        words = encode_sentence_tokens(sents["tokens"], rows.to_numpy(zero_copy_only=False), new.num_rows)
        new = _set_labels(new, model.label_encoded(words, rules))
    if task.fresh or not new.equals(table):
        write_partition(Path(task.staging), "documents", task.bucket, new)
    return new.num_rows


@dataclass(frozen=True)
class FitTask:
    """Fit the model layer of classification tasks on the training sample.

    On a pool or cluster each classification task gets a task of its own, so the two fits run
    side by side in the workers (which import scikit-learn for labelling anyway) and the driver
    never imports scikit-learn; in one process a single task fits both."""

    tasks: tuple[str, ...]  # of classify.TASKS
    out_dir: str
    staging: str
    touched: tuple[int, ...]  # buckets written this run (their partitions are in the staging folder)
    buckets: tuple[int, ...]  # every bucket that holds documents
    chosen: tuple[str, ...]  # doc_ids of the training sample


FIT_PARTS = "_fit"  # staging subfolder for per-task models until they are joined (never published)


def _training_sample(task: FitTask, lexicons) -> tuple[list[str], list[dict[str, tuple[str, float]]]]:
    """Words (``model_token_string``) and rule verdicts of the training sample, in doc_id order."""
    from .classify import tokens_by_doc

    chosen = pa.array(task.chosen, pa.string())
    touched = set(task.touched)
    sample: dict[str, tuple[str, dict[str, tuple[str, float]]]] = {}
    for b in task.buckets:
        src, fresh = (Path(task.staging), True) if b in touched else (Path(task.out_dir), False)
        columns = ["doc_id", *_LABEL_COLUMNS] + ([] if fresh else ["text"])
        docs = read_partition(src, "documents", b, columns=columns)
        if docs is None:
            continue
        docs = docs.filter(pc.is_in(docs["doc_id"], value_set=chosen))
        if not docs.num_rows:
            continue
        sents = read_partition(src, "sentences", b, columns=["doc_id", "tokens"])
        if sents is not None:
            sents = sents.filter(pc.is_in(sents["doc_id"], value_set=docs["doc_id"]))
        words = tokens_by_doc(sents)
        for d, rules in zip(docs["doc_id"].to_pylist(), _rules_of(docs, fresh, lexicons), strict=True):
            sample[d] = (words.get(d, ""), rules)
    order = sorted(sample)
    return [sample[d][0] for d in order], [sample[d][1] for d in order]


def _fit_task(task: FitTask, config: IngestConfig) -> str:
    """Fit ``task.tasks``; save the classifier (all tasks) or a per-task part (pickle, internal)."""
    from .classify import TASKS, CachedTokenizer, ReportClassifier

    state = _state_for(config)
    words, rules = _training_sample(task, state.lexicons)
    tokenizer = CachedTokenizer(state.segmenter, max_items=MAX_TRAINING_DOCS * 4)
    model = ReportClassifier(segmenter=tokenizer, lexicons=state.lexicons, random_state=config.seed, tasks=task.tasks)
    model.fit_tokens(words, rules)
    if task.tasks == TASKS:
        return _save_ingest_model(Path(task.staging), model, config.seed)
    path = Path(task.staging) / FIT_PARTS / f"{'-'.join(task.tasks)}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return str(path)


def _join_fitted(parts: tuple[str, ...], config: IngestConfig) -> str:
    """Join the per-task parts into the classifier ingest saves and labels with."""
    from .classify import ReportClassifier

    models = []
    for p in parts:
        with open(p, "rb") as fh:
            models.append(pickle.load(fh))
    return _save_ingest_model(Path(parts[0]).parent.parent, ReportClassifier.join_tasks(models), config.seed)


def _save_ingest_model(staging: Path, model, seed: int) -> str:
    from .classify import MODEL_PATH, _save_model

    path = staging / MODEL_PATH
    _save_model(path, {"format": 1, "model": model, "seed": seed, "user_labels": {}})
    _PROCESS_MODELS.clear()
    _PROCESS_MODELS[(str(path), os.stat(path).st_mtime_ns)] = model  # this process labels without loading it
    return str(path)


def _fit_model(runner: _Runner, out_dir: Path, staging: Path, touched: Iterable[int], buckets: Iterable[int],
               doc_ids: list[str], config: IngestConfig) -> bool:
    """Fit the classifier's model layer on a deterministic sample of at most MAX_TRAINING_DOCS
    reports, from their stored words and rule verdicts, and save it under the staging folder."""
    from .classify import TASKS

    if not doc_ids:
        return False
    chosen = tuple(sorted(sorted(doc_ids, key=lambda d: hashlib.sha1(d.encode()).hexdigest())[:MAX_TRAINING_DOCS]))
    groups = [(t,) for t in TASKS] if runner.parallel else [TASKS]
    tasks = [FitTask(g, str(out_dir), str(staging), tuple(sorted(touched)), tuple(sorted(buckets)), chosen)
             for g in groups]
    parts = tuple(runner.map(_fit_task, tasks))
    if len(parts) > 1:
        list(runner.map(_join_fitted, [parts]))
        shutil.rmtree(staging / FIT_PARTS, ignore_errors=True)
    return True


def _fill_summary_from_store(summary: IngestSummary, out_dir: Path) -> None:
    summary.reports = summary.duplicates = 0
    for b in partition_buckets(out_dir, "documents"):
        docs = read_partition(out_dir, "documents", b, columns=["duplicate_of"])
        summary.reports += docs.num_rows
        summary.duplicates += docs.num_rows - docs["duplicate_of"].null_count
    errs = [e for b in partition_buckets(out_dir, "errors") for e in read_partition(out_dir, "errors", b).to_pylist()]
    summary.errors = sorted((e["source_file"], e["stage"], e["error"]) for e in errs)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


__all__ = ["IngestConfig", "IngestSummary", "ingest", "process_file", "make_doc_id", "bucket_of",
           "STAGING_PREFIX", "TABLES", "empty_table"]
