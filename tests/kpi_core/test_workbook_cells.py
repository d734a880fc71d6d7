"""What a hand-kept workbook hides from the text grid: number cells beside
amounts typed as text, Excel error cells, hidden rows and columns, and a
first sheet without a table."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kpi_core.errors import EmptyDataError, MissingColumnError
from kpi_core.importing import load_file
from kpi_core.reading import read_table
from kpi_core.report import ReportOptions, build_report
from kpi_core.values import parse_money, parse_numbers_detecting_mark

HEADER = ["Deal ID", "Stage", "Created", "Amount"]
EURO = "#,##0.00 [$€-407]"


def _save(book: Workbook, path: Path) -> Path:
    book.save(path)
    return path


def _deals(path: Path, amounts: list[object], number_format: str | None = None):
    """Write one won deal per amount on the sheet "Deals", rows 2 on."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(HEADER)
    for index, amount in enumerate(amounts, start=1):
        sheet.append([f"D{index}", "Won", "2025-01-02", amount])
        if number_format and not isinstance(amount, str):
            sheet.cell(row=index + 1, column=4).number_format = number_format
    return _save(book, path)


def _amounts(path: Path) -> dict[int, float | None]:
    table = load_file(path.name, path.read_bytes(), table="deals")
    return dict(zip(table.frame["_line"], table.frame["amount"], strict=True))


# Number cells beside amounts typed as text.


def test_text_amount_among_number_cells(tmp_path):
    # The number cells read "1500.25" and "980.5", which counted for the
    # point; the typed "1.234,56" can only have a decimal comma.
    path = _deals(tmp_path / "deals.xlsx", [1500.25, "1.234,56", 980.5])
    amounts = _amounts(path)
    assert amounts[2] == 1500.25
    assert amounts[3] == 1234.56
    assert amounts[4] == 980.5


def test_euro_text_among_euro_cells(tmp_path):
    path = _deals(tmp_path / "deals.xlsx", ["1.234,56 €", 1231.25, 1962.5], EURO)
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["amount"].to_list() == [1234.56, 1231.25, 1962.5]
    assert table.frame["currency"].to_list() == ["EUR", "EUR", "EUR"]
    assert table.problems == ()


def test_number_cells_keep_point_under_comma(tmp_path):
    # "12,5" and "7,25" settle the comma; the number cell 1.234 (one and a
    # bit) must not turn into 1234.
    path = _deals(tmp_path / "deals.xlsx", ["12,5", 1.234, "7,25"])
    amounts = _amounts(path)
    assert amounts[2] == 12.5
    assert amounts[3] == 1.234
    assert amounts[4] == 7.25


def test_money_split_by_number_cells():
    values = pl.Series("Amount", ["1500.25", "1.234,56 €", "980.5"])
    stored = pl.Series([True, False, True])
    parsed = parse_money(values, ".", stored)
    assert parsed.numbers.to_list() == [1500.25, 1234.56, 980.5]
    assert parsed.mark == ","


def test_money_without_number_cells_unchanged():
    # A CSV has no number cells: the two "." values outvote the one ",".
    values = pl.Series("Amount", ["1500.25", "1.234,56 €", "980.5"])
    parsed = parse_money(values, ".")
    assert parsed.numbers.to_list() == [1500.25, None, 980.5]
    assert parsed.mark == "."


def test_numbers_split_by_number_cells():
    values = pl.Series("Hours", ["2.5", "3,75", None])
    stored = pl.Series([True, False, False])
    numbers, mark = parse_numbers_detecting_mark(values, ".", stored)
    assert numbers.to_list() == [2.5, 3.75, None]
    assert mark == ","


# Excel error cells.


