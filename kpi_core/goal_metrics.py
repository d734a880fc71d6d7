"""The metrics a goal can track, and how each is measured in a date window.

A goal metric is either a count of rows (new deals, won deals, new
subscribers, tickets) placed in a window by one date column, or a KPI of the
app computed for the window by the KPI's own function. A segment filter
keeps the rows whose column equals a value before either is measured.
Values are compared as text, ignoring case and surrounding spaces, so
"phone" matches "Phone".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.churn import churn_rate
from kpi_core.email_list import join_dates, list_growth_rate
from kpi_core.errors import MissingColumnError
from kpi_core.followups import followups_per_ticket, reply_source_problem
from kpi_core.formatting import count_noun
from kpi_core.marketing_data import key_of
from kpi_core.nps import net_promoter_score
from kpi_core.partial_periods import table_span
from kpi_core.period import Period
from kpi_core.results import SMALL_SAMPLE, KpiResult
from kpi_core.sales import (
    average_deal_size,
    close_rate,
    sales_cycle_days,
    win_rate,
    won_value,
)
from kpi_core.service import resolution_hours
from kpi_core.subscription_data import starts_renewal
from kpi_core.table_names import TableNames

# The mean length of a calendar month, so paces are "per month" in every
# window whatever months it spans.
MONTH_DAYS = 365.25 / 12
UP = "up"
DOWN = "down"
# Trying every month of a long history would compute a KPI hundreds
# of times, so the best-window search looks at the most recent ones only.
MAX_KPI_WINDOWS = 60

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SegmentFilter:
    """Keep the rows whose ``column`` equals ``value``."""

    column: str
    value: str

    def label(self) -> str:
        return f"{self.column} = {self.value}"


@dataclass(frozen=True, eq=False)
class Metric:
    """A quantity a goal can target.

    A count metric counts the rows that pass ``counted`` by ``date_column``,
    or, where a row counts only after the rows before it (an address joins
    the list once until it leaves), the days that ``dates`` returns.
    A KPI metric calls ``kpi`` with the rows and a period. ``better`` is the
    direction that helps the business, and ``columns`` lists the columns the
    measurement needs besides the segment columns. ``unit`` is the unit of
    the value; it is empty for money, whose currency comes from the data.
    A metric that ``accumulates`` grows with its window as a count does: a
    sum, or a rate whose base stays the customers or contacts at the
    window's start.
    A metric that is ``summed`` adds up its rows' values over the window, as
    the won value adds the won deals' amounts, so like a count it grows with
    the window and a window the data covers only in part reads too low.
    ``signed`` marks a metric that can fall below 0, such as the NPS, where
    a floor of 0 is a real target.
    ``problem`` says why a table with every column still cannot be measured,
    and ``also_from`` names another table the measurement reads, such as the
    ticket message log of the follow-ups (see ``goal_metric``).
    """

    key: str
    label: str
    table: str
    date_column: str
    better: str
    columns: tuple[str, ...]
    counted: pl.Expr | None = None
    dates: Callable[[pl.DataFrame], pl.Series] | None = None
    kpi: Callable[[pl.DataFrame, Period], KpiResult] | None = None
    unit: str = "count"
    accumulates: bool = False
    summed: bool = False
    signed: bool = False
    problem: Callable[[pl.DataFrame], str | None] | None = None
    also_from: str = ""

    @property
    def is_count(self) -> bool:
        return self.kpi is None

    @property
    def is_total(self) -> bool:
        """True for a count or a sum, whose value over a window is a total."""
        return self.is_count or self.summed


@dataclass(frozen=True)
class Measurement:
    """A metric's value in one window, or the reason it has none."""

    value: float | None
    unit: str
    n: int | None = None
    ci95: tuple[float, float] | None = None
    reason: str = ""
    # Says when the value covers only part of its window.
    note: str = ""
    # The KPI's warnings, such as which table the follow-ups came from.
    warnings: tuple[str, ...] = ()


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric("new_deals", "New deals", "deals", "created_at", UP,
            ("created_at",), counted=pl.col("created_at").is_not_null()),
        Metric("won_deals", "Won deals", "deals", "closed_at", UP,
            ("closed_at", "status"), counted=pl.col("status") == "won"),
        Metric("new_subscribers", "New subscribers", "email_events",
            "occurred_at", UP, ("email", "occurred_at", "event"),
            dates=join_dates),
        Metric("tickets", "Tickets", "tickets", "created_at", DOWN,
            ("created_at",), counted=pl.col("created_at").is_not_null()),
        Metric("close_rate", "Close rate", "deals", "created_at", UP,
            ("created_at", "status"), kpi=close_rate, unit="percent"),
        Metric("win_rate", "Win rate", "deals", "closed_at", UP,
            ("closed_at", "status"), kpi=win_rate, unit="percent"),
        Metric("average_deal_size", "Average deal size", "deals", "closed_at",
            UP, ("closed_at", "status", "amount"), kpi=average_deal_size, unit=""),
        Metric("won_value", "Won value", "deals", "closed_at", UP,
            ("closed_at", "status", "amount"), kpi=won_value, unit="",
            accumulates=True, summed=True),
        Metric("sales_cycle_days", "Sales cycle", "deals", "closed_at", DOWN,
            ("created_at", "closed_at", "status"), kpi=sales_cycle_days,
            unit="days"),
        Metric("resolution_hours", "Time to resolution", "tickets", "solved_at",
            DOWN, ("created_at", "solved_at"), kpi=resolution_hours, unit="hours"),
        Metric("followups_per_ticket", "Follow-ups per ticket", "tickets",
            "solved_at", DOWN, ("solved_at", "replies"),
            kpi=followups_per_ticket, unit="count"),
        Metric("nps", "Net Promoter Score", "nps", "responded_at", UP,
            ("score", "responded_at"), kpi=net_promoter_score, unit="score",
            signed=True),
        Metric("churn_rate", "Churn rate", "subscriptions", "started_at", DOWN,
            ("customer_id", "started_at"), kpi=churn_rate, unit="percent",
            accumulates=True),
        Metric("list_growth_rate", "Email-list growth rate", "email_events",
            "occurred_at", UP, ("email", "event", "occurred_at"),
            kpi=list_growth_rate, unit="percent", accumulates=True, signed=True),
    )
}  # fmt: skip

