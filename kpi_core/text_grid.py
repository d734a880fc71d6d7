"""Turn the bytes of a CSV or aligned text file into a grid of text cells.

The grid has one row per record with columns ``c0``, ``c1``, ... (all
String) and ``_line``, the 1-based line where the record starts. Header,
title and footer rows are still in it; ``kpi_core.table_layout`` finds them.

Records are found with Polars on whole columns of lines: a line starts a new
record when the lines before it hold an even number of double quotes, so a
quoted field may contain line breaks and delimiters. When Polars' own CSV
parser disagrees with that count (a stray quote inside an unquoted field), the
file is parsed again with Python's ``csv`` module, which is exact but slower.

A UTF-8 file whose first line is as wide as the table, the usual export,
takes a shorter way to the same grid. Polars parses its bytes directly, and
the line numbers come from the positions of the newlines and quotes in the
bytes, so no Python string of the whole file is made. Other encodings, title
rows, lone carriage returns and rows that Polars splits differently go the
general way.
"""

from __future__ import annotations

import array
import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

import polars as pl
import pyarrow as pa

from kpi_core.errors import UnreadableFileError
from kpi_core.formatting import count_noun
from kpi_core.table_layout import check_width, format_lines

LINE = "_line"
MAX_LINE_CHARS = 1_000_000
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ENCODING_NAMES = {
    "utf-32": "UTF-32 (byte order mark)",
    "utf-8-sig": "UTF-8 with byte order mark",
    "utf-16": "UTF-16 (byte order mark)",
    "utf-16-le": "UTF-16 little-endian (no byte order mark)",
    "utf-16-be": "UTF-16 big-endian (no byte order mark)",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}
_SAMPLE_LINES = 200
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BINARY_CHECK_CHARS = 100_000
# Up to this many NUL characters in otherwise clean text are named by line.
_STRAY_NULS = 5
_WIDE_BOMS = tuple(bom for bom, codec in _BOMS if codec != "utf-8-sig")
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


@dataclass(frozen=True)
class Grid:
    """The cells of a text file before its header and footer are found."""

    cells: pl.DataFrame
    encoding: str
    delimiter: str | None
    blank_lines: tuple[int, ...]
    notes: tuple[str, ...]
    # False when the bytes show that no cell starts or ends with whitespace.
    may_need_strip: bool = True
    # False when the bytes contain no word that a total label needs.
    may_have_totals: bool = True
    # Return the number of fields of the records that start on the given
    # lines, or None for a file without a delimiter (see ``count_fields``).
    field_counts: Callable[[pl.Series], pl.Series] | None = None


