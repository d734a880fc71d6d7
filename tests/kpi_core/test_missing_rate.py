"""Money KPIs without an exchange rate: each is "not available" with the
rate to give, and the KPIs and columns without money are still computed.

Every expected figure is worked out by hand from the rows below.
"""

import json
import subprocess
import sys
from datetime import date

import polars as pl
import pytest

from kpi_core.errors import InvalidValueError
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.marketing import cac_by_channel, new_customers_from_orders
from kpi_core.results import KpiResult, money_kpi
from kpi_core.sales import sales_kpis
from kpi_core.sales_tables import pipeline_by_stage, sales_breakdown, sales_series
from tests.conftest import PROJECT

D = date
DEALS = pl.DataFrame(
    [
        ("1", "Ana", "Won", "won", D(2025, 1, 2), D(2025, 1, 10), 1000.0, "EUR"),
        ("2", "Ben", "Won", "won", D(2025, 1, 3), D(2025, 1, 12), 500.0, "USD"),
        ("3", "Ana", "Lost", "lost", D(2025, 1, 4), D(2025, 1, 15), 200.0, "EUR"),
        ("4", "Ben", "Demo", "open", D(2025, 1, 5), None, 300.0, "USD"),
    ],
    schema={
        "deal_id": pl.String,
        "owner": pl.String,
        "stage": pl.String,
        "status": pl.String,
        "created_at": pl.Date,
        "closed_at": pl.Date,
        "amount": pl.Float64,
        "currency": pl.String,
    },
    orient="row",
)
ORDERS = pl.DataFrame(
    [
        ("c1", D(2025, 1, 5), 100.0, "EUR", "Spring", "Ads"),
        ("c2", D(2025, 1, 20), 200.0, "USD", "Spring", "Email"),
        ("c1", D(2025, 2, 10), 50.0, "EUR", "Autumn", "Ads"),
        ("c3", D(2025, 3, 1), 300.0, "USD", "Autumn", "Ads"),
    ],
    schema={
        "customer_id": pl.String,
        "ordered_at": pl.Date,
        "amount": pl.Float64,
        "currency": pl.String,
        "campaign": pl.String,
        "channel": pl.String,
    },
    orient="row",
)
SPEND = pl.DataFrame(
    [
        (D(2025, 1, 1), "Ads", "Spring", 100.0, "EUR"),
        (D(2025, 2, 1), "Ads", "Autumn", 200.0, "USD"),
    ],
    schema={
        "spent_at": pl.Date,
        "channel": pl.String,
        "campaign": pl.String,
        "amount": pl.Float64,
        "currency": pl.String,
    },
    orient="row",
)
SUBSCRIPTIONS = pl.DataFrame(
    [
        ("A", D(2024, 6, 1), None, 100.0, "month", "EUR"),
        ("B", D(2024, 10, 1), D(2025, 2, 15), 50.0, "month", "USD"),
    ],
    schema={
        "customer_id": pl.String,
        "started_at": pl.Date,
        "ended_at": pl.Date,
        "amount": pl.Float64,
        "interval": pl.String,
        "currency": pl.String,
    },
    orient="row",
)


def test_sales_kpis_without_rate_keep_counts():
    kpis = sales_kpis(DEALS, currency="EUR", fx={})
    # Close rate: 2 won of 4 created = 50 %; win rate: 2 won of 3 decided.
    assert kpis["close_rate"].value == pytest.approx(50.0)
    assert kpis["win_rate"].value == pytest.approx(2 / 3 * 100)
    # Cycles of the won deals: 8 days (1) and 9 days (2), mean 8.5.
    assert kpis["sales_cycle_days"].value == pytest.approx(8.5)
    for key in ("won_value", "average_deal_size"):
        assert not kpis[key].available
        assert kpis[key].rate_missing
        assert "no exchange rate for USD" in kpis[key].reason
        assert "--fx USD=<rate>" in kpis[key].reason


def test_sales_kpis_without_any_currency():
    kpis = sales_kpis(DEALS)
    assert kpis["won_value"].rate_missing
    assert "several currencies (EUR, USD)" in kpis["won_value"].reason
    assert kpis["close_rate"].available


def test_sales_kpis_with_rate_convert():
    kpis = sales_kpis(DEALS, currency="EUR", fx={"USD": 0.9})
    # Won: 1000 EUR + 500 USD x 0.9 = 1,450 EUR over 2 won deals = 725 EUR.
    assert kpis["won_value"].value == pytest.approx(1450.0)
    assert kpis["average_deal_size"].value == pytest.approx(725.0)
    assert not kpis["won_value"].rate_missing


def test_rate_missing_json_has_reason_only():
    result = sales_kpis(DEALS, currency="EUR", fx={})["won_value"]
    assert result.to_json() == {"status": "not_available", "reason": result.reason}


def test_money_kpi_passes_other_errors():
    def broken() -> KpiResult:
        raise InvalidValueError("invalid amount 'abc'", column="amount")

    with pytest.raises(InvalidValueError, match="invalid amount"):
        money_kpi("won_value", broken)


def test_sales_series_without_rate_blank_money():
    series = sales_series(DEALS, grain="month", currency="EUR", fx={})
    [row] = series.to_dicts()
    assert row["period_start"] == D(2025, 1, 1)
    assert row["created"] == 4
    assert row["close_rate"] == pytest.approx(50.0)
    assert row["win_rate"] == pytest.approx(2 / 3 * 100)
    assert row["cycle_mean_days"] == pytest.approx(8.5)
    # 2 won deals in EUR and USD: no sum, and never 0.
    assert row["won"] == 2
    assert row["won_value"] is None
    assert row["average_deal_size"] is None


