"""Read the table of an XLSX workbook, choosing the sheet that contains it."""

from __future__ import annotations

import polars as pl

from kpi_core.errors import EmptyDataError
from kpi_core.formatting import count_noun
from kpi_core.formula_rows import with_stand_ins
from kpi_core.mapping import detect_table
from kpi_core.raw_table import RawTable, ReadInfo
from kpi_core.sheet_notes import (
    check_unsaved_formulas,
    grid_headers,
    marks_by_header,
    mixed_number_columns,
    scan_notes,
)
from kpi_core.table_layout import LINE, Layout, lay_out
from kpi_core.workbook import (
    Sheet,
    read_sheets,
)


def read_workbook(file_name: str, data: bytes, sheet: str | None) -> RawTable:
    read, layout, notes = _first_table(file_name, data, sheet)
    frame = layout.frame
    mixed = mixed_number_columns(frame)
    scan = read.scan(numbers=bool(mixed))
    needed = {
        *read.currency_marks["column"].unique().to_list(),
        *scan.numbers["column"].unique().to_list(),
        *scan.errors["column"].unique().to_list(),
        *scan.hidden_columns,
    }
    headers = grid_headers(read.cells, frame, needed) if needed else {}
    mixed_grid = [index for index, name in headers.items() if name in mixed]
    numbers = marks_by_header(
        scan.numbers.filter(pl.col("column").is_in(mixed_grid)), headers, frame
    )
    info = ReadInfo(
        file=file_name,
        format="xlsx",
        encoding=None,
        delimiter=None,
        header_line=layout.header_line,
        sheet=read.name,
        sheets=tuple(read.names),
        skipped_lines=layout.skipped_lines,
        notes=(*notes, *layout.notes, *scan_notes(scan, headers, frame, read.name)),
    )
    marks = marks_by_header(read.currency_marks, headers, frame)
    return RawTable(
        frame,
        info,
        cells_stripped=True,
        format_marks=marks,
        number_cells=numbers,
        kept_totals=layout.kept_totals,
    )


def _first_table(
    file_name: str, data: bytes, sheet: str | None
) -> tuple[Sheet, Layout, list[str]]:
    """Lay out ``sheet``, or without it the first sheet that contains a table.

    Returns the sheet, its layout and the notes on the sheet chosen. A sheet
    contains a table when ``lay_out`` finds data rows below a header on it.
    A formula without a saved result rejects the workbook, unless it is in
    a row that the chosen sheet's layout skips and does not need
    (``Layout.unneeded_lines``), or on a sheet passed over that
    ``_passed_whatever_results`` allows.
    """
    passed: list[tuple[str, EmptyDataError]] = []
    # The sheets passed over, which are checked for formulas without a saved
    # result once the sheet to read is known.
    passed_sheets: list[Sheet] = []
    names: list[str] = []
    # The first sheet that holds only a short list of one or two columns,
    # such as a cover sheet's "Company | ACME", in case no later sheet has
    # a wider table.
    cover: tuple[Sheet, Layout, list[str]] | None = None
    for read in read_sheets(file_name, data, sheet):
        names = read.names
        try:
            layout = lay_out(
                read.cells,
                file_name=file_name,
                sheet=read.name,
                formula_cells=read.unsaved_formulas,
            )
        except EmptyDataError as error:
            if sheet is not None or len(read.names) == 1:
                check_unsaved_formulas(file_name, read, None)
                raise
            passed.append((read.name, error))
            passed_sheets.append(read)
            continue
        notes = list(read.notes)
        if passed:
            skipped = " and ".join(repr(name) for name, _ in passed)
            reason = (
                f"sheets {skipped} have" if len(passed) > 1 else f"sheet {skipped} has"
            )
            notes = [f"sheet: {read.name} (of {len(names)}), because {reason} no table"]
        if cover is None and sheet is None and _is_cover_list(layout):
            cover = (read, layout, notes)
            continue
        if cover is not None:
            if _columns(layout) <= _COVER_COLUMNS:
                passed_sheets.append(read)
                continue
            passed_sheets.append(cover[0])
            notes = [
                f"sheet: {read.name} (of {len(names)}), because sheet "
                f"{cover[0].name!r} holds only a short list of "
                f"{count_noun(_columns(cover[1]), 'column')}"
            ]
        notes += _passed_formula_notes(file_name, passed_sheets, _columns(layout))
        check_unsaved_formulas(file_name, read, layout)
        return read, layout, notes
    for passed_sheet in passed_sheets:
        check_unsaved_formulas(file_name, passed_sheet, None)
    if cover is not None:
        check_unsaved_formulas(file_name, cover[0], cover[1])
        return cover
    reasons = dict(passed)
    looked_at = ", ".join(
        f"{name!r} ({_no_table_reason(reasons.get(name))})" for name in names
    )
    raise EmptyDataError(
        f"no sheet contains a table with data rows below a header; looked at "
        f"{looked_at}. Put the table on a sheet with its header row above the "
        "data, or export it again",
        file=file_name,
    )