def decode(file_name: str, data: bytes) -> tuple[str, str]:
    """Decode text bytes; return the text and the codec that worked.

    The order is fixed: a byte order mark decides, else UTF-16 without one
    (see ``_utf16_order``), else UTF-8, else Windows-1252, else Latin-1
    (which accepts any byte).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strict(file_name, data, codec), codec
    wide = _utf16_order(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _utf16_order(data: bytes) -> str | None:
    """Return "utf-16-le" or "utf-16-be" for text saved as UTF-16 without a
    byte order mark, else None.

    Such a file of mostly Latin letters has a NUL byte in every second
    position: the odd positions for little-endian, the even ones for
    big-endian. Binary data has NULs too, but not in that pattern.
    """
    head = data[: _BINARY_CHECK_CHARS * 2]
    if len(head) < 4 or len(head) % 2 or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, letters, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # A few characters, such as U+3000 or U+0100, have a zero in the
        # other byte too.
        if zeros.count(0) >= 0.9 * len(zeros) and letters.count(0) <= 0.05 * len(
            letters
        ):
            return codec
    return None


def encoding_label(codec: str) -> str:
    return _ENCODING_NAMES.get(codec, codec)


def read_grid(file_name: str, data: bytes, *, aligned: bool) -> Grid:
    """Read delimited text, or with ``aligned`` also space-aligned columns.

    Raises UnreadableFileError when a quote opens a cell that is never
    closed, because every line after it would be read into that cell.
    """
    grid = _read_grid(file_name, data, aligned)
    return _checked_quotes(file_name, data, grid)


def count_fields(
    file_name: str,
    data: bytes,
    codec: str,
    delimiter: str,
    unwrapped: bool,
    record_starts: pl.Series,
    record_lines: pl.Series,
) -> pl.Series:
    """Count the fields of the records that start on ``record_lines``.

    ``record_starts`` lists the first line of every record and every blank
    line, as the grid was read, so a record here has the same lines as in
    the grid. A field count is one more than the delimiters outside quoted
    parts. As in Polars and the csv module, only a quote at the start of a
    field opens a quoted part, which ends at a quote not doubled, or runs on
    to the record's next line. A quote inside a field, as in 27" Monitor,
    is a literal character. Lines without a quote are counted on the bytes
    (``_plain_line_fields``). For the others the file is split into lines
    again, which costs about as much as the general way of ``read_grid``.
    ``unwrapped`` is True when every line was wrapped in quotes and
    ``read_grid`` unwrapped them.
    """
    plain = None
    if not unwrapped and codec in _BYTE_LINE_CODECS and b"\n" in data:
        plain = _plain_line_fields(data, delimiter, record_lines)
        quoted = record_lines.filter(plain.is_null())
        if quoted.len() == 0:
            return plain
        record_lines = quoted
    counts = _quoted_record_fields(
        file_name, data, codec, delimiter, unwrapped, record_starts, record_lines
    )
    if plain is None:
        return counts
    return plain.scatter(plain.is_null().arg_true(), counts.cast(pl.Int64))


# Codecs whose bytes are read as String values as they are, with each
# delimiter, quote and newline one byte of its value (see
# ``_plain_line_fields``). The reader has checked that such a file is valid.
_BYTE_LINE_CODECS = frozenset({"utf-8", "utf-8-sig"})


def _plain_line_fields(
    data: bytes, delimiter: str, record_lines: pl.Series
) -> pl.Series:
    """Count the fields of the lines ``record_lines`` (1-based, split at
    newline bytes) on the bytes: one more than their delimiters. A line with
    a quote gets null, because its delimiters may be inside quotes and its
    record may go on to the next line.

    The lines are String values that share the memory of ``data``, so no
    decoded copy of the file is made (0.05 s against about 0.6 s for the
    general way on the 42 MB subscriptions.csv of benchmarks/generate.py).
    """
    newlines = (_byte_series(data) == ord("\n")).arg_true().cast(pl.Int64)
    # Line starts, then the end of the last line unless a newline ends it.
    parts = [pl.Series([0], dtype=pl.Int64), newlines + 1]
    if not data.endswith(b"\n"):
        parts.append(pl.Series([len(data)], dtype=pl.Int64))
    offsets = pl.concat(parts)
    buffers = [None, pa.py_buffer(offsets.to_numpy()), pa.py_buffer(data)]
    spans = pa.Array.from_buffers(pa.large_binary(), offsets.len() - 1, buffers)
    lines = _series_of(spans).gather(record_lines.cast(pl.Int64) - 1)
    text = lines.cast(pl.String)
    fields = (text.str.count_matches(delimiter, literal=True) + 1).cast(pl.Int64)
    if b'"' not in data:
        return fields.alias("fields")
    plain = ~text.str.contains('"', literal=True)
    empty = pl.repeat(None, fields.len(), dtype=pl.Int64, eager=True)
    return fields.zip_with(plain, empty).alias("fields")


def _quoted_record_fields(
    file_name: str,
    data: bytes,
    codec: str,
    delimiter: str,
    unwrapped: bool,
    record_starts: pl.Series,
    record_lines: pl.Series,
) -> pl.Series:
    """Count the fields of the records that start on ``record_lines`` as
    ``count_fields`` describes, on the decoded lines."""
    lines = _text_lines(file_name, data, codec)
    if unwrapped:
        lines = _unwrap_lines(lines)
    # Every line gets the number of the record it belongs to.
    numbers = pl.int_range(1, lines.len() + 1, eager=True, dtype=pl.Int64)
    starts = numbers.is_in(record_starts.implode())
    owners = pl.select(pl.when(starts).then(numbers).forward_fill()).to_series()
    frame = pl.DataFrame({LINE: owners, "text": lines})
    frame = frame.filter(pl.col(LINE).is_in(record_lines.implode()))
    records = frame.group_by(LINE).agg(pl.col("text").str.join("\n"))
    separator = re.escape(delimiter)
    quoted_part = rf'(^|{separator})"(?:[^"]|"")*(?:"|$)'
    outside = pl.col("text").str.replace_all(quoted_part, "${1}")
    delimiters = outside.str.count_matches(delimiter, literal=True)
    counts = records.select(LINE, (delimiters + 1).alias("fields"))
    found = pl.DataFrame({LINE: record_lines}).join(counts, on=LINE, how="left")
    return found.get_column("fields")


def _read_grid(file_name: str, data: bytes, aligned: bool) -> Grid:
    grid = _read_utf8_directly(file_name, data)
    if grid is not None:
        return grid
    text, codec = decode(file_name, data)
    if codec != "utf-8":
        # Windows-1252 from German Excel, Latin-1 and UTF-16 take the faster
        # way as UTF-8, which splits the same lines and cells.
        grid = _read_utf8_directly(file_name, text.encode("utf-8"))
        if grid is not None:
            note = f"encoding: {encoding_label(codec)}"
            return replace(grid, encoding=codec, notes=(note, *grid.notes[1:]))
    _reject_binary(file_name, text)
    notes = [f"encoding: {encoding_label(codec)}"]
    lines = _split_lines(text)
    # The lines are a full copy, so the string is freed before the next steps.
    del text
    _reject_long_lines(file_name, lines)

    sample = _sample(lines)
    unwrapped = _lines_wrapped_in_quotes(sample)
    if unwrapped:
        lines = _unwrap_lines(lines)
        sample = _sample(lines)
        notes.append("every line was wrapped in quotes (an Excel re-save); unwrapped")
    delimiter = sniff_delimiter(sample)
    if delimiter is None and aligned:
        cells, blank = _aligned_cells(lines)
        notes.append("columns: aligned with spaces")
        return Grid(cells, codec, None, blank, tuple(notes))
    if delimiter is None:
        notes.append("delimiter: none found, so the file is read as one column")
    else:
        notes.append(f"delimiter: {DELIMITERS[delimiter]}")
    cells, blank = _delimited_cells(file_name, lines, delimiter or ",")
    counter = None
    if delimiter is not None:
        starts = _record_starts(cells, blank)
        counter = partial(
            count_fields, file_name, data, codec, delimiter, unwrapped, starts
        )
    return Grid(cells, codec, delimiter, blank, tuple(notes), field_counts=counter)


def _record_starts(cells: pl.DataFrame, blank: tuple[int, ...]) -> pl.Series:
    blank_lines = pl.Series(LINE, blank, dtype=pl.Int64)
    return pl.concat([cells.get_column(LINE), blank_lines])


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
    tail = "\n".join(_text_lines(file_name, data, grid.encoding).slice(line - 1))
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


def _text_lines(file_name: str, data: bytes, codec: str) -> pl.Series:
    """Return the lines of ``data`` as ``read_grid`` numbers them."""
    if codec in ("utf-8", "utf-8-sig"):
        text = data.decode(codec, errors="replace")
    else:
        text, _codec = decode(file_name, data)
    return _split_lines(text)


def sniff_delimiter(sample: list[str]) -> str | None:
    """Pick the delimiter that splits the most sample rows into equal widths.

    Rows it does not split (titles, footers) count against it. Ties go to the
    delimiter giving more columns. ``None`` means no candidate
    splits any row, so the file has one column.
    """
    best: tuple[float, int, str] | None = None
    text = "\n".join(sample)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in _csv_rows(text, delimiter) if row]
        split = Counter(width for width in widths if width > 1)
        if not split:
            continue
        width, count = split.most_common(1)[0]
        score = (count / len(widths), width, delimiter)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def _read_utf8_directly(file_name: str, data: bytes) -> Grid | None:
    """Parse UTF-8 delimited bytes with Polars, or return ``None`` for the
    general way.

    It returns the grid, notes and errors of the general way. A first line
    narrower than the table (a title) returns ``None``, because Polars takes
    the number of columns from the first line.
    """
    if _utf16_order(data) is not None:
        # UTF-16 of Latin letters is ASCII bytes with NULs between them.
        return None
    ascii_text = data.isascii()
    codec = "utf-8" if ascii_text else _utf8_codec(data)
    if codec is None or b"\n" not in data or len(data) >= 2**32:
        return None
    carriage_returns = _count_byte(data, ord("\r"))
    if carriage_returns and carriage_returns != data.count(b"\r\n"):
        return None
    _reject_binary(file_name, _decode_head(data, codec))
    if _has_long_line(data):
        return None
    head = _first_lines(data, codec, _SAMPLE_LINES * 2)
    sample = _sample(head)
    if _lines_wrapped_in_quotes(sample):
        return None
    delimiter = sniff_delimiter(sample)
    if delimiter is None:
        return None
    width = _head_width(data, codec, delimiter)
    check_width(width, file_name)
    first_row = _csv_rows(head[0], delimiter)[:1]
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
    starts = _record_starts(cells, blank)
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


def _utf8_codec(data: bytes) -> str | None:
    """Return "utf-8" or "utf-8-sig" when ``decode`` would pick it, else None.

    The bytes are checked in slices, so no string of the whole file is made.
    """
    if data.startswith(_WIDE_BOMS):
        return None
    codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    step = 1 << 22
    try:
        for start in range(0, len(data), step):
            decoder.decode(view[start : start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return codec


def _decode_head(data: bytes, codec: str) -> str:
    """Decode enough of the start for ``_reject_binary`` (4 bytes per char)."""
    decoder = codecs.getincrementaldecoder(codec)()
    return decoder.decode(data[: _BINARY_CHECK_CHARS * 4])


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
    """Return the first ``count`` lines as ``_split_lines`` would split them."""
    end = 0
    for _ in range(count):
        newline = data.find(b"\n", end)
        if newline == -1:
            end = len(data)
            break
        end = newline + 1
    return _split_lines(data[:end].decode(codec))


def _head_width(data: bytes, codec: str, delimiter: str) -> int:
    """Return the width that ``_delimited_cells`` takes from the first lines."""
    count = _SAMPLE_LINES * 2
    while True:
        lines = _first_lines(data, codec, count)
        _, blank = _quoted_and_blank(lines)
        nonblank = lines.filter(~blank)
        if nonblank.len() >= _SAMPLE_LINES * 2 or lines.len() < count:
            head = nonblank.head(_SAMPLE_LINES * 2).to_list()
            return _sample_width(head, delimiter)
        count *= 4


class _Lines:
    """The lines of the bytes: how many, and which start outside quotes.

    The byte offsets are only computed when needed, from the positions of
    the newlines and quotes, as ``_split_lines`` and ``_quoted_and_blank``
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
    return _series_of(chunks).cast(pl.String)


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
    return (_byte_series(data) == byte).arg_true()


