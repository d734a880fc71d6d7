"""Periods to compare and the dates the tables record: windows, ranges, past periods."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, timedelta

import polars as pl

from kpi_core.errors import EmptyDataError, InvalidSettingError
from kpi_core.goal_metrics import METRICS
from kpi_core.goals import deadline_after
from kpi_core.marketing_data import spend_dates
from kpi_core.partial_periods import table_span
from kpi_core.period import Period, check_day
from kpi_core.recorded_spans import recorded_span

# Date columns that record events besides the metrics' own: a subscription's
# end is as much a churn event as its start is a new customer.
_EVENT_COLUMNS = {"subscriptions": ("ended_at", "canceled_at")}


ONE_DAY = timedelta(days=1)


def comparison_windows(
    tables: Mapping[str, pl.DataFrame], pivot_date: date, months: int = 6
) -> tuple[Period, Period]:
    """Return the before and after windows around ``pivot_date``.

    The after window starts on the date and runs ``months`` calendar months.
    The before window has the same number of days and ends the day before.
    Where the data (the anchor dates of the tables) ends sooner on either
    side, both windows shrink to the shorter side, so they stay equal.
    Raises InvalidSettingError for fewer than 1 month, a date outside
    ``EARLIEST_DAY`` to ``LATEST_DAY`` or outside the data, and
    EmptyDataError when the tables contain no dates.
    """
    if months < 1:
        raise InvalidSettingError(f"invalid window of {months} months; give 1 or more")
    check_day(pivot_date, "the compared date")
    first, last = data_range(tables)
    # Checked before the full window is counted, because a date that the
    # data does not reach may lie so late that its window passes date.max.
    days_in_data = min((last - pivot_date).days + 1, (pivot_date - first).days)
    if days_in_data <= 0:
        raise InvalidSettingError(
            f"the date {pivot_date} leaves no data on one side; pick a date after "
            f"{first} and up to {last}"
        )
    full = (deadline_after(pivot_date, months) - pivot_date).days + 1
    days = min(full, days_in_data)
    before = Period(pivot_date - days * ONE_DAY, pivot_date - ONE_DAY)
    return before, Period(pivot_date, pivot_date + (days - 1) * ONE_DAY)


def default_pivot(tables: Mapping[str, pl.DataFrame]) -> date:
    """Return the date to compare around by default: the middle of the deals'
    dates when the deals table has any, else the middle of the dates of the
    table with the most rows. Raises EmptyDataError when no table contains
    dates."""
    ranked = sorted(
        tables, key=lambda name: (name != "deals", -tables[name].height, name)
    )
    for table_type in ranked:
        with contextlib.suppress(EmptyDataError):
            first, last = data_range({table_type: tables[table_type]})
            return first + timedelta(days=(last - first).days // 2)
    raise EmptyDataError("the tables contain no dates to compare before and after")


def previous_period(period: Period) -> Period:
    """Return the period just before ``period``, ending the day before it starts.

    A period of whole calendar months (from the first of a month to the last
    day of a month) goes back the same number of whole months, so Q3 gives
    Q2 and March gives February. Any other period goes back the same number
    of days. Raises InvalidSettingError for an open period.
    """
    _require_bounds(period, "previous period")
    months = _whole_months(period)
    if months is not None:
        index = period.start.year * 12 + period.start.month - 1 - months
        first = date(index // 12, index % 12 + 1, 1)
        return Period(first, period.start - ONE_DAY)
    days = (period.end - period.start).days + 1
    return Period(period.start - days * ONE_DAY, period.start - ONE_DAY)


def before_recorded(
    frame: pl.DataFrame, date_columns: Mapping[str, str], compared: Period
) -> dict[str, date]:
    """Return the KPIs whose comparison period ends before their table
    records anything, each with the first day it does.

    ``date_columns`` maps a KPI key to the column its period counts by, such
    as closed_at for the won value. A comparison period wholly before that
    day may lie before the export's start, so a change against it (a won
    value of 0 before the first close date) means nothing for the
    business. A period the data covers in part keeps its change. An open
    deal's expected close date and dates after today record nothing (see
    ``recorded_span``).
    """
    firsts: dict[str, date | None] = {}
    found: dict[str, date] = {}
    for key, column in date_columns.items():
        if column not in firsts:
            span = recorded_span(frame, [column], until=date.today())
            firsts[column] = span[0] if span is not None else None
        first = firsts[column]
        if first is not None and compared.end is not None and compared.end < first:
            found[key] = first
    return found


def tables_before_data(
    tables: Mapping[str, pl.DataFrame],
    kpi_tables: Mapping[str, tuple[str, ...]],
    compared: Period,
) -> dict[str, date]:
    """Return the KPIs whose comparison period ends before any of their
    tables records a date, each with the first day one does.

    ``kpi_tables`` maps a KPI key to the table types it may be computed
    from, such as orders or subscriptions for CLV. As in
    ``before_recorded``, a change against such a period means nothing for
    the business. A table's recorded dates are those of
    ``partial_periods.table_span``, and spend's its first spend window.
    """
    firsts: dict[str, date] = {}
    for table_type, frame in tables.items():
        if table_type == "spend":
            span = spend_dates(frame)
        else:
            span = table_span(frame, table_type)
        if span is not None:
            firsts[table_type] = span[0]
    found: dict[str, date] = {}
    for key, types in kpi_tables.items():
        days = [firsts[table_type] for table_type in types if table_type in firsts]
        if days and compared.end is not None and compared.end < min(days):
            found[key] = min(days)
    return found


def same_period_last_year(period: Period) -> Period:
    """Return the same days one year earlier; 29 February becomes the 28th.
    Raises InvalidSettingError for an open period."""
    _require_bounds(period, "same period last year")
    return Period(_year_before(period.start), _year_before(period.end))


def overlap_range(tables: Mapping[str, pl.DataFrame]) -> tuple[date, date] | None:
    """Return the days that every table with dates covers: the latest first
    date to the earliest last date. None when the tables do not overlap."""
    ranges = []
    for table_type, frame in tables.items():
        with contextlib.suppress(EmptyDataError):
            ranges.append(data_range({table_type: frame}))
    if not ranges:
        return None
    first = max(low for low, _high in ranges)
    last = min(high for _low, high in ranges)
    return (first, last) if first < last else None


def data_range(tables: Mapping[str, pl.DataFrame]) -> tuple[date, date]:
    """Return the first and last date on which the tables record an event
    (``table_coverage``): for deals their creation and close dates, without
    the expected close dates of open deals, and for subscriptions also their
    end and cancel dates. Dates after today record nothing yet, unless a
    table has no other dates. Raises EmptyDataError when the tables contain
    no dates."""
    spans = []
    for table_type, frame in tables.items():
        columns = event_date_columns(table_type, frame)
        span = table_coverage(table_type, frame) or recorded_span(frame, columns)
        if span is not None:
            spans.append(span)
    if not spans:
        raise EmptyDataError("the tables contain no dates to compare before and after")
    return min(span[0] for span in spans), max(span[1] for span in spans)


def table_coverage(table_type: str, frame: pl.DataFrame) -> tuple[date, date] | None:
    """Return the first and last date on which ``frame`` records an event in
    the columns ``data_range`` reads, or None when it has none.

    The expected close date of an open deal and the dates after today record
    nothing, so they are left out (see ``recorded_span``).
    """
    columns = event_date_columns(table_type, frame)
    return recorded_span(frame, columns, until=date.today())


def event_date_columns(table_type: str, frame: pl.DataFrame) -> list[str]:
    """List the date columns of a table that the goal metrics anchor on, and
    the other columns that record its events, as far as ``frame`` has them."""
    anchors = [m.date_column for m in METRICS.values() if m.table == table_type]
    names = dict.fromkeys([*anchors, *_EVENT_COLUMNS.get(table_type, ())])
    return [name for name in names if name in frame.columns]


def _require_bounds(period: Period, name: str) -> None:
    if period.start is None or period.end is None:
        raise InvalidSettingError(
            f"the {name} needs a period with a start and an end, not {period.label()}"
        )


def _whole_months(period: Period) -> int | None:
    """Count the calendar months of a period that starts on the first of a
    month and ends on the last day of a month, or return None otherwise."""
    if period.start.day != 1 or (period.end + ONE_DAY).day != 1:
        return None
    end = period.end
    return (end.year - period.start.year) * 12 + end.month - period.start.month + 1


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)
