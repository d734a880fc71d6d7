import csv
from collections import Counter, defaultdict
from datetime import date

import polars as pl
import pytest

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.importing import load_file
from kpi_core.marketing import (
    cac,
    cac_by_channel,
    campaign_revenue,
    new_customers_from_deals,
    new_customers_from_orders,
    new_customers_from_subscriptions,
)
from kpi_core.period import Period

D = date
JANUARY = Period(D(2025, 1, 1), D(2025, 1, 31))
FEBRUARY = Period(D(2025, 2, 1), D(2025, 2, 28))
ORDER_SCHEMA = {
    "customer_id": pl.String,
    "ordered_at": pl.Date,
    "amount": pl.Float64,
    "campaign": pl.String,
    "channel": pl.String,
}
ORDERS = [
    ("a", D(2025, 1, 3), 100.0, "Spring", "Ads"),
    ("a", D(2025, 2, 3), 40.0, "spring ", "Email"),
    ("b", D(2025, 1, 10), 60.0, None, "Organic"),
    ("c", D(2025, 1, 20), 25.0, "", "Ads"),
    ("d", D(2025, 1, 25), 75.0, "Winter", None),
    ("e", None, 10.0, "Winter", "Ads"),
]
SPEND_SCHEMA = {
    "spent_at": pl.Date,
    "channel": pl.String,
    "campaign": pl.String,
    "amount": pl.Float64,
}
SPEND = [
    (D(2025, 1, 1), "Ads", "Spring", 300.0),
    (D(2025, 1, 15), "ads ", "Winter", 50.0),
    (D(2025, 2, 1), "Ads", "Spring", 200.0),
    (D(2025, 1, 5), "Email", "Newsletter", 20.0),
]


def orders(rows=ORDERS) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ORDER_SCHEMA, orient="row")


def spend(rows=SPEND) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SPEND_SCHEMA, orient="row")


def test_new_customers_from_orders_first_order():
    customers = new_customers_from_orders(orders())
    first = {row[0]: row[1:] for row in customers.iter_rows()}
    assert first["a"] == (D(2025, 1, 3), "Ads")
    assert first["e"] == (None, "Ads")
    assert customers.height == 5


def test_new_customers_from_orders_source_channel():
    frame = orders().drop("channel").rename({"campaign": "source"})
    customers = new_customers_from_orders(frame)
    assert customers.filter(pl.col("customer_id") == "d")["channel"].item() == "Winter"


def test_new_customers_from_subscriptions_first_start():
    subs = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "started_at": [D(2025, 3, 1), D(2025, 1, 1), D(2025, 2, 1)],
        }
    )
    customers = new_customers_from_subscriptions(subs)
    assert customers["acquired_at"].to_list() == [D(2025, 1, 1), D(2025, 2, 1)]
    assert customers["channel"].null_count() == 2


def test_new_customers_from_snapshot_undated():
    snapshot = pl.DataFrame({"customer_id": ["a", "b"], "churned": ["No", "Yes"]})
    customers = new_customers_from_subscriptions(snapshot)
    assert customers["customer_id"].to_list() == ["a", "b"]
    assert customers["acquired_at"].null_count() == 2


def test_new_customers_from_deals_won_only():
    deals = pl.DataFrame(
        {
            "account": ["x", "x", "y", "z"],
            "status": ["Won", "won", "lost", "Closed Won"],
            "closed_at": [D(2025, 3, 1), D(2025, 2, 1), D(2025, 1, 1), D(2025, 1, 9)],
            "source": ["Fair", "Web", "Web", None],
        }
    )
    customers = new_customers_from_deals(deals)
    assert customers.rows() == [("x", D(2025, 2, 1), "Web"), ("z", D(2025, 1, 9), None)]


def test_new_customers_from_deals_needs_account():
    deals = pl.DataFrame({"status": ["won"], "closed_at": [D(2025, 1, 1)]})
    with pytest.raises(MissingColumnError, match="account"):
        new_customers_from_deals(deals)


def test_cac_hand_worked_january():
    result = cac(spend(), new_customers_from_orders(orders()), JANUARY)
    # Spend in January: 300 + 50 + 20; new customers a, b, c, d.
    assert result.value == pytest.approx((300 + 50 + 20) / 4)
    assert result.numerator == pytest.approx(370.0)
    assert result.denominator == 4
    assert result.unit == "EUR"


