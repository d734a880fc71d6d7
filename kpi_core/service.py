"""Customer-service KPIs: time to resolution, plus the entry point for all.

Input columns of the canonical tickets table: created_at and solved_at
(Date, or naive Datetime on the wall clock of the working time zone),
status, business_minutes and the segment columns (agent, channel, category,
priority). Which tickets count as solved is decided in ``kpi_core.tickets``.
Follow-ups per ticket (``kpi_core.followups``) and the NPS functions
(``kpi_core.nps``) are re-exported here, so ``service`` has every service KPI.
"""

from __future__ import annotations

import polars as pl

from kpi_core.business_hours import (
    WorkingTime,
    business_hours_between,
    calendar_hours_between,
    wall_clock,
)
from kpi_core.errors import InvalidSettingError, MissingColumnError
from kpi_core.followups import (
    followups_breakdown,
    followups_distribution,
    followups_per_ticket,
)
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.nps import (
    net_promoter_score,
    nps_breakdown,
    nps_distribution,
    nps_series,
)
from kpi_core.period import Period, grain_every
from kpi_core.results import KpiResult, not_available
from kpi_core.tickets import (
    NO_SEGMENT,
    nonzero_counts,
    require_segment,
    reuse_last_result,
    solved_tickets,
)

__all__ = [
    "followups_breakdown",
    "followups_distribution",
    "followups_per_ticket",
    "net_promoter_score",
    "nps_breakdown",
    "nps_distribution",
    "nps_series",
    "resolution_breakdown",
    "resolution_hours",
    "resolution_rows",
    "resolution_series",
    "service_kpis",
]

ALL_DATA = Period()
DEFAULT_WORKING = WorkingTime()
RESOLUTION_VARIANTS = {"business": "business hours", "calendar": "calendar hours"}

_HOURS = "hours"


def resolution_hours(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    working: WorkingTime = DEFAULT_WORKING,
    variant: str = "business",
) -> KpiResult:
    """Compute the mean time from creation to final solve of solved tickets.

    Formula: sum of (solved_at - created_at) / solved tickets, in hours, over
    the tickets solved in the period (created_at, solved_at, status,
    business_minutes). Variant "business" counts working hours of
    ``working``, but uses the helpdesk's own business_minutes / 60 where a
    ticket has it. Variant "calendar" counts elapsed hours. The median is in
    ``extra``. Open tickets created in the period, tickets without a
    creation date and tickets solved before they were created are left out
    and counted. No usable solved ticket, as with an empty frame, gives not
    available.
    """
    hours, excluded = _resolution_table(tickets, period, working, variant)
    if hours.is_empty():
        reason = "no solved tickets in this period"
        return not_available("resolution_hours", reason, excluded=excluded)

    total = float(hours[_HOURS].sum())
    n = hours.height
    mean = total / n
    median = float(hours[_HOURS].median())
    (shown_total,) = format_inputs((total,), lambda hours: hours / n, mean, 1, 1)
    formula = (
        f"{shown_total} {RESOLUTION_VARIANTS[variant]} / "
        f"{count_noun(n, 'solved ticket')} = {format_number(mean, 1)} hours "
        f"(median {format_number(median, 1)} hours)"
    )
    return KpiResult(
        key="resolution_hours",
        status="ok",
        unit="hours",
        value=mean,
        numerator=total,
        denominator=n,
        n=n,
        variant=_resolution_label(tickets, working, variant),
        formula=formula,
        excluded=excluded,
        extra={"median": median},
    )


def resolution_breakdown(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    segment: str = "agent",
    working: WorkingTime = DEFAULT_WORKING,
    variant: str = "business",
) -> pl.DataFrame:
    """Compute the resolution time per agent, channel, category or priority.

    Columns: the segment (an empty value becomes "(none)"), tickets,
    mean_hours and median_hours. Tickets are chosen and measured as in
    ``resolution_hours``. Sorted by mean_hours, slowest first. Raises
    MissingColumnError when the segment column is absent. An empty frame
    gives an empty table.
    """
    require_segment(tickets, segment)
    hours, _excluded = _resolution_table(tickets, period, working, variant)
    key = pl.col(segment).cast(pl.String).fill_null(NO_SEGMENT).alias(segment)
    table = hours.group_by(key).agg(_hour_stats())
    return table.sort(["mean_hours", segment], descending=[True, False])


def resolution_series(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    working: WorkingTime = DEFAULT_WORKING,
    variant: str = "business",
) -> pl.DataFrame:
    """Compute the resolution time per week, month, quarter or year of solve.

    Columns: period_start (Date), tickets, mean_hours and median_hours.
    Only buckets with solved tickets are listed. Tickets are chosen and
    measured as in ``resolution_hours``. Raises InvalidSettingError for an
    unknown grain. An empty frame gives an empty table.
    """
    every = grain_every(grain)
    hours, _excluded = _resolution_table(tickets, period, working, variant)
    start = pl.col("solved_at").cast(pl.Date).dt.truncate(every)
    table = hours.group_by(start.alias("period_start")).agg(_hour_stats())
    return table.sort("period_start")


