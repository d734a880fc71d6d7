"""Follow-ups per ticket: agent replies needed until a ticket is solved.

Input columns: the canonical tickets table (ticket_id, solved_at, status,
replies and the segment columns) and, optionally, the message log of the
ticket_messages table (ticket_id, sent_at, author_role). Each solved
ticket's replies come from the message log when the log contains the ticket
(a message of its id, from any author at any time), otherwise from the
replies column (Zendesk "Replies", Freshdesk "Agent interactions"). A
ticket with neither is left out and counted, never read as 0 replies: a log
without a ticket was exported for other tickets or another time, it does
not show that the ticket had no reply. A log that contains none of the
tickets is named in a warning, or in the reason when the tickets have no
replies column to fall back on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
_IN_LOG = "_in_log"
_WALL = pl.Datetime("us")
# Reply sources, as the result's variant names them.
_FROM_MESSAGES = "agent messages up to the solve time"
_FROM_COLUMN = "replies column"
_FROM_BOTH = (
    "agent messages up to the solve time where the message log holds the "
    "ticket, else the replies column"
)
# The column of ``counted_tickets`` that names the source of each ticket's
# replies when a message log is given, and its values.
SOURCE_COLUMN = "replies_from"
FROM_LOG = "message log"
FROM_COLUMN = "replies column"
# Left-out reasons: a solved ticket without a count in the replies column,
# and with a log, one that the log does not hold either.
NO_REPLY_COUNT = "solved ticket without a reply count"
NOT_IN_LOG = "solved ticket not in the message log and without a reply count"
# Ticket ids a message quotes as examples.
_IDS_SHOWN = 3


@dataclass(frozen=True)
class _Replies:
    """The solved tickets of a period with their agent replies in
    ``_REPLIES``, or None for ``counted`` when there is no reply source.

    With a message log, ``from_log`` and ``from_column`` count the counted
    tickets whose replies came from each source. ``holds_any`` is True when
    the log contains any ticket of the whole tickets table, not only of the
    period. Without a log it is None.
    """

    counted: pl.DataFrame | None
    excluded: dict[str, int]
    source: str
    from_log: int = 0
    from_column: int = 0
    holds_any: bool | None = None


@dataclass(frozen=True)
class _Names:
    """The names that the messages give the message log, the tickets table
    and the replies column: their stored table or file names where known."""

    log: str
    tickets: str
    column: str

    @classmethod
    def of(
        cls,
        tables: Mapping[str, str] | None,
        columns: Mapping[str, str | None] | None,
    ) -> _Names:
        log = (tables or {}).get("ticket_messages")
        tickets = (tables or {}).get("tickets")
        column = (columns or {}).get("replies")
        return cls(
            log=f"the message log {log!r}" if log else "the message log",
            tickets=f"the tickets of {tickets!r}" if tickets else "the tickets",
            column=f"column {column!r}" if column else "replies column",
        )


def followups_per_ticket(
    tickets: pl.DataFrame,
    period: Period = ALL_DATA,
    messages: pl.DataFrame | None = None,
    *,
    tables: Mapping[str, str] | None = None,
    columns: Mapping[str, str | None] | None = None,
) -> KpiResult:
    """Compute the mean number of agent replies per ticket solved in the period.

    Formula: sum of agent replies / solved tickets, a count, over the tickets
    solved in the period (ticket_id, solved_at, status, replies).

    Without a message log the replies column is used, and tickets with an
    empty count there are left out and counted. With a log, a ticket that
    the log contains (any message of its id) has its agent messages sent up to
    its solve time as replies, 0 when there is none. A ticket that the log
    does not hold takes its replies column, and one without a count there
    either is left out and counted (``NOT_IN_LOG``), never read as 0.
    ``extra`` then also has ``tickets_from_messages`` and
    ``tickets_from_column``, and the formula names both counts when both
    sources were used. A log that contains none of the table's tickets gives
    a warning naming both tables and the replies column used instead, or,
    when the tickets have no replies column, not available with that
    reason. A log that contains only some of the solved tickets of the period
    gives a warning with the count from each source.

    ``tables`` maps "tickets" and "ticket_messages" to the names of the
    stored tables or files, and ``columns`` maps "replies" to the file's
    column, which these messages then name. ``extra["share_one_reply"]`` is
    the percent of the counted tickets solved with exactly one reply. No
    reply source, or no solved ticket, as with an empty frame or tickets
    without a solve-date column, gives not available.
    """
    replies = _reply_table(tickets, period, messages)
    counted, excluded = replies.counted, replies.excluded
    names = _Names.of(tables, columns)
    if counted is None:
        reason = (
            "the tickets have no replies column and no message log was given, "
            "so agent replies cannot be counted"
        )
        return not_available("followups_per_ticket", reason, excluded=excluded)
    if replies.holds_any is False and _REPLIES not in tickets.columns:
        reason = _no_source_reason(tickets, messages, names)
        return not_available("followups_per_ticket", reason, excluded=excluded)
    # A log that contains none of the tickets gives them no reply, so its roles
    # do not matter.
    if replies.holds_any and (no_agent := _no_agent_reason(messages)):
        return not_available("followups_per_ticket", no_agent, excluded=excluded)
    if counted.is_empty():
        reason = describe_missing_solve_column(tickets, period)
        if reason is None and excluded.get(NOT_IN_LOG):
            when = "" if period.is_all else " in this period"
            reason = (
                f"{names.log} holds none of the tickets solved{when}, and they "
                "have no reply count"
            )
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
    extra: dict[str, float] = {"share_one_reply": one_reply / n * 100}
    warnings: tuple[str, ...] = ()
    if messages is not None:
        extra["tickets_from_messages"] = replies.from_log
        extra["tickets_from_column"] = replies.from_column
        if replies.from_log and replies.from_column:
            formula += (
                f" ({count_noun(replies.from_log, 'ticket')} counted from the "
                f"message log, {replies.from_column:,} from the replies column)"
            )
        warnings = _coverage_warnings(tickets, messages, period, replies, names)
    return KpiResult(
        key="followups_per_ticket",
        status="ok",
        unit="count",
        value=mean,
        numerator=total,
        denominator=n,
        n=n,
        variant=replies.source,
        formula=formula,
        excluded=excluded,
        extra=extra,
        warnings=warnings,
    )


def reply_source_problem(
    tickets: pl.DataFrame,
    messages: pl.DataFrame,
    *,
    tables: Mapping[str, str] | None = None,
    columns: Mapping[str, str | None] | None = None,
) -> str | None:
    """Say why ``followups_per_ticket`` cannot count any reply of the whole
    tickets table with the message log ``messages``, in its words, or
    return None.

    That is so when the log contains none of the tickets and the tickets
    have no replies column, or when no message of a log that contains some
    has an agent's role. A period without a solved ticket is no such
    problem, because another period may have some.
    """
    if "ticket_id" not in tickets.columns or "ticket_id" not in messages.columns:
        return None
    if not _holds_any(tickets, messages):
        if _REPLIES in tickets.columns:
            return None
        return _no_source_reason(tickets, messages, _Names.of(tables, columns))
    return _no_agent_reason(messages)


def count_reply_sources(
    tickets: pl.DataFrame, messages: pl.DataFrame
) -> tuple[int, int]:
    """Count the solved tickets of all data whose replies come from the
    message log, because it contains their id, and those that take their
    replies column, as ``followups_per_ticket`` chooses them.

    While no ticket is solved yet, every ticket of ``tickets`` is counted,
    because the open ones take their source by the same rule once solved.
    """
    solved, _excluded = solved_tickets(tickets, ALL_DATA)
    if solved.is_empty():
        solved = tickets
    log_ids = messages.select(pl.col("ticket_id").cast(pl.String).drop_nulls())
    in_log = solved["ticket_id"].cast(pl.String).is_in(log_ids.to_series().implode())
    from_log = int(in_log.sum())
    return from_log, solved.height - from_log


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
    counted = _reply_table(tickets, period, messages).counted
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
    elif result.variant == _FROM_BOTH:
        scope += (
            f" {count_noun(result.extra['tickets_from_messages'], 'ticket')} "
            f"counted from the message log, {result.extra['tickets_from_column']:,} "
            "from the replies column. A ticket in the log without an agent "
            "message counts 0 replies."
        )
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
    counted = _reply_table(tickets, period, messages).counted
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
    With a message log, ``SOURCE_COLUMN`` names where each ticket's replies
    came from: ``FROM_LOG`` or ``FROM_COLUMN``.
    """
    return _reply_table(tickets, period, messages).counted


