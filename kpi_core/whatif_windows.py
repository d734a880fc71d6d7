"""The baseline window of each table that the what-if inputs are read from.

Each table's inputs come from the last 12 full months up to that table's
own last recorded date, starting no earlier than its first recorded date.
One window for all tables would reach past the end of a table whose export
ends sooner, and a window that starts before a table's first date would
count the days before it as days without any row. Both would make the
counts and sums per month too low.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.marketing_data import spend_windows
from kpi_core.period import Period, quick_period
from kpi_core.recorded_spans import recorded_span
from kpi_core.schema import TABLES

# The date columns whose recorded dates place each table's window.
RECORDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": ("created_at", "closed_at", "lost_at"),
    "subscriptions": ("started_at", "canceled_at", "ended_at"),
    "spend": ("spent_at", "period_start", "period_end"),
}


@dataclass(frozen=True)
class BaselineWindow:
    """The baseline window of one table.

    ``period`` is the last 12 full months up to ``last_date``, the table's
    last recorded date, from ``first_date`` on where the table starts later.
    A table whose dates all lie in the month of its last date has no full
    month, so its window is ``first_date`` to ``last_date``. Both dates are
    None for a table without dates, whose window is the latest window of
    the other tables, or the last 12 full months before today without any.
    """

    table_type: str
    period: Period
    first_date: date | None
    last_date: date | None

    @property
    def is_shortened(self) -> bool:
        """True when the window is shorter than the last 12 full months."""
        if self.last_date is None:
            return False
        return self.period != quick_period("last_12_months", self.last_date)


def baseline_windows(
    tables: Mapping[str, pl.DataFrame], today: date
) -> dict[str, BaselineWindow]:
    """Return the baseline window of each table in ``tables`` that has
    ``RECORDED_COLUMNS``.

    Dates after ``today``, such as a cancellation planned for the end of a
    paid period, are not recorded yet and do not place a window, unless
    every date of the table lies after ``today``.
    """
    spans: dict[str, tuple[date, date] | None] = {}
    for table_type, frame in tables.items():
        columns = RECORDED_COLUMNS.get(table_type)
        if columns is None:
            continue
        if table_type == "spend":
            spans[table_type] = _spend_span(frame, today)
            continue
        spans[table_type] = recorded_span(frame, columns, until=today) or (
            recorded_span(frame, columns)
        )
    dated = [span[1] for span in spans.values() if span is not None]
    undated_period = quick_period("last_12_months", max(dated, default=today))
    windows = {}
    for table_type, span in spans.items():
        if span is None:
            windows[table_type] = BaselineWindow(table_type, undated_period, None, None)
            continue
        first, last = span
        period = quick_period("last_12_months", last)
        if first > period.end:
            period = Period(first, last)
        elif first > period.start:
            period = Period(first, period.end)
        windows[table_type] = BaselineWindow(table_type, period, first, last)
    return windows


def _spend_span(spend: pl.DataFrame, today: date) -> tuple[date, date] | None:
    """Return the first and last day the spend rows cover, as
    ``spend_windows`` spreads them (a monthly row over its month), up to
    ``today`` unless every row starts after it."""
    first, last = spend_windows(spend)
    rows = spend.select(first, last).drop_nulls()
    started = rows.filter(pl.col("window_start") <= today)
    if started.is_empty():
        started = rows
    if started.is_empty():
        return None
    start = started["window_start"].min()
    end = started["window_end"].max()
    if start <= today < end:
        end = today
    return start, end


def windows_caption(windows: Mapping[str, BaselineWindow]) -> str:
    """Write the window of each table, or the one window they share when
    each is the last 12 full months of its table."""
    periods = {window.period for window in windows.values()}
    plain = all(
        window.last_date is not None and not window.is_shortened
        for window in windows.values()
    )
    if len(periods) == 1 and plain:
        return f"Baseline from {periods.pop().label()}."
    parts = []
    for window in windows.values():
        noun = TABLES[window.table_type].noun
        if window.last_date is None:
            data = "no dates, so the window of the latest table, or of today"
        else:
            data = f"data from {window.first_date} to {window.last_date}"
        parts.append(f"{noun} {window.period.label()} ({data})")
    return (
        "Each table's baseline is its last 12 full months, starting no earlier "
        "than its first date: " + "; ".join(parts) + "."
    )


def disjoint_windows_warning(windows: Mapping[str, BaselineWindow]) -> str | None:
    """Warn when the dated windows share no day, so a figure that combines
    two tables, such as CAC from the spend and the new customers, sets one
    time's figures against another's. Return None when they share one."""
    dated = [window for window in windows.values() if window.last_date is not None]
    if len(dated) < 2:
        return None
    latest_start = max(window.period.start for window in dated)
    earliest_end = min(window.period.end for window in dated)
    if latest_start <= earliest_end:
        return None
    listed = "; ".join(
        f"{TABLES[window.table_type].noun} {window.period.label()}" for window in dated
    )
    return (
        f"The tables' baselines share no day ({listed}), so CAC, CLV : CAC and "
        "the CAC payback set one time's spend against another time's "
        "customers. Upload exports of the same months, or type the inputs."
    )
