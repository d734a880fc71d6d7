"""Currencies named by the number formats of workbook cells, through the real
import."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from kpi_core.cell_currency import REGIONAL_MARK, number_format_mark
from kpi_core.importing import load_file
from kpi_core.prepare import PreparedTable
from kpi_core.reading import read_table
from kpi_core.sales import won_value

DEAL_HEADER = ["Deal ID", "Deal Stage", "Amount", "Create Date", "Close Date"]
DOLLAR = '"$"#,##0.00'
EURO_GERMAN = "#,##0.00 [$€-407]"
# openpyxl writes this code as the built-in id 7, with no code in the file.
BUILT_IN_7 = '"$"#,##0.00_);("$"#,##0.00)'
ACCOUNTING_EURO = '_-* #,##0.00 "€"_-;-* #,##0.00 "€"_-;_-* "-"?? "€"_-;_-@_-'


def write_deals(
    path: Path,
    amounts: list[tuple[object, str]],
    *,
    header: list[str] = DEAL_HEADER,
    extra: list[object] | None = None,
) -> Path:
    """Write one deal per amount: (value, number format), all closed won."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for index, (value, number_format) in enumerate(amounts, start=1):
        row = [index, "Closed won", value, "2025-01-02", "2025-01-20"]
        if extra is not None:
            row.append(extra[index - 1])
        sheet.append(row)
        sheet.cell(row=index + 1, column=3).number_format = number_format
    book.save(path)
    return path


def load(path: Path) -> PreparedTable:
    return load_file(path.name, path.read_bytes(), table="deals")


@pytest.mark.parametrize(
    ("format_id", "code", "mark"),
    [
        (0, "General", None),
        (164, "0.00", None),
        (164, "#,##0", None),
        (164, "0.0%", None),
        (164, "yyyy-mm-dd hh:mm", None),
        (164, "[$-409]d/m/yy", None),
        (164, '#,##0 "pcs"', None),
        (164, "#,##0_€", None),
        (164, DOLLAR, "$"),
        (164, '[Red]"$"#,##0;"$"-#,##0', "$"),
        (164, EURO_GERMAN, "€"),
        (164, "[$USD] #,##0", "USD"),
        (164, ACCOUNTING_EURO, "€"),
        (164, '#,##0.00\\ "€"', "€"),
        (164, '#,##0.00 "EUR"', "EUR"),
        (164, "[$€-x-euro2] #,##0.00", "€"),
        (164, "[$$-409]#,##0.00", "USD"),
        (164, "[$$-1009]#,##0.00", "CAD"),
        (164, "[$$-2C0A]#,##0.00", "$"),
        (164, "#,##0.00 [$kr-41D]", "SEK"),
        (164, "#,##0.00 [$kr-999]", "kr"),
        (164, "[$₽-419]#,##0", "RUB"),
        (164, '"€"#,##0 "USD"', "€ USD"),
        (7, None, REGIONAL_MARK),
        (44, None, REGIONAL_MARK),
        (43, None, None),
        (37, None, None),
        (4, None, None),
        (8, '"£"#,##0.00', "£"),
    ],
)
def test_number_format_mark(format_id, code, mark):
    assert number_format_mark(format_id, code) == mark


def test_dollar_format_gives_usd(tmp_path):
    path = write_deals(tmp_path / "deals.xlsx", [(1000, DOLLAR), (250.5, DOLLAR)])
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "USD"]
    assert prepared.frame["amount"].to_list() == [1000.0, 250.5]
    note = prepared.detected["Amount"]
    assert "currency from Excel's number format ($ read as USD;" in note
    assert "CAD, AUD or another dollar" in note
    # Won: 1,000 + 250.50 = 1,250.50, in USD and not EUR.
    result = won_value(prepared.frame)
    assert result.unit == "USD"
    assert result.value == pytest.approx(1250.5)


