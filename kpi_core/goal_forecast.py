"""A goal's forecast to its deadline, and its actual and target path to chart."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.count_prediction import remaining_count_interval
from kpi_core.goal_metrics import (
    MONTH_DAYS,
    UP,
    Measurement,
    Metric,
    count_dates,
    cumulative_counts,
    goal_metric,
    measure,
)
from kpi_core.period import Period
from kpi_core.subscription_data import is_snapshot

if TYPE_CHECKING:
    from kpi_core.goals import Goal


# Goals of up to about three months are charted per week, longer ones per
# month.
WEEKLY_UP_TO_DAYS = 92


_DAY = timedelta(days=1)


PATH_SCHEMA = {"date": pl.Date, "actual": pl.Float64, "target_path": pl.Float64}


@dataclass(frozen=True)
class Outlook:
    pace_so_far: float | None
    required_pace: float | None
    forecast: float
    band: tuple[float, float] | None


def goal_path(
    goal: Goal,
    frame: pl.DataFrame,
    baseline: float | None,
    target: float,
    as_of: date,
    working: WorkingTime | None = None,
    metric: Metric | None = None,
) -> pl.DataFrame:
    """Chart data: the actual value and the target path at each week's or
    month's end from the start to the deadline, plus ``as_of``.

    ``frame`` contains the segment's rows. A count's actual is the running
    total since the start, and its target path rises in a straight line from
    0 to the target, as does that of a rate of ``grows_with_window``. A
    KPI's actual is its value from the start to the point, and its path runs
    straight from the baseline to the target. It is flat at the target
    without a baseline, or when the baseline already meets the target.
    Actual is null after ``as_of``. The time to resolution counts the
    working hours of ``working``. ``metric`` is the goal's metric as
    ``goal_metric`` binds it to its inputs, such as a ticket message log;
    None takes it from ``working`` alone.
    """
    metric = metric or goal_metric(goal.metric, working)
    points = _path_points(goal.start, goal.deadline, as_of)
    share = ((points - goal.start).dt.total_days() + 1) / goal.window_days
    if metric.is_count or grows_with_window(metric, frame):
        path = share * target
    else:
        origin = baseline
        if baseline is None or meets_target(goal.direction, baseline, target):
            origin = target
        path = origin + share * (target - origin)
    reached = points.filter(points <= as_of)
    if metric.is_count:
        dates = count_dates(metric, frame)
        actual = cumulative_counts(dates, goal.start, reached).cast(pl.Float64)
    else:
        values = [measure(metric, frame, Period(goal.start, p)).value for p in reached]
        actual = pl.Series(values, dtype=pl.Float64)
    padding = pl.Series([None] * (points.len() - reached.len()), dtype=pl.Float64)
    return pl.DataFrame(
        {"date": points, "actual": actual.append(padding), "target_path": path},
        schema=PATH_SCHEMA,
    )


def grows_with_window(metric: Metric, frame: pl.DataFrame) -> bool:
    """Tell whether a KPI grows with its window as a count does.

    The won value adds up the amounts won in its window. The churn rate and
    the list growth rate divide by the customers or contacts at the
    window's start, so a longer window adds to the churned customers or the
    net new contacts over the same base. A customer list without dates
    gives the same churn for every window, so it does not.
    """
    if not metric.accumulates:
        return False
    return not (metric.table == "subscriptions" and is_snapshot(frame))


def goal_outlook(
    goal: Goal,
    metric: Metric,
    grows: bool,
    baseline: Measurement,
    target: float,
    current: Measurement,
    as_of: date,
) -> Outlook:
    end = min(as_of, goal.deadline)
    months_elapsed = ((end - goal.start).days + 1) / MONTH_DAYS
    months_left = max((goal.deadline - as_of).days, 0) / MONTH_DAYS
    if metric.is_count:
        return _count_outlook(target, current, months_elapsed, months_left)
    if grows:
        return _growing_outlook(metric, target, current, months_elapsed, months_left)
    return _kpi_outlook(goal, baseline, target, current, months_elapsed, months_left)


def _growing_outlook(
    metric: Metric,
    target: float,
    current: Measurement,
    months_elapsed: float,
    months_left: float,
) -> Outlook:
    """Continue a rate of ``grows_with_window`` to the deadline, as
    ``evaluate_goal`` describes."""
    value = current.value
    scale = (months_elapsed + months_left) / months_elapsed
    churn = metric.key == "churn_rate"

    def project(rate: float) -> float:
        if churn:
            remaining = 1 - min(max(rate, 0.0), 100.0) / 100
            return 100 * (1 - remaining**scale)
        if metric.unit == "percent":
            # A list cannot shrink by more than all of its contacts.
            return max(rate * scale, -100.0)
        # A sum, such as the won value, continues in a straight line.
        return rate * scale

    band = None
    if current.ci95 is not None:
        # Not clipped at the churn seen so far: customers who left may come
        # back within the window, and then they have not churned.
        band = (project(current.ci95[0]), project(current.ci95[1]))
    pace = value / months_elapsed
    required = max((target - value) / months_left, 0.0) if months_left else None
    return Outlook(pace, required, project(value), band)


def _count_outlook(
    target: float,
    current: Measurement,
    months_elapsed: float,
    months_left: float,
) -> Outlook:
    count = current.value
    pace = count / months_elapsed
    required = max((target - count) / months_left, 0.0) if months_left else None
    low, high = remaining_count_interval(int(count), months_elapsed, months_left)
    band = (count + low, count + high)
    # The final count is whole, so the forecast is rounded half up. Rounding
    # to 9 decimals first keeps float error from turning an exact half down.
    # The band's bounds are whole too, and the card shows the forecast inside.
    forecast = math.floor(round(count + pace * months_left, 9) + 0.5)
    forecast = min(max(forecast, band[0]), band[1])
    return Outlook(pace, required, float(forecast), band)


def _kpi_outlook(
    goal: Goal,
    baseline: Measurement,
    target: float,
    current: Measurement,
    months_elapsed: float,
    months_left: float,
) -> Outlook:
    value = current.value
    pace = None
    if baseline.value is not None:
        pace = (value - baseline.value) / months_elapsed
    required = None
    if meets_target(goal.direction, value, target):
        required = 0.0
    elif months_left:
        required = (target - value) / months_left
    return Outlook(pace, required, value, current.ci95)


def _path_points(start: date, deadline: date, as_of: date) -> pl.Series:
    every = "1w" if (deadline - start).days + 1 <= WEEKLY_UP_TO_DAYS else "1mo"
    starts = pl.date_range(start, deadline, every, eager=True)
    ends = starts.slice(1) - _DAY
    points = ends.append(pl.Series([deadline], dtype=pl.Date))
    if start <= as_of < deadline:
        points = points.append(pl.Series([as_of], dtype=pl.Date))
    return points.unique().sort().alias("date")


def _empty_path() -> pl.DataFrame:
    return pl.DataFrame(schema=PATH_SCHEMA)


def meets_target(direction: str, value: float, target: float) -> bool:
    return value >= target if direction == UP else value <= target
