"""KPI cards and the explanation of how each KPI was calculated."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import streamlit as st

from kpi_core.exclusion_warnings import kpi_warnings
from kpi_core.exporting import safe_csv
from kpi_core.formatting import (
    LOWER_IS_BETTER,
    format_change,
    format_number,
    format_value,
    is_no_change,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult
from pages.ui.markdown_escape import escape_markdown
from pages.ui.shared_views import for_viewer


def without_unrecorded(
    previous: dict[str, KpiResult],
    unrecorded: dict[str, date],
    labels: dict[str, str],
    compare: Period,
    recorded_by: str,
) -> dict[str, KpiResult]:
    """Drop the changes of the KPIs in ``unrecorded`` (see
    ``kpi_core.compare_periods.before_recorded``) and name them in a caption.
    ``recorded_by`` names what their dates are, such as "the deals record
    the dates they count by"."""
    if not unrecorded:
        return previous
    names = ", ".join(labels[key] for key in unrecorded if key in labels)
    first = min(unrecorded.values())
    st.caption(
        f"No change is shown for {names}: {recorded_by} from {first} on, after "
        f"the last day of {compare.label()}, so the export may not reach back "
        "that far."
    )
    return {key: result for key, result in previous.items() if key not in unrecorded}


# Five cards fit side by side in a window 1400 pixels wide. Six cut their
# values short.
_CARDS_PER_ROW = 5


def kpi_card(
    column, label: str, result: KpiResult, previous: KpiResult | None = None
) -> None:
    """Show one KPI as a metric with n, interval, note and small-sample note, or
    'Not available' with the reason. With ``previous``, the change against
    the comparison period is shown as the metric's delta."""
    with column:
        if not result.available:
            st.metric(label, "Not available")
            st.caption(escape_markdown(for_viewer(result.reason)))
            return
        delta = None
        if previous is not None and previous.available:
            delta = format_change(result.value, previous.value, result.unit)
        color = "inverse" if result.key in LOWER_IS_BETTER else "normal"
        unchanged = delta is not None and is_no_change(delta)
        st.metric(
            label,
            format_value(result.value, result.unit),
            delta=delta,
            delta_color="off" if unchanged else color,
            delta_arrow="off" if unchanged else "auto",
            help=escape_markdown(f"{format_number(result.value, 2)} {result.unit}"),
        )
        if previous is not None and not previous.available:
            st.caption("No value in the comparison period.")
        details = []
        if result.n is not None:
            details.append(f"n = {result.n:,}")
        if result.ci95 is not None:
            low, high = (format_value(bound, result.unit) for bound in result.ci95)
            details.append(f"95 % interval {low} to {high}")
        if "median" in result.extra:
            median = format_value(result.extra["median"], result.unit)
            details.append(f"median {median}")
        if details:
            # The unit is the currency code found in the data.
            st.caption(escape_markdown(", ".join(details)))
        if result.note:
            st.caption(escape_markdown(for_viewer(result.note)))
        if result.small_sample:
            st.caption("Small sample: fewer than 30 observations.")
        if result.key == "arr" and result.variant == "snapshot":
            st.caption(
                "Snapshot of a customer list without dates: the same for every period."
            )
        if result.key == "churn_rate" and result.variant.endswith(", snapshot"):
            # The Service page explains the formula under the cards.
            st.caption(
                f"{result.variant.capitalize()}: a customer list without dates "
                "gives the same figure for every period."
            )


def kpi_row(
    labels: dict[str, str],
    kpis: dict[str, KpiResult],
    previous: dict[str, KpiResult],
) -> None:
    """Show one card per KPI key in ``labels``, side by side. A KPI whose
    table was never imported is shown as not available with that reason.

    More than ``_CARDS_PER_ROW`` cards are split into rows of about equal
    length, because narrower cards cut their values short. Under the cards,
    a warning names each figure that leaves out a large share of its rows
    for a data problem, or that carries a warning of its own (see
    ``kpi_core.exclusion_warnings``).
    """
    items = list(labels.items())
    if not items:
        return
    per_row = math.ceil(len(items) / math.ceil(len(items) / _CARDS_PER_ROW))
    columns = []
    for _ in range(0, len(items), per_row):
        columns += st.columns(per_row)
    # A short last row keeps the card width of the others.
    for column, (key, label) in zip(columns, items, strict=False):
        if key in kpis:
            kpi_card(column, label, kpis[key], previous.get(key))
            continue
        with column:
            st.metric(label, "Not available")
            st.caption("No table for this KPI has been imported.")
    for warning in kpi_warnings(kpis, labels):
        st.warning(escape_markdown(for_viewer(warning)))


def explain(
    result: KpiResult,
    label: str,
    rows: pl.DataFrame | None = None,
) -> None:
    """Show how a KPI was calculated, which rows were left out, and offer
    the rows behind it as a CSV download."""
    if result.available:
        st.markdown(f"**{label}**: {escape_markdown(result.variant)}")
        st.text(result.formula)
    else:
        st.markdown(f"**{label}**: not available")
        st.text(for_viewer(result.reason))
    for reason in result.excluded:
        st.text(f"{result.left_out(reason)} left out of {label.lower()}: {reason}")
    if rows is not None and rows.height:
        st.download_button(
            f"Rows behind {label.lower()} ({rows.height:,}, CSV)",
            lambda: safe_csv(rows),
            file_name=f"{result.key}-rows.csv",
            mime="text/csv",
            key=f"rows:{result.key}",
            # A rerun on the click could drop the deferred file before the
            # browser fetches it (see ``pages.ui.downloads``).
            on_click="ignore",
        )
