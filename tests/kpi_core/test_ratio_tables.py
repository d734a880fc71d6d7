"""CLV : CAC names its two tables when they describe different customers."""

from datetime import date as D

from kpi_core.cac_ratios import cac_ratio_results
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.report import ReportOptions, build_report

SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Interval,Quantity\n"
    "s1,c1,active,2024-01-05 10:00,,100,month,1\n"
    "s2,c2,active,2024-01-06 10:00,,100,month,1\n"
    "s3,c3,canceled,2024-01-07 10:00,2025-02-10 10:00,100,month,1\n"
    "s4,c4,active,2025-01-08 10:00,,100,month,1\n"
)
ORDERS = (
    "Order ID,Customer,Order date,Total,Campaign\n"
    "1,a,2025-01-10,50,Brand\n"
    "2,b,2025-02-10,70,Brand\n"
)
SPEND = "Day,Campaign,Cost\n2025-01-15,Brand,600\n"
Q1 = Period(D(2025, 1, 1), D(2025, 3, 31))
NOTE = (
    "CLV from the subscriptions, CAC's new customers from the orders, so the "
    "two describe different customers"
)


def _report(tmp_path, files: dict[str, str], **options) -> dict:
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return build_report(paths, ReportOptions(period=Q1, **options))


def test_clv_and_cac_tables_named(tmp_path):
    files = {"subs.csv": SUBSCRIPTIONS, "orders.csv": ORDERS, "spend.csv": SPEND}
    report = _report(tmp_path, files, variants={"clv": "subscription"})
    cac = report["kpis"]["cac"]
    # The spend names the orders' campaign, so the orders give the new
    # customers (a and b): 600 / 2 = 300. The CLV is the subscriptions'.
    assert cac["customer_source"] == "orders"
    assert cac["value"] == 300.0
    assert cac["ratio_tables"] == NOTE


def test_same_table_needs_no_note(tmp_path):
    files = {"orders.csv": ORDERS, "spend.csv": SPEND}
    report = _report(tmp_path, files, lifespan_years=3)
    cac = report["kpis"]["cac"]
    assert "clv_to_cac" in cac
    assert "ratio_tables" not in cac


def test_report_ratios_carry_the_note():
    tables = {
        "subscriptions": load_file("subs.csv", SUBSCRIPTIONS.encode()).frame,
        "orders": load_file("orders.csv", ORDERS.encode()).frame,
        "spend": load_file("spend.csv", SPEND.encode()).frame,
    }
    settings = KpiSettings(period=Q1, variants={"clv": "subscription"})
    kpis = compute_kpis(tables, settings)
    ratio, payback = cac_ratio_results(kpis["clv"], kpis["cac"], 100.0)
    assert NOTE[:1].upper() + NOTE[1:] in ratio.warnings
    assert NOTE[:1].upper() + NOTE[1:] in payback.warnings
