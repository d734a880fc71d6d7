from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core.churn_counts import calendar_buckets, churn_table
from kpi_core.errors import InvalidSettingError
from kpi_core.subscription_data import NO_END

D = date
DAY0 = D(2024, 1, 1)


def test_calendar_buckets_clipped_months():
    buckets = calendar_buckets(D(2025, 1, 15), D(2025, 3, 10), "month")
    assert buckets.rows() == [
        (D(2025, 1, 15), D(2025, 1, 31)),
        (D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 3, 1), D(2025, 3, 10)),
    ]


def test_calendar_buckets_weeks_start_monday():
    buckets = calendar_buckets(D(2025, 1, 1), D(2025, 1, 12), "week")
    # 1 January 2025 is a Wednesday.
    assert buckets["period_start"].to_list() == [D(2025, 1, 1), D(2025, 1, 6)]
    assert buckets["period_end"].to_list() == [D(2025, 1, 5), D(2025, 1, 12)]


def test_calendar_buckets_unknown_grain():
    with pytest.raises(InvalidSettingError, match="'day'"):
        calendar_buckets(D(2025, 1, 1), D(2025, 1, 2), "day")


def prepared(rows) -> pl.DataFrame:
    """Rows of (customer, start, end or None, mrr) in the prepared shape."""
    return pl.DataFrame(
        [(c, s, e, e or NO_END, m) for c, s, e, m in rows],
        schema={
            "customer_id": pl.String,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "stops_at": pl.Date,
            "mrr": pl.Float64,
        },
        orient="row",
    )


def test_churn_table_touching_subscriptions_continue():
    rows = [("a", D(2025, 1, 1), D(2025, 2, 10), 5.0), ("a", D(2025, 2, 10), None, 5.0)]
    table = churn_table(
        prepared(rows), calendar_buckets(D(2025, 2, 1), D(2025, 2, 28), "month")
    )
    assert table["churned"].to_list() == [0]
    assert table["mrr_lost"].to_list() == [0.0]


def test_churn_table_same_day_subscription_ignored():
    rows = [("a", D(2025, 1, 1), None, 5.0), ("b", D(2025, 2, 5), D(2025, 2, 5), 9.0)]
    table = churn_table(
        prepared(rows), calendar_buckets(D(2025, 2, 1), D(2025, 2, 28), "month")
    )
    assert table["joined_and_left"].to_list() == [0]
    assert table["customers_at_start"].to_list() == [1]


def plain_counts(rows, start: date, end: date) -> dict[str, float]:
    """Count one bucket by checking every subscription on the two edge days."""

    def mrr_on(day):
        totals: dict[str, float] = {}
        for customer, begin, stop, mrr in rows:
            if begin <= day and (stop is None or stop > day):
                totals[customer] = totals.get(customer, 0.0) + mrr
        return totals

    opening, closing = mrr_on(start - timedelta(days=1)), mrr_on(end)
    runs = [(c, b) for c, b, stop, _ in rows if stop is None or stop > b]
    joined = {c for c, b in runs if start <= b <= end}
    before = {c for c, b in runs if b < start}
    return {
        "customers_at_start": len(opening),
        "churned": len(set(opening) - set(closing)),
        "joined_and_left": len(joined - set(opening) - set(closing)),
        "reactivations": len((joined & before) - set(opening)),
        "mrr_at_start": sum(opening.values()),
        "mrr_lost": sum(max(v - closing.get(c, 0.0), 0.0) for c, v in opening.items()),
    }


subscription_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 200),
        st.one_of(st.none(), st.integers(0, 120)),
        st.integers(0, 300).map(float),
    ),
    max_size=14,
)


@settings(max_examples=80, deadline=None)
@given(subscription_rows, st.sampled_from(["week", "month", "quarter"]))
def test_churn_table_matches_day_by_day_count(raw, grain):
    rows = [
        (
            customer,
            DAY0 + timedelta(days=start),
            None if days is None else DAY0 + timedelta(days=start + days),
            mrr,
        )
        for customer, start, days, mrr in raw
    ]
    buckets = calendar_buckets(D(2024, 1, 20), D(2024, 9, 30), grain)
    table = churn_table(prepared(rows), buckets)
    for row in table.iter_rows(named=True):
        expected = plain_counts(rows, row["period_start"], row["period_end"])
        for name, value in expected.items():
            assert row[name] == pytest.approx(value), (name, row["period_start"])