def _count_byte(data: bytes, byte: int) -> int:
    """Count one byte value.

    Faster than ``bytes.count``: 0.014 s against 0.057 s on the 139 MB
    deals.csv of benchmarks/generate.py (Polars 2.1, 2 cores).
    """
    if bytes([byte]) not in data:
        return 0
    return int((_byte_series(data) == byte).sum())


def _byte_series(data: bytes) -> pl.Series:
    """Return the bytes as a UInt8 Series that shares the memory of ``data``."""
    values = pa.Array.from_buffers(pa.uint8(), len(data), [None, pa.py_buffer(data)])
    return _series_of(values)


class _ArrowExport:
    """A PyArrow array seen only through the Arrow PyCapsule interface."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __arrow_c_array__(self, requested_schema: object = None) -> tuple:
        return self.array.__arrow_c_array__(requested_schema)


def _series_of(array: pa.Array) -> pl.Series:
    """Wrap a PyArrow array in a Series without copying its buffers.

    ``pl.Series(array)`` would do the same, but Polars 2.1 then imports
    ``pyarrow.compute``, which took 0.07-0.15 s once per process on the
    2-core benchmark machine.
    """
    return pl.Series(_ArrowExport(array))


def _decode_strict(file_name: str, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"the file starts with a {encoding_label(codec)} byte order mark, but "
            f"byte {error.start} is not valid {codec}; the file may be cut off. "
            "Export it again, or save it as UTF-8",
            file=file_name,
        ) from error


def _reject_binary(file_name: str, text: str) -> None:
    head = text[:_BINARY_CHECK_CHARS]
    control = len(_CONTROL_CHARACTERS.findall(head))
    nuls = head.count("\x00")
    if 0 < nuls <= _STRAY_NULS and control == nuls:
        # A few NULs in text: a damaged export, not a binary file.
        starts = [match.start() for match in re.finditer("\x00", head)]
        lines = sorted({head.count("\n", 0, start) + 1 for start in starts})
        where = (
            f"line {lines[0]}" if len(lines) == 1 else f"lines {format_lines(lines)}"
        )
        them = "it" if nuls == 1 else "them"
        raise UnreadableFileError(
            f"found {count_noun(nuls, 'NUL character')} on {where}, which a text "
            f"table never has. Delete {them} in a text "
            "editor or export the file again",
            file=file_name,
        )
    if nuls or control > len(head) / 100:
        raise UnreadableFileError(
            "expected a CSV or text table, but the file contains binary data "
            "(control characters such as NUL). Upload a CSV, TXT or XLSX export, "
            "or a zip of CSV files",
            file=file_name,
        )


def _split_lines(text: str) -> pl.Series:
    if "\n" not in text:
        text = text.replace("\r", "\n")
    text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    # Python splits the whole text about three times faster than str.split of
    # Polars (0.25 s against 0.84 s on a 132 MB CSV, Polars 2.1).
    return pl.Series("line", text.split("\n"), dtype=pl.String)


def _reject_long_lines(file_name: str, lines: pl.Series) -> None:
    lengths = lines.str.len_chars()
    longest = lengths.max()
    if longest is not None and longest > MAX_LINE_CHARS:
        raise UnreadableFileError(
            f"line has {longest:,} characters, more than the limit of "
            f"{MAX_LINE_CHARS:,}; the file is probably not a table. Check the "
            "export settings, or split the file",
            file=file_name,
            line=int(lengths.arg_max() or 0) + 1,
        )


def _sample(lines: pl.Series) -> list[str]:
    head = lines.head(_SAMPLE_LINES * 2)
    return [line for line in head.to_list() if line.strip()][:_SAMPLE_LINES]


def _lines_wrapped_in_quotes(sample: list[str]) -> bool:
    """Tell whether Excel wrapped each whole line in quotes.

    Such a line is one quoted field whose text still contains the delimiters,
    with the inner quotes doubled: ``"30;""blue-collar"";""married"";..."``.
    """
    if not sample or sniff_delimiter(sample) is not None:
        return False
    if not all(len(line) > 1 and line[0] == line[-1] == '"' for line in sample):
        return False
    inner = [line[1:-1].replace('""', '"') for line in sample]
    return sniff_delimiter(inner) is not None


def _unwrap_lines(lines: pl.Series) -> pl.Series:
    wrapped = (
        lines.str.starts_with('"')
        & lines.str.ends_with('"')
        & (lines.str.len_chars() > 1)
    )
    inner = lines.str.slice(1, lines.str.len_chars() - 2).str.replace_all(
        '""', '"', literal=True
    )
    return pl.select(
        pl.when(wrapped).then(inner).otherwise(lines).alias("line")
    ).to_series()


def _delimited_cells(
    file_name: str, lines: pl.Series, delimiter: str
) -> tuple[pl.DataFrame, tuple[int, ...]]:
    inside_quotes, blank = _quoted_and_blank(lines)
    starts = ~inside_quotes & ~blank
    numbers = pl.int_range(1, lines.len() + 1, eager=True, dtype=pl.Int64)
    blank_lines = tuple(numbers.filter(blank).to_list())
    record_lines = numbers.filter(starts)
    nonblank = lines.filter(~blank)

    width = _sample_width(nonblank.head(_SAMPLE_LINES * 2).to_list(), delimiter)
    check_width(width, file_name)
    frame = _parse_with_polars(nonblank, delimiter, width)
    if frame is None or frame.height != record_lines.len():
        return _parse_with_csv_module(file_name, lines, delimiter)
    return frame.with_columns(record_lines.alias(LINE)), blank_lines


def _quoted_and_blank(lines: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Mark the lines that start inside quotes, and the blank lines outside."""
    quotes = lines.str.count_matches('"', literal=True)
    inside_quotes = ((quotes.cum_sum() - quotes) % 2) == 1
    return inside_quotes, ~inside_quotes & (lines.str.strip_chars() == "")


