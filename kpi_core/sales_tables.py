"""Sales KPI tables: the pipeline by stage, the time series and the breakdown.

Each function takes the canonical deals frame and returns one Polars frame
ready for a chart or a table. Cohort columns (created, won_of_created,
close_rate) count deals by creation date. Outcome columns (decided, won,
win_rate, won_value, average_deal_size and the cycle lengths) count won and
lost deals by close date. A rate is null, never 0, where its denominator is 0.
Where amounts are in a currency without an exchange rate, the money columns
are null, so no sum mixes currencies and the other columns are still given.
Where no won or lost deal has a close date, the outcome columns of the time
series are null, because those deals cannot be placed in a bucket.
``chart_gap`` returns why a column has nothing to chart, and ``stage_table``
names the columns of the stage summary for reading.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl

from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.formatting import count_noun, format_number
from kpi_core.money import convert_amounts
from kpi_core.partial_periods import bucket_label
from kpi_core.period import Period, grain_every
from kpi_core.results import is_missing_rate
from kpi_core.stats import wilson_bounds

# Period() is immutable, so one shared instance is a safe default argument.
ALL_DATA = Period()
NO_SEGMENT = "(none)"
# The stage label of the deals whose stage is empty, in the pipeline table,
# its charts and the Excel report.
NO_STAGE = "(no stage)"
_KEY = "_key"
_COUNTS = ("created", "won_of_created", "decided", "won")
KPI_COLUMNS = (
    "created",
    "won_of_created",
    "close_rate",
    "decided",
    "won",
    "win_rate",
    "won_value",
    "average_deal_size",
    "cycle_mean_days",
    "cycle_median_days",
)
# The columns counted by close date, unknown when no deal has one.
OUTCOME_COLUMNS = (
    "decided",
    "won",
    "win_rate",
    "won_value",
    "average_deal_size",
    "cycle_mean_days",
    "cycle_median_days",
)

WON = pl.col("status") == "won"
# Two comparisons, because is_in on the labels took 17 ms against 5 ms for a
# million deals (Polars 2.1, 2 cores). A null status is null in both.
DECIDED = (pl.col("status") == "won") | (pl.col("status") == "lost")
FIRST_CONTACT = "first_contact_at"


def from_first_contact(columns: Collection[str]) -> pl.Expr:
    """Flag the deals whose sales cycle starts at their first contact: those
    with a first-contact date. Without that column no deal has one."""
    if FIRST_CONTACT not in columns:
        return pl.lit(False)
    return pl.col(FIRST_CONTACT).is_not_null()


def cycle_start(columns: Collection[str]) -> pl.Expr:
    """Return the date a deal's sales cycle starts: its first contact where
    it has one, else its creation. ``columns`` are those of the deals frame."""
    created = pl.col("created_at").cast(pl.Date)
    if FIRST_CONTACT not in columns:
        return created
    return pl.coalesce(pl.col(FIRST_CONTACT).cast(pl.Date), created)


def cycle_days(columns: Collection[str]) -> pl.Expr:
    """Calendar days from the ``cycle_start`` to close; a time of day is
    ignored."""
    closed = pl.col("closed_at").cast(pl.Date)
    return (closed - cycle_start(columns)).dt.total_days().alias("cycle_days")


def pipeline_by_stage(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Count the deals created in the period and their value per stage.

    Columns: stage, status, deals, value (sum of the known amounts in the
    currency that ``won_value`` reports for the same settings, null where
    no deal of the stage has one, and for every stage where an amount of
    the period needs a missing exchange rate) and without_amount. Input
    columns: stage,
    status, created_at, amount and currency if present. Deals without a
    creation date count only with all data. Deals with an empty stage are
    listed under ``NO_STAGE``. Open stages come first, then
    won and lost, each by deal count. An empty frame gives an empty table.
    """
    # Only these columns are copied by the filter.
    read = ("stage", "status", "created_at", "amount", "currency")
    narrow = deals.select(name for name in read if name in deals.columns)
    cohort = narrow.filter(period.contains("created_at"))
    converted = _in_one_currency(cohort, currency, fx)
    known = pl.col("amount").is_not_null()
    value = pl.when(known.any()).then(pl.col("amount").sum())
    if converted is None:
        # The amounts stay unconverted only to count the deals without one.
        converted, value = cohort, pl.lit(None, pl.Float64)
    stage = pl.col("stage").cast(pl.String).fill_null(NO_STAGE)
    table = converted.group_by(stage, "status").agg(
        pl.len().cast(pl.Int64).alias("deals"),
        value.alias("value"),
        pl.col("amount").null_count().cast(pl.Int64).alias("without_amount"),
    )
    return table.sort(
        pl.col("status") != "open",
        pl.col("deals"),
        pl.col("stage"),
        descending=[False, True, False],
    )


