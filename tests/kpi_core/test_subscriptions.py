import csv
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.period import Period
from kpi_core.subscriptions import (
    BRIDGE_STEPS,
    arr,
    arr_bridge,
    average_revenue_per_account,
    monthly_recurring_revenue,
    upsell_rate_subscriptions,
)

D = date
SCHEMA = {
    "customer_id": pl.String,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "amount": pl.Float64,
    "interval": pl.String,
    "quantity": pl.Float64,
}
Q1 = Period(D(2025, 1, 1), D(2025, 3, 31))
# Monthly charges at the close of 2024-12-31 and of 2025-03-31:
#   A  annual 1,200       -> 100 / month, plus a monthly 25 from March: 100 -> 125
#   B  quarterly 300 x 2  -> 200 / month all along
#   C  monthly 50, ended 2025-02-15: 50 -> 0 (churned)
#   D  monthly 80 from 2025-02-01: 0 -> 80 (new)
#   E  monthly 40 + 60, the 60 ended 2025-01-20: 100 -> 40 (contraction)
#   F  monthly 30 until 2024-06-01, again from 2025-03-10: 0 -> 30 (reactivation)
#   G  a one-time fee of 500, left out of MRR
BOOK = [
    ("A", D(2024, 6, 1), None, 1200.0, "year", 1.0),
    ("A", D(2025, 3, 1), None, 25.0, "month", None),
    ("B", D(2024, 10, 1), None, 300.0, "quarter", 2.0),
    ("C", D(2024, 1, 1), D(2025, 2, 15), 50.0, "month", 1.0),
    ("D", D(2025, 2, 1), None, 80.0, "month", 1.0),
    ("E", D(2024, 5, 1), None, 40.0, "month", 1.0),
    ("E", D(2024, 5, 1), D(2025, 1, 20), 60.0, "month", 1.0),
    ("F", D(2024, 1, 1), D(2024, 6, 1), 30.0, "month", 1.0),
    ("F", D(2025, 3, 10), None, 30.0, "month", 1.0),
    ("G", D(2025, 1, 5), None, 500.0, "one-time", 1.0),
]


def subscriptions(rows=BOOK, **extra_columns) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    return frame.with_columns(
        pl.Series(name, values, strict=False) for name, values in extra_columns.items()
    )


def mrr_of(frame: pl.DataFrame) -> dict[str, float]:
    return dict(frame.iter_rows())


def test_mrr_normalises_intervals_and_quantity():
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(), D(2024, 12, 31)))
    assert mrr == {"A": 1200 / 12, "B": 300 * 2 / 3, "C": 50.0, "E": 40.0 + 60.0}


def test_mrr_leaves_out_one_time_fee():
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(), D(2025, 1, 5)))
    assert "G" not in mrr


def test_mrr_end_date_is_first_day_without():
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(), D(2025, 2, 15)))
    assert "C" not in mrr
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(), D(2025, 2, 14)))
    assert mrr["C"] == 50.0


def test_mrr_german_interval_names():
    rows = [
        ("A", D(2025, 1, 1), None, 120.0, "Jahr", None),
        ("B", D(2025, 1, 1), None, 30.0, "Quartal", None),
        ("C", D(2025, 1, 1), None, 7.0, "Monat", None),
        ("D", D(2025, 1, 1), None, 9.0, None, None),
    ]
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(rows), D(2025, 1, 1)))
    assert mrr == {"A": 10.0, "B": 10.0, "C": 7.0, "D": 9.0}


def test_mrr_leaves_out_unknown_interval():
    # "fortnight" is no interval the app reads, so A's MRR is unknown.
    rows = [
        ("A", D(2025, 1, 1), None, 10.0, "fortnight", None),
        ("B", D(2025, 1, 1), None, 7.0, "month", None),
    ]
    mrr = mrr_of(monthly_recurring_revenue(subscriptions(rows), D(2025, 1, 1)))
    assert mrr == {"B": 7.0}


def test_mrr_monthly_charge_wins_over_amount():
    rows = [("A", D(2025, 1, 1), None, 1200.0, "year", 3.0)]
    frame = subscriptions(rows, monthly_charge=[55.5])
    mrr = mrr_of(monthly_recurring_revenue(frame, D(2025, 1, 1)))
    assert mrr == {"A": 55.5}


def test_mrr_mixed_currencies_raise():
    rows = BOOK[:3]
    frame = subscriptions(rows, currency=["EUR", "USD", "EUR"])
    with pytest.raises(InvalidValueError, match="EUR, USD"):
        monthly_recurring_revenue(frame, D(2025, 3, 31))


