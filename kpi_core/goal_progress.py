"""Evaluate a goal on a given day: current value, baseline, pace, forecast, status.

The goal's current value covers its start to the day of evaluation, and its
baseline the window of the same length that ends the day before the start.
Counts are forecast from their pace so far, with a 95 % prediction interval
for the final count, and KPIs by their current value with its 95 % interval
(see ``goal_forecast``).
The churn and email-list growth rates keep the customers or contacts at the
window's start as their base, so they grow with the window and are continued
at their pace as counts are.
Progress measures the forecast on the way from the baseline to the target,
or from 0 for a count with an absolute floor whose data starts after the
baseline window (see ``_progress_from_zero``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.goal_currency import target_currency
from kpi_core.goal_forecast import (
    PATH_SCHEMA,
    goal_outlook,
    goal_path,
    grows_with_window,
    meets_target,
)
from kpi_core.goal_metrics import (
    UP,
    Measurement,
    Metric,
    apply_segments,
    goal_metric,
    known_on,
    measure,
    measure_baseline,
    missing_inputs,
    target_value,
)
from kpi_core.goal_notes import (
    no_baseline_reason,
    no_progress_note,
    stated_target,
    unmatched_segment,
    window_problem,
)
from kpi_core.period import Period
from kpi_core.recorded_spans import metric_recorded_span, outside_data_reason
from kpi_core.table_names import TableNames

if TYPE_CHECKING:
    from kpi_core.goals import Goal

ON_TRACK = "on track"
# From the deadline on, a goal whose final value meets its target is
# achieved, and one whose final value misses it stays off track.
ACHIEVED = "achieved"
AT_RISK = "at risk"
OFF_TRACK = "off track"
NOT_STARTED = "not started"
NOT_AVAILABLE = "not available"
# A KPI without a 95 % interval (a mean such as hours to resolution) is at
# risk, not off track, when its forecast misses the target by at most this
# share of the target.
AT_RISK_SHARE = 0.10


@dataclass(frozen=True)
class GoalStatus:
    """The state of a goal on ``as_of``.

    ``status`` is one of on track, at risk, off track, achieved, not started
    or not available (with ``reason``). Values are in ``unit``. A goal that
    is not available still has its ``target`` when the target is absolute, but a
    relative target without a baseline has none. Paces are per
    month: for a count, rows per month, and for a KPI, the change of the KPI
    per month. ``progress`` is in percent of the way from the baseline to
    the target, 0 to 100, as ``progress_percent`` computes it from the
    forecast. When ``progress_from_zero`` is True, the way starts at 0
    instead and ``progress_note`` gives the reason. When ``progress`` is None,
    ``progress_note`` gives the reason. ``path`` has one row per week or
    month with the columns date, actual and target_path.
    """

    goal: Goal
    as_of: date
    status: str
    reason: str = ""
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    n: int | None = None
    progress: float | None = None
    progress_note: str = ""
    progress_from_zero: bool = False
    pace_so_far: float | None = None
    required_pace: float | None = None
    forecast: float | None = None
    forecast_band: tuple[float, float] | None = None
    # Set when the baseline covers only part of its window.
    baseline_note: str = ""
    # Names the exchange rate a money target was converted at, or the
    # currency assumed for a goal saved without one.
    currency_note: str = ""
    # Set when the table of a count or of a rate that grows with its window
    # ends before the day the goal is evaluated on.
    as_of_note: str = ""
    # The KPI's warnings on the current value, or on the baseline before the
    # goal starts, such as which table the follow-ups per ticket came from.
    warnings: tuple[str, ...] = ()
    # True when the current value already meets the target, so no pace is
    # needed. A downward count or churn rate meets its ceiling only at the
    # deadline, because customers and rows may still come in before it.
    reached: bool = False
    # True when the forecast continues the value so far at its pace to the
    # deadline: for counts and the rates of ``grows_with_window``.
    projected: bool = False
    path: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PATH_SCHEMA))


def evaluate_goal(
    goal: Goal,
    tables: Mapping[str, pl.DataFrame],
    as_of: date,
    fx: Mapping[str, float] | None = None,
    working: WorkingTime | None = None,
    names: TableNames | None = None,
) -> GoalStatus:
    """Measure a goal on ``as_of`` against its target and forecast the deadline.

    ``tables`` maps a table type (deals, tickets, email_events, nps,
    subscriptions) to its canonical frame. The current value covers the
    start to ``as_of`` (or to the deadline once it has passed). A money
    target set in another currency than the table's amounts is converted
    with the exchange rates ``fx`` (see ``target_currency``). Without a
    rate, the goal is not available. The time to resolution counts the
    working hours of ``working``, and the follow-ups per ticket the replies
    in a ticket message log of ``tables``, whose warnings name the tables
    by ``names`` (see ``goal_metric``).

    Counts: pace so far = count / months elapsed. Required pace = (target -
    count) / months left, at least 0; for a downward goal it is the most
    per month that still stays under the target. Forecast = count + pace so
    far x months left, rounded half up to a whole count, which is the count
    itself from the deadline on. The band is the count so far plus a 95 %
    prediction interval for the count still to come
    (``remaining_count_interval``). It covers both the uncertain rate and
    the Poisson noise of the remaining count. The status and progress use
    the rounded forecast, the one the card shows.

    KPIs: the forecast is the current value and the band its 95 % interval
    (Wilson for rates). Pace so far = (current - baseline) / months
    elapsed. Required pace = (target - current) / months left, 0 once the
    target is met.

    The won value and the rates that grow with their window
    (``grows_with_window``) start from 0 as counts do: pace so far = current
    / months elapsed, and the required pace is that of a count. The won
    value is continued in a straight line, forecast = current x k with k
    as below, unrounded and without a band. With k = (months elapsed + months left) /
    months elapsed, the churn rate is continued at a constant monthly hazard,
    forecast = 100 x (1 - (1 - current / 100)^k), which stays within 100 %.
    The list growth rate is continued in a straight line, current x k, but
    not below -100 %. The band is the current interval projected the same
    way.

    Progress, for counts and KPIs alike: (forecast - baseline) / (target -
    baseline) x 100, clamped to 0-100 (see ``progress_percent``). A count's
    forecast puts it on the scale of its baseline, a whole window. An
    absolute floor on a count without data in the baseline window is
    measured from 0 instead: forecast / target x 100, clamped the same way
    (see ``_progress_from_zero``).

    Status rule: on track when the forecast meets the target (at least the
    target for an upward goal, at most for a downward one). At risk when it
    misses but the favourable end of the band meets it. A KPI without an
    interval is at risk when it misses by at most ``AT_RISK_SHARE`` of the
    target.
    Off track otherwise. From the deadline on, the status is achieved when
    the final value meets the target and off track when it does not. Not
    started before the start date. Not available
    when the data lacks the table or columns, the goal's segment matches no
    row of the table, the deadline is not after the
    start, a relative target has no baseline, the KPI has no value yet, or
    the dates of a count's table, or of the table of a rate that grows with
    its window, lie wholly before or after the window so far (see
    ``outside_data_reason``).
    """
    if "ticket_messages" in tables:
        # Messages sent after the day were not in an export of that day.
        messages = known_on("ticket_messages", tables["ticket_messages"], as_of)
        tables = {**tables, "ticket_messages": messages}
    metric = goal_metric(goal.metric, working, tables, names)
    problem = missing_inputs(metric, goal.segments, tables) or window_problem(goal)
    if problem:
        target, unit = stated_target(goal, metric)
        return GoalStatus(
            goal, as_of, NOT_AVAILABLE, reason=problem, unit=unit, target=target
        )
    # Figures as of an earlier day count no outcome that came after it. The
    # checks of the days the export covers look at the whole table.
    exported = tables[metric.table]
    table = known_on(metric.table, exported, as_of)
    money = target_currency(goal, table, fx)
    if money is not None and money.factor is None:
        # The target stays in its own currency, so the card shows its unit.
        target, unit = stated_target(goal, metric)
        return GoalStatus(
            goal, as_of, NOT_AVAILABLE, reason=money.reason, unit=unit,
            target=target,
        )  # fmt: skip
    if unmatched := unmatched_segment(
        goal, metric, exported, apply_segments(exported, goal.segments)
    ):
        # A count of 0 or a forecast would read as a measurement of rows
        # that the data does not contain, often because a value is misspelt.
        target, unit = stated_target(goal, metric)
        return GoalStatus(
            goal, as_of, NOT_AVAILABLE, reason=unmatched, unit=unit, target=target
        )
    frame = apply_segments(table, goal.segments)
    baseline = measure_baseline(metric, table, frame, goal.baseline_period)
    if money is not None:
        # A KPI without a value in the window has no unit of its own.
        baseline = replace(baseline, unit=baseline.unit or money.unit)
    window_end = goal.baseline_period.end
    if baseline.value is not None and window_end is not None and as_of < window_end:
        cut = (
            f"The baseline window runs to {window_end}, after the day evaluated, "
            f"so the baseline counts its days up to {as_of} only."
        )
        baseline = replace(baseline, note=f"{baseline.note} {cut}".strip())
    target = target_value(goal.target, goal.target_kind, baseline.value)
    if target is None:
        reason = no_baseline_reason(baseline)
        return GoalStatus(goal, as_of, NOT_AVAILABLE, reason=reason)
    if money is not None and goal.target_kind == "absolute":
        target *= money.factor

    path = goal_path(goal, frame, baseline.value, target, as_of, working, metric)
    first = _progress_from_zero(goal, metric, table, baseline, target)
    if first is not None:
        progress_origin = 0.0
        progress_note = (
            f"Progress is measured from 0 because the data starts on {first}, "
            "after the baseline window, so no count before the start is known. "
            f"The count of this goal starts at 0 on {goal.start}."
        )
    else:
        progress_origin = baseline.value
        progress_note = no_progress_note(goal.direction, baseline, target)
    status = GoalStatus(
        goal, as_of, NOT_STARTED, unit=baseline.unit, baseline=baseline.value,
        target=target, path=path, baseline_note=baseline.note,
        progress_note=progress_note, progress_from_zero=first is not None,
        currency_note=money.note if money is not None else "",
        warnings=baseline.warnings,
    )  # fmt: skip
    if as_of < goal.start:
        return status
    window = Period(goal.start, min(as_of, goal.deadline))
    grows = grows_with_window(metric, frame)
    span = metric_recorded_span(metric, exported, grows)
    outside = outside_data_reason(span, window)
    if outside:
        return replace(status, status=NOT_AVAILABLE, reason=outside)
    last = span[1] if span is not None else None
    if last is not None and last < window.end:
        # The app cannot tell whether the export ends there or the days after
        # it had no rows, so the value is kept and the card names the date.
        note = (
            f"Its table's last date is {last}, before {window.end}. If the "
            "export ends there, the days after it count as days without any "
            f"row: choose {last} under Evaluated as of."
        )
        status = replace(status, as_of_note=note)
    current = measure(metric, frame, window)
    if current.value is None:
        return replace(status, status=NOT_AVAILABLE, reason=current.reason)
    outlook = goal_outlook(goal, metric, grows, baseline, target, current, as_of)
    verdict = goal_status(goal.direction, target, outlook.forecast, outlook.band)
    met = meets_target(goal.direction, current.value, target)
    if as_of >= goal.deadline:
        # NOTE: a ceiling whose table ends before the deadline is achieved on
        # the days the table covers; only ``as_of_note`` names the gap.
        verdict = ACHIEVED if met else OFF_TRACK
    # A downward count or churn rate can still rise past its ceiling before
    # the deadline.
    still_open = (metric.is_count or grows) and goal.direction != UP
    return replace(
        status,
        status=verdict,
        unit=current.unit or status.unit,
        current=current.value,
        n=current.n,
        progress=progress_percent(
            goal.direction, outlook.forecast, progress_origin, target
        ),
        pace_so_far=outlook.pace_so_far,
        required_pace=outlook.required_pace,
        forecast=outlook.forecast,
        forecast_band=outlook.band,
        reached=met and not (still_open and as_of < goal.deadline),
        projected=metric.is_count or grows,
        warnings=current.warnings,
    )


def goal_status(
    direction: str,
    target: float,
    forecast: float,
    band: tuple[float, float] | None,
) -> str:
    """Apply the status rule of ``evaluate_goal`` to a forecast."""
    if meets_target(direction, forecast, target):
        return ON_TRACK
    if band is not None:
        favourable = band[1] if direction == UP else band[0]
        return AT_RISK if meets_target(direction, favourable, target) else OFF_TRACK
    if abs(forecast - target) <= AT_RISK_SHARE * abs(target):
        return AT_RISK
    return OFF_TRACK


def progress_percent(
    direction: str, value: float, baseline: float | None, target: float
) -> float | None:
    """Return how far ``value`` has come from ``baseline`` to ``target``.

    Progress = (value - baseline) / (target - baseline) x 100, clamped to 0-100
    %, so a value that moved away from the target is 0 % and one beyond the
    target is 100 %. Returns None without a baseline, or when the baseline
    already meets the target (at least the target for an upward goal, at
    most for a downward one), because then there is no gap to close.
    """
    if baseline is None or meets_target(direction, baseline, target):
        return None
    share = (value - baseline) / (target - baseline) * 100
    return min(max(share, 0.0), 100.0)


def _progress_from_zero(
    goal: Goal,
    metric: Metric,
    table: pl.DataFrame,
    baseline: Measurement,
    target: float,
) -> date | None:
    """Return the first date of the count's column in ``table`` when progress
    is measured from 0 instead of the baseline, or None when it is not.

    That is the case for an absolute floor above 0 on a count or sum, such
    as "20 new deals" or "10,000 EUR won value", whose table starts on or
    after the goal's start, so after the baseline window ends. The total of
    the goal's window starts at 0 on the start day, and nothing before the
    start is known to measure from. A relative target has no value without
    a baseline, and a ceiling such as "at most 50 tickets" needs the level
    it comes down from, so both keep no progress.
    """
    if baseline.value is not None or not metric.is_total:
        return None
    if goal.target_kind != "absolute" or goal.direction != UP or target <= 0:
        return None
    # NOTE: a table that starts inside the baseline window keeps no progress.
    # Its data covers part of that window, so the count there is too low for
    # a baseline, and measuring from 0 would ignore it.
    first = table[metric.date_column].cast(pl.Date).min()
    if first is None or first < goal.start:
        return None
    return first
