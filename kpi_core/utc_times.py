"""Find the times of a date column that are in UTC, and store them as
wall-clock times in ``ZONED_AS``.

A time is in UTC when it was written with a zone, when it is a Unix time,
or when the column's header names UTC.
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.business_hours import ZONED_AS
from kpi_core.date_values import has_time_zone
from kpi_core.kind_parsing import EPOCH_NOTES
from kpi_core.schema import DATE

# "UTC" or "GMT" in a header, also after an underscore ("submitted_at_utc")
# or in camel case ("submittedAtUtc"), and an offset from it that follows.
_ZONE_NAME = re.compile(
    r"(?:(?<![A-Za-z])(?:UTC|GMT|Utc|Gmt|utc|gmt)|(?<=[a-z])(?:UTC|GMT|Utc|Gmt))"
    r"(?![a-z])"
)
_OFFSET = re.compile(r"\s*[+\-\u2212]\s*(\d{1,2})(?::?(\d{2}))?")
# "not", "no" and the like a few words before the zone, as in "not
# converted to UTC".
_NEGATED = re.compile(
    r"(?i)\b(?:not|no|non|kein|keine|nicht|ohne|without)\b[\w\s]{0,25}$"
)
# Words after a zone that make it a zone with summer time, as in "GMT
# Standard Time", "GMT0BST", "GMT/BST" and the places of UK, Irish and
# Portuguese time ("Time GMT London", "GMT (Europe/Lisbon)").
_LOCAL_ZONE = re.compile(
    r"(?i)^\s*(?:standard|daylight|summer)\s+time|^\d"
    r"|^\W{0,3}(?:bst|cest|mesz|london|dublin|edinburgh|belfast|lisbon"
    r"|europe/|uk\b|britain|british|ireland|irish|portugal)\b"
)
# A Windows zone label: an offset in brackets followed by places.
_WINDOWS_LABEL = re.compile(r"^\s*[)\]]\s*[A-Za-z]")


def header_names_utc(header: str) -> bool:
    """Tell whether a header says its times are in UTC: "Created (UTC)",
    "submitted_at_utc", "(GMT+00:00)" or "Coordinated Universal Time".

    Windows names a time zone by its offset and places, as in "(UTC+01:00)
    Amsterdam, Berlin" or "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
    and those zones keep summer time, so an offset followed by places gives
    no fixed offset, nor do "GMT Standard Time", "GMT0BST" and "not
    converted to UTC". Other words after the zone ("UTC Timestamp") keep
    it UTC.
    """
    if re.search(r"(?i)coordinated universal time", header):
        return not _NEGATED.search(header[: header.lower().index("coordinated")])
    found = _ZONE_NAME.search(header)
    if found is None or _NEGATED.search(header[: found.start()]):
        return False
    rest = header[found.end() :]
    # A word glued to the zone ("utcOffset") or summer time after it.
    if rest[:1].isalpha() or _LOCAL_ZONE.match(rest):
        return False
    offset = _OFFSET.match(rest)
    if offset is None:
        return True
    if int(offset.group(1)) or int(offset.group(2) or 0):
        return False
    # "(UTC+00:00) Dublin, Edinburgh, Lisbon, London" is London time.
    return not _WINDOWS_LABEL.match(rest[offset.end() :])


def mark_utc_times(
    kind: str,
    column: str,
    note: str | None,
    text: pl.Series,
    parsed: pl.Series,
    zone_free: bool,
) -> pl.Series | None:
    """Mark the parsed times that are in UTC, or return None for a column
    without dates.

    Those are the times written with a zone ("Z", "+01:00"), which
    ``parse_dates`` turned into UTC, and Unix times. So is every time of day
    in a column whose header names UTC, as Stripe's "Created (UTC)" and
    Typeform's "Submit Date (UTC)" do. ``zone_free`` (see
    ``DateFormat.zone_free``) skips the search for zones in the text.
    """
    if kind != DATE:
        return None
    marked = pl.repeat(False, text.len(), eager=True)
    if note in EPOCH_NOTES:
        # Unix seconds and milliseconds count from midnight UTC.
        return parsed.is_not_null()
    if note is not None and note.startswith("dates ") and not zone_free:
        marked = has_time_zone(text)
    if header_names_utc(column):
        # A date without a time of day is a day, which has no zone.
        marked = marked | text.str.contains(":", literal=True).fill_null(False)
    return marked & parsed.is_not_null()


def utc_to_wall_clock(parsed: pl.Series, rows: pl.Series) -> pl.Series:
    """Return ``parsed`` with the UTC times of ``rows`` as wall-clock times
    in ``ZONED_AS``."""
    frame = pl.DataFrame({"value": parsed, "rows": rows})
    local = (
        pl.col("value")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(ZONED_AS)
        .dt.replace_time_zone(None)
    )
    converted = pl.when(pl.col("rows")).then(local).otherwise(pl.col("value"))
    return frame.select(converted).to_series().alias(parsed.name)
