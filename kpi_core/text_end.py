"""Find how a text file ends: with a line break, or inside its last record.

A file cut off during a download or copy ends inside a record, with no line
break after it. Many exports also end without a final line break, so this
only locates that record. ``cut_end`` judges whether it looks cut.
"""

from __future__ import annotations

from kpi_core.text_cells import LINE, Grid

# Bytes enough for the last character in any codec the reader picks, and a
# multiple of 4, so that a UTF-16 or UTF-32 tail starts at a character.
_TAIL_BYTES = 16


def final_character(data: bytes, codec: str) -> str:
    """Return the last character of ``data`` decoded with ``codec``, or ""
    for no text.

    Only the tail is decoded. A codec with a byte order mark ("utf-16",
    "utf-32") gets its byte order from the mark, because the tail has none.
    """
    if codec in ("utf-16", "utf-32"):
        codec += "-le" if data.startswith(b"\xff\xfe") else "-be"
    tail = data[-_TAIL_BYTES:].decode(codec, errors="ignore")
    return tail[-1:]


def unended_line(grid: Grid, final: str) -> int:
    """Return the line where the last record of ``grid`` starts when the
    text ends inside that record with no line break after it, else 0.

    ``final`` is the text's last character (``final_character``). A blank
    last line, such as one of spaces, is no record, so it gives 0.
    """
    if final in ("", "\n", "\r") or grid.cells.height == 0:
        return 0
    last = grid.cells.get_column(LINE).max()
    if grid.blank_lines and max(grid.blank_lines) > last:
        return 0
    return last
