"""Find what calamine's text grid of a worksheet does not show.

calamine (fastexcel 0.21) reads every cell as text. So its grid cannot tell
a number cell from a text cell that looks the same, an Excel error cell
(#DIV/0!) from an empty cell, or a hidden row from a visible one.
``scan_cells`` reads these facts from the sheet XML: with a regex pass over
the usual markup, or with expat for markup that the regex cannot place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

import polars as pl

from kpi_core.workbook_checks import column_number

LINE = "_line"
_CELLS_SCHEMA = {LINE: pl.Int64, "column": pl.Int64, "mark": pl.String}
# A number cell that keeps its value in <v>, after an optional formula. Only
# values with a "." or an exponent are wanted: calamine writes the others
# as whole numbers, which read the same with either decimal mark.
_NUMBER_CELL = (
    r'<c r="[A-Z]{1,3}[0-9]{1,7}"[^>]*>\s*(?:<f[^>]*/>\s*|<f[^>]*>[^<]*</f>\s*)?'
    r"<v>[^<]*[.eE][^<]*</v>"
)
_ERROR_CELL = (
    r'<c r="[A-Z]{1,3}[0-9]{1,7}"[^>]*\st="e"[^>]*>\s*'
    r"(?:<f[^>]*/>\s*|<f[^>]*>[^<]*</f>\s*)?<v>[^<]*</v>"
)
# A tag's attributes are matched up to the next "<" or ">" and the hidden
# attribute is found by a lookahead, so that each part of the XML is
# scanned a bounded number of times. Two [^>]* around the attribute took
# quadratic time on many unclosed tags.
_HIDDEN_ROW = rb'<row\s(?=[^<>]*\bhidden="(?:1|true)")[^<>]*>'
_HIDDEN_COLUMNS = rb'<col\s(?=[^<>]*\bhidden="(?:1|true)")[^<>]*>'
_ROW_NUMBER = re.compile(rb'\sr="([0-9]{1,7})"')
_DECIMAL_OR_EXPONENT = re.compile(r"[.eE]")
# Excel writes at most 16,384 columns, so a larger range in <col> is cut.
_MAX_COLUMN = 16_384


@dataclass(frozen=True)
class CellScan:
    """Facts about a sheet's cells that calamine's grid drops.

    ``numbers`` lists the number cells whose stored value has a decimal
    point or an exponent, with ``_line`` (the spreadsheet row) and
    ``column`` (0 for the grid's first column, as in ``Sheet.cells``).
    ``errors`` lists the error cells the same way, with the error text in
    ``mark`` ("#DIV/0!"). ``hidden_rows`` and ``hidden_columns`` list the
    rows and grid columns marked hidden. ``first_column`` is the sheet
    column of the grid's first column (1 for A).
    """

    numbers: pl.DataFrame
    errors: pl.DataFrame
    hidden_rows: tuple[int, ...]
    hidden_columns: tuple[int, ...]
    first_column: int


def scan_cells(xml: bytes, first_column: int | None, *, numbers: bool) -> CellScan:
    """Scan the sheet XML for the facts of ``CellScan``.

    ``first_column`` is the sheet column of the first cell with a value, or
    None when a quick check could not tell, which also means that the
    markup may escape the regex (prefixed tags such as <x:c>, cells without
    an r attribute); then expat parses the sheet. ``numbers`` False skips
    the search for number cells. That search took 1.6 s beside 5 s for the
    whole ``read_table`` of a 100,000-row sheet of decimal numbers, on a
    shared 2-core machine.
    """
    has_errors = xml.find(b't="e"') >= 0
    has_hidden = xml.find(b'hidden="') >= 0
    if not (numbers or has_errors or has_hidden):
        return _empty_scan(first_column or 1)
    if first_column is not None:
        scanned = _regex_scan(xml, numbers, has_errors, has_hidden)
        if scanned is not None:
            return _on_grid(scanned, first_column)
    walk = _parsed_walk(xml, numbers)
    scanned = CellScan(
        pl.DataFrame(walk.numbers, schema=_CELLS_SCHEMA, orient="row"),
        pl.DataFrame(walk.errors, schema=_CELLS_SCHEMA, orient="row"),
        tuple(walk.hidden_rows),
        tuple(sorted(walk.hidden_columns)),
        1,
    )
    return _on_grid(scanned, walk.first_column or 1)


def _on_grid(scan: CellScan, first_column: int) -> CellScan:
    """Count the columns of ``scan`` from the grid's first column."""
    shift = pl.col("column") - first_column
    return CellScan(
        scan.numbers.with_columns(shift),
        scan.errors.with_columns(shift),
        scan.hidden_rows,
        tuple(c - first_column for c in scan.hidden_columns if c >= first_column),
        first_column,
    )


def _empty_scan(first_column: int) -> CellScan:
    empty = pl.DataFrame(schema=_CELLS_SCHEMA)
    return CellScan(empty, empty, (), (), first_column)


def _regex_scan(
    xml: bytes, numbers: bool, has_errors: bool, has_hidden: bool
) -> CellScan | None:
    """Return the scan from regex passes, or None for text that is not
    UTF-8 or a hidden row without an r attribute."""
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        return None

    empty = pl.DataFrame(schema=_CELLS_SCHEMA)
    number_cells = _matched_cells(text, _NUMBER_CELL) if numbers else empty
    if numbers:
        # A text result of a formula (t="str") or a date cell (t="d") is no
        # number even when its value has a ".".
        number_cells = number_cells.filter(
            pl.col("kind").is_null() | (pl.col("kind") == "n")
        )
    error_cells = _matched_cells(text, _ERROR_CELL) if has_errors else empty
    del text

    hidden_rows: list[int] = []
    hidden_columns: tuple[int, ...] = ()
    if has_hidden:
        for tag in re.findall(_HIDDEN_ROW, xml):
            number = _ROW_NUMBER.search(tag)
            if number is None:
                return None
            hidden_rows.append(int(number.group(1)))
        hidden_columns = _hidden_columns(xml)

    return CellScan(
        number_cells.select(list(_CELLS_SCHEMA)),
        error_cells.select(list(_CELLS_SCHEMA)),
        tuple(hidden_rows),
        hidden_columns,
        1,
    )


def _matched_cells(text: str, pattern: str) -> pl.DataFrame:
    """Return ``_line``, ``column``, ``kind`` (the t attribute) and ``mark``
    (the <v> text) of the cells that match ``pattern``."""
    tags = pl.Series("tag", [text]).str.extract_all(pattern).explode().drop_nulls()
    cells = pl.DataFrame({"tag": tags}).select(
        letters=pl.col("tag").str.extract(r'^<c r="([A-Z]{1,3})'),
        row=pl.col("tag").str.extract(r'^<c r="[A-Z]{1,3}([0-9]{1,7})"'),
        kind=pl.col("tag").str.extract(r'^<c [^>]*\st="([A-Za-z]+)"'),
        mark=pl.col("tag").str.extract(r"<v>([^<]*)</v>$"),
    )
    return with_column_numbers(cells).select(
        pl.col("row").cast(pl.Int64).alias(LINE), "column", "kind", "mark"
    )


def with_column_numbers(cells: pl.DataFrame) -> pl.DataFrame:
    """Add ``column``, the 1-based number of each cell's column ``letters``
    ("A" is 1). Each distinct letter code is converted once."""
    letters = cells["letters"].unique().to_list()
    numbers = pl.DataFrame(
        {"letters": letters, "column": [column_number(name) for name in letters]},
        schema={"letters": pl.String, "column": pl.Int64},
    )
    return cells.join(numbers, on="letters", maintain_order="left")


def _hidden_columns(xml: bytes) -> tuple[int, ...]:
    """Return the columns that a hidden <col> range covers."""
    head = xml[: max(xml.find(b"<sheetData"), 0)]
    hidden: set[int] = set()
    for tag in re.findall(_HIDDEN_COLUMNS, head):
        first = re.search(rb'\smin="([0-9]{1,5})"', tag)
        last = re.search(rb'\smax="([0-9]{1,5})"', tag)
        if first is None or last is None:
            continue
        start = int(first.group(1))
        end = min(int(last.group(1)), _MAX_COLUMN)
        hidden.update(range(start, end + 1))
    return tuple(sorted(hidden))


def _parsed_walk(xml: bytes, numbers: bool) -> _CellWalk:
    walk = _CellWalk(numbers)
    parser = expat.ParserCreate()
    parser.StartElementHandler = walk.start
    parser.EndElementHandler = walk.end
    parser.CharacterDataHandler = walk.text
    parser.Parse(xml, True)
    return walk


class _CellWalk:
    """Collect number cells, error cells and hidden rows and columns while
    expat parses, placing cells as calamine does: a cell without an r
    attribute follows the previous cell, and a row without one follows the
    previous row."""

    def __init__(self, numbers: bool) -> None:
        self.want_numbers = numbers
        self.row = 0
        self.column = 0
        self.kind: str | None = None
        self.value: list[str] | None = None
        self.numbers: list[tuple[int, int, str]] = []
        self.errors: list[tuple[int, int, str]] = []
        self.hidden_rows: list[int] = []
        self.hidden_columns: set[int] = set()
        self.first_column: int | None = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]
        if tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
            if attributes.get("hidden") in ("1", "true"):
                self.hidden_rows.append(self.row)
        elif tag == "c":
            reference = re.fullmatch(
                r"([A-Z]{1,3})([0-9]{1,7})", attributes.get("r", "")
            )
            if reference is None:
                self.column += 1
            else:
                self.column = column_number(reference.group(1))
                self.row = int(reference.group(2))
            self.kind = attributes.get("t")
        elif tag in ("v", "is"):
            # calamine's grid starts at the first column with a value.
            if self.first_column is None or self.column < self.first_column:
                self.first_column = self.column
            self.value = [] if tag == "v" else None
        elif tag == "col" and attributes.get("hidden") in ("1", "true"):
            first, last = attributes.get("min", ""), attributes.get("max", "")
            if first.isdigit() and last.isdigit():
                end = min(int(last), _MAX_COLUMN)
                self.hidden_columns.update(range(int(first), end + 1))

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] != "v" or self.value is None:
            return
        value = "".join(self.value)
        self.value = None
        cell = (self.row, self.column, value)
        if self.kind == "e":
            self.errors.append(cell)
        elif (
            self.want_numbers
            and self.kind in (None, "n")
            and _DECIMAL_OR_EXPONENT.search(value)
        ):
            self.numbers.append(cell)
