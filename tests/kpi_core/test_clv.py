from datetime import date

import polars as pl
import pytest

from kpi_core.clv import clv
from kpi_core.errors import InvalidSettingError
from kpi_core.period import Period

D = date
YEAR_2024 = Period(D(2024, 1, 1), D(2024, 12, 31))
ORDER_SCHEMA = {"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64}
ORDERS_2024 = [
    ("c1", D(2024, 2, 1), 100.0),
    ("c1", D(2024, 8, 1), 50.0),
    ("c2", D(2024, 3, 1), 30.0),
    ("c3", D(2024, 5, 1), 20.0),
]
SUB_SCHEMA = {
    "customer_id": pl.String,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "amount": pl.Float64,
}
# Five customers pay 100 a month from December 2023; d leaves in March 2024,
# so the monthly churn rates of January to June 2024 are 0, 0, 1/5, 0, 0, 0.
SUBSCRIPTIONS = [
    ("a", D(2023, 12, 1), None, 100.0),
    ("b", D(2023, 12, 1), None, 100.0),
    ("c", D(2023, 12, 1), None, 100.0),
    ("d", D(2023, 12, 1), D(2024, 3, 15), 100.0),
    ("e", D(2023, 12, 1), None, 100.0),
]
FIRST_HALF_2024 = Period(D(2024, 1, 1), D(2024, 6, 30))


def orders(rows=ORDERS_2024) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ORDER_SCHEMA, orient="row")


def subscriptions(rows=SUBSCRIPTIONS) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SUB_SCHEMA, orient="row")


def test_clv_purchases_entered_lifespan():
    result = clv(orders(), period=YEAR_2024, lifespan_years=2)
    # 200 revenue over 4 purchases by 3 customers in one year.
    assert result.value == pytest.approx(200 / 4 * (4 / 3) * 2)
    assert result.extra["lifespan_source"] == "entered by the user"
    assert result.variant == "purchases"
    assert result.unit == "EUR"


def test_clv_purchases_parts_beside():
    result = clv(orders(), period=YEAR_2024, lifespan_years=2)
    assert result.extra["average_purchase_value"] == pytest.approx(200 / 4)
    assert result.extra["purchase_frequency"] == pytest.approx(4 / 3)


def test_clv_purchases_long_period_per_year():
    result = clv(
        orders(), period=Period(D(2023, 1, 1), D(2024, 12, 31)), lifespan_years=1
    )
    # No orders in the first 12 months; c1, c2 and c3 buy in the second, so
    # 4 purchases / 3 customer-years. An empty year does not thin it out.
    assert result.extra["purchase_frequency"] == pytest.approx(4 / 3)
    assert result.extra["customer_years"] == 3


def test_clv_customer_years_per_span():
    # Over three years a different customer buys once a year: each year
    # alone has 1 purchase / 1 customer, and so do the three together.
    rows = [
        ("a", D(2019, 3, 1), 30.0),
        ("b", D(2020, 3, 1), 30.0),
        ("c", D(2021, 3, 1), 30.0),
    ]
    period = Period(D(2019, 1, 1), D(2021, 12, 31))
    result = clv(orders(rows), period=period, lifespan_years=3)
    assert result.extra["purchase_frequency"] == pytest.approx(1.0)
    # 30 per purchase x 1 a year x 3 years.
    assert result.value == pytest.approx(90.0)
    assert "x 1.00 purchases a year x" in result.formula


def test_clv_purchases_spans_start_at_the_period_start():
    # Spans from 2023-07-15: [2023-07-15, 2024-07-15), [2024-07-15, ...).
    # a buys on 2023-08-01 and 2024-07-14 (first span) and on 2024-07-15
    # (second span); b buys on 2024-09-01 (second span). That is 4 purchases
    # over 3 customer-years.
    rows = [
        ("a", D(2023, 8, 1), 10.0),
        ("a", D(2024, 7, 14), 10.0),
        ("a", D(2024, 7, 15), 10.0),
        ("b", D(2024, 9, 1), 10.0),
    ]
    period = Period(D(2023, 7, 15), D(2025, 7, 14))
    result = clv(orders(rows), period=period, lifespan_years=1)
    assert result.extra["customer_years"] == 3
    assert result.extra["purchase_frequency"] == pytest.approx(4 / 3)
    assert "(4 / 3 customer-years)" in result.formula


