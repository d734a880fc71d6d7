"""Orders, subscriptions and email events with an empty customer id or
address. The import names the rows and keeps them. The KPIs that need the
id leave them out and never take them for one more customer or address,
and those that need no id, such as the revenue by campaign, count them."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.period import Period

# C1 buys 100 and 50, C2 80; lines 5 and 6 (40 and 60) have no customer.
ORDERS = (
    "Order ID,Customer ID,Order date,Total,Currency,Channel\n"
    "1,C1,2024-01-05,100,EUR,Ads\n"
    "2,C1,2024-03-05,50,EUR,Ads\n"
    "3,C2,2024-02-05,80,EUR,Email\n"
    "4,,2024-02-07,40,EUR,Ads\n"
    "5,,2024-04-07,60,EUR,Ads\n"
)
SPEND = (
    "Date,Channel,Spend,Currency\n2024-01-01,Ads,300,EUR\n2024-02-01,Email,100,EUR\n"
)
# C1 is active at 100 a month, C2 churned on June 30. Lines 4 and 5 have no
# customer: one still active at 50, one ended on May 31.
SUBSCRIPTIONS = (
    "Customer ID,Plan,Start date,End date,MRR,Currency\n"
    "C1,Basic,2024-01-01,,100,EUR\n"
    "C2,Basic,2024-02-01,2024-06-30,100,EUR\n"
    ",Basic,2024-03-01,,50,EUR\n"
    ",Pro,2024-03-01,2024-05-31,70,EUR\n"
)
# Lines 4 and 5 have no address.
EMAIL_EVENTS = (
    "Email,Event,Date\n"
    "a@example.com,subscribe,2024-01-02\n"
    "b@example.com,subscribe,2024-01-03\n"
    ",subscribe,2024-01-04\n"
    ",unsubscribe,2024-01-05\n"
    "a@example.com,unsubscribe,2024-02-01\n"
)


def _load(text: str, name: str):
    return load_file(name, text.encode("utf-8"))


def _message(prepared) -> str:
    [problem] = prepared.problems
    assert problem.row_kept
    return f"{problem.describe()}; {problem.outcome()}"


def test_empty_order_customer_id_named():
    prepared = _load(ORDERS, "orders.csv")
    assert prepared.table == "orders"
    assert _message(prepared) == (
        "2 rows with an empty customer ID in column 'Customer ID' (lines 5, 6); "
        "the rows are kept, so the revenue by campaign and the average "
        "purchase value of CLV count them. The purchases a year of CLV leave "
        "them out and its note counts them, the customer lifespan leaves them "
        "out, and the new customers of CAC leave them out and CAC counts them, "
        "because an order without a customer ID belongs to no customer that "
        "can be counted; fill in the customer ID of these rows and import the "
        "file again"
    )
    assert prepared.problem_rows["_line"].to_list() == [5, 6]
    assert prepared.rows_used == 5


def test_empty_subscription_customer_id_named():
    prepared = _load(SUBSCRIPTIONS, "subscriptions.csv")
    assert prepared.table == "subscriptions"
    assert _message(prepared) == (
        "2 rows with an empty customer ID in column 'Customer ID' (lines 4, 5); "
        "the rows are kept, but MRR, ARR, churn, the upsell rate and CLV leave "
        "them out and count them, and the new customers of CAC leave them out "
        "and CAC counts those that pay, because a subscription without a "
        "customer ID belongs to no customer that can be counted; fill in the "
        "customer ID of these rows and import the file again"
    )
    assert prepared.rows_used == 4


def test_empty_email_address_named():
    prepared = _load(EMAIL_EVENTS, "email_events.csv")
    assert prepared.table == "email_events"
    assert _message(prepared) == (
        "2 rows with an empty email address in column 'Email' (lines 4, 5); the "
        "rows are kept, but the email-list growth leaves them out and counts "
        "them, because an event without an address cannot be matched to the "
        "subscriber it adds or removes; fill in the email address of these "
        "rows and import the file again"
    )
    assert prepared.rows_used == 5


def test_one_empty_id_named_in_singular():
    text = "\n".join(ORDERS.splitlines()[:5]) + "\n"
    assert _message(_load(text, "orders.csv")).startswith(
        "1 row with an empty customer ID in column 'Customer ID' (line 5); the "
        "row is kept, so the revenue by campaign and the average purchase value "
        "of CLV count it."
    )


def test_filled_ids_name_no_problem():
    # Guard: a table whose ids are all filled gets no problem.
    text = "\n".join(ORDERS.splitlines()[:4]) + "\n"
    assert _load(text, "orders.csv").problems == ()


def test_order_kpis_with_empty_customer_ids():
    tables = {
        "orders": _load(ORDERS, "orders.csv").frame,
        "spend": _load(SPEND, "spend.csv").frame,
    }
    kpis = compute_kpis(tables, KpiSettings(lifespan_years=2.0))
    # Revenue by campaign counts every order: Ads 100 + 50 + 40 + 60 = 250.
    assert kpis["campaign_revenue"].value == {"Ads": 250.0, "Email": 80.0}
    # CAC: 400 spent / 2 new customers (C1, C2) = 200; the orders without a
    # customer are no third customer.
    assert kpis["cac"].value == pytest.approx(200.0)
    assert kpis["cac"].n == 2
    # CLV: 330 / 5 orders = 66 per purchase, 3 purchases of 2 customers =
    # 1.5 a year, over 2 years: 66 x 1.5 x 2 = 198.
    clv = kpis["clv"]
    assert clv.value == pytest.approx(198.0)
    assert clv.n == 2
    assert "2 orders without a customer id count in the average purchase" in clv.note


def test_subscription_kpis_with_empty_customer_ids():
    tables = {"subscriptions": _load(SUBSCRIPTIONS, "subscriptions.csv").frame}
    kpis = compute_kpis(tables, KpiSettings())
    # ARR: C1's 100 a month x 12 = 1,200; the active row without a customer
    # adds nothing.
    assert kpis["arr"].value == pytest.approx(1200.0)
    assert kpis["arr"].excluded == {"no customer id": 2}
    # Churn: C2 of C1 and C2 = 50 %.
    assert kpis["churn_rate"].value == pytest.approx(50.0)
    assert kpis["churn_rate"].excluded == {"no customer id": 2}


def test_list_growth_with_empty_addresses():
    tables = {"email_events": _load(EMAIL_EVENTS, "email_events.csv").frame}
    period = Period(date(2024, 1, 15), date(2024, 2, 29))
    result = compute_kpis(tables, KpiSettings(period=period))["list_growth_rate"]
    # On the list on Jan 15: a and b. a unsubscribes on Feb 1:
    # (0 - 1) / 2 x 100 = -50 %. The rows without an address would be one
    # more address that joined and left.
    assert result.value == pytest.approx(-50.0)
    assert result.excluded["no email address"] == 2
