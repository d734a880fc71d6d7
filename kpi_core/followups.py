"""Follow-ups per ticket: agent replies needed until a ticket is solved.

Input columns: the canonical tickets table (ticket_id, solved_at, status,
replies and the segment columns) and, optionally, the message log of the
ticket_messages table (ticket_id, sent_at, author_role). The replies come
from the message log when one is given, otherwise from the replies column
(Zendesk "Replies", Freshdesk "Agent interactions").
"""

from __future__ import annotations

import polars as pl

from kpi_core.errors import MissingColumnError
from kpi_core.formatting import count_noun, format_number
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.subscription_data import FALSE_FLAGS, TRUE_FLAGS
from kpi_core.tickets import (
    NO_SEGMENT,
    describe_missing_solve_column,
    nonzero_counts,
    require_segment,
    solved_tickets,
)

ALL_DATA = Period()
# Message authors whose messages count as agent replies.
AGENT_ROLES = frozenset(
    {"agent", "admin", "administrator", "staff", "support", "mitarbeiter"}
)

_REPLIES = "replies"
_KEY = "_ticket_key"
_WALL = pl.Datetime("us")
# Reply sources, as the result's variant names them.
_FROM_MESSAGES = "agent messages up to the solve time"
_FROM_COLUMN = "replies column"


def followups_per_ticket(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    messages: pl.DataFrame | None = None,
) -> KpiResult:
    """Compute the mean number of agent replies per ticket solved in the period.

    Formula: sum of agent replies / solved tickets, a count, over the tickets
    solved in the period (ticket_id, solved_at, status, replies). With a
    message log, the replies of a ticket are its messages from an agent
    sent up to its solve time, and a ticket without any has 0. Without a
    log the replies column is used, and tickets with an empty count there
    are left out and counted. ``extra["share_one_reply"]`` is the percent of
    those tickets solved with exactly one reply. No reply source, or no
    solved ticket, as with an empty frame or tickets without a solve-date
    column, gives not available.
    """
    counted, excluded, source = _reply_table(tickets, period, messages)
    if counted is None:
        reason = (
            "the tickets have no replies column and no message log was given, "
            "so agent replies cannot be counted"
        )
        return not_available("followups_per_ticket", reason, excluded=excluded)
    if no_agent := _no_agent_reason(messages):
        return not_available("followups_per_ticket", no_agent, excluded=excluded)
    if counted.is_empty():
        reason = describe_missing_solve_column(tickets, period)
        reason = reason or "no solved tickets with a reply count in this period"
        return not_available("followups_per_ticket", reason, excluded=excluded)

    total = int(counted[_REPLIES].sum())
    n = counted.height
    one_reply = int((counted[_REPLIES] == 1).sum())
    mean = total / n
    formula = (
        f"{count_noun(total, 'agent reply', 'agent replies')} / "
        f"{count_noun(n, 'solved ticket')} = {format_number(mean, 2)} replies"
    )
    return KpiResult(
        key="followups_per_ticket",
        status="ok",
        unit="count",
        value=mean,
        numerator=total,
        denominator=n,
        n=n,
        variant=source,
        formula=formula,
        excluded=excluded,
        extra={"share_one_reply": one_reply / n * 100},
    )


