"""Parse text dates, deciding the format once per column.

``kpi_core.values`` re-exports the public names; import them from there.

Every value is matched against explicit ``strptime`` formats, never inferred.
A cheap prefix test sorts the values into year-first and day/month families,
a sample of each family ranks the formats, and each format is then tried only
on the values that no earlier format could parse. A column of one format is
therefore parsed in about one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

from kpi_core.errors import AmbiguousDateError, InvalidSettingError

DATE_ORDERS = (
    "iso",
    "dmy",
    "mdy",
    "excel_serial",
    "epoch_s",
    "epoch_ms",
    "ambiguous",
    "empty",
    "unknown",
)

_DATETIME = pl.Datetime("us")
# The label that ``convert_unique`` passes through from its conversion.
Label = TypeVar("Label")
_MICROS_PER_DAY = 86_400_000_000
_RANKING_SAMPLE = 300

_YEAR_FIRST = r"^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}"
_YEAR_LAST = r"^[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2}(?:[^0-9]|$))"
_FOUR_DIGIT_YEAR_LAST = r"^[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{4}"
# Only day-first can read a first part above 12, only month-first a second
# part above 12, and a dotted date (31.12.2024) is always day-first.
_FIRST_ABOVE_12 = r"^(?:1[3-9]|[23][0-9])[./-]"
_SECOND_ABOVE_12 = r"^[0-9]{1,2}[/-](?:1[3-9]|[23][0-9])[/-]"
_DOTTED = r"^[0-9]{1,2}\.[0-9]{1,2}\."

# A "T" is rewritten to " " and a "Z" or " UTC" suffix removed first, because
# Polars parses formats without "%.f", "%#z" or "%p" several times faster.
_ISO_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M%#z",
    "%Y-%m-%d %H:%M:%S %#z",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
# A time with a zone at the end: "10:00Z", "10:00:00 UTC", "10:00+01:00",
# "10:00:00.5 +0100" or "10:00-05".
_ZONED = (
    r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z| UTC| ?[+-][0-9]{2}(?::?[0-9]{2})?)$"
)
_TIMES = (
    "",
    " %H:%M",
    " %H:%M:%S",
    " %H:%M:%S%.f",
    " %I:%M %p",
    " %I:%M:%S %p",
    # Freshdesk in a German account writes "07.03.2025 09:00:00+02:00".
    " %H:%M:%S%#z",
    " %H:%M%#z",
)


def _day_month_formats(first: str, second: str, year: str) -> tuple[str, ...]:
    return tuple(
        f"{first}{sep}{second}{sep}{year}{clock}"
        for sep in ("/", ".", "-")
        for clock in _TIMES
    )


# A two-digit year ("%y") is read as 1970-2069 (chrono's rule), and only in
# the year-last forms, where it cannot be mistaken for a day or a month.
_DAY_FIRST = {
    4: _day_month_formats("%d", "%m", "%Y"),
    2: _day_month_formats("%d", "%m", "%y"),
}
_MONTH_FIRST = {
    4: _day_month_formats("%m", "%d", "%Y"),
    2: _day_month_formats("%m", "%d", "%y"),
}

# Plausible ranges, so that counts, ids and amounts are not taken for dates:
# Excel serial days 1927-2173, epoch seconds and milliseconds 1973-2286.
_NUMBER_RANGES = {
    "excel_serial": (10_000, 100_000),
    "epoch_s": (1e8, 1e10),
    "epoch_ms": (1e11, 1e13),
}
_EXCEL_DAY_ZERO = pl.datetime(1899, 12, 30)  # of Excel's 1900 date system


@dataclass(frozen=True)
class DateFormat:
    """How the dates of one column are written.

    ``order`` is one of ``DATE_ORDERS``. "iso" is year-first text, and "dmy"
    and "mdy" are day-first and month-first text (year-first values are
    accepted too). "excel_serial", "epoch_s" and "epoch_ms" are numbers.
    "ambiguous" means the day/month values fit both orders, "empty" that the
    column has no values, and "unknown" that no value is a date. ``has_time``
    is true when any value has a time of day other than midnight.
    ``zone_free`` is true when one format without a time zone read every
    value, so no value names a zone; false means some value may.
    """

    order: str
    has_time: bool
    zone_free: bool = field(default=False, compare=False)


def detect_date_format(values: pl.Series) -> DateFormat:
    """Decide the date format of a column from all its non-empty values.

    A day/month value that only one order can read (13/01/2024 only
    day-first, 01/13/2024 only month-first) settles the whole column. When
    such values contradict each other, the order that reads more of them
    wins; an even split, or no deciding value at all, is "ambiguous".
    """
    (order, zone_free), parsed = convert_unique(_clean(values), _analyse)
    return DateFormat(order, _has_time(parsed), zone_free)


def detect_and_parse_dates(
    values: pl.Series, *, stripped: bool = False
) -> tuple[DateFormat, pl.Series]:
    """Detect the date format of a column and parse it in that format.

    Returns what ``detect_date_format(values)`` and ``parse_dates(values)``
    would return, but reads the values once instead of twice. Unlike
    ``parse_dates`` it does not raise for an "ambiguous" column, so the
    caller decides what to do with one; the parsed values then follow the
    day-first order. ``stripped=True`` promises that no value has
    surrounding whitespace or is empty, which skips that cleaning pass.
    """
    (order, zone_free), parsed = convert_unique(_clean(values, stripped), _analyse)
    return DateFormat(order, _has_time(parsed), zone_free), parsed.alias(values.name)


def parse_dates(
    values: pl.Series, order: str | None = None, *, stripped: bool = False
) -> pl.Series:
    """Parse text dates into naive ``Datetime("us")``, one format per column.

    ``order=None`` uses ``detect_date_format``. Values with a UTC offset or
    "Z" are converted to UTC and stored without a time zone. Values that do
    not fit the format become null; so does every value for the orders
    "empty" and "unknown".

    Raises ``AmbiguousDateError`` when the order is, or is detected as,
    "ambiguous", and ``InvalidSettingError`` for an unknown order.
    ``stripped`` is as for ``detect_and_parse_dates``.
    """
    text = _clean(values, stripped)
    if order is not None and order not in DATE_ORDERS:
        raise InvalidSettingError(
            f"unknown date order {order!r}; use one of {', '.join(DATE_ORDERS[:6])}",
            column=values.name or None,
        )
    if order is None:
        (order, _), parsed = convert_unique(text, _analyse)
    elif order != "ambiguous":
        parsed = convert_unique(text, lambda unique: ("", _parse(unique, order)))[1]
    if order == "ambiguous":
        raise AmbiguousDateError(_ambiguous_message(text), column=values.name or None)
    return parsed.alias(values.name)


def convert_unique(
    text: pl.Series, convert: Callable[[pl.Series], tuple[Label, pl.Series]]
) -> tuple[Label, pl.Series]:
    """Run ``convert`` once per distinct value when a sample repeats a lot.

    ``convert`` returns a label and a series as long as its input. The label
    is passed through, and the series is mapped back onto every row.
    ``convert`` must treat each value on its own, apart from the label, and
    gets the distinct values in the order they first occur.
    """
    head = text.head(10_000)
    if head.n_unique() * 2 > head.len():
        return convert(text)
    return convert_distinct(text, text.alias("value").hash(), convert)


def convert_distinct(
    text: pl.Series,
    hashes: pl.Series,
    convert: Callable[[pl.Series], tuple[Label, pl.Series]],
) -> tuple[Label, pl.Series]:
    """Convert each distinct value once, finding them by ``hashes``.

    Mapping 64-bit hashes to positions is faster than joining on the text.
    Equal hashes of different values would merge them, so every row is
    compared with the value its hash maps to, and the values are
    deduplicated by their text when any row differs.
    """
    first = hashes.arg_unique()
    unique = text.gather(first)
    positions = pl.int_range(first.len(), dtype=pl.UInt32, eager=True)
    codes = hashes.replace_strict(hashes.gather(first), positions)
    if not text.eq_missing(unique.gather(codes)).all():
        unique = text.unique(maintain_order=True)
        codes = _positions_by_text(text, unique)
    label, converted = convert(unique)
    return label, converted.gather(codes).alias(text.name)


def _positions_by_text(text: pl.Series, unique: pl.Series) -> pl.Series:
    """Return the position in ``unique`` of each value of ``text``."""
    table = pl.DataFrame(
        {
            "value": unique,
            "position": pl.int_range(unique.len(), dtype=pl.UInt32, eager=True),
        }
    )
    joined = pl.DataFrame({"value": text}).join(
        table, on="value", how="left", maintain_order="left", nulls_equal=True
    )
    return joined["position"]


def _clean(values: pl.Series, stripped: bool = False) -> pl.Series:
    # Renamed because Series methods go through pl.col(name), where a header
    # such as "*" or "^a$" would act as a wildcard or a regex.
    text = values.alias("value").cast(pl.String)
    if stripped:
        return text
    text = text.str.strip_chars()
    return text.set(text == "", None)


def _analyse(text: pl.Series) -> tuple[tuple[str, bool], pl.Series]:
    """Decide the order of a cleaned column and parse it in that order.

    The label is the order and whether the column is zone-free, as
    ``DateFormat`` describes.
    """
    if text.null_count() == text.len():
        return ("empty", True), _nulls(text)
    iso, zone_free = _read_year_first(text)
    day_month = _unparsed_matches(text, iso, _YEAR_LAST)
    if day_month.any():
        dotted = text.str.contains(_DOTTED).fill_null(False)
        first_above = text.str.contains(_FIRST_ABOVE_12).fill_null(False)
        second_above = text.str.contains(_SECOND_ABOVE_12).fill_null(False)
        only_day = (day_month & (dotted | first_above) & ~second_above).sum()
        only_month = (day_month & second_above & ~first_above).sum()
        if only_day != only_month:
            order = "dmy" if only_day > only_month else "mdy"
            return (order, False), _parse(text, order)
        return ("ambiguous", False), _parse(text, "dmy")
    if iso.null_count() < text.len():
        return ("iso", zone_free), iso
    order = _numeric_order(text.cast(pl.Float64, strict=False).drop_nulls())
    return (order, False), _parse(text, order)


def _unparsed_matches(text: pl.Series, parsed: pl.Series, pattern: str) -> pl.Series:
    """Mark the values that match ``pattern`` and were not parsed.

    Equal to ``text.str.contains(pattern).fill_null(False) & parsed.is_null()``,
    but only the unparsed values go through the regex.
    """
    unparsed = text.is_not_null() & parsed.is_null()
    if unparsed.all():
        return text.str.contains(pattern).fill_null(False)
    positions = unparsed.arg_true()
    matches = pl.repeat(False, text.len(), eager=True)
    if positions.len() == 0:
        return matches
    return matches.scatter(positions, text.gather(positions).str.contains(pattern))


def _parse(text: pl.Series, order: str) -> pl.Series:
    if order == "iso":
        return _parse_year_first(text)
    if order in ("dmy", "mdy"):
        iso = _parse_year_first(text)
        candidates = _unparsed_matches(text, iso, _YEAR_LAST)
        if order == "mdy":
            candidates = candidates & ~text.str.contains(_DOTTED).fill_null(False)
        formats = _DAY_FIRST if order == "dmy" else _MONTH_FIRST
        return iso.fill_null(_parse_day_month(text, candidates, formats))
    if order in _NUMBER_RANGES:
        return _from_number(text.cast(pl.Float64, strict=False), order)
    return _nulls(text)


def _parse_year_first(text: pl.Series) -> pl.Series:
    return _read_year_first(text)[0]


def _read_year_first(text: pl.Series) -> tuple[pl.Series, bool]:
    """Parse the year-first values; also tell whether the column is
    zone-free, as ``DateFormat`` describes.

    Only the fast path below can report a zone-free column: its lead format
    has no zone, and Polars matches a format against the whole value.
    """
    sample = _iso_sample(text)
    lead = _lead_format(sample, _ISO_FORMATS)
    year_first = pl.col("value").str.contains(_YEAR_FIRST).fill_null(False)
    if not _reads_no_letters(lead) or not sample.str.contains(_YEAR_FIRST).all():
        candidates = text.to_frame("value").select(year_first).to_series()
        return _parse_where(text, candidates, _parse_iso), False
    # Every sample value is year-first, as in most exports, so the check and
    # the parse with the lead format go in one select, which Polars runs in
    # parallel. When every non-empty value is year-first, _parse_iso would
    # take the same sample and lead format, so its parse is the same, and the
    # lead format parses an empty value to null.
    checked = text.to_frame("value").select(
        year_first.alias("candidate"),
        pl.col("value").str.strptime(_DATETIME, lead, strict=False, cache=False),
    )
    if not (checked["candidate"] | text.is_null()).all():
        return _parse_where(text, checked["candidate"], _parse_iso), False
    parsed = checked["value"]
    if parsed.null_count() == text.null_count():
        return parsed.alias(text.name), True
    return _finish_iso(text, sample, lead, parsed).alias(text.name), False


def _parse_day_month(
    text: pl.Series, candidates: pl.Series, formats: dict[int, tuple[str, ...]]
) -> pl.Series:
    def parse(subset: pl.Series) -> pl.Series:
        four_digits = subset.str.contains(_FOUR_DIGIT_YEAR_LAST)
        long_years = _strptime_ranked(subset.set(~four_digits, None), formats[4])
        short_years = _strptime_ranked(subset.set(four_digits, None), formats[2])
        return long_years.fill_null(short_years)

    return _parse_where(text, candidates, parse)


def _parse_iso(subset: pl.Series) -> pl.Series:
    sample = _iso_sample(subset)
    lead = _lead_format(sample, _ISO_FORMATS)
    if not _reads_no_letters(lead):
        return _strptime_by_sample(_rewrite_iso(subset), sample, _ISO_FORMATS)
    return _finish_iso(subset, sample, lead, _strptime(subset, lead))


def _iso_sample(text: pl.Series) -> pl.Series:
    # The rewrites change each value on its own, so the rewritten sample is a
    # sample of the rewritten column.
    return _rewrite_iso(_ranking_sample(text.drop_nulls()))


def _finish_iso(
    subset: pl.Series, sample: pl.Series, lead: str, parsed: pl.Series
) -> pl.Series:
    """Parse the values that ``lead`` could not parse as they are.

    A value that a format of ``_reads_no_letters`` parses has no letter, so
    the rewrites leave it as it is. Only the others need the rewrites, which
    saves scanning every value for "T", "Z" and " UTC".
    """
    pending = _pending(subset, parsed)
    if pending.len() == 0:
        return parsed
    rewritten = _rewrite_iso(subset.gather(pending))
    return parsed.scatter(pending, _strptime_by_sample(rewritten, sample, _ISO_FORMATS))


def _rewrite_iso(text: pl.Series) -> pl.Series:
    """Drop a "Z" or " UTC" suffix and turn the first "T" into a space."""
    # Each rewrite copies the column, so it only runs when a value needs it.
    if text.str.ends_with("Z").any():
        text = text.str.strip_suffix("Z")
    if text.str.ends_with(" UTC").any():
        text = text.str.strip_suffix(" UTC")
    if text.str.contains("T", literal=True).any():
        text = text.str.replace("T", " ", literal=True)
    return text


def _reads_no_letters(fmt: str | None) -> bool:
    """Tell whether ``fmt`` has only numeric fields and no letter, so that
    no value it parses contains a letter."""
    if fmt is None:
        return False
    rest = re.sub(r"%(?:[YmdHMS]|\.f)", "", fmt)
    return "%" not in rest and not re.search(r"[A-Za-z]", rest)


def _parse_where(
    text: pl.Series,
    candidates: pl.Series,
    parse: Callable[[pl.Series], pl.Series],
) -> pl.Series:
    """Parse only the candidate values; the others become null."""
    if candidates.all():
        return parse(text).alias(text.name)
    positions = candidates.arg_true()
    if positions.len() == 0:
        return _nulls(text)
    return _nulls(text).scatter(positions, parse(text.gather(positions)))


def _strptime_ranked(text: pl.Series, formats: Sequence[str]) -> pl.Series:
    return _strptime_by_sample(text, _ranking_sample(text.drop_nulls()), formats)


def _strptime_by_sample(
    text: pl.Series, sample: pl.Series, formats: Sequence[str]
) -> pl.Series:
    """Parse each value with the first format, in the order that
    ``_rank_formats`` gives on ``sample``, that can parse it."""
    lead = _lead_format(sample, formats)
    if lead is None:
        return _strptime_in_turn(text, _rank_formats(sample, formats))
    # The lead format ranks first. The rest of the ranking only matters for
    # the values it cannot parse, so it is only computed for them.
    parsed = _strptime(text, lead)
    pending = _pending(text, parsed)
    if pending.len() == 0:
        return parsed
    others = _rank_formats(sample, formats)[1:]
    return parsed.scatter(pending, _strptime_in_turn(text.gather(pending), others))


def _ranking_sample(text: pl.Series) -> pl.Series:
    """Return up to ``_RANKING_SAMPLE`` values spread over the column."""
    step = max(text.len() // _RANKING_SAMPLE, 1)
    return text.gather_every(step).head(_RANKING_SAMPLE)


def _lead_format(sample: pl.Series, formats: Sequence[str]) -> str | None:
    """Return the first format that parses every sample value, which is the
    one ``_rank_formats`` puts first, or None when no format does."""
    for fmt in formats:
        if _strptime(sample, fmt).null_count() == 0:
            return fmt
    return None


def _rank_formats(sample: pl.Series, formats: Sequence[str]) -> list[str]:
    """Order formats by how many sample values they parse; keep ties in order."""
    hits = {fmt: _strptime(sample, fmt).is_not_null().sum() for fmt in formats}
    return sorted(formats, key=lambda fmt: -hits[fmt])


def _strptime_in_turn(text: pl.Series, formats: Sequence[str]) -> pl.Series:
    """Try each format on the values that no earlier format could parse."""
    if not formats:
        return _nulls(text)
    result = _strptime(text, formats[0])
    for fmt in formats[1:]:
        pending = _pending(text, result)
        if pending.len() == 0:
            break
        result = result.scatter(pending, _strptime(text.gather(pending), fmt))
    return result


def has_time_zone(text: pl.Series) -> pl.Series:
    """Tell for each text date whether it names its time zone: a time
    followed by "Z", " UTC" or an offset such as "+01:00", as the ISO forms
    of ``parse_dates`` read them. Such values are parsed into UTC."""
    return text.str.contains(_ZONED).fill_null(False)


def _pending(text: pl.Series, parsed: pl.Series) -> pl.Series:
    """Return the positions of the values that are not null and not parsed."""
    return (text.is_not_null() & parsed.is_null()).arg_true()


def _strptime(text: pl.Series, fmt: str) -> pl.Series:
    # No cache: repeated values are already parsed once by convert_unique,
    # and the cache slows down columns of distinct values.
    if "%#z" in fmt:
        aware = text.str.strptime(
            pl.Datetime("us", "UTC"), fmt, strict=False, cache=False
        )
        return aware.dt.replace_time_zone(None)
    return text.str.strptime(_DATETIME, fmt, strict=False, cache=False)


def _numeric_order(numbers: pl.Series) -> str:
    if numbers.len() == 0:
        return "unknown"
    low, high = numbers.min(), numbers.max()
    for order, (start, end) in _NUMBER_RANGES.items():
        if start <= low and high < end:
            return order
    return "unknown"


def _from_number(numbers: pl.Series, order: str) -> pl.Series:
    if order == "excel_serial":
        micros = (numbers * 86_400_000_000).round(0).cast(pl.Int64)
        frame = pl.DataFrame({"micros": micros})
        days = _EXCEL_DAY_ZERO + pl.duration(microseconds=pl.col("micros"))
        return frame.select(days.cast(_DATETIME)).to_series()
    scale = 1_000_000 if order == "epoch_s" else 1_000
    return (numbers * scale).round(0).cast(pl.Int64).cast(_DATETIME)


def _nulls(text: pl.Series) -> pl.Series:
    return pl.repeat(None, text.len(), dtype=_DATETIME, eager=True).alias(text.name)


def _has_time(parsed: pl.Series) -> bool:
    # Microseconds since 1970 that are not whole days, also before 1970. The
    # first values settle most columns of times without a pass over all.
    for values in (parsed.head(1_000), parsed):
        micros = values.cast(_DATETIME).cast(pl.Int64)
        if (micros % _MICROS_PER_DAY != 0).any():
            return True
    return False


def _ambiguous_message(text: pl.Series) -> str:
    day_month = text.filter(text.str.contains(_FOUR_DIGIT_YEAR_LAST).fill_null(False))
    example = day_month.head(1).to_list() or text.drop_nulls().head(1).to_list()
    shown = f" such as {example[0]!r}" if example else ""
    return (
        f"the dates{shown} fit both day/month/year and month/day/year order, "
        "and no value in the column settles it (a first or second part above 12 "
        "would); choose the date order for this column: dmy or mdy"
    )


def order_examples(values: pl.Series) -> tuple[str | None, str | None]:
    """Return one value that only day-first order reads (13/01/2024) and one
    that only month-first order reads (01/13/2024), each None where the
    column has none.

    Both are given for an "ambiguous" column whose deciding values are split
    evenly between the two orders, so the page can show the conflict.
    """
    text = _clean(values)
    day_month = text.str.contains(_YEAR_LAST).fill_null(False)
    dotted = text.str.contains(_DOTTED).fill_null(False)
    first_above = text.str.contains(_FIRST_ABOVE_12).fill_null(False)
    second_above = text.str.contains(_SECOND_ABOVE_12).fill_null(False)
    only_day = text.filter(day_month & (dotted | first_above) & ~second_above)
    only_month = text.filter(day_month & second_above & ~first_above)
    return _first(only_day), _first(only_month)


def _first(values: pl.Series) -> str | None:
    return values.item(0) if values.len() else None


# Month names in German and English, full and short, for month labels
# without a day such as "Januar 2026" or "Sept. 2025", and for total labels
# such as "Summe Januar" (``total_rows``).
MONTH_NAMES = {
    **dict.fromkeys(("januar", "jänner", "january", "jan"), 1),
    **dict.fromkeys(("februar", "february", "feb"), 2),
    **dict.fromkeys(("märz", "maerz", "march", "mär", "mrz", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("dezember", "december", "dez", "dec"), 12),
}


def parse_months(values: pl.Series) -> pl.Series | None:
    """Parse months without a day, "2026-01", "01.2026", "1/2026", "Januar
    2026" or "Jan. 2026", as the first day of each month.

    A filled value that is no such month, such as "k.A." or a whole date,
    is null in the result. Returns None when no value is a month, so a column
    of whole dates keeps the usual parse.
    """
    text = _clean(values).str.to_lowercase()
    if text.null_count() == text.len():
        return None
    value = pl.col("value")
    year_first = value.str.extract_groups(r"^(\d{4})[-/](\d{1,2})$")
    month_first = value.str.extract_groups(r"^(\d{1,2})[./](\d{4})$")
    named = value.str.extract_groups(r"^([a-zäöü]+)\.?\s+(\d{4})$")
    name_month = named.struct.field("1").replace_strict(
        MONTH_NAMES, default=None, return_dtype=pl.Int32
    )
    year = pl.coalesce(
        year_first.struct.field("1"),
        month_first.struct.field("2"),
        pl.when(name_month.is_not_null()).then(named.struct.field("2")),
    ).cast(pl.Int32)
    month = pl.coalesce(
        year_first.struct.field("2").cast(pl.Int32),
        month_first.struct.field("1").cast(pl.Int32),
        name_month,
    )
    valid = year.is_not_null() & month.is_between(1, 12)
    first_days = text.to_frame("value").select(
        pl.when(valid).then(pl.date(year, month, 1))
    )
    months = first_days.to_series()
    if months.null_count() == months.len():
        return None
    return months.cast(_DATETIME).alias(values.name)