def test_mrr_converts_with_exchange_rates():
    rows = [BOOK[0], BOOK[2]]
    frame = subscriptions(rows, currency=["EUR", "USD"])
    mrr = monthly_recurring_revenue(
        frame, D(2025, 1, 1), currency="EUR", fx={"USD": 0.5}
    )
    assert mrr_of(mrr) == {"A": 100.0, "B": 200 * 0.5}


def test_mrr_without_customer_column_raises():
    with pytest.raises(MissingColumnError, match="customer_id"):
        monthly_recurring_revenue(subscriptions().drop("customer_id"), D(2025, 1, 1))


def test_arpa_mean_of_paying_customers():
    rows = [*BOOK[:3], ("Z", D(2024, 1, 1), None, 0.0, "month", 1.0)]
    arpa = average_revenue_per_account(subscriptions(rows), D(2024, 12, 31))
    # A pays 100 and B 200 on that day; Z runs for free and is left out.
    assert arpa == pytest.approx((100 + 200) / 2)


def test_arpa_nobody_paying_is_none():
    assert average_revenue_per_account(subscriptions(), D(2000, 1, 1)) is None


def test_arr_hand_worked_quarter():
    result = arr(subscriptions(), Q1)
    assert result.value == pytest.approx(12 * (125 + 200 + 80 + 40 + 30))
    assert result.unit == "EUR"
    assert result.n == 5
    assert result.excluded == {"one-time fee": 1}


def test_arr_bridge_hand_worked_steps():
    bridge = arr(subscriptions(), Q1).extra["bridge"]
    assert bridge["start"] == 12 * (100 + 200 + 50 + 100)
    assert bridge["new"] == 12 * 80
    assert bridge["expansion"] == 12 * 25
    assert bridge["contraction"] == 12 * 60
    assert bridge["churned"] == 12 * 50
    assert bridge["reactivation"] == 12 * 30
    assert bridge["end"] == 12 * (125 + 200 + 80 + 40 + 30)


def test_arr_bridge_adds_up_exactly():
    bridge = arr(subscriptions(), Q1).extra["bridge"]
    total = (
        bridge["start"]
        + bridge["new"]
        + bridge["expansion"]
        - bridge["contraction"]
        - bridge["churned"]
        + bridge["reactivation"]
    )
    assert total == bridge["end"]


def test_arr_bridge_frame_steps_in_order():
    frame = arr_bridge(subscriptions(), Q1)
    assert frame["step"].to_list() == list(BRIDGE_STEPS)
    assert frame["customers"].to_list() == [4, 1, 1, 1, 1, 1, 5]


def test_arr_bridge_frame_signed_sum():
    frame = arr_bridge(subscriptions(), Q1)
    steps = frame.filter(pl.col("step") != "end")["signed_amount"].sum()
    end = frame.filter(pl.col("step") == "end")["amount"].item()
    assert steps == pytest.approx(end)
    assert frame.filter(pl.col("step") == "churned")["signed_amount"].item() == -600


def test_arr_annual_plan_keeps_cents():
    rows = [("A", D(2025, 1, 1), None, 1000.0, "year", 1.0)]
    result = arr(subscriptions(rows), Period(D(2025, 1, 1), D(2025, 1, 31)))
    # 1,000 / 12 per month, back to 1,000.00 a year.
    assert result.value == 1000.0


def test_arr_all_data_ends_on_latest_date():
    # The latest date in the data is F's restart on 2025-03-10.
    result = arr(subscriptions())
    assert result.value == pytest.approx(12 * (125 + 200 + 80 + 40 + 30))
    assert result.extra["bridge"]["start"] == 0


def test_arr_empty_table_not_available():
    result = arr(subscriptions([]))
    assert result.status == "not_available"
    assert result.reason == "no subscriptions in the data"


def test_arr_no_usable_rows_not_available():
    rows = [("G", D(2025, 1, 5), None, 500.0, "one-time", 1.0)]
    result = arr(subscriptions(rows))
    assert result.status == "not_available"
    assert result.excluded == {"one-time fee": 1}


def test_arr_snapshot_active_customers():
    frame = pl.DataFrame(
        {
            "customer_id": ["x", "y", "z", "w"],
            "churned": ["Yes", "No", "no", None],
            "monthly_charge": [10.0, 20.0, 30.5, 99.0],
        }
    )
    result = arr(frame)
    assert result.value == pytest.approx(12 * (20.0 + 30.5))
    assert result.variant == "snapshot"
    assert result.excluded == {"no churned flag": 1}