def followups_breakdown(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    segment: str = "agent",
    messages: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Compute the follow-ups per ticket per agent, channel or category.

    Columns: the segment (an empty value becomes "(none)"), tickets,
    mean_replies and share_one_reply (percent). Tickets and replies are
    chosen as in ``followups_per_ticket``. Sorted by mean_replies, highest
    first. Raises MissingColumnError when the segment column is absent. An
    empty frame, or no reply source, gives an empty table.
    """
    require_segment(tickets, segment)
    counted, _excluded, _source = _reply_table(tickets, period, messages)
    if counted is None:
        counted = tickets.clear().with_columns(pl.lit(None, pl.Int64).alias(_REPLIES))
    key = pl.col(segment).cast(pl.String).fill_null(NO_SEGMENT).alias(segment)
    table = counted.group_by(key).agg(
        pl.len().cast(pl.Int64).alias("tickets"),
        pl.col(_REPLIES).mean().alias("mean_replies"),
        ((pl.col(_REPLIES) == 1).mean() * 100).alias("share_one_reply"),
    )
    return table.sort(["mean_replies", segment], descending=[True, False])


def followups_breakdown_note(result: KpiResult) -> str | None:
    """Write which tickets the follow-up tables count and which rows the
    follow-ups per ticket ``result`` left out, for a note under a table.

    The breakdown and the distribution choose tickets and replies as
    ``followups_per_ticket`` does, so ``result`` gives their left-out rows
    too. A result that is not available gives None.
    """
    if not result.available:
        return None
    scope = (
        "Counted as for the follow-ups per ticket KPI: tickets solved in the "
        "period, each ticket id once at its latest solve, with the replies "
        f"from the {result.variant}."
    )
    if result.variant == _FROM_MESSAGES:
        scope += " A ticket without an agent message counts 0 replies."
    if not result.excluded:
        return f"{scope} No row was left out."
    left_out = ", ".join(
        f"{count_noun(count, 'row')} ({reason})"
        for reason, count in result.excluded.items()
    )
    return f"{scope} Left out: {left_out}."


def followups_distribution(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    messages: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Count the solved tickets per number of agent replies.

    Columns: replies, tickets and share (percent of the counted tickets),
    sorted by replies. Only reply counts that occur are listed. Tickets and
    replies are chosen as in ``followups_per_ticket``. An empty frame, or no
    reply source, gives an empty table.
    """
    counted, _excluded, _source = _reply_table(tickets, period, messages)
    if counted is None:
        counted = pl.DataFrame(schema={_REPLIES: pl.Int64})
    table = counted.group_by(_REPLIES).agg(pl.len().cast(pl.Int64).alias("tickets"))
    return table.with_columns(
        (pl.col("tickets") / pl.col("tickets").sum() * 100).alias("share")
    ).sort(_REPLIES)


def counted_tickets(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    messages: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """Return the tickets ``followups_per_ticket`` counts, with their agent
    replies in the column "replies", or None when no reply source is given.
    """
    counted, _excluded, _source = _reply_table(tickets, period, messages)
    return counted


def _reply_table(
    tickets: pl.DataFrame, period: Period, messages: pl.DataFrame | None
) -> tuple[pl.DataFrame | None, dict[str, int], str]:
    """Return the solved tickets of the period with their agent replies in
    ``_REPLIES``, the excluded counts and the reply source. The frame is
    None when there is neither a replies column nor a message log."""
    solved, excluded = solved_tickets(tickets, period)
    if messages is not None:
        counted = _replies_from_messages(solved, messages)
        return counted, excluded, _FROM_MESSAGES
    if _REPLIES not in solved.columns:
        return None, excluded, ""
    excluded["solved ticket without a reply count"] = solved[_REPLIES].null_count()
    counted = solved.filter(pl.col(_REPLIES).is_not_null())
    return counted, nonzero_counts(excluded), _FROM_COLUMN


def _replies_from_messages(
    solved: pl.DataFrame, messages: pl.DataFrame
) -> pl.DataFrame:
    """Count each solved ticket's agent messages sent up to its final solve."""
    missing = [
        name
        for name in ("ticket_id", "sent_at", "author_role")
        if name not in messages.columns
    ]
    if missing or "ticket_id" not in solved.columns:
        absent = ", ".join(missing) or "ticket_id in the tickets"
        raise MissingColumnError(
            f"the message log cannot be matched to the tickets: no {absent} "
            "column; map ticket id, sent at and author role",
            column=(missing or ["ticket_id"])[0],
        )
    replies = _role().is_in(list(AGENT_ROLES))
    # An internal note (Public "false", or Private "true") is no reply.
    if "public" in messages.columns:
        replies &= ~_flag(pl.col("public")).is_in(list(FALSE_FLAGS)).fill_null(False)
    if "private" in messages.columns:
        replies &= ~_flag(pl.col("private")).is_in(list(TRUE_FLAGS)).fill_null(False)
    agent_messages = messages.filter(replies).select(
        pl.col("ticket_id").cast(pl.String).alias(_KEY), pl.col("sent_at")
    )
    keyed = solved.drop(_REPLIES, strict=False).with_columns(
        pl.col("ticket_id").cast(pl.String).alias(_KEY)
    )
    counts = (
        keyed.select(_KEY, "solved_at")
        .join(agent_messages, on=_KEY, how="inner")
        .filter(_sent_by_solve(solved.schema["solved_at"]))
        .group_by(_KEY)
        .agg(pl.len().cast(pl.Int64).alias(_REPLIES))
    )
    joined = keyed.join(counts, on=_KEY, how="left")
    return joined.with_columns(pl.col(_REPLIES).fill_null(0)).drop(_KEY)


def _flag(column: pl.Expr) -> pl.Expr:
    return column.cast(pl.String).str.strip_chars().str.to_lowercase()


def _role() -> pl.Expr:
    return pl.col("author_role").cast(pl.String).str.strip_chars().str.to_lowercase()


def _no_agent_reason(messages: pl.DataFrame | None) -> str | None:
    """Say why a message log gives no replies when none of its authors has
    an agent role, naming the roles it has, or return None. Help Scout
    writes "user" for an agent, which Intercom writes for a customer, so
    such a role is not taken for either."""
    if messages is None or "author_role" not in messages.columns:
        return None
    roles = messages.select(_role().unique().drop_nulls())["author_role"]
    if roles.is_in(list(AGENT_ROLES)).any():
        return None
    listed = ", ".join(repr(role) for role in roles.sort().head(5).to_list())
    return (
        f"no message in the log has an agent's role (its roles: {listed or 'none'}), "
        "so no reply can be counted. Write agent in the role column of the "
        "agents' messages and upload the log again; these roles count as "
        f"agents: {', '.join(sorted(AGENT_ROLES))}"
    )


def _sent_by_solve(solved_dtype: pl.DataType) -> pl.Expr:
    """Build the filter for messages sent on or before the solve.

    A solve date without a time of day includes that whole day. A message
    without a date is not counted.
    """
    if solved_dtype == pl.Date:
        return pl.col("sent_at").cast(pl.Date) <= pl.col("solved_at")
    return pl.col("sent_at").cast(_WALL) <= pl.col("solved_at").cast(_WALL)
