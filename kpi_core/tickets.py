"""The selection of solved tickets that the service KPIs share.

A ticket counts as solved when it has a solve date (solved_at) and its
status, if the table has one, is not an open status. Deleted and spam
tickets count in no KPI. It is placed in a
period by that solve date. A ticket id listed more than once is measured to
its latest solve, or is open when a row with more agent replies shows it
was reopened after that solve. A row with an empty ticket id counts in no
KPI either: it could be another export of a listed ticket, and no message
log can be matched to it. A table without a solve-date column has no
solved ticket, and ``describe_missing_solve_column`` returns the reason.
"""

from __future__ import annotations

import polars as pl

from kpi_core.errors import MissingColumnError
from kpi_core.formatting import count_noun
from kpi_core.period import Period
from kpi_core.reuse import reuse_last_result

NO_SEGMENT = "(none)"

# Statuses of Zendesk, Freshdesk, HubSpot, Salesforce and German helpdesks
# that mean the ticket still waits for work, compared after lower-casing.
OPEN_STATUSES = frozenset(
    {
        "new", "open", "pending", "hold", "on-hold", "on hold", "reopened",
        "waiting on customer", "waiting on third party", "waiting on contact",
        "waiting on us", "pending customer response", "working", "escalated",
        "in progress", "neu", "offen", "wartend", "in bearbeitung", "angehalten",
        "eskaliert", "wiedereröffnet", "active", "warten auf uns",
        "warten auf kontakt", "warten auf kunden", "warten auf dritte",
    }
)  # fmt: skip
# Statuses of tickets that were deleted or marked spam, which no KPI counts.
DISCARDED_STATUSES = frozenset(
    {"deleted", "spam", "junk", "trash", "gelöscht", "papierkorb"}
)
DISCARDED = "deleted or spam ticket"
OPEN = "open ticket"
# A solved row whose ticket id is empty (see ``solved_tickets``).
SOLVED_WITHOUT_ID = "solved ticket without a ticket id"

SOLVED_UNDATED = "solved ticket without a solve date"
# Statuses that mean the work on a ticket is done, compared after
# lower-casing.
SOLVED_STATUSES = frozenset(
    {
        "solved", "closed", "resolved", "done", "completed", "gelöst",
        "geschlossen", "erledigt", "abgeschlossen",
    }
)  # fmt: skip
_ORDER = "_order"
_WALL = pl.Datetime("us")


def solved_tickets(
    tickets: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Select the tickets solved in the period, one row per ticket id.

    Also returns the rows left out per reason: open tickets (created in the
    period, or any with all data) and earlier solves of a ticket listed
    again. Rows without a solve date are open, unless their status is
    solved or closed. Those are counted apart as solved without a solve
    date, also when the table has no solve-date column. With an explicit
    period, a solved ticket counts only when its solve date lies in the
    period. A solved row with an empty ticket id is left out and counted
    (``SOLVED_WITHOUT_ID``), because it cannot be told apart from another
    export of a listed ticket; each such row is one row, never merged with
    another row without an id.
    """
    return _solved_tickets(tickets, period)


def describe_missing_solve_column(tickets: pl.DataFrame, period: Period) -> str | None:
    """Explain that no ticket counts as solved because the tickets have no
    solve-date column, or return None when they have one.

    The reason counts the tickets whose status marks them solved or closed
    among the tickets that ``solved_tickets`` counts in the period, and
    ends with the advice to map a solve or close date column.
    """
    if "solved_at" in tickets.columns:
        return None
    reason = "the tickets have no solve-date column, so no ticket counts as solved."
    _solved, excluded = solved_tickets(tickets, period)
    marked = excluded.get(SOLVED_UNDATED, 0)
    total = marked + excluded.get(OPEN, 0)
    if "status" in tickets.columns and total:
        created = "" if period.is_all else " created in this period"
        verb = "is" if marked == 1 else "are"
        reason += (
            f" {marked:,} of {count_noun(total, 'ticket')}{created} {verb} marked "
            "solved or closed in the status column."
        )
    return reason + " Map a solve or close date column to solved_at on the Data page"


@reuse_last_result
def _solved_tickets(
    tickets: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    if "solved_at" not in tickets.columns:
        tickets = tickets.with_columns(pl.lit(None, _WALL).alias("solved_at"))
    latest, _none = _final_solves(tickets)
    is_open = pl.col("solved_at").is_null()
    undated = pl.lit(False)
    discarded = pl.lit(False)
    if "status" in latest.columns:
        status = pl.col("status").cast(pl.String)
        # A ticket marked solved or closed without a solve date is a gap in
        # the export, not work still waiting.
        done = status.is_in(_status_values(latest, SOLVED_STATUSES))
        undated = is_open & done.fill_null(False)
        open_status = status.is_in(_open_values(latest)).fill_null(False)
        discarded = status.is_in(_discarded_values(latest))
        discarded = discarded.fill_null(False)
        is_open = (is_open | open_status) & ~undated & ~discarded
        undated = undated & ~discarded

    created_in_period = pl.lit(period.is_all)
    if "created_at" in latest.columns:
        created_in_period = period.contains("created_at")
    counts = latest.select(
        open=(is_open & created_in_period).sum(),
        undated=(undated & created_in_period).sum(),
        discarded=(
            discarded & (created_in_period | period.contains("solved_at"))
        ).sum(),
    )
    counted = ~is_open & ~undated & ~discarded & period.contains("solved_at")
    without_id = pl.lit(False)
    if "ticket_id" in latest.columns:
        without_id = pl.col("ticket_id").is_null()
    solved = latest.filter(counted & ~without_id)
    excluded = {
        OPEN: counts["open"].item(),
        SOLVED_UNDATED: counts["undated"].item(),
        DISCARDED: counts["discarded"].item(),
        SOLVED_WITHOUT_ID: latest.filter(counted & without_id).height,
        "earlier solve of a ticket listed again": tickets.height - latest.height,
    }
    return solved, nonzero_counts(excluded)


@reuse_last_result
def _final_solves(tickets: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """Keep one row per ticket id, the one with the latest solve date.

    A ticket listed twice (a reopened ticket in two exports) is measured to
    its final solve, unless ``_reopened_rows`` shows that it was reopened
    after that solve and is still open: then its newest unsolved row is
    kept, so it counts as open. Without a ticket_id column every row is a
    ticket, and so is every row with an empty ticket id, which
    ``solved_tickets`` then leaves out. The
    counts are always empty; they are there for ``reuse_last_result``, which
    keeps the result for the next period on the same frame.
    """
    if "ticket_id" not in tickets.columns:
        return tickets, {}
    ids = tickets["ticket_id"]
    if ids.n_unique() == tickets.height and ids.null_count() < 2:
        return tickets, {}
    indexed = tickets.with_row_index(_ORDER)
    without_id = indexed.filter(pl.col("ticket_id").is_null())
    indexed = indexed.filter(pl.col("ticket_id").is_not_null())
    # Nulls sort first, so a solved row beats an unsolved one of the same id.
    latest = indexed.sort(
        [pl.col("solved_at"), pl.col(_ORDER)], nulls_last=False
    ).unique(subset="ticket_id", keep="last", maintain_order=True)
    reopened = _reopened_rows(indexed, latest)
    if reopened is not None:
        reopened_ids = reopened["ticket_id"].to_list()
        solved_last = latest.filter(~pl.col("ticket_id").is_in(reopened_ids))
        latest = pl.concat([solved_last, reopened])
    latest = pl.concat([latest, without_id])
    return latest.sort(_ORDER).drop(_ORDER), {}


def _reopened_rows(indexed: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame | None:
    """Return the unsolved row of each ticket that was reopened after its
    latest solve and is still open, or None when there is none.

    An export does not say which of a ticket's rows is newer, but its count
    of agent replies only grows. So an unsolved row with more replies than
    the row of the latest solve was exported after that solve.
    """
    if "replies" not in indexed.columns:
        return None
    unsolved = pl.col("solved_at").is_null()
    if "status" in indexed.columns:
        open_status = pl.col("status").cast(pl.String).is_in(_open_values(indexed))
        unsolved = unsolved | open_status.fill_null(False)
    solved_replies = latest.filter(~unsolved).select(
        "ticket_id", pl.col("replies").alias("_solved_replies")
    )
    later = (
        indexed.filter(unsolved & pl.col("replies").is_not_null())
        .join(solved_replies, on="ticket_id")
        .filter(pl.col("replies") > pl.col("_solved_replies"))
    )
    if later.is_empty():
        return None
    # The unsolved row with the most replies is the newest.
    return (
        later.sort(["replies", _ORDER])
        .unique(subset="ticket_id", keep="last")
        .drop("_solved_replies")
    )


def _open_values(tickets: pl.DataFrame) -> list[str]:
    """Return the status cells of ``tickets`` that name an open status."""
    return _status_values(tickets, OPEN_STATUSES)


def _discarded_values(tickets: pl.DataFrame) -> list[str]:
    """Return the status cells of ``tickets`` that mark a deleted or spam
    ticket: one of ``DISCARDED_STATUSES`` as a word, as in "Closed (spam)",
    and not negated, as in "Not spam"."""
    cells = tickets.select(pl.col("status").cast(pl.String).unique().drop_nulls())
    words = "|".join(sorted(DISCARDED_STATUSES))
    label = pl.col("status").str.to_lowercase()
    named = label.str.contains(rf"\b(?:{words})\b")
    negated = label.str.contains(r"\b(?:not|no|kein|nicht)\b")
    return cells.filter(named & ~negated)["status"].to_list()


def _status_values(tickets: pl.DataFrame, statuses: frozenset[str]) -> list[str]:
    """Return the status cells of ``tickets`` that name one of ``statuses``.

    Matching the few distinct cells and then the rows against them is
    faster than trimming and lower-casing a million status cells.
    """
    cells = tickets.select(pl.col("status").cast(pl.String).unique().drop_nulls())
    label = pl.col("status").str.strip_chars().str.to_lowercase()
    return cells.filter(label.is_in(list(statuses)))["status"].to_list()


def require_segment(tickets: pl.DataFrame, segment: str) -> None:
    """Raise MissingColumnError unless the tickets have the segment column."""
    if segment not in tickets.columns:
        raise MissingColumnError(
            f"the tickets have no {segment!r} column to break the KPI down by; "
            "map a column to it or choose another segment",
            column=segment,
        )


def nonzero_counts(counts: dict[str, int]) -> dict[str, int]:
    """Drop the reasons that left no row out."""
    return {reason: count for reason, count in counts.items() if count}
