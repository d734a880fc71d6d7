"""Problems found while preparing a table, with the file lines they name.

``Problem`` describes one kind of bad value in one column, or one kind of
broken row. ``FoundProblem`` adds the mask of its rows and the cell text it was
found in, which ``prepare_table`` uses to leave rows out or to narrow a
problem.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace

import polars as pl

from kpi_core.billing_intervals import INTERVAL_ADVICE
from kpi_core.currency_column import (
    CURRENCY_ADVICE,
    CURRENCY_FIELD,
    SHARED_CURRENCY,
    UNKNOWN_CURRENCY,
)
from kpi_core.errors import InvalidValueError
from kpi_core.formatting import LINES_SHOWN
from kpi_core.mapping import Mapping
from kpi_core.raw_table import RawTable
from kpi_core.schema import DATE, DURATION, FLAG, NUMBER

LINE = "_line"
# Distinct cell values that a problem quotes as examples.
EXAMPLES_SHOWN = 3
# Deal flags whose empty cell leaves the status to the deal stage.
_STATUS_FLAGS = ("won", "closed")
# The helpdesk's own resolution times. A ticket without one is measured from
# its creation and solve dates by the time to resolution.
_HELPDESK_DURATIONS = ("business_minutes", "calendar_minutes")
# An empty billing interval means monthly too, but only the MRR of a row
# without a monthly charge needs the interval, so an unknown one keeps its
# row and its cell (see ``_unknown_intervals``).
UNKNOWN_INTERVAL = "an unknown billing interval"
# How to correct the cells of a problem, by the problem's kind.
_ADVICE = {
    UNKNOWN_INTERVAL: INTERVAL_ADVICE,
    SHARED_CURRENCY: CURRENCY_ADVICE,
    UNKNOWN_CURRENCY: CURRENCY_ADVICE,
}


@dataclass(frozen=True)
class Problem:
    """One kind of bad value in one column, with where it occurs.

    ``row_kept`` is True when the cells were read as empty and their rows
    kept, False when the rows were left out of the table. ``cell_kept`` is
    True when the rows and their cells were kept as written, which only an
    unknown billing interval does, so that the MRR of these rows is unknown.
    ``advice`` is the instruction for correcting the cells, or empty where
    the kind needs none.
    """

    column: str
    field: str
    kind: str
    count: int
    lines: tuple[int, ...]
    examples: tuple[str, ...]
    row_kept: bool = False
    cell_kept: bool = False
    advice: str = ""
    # The effect on the KPIs where the kind needs its own words, such as an
    # empty ticket id. It replaces the outcome's usual clause.
    effect: str = ""

    def describe(self) -> str:
        lines = ", ".join(str(line) for line in self.lines[:LINES_SHOWN])
        if self.count > LINES_SHOWN:
            lines += f" and {self.count - LINES_SHOWN:,} more"
        examples = ", ".join(repr(value) for value in self.examples)
        rows = f"{self.count:,} {pluralize(self.count, 'row')} with {self.kind}"
        where = f"{pluralize(self.count, 'line')} {lines}"
        if not self.column:
            return f"{rows} ({where})"
        if not self.examples:
            return f"{rows} in column {self.column!r} ({where})"
        return f"{rows} in column {self.column!r} ({where}; for example {examples})"

    def outcome(self) -> str:
        """Say what the import did with the rows, and then the ``advice``
        where there is one, as a clause without a final period, such as
        "these rows are left out"."""
        many = self.count != 1
        if self.effect:
            return f"{self.effect}; {self.advice}" if self.advice else self.effect
        if not self.row_kept:
            left_out = "these rows are left out" if many else "this row is left out"
            return f"{left_out}; {self.advice}" if self.advice else left_out
        rows, them = ("the rows are", "them") if many else ("the row is", "it")
        if not self.column and not self.field:
            # Whole lines kept with cells the file lacks (``short_lines``).
            effect = f"the missing cells are read as empty and {rows} kept"
            return f"{effect}; {self.advice}" if self.advice else effect
        if self.cell_kept:
            their = "their" if many else "its"
            effect = (
                f"{rows} kept for counts such as churn, but {their} MRR is "
                f"unknown, so MRR, ARR and the other money KPIs leave {them} out "
                f"and count {them}"
            )
            return f"{effect}; {self.advice}" if self.advice else effect
        if self.field in _STATUS_FLAGS:
            whose = "their" if many else "its"
            return (
                f"read as empty; {rows} kept, and the other flag or the deal "
                f"stage decides {whose} status"
            )
        if self.field == CURRENCY_FIELD:
            # A currency cell read as empty empties the amounts of its row
            # (``currency_column.empty_amounts_without_code``).
            these = "these rows" if many else "this row"
            effect = (
                f"read as empty, and so are the amounts in {these}; {rows} kept, "
                f"so only the KPIs that need the amounts leave {them} out"
            )
            return f"{effect}; {self.advice}" if self.advice else effect
        if self.field in _HELPDESK_DURATIONS:
            return (
                f"read as empty; {rows} kept, and the time to resolution measures "
                f"{them} from the creation and solve dates in place of "
                f"{self.column!r}"
            )
        effect = (
            f"read as empty; {rows} kept, so KPIs that need {self.column!r} "
            f"leave {them} out"
        )
        return f"{effect}; {self.advice}" if self.advice else effect


# The noun and the effect on the KPIs of a row whose required id is empty,
# per table type and id field. The import keeps such rows, because the KPIs
# that need no id, such as the revenue of orders, still count them. Each
# KPI that needs the id leaves them out, and the texts say which of them
# also count them.
_EMPTY_ID_EFFECTS = {
    ("tickets", "ticket_id"): (
        "ticket ID",
        "{rows} kept, but the time to resolution and the follow-ups per ticket "
        "leave {them} out and count {them}, because a ticket without an ID "
        "cannot be told apart from another export of a listed ticket, nor "
        "matched to its messages",
    ),
    ("ticket_messages", "ticket_id"): (
        "ticket ID",
        "{rows} kept, but a message without a ticket ID belongs to no ticket, "
        "so the follow-ups per ticket do not count {them}",
    ),
    ("stage_history", "deal_id"): (
        "deal ID",
        "{rows} kept, but the time in each stage and the share that went on "
        "to a later stage leave {them} out and count {them}, because a stage "
        "entry without a deal ID cannot be told apart from the entries of "
        "another deal",
    ),
    ("orders", "customer_id"): (
        "customer ID",
        "{rows} kept, so the revenue by campaign and the average purchase "
        "value of CLV count {them}. The purchases a year of CLV leave {them} "
        "out and its note counts {them}, the customer lifespan leaves {them} "
        "out, and the new customers of CAC leave {them} out and CAC counts "
        "{them}, because an order without a customer ID belongs to no "
        "customer that can be counted",
    ),
    ("subscriptions", "customer_id"): (
        "customer ID",
        "{rows} kept, but MRR, ARR, churn, the upsell rate and CLV leave {them} "
        "out and count {them}, and the new customers of CAC leave {them} out "
        "and CAC counts those that pay, because a subscription without a "
        "customer ID belongs to no customer that can be counted",
    ),
    ("email_events", "email"): (
        "email address",
        "{rows} kept, but the email-list growth leaves {them} out and counts "
        "{them}, because an event without an address cannot be matched to the "
        "subscriber it adds or removes",
    ),
}


@dataclass(frozen=True)
class FoundProblem:
    """A problem with the mask of its rows and the cell text it was found in
    (None for a problem of whole rows)."""

    problem: Problem
    rows: pl.Series
    text: pl.Series | None


def long_line_problem(raw: RawTable) -> tuple[Problem, pl.Series]:
    """Report the lines with more fields than the header, whose values are
    shifted, and return the mask of their rows."""
    lines = [line for line, _ in raw.long_lines]
    line, fields = raw.long_lines[0]
    problem = Problem(
        column="",
        field="",
        kind=(
            f"more fields than the header (line {line} has {fields} fields, the "
            f"header has {raw.header_fields}; put quotes around values that "
            "contain the delimiter)"
        ),
        count=len(lines),
        lines=tuple(lines),
        examples=(),
    )
    return problem, raw.frame[LINE].is_in(lines)


def cell_problem(
    raw: pl.DataFrame,
    column: str,
    field_name: str,
    kind: str,
    bad: pl.Series,
    text: pl.Series,
    label: str | None = None,
) -> Problem:
    label = label or {
        DATE: "an invalid date",
        NUMBER: "an invalid number",
        DURATION: "an invalid or negative duration",
    }.get(kind, "an invalid whole number")
    return Problem(
        column=column,
        field=field_name,
        kind=label,
        count=int(bad.sum()),
        lines=tuple(raw[LINE].filter(bad).to_list()),
        examples=tuple(
            text.filter(bad).unique(maintain_order=True).head(EXAMPLES_SHOWN)
        ),
        advice=_ADVICE.get(label, ""),
    )


def empty_required_ids(mapping: Mapping, frame: pl.DataFrame) -> Problem | None:
    """Name the rows of the prepared ``frame`` whose required id is empty,
    such as a ticket's id or an order's customer id, or return None when
    there is none.

    The rows are kept, and the problem names the KPIs that leave them out
    (``_EMPTY_ID_EFFECTS``). ``frame`` is the table after the rows left out
    for other problems are gone, so no row is named twice.
    """
    for (table, field_name), (noun, effect) in _EMPTY_ID_EFFECTS.items():
        column = mapping.columns.get(field_name)
        if mapping.table != table or not column or field_name not in frame.columns:
            continue
        lines = frame.filter(pl.col(field_name).is_null())[LINE]
        if lines.is_empty():
            return None
        many = lines.len() != 1
        return Problem(
            column=column,
            field=field_name,
            kind=f"an empty {noun}",
            count=lines.len(),
            lines=tuple(lines.to_list()),
            examples=(),
            row_kept=True,
            cell_kept=True,
            advice=(
                f"fill in the {noun} of {'these rows' if many else 'this row'} "
                "and import the file again"
            ),
            effect=effect.format(
                rows="the rows are" if many else "the row is",
                them="them" if many else "it",
            ),
        )
    return None


def split_rows_by_source(
    raw: RawTable, column: str, rows: pl.Series
) -> list[tuple[str, pl.Series]]:
    """Split the mask ``rows`` of ``column`` by the file column its cells
    came from (``RawTable.cell_sources``), so that a problem names the
    file's column. A column read as it is comes back whole."""
    sources = raw.cell_sources.get(column)
    if sources is None:
        return [(column, rows)]
    names = sources.filter(rows).drop_nulls().unique(maintain_order=True)
    split = [(name, rows & (sources == name).fill_null(False)) for name in names]
    unnamed = rows & sources.is_null()
    if unnamed.any():
        split.append((column, unnamed))
    return split


