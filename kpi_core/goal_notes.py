"""The reasons and notes of a goal evaluation: missing inputs, baseline, progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from kpi_core.formatting import format_number, format_value
from kpi_core.goal_forecast import meets_target
from kpi_core.goal_metrics import TABLE_LABELS, UP, Measurement, Metric, segment_advice

if TYPE_CHECKING:
    from kpi_core.goals import Goal


def stated_target(goal: Goal, metric: Metric) -> tuple[float | None, str]:
    """Return the target as the user set it and its unit, for a goal that
    cannot be measured, or None and "" for a relative target, whose value
    needs the baseline. A money target is in the goal's currency."""
    if goal.target_kind == "relative":
        return None, ""
    unit = goal.currency if metric.unit == "" else metric.unit
    return goal.target, unit


def window_problem(goal: Goal) -> str | None:
    if goal.deadline is None:
        return "the goal has no deadline"
    if goal.deadline <= goal.start:
        return f"the deadline {goal.deadline} is not after the start {goal.start}"
    return None


def unmatched_segment(
    goal: Goal, metric: Metric, table: pl.DataFrame, frame: pl.DataFrame
) -> str:
    """Name the goal's segment when it matches no row of ``table`` (``frame``
    contains the matching rows), because that explains a missing baseline
    or value better than an empty window does. Return "" otherwise."""
    if not goal.segments or not frame.is_empty():
        return ""
    label = TABLE_LABELS.get(metric.table, metric.table)
    segments = "; ".join(segment.label() for segment in goal.segments)
    return (
        f"no rows of the {label} table match the goal's segment ({segments}); "
        + segment_advice(table, goal.segments)
    )


def _baseline_reason(baseline: Measurement) -> str:
    """Return why the baseline has no value, worded for the time before the
    start rather than for the period the KPI's reason names."""
    return baseline.reason.replace("in this period", "in that time")


def no_baseline_reason(baseline: Measurement) -> str:
    if baseline.value is None:
        return (
            "a relative target needs a baseline, but the same length of time "
            f"before the start has none: {_baseline_reason(baseline)}"
        )
    return (
        "a relative target needs a baseline other than 0, but the same length "
        "of time before the start gave 0"
    )


def no_progress_note(direction: str, baseline: Measurement, target: float) -> str:
    if baseline.value is None:
        return (
            "Progress needs a baseline, but the same length of time before the "
            f"start has none: {_baseline_reason(baseline)}"
        )
    if not meets_target(direction, baseline.value, target):
        return ""
    baseline_text = _value_text(baseline.value, baseline.unit)
    target_text = _value_text(target, baseline.unit)
    bound = "at least" if direction == UP else "at most"
    return (
        f"No progress is shown: the baseline of {baseline_text}, from the same "
        f"length of time before the start, already meets the target of "
        f"{target_text} ({bound}), so there is no gap between them to measure. "
        "The status compares this goal's forecast with the target."
    )


def _value_text(value: float, unit: str) -> str:
    if unit == "count":
        return format_number(value)
    return format_value(value, unit).strip()
