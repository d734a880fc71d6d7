"""Workbook formulas without a saved result: a total row that the import
skips may have them, but a data row may not.

openpyxl writes a formula such as "=SUM(D2:D9)" without its result, as a
workbook that no spreadsheet program has saved has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.errors import UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.sales import won_value
from tests.kpi_core.formula_workbooks import DEALS, HEADER, WON_AMOUNT, write_sheets


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    return write_sheets(path, {"Sheet": rows})


@pytest.mark.parametrize("label", ["Summe", "Gesamt", "Total", "Summe Q1"])
def test_total_row_formula_skipped(tmp_path: Path, label: str):
    path = _write_xlsx(
        tmp_path / "deals.xlsx",
        [HEADER, *DEALS, [label, None, None, "=SUM(D2:D9)"]],
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame["_line"].to_list() == list(range(2, 10))
    assert "skipped the total row on row 10" in table.read_notes
    assert won_value(table.frame).value == pytest.approx(WON_AMOUNT)


def test_total_row_formulas_in_two_columns(tmp_path: Path):
    # The label is in the id column, and the stage column contains a
    # count formula: neither has a saved result.
    path = _write_xlsx(
        tmp_path / "deals.xlsx",
        [HEADER, *DEALS, ["Summe Q1", "=COUNTA(B2:B9)", None, "=SUM(D2:D9)"]],
    )
    table = load_file(path.name, path.read_bytes(), table="deals")
    assert table.frame.height == 8
    assert "skipped the total row on row 10" in table.read_notes
    assert won_value(table.frame).value == pytest.approx(WON_AMOUNT)


def test_data_row_formula_rejected(tmp_path: Path):
    rows = [HEADER, *DEALS, ["Summe", None, None, "=SUM(D2:D9)"]]
    rows[4] = [1003, "Closed Won", "2025-01-08", "=100*3"]
    path = _write_xlsx(tmp_path / "deals.xlsx", rows)
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes(), table="deals")
    message = str(caught.value)
    # Only the data row's cell is named, not the total row's D10.
    assert message.startswith("deals.xlsx, sheet 'Sheet', line 5, column 'Amount': ")
    assert "the formula in cell D5 has no saved result" in message
    assert "D10" not in message
    assert "open the workbook in Excel or LibreOffice, save it" in message
    assert caught.value.line == 5
    assert caught.value.column == "Amount"


def test_data_row_formulas_listed(tmp_path: Path):
    rows = [HEADER, *DEALS]
    rows[2] = [1002, "Closed Lost", "2025-01-07", "=100*2"]
    rows[6] = [1006, "Closed Won", "=DATE(2025,2,5)", "=100*6"]
    path = _write_xlsx(tmp_path / "deals.xlsx", rows)
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes(), table="deals")
    message = str(caught.value)
    assert message.startswith("deals.xlsx, sheet 'Sheet', line 3: ")
    assert "3 formula cells have no saved result" in message
    assert "D3 in column 'Amount'" in message
    assert "C7 in column 'Create Date'" in message
    assert "D7 in column 'Amount'" in message


def test_dated_scoped_label_formula_rejected(tmp_path: Path):
    # A deal named "Summe Q1" with an id and a date is a data row, so its
    # formula is needed.
    header = ["Deal Name", *HEADER]
    rows = [header, *[[f"Deal {row[0]}", *row] for row in DEALS]]
    rows.append(["Summe Q1", 1009, "Closed Won", "2025-03-05", "=100*9"])
    path = _write_xlsx(tmp_path / "deals.xlsx", rows)
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes(), table="deals")
    assert caught.value.line == 10
    assert caught.value.column == "Amount"
    assert "the formula in cell E10 has no saved result" in str(caught.value)


def test_summary_row_formula_rejected(tmp_path: Path):
    # An average row's numbers are checked against the rows above it, which
    # an unknown result cannot be, so the row is read as data.
    path = _write_xlsx(
        tmp_path / "deals.xlsx",
        [HEADER, *DEALS, ["Durchschnitt", None, None, "=AVERAGE(D2:D9)"]],
    )
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes(), table="deals")
    assert caught.value.line == 10
    assert "cell D10" in str(caught.value)


def test_filled_scoped_row_formula_rejected(tmp_path: Path):
    # A guard: "Summe Q1" fills every column here, so with a saved result
    # the row would be read as a campaign's data row. Its formula is then
    # needed, though its cell reads as empty.
    path = _write_xlsx(
        tmp_path / "spend.xlsx",
        [
            ["Kampagne", "Klicks", "Kosten"],
            ["Brand", 120, 50],
            ["Generic", 300, 80],
            ["Remarketing", 90, 40],
            ["Summe Q1", 510, "=SUM(C2:C4)"],
        ],
    )
    with pytest.raises(UnreadableFileError) as caught:
        load_file(path.name, path.read_bytes())
    assert caught.value.line == 5
    assert caught.value.column == "Kosten"
