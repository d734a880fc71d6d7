"""Name the text lines with fewer fields than the header.

Export tools write every field of every line, so a short line has most
likely been cut off, as when a file was copied or saved incompletely. Excel
is the known exception: it may leave out the delimiters of empty cells at
the end of a line. A short line that still contains every required column
is therefore kept, and its missing cells are read as empty. A line cut
before a required column is left out, as a line with more fields than the
header is, because such a row cannot be a whole record and its last value
may be cut too. Both are named with their lines and field counts.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.import_problems import LINE, FoundProblem, Problem
from kpi_core.mapping import Mapping
from kpi_core.reading import RawTable
from kpi_core.schema import TABLES

SHORT_LINE_ADVICE = (
    "the line may be cut off: export the file again, or correct the line"
)
SHORT_LINES_ADVICE = (
    "the lines may be cut off: export the file again, or correct the lines"
)


def short_line_problems(raw: RawTable, mapping: Mapping) -> list[FoundProblem]:
    """Return the problem of the short lines left out (cut before a required
    column) and that of the short lines kept, each only when it has lines."""
    columns = [name for name in raw.frame.columns if name != LINE]
    required = [
        mapping.columns[name]
        for name in TABLES[mapping.table].required
        if mapping.columns.get(name)
    ]
    cut: list[tuple[int, int, str]] = []
    kept: list[tuple[int, int]] = []
    for line, fields in raw.short_lines:
        missing = [column for column in required if columns.index(column) >= fields]
        if missing:
            cut.append((line, fields, missing[0]))
        else:
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