def _with_errors(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals 2024"
    sheet.append(["Deal ID", "Stage", "Created", "Closed", "Amount"])
    sheet.append(["D1", "Won", "2024-01-02", "2024-02-01", 100])
    # openpyxl stores these strings as error cells (t="e").
    sheet.append(["D2", "Won", "2024-01-03", "2024-02-02", "#DIV/0!"])
    sheet.append(["D3", "Won", "2024-01-04", "#N/A", 300])
    sheet.append(["D4", "Won", "2024-01-05", "2024-02-04", "#DIV/0!"])
    return _save(book, path)


def test_error_cells_named_in_notes(tmp_path):
    path = _with_errors(tmp_path / "errors.xlsx")
    notes = read_table(path.name, path.read_bytes()).info.notes
    assert (
        "warning: sheet 'Deals 2024', column 'Amount', lines 3, 5: 2 cells show "
        "the Excel error #DIV/0!, so they were read as empty; fix the formulas "
        "in the workbook"
    ) in notes
    assert (
        "warning: sheet 'Deals 2024', column 'Closed', line 4: the cell shows "
        "the Excel error #N/A, so it was read as empty; fix the formula in the "
        "workbook"
    ) in notes


def test_error_cells_keep_rows(tmp_path):
    path = _with_errors(tmp_path / "errors.xlsx")
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["_line"].to_list() == [2, 3, 4, 5]
    assert table.frame["amount"].to_list() == [100.0, None, 300.0, None]


def test_error_cells_in_cli_warnings(tmp_path):
    path = _with_errors(tmp_path / "errors.xlsx")
    report = build_report([path], ReportOptions())
    warnings = report["warnings"]
    assert (
        "errors.xlsx: sheet 'Deals 2024', column 'Amount', lines 3, 5: 2 cells "
        "show the Excel error #DIV/0!, so they were read as empty; fix the "
        "formulas in the workbook"
    ) in warnings
    assert sum("#N/A" in warning for warning in warnings) == 1


def test_formula_error_result_named(tmp_path):
    # Excel saves a formula's error result beside the formula.
    path = _deals(tmp_path / "plain.xlsx", [100, 200])
    patched = tmp_path / "formula.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<c r="D3"[^>]*>.*?</c>',
                    b'<c r="D3" t="e"><f>D2/0</f><v>#DIV/0!</v></c>',
                    content,
                )
            target.writestr(item, content)
    notes = read_table(patched.name, patched.read_bytes()).info.notes
    assert any(
        note.startswith("warning: sheet 'Deals', column 'Amount', line 3: the cell")
        and "#DIV/0!" in note
        for note in notes
    )


# Hidden rows and columns.


def test_hidden_rows_read_and_named(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(HEADER)
    for index in range(1, 5):
        sheet.append([f"D{index}", "Won", "2025-01-02", index * 10])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    sheet.column_dimensions["B"].hidden = True
    path = _save(book, tmp_path / "hidden.xlsx")
    raw = read_table(path.name, path.read_bytes())
    assert raw.frame["_line"].to_list() == [2, 3, 4, 5]
    assert (
        "warning: sheet 'Deals': 2 hidden rows (lines 3, 5) were read as data, "
        "because hidden rows are part of the table. Delete them in the workbook "
        "to leave them out"
    ) in raw.info.notes
    assert (
        "warning: sheet 'Deals': 1 hidden column ('Stage') was read like the "
        "others; check the column mapping"
    ) in raw.info.notes


def test_no_hidden_rows_no_note(tmp_path):
    path = _deals(tmp_path / "deals.xlsx", [10, 20])
    notes = read_table(path.name, path.read_bytes()).info.notes
    assert not any("hidden" in note for note in notes)


# A first sheet without a table.


def _notes_first(path: Path, second_has_table: bool = True) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Hinweise"
    notes["A1"] = "Diese Mappe wird von Hand gepflegt. Daten siehe Blatt 'Deals 2024'."
    deals = book.create_sheet("Deals 2024")
    if second_has_table:
        deals.append(HEADER)
        deals.append(["D1", "Won", "2024-01-02", 100])
        deals.append(["D2", "Lost", "2024-01-03", 50])
    else:
        deals["A1"] = "Noch leer"
    book.create_sheet("Leer")
    return _save(book, path)


def test_first_sheet_without_table_skipped(tmp_path):
    path = _notes_first(tmp_path / "handmade.xlsx")
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.sheet == "Deals 2024"
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2"]
    assert raw.info.notes[0] == (
        "sheet: Deals 2024 (of 3), because sheet 'Hinweise' has no table"
    )


def test_no_sheet_with_table_lists_sheets(tmp_path):
    path = _notes_first(tmp_path / "notes_only.xlsx", second_has_table=False)
    with pytest.raises(EmptyDataError) as raised:
        read_table(path.name, path.read_bytes())
    message = str(raised.value)
    assert message.startswith("notes_only.xlsx: no sheet contains a table")
    assert (
        "looked at 'Hinweise' (no data rows below line 1), 'Deals 2024' (no data "
        "rows below line 1), 'Leer' (empty)"
    ) in message


def test_chosen_sheet_without_table_raises(tmp_path):
    path = _notes_first(tmp_path / "handmade.xlsx")
    with pytest.raises(EmptyDataError) as raised:
        read_table(path.name, path.read_bytes(), sheet="Hinweise")
    assert "sheet 'Hinweise', line 1" in str(raised.value)


def test_single_sheet_without_table_message_kept(tmp_path):
    book = Workbook()
    book.active["A1"] = "Only a sentence"
    path = _save(book, tmp_path / "single.xlsx")
    with pytest.raises(EmptyDataError) as raised:
        read_table(path.name, path.read_bytes())
    assert "found the header (Only a sentence) but no data rows" in str(raised.value)


def test_cells_without_references_scanned(tmp_path):
    # Without r attributes the regex cannot place cells, so expat does.
    path = _with_errors(tmp_path / "errors.xlsx")
    patched = tmp_path / "no_refs.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", content)
                content = content.replace(b'<row r="5"', b'<row r="5" hidden="1"')
            target.writestr(item, content)
    notes = read_table(patched.name, patched.read_bytes()).info.notes
    assert (
        "warning: sheet 'Deals 2024', column 'Amount', lines 3, 5: 2 cells show "
        "the Excel error #DIV/0!, so they were read as empty; fix the formulas "
        "in the workbook"
    ) in notes
    assert any(
        note.startswith("warning: sheet 'Deals 2024': 1 hidden row (line 5)")
        for note in notes
    )


