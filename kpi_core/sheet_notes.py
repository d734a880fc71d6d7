"""Put what ``sheet_cells.scan_cells`` finds under the table's headers.

calamine's grid has columns c0, c1, ... and ``lay_out`` names the columns
of the table it finds in it. The functions here match the two, keep the
workbook number cells of columns that mix numbers and text, and write the
notes on error cells and hidden rows and columns that the Data page and the
command line show.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from kpi_core.formatting import count_noun
from kpi_core.sheet_cells import CellScan
from kpi_core.table_layout import LINE, Layout, format_lines
from kpi_core.workbook import Sheet
from kpi_core.workbook_checks import column_letters, unsaved_formulas_error

# A plain decimal number as calamine writes a number cell ("1234.5"), and
# a whole number.
_DECIMAL = r"^-?[0-9]+\.[0-9]+$"
_WHOLE = r"^-?[0-9]+$"
_LINES_SHOWN = 10
_ERROR_NOTES = 10


def mixed_number_columns(frame: pl.DataFrame) -> list[str]:
    """Name the columns with a decimal number and a cell that is no number.

    Only in these can the number cells of a workbook and the amounts typed
    as text disagree on the decimal mark, so only they need the cell types.
    """
    found = []
    for name in frame.columns:
        if name == LINE:
            continue
        # The alias keeps a header such as "*" from acting as a wildcard.
        values = frame.get_column(name).alias("value").drop_nulls()
        decimal = values.str.contains(_DECIMAL)
        if not decimal.any():
            continue
        if (~decimal & ~values.str.contains(_WHOLE)).any():
            found.append(name)
    return found


def grid_headers(
    cells: pl.DataFrame, frame: pl.DataFrame, wanted: Collection[int]
) -> dict[int, str]:
    """Map the ``wanted`` grid columns (0 for c0) to the headers that
    ``lay_out`` gave them.

    ``lay_out`` keeps the grid's columns in order and drops only columns
    that are empty in every data row, after stripping each cell. So walking
    both in order and matching equal columns finds each kept column. A
    dropped column gets no header.
    """
    data = cells.filter(pl.col(LINE).is_in(frame[LINE].implode()))
    grid = [name for name in cells.columns if name != LINE]
    names = [name for name in frame.columns if name != LINE]
    headers: dict[int, str] = {}
    position = 0
    for index, column in enumerate(grid):
        if position >= len(names) or not set(wanted) - headers.keys():
            break
        values = data.get_column(column).str.strip_chars()
        values = values.set(values == "", None)
        if values.equals(frame.get_column(names[position]), check_names=False):
            if index in wanted:
                headers[index] = names[position]
            position += 1
    return headers


def check_unsaved_formulas(file_name: str, read: Sheet, layout: Layout | None) -> None:
    """Reject the formula cells without a saved result that the table needs.

    Only the cells in the rows of ``layout.unneeded_lines``, such as total
    rows, are not needed. Without ``layout``, every such cell is rejected.
    """
    formulas = read.unsaved_formulas
    if layout is not None:
        unneeded_lines = pl.Series(layout.unneeded_lines, dtype=pl.Int64).implode()
        formulas = formulas.filter(~pl.col(LINE).is_in(unneeded_lines))
    if formulas.height == 0:
        return
    headers: dict[int, str] = {}
    if layout is not None:
        grid_columns = set(formulas["column"].to_list())
        headers = grid_headers(read.cells, layout.frame, grid_columns)
    cells = [
        (reference, headers.get(column))
        for reference, column in formulas.select("cell", "column").iter_rows()
    ]
    raise unsaved_formulas_error(file_name, read.name, cells)


def marks_by_header(
    marks: pl.DataFrame, headers: dict[int, str], frame: pl.DataFrame
) -> pl.DataFrame | None:
    """Put cell marks (``_line``, grid ``column``, ``mark``) of the data rows
    under their headers: ``_line`` and one String column per header, or
    None without any."""
    found = marks.filter(pl.col("column").is_in(list(headers))).with_columns(
        pl.col("column").replace_strict(headers, return_dtype=pl.String)
    )
    found = found.filter(pl.col(LINE).is_in(frame[LINE].implode()))
    if found.height == 0:
        return None
    return found.pivot(on="column", index=LINE, values="mark")


def scan_notes(
    scan: CellScan, headers: dict[int, str], frame: pl.DataFrame, sheet: str
) -> list[str]:
    """Write warnings on the error cells, hidden rows and hidden columns of
    the table's data rows."""
    lines = frame[LINE].implode()
    notes = _error_notes(scan, headers, lines, sheet)
    table_lines = set(frame[LINE].to_list())
    hidden_rows = [line for line in scan.hidden_rows if line in table_lines]
    if hidden_rows:
        notes.append(_hidden_rows_note(sheet, hidden_rows))
    hidden_columns = [headers[c] for c in scan.hidden_columns if c in headers]
    if hidden_columns:
        names = ", ".join(repr(name) for name in hidden_columns)
        noun = count_noun(len(hidden_columns), "hidden column")
        verb = "was" if len(hidden_columns) == 1 else "were"
        notes.append(
            f"warning: sheet {sheet!r}: {noun} ({names}) {verb} read like the "
            "others; check the column mapping"
        )
    return notes


def _hidden_rows_note(sheet: str, lines: list[int]) -> str:
    shown = format_lines(lines[:_LINES_SHOWN])
    if len(lines) > _LINES_SHOWN:
        shown += f" and {len(lines) - _LINES_SHOWN:,} more"
    if len(lines) == 1:
        rows, them = f"1 hidden row (line {shown}) was", "it"
    else:
        rows, them = f"{len(lines):,} hidden rows (lines {shown}) were", "them"
    return (
        f"warning: sheet {sheet!r}: {rows} read as data, because hidden rows are "
        f"part of the table. Delete {them} in the workbook to leave {them} out"
    )


def _error_notes(
    scan: CellScan, headers: dict[int, str], lines: pl.Series, sheet: str
) -> list[str]:
    """Name each Excel error of the data rows once per column, with its
    lines, at most ``_ERROR_NOTES`` notes."""
    errors = scan.errors.filter(pl.col(LINE).is_in(lines))
    if errors.height == 0:
        return []
    groups = (
        errors.group_by("column", "mark", maintain_order=True)
        .agg(pl.col(LINE).sort())
        .sort("column", "mark")
    )
    notes = []
    for column, error, rows in groups.head(_ERROR_NOTES).iter_rows():
        notes.append(
            _error_note(sheet, _column_name(scan, headers, column), error, rows)
        )
    left = groups.height - _ERROR_NOTES
    if left > 0:
        notes.append(
            f"warning: sheet {sheet!r}: {left:,} more groups of cells show an "
            "Excel error and were read as empty; fix the formulas in the workbook"
        )
    return notes


def _error_note(sheet: str, column: str, error: str, rows: list[int]) -> str:
    shown = format_lines(rows[:_LINES_SHOWN])
    if len(rows) > _LINES_SHOWN:
        shown += f" and {len(rows) - _LINES_SHOWN:,} more"
    if len(rows) == 1:
        where = f"line {shown}: the cell shows"
        read = "it was read as empty; fix the formula"
    else:
        where = f"lines {shown}: {len(rows):,} cells show"
        read = "they were read as empty; fix the formulas"
    return (
        f"warning: sheet {sheet!r}, {column}, {where} the Excel error {error}, so "
        f"{read} in the workbook"
    )


def _column_name(scan: CellScan, headers: dict[int, str], column: int) -> str:
    if column in headers:
        return f"column {headers[column]!r}"
    return f"column {column_letters(scan.first_column + column)}"
