"""Marketing KPIs per time bucket: acquisition cost, revenue by campaign and
ARR over the weeks, months, quarters or years of a period.

Each series splits the rows of its headline figure (``kpi_core.marketing``,
``kpi_core.subscriptions``) into buckets, so the buckets of a period add up
to it. The spend of the buckets sums to the CAC's spend, and each new
customer and each order or won deal falls into one bucket. The ARR of the
last bucket is the ARR at the period's end. Rows without a date count in
the headline of "all data" but fit no bucket, and ``undated_note`` names
them.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.marketing import UNATTRIBUTED, acquired_in_period, label_or_unattributed
from kpi_core.marketing_data import key_of, revenue_rows, spend_dates, spend_in_period
from kpi_core.period import Period, grain_every
from kpi_core.reuse import reuse_last_result
from kpi_core.subscription_data import (
    is_snapshot,
    period_bounds,
    prepare_dated,
    require_customer_id,
)

ALL_DATA = Period()
# Campaigns that ``campaign_revenue_series`` names one by one; the others
# are summed into one "other" label, so a stacked bar stays readable.
TOP_CAMPAIGNS = 8
_CAC_SCHEMA = {
    "period_start": pl.Date,
    "spend": pl.Float64,
    "new_customers": pl.Int64,
    "cac": pl.Float64,
}
_REVENUE_SCHEMA = {
    "period_start": pl.Date,
    "campaign": pl.String,
    "revenue": pl.Float64,
}
_ARR_SCHEMA = {"period_start": pl.Date, "period_end": pl.Date, "arr": pl.Float64}


def cac_series(
    spend: pl.DataFrame,
    new_customers: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Compute the customer acquisition cost per bucket of ``grain``.

    Columns: period_start, spend (in the unit of ``kpi_core.marketing.cac``),
    new_customers and cac = spend / new_customers. One row per bucket from
    the first to the last bucket of the period (of the data, where the
    period is open on that side). A reporting window is shared out over
    its days as in the headline, so a window across two months gives each
    month its days' share. spend is null in a bucket that no spend row
    covers, and cac is null where spend is null or no customer was
    acquired. Raises InvalidValueError for an amount in a currency without
    an exchange rate.
    """
    every = grain_every(grain)
    spent = spend_in_period(spend, period, currency, fx).frame
    spent = spent.filter(pl.col("window_start").is_not_null())
    acquired, _ = acquired_in_period(new_customers, period)
    acquired = acquired.filter(pl.col("acquired_at").is_not_null())

    low = pl.col("window_start")
    high = pl.col("window_end")
    if period.start is not None:
        low = pl.max_horizontal(low, pl.lit(period.start))
    if period.end is not None:
        high = pl.min_horizontal(high, pl.lit(period.end))
    # Each row's amount is already its share of the period, so it is spread
    # evenly over the row's days inside the period.
    days = spent.select(
        "amount", low=low, high=high, length=(high - low).dt.total_days() + 1
    )
    by_bucket = (
        days.with_columns(
            period_start=pl.date_ranges(
                pl.col("low").dt.truncate(every),
                pl.col("high").dt.truncate(every),
                every,
            )
        )
        .explode("period_start")
        .with_columns(
            bucket_end=pl.col("period_start").dt.offset_by(every).dt.offset_by("-1d")
        )
        .with_columns(
            inside=(
                pl.min_horizontal("high", "bucket_end")
                - pl.max_horizontal("low", "period_start")
            ).dt.total_days()
            + 1
        )
        .group_by("period_start")
        .agg(spend=(pl.col("amount") * pl.col("inside") / pl.col("length")).sum())
    )
    counts = acquired.group_by(
        period_start=pl.col("acquired_at").dt.truncate(every)
    ).agg(new_customers=pl.col("customer_id").n_unique().cast(pl.Int64))

    first = _first_day(period, days["low"], acquired["acquired_at"])
    last = _last_day(period, days["high"], acquired["acquired_at"])
    return (
        _bucket_frame(first, last, every)
        .join(by_bucket, on="period_start", how="left")
        .join(counts, on="period_start", how="left")
        .select(
            "period_start",
            "spend",
            new_customers=pl.col("new_customers").fill_null(0),
            cac=pl.when(pl.col("new_customers") > 0).then(
                pl.col("spend") / pl.col("new_customers")
            ),
        )
        .cast(_CAC_SCHEMA)
    )


def cac_span(
    spend: pl.DataFrame, new_customers: pl.DataFrame
) -> tuple[date, date] | None:
    """Return the first and last day of the spend and the acquisitions
    together, for ``kpi_core.partial_periods.partial_periods``."""
    days = []
    if (spent := spend_dates(spend)) is not None:
        days.extend(spent)
    acquired = new_customers["acquired_at"].drop_nulls()
    if acquired.len():
        days.extend([acquired.min(), acquired.max()])
    return (min(days), max(days)) if days else None


