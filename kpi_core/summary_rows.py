"""Find the summary rows and unlabelled total rows at the end of a table.

Spreadsheets add rows such as "Durchschnitt;;1.250,00" or a row of column
sums without a label below the records. ``drop_summary_rows`` drops such a
row only when each of its numbers equals the aggregate of its column over
the rows above, so a last record that merely looks like one stays.
``kpi_core.table_layout`` calls it after the total and footer rows are
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from kpi_core.total_rows import CURRENCY_CODE, DATE, NUMBER
from kpi_core.values import parse_numbers_detecting_mark

LINE = "_line"

# The label of a summary row below the table: a whole cell, perhaps with a
# colon, such as "Durchschnitt", "Average:" or "Gesamtanzahl". The group
# names the aggregate that the row's numbers must equal.
_SUMMARY_LABEL = re.compile(
    r"(?i)^(?:gesamt\s*|grand\s+)?"
    r"(durchschnitt|mittelwert|average|mean|anzahl|count|minimum|maximum|min|max)"
    r"\s*:?$"
)
_SUMMARY_AGGREGATES = {
    "durchschnitt": "mean",
    "mittelwert": "mean",
    "average": "mean",
    "mean": "mean",
    "anzahl": "count",
    "count": "count",
    "minimum": "min",
    "min": "min",
    "maximum": "max",
    "max": "max",
}
# Summary rows and unlabelled total rows are looked for among this many last
# rows, and only when at least _SUMMARY_MIN_ROWS_ABOVE data rows are above.
_SUMMARY_SEARCH_ROWS = 10
_SUMMARY_MIN_ROWS_ABOVE = 2


def drop_summary_rows(
    data: pl.DataFrame, names: list[str]
) -> tuple[pl.DataFrame, list[int], list[int]]:
    """Drop the summary rows and unlabelled total rows at the end of the table.

    A summary row has a label such as "Durchschnitt" or "Count:" in its
    first filled cell (``_SUMMARY_LABEL``), and an unlabelled total row has
    none. In both, every other filled cell must be a number or a currency
    code. Each number must equal its aggregate over the data rows above: the
    mean, count, minimum or maximum that the label names, or for an
    unlabelled row the column's sum or count. An unlabelled row must also
    leave empty a column that most rows above fill, and the unlabelled rows
    need a sum of at least three non-zero numbers among them. So a last
    record with only an id, or a score that equals the sum of two scores
    above it, stays a data row. Returns the table and the lines of both
    kinds.

    NOTE: a summary row whose numbers are cut off instead of rounded, or
    that aggregates only some of the rows above, stays in the table.
    """
    tail_rows = data.tail(_SUMMARY_SEARCH_ROWS).drop(LINE).rows()
    shapes = [_summary_shape(row) for row in tail_rows]
    block = 0
    for shape in reversed(shapes):
        if shape is None or data.height - block - 1 < _SUMMARY_MIN_ROWS_ABOVE:
            break
        block += 1
    columns = _SummaryColumns(data, names)
    first = data.height - len(tail_rows)
    # A row that fails is a data row, so the block starts below it, and the
    # next round checks the rows below it against aggregates that count it.
    while block:
        failing = _last_failing_row(tail_rows, shapes, columns, block, first)
        if failing is None:
            break
        block = len(shapes) - failing - 1
    if block == 1 and _may_be_given_name(tail_rows[-1]):
        block = 0
    if block == 0:
        return data, [], []
    lines = data.tail(block)[LINE].to_list()
    pairs = list(zip(lines, shapes[len(shapes) - block :], strict=True))
    summaries = [line for line, shape in pairs if shape != "sum"]
    unlabelled = [line for line, shape in pairs if shape == "sum"]
    return data.head(data.height - block), summaries, unlabelled


def _last_failing_row(
    tail_rows: list[tuple[str | None, ...]],
    shapes: list[str | None],
    columns: _SummaryColumns,
    block: int,
    first: int,
) -> int | None:
    """Return the index in ``tail_rows`` of the last row of the block of
    ``block`` rows that is not a summary row, or None when all are.

    ``first`` is the position of ``tail_rows[0]`` in the table. Unlabelled
    rows pass only when one of them has a sum of at least three non-zero
    numbers, so a row of counts needs a row of sums beside it.
    """
    above = first + len(tail_rows) - block
    offsets = range(len(tail_rows) - block, len(tail_rows))
    summed = False
    for offset in reversed(offsets):
        row, shape = tail_rows[offset], shapes[offset]
        matched, sums = _summary_matches(row, shape, columns, above, first + offset)
        if not matched:
            return offset
        summed = summed or sums
    unlabelled = [offset for offset in offsets if shapes[offset] == "sum"]
    return unlabelled[-1] if unlabelled and not summed else None


def _summary_shape(row: tuple[str | None, ...]) -> str | None:
    """Return the aggregate that a row at the end of the table may hold:
    "mean", "count", "min" or "max" for a summary label, "sum" for a row of
    only numbers, or None for a data row."""
    filled = [value for value in row if value is not None]
    if not filled:
        return None
    label = _SUMMARY_LABEL.match(filled[0])
    values = filled[1:] if label else filled
    if not any(_is_number(value) for value in values):
        return None
    if not all(_is_number(value) or re.match(CURRENCY_CODE, value) for value in values):
        return None
    return _SUMMARY_AGGREGATES[label.group(1).lower()] if label else "sum"


def _may_be_given_name(row: tuple[str | None, ...]) -> bool:
    """Tell whether a lone summary row may be a record of someone named
    "Max" or "Min", such as a survey response "Max;10;8", because no other
    summary row is beside it. Max is a common German first name, and a
    last respondent's scores can equal the column maxima."""
    filled = [value for value in row if value is not None]
    name = filled[0].rstrip(": ").casefold()
    return name in ("max", "min")


