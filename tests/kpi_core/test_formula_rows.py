"""Workbook formulas without a saved result outside the table: on a cover
sheet passed over, in a footnote below the table, and in a row of sums
without a label.

openpyxl writes a formula such as "=TODAY()" without its result, as a
workbook that no spreadsheet program has saved has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.sales import won_value
from tests.kpi_core.formula_workbooks import DEALS, HEADER, WON_AMOUNT, write_sheets

COVER = [["Vertriebsbericht"], ["Stand:", "=TODAY()"]]


def _load(path: Path):
    return load_file(path.name, path.read_bytes(), table="deals")


def _reject(path: Path) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as caught:
        _load(path)
    return caught.value


def test_cover_sheet_formula_passed_over(tmp_path: Path):
    path = write_sheets(
        tmp_path / "deals.xlsx", {"Deckblatt": COVER, "Deals": [HEADER, *DEALS]}
    )
    table = _load(path)
    assert table.frame["_line"].to_list() == list(range(2, 10))
    assert (
        "sheet 'Deckblatt', cell B2 has a formula without a saved result; the "
        "sheet contains no table and was passed over"
    ) in table.read_notes
    assert won_value(table.frame).value == pytest.approx(WON_AMOUNT)


def test_one_row_cover_formula_passed_over(tmp_path: Path):
    # One row reads as a header without data rows, with the formula's
    # result too.
    path = write_sheets(
        tmp_path / "deals.xlsx",
        {"Deckblatt": [["Stand:", "=TODAY()"]], "Deals": [HEADER, *DEALS]},
    )
    table = _load(path)
    assert table.frame.height == 8
    assert any(
        note.startswith("sheet 'Deckblatt', cell B1 has a formula")
        for note in table.read_notes
    )


def test_two_column_summary_passed_over(tmp_path: Path):
    # With results, the summary would be a short list of two columns, which
    # the wider deals table wins over, so its formulas are not needed.
    summary = [["Umsatz", "Anzahl"], ["=SUM(Deals!D2:D9)", "=COUNTA(Deals!A2:A9)"]]
    path = write_sheets(
        tmp_path / "deals.xlsx", {"Auswertung": summary, "Deals": [HEADER, *DEALS]}
    )
    table = _load(path)
    assert table.frame.height == 8
    assert (
        "sheet 'Auswertung', cells A2, B2 have formulas without saved results; "
        "the sheet contains no table and was passed over"
    ) in table.read_notes


def test_wide_summary_sheet_rejected(tmp_path: Path):
    # A guard: with results, this sheet holds a table of three columns and
    # would be read in place of the deals, so its formulas are needed.
    summary = [
        ["Umsatz", "Anzahl", "Gewonnen"],
        ["=SUM(Deals!D2:D9)", "=COUNTA(Deals!A2:A9)", '=COUNTIF(Deals!B2:B9,"W*")'],
    ]
    path = write_sheets(
        tmp_path / "deals.xlsx", {"Auswertung": summary, "Deals": [HEADER, *DEALS]}
    )
    error = _reject(path)
    assert str(error).startswith("deals.xlsx, sheet 'Auswertung', line 2: ")
    assert "3 formula cells have no saved result (A2, B2, C2)" in str(error)


def test_only_cover_sheet_rejected(tmp_path: Path):
    # A guard: without another sheet, the cover is what would be read.
    path = write_sheets(tmp_path / "deals.xlsx", {"Deckblatt": COVER})
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes())
    assert caught.value.sheet == "Deckblatt"
    assert caught.value.line == 2
    assert "the formula in cell B2 has no saved result" in str(caught.value)


@pytest.mark.parametrize("label", ["Stand", "Erstellt am"])
def test_footnote_formula_skipped(tmp_path: Path, label: str):
    path = write_sheets(
        tmp_path / "deals.xlsx", {"Deals": [HEADER, *DEALS, [], [label, "=TODAY()"]]}
    )
    table = _load(path)
    assert table.frame["_line"].to_list() == list(range(2, 10))
    assert "skipped the footer row on row 11" in table.read_notes
    assert won_value(table.frame).value == pytest.approx(WON_AMOUNT)


def test_footer_label_formula_skipped(tmp_path: Path):
    # A footer label needs no empty row above it.
    path = write_sheets(
        tmp_path / "deals.xlsx",
        {"Deals": [HEADER, *DEALS, ["Erstellt am", "=TODAY()"]]},
    )
    table = _load(path)
    assert table.frame.height == 8
    assert "skipped the footer row on row 10" in table.read_notes


def test_footnote_after_empty_row_skipped(tmp_path: Path):
    # An empty worksheet row separates a footer as a blank text line does.
    path = write_sheets(
        tmp_path / "deals.xlsx",
        {"Deals": [HEADER, *DEALS, [], ["Stand: 01.05.2025"]]},
    )
    table = _load(path)
    assert table.frame.height == 8
    assert "skipped the footer row on row 11" in table.read_notes


def test_formula_record_below_empty_row_rejected(tmp_path: Path):
    # A guard: only the id is a value, so the row reads as a footnote, but
    # with results it fills every column like a record.
    record = [1009, "=B9", "=C9", "=D9*2"]
    path = write_sheets(
        tmp_path / "deals.xlsx", {"Deals": [HEADER, *DEALS, [], record]}
    )
    error = _reject(path)
    assert error.line == 11
    assert "3 formula cells have no saved result" in str(error)


@pytest.mark.parametrize(
    "formula",
    ["=SUM(D2:D9)", "=SUBTOTAL(9,D2:D9)", "=AVERAGE(D2:D9)", "=SUM($D$2:$D$9)"],
)
def test_unlabelled_formula_total_skipped(tmp_path: Path, formula: str):
    path = write_sheets(
        tmp_path / "deals.xlsx",
        {"Deals": [HEADER, *DEALS, [None, None, None, formula]]},
    )
    table = _load(path)
    assert table.frame["_line"].to_list() == list(range(2, 10))
    assert (
        "skipped the total row without a label on row 10, whose only cells are "
        "formulas such as SUM over the columns above, without saved results"
    ) in table.read_notes
    assert won_value(table.frame).value == pytest.approx(WON_AMOUNT)


def test_two_unlabelled_formula_rows_skipped(tmp_path: Path):
    rows = [
        HEADER,
        *DEALS,
        ["=COUNTA(A2:A9)", None, None, "=SUM(D2:D9)"],
        [None, None, None, "=AVERAGE(D2:D9)"],
    ]
    path = write_sheets(tmp_path / "deals.xlsx", {"Deals": rows})
    table = _load(path)
    assert table.frame.height == 8
    assert any(
        note.startswith("skipped 2 total rows without a label on rows 10-11")
        for note in table.read_notes
    )


@pytest.mark.parametrize(
    "formula", ["=D9*2", "=SUM(C2:C9)", "=SUM(D2:D10)", "=SUM(D1:D9)"]
)
def test_other_unlabelled_formula_rejected(tmp_path: Path, formula: str):
    # A guard: a formula that is not a sum of its own column between the
    # header and its row may be a value the table needs.
    path = write_sheets(
        tmp_path / "deals.xlsx",
        {"Deals": [HEADER, *DEALS, [None, None, None, formula]]},
    )
    error = _reject(path)
    assert error.line == 10
    assert "the formula in cell D10 has no saved result" in str(error)


def test_formula_sum_between_deals_rejected(tmp_path: Path):
    # A guard: only rows below the table are taken for totals without a
    # label.
    rows = [HEADER, *DEALS[:4], [None, None, None, "=SUM(D2:D5)"], *DEALS[4:]]
    path = write_sheets(tmp_path / "deals.xlsx", {"Deals": rows})
    error = _reject(path)
    assert error.line == 6
    assert "the formula in cell D6 has no saved result" in str(error)


def test_data_row_formula_still_rejected(tmp_path: Path):
    # A formula in a deal's own row is still needed. The error names only
    # that cell, not the sum row and the footnote below the table.
    rows = [
        HEADER,
        *DEALS,
        [None, None, None, "=SUM(D2:D9)"],
        [],
        ["Stand", "=TODAY()"],
    ]
    rows[3] = [1002, "Closed Lost", "2025-01-07", "=100*2"]
    path = write_sheets(tmp_path / "deals.xlsx", {"Deals": rows})
    error = _reject(path)
    message = str(error)
    assert message.startswith("deals.xlsx, sheet 'Deals', line 4, column 'Amount': ")
    assert "the formula in cell D4 has no saved result" in message
    assert "open the workbook in Excel or LibreOffice, save it" in message
