"""The SMART check of a goal: a verdict (pass, warn or fail) and one sentence
for each letter, Specific, Measurable, Achievable, Relevant and Time-bound."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.followups import count_reply_sources
from kpi_core.formatting import count_noun, format_number, format_value
from kpi_core.goal_currency import target_currency
from kpi_core.goal_metrics import (
    METRICS,
    MONTH_DAYS,
    TABLE_LABELS,
    UP,
    Metric,
    apply_segments,
    best_window,
    goal_metric,
    known_on,
    measure_baseline,
    missing_inputs,
    segment_advice,
    target_value,
)
from kpi_core.table_names import TableNames

if TYPE_CHECKING:
    from kpi_core.goals import Goal

PASS = "pass"
WARN = "warn"
FAIL = "fail"
# A target at most this share beyond the best window of the history is a
# stretch (warn). Further beyond it, past results suggest it is out of reach.
STRETCH_SHARE = 0.2
# Counting activity shows effort, not results, so such a goal is relevant
# only beside a goal on one of the outcome metrics listed for it.
VANITY_COUNTS = {
    "new_deals": ("close_rate", "win_rate", "won_deals"),
    "new_subscribers": ("list_growth_rate", "won_deals", "close_rate"),
}
# Beyond two years a goal gives little to steer by from month to month.
LONGEST_DAYS = 731


@dataclass(frozen=True)
class SmartCheck:
    """One letter of the SMART check and its verdict, explained in a sentence."""

    letter: str
    name: str
    verdict: str
    message: str


def smart_check(
    goal: Goal,
    tables: Mapping[str, pl.DataFrame],
    other_goals: Sequence[Goal] = (),
    fx: Mapping[str, float] | None = None,
    working: WorkingTime | None = None,
    as_of: date | None = None,
    names: TableNames | None = None,
) -> dict[str, SmartCheck]:
    """Check a goal letter by letter and return the checks keyed S, M, A, R, T.

    Specific: passes when the metric, a segment and an owner are named,
    warns when the segment or owner is missing. Measurable: fails when the
    table or a needed column is missing, warns when no row matches the
    segment. Achievable: warns for a floor of 0 that any data meets (see
    ``zero_target_problem``), else compares the target with the best value of the
    windows of the goal's length that end with its baseline window (see
    ``best_window``; for counts, per month):
    pass when within it, warn up to ``STRETCH_SHARE`` beyond, fail further.
    It warns when the history is shorter than one window, or when a money
    target is in another currency than the table and ``fx`` has no rate
    for it (see ``target_currency``). The time to resolution counts the
    working hours of ``working`` (see ``goal_metric``). Relevant: fails
    when a relative target moves the metric the harmful way, warns for a
    vanity count with no outcome goal among ``other_goals``. Time-bound:
    fails without a deadline or with one not after the start, warns beyond
    ``LONGEST_DAYS``. With ``as_of`` the tables are taken as an export of
    that day would have shown them (``known_on``), as the goal's card takes
    them. The follow-ups per ticket count the replies in a ticket message
    log of ``tables`` as the card does, and ``names`` names its tables.
    """
    if as_of is not None:
        tables = {name: known_on(name, frame, as_of) for name, frame in tables.items()}
    checks = (
        _specific(goal),
        _measurable(goal, tables, names),
        _achievable(goal, tables, fx, working, names),
        _relevant(goal, other_goals),
        _time_bound(goal),
    )
    return {check.letter: check for check in checks}


def _specific(goal: Goal) -> SmartCheck:
    label = METRICS[goal.metric].label
    segments = "; ".join(segment.label() for segment in goal.segments)
    if not goal.segments:
        message = (
            f"names the metric ({label}) but no segment; add one, such as "
            "source = Website, when the goal is about part of the business"
        )
        return SmartCheck("S", "Specific", WARN, message)
    if not goal.owner.strip():
        message = f"names {label} for {segments} but nobody who owns the goal"
        return SmartCheck("S", "Specific", WARN, message)
    message = f"names the metric ({label}), the segment ({segments}) and the owner"
    return SmartCheck("S", "Specific", PASS, message)


def _measurable(
    goal: Goal, tables: Mapping[str, pl.DataFrame], names: TableNames | None
) -> SmartCheck:
    metric = goal_metric(goal.metric, None, tables, names)
    problem = missing_inputs(metric, goal.segments, tables)
    if problem:
        return SmartCheck("M", "Measurable", FAIL, problem)
    table = TABLE_LABELS.get(metric.table, metric.table)
    rows = apply_segments(tables[metric.table], goal.segments)
    if rows.is_empty():
        message = f"no rows of the {table} table match the goal"
        if goal.segments:
            advice = segment_advice(tables[metric.table], goal.segments)
            message += f"'s segment; {advice}"
        return SmartCheck("M", "Measurable", WARN, message)
    if metric.also_from:
        # The segment's tickets may lack a reply source that the whole
        # table has.
        if problem := metric.problem(rows):
            return SmartCheck("M", "Measurable", FAIL, problem)
        message = _reply_sources(metric, rows, tables["ticket_messages"], names)
        return SmartCheck("M", "Measurable", PASS, message)
    columns = ", ".join(metric.columns)
    message = f"measured from the {table} table ({columns})"
    return SmartCheck("M", "Measurable", PASS, message)


def _reply_sources(
    metric: Metric,
    tickets: pl.DataFrame,
    messages: pl.DataFrame,
    names: TableNames | None,
) -> str:
    """Name the sources of the follow-ups per ticket of ``tickets``: the
    message log for the tickets it contains, and the replies column for the
    others where the tickets have one."""
    from_log, from_column = count_reply_sources(tickets, messages)
    if not from_log and "replies" in tickets.columns:
        return "measured from the tickets table (solved_at, replies)"
    columns = ", ".join(metric.columns)
    message = f"measured from the tickets table ({columns}) and {metric.also_from}"
    if not from_column or "replies" not in tickets.columns:
        return message
    column = (names.ticket_columns if names else {}).get("replies")
    replies = f"the replies column {column!r}" if column else "the replies column"
    return (
        f"measured from the tickets table ({columns}, replies) and "
        f"{metric.also_from}. The log gives the replies of the "
        f"{count_noun(from_log, 'ticket')} it contains, and {replies} "
        f"those of the other {from_column:,}"
    )


def zero_target_problem(goal: Goal) -> str:
    """Say why an absolute target of 0 on a goal that aims up is a mistake,
    or return "" for any other goal.

    A count, sum, rate or mean that cannot fall below 0 already meets a
    floor of 0 with any data, so the goal would read as reached from its
    first day. A ceiling of 0 (no tickets, 0 % churn) and a floor of 0 on a
    metric that can be negative (NPS, list growth) are real targets.
    """
    metric = METRICS[goal.metric]
    rising = goal.target_kind == "absolute" and metric.better == UP
    if not rising or metric.signed or goal.target != 0:
        return ""
    return (
        f"a target of 0 is reached by any data, because {metric.label.lower()} "
        "cannot fall below 0; enter the value to reach"
    )


def _achievable(
    goal: Goal,
    tables: Mapping[str, pl.DataFrame],
    fx: Mapping[str, float] | None = None,
    working: WorkingTime | None = None,
    names: TableNames | None = None,
) -> SmartCheck:
    if zero := zero_target_problem(goal):
        return SmartCheck("A", "Achievable", WARN, zero)
    metric = goal_metric(goal.metric, working, tables, names)
    period = goal.baseline_period
    if missing_inputs(metric, goal.segments, tables) or period is None:
        message = "cannot be judged until the goal is measurable and has a deadline"
        return SmartCheck("A", "Achievable", WARN, message)
    table = tables[metric.table]
    money = target_currency(goal, table, fx)
    if money is not None and money.factor is None:
        message = f"cannot be judged: {money.reason}"
        return SmartCheck("A", "Achievable", WARN, message)
    frame = apply_segments(table, goal.segments)
    baseline = measure_baseline(metric, table, frame, period)
    target = target_value(goal.target, goal.target_kind, baseline.value)
    if target is None:
        message = "cannot be judged: the relative target has no baseline"
        return SmartCheck("A", "Achievable", WARN, message)
    unit = baseline.unit
    if money is not None:
        unit = unit or money.unit
        if goal.target_kind == "absolute":
            target *= money.factor
    days = goal.window_days
    first = table[metric.date_column].cast(pl.Date).min()
    best = best_window(metric, frame, goal.start, days, goal.direction, first)
    if best is None:
        message = (
            f"cannot be judged: the data before {goal.start} holds no complete "
            f"window of the goal's {days:,} days to compare with"
        )
        return SmartCheck("A", "Achievable", WARN, message)
    return _compare_with_best(goal, target, best, unit)


def _compare_with_best(goal: Goal, target: float, best: float, unit: str) -> SmartCheck:
    metric = METRICS[goal.metric]
    beyond = target - best if goal.direction == UP else best - target
    if metric.is_count:
        months = goal.window_days / MONTH_DAYS
        # The whole window's pace, which differs from the card's pace needed
        # from today on.
        needed = f"{format_number(target / months, 1)} per month over the window"
        seen = f"{format_number(best / months, 1)} per month"
    elif unit:
        needed, seen = format_value(target, unit), format_value(best, unit)
    else:
        needed, seen = format_number(target, 2), format_number(best, 2)
    comparison = (
        f"needs {needed}; the best {goal.window_days:,}-day window before the "
        f"start reached {seen}"
    )
    if beyond <= 0:
        return SmartCheck("A", "Achievable", PASS, comparison)
    if beyond <= STRETCH_SHARE * abs(best):
        return SmartCheck("A", "Achievable", WARN, f"a stretch: {comparison}")
    message = f"beyond past form: {comparison}"
    return SmartCheck("A", "Achievable", FAIL, message)


def _relevant(goal: Goal, other_goals: Sequence[Goal]) -> SmartCheck:
    metric = METRICS[goal.metric]
    better = "higher" if metric.better == UP else "lower"
    if goal.target_kind == "relative" and goal.direction != metric.better:
        worse = "higher" if goal.direction == UP else "lower"
        message = (
            f"the target makes {metric.label.lower()} {worse}, but {better} is "
            "better; flip the sign of the change"
        )
        return SmartCheck("R", "Relevant", FAIL, message)
    outcomes = VANITY_COUNTS.get(goal.metric, ())
    paired = any(
        other.metric in outcomes and other.id != goal.id for other in other_goals
    )
    if outcomes and not paired:
        names = " or ".join(METRICS[key].label.lower() for key in outcomes)
        message = (
            f"{metric.label.lower()} count activity, not results; pair this goal "
            f"with a goal on {names}"
        )
        return SmartCheck("R", "Relevant", WARN, message)
    message = f"{metric.label}: {better} is better, and the target aims that way"
    return SmartCheck("R", "Relevant", PASS, message)


def _time_bound(goal: Goal) -> SmartCheck:
    if goal.deadline is None:
        message = "has no deadline; set the day by which the target must be met"
        return SmartCheck("T", "Time-bound", FAIL, message)
    if goal.deadline <= goal.start:
        message = (
            f"the deadline {goal.deadline} is not after the start {goal.start}; "
            "move it later"
        )
        return SmartCheck("T", "Time-bound", FAIL, message)
    span = f"runs {goal.window_days:,} days, from {goal.start} to {goal.deadline}"
    if goal.window_days > LONGEST_DAYS:
        message = f"{span}; set a milestone within a year to steer by"
        return SmartCheck("T", "Time-bound", WARN, message)
    return SmartCheck("T", "Time-bound", PASS, span)