TABLE_LABELS = {
    "deals": "deals",
    "email_events": "email events",
    "tickets": "tickets",
    "nps": "NPS responses",
    "subscriptions": "subscriptions",
}


def goal_metric(
    key: str,
    working: WorkingTime | None = None,
    tables: Mapping[str, pl.DataFrame] | None = None,
    names: TableNames | None = None,
) -> Metric:
    """Return the metric ``key``, with the time to resolution counted in the
    working hours of ``working`` (None: ``WorkingTime()``, Mon-Fri 09:00-17:00
    Europe/Berlin with German holidays).

    When ``tables`` has a ticket message log, the follow-ups per ticket
    count each ticket's replies from it where it contains the ticket, else
    from the replies column, as the Service page does. They then need the
    ticket ids in place of the replies column. ``names`` gives the names
    that the follow-ups' warnings and reasons use for the tables.
    """
    metric = METRICS[key]
    if metric.kpi is resolution_hours and working is not None:
        return replace(metric, kpi=partial(resolution_hours, working=working))
    messages = (tables or {}).get("ticket_messages")
    if metric.kpi is not followups_per_ticket or messages is None:
        return metric
    names = names or TableNames()
    sources = {"tables": names.tables, "columns": names.ticket_columns}
    log_name = names.tables.get("ticket_messages")
    return replace(
        metric,
        columns=("solved_at", "ticket_id"),
        kpi=partial(followups_per_ticket, messages=messages, **sources),
        problem=partial(reply_source_problem, messages=messages, **sources),
        also_from=f"the ticket message log {log_name!r}"
        if log_name
        else "the ticket message log",
    )


def missing_inputs(
    metric: Metric,
    segments: tuple[SegmentFilter, ...],
    tables: Mapping[str, pl.DataFrame],
) -> str | None:
    """Say what the data lacks to measure the metric, or return None."""
    table_label = TABLE_LABELS.get(metric.table, metric.table)
    if metric.table not in tables:
        return (
            f"there is no {table_label} table; to measure this goal, upload one "
            "on the Data page"
        )
    present = tables[metric.table].columns
    needed = [*metric.columns, *(segment.column for segment in segments)]
    missing = [column for column in dict.fromkeys(needed) if column not in present]
    if metric.kpi is followups_per_ticket and missing == ["replies"]:
        # Bound to a message log, the metric does not need this column.
        return (
            "the tickets table has no replies column and there is no ticket "
            "message log; map the tickets' reply-count column to replies on "
            "the Data page, or upload the message log of these tickets"
        )
    if missing:
        names = ", ".join(missing)
        message = f"the {table_label} table has no {names} column; map it on upload"
        segment_columns = {segment.column for segment in segments}
        if segment_columns & set(missing):
            usable = [
                column
                for column in present
                if column not in metric.columns
                and not column.startswith("_")
                and not column.endswith(("_id", "_at"))
            ]
            message += (
                ". A segment names a column of the table by its field name: "
                f"{', '.join(usable)}"
            )
        return message
    if metric.problem is not None:
        return metric.problem(tables[metric.table])
    return None


