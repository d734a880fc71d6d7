"""Sidebar widgets for the period, the time grain and the comparison
period."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from kpi_core.compare import previous_period, same_period_last_year
from kpi_core.period import GRAINS, QUICK_PERIODS, Period, quick_period
from pages.ui.shared_views import view_widget_options


def period_picker(frame: pl.DataFrame, date_columns: list[str]) -> Period:
    """Show the period controls in the sidebar and return the chosen period.

    Quick picks count back from the latest date in the data, so an export
    that ends in the past still has a "last 12 full months".
    """
    low, high = _date_range(frame, date_columns)
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
        period = quick_period(choice, high)
        if not period.is_all:
            st.sidebar.caption(f"{period.label()}, counted back from {high}")
        return period
    picked = st.sidebar.date_input(
        "From and to",
        value=(low, high),
        min_value=low,
        max_value=high,
        key="dates",
        **view_widget_options(),
    )
    if len(picked) == 2:
        return Period(picked[0], picked[1])
    st.sidebar.info("Pick the last day of the period too.")
    return Period(picked[0], None)


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


def _date_range(frame: pl.DataFrame, columns: list[str]) -> tuple[date, date]:
    values = pl.concat([frame[c].cast(pl.Date) for c in columns]).drop_nulls()
    if values.is_empty():
        today = date.today()
        return today, today
    return values.min(), values.max()
