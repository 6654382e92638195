"""Exports: CSV (UTF-8 with BOM), xlsx and Parquet round-trip Chinese text, numbers and nulls."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from corpus_tools.cli_report import export as export_command
from corpus_tools.export import (
    EXCEL_CELL_LIMIT,
    ExportError,
    export_tables,
    read_for_export,
)
from corpus_tools.store import write_tables

LONG_TEXT = "工会" * 20_000  # 40,000 characters: more than an Excel cell holds
FORMULA_LIKE = "=HYPERLINK(\"http://example.invalid\",\"点击\")"


def _doc(doc_id: str, index: int, title: str | None, text: str, **extra) -> dict:
    row = {"doc_id": doc_id, "source_file": "页面/一.txt", "report_index": index, "title": title, "text": text,
           "source_start": 0, "source_end": len(text), "sector": "hospital", "sector_confidence": 0.875,
           "genre": "work_report", "genre_confidence": None, "years": ["20xx年", "2019年"], "unit": "某医院工会",
           "regions": [], "duplicate_of": None, "n_chars": len(text)}
    row.update(extra)
    return row


@pytest.fixture()
def tables(tmp_path):
    out = tmp_path / "tables"
    write_tables(out, {
        "documents": [
            _doc("d1", 1, "医院工会工作报告，“职工之家”", "全年发放慰问金3,000元。\n第二行：xx万元", unit="某医院\x0c工会"),
            _doc("d2", 2, FORMULA_LIKE, LONG_TEXT, unit=None, years=None, sector=None, sector_confidence=None),
        ],
        "amounts": [
            {"doc_id": "d1", "start": 8, "end": 14, "text": "3,000元", "value_yuan": 3000.0, "approx": False,
             "masked": False, "purpose": "慰问金", "section_id": 2},
            {"doc_id": "d1", "start": 19, "end": 23, "text": "xx万元", "value_yuan": None, "approx": False,
             "masked": True, "purpose": None, "section_id": None},
            {"doc_id": "d1", "start": 0, "end": 5, "text": "10万余元", "value_yuan": 100000.5, "approx": True,
             "masked": False, "purpose": "奖金", "section_id": 12345678901},
        ],
    })
    return out


def test_csv_has_a_bom_and_round_trips_chinese_text_numbers_and_nulls(tables):
    result = export_tables(tables, "csv")
    assert result.folder == tables / "exports"
    assert {p.name for p in result.paths} == {"documents.csv", "amounts.csv"}
    raw = (tables / "exports" / "amounts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "慰问金".encode() in raw
    back = pd.read_csv(tables / "exports" / "amounts.csv", encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""])
    assert back["text"].tolist() == ["3,000元", "xx万元", "10万余元"]
    assert back["value_yuan"].tolist()[0] == 3000.0 and pd.isna(back["value_yuan"][1])
    assert back["value_yuan"][2] == 100000.5
    # nullable integers stay integers: 2, not 2.0
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[1].endswith(",慰问金,2") and lines[3].endswith(",奖金,12345678901")
    docs = pd.read_csv(tables / "exports" / "documents.csv", encoding="utf-8-sig")
    assert docs.loc[0, "text"] == "全年发放慰问金3,000元。\n第二行：xx万元"
    assert docs.loc[0, "years"] == '["20xx年", "2019年"]'
    assert len(docs.loc[1, "text"]) == len(LONG_TEXT)  # CSV keeps the full text


def test_xlsx_has_a_sheet_per_table_with_chinese_and_numbers_intact(tables):
    result = export_tables(tables, "xlsx", to=tables / "out")
    (path,) = result.paths
    assert path == tables / "out" / "tables.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["README", "documents", "amounts"]
    amounts = list(wb["amounts"].values)
    assert amounts[0][:5] == ("doc_id", "start", "end", "text", "value_yuan")
    assert amounts[1][3] == "3,000元" and amounts[1][4] == 3000.0 and isinstance(amounts[1][1], int)
    assert amounts[2][4] is None and amounts[2][6] is True and amounts[2][7] is None
    assert amounts[3][4] == 100000.5 and amounts[3][8] == 12345678901
    docs = {row[0]: row for row in list(wb["documents"].values)[1:]}
    assert docs["d1"][4] == "全年发放慰问金3,000元。\n第二行：xx万元"
    assert docs["d1"][7] == "hospital" and docs["d1"][8] == 0.875


def test_xlsx_cuts_cells_longer_than_excel_allows_and_says_so(tables):
    result = export_tables(tables, "xlsx")
    (cut,) = result.truncations
    assert (cut.table, cut.column, cut.cells, cut.longest) == ("documents", "text", 1, len(LONG_TEXT))
    assert any("documents.text" in note and "cut" in note for note in result.notes)
    wb = load_workbook(result.paths[0])
    text = {row[0]: row[4] for row in list(wb["documents"].values)[1:]}["d2"]
    assert len(text) <= EXCEL_CELL_LIMIT and text.startswith("工会工会")
    assert "40,000 characters" in text and "CSV/Parquet" in text
    readme = "\n".join(str(c) for row in wb["README"].values for c in row if c)
    assert "documents.text" in readme and "value_yuan" in readme  # notes and the column reference


def test_xlsx_replaces_control_characters_excel_cannot_store_and_says_so(tables):
    result = export_tables(tables, "xlsx")
    assert any("documents.unit" in note and "U+FFFD" in note for note in result.notes)
    wb = load_workbook(result.paths[0])
    assert {row[0]: row[12] for row in list(wb["documents"].values)[1:]}["d1"] == "某医院\ufffd工会"
    csv = export_tables(tables, "csv")
    assert "某医院\x0c工会" in (csv.folder / "documents.csv").read_text(encoding="utf-8-sig")


def test_xlsx_keeps_scraped_text_that_looks_like_a_formula_as_text(tables):
    wb = load_workbook(export_tables(tables, "xlsx").paths[0])
    cell = next(row[3] for row in wb["documents"].iter_rows(min_row=2) if row[0].value == "d2")
    assert cell.value == FORMULA_LIKE and cell.data_type == "s"


def test_parquet_export_copies_tables_and_never_overwrites_the_tables_themselves(tables):
    result = export_tables(tables, "parquet", tables=["amounts"])
    assert [p.name for p in result.paths] == ["amounts.parquet"]
    assert pq.read_table(result.paths[0]).equals(pq.read_table(tables / "amounts.parquet"))
    with pytest.raises(ExportError, match="overwrite"):
        export_tables(tables, "parquet", to=tables)


def test_unknown_tables_and_formats_are_clear_errors(tables, tmp_path):
    with pytest.raises(ExportError, match="no table 'topics'.*present: documents, amounts"):
        export_tables(tables, "csv", tables=["topics"])
    with pytest.raises(ExportError, match="format"):
        export_tables(tables, "ods")
    with pytest.raises(ExportError, match="corpus-tools ingest"):
        export_tables(tmp_path / "empty", "csv")


def test_export_command_writes_the_named_tables_where_asked(tables, tmp_path):
    dest = tmp_path / "paper data"
    result = CliRunner().invoke(export_command, ["--out", str(tables), "--format", "xlsx", "--table", "documents",
                                                 "--to", str(dest)])
    assert result.exit_code == 0, result.output
    assert "1 tables, 2 rows exported as xlsx" in result.stdout
    assert "note: documents.text: 1 cell(s) longer than Excel" in result.output
    assert load_workbook(dest / "tables.xlsx").sheetnames == ["README", "documents"]
    csv = CliRunner().invoke(export_command, ["--out", str(tables)])
    assert csv.exit_code == 0 and (tables / "exports" / "amounts.csv").is_file()
    bad = CliRunner().invoke(export_command, ["--out", str(tables), "--table", "nope"])
    assert bad.exit_code != 0 and "no table 'nope'" in bad.output


def test_list_columns_are_json_text_for_flat_formats(tables):
    df = read_for_export(tables, "documents")
    assert df.loc[0, "years"] == '["20xx年", "2019年"]' and df.loc[0, "regions"] == "[]"
    assert pd.isna(df.loc[1, "years"])
