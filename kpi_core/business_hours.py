"""Working hours between two timestamps: weekdays, daily hours, holidays, DST.

A ``WorkingTime`` is a weekly schedule (for example Monday to Friday
09:00-17:00), the time zone it runs in and the public holidays of one country
or region. ``business_hours_between`` turns two columns of timestamps into the
working hours between them as a Polars expression, so whole frames are
computed at once.

Timestamps are naive wall-clock times in the schedule's time zone. A time
zone-aware column must be converted with ``dt.convert_time_zone`` and then
made naive with ``dt.replace_time_zone(None)`` before it is passed in.
The import stores times written with a zone as wall-clock time in
``ZONED_AS`` and flags their rows; ``wall_clock`` converts those rows to
another working time zone.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
import polars as pl

from kpi_core.errors import InvalidSettingError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_SPELLINGS = (
    ("mon", "monday", "mo", "montag"),
    ("tue", "tuesday", "di", "dienstag"),
    ("wed", "wednesday", "mi", "mittwoch"),
    ("thu", "thursday", "do", "donnerstag"),
    ("fri", "friday", "fr", "freitag"),
    ("sat", "saturday", "sa", "samstag", "sonnabend"),
    ("sun", "sunday", "so", "sonntag"),
)
_WEEKDAY_NUMBERS = {
    spelling: number
    for number, spellings in enumerate(_WEEKDAY_SPELLINGS)
    for spelling in spellings
}

# Holidays and DST days are listed for these years when the caller does not
# say which years its timestamps fall in.
DEFAULT_YEARS = (1990, 2060)

_HOUR = 3600.0
_DAY = timedelta(days=1)
_WALL = pl.Datetime("us")
# The ending of the column that flags the rows of a time column that the
# import converted from a time with a zone into wall-clock time in ZONED_AS.
ZONE_FLAG = "_zoned"


@dataclass(frozen=True)
class WorkingTime:
    """A weekly working schedule in one time zone, minus public holidays.

    ``weekdays`` uses Python's numbering (0 is Monday). An ``end`` of 00:00
    means midnight at the end of the day, so 00:00-00:00 is the whole day.
    ``holidays`` is a country code, optionally with a region ("DE", "DE-BY"),
    as the ``holidays`` package names them, or None for no holidays.
    """

    timezone: str = "Europe/Berlin"
    start: time = time(9)
    end: time = time(17)
    weekdays: frozenset[int] = field(default=frozenset({0, 1, 2, 3, 4}))
    holidays: str | None = "DE"

    def __post_init__(self) -> None:
        _check_timezone(self.timezone)
        if self.end != time(0) and self.end <= self.start:
            raise InvalidSettingError(
                f"working hours start at {self.start:%H:%M} but end at "
                f"{self.end:%H:%M}; the end must come after the start"
            )
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InvalidSettingError(
                f"invalid working days {sorted(self.weekdays)}; give at least one "
                "day as 0 (Monday) to 6 (Sunday)"
            )
        _holiday_region(self.holidays)

    @property
    def daily_seconds(self) -> float:
        """Length of one working day by the wall clock, in seconds."""
        return (self._close_offset - self._open_offset).total_seconds()

    @property
    def week_mask(self) -> tuple[bool, ...]:
        return tuple(day in self.weekdays for day in range(7))

    @property
    def _open_offset(self) -> timedelta:
        return timedelta(hours=self.start.hour, minutes=self.start.minute)

    @property
    def _close_offset(self) -> timedelta:
        if self.end == time(0):
            return _DAY
        return timedelta(hours=self.end.hour, minutes=self.end.minute)

    def label(self) -> str:
        """Describe the schedule, as in 'Mon-Fri 09:00-17:00 Europe/Berlin'."""
        days = _weekdays_label(self.weekdays)
        end = "24:00" if self.end == time(0) else f"{self.end:%H:%M}"
        holidays = f"holidays {self.holidays}" if self.holidays else "no holidays"
        return f"{days} {self.start:%H:%M}-{end} {self.timezone}, {holidays}"


def business_hours_between(
    start: pl.Expr,
    end: pl.Expr,
    working: WorkingTime,
    years: tuple[int, int] | None = None,
) -> pl.Expr:
    """Count the working hours from ``start`` to ``end`` as a float expression.

    Both expressions hold naive datetimes (or dates, read as midnight) on the
    wall clock of ``working.timezone``. The result is the working time of the
    full working days in between (weekdays in the schedule that are not
    public holidays), plus the worked part of the first and last day. The
    working window is wall-clock time, and both ends are converted to
    instants in the time zone, so a DST change inside the window (possible
    only when it spans 02:00-03:00 in Europe/Berlin) makes that day an hour
    shorter or longer. The result is never negative and never above the
    calendar hours. It is null where either side is null or ``end`` comes
    before ``start``.

    ``years`` is the first and last year the timestamps can fall in (default
    ``DEFAULT_YEARS``). Holidays and DST days are listed once for those
    years, so days outside them are treated as if they had neither.
    """
    years = years or DEFAULT_YEARS
    holidays = holiday_dates(working.holidays, years)
    start_wall = start.cast(_WALL)
    end_wall = end.cast(_WALL)

    full_days = pl.business_day_count(
        start_wall.dt.date(),
        end_wall.dt.date(),
        week_mask=working.week_mask,
        holidays=holidays,
    )
    full_day_seconds = full_days * working.daily_seconds + _dst_correction(
        start_wall, end_wall, working, years
    )
    seconds = (
        full_day_seconds
        - _seconds_worked_by(start_wall, working, holidays)
        + _seconds_worked_by(end_wall, working, holidays)
    )

    calendar = _seconds_between(start_wall, end_wall, working.timezone)
    clipped = seconds.clip(pl.lit(0.0), calendar)
    return pl.when(calendar >= 0).then(clipped / _HOUR).otherwise(None)


def wall_clock(column: str, columns: Collection[str], timezone: str) -> pl.Expr:
    """Return ``column`` as naive wall-clock time in ``timezone``.

    Rows where the flag column ``column + ZONE_FLAG`` (such as
    ``created_at_zoned``) is True contain wall-clock times in ``ZONED_AS``,
    because the file wrote them with a zone, and are converted. Other rows
    already contain wall-clock times.
    """
    value = pl.col(column)
    flag = column + ZONE_FLAG
    if flag not in columns or timezone == ZONED_AS:
        return value
    # NOTE: in the hour that Berlin's clock repeats in October, the earlier
    # of the two instants is taken, so such a time may be an hour early.
    converted = (
        value.dt.replace_time_zone(ZONED_AS, ambiguous="earliest")
        .dt.convert_time_zone(timezone)
        .dt.replace_time_zone(None)
    )
    return pl.when(pl.col(flag)).then(converted).otherwise(value)


def calendar_hours_between(
    start: pl.Expr, end: pl.Expr, timezone: str = "Europe/Berlin"
) -> pl.Expr:
    """Count the elapsed hours from ``start`` to ``end`` as a float expression.

    The naive wall-clock times are read in ``timezone``, so a span across the
    spring DST change is one hour shorter than the wall-clock difference.
    The result is null where either side is null or ``end`` comes before
    ``start``.
    """
    _check_timezone(timezone)
    seconds = _seconds_between(start.cast(_WALL), end.cast(_WALL), timezone)
    return pl.when(seconds >= 0).then(seconds / _HOUR).otherwise(None)


def holiday_dates(region: str | None, years: tuple[int, int]) -> list[date]:
    """List the public holidays of ``region`` ("DE", "DE-BY") in the years."""
    return list(_holiday_dates(region, years[0], years[1]))


def parse_working_hours(text: str) -> tuple[time, time]:
    """Parse "09:00-17:00" into a start and end time; "24:00" ends at midnight."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    expected = (
        f"invalid working hours {text!r}; expected the form 09:00-17:00, "
        "24-hour clock, start before end"
    )
    if match is None:
        raise InvalidSettingError(expected)
    start_hour, start_minute, end_hour, end_minute = map(int, match.groups())
    if (end_hour, end_minute) == (24, 0):
        end_hour = 0
    try:
        start, end = time(start_hour, start_minute), time(end_hour, end_minute)
    except ValueError:
        raise InvalidSettingError(expected) from None
    if end != time(0) and end <= start:
        raise InvalidSettingError(expected)
    return start, end


