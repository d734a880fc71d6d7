"""Spend named by campaign beside revenue named by channel shares no name,
so no campaign's ROI can be read; -100 % for each would be wrong."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue
from kpi_core.period import Period

ORDERS = b"""Order ID,Customer ID,Order date,Total,Currency,Channel
1,c1,2021-06-02,600.00,EUR,Google Paid
2,c2,2021-06-03,486.00,EUR,Google Paid
3,c3,2021-06-04,100.00,EUR,Facebook Ads
"""
SPEND = b"""Day,Campaign,Currency,Cost
2021-06-02,Brand DE,EUR,200.00
2021-06-03,Shop Generisch,EUR,109.22
"""


def _load(name: str, data: bytes, table: str):
    return load_file(name, data, table=table).frame


def test_no_shared_name_gives_reason():
    result = campaign_revenue(
        _load("orders.csv", ORDERS, "orders"), spend=_load("ads.csv", SPEND, "spend")
    )
    assert "roi" not in result.extra
    reason = result.extra["roi_reason"]
    assert "(“Brand DE”, “Shop Generisch”)" in reason
    assert "(“Facebook Ads”, “Google Paid”)" in reason


def test_one_shared_name_keeps_roi():
    spend = SPEND.replace(b"Shop Generisch", b"Google Paid")
    result = campaign_revenue(
        _load("orders.csv", ORDERS, "orders"), spend=_load("ads.csv", spend, "spend")
    )
    # Google Paid: (1,086 - 109.22) / 109.22; Brand DE earned nothing.
    assert result.extra["roi"]["Google Paid"] == pytest.approx(
        (1086 - 109.22) / 109.22 * 100
    )
    assert result.extra["roi"]["Brand DE"] == pytest.approx(-100.0)


def test_period_without_paid_revenue_keeps_roi():
    # On 2 June only Google Paid spent, but the day's revenue is Google
    # Organic's. The names match on other days, so Google Paid's cost
    # earned nothing that day: ROI -100 %.
    orders = b"""Order ID,Customer ID,Order date,Total,Currency,Channel
1,c1,2021-06-02,50.00,EUR,Google Organic
2,c2,2021-06-05,600.00,EUR,Google Paid
"""
    spend = b"Day,Channel,Currency,Cost\n2021-06-02,Google Paid,EUR,20.00\n"
    result = campaign_revenue(
        _load("orders.csv", orders, "orders"),
        Period(date(2021, 6, 2), date(2021, 6, 2)),
        spend=_load("ads.csv", spend, "spend"),
    )
    assert result.extra["roi"] == {"Google Paid": pytest.approx(-100.0)}


def test_double_space_in_spend_name_matches():
    spend = SPEND.replace(b"Shop Generisch", b"Google  Paid")
    result = campaign_revenue(
        _load("orders.csv", ORDERS, "orders"), spend=_load("ads.csv", spend, "spend")
    )
    # Google Paid: (1,086 - 109.22) / 109.22 x 100.
    [key] = [name for name in result.extra["roi"] if "oogle" in name]
    assert result.extra["roi"][key] == pytest.approx((1086 - 109.22) / 109.22 * 100)


@pytest.mark.parametrize(
    "name",
    [
        # "é" written as "e" and a combining accent, as macOS writes it.
        "Cafe\u0301 Paid",
        # A zero-width space pasted from a web page.
        "Caf\u00e9\u200b Paid",
        # A left-to-right mark before the name, and isolates around a word.
        "\u200eCaf\u00e9 Paid",
        "Caf\u00e9 \u2066Paid\u2069",
    ],
)
def test_unicode_variant_of_name_matches(name):
    orders = ORDERS.replace(b"Google Paid", "Caf\u00e9 Paid".encode())
    spend = SPEND.replace(b"Shop Generisch", name.encode())
    result = campaign_revenue(
        _load("orders.csv", orders, "orders"), spend=_load("ads.csv", spend, "spend")
    )
    # Café Paid: (1,086 - 109.22) / 109.22 x 100, in one row.
    roi = result.extra["roi"]
    assert len(roi) == 2
    [key] = [label for label in roi if label.startswith("Caf")]
    assert roi[key] == pytest.approx((1086 - 109.22) / 109.22 * 100)


@pytest.mark.parametrize("apostrophe", ["\u2019", "\u00b4", "`"])
def test_typographic_apostrophe_and_dash_match(apostrophe):
    orders = ORDERS.replace(b"Google Paid", b"Mother's-Day")
    spend = SPEND.replace(b"Shop Generisch", f"Mother{apostrophe}s\u2013Day".encode())
    result = campaign_revenue(
        _load("orders.csv", orders, "orders"), spend=_load("ads.csv", spend, "spend")
    )
    # (1,086 - 109.22) / 109.22 x 100, in one row.
    [key] = [label for label in result.extra["roi"] if label.startswith("Mother")]
    assert result.extra["roi"][key] == pytest.approx((1086 - 109.22) / 109.22 * 100)