def test_arr_bridge_snapshot_is_empty():
    frame = pl.DataFrame(
        {"customer_id": ["x"], "churned": ["No"], "monthly_charge": [1.0]}
    )
    assert arr_bridge(frame).is_empty()


def test_upsell_rate_mrr_growth():
    result = upsell_rate_subscriptions(subscriptions(), Q1)
    # Active in Q1: A, B, C, D, E, F (G only paid a one-time fee).
    # Only A's MRR grew (100 -> 125).
    assert result.value == pytest.approx(1 / 6 * 100)
    assert result.n == 6


def test_upsell_rate_upgrade_flag_counts_once():
    rows = [
        ("A", D(2024, 1, 1), None, 10.0, "month", 1.0),
        ("A", D(2025, 1, 10), None, 10.0, "month", 1.0),
        ("A", D(2025, 2, 10), None, 10.0, "month", 1.0),
        ("B", D(2024, 1, 1), None, 10.0, "month", 1.0),
        ("C", D(2024, 1, 1), D(2024, 6, 1), 10.0, "month", 1.0),
    ]
    frame = subscriptions(rows, upgraded=["False", "True", "True", "False", "True"])
    result = upsell_rate_subscriptions(frame, Q1)
    # A is flagged twice and its MRR grew; C is not active in Q1.
    assert result.value == pytest.approx(1 / 2 * 100)
    assert result.numerator == 1


def test_upsell_rate_flagged_row_never_runs():
    rows = [
        ("A", D(2025, 2, 1), D(2025, 2, 1), 10.0, "month", 1.0),
        ("B", D(2025, 2, 1), None, 10.0, "month", 1.0),
        ("C", D(2024, 1, 1), None, 10.0, "month", 1.0),
    ]
    frame = subscriptions(rows, upgraded=["True", "True", "False"])
    result = upsell_rate_subscriptions(frame, Q1)
    # A's only subscription ends on the day it starts, so A is not active.
    assert result.denominator == 2
    assert result.numerator == 1


def test_upsell_rate_upgrade_event():
    rows = [
        ("A", D(2025, 2, 1), None, 10.0, "month", 1.0),
        ("B", D(2025, 2, 1), None, 10.0, "month", 1.0),
    ]
    frame = subscriptions(rows, event=["Upgrade", "new"])
    assert upsell_rate_subscriptions(frame, Q1).value == pytest.approx(50.0)


def test_upsell_rate_nobody_active():
    period = Period(D(1990, 1, 1), D(1990, 12, 31))
    result = upsell_rate_subscriptions(subscriptions(), period)
    assert result.status == "not_available"
    assert result.reason == "no customers were active in this period"


def test_upsell_rate_snapshot_not_available():
    frame = pl.DataFrame({"customer_id": ["x"], "churned": ["No"]})
    assert upsell_rate_subscriptions(frame).status == "not_available"


DAY0 = D(2024, 1, 1)
subscription_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 400),
        st.one_of(st.none(), st.integers(0, 400)),
        st.integers(0, 500_00).map(lambda cents: cents / 100),
        st.sampled_from(["month", "quarter", "year", "Jahr"]),
        st.one_of(st.none(), st.integers(1, 5).map(float)),
    ),
    max_size=12,
)


def random_frame(rows) -> pl.DataFrame:
    book = [
        (
            customer,
            DAY0 + timedelta(days=start),
            None if length is None else DAY0 + timedelta(days=start + length),
            amount,
            interval,
            quantity,
        )
        for customer, start, length, amount, interval, quantity in rows
    ]
    return subscriptions(book)


@settings(max_examples=60, deadline=None)
@given(subscription_rows, st.integers(0, 500), st.integers(0, 200))
def test_arr_bridge_adds_up_to_cent(rows, offset, length):
    period = Period(
        DAY0 + timedelta(days=offset), DAY0 + timedelta(days=offset + length)
    )
    result = arr(random_frame(rows), period)
    if not result.available:
        return
    bridge = result.extra["bridge"]
    steps = (
        bridge["start"]
        + bridge["new"]
        + bridge["expansion"]
        - bridge["contraction"]
        - bridge["churned"]
        + bridge["reactivation"]
    )
    assert round(steps * 100) == round(bridge["end"] * 100)
    assert bridge["end"] == result.value


