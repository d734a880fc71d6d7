"""Sidebar widgets for the period, the time grain and the comparison
period."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl
import streamlit as st

from kpi_core.compare import previous_period, same_period_last_year
from kpi_core.period import GRAINS, QUICK_PERIODS, Period, quick_period
from pages.ui.shared_views import view_widget_options

# The date columns that place each table's rows in time. The period picker
# spans all of them, so every table a page shows can be reached.
DATE_COLUMNS = {
    "deals": ("created_at", "closed_at", "lost_at"),
    "stage_history": ("entered_at",),
    "tickets": ("created_at", "solved_at"),
    "ticket_messages": ("sent_at",),
    "nps": ("responded_at",),
    "subscriptions": ("started_at", "ended_at", "canceled_at"),
    "orders": ("ordered_at",),
    "spend": ("spent_at", "period_start", "period_end"),
    "email_events": ("occurred_at",),
}


def period_picker(tables: Mapping[str, pl.DataFrame | None]) -> Period:
    """Show the period controls in the sidebar and return the chosen period.

    ``tables`` maps table types to the tables the page shows. The custom dates
    range from the first to the last date of all of them, widened to the dates
    a link requests. Quick picks count back from ``latest_date``, so an export
    that ends in the past still has a "last 12 full months". Tables without
    dates give all data and no controls.
    """
    span = data_span(tables)
    if span is None:
        return Period()
    low, high = span
    anchor = latest_date(tables) or high
    choices = [*QUICK_PERIODS, "custom"]
    labels = {**QUICK_PERIODS, "custom": "Custom"}
    choice = st.sidebar.selectbox(
        "Period",
        choices,
        format_func=labels.__getitem__,
        key="period",
        **view_widget_options(),
    )
    if choice != "custom":
        period = quick_period(choice, anchor)
        if not period.is_all:
            st.sidebar.caption(f"{period.label()}, counted back from {anchor}")
        return period
    # Streamlit replaces a value outside min_value and max_value by the
    # default without a message, so the bounds take in the dates of a link.
    requested = _requested_dates()
    picked = st.sidebar.date_input(
        "From and to",
        value=(low, high),
        min_value=min([low, *requested]),
        max_value=max([high, *requested]),
        key="dates",
        **view_widget_options(),
    )
    if len(picked) != 2:
        st.sidebar.info("Pick the last day of the period too.")
        return Period(picked[0], None) if picked else Period()
    # A link may give the two dates in either order.
    period = Period(min(picked), max(picked))
    if period.end < low or period.start > high:
        st.sidebar.caption(
            f"No table of this page has dates in this period. The data runs "
            f"from {low} to {high}."
        )
    return period


def data_span(tables: Mapping[str, pl.DataFrame | None]) -> tuple[date, date] | None:
    """Return the first and the last date in the ``DATE_COLUMNS`` of the
    tables, or None when they have no dates."""
    dates = _dates(tables)
    if dates.is_empty():
        return None
    return dates.min(), dates.max()


def latest_date(tables: Mapping[str, pl.DataFrame | None]) -> date | None:
    """Return the date that quick picks count back from: the last date in the
    ``DATE_COLUMNS`` of the tables that is not after today.

    Future dates, such as a contract end or an expected close date, would
    give quick periods without data. When every date lies in the future, the
    last one is returned.
    """
    dates = _dates(tables)
    if dates.is_empty():
        return None
    past = dates.filter(dates <= date.today())
    return (past if not past.is_empty() else dates).max()


def _dates(tables: Mapping[str, pl.DataFrame | None]) -> pl.Series:
    columns = [
        frame[column].cast(pl.Date)
        for table_type, frame in tables.items()
        if frame is not None
        for column in DATE_COLUMNS.get(table_type, ())
        if column in frame.columns
    ]
    if not columns:
        return pl.Series([], dtype=pl.Date)
    return pl.concat(columns).drop_nulls()


def _requested_dates() -> list[date]:
    """Return the custom dates that a link requests: the ``dates`` URL
    parameters, and the widget state that a shared view sets."""
    texts = st.query_params.get_all("dates")
    requested = [day for text in texts if (day := _iso_date(text)) is not None]
    state = st.session_state.get("dates")
    if isinstance(state, list | tuple):
        requested += [day for day in state if isinstance(day, date)]
    return requested


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def grain_picker() -> str:
    """Show the time grain of the series in the sidebar and return it, one of
    ``kpi_core.period.GRAINS``."""
    grain = st.sidebar.segmented_control(
        "Group by",
        list(GRAINS),
        default="month",
        key="grain",
        **view_widget_options(),
    )
    return grain or "month"


def comparison_picker(period: Period) -> Period | None:
    """Offer to compare the chosen period with the previous one or the same
    period a year earlier; return that period, or None."""
    if period.is_all or period.start is None or period.end is None:
        return None
    labels = {
        "none": "Nothing",
        "previous": "Previous period",
        "last_year": "Same period last year",
    }
    choice = st.sidebar.selectbox(
        "Compare with",
        list(labels),
        format_func=labels.__getitem__,
        key="compare_with",
        **view_widget_options(),
    )
    if choice == "previous":
        return previous_period(period)
    if choice == "last_year":
        return same_period_last_year(period)
    return None