def _reply_table(
    tickets: pl.DataFrame, period: Period, messages: pl.DataFrame | None
) -> _Replies:
    """Choose the solved tickets of the period and each one's agent replies
    by the rules of ``followups_per_ticket``."""
    solved, excluded = solved_tickets(tickets, period)
    if messages is not None:
        return _replies_with_log(tickets, solved, excluded, messages)
    if _REPLIES not in solved.columns:
        return _Replies(None, excluded, "")
    excluded[NO_REPLY_COUNT] = solved[_REPLIES].null_count()
    counted = solved.filter(pl.col(_REPLIES).is_not_null())
    return _Replies(counted, nonzero_counts(excluded), _FROM_COLUMN)


def _replies_with_log(
    tickets: pl.DataFrame,
    solved: pl.DataFrame,
    excluded: dict[str, int],
    messages: pl.DataFrame,
) -> _Replies:
    """Take each solved ticket's replies from the log when the log contains the
    ticket, else from its replies column, and leave out and count the
    tickets with neither."""
    _require_log_columns(solved, messages)
    keyed = solved.with_columns(pl.col("ticket_id").cast(pl.String).alias(_KEY))
    counts = (
        keyed.select(_KEY, "solved_at")
        .join(_agent_messages(messages), on=_KEY, how="inner")
        .filter(_sent_by_solve(solved.schema["solved_at"]))
        .group_by(_KEY)
        .agg(pl.len().cast(pl.Int64).alias("_messages"))
    )
    keyed = keyed.join(counts, on=_KEY, how="left")
    # A ticket without an agent reply up to its solve may still be in the
    # log, with a customer's message or a later reply. Those are few, so
    # the log is searched for their ids alone.
    unreplied = keyed.filter(pl.col("_messages").is_null())[_KEY].drop_nulls()
    held = messages.select(pl.col("ticket_id").cast(pl.String)).filter(
        pl.col("ticket_id").is_in(unreplied.implode())
    )
    keyed = keyed.with_columns(
        (
            pl.col("_messages").is_not_null()
            | pl.col(_KEY).is_in(held["ticket_id"].unique().implode())
        ).alias(_IN_LOG)
    )
    column = pl.col(_REPLIES) if _REPLIES in solved.columns else pl.lit(None)
    joined = keyed.with_columns(
        pl.when(pl.col(_IN_LOG))
        .then(pl.col("_messages").fill_null(0))
        .otherwise(column.cast(pl.Int64))
        .alias(_REPLIES),
        pl.when(pl.col(_IN_LOG))
        .then(pl.lit(FROM_LOG))
        .otherwise(pl.lit(FROM_COLUMN))
        .alias(SOURCE_COLUMN),
    )
    counted = joined.filter(pl.col(_REPLIES).is_not_null()).drop(
        _KEY, _IN_LOG, "_messages"
    )
    in_log = int(joined[_IN_LOG].sum())
    # Only a log without any solved ticket of the period needs the look at
    # the whole table, which takes a while on a million tickets.
    holds_any = bool(in_log) or _holds_any(tickets, messages)
    # A log that contains none of the tickets plays no part in the reason.
    reason = NOT_IN_LOG if holds_any else NO_REPLY_COUNT
    excluded[reason] = joined.height - counted.height
    from_log = int(counted[SOURCE_COLUMN].eq(FROM_LOG).sum())
    from_column = counted.height - from_log
    source = _FROM_BOTH
    if not from_column:
        source = _FROM_MESSAGES
    elif not from_log:
        source = _FROM_COLUMN
    return _Replies(
        counted,
        nonzero_counts(excluded),
        source,
        from_log=from_log,
        from_column=from_column,
        holds_any=holds_any,
    )


