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


def test_woocommerce_labels_and_slugs():
    text = (
        "Order Number,Order Status,Order Date,Customer User ID,Order Total Amount\n"
        "1,Completed,2025-01-05,11,100\n"
        "2,Pending payment,2025-01-06,12,200\n"
        "3,Processing,2025-01-07,13,50\n"
        "4,wc-refunded,2025-01-08,14,60\n"
        "5,wc-on-hold,2025-01-09,15,30\n"
        "6,on_hold,2025-01-10,16,40\n"
    )
    table = load_file("woo.csv", text.encode())
    # Only Completed and Processing are paid: 100 + 50 = 150.
    assert table.frame["order_id"].to_list() == ["1", "3"]
    assert table.frame["amount"].sum() == 150.0


def test_shipping_status_keeps_pending_orders():
    text = (
        "Order ID,Customer ID,Order Date,Amount,Status\n"
        "S1,K1,2025-01-05,100,delivered\n"
        "S2,K2,2025-01-06,200,pending\n"
        "S3,K3,2025-01-07,50,shipped\n"
        "S4,K4,2025-01-08,30,returned\n"
    )
    table = load_file("orders.csv", text.encode())
    # "delivered" and "shipped" make it a shipping status, where "pending"
    # is an order not shipped yet. Only the returned S4 is left out.
    assert table.frame["order_id"].to_list() == ["S1", "S2", "S3"]


def test_shipping_header_keeps_pending_orders():
    text = (
        "Order ID,Customer ID,Order Date,Amount,Shipping Status\n"
        "S1,K1,2025-01-05,100,pending\n"
        "S2,K2,2025-01-06,200,cancelled\n"
    )
    table = load_file("orders.csv", text.encode())
    assert table.mapping.columns["status"] == "Shipping Status"
    assert table.frame["order_id"].to_list() == ["S1"]


def test_order_status_with_one_shipping_label():
    text = (
        "Order ID,Customer Email,Order Date,Order Total,Order Status\n"
        "0,c0@x.com,2025-01-10,100,Shipped\n"
        "1,c1@x.com,2025-02-10,100,Awaiting Payment\n"
        "2,c2@x.com,2025-03-10,100,Declined\n"
        "3,c3@x.com,2025-04-10,100,Completed\n"
        "4,c4@x.com,2025-05-10,100,Awaiting Fulfillment\n"
        "5,c5@x.com,2025-06-10,100,Cancelled\n"
        "6,c6@x.com,2025-07-10,100,Pending\n"
    )
    table = load_file("bigcommerce.csv", text.encode())
    # "Completed" and "Awaiting Payment" are order statuses, so one
    # "Shipped" does not make it a shipping column. Awaiting Payment,
    # Declined, Cancelled and Pending are left out; Awaiting Fulfillment is
    # paid and waits to ship: 3 x 100 = 300.
    assert table.frame["order_id"].to_list() == ["0", "3", "4"]
    assert table.detected["Order Status"] == (
        "statuses read as purchases 'Shipped', 'Completed', 'Awaiting "
        "Fulfillment'; no purchase 'Awaiting Payment', 'Declined', 'Cancelled', "
        "'Pending'"
    )


def test_unknown_status_codes_warned():
    text = (
        "Order ID,Customer,Order date,Total,Status\n"
        "1,a,2025-01-01,10,3\n"
        "2,b,2025-01-02,20,paid\n"
        "3,c,2025-01-03,30,3\n"
        "4,d,2025-01-04,40,7\n"
        "5,e,2025-01-05,50,Completed\n"
    )
    table = load_file("shop.csv", text.encode())
    # Unknown codes still count: 10 + 20 + 30 + 40 + 50 = 150.
    assert table.frame["amount"].sum() == 150.0
    [warning] = table.warnings
    assert warning.startswith(
        "3 orders have a status in 'Status' that the app does not recognise: "
        "'3' (2), '7' (1), on lines 2, 4, 5."
    )
    assert "remove those rows" in warning


def test_known_statuses_not_warned():
    text = (
        "Order ID,Customer,Order date,Total,Financial Status\n"
        "1,a,2025-01-01,10,paid\n"
        "2,b,2025-01-02,20,partially_refunded\n"
        "3,c,2025-01-03,30,Authorized\n"
        "4,d,2025-01-04,40,wc-processing\n"
        "5,e,2025-01-05,50,Bezahlt\n"
        "6,f,2025-01-06,60,\n"
        "7,g,2025-01-07,70,void\n"
    )
    table = load_file("shop.csv", text.encode())
    assert table.rows_used == 6
    assert table.warnings == ()
