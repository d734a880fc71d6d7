"""Split the decoded lines of a text file into a grid of cells.

The grid has one row per record with columns ``c0``, ``c1``, ... (all
String) and ``_line``, the 1-based line where the record starts. Header,
title and footer rows are still in it; ``kpi_core.table_layout`` finds them.

Records are found with Polars on whole columns of lines: a line starts a new
record when the lines before it hold an even number of double quotes, so a
quoted field may contain line breaks and delimiters. When Polars' own CSV
parser disagrees with that count (a stray quote inside an unquoted field), the
file is parsed again with Python's ``csv`` module, which is exact but slower.
Files without a delimiter may be cut at the gaps of space-aligned columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from kpi_core.errors import UnreadableFileError
from kpi_core.table_layout import check_width

LINE = "_line"
MAX_LINE_CHARS = 1_000_000
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_LINES = 200


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


def sniff_delimiter(sample: list[str]) -> str | None:
    """Pick the delimiter that splits the most sample rows into equal widths.

    Rows it does not split (titles, footers) count against it. Ties go to the
    delimiter giving more columns. ``None`` means no candidate
    splits any row, so the file has one column.
    """
    best: tuple[float, int, str] | None = None
    text = "\n".join(sample)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv_rows(text, delimiter) if row]
        split = Counter(width for width in widths if width > 1)
        if not split:
            continue
        width, count = split.most_common(1)[0]
        score = (count / len(widths), width, delimiter)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def split_lines(text: str) -> pl.Series:
    if "\n" not in text:
        text = text.replace("\r", "\n")
    text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    # Python splits the whole text about three times faster than str.split of
    # Polars (0.25 s against 0.84 s on a 132 MB CSV, Polars 2.1).
    return pl.Series("line", text.split("\n"), dtype=pl.String)


def reject_long_lines(file_name: str, lines: pl.Series) -> None:
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


def nonblank_sample(lines: pl.Series) -> list[str]:
    head = lines.head(SAMPLE_LINES * 2)
    return [line for line in head.to_list() if line.strip()][:SAMPLE_LINES]


def lines_wrapped_in_quotes(sample: list[str]) -> bool:
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


def unwrap_lines(lines: pl.Series) -> pl.Series:
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


def delimited_cells(
    file_name: str, lines: pl.Series, delimiter: str
) -> tuple[pl.DataFrame, tuple[int, ...]]:
    inside_quotes, blank = quoted_and_blank(lines)
    starts = ~inside_quotes & ~blank
    numbers = pl.int_range(1, lines.len() + 1, eager=True, dtype=pl.Int64)
    blank_lines = tuple(numbers.filter(blank).to_list())
    record_lines = numbers.filter(starts)
    nonblank = lines.filter(~blank)

    width = sample_width(nonblank.head(SAMPLE_LINES * 2).to_list(), delimiter)
    check_width(width, file_name)
    frame = _parse_with_polars(nonblank, delimiter, width)
    if frame is None or frame.height != record_lines.len():
        return _parse_with_csv_module(file_name, lines, delimiter)
    return frame.with_columns(record_lines.alias(LINE)), blank_lines


def quoted_and_blank(lines: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Mark the lines that start inside quotes, and the blank lines outside."""
    quotes = lines.str.count_matches('"', literal=True)
    inside_quotes = ((quotes.cum_sum() - quotes) % 2) == 1
    return inside_quotes, ~inside_quotes & (lines.str.strip_chars() == "")


def sample_width(sample: list[str], delimiter: str) -> int:
    rows = csv_rows("\n".join(sample), delimiter)
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


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter))
    except csv.Error:
        return []


def aligned_cells(lines: pl.Series) -> tuple[pl.DataFrame, tuple[int, ...]]:
    """Cut space-aligned columns at the gaps that are blank on every line.

    The gaps come from the first lines (aligned exports pad every row to the
    same widths). A line with text inside a gap, such as a title, is kept
    whole in the first column.
    """
    lines = lines.str.replace_all("\t", "    ", literal=True).str.strip_chars_end()
    numbers = pl.int_range(1, lines.len() + 1, eager=True, dtype=pl.Int64)
    blank = lines.str.strip_chars() == ""
    nonblank, nonblank_numbers = lines.filter(~blank), numbers.filter(~blank)
    spans = _column_spans(_typical_lines(nonblank_sample(nonblank)))

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
