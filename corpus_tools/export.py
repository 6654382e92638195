"""Export the tables for spreadsheets and other tools: CSV, Excel (xlsx) or Parquet.

- CSV: one ``<table>.csv`` per table, UTF-8 *with* a byte-order mark so Excel and WPS read the
  Chinese correctly; list columns (``years``, ``regions``) as JSON arrays; nulls empty;
  nullable integers stay integers (no ``3.0``).
- xlsx: one workbook ``tables.xlsx`` with a ``README`` sheet (row counts, notes, the meaning
  of every column from the schema module) and one sheet per table, header frozen. Excel holds
  at most 32,767 characters in a cell: longer text (``documents.text`` of long reports) is cut
  and ends with a marker saying how much was cut; every cut is listed in the README sheet and
  in the result, and the CSV and Parquet exports keep the full text. A table longer than
  Excel's 1,048,576 rows continues on sheets ``name_2``, ``name_3`` … Text is always stored as
  text, never as a formula, whatever it starts with (scraped pages are untrusted input).
- parquet: a single-file copy of each table (partitioned tables are combined).

Files go into ``<tables folder>/exports/`` unless another folder is given.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .records import CorpusToolsError
from .schema import SCHEMA_VERSION, TABLES
from .store import existing_tables, table_path

if TYPE_CHECKING:  # pandas is imported where it is used: the CLI starts without it
    import pandas as pd

__all__ = [
    "EXCEL_CELL_LIMIT",
    "EXCEL_MAX_ROWS",
    "FORMATS",
    "ExportError",
    "ExportResult",
    "Truncation",
    "default_export_dir",
    "export_tables",
    "read_for_export",
    "truncate_for_excel",
]

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "parquet")
EXCEL_CELL_LIMIT = 32_767
EXCEL_MAX_ROWS = 1_048_576
WORKBOOK_NAME = "tables.xlsx"
EXPORT_SUBDIR = "exports"
TRUNCATION_MARKER = "…[cut by corpus-tools: {total:,} characters, Excel keeps {limit:,}; full text in the CSV/Parquet export]"


class ExportError(CorpusToolsError):
    """An export could not be written (unknown table or format, unwritable folder)."""


@dataclass(frozen=True)
class Truncation:
    """Cells of ``table.column`` cut to fit Excel's cell limit."""

    table: str
    column: str
    cells: int
    longest: int


@dataclass(frozen=True)
class ExportResult:
    """What ``export_tables`` wrote."""

    format: str
    folder: Path
    paths: tuple[Path, ...]
    rows: dict[str, int]
    truncations: tuple[Truncation, ...] = ()
    notes: tuple[str, ...] = field(default=())


def default_export_dir(out_dir: Path) -> Path:
    """Where exports go by default: ``<tables folder>/exports``."""
    return Path(out_dir) / EXPORT_SUBDIR


def _nullable_types(arrow_type: pa.DataType):
    import pandas as pd

    # keep integers and booleans with nulls as integers/booleans (pandas would make them floats/objects)
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def read_for_export(out_dir: Path, name: str) -> pd.DataFrame:
    """Table ``name`` as a DataFrame ready for flat formats: lists as JSON text, nullable ints kept."""
    path = table_path(Path(out_dir), name)
    if path is None:
        raise ExportError(f"no table {name!r} in {out_dir}")
    table = pq.read_table(path)
    df = table.to_pandas(types_mapper=_nullable_types)
    for col, arrow_type in zip(table.column_names, table.schema.types, strict=True):
        if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_struct(arrow_type):
            df[col] = [None if v is None else json.dumps(_plain(v), ensure_ascii=False) for v in df[col]]
    return df