def campaign_revenue_series(
    orders_or_deals: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    column: str | None = None,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    top: int = TOP_CAMPAIGNS,
) -> pl.DataFrame:
    """Compute the revenue per campaign and bucket of ``grain``.

    Rows are those of ``kpi_core.marketing.campaign_revenue``: orders by
    ordered_at, won deals by closed_at. ``column`` is the attribution
    column, which that result names in ``extra["attributed_by"]`` (None or
    "none" for none). The ``top`` campaigns by revenue in the period keep
    their label, matched ignoring case and surrounding spaces, and the
    others are summed as "other campaigns (N)". Columns: period_start,
    campaign and revenue. There is one row per bucket and label, 0 without
    revenue, from the first to the last bucket of the period (or of the
    rows, where the period is open on that side). Buckets are in order and
    labels by revenue. Raises InvalidValueError for an amount in a currency without an
    exchange rate.
    """
    every = grain_every(grain)
    rows = revenue_rows(orders_or_deals, period, currency, fx).frame
    anchor = "ordered_at" if "ordered_at" in rows.columns else "closed_at"
    rows = rows.filter(pl.col(anchor).is_not_null())
    if rows.is_empty():
        return pl.DataFrame(schema=_REVENUE_SCHEMA)
    named = column is not None and column != "none"
    label = label_or_unattributed(
        pl.col(column) if named else pl.lit(None, dtype=pl.String)
    )
    labelled = rows.select(
        period_start=pl.col(anchor).cast(pl.Date).dt.truncate(every),
        key=key_of(label),
        label=label,
        amount=pl.col("amount"),
    )
    ranked = (
        labelled.group_by("key")
        .agg(label=pl.col("label").first(), total=pl.col("amount").sum())
        .sort("total", "label", descending=[True, False])
    )
    top_labels = ranked.head(top)
    left_out = ranked.height - top_labels.height
    labels = top_labels.select("label", rank=pl.int_range(pl.len()))
    other = f"other campaigns ({left_out:,})"
    if left_out:
        labels = pl.concat([labels, pl.DataFrame({"label": [other], "rank": [top]})])
    sums = (
        labelled.drop("label")
        .join(top_labels.select("key", "label"), on="key", how="left")
        .with_columns(pl.col("label").fill_null(other))
        .group_by("period_start", "label")
        .agg(revenue=pl.col("amount").sum())
    )
    # Every bucket gets a row per label, 0 without revenue, so a chart
    # shows the buckets without revenue too.
    first = _first_day(period, labelled["period_start"])
    last = _last_day(period, labelled["period_start"])
    return (
        _bucket_frame(first, last, every)
        .join(labels, how="cross")
        .join(sums, on=["period_start", "label"], how="left")
        .sort("period_start", "rank")
        .select(
            "period_start",
            campaign="label",
            revenue=pl.col("revenue").fill_null(0.0),
        )
        .cast(_REVENUE_SCHEMA)
    )


