"""Orders whose status marks no completed purchase are left out at import."""

from datetime import date as D

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.report import ReportOptions, build_report

INVOICES = (
    "id,Customer,Amount Paid,Currency,Status,Date (UTC)\n"
    "in_1,cus_A,100.00,eur,paid,2025-01-10 09:00\n"
    "in_2,cus_B,200.00,eur,paid,2025-02-10 09:00\n"
    "in_3,cus_A,300.00,eur,paid,2025-03-10 09:00\n"
    "in_4,cus_C,0.00,eur,void,2025-03-11 09:00\n"
    "in_5,cus_D,0.00,eur,open,2025-03-12 09:00\n"
)
SPEND = "Day,Campaign,Cost\n2025-01-15,Brand,600\n"
Q1 = Period(D(2025, 1, 1), D(2025, 3, 31))


def test_void_and_open_invoices_left_out():
    table = load_file("invoices.csv", INVOICES.encode())
    assert table.mapping.columns["status"] == "Status"
    assert table.rows_read == 5
    assert table.rows_used == 3
    assert table.frame["customer_id"].to_list() == ["cus_A", "cus_B", "cus_A"]
    [problem] = table.problems
    assert problem.column == "Status"
    assert problem.lines == (5, 6)
    assert problem.examples == ("void", "open")
    assert problem.describe().startswith(
        "2 rows with a status that marks no completed purchase in column 'Status'"
    )


def test_unpaid_customers_not_acquired(tmp_path):
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(INVOICES, encoding="utf-8")
    spend = tmp_path / "spend.csv"
    spend.write_text(SPEND, encoding="utf-8")
    report = build_report([invoices, spend], ReportOptions(period=Q1, lifespan_years=3))
    # New customers in Q1: A and B; C and D never paid. CAC = 600 / 2 = 300.
    assert report["kpis"]["cac"]["value"] == 300.0
    # 3 purchases of 600 from 2 customers: 600 / 3 = 200 per purchase,
    # 3 / 2 = 1.5 purchases each, 200 x 1.5 x 3 years = 900.
    assert report["kpis"]["clv"]["value"] == 900.0


def test_paid_statuses_count_as_purchases():
    text = (
        "Order ID,Customer,Order date,Total,Financial Status\n"
        "1,a,2025-01-01,10,paid\n"
        "2,b,2025-01-02,20,partially_refunded\n"
        "3,c,2025-01-03,30,Refunded\n"
        "4,d,2025-01-04,40,authorized\n"
        "5,e,2025-01-05,50,\n"
    )
    table = load_file("shopify.csv", text.encode())
    assert table.mapping.columns["status"] == "Financial Status"
    # Only the fully refunded order 3 is left out; an empty status counts.
    assert table.frame["order_id"].to_list() == ["1", "2", "4", "5"]
