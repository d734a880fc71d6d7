"""The time frame of the demo data and the clock helpers its tables share.

Every table covers the same two years, from 2025-01-01 to 2026-11-30, seen
from the evening of the last day. Times are naive wall-clock times in
Europe/Berlin. The Stripe columns say UTC but get the same clock times,
which is off by one or two hours but moves no start or end of a
subscription to another day, because those lie between 08:00 and 18:00.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import holidays

FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 11, 30)
AS_OF = datetime(2026, 11, 30, 18, 0)

# The support desk works Monday to Friday 09:00-17:00 outside the German
# national holidays, which is also the app's default working time.
WORK_START = time(9)
WORK_END = time(17)
HOLIDAYS = frozenset(holidays.country_holidays("DE", years=range(2020, 2028)))
DAY = timedelta(days=1)


def days_between(first: date, last: date) -> Iterator[date]:
    """Yield every day from ``first`` to ``last``, both included."""
    day = first
    while day <= last:
        yield day
        day += DAY


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def working_time(rng: random.Random, day: date) -> datetime:
    """Return a time on ``day`` between 08:00 and 17:45, on a quarter hour."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))


def moment_on(
    rng: random.Random, day: date, first_hour: int, last_hour: int
) -> datetime:
    """Return a time on ``day`` from ``first_hour`` to the end of ``last_hour``."""
    seconds = rng.randint(first_hour * 3600, last_hour * 3600 + 3599)
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def add_business_minutes(start: datetime, minutes: float) -> datetime:
    """Return the moment ``minutes`` of working time after ``start``.

    Working time is WORK_START to WORK_END on working days, and a start
    outside it counts from the next opening.
    """
    moment = _next_opening(start)
    remaining = timedelta(minutes=minutes)
    while True:
        closing = datetime.combine(moment.date(), WORK_END)
        if moment + remaining <= closing:
            return moment + remaining
        remaining -= closing - moment
        moment = _next_opening(closing)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, moved back to the month's last day
    where the month is shorter."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count (Knuth's method, fine for small means)."""
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def stamp_seconds(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _next_opening(moment: datetime) -> datetime:
    """Return ``moment`` if the desk is open then, else its next opening."""
    day = moment.date()
    if is_working_day(day) and moment.time() < WORK_END:
        return max(moment, datetime.combine(day, WORK_START))
    day += DAY
    while not is_working_day(day):
        day += DAY
    return datetime.combine(day, WORK_START)
