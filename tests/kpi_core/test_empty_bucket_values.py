"""A period with no days in the data has no figures, not 0, in the report."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
# The deals start on 2025-02-03, so January has no days in the data.
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date\n"
    "1,Alpha,Closed won,1000,2025-02-03,2025-02-20\n"
    "2,Beta,Closed won,500,2025-02-10,2025-03-05\n"
    "3,Gamma,Closed lost,200,2025-03-01,2025-03-20\n"
)
# The orders start on 2025-02-10.
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency,utm_campaign\n"
    "O1,2025-02-10,C1,100.00,EUR,Campaign A\n"
    "O2,2025-03-01,C2,300.00,EUR,Campaign A\n"
)
NO_DAYS = "no days in the data"


def _sheet(tmp_path, name: str, **texts: str):
    tables = {}
    for kind, text in texts.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        tables[kind] = load_file(path.name, path.read_bytes()).frame
    data = excel_report_bytes(tables, KpiSettings(period=Q1), "month")
    return load_workbook(io.BytesIO(data))[name]


def _data_rows(sheet, title: str) -> list[tuple]:
    """Return the rows by month under ``title``, up to the first row that
    does not start with a date."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 1
    found = []
    for row in rows[start:]:
        if isinstance(row[0], datetime):
            found.append(row)
        elif found:
            break
    return found


def test_won_value_blank_before_data(tmp_path):
    rows = _data_rows(_sheet(tmp_path, "Sales", deals=DEALS), "Won value by month")
    by_month = {row[0].date(): row for row in rows}
    # January: no deal data at all, so no won value (blank, not 0).
    assert by_month[date(2025, 1, 1)][1] is None
    assert NO_DAYS in by_month[date(2025, 1, 1)]
    # February: Alpha won on 2025-02-20 (1,000). March: Beta on 2025-03-05 (500).
    assert by_month[date(2025, 2, 1)][1] == 1000
    assert by_month[date(2025, 3, 1)][1] == 500


def test_campaign_revenue_blank_before_data(tmp_path):
    sheet = _sheet(tmp_path, "Marketing", orders=ORDERS)
    rows = _data_rows(sheet, "Revenue by campaign by month")
    by_month = {row[0].date(): row for row in rows}
    assert by_month[date(2025, 1, 1)][1] is None
    assert NO_DAYS in by_month[date(2025, 1, 1)]
    # February: O1 100. March: O2 300.
    assert by_month[date(2025, 2, 1)][1] == 100
    assert by_month[date(2025, 3, 1)][1] == 300
