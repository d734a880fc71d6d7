"""SMART goals: what a goal names, and the helpers to write one down.

A goal tracks one metric of ``kpi_core.goal_metrics`` (a KPI or a count),
optionally for one segment, from a start date to a deadline. Its target is
either an absolute value or a change in percent against the baseline: the
same metric over a window of the same length that ends the day before the
start. A count goal is about the total over the whole window ("20 new leads
within 3 months"). A KPI goal is about the KPI's value over the window
("close rate 25 %"). Evaluation lives in ``kpi_core.goal_progress`` and the
SMART check in ``kpi_core.goal_checks``; both are re-exported here.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, date, timedelta

import polars as pl

from kpi_core.errors import InvalidSettingError
from kpi_core.formatting import count_noun
from kpi_core.goal_checks import SmartCheck, smart_check, zero_target_problem
from kpi_core.goal_metrics import DOWN, METRICS, UP, SegmentFilter
from kpi_core.goal_progress import GoalStatus, evaluate_goal
from kpi_core.period import Period
from kpi_core.schema import TABLES, normalise_header

__all__ = [
    "METRICS",
    "Goal",
    "GoalStatus",
    "SegmentFilter",
    "SmartCheck",
    "deadline_after",
    "evaluate_goal",
    "example_goals",
    "format_segments",
    "goals_on_table",
    "parse_segments",
    "placed_example_goals",
    "smart_check",
    "zero_target_problem",
]

DEPARTMENTS = ("sales", "marketing", "service")
TARGET_KINDS = ("absolute", "relative")

_DAY = timedelta(days=1)
# The windows of the three example goals in months: leads, subscribers and
# complaints.
EXAMPLE_MONTHS = (3, 6, 12)
# The share of each example goal's window that lies before the evaluation
# day, so its card has both a pace so far and time left to forecast.
EXAMPLE_ELAPSED_SHARE = 2 / 3


@dataclass(frozen=True)
class Goal:
    """A goal: a metric, an optional segment, a target and a time frame.

    ``target`` is the value to reach when ``target_kind`` is "absolute", or
    the change in percent against the baseline when it is "relative" (-25
    means 25 % fewer). ``deadline`` is the last day that counts. It may be
    missing or before the start, which the Time-bound check reports.
    ``table_id`` names the stored table the goal is measured on, so that
    choosing another table on a page does not change it; empty means the
    table in use. ``currency`` is the currency code of a money target, empty
    for other metrics and for goals saved before goals kept it.
    """

    title: str
    metric: str
    target: float
    start: date
    deadline: date | None
    target_kind: str = "absolute"
    segments: tuple[SegmentFilter, ...] = ()
    owner: str = ""
    department: str = "sales"
    table_id: str = ""
    currency: str = ""
    id: str = field(default_factory=lambda: secrets.token_hex(16))

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        object.__setattr__(self, "currency", self.currency.strip().upper())
        if not self.title.strip():
            raise InvalidSettingError("the goal has no title; give it a short name")
        _check_choice("metric", self.metric, tuple(METRICS))
        _check_choice("department", self.department, DEPARTMENTS)
        _check_choice("target kind", self.target_kind, TARGET_KINDS)
        _check_target(self)
        _check_currency(self.currency)

    @property
    def direction(self) -> str:
        """Return "up" when the goal needs a higher value, "down" for lower.

        A relative target goes the way of its sign. An absolute target is a
        floor for metrics where higher is better and a ceiling otherwise, so
        "20 new leads" means at least 20 and "50 tickets" at most 50.
        """
        if self.target_kind == "relative":
            return UP if self.target > 0 else DOWN
        return METRICS[self.metric].better

    @property
    def window_days(self) -> int | None:
        """Days from the start to the deadline, both included."""
        if self.deadline is None:
            return None
        return (self.deadline - self.start).days + 1

    @property
    def baseline_period(self) -> Period | None:
        """The window of the same length that ends the day before the start."""
        days = self.window_days
        if days is None or days <= 0:
            return None
        return Period(self.start - days * _DAY, self.start - _DAY)


def deadline_after(start: date, months: int) -> date:
    """Return the last day of a window of whole months from ``start``:
    2025-10-01 plus 3 months ends on 2025-12-31. A start day past the end of
    the target month (31 January plus 1 month) moves to that month's end.

    Raises InvalidSettingError when the window ends after 9999-12-31, the
    last day a Python date can hold.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if year > MAXYEAR:
        raise InvalidSettingError(
            f"a window of {count_noun(months, 'month')} from {start} ends after "
            f"{date.max}, "
            "the last day the app can count with; pick an earlier start"
        )
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day)) - _DAY


def parse_segments(text: str, table: str | None = None) -> tuple[SegmentFilter, ...]:
    """Read segment filters written as "channel = phone; category = late
    delivery". Column names are lower-cased with spaces as underscores.

    With the goal's ``table`` type, a name that is a header alias of one of
    its fields, such as "Kanal" for channel, becomes that field's name.
    Raises InvalidSettingError for a part without "=" or with an empty side.
    """
    segments = []
    for part in text.split(";"):
        if not part.strip():
            continue
        column, sign, value = part.partition("=")
        if table is not None:
            column = _field_of(column, table) or column
        column = "_".join(column.lower().split())
        if not sign or not column or not value.strip():
            raise InvalidSettingError(
                f"invalid segment filter {part.strip()!r}; write column = value, "
                "several separated by ';', for example: channel = phone; "
                "category = late delivery"
            )
        segments.append(SegmentFilter(column, value.strip()))
    return tuple(segments)