def arr_series(
    subs: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Compute ARR at the close of each bucket's last day inside the period.

    Columns: period_start, period_end (the bucket's last day, or the
    period's end for the last bucket) and arr. Each customer's MRR x 12 is
    rounded to cents as in ``kpi_core.subscriptions.arr``, so the last row
    is the ARR of the period. A bucket that ends before the first
    subscription starts has no ARR (null), as the ARR of such a period is
    not available: the export may not reach back that far. Empty for an
    empty table, a snapshot list or
    subscriptions without a start date and an amount. Raises
    InvalidValueError for an amount in a currency without an exchange rate.
    """
    every = grain_every(grain)
    require_customer_id(subs)
    if subs.is_empty() or is_snapshot(subs):
        return pl.DataFrame(schema=_ARR_SCHEMA)
    prepared = prepare_dated(subs, currency, fx).frame
    if prepared.is_empty():
        return pl.DataFrame(schema=_ARR_SCHEMA)
    start, end = period_bounds(prepared, period)
    cents, _none = _arr_by_day(prepared)
    buckets = _bucket_frame(start, end, every).with_columns(
        period_end=pl.min_horizontal(
            pl.col("period_start").dt.offset_by(every).dt.offset_by("-1d"),
            pl.lit(end),
        )
    )
    return (
        buckets.sort("period_end")
        .join_asof(cents, left_on="period_end", right_on="day", strategy="backward")
        .select(
            "period_start",
            "period_end",
            arr=pl.col("total") / 100,
        )
        .cast(_ARR_SCHEMA)
    )


# True on each customer's first row of a frame sorted by customer.
_first_of_customer = (
    pl.col("customer_key") != pl.col("customer_key").shift(1)
).fill_null(True)


@reuse_last_result
def _arr_by_day(prepared: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return the ARR in cents at the close of each day on which it changes,
    as day and total. The counts are always empty; they are there for
    ``reuse_last_result``, which keeps the result for the next period or
    grain on the same frame."""
    # A subscription runs at the close of every day from started_at to the
    # day before stops_at, so its MRR joins on the first and leaves on the
    # second. A customer's ARR in cents changes only on those days.
    changes = pl.concat(
        [
            prepared.select("customer_key", day="started_at", mrr="mrr"),
            prepared.select("customer_key", day="stops_at", mrr=-pl.col("mrr")),
        ]
    )
    totals = (
        changes.group_by("customer_key", "day")
        .agg(pl.col("mrr").sum())
        .sort("customer_key", "day")
        .with_columns(
            cents=(pl.col("mrr").cum_sum().over("customer_key") * 1200)
            .round(0)
            .cast(pl.Int64)
        )
        .with_columns(
            # The rows are sorted by customer, so a customer's first row is
            # the one whose key differs from the row above. This is exact and
            # faster than shift().over() with a group per customer.
            change=pl.col("cents")
            - pl.when(_first_of_customer).then(0).otherwise(pl.col("cents").shift(1))
        )
        .group_by("day")
        .agg(pl.col("change").sum())
        .sort("day")
        .select("day", total=pl.col("change").cum_sum())
    )
    return totals, {}


def undated_note(
    spend: pl.DataFrame | None,
    new_customers: pl.DataFrame | None,
    revenue: pl.DataFrame | None,
    period: Period,
) -> str | None:
    """Name the rows that the headline figures of all data count but no
    bucket can hold, for want of a date, or return None. An explicit
    period leaves such rows out of the headline too."""
    if not period.is_all:
        return None
    parts = []
    if spend is not None and (rows := _undated_spend_rows(spend)):
        parts.append(f"{count_noun(rows, 'spend row')} without a date")
    customers = (
        0 if new_customers is None else new_customers["acquired_at"].null_count()
    )
    if customers:
        noun = count_noun(customers, "new customer")
        parts.append(f"{noun} without an acquisition date")
    if revenue is not None and (rows := _undated_revenue_rows(revenue)):
        noun = count_noun(rows, "order or won deal", "orders or won deals")
        parts.append(f"{noun} without a date")
    if not parts:
        return None
    return (
        f"The cards of all data count {' and '.join(parts)}. No bucket of the "
        "charts can hold them, so the charts add up to less than the cards."
    )


def _undated_spend_rows(spend: pl.DataFrame) -> int:
    dates = [
        pl.col(name)
        for name in ("period_start", "spent_at", "period_end")
        if name in spend.columns
    ]
    if not dates or "amount" not in spend.columns:
        return 0
    undated = pl.all_horizontal(date.is_null() for date in dates)
    return spend.filter(undated & pl.col("amount").is_not_null()).height


def _undated_revenue_rows(revenue: pl.DataFrame) -> int:
    # Only the rows are counted, so amounts in several currencies need no
    # exchange rate here.
    unconverted = revenue.drop("currency", strict=False)
    rows = revenue_rows(unconverted, ALL_DATA, None, None).frame
    anchor = "ordered_at" if "ordered_at" in rows.columns else "closed_at"
    return rows[anchor].null_count()


def _first_day(period: Period, *dates: pl.Series) -> date | None:
    if period.start is not None:
        return period.start
    known = [values.min() for values in dates if values.drop_nulls().len()]
    return min(known) if known else None


def _last_day(period: Period, *dates: pl.Series) -> date | None:
    if period.end is not None:
        return period.end
    known = [values.max() for values in dates if values.drop_nulls().len()]
    return max(known) if known else None


def _bucket_frame(first: date | None, last: date | None, every: str) -> pl.DataFrame:
    """List the start of every bucket from the one holding ``first`` to the
    one holding ``last``."""
    if first is None or last is None:
        return pl.DataFrame(schema={"period_start": pl.Date})
    bounds = pl.select(
        first=pl.lit(first).dt.truncate(every), last=pl.lit(last).dt.truncate(every)
    ).row(0)
    starts = pl.date_range(bounds[0], bounds[1], every, eager=True)
    return pl.DataFrame({"period_start": starts}, schema={"period_start": pl.Date})


__all__ = [
    "UNATTRIBUTED",
    "arr_series",
    "cac_series",
    "cac_span",
    "campaign_revenue_series",
    "undated_note",
]