def test_unknown_readme_sheet_names_the_other_sheets(tmp_path):
    # A small "Readme" sheet of field notes contains a table of three
    # columns, so it is read. No table type fits it, so the message names
    # the other sheet.
    book = Workbook()
    readme = book.active
    readme.title = "Readme"
    readme.append(["Field", "Meaning", "Example"])
    readme.append(["Amount", "Deal value in EUR", "1000"])
    readme.append(["Stage", "Pipeline stage", "Won"])
    deals = book.create_sheet("Deals")
    deals.append(["Deal ID", "Deal Stage", "Create Date", "Amount"])
    deals.append(["1", "Closed won", "2025-01-02", 100])
    path = _save(book, tmp_path / "book.xlsx")
    with pytest.raises(MissingColumnError) as caught:
        load_file(path.name, path.read_bytes())
    assert str(caught.value).endswith(
        "The workbook has other sheets: 'Deals'; read one with --sheet on the "
        "command line or the Sheet box on the Data page"
    )


# A cover sheet of two-column facts before the table.


def _cover_first(path: Path, table_header: list[str]) -> Path:
    book = Workbook()
    cover = book.active
    cover.title = "Deckblatt"
    cover.append(["Firma", "ACME GmbH"])
    cover.append(["Bericht", "Deals"])
    cover.append(["Stand", "2024-12-20"])
    deals = book.create_sheet("Deals 2024")
    deals.append(table_header)
    deals.append(["D1", "Won", "2024-01-02", 100][: len(table_header)])
    deals.append(["D2", "Lost", "2024-01-03", 50][: len(table_header)])
    return _save(book, path)


def test_cover_sheet_list_skipped(tmp_path):
    path = _cover_first(tmp_path / "report.xlsx", HEADER)
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.sheet == "Deals 2024"
    assert raw.frame["Deal ID"].to_list() == ["D1", "D2"]
    assert raw.info.notes[0] == (
        "sheet: Deals 2024 (of 2), because sheet 'Deckblatt' holds only a short "
        "list of 2 columns"
    )


def test_two_column_sheets_keep_first(tmp_path):
    # No later sheet is wider, so the first sheet's list is the table.
    path = _cover_first(tmp_path / "report.xlsx", HEADER[:2])
    assert read_table(path.name, path.read_bytes()).info.sheet == "Deckblatt"


def test_two_column_table_kept_before_notes(tmp_path):
    # "Month | Cost" is a spend table, not a cover, although a later sheet
    # of notes is wider.
    book = Workbook()
    spend = book.active
    spend.title = "Spend"
    spend.append(["Month", "Cost"])
    for month in range(1, 13):
        spend.append([f"2024-{month:02d}-01", 100 * month])
    notes = book.create_sheet("Notes")
    notes.append(["Date", "Author", "Note"])
    notes.append(["2024-01-05", "Ana", "Budget raised"])
    path = _save(book, tmp_path / "spend.xlsx")
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.sheet == "Spend"
    assert raw.frame.height == 12
