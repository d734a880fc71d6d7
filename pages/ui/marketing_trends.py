"""The Marketing page's charts by period: CAC, revenue by campaign and ARR
for each bucket of the grouping chosen in the sidebar."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.errors import InputError
from kpi_core.kpis import KpiSettings, NewCustomers, new_customers, revenue_table
from kpi_core.marketing_charts import cac_over_time, campaign_revenue_over_time
from kpi_core.marketing_series import (
    arr_series,
    cac_series,
    cac_span,
    campaign_revenue_series,
    undated_note,
)
from kpi_core.partial_periods import (
    blank_empty_buckets,
    partial_note,
    partial_periods,
    table_span,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult, is_missing_rate
from pages.ui.currencies import RATE_NOTE_POINTER
from pages.ui.downloads import show_chart
from pages.ui.markdown_escape import escape_markdown


@st.cache_data(max_entries=64, show_spinner=False)
def _series(
    cache_key: str,
    kind: str,
    settings: KpiSettings,
    grain: str,
    column: str | None,
    _tables: dict[str, pl.DataFrame],
) -> pl.DataFrame | str:
    """Compute one series once per table versions, settings and grain.
    Returns the error message instead when the data cannot give it."""
    del cache_key
    money = {"currency": settings.currency, "fx": settings.fx or None}
    period = settings.period
    try:
        if kind == "cac":
            customers = new_customers(_tables)
            return cac_series(_tables["spend"], customers.frame, period, grain, **money)
        if kind == "revenue":
            revenue = _revenue_source(_tables, period)
            return campaign_revenue_series(revenue, period, grain, column, **money)
        return arr_series(_tables["subscriptions"], period, grain, **money)
    except InputError as error:
        return error.detail if is_missing_rate(error) else str(error)


@st.cache_resource(max_entries=8, show_spinner=False)
def _new_customers(
    cache_key: str, _tables: dict[str, pl.DataFrame]
) -> NewCustomers | None:
    """Find the new customers once per table versions, not on every rerun:
    on a million deals that took about 0.2 s."""
    del cache_key
    return new_customers(_tables)


def _revenue_source(tables: dict[str, pl.DataFrame], period: Period) -> pl.DataFrame:
    """Return the orders or deals that the revenue by campaign comes from."""
    return revenue_table(
        tables.get("orders"), tables.get("deals"), period, tables.get("spend")
    )


def render_cac_series(
    tables: dict[str, pl.DataFrame],
    cache_key: str,
    settings: KpiSettings,
    grain: str,
    result: KpiResult | None,
) -> None:
    """Show the CAC of each bucket. Without new customers in a bucket its
    CAC is undefined, so the line has a gap there."""
    if "spend" not in tables or result is None:
        return
    customers = _new_customers(cache_key, tables)
    if customers is None:
        return

    st.subheader(f"Acquisition cost by {grain}")
    if result.rate_missing:
        st.info(f"CAC by {grain} is not shown. {RATE_NOTE_POINTER}")
        return
    series = _series(cache_key, "cac", settings, grain, None, tables)
    if isinstance(series, str):
        st.info(escape_markdown(f"CAC by {grain} is not shown: {series}"))
        return

    source = customers.source
    if not charts.has_values(series, "cac"):
        st.info(
            f"No {grain} of this period has both marketing spend and new "
            f"customers, so there is no CAC by {grain} to chart. The new "
            f"customers come from the {source} table."
        )
        return
    span = cac_span(tables["spend"], customers.frame)
    partial = partial_periods(series["period_start"], grain, settings.period, span)
    series = blank_empty_buckets(series, partial)
    unit = result.unit if result.available else None
    show_chart(st, cac_over_time(series, unit, grain, partial))

    notes = [
        f"CAC of a {grain}: its spend / the new customers acquired in it, from "
        f"the {source} table. A {grain} without new customers or without "
        f"recorded spend has no CAC and leaves a gap. The spend of the {grain}s "
        "adds up to the spend of the CAC card."
    ]
    if note := partial_note(partial):
        notes.append(note)
    if note := undated_note(tables["spend"], customers.frame, None, settings.period):
        notes.append(note)
    st.caption(" ".join(notes))


def render_campaign_series(
    tables: dict[str, pl.DataFrame],
    cache_key: str,
    settings: KpiSettings,
    grain: str,
    result: KpiResult | None,
) -> None:
    """Show the revenue of each bucket stacked by campaign, attributed by
    the column the revenue by campaign uses."""
    if result is None or not result.available:
        return
    column = result.extra.get("attributed_by")
    series = _series(cache_key, "revenue", settings, grain, column, tables)
    if isinstance(series, str):
        st.info(escape_markdown(f"Revenue by {grain} is not shown: {series}"))
        return
    if series.is_empty():
        st.info(
            f"Revenue by {grain} is not shown. No order or won deal of this "
            "period has a date to place it in a period."
        )
        return

    period = settings.period
    revenue = _revenue_source(tables, period)
    table_type = "orders" if "ordered_at" in revenue.columns else "deals"
    span = table_span(revenue, table_type)
    partial = partial_periods(series["period_start"], grain, period, span)
    series = blank_empty_buckets(series, partial)
    show_chart(st, campaign_revenue_over_time(series, result.unit, grain, partial))

    notes = [
        f"Each bar is the revenue of one {grain}, by the campaigns of the table "
        f"above; the bars add up to its total."
    ]
    if note := partial_note(partial):
        notes.append(note)
    if note := undated_note(None, None, revenue, period):
        notes.append(note)
    st.caption(" ".join(notes))


def render_arr_series(
    tables: dict[str, pl.DataFrame],
    cache_key: str,
    settings: KpiSettings,
    grain: str,
    result: KpiResult | None,
) -> None:
    """Show ARR at the end of each bucket. A snapshot list without dates and
    an ARR that is not available show nothing, as the bridge does."""
    if "subscriptions" not in tables or result is None or not result.available:
        return
    series = _series(cache_key, "arr", settings, grain, None, tables)
    if isinstance(series, str) or series.is_empty():
        return
    span = table_span(tables["subscriptions"], "subscriptions")
    partial = partial_periods(series["period_start"], grain, settings.period, span)
    # ARR is a stock: the subscriptions started and not ended stay after the
    # last dated change, so it is not blanked there and its last bar stays
    # the ARR card.
    title = f"ARR at the end of each {grain}"
    axis_title = f"ARR ({result.unit} per year)"
    show_chart(
        st, charts.value_over_time(series, "arr", title, axis_title, grain, partial)
    )
    notes = [
        f"MRR x 12 at the close of each {grain}'s last day in the period; the "
        "last bar is the ARR card."
    ]
    if note := partial_note(partial):
        notes.append(note)
    st.caption(" ".join(notes))