def apply_segments(
    frame: pl.DataFrame, segments: tuple[SegmentFilter, ...]
) -> pl.DataFrame:
    """Keep the rows that match every segment filter.

    Raises MissingColumnError when a filter names a column the frame lacks.
    """
    if not segments:
        return frame
    conditions = []
    for segment in segments:
        if segment.column not in frame.columns:
            raise MissingColumnError(
                f"the table has no {segment.column!r} column to filter "
                f"{segment.label()!r} on; choose another column",
                column=segment.column,
            )
        # Matched as spend and revenue names are: "Google  Ads " is "google ads".
        value_key = pl.select(key_of(pl.lit(segment.value))).item()
        conditions.append(key_of(pl.col(segment.column)) == value_key)
    return frame.filter(pl.all_horizontal(conditions).fill_null(False))


def segment_advice(frame: pl.DataFrame, segments: tuple[SegmentFilter, ...]) -> str:
    """Say what to do when no row of ``frame`` matches ``segments``: fill
    the segment's column when it has no value at all, as after a newer
    export that left it empty, else check the spelling of the values."""
    empty = [
        segment.column
        for segment in segments
        if segment.column in frame.columns
        and frame[segment.column].null_count() == frame.height
    ]
    if not empty:
        return "check the spelling of the values"
    columns = ", ".join(repr(column) for column in dict.fromkeys(empty))
    return (
        f"the table has no value in {columns} at all, as after an export that "
        "left that column empty; import a file with those values, or edit the "
        "goal's segment"
    )


def measure(metric: Metric, frame: pl.DataFrame, period: Period) -> Measurement:
    """Measure the metric over the rows of one period.

    A count is the number of counted rows whose date lies in the period, in
    unit "count". A KPI is the KPI's own result, with its unit, n and 95 %
    interval, or no value and the KPI's reason when it is not available.
    """
    if metric.kpi is None:
        dates = count_dates(metric, frame).to_frame("day")
        count = dates.filter(period.contains("day")).height
        return Measurement(float(count), "count", n=count)
    result = metric.kpi(frame, period)
    if not result.available:
        return Measurement(None, result.unit or metric.unit, reason=result.reason)
    return Measurement(
        float(result.value),
        result.unit,
        result.n,
        result.ci95,
        warnings=result.warnings,
    )


def measure_baseline(
    metric: Metric, table: pl.DataFrame, frame: pl.DataFrame, period: Period
) -> Measurement:
    """Measure the metric over a goal's baseline window, like ``measure``.

    ``table`` is the whole table and ``frame`` its rows of the goal's
    segment. A count or sum (``Metric.is_total``) over a window that starts
    before the table's first date would cover only part of the window and
    come out too low, so it has no value then. A rate or mean over such a
    window keeps its value, which does not grow with the days, and its
    ``note`` names the days the data covers. Without a value there is
    nothing to qualify, so no note. A KPI measured on fewer than
    ``SMALL_SAMPLE`` observations gets that in the note too.
    """
    measured = _measure_baseline(metric, table, frame, period)
    if measured.n is None or measured.n >= SMALL_SAMPLE or metric.kpi is None:
        return measured
    small = (
        f"The baseline rests on {count_noun(measured.n, 'observation')}, fewer "
        f"than {SMALL_SAMPLE}, so it may be far from the usual level, and a "
        "relative target moves with it."
    )
    return replace(measured, note=f"{measured.note} {small}".strip())


def _measure_baseline(
    metric: Metric, table: pl.DataFrame, frame: pl.DataFrame, period: Period
) -> Measurement:
    # A window after the last date of any of the table's date columns has
    # no data, so a count there would read 0 and a churn rate 0 %.
    span = table_span(table, metric.table, today=date.max)
    if span is not None and period.start is not None and period.start > span[1]:
        reason = (
            f"the baseline window starts on {period.start}, after the data's "
            f"last date, {span[1]}, so the window holds no data"
        )
        return Measurement(None, metric.unit, reason=reason)
    # NOTE: the first date is that of the metric's own column, so a count of
    # won deals has no baseline before the first close date, even when the
    # deals were created months earlier and none was won in between.
    first = None
    if period.start is not None:
        first = table[metric.date_column].cast(pl.Date).min()
    if first is None or first <= period.start:
        return measure(metric, frame, period)
    if metric.is_total:
        total = "a count" if metric.is_count else "a total"
        reason = (
            f"the data starts on {first}, after the baseline window's start "
            f"on {period.start}, so {total} over that window would be too low"
        )
        return Measurement(None, metric.unit, reason=reason)
    if period.end is not None and first > period.end:
        reason = (
            f"the data starts on {first}, after the baseline window ends on "
            f"{period.end}, so the window holds no data"
        )
        return Measurement(None, metric.unit, reason=reason)
    measured = measure(metric, frame, period)
    if measured.value is None:
        return measured
    note = (
        f"The baseline window runs from {period.start} to {period.end}, but "
        f"the data starts on {first}, so the baseline covers {first} to "
        f"{period.end} only."
    )
    return replace(measured, note=note)