def test_clv_purchases_lifespan_of_lapsed_customers():
    rows = [
        ("a", D(2020, 1, 1), 10.0),
        ("a", D(2021, 1, 1), 20.0),
        ("b", D(2020, 6, 1), 30.0),
        ("c", D(2023, 5, 1), 40.0),
        ("c", D(2023, 6, 1), 50.0),
    ]
    result = clv(orders(rows))
    # a (366 days) and b (0 days) stopped buying more than 365 days before
    # 2023-06-01; c did not. The whole 12-month spans that end on 2023-06-01
    # start on 2020-06-02, 2021-06-02 and 2022-06-02, so b's order and a's
    # first are before them. a buys in the first span and c twice in the
    # third: 3 purchases over 2 customer-years.
    lifespan = (366 + 0) / 2 / 365.25
    frequency = 3 / 2
    assert (
        result.extra["lifespan_source"]
        == "from first to last purchase of 2 lapsed customers"
    )
    assert result.extra["lifespan_years"] == pytest.approx(lifespan)
    assert result.value == pytest.approx(150 / 5 * frequency * lifespan)


def test_clv_purchases_no_repeat_buyers_not_available():
    rows = [("a", D(2020, 1, 1), 10.0), ("b", D(2023, 1, 1), 10.0)]
    result = clv(orders(rows))
    assert result.status == "not_available"
    assert "enter a lifespan in years" in result.reason


def test_clv_purchases_ignores_subscription_churn():
    # The subscriptions churn 20 % in the half year, but their customers are
    # not the orders' customers. The orders have no lapsed repeat buyer, so
    # they give no lifespan.
    order_rows = [("a", D(2024, 2, 1), 60.0), ("b", D(2024, 3, 1), 40.0)]
    result = clv(orders(order_rows), subscriptions(), FIRST_HALF_2024)
    assert result.status == "not_available"
    assert "enter a lifespan in years" in result.reason


def test_clv_purchases_without_orders():
    result = clv(subs=subscriptions())
    assert result.status == "not_available"
    assert result.reason == "the purchases variant needs an orders table"


def test_clv_purchases_empty_period():
    result = clv(
        orders(), period=Period(D(2030, 1, 1), D(2030, 1, 31)), lifespan_years=1
    )
    assert result.status == "not_available"
    assert result.reason == "no orders in this period"


def test_clv_subscription_from_churn():
    result = clv(
        subs=subscriptions(),
        period=FIRST_HALF_2024,
        gross_margin=80,
        variant="subscription",
    )
    # ARPA 100 at the close of 2024-06-30; average monthly churn 20 % / 6.
    assert result.value == pytest.approx(100 * 0.8 / (0.2 / 6))
    assert result.extra["lifespan_source"] == "from churn rate"
    assert result.extra["arpa"] == pytest.approx(100.0)
    assert result.variant == "subscription"


def test_clv_subscription_cut_month_left_out():
    # 10 March to 30 April: d's loss on 15 March falls in the cut month 10
    # to 31 March, which is no month's rate. April, the only whole month,
    # lost no one, so no customer churned in a whole month.
    result = clv(
        subs=subscriptions(),
        period=Period(D(2024, 3, 10), D(2024, 4, 30)),
        variant="subscription",
    )
    assert result.status == "not_available"
    assert "no customer churned" in result.reason


def test_clv_subscription_no_whole_month():
    result = clv(
        subs=subscriptions(),
        period=Period(D(2024, 3, 10), D(2024, 3, 20)),
        variant="subscription",
    )
    assert result.status == "not_available"
    assert "no whole calendar month" in result.reason


def test_clv_subscription_entered_lifespan():
    result = clv(
        subs=subscriptions(),
        period=FIRST_HALF_2024,
        lifespan_years=2,
        gross_margin=80,
        variant="subscription",
    )
    assert result.value == pytest.approx(100 * 12 * 2 * 0.8)
    assert result.extra["lifespan_source"] == "entered by the user"


def test_clv_subscription_no_churn_not_available():
    rows = [row for row in SUBSCRIPTIONS if row[0] != "d"]
    result = clv(
        subs=subscriptions(rows), period=FIRST_HALF_2024, variant="subscription"
    )
    assert result.status == "not_available"
    assert "no customer churned" in result.reason


def test_clv_subscription_snapshot_needs_lifespan():
    snapshot = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "churned": ["No", "No", "Yes"],
            "monthly_charge": [10.0, 30.0, 50.0],
        }
    )
    assert clv(subs=snapshot, variant="subscription").status == "not_available"
    result = clv(subs=snapshot, variant="subscription", lifespan_years=3)
    assert result.value == pytest.approx((10 + 30) / 2 * 12 * 3)


def test_clv_subscription_without_table():
    result = clv(orders(), variant="subscription")
    assert result.status == "not_available"


@pytest.mark.parametrize(
    "settings",
    [
        {"variant": "margin"},
        {"lifespan_years": 0},
        {"lifespan_years": 1e308},
        {"lifespan_years": 100.5},
        {"gross_margin": 0},
        {"gross_margin": 120},
    ],
    ids=[
        "unknown-variant",
        "zero-lifespan",
        "huge-lifespan",
        "lifespan-over-100",
        "zero-margin",
        "margin-over-100",
    ],
)
def test_clv_invalid_settings(settings):
    with pytest.raises(InvalidSettingError):
        clv(orders(), **settings)


