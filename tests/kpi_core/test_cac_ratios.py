"""CLV : CAC and the CAC payback as rows of the Excel report's Marketing
sheet, computed from real CSV files."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kpi_core.excel_report import KEY_COLUMN, KPI_COLUMNS
from kpi_core.importing import load_file_tables
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
ORDERS_CSV = """order_id,customer_id,order_date,amount
1,a,2025-01-10,100.00
2,a,2025-03-10,50.00
3,b,2025-02-10,60.00
4,c,2025-04-10,30.50
"""
SPEND_CSV = """date,channel,spend
2025-01-01,Ads,90.00
2025-02-01,Ads,30.00
"""


def _tables(tmp_path, files: dict[str, str]) -> dict:
    tables = {}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for table in load_file_tables(name, path.read_bytes()):
            tables[table.table] = table.frame
    return tables


def _marketing_rows(tables: dict, settings: KpiSettings) -> dict[str, dict]:
    workbook = load_workbook(io.BytesIO(excel_report_bytes(tables, settings)))
    sheet = workbook["Marketing"]
    rows = {}
    for values in sheet.iter_rows(min_row=5, values_only=True):
        if not values[0]:
            break
        rows[values[KEY_COLUMN]] = dict(zip(KPI_COLUMNS, values, strict=False))
    return rows


def test_ratio_rows_follow_cac(tmp_path):
    tables = _tables(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": SPEND_CSV})
    settings = KpiSettings(period=YEAR_2025, lifespan_years=2.0)
    rows = _marketing_rows(tables, settings)
    assert list(rows)[:4] == ["clv", "cac", "clv_to_cac", "payback_months"]


def test_clv_to_cac_row_hand_checked(tmp_path):
    tables = _tables(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": SPEND_CSV})
    settings = KpiSettings(period=YEAR_2025, lifespan_years=2.0)
    row = _marketing_rows(tables, settings)["clv_to_cac"]
    # Revenue 100 + 50 + 60 + 30.50 = 240.50 over 4 purchases by 3 customers:
    # 60.125 per purchase x 4/3 a year x 2 years = 160.3333 EUR CLV.
    # CAC = (90 + 30) / 3 new customers = 40 EUR. 160.3333 / 40 = 4.00833.
    assert row["Status"] == "available"
    assert row["Value"] == pytest.approx(240.5 / 3 * 2 / 40)
    assert row["Unit"] == "ratio"
    # 160.33 / 40.00 = 4.00825, which rounds to 4.01 as the result does.
    assert row["How it is calculated"] == "160.33 EUR CLV / 40.00 EUR CAC = 4.01"


def test_payback_row_hand_checked(tmp_path):
    tables = _tables(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": SPEND_CSV})
    settings = KpiSettings(period=YEAR_2025, lifespan_years=2.0)
    row = _marketing_rows(tables, settings)["payback_months"]
    # Revenue per customer and month: 60.125 x 4/3 / 12 = 6.68056 EUR;
    # 40 EUR CAC / 6.68056 = 5.98753 months.
    assert row["Status"] == "available"
    assert row["Value"] == pytest.approx(40 / (60.125 * 4 / 3 / 12))
    assert row["Unit"] == "months"
    # Rounded to 2 decimals, 40.00 / (60.13 x 1.33 / 12) = 6.002 months, not
    # 5.99, so the inputs get a third decimal: 40 / (60.125 x 1.333 / 12) =
    # 5.98902, which rounds to 5.99.
    assert row["How it is calculated"] == (
        "40.00 EUR CAC / (60.125 EUR per purchase x 1.333 purchases a year / "
        "12 x 100 % gross margin) = 5.99 months"
    )


def test_ratio_rows_without_clv_give_reason(tmp_path):
    tables = _tables(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": SPEND_CSV})
    # Without a lifespan: no customer has gone 365 days without an order, so the
    # orders give no lifespan and CLV is not available.
    rows = _marketing_rows(tables, KpiSettings(period=YEAR_2025))
    for key in ("clv_to_cac", "payback_months"):
        assert rows[key]["Status"] == "not available"
        reason = rows[key]["How it is calculated"]
        assert reason.startswith("CLV is not available: the orders give no customer")


def test_ratio_rows_without_spend_give_reason(tmp_path):
    tables = _tables(tmp_path, {"orders.csv": ORDERS_CSV})
    settings = KpiSettings(period=YEAR_2025, lifespan_years=2.0)
    rows = _marketing_rows(tables, settings)
    for key in ("clv_to_cac", "payback_months"):
        assert rows[key]["Status"] == "not available"
        reason = rows[key]["How it is calculated"]
        assert reason.startswith("CAC is not available: needs a marketing spend")


def test_ratios_of_two_currencies_left_out(tmp_path):
    orders = ORDERS_CSV.replace("amount\n", "amount,currency\n")
    orders = orders.replace(".00\n", ".00,USD\n").replace(".50\n", ".50,USD\n")
    tables = _tables(tmp_path, {"orders.csv": orders, "spend.csv": SPEND_CSV})
    settings = KpiSettings(period=YEAR_2025, lifespan_years=2.0)
    # CLV is in USD and CAC in EUR (the default), so their ratio means nothing.
    cac = compute_kpis(tables, settings)["cac"]
    assert cac.unit == "EUR"
    assert "clv_to_cac" not in cac.extra
    assert "payback_months" not in cac.extra
    rows = _marketing_rows(tables, settings)
    assert rows["clv"]["Unit"] == "USD"
    for key in ("clv_to_cac", "payback_months"):
        assert rows[key]["Status"] == "not available"
        assert rows[key]["How it is calculated"].startswith(
            "CLV (from the orders) is in USD and CAC (from the marketing spend) in EUR"
        )


def test_tester_workbook_figures(datasets_dir):
    base = datasets_dir / "needful-things-ecommerce"
    tables = {}
    for name in ("orders.csv", "marketing_spend.csv"):
        for table in load_file_tables(name, (base / name).read_bytes()):
            tables[table.table] = table.frame
    period = Period(date(2020, 1, 1), date(2020, 12, 31))
    rows = _marketing_rows(tables, KpiSettings(period=period, lifespan_years=2.5))
    # The page shows CLV : CAC = 84.366 / 12.2165 = 6.906 and a payback of
    # 12.2165 / (33.746 / 12) = 4.34 months.
    assert rows["clv_to_cac"]["Value"] == pytest.approx(6.906, abs=5e-4)
    assert rows["payback_months"]["Value"] == pytest.approx(4.344, abs=5e-4)
    assert rows["clv_to_cac"]["How it is calculated"].endswith("= 6.91")
    assert rows["payback_months"]["How it is calculated"].endswith("= 4.34 months")
