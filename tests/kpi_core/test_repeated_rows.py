"""A row that repeats an earlier one value for value is counted once, as a
duplicate deal id already was."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period
from kpi_core.subscriptions import arr

ALL_DATA = Period(None, None)


def test_repeated_order_once():
    text = (
        "order_id,customer_id,ordered_at,amount,channel\n"
        "1,A,2025-03-02,100,Google Ads\n"
        "2,B,2025-03-05,50,Google Ads\n"
        "1,A,2025-03-02,100,Google Ads\n"
    )
    prepared = load_file("orders.csv", text.encode())
    assert prepared.rows_used == 2
    [problem] = prepared.problems
    assert problem.lines == (4,)
    result = campaign_revenue(
        prepared.frame, Period(date(2025, 3, 1), date(2025, 3, 31))
    )
    # 100 + 50, not 250.
    assert result.value == {"Google Ads": pytest.approx(150.0)}


def test_repeated_subscription_once():
    text = (
        "subscription_id,customer_id,started_at,ended_at,monthly_charge\n"
        "S1,A,2025-01-01,,100\nS2,B,2025-01-01,,50\nS1,A,2025-01-01,,100\n"
    )
    subs = load_file("subs.csv", text.encode()).frame
    # (100 + 50) x 12 = 1,800, not 3,000.
    assert arr(subs, ALL_DATA).value == pytest.approx(1800.0)


def test_same_id_other_values_kept():
    # A subscription's change from 100 to 150 shares its id.
    text = (
        "subscription_id,customer_id,started_at,ended_at,monthly_charge\n"
        "S1,A,2025-01-01,2025-03-01,100\nS1,A,2025-03-01,,150\n"
    )
    prepared = load_file("subs.csv", text.encode())
    assert prepared.rows_used == 2
    assert prepared.problems == ()


def test_repeated_nps_response_once():
    text = (
        "Response ID,Score,Submit Date\n"
        "r1,10,2025-03-02\nr2,0,2025-03-03\nr1,10,2025-03-02\n"
    )
    responses = load_file("nps.csv", text.encode(), table="nps").frame
    # One promoter and one detractor: 0, not (2 - 1) / 3 = 33.3.
    assert net_promoter_score(responses, ALL_DATA).value == pytest.approx(0.0)


def test_line_items_of_unmapped_column_kept():
    # Order 1001 contains a mug and a tea at 15 each; the product is not mapped.
    text = (
        "order_id,customer_id,ordered_at,amount,product_title\n"
        "1001,A,2025-03-02,15,Mug\n"
        "1001,A,2025-03-02,15,Tea\n"
        "1002,B,2025-03-05,15,Mug\n"
    )
    prepared = load_file("orders.csv", text.encode())
    assert prepared.rows_used == 3
    assert prepared.problems == ()


def test_export_time_column_not_compared():
    # Two exports pasted together repeat order 1002; only the unmapped
    # "Exported at" differs.
    text = (
        "order_id,customer_id,ordered_at,amount,Exported at\n"
        "1001,A,2025-03-02,30,2025-03-10 08:00\n"
        "1002,B,2025-03-05,45,2025-03-10 08:00\n"
        "1002,B,2025-03-05,45,2025-03-20 09:30\n"
        "1003,C,2025-03-12,20,2025-03-20 09:30\n"
    )
    prepared = load_file("orders.csv", text.encode())
    assert prepared.rows_used == 3
    [problem] = prepared.problems
    assert problem.lines == (4,)


def test_shipping_dates_tell_line_items_apart():
    # Two mugs of order 1001, shipped on different days.
    text = (
        "Order ID,Customer ID,Order date,Total,SKU,Shipped at\n"
        "1001,C1,2025-03-01,20,MUG-01,2025-03-02\n"
        "1001,C1,2025-03-01,20,MUG-01,2025-03-09\n"
        "1002,C2,2025-03-05,35,TS-RED-M,2025-03-06\n"
    )
    prepared = load_file("orders.csv", text.encode())
    assert prepared.rows_used == 3
