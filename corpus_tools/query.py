"""Read-only SQL over the stored tables (DuckDB).

Each table is a view over its Parquet file. Only SELECT-like statements run; file access is
limited to the tables folder and the configuration is locked, so a query can neither write nor
read files outside the tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from .records import CorpusToolsError
from .store import existing_tables, view_sql

ALLOWED = {"SELECT", "EXPLAIN"}


class QueryError(CorpusToolsError):
    """A query was refused or failed."""


def connect_readonly(out_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per stored table and file access locked down."""
    out_dir = Path(out_dir)
    names = existing_tables(out_dir)
    if not names:
        raise QueryError(f"no tables in {out_dir} (run `corpus-tools ingest` first, or pass --out)")
    con = duckdb.connect(":memory:")
    for name in names:
        con.execute(view_sql(out_dir, name))
    root = str(out_dir.resolve())
    con.execute(f"SET allowed_directories=['{root.replace(chr(39), chr(39) * 2)}/']")
    con.execute("SET enable_external_access=false")
    con.execute("SET lock_configuration=true")
    return con


def check_readonly(sql: str) -> None:
    """Refuse statements that are not plain reads."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"cannot parse SQL: {exc}") from exc
    if not statements:
        raise QueryError("no SQL statement given")
    for st in statements:
        kind = st.type.name
        if kind == "EXPLAIN" and re.match(r"\s*explain\s+analy[sz]e\b", st.query, re.I):
            kind = "EXPLAIN ANALYZE"  # runs the statement it explains
        if kind not in ALLOWED:
            raise QueryError(
                f"refused: {kind} statements are not allowed; `corpus-tools query` is read-only "
                "(use SELECT; to save results use --format csv/json and redirect, or `corpus-tools export`)"
            )


def run_query(out_dir: Path, sql: str) -> pd.DataFrame:
    """Run read-only SQL against the tables in ``out_dir``; returns the last statement's result.

    Examples
    --------
    >>> run_query(Path("data/processed"), "select count(*) as n from documents")  # doctest: +SKIP
    """
    check_readonly(sql)
    con = connect_readonly(Path(out_dir))
    try:
        result = None
        for st in duckdb.extract_statements(sql):
            result = con.execute(st.query).df()
        assert result is not None
        return result
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
