"""Customer service page: NPS, time to resolution and follow-ups per ticket
for the chosen period, over time and per agent, channel and category."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.business_hours import WorkingTime
from kpi_core.churn import SNAPSHOT_VARIANTS, churn_rate, churn_series
from kpi_core.column_labels import column_label
from kpi_core.compare_periods import tables_before_data
from kpi_core.errors import InputError
from kpi_core.followups import followups_breakdown_note, followups_per_ticket
from kpi_core.formatting import MISSING, count_noun, format_number
from kpi_core.kpi_rows import rows_behind
from kpi_core.kpis import KpiSettings
from kpi_core.nps import variant_gap
from kpi_core.partial_periods import (
    blank_empty_buckets,
    partial_note,
    partial_periods,
    table_span,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.service import (
    RESOLUTION_VARIANTS,
    followups_breakdown,
    followups_distribution,
    nps_distribution,
    nps_series,
    resolution_breakdown,
    resolution_series,
    service_kpis,
)
from kpi_core.subscription_data import has_undated_churn, is_snapshot
from kpi_core.ticket_segments import ticket_segments
from kpi_core.tickets import describe_missing_solve_column
from pages.ui.downloads import chart_downloads, excel_download, show_chart
from pages.ui.kpi_cards import explain, kpi_row, without_unrecorded
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint, data_page_link, require_app_entry
from pages.ui.period_pickers import comparison_picker, grain_picker, period_picker
from pages.ui.share_link import share_controls
from pages.ui.shared_views import for_viewer
from pages.ui.table_choice import newest_table
from pages.ui.table_columns import table_columns
from pages.ui.table_sources import show_table_sources
from pages.ui.url_params import url_radio
from pages.ui.working_time import working_time_picker
from pages.ui.workspace_access import entries_key, load_entry

_SEGMENT_PLURALS = {"category": "categories", "priority": "priorities"}
_SNAPSHOT_NOTES = {
    SNAPSHOT_VARIANTS["customers"]: (
        "Snapshot of a customer list without dates: churned customers / all "
        "customers in the list."
    ),
    SNAPSHOT_VARIANTS["revenue"]: (
        "Snapshot of a customer list without dates: monthly charges flagged "
        "churned / all monthly charges in the list."
    ),
}
_SERIES_LABELS = {"customers": "Churn rate", "revenue": "Revenue churn rate"}
# The tables each card is computed from, for a comparison period that lies
# before them.
_KPI_TABLES = {
    "nps": ("nps",),
    "churn_rate": ("subscriptions",),
    "resolution_hours": ("tickets",),
    "followups_per_ticket": ("tickets",),
}
_LABELS = {
    "nps": "Net Promoter Score",
    "churn_rate": "Churn rate",
    "resolution_hours": "Time to resolution",
    "followups_per_ticket": "Follow-ups per ticket",
}


def render() -> None:
    st.title("Customer service")
    st.write(
        "How customers rate you and how fast and with how many replies their "
        "tickets are solved."
    )
    tickets_entry = newest_table("tickets")
    nps_entry = newest_table("nps")
    messages_entry = newest_table("ticket_messages")
    subscriptions_entry = newest_table("subscriptions")
    if tickets_entry is None and nps_entry is None and subscriptions_entry is None:
        st.info(
            data_page_hint(
                "No tickets, NPS responses or subscriptions yet. Upload them on "
                "the Data page.",
                "No tickets, NPS responses or subscriptions yet. Ask the sender "
                "of this link to upload them.",
            )
        )
        data_page_link()
        return
    tickets = load_entry(tickets_entry)
    responses = load_entry(nps_entry)
    messages = load_entry(messages_entry)
    subscriptions = load_entry(subscriptions_entry)
    period = period_picker(
        {
            "tickets": tickets,
            "ticket_messages": messages,
            "nps": responses,
            "subscriptions": subscriptions,
        }
    )
    grain = grain_picker(period)
    compare = comparison_picker(period)
    share_controls("service", "Customer service")

    tables_key = entries_key(
        tickets_entry, nps_entry, messages_entry, subscriptions_entry
    )
    frames = (tickets, responses, messages, subscriptions)
    # An invalid working time stops only the time to resolution, which is
    # the one figure that depends on it.
    working = working_time_picker()
    variants = _variant_picker()
    settings = (working, tuple(sorted(variants.items())))
    if isinstance(working, WorkingTime):
        report = KpiSettings(period=period, working=working, variants=variants)
        excel_download(report, grain)
    else:
        st.sidebar.caption("The Excel report needs a valid working time.")
    # The warnings of the time to resolution and the follow-ups name the
    # file's columns and the tables.
    columns = tickets_entry.mapping if tickets_entry is not None else None
    names = tuple(
        (table_type, entry.name)
        for table_type, entry in (
            ("tickets", tickets_entry),
            ("ticket_messages", messages_entry),
        )
        if entry is not None
    )
    try:
        kpis = _service_figures(tables_key, period, *settings, names, *frames, columns)
        previous = {}
        if compare is not None:
            previous = _service_figures(
                tables_key, compare, *settings, names, *frames, columns
            )
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return

    show_table_sources(
        tickets_entry,
        messages_entry if tickets is not None else None,
        nps_entry,
        subscriptions_entry,
        period=period,
    )
    if compare is not None:
        st.caption(f"Changes are against {compare.label()}.")
        tables = {
            table_type: frame
            for table_type, frame in zip(
                ("tickets", "nps", "ticket_messages", "subscriptions"),
                frames,
                strict=True,
            )
            if frame is not None
        }
        unrecorded = tables_before_data(tables, _KPI_TABLES, compare)
        recorded_by = "their tables record dates"
        previous = without_unrecorded(
            previous, unrecorded, _LABELS, compare, recorded_by
        )
    kpi_row(_LABELS, kpis, previous)
    if subscriptions is not None:
        churn_variant = variants.get("churn_rate", "customers")
        _render_churn(subscriptions, period, grain, kpis["churn_rate"], churn_variant)
    if responses is not None:
        _render_nps(responses, period, grain, variants.get("nps", "all"))
    if tickets is not None:
        resolved = _render_resolution(tickets, period, grain, working, variants)
        followups = kpis["followups_per_ticket"]
        counted = _render_followups(tickets, period, messages, followups)
        _render_segments(
            tickets,
            period,
            messages,
            working if resolved else None,
            variants.get("resolution_hours", "business"),
            followups if counted and followups.available else None,
        )

    # The rows behind the follow-ups take their replies from the same
    # message log as the card.
    tables = {"tickets": tickets, "ticket_messages": messages, "nps": responses}
    tables = {name: frame for name, frame in tables.items() if frame is not None}
    with st.expander("How is this calculated, and which rows were left out"):
        for key, label in _LABELS.items():
            if key not in kpis:
                continue
            rows = None
            if kpis[key].available:
                # The time to resolution is available only with a valid
                # working time, whose hours its rows show.
                valid = working if isinstance(working, WorkingTime) else None
                rows = rows_behind(key, tables, period, dict(variants), valid)
            explain(kpis[key], label, rows)


@st.cache_data(max_entries=64, show_spinner=False)
def _service_figures(
    cache_key: str,
    period: Period,
    working: WorkingTime | str,
    variant_items: tuple[tuple[str, str], ...],
    table_names: tuple[tuple[str, str], ...],
    _tickets: pl.DataFrame | None,
    _responses: pl.DataFrame | None,
    _messages: pl.DataFrame | None,
    _subscriptions: pl.DataFrame | None,
    _ticket_columns: dict[str, str | None] | None,
) -> dict[str, KpiResult]:
    """Compute the page's KPIs once per table versions and settings, so a
    rerun for another widget does not compute them again.

    ``working`` is the working time, or the message of an invalid one, which
    makes the time to resolution not available with that reason.
    ``_ticket_columns`` is the stored mapping of the tickets table, which
    ``cache_key`` identifies with the table's version. ``table_names`` pairs
    the table types with the names of the stored tables, which the warnings
    of the follow-ups per ticket name.
    """
    del cache_key
    variants = dict(variant_items)
    names = dict(table_names)
    if isinstance(working, WorkingTime):
        kpis = service_kpis(
            tickets=_tickets,
            responses=_responses,
            messages=_messages,
            period=period,
            working=working,
            variants=variants,
            ticket_columns=_ticket_columns,
            table_names=names,
        )
    else:
        kpis = service_kpis(responses=_responses, period=period, variants=variants)
        if _tickets is not None:
            reason = _working_time_reason(working)
            kpis["resolution_hours"] = not_available("resolution_hours", reason)
            kpis["followups_per_ticket"] = followups_per_ticket(
                _tickets, period, _messages, tables=names, columns=_ticket_columns
            )
    if _subscriptions is not None:
        kpis["churn_rate"] = churn_rate(
            _subscriptions, period, variants.get("churn_rate", "customers")
        )
    return kpis


def _working_time_reason(message: str) -> str:
    return (
        f"Not computed, because the working time in the sidebar is invalid: {message}."
    )


def _variant_picker() -> dict[str, str]:
    resolution = url_radio(
        "Resolution time in",
        {"business": "business hours", "calendar": "calendar hours"},
        key="service_resolution_variant",
        container=st.sidebar,
        horizontal=True,
    )
    nps = url_radio(
        "NPS counts",
        {"all": "every response", "latest_per_customer": "latest per customer"},
        key="service_nps_variant",
        container=st.sidebar,
    )
    churn = url_radio(
        "Churn counts",
        {"customers": "customers lost", "revenue": "recurring revenue lost"},
        key="service_churn_variant",
        container=st.sidebar,
    )
    return {"resolution_hours": resolution, "nps": nps, "churn_rate": churn}


def _render_churn(
    subscriptions: pl.DataFrame,
    period: Period,
    grain: str,
    result: KpiResult,
    variant: str,
) -> None:
    st.subheader("Churn")
    if result.available:
        # Only figures the result has: a snapshot list has no annualised rate,
        # and a whole-history rate counts no joins inside a period.
        extra = result.extra
        notes = []
        if result.variant in _SNAPSHOT_NOTES:
            notes.append(_SNAPSHOT_NOTES[result.variant])
        if "retention" in extra:
            notes.append(f"Retention {format_number(extra['retention'], 1)} %.")
        if "annualised" in extra:
            annualised = format_number(extra["annualised"], 1)
            notes.append(f"Annualised churn {annualised} %.")
        elif not period.is_all and result.variant not in _SNAPSHOT_NOTES:
            notes.append(
                "No annualised churn, because no whole calendar month of the "
                "period has a rate."
            )
        if "joined_and_left" in extra:
            joined = extra["joined_and_left"]
            notes.append(
                f"{count_noun(joined, 'customer')} joined and left inside the "
                f"period and {'is' if joined == 1 else 'are'} not in the rate."
            )
        if "reactivations" in extra:
            notes.append(f"{count_noun(extra['reactivations'], 'customer')} came back.")
        st.caption(" ".join(notes))
    if is_snapshot(subscriptions):
        column = "a start date column"
        reason = "The customer list has no dates"
        if has_undated_churn(subscriptions):
            column = "the end or cancellation date column"
            reason = "The churned flags have no end or cancellation dates"
        hint = data_page_hint(
            f"Map {column} on the Data page to see it.",
            f"The sender of this link can map {column} to show it.",
        )
        st.info(
            f"Churn by {grain} is not shown. {reason}, so there is one figure "
            f"for the whole list and no churn over time. {hint}"
        )
        return
    try:
        series = churn_series(subscriptions, period, grain, variant)
    except InputError as error:
        st.info(escape_markdown(str(error)))
        return
    if series.is_empty():
        return
    if not charts.has_values(series, "churn_rate"):
        st.info(
            f"Churn by {grain} is not shown. No customer was active at the start "
            f"of any {grain} in this period, so there is no churn rate."
        )
        return
    span = table_span(subscriptions, "subscriptions")
    partial = partial_periods(series["period_start"], grain, period, span)
    series = blank_empty_buckets(series, partial)
    show_chart(
        st,
        charts.rate_like_lines(
            series,
            {"churn_rate": _SERIES_LABELS[variant]},
            f"Churn by {grain}",
            "Churn (%)",
            grain,
            partial,
        ),
    )
    if note := partial_note(partial):
        st.caption(note)


def _render_nps(
    responses: pl.DataFrame, period: Period, grain: str, variant: str
) -> None:
    st.subheader("Net Promoter Score")
    gap = variant_gap(responses, variant)
    if gap is not None:
        hint = data_page_hint(
            "Map a customer id column on the Data page, or count every response.",
            "The sender of this link can map a customer id column, or share a "
            "view that counts every response.",
        )
        st.info(f"The trend and the scores are not shown: {gap}. {hint}")
        return
    series = nps_series(responses, period, grain, variant)
    distribution = nps_distribution(responses, period, variant)
    left, right = st.columns(2)
    undated = (
        "responded_at" not in responses.columns
        or responses["responded_at"].null_count() == responses.height
    )
    if series.is_empty() and undated:
        hint = data_page_hint(
            "Map a date column to responded_at on the Data page to see one.",
            "The sender of this link can map a date column to responded_at to "
            "show one.",
        )
        left.info(f"The responses have no dates, so there is no trend. {hint}")
    elif series.is_empty():
        left.info("No response is dated in this period, so there is no trend.")
    else:
        span = table_span(responses, "nps")
        partial = partial_periods(series["period_start"], grain, period, span)
        series = blank_empty_buckets(series, partial)
        show_chart(left, charts.nps_stacked(series, grain, partial))
        if note := partial_note(partial):
            left.caption(note)
    if distribution["count"].sum() == 0 and undated:
        right.info(
            "Scores are not shown. The responses have no dates, so none falls "
            "into this period; choose All data to see them."
        )
    elif distribution["count"].sum() == 0:
        right.info("Scores are not shown. No response falls into this period.")
    else:
        show_chart(right, charts.score_distribution(distribution))


def _render_resolution(
    tickets: pl.DataFrame,
    period: Period,
    grain: str,
    working: WorkingTime | str,
    variants: dict[str, str],
) -> bool:
    """Show the time to resolution by ``grain``. Return False when there is
    no figure to show: an invalid working time, no solve-date column, or no
    ticket solved."""
    st.subheader("Time to resolution")
    if not isinstance(working, WorkingTime):
        st.info(escape_markdown(_working_time_reason(working)))
        return False
    if missing := describe_missing_solve_column(tickets, period):
        _show_missing_solve_column("Time to resolution is", missing)
        return False
    variant = variants.get("resolution_hours", "business")
    unit = "Business hours" if variant == "business" else "Calendar hours"
    series = resolution_series(tickets, period, grain, working, variant)
    if not charts.has_values(series, "mean_hours"):
        hint = data_page_hint(
            "map that column to solved_at on the Data page.",
            "the sender of this link can map that column to solved_at.",
        )
        when = "" if period.is_all else " in this period"
        st.info(
            f"Time to resolution is not shown. No ticket was solved{when}. "
            f"If the tickets have solve times, {hint}"
        )
        return False
    span = table_span(tickets, "tickets")
    partial = partial_periods(series["period_start"], grain, period, span)
    series = blank_empty_buckets(series, partial)
    show_chart(
        st,
        charts.rate_like_lines(
            series,
            {"mean_hours": "Mean", "median_hours": "Median"},
            f"Time to resolution by {grain} of solve",
            f"{unit} (h)",
            grain,
            partial,
        ),
    )
    if note := partial_note(partial):
        st.caption(note)
    return True


def _render_followups(
    tickets: pl.DataFrame,
    period: Period,
    messages: pl.DataFrame | None,
    result: KpiResult,
) -> bool:
    """Show the solved tickets per number of agent replies. Return False
    when the tickets have no replies column and there is no message log.
    ``result`` is the card's follow-ups per ticket; when it is not
    available, such as for a message log that contains none of the tickets
    without a replies column to fall back on, its reason takes the place of
    the table."""
    if "replies" not in tickets.columns and messages is None:
        return False
    st.subheader("Follow-ups per ticket")
    if missing := describe_missing_solve_column(tickets, period):
        _show_missing_solve_column("Follow-ups per ticket are", missing)
        return True
    if not result.available:
        reason = f"{result.reason[:1].upper()}{result.reason[1:]}"
        text = f"Follow-ups per ticket are not shown. {reason.rstrip('.')}."
        st.info(escape_markdown(for_viewer(text)))
        return True
    distribution = followups_distribution(tickets, period, messages)
    labels = table_columns(distribution)
    st.dataframe(
        distribution, hide_index=True, column_config=labels, placeholder=MISSING
    )
    return True


def _show_missing_solve_column(subject: str, reason: str) -> None:
    """Show why ``subject`` ("Time to resolution is") is not shown when the
    tickets have no solve-date column, with the reason of
    ``describe_missing_solve_column``."""
    text = f"{subject} not shown. {reason[:1].upper()}{reason[1:]}."
    st.info(escape_markdown(for_viewer(text)))


def _render_segments(
    tickets: pl.DataFrame,
    period: Period,
    messages: pl.DataFrame | None,
    working: WorkingTime | None,
    variant: str,
    followups: KpiResult | None,
) -> None:
    """Show the time to resolution and the follow-ups per ticket per value
    of the segment chosen in one box.

    ``working`` is None when the time to resolution has nothing to break
    down, and ``followups`` (the KPI card's result) is None when the
    follow-ups per ticket have nothing to break down.
    """
    present = ticket_segments(tickets)
    if not present or (working is None and followups is None):
        return
    st.subheader("By segment")
    segment = st.selectbox(
        "Break tickets down by",
        present,
        format_func=column_label,
        key="service_segment",
        bind="query-params",
    )
    if working is not None:
        _render_resolution_breakdown(tickets, period, segment, working, variant)
    if followups is not None:
        _render_followups_breakdown(tickets, period, segment, messages, followups)


def _render_resolution_breakdown(
    tickets: pl.DataFrame,
    period: Period,
    segment: str,
    working: WorkingTime,
    variant: str,
) -> None:
    hours = RESOLUTION_VARIANTS[variant]
    st.markdown(f"**Time to resolution by {segment}**")
    table = resolution_breakdown(tickets, period, segment, working, variant)
    if charts.has_values(table, "mean_hours"):
        show_chart(
            st,
            charts.breakdown_bars(
                table,
                segment,
                "mean_hours",
                f"Slowest {segment} first",
                f"Mean {hours} (h)",
                keep=charts.BOTH_ENDS,
                count=("tickets", "Solved tickets"),
            ),
        )
        noun = (segment, _SEGMENT_PLURALS.get(segment, f"{segment}s"))
        label = f"The chart of mean {hours}"
        note = charts.breakdown_note(
            table, segment, "mean_hours", label, noun, keep=charts.BOTH_ENDS
        )
        if note:
            listed = count_noun(table.height, *noun)
            st.caption(f"{note} The table below lists all {listed}.")
    # The headers name the variant's hours, as in the Excel report.
    labels = table_columns(
        table,
        headers={"mean_hours": f"Mean {hours}", "median_hours": f"Median {hours}"},
    )
    st.dataframe(table, hide_index=True, column_config=labels, placeholder=MISSING)


def _render_followups_breakdown(
    tickets: pl.DataFrame,
    period: Period,
    segment: str,
    messages: pl.DataFrame | None,
    followups: KpiResult,
) -> None:
    st.markdown(f"**Follow-ups per ticket by {segment}**")
    table = followups_breakdown(tickets, period, segment, messages)
    labels = table_columns(table)
    st.dataframe(table, hide_index=True, column_config=labels, placeholder=MISSING)
    st.caption(followups_breakdown_note(followups))


require_app_entry("pages/service.py")
render()
chart_downloads("service")