def resolution_rows(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    working: WorkingTime = DEFAULT_WORKING,
    variant: str = "business",
) -> pl.DataFrame:
    """Return the tickets that ``resolution_hours`` measures, one per row,
    with the hours it counted for each in ``business_hours`` or
    ``calendar_hours`` (by ``variant``), so one ticket can be checked."""
    hours, _excluded = _resolution_table(tickets, period, working, variant)
    return hours.rename({_HOURS: f"{variant}_hours"})


def service_kpis(
    tickets: pl.DataFrame | None = None,
    responses: pl.DataFrame | None = None,
    messages: pl.DataFrame | None = None,
    period: Period = ALL_DATA,
    working: WorkingTime = DEFAULT_WORKING,
    variants: dict[str, str] | None = None,
) -> dict[str, KpiResult]:
    """Compute every service KPI of the tables given, keyed by report key.

    A KPI whose table is not given is absent from the result. ``variants``
    may set "resolution_hours" ("business" or "calendar") and "nps" ("all"
    or "latest_per_customer"). Variants of other KPIs are ignored, so one
    mapping can serve every KPI family.
    """
    chosen = variants or {}
    results: dict[str, KpiResult] = {}
    if responses is not None:
        nps_variant = chosen.get("nps", "all")
        results["nps"] = net_promoter_score(responses, period, nps_variant)
    if tickets is not None:
        resolution_variant = chosen.get("resolution_hours", "business")
        results["resolution_hours"] = resolution_hours(
            tickets, period, working, resolution_variant
        )
        results["followups_per_ticket"] = followups_per_ticket(
            tickets, period, messages
        )
    return results


@reuse_last_result
def _resolution_table(
    tickets: pl.DataFrame, period: Period, working: WorkingTime, variant: str
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return the solved tickets of the period with their hours in ``_HOURS``,
    and the counts of tickets left out per reason."""
    if variant not in RESOLUTION_VARIANTS:
        raise InvalidSettingError(
            f"unknown variant {variant!r} for resolution_hours; use one of "
            f"{', '.join(RESOLUTION_VARIANTS)}"
        )
    if "created_at" not in tickets.columns:
        raise MissingColumnError(
            "the tickets have no created_at column, so the time to resolution "
            "cannot be measured; map the ticket creation date",
            column="created_at",
        )
    solved, excluded = solved_tickets(tickets, period)
    created = wall_clock("created_at", solved.columns, working.timezone)
    final_solve = wall_clock("solved_at", solved.columns, working.timezone)
    measured = solved.with_columns(
        calendar_hours_between(created, final_solve, working.timezone).alias(
            "_calendar"
        ),
        _hours_expr(solved, working, variant).alias(_HOURS),
    )
    no_creation = measured["created_at"].null_count()
    backwards = measured.filter(
        pl.col("created_at").is_not_null() & pl.col("_calendar").is_null()
    ).height
    excluded["solved ticket without a creation date"] = no_creation
    excluded["ticket solved before it was created"] = backwards
    usable = measured.filter(pl.col("_calendar").is_not_null()).drop("_calendar")
    return usable, nonzero_counts(excluded)


def _hours_expr(solved: pl.DataFrame, working: WorkingTime, variant: str) -> pl.Expr:
    created = wall_clock("created_at", solved.columns, working.timezone)
    final_solve = wall_clock("solved_at", solved.columns, working.timezone)
    if variant == "calendar":
        return calendar_hours_between(created, final_solve, working.timezone)
    years = _years(solved, created, final_solve)
    computed = business_hours_between(created, final_solve, working, years)
    if "business_minutes" not in solved.columns:
        return computed
    # The helpdesk applied the ticket's own schedule, which the export keeps.
    return pl.coalesce(pl.col("business_minutes").cast(pl.Float64) / 60, computed)


def _resolution_label(tickets: pl.DataFrame, working: WorkingTime, variant: str) -> str:
    if variant == "calendar":
        return f"calendar hours ({working.timezone})"
    label = f"business hours ({working.label()})"
    if "business_minutes" in tickets.columns:
        label += "; the helpdesk's own business minutes where the export has them"
    return label


def _years(
    solved: pl.DataFrame, created: pl.Expr, final_solve: pl.Expr
) -> tuple[int, int] | None:
    """Return the first and last year the tickets were open in, if any, by
    the wall-clock times ``created`` and ``final_solve``."""
    bounds = solved.select(
        created.dt.year().min().alias("first"),
        final_solve.dt.year().max().alias("last"),
    ).row(0)
    if bounds[0] is None or bounds[1] is None:
        return None
    return int(bounds[0]), int(max(bounds))


def _hour_stats() -> list[pl.Expr]:
    return [
        pl.len().cast(pl.Int64).alias("tickets"),
        pl.col(_HOURS).mean().alias("mean_hours"),
        pl.col(_HOURS).median().alias("median_hours"),
    ]
