"""Decide each deal's status from its stage or status label and its won and
closed flags, and find the deals whose outcome no mapped column gives.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from datetime import date

import polars as pl

from kpi_core.column_parsing import ParsedColumn
from kpi_core.date_values import convert_unique
from kpi_core.future_dates import FUTURE_CLOSE, first_future_time, future_advice
from kpi_core.import_problems import (
    LINE,
    FoundProblem,
    Problem,
    any_of_masks,
    cell_problem,
    set_cells_empty,
    split_rows_by_source,
)
from kpi_core.mapping import Mapping
from kpi_core.raw_table import RawTable
from kpi_core.schema import DATE, deal_status_expr
from kpi_core.subscription_data import TRUE_FLAGS

# The yes/no fields of a deals table, read into its status.
DEAL_FLAGS = ("won", "closed")


def classify_deal_labels(futures: dict[str, Future[ParsedColumn]]) -> pl.Series:
    """Classify each deal by its status label, or its stage label where the
    status is empty or not mapped, once their columns are parsed. Without
    either column every label is empty, which reads open until the won and
    closed flags decide (``flagged_statuses``)."""
    labels = [
        futures[name].result().values for name in ("status", "stage") if name in futures
    ]
    if not labels:
        rows = next(iter(futures.values())).result().values.len()
        return _deal_statuses(pl.Series("label", [None] * rows, dtype=pl.String))
    label = labels[0]
    if len(labels) == 2:
        label = label.fill_null(labels[1])
    return _deal_statuses(label)


def stage_from_status(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the deals' status (open, won or lost) as their stage, for a table
    without a stage column (``Mapping.stage_stand_in``).

    The pipeline by stage then groups the deals by open, won and lost, in
    the words of its status colours, and not by the file's own status
    labels, such as "gewonnen", beside them.
    """
    if "stage" in frame.columns:
        return frame
    return frame.with_columns(pl.col("status").alias("stage"))


def stage_stand_in_note(mapping: Mapping) -> tuple[str, str] | None:
    """Return the column and the import note that name the columns standing
    in for a missing stage column, or None when the stage has a column."""
    fields = mapping.stage_stand_in
    if not fields:
        return None
    columns = [mapping.columns[name] for name in fields]
    if fields == ("status",):
        source = f"the status {columns[0]!r} stands"
    else:
        source = f"the won and closed flags {columns[0]!r} and {columns[1]!r} stand"
    note = (
        f"no stage column: {source} in for the stage; pipeline by stage shows "
        "won, lost and open"
    )
    return columns[-1], note


def flagged_statuses(frame: pl.DataFrame, statuses: pl.Series) -> pl.Series:
    """Apply the won and closed flags, where mapped, over the statuses read
    from the labels.

    A won deal is won. A closed deal that is not won is lost, and a deal
    that is neither closed nor won is open. Without a closed flag, a deal
    that is not won but whose label reads won is lost. Otherwise the label
    decides.
    """
    present = [name for name in DEAL_FLAGS if name in frame.columns]
    if not present:
        return statuses
    flags = {
        name: (
            pl.col(name).str.to_lowercase().is_in(list(TRUE_FLAGS))
            if name in present
            else pl.lit(None, dtype=pl.Boolean)
        )
        for name in DEAL_FLAGS
    }
    won, closed = flags["won"], flags["closed"]
    status = (
        pl.when(won)
        .then(pl.lit("won"))
        .when(closed & ~won)
        .then(pl.lit("lost"))
        .when(~closed)
        .then(pl.lit("open"))
        .when(~won & (pl.col("status") == "won"))
        .then(pl.lit("lost"))
        .otherwise(pl.col("status"))
    )
    return frame.with_columns(statuses).select(status.alias("status")).to_series()


def _deal_statuses(labels: pl.Series) -> pl.Series:
    """Classify the labels with ``deal_status_expr``, once per distinct label
    when a sample repeats a lot, as stage names do."""

    def classify(unique: pl.Series) -> tuple[str, pl.Series]:
        frame = pl.DataFrame({"label": unique})
        return "", frame.select(deal_status_expr(pl.col("label"))).to_series()

    return convert_unique(labels, classify)[1].alias("status")


def closed_without_won(
    raw: pl.DataFrame,
    mapping: Mapping,
    columns: list[pl.Series],
    label_statuses: pl.Series | None,
) -> tuple[Problem, pl.Series] | None:
    """Find the deals flagged closed whose won flag is empty or was read as
    empty (such as "Unknown") and whose stage or status label reads neither
    won nor lost. Return the problem and the rows it rejects.

    Such a deal could be won or lost. A label that reads won or lost
    ("Closed Won") decides the deal instead, as it does without the flags
    (``flagged_statuses``).
    """
    won_column = mapping.columns.get("won")
    if not won_column or not mapping.columns.get("closed"):
        return None
    parsed = {column.name: column for column in columns}
    closed = parsed["closed"].str.to_lowercase().is_in(list(TRUE_FLAGS))
    gap = (parsed["won"].is_null() & closed).fill_null(False)
    if label_statuses is not None:
        gap = gap & ~label_statuses.is_in(["won", "lost"]).fill_null(False)
    if not gap.any():
        return None
    lines = raw[LINE].filter(gap)
    problem = Problem(
        column="",
        field="won",
        kind=(
            f"a closed deal with an empty or unreadable {won_column!r} cell, so it "
            "could be won or lost (fill in yes or no)"
        ),
        count=lines.len(),
        lines=tuple(lines.to_list()),
        examples=(),
    )
    return problem, gap


def stage_without_outcome(
    raw: pl.DataFrame, mapping: Mapping, columns: list[pl.Series]
) -> tuple[Problem, pl.Series] | None:
    """Find the deals with an empty stage cell whose outcome no other mapped
    column gives, and return the problem and the rows it rejects.

    Such a deal could be open, won or lost. Counted as open, as its empty
    label would read, it would lower the close rate and add to the open
    pipeline. A filled status cell gives the outcome, and so do a won flag
    that reads yes and a closed flag that reads yes or no (a closed deal
    with an empty won flag is ``closed_without_won``'s gap). A won flag
    that reads no still leaves open and lost.
    """
    parsed = {column.name: column for column in columns}
    if mapping.table != "deals":
        return None
    if "stage" in parsed:
        unknown = parsed["stage"].is_null()
    elif mapping.stage_stand_in:
        unknown = pl.repeat(True, raw.height, eager=True)
    else:
        return None
    if "status" in parsed:
        unknown = unknown & parsed["status"].is_null()
    if "won" in parsed:
        won = parsed["won"].str.to_lowercase().is_in(list(TRUE_FLAGS))
        unknown = unknown & ~won.fill_null(False)
    if "closed" in parsed:
        unknown = unknown & parsed["closed"].is_null()
    if not unknown.any():
        return None
    lines = raw[LINE].filter(unknown)
    problem = Problem(
        column="",
        field="stage",
        kind=_unknown_outcome_kind(mapping),
        count=lines.len(),
        lines=tuple(lines.to_list()),
        examples=(),
    )
    return problem, unknown


def future_close_dates(
    raw: RawTable,
    mapping: Mapping,
    columns: list[pl.Series],
    label_statuses: pl.Series | None,
    found: list[FoundProblem],
    today: date,
) -> tuple[list[pl.Series], list[FoundProblem]]:
    """Read as empty the close dates after ``today`` of won and lost deals,
    and return the columns with the problems that name them.

    A won or lost deal closed on that date, so it cannot lie ahead, but an
    open deal's close date is the expected one and is kept. The rows that
    ``found`` leaves out are not named again. See ``future_dates`` for the
    day of tolerance.
    """
    column = mapping.columns.get("closed_at")
    if mapping.table != "deals" or label_statuses is None or not column:
        return columns, []
    parsed = {series.name: series for series in columns}
    flags = pl.DataFrame([parsed[name] for name in DEAL_FLAGS if name in parsed])
    statuses = flagged_statuses(flags, label_statuses)
    decided = statuses.is_in(["won", "lost"]).fill_null(False)
    later = (parsed["closed_at"] >= first_future_time(today)).fill_null(False)
    future = decided & later
    left_out = [item.rows for item in found if not item.problem.row_kept]
    if left_out:
        future = future & ~any_of_masks(left_out)
    if not future.any():
        return columns, []
    text = raw.frame[column]
    problems = []
    for source, rows in split_rows_by_source(raw, column, future):
        problem = cell_problem(
            raw.frame, source, "closed_at", DATE, rows, text, FUTURE_CLOSE
        )
        problem = replace(problem, row_kept=True, advice=future_advice(today))
        problems.append(FoundProblem(problem, rows, text))
    emptied = [
        set_cells_empty(series, future) if series.name == "closed_at" else series
        for series in columns
    ]
    return emptied, problems


def _unknown_outcome_kind(mapping: Mapping) -> str:
    """Describe the empty cells of a deal whose outcome no column gives, and
    the column to fill in."""
    stage = mapping.columns.get("stage")
    status = mapping.columns.get("status")
    if stage and status:
        cells, fill = f"empty {stage!r} and {status!r} cells", "the stage"
    elif stage:
        cells, fill = f"an empty {stage!r} cell", "the stage"
    elif status:
        cells, fill = f"an empty {status!r} cell and no stage column", "the status"
    else:
        won, closed = mapping.columns["won"], mapping.columns["closed"]
        cells = (
            f"an empty {closed!r} cell, a {won!r} cell that is not yes and no "
            "stage or status column"
        )
        fill = repr(closed)
    return (
        f"{cells}, so the deal could be open, won or lost (fill in {fill} and "
        "import the file again)"
    )