# A sheet whose table has at most this many columns and rows is taken for
# a cover sheet while a later sheet has a wider table.
_COVER_COLUMNS = 2
_COVER_ROWS = 20
# The notes on sheets passed over name at most this many formula cells.
_FORMULAS_NAMED = 5


def _passed_formula_notes(
    file_name: str, passed_sheets: list[Sheet], columns: int
) -> list[str]:
    """Allow the formulas without a saved result on the sheets passed over
    for a table of ``columns`` columns, and name their cells in notes.

    Raises the error of ``check_unsaved_formulas`` for the first sheet that
    ``_passed_whatever_results`` does not allow.
    """
    notes = []
    for read in passed_sheets:
        formulas = read.unsaved_formulas
        if formulas.height == 0:
            continue
        if columns <= _COVER_COLUMNS or not _passed_whatever_results(file_name, read):
            check_unsaved_formulas(file_name, read, None)
        notes.append(_passed_formula_note(read))
    return notes


def passed_sheet_note(file_name: str, data: bytes, sheet: str) -> str | None:
    """Return why ``sheet`` is not read when a caller that reads every sheet
    may pass it over despite its formulas without a saved result, or None.

    The sheet must contain no table, or only a short list such as "Stand |
    =TODAY()", without results and with any results of those formulas
    (``_passed_whatever_results``). A caller reading every sheet reads the
    other tables anyway, so no table needs to be wider than such a list.
    """
    try:
        read = next(read_sheets(file_name, data, sheet), None)
    except EmptyDataError:
        return None
    if read is None or read.unsaved_formulas.height == 0:
        return None
    try:
        layout = lay_out(read.cells, file_name=file_name, sheet=read.name)
    except EmptyDataError:
        layout = None
    if layout is not None and not _is_cover_list(layout):
        return None
    if not _passed_whatever_results(file_name, read):
        return None
    return f"{_formula_cells_text(read)}; the sheet contains no table"


def _passed_formula_note(read: Sheet) -> str:
    return (
        f"sheet {read.name!r}, {_formula_cells_text(read)}; the sheet contains "
        "no table and was passed over"
    )


def _formula_cells_text(read: Sheet) -> str:
    references = read.unsaved_formulas["cell"].to_list()
    cells = ", ".join(references[:_FORMULAS_NAMED])
    if len(references) > _FORMULAS_NAMED:
        cells += f" and {len(references) - _FORMULAS_NAMED:,} more"
    if len(references) == 1:
        return f"cell {cells} has a formula without a saved result"
    return f"cells {cells} have formulas without saved results"


def _passed_whatever_results(file_name: str, read: Sheet) -> bool:
    """Tell whether a sheet passed over would be passed over with any
    results of its formulas without a saved result.

    Those cells read as empty, so they may be what made the sheet look
    tableless, as with a summary sheet whose only data row is formulas.
    The sheet is laid out again twice, with every such cell as the number
    1 and then as a word. It is passed over when each time it contains no
    table or only a short list such as "Stand | =TODAY()" on a cover sheet.
    The caller also needs the table chosen to be wider than such a list,
    so that a cover list never wins over it.

    NOTE: formulas whose results mix numbers and words are not tried.
    """
    for value in ("1", "Text"):
        cells = with_stand_ins(read.cells, read.unsaved_formulas, value)
        try:
            layout = lay_out(cells, file_name=file_name, sheet=read.name)
        except EmptyDataError:
            continue
        if not _is_cover_list(layout):
            return False
    return True


def _columns(layout: Layout) -> int:
    return len([name for name in layout.frame.columns if name != LINE])


def _is_cover_list(layout: Layout) -> bool:
    """Tell whether a sheet's table is a short list of facts, such as
    "Firma | ACME GmbH": at most two columns and 20 rows, under a header
    that no table type recognises. "Month | Cost" is a spend table."""
    if _columns(layout) > _COVER_COLUMNS or layout.frame.height > _COVER_ROWS:
        return False
    headers = [name for name in layout.frame.columns if name != LINE]
    return detect_table(headers)[0] is None


def _no_table_reason(error: EmptyDataError | None) -> str:
    if error is None:
        return "empty"
    if error.line is None:
        return "no data rows"
    return f"no data rows below line {error.line}"
