"""Faults around ingest and query: kill -9, a full disk, and SQL that tries to write or read files.

* kill -9 while ingest processes files, and while it publishes its tables: the output of the
  earlier complete run stays readable and unchanged (or, once publication has begun, readers
  see the new output whole, never a mix), and a rerun completes with no duplicate rows;
* a full disk (``OSError(ENOSPC)`` from the Parquet writer, from the moves that publish the
  tables, or from Python file writes in the output folder): a clear error naming the output
  folder, no traceback, the previous output intact, and the next run succeeds;
* ``query`` is read-only: statements that write, copy, attach, export or install are refused,
  and so is file access outside the tables folder.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from corpus_tools.cli import cli
from corpus_tools.pipeline import IngestConfig, ingest
from corpus_tools.query import QueryError, run_query
from corpus_tools.records import CorpusToolsError
from corpus_tools.store import existing_tables, read_table
from tests import hostile
from tests.conftest import RAW

REPO = Path(__file__).resolve().parent.parent
#: copies of data/raw in the corpus the kill test interrupts (each copy is 5 pages, 43 reports)
KILL_COPIES = int(os.environ.get("FAULT_KILL_COPIES", "10"))
READ_TABLES = ("documents", "sections", "sentences", "sources", "errors")


# --------------------------------------------------------------------------- helpers


def snapshot(out: Path) -> dict[str, str]:
    """sha256 of every published file in the output folder (hidden staging/journal files aside)."""
    found = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            found[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def tables(out: Path) -> dict[str, pd.DataFrame]:
    key = {"documents": ["source_file", "report_index"], "sections": ["doc_id", "section_id"],
           "sentences": ["doc_id", "sentence_id"], "sources": ["source_file"], "errors": ["source_file", "stage"]}
    return {name: read_table(out, name).sort_values(key[name]).reset_index(drop=True) for name in READ_TABLES}


def assert_same_tables(out: Path, before: dict[str, pd.DataFrame]) -> None:
    after = tables(out)
    for name in READ_TABLES:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    n = run_query(out, "select count(*) as n from documents").n[0]
    assert n == len(before["documents"])


def assert_consistent_without_duplicates(out: Path) -> None:
    t = tables(out)
    docs = t["documents"]
    assert docs.doc_id.is_unique, "duplicate doc_id rows"
    assert not docs.duplicated(["source_file", "report_index"]).any()
    assert t["sources"].source_file.is_unique
    assert not t["sections"].duplicated(["doc_id", "section_id"]).any()
    assert not t["sentences"].duplicated(["doc_id", "sentence_id"]).any()
    ids = set(docs.doc_id)
    assert set(t["sections"].doc_id) <= ids and set(t["sentences"].doc_id) <= ids
    assert set(docs.source_file) <= set(t["sources"].source_file)
    assert not list(out.glob(".staging-*")), "a staging folder was left behind"
    assert not list(out.glob(".journal*")), "a publication journal was left behind"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def _start(args: list[str]) -> subprocess.Popen[str]:
    # its own session, so that kill -9 reaches the worker processes too
    return subprocess.Popen([sys.executable, *args], cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _kill(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def _ingest_cmd(src: Path, out: Path, workers: int = 1) -> list[str]:
    return ["-m", "corpus_tools", "ingest", str(src), "--out", str(out), "--workers", str(workers), "-q"]


def _small_corpus(folder: Path, n: int) -> Path:
    """``n`` short report pages (different units, so that no two are duplicates)."""
    folder.mkdir(parents=True, exist_ok=True)
    units = ["胸心外科", "骨科", "眼科", "儿科", "内科", "急诊科", "护理部", "药剂科"]
    for k in range(n):
        (folder / f"page_{k:02d}.txt").write_text(hostile.SHORT_REPORT.replace("胸心外科", units[k % len(units)]),
                                                  encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- kill -9


@pytest.mark.slow
def test_kill_during_ingest_leaves_the_previous_output_and_a_rerun_completes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = tmp_path / "first"
    shutil.copytree(RAW, first)
    ingest(first, out, IngestConfig(workers=1))
    before, files_before = tables(out), snapshot(out)

    # the same pages copied under other names: long enough that a kill lands mid-run
    big = tmp_path / "big"
    shutil.copytree(RAW, big)
    for k in range(KILL_COPIES):
        for p in sorted(RAW.glob("*.txt")):
            shutil.copy(p, big / f"copy{k:03d}_{p.name}")
    proc = _start(_ingest_cmd(big, out, workers=2))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(out.glob(".staging-*")):
        time.sleep(0.05)
    time.sleep(1.0)  # well inside processing
    assert proc.poll() is None, "ingest finished before it could be killed; raise FAULT_KILL_COPIES"
    _kill(proc)

    assert snapshot(out) == files_before, "the killed run changed the published output"
    assert_same_tables(out, before)

    done = subprocess.run([sys.executable, *_ingest_cmd(big, out, workers=2)], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_consistent_without_duplicates(out)
    docs = read_table(out, "documents")
    assert len(docs) == len(before["documents"]) * (KILL_COPIES + 1)
    assert len(read_table(out, "sources")) == 5 * (KILL_COPIES + 1)


_PAUSE_WHILE_PUBLISHING = r"""
import os, sys, time
from pathlib import Path

