"""Name the last line of a text file that looks cut off.

A download or copy that stops early leaves a file whose last line has no
line break after it and ends inside a record. Such a line is left out when
it has fewer fields than the header, whichever columns it lacks, because
its last field is likely cut too. A last line with every field is named,
and kept, when its last value looks cut: it ends inside a word that another
row of the same column contains in whole, as "newbus" in "newbusiness".
Such a value may also be whole ("Dan" beside "Daniel"). Many exports end
without a final line break, so a last line that does not look cut is kept
without a word.
"""

from __future__ import annotations

import polars as pl

from kpi_core.import_problems import LINE, FoundProblem, Problem
from kpi_core.raw_table import RawTable

CUT_END_ADVICE = "the file may be cut off: export it again"

_WITHOUT_BREAK = "at the end of the file, with no line break after it"


def cut_end_problem(raw: RawTable) -> FoundProblem | None:
    """Return the problem of the file's last line when it looks cut off,
    with the mask of its row, or None."""
    line = raw.unended_line
    if not line or any(long == line for long, _ in raw.long_lines):
        return None
    rows = raw.frame.get_column(LINE) == line
    if not rows.any():
        return None
    fields = dict(raw.short_lines).get(line)
    if fields is not None:
        kind = (
            f"fewer fields than the header {_WITHOUT_BREAK} (line {line} has "
            f"{fields} fields, the header has {raw.header_fields})"
        )
        problem = Problem(
            column="",
            field="",
            kind=kind,
            count=1,
            lines=(line,),
            examples=(),
            row_kept=False,
            advice=CUT_END_ADVICE,
        )
        return FoundProblem(problem, rows, None)
    kind = _cut_value_kind(raw, rows)
    if kind is None:
        return None
    # A whole value such as "Dan" beside "Daniel" looks the same as a cut
    # one, so the row is kept and only named.
    problem = Problem(
        column="",
        field="",
        kind=kind,
        count=1,
        lines=(line,),
        examples=(),
        row_kept=True,
        effect="the row is kept as it is, because the value may be whole",
        advice=f"if it is cut, {CUT_END_ADVICE}",
    )
    return FoundProblem(problem, rows, None)


def _cut_value_kind(raw: RawTable, rows: pl.Series) -> str | None:
    """Describe the last value of the row ``rows`` when it looks cut, else
    return None.

    The value looks cut when it ends in a letter that is the file's last
    character, is no value of another row in its column, and starts a value
    of another row that goes on with a letter. A closing quote or a space
    at the end of the file shows the value to be whole, and so does a digit,
    because an id or amount such as "10" often starts another, such as
    "100".
    """
    # NOTE: a value that is whole but starts a longer word of another row,
    # as "Dan" before "Daniel", is named as possibly cut, though kept.
    if rows.sum() != 1:
        # A wide stage history gives one row per stage of each line, and its
        # last column is not the file's, so its last value is not judged.
        return None
    column = [name for name in raw.frame.columns if name != LINE][-1]
    cells = raw.frame.get_column(column)
    value = cells.filter(rows).item()
    final = raw.final_character
    if value is None or not final.isalpha() or not value.endswith(final):
        return None
    others = cells.filter(~rows).drop_nulls().unique()
    if (others == value).any():
        return None
    continues = others.str.slice(len(value), 1).str.contains(r"^\p{L}")
    longer = others.filter(others.str.starts_with(value) & continues).sort()
    if longer.len() == 0:
        return None
    return (
        f"a last value that ends inside a word {_WITHOUT_BREAK} ({value!r} in "
        f"column {column!r}, where another row has {longer[0]!r})"
    )