@settings(max_examples=60, deadline=None)
@given(subscription_rows, st.integers(0, 500), st.integers(0, 200))
def test_upsell_rate_within_bounds(rows, offset, length):
    period = Period(
        DAY0 + timedelta(days=offset), DAY0 + timedelta(days=offset + length)
    )
    result = upsell_rate_subscriptions(random_frame(rows), period)
    if result.available:
        assert 0 <= result.value <= 100


def ravenstack(datasets_dir) -> pl.DataFrame:
    raw = pl.read_csv(
        datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv",
        infer_schema=False,
    )
    return raw.select(
        subscription_id=pl.col("subscription_id"),
        customer_id=pl.col("account_id"),
        started_at=pl.col("start_date").str.to_date(),
        ended_at=pl.col("end_date").str.to_date(),
        monthly_charge=pl.col("mrr_amount").cast(pl.Float64),
        upgraded=pl.col("upgrade_flag"),
    )


def plain_mrr_by_account(path, day: date) -> dict[str, float]:
    """Sum mrr_amount per account over the rows running at the close of day."""
    totals: dict[str, float] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            start = date.fromisoformat(row["start_date"])
            end = date.fromisoformat(row["end_date"]) if row["end_date"] else None
            if start <= day and (end is None or end > day):
                account = row["account_id"]
                totals[account] = totals.get(account, 0.0) + float(row["mrr_amount"])
    return totals


def test_arr_ravenstack_matches_plain_python(datasets_dir):
    path = datasets_dir / "ravenstack-saas" / "ravenstack_subscriptions.csv"
    period = Period(D(2024, 1, 1), D(2024, 6, 30))
    result = arr(ravenstack(datasets_dir), period)
    expected_end = 12 * sum(plain_mrr_by_account(path, D(2024, 6, 30)).values())
    expected_start = 12 * sum(plain_mrr_by_account(path, D(2023, 12, 31)).values())
    assert result.value == pytest.approx(expected_end)
    assert result.extra["bridge"]["start"] == pytest.approx(expected_start)


def test_arr_ravenstack_bridge_adds_up(datasets_dir):
    bridge = arr(ravenstack(datasets_dir), Period(D(2024, 1, 1), D(2024, 6, 30)))
    steps = bridge.extra["bridge"]
    total = (
        steps["start"]
        + steps["new"]
        + steps["expansion"]
        - steps["contraction"]
        - steps["churned"]
        + steps["reactivation"]
    )
    assert round(total * 100) == round(steps["end"] * 100)


def test_arr_telco_snapshot_matches_csv(datasets_dir):
    path = datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = 12 * sum(
        float(row["MonthlyCharges"]) for row in rows if row["Churn"] == "No"
    )
    raw = pl.read_csv(path, infer_schema=False)
    frame = raw.select(
        customer_id=pl.col("customerID"),
        churned=pl.col("Churn"),
        monthly_charge=pl.col("MonthlyCharges").cast(pl.Float64),
    )
    result = arr(frame)
    assert result.value == pytest.approx(expected)
    assert result.variant == "snapshot"


def test_arr_period_before_first_start():
    frame = pl.DataFrame(
        {
            "customer_id": ["x", "y"],
            "started_at": [D(2023, 3, 1), D(2023, 5, 1)],
            "amount": [10.0, 20.0],
        }
    )
    result = arr(frame, Period(D(2017, 1, 1), D(2017, 12, 31)))
    assert result.status == "not_available"
    assert result.reason == (
        "no subscription had started by 2017-12-31; the first starts on 2023-03-01"
    )


def test_arr_period_after_all_ended_is_zero():
    frame = pl.DataFrame(
        {
            "customer_id": ["x"],
            "started_at": [D(2023, 3, 1)],
            "ended_at": [D(2023, 6, 1)],
            "amount": [10.0],
        }
    )
    result = arr(frame, Period(D(2023, 7, 1), D(2023, 7, 31)))
    # The customer left in June, so ARR is a real 0, not a missing figure.
    assert result.value == 0.0


def test_arr_snapshot_id_as_flag_not_available():
    frame = pl.DataFrame(
        {
            "customer_id": ["x", "y"],
            "churned": ["C-816288", "C-5a81e7"],
            "monthly_charge": [4.03, 96.45],
        }
    )
    result = arr(frame)
    assert result.status == "not_available"
    assert result.excluded == {
        "churned flag is not yes/no, true/false, 1/0 or active/churned": 2
    }
