"""Parse one mapped column into its field's type and find its unparsable,
ambiguous and out-of-range cells.

Such a cell is read as empty and its row kept, unless its field is in
``ROW_FIELDS``, where the row is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial

import polars as pl

from kpi_core.business_hours import ZONE_FLAG
from kpi_core.cell_currency import MoneyCells, column_format_marks, money_fields
from kpi_core.cell_text import ROW_FIELDS, column_text, without_placeholders
from kpi_core.currency_column import (
    CURRENCY_FIELD,
    SHARED_CURRENCY,
    UNKNOWN_CURRENCY,
    money_header_currency,
    read_currency_codes,
)
from kpi_core.decimal_marks import per_currency_note
from kpi_core.formatting import count_noun
from kpi_core.future_dates import (
    FUTURE_DATE,
    find_future_dates,
    future_advice,
    keeps_future_rows,
)
from kpi_core.import_problems import (
    LINE,
    FoundProblem,
    cell_problem,
    set_cells_empty,
    split_rows_by_source,
)
from kpi_core.kind_parsing import (
    decimal_mark_note,
    find_doubtful_dates,
    find_other_order_dates,
    parse_by_kind,
)
from kpi_core.mapping import Mapping
from kpi_core.nps import drop_scale_labels, labelled_scores
from kpi_core.raw_table import RawTable
from kpi_core.schema import DATE, DURATION, FLAG, INTEGER, NUMBER
from kpi_core.spend_dates import (
    MONTHS_NOTE,
    count_read,
    days_among_months,
    parse_spend_months,
    read_by_most,
)
from kpi_core.subscription_data import FALSE_FLAGS, TRUE_FLAGS
from kpi_core.utc_times import mark_utc_times, utc_to_wall_clock
from kpi_core.values import (
    ParsedMoney,
    describe_ambiguous_amount,
    describe_ambiguous_in_currency,
    parse_money,
)

_NUMBER_KINDS = (NUMBER, INTEGER, DURATION)
# Number fields whose placeholders stay reported as invalid values, by table.
# A score other than a whole number from 0 to 10 must be corrected in the
# file, and an empty score is no response.
_PLACEHOLDERS_REPORTED = {"nps": ("score",)}
# Time fields that business hours read as wall-clock time. Their values
# with a zone, parsed into UTC, are stored as wall-clock time in ZONED_AS,
# and their rows are flagged for conversion to another working time zone.
_WALL_CLOCK_FIELDS = {"tickets": ("created_at", "solved_at", "closed_at")}


@dataclass(frozen=True)
class ParsedColumn:
    """A parsed column, with its unreadable cells read as empty unless its
    field is in ``ROW_FIELDS``, its problems and its filled cells."""

    column: str
    values: pl.Series
    note: str | None
    found: list[FoundProblem]
    filled: pl.Series
    money_cells: MoneyCells | None
    # For a field of ``_WALL_CLOCK_FIELDS``, True for the values converted
    # from a time with a zone into ZONED_AS; None when there are none.
    zoned: pl.Series | None = None
    # The number of values converted from UTC into ZONED_AS.
    converted: int = 0


def parse_mapped_column(
    raw: RawTable,
    mapping: Mapping,
    field_name: str,
    column: str,
    order: str | None,
    mark: str,
    today: date,
) -> ParsedColumn:
    """Parse ``column`` as ``field_name`` and find its unparsable,
    ambiguous and out-of-range cells, and the dates of events after
    ``today`` (``future_dates``)."""
    kind = mapping.schema.field(field_name).kind
    is_money = field_name in money_fields(mapping)
    row_kept = field_name not in ROW_FIELDS.get(mapping.table, ())
    is_number = kind in _NUMBER_KINDS or is_money
    text = column_text(raw, column, mapping.table, field_name, is_number)
    placeholders_empty = (
        is_number
        and row_kept
        and field_name not in _PLACEHOLDERS_REPORTED.get(mapping.table, ())
    )
    found: list[FoundProblem] = []
    money_cells = None
    bad = None
    zone_free = False

    def add(rows: pl.Series, label: str | None = None) -> None:
        for source, source_rows in split_rows_by_source(raw, column, rows):
            problem = cell_problem(
                raw.frame, source, field_name, kind, source_rows, text, label
            )
            found.append(
                FoundProblem(replace(problem, row_kept=row_kept), source_rows, text)
            )

    if is_money:
        row_codes = partial(_row_currency_codes, raw, mapping)
        money_text = parse_money(text, mark, _number_cells(raw, column), row_codes)
        parsed = money_text.numbers
        if placeholders_empty:
            text = without_placeholders(text, parsed)
        note = decimal_mark_note(money_text.mark)
        if money_text.styles is not None:
            note = per_currency_note(money_text.styles)
        formats = column_format_marks(raw.frame[LINE], raw.format_marks, column)
        money_cells = MoneyCells(
            field_name, column, text, parsed, money_text.marks, formats
        )
        if money_text.ambiguous is not None:
            add(money_text.ambiguous, _ambiguity_label(money_text, text))
            bad = text.is_not_null() & parsed.is_null() & ~money_text.ambiguous
    elif field_name == CURRENCY_FIELD:
        currencies = read_currency_codes(text, money_header_currency(mapping))
        parsed, note = currencies.codes, currencies.note
        for rows, label in (
            (currencies.shared, SHARED_CURRENCY),
            (currencies.unknown, UNKNOWN_CURRENCY),
        ):
            if rows.any():
                add(rows, label)
        bad = text.is_not_null() & parsed.is_null() & ~currencies.shared
        bad = bad & ~currencies.unknown
    else:
        months = parse_spend_months(mapping.table, kind, text)
        if months is not None and read_by_most(months, text):
            parsed, note, zone_free = months, MONTHS_NOTE, True
        else:
            number_cells = _number_cells(raw, column)
            file_columns = raw.column_sources().get(column, column)
            values, label_note = _without_scale_labels(mapping.table, field_name, text)
            parsed, note, zone_free = parse_by_kind(
                values, kind, order, raw.info.file, file_columns, mark, number_cells
            )
            note = note or label_note
            if placeholders_empty:
                text = without_placeholders(text, parsed)
            if months is not None and count_read(months) > count_read(parsed):
                parsed, note, zone_free = months, MONTHS_NOTE, True
        if note == MONTHS_NOTE:
            parsed, note = days_among_months(
                parsed,
                text,
                order,
                raw.info.file,
                raw.column_sources().get(column, column),
                raw.frame[LINE],
            )

    if bad is None:
        bad = text.is_not_null() & parsed.is_null()
    if bad.any():
        other_order = find_other_order_dates(kind, note, text, bad)
        if other_order is not None:
            # Dates that only read the other way are named apart, so they do
            # not look like typing errors.
            mask, label = other_order
            add(mask, label)
            bad = bad & ~mask
            doubtful = find_doubtful_dates(note, text, parsed, mask)
            if doubtful is not None:
                add(*doubtful)
                parsed = set_cells_empty(parsed, doubtful[0])
        if bad.any():
            add(bad)
    outside, kind_text = _out_of_range(mapping.table, field_name, kind, parsed, today)
    if outside is not None and outside.any():
        add(outside, kind_text)
        if row_kept:
            parsed = set_cells_empty(parsed, outside)
    future = find_future_dates(mapping.table, field_name, parsed, today)
    if future is not None and outside is not None:
        # A date over ten years ahead is named once, as out of range.
        future = future & ~outside
    if future is not None and future.any():
        mapped = set(mapping.used_columns())
        rows_kept = row_kept or keeps_future_rows(mapping.table, field_name, mapped)
        for source, source_rows in split_rows_by_source(raw, column, future):
            problem = cell_problem(
                raw.frame, source, field_name, kind, source_rows, text, FUTURE_DATE
            )
            problem = replace(problem, row_kept=rows_kept, advice=future_advice(today))
            found.append(FoundProblem(problem, source_rows, text))
        if rows_kept:
            parsed = set_cells_empty(parsed, future)

    zoned = None
    converted = 0
    with_zone = mark_utc_times(kind, column, note, text, parsed, zone_free)
    if with_zone is not None and with_zone.any():
        converted = int(with_zone.sum())
        parsed = utc_to_wall_clock(parsed, with_zone)
        if field_name in _WALL_CLOCK_FIELDS.get(mapping.table, ()):
            zoned = with_zone.alias(field_name + ZONE_FLAG)
    return ParsedColumn(
        column,
        parsed.alias(field_name),
        note,
        found,
        text.is_not_null(),
        money_cells,
        zoned,
        converted,
    )


def _without_scale_labels(
    table: str, field_name: str, text: pl.Series
) -> tuple[pl.Series, str | None]:
    """Drop the scale labels of NPS scores such as "10 - äußerst
    wahrscheinlich" (``drop_scale_labels``), and return the text with a
    note that counts them. Any other column, or a score column without
    labels, is returned unchanged with None."""
    if table != "nps" or field_name != "score":
        return text, None
    labelled = labelled_scores(text)
    if labelled.is_empty():
        return text, None
    scores = drop_scale_labels(text)
    note = (
        f"{count_noun(labelled.len(), 'score')} written with a scale label, "
        f"such as {labelled[0]!r}, read as the number before the label"
    )
    return scores, note


def _row_currency_codes(raw: RawTable, mapping: Mapping) -> pl.Series | None:
    """Return each row's code from the mapped currency column, read as that
    column is read, or None when no currency column is mapped."""
    column = mapping.columns.get(CURRENCY_FIELD)
    if not column:
        return None
    text = column_text(raw, column, mapping.table, CURRENCY_FIELD, False)
    return read_currency_codes(text, money_header_currency(mapping)).codes


def _number_cells(raw: RawTable, column: str) -> pl.Series | None:
    """Return True for the cells of ``column`` that the workbook stores as
    numbers (``RawTable.number_cells``), or None without any."""
    cells = column_format_marks(raw.frame[LINE], raw.number_cells, column)
    return None if cells is None else cells.is_not_null()


def _ambiguity_label(money_text: ParsedMoney, text: pl.Series) -> str:
    """Describe the amounts that ``parse_money`` found to read two ways."""
    example = text.filter(money_text.ambiguous).first()
    if money_text.styles is None or money_text.currencies is None:
        reason = describe_ambiguous_amount(example, money_text.mark)
    else:
        code = money_text.currencies.filter(money_text.ambiguous).first()
        reason = describe_ambiguous_in_currency(
            example, code, money_text.styles.get(code)
        )
    return f"an amount that reads two ways ({reason})"


def _out_of_range(
    table: str, field_name: str, kind: str, parsed: pl.Series, today: date
) -> tuple[pl.Series | None, str]:
    """Mark parsed values that cannot be right, with the problem's wording.

    NPS scores run from 0 to 10. A date before 1950 or more than ten years
    ahead is taken for a typing error (2205 for 2025), because one such
    value would stretch every chart and period pick to that year.
    """
    if table == "nps" and field_name == "score":
        inside = parsed.is_between(0, 10)
        return (~inside).fill_null(False), "a score outside 0-10"
    if kind == FLAG:
        flags = parsed.str.to_lowercase().is_in(list(TRUE_FLAGS | FALSE_FLAGS))
        return (~flags).fill_null(False), "a value other than yes or no"
    if kind == DATE:
        # Compared as times, from midnight on 1 January 1950 to the end of
        # the latest day, which spares a cast of every value to a day.
        after_latest = today + timedelta(days=3654)
        inside = parsed.is_between(
            datetime(1950, 1, 1),
            datetime.combine(after_latest, datetime.min.time()),
            closed="left",
        )
        return (~inside).fill_null(False), "a date before 1950 or over 10 years ahead"
    return None, ""