def sales_series(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    cycle_of: str = "won",
) -> pl.DataFrame:
    """Compute the sales KPIs per week, month, quarter or year.

    One row per bucket from the first to the last bucket of the period (or of
    the data, where the period is open on that side), empty buckets included.
    Columns: period_start (Date) and ``KPI_COLUMNS``. Rates are in percent,
    money in the ``won_value`` unit and cycle lengths in days. Deals without
    the anchor date cannot be placed in a bucket and are left out. When won
    or lost deals exist but none has a close date, ``OUTCOME_COLUMNS`` are
    null in every bucket, not 0. The cycle lengths are those of the won
    deals, or with ``cycle_of`` "closed" of the won and lost deals, as the
    variants of ``sales_cycle_days``. Raises InvalidSettingError for an
    unknown grain. An empty frame gives an empty table.
    """
    every = grain_every(grain)
    narrow = deals.select(*_kpi_columns(deals))
    cohort = narrow.filter(
        period.contains("created_at") & pl.col("created_at").is_not_null()
    ).with_columns(pl.col("created_at").dt.truncate(every).alias(_KEY))
    closed = narrow.filter(
        DECIDED & period.contains("closed_at") & pl.col("closed_at").is_not_null()
    ).with_columns(pl.col("closed_at").dt.truncate(every).alias(_KEY))

    table = _kpi_table(cohort, closed, currency, fx, cycle_of)
    buckets = _buckets(table[_KEY], period, every)
    filled = _fill_empty(buckets.join(table, on=_KEY, how="left"))
    if _has_no_close_dates(deals):
        filled = filled.with_columns(
            pl.lit(None, filled.schema[name]).alias(name) for name in OUTCOME_COLUMNS
        )
    return filled.rename({_KEY: "period_start"})


