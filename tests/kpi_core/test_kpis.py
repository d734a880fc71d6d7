import csv
from datetime import date

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis, new_customers
from kpi_core.period import Period

D = date


def orders(*days: date) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [f"o{number}" for number in range(len(days))],
            "ordered_at": list(days),
            "amount": [10.0] * len(days),
        },
        schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
    )


def subscriptions(*days: date) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [f"s{number}" for number in range(len(days))],
            "started_at": list(days),
            "amount": [10.0] * len(days),
        },
        schema={"customer_id": pl.String, "started_at": pl.Date, "amount": pl.Float64},
    )


def spend(*days: date) -> pl.DataFrame:
    return pl.DataFrame(
        {"spent_at": list(days), "amount": [100.0] * len(days)},
        schema={"spent_at": pl.Date, "amount": pl.Float64},
    )


def test_new_customers_source_overlaps_spend():
    tables = {
        "subscriptions": subscriptions(D(2023, 5, 1), D(2023, 6, 1), D(2024, 1, 1)),
        "orders": orders(D(2019, 3, 1), D(2020, 2, 1)),
        "spend": spend(D(2019, 1, 1), D(2021, 12, 1)),
    }
    # Two orders fall within 2019-01-01 to 2021-12-01, no subscription does.
    assert new_customers(tables).source == "orders"


def test_new_customers_without_spend_prefers_subscriptions():
    tables = {
        "subscriptions": subscriptions(D(2023, 5, 1)),
        "orders": orders(D(2019, 3, 1)),
    }
    assert new_customers(tables).source == "subscriptions"


def test_new_customers_tie_prefers_subscriptions():
    tables = {
        "subscriptions": subscriptions(D(2020, 5, 1)),
        "orders": orders(D(2020, 3, 1)),
        "spend": spend(D(2020, 1, 1), D(2020, 12, 1)),
    }
    assert new_customers(tables).source == "subscriptions"


def test_new_customers_no_source():
    assert new_customers({"spend": spend(D(2020, 1, 1))}) is None


def test_compute_kpis_cac_names_source():
    tables = {
        "subscriptions": subscriptions(D(2023, 5, 1)),
        "orders": orders(D(2019, 3, 1), D(2020, 2, 1)),
        "spend": spend(D(2019, 1, 1), D(2021, 12, 1)),
    }
    result = compute_kpis(tables, KpiSettings())["cac"]
    # Spend 100 + 100 over the two customers of the orders.
    assert result.value == pytest.approx((100 + 100) / 2)
    assert result.extra["customer_source"] == "orders"


def _load(path):
    return load_file(path.name, path.read_bytes()).frame


def test_cac_orders_beat_ravenstack_subscriptions(datasets_dir):
    needful = datasets_dir / "needful-things-ecommerce"
    tables = {
        "orders": _load(needful / "orders.csv"),
        "spend": _load(needful / "marketing_spend.csv"),
        "subscriptions": _load(
            datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv"
        ),
    }
    with (needful / "orders.csv").open(encoding="utf-8", newline="") as handle:
        customers = {row["customer_key"] for row in csv.DictReader(handle)}
    with (needful / "marketing_spend.csv").open(encoding="utf-8") as handle:
        total = sum(float(row["spend"]) for row in csv.DictReader(handle))
    result = compute_kpis(tables, KpiSettings())["cac"]
    assert result.extra["customer_source"] == "orders"
    assert result.value == pytest.approx(total / len(customers))


def test_cac_telco_snapshot_and_spend(datasets_dir):
    tables = {
        "subscriptions": _load(
            datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv"
        ),
        "spend": _load(
            datasets_dir / "needful-things-ecommerce" / "marketing_spend.csv"
        ),
    }
    result = compute_kpis(tables, KpiSettings())["cac"]
    assert result.status == "not_available"
    assert "acquisition date" in result.reason


def test_campaign_revenue_from_deals_when_orders_lack_period():
    deals = load_file(
        "deals.csv",
        b"Deal ID,Stage,Amount,Create Date,Close Date,Source\n"
        b"1,Won,1000,2025-03-01,2025-04-10,Fair\n"
        b"2,Won,500,2025-03-02,2025-05-10,Web\n"
        b"3,Lost,700,2025-03-03,2025-05-11,Web\n",
    ).frame
    orders = load_file(
        "orders.csv",
        b"Order ID,Customer ID,Order date,Amount,Channel\no1,c1,2019-02-01,80,Web\n",
        table="orders",
    ).frame
    tables = {"deals": deals, "orders": orders}
    q2 = KpiSettings(period=Period(date(2025, 4, 1), date(2025, 6, 30)))
    # Q2 2025 has no orders, so the won deals give the revenue: Fair 1,000
    # and Web 500 (deal 3 was lost).
    revenue = compute_kpis(tables, q2)["campaign_revenue"]
    assert revenue.value == {"Fair": 1000.0, "Web": 500.0}
    # 2019 has the order of 80, so orders stay the source there.
    year_2019 = KpiSettings(period=Period(date(2019, 1, 1), date(2019, 12, 31)))
    assert compute_kpis(tables, year_2019)["campaign_revenue"].value == {"Web": 80.0}


def test_cac_payback_from_order_revenue():
    orders = load_file(
        "orders.csv",
        b"Order ID,Customer ID,Order date,Amount\n"
        b"o1,c1,2025-01-10,100\no2,c2,2025-02-10,50\no3,c2,2025-03-10,50\n",
        table="orders",
    ).frame
    spend = load_file(
        "spend.csv",
        b"Date,Channel,Amount\n2025-01-05,Ads,60\n2025-02-05,Ads,40\n",
        table="spend",
    ).frame
    settings = KpiSettings(
        period=Period(date(2025, 1, 1), date(2025, 12, 31)), lifespan_years=3
    )
    cac = compute_kpis({"orders": orders, "spend": spend}, settings)["cac"]
    # CAC = 100 spent / 2 new customers = 50. Revenue per customer and
    # month = 200 / 3 per purchase x 1.5 purchases a year / 12 = 8.33, so
    # the payback is 50 / 8.33 = 6 months.
    assert cac.value == 50
    assert cac.extra["payback_months"] == pytest.approx(6.0)