def _field_of(name: str, table: str) -> str | None:
    """Return the field of ``table`` whose name or header alias ``name`` is,
    or None."""
    wanted = normalise_header(name)
    if not wanted:
        return None
    for schema_field in TABLES[table].fields:
        names = (schema_field.name, *schema_field.aliases)
        if any(normalise_header(alias) == wanted for alias in names):
            return schema_field.name
    return None


def format_segments(segments: tuple[SegmentFilter, ...]) -> str:
    """Write segment filters the way ``parse_segments`` reads them."""
    return "; ".join(segment.label() for segment in segments)


def goals_on_table(
    goals: list[Goal],
    table_id: str,
    table_type: str,
    stored_ids: set[str],
    in_use_id: str | None,
) -> list[Goal]:
    """Return the goals measured on the stored table ``table_id`` of
    ``table_type``: those that name it, and, while it is the table of its
    type in use (``in_use_id``), those of that type that name no table or
    one that is no longer stored (not in ``stored_ids``).
    """
    on_table = []
    for goal in goals:
        if METRICS[goal.metric].table != table_type:
            continue
        follows_in_use = goal.table_id not in stored_ids
        if goal.table_id == table_id or (follows_in_use and in_use_id == table_id):
            on_table.append(goal)
    return on_table


def example_goals(start: date) -> list[Goal]:
    """Build the three example goals of the KPI contract, starting on ``start``."""
    return _example_goals((start,) * len(EXAMPLE_MONTHS))


def placed_example_goals(as_of: date, tables: Mapping[str, pl.DataFrame]) -> list[Goal]:
    """Build the three example goals so that each shows a pace and a forecast
    when evaluated on ``as_of`` with ``tables`` (table type to frame).

    Each starts on the first of a month, so that about
    ``EXAMPLE_ELAPSED_SHARE`` of its window lies on or before ``as_of`` and its
    deadline after it. When its baseline window would begin before the first
    date of its metric's column in its table, where a count's baseline has
    no value, the start moves on by whole months up to the first of
    ``as_of``'s month. When no such start exists, the goal keeps the first
    one, and its card names the missing baseline.
    """
    starts = []
    for goal, months in zip(example_goals(as_of), EXAMPLE_MONTHS, strict=True):
        metric = METRICS[goal.metric]
        table = tables.get(metric.table)
        first = None
        if table is not None and metric.date_column in table.columns:
            first = table[metric.date_column].cast(pl.Date).min()
        starts.append(_example_start(as_of, months, first))
    return _example_goals(tuple(starts))


def _example_start(as_of: date, months: int, first: date | None) -> date:
    """Return the start of an example goal of ``months`` months, as
    ``placed_example_goals`` describes it."""
    # The month of as_of is one of the elapsed months, and at least one whole
    # month is left after it, so the deadline lies after as_of.
    elapsed = min(round(months * EXAMPLE_ELAPSED_SHARE), months - 1)
    earliest = _month_start(as_of, 1 - elapsed)
    start = earliest
    while start <= as_of:
        window_days = (deadline_after(start, months) - start).days + 1
        if first is None or start - window_days * _DAY >= first:
            return start
        start = _month_start(start, 1)
    return earliest


def _month_start(day: date, months: int) -> date:
    """Return the first day of the month ``months`` months after ``day``'s."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month_index + 1, 1)


def _example_goals(starts: tuple[date, ...]) -> list[Goal]:
    """Build the example goals, each starting on its entry of ``starts``."""
    leads, subscribers, complaints = starts
    leads_months, subscribers_months, complaints_months = EXAMPLE_MONTHS
    return [
        Goal(
            "20 new leads from the company website within 3 months",
            "new_deals", 20, leads, deadline_after(leads, leads_months),
            segments=(SegmentFilter("source", "Website"),), department="sales",
        ),
        Goal(
            "1,000 new newsletter subscribers within 6 months",
            "new_subscribers", 1000, subscribers,
            deadline_after(subscribers, subscribers_months),
            department="marketing",
        ),
        Goal(
            "25 % fewer phone complaints about late deliveries within 1 year",
            "tickets", -25, complaints,
            deadline_after(complaints, complaints_months),
            target_kind="relative",
            segments=(
                SegmentFilter("channel", "phone"),
                SegmentFilter("category", "late delivery"),
            ),
            department="service",
        ),
    ]  # fmt: skip


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidSettingError(
            f"unknown {name} {value!r}; use one of {', '.join(allowed)}"
        )


def _check_currency(code: str) -> None:
    if code and not (len(code) == 3 and code.isalpha() and code.isascii()):
        raise InvalidSettingError(
            f"invalid currency {code!r}; give a three-letter code such as EUR"
        )


def _check_target(goal: Goal) -> None:
    if goal.target_kind == "relative" and goal.target == 0:
        raise InvalidSettingError(
            "a relative target of 0 % changes nothing; give the change in "
            "percent, for example -25 for 25 % fewer"
        )
    if goal.target_kind == "relative" and goal.target < -100:
        raise InvalidSettingError(
            f"a relative target of {goal.target:g} % would go below zero; "
            "give a change of -100 % or more"
        )
    metric = METRICS[goal.metric]
    if goal.target_kind == "absolute" and metric.is_total and goal.target < 0:
        total = "a count" if metric.is_count else "a won value"
        raise InvalidSettingError(
            f"{total} cannot reach {goal.target:g}; give a target of 0 or more"
        )