def sales_breakdown(
    deals: pl.DataFrame,
    period: Period = ALL_DATA,
    segment: str = "owner",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Compute the sales KPIs per value of a segment column such as owner.

    Columns: the segment (an empty value becomes "(none)"), ``KPI_COLUMNS``
    and the Wilson 95 % bounds close_rate_low, close_rate_high, win_rate_low
    and win_rate_high. Deals are chosen as in ``close_rate`` and ``win_rate``,
    so the rows add up to those KPIs. Sorted by won_value, largest first.
    Raises MissingColumnError when the segment column is absent. An empty
    frame gives an empty table.
    """
    if segment not in deals.columns:
        raise MissingColumnError(
            f"the deals have no {segment!r} column to break the sales KPIs down "
            "by; map a column to it or choose another segment",
            column=segment,
        )
    key = pl.col(segment).cast(pl.String).fill_null(NO_SEGMENT).alias(_KEY)
    narrow = deals.select(*_kpi_columns(deals), key)
    cohort = narrow.filter(period.contains("created_at"))
    closed = narrow.filter(DECIDED & period.contains("closed_at"))

    table = _fill_empty(_kpi_table(cohort, closed, currency, fx))
    close_low, close_high = wilson_bounds(pl.col("won_of_created"), pl.col("created"))
    win_low, win_high = wilson_bounds(pl.col("won"), pl.col("decided"))
    table = table.with_columns(
        close_low.alias("close_rate_low"),
        close_high.alias("close_rate_high"),
        win_low.alias("win_rate_low"),
        win_high.alias("win_rate_high"),
    )
    ordered = table.sort(
        pl.col("won_value"), pl.col(_KEY), descending=[True, False], nulls_last=True
    )
    return ordered.select(
        pl.col(_KEY).alias(segment),
        *_with_bounds(KPI_COLUMNS),
    )


def chart_gap(
    deals: pl.DataFrame,
    period: Period,
    table: pl.DataFrame,
    column: str,
    *,
    by_close_date: bool = True,
) -> str | None:
    """Return the sentence why ``column`` of a sales table has nothing to
    chart, or None when it has something.

    ``table`` comes from ``sales_series`` (``by_close_date`` true, so deals
    without a close date are not in it) or ``sales_breakdown`` (false).
    ``column`` is close_rate, win_rate, won_value, average_deal_size or
    cycle_mean_days. A won value of 0 in every row counts as nothing to
    chart, because its bars have no height. The sentence names what is
    missing and, where the user can fix it, what to do.
    """
    values = table[column].drop_nulls() if column in table.columns else None
    if values is not None and (values != 0).any():
        return None
    if values is not None and values.len() and column != "won_value":
        return None
    if column == "close_rate":
        return "No deal was created in this period, so there is no close rate."
    label = _GAP_LABELS[column]
    pool = deals.filter(DECIDED if column == "win_rate" else WON)
    noun = "won or lost deal" if column == "win_rate" else "won deal"
    closed = pool.filter(period.contains("closed_at"))
    if by_close_date:
        closed = closed.filter(pl.col("closed_at").is_not_null())
    if closed.is_empty():
        if pool.height and pool["closed_at"].null_count() == pool.height:
            return (
                f"No {noun} has a close date, so the {label} cannot be placed "
                "by close date. Map the column with the close dates to "
                "closed_at on the Data page."
            )
        verb = "won or lost" if column == "win_rate" else "won"
        return f"No deal was {verb} in this period, so there is no {label} to show."
    deals_closed = _closed_deals(closed.height, noun)
    money = column in ("won_value", "average_deal_size")
    if money and closed["amount"].is_null().all():
        return f"{deals_closed} no amount, so there is no {label}."
    if column == "cycle_mean_days":
        return (
            f"{deals_closed} a close date before the creation date, so there "
            "is no sales cycle."
        )
    return f"The {label} is 0 in this period."


# Headers of ``stage_table`` for the columns of ``stages.stage_summary``.
STAGE_HEADERS = {
    "stage": "Stage",
    "reached": "Deals that reached it",
    "deals": "Deals that left it",
    "mean_days": "Mean days",
    "median_days": "Median days",
    "ongoing_deals": "Deals still in it",
    "conversion_to_next": "Went on to a later stage (%)",
}


def stage_table(summary: pl.DataFrame) -> pl.DataFrame:
    """Return a ``stages.stage_summary`` frame with the headers of
    ``STAGE_HEADERS``, for reading.

    The values stay numbers, so the table sorts by value. A value that does
    not exist, such as the days of a stage no deal has left or the
    conversion of the last stage or a lost stage, stays null, and the page
    shows it as ``formatting.MISSING``.
    """
    stage = pl.col("stage").fill_null("(none)")
    return summary.select(stage, *list(STAGE_HEADERS)[1:]).rename(STAGE_HEADERS)


def undated_deals_note(deals: pl.DataFrame, period: Period) -> str | None:
    """Return a note on the won or lost deals that the charts by close date
    leave out for want of a close date, or None when there are none.

    The note is only for all data, because an explicit period leaves such
    deals out of the KPI cards too and their notes state that. It is also
    None when no deal has a close date, because ``chart_gap`` then explains
    the empty charts.
    """
    if not period.is_all:
        return None
    decided = deals.filter(DECIDED)
    undated = decided["closed_at"].null_count()
    if not undated or undated == decided.height:
        return None
    verb, pronoun = ("has", "it") if undated == 1 else ("have", "them")
    return (
        f"{count_noun(undated, 'won or lost deal')} {verb} no close date, so "
        f"the charts by close date leave {pronoun} out. The KPI cards count "
        f"{pronoun}, except the sales cycle, which needs both dates."
    )


# A close-rate cohort with at least this share of its deals still open
# (percent) can still rise a good deal, so ``open_cohorts`` names it.
OPEN_COHORT_SHARE = 10.0


def open_cohorts(
    deals: pl.DataFrame, period: Period = ALL_DATA, grain: str = "month"
) -> pl.DataFrame:
    """Return the last close-rate cohorts that still have many open deals.

    Cohorts are the deals created in each bucket of ``grain``, as in the
    close_rate column of ``sales_series``. Going back from the last cohort
    with deals, each one whose share of open deals is at least
    ``OPEN_COHORT_SHARE`` is listed, up to the first that is below it.
    Columns: period_start, created, open and open_share (percent), oldest
    first. Raises InvalidSettingError for an unknown grain.
    """
    every = grain_every(grain)
    cohorts = (
        deals.filter(period.contains("created_at") & pl.col("created_at").is_not_null())
        .group_by(pl.col("created_at").dt.truncate(every).alias("period_start"))
        .agg(
            pl.len().cast(pl.Int64).alias("created"),
            (pl.col("status") == "open").sum().cast(pl.Int64).alias("open"),
        )
        .with_columns((pl.col("open") / pl.col("created") * 100).alias("open_share"))
        .sort("period_start", descending=True)
    )
    below = (pl.col("open_share") < OPEN_COHORT_SHARE).cum_sum() == 0
    return cohorts.filter(below).sort("period_start")


def open_cohorts_note(cohorts: pl.DataFrame, grain: str) -> str | None:
    """Write the sentence that names the cohorts of ``open_cohorts`` and
    their open deals, or return None when there are none. More than
    ``_LISTED_COHORTS`` cohorts are summed up, so a year of weeks stays one
    short sentence."""
    if cohorts.is_empty():
        return None

    reason = (
        "can still rise: the close rate counts the deals created in a period "
        "that were won so far, and deals still open may yet be won."
    )

    if cohorts.height > _LISTED_COHORTS:
        first = bucket_label(cohorts["period_start"].min(), grain)
        last = bucket_label(cohorts["period_start"].max(), grain)
        low = format_number(cohorts["open_share"].min(), 1)
        high = format_number(cohorts["open_share"].max(), 1)
        open_deals = int(cohorts["open"].sum())
        created = int(cohorts["created"].sum())
        return (
            f"The close rates of the last {cohorts.height} {grain}s, {first} "
            f"to {last}, {reason} {open_deals:,} of their {created:,} deals "
            f"are open, {low} % to {high} % per {grain}."
        )

    parts = []
    for row in cohorts.iter_rows(named=True):
        label = bucket_label(row["period_start"], grain)
        if grain == "week":
            label = f"the week starting {label}"
        share = format_number(row["open_share"], 1)
        counts = f"{row['open']:,} of {row['created']:,} deals open"
        parts.append(f"{label} ({counts}, {share} %)")

    if len(parts) == 1:
        return f"The close rate of {parts[0]} {reason}"
    listed = f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"The close rates of {listed} {reason}"


# The maximum number of cohorts that ``open_cohorts_note`` names one by one.
_LISTED_COHORTS = 4


_GAP_LABELS = {
    "win_rate": "win rate",
    "won_value": "won value",
    "average_deal_size": "average deal size",
    "cycle_mean_days": "sales cycle",
}


def _closed_deals(count: int, noun: str) -> str:
    """Start a sentence on the ``count`` deals closed in the period, up to
    the verb: "The won deal closed in this period has"."""
    if count == 1:
        return f"The {noun} closed in this period has"
    return f"All {count:,} {noun}s closed in this period have"


def _has_no_close_dates(deals: pl.DataFrame) -> bool:
    """Tell whether won or lost deals exist and none has a close date."""
    # The lazy query reads only the two columns, where a filter of the frame
    # would copy every column of the decided deals.
    query = (
        deals.lazy().filter(DECIDED).select(pl.len(), pl.col("closed_at").null_count())
    )
    decided, undated = query.collect().row(0)
    return decided > 0 and undated == decided


def _with_bounds(columns: tuple[str, ...]) -> list[str]:
    ordered: list[str] = []
    for column in columns:
        ordered.append(column)
        if column in ("close_rate", "win_rate"):
            ordered.extend([f"{column}_low", f"{column}_high"])
    return ordered


def _kpi_columns(deals: pl.DataFrame) -> list[str]:
    """Return the columns ``_kpi_table`` reads. Filtering only these copies
    less than filtering every column of the deals."""
    read = ("status", "created_at", FIRST_CONTACT, "closed_at", "amount", "currency")
    return [name for name in read if name in deals.columns]


def _kpi_table(
    cohort: pl.DataFrame,
    closed: pl.DataFrame,
    currency: str | None,
    fx: dict[str, float] | None,
    cycle_of: str = "won",
) -> pl.DataFrame:
    """Aggregate the cohort and outcome columns per ``_KEY`` and join them.
    The cycle lengths come from the won deals, or with ``cycle_of``
    "closed" from the won and lost ones."""
    created = cohort.group_by(_KEY).agg(
        pl.len().cast(pl.Int64).alias("created"),
        WON.sum().cast(pl.Int64).alias("won_of_created"),
    )
    outcomes = closed.group_by(_KEY).agg(
        pl.len().cast(pl.Int64).alias("decided"),
        WON.sum().cast(pl.Int64).alias("won"),
    )
    won = _in_one_currency(closed.filter(WON), currency, fx)
    if won is None:
        won = closed.filter(WON).with_columns(pl.lit(None, pl.Float64).alias("amount"))
    known = pl.col("amount").is_not_null()
    valid_cycle = pl.col("cycle_days") >= 0
    money = won.group_by(_KEY).agg(
        pl.when(known.any()).then(pl.col("amount").sum()).alias("won_value"),
        pl.col("amount").mean().alias("average_deal_size"),
    )
    timed = closed if cycle_of == "closed" else closed.filter(WON)
    cycles = (
        timed.with_columns(cycle_days(timed.columns))
        .group_by(_KEY)
        .agg(
            pl.col("cycle_days").filter(valid_cycle).mean().alias("cycle_mean_days"),
            pl.col("cycle_days")
            .filter(valid_cycle)
            .median()
            .cast(pl.Float64)
            .alias("cycle_median_days"),
        )
    )
    joined = created.join(outcomes, on=_KEY, how="full", coalesce=True)
    joined = joined.join(money, on=_KEY, how="left")
    return joined.join(cycles, on=_KEY, how="left")


def _in_one_currency(
    frame: pl.DataFrame, currency: str | None, fx: dict[str, float] | None
) -> pl.DataFrame | None:
    """Return ``frame`` with ``amount`` converted as in ``convert_amounts``,
    or None when an amount is in a currency without an exchange rate."""
    try:
        converted, _unit, _without_code = convert_amounts(frame, currency, fx)
    except InvalidValueError as error:
        if not is_missing_rate(error):
            raise
        return None
    return converted


def _fill_empty(table: pl.DataFrame) -> pl.DataFrame:
    """Set zero counts where a group has no deals, then derive the rates."""
    table = table.with_columns(pl.col(name).fill_null(0) for name in _COUNTS)
    return table.with_columns(
        _rate("won_of_created", "created").alias("close_rate"),
        _rate("won", "decided").alias("win_rate"),
        pl.when(pl.col("won") == 0)
        .then(pl.lit(0.0))
        .otherwise(pl.col("won_value"))
        .alias("won_value"),
    ).select(_KEY, *KPI_COLUMNS)


def _rate(successes: str, total: str) -> pl.Expr:
    return pl.when(pl.col(total) > 0).then(pl.col(successes) / pl.col(total) * 100)


def _buckets(keys: pl.Series, period: Period, every: str) -> pl.DataFrame:
    """List every bucket start from the first to the last bucket."""
    first = _truncate(period.start, every) or keys.min()
    last = _truncate(period.end, every) or keys.max()
    if first is None or last is None:
        return pl.DataFrame(schema={_KEY: pl.Date})
    starts = pl.date_range(first, last, every, eager=True)
    return pl.DataFrame({_KEY: starts}, schema={_KEY: pl.Date})


def _truncate(day: date | None, every: str) -> date | None:
    if day is None:
        return None
    return pl.select(pl.lit(day).dt.truncate(every)).item()
