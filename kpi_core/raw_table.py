"""The table of text columns that ``read_table`` returns, and what it detected."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from kpi_core.audience_members import (
    AudienceMember,
)


@dataclass(frozen=True)
class ReadInfo:
    """Detection results of ``read_table`` for one file.

    ``format`` is "csv", "xlsx", "zip" or "text" (space-aligned columns).
    ``header_line`` is the 1-based line (CSV) or row (XLSX) of the header; for
    a zip it is that of the first member read. ``skipped_lines`` lists the
    title, empty, total, summary and footer lines left out (for a zip,
    ``notes`` lists them per member instead). ``audience`` is set when the
    file is one member CSV of a Mailchimp audience export read on its own,
    as macOS unpacks the export's zip; ``combine_audience_members`` joins
    such files.
    """

    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    sheet: str | None
    sheets: tuple[str, ...]
    skipped_lines: tuple[int, ...]
    notes: tuple[str, ...]
    audience: AudienceMember | None = None


@dataclass(frozen=True)
class RawTable:
    """A read file: text columns plus ``_line``, and what was detected.

    Every data column is ``pl.String`` with a stripped, unique, non-empty
    header; empty cells are null. The last column ``_line`` (Int64) is the
    line (CSV) or row (XLSX) where the record starts, counting the header.
    ``cells_stripped`` is True when no cell starts or ends with whitespace,
    as ``read_table`` leaves them, so ``prepare_table`` need not strip them.
    ``long_lines`` lists (line, field count) for the text lines with more
    fields than the header's ``header_fields``; ``prepare_table`` rejects
    them. ``short_lines`` lists those with fewer fields, whose missing cells
    are null; ``prepare_table`` names them. ``writes_empty_last`` is True
    when some line has as many fields as the header and an empty last one,
    so the file's short lines are not its style but likely cut off.
    ``unended_line`` is the line of the file's last record when no line break
    follows it, so that the file may be cut off inside it, and 0 otherwise.
    ``final_character`` is the file's last character, such as a closing
    quote that shows the last field to be whole.
    ``kept_totals`` lists (line, label) of the rows kept as data that
    contain a total label, which a warning of ``info.notes`` names.
    ``format_marks`` gives the currency marks of workbook number cells
    whose number format shows a currency: ``_line`` and one String column
    per header that has such cells, or None.
    ``number_cells`` marks the cells that a workbook stores as numbers, in
    the columns that also have text cells which are not plain numbers:
    ``_line`` and one String column per such header, non-null for a number
    cell, or None.
    ``cell_sources`` names, for each column that the import built from other
    columns of the file, the file column of each of its cells, row by row,
    or null for a cell of no file column, such as a missing date.
    A contact list with "Anmeldedatum" and "Abmeldedatum" becomes list
    events whose "Occurred at" takes its cells from either column.
    """

    frame: pl.DataFrame
    info: ReadInfo
    cells_stripped: bool = False
    long_lines: tuple[tuple[int, int], ...] = ()
    header_fields: int = 0
    short_lines: tuple[tuple[int, int], ...] = ()
    writes_empty_last: bool = False
    unended_line: int = 0
    final_character: str = ""
    kept_totals: tuple[tuple[int, str], ...] = ()
    format_marks: pl.DataFrame | None = None
    number_cells: pl.DataFrame | None = None
    cell_sources: dict[str, pl.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column, sources in self.cell_sources.items():
            if sources.len() != self.frame.height:
                raise ValueError(
                    f"the cell sources of {column!r} have {sources.len()} rows "
                    f"and the frame has {self.frame.height}; build them anew "
                    "when the rows change"
                )

    def column_sources(self) -> dict[str, tuple[str, ...]]:
        """Return the file columns of each built column (see
        ``cell_sources``), in the order of their first cell. A built column
        whose cells all lack a file column is left out."""
        found = {
            column: tuple(sources.drop_nulls().unique(maintain_order=True))
            for column, sources in self.cell_sources.items()
        }
        return {column: names for column, names in found.items() if names}