def test_sales_breakdown_without_rate_blank_money():
    table = sales_breakdown(DEALS, segment="owner", currency="EUR", fx={})
    rows = {row["owner"]: row for row in table.iter_rows(named=True)}
    # Ana: deal 1 won, deal 3 lost. Ben: deal 2 won, deal 4 open.
    assert rows["Ana"]["win_rate"] == pytest.approx(50.0)
    assert rows["Ben"]["win_rate"] == pytest.approx(100.0)
    assert rows["Ben"]["close_rate"] == pytest.approx(50.0)
    assert rows["Ana"]["won_value"] is None
    assert rows["Ben"]["won_value"] is None


def test_pipeline_without_rate_counts_deals():
    table = pipeline_by_stage(DEALS, currency="EUR", fx={})
    rows = {row["stage"]: row for row in table.iter_rows(named=True)}
    assert rows["Demo"]["deals"] == 1
    assert rows["Won"]["deals"] == 2
    assert all(row["value"] is None for row in rows.values())
    assert all(row["without_amount"] == 0 for row in rows.values())
    converted = pipeline_by_stage(DEALS, currency="EUR", fx={"USD": 0.9})
    values = dict(zip(converted["stage"], converted["value"], strict=True))
    # Won: 1000 + 500 x 0.9; Demo: 300 x 0.9; Lost: 200.
    assert values == pytest.approx({"Won": 1450.0, "Demo": 270.0, "Lost": 200.0})


def test_marketing_kpis_without_rate():
    tables = {"orders": ORDERS, "spend": SPEND}
    kpis = compute_kpis(tables, KpiSettings(currency="EUR", lifespan_years=2.0))
    for key in ("clv", "cac", "campaign_revenue"):
        assert kpis[key].rate_missing, key
        assert "no exchange rate for USD" in kpis[key].reason


def test_marketing_kpis_with_rate_hand_worked():
    tables = {"orders": ORDERS, "spend": SPEND}
    settings = KpiSettings(currency="EUR", fx={"USD": 0.9}, lifespan_years=2.0)
    kpis = compute_kpis(tables, settings)
    # Revenue: 100 + 200 x 0.9 + 50 + 300 x 0.9 = 600 EUR in 4 orders of 3
    # customers within one year: 150 per order x 4/3 orders a year x 2 years.
    assert kpis["clv"].value == pytest.approx(400.0)
    # Spend: 100 + 200 x 0.9 = 280 EUR for 3 new customers.
    assert kpis["cac"].value == pytest.approx(280 / 3)
    # Spring: 100 + 180 = 280; Autumn: 50 + 270 = 320.
    assert kpis["campaign_revenue"].value == pytest.approx(
        {"Autumn": 320.0, "Spring": 280.0}
    )
    # ROI: Spring (280 - 100) / 100; Autumn (320 - 180) / 180.
    assert kpis["campaign_revenue"].extra["roi"] == pytest.approx(
        {"Autumn": 140 / 180 * 100, "Spring": 180.0}
    )


def test_subscription_kpis_without_rate():
    tables = {"subscriptions": SUBSCRIPTIONS}
    kpis = compute_kpis(tables, KpiSettings(currency="EUR"))
    assert kpis["arr"].rate_missing
    assert kpis["clv"].rate_missing
    # Counting churned customers needs no amounts.
    assert not kpis["churn_rate"].rate_missing
    revenue = KpiSettings(currency="EUR", variants={"churn_rate": "revenue"})
    assert compute_kpis(tables, revenue)["churn_rate"].rate_missing


def test_cac_by_channel_without_rate_keeps_counts():
    customers = new_customers_from_orders(ORDERS)
    table = cac_by_channel(SPEND, customers, currency="EUR", fx={})
    rows = {row["channel"]: row for row in table.iter_rows(named=True)}
    # First orders: c1 and c3 through Ads, c2 through Email.
    assert rows["Ads"]["new_customers"] == 2
    assert rows["Email"]["new_customers"] == 1
    assert all(row["spend"] is None for row in rows.values())
    assert all(row["cac"] is None for row in rows.values())
    priced = cac_by_channel(SPEND, customers, currency="EUR", fx={"USD": 0.9})
    ads = priced.filter(pl.col("channel") == "Ads").row(0, named=True)
    # 100 + 200 x 0.9 = 280 EUR for 2 customers.
    assert ads["spend"] == pytest.approx(280.0)
    assert ads["cac"] == pytest.approx(140.0)


MIXED_CSV = b"""\
Deal ID,Deal Stage,Amount,Currency,Create Date,Close Date
1,Closed won,1000,EUR,2025-01-02,2025-01-10
2,Closed won,500,USD,2025-01-03,2025-01-12
3,Closed lost,200,EUR,2025-01-04,2025-01-15
"""


def _report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_without_rate_reports_other_kpis(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(MIXED_CSV)
    result = _report(str(path))
    assert result.returncode == 0, result.stderr
    kpis = json.loads(result.stdout)["kpis"]
    # 2 won of 3 created.
    assert kpis["close_rate"]["value"] == pytest.approx(66.6667)
    assert kpis["won_value"]["status"] == "not_available"
    assert "EUR, USD" in kpis["won_value"]["reason"]

    converted = _report(str(path), "--currency", "EUR", "--fx", "USD=0.9")
    assert converted.returncode == 0, converted.stderr
    # 1000 EUR + 500 USD x 0.9.
    assert json.loads(converted.stdout)["kpis"]["won_value"]["value"] == 1450.0