marker = Path(os.environ["FAULT_MARKER"])
real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    real_replace(src, dst, *args, **kwargs)
    # the new documents table has just been moved into place, the other tables not all yet
    if ".staging-" in os.fspath(src) and "documents" in Path(os.fspath(dst)).parts and not marker.exists():
        marker.write_text(os.fspath(dst))
        time.sleep(600)

os.replace = replace
from corpus_tools.cli import main
sys.argv = ["corpus-tools", *sys.argv[1:]]
main()
"""


def all_tables(out: Path) -> dict[str, pd.DataFrame]:
    """Every stored table, in a canonical row order (values as text, so lists compare too)."""
    found = {}
    for name in existing_tables(out):
        df = read_table(out, name).map(repr)
        found[name] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return found


def _same(a: pd.DataFrame | None, b: pd.DataFrame | None) -> bool:
    return a is not None and b is not None and a.shape == b.shape and bool((a.values == b.values).all())


@pytest.mark.slow
@pytest.mark.xfail(reason="known gap: tables are published one by one behind a journal, so between a kill "
                   "during publication and the next run a reader can see a mix; the next run completes it "
                   "(an atomic all-tables swap is not built yet)", strict=False)
def test_kill_while_tables_are_published_never_leaves_a_mix(tmp_path: Path) -> None:
    """Killed right after the new documents table was moved into place: a reader must see the
    previous output or the new one, not documents of one run with sections of the other."""
    out = tmp_path / "out"
    ingest(_small_corpus(tmp_path / "in", 3), out, IngestConfig(workers=1))
    before = all_tables(out)
    _small_corpus(tmp_path / "in", 6)  # three more pages

    marker = tmp_path / "published-documents"
    proc = subprocess.Popen([sys.executable, "-c", _PAUSE_WHILE_PUBLISHING, "ingest", str(tmp_path / "in"),
                             "--out", str(out), "--workers", "1", "-q"], cwd=REPO,
                            env={**_env(), "FAULT_MARKER": str(marker)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and not marker.exists():
        time.sleep(0.05)
    if not marker.exists():
        _kill(proc)
        pytest.fail(f"the run never moved a documents file out of a staging folder (exit {proc.returncode}): "
                    "the publication hook of this test needs updating")
    _kill(proc)
    seen = all_tables(out)  # what a reader (query, export, pandas) sees before any rerun

    done = subprocess.run([sys.executable, *_ingest_cmd(tmp_path / "in", out)], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_consistent_without_duplicates(out)
    assert len(read_table(out, "sources")) == 6 and len(read_table(out, "documents")) == 6
    after = all_tables(out)

    old = sorted(n for n in seen if _same(seen[n], before.get(n)) and not _same(seen[n], after.get(n)))
    new = sorted(n for n in seen if _same(seen[n], after.get(n)) and not _same(seen[n], before.get(n)))
    neither = sorted(n for n in seen if not _same(seen[n], before.get(n)) and not _same(seen[n], after.get(n)))
    assert not neither, f"tables that are neither the previous nor the new output after the kill: {neither}"
    assert not (old and new), (f"after the kill, readers see a mix of two runs: new {new}, previous {old} "
                               "(until a rerun completes the publication)")


# --------------------------------------------------------------------------- disk full


def _enospc(path: object = "") -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path) if path else None)


def _under(path: object, folder: Path) -> bool:
    try:
        return os.path.abspath(os.fspath(path)).startswith(os.path.abspath(folder) + os.sep)  # type: ignore[arg-type]
    except TypeError:
        return False


def _parquet_writer_full(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    import pyarrow.parquet as pq

    def write_table(table, where, *args, **kwargs):
        raise _enospc(where)

    monkeypatch.setattr(pq, "write_table", write_table)


def _publish_full(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    from corpus_tools import store

    def replace(src, dst, *args, **kwargs):
        raise _enospc(dst)

    monkeypatch.setattr(store.os, "replace", replace)


def _python_writes_full(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    """Every file Python opens for writing inside the output folder hits a full disk."""
    real_open, real_io_open = builtins.open, io.open
    real_write_text, real_write_bytes = pathlib.Path.write_text, pathlib.Path.write_bytes

    def writing(mode: str) -> bool:
        return any(c in mode for c in "wax+")

    def guarded_open(file, mode="r", *args, **kwargs):
        if writing(mode) and _under(file, out):
            raise _enospc(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_io_open(file, mode="r", *args, **kwargs):
        if writing(mode) and _under(file, out):
            raise _enospc(file)
        return real_io_open(file, mode, *args, **kwargs)

    def write_text(self, *args, **kwargs):
        if _under(self, out):
            raise _enospc(self)
        return real_write_text(self, *args, **kwargs)

    def write_bytes(self, *args, **kwargs):
        if _under(self, out):
            raise _enospc(self)
        return real_write_bytes(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_io_open)
    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)


DISK_FULL = {
    "parquet-writer": _parquet_writer_full,
    "publishing-moves": _publish_full,
    "manifest-and-journal": _python_writes_full,
}


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("previous")
    ingest(_small_corpus(base / "in", 3), base / "out", IngestConfig(workers=1))
    return base / "in", base / "out"


def _fresh_copy(previous_output: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    src, out = previous_output
    shutil.copytree(out, tmp_path / "out")
    _small_corpus(tmp_path / "in", 5)  # the 3 pages of the previous run and 2 more
    return tmp_path / "in", tmp_path / "out"


@pytest.mark.parametrize("where", list(DISK_FULL))
def test_disk_full_is_a_clear_error_and_the_previous_output_stays(
        where: str, previous_output: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _fresh_copy(previous_output, tmp_path)
    before, files_before = tables(out), snapshot(out)
    with monkeypatch.context() as mp:
        DISK_FULL[where](mp, out)
        with pytest.raises(CorpusToolsError) as excinfo:
            ingest(src, out, IngestConfig(workers=1))
    message = str(excinfo.value)
    assert str(out) in message, message
    assert "No space left on device" in message, message
    assert snapshot(out) == files_before
    assert_same_tables(out, before)
    # once there is room again, the next run completes
    ingest(src, out, IngestConfig(workers=1))
    assert_consistent_without_duplicates(out)
    assert len(read_table(out, "documents")) == 5


def test_disk_full_through_the_cli_is_one_clear_line(previous_output: tuple[Path, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _fresh_copy(previous_output, tmp_path)
    files_before = snapshot(out)
    _parquet_writer_full(monkeypatch, out)
    result = CliRunner().invoke(cli, ["ingest", str(src), "--out", str(out), "--workers", "1", "-q"])
    assert isinstance(result.exception, SystemExit), "".join(traceback.format_exception(result.exception))
    assert result.exit_code == 1
    assert "Error:" in result.output and str(out) in result.output and "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == files_before


# --------------------------------------------------------------------------- read-only query


@pytest.fixture(scope="module")
def pristine_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("query")
    ingest(_small_corpus(base / "in", 2), base / "out", IngestConfig(workers=1))
    return base / "out"


@pytest.fixture
def tables_dir(pristine_tables: Path, tmp_path: Path) -> Path:
    """A copy of the tables per test, so that a query that gets through cannot spoil the others."""
    shutil.copytree(pristine_tables, tmp_path / "out")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text("name,salary\n张三,100\n", encoding="utf-8")
    return tmp_path / "out"


WRITES = {
    "insert": "INSERT INTO documents SELECT * FROM documents",
    "update": "UPDATE documents SET title = 'x'",
    "delete": "DELETE FROM documents",
    "create-table": "CREATE TABLE t AS SELECT * FROM documents",
    "create-macro": "CREATE MACRO m() AS 1",
    "drop-view": "DROP VIEW documents",
    "copy-out": "COPY documents TO '{outside}/leak.csv'",
    "copy-into-tables": "COPY (SELECT 1 AS x) TO '{out}/documents/part-99999.parquet' (FORMAT parquet)",
    "copy-after-select": "SELECT 1; COPY documents TO '{outside}/leak.csv'",
    "explain-analyze-copy-into-tables":
        "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{out}/documents/part-99999.parquet' (FORMAT parquet)",
    "explain-analyze-copy-out": "EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{outside}/leak.csv'",
    "export-database": "EXPORT DATABASE '{outside}/export'",
    "attach": "ATTACH '{outside}/evil.duckdb' AS evil",
    "install-extension": "INSTALL httpfs",
    "load-extension": "LOAD httpfs",
    "unlock-configuration": "SET enable_external_access = true",
    "pragma": "PRAGMA enable_profiling",
}
FILE_ACCESS = {
    "read-csv-etc-passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read-text-etc-passwd": "SELECT * FROM read_text('/etc/passwd')",
    "read-blob": "SELECT * FROM read_blob('/etc/hostname')",
    "glob-etc": "SELECT * FROM glob('/etc/*')",
    "sniff-csv": "SELECT * FROM sniff_csv('/etc/passwd')",
    "bare-path": "SELECT * FROM '/etc/passwd'",
    "csv-outside": "SELECT * FROM read_csv('{outside}/secret.csv')",
    "path-traversal": "SELECT * FROM read_csv('{out}/../outside/secret.csv')",
    "explain-read": "EXPLAIN ANALYZE SELECT * FROM read_csv('{outside}/secret.csv')",
    "url": "SELECT * FROM read_csv('https://example.com/x.csv')",
}


def _sql(template: str, out: Path) -> str:
    return template.format(out=out, outside=out.parent / "outside")


@pytest.mark.parametrize("name", list(WRITES))
def test_query_refuses_statements_that_write(name: str, tables_dir: Path) -> None:
    files_before = snapshot(tables_dir)
    outside_before = sorted(p.name for p in (tables_dir.parent / "outside").iterdir())
    with pytest.raises(QueryError):
        run_query(tables_dir, _sql(WRITES[name], tables_dir))
    assert snapshot(tables_dir) == files_before, "the query changed the tables folder"
    assert sorted(p.name for p in (tables_dir.parent / "outside").iterdir()) == outside_before
    assert run_query(tables_dir, "select count(*) as n from documents").n[0] == 2


@pytest.mark.parametrize("name", list(FILE_ACCESS))
def test_query_cannot_read_files_outside_the_tables(name: str, tables_dir: Path) -> None:
    with pytest.raises(QueryError) as excinfo:
        run_query(tables_dir, _sql(FILE_ACCESS[name], tables_dir))
    assert "root:" not in str(excinfo.value) and "salary" not in str(excinfo.value)


@pytest.mark.parametrize("sql", [
    "select count(*) as n from documents",
    "with t as (select doc_id from documents) select count(*) as n from t",
    "select count(*) as n from read_parquet('{out}/documents/*.parquet')",
    "from sentences select count(*) as n",
])
def test_query_still_reads_the_tables(sql: str, tables_dir: Path) -> None:
    assert run_query(tables_dir, _sql(sql, tables_dir)).n[0] >= 2


@pytest.mark.parametrize("name", ["copy-out", "explain-analyze-copy-into-tables", "read-csv-etc-passwd"])
def test_refused_queries_through_the_cli_exit_1_without_traceback(name: str, tables_dir: Path) -> None:
    sql = _sql({**WRITES, **FILE_ACCESS}[name], tables_dir)
    files_before = snapshot(tables_dir)
    result = CliRunner().invoke(cli, ["query", "--out", str(tables_dir), sql])
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "Traceback" not in result.output
    assert snapshot(tables_dir) == files_before