def _holds_any(tickets: pl.DataFrame, messages: pl.DataFrame) -> bool:
    """Tell whether the log contains any ticket id of the whole tickets table."""
    log_ids = messages.select(
        pl.col("ticket_id").cast(pl.String).drop_nulls().unique()
    ).to_series()
    ids = tickets.get_column("ticket_id").cast(pl.String)
    return bool(ids.is_in(log_ids.implode()).any())


def _require_log_columns(solved: pl.DataFrame, messages: pl.DataFrame) -> None:
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


def _agent_messages(messages: pl.DataFrame) -> pl.DataFrame:
    """Return the ticket key and send time of the log's agent replies."""
    replies = _role().is_in(list(AGENT_ROLES))
    # An internal note (Public "false", or Private "true") is no reply.
    if "public" in messages.columns:
        replies &= ~_flag(pl.col("public")).is_in(list(FALSE_FLAGS)).fill_null(False)
    if "private" in messages.columns:
        replies &= ~_flag(pl.col("private")).is_in(list(TRUE_FLAGS)).fill_null(False)
    return messages.filter(replies).select(
        pl.col("ticket_id").cast(pl.String).alias(_KEY), pl.col("sent_at")
    )


def _none_shared(
    tickets: pl.DataFrame, messages: pl.DataFrame | None, names: _Names
) -> str:
    """Say that the log contains none of the tickets, with example ids of both,
    as a clause without a capital or final period."""
    examples = []
    if log_ids := _example_ids(messages):
        examples.append(f"ticket ids in the log: {log_ids}")
    if ticket_ids := _example_ids(tickets):
        examples.append(f"in the tickets: {ticket_ids}")
    said = f" ({'; '.join(examples)})" if examples else ""
    return f"{names.log} holds none of {names.tickets}{said}"