def known_on(table_type: str, frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """Return the rows of a table as an export taken at the close of ``day``
    would have shown them, so that a goal evaluated as of an earlier day
    counts no later outcome.

    Rows created, started, responded or sent after the day are left out,
    except a subscription that starts the next day and continues one of
    the same customer that ends on the day (``starts_renewal``). A
    deal closed after the day is open, with no close date, and a ticket
    solved after it is open. A subscription ended or canceled after it is
    running (``_running_on``). Other
    columns, such as a ticket's reply count, keep their values from the
    export, which may include later changes.
    """
    created = {
        "deals": "created_at",
        "tickets": "created_at",
        "subscriptions": "started_at",
        "nps": "responded_at",
        "email_events": "occurred_at",
        "ticket_messages": "sent_at",
    }.get(table_type)
    if created is None or created not in frame.columns:
        return frame
    after = _after(created, day)
    if table_type == "subscriptions":
        # A renewal that starts the next day keeps its customer active at
        # the close of the day, and it does not run up to then, so it adds
        # no later outcome.
        after = after & ~starts_renewal(frame, day)
    frame = frame.filter(~after.fill_null(False))
    changes: list[pl.Expr] = []
    if table_type == "deals" and "closed_at" in frame.columns:
        closed_later = _after("closed_at", day).fill_null(False) & (
            pl.col("status") != "open"
        )
        changes += [
            pl.when(closed_later)
            .then(pl.lit("open"))
            .otherwise("status")
            .alias("status"),
            pl.when(closed_later).then(None).otherwise("closed_at").alias("closed_at"),
        ]
    if table_type == "tickets" and "solved_at" in frame.columns:
        solved_later = _after("solved_at", day).fill_null(False)
        changes.append(
            pl.when(solved_later).then(None).otherwise("solved_at").alias("solved_at")
        )
        if "status" in frame.columns:
            status = pl.when(solved_later).then(pl.lit("open"))
            changes.append(
                status.otherwise(pl.col("status").cast(pl.String)).alias("status")
            )
    if table_type == "subscriptions":
        changes += _running_on(frame, day)
    return frame.with_columns(changes) if changes else frame


def _running_on(frame: pl.DataFrame, day: date) -> list[pl.Expr]:
    """Return the changes that make a subscription ended after ``day`` read
    as running on it: no end, no cancellation after the day or before a
    later end, an active status and no churned flag. A cancellation on or
    before the day of a subscription without an end date stays its end."""
    dates = [name for name in ("ended_at", "canceled_at") if name in frame.columns]
    if not dates:
        return []
    later = pl.any_horizontal(_after(name, day).fill_null(False) for name in dates)

    # A cancellation before an end after the day only scheduled that end.
    # Without a status that marks it as running, it would read as the end.
    ended_later = pl.lit(False)
    if "ended_at" in dates:
        ended_later = _after("ended_at", day).fill_null(False)
    changes = [
        pl.when(_after(name, day).fill_null(False) | ended_later)
        .then(None)
        .otherwise(name)
        .alias(name)
        for name in dates
    ]

    if "status" in frame.columns:
        status = pl.col("status").cast(pl.String)
        changes.append(
            pl.when(later).then(pl.lit("active")).otherwise(status).alias("status")
        )
    if "churned" in frame.columns:
        # The flag is Boolean or the file's text, such as "True" and "no".
        churned, not_churned = pl.col("churned"), pl.lit(False)
        if frame.schema["churned"] != pl.Boolean:
            churned, not_churned = churned.cast(pl.String), pl.lit("no")
        changes.append(
            pl.when(later).then(not_churned).otherwise(churned).alias("churned")
        )
    return changes


def _after(column: str, day: date) -> pl.Expr:
    return pl.col(column).cast(pl.Date) > day


def count_dates(metric: Metric, frame: pl.DataFrame) -> pl.Series:
    """Return the sorted dates of the rows a count metric counts; rows
    without a date cannot be placed in a window and are dropped."""
    if metric.dates is not None:
        return metric.dates(frame).drop_nulls().sort()
    if metric.counted is None:
        raise ValueError(f"{metric.key} is a KPI, not a count")
    day = pl.col(metric.date_column).cast(pl.Date)
    counted = frame.filter(metric.counted.fill_null(False)).select(day)
    return counted.to_series().drop_nulls().sort()


def cumulative_counts(dates: pl.Series, start: date, points: pl.Series) -> pl.Series:
    """Count the sorted ``dates`` from ``start`` up to each point, inclusive."""
    before_start = dates.search_sorted(start, side="left")
    return dates.search_sorted(points, side="right").cast(pl.Int64) - before_start


def target_value(target: float, kind: str, baseline: float | None) -> float | None:
    """Return the value a goal aims at: the target itself when absolute, or
    the baseline moved by ``target`` percent of its size when relative.

    Moving by a share of the absolute baseline keeps "+10 %" an improvement
    for a negative NPS. A relative target without a baseline, or with a
    baseline of 0, has no value and gives None.
    """
    if kind == "absolute":
        return target
    if baseline is None or baseline == 0:
        return None
    return baseline + abs(baseline) * target / 100


def best_window(
    metric: Metric,
    frame: pl.DataFrame,
    before: date,
    days: int,
    direction: str,
    history_start: date | None = None,
) -> float | None:
    """Find the best value the metric reached in any window of ``days`` days
    that ends before ``before``: the highest for an upward goal, the lowest
    for a downward one.

    The history starts on ``history_start``, by default the first date in
    ``frame``. Pass the table's first date when ``frame`` contains only one
    segment's rows, so that days before the segment's first row count as
    days without one.
    The latest window is the goal's baseline, the ``days`` days that end the
    day before ``before``, so the best is never worse than the baseline.
    Counts slide the window back one day at a time. KPIs are computed for
    the windows that start on the baseline's day of the month in earlier
    months (at most ``MAX_KPI_WINDOWS``, the most recent). An earlier window
    with fewer than ``SMALL_SAMPLE`` observations counts only when every
    earlier window has as few. Returns None when
    the history is shorter than one window or no window has a value.
    """
    first = history_start or frame[metric.date_column].cast(pl.Date).min()
    last_start = before - days * _DAY
    if first is None or first > last_start:
        return None
    if metric.kpi is None:
        values = _rolling_counts(count_dates(metric, frame), first, before, days)
    else:
        values = _window_kpis(metric, frame, first, last_start, days)
    values = values.drop_nulls()
    if values.is_empty():
        return None
    return float(values.max() if direction == UP else values.min())


def _rolling_counts(
    dates: pl.Series, first: date, before: date, days: int
) -> pl.Series:
    """Sum the counted rows in every window of ``days`` days inside
    ``first`` to the day before ``before``."""
    calendar = pl.DataFrame(
        {"day": pl.date_range(first, before - _DAY, "1d", eager=True)}
    )
    per_day = dates.to_frame("day").group_by("day").len()
    daily = calendar.join(per_day, on="day", how="left").fill_null(0)
    return daily["len"].cast(pl.Int64).rolling_sum(window_size=days)


def _window_kpis(
    metric: Metric, frame: pl.DataFrame, first: date, last_start: date, days: int
) -> pl.Series:
    values, small = [], []
    for months_back in range(MAX_KPI_WINDOWS):
        start = _months_before(last_start, months_back)
        if start < first:
            break
        period = Period(start, start + (days - 1) * _DAY)
        measured = measure(metric, frame, period)
        values.append(measured.value)
        small.append(measured.n is not None and measured.n < SMALL_SAMPLE)
    # An earlier window of few observations, such as a list growth of 4,633 %
    # on 6 contacts, is no record to measure a target against while earlier
    # windows of enough observations have a value. The baseline always counts.
    kept = [index == 0 or not few for index, few in enumerate(small)]
    if any(
        kept[index] and values[index] is not None for index in range(1, len(values))
    ):
        values = [value for value, keep in zip(values, kept, strict=True) if keep]
    return pl.Series("value", values, dtype=pl.Float64)


def _months_before(day: date, months: int) -> date:
    """Return the same day of the month ``months`` months earlier, or that
    month's last day when it is shorter (31 March less 1 month: 28 or 29
    February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month_index = divmod(index, 12)
    following = date(year + (month_index + 1) // 12, (month_index + 1) % 12 + 1, 1)
    return date(year, month_index + 1, min(day.day, (following - _DAY).day))