def _sample_width(sample: list[str], delimiter: str) -> int:
    rows = _csv_rows("\n".join(sample), delimiter)
    return max((len(row) for row in rows), default=1)


def _parse_with_polars(
    nonblank: pl.Series, delimiter: str, width: int
) -> pl.DataFrame | None:
    """Parse the non-blank lines; ``None`` when a row is wider than the sample.

    A synthetic header row of ``width`` names comes first, because Polars
    takes the number of columns from the first row and the first rows are
    often narrow title lines.
    """
    names = [f"c{i}" for i in range(width)]
    header = pl.Series([delimiter.join(names)], dtype=pl.String)
    # Joined and encoded inside Polars: a Python str of the whole file and
    # its encoded copy would be two more copies of it in memory. The header
    # is joined as the first line, which saves a copy of the joined body.
    body = pl.concat([header, nonblank]).str.join("\n").cast(pl.Binary).item()
    try:
        return pl.read_csv(
            body,
            separator=delimiter,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None


def _parse_with_csv_module(
    file_name: str, lines: pl.Series, delimiter: str
) -> tuple[pl.DataFrame, tuple[int, ...]]:
    text = lines.str.join("\n").item() if lines.len() else ""
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter)
    rows: list[list[str]] = []
    starts: list[int] = []
    blank: list[int] = []
    previous_end = 0
    try:
        for row in reader:
            if row:
                rows.append(row)
                starts.append(previous_end + 1)
            else:
                blank.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as error:
        problem = f"the CSV structure is broken ({error})"
        if "new-line character seen in unquoted field" in str(error):
            # Python's words for a carriage return without a line feed.
            problem = (
                "the line contains a carriage return (CR) without a line feed "
                "outside quotes, so its line ends are mixed"
            )
        elif "field larger than field limit" in str(error):
            # A quote that opens a cell and never closes takes in the rest
            # of the file until the cell passes the reader's limit.
            problem = (
                "a cell that starts on this line is longer than 131,072 "
                "characters, as when a quote opens it and never closes"
            )
        raise UnreadableFileError(
            f"{problem}; check the quotes and line ends around this line, or "
            "export the file again",
            file=file_name,
            line=previous_end + 1,
        ) from error
    check_width(max((len(row) for row in rows), default=1), file_name)
    return _rows_to_frame(rows, starts), tuple(blank)