def _is_number(value: str | None) -> bool:
    return (
        value is not None
        and re.match(NUMBER, value) is not None
        and re.match(DATE, value) is None
    )


@dataclass(frozen=True)
class _ColumnAggregates:
    """The aggregates of one column over the data rows above a summary row.

    ``filled`` counts the non-empty cells and ``rows`` all rows. The numeric
    aggregates are None unless every non-empty cell is a number.
    """

    filled: int
    rows: int
    total: float | None = None
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    non_zero: int = 0


class _SummaryColumns:
    """The columns of a table parsed as numbers, each when first needed, with
    the decimal mark decided over the whole column."""

    def __init__(self, data: pl.DataFrame, names: list[str]) -> None:
        self.data = data
        self.names = names
        self._parsed: dict[int, tuple[pl.Series, str]] = {}
        self._aggregates: dict[tuple[int, int], _ColumnAggregates] = {}

    def number(self, index: int, position: int) -> tuple[float | None, str]:
        """Return the number in column ``index`` of the row at ``position``
        and the column's decimal mark."""
        parsed, mark = self._parse(index)
        return parsed[position], mark

    def filled(self, index: int, above: int) -> int:
        """Count the non-empty cells of column ``index`` in its first
        ``above`` rows, without parsing them."""
        text = self.data.get_column(self.names[index]).alias("cell").head(above)
        return above - text.null_count()

    def aggregates(self, index: int, above: int) -> _ColumnAggregates:
        """Return the aggregates of column ``index`` over its first ``above``
        rows."""
        key = (index, above)
        if key not in self._aggregates:
            self._aggregates[key] = self._aggregate(index, above)
        return self._aggregates[key]

    def _parse(self, index: int) -> tuple[pl.Series, str]:
        if index not in self._parsed:
            column = self.data.get_column(self.names[index]).alias("cell")
            self._parsed[index] = parse_numbers_detecting_mark(column)
        return self._parsed[index]

    def _aggregate(self, index: int, above: int) -> _ColumnAggregates:
        numbers = self._parse(index)[0].head(above)
        filled = self.filled(index, above)
        if filled == 0 or numbers.null_count() != above - filled:
            return _ColumnAggregates(filled, above)
        return _ColumnAggregates(
            filled,
            above,
            numbers.sum(),
            numbers.mean(),
            numbers.min(),
            numbers.max(),
            int((numbers.fill_null(0) != 0).sum()),
        )


def _summary_matches(
    row: tuple[str | None, ...],
    shape: str,
    columns: _SummaryColumns,
    above: int,
    position: int,
) -> tuple[bool, bool]:
    """Tell whether every number of ``row``, the row at ``position``, equals
    its aggregate over the first ``above`` rows (see ``drop_summary_rows``),
    and whether one of them is a sum of at least three non-zero numbers.

    A row without a label must also leave empty a column that more than half
    of the rows above fill, as a total row leaves the names and dates empty.
    """
    if shape == "sum" and not any(
        value is None and columns.filled(index, above) * 2 > above
        for index, value in enumerate(row)
    ):
        return False, False
    summed = False
    for index, value in enumerate(row):
        if not _is_number(value):
            continue
        number, mark = columns.number(index, position)
        if number is None:
            return False, False
        column = columns.aggregates(index, above)
        counted = number in (column.filled, column.rows)
        expected = column.total if shape == "sum" else getattr(column, shape, None)
        if shape == "count":
            matched = counted
        elif expected is None:
            matched = shape == "sum" and counted
        else:
            tolerance = half_last_unit(value, mark) + 1e-9 * abs(expected)
            matched = abs(number - expected) <= tolerance
            if shape == "sum":
                summed = summed or (matched and column.non_zero >= 3)
                matched = matched or counted
        if not matched:
            return False, False
    return True, summed


def half_last_unit(value: str, mark: str) -> float:
    """Return half a unit of the last decimal that ``value`` shows."""
    decimals = re.search(rf"\{mark}(\d+)\D*$", value)
    return 0.5 * 10.0 ** -len(decimals.group(1)) if decimals else 0.5
