"""Read the durations that a helpdesk export computed, in minutes.

Zendesk's ticket CSV writes "Full resolution time in minutes within business
hours", Zendesk Explore "Full resolution time - business hours (hrs)" in
decimal hours, and Freshdesk "Resolution time (in hrs)" as "HH:MM:SS" text.
A plain number is in the unit that its header names, and a time span written
"H:MM" or "H:MM:SS" needs no unit. The import stores every such field in
minutes, so the KPIs need not know which export it came from.
"""

from __future__ import annotations

import re
from datetime import datetime

import polars as pl

from kpi_core.values import parse_numbers_detecting_mark

MINUTES = "minutes"
HOURS = "hours"
DAYS = "days"
MINUTES_PER_UNIT = {MINUTES: 1.0, HOURS: 60.0, DAYS: 1440.0}

# A unit in brackets at the end of a header: "(hrs)", "(in hrs)", "(Std.)".
_BRACKETED_UNIT = re.compile(
    r"(?i)\(\s*(?:in\s+)?(min|mins|minutes|minuten|h|hr|hrs|hours|std|stunden"
    r"|d|days|tage)\.?\s*\)\s*$"
)
# A unit after "in" inside a header: "... in minutes within business hours".
_UNIT_AFTER_IN = re.compile(
    r"(?i)\bin\s+(min|mins|minutes|minuten|hr|hrs|hours|stunden|days|tagen)\b"
)
# A unit as the last word: "business_minutes", "Resolution hours".
_UNIT_AT_END = re.compile(
    r"(?i)(?:^|[^a-z])(minutes|minuten|hours|stunden|days|tage)\s*$"
)
_UNIT_WORDS = {
    "min": MINUTES,
    "mins": MINUTES,
    "minutes": MINUTES,
    "h": HOURS,
    "hr": HOURS,
    "hrs": HOURS,
    "hours": HOURS,
    "d": DAYS,
    "days": DAYS,
    "minuten": MINUTES,
    "std": HOURS,
    "stunden": HOURS,
    "tage": DAYS,
    "tagen": DAYS,
}
# Hours, minutes and optional seconds, as in "04:00:00" or "130:05".
_CLOCK = r"^(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$"
# Days, hours and minutes written with their units, as in "90 min", "1h 30m",
# "1,5 Std." or "2 days 4 hours". Each part is optional, and a cell without
# any unit does not match.
_AMOUNT = r"(\d+(?:[.,]\d+)?)\s*"
_WITH_UNITS = (
    rf"(?i)^(?:{_AMOUNT}(?:d|days?|tage?)\.?\s*)?"
    rf"(?:{_AMOUNT}(?:h|hrs?|hours?|std|stunden?)\.?\s*)?"
    rf"(?:{_AMOUNT}(?:m|mins?|minutes?|minuten?)\.?)?$"
)
# calamine shows a number cell with a time format as a date and time counted
# from this day: a duration of 4 hours reads "1899-12-31 04:00:00", and one
# of 30 hours 15 minutes "1900-01-01 06:15:00" (fastexcel 0.21).
_EXCEL_DURATION_ZERO = datetime(1899, 12, 31)
# Excel's 1900 date system counts a 29 February 1900 that did not exist, so
# from its day 60 on, the displayed day is one day off. Longer durations are
# rejected instead of read a day short.
_EXCEL_DURATION_END = datetime(1900, 2, 28)
_EXCEL_DATETIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$"


def duration_unit(header: str) -> str | None:
    """Return the unit ("minutes", "hours" or "days") that ``header`` names
    for its numbers, or None when it names none.

    A unit in brackets at the end decides first ("Full resolution time -
    business hours (hrs)" is in hours), then one after "in" ("Full
    resolution time in minutes within business hours" is in minutes), then
    the last word ("business_minutes").
    """
    for pattern in (_BRACKETED_UNIT, _UNIT_AFTER_IN, _UNIT_AT_END):
        found = pattern.search(header)
        if found:
            return _UNIT_WORDS[found.group(1).lower()]
    return None


