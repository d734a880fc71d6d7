"""Reasons of a CAC that is not available name what the period lacks."""

from datetime import date

from kpi_core.importing import load_file_tables
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period

ORDERS_CSV = """order_id,customer_id,order_date,amount
1,a,2025-01-10,100.00
2,b,2025-02-10,60.00
3,a,2025-07-10,50.00
"""
SPEND_CSV = """date,channel,spend
2025-01-01,Ads,90.00
2025-02-01,Ads,30.00
"""
SUBSCRIPTIONS_CSV = """subscription_id,customer_id,start_date,end_date,mrr_amount
s1,x,2026-01-05,,10.00
s2,y,2026-02-05,,10.00
"""


def _cac(tmp_path, files: dict[str, str], period: Period):
    tables = {}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for table in load_file_tables(name, path.read_bytes()):
            tables[table.table] = table.frame
    return compute_kpis(tables, KpiSettings(period=period))["cac"]


def test_no_spend_and_no_customers_names_both(tmp_path):
    # The spend rows fall on the first of January and February 2025, so they
    # are a monthly report covering both months. The first orders are in
    # January and February 2025; August 2025 has neither.
    august = Period(date(2025, 8, 1), date(2025, 8, 31))
    result = _cac(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": SPEND_CSV}, august)
    assert result.status == "not_available"
    assert result.reason == (
        "no marketing spend is recorded in this period (the spend rows run from "
        "2025-01-01 to 2025-02-28), and the orders table has no customer whose "
        "first order falls in this period"
    )


def test_no_new_customers_names_table(tmp_path):
    # With b's first order moved to 20 January, both customers are new in
    # January. February and March have the 30.00 of spend dated 1 February
    # but no first order.
    period = Period(date(2025, 2, 1), date(2025, 3, 31))
    files = {"orders.csv": ORDERS_CSV.replace("2025-02-10", "2025-01-20")}
    files["spend.csv"] = SPEND_CSV
    result = _cac(tmp_path, files, period)
    assert result.reason == (
        "the orders table has no customer whose first order falls in this period"
    )


def test_no_spend_keeps_spend_reason(tmp_path):
    # Customer b's first order is on 10 February 2025; the spend rows are
    # days (5 January and 1 February), so 2 to 28 February has no spend.
    period = Period(date(2025, 2, 2), date(2025, 2, 28))
    spend = SPEND_CSV.replace("2025-01-01", "2025-01-05")
    result = _cac(tmp_path, {"orders.csv": ORDERS_CSV, "spend.csv": spend}, period)
    assert result.reason == (
        "no marketing spend is recorded in this period (the spend rows run from "
        "2025-01-05 to 2025-02-01)"
    )


def test_subscriptions_of_period_not_blamed(tmp_path):
    # CAC takes its customers from the table with the most customers in the
    # spend's months (2 orders against 0 subscriptions), so the reason names
    # the orders table, although the subscriptions start in 2026.
    files = {
        "orders.csv": ORDERS_CSV,
        "spend.csv": SPEND_CSV,
        "subscriptions.csv": SUBSCRIPTIONS_CSV,
    }
    year = Period(date(2026, 1, 1), date(2026, 6, 30))
    result = _cac(tmp_path, files, year)
    assert result.reason == (
        "no marketing spend is recorded in this period (the spend rows run from "
        "2025-01-01 to 2025-02-28), and the orders table has no customer whose "
        "first order falls in this period"
    )


def test_tester_half_year_reason(datasets_dir):
    base = datasets_dir / "needful-things-ecommerce"
    tables = {}
    for name in ("orders.csv", "marketing_spend.csv"):
        for table in load_file_tables(name, (base / name).read_bytes()):
            tables[table.table] = table.frame
    half = Period(date(2024, 1, 1), date(2024, 6, 30))
    result = compute_kpis(tables, KpiSettings(period=half))["cac"]
    # The spend is monthly, so it runs to the end of December 2021, and the
    # orders end in 2021.
    assert result.reason == (
        "no marketing spend is recorded in this period (the spend rows run from "
        "2019-01-01 to 2021-12-31), and the orders table has no customer whose "
        "first order falls in this period"
    )
