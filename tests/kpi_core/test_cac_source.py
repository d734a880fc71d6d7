"""CAC divides the spend by the customers of the table its campaigns name."""

from datetime import date

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis, new_customers
from kpi_core.period import Period

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))

# Google spend of 650 for two campaigns that the orders name.
SPEND = """\
Day,Campaign,Currency code,Cost
2025-01-15,Brand Search,EUR,400.00
2025-03-20,Spring Promo,EUR,250.00
"""
# Five new order customers in Q1, C2 to C6; C1 bought in 2024.
ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency,utm_campaign
O1,2024-11-10,C1,100.00,EUR,
O2,2025-01-20,C2,100.00,EUR,Brand Search
O3,2025-02-01,C3,100.00,EUR,brand search
O4,2025-02-10,C4,100.00,EUR,Spring Promo
O5,2025-02-20,C5,100.00,EUR,
O6,2025-03-01,C6,100.00,EUR,Newsletter
"""
# Six subscribers start between the first and the last day of spend, more
# than the orders' five there, but the spend names none of their labels.
SUBSCRIPTIONS = """\
id,Customer ID,Status,Start Date (UTC),Amount,Currency,Interval
s1,K1,active,2025-01-16 00:00,10.00,EUR,month
s2,K2,active,2025-01-20 00:00,10.00,EUR,month
s3,K3,active,2025-02-01 00:00,10.00,EUR,month
s4,K4,active,2025-02-15 00:00,10.00,EUR,month
s5,K5,active,2025-03-01 00:00,10.00,EUR,month
s6,K6,active,2025-03-10 00:00,10.00,EUR,month
"""


def _tables(**texts: str) -> dict:
    return {
        kind: load_file(f"{kind}.csv", text.encode(), table=kind).frame
        for kind, text in texts.items()
    }


def test_campaign_match_picks_orders():
    tables = _tables(spend=SPEND, orders=ORDERS, subscriptions=SUBSCRIPTIONS)
    assert new_customers(tables).source == "orders"


def test_cac_over_matching_orders():
    tables = _tables(spend=SPEND, orders=ORDERS, subscriptions=SUBSCRIPTIONS)
    result = compute_kpis(tables, KpiSettings(period=Q1))["cac"]
    # 650 spend / 5 new order customers (C2 to C6) = 130.
    assert result.value == 130.0


def test_without_match_most_customers_wins():
    orders = ORDERS.replace("Brand Search", "Other").replace("brand search", "x")
    orders = orders.replace("Spring Promo", "Other")
    tables = _tables(spend=SPEND, orders=orders, subscriptions=SUBSCRIPTIONS)
    # Neither table names a spend campaign: 6 subscribers against 5 orders.
    assert new_customers(tables).source == "subscriptions"


# Deals whose source names the spend's Brand Search campaign: 1,800 won in
# Q1. The orders above name other campaigns once their labels are changed.
DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date,Original Source,Company
D1,Closed Won,1800,2025-01-10,2025-02-10,Brand Search,Acme
D2,Closed Lost,500,2025-01-12,2025-02-12,Brand Search,Globex
"""


def test_campaign_revenue_from_matching_deals():
    orders = ORDERS.replace("Brand Search", "Other").replace("brand search", "x")
    orders = orders.replace("Spring Promo", "Other")
    tables = _tables(spend=SPEND, orders=orders, deals=DEALS)
    result = compute_kpis(tables, KpiSettings(period=Q1))["campaign_revenue"]
    # The deals name Brand Search, the orders no spend campaign: 1,800 from
    # D1, and ROI (1,800 - 400) / 400 x 100 = 350 %.
    assert result.value == {"Brand Search": 1800.0}
    assert result.extra["roi"]["Brand Search"] == 350.0


def test_campaign_revenue_prefers_matching_orders():
    tables = _tables(spend=SPEND, orders=ORDERS, deals=DEALS)
    result = compute_kpis(tables, KpiSettings(period=Q1))["campaign_revenue"]
    # Both name Brand Search, so the orders stay the source: 500 of orders.
    assert result.extra["total"] == 500.0