def any_of_masks(masks: list[pl.Series]) -> pl.Series:
    return functools.reduce(operator.or_, masks)


def set_cells_empty(values: pl.Series, rows: pl.Series) -> pl.Series:
    """Return ``values`` with the cells of ``rows`` set to null."""
    frame = pl.DataFrame({"value": values, "rows": rows})
    kept = frame.select(pl.when(~pl.col("rows")).then(pl.col("value")))
    return kept.to_series().alias(values.name)


def narrow_problem(item: FoundProblem, rows: pl.Series, raw: RawTable) -> FoundProblem:
    """Take ``rows`` out of a cell problem."""
    if item.text is None or not (item.rows & rows).any():
        return item
    narrowed = item.rows & ~rows
    problem = item.problem
    found = cell_problem(
        raw.frame, problem.column, problem.field, "", narrowed, item.text, problem.kind
    )
    found = replace(
        found,
        row_kept=problem.row_kept,
        cell_kept=problem.cell_kept,
        advice=problem.advice,
    )
    return FoundProblem(found, narrowed, item.text)


def narrow_flag_problem(
    item: FoundProblem, rows: pl.Series, raw: pl.DataFrame
) -> FoundProblem:
    """Take ``rows`` out of a won or closed flag problem whose rows are kept,
    because a gap in the deals' outcome (``closed_without_won``,
    ``stage_without_outcome``) leaves those rows out and names them
    itself."""
    problem = item.problem
    if problem.field not in _STATUS_FLAGS or not problem.row_kept:
        return item
    if item.text is None or not (item.rows & rows).any():
        return item
    narrowed = item.rows & ~rows
    label = problem.kind
    found = cell_problem(
        raw, problem.column, problem.field, FLAG, narrowed, item.text, label
    )
    return FoundProblem(replace(found, row_kept=True), narrowed, item.text)