def test_mixed_formats_currency_per_row(tmp_path):
    path = write_deals(
        tmp_path / "deals.xlsx",
        [(1000, DOLLAR), (500, EURO_GERMAN), (200, ACCOUNTING_EURO)],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "EUR", "EUR"]
    # 1,000 USD x 0.9 + 500 EUR + 200 EUR = 900 + 700 = 1,600 EUR.
    result = won_value(prepared.frame, currency="EUR", fx={"USD": 0.9})
    assert result.unit == "EUR"
    assert result.value == pytest.approx(1600.0)


def test_text_mark_and_format_together(tmp_path):
    path = write_deals(
        tmp_path / "deals.xlsx", [("£20", "General"), (500, EURO_GERMAN)]
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["GBP", "EUR"]
    note = prepared.detected["Amount"]
    assert "currency from cells and Excel's number format (£ read as GBP" in note


def test_locale_names_dollar(tmp_path):
    path = write_deals(tmp_path / "deals.xlsx", [(80, "[$$-1009]#,##0.00")])
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD"]


def test_format_against_currency_column_emptied(tmp_path):
    header = [*DEAL_HEADER, "Currency"]
    path = write_deals(
        tmp_path / "deals.xlsx",
        [(100, DOLLAR), (100, DOLLAR), (300, "General")],
        header=header,
        extra=["USD", "EUR", "EUR"],
    )
    prepared = load(path)
    assert prepared.frame["_line"].to_list() == [2, 3, 4]
    assert prepared.frame["currency"].to_list() == ["USD", "EUR", "EUR"]
    assert prepared.frame["amount"].to_list() == [100.0, None, 300.0]
    [problem] = prepared.problems
    assert problem.column == "Amount"
    assert problem.lines == (3,)
    message = problem.describe()
    assert (
        "an amount in USD by its number format while column 'Currency' says EUR"
        in message
    )


def test_dollar_format_fits_cad_column(tmp_path):
    # "$" is also the mark of CAD, so the currency column decides.
    path = write_deals(
        tmp_path / "deals.xlsx",
        [(100, DOLLAR)],
        header=[*DEAL_HEADER, "Currency"],
        extra=["CAD"],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["CAD"]


def test_format_against_header_emptied(tmp_path):
    header = ["Deal ID", "Deal Stage", "Amount (EUR)", "Create Date", "Close Date"]
    path = write_deals(
        tmp_path / "deals.xlsx", [(100, DOLLAR), (40, "General")], header=header
    )
    prepared = load(path)
    assert prepared.frame["currency"].to_list() == [None, "EUR"]
    assert prepared.frame["amount"].to_list() == [None, 40.0]
    [problem] = prepared.problems
    assert problem.lines == (2,)
    message = problem.describe()
    assert "an amount formatted as USD while the header names EUR" in message


def test_unformatted_among_formatted_emptied(tmp_path):
    path = write_deals(tmp_path / "deals.xlsx", [(100, DOLLAR), (40, "#,##0.00")])
    prepared = load(path)
    assert prepared.frame["currency"].to_list() == ["USD", None]
    assert prepared.frame["amount"].to_list() == [100.0, None]
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert "give the cell a currency number format" in problem.describe()


def test_regional_format_names_no_currency(tmp_path):
    # Excel's built-in id 7 shows the currency of the computer's region, so
    # the amount is kept without a currency, as a plain number would be.
    path = write_deals(tmp_path / "deals.xlsx", [(100, BUILT_IN_7)])
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert 'numFmtId="7"' in styles
    assert 'numFmtId="7" formatCode' not in styles
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["amount"].to_list() == [100.0]
    assert "currency" not in prepared.frame.columns
    assert prepared.detected["Amount"].endswith(
        "Excel's built-in currency format, which shows the currency of the "
        "computer's region, so the file names none and the amounts have no "
        "currency (name it in the header, such as 'Amount (USD)', or in a "
        "currency column)"
    )


def test_regional_format_header_decides(tmp_path):
    header = ["Deal ID", "Deal Stage", "Amount (USD)", "Create Date", "Close Date"]
    path = write_deals(tmp_path / "deals.xlsx", [(100, BUILT_IN_7)], header=header)
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD"]


def test_regional_format_currency_column_decides(tmp_path):
    path = write_deals(
        tmp_path / "deals.xlsx",
        [(100, BUILT_IN_7), (7, BUILT_IN_7)],
        header=[*DEAL_HEADER, "Currency"],
        extra=["GBP", None],
    )
    prepared = load(path)
    assert prepared.frame["currency"].to_list() == ["GBP", None]
    assert prepared.frame["amount"].to_list() == [100.0, None]
    [problem] = prepared.problems
    assert problem.lines == (3,)
    assert "an amount without a currency while other rows name one" in (
        problem.describe()
    )


def test_unknown_format_currency_emptied(tmp_path):
    # The only amount is read as empty, and the deal stays for the KPIs that
    # do not need it.
    path = write_deals(tmp_path / "deals.xlsx", [(100, "#,##0 [$kr-999]")])
    prepared = load(path)
    assert prepared.rows_used == 1
    assert prepared.frame["amount"].to_list() == [None]
    [problem] = prepared.problems
    assert "a number format with an unknown currency 'kr'" in problem.describe()


def test_unknown_format_currency_column_decides(tmp_path):
    path = write_deals(
        tmp_path / "deals.xlsx",
        [(100, "#,##0 [$kr-999]")],
        header=[*DEAL_HEADER, "Currency"],
        extra=["NOK"],
    )
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["NOK"]


@pytest.mark.parametrize(
    "number_format", ["General", "0.00", "#,##0", "#,##0.00", "0%"]
)
def test_plain_formats_change_nothing(tmp_path, number_format):
    path = write_deals(
        tmp_path / "deals.xlsx", [(1200, number_format), (300, number_format)]
    )
    raw = read_table(path.name, path.read_bytes())
    assert raw.format_marks is None
    prepared = load(path)
    assert prepared.problems == ()
    assert "currency" not in prepared.frame.columns
    assert prepared.detected["Amount"] == "decimal point"


def test_date_format_no_marks(tmp_path):
    path = write_deals(tmp_path / "deals.xlsx", [(45000, "yyyy-mm-dd")])
    raw = read_table(path.name, path.read_bytes())
    assert raw.format_marks is None
    assert raw.frame["Amount"].to_list() == ["2023-03-15"]


def test_table_below_title_and_right(tmp_path):
    # The table starts at C3 under a title, and column D is empty, so the
    # grid's columns are not the sheet's.
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "Pipeline report"
    header = ["Deal ID", None, "Deal Stage", "Amount", "Create Date", "Close Date"]
    rows = [
        [1, None, "Closed won", 100, "2025-01-02", "2025-01-20"],
        [2, None, "Closed won", 50, "2025-01-03", "2025-01-21"],
    ]
    for row_index, row in enumerate([header, *rows], start=3):
        for column_index, value in enumerate(row, start=3):
            sheet.cell(row=row_index, column=column_index, value=value)
    sheet["F4"].number_format = EURO_GERMAN
    sheet["F5"].number_format = DOLLAR
    path = tmp_path / "report.xlsx"
    book.save(path)
    prepared = load(path)
    assert prepared.problems == ()
    assert prepared.frame["_line"].to_list() == [4, 5]
    assert prepared.frame["currency"].to_list() == ["EUR", "USD"]


def test_cells_without_references(tmp_path):
    # Some writers leave out the r attribute, which calamine places after
    # the previous cell; the reader then parses the sheet instead.
    path = write_deals(tmp_path / "plain.xlsx", [(100, DOLLAR), (5, EURO_GERMAN)])
    stripped = tmp_path / "deals.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", content)
            target.writestr(info, content)
    prepared = load(stripped)
    assert prepared.problems == ()
    assert prepared.frame["currency"].to_list() == ["USD", "EUR"]


def test_format_marks_keyed_by_line(tmp_path):
    path = write_deals(tmp_path / "deals.xlsx", [(1, "General"), (2, DOLLAR)])
    raw = read_table(path.name, path.read_bytes())
    expected = pl.DataFrame({"_line": [3], "Amount": ["$"]})
    assert raw.format_marks.equals(expected)
