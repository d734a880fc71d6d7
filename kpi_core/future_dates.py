"""Dates of events that cannot lie after the day of the import.

An export records an event only once it has happened: a ticket's creation
and solve, a message, a survey response, an order or an email list event.
The same holds for a stage entry or exit, a deal's creation, first contact
and loss, and a day of spend. Such a date after today is a typing error,
such as 2030 for 2026, and one of them can swamp a mean (a ticket solved
four years on). The import names these cells and reads them as empty, unless the field's
unreadable cells leave their rows out (``cell_text.ROW_FIELDS``).

Other dates may lie ahead and are kept: an open deal's close date is the
expected one (a won or lost deal's is checked in
``deal_outcomes.future_close_dates``), a subscription may start on a later
day, end or be canceled at the end of its paid period and run a trial to a
later day, and a reporting window may end after the day the report was run.

A value counts as after today only from midnight after the day after
today, so a date of tomorrow is kept. The export may be written in a time
zone up to 14 hours ahead of UTC, where the calendar can show the next day
already, and times with a zone are compared in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import polars as pl

# The fields, per table type, that record an event once it has happened.
PAST_EVENT_FIELDS = {
    "deals": ("created_at", "first_contact_at", "lost_at"),
    "stage_history": ("entered_at", "exited_at"),
    "tickets": ("created_at", "solved_at", "closed_at"),
    "ticket_messages": ("sent_at",),
    "nps": ("responded_at",),
    "orders": ("ordered_at",),
    "spend": ("spent_at", "period_start"),
    "email_events": ("occurred_at",),
}
FUTURE_DATE = "a date after today"
FUTURE_CLOSE = "a close date after today on a won or lost deal"


def first_future_time(today: date) -> datetime:
    """Return the earliest time that counts as after ``today``: midnight
    at the end of the day after it."""
    return datetime.combine(today + timedelta(days=2), time.min)


def future_advice(today: date) -> str:
    return f"check the date; it lies after today's date, {today.isoformat()}"


def find_future_dates(
    table: str, field_name: str, parsed: pl.Series, today: date
) -> pl.Series | None:
    """Return True for the parsed dates of a field of ``PAST_EVENT_FIELDS``
    that lie after ``today``, or None for any other field."""
    if field_name not in PAST_EVENT_FIELDS.get(table, ()):
        return None
    return (parsed >= first_future_time(today)).fill_null(False)


def keeps_future_rows(table: str, field_name: str, mapped: set[str]) -> bool:
    """Tell whether a ticket whose solve date is read as empty keeps its
    row although the field's unreadable cells leave theirs out.

    A ticket without a solve date is open unless its status marks it solved or
    closed, so only with a mapped status can the time to resolution leave
    such a ticket out and count it as solved without a solve date. Without
    a status it would count as open, so its row is left out instead.
    """
    return table == "tickets" and field_name == "solved_at" and "status" in mapped
