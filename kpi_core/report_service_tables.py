"""The Excel report's Service sheet tables: churn, NPS, resolution, follow-ups."""

from __future__ import annotations

import polars as pl

from kpi_core.churn import churn_series
from kpi_core.excel_report import ReportChart, ReportTable
from kpi_core.followups import (
    followups_breakdown,
    followups_breakdown_note,
    followups_distribution,
)
from kpi_core.kpis import KpiSettings
from kpi_core.nps import nps_distribution, variant_gap
from kpi_core.period import Period
from kpi_core.report_table_common import (
    Tables,
    guarded,
    sentence,
    series_partials,
    with_partial,
)
from kpi_core.results import KpiResult
from kpi_core.service import (
    RESOLUTION_VARIANTS,
    nps_series,
    resolution_breakdown,
    resolution_series,
)
from kpi_core.ticket_segments import ticket_segments
from kpi_core.tickets import describe_missing_solve_column


def service_sheet_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    period = settings.period
    found: dict[str, ReportTable] = {}
    if "subscriptions" in tables:
        churn_variant = settings.variants.get("churn_rate", "customers")
        found[f"Churn by {grain}"] = guarded(
            lambda: _churn_table(tables["subscriptions"], period, grain, churn_variant)
        )
    responses = tables.get("nps")
    if responses is not None:
        nps_variant = settings.variants.get("nps", "all")
        gap = variant_gap(responses, nps_variant)
        if gap is not None:
            found["NPS"] = ReportTable(
                note=sentence(f"The NPS trend and scores are not shown: {gap}")
            )
        else:
            found[f"NPS by {grain}"] = _nps_series_table(
                responses, period, grain, nps_variant
            )
            found["NPS scores"] = _nps_scores_table(responses, period, nps_variant)
    tickets = tables.get("tickets")
    if tickets is not None:
        found |= _ticket_tables(
            tickets, tables.get("ticket_messages"), settings, grain, kpis
        )
    return found


def _ticket_tables(
    tickets: pl.DataFrame,
    messages: pl.DataFrame | None,
    settings: KpiSettings,
    grain: str,
    kpis: dict[str, KpiResult],
) -> dict[str, ReportTable]:
    """Return the time to resolution and follow-up tables, each followed by
    its breakdowns by the segment columns the tickets have.

    The report is the same whichever page it is downloaded from, so it
    breaks the tickets down by every segment the Service page offers, not
    only by the one chosen there. Without a solved ticket the breakdowns
    are left out, because the table above them gives the reason.
    """
    period = settings.period
    segments = ticket_segments(tickets)
    series = _resolution_table(tickets, settings, grain)
    found = {f"Resolution hours by {grain}": series}
    if series.frame is not None:
        for segment in segments:
            found[f"Resolution hours by {segment}"] = guarded(
                lambda segment=segment: _resolution_segment_table(
                    tickets, settings, segment
                )
            )
    if "replies" not in tickets.columns and messages is None:
        return found

    result = kpis.get("followups_per_ticket")
    distribution = guarded(lambda: _followups_table(tickets, period, messages, result))
    found["Follow-ups per ticket"] = distribution
    if distribution.frame is None:
        return found
    note = None if result is None else followups_breakdown_note(result)
    for segment in segments:
        found[f"Follow-ups per ticket by {segment}"] = guarded(
            lambda segment=segment: _followups_segment_table(
                tickets, period, segment, messages, note
            )
        )
    return found


def _churn_table(
    subscriptions: pl.DataFrame, period: Period, grain: str, variant: str
) -> ReportTable:
    series = churn_series(subscriptions, period, grain, variant)
    partials = series_partials(series, grain, period, subscriptions, "subscriptions")
    if series.is_empty():
        return ReportTable(
            note=(
                "No churn over time: the subscriptions have no start dates, as "
                "in a customer list without dates."
            )
        )
    headers = {} if variant == "customers" else {"churn_rate": "Revenue churn (%)"}
    if series["churn_rate"].is_null().all():
        note = (
            f"Churn by {grain} is not charted. No customer was active at the "
            f"start of any {grain} in this period, so there is no churn rate."
        )
        return with_partial(ReportTable(series, headers, note=note), partials)
    title = "Churn" if variant == "customers" else "Revenue churn"
    chart = ReportChart(f"{title} by {grain} (%)", ("churn_rate",), "line")
    return with_partial(ReportTable(series, headers, (chart,)), partials)