def test_cac_month_without_new_customers():
    result = cac(spend(), new_customers_from_orders(orders()), FEBRUARY)
    assert result.status == "not_available"
    assert result.reason == "no new customers in this period"


def test_cac_no_spend_not_available():
    result = cac(
        spend(),
        new_customers_from_orders(orders()),
        Period(D(2025, 1, 2), D(2025, 1, 4)),
    )
    assert result.status == "not_available"
    # Spend rows are dated 2025-01-01, 01-15, 02-01 and 01-05, none of them
    # in 2 to 4 January.
    assert result.reason == (
        "no marketing spend is recorded in this period (the spend rows run "
        "from 2025-01-01 to 2025-02-01)"
    )


def test_cac_undated_customers_counted():
    result = cac(spend(), new_customers_from_orders(orders()), JANUARY)
    assert result.excluded == {"no acquisition date": 1}


def test_cac_all_data_keeps_undated_customers():
    result = cac(spend(), new_customers_from_orders(orders()))
    assert result.value == pytest.approx((300 + 50 + 200 + 20) / 5)


def test_cac_clv_ratio_and_payback():
    result = cac(
        spend(),
        new_customers_from_orders(orders()),
        JANUARY,
        clv_value=370.0,
        monthly_revenue_per_customer=50.0,
        gross_margin=80.0,
    )
    cost = 370 / 4
    assert result.extra["clv_to_cac"] == pytest.approx(370 / cost)
    assert result.extra["payback_months"] == pytest.approx(cost / (50 * 0.8))


def test_cac_without_clv_has_no_ratio():
    result = cac(spend(), new_customers_from_orders(orders()), JANUARY)
    assert result.extra == {}


def test_cac_mixed_spend_currencies_raise():
    frame = spend().with_columns(currency=pl.Series(["EUR", "USD", "EUR", "EUR"]))
    with pytest.raises(InvalidValueError, match="EUR, USD"):
        cac(frame, new_customers_from_orders(orders()), JANUARY)


def test_cac_by_channel_hand_worked():
    table = cac_by_channel(spend(), new_customers_from_orders(orders()), JANUARY)
    rows = {row["channel"]: row for row in table.iter_rows(named=True)}
    # "Ads" and "ads " are one channel: 300 + 50 for a and c.
    assert rows["Ads"]["spend"] == pytest.approx(350.0)
    assert rows["Ads"]["new_customers"] == 2
    assert rows["Ads"]["cac"] == pytest.approx(350 / 2)


def test_cac_by_channel_undefined_costs_null():
    table = cac_by_channel(spend(), new_customers_from_orders(orders()), JANUARY)
    rows = {row["channel"]: row for row in table.iter_rows(named=True)}
    assert rows["Email"]["cac"] is None
    assert rows["Organic"]["spend"] is None
    assert rows["Organic"]["cac"] is None
    assert rows["unattributed"]["new_customers"] == 1


def test_cac_by_channel_needs_channels():
    with pytest.raises(MissingColumnError, match="channel"):
        cac_by_channel(spend().drop("channel"), new_customers_from_orders(orders()))


def test_campaign_revenue_unattributed_reconciles():
    result = campaign_revenue(orders(), JANUARY)
    # "Spring" 100; b (no campaign) 60 and c (blank) 25 unattributed; Winter 75.
    assert result.value == {"Spring": 100.0, "unattributed": 85.0, "Winter": 75.0}
    assert sum(result.value.values()) == pytest.approx(result.extra["total"])
    assert result.extra["total"] == pytest.approx(100 + 60 + 25 + 75)


def test_campaign_revenue_labels_matched_loosely():
    result = campaign_revenue(orders(), Period(D(2025, 1, 1), D(2025, 2, 28)))
    assert result.value["Spring"] == pytest.approx(100 + 40)


def test_campaign_revenue_undated_rows_counted():
    result = campaign_revenue(orders(), JANUARY)
    assert result.excluded == {"no order date": 1}


def test_campaign_revenue_all_data_total():
    result = campaign_revenue(orders())
    assert result.extra["total"] == pytest.approx(100 + 40 + 60 + 25 + 75 + 10)


def test_campaign_revenue_roi_from_spend():
    result = campaign_revenue(orders(), JANUARY, spend())
    roi = result.extra["roi"]
    assert roi["Spring"] == pytest.approx((100 - 300) / 300 * 100)
    assert roi["Winter"] == pytest.approx((75 - 50) / 50 * 100)
    assert roi["Newsletter"] == pytest.approx(-100.0)


