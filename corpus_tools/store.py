"""The store: Parquet tables plus a DuckDB database file with one view per table.

Ingest tables are partitioned: ``<out>/<table>/part-NNNNN.parquet``, one file per bucket of
source files, so a rerun rewrites only the buckets whose files changed and workers write their
partitions directly. Everything is written to a staging folder inside the output folder first;
a journal then lists the moves that publish it, so an interrupted run either leaves the previous
output as it was or is completed by the next run. Tables written by other commands (topics …)
are single files, ``<out>/<table>.parquet``, replaced atomically.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from .records import CorpusToolsError
from .schema import TABLES, to_arrow

if TYPE_CHECKING:  # pandas is imported by the readers that return DataFrames
    import pandas as pd

log = logging.getLogger(__name__)

DB_FILE = "corpus.duckdb"
STAGING_PREFIX = ".staging-"
JOURNAL = ".journal.json"


class StoreError(CorpusToolsError):
    """The output folder could not be written or read."""


def table_path(out_dir: Path, name: str) -> Path | None:
    """Where table ``name`` lives in ``out_dir`` (``name.parquet`` or ``name/*.parquet``), if anywhere."""
    single = Path(out_dir) / f"{name}.parquet"
    if single.is_file():
        return single
    folder = Path(out_dir) / name
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return folder
    return None


def existing_tables(out_dir: Path) -> list[str]:
    """Names of the tables present in ``out_dir``, contract tables first."""
    out_dir = Path(out_dir)
    found = [n for n in TABLES if table_path(out_dir, n)]
    if out_dir.is_dir():
        for p in sorted(out_dir.glob("*.parquet")):
            if p.stem not in found:
                found.append(p.stem)
    return found


def read_table(out_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a stored table into pandas."""
    path = table_path(Path(out_dir), name)
    if path is None:
        raise StoreError(f"no table {name!r} in {out_dir} (run `corpus-tools ingest` first)")
    return pq.read_table(path, columns=columns).to_pandas()


def write_tables(out_dir: Path, tables: Mapping[str, pa.Table | list[dict]]) -> list[Path]:
    """Write tables atomically into ``out_dir`` and refresh the DuckDB views.

    Rows given as lists of dicts are validated against the schema module first.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from exc
    arrow = {name: (to_arrow(name, t) if isinstance(t, list) else t) for name, t in tables.items()}
    staging = out_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    written = []
    try:
        staging.mkdir()
        for name, table in arrow.items():
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
        for name in arrow:
            target = out_dir / f"{name}.parquet"
            folder = out_dir / name
            if folder.is_dir():
                shutil.rmtree(folder)
            os.replace(staging / f"{name}.parquet", target)
            written.append(target)
    except OSError as exc:
        raise StoreError(f"cannot write tables to {out_dir}: {exc.strerror or exc}; previous output left as it was") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    refresh_database(out_dir)
    return written


def remove_stale_staging(out_dir: Path) -> None:
    """Delete staging folders left behind by interrupted runs."""
    for p in Path(out_dir).glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(p, ignore_errors=True)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def view_sql(out_dir: Path, name: str) -> str:
    path = table_path(out_dir, name)
    assert path is not None
    target = str(path.resolve()) if path.is_file() else str(path.resolve() / "*.parquet")
    return f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet({_sql_str(target)})'


def refresh_database(out_dir: Path, names: Iterable[str] | None = None) -> Path:
    """(Re)create ``corpus.duckdb`` in ``out_dir`` with a view over every stored table."""
    out_dir = Path(out_dir)
    names = list(names) if names is not None else existing_tables(out_dir)
    import duckdb  # here, not at start-up: a rerun with nothing to do never writes the database

    tmp = out_dir / f".{DB_FILE}.{uuid.uuid4().hex[:8]}"
    try:
        con = duckdb.connect(str(tmp))
        try:
            for name in names:
                con.execute(view_sql(out_dir, name))
        finally:
            con.close()
        os.replace(tmp, out_dir / DB_FILE)
    except (OSError, duckdb.Error) as exc:
        raise StoreError(f"cannot write {out_dir / DB_FILE}: {exc}") from exc
    finally:
        for p in (tmp, Path(str(tmp) + ".wal")):
            if p.exists():
                p.unlink()
    return out_dir / DB_FILE


# -- partitioned tables ---------------------------------------------------------------------------
def partition_file(root: Path, table: str, bucket: int) -> Path:
    return Path(root) / table / f"part-{bucket:05d}.parquet"


def write_partition(root: Path, table: str, bucket: int, rows: pa.Table | list[dict]) -> Path:
    """Write one partition of ``table`` under ``root`` (a staging folder), validating rows."""
    data = to_arrow(table, rows) if isinstance(rows, list) else rows
    path = partition_file(root, table, bucket)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(data, path, compression="zstd")
    except OSError as exc:
        out_dir = Path(root).parent if Path(root).name.startswith(STAGING_PREFIX) else Path(root)
        raise StoreError(f"cannot write tables to {out_dir}: {exc.strerror or exc}; "
                         "previous output left as it was") from exc
    return path


def read_partition(out_dir: Path, table: str, bucket: int, columns: list[str] | None = None) -> pa.Table | None:
    path = partition_file(out_dir, table, bucket)
    if not path.is_file():
        return None
    # one file: ParquetFile reads it without the dataset layer (which imports pandas, ~0.3 s)
    return pq.ParquetFile(path).read(columns=columns)


def partition_buckets(out_dir: Path, table: str) -> list[int]:
    folder = Path(out_dir) / table
    if not folder.is_dir():
        return []
    return sorted(int(p.stem.split("-")[1]) for p in folder.glob("part-*.parquet"))


def new_staging(out_dir: Path) -> Path:
    staging = Path(out_dir) / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    return staging


def commit_staging(out_dir: Path, staging: Path, delete: list[Path] = ()) -> None:
    """Publish every file under ``staging`` into ``out_dir`` (same relative paths) and delete
    ``delete``; a journal makes the publication complete even if the process dies half-way."""
    out_dir, staging = Path(out_dir), Path(staging)
    moves = [[str(p), str(out_dir / p.relative_to(staging))] for p in sorted(staging.rglob("*")) if p.is_file()]
    journal = {"moves": moves, "delete": [str(p) for p in delete], "staging": str(staging)}
    tmp = out_dir / f"{JOURNAL}.tmp"
    try:
        tmp.write_text(json.dumps(journal), encoding="utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out_dir / JOURNAL)
    except OSError as exc:
        raise StoreError(f"cannot write tables to {out_dir}: {exc.strerror or exc}; previous output left as it was") from exc
    _apply_journal(out_dir)


def _apply_journal(out_dir: Path) -> None:
    path = Path(out_dir) / JOURNAL
    journal = json.loads(path.read_text(encoding="utf-8"))
    try:
        for src, dst in journal["moves"]:
            if os.path.exists(src):
                Path(dst).parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
        for p in journal["delete"]:
            q = Path(p)
            if q.is_dir():
                shutil.rmtree(q, ignore_errors=True)
            elif q.exists():
                q.unlink()
    except OSError as exc:
        raise StoreError(f"cannot publish tables in {out_dir}: {exc.strerror or exc}; rerun to complete") from exc
    shutil.rmtree(journal.get("staging", ""), ignore_errors=True) if journal.get("staging") else None
    path.unlink()


def recover(out_dir: Path) -> bool:
    """Finish a publication an interrupted run started, and drop abandoned staging folders.

    Returns True when an interrupted publication was completed.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return False
    done = False
    if (out_dir / JOURNAL).is_file():
        _apply_journal(out_dir)
        done = True
    (out_dir / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    remove_stale_staging(out_dir)
    return done
