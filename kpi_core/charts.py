"""Altair chart builders for the KPI pages.

Every builder takes a frame that Polars has already aggregated (one row per
time bucket, stage or segment), so no chart carries raw rows. Axis titles
name their unit. Tooltips show numbers as text written by ``format_number``,
as the cards do. The charts are plain Altair objects: the pages show them
and the tests inspect them through ``to_dict()``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Sequence
from datetime import date

import altair as alt
import polars as pl
import vl_convert
from altair.utils.schemapi import UndefinedType

from kpi_core.formatting import format_number
from kpi_core.partial_periods import period_labels
from kpi_core.sales_tables import NO_STAGE

_WIDTH = "container"
_HEIGHT = 260
BLUE = "#2f6db5"
GREY = "#9aa5b1"
# The bars of the lowest values when a segment chart shows both ends.
LOWEST_COLOUR = "#d9822b"
# Values smaller than this round to 0.0 at the one decimal that cards and
# tooltips show.
SHOWN_ZERO = 0.05
# The legend entries of whole and partial buckets (see
# ``kpi_core.partial_periods``). A partial bucket's point is a ring and its
# bar is pale, so it does not read as a full period.
WHOLE = "whole"
PARTIAL = "partial (see note)"
# A ring: the unit circle with a hole, drawn the other way round so that
# the default nonzero fill leaves the hole empty.
_RING = (
    "M -1 0 A 1 1 0 1 1 1 0 A 1 1 0 1 1 -1 0 Z "
    "M -0.55 0 A 0.55 0.55 0 1 0 0.55 0 A 0.55 0.55 0 1 0 -0.55 0 Z"
)
PARTIAL_OPACITY = 0.45


def rate_over_time(
    series: pl.DataFrame,
    columns: dict[str, str],
    title: str,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw one line per rate column over ``period_start``, in percent.

    ``columns`` maps a column of ``series`` to its label in the legend.
    Buckets with an undefined rate (null) leave a gap instead of dropping to 0.
    ``partial`` lists the period_start values of partial buckets, whose
    points are rings and whose tooltips say "(partial)".
    """
    long = (
        series.select("period_start", *columns)
        .unpivot(index="period_start", variable_name="kpi", value_name="rate")
        .with_columns(pl.col("kpi").replace_strict(columns))
        .pipe(with_number_text, "rate", 1)
        .pipe(with_coverage, grain, partial)
    )
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=line_axis(grain, series["period_start"].to_list()),
            y=alt.Y("rate:Q", title="Rate (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("kpi:N", title=None),
            shape=coverage_shape(partial),
            tooltip=[
                coverage_tooltip(grain, partial),
                alt.Tooltip("kpi:N", title="KPI"),
                number_tooltip("rate", "Rate (%)"),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


def value_over_time(
    series: pl.DataFrame,
    column: str,
    title: str,
    axis_title: str,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw one bar per time bucket for a money or count column. The bars of
    the ``partial`` buckets (period_start values) are pale."""
    chart_frame = with_number_text(
        series.select("period_start", column), column, 1
    ).pipe(with_coverage, grain, partial)
    return (
        alt.Chart(chart_frame, title=title)
        .mark_bar(color=BLUE)
        .encode(
            x=bucket_axis(grain),
            y=alt.Y(f"{column}:Q", title=axis_title, scale=value_scale(series[column])),
            opacity=coverage_opacity(partial),
            tooltip=[
                coverage_tooltip(grain, partial),
                number_tooltip(column, axis_title),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


# Vega-Lite time unit and axis title of one bar per bucket of each grain.
_BUCKET_AXES = {
    "week": ("yearmonthdate", "Week starting"),
    "month": ("yearmonth", "Month"),
    "quarter": ("yearquarter", "Quarter"),
    "year": ("year", "Year"),
}
# d3 time format of a bucket label of each grain, as in "Apr 2025" or
# "2025 Q2"; ``%q`` is the quarter of the year.
_BUCKET_FORMATS = {
    "week": "%d %b %Y",
    "month": "%b %Y",
    "quarter": "%Y Q%q",
    "year": "%Y",
}


def bucket_axis(grain: str) -> alt.X:
    """Return the x axis of one bar per time bucket of ``grain`` (see
    ``kpi_core.period.GRAINS``). Labels that would overlap are left out, so
    a year of weeks stays readable."""
    time_unit, title = _BUCKET_AXES[grain]
    # Polars starts weeks on Monday, so a week is labelled by its first day
    # and not by Vega-Lite's week number, which starts on Sunday.
    axis = alt.Axis(
        labelOverlap=True,
        labelAngle=0,
        format=_BUCKET_FORMATS[grain],
        formatType="time",
    )
    return alt.X(f"{time_unit}(period_start):O", title=title, axis=axis)


def line_axis(grain: str, starts: Sequence[date] = ()) -> alt.X:
    """Return the time axis of a line over buckets of ``grain``.

    ``starts`` are the bucket starts of the series. Each gets a tick that is
    labelled as its bucket ("Apr 2025", "2025 Q2", "07 Apr 2025" for the
    week starting that Monday), so the ticks never fall between buckets or
    show days on a monthly chart. Labels that would overlap are left out.
    """
    ticks = [
        alt.DateTime(year=day.year, month=day.month, date=day.day)
        for day in sorted(set(starts))
    ]
    axis = alt.Axis(
        format=_BUCKET_FORMATS[grain],
        formatType="time",
        labelOverlap=True,
        values=ticks or alt.Undefined,
    )
    return alt.X("period_start:T", title=_BUCKET_AXES[grain][1], axis=axis)


def value_scale(values: pl.Series) -> alt.Scale | UndefinedType:
    """Return the scale of a value axis: Vega-Lite's own, unless every value
    is below ``SHOWN_ZERO`` in size (or null), as in a month without churn.

    Such a domain has no width, and Chromium labelled its one tick
    "0.000000" (Streamlit 1.67). The axis then runs from 0 to 1 instead, so
    it reads 0.0, 0.2 and so on, with the line or bars at 0 as the shown
    figures are.
    """
    largest = values.cast(pl.Float64).abs().max()
    if largest is not None and largest >= SHOWN_ZERO:
        return alt.Undefined
    return alt.Scale(domain=[0, 1])


def period_tooltip(grain: str) -> alt.Tooltip:
    """Return the tooltip of a bucket start, written as its bucket."""
    return alt.Tooltip(
        "period_start:T", title=_BUCKET_AXES[grain][1], format=_BUCKET_FORMATS[grain]
    )


def with_coverage(
    frame: pl.DataFrame, grain: str, partial: Collection[date]
) -> pl.DataFrame:
    """Add the columns ``coverage`` (``WHOLE`` or ``PARTIAL``) and
    ``period_label`` (the bucket's name, with " (partial)" for the buckets
    in ``partial``) when ``partial`` is not empty. Other frames are
    returned as they are."""
    if not partial:
        return frame
    starts = frame["period_start"].to_list()
    kinds = [PARTIAL if start in partial else WHOLE for start in starts]
    labels = period_labels(starts, grain, partial)
    return frame.with_columns(
        pl.Series("coverage", kinds, dtype=pl.String),
        pl.Series("period_label", labels, dtype=pl.String),
    )


def coverage_tooltip(grain: str, partial: Collection[date]) -> alt.Tooltip:
    """Return the bucket's tooltip: its name from ``with_coverage`` when
    some bucket is partial, else ``period_tooltip``."""
    if not partial:
        return period_tooltip(grain)
    return alt.Tooltip("period_label:N", title=_BUCKET_AXES[grain][1])


def coverage_shape(partial: Collection[date]) -> alt.Shape | UndefinedType:
    """Return the point shape of a line: a ring for a partial bucket."""
    if not partial:
        return alt.Undefined
    scale = alt.Scale(domain=[WHOLE, PARTIAL], range=["circle", _RING])
    return alt.Shape("coverage:N", title="Period", scale=scale)


def coverage_opacity(partial: Collection[date]) -> alt.Opacity | UndefinedType:
    """Return the opacity of a bar: pale for a partial bucket."""
    if not partial:
        return alt.Undefined
    scale = alt.Scale(domain=[WHOLE, PARTIAL], range=[1.0, PARTIAL_OPACITY])
    return alt.Opacity("coverage:N", title="Period", scale=scale)


def with_number_text(
    frame: pl.DataFrame, column: str, decimals: int, *, sign: bool = False
) -> pl.DataFrame:
    """Add the column ``{column}_text``: each value of ``column`` as
    ``format_number`` writes it with ``decimals`` decimals, and "" for null.

    A d3 format such as ".1f" rounds the binary float, so it shows 0.15
    (stored as 0.1499...) as "0.1" where a card shows "0.2". Tooltips show
    this text instead, while marks and axes keep the numbers. A null would
    read "null" in a Vega-Lite tooltip, hence the empty text.
    """
    texts = [
        "" if value is None else format_number(value, decimals, sign=sign)
        for value in frame[column].to_list()
    ]
    return frame.with_columns(pl.Series(f"{column}_text", texts, dtype=pl.String))


def number_tooltip(column: str, title: str) -> alt.Tooltip:
    """Return the tooltip of the text that ``with_number_text`` added for
    ``column``."""
    return alt.Tooltip(f"{column}_text:N", title=title)


def has_values(frame: pl.DataFrame, *columns: str) -> bool:
    """Tell whether any of ``columns`` contains a value that a chart can draw.

    A frame without rows, or whose columns are all null, gives False, so the
    page can show the reason instead of drawing empty axes.
    """
    return any(frame[column].drop_nulls().len() > 0 for column in columns)


def cycle_over_time(
    series: pl.DataFrame,
    title: str,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw mean and median sales-cycle days per close bucket."""
    return rate_like_lines(
        series,
        {"cycle_mean_days": "Mean", "cycle_median_days": "Median"},
        title,
        axis_title="Sales cycle (days)",
        grain=grain,
        partial=partial,
    )


def rate_like_lines(
    series: pl.DataFrame,
    columns: dict[str, str],
    title: str,
    axis_title: str,
    grain: str = "month",
    partial: Collection[date] = (),
) -> alt.Chart:
    """Draw one line per column over ``period_start`` on a free scale. The
    points of the ``partial`` buckets (period_start values) are rings."""
    long = (
        series.select("period_start", *columns)
        .unpivot(index="period_start", variable_name="measure", value_name="value")
        .with_columns(pl.col("measure").replace_strict(columns))
        .pipe(with_number_text, "value", 1)
        .pipe(with_coverage, grain, partial)
    )
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=line_axis(grain, series["period_start"].to_list()),
            y=alt.Y("value:Q", title=axis_title, scale=value_scale(long["value"])),
            color=alt.Color("measure:N", title=None),
            shape=coverage_shape(partial),
            tooltip=[
                coverage_tooltip(grain, partial),
                alt.Tooltip("measure:N", title="Measure"),
                number_tooltip("value", axis_title),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


# Rules for a ``breakdown_bars`` table with more segments than it draws.
# LARGEST keeps the highest values, for totals such as won value, where the
# small segments add little. BOTH_ENDS keeps the highest and the lowest, for
# rates, means and ratios, where the weakest segments matter as much as the
# best.
LARGEST = "largest"
BOTH_ENDS = "both_ends"
# Bars a segment chart draws at most; the table beside it lists every segment.
SEGMENT_LIMIT = 25


def breakdown_bars(
    table: pl.DataFrame,
    segment: str,
    column: str,
    title: str,
    axis_title: str,
    *,
    keep: str = LARGEST,
    count: tuple[str, str] | None = None,
    limit: int = SEGMENT_LIMIT,
) -> alt.Chart:
    """Draw a horizontal bar per segment value, largest first.

    A table of more than ``limit`` rows is cut as ``keep`` says (see
    ``LARGEST`` and ``BOTH_ENDS``), and ``breakdown_note`` writes the
    sentence that names the segments kept. With ``BOTH_ENDS`` the bars of
    the highest and the lowest values get different colours. ``count``
    names a column and its title for the tooltip, such as the deals a rate
    is taken over, so the reader sees which bars rest on a few rows.
    """
    shown, high, low = _cut_segments(table, segment, column, keep, limit)
    columns = [segment, column, *([count[0]] if count else [])]
    chart_frame = with_number_text(shown.select(columns), column, 1)
    tooltip = [
        alt.Tooltip(f"{segment}:N", title=segment.replace("_", " ").title()),
        number_tooltip(column, axis_title),
    ]
    if count:
        tooltip.append(alt.Tooltip(f"{count[0]}:Q", title=count[1], format=",d"))
    colour: alt.Color | UndefinedType = alt.Undefined
    if low:
        groups = [f"{high} highest"] * high + [f"{low} lowest"] * low
        chart_frame = chart_frame.with_columns(pl.Series("shown_as", groups))
        colour = alt.Color(
            "shown_as:N",
            title=None,
            scale=alt.Scale(range=[BLUE, LOWEST_COLOUR]),
            sort=[groups[0], groups[-1]],
        )
    return (
        alt.Chart(chart_frame, title=title)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y(f"{segment}:N", title=None, sort="-x"),
            x=alt.X(f"{column}:Q", title=axis_title, scale=value_scale(shown[column])),
            color=colour,
            tooltip=tooltip,
        )
        .properties(width=_WIDTH)
    )


def breakdown_note(
    table: pl.DataFrame,
    segment: str,
    column: str,
    label: str,
    noun: tuple[str, str],
    *,
    keep: str = LARGEST,
    limit: int = SEGMENT_LIMIT,
) -> str | None:
    """Write the sentence that names the segments ``breakdown_bars`` drew
    of ``table``, or return None when it drew them all.

    ``label`` names the chart's figure ("Win rate") and ``noun`` is the
    singular and plural of a segment ("account", "accounts"), as in "Win
    rate shows the 13 highest and the 12 lowest of 85 accounts."
    """
    if table.height <= limit:
        return None
    shown, high, low = _cut_segments(table, segment, column, keep, limit)
    valued = table[column].drop_nulls().len()
    segments = f"{valued:,} {noun[0] if valued == 1 else noun[1]}"
    if valued < table.height:
        segments += " with a value"
    if shown.height == valued:
        return f"{label} shows all {segments}."
    if keep == LARGEST:
        note = (
            f"{label} shows the {shown.height:,} of {segments} with the highest values."
        )
    else:
        note = (
            f"{label} shows the {high:,} highest and the {low:,} lowest of {segments}."
        )
    if _tie_at_cut(table, column, keep, limit):
        note += f" Some {noun[1]} left out have the same value as one drawn."
    return note


def _ranked(table: pl.DataFrame, segment: str, column: str) -> pl.DataFrame:
    """Return the rows with a value in ``column``, highest first and equal
    values in name order."""
    return table.drop_nulls(column).sort(
        [column, segment], descending=[True, False], nulls_last=True
    )


def _cut_segments(
    table: pl.DataFrame, segment: str, column: str, keep: str, limit: int
) -> tuple[pl.DataFrame, int, int]:
    """Return the rows to draw, highest first, with the number taken from
    the top and from the bottom of the ranking. A table of at most
    ``limit`` rows is drawn whole, its rows without a value last."""
    if keep not in (LARGEST, BOTH_ENDS):
        raise ValueError(f"unknown segment cut {keep!r}; use {LARGEST} or {BOTH_ENDS}")
    if table.height <= limit:
        whole = table.sort([column, segment], descending=[True, False], nulls_last=True)
        return whole, whole.height, 0
    ranked = _ranked(table, segment, column)
    if ranked.height <= limit or keep == LARGEST:
        top = ranked.head(limit)
        return top, top.height, 0
    high = (limit + 1) // 2
    low = limit - high
    return pl.concat([ranked.head(high), ranked.tail(low)]), high, low


def _tie_at_cut(table: pl.DataFrame, column: str, keep: str, limit: int) -> bool:
    """Tell whether a left-out segment has the same value as a drawn one
    next to the cut, so that names, not values, decided between them."""
    values = table[column].drop_nulls().sort(descending=True).to_list()
    if len(values) <= limit:
        return False
    if keep == LARGEST:
        return values[limit - 1] == values[limit]
    high = (limit + 1) // 2
    low = limit - high
    at_top = values[high - 1] == values[high]
    at_bottom = values[-low] == values[-low - 1]
    return at_top or at_bottom


def pipeline_bars(pipeline: pl.DataFrame, measure: str, axis_title: str) -> alt.Chart:
    """Draw deals or value per stage, in the order of the pipeline frame.

    An empty stage is drawn as ``NO_STAGE``, because Vega-Lite rejects a
    null in the sort order.
    """
    stage = pl.col("stage").cast(pl.String).fill_null(NO_STAGE)
    stages = pipeline.select(stage, "status", measure)
    order = stages["stage"].unique(maintain_order=True).to_list()
    chart_frame = with_number_text(stages, measure, 0)
    return (
        alt.Chart(chart_frame)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", title=None, sort=order),
            x=alt.X(
                f"{measure}:Q", title=axis_title, scale=value_scale(pipeline[measure])
            ),
            color=alt.Color(
                "status:N",
                title="Status",
                scale=alt.Scale(
                    domain=["open", "won", "lost"], range=[BLUE, "#2e9d5b", GREY]
                ),
            ),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                number_tooltip(measure, axis_title),
            ],
        )
        .properties(width=_WIDTH)
    )


NPS_COLOURS = {"detractor": "#c8553d", "passive": GREY, "promoter": "#2e9d5b"}


def nps_stacked(
    series: pl.DataFrame, grain: str = "month", partial: Collection[date] = ()
) -> alt.Chart:
    """Draw detractors, passives and promoters per time bucket as shares of
    the responses (percent), stacked to 100. The bars of the ``partial``
    buckets (period_start values) are pale."""
    counts = series.select(
        "period_start",
        pl.col("detractors").alias("detractor"),
        pl.col("passives").alias("passive"),
        pl.col("promoters").alias("promoter"),
    ).unpivot(index="period_start", variable_name="bucket", value_name="responses")
    counts = with_number_text(counts, "responses", 0).pipe(
        with_coverage, grain, partial
    )
    return (
        alt.Chart(counts, title="Detractors, passives and promoters")
        .mark_bar()
        .encode(
            x=bucket_axis(grain),
            y=alt.Y(
                "responses:Q",
                stack="normalize",
                title="Share of responses (%)",
                axis=alt.Axis(format="%"),
            ),
            color=_nps_colour(),
            opacity=coverage_opacity(partial),
            order=alt.Order("bucket_order:Q"),
            tooltip=[
                coverage_tooltip(grain, partial),
                alt.Tooltip("bucket:N", title="Group"),
                number_tooltip("responses", "Responses"),
            ],
        )
        .transform_calculate(
            bucket_order="indexof(['detractor', 'passive', 'promoter'], datum.bucket)"
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


def score_distribution(distribution: pl.DataFrame) -> alt.Chart:
    """Draw the count of responses per score 0-10, coloured by NPS group."""
    chart_frame = with_number_text(distribution, "count", 0).pipe(
        with_number_text, "share", 1
    )
    return (
        alt.Chart(chart_frame, title="Scores")
        .mark_bar()
        .encode(
            x=alt.X("score:O", title="Score (0-10)"),
            y=alt.Y(
                "count:Q",
                title="Responses (count)",
                scale=value_scale(distribution["count"]),
            ),
            color=_nps_colour(),
            tooltip=[
                alt.Tooltip("score:O", title="Score"),
                number_tooltip("count", "Responses"),
                number_tooltip("share", "Share (%)"),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


def _nps_colour() -> alt.Color:
    return alt.Color(
        "bucket:N",
        title=None,
        scale=alt.Scale(domain=list(NPS_COLOURS), range=list(NPS_COLOURS.values())),
    )


def stage_durations(summary: pl.DataFrame, bottleneck: str | None) -> alt.Chart:
    """Draw the median days per stage in pipeline order, the bottleneck in
    a warning colour."""
    frame = summary.filter(pl.col("median_days").is_not_null()).with_columns(
        pl.when(pl.col("stage") == (bottleneck or ""))
        .then(pl.lit("Bottleneck"))
        .otherwise(pl.lit("Other stage"))
        .alias("role")
    )
    chart_frame = (
        frame.select("stage", "median_days", "mean_days", "role")
        .pipe(with_number_text, "median_days", 1)
        .pipe(with_number_text, "mean_days", 1)
    )
    return (
        alt.Chart(chart_frame)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", title=None, sort=frame["stage"].to_list()),
            x=alt.X(
                "median_days:Q",
                title="Median time in stage (days)",
                scale=value_scale(frame["median_days"]),
            ),
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(
                    domain=["Bottleneck", "Other stage"], range=["#c8553d", BLUE]
                ),
            ),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                number_tooltip("median_days", "Median (days)"),
                number_tooltip("mean_days", "Mean (days)"),
            ],
        )
        .properties(width=_WIDTH, title="Time in each stage")
    )


def stage_funnel(summary: pl.DataFrame) -> alt.Chart:
    """Draw how many deals reached each stage, in pipeline order."""
    chart_frame = (
        summary.select("stage", "reached", "conversion_to_next")
        .pipe(with_number_text, "reached", 0)
        .pipe(with_number_text, "conversion_to_next", 1)
    )
    return (
        alt.Chart(chart_frame)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y("stage:N", title=None, sort=summary["stage"].to_list()),
            x=alt.X(
                "reached:Q",
                title="Deals that reached the stage (count)",
                scale=value_scale(summary["reached"]),
            ),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                number_tooltip("reached", "Deals"),
                number_tooltip("conversion_to_next", "On to a later stage (%)"),
            ],
        )
        .properties(width=_WIDTH, title="Stage funnel")
    )


def waterfall(bridge: pl.DataFrame, unit: str | None = None) -> alt.Chart:
    """Draw the ARR bridge as a waterfall: start and end as totals, the
    steps between them floating from the running total. ``unit`` is the
    currency of the amounts, named on the axis."""
    steps = bridge.with_columns(
        pl.when(pl.col("step").is_in(["start", "end"]))
        .then(0.0)
        .otherwise(pl.col("signed_amount").cum_sum() - pl.col("signed_amount"))
        .alias("base"),
    ).with_columns(
        pl.when(pl.col("step").is_in(["start", "end"]))
        .then(pl.col("amount"))
        .otherwise(pl.col("base") + pl.col("signed_amount"))
        .alias("top"),
        pl.when(pl.col("step").is_in(["start", "end"]))
        .then(pl.lit("total"))
        .when(pl.col("signed_amount") >= 0)
        .then(pl.lit("increase"))
        .otherwise(pl.lit("decrease"))
        .alias("kind"),
    )
    chart_frame = with_number_text(
        steps.select("step", "base", "top", "signed_amount", "kind"), "signed_amount", 0
    )
    per_year = f"{unit or 'currency'} per year"
    return (
        alt.Chart(chart_frame)
        .mark_bar()
        .encode(
            x=alt.X("step:N", title=None, sort=steps["step"].to_list()),
            y=alt.Y(
                "base:Q",
                title=f"ARR ({per_year})",
                scale=value_scale(pl.concat([steps["base"], steps["top"]])),
            ),
            y2="top:Q",
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(
                    domain=["total", "increase", "decrease"],
                    range=[BLUE, "#2e9d5b", "#c8553d"],
                ),
            ),
            tooltip=[
                alt.Tooltip("step:N", title="Step"),
                number_tooltip("signed_amount", f"Change ({per_year})"),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT, title="ARR bridge")
    )


GOAL_COLOURS = {"Actual": BLUE, "Target path": GREY}
_GOAL_LINES = {"actual": "Actual", "target_path": "Target path"}


def goal_progress(path: pl.DataFrame, title: str, axis_title: str) -> alt.Chart:
    """Draw a goal's actual value against its target path over time.

    ``path`` has the columns date, actual (null after the day of the
    evaluation) and target_path, as ``kpi_core.goal_forecast.goal_path``
    returns them. The target path is dashed.
    """
    long = path.unpivot(
        index="date", variable_name="line", value_name="value"
    ).with_columns(pl.col("line").replace_strict(_GOAL_LINES))
    chart_frame = with_number_text(long.drop_nulls("value"), "value", 1)
    return (
        alt.Chart(chart_frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y("value:Q", title=axis_title, scale=value_scale(long["value"])),
            color=alt.Color(
                "line:N",
                title=None,
                scale=alt.Scale(
                    domain=list(GOAL_COLOURS), range=list(GOAL_COLOURS.values())
                ),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                title=None,
                scale=alt.Scale(domain=list(GOAL_COLOURS), range=[[1, 0], [6, 4]]),
            ),
            tooltip=[
                alt.Tooltip("date:T", title="Date"),
                alt.Tooltip("line:N", title="Line"),
                number_tooltip("value", axis_title),
            ],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )


def rates_around_date(
    series: pl.DataFrame, columns: dict[str, str], title: str, marker_day: str
) -> alt.LayerChart:
    """Draw rate lines over ``period_start`` with a vertical rule on one day.

    ``marker_day`` is an ISO date such as "2026-01-01", the day a change
    took effect. The lines are those of ``rate_over_time``.
    """
    rule = (
        alt.Chart(pl.DataFrame({"day": [marker_day]}))
        .mark_rule(color="#c8553d", strokeWidth=2)
        .encode(x="day:T", tooltip=[alt.Tooltip("day:T", title="Compared around")])
    )
    return alt.layer(rate_over_time(series, columns, title), rule)


def sensitivity_bars(table: pl.DataFrame, column: str, axis_title: str) -> alt.Chart:
    """Draw a tornado chart: one bar per lever and change, longest first.

    ``table`` has the columns label, change_percent and ``column``, as
    ``kpi_core.whatif.sensitivity`` returns them. Rows where ``column`` is
    null are left out.
    """
    levers = table.drop_nulls(column).with_columns(
        pl.when(pl.col("change_percent") > 0)
        .then(pl.lit("raised"))
        .otherwise(pl.lit("lowered"))
        .alias("direction"),
        pl.col(column).abs().alias("size"),
    )
    order = (
        levers.group_by("label")
        .agg(pl.col("size").max())
        .sort("size", descending=True)["label"]
        .to_list()
    )
    chart_frame = (
        levers.select("label", "direction", "change_percent", column)
        .pipe(with_number_text, "change_percent", 0, sign=True)
        .pipe(with_number_text, column, 2)
    )
    return (
        alt.Chart(chart_frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=order),
            x=alt.X(
                f"{column}:Q", title=axis_title, scale=value_scale(chart_frame[column])
            ),
            color=alt.Color(
                "direction:N",
                title="Lever",
                scale=alt.Scale(domain=["raised", "lowered"], range=[BLUE, GREY]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Lever"),
                number_tooltip("change_percent", "Moved by (%)"),
                number_tooltip(column, axis_title),
            ],
        )
        .properties(width=_WIDTH)
    )


def charts_archive(charts: list[alt.TopLevelMixin]) -> bytes:
    """Return a zip with every chart as SVG and as PNG, numbered in page
    order, for use in slides and reports."""
    buffer = io.BytesIO()
    with (
        alt.data_transformers.disable_max_rows(),
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for number, chart in enumerate(charts, start=1):
            spec = chart.to_json()
            name = f"{number:02d}-{_slug(chart)}"
            archive.writestr(f"{name}.svg", vl_convert.vegalite_to_svg(spec))
            archive.writestr(f"{name}.png", vl_convert.vegalite_to_png(spec, scale=2))
    return buffer.getvalue()


def _slug(chart: alt.TopLevelMixin) -> str:
    title = chart.to_dict().get("title", "chart")
    if isinstance(title, dict):
        title = title.get("text", "chart")
    text = re.sub(r"[^a-z0-9]+", "-", str(title).lower()).strip("-")
    return text[:40] or "chart"