def test_campaign_revenue_by_channel():
    result = campaign_revenue(orders(), JANUARY, spend(), by="channel")
    assert result.value == {"Ads": 125.0, "unattributed": 75.0, "Organic": 60.0}
    assert result.extra["roi"]["Ads"] == pytest.approx((125 - 350) / 350 * 100)


def test_campaign_revenue_won_deals_only():
    deals = pl.DataFrame(
        {
            "stage": ["Won", "Lost", "Won", "Open"],
            "closed_at": [D(2025, 1, 2), D(2025, 1, 3), D(2025, 1, 4), None],
            "amount": [1000.0, 500.0, 250.0, 99.0],
            "source": ["Fair", "Fair", None, "Web"],
        }
    )
    result = campaign_revenue(deals, JANUARY)
    assert result.value == {"Fair": 1000.0, "unattributed": 250.0}


def test_campaign_revenue_no_rows_not_available():
    result = campaign_revenue(orders(), Period(D(2030, 1, 1), D(2030, 1, 31)))
    assert result.status == "not_available"
    assert result.reason == "no won deals or orders in this period"


def test_campaign_revenue_needs_a_date_column():
    with pytest.raises(MissingColumnError, match="ordered_at"):
        campaign_revenue(pl.DataFrame({"amount": [1.0]}))


def needful_orders(datasets_dir) -> pl.DataFrame:
    raw = pl.read_csv(
        datasets_dir / "needful-things-ecommerce" / "orders.csv", infer_schema=False
    )
    return raw.select(
        order_id=pl.col("id"),
        customer_id=pl.col("customer_key"),
        ordered_at=pl.col("order_datetime").str.slice(0, 10).str.to_date(),
        amount=pl.col("sales").cast(pl.Float64),
        channel=pl.col("channel"),
    )


def needful_spend(datasets_dir) -> pl.DataFrame:
    raw = pl.read_csv(
        datasets_dir / "needful-things-ecommerce" / "marketing_spend.csv",
        infer_schema=False,
    )
    return raw.select(
        spent_at=pl.col("month_begin").str.to_date(),
        channel=pl.col("marketing_channel"),
        amount=pl.col("spend").cast(pl.Float64),
    )


