"""Find the columns of a read file by their values: yes/no flags, plain
numbers, and columns under a bare date header that contain no dates. The
import uses them to guess the table type and the mapping.
"""

from __future__ import annotations

import polars as pl

from kpi_core.cell_text import NULL_MARKERS
from kpi_core.date_values import detect_and_parse_dates
from kpi_core.schema import DATE, TABLES, normalise_header
from kpi_core.subscription_data import FALSE_FLAGS, TRUE_FLAGS


def yes_no_columns(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Name the ``columns`` where at least 80 % of the filled cells among the
    first 2,000 rows read as yes or no (Yes/No, True/False, 1/0, Ja/Nein).

    The other cells of such a column are then reported as bad values instead
    of the whole column being left unmapped.
    """
    known = list(TRUE_FLAGS | FALSE_FLAGS)
    found = []
    # The names are given instead of taken from frame.drop(LINE), because
    # dropping a column from a frame read in chunks copied it (153 MB more
    # peak memory for a million deals, Polars 2.1).
    for name in columns:
        # The alias keeps a header such as "*" from acting as a wildcard.
        cells = frame[name].alias("cell").head(2000).drop_nulls()
        if cells.len() == 0:
            continue
        flags = cells.str.strip_chars().str.to_lowercase().is_in(known).sum()
        if flags >= 0.8 * cells.len():
            found.append(name)
    return found


def undated_bare_columns(
    frame: pl.DataFrame, columns: list[str], table: str
) -> list[str]:
    """Name the ``columns`` headed by a bare word that a date field of
    ``table`` takes only as a whole header ("Closed", "Erstkontakt"), where
    no filled cell among the first 2,000 rows reads as a date.

    Such a word also heads columns of agent names, status words, ticks or
    counts, which would otherwise stop the import as invalid dates or
    leave out their rows. A column with some dates stays a date column, and
    the import names its other cells, such as "open", as invalid dates.
    """
    bare = {
        normalise_header(alias)
        for schema_field in TABLES[table].fields
        if schema_field.kind == DATE
        for alias in schema_field.whole_header_aliases
    }
    found = []
    for name in columns:
        if normalise_header(name) not in bare:
            continue
        cells = frame[name].alias("cell").head(2000).str.strip_chars()
        cells = cells.filter(cells.is_not_null() & ~cells.is_in(NULL_MARKERS))
        if cells.len() == 0:
            continue
        _, parsed = detect_and_parse_dates(cells, stripped=True)
        if parsed.null_count() == cells.len():
            found.append(name)
    return found


# A plain number with an optional sign and decimal part, such as "3", "-1.5"
# or "0,25".
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$"


def number_columns(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    """Return the ``columns`` where every filled cell among the first 2,000
    rows is a plain number. Columns without a filled cell there are left out."""
    found = []
    for name in columns:
        # The alias keeps a header such as "*" from acting as a wildcard.
        cells = frame[name].alias("cell").head(2000).drop_nulls().str.strip_chars()
        cells = cells.filter(cells != "")
        if cells.len() and cells.str.contains(_PLAIN_NUMBER).all():
            found.append(name)
    return found
