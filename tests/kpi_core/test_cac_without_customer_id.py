"""CAC counts the orders and subscriptions without a customer id that its new
customers leave out, in the period and only where they would have acquired
a customer."""

from __future__ import annotations

from datetime import date

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period

# Orders 2 (15 Jan) and 4 (20 Feb) have no customer id.
ORDERS = """order_id,customer_id,order_date,amount
1,a,2025-01-10,100.00
2,,2025-01-15,80.00
3,b,2025-02-10,60.00
4,,2025-02-20,40.00
5,a,2025-03-10,50.00
"""
SPEND = """date,channel,spend
2025-01-01,Ads,90.00
2025-02-01,Ads,30.00
2025-03-01,Ads,200.00
"""
# s2 has no customer id and pays 50 a month from 10 Jan. s3 has no customer
# id either, but its free plan would acquire no customer even with one.
SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2025-01-05 00:00,,100.00,EUR,month\n"
    "s2,,active,2025-01-10 00:00,,50.00,EUR,month\n"
    "s3,,active,2025-01-12 00:00,,0.00,EUR,month\n"
)
ORDER_REASON = "order without a customer id"
SUBSCRIPTION_REASON = "subscription without a customer id"


def _tables(tmp_path, **texts: str) -> dict:
    tables = {}
    for table, text in texts.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        tables[table] = load_file(path.name, path.read_bytes(), table=table).frame
    return tables


def test_orders_without_id_counted(tmp_path):
    tables = _tables(tmp_path, orders=ORDERS, spend=SPEND)
    result = compute_kpis(tables, KpiSettings())["cac"]
    # New customers a and b; spend 90 + 30 + 200 = 320, so 320 / 2 = 160.
    assert result.value == 160.0
    assert result.n == 2
    # Orders 2 and 4.
    assert result.excluded == {ORDER_REASON: 2}
    assert result.left_out(ORDER_REASON) == "2 rows"


def test_orders_without_id_in_period(tmp_path):
    tables = _tables(tmp_path, orders=ORDERS, spend=SPEND)
    february = Period(date(2025, 2, 1), date(2025, 2, 28))
    result = compute_kpis(tables, KpiSettings(period=february))["cac"]
    # February: spend 30 and new customer b, so 30 / 1 = 30. Only order 4
    # (20 Feb) lies in February; order 2 (15 Jan) does not.
    assert result.value == 30.0
    assert result.excluded == {ORDER_REASON: 1}


def test_no_orders_without_id_in_period(tmp_path):
    # A guard: in March a orders again and every order has an id, so no
    # row is counted. March has no new customer, so CAC is not available.
    tables = _tables(tmp_path, orders=ORDERS, spend=SPEND)
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    result = compute_kpis(tables, KpiSettings(period=march))["cac"]
    assert not result.available
    assert ORDER_REASON not in result.excluded


def test_paying_subscription_without_id_counted(tmp_path):
    tables = _tables(
        tmp_path,
        subscriptions=SUBSCRIPTIONS,
        spend="date,channel,spend\n2025-01-01,Ads,200.00\n",
    )
    result = compute_kpis(tables, KpiSettings())["cac"]
    # K1 is the one new customer, so 200 / 1 = 200. s2 would have acquired
    # a customer and is counted; s3's free plan would not, so it is not.
    assert result.value == 200.0
    assert result.n == 1
    assert result.excluded == {SUBSCRIPTION_REASON: 1}
