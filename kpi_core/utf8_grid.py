"""Read a UTF-8 delimited file into a grid straight from its bytes.

A UTF-8 file whose first line is as wide as the table, the usual export,
takes this shorter way to the same grid as the general way of
``kpi_core.text_grid``. Polars parses its bytes directly, and the line
numbers come from the positions of the newlines and quotes in the bytes, so
no Python string of the whole file is made. Other encodings, title rows,
lone carriage returns and rows that Polars splits differently go the general
way.
"""

from __future__ import annotations

import array
import codecs
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import polars as pl
import pyarrow as pa

from kpi_core.arrow_bytes import byte_series, series_of
from kpi_core.field_counts import count_fields, record_start_lines
from kpi_core.table_layout import check_width
from kpi_core.text_cells import (
    DELIMITERS,
    LINE,
    MAX_LINE_CHARS,
    SAMPLE_LINES,
    Grid,
    csv_rows,
    lines_wrapped_in_quotes,
    nonblank_sample,
    quoted_and_blank,
    sample_width,
    sniff_delimiter,
    split_lines,
)
from kpi_core.text_encoding import (
    decode_head,
    encoding_label,
    reject_binary,
    utf8_codec,
    utf16_order,
)

# More blank-looking rows than this send a file the general way, so that
# checking their lines one by one stays cheap.
_MAX_BLANK_CANDIDATES = 1_000
# Any total label of ``total_rows`` contains one of these words, with the
# same case folding, so a file without them has no total rows. The short
# words of Excel's subtotal labels ("Anna Max") must stand alone, which
# keeps "Account" and "Admin" from sending every file to the total pass.
# The words are split over two patterns: as one alternation they took 0.24 s
# instead of 0.04 s on the 132 MB deals.csv of benchmarks/generate.py
# (Polars 2.1, 2 cores).
_TOTAL_WORDS = (
    r"(?i)total|gesamt|summe|ergebnis",
    r"(?i)\b(?:anzahl|count|mittelwert|average|maximum|minimum|max|min)\b",
)


def read_utf8_directly(file_name: str, data: bytes) -> Grid | None:
    """Parse UTF-8 delimited bytes with Polars, or return ``None`` for the
    general way.

    It returns the grid, notes and errors of the general way. A first line
    narrower than the table (a title) returns ``None``, because Polars takes
    the number of columns from the first line.
    """
    if utf16_order(data) is not None:
        # UTF-16 of Latin letters is ASCII bytes with NULs between them.
        return None
    ascii_text = data.isascii()
    codec = "utf-8" if ascii_text else utf8_codec(data)
    if codec is None or b"\n" not in data or len(data) >= 2**32:
        return None
    carriage_returns = _count_byte(data, ord("\r"))
    if carriage_returns and carriage_returns != data.count(b"\r\n"):
        return None
    reject_binary(file_name, decode_head(data, codec))
    if _has_long_line(data):
        return None
    head = _first_lines(data, codec, SAMPLE_LINES * 2)
    sample = nonblank_sample(head)
    if lines_wrapped_in_quotes(sample):
        return None
    delimiter = sniff_delimiter(sample)
    if delimiter is None:
        return None
    width = _head_width(data, codec, delimiter)
    check_width(width, file_name)
    first_row = csv_rows(head[0], delimiter)[:1]
    if not first_row or len(first_row[0]) != width:
        return None

    lines = None
    if carriage_returns:
        lines = _Lines.of(data)
        if lines.spans_records():
            # A quoted line break would keep its carriage return in Polars.
            return None
    # Polars parses in a worker thread while this one scans the same bytes.
    # Both release the GIL, so on two cores the scans overlap the parse.
    with ThreadPoolExecutor(max_workers=1) as executor:
        parsing = executor.submit(_parse_bytes, data, delimiter, width)
        if lines is None:
            lines = _Lines.of(data)
        may_need_strip, may_have_totals = _scan_bytes(
            data, delimiter, lines, ascii_text
        )
        cells = parsing.result()
    if cells is None:
        return None
    located = _locate_records(data, codec, cells, lines)
    if located is None:
        return None
    cells, blank = located
    notes = (
        f"encoding: {encoding_label(codec)}",
        f"delimiter: {DELIMITERS[delimiter]}",
    )
    starts = record_start_lines(cells, blank)
    counter = partial(count_fields, file_name, data, codec, delimiter, False, starts)
    return Grid(
        cells,
        codec,
        delimiter,
        blank,
        notes,
        may_need_strip,
        may_have_totals,
        counter,
    )