def _rows_to_frame(rows: list[list[str]], starts: list[int]) -> pl.DataFrame:
    width = max((len(row) for row in rows), default=1)
    padded = [row + [""] * (width - len(row)) for row in rows]
    columns = list(zip(*padded, strict=True)) if padded else [()] * width
    frame = pl.DataFrame(
        {
            f"c{i}": pl.Series(values, dtype=pl.String)
            for i, values in enumerate(columns)
        }
    )
    return frame.with_columns(pl.Series(LINE, starts, dtype=pl.Int64))


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter))
    except csv.Error:
        return []


def _aligned_cells(lines: pl.Series) -> tuple[pl.DataFrame, tuple[int, ...]]:
    """Cut space-aligned columns at the gaps that are blank on every line.

    The gaps come from the first lines (aligned exports pad every row to the
    same widths). A line with text inside a gap, such as a title, is kept
    whole in the first column.
    """
    lines = lines.str.replace_all("\t", "    ", literal=True).str.strip_chars_end()
    numbers = pl.int_range(1, lines.len() + 1, eager=True, dtype=pl.Int64)
    blank = lines.str.strip_chars() == ""
    nonblank, nonblank_numbers = lines.filter(~blank), numbers.filter(~blank)
    spans = _column_spans(_typical_lines(_sample(nonblank)))

    fits = pl.repeat(True, nonblank.len(), eager=True)
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        gap = nonblank.str.slice(end, next_start - end).str.strip_chars()
        fits = fits & (gap == "").fill_null(True)
    frame = pl.DataFrame({"line": nonblank, "fits": fits})
    cells = []
    for index, (start, end) in enumerate(spans):
        length = None if index == len(spans) - 1 else end - start
        cell = pl.col("line").str.slice(start, length)
        whole = pl.col("line") if index == 0 else None
        cells.append(pl.when("fits").then(cell).otherwise(whole).alias(f"c{index}"))
    frame = frame.select(cells).with_columns(nonblank_numbers.alias(LINE))
    return frame, tuple(numbers.filter(blank).to_list())


def _typical_lines(sample: list[str]) -> list[str]:
    """Keep the lines with the most common number of space-separated parts.

    Parts are separated by two or more spaces, so a title line, which is one
    part, does not hide the gaps between columns.
    """
    parts = [len(re.split(r"\s{2,}", line.strip())) for line in sample]
    common = Counter(parts).most_common(1)[0][0] if parts else 0
    return [line for line, count in zip(sample, parts, strict=True) if count == common]


def _column_spans(sample: list[str]) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the columns in the sample."""
    width = max((len(line) for line in sample), default=0)
    used = [False] * width
    for line in sample:
        for match in re.finditer(r"\S+", line):
            used[match.start() : match.end()] = [True] * (match.end() - match.start())
    for min_gap in (2, 1):
        spans = _spans_between_gaps(used, min_gap)
        if len(spans) > 1:
            return spans
    return spans or [(0, max(width, 1))]


def _spans_between_gaps(used: list[bool], min_gap: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = None
    gap = 0
    for position, occupied in enumerate([*used, *[False] * min_gap]):
        if occupied:
            if start is None:
                start = position
            gap = 0
            continue
        gap += 1
        if start is not None and gap >= min_gap:
            spans.append((start, position - gap + 1))
            start = None
    return spans
