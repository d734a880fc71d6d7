"""Clean the text of a mapped column before it is parsed.

Spaces are stripped, and null markers are read as empty cells. In number
columns, placeholders such as "k. A." are read as empty too.
"""

from __future__ import annotations

import functools
import operator

import polars as pl

from kpi_core.raw_table import RawTable

NULL_MARKERS = ["", "-", "NULL", "null", "N/A", "n/a", "NA", "#N/A"]
_LONGEST_MARKER_BYTES = max(len(marker.encode()) for marker in NULL_MARKERS)
# Cells of a number, money or duration column that mean "no value", beyond
# NULL_MARKERS: German "k. A.", "keine Angabe" and "nicht angegeben" (not
# given), "n. v." and "nicht verfügbar" (not available), "n. b." and "nicht
# bekannt" (not known), "n. a.", "n/a" and German Excel's "#NV" (#N/A), in
# any case and with or without the spaces and the last dot, and a lone en or
# em dash. See ``without_placeholders`` for where they are read as empty.
# Date and text columns keep them, so "k.A." there stays an unreadable date.
# Polars (2.1) matches with Rust's regex crate, which runs in linear time.
_NUMBER_PLACEHOLDER = (
    r"(?i)^(?:k\.\s*a\.?|n\.\s*[abv]\.?|n\s*/\s*a|#nv|keine\s+angabe|"
    r"nicht\s+(?:angegeben|bekannt|verf(?:ü|ue)gbar)|[\u2013\u2014])$"
)
# The null markers that mean an empty cell in a number field of
# ``ROW_FIELDS``: a blank and a database NULL. There an empty quantity means
# one seat, so "-", "n/a" or "k.A." are unreadable and leave their rows out.
_EMPTY_CELL_MARKERS = ["", "NULL", "null"]
# Fields whose empty cell means something of its own: a ticket still open, a
# subscription still running, a quantity of 1. An unreadable cell there would
# change that meaning if read as empty, so it leaves its row out instead.
ROW_FIELDS = {
    "tickets": ("solved_at",),
    "subscriptions": ("ended_at", "canceled_at", "quantity"),
}


def column_text(
    raw: RawTable, column: str, table: str, field_name: str, is_number: bool
) -> pl.Series:
    """Return the cells of ``column`` as ``clean_text`` does, with the
    cells that mean no value as null.

    A number field of ``ROW_FIELDS`` reads only ``_EMPTY_CELL_MARKERS`` as
    empty. In the other number fields ``parse_mapped_column`` also reads the
    ``_NUMBER_PLACEHOLDER`` cells as empty once they fail to parse (see
    ``without_placeholders``), except in the fields of
    ``_PLACEHOLDERS_REPORTED``, which report them as invalid values.
    """
    if is_number and field_name in ROW_FIELDS.get(table, ()):
        return clean_text(raw.frame[column], raw.cells_stripped, _EMPTY_CELL_MARKERS)
    return clean_text(raw.frame[column], raw.cells_stripped)


def without_placeholders(text: pl.Series, parsed: pl.Series) -> pl.Series:
    """Return ``text`` with its ``_NUMBER_PLACEHOLDER`` cells as null.

    Only the cells that did not parse are matched, which are few or none in
    most files, because the pattern took 0.08-0.34 s on a column of two
    million numbers against 0.025 s for exact markers (Polars 2.1, 2 cores).
    """
    unread = (text.is_not_null() & parsed.is_null()).arg_true()
    if unread.len() == 0:
        return text
    cells = text.gather(unread).str.contains(_NUMBER_PLACEHOLDER).fill_null(False)
    found = unread.filter(cells)
    if found.len() == 0:
        return text
    return text.scatter(found, None)


def clean_text(
    values: pl.Series, stripped: bool, null_markers: list[str] = NULL_MARKERS
) -> pl.Series:
    """Strip spaces; empty cells and the ``null_markers`` become null.

    ``stripped`` skips the strip for cells that have none to lose. The
    result is named "value", because Series methods go through
    ``pl.col(name)``, where a header such as "*" or "^a$" would act as a
    wildcard or a regex.
    """
    text = values.alias("value").cast(pl.String)
    if not stripped:
        text = text.str.strip_chars()
    if _may_hold_markers(text):
        # Comparing with each marker took about half the time of is_in on
        # the short codes of benchmarks/generate.py (Polars 2.1, 2 cores).
        markers = functools.reduce(
            operator.or_, (text == marker for marker in null_markers)
        )
        if markers.any():
            text = text.set(markers, None)
    return text


def _may_hold_markers(text: pl.Series) -> bool:
    """Tell whether any cell is as short as the longest null marker.

    Finding the shortest cell is cheaper than matching every cell against
    the markers. When one of the first cells is short, the column is matched
    without that pass, which saves it on columns of short codes.
    """
    for cells in (text.head(1_000), text):
        shortest = cells.str.len_bytes().min()
        if shortest is not None and shortest <= _LONGEST_MARKER_BYTES:
            return True
    return False
