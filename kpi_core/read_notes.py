"""Notes that the import adds to a read table, and the temporary column
that names where the cells of a converted table come from."""

from __future__ import annotations

from dataclasses import replace

from kpi_core.raw_table import RawTable

# Reader notes that ask the user to check something start with this.
WARNING_PREFIX = "warning: "
# A temporary column of a converted file that names, for each row, the file
# column its date comes from (see ``RawTable.cell_sources``).
SOURCE = "_source"


def with_note(raw: RawTable, note: str) -> RawTable:
    """Return a copy of ``raw`` with ``note`` added to its notes."""
    return replace(raw, info=replace(raw.info, notes=(*raw.info.notes, note)))
