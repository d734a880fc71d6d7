"""Parse the cleaned text of a column by its field kind: dates in a detected
or chosen order, durations, numbers and whole numbers.

A date column's order is day first or month first.
``find_other_order_dates`` and ``find_doubtful_dates`` find the dates that
read only in the other order, and those that read both ways beside them,
with the wording of their problems.
"""

from __future__ import annotations

import polars as pl

from kpi_core.date_values import order_examples
from kpi_core.durations import duration_unit, parse_durations
from kpi_core.errors import AmbiguousDateError
from kpi_core.schema import DATE, DURATION, INTEGER, NUMBER
from kpi_core.values import (
    detect_and_parse_dates,
    parse_dates,
    parse_numbers_detecting_mark,
)

_ORDER_NOTES = {
    "iso": "year first (ISO)",
    "dmy": "day first",
    "mdy": "month first",
    "excel_serial": "Excel serial numbers",
    "epoch_s": "Unix seconds",
    "epoch_ms": "Unix milliseconds",
}
_ISO_NOTE = f"dates {_ORDER_NOTES['iso']}"
EPOCH_NOTES = (f"dates {_ORDER_NOTES['epoch_s']}", f"dates {_ORDER_NOTES['epoch_ms']}")
# The date notes of numbers, which a column of months does not read as dates.
NUMBER_DATE_NOTES = (f"dates {_ORDER_NOTES['excel_serial']}", *EPOCH_NOTES)


def parse_by_kind(
    text: pl.Series,
    kind: str,
    order: str | None,
    file: str,
    column: str | tuple[str, ...],
    default_mark: str,
    number_cells: pl.Series | None = None,
) -> tuple[pl.Series, str | None, bool]:
    """Parse one column by its field kind. ``column`` names the file column,
    or the file columns of a column the import built, in errors.

    Returns the values, a note on what was detected (date order, decimal
    mark) or None, and ``DateFormat.zone_free`` for a date column.
    """
    # The text comes from ``clean_text``: stripped, with empty cells null.
    if kind == DATE:
        zone_free = False
        if order is None:
            detected, dates = detect_and_parse_dates(text, stripped=True)
            if detected.order == "ambiguous":
                several = not isinstance(column, str) and len(column) > 1
                raise AmbiguousDateError(
                    _ambiguous_order_message(text, several), file=file, column=column
                )
            order, zone_free = detected.order, detected.zone_free
        else:
            dates = parse_dates(text, order, stripped=True)
        note = _ORDER_NOTES.get(order)
        return dates, f"dates {note}" if note else None, zone_free
    if kind == DURATION:
        # A column the import built from several has no header to name a unit.
        unit = duration_unit(column) if isinstance(column, str) else None
        minutes, note = parse_durations(text, unit, default_mark, number_cells)
        return minutes, note, False
    if kind in (NUMBER, INTEGER):
        numbers, mark = parse_numbers_detecting_mark(text, default_mark, number_cells)
        if kind == INTEGER:
            return _integers(numbers), None, False
        return numbers, decimal_mark_note(mark), False
    return text, None, False


def find_other_order_dates(
    kind: str, note: str | None, text: pl.Series, bad: pl.Series
) -> tuple[pl.Series, str] | None:
    """Find the unparsed dates of a day-first or month-first column that
    read in the other order, and return their mask and the problem's wording,
    or None when there are none."""
    orders = {"dates day first": ("dmy", "mdy"), "dates month first": ("mdy", "dmy")}
    if kind != DATE or note not in orders:
        return None
    order, other = orders[note]
    other_dates = parse_dates(text.filter(bad), other, stripped=True)
    if other_dates.null_count() == other_dates.len():
        return None
    rows = bad.arg_true().filter(other_dates.is_not_null())
    mask = pl.repeat(False, bad.len(), eager=True).scatter(rows, True)
    words = {"dmy": "day first", "mdy": "month first"}
    label = (
        f"a date that only reads {words[other]} while the column is "
        f"{words[order]} (correct it in the file, or choose the other order)"
    )
    return mask, label


def find_doubtful_dates(
    note: str, text: pl.Series, parsed: pl.Series, other_rows: pl.Series
) -> tuple[pl.Series, str] | None:
    """Find the dates that read both ways and share a separator with the
    dates of ``other_rows``, which only read in the other order, and return
    their mask and the problem's wording, or None when there are none.

    A column of "03.04.2025" and "4/15/2025" mixes two sources: the slash
    dates are month-first, so "04/03/2025" beside them may be 3 April as
    well as 4 March. Reading it in the column's order would be a guess.
    """
    other = {"dates day first": "mdy", "dates month first": "dmy"}[note]
    separator = text.str.extract(r"^[0-9]{1,2}([./-])", 1)
    marks = separator.filter(other_rows).drop_nulls().unique().sort()
    candidates = separator.is_in(marks.implode()).fill_null(False)
    candidates = candidates & parsed.is_not_null()
    if not candidates.any():
        return None
    rows = candidates.arg_true()
    read_other = parse_dates(text.gather(rows), other, stripped=True)
    differs = (read_other != parsed.gather(rows)).fill_null(False)
    if not differs.any():
        return None
    mask = pl.repeat(False, text.len(), eager=True).scatter(rows.filter(differs), True)
    words = {"dmy": "day first", "mdy": "month first"}
    written = " or ".join(repr(mark) for mark in marks)
    label = (
        f"a date that reads both ways, while other dates written with {written} "
        f"in this column only read {words[other]} (write it with the year "
        "first, as 2025-04-03)"
    )
    return mask, label


def _ambiguous_order_message(text: pl.Series, several: bool = False) -> str:
    """Describe why a date column has no order: every date fits both, or the
    dates that settle it are split evenly between the two orders.
    ``several`` words it for a column that the import built from several
    file columns, which are read in one order."""
    if several:
        subject, mixes, choice = "the columns", "mix", "one date order"
        target = "these columns"
    else:
        subject, mixes, choice = "the column", "mixes", "the date order"
        target = "this column"
    day_first, month_first = order_examples(text)
    if day_first is None or month_first is None:
        return (
            "every date fits both day-first and month-first order; choose "
            f"{choice} (dd/mm or mm/dd) for {target}"
        )
    return (
        f"{subject} {mixes} day-first dates such as {day_first!r} and "
        f"month-first dates such as {month_first!r}, as many of each; choose "
        f"{choice} (dd/mm or mm/dd) for {target}, and the dates that fit only "
        "the other order are read as empty and listed"
    )


def decimal_mark_note(mark: str) -> str:
    return "decimal comma" if mark == "," else "decimal point"


def _integers(numbers: pl.Series) -> pl.Series:
    return (
        pl.DataFrame({"x": numbers})
        .select(
            pl.when(pl.col("x").round(0) == pl.col("x"))
            .then(pl.col("x"))
            .otherwise(None)
            .cast(pl.Int64)
        )
        .to_series()
    )
