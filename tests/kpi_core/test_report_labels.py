"""The Excel report writes readable headers from ``kpi_core.column_labels``
and formats its numbers by kind, keeping each value as an unrounded number."""

from __future__ import annotations

import io
import re
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook

from kpi_core.column_labels import COLUMNS, column_label
from kpi_core.excel_report import (
    DATE_FORMAT,
    KEY_COLUMN,
    ONE_DECIMAL_FORMAT,
    PERCENT_FORMAT,
    TWO_DECIMALS_FORMAT,
    WHOLE_FORMAT,
    build_excel_report,
)
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes

# Four closed deals and one open deal. Ben's won deal is below 100 EUR.
DEALS = (
    "Deal ID,Stage,Created,Close date,Amount,Owner\n"
    "D1,Won,2025-01-10,2025-02-01,1000,Anna\n"
    "D2,Won,2025-01-12,2025-02-03,240,Anna\n"
    "D3,Lost,2025-01-20,2025-02-10,500,Ben\n"
    "D4,Won,2025-01-15,2025-02-05,80.50,Ben\n"
    "D5,Open,2025-02-01,,,Ben\n"
)
SNAKE_CASE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")


@pytest.fixture(scope="module")
def sales_sheet():
    deals = load_file("deals.csv", DEALS.encode()).frame
    data = excel_report_bytes({"deals": deals}, KpiSettings())
    return load_workbook(io.BytesIO(data))["Sales"]


def _cells_below(sheet, title: str) -> list[list]:
    """Return the cells of the table written under ``title``, header first,
    up to the next empty row."""
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == title) + 1
    block = []
    for row in rows[start:]:
        if row[0].value is None:
            break
        block.append([cell for cell in row if cell.value is not None])
    return block


def _kpi_cells(sheet, key: str) -> list:
    rows = sheet.iter_rows(min_row=5, max_col=KEY_COLUMN + 1)
    [row] = [row for row in rows if row[KEY_COLUMN].value == key]
    return list(row)


def test_column_label_with_unit():
    assert column_label("won_value", "EUR") == "Won value (EUR)"
    assert column_label("cac", "USD") == "CAC (USD per new customer)"
    assert column_label("new_customers", "EUR") == "New customers"


def test_column_label_without_unit():
    assert column_label("won_value") == "Won value"
    assert column_label("cac") == "CAC"
    assert column_label("arr") == "ARR"
    assert column_label("win_rate") == "Win rate (%)"


def test_column_label_unlisted_column():
    assert column_label("deal_type") == "Deal type"
    assert column_label("Mean days") == "Mean days"


def test_column_labels_no_code_names():
    for column in COLUMNS:
        label = column_label(column, "EUR")
        assert not SNAKE_CASE.search(label), column
        assert "{unit}" not in label, column


def test_owner_table_money_with_cents(sales_sheet):
    header, anna, ben = _cells_below(sales_sheet, "By owner")
    assert [cell.value for cell in header] == [
        "Owner",
        "Won value (EUR)",
        "Win rate (%)",
    ]
    # Anna: 1,000 + 240 = 1,240 won, and 2 won / 2 decided = 100 %.
    assert [cell.value for cell in anna] == ["Anna", 1240, 100]
    # Ben: 80.50 won, and 1 won / (1 won + 1 lost) = 50 %.
    assert [cell.value for cell in ben] == ["Ben", 80.5, 50]
    # Money shows its cents.
    assert anna[1].number_format == TWO_DECIMALS_FORMAT
    assert ben[1].number_format == TWO_DECIMALS_FORMAT
    assert anna[2].number_format == PERCENT_FORMAT
    assert ben[2].number_format == PERCENT_FORMAT


def test_won_value_by_month_with_cents(sales_sheet):
    header, january, february = _cells_below(sales_sheet, "Won value by month")
    assert [cell.value for cell in header][:2] == ["Period start", "Won value (EUR)"]
    assert january[0].number_format == DATE_FORMAT
    # January: nothing won. February: 1,000 + 240 + 80.50 = 1,320.50, kept
    # and shown with its cents.
    assert january[1].value == 0
    assert february[1].value == 1320.5
    assert february[1].data_type == "n"
    assert february[1].number_format == TWO_DECIMALS_FORMAT


def test_cycle_days_one_decimal(sales_sheet):
    title = "Sales cycle of won deals by month"
    header, _, february = _cells_below(sales_sheet, title)
    assert [cell.value for cell in header][1:3] == [
        "Mean days (won deals)",
        "Median days (won deals)",
    ]
    # Won in February: D1 after 22 days, D2 after 22, D4 after 21.
    # Mean (22 + 22 + 21) / 3 = 21.67, median 22.
    assert february[1].value == pytest.approx(65 / 3)
    assert february[2].value == 22
    assert february[1].number_format == ONE_DECIMAL_FORMAT
    assert february[2].number_format == ONE_DECIMAL_FORMAT


def test_kpi_rate_percent_format(sales_sheet):
    row = _kpi_cells(sales_sheet, "win_rate")
    # 3 won / (3 won + 1 lost) x 100 = 75 %.
    assert row[2].value == 75
    assert row[2].data_type == "n"
    assert row[2].number_format == PERCENT_FORMAT
    low, high = row[5], row[6]
    assert low.value < 75 < high.value
    assert low.number_format == PERCENT_FORMAT
    assert high.number_format == PERCENT_FORMAT
    assert row[4].value == 4
    assert row[4].number_format == WHOLE_FORMAT


def test_kpi_money_and_days_formats(sales_sheet):
    won_value = _kpi_cells(sales_sheet, "won_value")
    assert won_value[2].value == 1320.5
    assert won_value[2].number_format == TWO_DECIMALS_FORMAT
    average = _kpi_cells(sales_sheet, "average_deal_size")
    # 1,320.50 / 3 won deals = 440.17.
    assert average[2].value == pytest.approx(1320.5 / 3)
    assert average[2].number_format == TWO_DECIMALS_FORMAT
    cycle = _kpi_cells(sales_sheet, "sales_cycle_days")
    assert cycle[2].value == pytest.approx(65 / 3)
    assert cycle[2].number_format == ONE_DECIMAL_FORMAT


def test_page_sheet_numbers_formatted(sales_sheet):
    numbers = [
        cell
        for row in sales_sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float)
    ]
    assert numbers
    for cell in numbers:
        assert cell.data_type == "n", cell.coordinate
        assert cell.number_format != "General", cell.coordinate


def test_bare_frame_gets_labels_and_formats():
    series = pl.DataFrame(
        {
            "period_start": [date(2025, 1, 1), date(2025, 2, 1)],
            "new_customers": [3, 4],
            "spend": [1234.5, 99.0],
            "win_rate": [48.23747, 50.0],
        }
    )
    data = build_excel_report(
        "CRM KPIs", "all data", {"Marketing": []}, {"Marketing": {"By month": series}}
    )
    sheet = load_workbook(io.BytesIO(data))["Marketing"]
    header, january, _ = _cells_below(sheet, "By month")
    # Without a unit the money header names no currency.
    assert [cell.value for cell in header] == [
        "Period start",
        "New customers",
        "Spend",
        "Win rate (%)",
    ]
    assert january[1].number_format == WHOLE_FORMAT
    # The spend shows its cents.
    assert january[2].number_format == TWO_DECIMALS_FORMAT
    assert january[3].value == 48.23747
    assert january[3].number_format == PERCENT_FORMAT
