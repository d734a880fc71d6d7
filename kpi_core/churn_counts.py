"""Count churn per time bucket from prepared subscription rows.

A bucket opens at the close of the day before its first day and closes at
the close of its last day. Checking every customer at every bucket edge
would cost customers x buckets rows, so the counts come from events. The
customers and MRR active on a day are running sums over start and end
dates. Only customers with a subscription starting or ending inside a
bucket are checked one by one, because all others are in the same state at
both edges of that bucket.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kpi_core.period import grain_every
from kpi_core.reuse import reuse_last_result
from kpi_core.subscription_data import DAY, with_customer_key

COUNT_COLUMNS = (
    "period_start",
    "period_end",
    "customers_at_start",
    "churned",
    "joined_and_left",
    "reactivations",
)
_KEYS = ["period_start", "customer_key"]


def calendar_buckets(start: date, end: date, grain: str) -> pl.DataFrame:
    """Return the calendar months (or weeks, quarters, years) that overlap
    start to end, clipped to it, as period_start and period_end."""
    every = grain_every(grain)
    first = pl.Series([start], dtype=pl.Date).dt.truncate(every)[0]
    bucket = pl.col("bucket")
    return pl.DataFrame(
        {"bucket": pl.date_range(first, end, every, eager=True)}
    ).select(
        period_start=pl.max_horizontal(bucket, pl.lit(start)),
        period_end=pl.min_horizontal(bucket.dt.offset_by(every) - DAY, pl.lit(end)),
    )


def churn_table(
    prepared: pl.DataFrame, buckets: pl.DataFrame, *, revenue: bool = True
) -> pl.DataFrame:
    """Count churn per bucket (period_start, period_end) of prepared rows.

    Adds customers_at_start, churned, joined_and_left, reactivations,
    mrr_at_start, mrr_lost (drops in MRR of the customers active at the
    start, down to zero for those who left), churn_rate and
    revenue_churn_rate (percent, null when the base is zero). Without
    ``revenue`` the three MRR columns are left out, because counting
    customers needs no amounts.
    """
    (running, spans), _ = _running_spans(prepared)
    edges = buckets.with_columns(opening_day=pl.col("period_start") - DAY)
    opening = {"customers_at_start": _active_customers(spans, edges["opening_day"])}
    counted = list(COUNT_COLUMNS[3:])
    if revenue:
        opening["mrr_at_start"] = _running_mrr(running, edges["opening_day"])
        counted.append("mrr_lost")
    table = (
        edges.with_columns(**opening)
        .join(_changes(running, edges, revenue), on="period_start", how="left")
        .with_columns(pl.col(*counted).fill_null(0))
    )
    rates = {"churn_rate": _percent(pl.col("churned"), pl.col("customers_at_start"))}
    if revenue:
        rates["revenue_churn_rate"] = _percent(
            pl.col("mrr_lost"), pl.col("mrr_at_start")
        )
    return table.drop("opening_day").with_columns(**rates)


def _percent(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    return pl.when(whole > 0).then(part.cast(pl.Float64) / whole * 100)


@reuse_last_result
def _running_spans(
    prepared: pl.DataFrame,
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], dict[str, int]]:
    """Return the subscriptions that run for at least a day, with the columns
    the counts use, and their ``_activity_spans``. A churn rate counts one
    bucket and then the months of the same prepared frame, so the last
    result is reused."""
    # A subscription ending on the day it starts never runs.
    keyed = with_customer_key(prepared).select(
        "customer_key", "started_at", "stops_at", "mrr"
    )
    running = keyed.filter(pl.col("stops_at") > pl.col("started_at"))
    return (running, _activity_spans(running)), {}


def _activity_spans(running: pl.DataFrame) -> pl.DataFrame:
    """Merge each customer's overlapping or touching subscriptions into spans
    of uninterrupted activity: span_start and span_stop, one row per span.

    On rows sorted by customer and start, a span opens at a row that starts
    after every earlier subscription of its customer has stopped, and it
    stops at the latest stop so far on its last row.
    """
    ordered = (
        running.select("customer_key", "started_at", "stops_at")
        .sort("customer_key", "started_at")
        .with_columns(reach=_reach_so_far())
    )
    customer = pl.col("customer_key")
    new_customer = customer.ne_missing(customer.shift(1))
    gap = new_customer | (pl.col("started_at") > pl.col("reach").shift(1))
    marked = ordered.with_columns(opens=gap.fill_null(True)).with_columns(
        closes=pl.col("opens").shift(-1, fill_value=True)
    )
    return pl.DataFrame(
        {
            "span_start": marked.filter(pl.col("opens"))["started_at"],
            "span_stop": marked.filter(pl.col("closes"))["reach"],
        }
    )


def _reach_so_far() -> pl.Expr:
    """Return the latest stops_at of the customer's rows up to each row, on
    rows sorted by customer.

    A window per customer (``cum_max().over``) is slow with hundreds of
    thousands of customers. So one running maximum runs over the whole frame
    on a key that puts each customer's days above every earlier customer's:
    the customer's rank times the width of the day range, plus the day. The
    key fits in Int64 while customers times days in the range stays below
    2**63.
    """
    customer = pl.col("customer_key").rle_id().cast(pl.Int64)
    day = pl.col("stops_at").cast(pl.Int64)
    width = day.max() - day.min() + 1
    key = customer * width + (day - day.min())
    return (key.cum_max() - customer * width + day.min()).cast(pl.Date)


def _active_customers(spans: pl.DataFrame, days: pl.Series) -> pl.Series:
    """Count the customers active at the close of each day: spans started on
    or before it minus spans stopped on or before it."""
    started = spans["span_start"].sort().search_sorted(days, side="right")
    stopped = spans["span_stop"].sort().search_sorted(days, side="right")
    return (started.cast(pl.Int64) - stopped.cast(pl.Int64)).alias("active")


def _running_mrr(running: pl.DataFrame, days: pl.Series) -> pl.Series:
    """Sum the MRR of the subscriptions running at the close of each day."""
    (starts, stops), _ = _mrr_steps(running)
    added = _total_up_to(starts, days)
    removed = _total_up_to(stops, days)
    return (added - removed).alias("mrr")


@reuse_last_result
def _mrr_steps(
    running: pl.DataFrame,
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], dict[str, int]]:
    """Return day and mrr of the starts and of the stops, each sorted by day.
    The sorts are kept for the next table of the same running frame."""
    mrr = pl.col("mrr").fill_null(0.0)
    starts = running.select(day=pl.col("started_at"), mrr=mrr).sort("day")
    stops = running.select(day=pl.col("stops_at"), mrr=mrr).sort("day")
    return (starts, stops), {}


def _total_up_to(ordered: pl.DataFrame, days: pl.Series) -> pl.Series:
    """Sum the mrr of the rows on or before each day, on rows sorted by day."""
    totals = pl.concat([pl.Series([0.0]), ordered["mrr"].cum_sum()])
    return totals.gather(ordered["day"].search_sorted(days, side="right"))


def _changes(running: pl.DataFrame, edges: pl.DataFrame, revenue: bool) -> pl.DataFrame:
    """Count churned, joined_and_left, reactivations and, with ``revenue``,
    mrr_lost per bucket over the customers with a subscription starting or
    ending in it."""
    states = _candidate_states(running, edges, revenue)
    if revenue:
        opened = pl.col("opening_mrr").is_not_null()
        closed = pl.col("closing_mrr").is_not_null()
    else:
        opened, closed = pl.col("opened"), pl.col("closed")
    joined = pl.col("joined")
    counts = {
        "churned": (opened & ~closed).sum().cast(pl.Int64),
        "joined_and_left": (~opened & ~closed & joined).sum().cast(pl.Int64),
        "reactivations": (~opened & joined & pl.col("returning")).sum().cast(pl.Int64),
    }
    if revenue:
        lost = pl.col("opening_mrr") - pl.col("closing_mrr").fill_null(0.0)
        counts["mrr_lost"] = lost.clip(lower_bound=0.0).sum()
    return states.group_by("period_start").agg(**counts)


def _candidate_states(
    running: pl.DataFrame, edges: pl.DataFrame, revenue: bool
) -> pl.DataFrame:
    """Return one row per bucket and customer with a start or end inside the
    bucket: whether a subscription started inside, whether one started
    before, and with ``revenue`` the MRR at the opening and at the closing
    (null when not active), else whether the customer is active then
    (opened, closed)."""
    ordered = edges.sort("period_start")
    dates = pl.concat([running["started_at"], running["stops_at"]])
    customers = pl.concat([running["customer_key"], running["customer_key"]])
    # The bucket of a day is the last one starting on or before it, and a
    # day before the first bucket gets -1.
    starts = ordered["period_start"].search_sorted(dates, side="right")
    events = pl.DataFrame(
        {"customer_key": customers, "bucket": starts.cast(pl.Int64) - 1, "day": dates}
    )
    candidates = (
        events.filter(pl.col("bucket") >= 0)
        .filter(pl.col("day") <= _of_bucket(ordered, "period_end"))
        .select("customer_key", "bucket")
        .unique()
        .select(
            "customer_key",
            *(_of_bucket(ordered, name) for name in edges.columns),
        )
    )
    opens = _runs_at(pl.col("opening_day"))
    closes = _runs_at(pl.col("period_end"))
    if revenue:
        rows = candidates.join(running, on="customer_key")
        mrr = pl.col("mrr").fill_null(0.0)
        activity = {
            "opening_mrr": _sum_if_any(mrr, opens),
            "closing_mrr": _sum_if_any(mrr, closes),
        }
    else:
        dates = running.select("customer_key", "started_at", "stops_at")
        rows = candidates.join(dates, on="customer_key")
        activity = {"opened": opens.any(), "closed": closes.any()}
    return rows.group_by(_KEYS).agg(
        **activity,
        joined=pl.col("started_at")
        .is_between(pl.col("period_start"), pl.col("period_end"))
        .any(),
        returning=(pl.col("started_at") < pl.col("period_start")).any(),
    )


def _of_bucket(edges: pl.DataFrame, column: str) -> pl.Expr:
    """Look up ``column`` of the bucket numbered in the bucket column."""
    return pl.lit(edges[column]).gather(pl.col("bucket")).alias(column)


def _runs_at(day: pl.Expr) -> pl.Expr:
    return (pl.col("started_at") <= day) & (pl.col("stops_at") > day)


def _sum_if_any(values: pl.Expr, condition: pl.Expr) -> pl.Expr:
    """Sum the values where the condition is true, or return null when it is
    true for no row."""
    return pl.when(condition.any()).then(values.filter(condition).sum())