def _has_long_line(data: bytes) -> bool:
    """Tell whether a line may be longer than ``MAX_LINE_CHARS`` characters.

    Lines are measured in bytes, which are at least as many as characters,
    so a True may be a line that the general way accepts.
    """
    start = 0
    while len(data) - start > MAX_LINE_CHARS:
        newline = data.rfind(b"\n", start, start + MAX_LINE_CHARS + 1)
        if newline == -1:
            return True
        start = newline + 1
    return False


def _first_lines(data: bytes, codec: str, count: int) -> pl.Series:
    """Return the first ``count`` lines as ``split_lines`` would split them."""
    end = 0
    for _ in range(count):
        newline = data.find(b"\n", end)
        if newline == -1:
            end = len(data)
            break
        end = newline + 1
    return split_lines(data[:end].decode(codec))


def _head_width(data: bytes, codec: str, delimiter: str) -> int:
    """Return the width that ``delimited_cells`` takes from the first lines."""
    count = SAMPLE_LINES * 2
    while True:
        lines = _first_lines(data, codec, count)
        _, blank = quoted_and_blank(lines)
        nonblank = lines.filter(~blank)
        if nonblank.len() >= SAMPLE_LINES * 2 or lines.len() < count:
            head = nonblank.head(SAMPLE_LINES * 2).to_list()
            return sample_width(head, delimiter)
        count *= 4


class _Lines:
    """The lines of the bytes: how many, and which start outside quotes.

    The byte offsets are only computed when needed, from the positions of
    the newlines and quotes, as ``split_lines`` and ``quoted_and_blank``
    would count them.
    """

    def __init__(
        self,
        data: bytes,
        count: int,
        outside: pl.Series | None,
        bounds: tuple[pl.Series, pl.Series] | None = None,
    ) -> None:
        self.data = data
        self.count = count
        # Per line, True when it starts outside quotes. It is None when the
        # bytes contain no quote, so that every line does.
        self.outside = outside
        self._bounds = bounds

    @classmethod
    def of(cls, data: bytes) -> _Lines:
        count = _count_byte(data, ord("\n")) + (not data.endswith(b"\n"))
        if b'"' not in data:
            return cls(data, count, None)
        bounds = _line_bounds(data, count)
        quotes = _byte_positions(data, ord('"')).cast(pl.Int64)
        return cls(data, count, (quotes.search_sorted(bounds[0]) % 2) == 0, bounds)

    def spans_records(self) -> bool:
        """Tell whether a quoted field contains a line break."""
        return self.outside is not None and not self.outside.all()

    def record_starts(self) -> tuple[pl.Series, pl.Series, pl.Series]:
        """Return the numbers, start and end offsets of the lines that start
        outside quotes."""
        numbers = pl.int_range(1, self.count + 1, eager=True, dtype=pl.Int64)
        if self._bounds is None:
            self._bounds = _line_bounds(self.data, self.count)
        starts, ends = self._bounds
        if self.outside is None:
            return numbers, starts, ends
        return tuple(s.filter(self.outside) for s in (numbers, starts, ends))


def _scan_bytes(
    data: bytes, delimiter: str, lines: _Lines, ascii_text: bool
) -> tuple[bool, bool]:
    """Tell from the bytes whether a cell may need stripping, and whether a
    row may be a total row.

    Cheaper than looking at every cell: a cell with whitespace at an end has
    that whitespace next to a delimiter, line break, quote or the end of the
    file, and a total label has one of ``_TOTAL_WORDS`` in it. Some other
    bytes match as well, which only costs the per-cell pass. Whitespace
    outside ASCII, or a line break inside quotes, always counts as needing it.
    ``ascii_text`` is True when the caller found every byte ASCII.
    """
    chunks = _line_chunks(data)
    may_have_totals = any(
        chunks.str.contains(pattern).any() for pattern in _TOTAL_WORDS
    )
    if lines.spans_records() or not (ascii_text or _is_ascii(chunks)):
        return True, may_have_totals
    space = r"[\t\x0B\x0C ]"
    # A tab next to a tab delimiter is a delimiter, not a cell's whitespace.
    unquoted = r"[\x0B\x0C ]" if delimiter == "\t" else space
    bound = r"\t" if delimiter == "\t" else delimiter
    # Each chunk starts at a line start, so \A is one too. The patterns run
    # one by one: as one alternation they took 1.0 s instead of 0.1 s on the
    # 211 MB stage_history.csv of benchmarks/generate.py (Polars 2.1, 2 cores).
    patterns = [
        rf"\A\x{{FEFF}}?{unquoted}",
        rf"[\n{bound}]{unquoted}|{unquoted}[\r\n{bound}]",
    ]
    if lines.outside is not None:
        patterns.append(rf'"{space}|{space}"')
    may_need_strip = data[-1:] in (b"\t", b"\x0b", b"\x0c", b" ") or any(
        chunks.str.contains(pattern).any() for pattern in patterns
    )
    return may_need_strip, may_have_totals