def parse_working_days(text: str) -> frozenset[int]:
    """Parse "Mon-Fri" or "Mon,Wed,Fri" into weekday numbers (0 is Monday).

    English and German names and abbreviations are accepted, and a
    range may wrap around the week ("Sat-Mon").
    """
    days: set[int] = set()
    for part in text.split(","):
        names = [name.strip() for name in part.split("-")]
        if len(names) > 2 or not names[0]:
            raise _invalid_days(text)
        first = _weekday_number(names[0], text)
        last = _weekday_number(names[-1], text)
        span = (last - first) % 7
        days.update((first + offset) % 7 for offset in range(span + 1))
    return frozenset(days)


def parse_holidays(text: str | None) -> str | None:
    """Parse a holiday region such as "DE" or "DE-BY"; "none" or "" gives None.

    The ``holidays`` package must support the country and region. The
    result is spelled as that package spells it ("de-by" gives "DE-BY").
    """
    if text is None or text.strip().lower() in ("", "none"):
        return None
    country, _, subdivision = text.strip().partition("-")
    country = country.upper()
    if subdivision:
        known = holiday_calendars.list_supported_countries().get(country, [])
        by_case = {name.upper(): name for name in known}
        subdivision = by_case.get(subdivision.upper(), subdivision)
    region = f"{country}-{subdivision}" if subdivision else country
    _holiday_region(region)
    return region


