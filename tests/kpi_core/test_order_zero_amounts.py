"""Orders and invoices of 0, such as Stripe's invoice of a free trial or
one with a 100 % coupon, are no purchase: the import leaves them out and
counts them, so they count for no purchase KPI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kpi_core.clv import clv
from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue, new_customers_from_orders
from kpi_core.prepare import PreparedTable
from kpi_core.report import ReportOptions, build_report

# A Stripe invoices export. cus_A's trial invoice (line 2) and cus_B's
# invoice under a 100 % coupon (line 5) are 0. cus_C's trial (line 7) never
# turned into a paid invoice. cus_D's void invoice (line 8) is left out for
# its status and not named again for its 0.
STRIPE_INVOICES = (
    "id,Number,Customer,Customer Email,Amount Due,Amount Paid,Amount Remaining,"
    "Currency,Status,Date (UTC),Paid,Subscription\n"
    "in_01,A-0001,cus_A,a@example.com,0.00,0.00,0.00,eur,paid,"
    "2025-01-05 10:00,true,sub_A\n"
    "in_02,A-0002,cus_A,a@example.com,30.00,30.00,0.00,eur,paid,"
    "2025-02-05 10:00,true,sub_A\n"
    "in_03,A-0003,cus_A,a@example.com,30.00,30.00,0.00,eur,paid,"
    "2025-03-05 10:00,true,sub_A\n"
    "in_04,B-0001,cus_B,b@example.com,0.00,0.00,0.00,eur,paid,"
    "2025-01-10 10:00,true,sub_B\n"
    "in_05,B-0002,cus_B,b@example.com,60.00,60.00,0.00,eur,paid,"
    "2025-02-10 10:00,true,sub_B\n"
    "in_06,C-0001,cus_C,c@example.com,0.00,0.00,0.00,eur,paid,"
    "2025-01-20 10:00,true,sub_C\n"
    "in_07,D-0001,cus_D,d@example.com,0.00,0.00,0.00,eur,void,"
    "2025-01-25 10:00,false,sub_D\n"
)


def _load(tmp_path: Path, name: str, text: str) -> PreparedTable:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes())


def test_zero_invoices_left_out_and_counted(tmp_path):
    prepared = _load(tmp_path, "invoices.csv", STRIPE_INVOICES)
    assert prepared.table == "orders"
    assert prepared.mapping.columns["amount"] == "Amount Paid"
    assert prepared.frame["order_id"].to_list() == ["in_02", "in_03", "in_05"]
    [zero] = [p for p in prepared.problems if p.field == "amount"]
    assert zero.lines == (2, 5, 7)
    assert zero.describe() == (
        "3 rows with an amount of 0 (no purchase) in column 'Amount Paid' "
        "(lines 2, 5, 7; for example '0.00')"
    )
    assert zero.outcome() == "these rows are left out"
    [status] = [p for p in prepared.problems if p.field == "status"]
    assert status.lines == (8,)
    assert prepared.excluded_summary() == {
        "a status that marks no completed purchase in 'Status'": 1,
        "an amount of 0 (no purchase) in 'Amount Paid'": 3,
    }


def test_zero_invoices_not_purchases_for_clv(tmp_path):
    orders = _load(tmp_path, "invoices.csv", STRIPE_INVOICES).frame
    result = clv(orders, lifespan_years=2)
    # Paid: 30 + 30 + 60 = 120 EUR in 3 purchases, 40 EUR each. Customers
    # who bought: cus_A and cus_B, so 3 / 2 = 1.5 purchases a year. CLV =
    # 40 x 1.5 x 2 years = 120 EUR. Counted as purchases, the three 0
    # invoices gave 120 / 6 = 20 EUR x 6 / 3 = 2.0 a year x 2 = 80 EUR.
    assert result.extra["average_purchase_value"] == pytest.approx(40.0)
    assert result.extra["purchase_frequency"] == pytest.approx(1.5)
    assert result.value == pytest.approx(120.0)
    assert result.n == 2


def test_zero_invoices_acquire_no_customer(tmp_path):
    orders = _load(tmp_path, "invoices.csv", STRIPE_INVOICES).frame
    acquired = dict(
        new_customers_from_orders(orders)
        .select("customer_id", "acquired_at")
        .iter_rows()
    )
    # cus_A and cus_B are acquired by their first paid invoice, cus_C not
    # at all.
    assert acquired == {"cus_A": date(2025, 2, 5), "cus_B": date(2025, 2, 10)}


def test_zero_invoices_revenue_unchanged(tmp_path):
    orders = _load(tmp_path, "invoices.csv", STRIPE_INVOICES).frame
    result = campaign_revenue(orders)
    # 30 + 30 + 60 = 120 EUR from 3 invoices.
    assert result.extra["total"] == pytest.approx(120.0)
    assert result.n == 3


def test_report_names_zero_invoices(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(STRIPE_INVOICES, encoding="utf-8")
    report = build_report([path], ReportOptions(lifespan_years=2))
    [table] = report["inputs"]
    assert table["rows_used"] == 3
    assert table["excluded"]["an amount of 0 (no purchase) in 'Amount Paid'"] == 3
    assert any(
        warning.startswith("invoices.csv: 3 rows with an amount of 0 (no purchase)")
        and warning.endswith("these rows are left out")
        for warning in report["warnings"]
    )
    assert report["kpis"]["clv"]["value"] == pytest.approx(120.0)


def test_full_refund_not_named_again_as_zero(tmp_path):
    # Stripe payments: ch_2 was refunded in full, so its amount less the
    # refund is 0, and it is named once, for the refund. ch_3 is 0 as
    # written. ch_1 keeps 100 - 25 = 75.
    text = (
        "id,Customer Email,Date (UTC),Amount,Amount Refunded,Currency,Status\n"
        "ch_1,a@example.com,2025-03-01 10:00,100.00,25.00,eur,Paid\n"
        "ch_2,b@example.com,2025-03-02 10:00,40.00,40.00,eur,Paid\n"
        "ch_3,c@example.com,2025-03-03 10:00,0.00,0.00,eur,Paid\n"
    )
    prepared = _load(tmp_path, "unified_payments.csv", text)
    assert prepared.frame["amount"].to_list() == [75.0]
    fields = {p.field: p.lines for p in prepared.problems}
    assert fields == {"refunded": (3,), "amount": (4,)}


def test_empty_amount_is_no_zero(tmp_path):
    # An empty amount is unknown, not 0: the order stays a purchase.
    text = (
        "Order ID,Customer ID,Order date,Total\n"
        "1,K-1,2025-01-02,50.00\n"
        "2,K-2,2025-01-03,\n"
    )
    prepared = _load(tmp_path, "orders.csv", text)
    assert prepared.frame["order_id"].to_list() == ["1", "2"]
    assert [p.field for p in prepared.problems] == []
