"""The first and last dates a table records events on, and windows outside them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from kpi_core.goal_metrics import METRICS, Metric
from kpi_core.partial_periods import SPAN_COLUMNS
from kpi_core.period import Period


def outside_data_reason(span: tuple[date, date] | None, window: Period) -> str | None:
    """Name why a goal cannot be measured over ``window`` when the table's
    recorded dates (``span``, from ``metric_recorded_span``) lie wholly before or
    after it, or return None.

    A count there would read 0 and a churn or list growth rate 0 %,
    although nothing in the window was recorded.
    """
    if span is None:
        return None
    first, last = span
    if first <= window.end and last >= window.start:
        return None
    return (
        f"the data covers {first} to {last}, outside this goal's window from "
        f"{window.start} to {window.end}, so nothing in the window can be "
        "counted. Import data of that time, or move the goal into the data"
    )


def metric_recorded_span(
    metric: Metric, table: pl.DataFrame, grows: bool
) -> tuple[date, date] | None:
    """Return the first and last dates on which the table of a count or sum,
    or of a rate that ``grows`` with its window, records an event. Return
    None for other KPIs, which have no value without rows, and for a table
    without dates.

    A count's or sum's dates come from every date column that a goal metric
    of the table reads, such as a deal's creation and close dates. A growing rate's
    come from every date column of its table that records an event
    (``SPAN_COLUMNS``), so a subscription's end and cancel dates count.
    """
    if metric.is_total:
        columns = [m.date_column for m in METRICS.values() if m.table == metric.table]
    elif grows:
        columns = list(SPAN_COLUMNS.get(metric.table, ()))
    else:
        return None
    return recorded_span(table, dict.fromkeys(columns))


def recorded_span(
    table: pl.DataFrame, columns: Iterable[str], until: date | None = None
) -> tuple[date, date] | None:
    """Return the first and last dates in the ``columns`` of ``table`` that
    record events, or None when there are none. Missing columns are skipped.

    An open deal's close date is an expected one, not a recorded event, so
    it is left out. With ``until``, so are the dates after it, such as a
    cancellation planned for the end of a paid period.
    """
    firsts, lasts = [], []
    for column in columns:
        if column not in table.columns:
            continue
        recorded = table
        if column == "closed_at" and "status" in table.columns:
            recorded = table.filter(pl.col("status") != "open")
        days = recorded.get_column(column).cast(pl.Date).drop_nulls()
        if until is not None:
            days = days.filter(days <= until)
        if not days.is_empty():
            firsts.append(days.min())
            lasts.append(days.max())
    if not lasts:
        return None
    return min(firsts), max(lasts)