def parse_working_time(
    timezone: str, hours: str, days: str, holidays: str | None
) -> WorkingTime:
    """Build a working time from its four entries as a person types them:
    "Europe/Berlin", "09:00-17:00", "Mon-Fri" and "DE" (or "none").

    Raises InvalidSettingError naming the first invalid entry.
    """
    start, end = parse_working_hours(hours)
    return WorkingTime(
        timezone=timezone.strip(),
        start=start,
        end=end,
        weekdays=parse_working_days(days),
        holidays=parse_holidays(holidays),
    )


def _seconds_worked_by(
    wall: pl.Expr, working: WorkingTime, holidays: list[date]
) -> pl.Expr:
    """Count the seconds of the working window on the day of ``wall`` before it."""
    day_start = wall.dt.date().cast(_WALL)
    opening = day_start + working._open_offset
    closing = day_start + working._close_offset
    clamped = wall.clip(opening, closing)
    worked = _seconds_between(opening, clamped, working.timezone)
    is_working_day = wall.dt.date().dt.is_business_day(
        week_mask=working.week_mask, holidays=holidays
    )
    return pl.when(is_working_day).then(worked).otherwise(0.0)


def _dst_correction(
    start_wall: pl.Expr,
    end_wall: pl.Expr,
    working: WorkingTime,
    years: tuple[int, int],
) -> pl.Expr:
    """Count the seconds to add to the full days from start to end, for
    working days whose window contains a DST change (23 or 25 hours long)."""
    days, deltas = _dst_working_days(working, years)
    if not days:
        return pl.lit(0.0)

    # Running total of the corrections before each DST day, so that the
    # correction for the days in [start, end) is one difference.
    before = pl.Series([0.0, *accumulate(deltas)], dtype=pl.Float64)
    dst_days = pl.Series(days, dtype=pl.Date)

    def correction_before(wall: pl.Expr) -> pl.Expr:
        index = pl.lit(dst_days).search_sorted(wall.dt.date(), side="left")
        return pl.lit(before).gather(index)

    return correction_before(end_wall) - correction_before(start_wall)


