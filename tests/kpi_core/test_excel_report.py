import io
from datetime import date

import polars as pl
from openpyxl import load_workbook

from kpi_core.excel_report import KPI_COLUMNS, build_excel_report
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.results import KpiResult, not_available

WIN_RATE = KpiResult(
    key="win_rate",
    status="ok",
    unit="percent",
    value=2 / 3 * 100,
    n=3,
    ci95=(20.77, 93.85),
    variant="won / (won + lost)",
    formula="2 won / (2 won + 1 lost) x 100 = 66.67 %",
    excluded={"open deal": 1},
)
SERIES = pl.DataFrame(
    {
        "period_start": [date(2025, 1, 1), date(2025, 2, 1)],
        "win_rate": [50.0, 100.0],
    }
)
OWNERS = pl.DataFrame(
    {
        "owner": ['=HYPERLINK("http://127.0.0.1:9/x","y")', "Anna"],
        "won_value": [1.0, 2.0],
    }
)


def _workbook():
    data = build_excel_report(
        "CRM KPIs",
        "all data",
        {"Sales": [WIN_RATE], "Service": [not_available("nps", "no responses")]},
        {"Sales": {"Win rate by month": SERIES, "By owner": OWNERS}},
    )
    return load_workbook(io.BytesIO(data))


def test_one_sheet_per_page():
    assert _workbook().sheetnames == ["Sales", "Service"]


def test_kpi_table_values():
    sheet = _workbook()["Sales"]
    assert [c.value for c in sheet[4]][: len(KPI_COLUMNS)] == KPI_COLUMNS
    row = [c.value for c in sheet[5]]
    assert row[0] == "win_rate"
    assert row[2] == 2 / 3 * 100
    assert row[4] == 3
    assert row[8] == "2 won / (2 won + 1 lost) x 100 = 66.67 %"
    assert row[9] == "1 open deal"


def test_not_available_row_gives_reason():
    row = [c.value for c in _workbook()["Service"][5]]
    assert row[1] == "not available"
    assert row[2] is None
    assert row[8] == "no responses"


def test_native_charts_per_table():
    sheet = _workbook()["Sales"]
    assert len(sheet._charts) == 2


def test_formula_text_stays_text():
    sheet = _workbook()["Sales"]
    cells = [
        c
        for row in sheet.iter_rows()
        for c in row
        if c.value and "HYPERLINK" in str(c.value)
    ]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].value.startswith("=HYPERLINK")


def test_report_with_mixed_currencies_explains_itself():
    deals = pl.DataFrame(
        {
            "deal_id": ["1", "2"],
            "owner": ["A", "B"],
            "stage": ["Won", "Won"],
            "status": ["won", "won"],
            "created_at": [date(2025, 1, 1), date(2025, 1, 2)],
            "closed_at": [date(2025, 2, 1), date(2025, 2, 2)],
            "amount": [100.0, 200.0],
            "currency": ["EUR", "USD"],
        }
    )
    workbook = load_workbook(io.BytesIO(excel_report_bytes({"deals": deals}, Period())))
    assert workbook.sheetnames == ["Error"]
    row = [c.value for c in workbook["Error"][5]]
    assert row[1] == "not available"
    assert "EUR" in row[8]
    assert "USD" in row[8]
