"""Leave out the rows that repeat an earlier row: a deal with an id seen
before, or a row of another table whose every cell, id included, repeats
an earlier one.
"""

from __future__ import annotations

import polars as pl

from kpi_core.date_values import detect_date_format
from kpi_core.import_problems import EXAMPLES_SHOWN, LINE, Problem
from kpi_core.mapping import Mapping


def drop_duplicate_ids(
    mapping: Mapping, frame: pl.DataFrame
) -> tuple[pl.DataFrame, Problem | None]:
    id_fields = [
        f.name
        for f in mapping.schema.fields
        if f.kind == "id" and mapping.columns.get(f.name)
    ]
    if mapping.table != "deals" or not id_fields:
        return frame, None
    id_field = id_fields[0]
    if _all_distinct(frame[id_field]):
        return frame, None
    # A row that is not the first with its id repeats an earlier one.
    duplicate = ~frame[id_field].is_first_distinct()
    dupes = frame.filter(duplicate)
    problem = Problem(
        column=mapping.columns[id_field] or id_field,
        field=id_field,
        kind="a duplicate id (the first row with that id is kept)",
        count=dupes.height,
        lines=tuple(dupes[LINE].to_list()),
        examples=tuple(dupes[id_field].head(EXAMPLES_SHOWN).to_list()),
    )
    return frame.filter(~duplicate), problem


# The maximum number of distinct values in a column of export times (see
# ``drop_repeated_rows``), one per export pasted into the file.
_EXPORT_TIMES = 3
# The id field of each table whose rows a repeated export line would count
# twice. Deals are checked by their id alone (``drop_duplicate_ids``).
_ROW_IDS = {
    "orders": "order_id",
    "subscriptions": "subscription_id",
    "nps": "response_id",
    "tickets": "ticket_id",
}


def drop_repeated_rows(
    mapping: Mapping, frame: pl.DataFrame, raw: pl.DataFrame
) -> tuple[pl.DataFrame, Problem | None]:
    """Drop the rows whose every cell of the file, id included, repeats an
    earlier row, as a file pasted together from two overlapping exports
    has them.

    ``raw`` contains the file's text columns, also those not mapped. Rows
    that share an id but differ in any column stay, because they may be the
    line items of one order, such as two products, or the changes of one
    subscription. An unmapped column of dates or times with at most
    ``_EXPORT_TIMES`` distinct values is not compared, because two exports
    of the same rows differ there ("Exported at"). A date per row, such as
    "Shipped at", is compared, because it can set two line items apart.
    """
    id_field = _ROW_IDS.get(mapping.table)
    if id_field is None or not mapping.columns.get(id_field):
        return frame, None
    if _all_distinct(frame[id_field]):
        return frame, None
    mapped = set(mapping.used_columns().values())
    cells = [
        name
        for name in raw.columns
        if name != LINE and (name in mapped or not _is_export_time(raw[name]))
    ]
    repeated_lines = raw.filter(~pl.struct(cells).is_first_distinct())[LINE]
    repeated = frame[LINE].is_in(repeated_lines.implode())
    if not repeated.any():
        return frame, None
    copies = frame.filter(repeated)
    problem = Problem(
        column=mapping.columns[id_field] or id_field,
        field=id_field,
        kind=(
            "every cell of an earlier row, id included, export times aside (the "
            "earlier row is kept)"
        ),
        count=copies.height,
        lines=tuple(copies[LINE].to_list()),
        # An empty id is no example.
        examples=tuple(copies[id_field].drop_nulls().head(EXAMPLES_SHOWN).to_list()),
    )
    return frame.filter(~repeated), problem


def _is_export_time(cells: pl.Series) -> bool:
    """Tell whether a text column contains few distinct dates, each on two
    rows or more on average, as the time of each export pasted into a file
    does."""
    sample = cells.drop_nulls().head(200)
    distinct = cells.n_unique()
    if sample.len() == 0 or distinct > _EXPORT_TIMES or 2 * distinct > cells.len():
        return False
    return detect_date_format(sample).order in ("iso", "dmy", "mdy", "ambiguous")


def _all_distinct(ids: pl.Series) -> bool:
    """Tell whether no id repeats, checking ascending ids without hashing."""
    if ids.len() < 2:
        return True
    if ids.null_count() == 0 and (ids.slice(1) > ids.slice(0, ids.len() - 1)).all():
        return True
    return ids.n_unique() == ids.len()
