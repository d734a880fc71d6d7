"""Shopify's "Refunded Amount" and Stripe's "Amount Refunded" give the part
of an order paid back. A partly refunded order reads as paid by its status,
so its revenue is its total less the refund."""

from __future__ import annotations

from datetime import date

from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue, new_customers_from_orders

# #1002 was partly refunded: 200 - 50 = 150 count. #1003 was refunded in
# full although its status still reads paid, so it is no purchase and
# c@ex.com is acquired by #1005. #1004's status is already refunded.
SHOPIFY = b"""Name,Email,Financial Status,Created at,Total,Refunded Amount,Utm Campaign
#1001,a@ex.com,paid,2024-03-01 10:00:00,100.00,0.00,spring
#1002,b@ex.com,partially_refunded,2024-03-02 10:00:00,200.00,50.00,spring
#1003,c@ex.com,paid,2024-03-03 10:00:00,80.00,80.00,spring
#1004,d@ex.com,refunded,2024-03-04 10:00:00,60.00,60.00,summer
#1005,c@ex.com,paid,2024-04-05 10:00:00,30.00,,summer
"""


def test_partly_refunded_order_net_amount():
    prepared = load_file("orders_export.csv", SHOPIFY, table="orders")
    amounts = dict(prepared.frame.select("_line", "amount").iter_rows())
    assert amounts == {2: 100.0, 3: 150.0, 6: 30.0}
    assert "1 partly refunded order" in prepared.detected["Refunded Amount"]


def test_full_refund_no_purchase():
    prepared = load_file("orders_export.csv", SHOPIFY, table="orders")
    [refund] = [p for p in prepared.problems if p.field == "refunded"]
    assert refund.lines == (4,)
    # Line 5 is left out for its status and not named again for its refund.
    [status] = [p for p in prepared.problems if p.field == "status"]
    assert status.lines == (5,)
    acquired = dict(
        new_customers_from_orders(prepared.frame)
        .select("customer_id", "acquired_at")
        .iter_rows()
    )
    assert acquired == {
        "a@ex.com": date(2024, 3, 1),
        "b@ex.com": date(2024, 3, 2),
        "c@ex.com": date(2024, 4, 5),
    }


def test_campaign_revenue_net_of_refunds():
    orders = load_file("orders_export.csv", SHOPIFY, table="orders").frame
    result = campaign_revenue(orders, by="campaign")
    # spring: 100 + (200 - 50); summer: 30 from #1005 only.
    assert result.value == {"spring": 250.0, "summer": 30.0}
    assert result.extra["total"] == 280.0


def test_negative_refunds_in_cents():
    # Stripe writes amounts in cents when the header says so, and some
    # exports write a refund as a negative number.
    stripe = b"""id,Email,Date,Amount (cents),Amount Refunded (cents),Currency,Status
ch_1,a@ex.com,2024-03-01 10:00:00,10000,-2500,eur,Paid
ch_2,b@ex.com,2024-03-02 10:00:00,4000,4000,eur,Paid
"""
    prepared = load_file("unified_payments.csv", stripe, table="orders")
    assert prepared.mapping.columns["refunded"] == "Amount Refunded (cents)"
    assert prepared.frame["amount"].to_list() == [75.0]


def test_rare_currency_named_once():
    # One USD order among six in EUR, with a refund column: the rare
    # currency is named for the amounts, not again for the refunds.
    rows = [
        f"#{n},c{n}@ex.com,paid,2024-03-0{n} 10:00:00,100.00,0.00,EUR"
        for n in range(1, 7)
    ]
    rows.append("#7,c7@ex.com,paid,2024-03-07 10:00:00,100.00,0.00,USD")
    data = (
        "Name,Email,Financial Status,Created at,Total,Refunded Amount,Currency\n"
        + "\n".join(rows)
        + "\n"
    ).encode()
    prepared = load_file("orders_export.csv", data, table="orders")
    rare = [w for w in prepared.warnings if "USD" in w]
    assert len(rare) == 1
    assert "'Total'" in rare[0]