def _no_source_reason(
    tickets: pl.DataFrame, messages: pl.DataFrame | None, names: _Names
) -> str:
    return (
        f"{_none_shared(tickets, messages, names)}, and the tickets have no "
        "replies column, so agent replies cannot be counted. Use the message "
        "log of these tickets, or map the tickets' reply-count column to "
        "replies on the Data page"
    )


def _example_ids(frame: pl.DataFrame | None) -> str:
    if frame is None or "ticket_id" not in frame.columns:
        return ""
    ids = frame.select(
        pl.col("ticket_id").cast(pl.String).drop_nulls().unique(maintain_order=True)
    ).to_series()
    shown = ", ".join(repr(value) for value in ids.head(_IDS_SHOWN).to_list())
    return f"{shown}, ..." if ids.len() > _IDS_SHOWN else shown


def _coverage_warnings(
    tickets: pl.DataFrame,
    messages: pl.DataFrame,
    period: Period,
    replies: _Replies,
    names: _Names,
) -> tuple[str, ...]:
    """Warn when the log contains none of the tickets, or only some of the
    period's solved tickets, naming where the others' replies come from."""
    if replies.holds_any is False:
        found = _none_shared(tickets, messages, names)
        return (
            f"{_capital(found)}, so the replies come from the tickets' own "
            f"{names.column}. To count them from messages, use the message log "
            "of these tickets.",
        )
    missing = replies.excluded.get(NOT_IN_LOG, 0)
    others = replies.from_column + missing
    if not others:
        return ()
    when = "" if period.is_all else " in this period"
    solved = count_noun(replies.from_log + others, "ticket")
    of_table = names.tickets.removeprefix("the tickets")
    found = (
        f"Of the {solved}{of_table} solved{when}, {names.log} holds "
        f"{replies.from_log:,}."
    )
    fates = []
    if replies.from_column:
        fates.append(
            f"the replies of {count_noun(replies.from_column, 'other ticket')} "
            f"come from the tickets' {names.column}"
        )
    if missing:
        has, are = ("has", "is") if missing == 1 else ("have", "are")
        tickets_left = count_noun(missing, "other ticket")
        if not replies.from_column:
            tickets_left = (
                "the other ticket"
                if missing == 1
                else f"the other {count_noun(missing, 'ticket')}"
            )
        fates.append(
            f"{tickets_left} {has} no reply count in the tickets either and "
            f"{are} left out"
        )
    return (f"{found} {_capital('; '.join(fates))}.",)


def _capital(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


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
