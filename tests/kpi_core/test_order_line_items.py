"""Shopify writes one row per line item of an order, with the total and
the financial status on the first row only."""

from __future__ import annotations

from datetime import date

from kpi_core.importing import load_file
from kpi_core.marketing import new_customers_from_orders

# a@ex.com's first order (#1001, two line items) was voided, so a@ex.com is
# acquired by #1003 in May. b@ex.com pays #1002 with three line items.
ORDERS = b"""Name,Email,Financial Status,Currency,Total,Created at,Lineitem name,Id
#1001,a@ex.com,voided,EUR,80.00,2024-02-28 10:00:00,Mug,5001
#1001,a@ex.com,,,,2024-02-28 10:00:00,Cap,
#1002,b@ex.com,paid,EUR,120.00,2024-03-02 09:00:00,Mug,5002
#1002,b@ex.com,,,,2024-03-02 09:00:00,Cap,
#1002,b@ex.com,,,,2024-03-02 09:00:00,Shirt,
#1003,a@ex.com,paid,EUR,40.00,2024-05-01 12:00:00,Mug,5003
"""


def test_line_items_left_out_with_lines():
    prepared = load_file("orders_export.csv", ORDERS, table="orders")
    assert prepared.frame["_line"].to_list() == [4, 7]
    [items] = [p for p in prepared.problems if "line items" in p.kind]
    assert items.count == 3
    assert items.lines == (3, 5, 6)


def test_voided_order_acquires_nobody():
    orders = load_file("orders_export.csv", ORDERS, table="orders").frame
    acquired = dict(new_customers_from_orders(orders).select(
        "customer_id", "acquired_at").iter_rows())  # fmt: skip
    assert acquired["b@ex.com"] == date(2024, 3, 2)
    assert acquired["a@ex.com"] == date(2024, 5, 1)
