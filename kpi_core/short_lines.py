"""Name the text lines with fewer fields than the header.

Some tools, such as Excel, leave out the delimiters of empty cells at the
end of a line. A file that does so on every such line never has a line
with as many fields as the header and an empty last one. Its short lines
are its style, so they are not named, and their missing cells are read as
empty like any empty cell. A file that writes those delimiters somewhere
has a fixed width, so a short line there has most likely been cut off, as
when a file was copied or saved incompletely. Such a line is left out when
it ends before a required column, as a line with more fields than the
header is, because it cannot be a whole record and its last value may be
cut too. Otherwise it is kept with its missing cells read as empty. Both
are named with their lines and field counts.

In a file without that evidence, a short line is still left out and named
when it ends before a required column that is filled in at least
``FILLED_SHARE`` of the other rows. A writer that leaves out empty cells
would have to leave that column empty too, which the other rows make
unlikely.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.import_problems import LINE, FoundProblem, Problem
from kpi_core.mapping import Mapping
from kpi_core.raw_table import RawTable
from kpi_core.schema import TABLES

# The share of the full lines that must fill a required column before a
# short line ending ahead of it counts as cut off. It applies to files that
# leave out the delimiters of empty cells at a line's end.
FILLED_SHARE = 0.9

SHORT_LINE_ADVICE = (
    "the line may be cut off: export the file again, or correct the line"
)
SHORT_LINES_ADVICE = (
    "the lines may be cut off: export the file again, or correct the lines"
)


def short_line_problems(raw: RawTable, mapping: Mapping) -> list[FoundProblem]:
    """Return the problem of the short lines left out (cut before a required
    column) and that of the short lines kept, each only when it has lines.

    The short lines are kept unnamed in a file that leaves out the
    delimiters of empty cells at a line's end, unless they end before a
    required column filled in nearly every other row.
    """
    columns = [name for name in raw.frame.columns if name != LINE]
    required = [
        mapping.columns[name]
        for name in TABLES[mapping.table].required
        if mapping.columns.get(name)
    ]
    if not raw.writes_empty_last:
        short = [line for line, _ in raw.short_lines]
        required = _filled_columns(raw.frame, required, short)
    cut: list[tuple[int, int, str]] = []
    kept: list[tuple[int, int]] = []
    for line, fields in raw.short_lines:
        if line == raw.unended_line:
            # The last line without a line break after it is named as the
            # cut end of the file (``cut_end``).
            continue
        missing = [column for column in required if columns.index(column) >= fields]
        if missing:
            cut.append((line, fields, missing[0]))
        elif raw.writes_empty_last:
            kept.append((line, fields))

    found = []
    if cut:
        line, fields, column = cut[0]
        kind = (
            "fewer fields than the header, cut before a required column (line "
            f"{line} has {fields} fields, the header has {raw.header_fields}, "
            f"so {column!r} is missing)"
        )
        found.append(_problem(raw, [line for line, _, _ in cut], kind, kept=False))
    if kept:
        line, fields = kept[0]
        kind = (
            f"fewer fields than the header (line {line} has {fields} fields, the "
            f"header has {raw.header_fields})"
        )
        found.append(_problem(raw, [line for line, _ in kept], kind, kept=True))
    return found


def _filled_columns(
    frame: pl.DataFrame, columns: list[str], short: list[int]
) -> list[str]:
    """Keep the columns filled in at least ``FILLED_SHARE`` of the rows on
    the lines not in ``short``. The short lines are not counted, so that a
    few cut lines cannot lower the share below it for one another."""
    full = frame.filter(~frame.get_column(LINE).is_in(short))
    if full.height < 1:
        return []
    return [
        column
        for column in columns
        if full.get_column(column).is_not_null().sum() >= FILLED_SHARE * full.height
    ]


def _problem(raw: RawTable, lines: list[int], kind: str, kept: bool) -> FoundProblem:
    advice = SHORT_LINE_ADVICE if len(lines) == 1 else SHORT_LINES_ADVICE
    problem = Problem(
        column="",
        field="",
        kind=kind,
        count=len(lines),
        lines=tuple(lines),
        examples=(),
        row_kept=kept,
        advice=advice,
    )
    return FoundProblem(problem, raw.frame[LINE].is_in(lines), None)


def narrow_row_problem(
    item: tuple[Problem, pl.Series], rows: pl.Series, raw: RawTable
) -> tuple[Problem, pl.Series] | None:
    """Take ``rows`` out of a problem of whole rows, such as a deal without
    an outcome; None when no row is left."""
    problem, mask = item
    narrowed = mask & ~rows
    lines = raw.frame[LINE].filter(narrowed)
    if lines.len() == 0:
        return None
    return replace(problem, count=lines.len(), lines=tuple(lines.to_list())), narrowed