def read_csv_rows(path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_cac_by_channel_needful_things(datasets_dir):
    folder = datasets_dir / "needful-things-ecommerce"
    spend_per_channel: defaultdict[str, float] = defaultdict(float)
    for row in read_csv_rows(folder / "marketing_spend.csv"):
        spend_per_channel[row["marketing_channel"]] += float(row["spend"])
    # Every order has its own customer, so each order is a new customer.
    orders_per_channel = Counter(
        row["channel"] for row in read_csv_rows(folder / "orders.csv")
    )
    new_customers = new_customers_from_orders(needful_orders(datasets_dir))
    table = cac_by_channel(needful_spend(datasets_dir), new_customers)
    rows = {row["channel"]: row for row in table.iter_rows(named=True)}
    for channel, total in spend_per_channel.items():
        assert rows[channel]["spend"] == pytest.approx(total)
        assert rows[channel]["new_customers"] == orders_per_channel[channel]
        assert rows[channel]["cac"] == pytest.approx(
            total / orders_per_channel[channel]
        )


def test_cac_needful_things_2021(datasets_dir):
    folder = datasets_dir / "needful-things-ecommerce"
    spend_2021 = sum(
        float(row["spend"])
        for row in read_csv_rows(folder / "marketing_spend.csv")
        if row["month_begin"].startswith("2021")
    )
    orders_2021 = sum(
        1
        for row in read_csv_rows(folder / "orders.csv")
        if row["order_datetime"].startswith("2021")
    )
    new_customers = new_customers_from_orders(needful_orders(datasets_dir))
    period = Period(D(2021, 1, 1), D(2021, 12, 31))
    result = cac(needful_spend(datasets_dir), new_customers, period)
    assert result.numerator == pytest.approx(spend_2021)
    assert result.denominator == orders_2021
    assert result.value == pytest.approx(spend_2021 / orders_2021)


def test_campaign_revenue_needful_things(datasets_dir):
    folder = datasets_dir / "needful-things-ecommerce"
    sales: defaultdict[str, float] = defaultdict(float)
    for row in read_csv_rows(folder / "orders.csv"):
        sales[row["channel"] or "unattributed"] += float(row["sales"])
    result = campaign_revenue(needful_orders(datasets_dir))
    assert result.value == pytest.approx(dict(sales))
    assert result.extra["total"] == pytest.approx(sum(sales.values()))


def test_cac_by_channel_one_unattributed_row():
    rows = [*SPEND, (D(2025, 1, 9), None, None, 15.0), (D(2025, 1, 9), " ", None, 5.0)]
    table = cac_by_channel(spend(rows), new_customers_from_orders(orders()), JANUARY)
    unattributed = table.filter(pl.col("channel") == "unattributed")
    assert unattributed.height == 1
    assert unattributed["spend"].item() == pytest.approx(15.0 + 5.0)
    assert unattributed["new_customers"].item() == 1


def test_campaign_revenue_roi_skips_unnamed_spend():
    rows = [*SPEND, (D(2025, 1, 9), "Ads", None, 15.0)]
    roi = campaign_revenue(orders(), JANUARY, spend(rows)).extra["roi"]
    assert set(roi) == {"Spring", "Winter", "Newsletter"}


def test_campaign_revenue_unknown_column_raises():
    with pytest.raises(MissingColumnError, match="region"):
        campaign_revenue(orders(), JANUARY, by="region")


def test_new_customers_from_deals_needs_status():
    deals = pl.DataFrame({"account": ["x"], "closed_at": [D(2025, 1, 1)]})
    with pytest.raises(MissingColumnError, match="status or stage"):
        new_customers_from_deals(deals)


def test_cac_customers_all_undated():
    snapshot = pl.DataFrame({"customer_id": ["a", "b"], "churned": ["No", "Yes"]})
    customers = new_customers_from_subscriptions(snapshot)
    result = cac(spend(), customers)
    assert result.status == "not_available"
    assert result.reason.startswith("none of the 2 customers has an acquisition date")


def test_cac_names_customer_source():
    result = cac(
        spend(), new_customers_from_orders(orders()), JANUARY, customer_source="orders"
    )
    assert result.extra == {"customer_source": "orders"}
    # 370.00 EUR spend / 4 new customers = 92.50 EUR each.
    assert result.formula == (
        "370.00 EUR spend / 4 new customers (from orders) = 92.50 EUR per new customer"
    )


def test_cac_telco_snapshot_not_available(datasets_dir):
    raw = pl.read_csv(
        datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv",
        infer_schema=False,
    )
    snapshot = raw.select(customer_id=pl.col("customerID"), churned=pl.col("Churn"))
    customers = new_customers_from_subscriptions(snapshot)
    result = cac(needful_spend(datasets_dir), customers)
    with (datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv").open() as f:
        rows = sum(1 for _ in csv.DictReader(f))
    assert result.status == "not_available"
    assert f"none of the {rows:,} customers" in result.reason


def test_cac_formula_one_customer_singular():
    one = pl.DataFrame(
        {
            "customer_id": ["a"],
            "acquired_at": [D(2025, 1, 3)],
            "channel": ["Ads"],
        }
    )
    result = cac(spend(), one, JANUARY)
    # 370.00 EUR of January spend / 1 new customer = 370.00 EUR.
    assert result.formula == (
        "370.00 EUR spend / 1 new customer = 370.00 EUR per new customer"
    )


def test_campaign_revenue_formula_one_campaign():
    won = pl.DataFrame(
        {
            "deal_id": ["1"],
            "status": ["won"],
            "amount": [500.0],
            "closed_at": [D(2025, 1, 10)],
            "campaign": ["Spring"],
        }
    )
    result = campaign_revenue(won)
    assert result.formula == "1 campaign with revenue, total 500.00 EUR"


def test_revenue_reason_names_missing_amounts():
    text = (
        "Record ID,Deal Stage,Create Date,Close Date,Amount,Original Source\n"
        "1,Closed won,2025-03-01,2025-03-10,,Website\n"
        "2,Closed won,2025-03-02,2025-03-12,,Referral\n"
    )
    deals = load_file("deals.csv", text.encode()).frame
    result = campaign_revenue(deals, Period(date(2025, 3, 1), date(2025, 3, 31)))
    assert result.reason == "none of the 2 won deals of this period has an amount"