def _is_ascii(chunks: pl.Series) -> bool:
    """Tell whether the text is ASCII apart from a byte order mark."""
    extra_bytes = chunks.str.len_bytes().sum() - chunks.str.len_chars().sum()
    bom = chunks.head(1).str.starts_with("\ufeff").any()
    return extra_bytes == (len(codecs.BOM_UTF8) - 1 if bom else 0)


def _line_chunks(data: bytes) -> pl.Series:
    """Return the bytes as String values of about 1 MB that end at line ends.

    The values share the memory of ``data``, and a regex on many values
    runs on all cores.
    """
    size = len(data)
    offsets = array.array("q", [0])
    start = 0
    while start < size:
        newline = data.find(b"\n", min(start + (1 << 20), size))
        start = size if newline == -1 else newline + 1
        offsets.append(start)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    chunks = pa.Array.from_buffers(pa.large_binary(), len(offsets) - 1, buffers)
    return series_of(chunks).cast(pl.String)


def _parse_bytes(data: bytes, delimiter: str, width: int) -> pl.DataFrame | None:
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        return pl.read_csv(
            data,
            separator=delimiter,
            has_header=False,
            schema=schema,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None


def _locate_records(
    data: bytes, codec: str, cells: pl.DataFrame, lines: _Lines
) -> tuple[pl.DataFrame, tuple[int, ...]] | None:
    """Add each record's first line to the cells and drop the blank lines.

    Polars gives one row per line that starts outside quotes, blank lines
    included. ``None`` means Polars split the lines differently.
    """
    candidates = _blank_looking_rows(cells)
    if lines.outside is None and candidates.len() == 0:
        if cells.height != lines.count:
            return None
        numbers = pl.int_range(1, lines.count + 1, eager=True, dtype=pl.Int64)
        return cells.with_columns(numbers.alias(LINE)), ()
    if candidates.len() > _MAX_BLANK_CANDIDATES:
        return None
    numbers, starts, ends = lines.record_starts()
    if cells.height != numbers.len():
        return None

    bom = len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0
    texts = [
        data[max(start, bom) : end].decode("utf-8")
        for start, end in zip(
            starts.gather(candidates).to_list(),
            ends.gather(candidates).to_list(),
            strict=True,
        )
    ]
    blank_mask = pl.Series(texts, dtype=pl.String).str.strip_chars() == ""
    blank_rows = candidates.filter(blank_mask)
    cells = cells.with_columns(numbers.alias(LINE))
    if blank_rows.len() == 0:
        return cells, ()
    keep = pl.repeat(True, cells.height, eager=True).scatter(blank_rows, False)
    return cells.filter(keep), tuple(numbers.gather(blank_rows).to_list())


def _blank_looking_rows(cells: pl.DataFrame) -> pl.Series:
    """Return the indices of rows with only whitespace, if anything, in c0."""
    empty = pl.repeat(True, cells.height, eager=True)
    for name in cells.columns[1:]:
        empty = empty & cells.get_column(name).is_null()
    indices = empty.arg_true()
    first = cells.get_column("c0").alias("cell").gather(indices)
    looks_blank = first.is_null() | (first.str.strip_chars() == "")
    return indices.filter(looks_blank)


def _line_bounds(data: bytes, line_count: int) -> tuple[pl.Series, pl.Series]:
    """Return the byte offsets where each line starts and ends (exclusive)."""
    newlines = _byte_positions(data, ord("\n")).cast(pl.Int64)
    starts = pl.concat([pl.Series([0], dtype=pl.Int64), newlines + 1])
    ends = pl.concat([newlines, pl.Series([len(data)], dtype=pl.Int64)])
    return starts.head(line_count), ends.head(line_count)


def _byte_positions(data: bytes, byte: int) -> pl.Series:
    """Return the sorted offsets of one byte value, without copying ``data``."""
    return (byte_series(data) == byte).arg_true()


def _count_byte(data: bytes, byte: int) -> int:
    """Count one byte value.

    Faster than ``bytes.count``: 0.014 s against 0.057 s on the 139 MB
    deals.csv of benchmarks/generate.py (Polars 2.1, 2 cores).
    """
    if bytes([byte]) not in data:
        return 0
    return int((byte_series(data) == byte).sum())