def test_churn_table_buckets_in_any_order():
    rows = [
        ("a", D(2025, 1, 1), D(2025, 2, 10), 5.0),
        ("b", D(2025, 1, 1), D(2025, 1, 20), 7.0),
        ("c", D(2025, 2, 3), None, 9.0),
    ]
    buckets = calendar_buckets(D(2025, 1, 1), D(2025, 2, 28), "month")
    forward = churn_table(prepared(rows), buckets)
    backward = churn_table(prepared(rows), buckets.reverse())
    assert backward["period_start"].to_list() == [D(2025, 2, 1), D(2025, 1, 1)]
    # a and b join in January, and b also leaves then. a leaves in February.
    assert backward["customers_at_start"].to_list() == [1, 0]
    assert backward["churned"].to_list() == [1, 0]
    assert backward["joined_and_left"].to_list() == [0, 1]
    assert backward.reverse().equals(forward)


def test_churn_table_customer_with_three_spans():
    # a runs 1-9 January, goes on without a gap 10-15 January, pauses and
    # comes back on 22 January.
    rows = [
        ("a", D(2025, 1, 1), D(2025, 1, 10), 5.0),
        ("a", D(2025, 1, 10), D(2025, 1, 16), 5.0),
        ("a", D(2025, 1, 22), None, 6.0),
    ]
    weeks = calendar_buckets(D(2025, 1, 6), D(2025, 2, 2), "week")
    table = churn_table(prepared(rows), weeks)
    # Weeks start on 6, 13, 20 and 27 January.
    assert table["customers_at_start"].to_list() == [1, 1, 0, 1]
    assert table["churned"].to_list() == [0, 1, 0, 0]
    assert table["reactivations"].to_list() == [0, 0, 1, 0]


def test_churn_table_one_and_several_subscriptions():
    rows = [
        # a has one subscription and leaves in February.
        ("a", D(2025, 1, 1), D(2025, 2, 10), 5.0),
        # b leaves and comes back inside February, so b has not churned.
        ("b", D(2025, 1, 1), D(2025, 2, 5), 5.0),
        ("b", D(2025, 2, 20), None, 5.0),
        # c left in 2024 and comes back for two weeks in March.
        ("c", D(2024, 6, 1), D(2024, 9, 1), 5.0),
        ("c", D(2025, 3, 5), D(2025, 3, 20), 5.0),
        # d has one subscription from March on.
        ("d", D(2025, 3, 10), None, 5.0),
    ]
    months = calendar_buckets(D(2025, 1, 1), D(2025, 4, 30), "month")
    table = churn_table(prepared(rows), months, revenue=False)
    assert table["customers_at_start"].to_list() == [0, 2, 1, 2]
    assert table["churned"].to_list() == [0, 1, 0, 0]
    assert table["joined_and_left"].to_list() == [0, 0, 1, 0]
    assert table["reactivations"].to_list() == [0, 0, 1, 0]


@settings(max_examples=80, deadline=None)
@given(subscription_rows, st.sampled_from(["week", "month", "quarter"]))
def test_churn_table_customer_counts_only(raw, grain):
    rows = [
        (
            customer,
            DAY0 + timedelta(days=start),
            None if days is None else DAY0 + timedelta(days=start + days),
            mrr,
        )
        for customer, start, days, mrr in raw
    ]
    buckets = calendar_buckets(D(2024, 1, 20), D(2024, 9, 30), grain)
    table = churn_table(prepared(rows), buckets, revenue=False)
    assert table.columns == [
        "period_start",
        "period_end",
        "customers_at_start",
        "churned",
        "joined_and_left",
        "reactivations",
        "churn_rate",
    ]
    for row in table.iter_rows(named=True):
        expected = plain_counts(rows, row["period_start"], row["period_end"])
        for name in ("customers_at_start", "churned", "joined_and_left"):
            assert row[name] == expected[name], (name, row["period_start"])
        assert row["reactivations"] == expected["reactivations"]


def test_churn_table_customer_counts_without_amounts():
    # Counting customers takes rows without an amount: a leaves in
    # February, and b joins and leaves in it.
    rows = [
        ("a", D(2025, 1, 1), D(2025, 2, 10), None),
        ("b", D(2025, 2, 3), D(2025, 2, 20), None),
    ]
    buckets = calendar_buckets(D(2025, 2, 1), D(2025, 2, 28), "month")
    table = churn_table(prepared(rows), buckets, revenue=False)
    assert table["customers_at_start"].to_list() == [1]
    assert table["churned"].to_list() == [1]
    assert table["joined_and_left"].to_list() == [1]
    assert table["churn_rate"].to_list() == [100.0]
