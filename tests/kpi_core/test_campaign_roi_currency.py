"""Return on campaign cost needs the spend and the revenue in one currency:
spend that names none is read as EUR, as for CAC."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue

# Orders of 300 and 100 USD from the channel Ads, 50 USD from Mail.
ORDERS = """order_id,customer_id,order_date,amount,currency,channel
1,a,2025-01-10,300.00,USD,Ads
2,b,2025-02-10,100.00,USD,Ads
3,c,2025-02-12,50.00,USD,Mail
"""
SPEND = """date,channel,spend
2025-01-01,Ads,200.00
"""


def _load(tmp_path: Path, name: str, text: str, table: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


def test_spend_without_currency_gives_no_roi_on_dollars(tmp_path):
    orders = _load(tmp_path, "orders.csv", ORDERS, "orders")
    spend = _load(tmp_path, "spend.csv", SPEND, "spend")
    result = campaign_revenue(orders, spend=spend)
    assert result.unit == "USD"
    assert "roi" not in result.extra
    assert result.extra["roi_reason"] == (
        "the spend names no currency, so it is read as EUR, while the revenue "
        "is in USD. If the spend is in USD too, upload it again on the Data "
        "page and choose that currency"
    )


def test_spend_in_the_revenue_currency_gives_roi(tmp_path):
    orders = _load(tmp_path, "orders.csv", ORDERS, "orders")
    spend_usd = SPEND.replace("date,channel,spend", "date,channel,spend,currency")
    spend_usd = spend_usd.replace("200.00", "200.00,USD")
    spend = _load(tmp_path, "spend.csv", spend_usd, "spend")
    result = campaign_revenue(orders, spend=spend)
    # Ads: (300 + 100 - 200) / 200 x 100 = 100 %.
    assert result.extra["roi"] == {"Ads": pytest.approx(100.0)}
    assert "roi_reason" not in result.extra


def test_spend_without_rate_keeps_revenue(tmp_path):
    orders = _load(tmp_path, "orders.csv", ORDERS, "orders")
    spend_gbp = SPEND.replace("date,channel,spend", "date,channel,spend,currency")
    spend_gbp = spend_gbp.replace("200.00", "200.00,GBP")
    spend = _load(tmp_path, "spend.csv", spend_gbp, "spend")
    result = campaign_revenue(orders, spend=spend)
    # The revenue of the orders is in USD alone: Ads 300 + 100, Mail 50.
    assert result.available
    assert result.unit == "USD"
    assert result.value == {"Ads": pytest.approx(400.0), "Mail": pytest.approx(50.0)}
    assert "roi" not in result.extra
    assert result.extra["roi_reason"] == (
        "the marketing spend has amounts in GBP and the revenue of the orders "
        "is in USD, with no exchange rate between them. Give the value of 1 GBP "
        "in USD under Currencies in the sidebar, or add --currency USD --fx "
        "GBP=<rate> on the command line"
    )

    converted = campaign_revenue(orders, spend=spend, currency="USD", fx={"GBP": 1.5})
    # Ads: 200 GBP x 1.5 = 300 USD of cost, so (400 - 300) / 300 x 100.
    assert converted.extra["roi"] == {"Ads": pytest.approx(100 / 3)}