# A hundred customers pay 100 a month from December 2023 and only d leaves,
# in March 2024: monthly churn rates 0, 0, 1/100, 0, 0, 0 in the first half.
LOW_CHURN = [(f"c{number}", D(2023, 12, 1), None, 100.0) for number in range(99)]
LOW_CHURN.append(("d", D(2023, 12, 1), D(2024, 3, 15), 100.0))


def test_clv_subscription_lifespan_over_maximum():
    result = clv(
        subs=subscriptions(LOW_CHURN), period=FIRST_HALF_2024, variant="subscription"
    )
    # Average monthly churn 1/600 gives 600 months = 50 years, above 10.
    assert result.status == "not_available"
    assert "churn too low to estimate a lifespan" in result.reason
    assert "50 years" in result.reason


def test_clv_subscription_long_lifespan_entered():
    result = clv(
        subs=subscriptions(LOW_CHURN),
        period=FIRST_HALF_2024,
        lifespan_years=50,
        variant="subscription",
    )
    assert result.value == pytest.approx(100 * 12 * 50)


def test_clv_purchases_churn_lifespan_over_maximum():
    order_rows = [("a", D(2024, 2, 1), 60.0), ("b", D(2024, 3, 1), 40.0)]
    result = clv(orders(order_rows), subscriptions(LOW_CHURN), FIRST_HALF_2024)
    # Annualised 1 - (1 - 1/600)^12 = 1.98 % gives about 50.5 years.
    assert result.status == "not_available"
    assert "enter a lifespan" in result.reason


def test_clv_ravenstack_lifespan_not_extrapolated(datasets_dir):
    raw = pl.read_csv(
        datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv",
        infer_schema=False,
    )
    subs = raw.select(
        customer_id=pl.col("account_id"),
        started_at=pl.col("start_date").str.to_date(),
        ended_at=pl.col("end_date").str.to_date(strict=False),
        monthly_charge=pl.col("mrr_amount").cast(pl.Float64),
    )
    result = clv(subs=subs, variant="subscription")
    assert result.status == "not_available"
    assert "churn too low" in result.reason


def test_clv_all_data_from_span_start():
    # The orders start on 1 January 2023 and end on 31 December 2025, three
    # whole years with 2 customers each: A and B in 2023, B and C in 2024
    # and in 2025. 8 purchases / 6 customer-years, not 8 / 3 as one span.
    rows = [
        ("A", D(2023, 1, 1), 100.0),
        ("A", D(2023, 6, 1), 100.0),
        ("B", D(2023, 3, 1), 100.0),
        ("B", D(2024, 3, 1), 100.0),
        ("B", D(2025, 3, 1), 100.0),
        ("B", D(2025, 12, 31), 100.0),
        ("C", D(2024, 5, 1), 100.0),
        ("C", D(2025, 5, 1), 100.0),
    ]
    result = clv(orders(rows), period=Period(None, None), lifespan_years=1)
    assert result.extra["customer_years"] == 6
    assert result.extra["purchase_frequency"] == pytest.approx(8 / 6)


def test_clv_orders_without_customer():
    # A, B and C buy once each; three more orders have no customer id.
    rows = [
        ("A", D(2025, 2, 1), 100.0),
        ("B", D(2025, 2, 2), 100.0),
        ("C", D(2025, 2, 3), 100.0),
        (None, D(2025, 2, 4), 100.0),
        (None, D(2025, 2, 5), 100.0),
        (None, D(2025, 2, 6), 100.0),
    ]
    result = clv(orders(rows), period=Period(None, None), lifespan_years=1)
    # 3 purchases / 3 customers, not 6 / 4 with the unknown buyer as one.
    assert result.extra["purchase_frequency"] == pytest.approx(1.0)
    assert result.n == 3
    assert result.value == pytest.approx(100.0)
    assert "3 orders without a customer id count" in result.note


@pytest.mark.parametrize(
    "first_order",
    [
        # The first order has no customer id.
        (None, D(2023, 1, 1), 100.0),
        # The first order has a customer and no amount.
        ("Z", D(2023, 1, 1), None),
    ],
)
def test_clv_spans_follow_every_order(first_order):
    # The first order, on 1 January 2023, counts in no purchase; the last
    # is on 31 December 2025. The three spans are 2023, 2024 and 2025: A
    # buys in 2023 (twice) and 2024, B in 2024 and 2025, so 5 purchases / 4.
    rows = [
        first_order,
        ("A", D(2023, 1, 5), 100.0),
        ("A", D(2023, 6, 1), 100.0),
        ("A", D(2024, 3, 1), 100.0),
        ("B", D(2024, 5, 1), 100.0),
        ("B", D(2025, 12, 31), 100.0),
    ]
    result = clv(orders(rows), period=Period(None, None), lifespan_years=1)
    assert result.extra["customer_years"] == 4
    assert result.extra["purchase_frequency"] == pytest.approx(5 / 4)
