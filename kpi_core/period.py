"""Reporting periods and time grains shared by every KPI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from kpi_core.errors import InvalidSettingError

GRAINS = {"week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}
# The days a period given by a user or a link may start and end on. Figures
# look a year back and grains round to whole years, so days near year 1 or
# 9999 would leave Python's dates, and no CRM export reaches that far.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


@dataclass(frozen=True)
class Period:
    """An inclusive range of days; ``None`` on a side means unbounded.

    ``Period()`` is "all data": KPIs that need no date then include rows
    without one, while an explicit period leaves such rows out and counts them.
    """

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InvalidSettingError(
                f"the period starts on {self.start} after it ends on {self.end}; "
                "swap the two dates"
            )

    @property
    def is_all(self) -> bool:
        return self.start is None and self.end is None

    def contains(self, column: str) -> pl.Expr:
        """Return an expression that is true where the date column lies in the
        period. Null dates give false for an explicit period, true for all data."""
        day = pl.col(column).cast(pl.Date)
        condition = pl.lit(True)
        if self.start is not None:
            condition = condition & (day >= self.start)
        if self.end is not None:
            condition = condition & (day <= self.end)
        if self.is_all:
            return condition
        return condition.fill_null(False)

    def within(self, earliest: date, latest: date) -> Period:
        """Return the period cut to ``earliest`` to ``latest``. A period
        wholly outside them becomes the day of the nearer end."""
        start = min(max(self.start or earliest, earliest), latest)
        end = max(min(self.end or latest, latest), start)
        return Period(
            None if self.start is None else start, None if self.end is None else end
        )

    def label(self) -> str:
        if self.is_all:
            return "all data"
        start = self.start.isoformat() if self.start else "the first record"
        end = self.end.isoformat() if self.end else "the last record"
        return f"{start} to {end}"


def check_day(day: date, option: str) -> None:
    """Raise InvalidSettingError for a period day outside ``EARLIEST_DAY``
    to ``LATEST_DAY``; ``option`` names where it was given."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidSettingError(
            f"{option} {day} is outside the days a period can cover, "
            f"{EARLIEST_DAY} to {LATEST_DAY}; give a day inside them"
        )


def grain_every(grain: str) -> str:
    """Return the Polars truncation interval for a grain name such as 'month'."""
    try:
        return GRAINS[grain]
    except KeyError:
        raise InvalidSettingError(
            f"unknown time grain {grain!r}; use one of {', '.join(GRAINS)}"
        ) from None


def bucket_bounds(day: date, grain: str) -> tuple[date, date]:
    """Return the first and last day of the ``grain`` bucket holding ``day``.
    Weeks start on Monday, as Polars truncates them."""
    grain_every(grain)
    if grain == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    first = date(day.year, (day.month - 1) // months * months + 1, 1)
    return first, _add_months(first, months) - _DAY


def partial_buckets(period: Period, grain: str) -> str | None:
    """Describe the first and last bucket of ``grain`` that the period cuts
    short, or return None when it starts and ends on bucket bounds.

    A series by month of 15 March to 14 June has a "Mar" and a "Jun" point
    that hold half a month each, which the chart does not show.
    """
    parts = []
    if period.start is not None:
        first, last = bucket_bounds(period.start, grain)
        if first < period.start:
            end = min(last, period.end) if period.end else last
            which = "only" if period.end and period.end <= last else "first"
            parts.append(_held(which, grain, first, period.start, end))
    if period.end is not None:
        first, last = bucket_bounds(period.end, grain)
        if last > period.end and not (period.start and period.start >= first):
            parts.append(_held("last", grain, first, first, period.end))
        elif last > period.end and not parts:
            parts.append(_held("only", grain, first, period.start, period.end))
    if not parts:
        return None
    return f"The period cuts buckets short: {'; '.join(parts)}."


def _held(which: str, grain: str, first: date, start: date, end: date) -> str:
    days = start.isoformat() if start == end else f"{start} to {end}"
    return f"the {which} {grain} (from {first}) holds only {days}"


QUICK_PERIODS = {
    "all": "All data",
    "last_12_months": "Last 12 full months",
    "this_year": "This year",
    "last_quarter": "Last full quarter",
}


def quick_period(name: str, anchor: date) -> Period:
    """Return a named period relative to ``anchor``, usually the latest date
    in the data, so that an old export still has a "last 12 months".

    A month or quarter is full when the anchor is on or after its last day.
    So the last 12 full months end with the month before the anchor's month,
    or with the anchor's month when the anchor is its last day, as in an
    export of whole months. The last full quarter works the same way, and
    "this year" runs from 1 January to the anchor.
    """
    if name == "all":
        return Period()
    if name == "this_year":
        return Period(date(anchor.year, 1, 1), anchor)
    # The first day after the full months and quarters.
    after = anchor + _DAY
    month_start = after.replace(day=1)
    if name == "last_12_months":
        return Period(_add_months(month_start, -12), month_start - _DAY)
    if name == "last_quarter":
        quarter_start = date(after.year, 3 * ((after.month - 1) // 3) + 1, 1)
        return Period(_add_months(quarter_start, -3), quarter_start - _DAY)
    raise InvalidSettingError(
        f"unknown period {name!r}; use one of {', '.join(QUICK_PERIODS)}"
    )


_DAY = timedelta(days=1)


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
