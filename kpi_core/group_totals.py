"""Find the subtotal rows labelled with a total word and their group's name.

Reports sorted by a column put a row such as "Summe Anna Müller" below each
group of records, often with the owner beside it and the group's summed
amount, and the id, date and stage cells empty. ``drop_group_totals``
drops such a row. ``kpi_core.table_layout`` calls it after
``total_rows.drop_totals``, which handles the labels that need no group,
such as "Summe", "Summe Q1" or Excel's "Anna Müller Ergebnis".
"""

from __future__ import annotations

import re

import polars as pl

from kpi_core.summary_rows import half_last_unit
from kpi_core.total_rows import ANY_TOTAL_LABEL, CURRENCY_CODE, DATE, NUMBER, TOTAL_WORD
from kpi_core.values import parse_numbers_detecting_mark

LINE = "_line"

# A total word, a space and the name of a group: "Summe Anna Müller",
# "Zwischensumme: Nord" or "Ergebnis Anna Müller". The group is captured.
_GROUP_LABEL = rf"(?i)^(?:{TOTAL_WORD}|ergebnis)\s*:?\s+(\S.*?)\s*:?$"
# A subtotal must leave empty a column that all but at most this share of
# the other rows fill, such as the id, the stage or a date.
_NEARLY_EMPTY = 0.05


def drop_group_totals(
    data: pl.DataFrame, names: list[str]
) -> tuple[pl.DataFrame, list[tuple[int, str]], list[tuple[int, str]]]:
    """Drop the rows whose label is a total word and the name of the group
    above them.

    A row is such a subtotal when a cell has a label (``_GROUP_LABEL``) that
    ``total_rows`` does not know, and its group's name is a value of the
    nearest row above without such a label, in a column that names the
    group. Its other filled cells must be numbers, currency codes or the
    group's name, with no date, id code or other word, and it must leave
    empty a column that nearly every other row fills. Each number must be
    the sum or the row count of its column over the group: the rows above
    in a run with the group's name in that column, skipping other such
    subtotals. A row without a number is decided by its label and empty
    cells alone.

    Returns the table, (line, label) of each row dropped, and (line, label)
    of each row that has such a label and names the group above but was
    kept because a number is not the group's sum, for a warning.

    NOTE: a group named differently from its column's values, such as
    "Summe März 2025" below dates in March, is not recognised here.
    """
    columns = [data.get_column(name).alias("cell") for name in names]
    found = pl.repeat(False, data.height, eager=True)
    for column in columns:
        labels = column.str.contains(_GROUP_LABEL).fill_null(False)
        # The labels of total_rows are searched only in a column with a
        # group label, because most columns have none.
        if labels.any():
            labels = labels & ~column.str.contains(ANY_TOTAL_LABEL).fill_null(False)
        found = found | labels
    if not found.any():
        return data, [], []
    positions = found.arg_true().to_list()
    candidates = set(positions)
    full = _nearly_full_columns(columns, found)
    values = [column.to_list() for column in columns]
    parsed: dict[int, tuple[list[float | None], str]] = {}
    lines = data.get_column(LINE).to_list()
    dropped: list[tuple[int, str]] = []
    kept_labels: list[tuple[int, str]] = []
    for position in positions:
        row = [cells[position] for cells in values]
        label_index, group = _group_label(row)
        if label_index is None:
            continue
        above = _row_above(position, candidates)
        if above is None:
            continue
        group_columns = [
            index
            for index, cells in enumerate(values)
            if cells[above] is not None and _same(cells[above], group)
        ]
        if not group_columns:
            continue
        label = row[label_index]
        if not _only_sums_and_group(row, label_index, group, full):
            continue
        numbers = [
            index
            for index, value in enumerate(row)
            if index != label_index and value is not None and _is_number(value)
        ]
        members = _group_rows(values[group_columns[0]], above, group, candidates)
        if all(
            _is_group_sum(row[index], index, position, members, columns, parsed)
            for index in numbers
        ):
            dropped.append((lines[position], label))
        else:
            kept_labels.append((lines[position], label))
    if not dropped:
        return data, [], kept_labels
    dropped_lines = [line for line, _ in dropped]
    kept_rows = data.filter(~pl.col(LINE).is_in(dropped_lines))
    return kept_rows, dropped, kept_labels


def _group_label(row: list[str | None]) -> tuple[int | None, str]:
    """Return the index of the first cell of ``row`` with a group label and
    the group's name in it, or None and ""."""
    for index, value in enumerate(row):
        if value is None:
            continue
        match = re.match(_GROUP_LABEL, value)
        if match and not re.match(ANY_TOTAL_LABEL, value):
            return index, match.group(1)
    return None, ""


def _same(value: str, group: str) -> bool:
    return value.strip().casefold() == group.casefold()


def _row_above(position: int, candidates: set[int]) -> int | None:
    """Return the nearest row above ``position`` that has no group label."""
    above = position - 1
    while above in candidates:
        above -= 1
    return above if above >= 0 else None


def _nearly_full_columns(columns: list[pl.Series], found: pl.Series) -> list[bool]:
    """Mark the columns that all but ``_NEARLY_EMPTY`` of the rows without a
    group label fill."""
    others = (~found).sum()
    return [
        column.filter(~found).null_count() <= _NEARLY_EMPTY * others
        for column in columns
    ]


def _only_sums_and_group(
    row: list[str | None], label_index: int, group: str, full: list[bool]
) -> bool:
    """Tell whether ``row`` has only numbers, currency codes and the group's
    name beside its label, and an empty cell in a nearly full column."""
    leaves_gap = any(
        value is None and filled for value, filled in zip(row, full, strict=True)
    )
    if not leaves_gap:
        return False
    for index, value in enumerate(row):
        if index == label_index or value is None or _same(value, group):
            continue
        if not (_is_number(value) or re.match(CURRENCY_CODE, value)):
            return False
    return True


def _group_rows(
    cells: list[str | None], above: int, group: str, candidates: set[int]
) -> list[int]:
    """Return the rows in the run above and including ``above`` whose cell
    is the group's name, skipping the rows with a group label."""
    members = []
    position = above
    while position >= 0:
        if position not in candidates:
            value = cells[position]
            if value is None or not _same(value, group):
                break
            members.append(position)
        position -= 1
    return members


def _is_group_sum(
    value: str,
    index: int,
    position: int,
    members: list[int],
    columns: list[pl.Series],
    parsed: dict[int, tuple[list[float | None], str]],
) -> bool:
    """Tell whether the number ``value`` in column ``index`` of the row at
    ``position`` is the column's sum over the ``members`` rows, to the
    decimals shown, or their count."""
    if index not in parsed:
        numbers, mark = parse_numbers_detecting_mark(columns[index])
        parsed[index] = (numbers.to_list(), mark)
    numbers, mark = parsed[index]
    number = numbers[position]
    if number is None:
        return False
    if number == len(members):
        return True
    cells = [numbers[member] for member in members]
    if any(cell is None for cell in cells):
        return False
    total = sum(cells)
    return abs(number - total) <= half_last_unit(value, mark) + 1e-9 * abs(total)


def _is_number(value: str) -> bool:
    return re.match(NUMBER, value) is not None and re.match(DATE, value) is None
