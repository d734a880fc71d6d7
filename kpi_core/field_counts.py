"""Count the fields of the records of a delimited text file, line by line."""

from __future__ import annotations

import re

import polars as pl
import pyarrow as pa

from kpi_core.arrow_bytes import byte_series, series_of
from kpi_core.text_cells import LINE, split_lines, unwrap_lines
from kpi_core.text_encoding import decode


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
    newlines = (byte_series(data) == ord("\n")).arg_true().cast(pl.Int64)
    # Line starts, then the end of the last line unless a newline ends it.
    parts = [pl.Series([0], dtype=pl.Int64), newlines + 1]
    if not data.endswith(b"\n"):
        parts.append(pl.Series([len(data)], dtype=pl.Int64))
    offsets = pl.concat(parts)
    buffers = [None, pa.py_buffer(offsets.to_numpy()), pa.py_buffer(data)]
    spans = pa.Array.from_buffers(pa.large_binary(), offsets.len() - 1, buffers)
    lines = series_of(spans).gather(record_lines.cast(pl.Int64) - 1)
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
    lines = text_lines(file_name, data, codec)
    if unwrapped:
        lines = unwrap_lines(lines)
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


def record_start_lines(cells: pl.DataFrame, blank: tuple[int, ...]) -> pl.Series:
    blank_lines = pl.Series(LINE, blank, dtype=pl.Int64)
    return pl.concat([cells.get_column(LINE), blank_lines])


def text_lines(file_name: str, data: bytes, codec: str) -> pl.Series:
    """Return the lines of ``data`` as ``read_grid`` numbers them."""
    if codec in ("utf-8", "utf-8-sig"):
        text = data.decode(codec, errors="replace")
    else:
        text, _codec = decode(file_name, data)
    return split_lines(text)
