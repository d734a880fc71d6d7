"""The subscription CLV counts the customers its figure rests on."""

from datetime import date

import polars as pl
import pytest

from kpi_core.clv import clv
from kpi_core.period import Period

D = date
FIRST_HALF_2024 = Period(D(2024, 1, 1), D(2024, 6, 30))
SCHEMA = {
    "customer_id": pl.String,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "amount": pl.Float64,
}
# On 2024-06-30 a, b, c and e pay; d left in March, f is on a free plan and
# g starts in July. So 4 customers pay at the period end: ARPA is the mean
# of 100, 100, 100 and 60, that is 360 / 4 = 90.
ROWS = [
    ("a", D(2023, 12, 1), None, 100.0),
    ("b", D(2023, 12, 1), None, 100.0),
    ("c", D(2023, 12, 1), None, 100.0),
    ("d", D(2023, 12, 1), D(2024, 3, 15), 100.0),
    ("e", D(2023, 12, 1), None, 60.0),
    ("f", D(2024, 2, 1), None, 0.0),
    ("g", D(2024, 7, 1), None, 100.0),
]


def subscriptions() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=SCHEMA, orient="row")


def test_subscription_clv_n_paying_customers():
    result = clv(subs=subscriptions(), period=FIRST_HALF_2024, variant="subscription")
    assert result.available
    assert result.n == 4
    assert result.extra["arpa"] == pytest.approx(90.0)


def test_subscription_clv_n_in_formula():
    result = clv(
        subs=subscriptions(),
        period=FIRST_HALF_2024,
        lifespan_years=2,
        variant="subscription",
    )
    # 1 / (12 x 2) = 4.1666... % monthly churn; 90 / (1 / 24) = 2,160. The
    # churn is written with five decimals, because 90 / 4.17 % = 2,158.27 and
    # 90 / 4.1667 % = 2,159.98, while 90 / 4.16667 % = 2,160.00.
    assert result.n == 4
    assert result.formula == (
        "ARPA 90.00 EUR (mean MRR of 4 paying customers) x 100 % margin / "
        "4.16667 % monthly churn = 2,160.00 EUR"
    )


def test_subscription_clv_n_in_json():
    result = clv(subs=subscriptions(), period=FIRST_HALF_2024, variant="subscription")
    assert result.to_json()["n"] == 4


def test_subscription_clv_snapshot_n():
    snapshot = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "churned": ["No", "No", "Yes", "No"],
            "monthly_charge": [10.0, 30.0, 50.0, 0.0],
        }
    )
    result = clv(subs=snapshot, variant="subscription", lifespan_years=3)
    # a and b pay; c churned and d pays nothing.
    assert result.n == 2
