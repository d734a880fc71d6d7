"""Workbook formulas, duplicate headers and over-long CSV lines at import."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file, preview_file
from kpi_core.sales import won_value


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def load(path: Path):
    return load_file(path.name, path.read_bytes(), table="deals")


DEAL_HEADER = ["Deal ID", "Stage", "Created", "Amount"]


def test_formula_without_result_rejected(tmp_path):
    # openpyxl saves "=100*2" without its result, so the cell would be empty.
    path = write_xlsx(
        tmp_path / "formula.xlsx",
        [
            DEAL_HEADER,
            ["F1", "Won", "2025-01-10", "=100*2"],
            ["F2", "Won", "2025-01-10", 300],
        ],
    )
    with pytest.raises(UnreadableFileError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith("formula.xlsx, sheet 'Sheet', line 2, column 'Amount': ")
    assert "the formula in cell D2 has no saved result" in message
    assert "open the workbook in Excel or LibreOffice, save it" in message


def test_saved_formula_results_read(tmp_path):
    # A workbook saved by Excel keeps each formula's result in <v>; the
    # empty text result of a t="str" cell counts as saved.
    path = write_xlsx(
        tmp_path / "saved.xlsx",
        [DEAL_HEADER, ["F1", "Won", "2025-01-10", 1], ["F2", "Won", "2025-01-10", 300]],
    )
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = members[sheet].decode()
    xml = xml.replace(
        '<c r="D2" t="n"><v>1</v></c>', '<c r="D2"><f>100*2</f><v>200</v></c>'
    )
    xml = xml.replace(
        '<c r="B3" t="inlineStr"><is><t>Won</t></is></c>',
        '<c r="B3" t="inlineStr"><is><t>Won</t></is></c>'
        '<c r="E3" t="str"><f>""</f><v></v></c>',
    )
    assert "<f>100*2</f>" in xml
    assert '<c r="E3" t="str">' in xml
    members[sheet] = xml.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    prepared = load_file("saved.xlsx", buffer.getvalue(), table="deals")
    assert prepared.problems == ()
    # 200 + 300 = 500.
    assert won_value(prepared.frame).value == pytest.approx(500.0)


def test_duplicate_csv_header_warned(tmp_path):
    path = tmp_path / "dup_headers.csv"
    path.write_text(
        "Deal ID,Stage,Created,Amount,Amount\n"
        "A1,Won,2025-01-01,10,20\n"
        "A2,Lost,2025-01-02,30,40\n",
        encoding="utf-8",
    )
    prepared = load(path)
    assert prepared.mapping.columns["amount"] == "Amount"
    assert prepared.frame["amount"].to_list() == [10.0, 30.0]
    notes = load_notes(path)
    assert (
        "warning: the header 'Amount' occurs in columns 4 and 5; the column "
        "mapping guesses the first, and the others are named 'Amount (2)' and "
        "so on. Check that the mapping uses the right one"
    ) in notes


def test_duplicate_xlsx_header_warned(tmp_path):
    path = write_xlsx(
        tmp_path / "dup.xlsx",
        [["Deal ID", "Stage", "Created", "Stage"], ["D1", "Won", "2025-01-01", "Lost"]],
    )
    notes = load_notes(path)
    assert any("the header 'Stage' occurs in columns 2 and 4" in n for n in notes)


def load_notes(path: Path) -> tuple[str, ...]:
    return preview_file(path.name, path.read_bytes()).raw.info.notes


def test_long_line_rejected(tmp_path):
    path = tmp_path / "formula_rows.csv"
    path.write_text(
        "Deal ID,Stage,Created,Closed,Amount,Owner\n"
        'R1,Won,2025-01-10,2025-02-01,=HYPERLINK("http://evil.example","x"),Anna\n'
        "R2,Won,2025-01-10,2025-02-01,100,Ben\n"
        "R3,Lost,2025-01-10,2025-02-01,50,Anna\n",
        encoding="utf-8",
    )
    prepared = load(path)
    assert "column_7" not in prepared.mapping.columns.values()
    assert prepared.rows_read == 3
    assert prepared.frame["_line"].to_list() == [3, 4]
    assert prepared.frame["owner"].to_list() == ["Ben", "Anna"]
    first = prepared.problems[0]
    assert first.lines == (2,)
    assert first.describe() == (
        "1 row with more fields than the header (line 2 has 7 fields, the header "
        "has 6; put quotes around values that contain the delimiter) (line 2)"
    )
    assert prepared.rejected["_line"].to_list() == [2]
    # Only deal R2 is won: 100.
    assert won_value(prepared.frame).value == pytest.approx(100.0)


def test_long_line_named_once(tmp_path):
    # "Bob, Jr" shifts the stage, date and amount of line 3 one field on, so
    # the line is left out and not also named for an invalid date or amount.
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Owner,Stage,Created,Amount\n"
        "D1,Alice,Won,2025-01-02,100\n"
        "D2,Bob, Jr,Won,2025-01-03,200\n"
        "D3,Carl,Lost,2025-01-04,300\n",
        encoding="utf-8",
    )
    prepared = load(path)
    assert [problem.lines for problem in prepared.problems] == [(3,)]
    assert "more fields than the header" in prepared.problems[0].kind


def test_many_long_lines_reject_file(tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text(
        "Deal ID,Stage,Created,Amount\n"
        "1,Won,2025-01-10,100,extra\n"
        "2,Won,2025-01-11,200,extra\n"
        "3,Won,2025-01-12,300\n",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableFileError) as caught:
        load(path)
    assert str(caught.value) == (
        "shifted.csv: 2 of 3 lines have more fields than the header (line 2 has "
        "5 fields, the header has 4); check the delimiter, and put quotes around "
        "values that contain it"
    )


def test_trailing_empty_fields_accepted(tmp_path):
    # An empty field after the last header is no extra value.
    path = tmp_path / "trailing.csv"
    path.write_text(
        "Deal ID,Stage,Created,Amount\n1,Won,2025-01-10,100,\n2,Lost,2025-01-11,5,\n",
        encoding="utf-8",
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [100.0, 5.0]