def parse_durations(
    text: pl.Series,
    unit: str | None,
    default_mark: str = ".",
    number_cells: pl.Series | None = None,
) -> tuple[pl.Series, str]:
    """Parse duration cells into minutes (Float64), with a note on how.

    A plain number is in ``unit``, or in minutes when ``unit`` is None,
    because the fields that hold durations are named in minutes. "H:MM" and
    "H:MM:SS" give hours and minutes, and a cell with units such as "90 min"
    or "1h 30m" (``_WITH_UNITS``) its own. A workbook cell in a time format
    arrives as a date and time (see ``_EXCEL_DURATION_ZERO``) and gives its
    distance from that day. Other cells, and negative numbers, are null.
    ``number_cells`` marks the cells that a workbook stores as numbers, as
    for ``parse_numbers_detecting_mark``.
    """
    clock = text.str.extract_groups(_CLOCK)
    clock_minutes = (
        clock.struct.field("1").cast(pl.Float64) * 60
        + clock.struct.field("2").cast(pl.Float64)
        + clock.struct.field("3").cast(pl.Float64).fill_null(0) / 60
    )
    parts = text.str.extract_groups(_WITH_UNITS)
    days, hours, minutes_part = (
        parts.struct.field(str(group))
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64)
        for group in (1, 2, 3)
    )
    unit_minutes = (
        pl.DataFrame({"d": days, "h": hours, "m": minutes_part})
        .select(
            pl.when(pl.any_horizontal(pl.all().is_not_null())).then(
                pl.col("d").fill_null(0) * 1440
                + pl.col("h").fill_null(0) * 60
                + pl.col("m").fill_null(0)
            )
        )
        .to_series()
    )
    excel_time = text.str.contains(_EXCEL_DATETIME).fill_null(False)
    excel_minutes = _excel_duration_minutes(text.set(~excel_time, None))
    read_apart = clock_minutes.is_not_null() | unit_minutes.is_not_null()
    plain_text = text.set(read_apart | excel_time, None)
    if number_cells is not None:
        # The number a workbook stores under a time format counts days, not
        # the header's unit, so those cells are read from their text above.
        number_cells = number_cells & ~excel_time
    numbers, mark = parse_numbers_detecting_mark(plain_text, default_mark, number_cells)
    numbers = numbers.set(numbers < 0, None)
    per_unit = MINUTES_PER_UNIT[unit or MINUTES]
    minutes = (
        pl.DataFrame(
            {
                "clock": clock_minutes,
                "units": unit_minutes,
                "excel": excel_minutes,
                "number": numbers * per_unit,
            }
        )
        .select(pl.coalesce("clock", "units", "excel", "number"))
        .to_series()
        .alias(text.name)
    )
    return minutes, _note(
        unit, mark, numbers, clock_minutes, unit_minutes, excel_minutes
    )


def _excel_duration_minutes(text: pl.Series) -> pl.Series:
    """Read "1899-12-31 04:00:00"-style cells as minutes from
    ``_EXCEL_DURATION_ZERO``, and null after ``_EXCEL_DURATION_END``."""
    displayed = text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
    inside = displayed.is_between(_EXCEL_DURATION_ZERO, _EXCEL_DURATION_END)
    minutes = (displayed - _EXCEL_DURATION_ZERO).dt.total_seconds() / 60
    return minutes.set(~inside.fill_null(False), None).cast(pl.Float64)


def _note(
    unit: str | None,
    mark: str,
    numbers: pl.Series,
    clock_minutes: pl.Series,
    unit_minutes: pl.Series,
    excel_minutes: pl.Series,
) -> str:
    """Describe what the cells were read as, for the import's notes."""
    parts = []
    if numbers.is_not_null().any():
        point = "decimal comma" if mark == "," else "decimal point"
        if unit is None:
            parts.append(
                f"numbers with a {point} read as minutes, because the header "
                "names no unit"
            )
        elif unit == MINUTES:
            parts.append(f"minutes with a {point}")
        else:
            parts.append(f"{unit} with a {point}, converted to minutes")
    if clock_minutes.is_not_null().any():
        parts.append("H:MM or H:MM:SS times, converted to minutes")
    if unit_minutes.is_not_null().any():
        parts.append("times with their units, such as '90 min', converted to minutes")
    if excel_minutes.is_not_null().any():
        parts.append("Excel time cells, converted to minutes")
    return "; ".join(parts) or "durations"
