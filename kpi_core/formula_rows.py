"""Find the skipped rows whose formulas without a saved result the table
does not need.

A workbook written by a script such as openpyxl has no saved result for its
formulas, so calamine reads those cells as empty. ``kpi_core.table_layout``
uses the functions here to tell which of those cells sit in rows that are
left out anyway: a row below the table that holds only aggregate formulas
over the columns above, and a short footer row such as "Erstellt am" with
=TODAY() beside it.
"""

from __future__ import annotations

import re

import polars as pl

LINE = "_line"

# An aggregate of one range, such as "SUM(E2:E10)", "SUBTOTAL(9,$E$2:$E$10)"
# or "AVERAGE(E2:E10)". The groups are the range's first column and row and
# its last column and row. The file stores English function names, also
# when a German Excel shows SUMME or TEILERGEBNIS.
_AGGREGATE = re.compile(
    r"(?i)^(?:(?:SUM|AVERAGE|COUNTA?|MIN|MAX)\(|SUBTOTAL\(\s*[0-9]{1,3}\s*,)"
    r"\s*\$?([A-Z]{1,3})\$?([0-9]{1,7}):\$?([A-Z]{1,3})\$?([0-9]{1,7})\s*\)$"
)
_REFERENCE = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
# A footer row may hold formulas without a saved result when, with those
# cells counted as filled, it fills at most this many cells and at most
# half of the table's columns.
_FOOTER_CELLS = 2


def formula_total_lines(
    formula_cells: pl.DataFrame | None,
    filled_below: set[int],
    header_line: int,
    last_data_line: int,
) -> list[int]:
    """Return the rows below the table that read as empty and whose formulas
    all aggregate their own column between the header and the row, such as
    =SUM(E2:E10) in E11.

    ``formula_cells`` lists the formula cells without a saved result with
    ``_line``, ``cell`` ("E11") and ``formula`` ("SUM(E2:E10)"). Such a row
    reads as empty, so its numbers cannot be compared with the sums of the
    rows above, as ``summary_rows`` does with saved results. Its formulas
    show that it is a total row instead. A row below the table with any
    other formula, or with a value (a line in ``filled_below``), is not
    listed.
    """
    if formula_cells is None or formula_cells.height == 0:
        return []
    found: dict[int, bool] = {}
    for line, cell, formula in formula_cells.select(
        LINE, "cell", "formula"
    ).iter_rows():
        if line <= last_data_line or line in filled_below:
            continue
        aggregate = _aggregates_column_above(cell, formula, header_line)
        found[line] = found.get(line, True) and aggregate
    return sorted(line for line, aggregate in found.items() if aggregate)


def _aggregates_column_above(cell: str, formula: str, header_line: int) -> bool:
    own = _REFERENCE.match(cell)
    aggregate = _AGGREGATE.match(formula)
    if own is None or aggregate is None:
        return False
    first_column, first_row, last_column, last_row = aggregate.groups()
    column, row = own.group(1), int(own.group(2))
    same_column = first_column.upper() == last_column.upper() == column
    return same_column and header_line < int(first_row) <= int(last_row) < row


def footer_formula_lines(
    footer: pl.DataFrame, formula_cells: pl.DataFrame | None, columns: int
) -> list[int]:
    """Return the lines of the ``footer`` rows whose formula cells without a
    saved result the table does not need.

    The footer rule in ``table_layout`` takes a row for a footer when it has
    at most one value, and a formula without a result reads as no value.
    With its result, a row such as "Stand | =TODAY()" has two values.
    A note below a table fills so few cells, but a record whose cells are
    mostly formulas fills most of its row. So a footer row passes when,
    with its formula cells counted, it fills at most two cells and at most
    half of the table's ``columns``.
    """
    if formula_cells is None or formula_cells.height == 0 or footer.height == 0:
        return []
    formulas = formula_cells.get_column(LINE).value_counts(name="formulas")
    counted = footer.select(
        pl.col(LINE),
        pl.sum_horizontal(
            pl.col(name).is_not_null() for name in footer.columns if name != LINE
        ).alias("values"),
    ).join(formulas, on=LINE, how="inner")
    filled = pl.col("values") + pl.col("formulas")
    allowed = (filled <= _FOOTER_CELLS) & (filled * 2 <= columns)
    return counted.filter(allowed).get_column(LINE).to_list()


def with_stand_ins(
    cells: pl.DataFrame, formula_cells: pl.DataFrame, value: str
) -> pl.DataFrame:
    """Put ``value`` in each formula cell of a worksheet's grid, as if it
    were the formula's result.

    ``cells`` has the text columns c0, c1, ... and ``_line``, and
    ``formula_cells`` has their ``_line`` and grid ``column``. The grid
    grows to take in the formula cells outside it, because calamine leaves
    out rows and columns that hold only formulas without a result.
    """
    grid = [name for name in cells.columns if name != LINE]
    first = min(0, formula_cells["column"].min())
    last = max(len(grid) - 1, formula_cells["column"].max())
    width = last - first + 1
    # A formula left of the grid has a negative column, so the old columns
    # move right by ``offset``.
    offset = -first
    rows: dict[int, list[str | None]] = {}
    for line, *values in cells.select(LINE, *grid).iter_rows():
        row: list[str | None] = [None] * width
        row[offset : offset + len(values)] = values
        rows[line] = row
    for line, column in formula_cells.select(LINE, "column").iter_rows():
        rows.setdefault(line, [None] * width)[column + offset] = value
    lines = sorted(rows)
    return pl.DataFrame(
        {
            **{
                f"c{index}": [rows[line][index] for line in lines]
                for index in range(width)
            },
            LINE: lines,
        },
        schema={**{f"c{index}": pl.String for index in range(width)}, LINE: pl.Int64},
    )
