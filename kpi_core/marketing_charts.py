"""Altair charts of the marketing series (``kpi_core.marketing_series``).

They follow ``kpi_core.charts``: one row per bucket (and campaign), axes
that name their unit, tooltips as text from ``format_number``, and partial
buckets drawn as rings or pale bars.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import altair as alt
import polars as pl

from kpi_core.charts import (
    BLUE,
    bucket_axis,
    coverage_opacity,
    coverage_shape,
    coverage_tooltip,
    line_axis,
    number_tooltip,
    value_scale,
    with_coverage,
    with_number_text,
)

_WIDTH = "container"
_HEIGHT = 260


def cac_over_time(
    series: pl.DataFrame,
    unit: str | None,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw the CAC per bucket as a line, with the spend and the new
    customers in the tooltip. A bucket without CAC (null) leaves a gap
    instead of dropping to 0, and the points of ``partial`` buckets are
    rings."""
    money = unit or "currency"
    axis_title = f"CAC ({money} per new customer)"
    chart_frame = (
        series.select("period_start", "spend", "new_customers", "cac")
        .pipe(with_number_text, "cac", 2)
        .pipe(with_number_text, "spend", 2)
        .pipe(with_coverage, grain, partial)
    )
    return (
        alt.Chart(chart_frame, title=f"CAC by {grain}")
        .mark_line(point=True, color=BLUE)
        .encode(
            x=line_axis(grain, series["period_start"].to_list()),
            y=alt.Y("cac:Q", title=axis_title, scale=value_scale(series["cac"])),
            shape=coverage_shape(partial),
            tooltip=[
                coverage_tooltip(grain, partial),
                number_tooltip("cac", axis_title),
                number_tooltip("spend", f"Spend ({money})"),
                alt.Tooltip("new_customers:Q", title="New customers", format=",d"),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


def campaign_revenue_over_time(
    series: pl.DataFrame,
    unit: str | None,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw the revenue per bucket as bars stacked by campaign, the largest
    campaigns of the period at the bottom. The bars of ``partial`` buckets
    are pale."""
    axis_title = f"Revenue ({unit or 'currency'})"
    order = series["campaign"].unique(maintain_order=True).to_list()
    chart_frame = (
        series.select("period_start", "campaign", "revenue")
        .with_columns(
            campaign_order=pl.col("campaign").replace_strict(
                order, list(range(len(order))), return_dtype=pl.Int64
            )
        )
        .pipe(with_number_text, "revenue", 2)
        .pipe(with_coverage, grain, partial)
    )
    return (
        alt.Chart(chart_frame, title=f"Revenue by campaign and {grain}")
        .mark_bar()
        .encode(
            x=bucket_axis(grain),
            y=alt.Y(
                "sum(revenue):Q",
                title=axis_title,
                scale=value_scale(series["revenue"]),
            ),
            color=alt.Color("campaign:N", title="Campaign", sort=order),
            order=alt.Order("campaign_order:Q"),
            opacity=coverage_opacity(partial),
            tooltip=[
                coverage_tooltip(grain, partial),
                alt.Tooltip("campaign:N", title="Campaign"),
                number_tooltip("revenue", axis_title),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )
