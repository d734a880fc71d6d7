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

from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.period import grain_every
from kpi_core.reuse import reuse_last_result
from kpi_core.subscription_data import DAY, repeated_customer, with_customer_key

COUNT_COLUMNS = (
    "period_start",
    "period_end",
    "customers_at_start",
    "churned",
    "joined_and_left",
    "reactivations",
)
_KEYS = ["period_start", "customer_key"]
_COUNT_TYPES = dict.fromkeys(COUNT_COLUMNS[3:], pl.Int64)


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
    activity, _ = _running_activity(prepared)
    running = activity.running
    edges = buckets.with_columns(opening_day=pl.col("period_start") - DAY)
    opening = {"customers_at_start": _active_customers(activity, edges["opening_day"])}
    counted = list(COUNT_COLUMNS[3:])
    if revenue:
        opening["mrr_at_start"] = _running_mrr(running, edges["opening_day"])
        counted.append("mrr_lost")
        changes = _changes(running, edges)
    else:
        changes = _customer_changes(activity, edges)
    table = (
        edges.with_columns(**opening)
        .join(changes, on="period_start", how="left")
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


@dataclass(frozen=True)
class _Activity:
    """Subscriptions that run for at least a day and their spans of activity.

    ``spans`` has one row per span (see ``_activity_spans``), with the
    previous span of the same customer (previous_start, previous_stop).
    ``span_starts`` and ``span_stops`` are the span days sorted.
    ``search_keys`` and ``search_stops`` list the spans of customers with
    several subscriptions in spans order, keyed by customer x width + days
    from first_start to span_start. Every offset is below width, so the
    keys are sorted.
    """

    running: pl.DataFrame
    spans: pl.DataFrame
    span_starts: pl.Series
    span_stops: pl.Series
    search_keys: pl.Series
    search_stops: pl.Series
    first_start: date | None
    width: int


@reuse_last_result
def _running_activity(prepared: pl.DataFrame) -> tuple[_Activity, dict[str, int]]:
    """Return the ``_Activity`` of prepared rows, with the columns the counts
    use. A churn rate counts one bucket and then the months of the same
    prepared frame, so the last result is reused."""
    # A subscription ending on the day it starts never runs.
    keyed = with_customer_key(prepared)
    keyed = keyed.select(
        "customer_key",
        "started_at",
        "stops_at",
        "mrr",
        several=repeated_customer(keyed),
    )
    running = keyed.filter(pl.col("stops_at") > pl.col("started_at"))
    several = running["several"]
    running = running.drop("several")
    spans = _activity_spans(running, several)
    customer = pl.col("customer")
    same_customer = customer == customer.shift(1)
    spans = spans.with_columns(
        previous_start=pl.when(same_customer).then(pl.col("span_start").shift(1)),
        previous_stop=pl.when(same_customer).then(pl.col("span_stop").shift(1)),
    )
    searched = spans.filter(customer.is_not_null())
    first_start = searched["span_start"].min()
    width = 1
    if first_start is not None:
        width = (searched["span_start"].max() - first_start).days + 1
    first_day = pl.lit(first_start, dtype=pl.Date)
    offset = (pl.col("span_start") - first_day).dt.total_days()
    activity = _Activity(
        running=running,
        spans=spans,
        span_starts=spans["span_start"].sort(),
        span_stops=spans["span_stop"].sort(),
        search_keys=searched.select(customer * width + offset).to_series(),
        search_stops=searched["span_stop"],
        first_start=first_start,
        width=width,
    )
    return activity, {}


def _activity_spans(running: pl.DataFrame, several: pl.Series) -> pl.DataFrame:
    """Merge each customer's overlapping or touching subscriptions into spans
    of uninterrupted activity: customer, span_start and span_stop, one row
    per span.

    Customers with several subscriptions come first, sorted by customer and
    span_start, with customer a number from 0 in customer_key order. On
    their rows sorted by customer and start, a span opens at a row that
    starts after every earlier subscription of its customer has stopped, and
    it stops at the latest stop so far on its last row. Spans of one
    customer never touch: the next one starts after the day the one before
    stops. A customer with one subscription (false in ``several``) has that
    one span, with a null customer, and needs no sort.
    """
    rows = running.select("customer_key", "started_at", "stops_at", several=several)
    single = rows.filter(~pl.col("several")).select(
        customer=pl.lit(None, dtype=pl.Int64),
        span_start="started_at",
        span_stop="stops_at",
    )
    ordered = (
        rows.filter(pl.col("several"))
        .sort("customer_key", "started_at", multithreaded=False)
        .with_columns(customer=pl.col("customer_key").rle_id().cast(pl.Int64))
        .with_columns(reach=_reach_so_far())
    )
    customer = pl.col("customer")
    new_customer = customer.ne_missing(customer.shift(1))
    gap = new_customer | (pl.col("started_at") > pl.col("reach").shift(1))
    marked = ordered.with_columns(opens=gap.fill_null(True)).with_columns(
        closes=pl.col("opens").shift(-1, fill_value=True)
    )
    opening = marked.filter(pl.col("opens"))
    merged = pl.DataFrame(
        {
            "customer": opening["customer"],
            "span_start": opening["started_at"],
            "span_stop": marked.filter(pl.col("closes"))["reach"],
        }
    )
    return pl.concat([merged, single])


def _reach_so_far() -> pl.Expr:
    """Return the latest stops_at of the customer's rows up to each row, on
    rows sorted by customer, with the customer numbered by ``rle_id``.

    A window per customer (``cum_max().over``) is slow with hundreds of
    thousands of customers. So one running maximum runs over the whole frame
    on a key that puts each customer's days above every earlier customer's:
    the customer's rank times the width of the day range, plus the day. The
    key fits in Int64 while customers times days in the range stays below
    2**63.
    """
    customer = pl.col("customer")
    day = pl.col("stops_at").cast(pl.Int64)
    width = day.max() - day.min() + 1
    key = customer * width + (day - day.min())
    return (key.cum_max() - customer * width + day.min()).cast(pl.Date)


def _active_customers(activity: _Activity, days: pl.Series) -> pl.Series:
    """Count the customers active at the close of each day: spans started on
    or before it minus spans stopped on or before it."""
    started = activity.span_starts.search_sorted(days, side="right")
    stopped = activity.span_stops.search_sorted(days, side="right")
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


def _changes(running: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Count churned, joined_and_left, reactivations and mrr_lost per bucket
    over the customers with a subscription starting or ending in it."""
    states = _candidate_states(running, edges)
    opened = pl.col("opening_mrr").is_not_null()
    closed = pl.col("closing_mrr").is_not_null()
    joined = pl.col("joined")
    lost = pl.col("opening_mrr") - pl.col("closing_mrr").fill_null(0.0)
    return states.group_by("period_start").agg(
        churned=(opened & ~closed).sum().cast(pl.Int64),
        joined_and_left=(~opened & ~closed & joined).sum().cast(pl.Int64),
        reactivations=(~opened & joined & pl.col("returning")).sum().cast(pl.Int64),
        mrr_lost=lost.clip(lower_bound=0.0).sum(),
    )


def _candidate_states(running: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """Return one row per bucket and customer with a start or end inside the
    bucket: whether a subscription started inside, whether one started
    before, and the MRR at the opening and at the closing (null when not
    active)."""
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
    mrr = pl.col("mrr").fill_null(0.0)
    return (
        candidates.join(running, on="customer_key")
        .group_by(_KEYS)
        .agg(
            opening_mrr=_sum_if_any(mrr, opens),
            closing_mrr=_sum_if_any(mrr, closes),
            joined=pl.col("started_at")
            .is_between(pl.col("period_start"), pl.col("period_end"))
            .any(),
            returning=(pl.col("started_at") < pl.col("period_start")).any(),
        )
    )


def _customer_changes(activity: _Activity, edges: pl.DataFrame) -> pl.DataFrame:
    """Count churned, joined_and_left and reactivations per bucket from the
    activity spans, with one row per span and no join.

    A customer churns in a bucket when the span that runs at its opening
    stops inside it and no later span runs at its closing. A customer who is
    not active at the opening joins in a bucket exactly when a span starts
    inside it. So the first span starting in a bucket decides whether that
    customer joined and left (not active at either edge) or came back (an
    earlier span exists).
    """
    if activity.spans.is_empty() or edges.is_empty():
        return pl.DataFrame(schema={"period_start": pl.Date, **_COUNT_TYPES})
    ordered = edges.sort("period_start")
    active_at_end = _active_at(activity, pl.col("period_end"))

    stopping = _in_bucket(activity.spans, "span_stop", ordered).filter(
        pl.col("span_start") < pl.col("period_start")
    )
    churned = stopping.filter(~active_at_end).group_by("bucket").len("churned")

    returning = pl.col("previous_start").is_not_null()
    first_in_bucket = ~returning | (pl.col("previous_start") < pl.col("period_start"))
    # A previous span that stops inside the bucket ran at its opening.
    opened = returning & (pl.col("previous_stop") >= pl.col("period_start"))
    joined = (
        _in_bucket(activity.spans, "span_start", ordered)
        .filter(first_in_bucket & ~opened)
        .group_by("bucket")
        .agg(
            joined_and_left=(~active_at_end).sum(),
            reactivations=returning.sum(),
        )
    )
    counts = pl.concat([churned, joined], how="align")
    return counts.select(
        period_start=ordered["period_start"].gather(counts["bucket"]),
        churned=pl.col("churned").fill_null(0).cast(pl.Int64),
        joined_and_left=pl.col("joined_and_left").fill_null(0).cast(pl.Int64),
        reactivations=pl.col("reactivations").fill_null(0).cast(pl.Int64),
    )


def _in_bucket(spans: pl.DataFrame, column: str, ordered: pl.DataFrame) -> pl.DataFrame:
    """Return the spans whose ``column`` day falls in a bucket of ``ordered``
    (buckets sorted by period_start), with bucket (its row number there),
    period_start and period_end."""
    period_start, period_end = ordered["period_start"], ordered["period_end"]
    day = pl.col(column)
    # The bucket of a day is the last one starting on or before it.
    bucket = pl.lit(period_start).search_sorted(day, side="right").cast(pl.Int64) - 1
    return (
        spans.filter(day.is_between(period_start.min(), period_end.max()))
        .with_columns(bucket=bucket)
        .with_columns(
            period_start=pl.lit(period_start).gather(pl.col("bucket")),
            period_end=pl.lit(period_end).gather(pl.col("bucket")),
        )
        .filter(day <= pl.col("period_end"))
    )


def _active_at(activity: _Activity, day: pl.Expr) -> pl.Expr:
    """Return an expression, over rows of ``activity.spans``, that is true
    where the row's customer is active at the close of ``day``, a day on or
    after the row's span_start.

    A customer with one subscription (a null customer) is active when its
    span stops after the day. For the others, the last span of the customer
    that starts on or before the day is found by a binary search on the
    search keys, and the customer is active when that span stops after the
    day. A day after the last span start of all customers searches as that
    last start, which finds the same span.
    """
    alone = pl.col("span_stop") > day
    if activity.search_keys.is_empty():
        return alone
    offset = (day - pl.lit(activity.first_start, dtype=pl.Date)).dt.total_days()
    offset = offset.clip(upper_bound=activity.width - 1)
    key = pl.col("customer").fill_null(0) * activity.width + offset
    found = pl.lit(activity.search_keys).search_sorted(key, side="right")
    # Rows of customers with one span search too, because both branches of
    # the when below are evaluated, so the index is kept in bounds.
    last_start = (found.cast(pl.Int64) - 1).clip(lower_bound=0)
    stop = pl.lit(activity.search_stops).gather(last_start)
    return pl.when(pl.col("customer").is_null()).then(alone).otherwise(stop > day)


def _of_bucket(edges: pl.DataFrame, column: str) -> pl.Expr:
    """Look up ``column`` of the bucket numbered in the bucket column."""
    return pl.lit(edges[column]).gather(pl.col("bucket")).alias(column)


def _runs_at(day: pl.Expr) -> pl.Expr:
    return (pl.col("started_at") <= day) & (pl.col("stops_at") > day)


def _sum_if_any(values: pl.Expr, condition: pl.Expr) -> pl.Expr:
    """Sum the values where the condition is true, or return null when it is
    true for no row."""
    return pl.when(condition.any()).then(values.filter(condition).sum())