def _plain(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def truncate_for_excel(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters, ending with a marker when cut.

    Examples
    --------
    >>> short = truncate_for_excel("工会" * 10, limit=120)
    >>> short == "工会" * 10
    True
    >>> cut = truncate_for_excel("工会" * 100, limit=120)
    >>> len(cut) <= 120 and cut.startswith("工会工会") and "200 characters" in cut
    True
    """
    if len(text) <= limit:
        return text
    marker = TRUNCATION_MARKER.format(total=len(text), limit=limit)
    return text[: limit - len(marker)] + marker


def _resolve_tables(out_dir: Path, tables: Sequence[str] | None) -> list[str]:
    present = existing_tables(out_dir)
    if not present:
        raise ExportError(f"no tables in {out_dir} (run `corpus-tools ingest` first, or pass --out)")
    if not tables:
        return present
    unknown = [t for t in tables if t not in present]
    if unknown:
        raise ExportError(f"no table {', '.join(map(repr, unknown))} in {out_dir}; present: {', '.join(present)}")
    return list(dict.fromkeys(tables))


def export_tables(out_dir: Path, fmt: str, *, tables: Sequence[str] | None = None,
                  to: Path | None = None) -> ExportResult:
    """Export tables of ``out_dir`` as ``csv``, ``xlsx`` or ``parquet``.

    Parameters
    ----------
    tables
        Table names (default: every table in the folder).
    to
        Destination folder (default ``<out_dir>/exports``); created if missing.

    Examples
    --------
    >>> res = export_tables(Path("data/processed"), "xlsx")   # doctest: +SKIP
    >>> res.paths                                             # doctest: +SKIP
    (PosixPath('data/processed/exports/tables.xlsx'),)
    """
    out_dir = Path(out_dir)
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    names = _resolve_tables(out_dir, tables)
    folder = Path(to) if to is not None else default_export_dir(out_dir)
    if fmt == "parquet" and folder.resolve() == out_dir.resolve():
        raise ExportError(f"refusing to export Parquet into the tables folder itself ({out_dir}): "
                          "it would overwrite the tables; choose another --to")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror or exc}") from exc
    try:
        if fmt == "csv":
            return _export_csv(out_dir, names, folder)
        if fmt == "parquet":
            return _export_parquet(out_dir, names, folder)
        return _export_xlsx(out_dir, names, folder)
    except OSError as exc:
        raise ExportError(f"cannot write to {folder}: {exc.strerror or exc}") from exc


def _export_csv(out_dir: Path, names: list[str], folder: Path) -> ExportResult:
    paths, rows = [], {}
    for name in names:
        df = read_for_export(out_dir, name)
        path = folder / f"{name}.csv"
        df.to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
        rows[name] = len(df)
    return ExportResult("csv", folder, tuple(paths), rows)


def _export_parquet(out_dir: Path, names: list[str], folder: Path) -> ExportResult:
    paths, rows = [], {}
    for name in names:
        src = table_path(out_dir, name)
        assert src is not None
        table = pq.read_table(src)
        path = folder / f"{name}.parquet"
        pq.write_table(table, path, compression="zstd")
        paths.append(path)
        rows[name] = table.num_rows
    return ExportResult("parquet", folder, tuple(paths), rows)


def _excel_value(value):
    """A value openpyxl can store: None for nulls, Python scalars for numpy ones."""
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _text_cell(ws, value: str, col: str, cut: dict[str, list[int]], replaced: dict[str, int], cell_class,
               illegal):
    """A text cell: control characters replaced, cut to Excel's limit, and never a formula."""
    clean, n = illegal.subn("\ufffd", value)
    if n:  # control characters Excel cannot store
        replaced[col] = replaced.get(col, 0) + 1
    if len(clean) > EXCEL_CELL_LIMIT:
        cut.setdefault(col, []).append(len(clean))
        clean = truncate_for_excel(clean)
    cell = cell_class(ws, clean)
    cell.data_type = "s"  # "=…" stays text: no formula from scraped input
    return cell


def _export_xlsx(out_dir: Path, names: list[str], folder: Path) -> ExportResult:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    readme = wb.create_sheet("README")
    truncations: list[Truncation] = []
    notes: list[str] = []
    rows: dict[str, int] = {}
    sheets: dict[str, list[str]] = {}
    bold = Font(bold=True)

    for name in names:
        df = read_for_export(out_dir, name)
        rows[name] = len(df)
        columns = list(df.columns)
        cut: dict[str, list[int]] = {}
        replaced: dict[str, int] = {}
        n_parts = max(1, math.ceil(len(df) / (EXCEL_MAX_ROWS - 1)))
        sheets[name] = []
        for part in range(n_parts):
            title = name[:31] if part == 0 else f"{name[:27]}_{part + 1}"
            ws = wb.create_sheet(title)
            sheets[name].append(title)
            ws.freeze_panes = "A2"
            for i, col in enumerate(columns):
                ws.column_dimensions[_column_letter(i)].width = _column_width(df[col], col)
            header = []
            for col in columns:
                cell = WriteOnlyCell(ws, col)
                cell.font = bold
                header.append(cell)
            ws.append(header)

            chunk = df.iloc[part * (EXCEL_MAX_ROWS - 1):(part + 1) * (EXCEL_MAX_ROWS - 1)]
            for record in chunk.itertuples(index=False, name=None):
                row = []
                for value, col in zip(record, columns, strict=True):
                    v = _excel_value(value)
                    if isinstance(v, str):
                        v = _text_cell(ws, v, col, cut, replaced, WriteOnlyCell, ILLEGAL_CHARACTERS_RE)
                    row.append(v)
                ws.append(row)
        for col, lengths in cut.items():
            truncations.append(Truncation(name, col, len(lengths), max(lengths)))
            notes.append(f"{name}.{col}: {len(lengths)} cell(s) longer than Excel's {EXCEL_CELL_LIMIT:,}-character "
                         f"limit were cut (longest {max(lengths):,}); the CSV and Parquet exports keep the full text")
        for col, n in replaced.items():
            notes.append(f"{name}.{col}: control characters Excel cannot store were replaced by U+FFFD in {n} cell(s)")
        if len(sheets[name]) > 1:
            notes.append(f"{name}: {len(df):,} rows continue over sheets {', '.join(sheets[name])}")

    _write_readme(readme, names, rows, sheets, notes, bold, WriteOnlyCell)
    path = folder / WORKBOOK_NAME
    wb.save(path)
    for note in notes:
        log.info("xlsx export: %s", note)
    return ExportResult("xlsx", folder, (path,), rows, tuple(truncations), tuple(notes))


def _write_readme(ws, names, rows, sheets, notes, bold, cell_class) -> None:
    def heading(text: str):
        cell = cell_class(ws, text)
        cell.font = bold
        return cell

    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 90
    ws.append([heading(f"corpus-tools {__version__} export (schema version {SCHEMA_VERSION})")])
    ws.append(["One sheet per table; every row can be traced to its report with doc_id and start/end offsets "
               "into documents.text."])
    ws.append([])
    ws.append([heading("table"), heading("rows"), heading("sheet(s)"), heading("what it holds")])
    for name in names:
        doc = TABLES[name].doc if name in TABLES else ""
        ws.append([name, rows[name], ", ".join(sheets[name]), doc])
    if notes:
        ws.append([])
        ws.append([heading("notes")])
        for note in notes:
            ws.append([note])
    ws.append([])
    ws.append([heading("table"), heading("column"), heading("type"), heading("meaning")])
    for name in names:
        if name not in TABLES:
            continue
        for col in TABLES[name].columns:
            ws.append([name, col.name, str(col.type), col.doc])


def _column_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _column_width(series: pd.Series, name: str) -> float:
    sample = series.dropna().head(50)
    longest = max([len(str(v)) for v in sample] + [len(name)])
    wide = any(ord(ch) > 0x2E80 for v in sample.head(5) for ch in str(v)[:20])
    return float(min(60, max(8, longest * (2 if wide else 1) + 2)))