def _dst_working_days(
    working: WorkingTime, years: tuple[int, int]
) -> tuple[tuple[date, ...], tuple[float, ...]]:
    return _dst_working_days_cached(working, years[0], years[1])


@lru_cache(maxsize=32)
def _dst_working_days_cached(
    working: WorkingTime, first_year: int, last_year: int
) -> tuple[tuple[date, ...], tuple[float, ...]]:
    days = pl.date_range(date(first_year, 1, 1), date(last_year, 12, 31), eager=True)
    holidays = holiday_dates(working.holidays, (first_year, last_year))
    frame = (
        pl.DataFrame({"day": days})
        .with_columns(opening=pl.col("day").cast(_WALL) + working._open_offset)
        .with_columns(closing=pl.col("day").cast(_WALL) + working._close_offset)
        .with_columns(
            delta=_seconds_between(
                pl.col("opening"), pl.col("closing"), working.timezone
            )
            - working.daily_seconds
        )
        .filter(
            (pl.col("delta") != 0)
            & pl.col("day").dt.is_business_day(
                week_mask=working.week_mask, holidays=holidays
            )
        )
    )
    return tuple(frame["day"].to_list()), tuple(frame["delta"].to_list())


def _seconds_between(start_wall: pl.Expr, end_wall: pl.Expr, timezone: str) -> pl.Expr:
    elapsed = _to_instant(end_wall, timezone) - _to_instant(start_wall, timezone)
    return elapsed.dt.total_seconds(fractional=True)


def _to_instant(wall: pl.Expr, timezone: str) -> pl.Expr:
    """Read a naive wall-clock time as an instant in ``timezone``.

    Like Python's ``zoneinfo`` with ``fold=0``: an autumn wall time that occurs
    twice is the earlier instant, and a spring wall time skipped by the
    change (02:30 in Berlin) is read with the offset before the change.
    """
    exact = wall.dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    )
    # NOTE: the one-hour shift assumes the usual one-hour DST gap. Zones with
    # a 30-minute change (Australia/Lord_Howe) read a skipped time 30 minutes late.
    skipped = (wall + timedelta(hours=1)).dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    )
    return pl.coalesce(exact, skipped)


@lru_cache(maxsize=64)
def _holiday_dates(
    region: str | None, first_year: int, last_year: int
) -> tuple[date, ...]:
    if region is None:
        return ()
    country, subdivision = _holiday_region(region)
    calendar = holiday_calendars.country_holidays(
        country, subdiv=subdivision, years=range(first_year, last_year + 1)
    )
    return tuple(sorted(calendar))


def _holiday_region(region: str | None) -> tuple[str, str | None]:
    if region is None:
        return "", None
    country, _, subdivision = region.partition("-")
    known = holiday_calendars.list_supported_countries()
    if country not in known or (subdivision and subdivision not in known[country]):
        raise InvalidSettingError(
            f"unknown holiday region {region!r}; give a country code such as DE, "
            "a country and region such as DE-BY, or none"
        )
    return country, subdivision or None


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSettingError(
            f"unknown time zone {timezone!r}; give an IANA name such as "
            "Europe/Berlin or UTC"
        ) from None


def _weekday_number(name: str, text: str) -> int:
    try:
        return _WEEKDAY_NUMBERS[name.strip().lower()]
    except KeyError:
        raise _invalid_days(text) from None


def _weekdays_label(weekdays: frozenset[int]) -> str:
    ordered = sorted(weekdays)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{WEEKDAY_NAMES[ordered[0]]}-{WEEKDAY_NAMES[ordered[-1]]}"
    return ",".join(WEEKDAY_NAMES[day] for day in ordered)


def _invalid_days(text: str) -> InvalidSettingError:
    return InvalidSettingError(
        f"invalid working days {text!r}; expected a range or list of weekdays "
        "such as Mon-Fri or Mon,Wed,Fri"
    )


# The time zone in which the import stores times written with a zone: the
# default working time zone, so that they fall on the days users there see.
ZONED_AS = WorkingTime().timezone