def _nps_series_table(
    responses: pl.DataFrame, period: Period, grain: str, variant: str
) -> ReportTable:
    if "responded_at" not in responses.columns:
        return ReportTable(
            note=(
                "The responses have no dates, so there is no trend. Map a date "
                "column to responded_at on the Data page to see one."
            )
        )
    series = nps_series(responses, period, grain, variant)
    series = series.select("period_start", "nps")
    if series.is_empty():
        return ReportTable(
            note="No response is dated in this period, so there is no trend."
        )
    chart = ReportChart(f"NPS by {grain}", ("nps",), "line")
    partials = series_partials(series, grain, period, responses, "nps")
    return with_partial(ReportTable(series, charts=(chart,)), partials)


def _nps_scores_table(
    responses: pl.DataFrame, period: Period, variant: str
) -> ReportTable:
    distribution = nps_distribution(responses, period, variant)
    if distribution["count"].sum() == 0:
        note = "Scores are not shown. No response falls into this period."
        undated = (
            "responded_at" not in responses.columns
            or responses["responded_at"].null_count() == responses.height
        )
        if undated:
            note = (
                "Scores are not shown. The responses have no dates, so none "
                "falls into this period; choose All data to see them."
            )
        return ReportTable(note=note)
    chart = ReportChart("Responses per score", ("count",))
    return ReportTable(distribution, charts=(chart,))


def _resolution_table(
    tickets: pl.DataFrame, settings: KpiSettings, grain: str
) -> ReportTable:
    variant = settings.variants.get("resolution_hours", "business")
    series = resolution_series(
        tickets, settings.period, grain, settings.working, variant
    )
    if series["mean_hours"].is_null().all():
        missing = describe_missing_solve_column(tickets, settings.period)
        if missing is not None:
            note = f"Time to resolution is not shown. {sentence(missing)}"
            return ReportTable(note=note)
        when = "" if settings.period.is_all else " in this period"
        return ReportTable(
            note=(
                f"Time to resolution is not shown. No ticket was solved{when}. "
                "If the tickets have solve times, map that column to "
                "solved_at on the Data page."
            )
        )
    hours = RESOLUTION_VARIANTS[variant]
    headers = {"mean_hours": f"Mean {hours}", "median_hours": f"Median {hours}"}
    chart = ReportChart(
        f"Time to resolution by {grain} of solve ({hours})",
        ("mean_hours", "median_hours"),
        "line",
    )
    # The count beside each mean, so a month of 15 tickets reads apart from
    # one of 38.
    columns = ("period_start", "tickets", "mean_hours", "median_hours")
    table = ReportTable(series.select(columns), headers, (chart,))
    partials = series_partials(series, grain, settings.period, tickets, "tickets")
    return with_partial(table, partials)


def _followups_table(
    tickets: pl.DataFrame,
    period: Period,
    messages: pl.DataFrame | None,
    result: KpiResult | None,
) -> ReportTable:
    """Return the solved tickets per number of replies, or a note with the
    reason of the KPI ``result`` when it is not available, as the Service
    page shows it."""
    distribution = followups_distribution(tickets, period, messages)
    missing = describe_missing_solve_column(tickets, period)
    if missing is not None:
        note = f"Follow-ups per ticket are not shown. {sentence(missing)}"
        return ReportTable(note=note)
    if result is not None and not result.available:
        note = f"Follow-ups per ticket are not shown. {sentence(result.reason)}"
        return ReportTable(note=note)
    if distribution.is_empty():
        return ReportTable(note="No ticket with replies was solved in this period.")
    chart = ReportChart("Solved tickets per number of replies", ("tickets",))
    return ReportTable(distribution, charts=(chart,))


def _resolution_segment_table(
    tickets: pl.DataFrame, settings: KpiSettings, segment: str
) -> ReportTable:
    """Return the time to resolution per value of ``segment``, slowest
    first, as the Service page's breakdown shows it."""
    variant = settings.variants.get("resolution_hours", "business")
    table = resolution_breakdown(
        tickets, settings.period, segment, settings.working, variant
    )
    hours = RESOLUTION_VARIANTS[variant]
    headers = {"mean_hours": f"Mean {hours}", "median_hours": f"Median {hours}"}
    chart = ReportChart(f"Mean {hours} by {segment}", ("mean_hours",))
    note = "Solved tickets measured as for the time to resolution KPI."
    return ReportTable(table, headers, (chart,), note)


def _followups_segment_table(
    tickets: pl.DataFrame,
    period: Period,
    segment: str,
    messages: pl.DataFrame | None,
    note: str | None,
) -> ReportTable:
    """Return the follow-ups per ticket per value of ``segment``, most
    replies first, with ``note`` on the tickets it counts."""
    table = followups_breakdown(tickets, period, segment, messages)
    chart = ReportChart(f"Mean agent replies by {segment}", ("mean_replies",))
    return ReportTable(table, charts=(chart,), note=note)
