"""Customer-service KPIs: time to resolution, plus the entry point for all.

Input columns of the canonical tickets table: created_at and solved_at
(Date, or naive Datetime on the wall clock of the working time zone),
status, business_minutes and calendar_minutes (the helpdesk's own figures)
and the segment columns (agent, channel, category, priority). Which
tickets count as solved is decided in ``kpi_core.tickets``.
Follow-ups per ticket (``kpi_core.followups``) and the NPS functions
(``kpi_core.nps``) are re-exported here, so ``service`` has every service KPI.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import time

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
    describe_missing_solve_column,
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
# The helpdesk's own time to resolution per variant, in minutes, which
# replaces the computed time of a ticket that has it.
_HELPDESK_MINUTES = {"business": "business_minutes", "calendar": "calendar_minutes"}
# The ticket times that the time to resolution is measured between.
_TIME_FIELDS = ("created_at", "solved_at")


def resolution_hours(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    working: WorkingTime = DEFAULT_WORKING,
    variant: str = "business",
    columns: Mapping[str, str | None] | None = None,
) -> KpiResult:
    """Compute the mean time from creation to final solve of solved tickets.

    Formula: sum of (solved_at - created_at) / solved tickets, in hours, over
    the tickets solved in the period (created_at, solved_at, status,
    business_minutes, calendar_minutes). Variant "business" counts working
    hours of ``working``, but uses the helpdesk's own business_minutes / 60
    where a ticket has it. Variant "calendar" counts elapsed hours, but uses
    calendar_minutes / 60 where a ticket has it. The median is in ``extra``.
    Open tickets created in the period, tickets without a creation date and
    tickets solved before they were created are left out and counted. No
    usable solved ticket, as with an empty frame, gives not available, and
    so do tickets without a solve-date column, with a reason that counts the
    tickets their status marks solved or closed.

    When the creation or solve times of the measured tickets have no time
    of day, the result warns how far off that can make the figure (see
    ``_date_only_warning``). ``columns`` maps created_at and solved_at to the
    names of the file's columns, which the warning then uses.
    """
    hours, excluded = _resolution_table(tickets, period, working, variant)
    if hours.is_empty():
        reason = describe_missing_solve_column(tickets, period)
        reason = reason or "no solved tickets in this period"
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
        warnings=_date_only_warnings(hours, working, variant, columns),
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
    ticket_columns: Mapping[str, str | None] | None = None,
    table_names: Mapping[str, str] | None = None,
) -> dict[str, KpiResult]:
    """Compute every service KPI of the tables given, keyed by report key.

    A KPI whose table is not given is absent from the result. ``variants``
    may set "resolution_hours" ("business" or "calendar") and "nps" ("all"
    or "latest_per_customer"). Variants of other KPIs are ignored, so one
    mapping can serve every KPI family. ``ticket_columns`` maps the ticket
    fields to the file's column names, and ``table_names`` maps "tickets"
    and "ticket_messages" to the names of the stored tables or files, for
    the warnings.
    """
    chosen = variants or {}
    results: dict[str, KpiResult] = {}
    if responses is not None:
        nps_variant = chosen.get("nps", "all")
        results["nps"] = net_promoter_score(responses, period, nps_variant)
    if tickets is not None:
        resolution_variant = chosen.get("resolution_hours", "business")
        results["resolution_hours"] = resolution_hours(
            tickets, period, working, resolution_variant, ticket_columns
        )
        results["followups_per_ticket"] = followups_per_ticket(
            tickets, period, messages, tables=table_names, columns=ticket_columns
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


def _date_only_warning(
    fields: Collection[str],
    working: WorkingTime,
    variant: str,
    columns: Mapping[str, str | None] | None,
    *,
    date_typed: bool,
) -> str:
    """Write the warning that the ticket times ``fields`` (created_at,
    solved_at or both) have no time of day, and how far off that can make
    each ticket's time to resolution.

    ``date_typed`` is True when the columns are of type Date. Otherwise they
    are datetimes whose every value is at 00:00, as the import stores a date
    written without a time. ``columns`` maps a field to the file's column
    name; a field without one is called "the column mapped to" it.
    """
    named = [_column_name(field, columns) for field in _TIME_FIELDS if field in fields]
    subject = " and ".join(named)
    verb = "have" if len(named) > 1 else "has"
    if date_typed:
        found = f"{subject} {verb} dates without a time of day"
    else:
        found = (
            f"{subject} {verb} the time 00:00 on every measured ticket, which is "
            "how a date without a time of day is read"
        )
    if variant == "calendar":
        span = "a day (24 hours)"
    else:
        span = f"a working day ({working.daily_seconds / 3600:g} hours)"
    if set(fields) == {"created_at"}:
        effect = (
            "Each ticket counts from the start of the day it was created, which "
            f"adds up to {span} to its time."
        )
    elif set(fields) == {"solved_at"}:
        effect = (
            "Each ticket counts until the start of the day it was solved, which "
            f"takes up to {span} off its time."
        )
    else:
        effect = (
            "Each ticket counts from the start of the day it was created until "
            "the start of the day it was solved, so its time can be up to "
            f"{span} too long or too short."
        )
    return f"{found[0].upper()}{found[1:]}. {effect}"


def _date_only_warnings(
    hours: pl.DataFrame,
    working: WorkingTime,
    variant: str,
    columns: Mapping[str, str | None] | None,
) -> tuple[str, ...]:
    """Return the warning on the measured tickets' times without a time of
    day, or nothing when they have one."""
    measured = hours
    helpdesk = _HELPDESK_MINUTES[variant]
    if helpdesk in hours.columns:
        # The other tickets are measured by the helpdesk's own figure.
        measured = hours.filter(pl.col(helpdesk).is_null())
    fields = [field for field in _TIME_FIELDS if _without_time_of_day(measured[field])]
    if not fields:
        return ()
    date_typed = all(measured[field].dtype == pl.Date for field in fields)
    warning = _date_only_warning(
        fields, working, variant, columns, date_typed=date_typed
    )
    return (warning,)


def _without_time_of_day(values: pl.Series) -> bool:
    """Return True for a Date column and for datetimes that are all at 00:00,
    False for datetimes with a time of day and for a column without values.

    NOTE: the import stores a date written without a time as a datetime at
    00:00 and keeps no other sign of it, so a file whose times are all
    exactly midnight is taken for dates too.
    """
    if values.null_count() == values.len():
        return False
    if values.dtype == pl.Date:
        return True
    return bool((values.drop_nulls().dt.time() == time(0)).all())


def _column_name(field: str, columns: Mapping[str, str | None] | None) -> str:
    column = (columns or {}).get(field)
    if column:
        return repr(column)
    return f"the column mapped to {field}"


def _hours_expr(solved: pl.DataFrame, working: WorkingTime, variant: str) -> pl.Expr:
    created = wall_clock("created_at", solved.columns, working.timezone)
    final_solve = wall_clock("solved_at", solved.columns, working.timezone)
    if variant == "calendar":
        computed = calendar_hours_between(created, final_solve, working.timezone)
    else:
        years = _years(solved, created, final_solve)
        computed = business_hours_between(created, final_solve, working, years)
    helpdesk = _HELPDESK_MINUTES[variant]
    if helpdesk not in solved.columns:
        return computed
    # The helpdesk measured with the ticket's own schedule and exact times,
    # which the working time settings and an export of dates alone may lack.
    return pl.coalesce(pl.col(helpdesk).cast(pl.Float64) / 60, computed)


def _resolution_label(tickets: pl.DataFrame, working: WorkingTime, variant: str) -> str:
    if variant == "calendar":
        label = f"calendar hours ({working.timezone})"
    else:
        label = f"business hours ({working.label()})"
    if _HELPDESK_MINUTES[variant] in tickets.columns:
        label += f"; the helpdesk's own {variant} hours where the export has them"
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