# Filled cells a mapped column needs before "none of them reads" stops the
# import as a wrong mapping.
_MIN_CELLS_TO_STOP = 3


def stop_on_unusable_column(
    file: str, mapping: Mapping, found: list[FoundProblem], filled: dict[str, pl.Series]
) -> None:
    """Raise InvalidValueError when no filled cell of a mapped column can be
    used, which usually means the wrong column was mapped (a text column as
    a date), so that the import stops instead of keeping only empty cells.

    A column with fewer than ``_MIN_CELLS_TO_STOP`` filled cells is only
    named: one unreadable lost date in a sparse column is a typo, not a
    wrong column."""
    for field_name, cells in filled.items():
        items = [
            item
            for item in found
            if item.problem.field == field_name and item.text is not None
        ]
        if not items or cells.sum() < _MIN_CELLS_TO_STOP:
            continue
        usable = cells & ~any_of_masks([item.rows for item in items])
        if usable.any():
            continue
        # The problems of a column built from several file columns are
        # split by them (``split_rows_by_source``), so the message names each.
        names = tuple(dict.fromkeys(item.problem.column for item in items))
        column: str | tuple[str, ...] = names
        target, mapped_subject = "these columns", "the columns were"
        if len(names) == 1:
            column = names[0]
            target, mapped_subject = "this column", "the column was"
        described = "; ".join(item.problem.describe() for item in items)
        label = mapping.schema.field_label(field_name)
        optional = "" if mapping.schema.field(field_name).required else ", or none,"
        advice = next(
            (item.problem.advice for item in items if item.problem.advice),
            "correct these cells",
        )
        raise InvalidValueError(
            f"no filled cell of {target} can be used as {label}: "
            f"{described}. If {mapped_subject} mapped by mistake, map another "
            f"column{optional} to {label} in the column mapping; otherwise "
            f"{advice}",
            file=file,
            column=column,
        )


def problem_counts(problems: Iterable[Problem]) -> dict[str, int]:
    return {
        f"{p.kind} in {p.column!r}" if p.column else p.kind: p.count for p in problems
    }


def pluralize(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"
