"""Read one CSV or aligned text file into a ``RawTable``."""

from __future__ import annotations

from kpi_core.raw_table import RawTable, ReadInfo
from kpi_core.table_layout import lay_out
from kpi_core.text_end import final_character, unended_line
from kpi_core.text_grid import read_grid


def read_text(file_name: str, data: bytes) -> RawTable:
    aligned = file_name.lower().endswith(".txt")
    grid = read_grid(file_name, data, aligned=aligned)
    layout = lay_out(
        grid.cells,
        file_name=file_name,
        blank_lines=grid.blank_lines,
        may_need_strip=grid.may_need_strip,
        may_have_totals=grid.may_have_totals,
        field_counts=grid.field_counts,
    )
    info = ReadInfo(
        file=file_name,
        format="text" if aligned and grid.delimiter is None else "csv",
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        header_line=layout.header_line,
        sheet=None,
        sheets=(),
        skipped_lines=layout.skipped_lines,
        notes=grid.notes + layout.notes,
    )
    final = final_character(data, grid.encoding)
    return RawTable(
        layout.frame,
        info,
        cells_stripped=True,
        long_lines=layout.long_lines,
        header_fields=layout.header_fields,
        short_lines=layout.short_lines,
        writes_empty_last=layout.writes_empty_last,
        unended_line=unended_line(grid, final),
        final_character=final,
        kept_totals=layout.kept_totals,
    )
