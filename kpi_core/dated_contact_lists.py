"""List events from a list of contacts with the day each joined and, where
they left, the day they left, as newsletter tools and spreadsheets export it."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.contact_exports import CONTACT_EMAIL, complete_other_table
from kpi_core.date_values import detect_and_parse_dates
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import SOURCE, WARNING_PREFIX

# Headers of a list of contacts with the day each joined and left, as
# newsletter tools and spreadsheets name them (lower case).
_LIST_EMAIL = (*CONTACT_EMAIL, "e-mail", "e-mail-adresse", "e-mail adresse")
_LIST_JOINED = (
    "anmeldedatum", "angemeldet am", "eingetragen am", "eintragedatum",
    "opt-in", "opt-in date", "optin date", "opt-in-datum", "doi-datum",
    "subscribed at", "subscribed on", "subscription date", "subscribe date",
)  # fmt: skip
_LIST_LEFT = (
    "abmeldedatum", "abgemeldet am", "ausgetragen am", "austragedatum",
    "opt-out", "opt-out date", "opt-out-datum", "unsubscribed at",
    "unsubscribed on", "unsubscribe date",
)  # fmt: skip


def dated_list_events(raw: RawTable) -> RawTable | None:
    """Turn a list of contacts with the day each joined and, where they
    left, the day they left (``_LIST_JOINED``, ``_LIST_LEFT``) into one text
    row per list event, or return None for other files.

    A contact subscribes on its joined day and unsubscribes on its left
    day, unless that day comes before the joined one, which is named in a
    warning. A file with an event column is an event log, and a file whose
    columns complete another table (orders with a customer's email and
    opt-in day) is that table, so both are left as they are. The date cells
    stay text, so they are parsed and checked like any other.
    """
    by_name = {name.strip().lower(): name for name in raw.frame.columns if name != LINE}

    def find(names: tuple[str, ...]) -> str | None:
        return next((by_name[name] for name in names if name in by_name), None)

    email, joined, left = find(_LIST_EMAIL), find(_LIST_JOINED), find(_LIST_LEFT)
    event_headers = {"event", "event type", "action", "ereignis", "aktion"}
    if email is None or joined is None or event_headers & set(by_name):
        return None
    if complete_other_table(raw):
        return None
    filled = pl.col(joined).str.strip_chars().fill_null("") != ""
    joins = raw.frame.filter(filled).select(
        pl.col(email).alias("Email"),
        pl.lit("subscribe").alias("Event"),
        pl.col(joined).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(joined).alias(SOURCE),
    )
    removals, notes = joins.clear(), []
    if left is not None:
        removals, notes = _leaving_rows(raw.frame, email, joined, left)
    if joins.height == 0:
        return None
    long = pl.concat([joins, removals]).sort(LINE, maintain_order=True)
    # Each event's day, and so its kind, comes from the joined or the left
    # column, and its address from the address column.
    sources = long.get_column(SOURCE)
    long = long.drop(SOURCE)
    cell_sources = {
        "Email": pl.repeat(email, long.height, eager=True),
        "Event": sources,
        "Occurred at": sources,
    }
    how = f"a subscribe on {joined!r}"
    if left is not None:
        how += f" and an unsubscribe on {left!r} where it is filled"
    notes.insert(
        0,
        f"The list of {count_noun(raw.frame.height, 'contact')} was turned into "
        f"{count_noun(long.height, 'list event')}: {how}.",
    )
    undated = raw.frame.height - joins.height
    if undated:
        verb = "is" if undated == 1 else "are"
        notes.append(
            f"{WARNING_PREFIX}{count_noun(undated, 'contact')} without a date in "
            f"{joined!r} cannot be placed on the list and {verb} left out of its "
            "subscribes."
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(raw, frame=long, info=info, cell_sources=cell_sources)


def _leaving_rows(
    frame: pl.DataFrame, email: str, joined: str, left: str
) -> tuple[pl.DataFrame, list[str]]:
    """Return an unsubscribe for each contact with a ``left`` day, except
    those who left before they joined, and the warning that names those.
    Each unsubscribe names ``left`` in the ``SOURCE`` column."""
    leaving = pl.col(left).str.strip_chars().fill_null("") != ""
    notes = []
    early = _left_before_joined(frame, joined, left)
    if early.len():
        one = early.len() == 1
        has, its, lines = ("has", "its", "line") if one else ("have", "their", "lines")
        notes.append(
            f"{WARNING_PREFIX}{count_noun(early.len(), 'contact')} {has} an "
            f"{left!r} before {its} {joined!r} ({lines} {line_list(early)}). "
            f"{its.capitalize()} leaving is left out of the list growth; "
            "correct the dates in the file."
        )
        leaving = leaving & ~pl.col(LINE).is_in(early.implode())
    removals = frame.filter(leaving).select(
        pl.col(email).alias("Email"),
        pl.lit("unsubscribe").alias("Event"),
        pl.col(left).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(left).alias(SOURCE),
    )
    return removals, notes


def _left_before_joined(frame: pl.DataFrame, joined: str, left: str) -> pl.Series:
    """Return the file lines whose ``left`` day comes before their ``joined``
    day, or none when either column's dates cannot be read in one order."""
    days = []
    for column in (joined, left):
        found, parsed = detect_and_parse_dates(frame[column])
        if found.order not in ("iso", "dmy", "mdy"):
            return pl.Series(LINE, [], dtype=pl.Int64)
        days.append(parsed.cast(pl.Date))
    early = (days[1] < days[0]).fill_null(False)
    return frame[LINE].filter(early)
