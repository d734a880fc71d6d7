"""The Excel report groups its series by week and by year as well."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
from openpyxl import load_workbook

from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes

DEALS = pl.DataFrame(
    {
        "deal_id": ["1", "2", "3"],
        "status": ["won", "won", "lost"],
        "stage": ["Won", "Won", "Lost"],
        "amount": [100.0, 200.0, 50.0],
        "created_at": [date(2025, 1, 6), date(2025, 1, 7), date(2025, 1, 8)],
        "closed_at": [date(2025, 1, 6), date(2025, 1, 14), date(2025, 1, 15)],
    }
)


def _table(grain: str, title: str) -> list[tuple]:
    """Return the data rows under the table title on the Sales sheet."""
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": DEALS}, KpiSettings(), grain))
    )
    rows = [row for row in workbook["Sales"].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 2
    table = []
    for row in rows[start:]:
        if not isinstance(row[0], datetime):
            break
        table.append(row[:2])
    return table


def test_excel_won_value_by_week():
    # Weeks start on Monday. The week of 6 Jan 2025 contains the deal won on
    # the 6th (100), and the week of 13 Jan the one won on the 14th (200).
    assert _table("week", "Won value by week") == [
        (datetime(2025, 1, 6), 100),
        (datetime(2025, 1, 13), 200),
    ]


def test_excel_won_value_by_year():
    # Both won deals close in 2025: 100 + 200 = 300.
    assert _table("year", "Won value by year") == [(datetime(2025, 1, 1), 300)]
