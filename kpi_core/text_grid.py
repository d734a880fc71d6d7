"""Turn the bytes of a CSV or aligned text file into a grid of text cells.

``read_grid`` tries the direct way on UTF-8 bytes (``kpi_core.utf8_grid``),
else decodes the file (``kpi_core.text_encoding``) and splits its lines into
cells (``kpi_core.text_cells``). Either way, the multi-line cells of the grid
are then checked for rows that a stray quote read into them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from functools import partial

import polars as pl

from kpi_core.errors import UnreadableFileError
from kpi_core.field_counts import count_fields, record_start_lines, text_lines
from kpi_core.formatting import count_noun
from kpi_core.text_cells import (
    DELIMITERS,
    LINE,
    Grid,
    aligned_cells,
    delimited_cells,
    lines_wrapped_in_quotes,
    nonblank_sample,
    reject_long_lines,
    sniff_delimiter,
    split_lines,
    unwrap_lines,
)
from kpi_core.text_encoding import decode, encoding_label, reject_binary
from kpi_core.utf8_grid import read_utf8_directly


def read_grid(file_name: str, data: bytes, *, aligned: bool) -> Grid:
    """Read delimited text, or with ``aligned`` also space-aligned columns.

    Raises UnreadableFileError when a quote opens a cell that is never
    closed, because every line after it would be read into that cell.
    """
    grid = _read_grid(file_name, data, aligned)
    return _checked_quotes(file_name, data, grid)


def _read_grid(file_name: str, data: bytes, aligned: bool) -> Grid:
    grid = read_utf8_directly(file_name, data)
    if grid is not None:
        return grid
    text, codec = decode(file_name, data)
    if codec != "utf-8":
        # Windows-1252 from German Excel, Latin-1 and UTF-16 take the faster
        # way as UTF-8, which splits the same lines and cells.
        grid = read_utf8_directly(file_name, text.encode("utf-8"))
        if grid is not None:
            note = f"encoding: {encoding_label(codec)}"
            return replace(grid, encoding=codec, notes=(note, *grid.notes[1:]))
    reject_binary(file_name, text)
    notes = [f"encoding: {encoding_label(codec)}"]
    lines = split_lines(text)
    # The lines are a full copy, so the string is freed before the next steps.
    del text
    reject_long_lines(file_name, lines)

    sample = nonblank_sample(lines)
    unwrapped = lines_wrapped_in_quotes(sample)
    if unwrapped:
        lines = unwrap_lines(lines)
        sample = nonblank_sample(lines)
        notes.append("every line was wrapped in quotes (an Excel re-save); unwrapped")
    delimiter = sniff_delimiter(sample)
    if delimiter is None and aligned:
        cells, blank = aligned_cells(lines)
        notes.append("columns: aligned with spaces")
        return Grid(cells, codec, None, blank, tuple(notes))
    if delimiter is None:
        notes.append("delimiter: none found, so the file is read as one column")
    else:
        notes.append(f"delimiter: {DELIMITERS[delimiter]}")
    cells, blank = delimited_cells(file_name, lines, delimiter or ",")
    counter = None
    if delimiter is not None:
        starts = record_start_lines(cells, blank)
        counter = partial(
            count_fields, file_name, data, codec, delimiter, unwrapped, starts
        )
    return Grid(cells, codec, delimiter, blank, tuple(notes), field_counts=counter)


def _checked_quotes(file_name: str, data: bytes, grid: Grid) -> Grid:
    """Check the multi-line cells of ``grid`` for rows a stray quote read
    into them, and return the grid, with a warning where rows may be
    missing.

    Raises UnreadableFileError when a quoted cell runs to the end of the
    file, or when the file's quotes do not pair up and a cell contains two
    or more lines shaped like rows of the table. With quotes that pair up, such
    a cell may be a pasted log or list, or the rows between two stray
    quotes, so the file is read and the warning names the cell.
    """
    if grid.delimiter is None or grid.cells.height == 0:
        return grid
    cells = grid.cells
    last = cells.row(cells.height - 1, named=True)
    last_spans = any(
        isinstance(value, str) and "\n" in value
        for name, value in last.items()
        if name != LINE
    )
    # A record that spans several lines is followed by a jump in the line
    # numbers (blank lines jump too), and the last record may span to the end.
    span = cells[LINE].shift(-1) - cells[LINE]
    spanning = cells.filter((span > 1).fill_null(last_spans))
    if spanning.is_empty():
        return grid
    swallowed = _swallowed_rows(spanning, grid.delimiter)
    # Quotes at the edges of cells come in pairs unless one never closes.
    odd = swallowed is not None and (
        _quote_count(data, grid.encoding, grid.delimiter) % 2 == 1
    )
    if last_spans and not odd:
        _reject_open_quote_at_end(file_name, data, grid, last)
    if swallowed is None:
        return grid
    line, cell, rows, first = swallowed
    start = cell.split("\n", 1)[0][:40]
    lines = count_noun(rows, "line")
    if odd:
        raise UnreadableFileError(
            f"the quote before “{start}” opens a cell that takes in {lines} "
            f"shaped like rows of the table, the first “{first[:60]}”. The "
            "quote is probably never closed: delete it, or add the closing "
            "one, and upload the file again",
            file=file_name,
            line=line,
        )
    warning = (
        f"warning: line {line}: the cell that starts “{start}” takes in {lines} "
        f"shaped like rows of the table, the first “{first[:60]}”. If a quote "
        "before it is a stray one, those rows are missing from the table: "
        "check the quotes from that line on"
    )
    return replace(grid, notes=(*grid.notes, warning))


def _swallowed_rows(
    spanning: pl.DataFrame, delimiter: str
) -> tuple[int, str, int, str] | None:
    """Return the line, text, count of row-shaped lines and first such line
    of the first cell of ``spanning`` with two or more lines after its first
    that contain as many delimiters as a row of the table, or None. Text in
    one cell seldom has that shape."""
    names = [name for name in spanning.columns if name != LINE]
    if len(names) < 3:
        return None
    parts = (
        spanning.unpivot(index=LINE, on=names, value_name="cell")
        .filter(pl.col("cell").str.contains("\n", literal=True))
        .with_columns(part=pl.col("cell").str.split("\n").list.slice(1))
        .explode("part")
    )
    shaped = pl.col("part").str.count_matches(delimiter, literal=True) >= len(names) - 1
    found = (
        parts.group_by(LINE, "cell")
        .agg(rows=shaped.sum(), first=pl.col("part").filter(shaped).first())
        .filter(pl.col("rows") >= 2)
        .sort(LINE)
    )
    return None if found.is_empty() else found.row(0)


def _reject_open_quote_at_end(
    file_name: str, data: bytes, grid: Grid, last: dict
) -> None:
    """Raise UnreadableFileError when the last record's quoted cell runs to
    the end of the file without a closing quote."""
    spanning = [
        value
        for name, value in last.items()
        if name != LINE and isinstance(value, str) and "\n" in value
    ]
    if not spanning:
        return
    line = last[LINE]
    tail = "\n".join(text_lines(file_name, data, grid.encoding).slice(line - 1))
    try:
        for _row in csv.reader(
            io.StringIO(tail, newline=""), delimiter=grid.delimiter, strict=True
        ):
            pass
    except csv.Error as error:
        # Strict parsing also rejects text after a closing quote ("a"b), which
        # the grid reads as it is. Only CPython's "unexpected end of data",
        # the end of the file inside a quoted cell, is a quote never closed.
        if "unexpected end of data" not in str(error):
            return
    else:
        return
    start = spanning[0].split("\n", 1)[0][:40]
    raise UnreadableFileError(
        f"the quote before “{start}” opens a cell that is never closed, so the "
        f"{count_noun(tail.count(chr(10)), 'line')} after it would be read into "
        "that cell. Delete that quote, or add the closing one, and upload the "
        "file again",
        file=file_name,
        line=line,
    )


def _quote_count(data: bytes, codec: str, delimiter: str) -> int:
    """Count the double quotes of the text that can open or close a cell:
    those after a delimiter, a line break, a space or another quote, or
    before a delimiter, a line break or another quote. A quote inside a
    value that is not quoted, as in 12" display, is text and is not counted.
    A quote is the byte 0x22 in UTF-8 and the single-byte codecs, so only
    wider codecs decode first."""
    edge = re.escape(delimiter)
    pattern = rf'(?:\A|(?<=[{edge}\r\n" ]))"|"(?=[{edge}\r\n"]|\Z)'
    if codec in ("utf-8", "utf-8-sig", "cp1252", "latin-1"):
        return len(re.findall(pattern.encode(), data))
    return len(re.findall(pattern, data.decode(codec, errors="replace")))
