"""List events from an ActiveCampaign contacts export, which gives each
contact's status and two dates instead of an event log."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from kpi_core.cell_text import NULL_MARKERS
from kpi_core.column_kinds import number_columns
from kpi_core.date_values import detect_date_format, parse_dates
from kpi_core.errors import EmptyDataError, InvalidValueError
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.mapping import detect_table, guess_mapping
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import SOURCE, WARNING_PREFIX

# Headers of an ActiveCampaign contacts export, lower-cased, and the
# statuses it gives a contact.
CONTACT_EMAIL = ("email", "email address")


_CONTACT_CREATED = ("date created", "created date", "created")
_CONTACT_UPDATED = ("date updated", "updated date", "last updated")
_CONTACT_STATUS = ("status", "list status", "contact status")
_CONTACT_EVENTS = {"unsubscribed": "unsubscribe", "bounced": "cleaned"}
_JOINED = ("active", "unsubscribed", "bounced")
_UNCONFIRMED = "unconfirmed"
_AC_STATUSES = (*_JOINED, _UNCONFIRMED)
# A file with a "Date Updated" column is read as contacts when at least this
# percentage of its filled statuses are ActiveCampaign statuses, so that a few
# mistyped statuses such as "Un-subscribed" do not make it another table.
_CONTACT_STATUS_PERCENT = 80
# Contacts left out for an empty "Date Created" or another status get a
# warning instead of a sentence in the note from this percentage of the
# file's contacts.
_LEFT_OUT_WARNING_PERCENT = 10
_EXAMPLE_STATUSES = 3


@dataclass(frozen=True)
class _ContactColumns:
    email: str
    created: str
    updated: str | None
    status: str


def contact_events(raw: RawTable) -> RawTable | None:
    """Turn an ActiveCampaign contacts export into one text row per list
    event, or return None for other files.

    The export has no event log, only each contact's status (Active,
    Unconfirmed, Unsubscribed or Bounced) and two dates. Every contact but
    the unconfirmed ones subscribed at "Date Created". An unsubscribed or
    bounced contact left at "Date Updated", the contact's last change,
    because the export has no closer date, or at "Date Created" when
    "Date Updated" is earlier. Contacts with another status, no status or
    no "Date Created" are left out. The date cells stay text, so they are
    parsed and checked like any other.

    Raises EmptyDataError when no contact joined the list.
    """
    columns = _contact_columns(raw)
    if columns is None:
        return None
    statuses = raw.frame[columns.status].str.strip_chars().str.to_lowercase()
    statuses = statuses.set(statuses == "", None)
    if not _reads_as_contacts(raw, statuses, columns.updated):
        if _has_contact_only_status(statuses) and not complete_other_table(raw):
            raise InvalidValueError(
                _unknown_statuses_message(raw, columns, statuses),
                file=raw.info.file,
                column=columns.status,
            )
        return None
    no_created = (
        raw.frame[columns.created]
        .str.strip_chars()
        .fill_null("")
        .is_in(NULL_MARKERS)
        .alias("_no_created")
    )
    frame = raw.frame.with_columns(statuses.alias("_status"), no_created)
    joined = frame.filter(pl.col("_status").is_in(_JOINED) & ~pl.col("_no_created"))
    joins = joined.select(
        pl.col(columns.email).alias("Email"),
        pl.lit("subscribe").alias("Event"),
        pl.col(columns.created).alias("Occurred at"),
        pl.col(LINE),
        pl.lit(columns.created).alias(SOURCE),
    )
    removals, early = _removal_rows(joined, joins["Occurred at"], columns)
    other, other_examples = _other_statuses(raw.frame[columns.status], statuses)
    counts = _LeftOut(
        total=raw.frame.height,
        unconfirmed=int((statuses == _UNCONFIRMED).sum()),
        without_status=statuses.null_count(),
        no_created=int(
            frame.filter(pl.col("_status").is_in(_JOINED))["_no_created"].sum()
        ),
        other=other,
        other_examples=other_examples,
    )
    if joins.height == 0:
        raise EmptyDataError(
            _no_joins_message(counts, columns.created),
            file=raw.info.file,
            column=columns.status,
        )
    long = pl.concat([joins, removals])
    # The status gives each event's kind, and "Date Created" or "Date
    # Updated" its date.
    cell_sources = {
        "Email": pl.repeat(columns.email, long.height, eager=True),
        "Event": pl.repeat(columns.status, long.height, eager=True),
        "Occurred at": long.get_column(SOURCE),
    }
    long = long.drop(SOURCE)
    notes = _contact_notes(columns, counts, long.height, early)
    if not columns.updated and removals.height:
        notes.append(
            f"{WARNING_PREFIX}the file has no 'Date Updated' column, so "
            f"{count_noun(removals.height, 'unsubscribed or bounced contact')} "
            "cannot be dated. The list growth leaves them out and reads too "
            "high; export the contacts again with 'Date Updated'."
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(raw, frame=long, info=info, cell_sources=cell_sources)


def _removal_rows(
    joined: pl.DataFrame, join_dates: pl.Series, columns: _ContactColumns
) -> tuple[pl.DataFrame, int]:
    """Return an unsubscribe or cleaned event for each unsubscribed or bounced
    contact of ``joined``, and how many of them are dated on the creation
    day because their "Date Updated" is earlier. The ``SOURCE`` column
    names the column of each event's date, or is null without a date."""
    leaving = joined.filter(pl.col("_status").is_in(list(_CONTACT_EVENTS)))
    early = pl.Series("_early", [False] * leaving.height, dtype=pl.Boolean)
    left_at = pl.lit(None, dtype=pl.String)
    left_from = pl.lit(None, dtype=pl.String)
    if columns.updated:
        dates = pl.concat([join_dates, leaving[columns.updated]])
        early = _removals_before_creation(
            leaving[columns.created], leaving[columns.updated], dates
        )
        left_at = (
            pl.when(pl.col("_early"))
            .then(pl.col(columns.created))
            .otherwise(pl.col(columns.updated))
        )
        left_from = (
            pl.when(pl.col("_early"))
            .then(pl.lit(columns.created))
            .otherwise(pl.lit(columns.updated))
        )
    removals = leaving.with_columns(early).select(
        pl.col(columns.email).alias("Email"),
        pl.col("_status").replace_strict(_CONTACT_EVENTS).alias("Event"),
        left_at.alias("Occurred at"),
        pl.col(LINE),
        left_from.alias(SOURCE),
    )
    return removals, int(early.sum())


def _contact_columns(raw: RawTable) -> _ContactColumns | None:
    """Find the columns of a contacts export by name, or return None when the
    email, creation date or status is missing."""
    by_name = {name.strip().lower(): name for name in raw.frame.columns if name != LINE}

    def find(names: tuple[str, ...]) -> str | None:
        return next((by_name[name] for name in names if name in by_name), None)

    email, created, status = (
        find(CONTACT_EMAIL),
        find(_CONTACT_CREATED),
        find(_CONTACT_STATUS),
    )
    if email is None or created is None or status is None:
        return None
    return _ContactColumns(email, created, find(_CONTACT_UPDATED), status)


def _reads_as_contacts(raw: RawTable, statuses: pl.Series, updated: str | None) -> bool:
    """Tell whether a file with the contacts columns is a contacts export.

    ``statuses`` are trimmed, lower case and null when empty. With a "Date
    Updated" column, ``_CONTACT_STATUS_PERCENT`` % of ActiveCampaign
    statuses make a contacts export. This is true even when the columns
    would also complete another table (an export with "Total Revenue" is no
    orders table), as long as a status only a contact has (unsubscribed,
    bounced, unconfirmed) shows it: a customer list whose statuses all read
    "Active" is that table, also with "Last Updated". Without the column,
    every status must be an ActiveCampaign one, or that share of them with
    a contact-only status among them, and a complete other table wins.
    """
    filled = statuses.drop_nulls()
    if filled.len() == 0:
        return False
    known = int(filled.is_in(_AC_STATUSES).sum())
    mostly_known = known * 100 >= _CONTACT_STATUS_PERCENT * filled.len()
    contact_only = _has_contact_only_status(statuses)
    if updated is not None and mostly_known:
        return contact_only or not complete_other_table(raw)
    if known < filled.len() and not (contact_only and mostly_known):
        return False
    return not complete_other_table(raw)


def _has_contact_only_status(statuses: pl.Series) -> bool:
    """Tell whether any of the trimmed, lower-case ``statuses`` is one that
    only a contact has: unsubscribed, bounced or unconfirmed."""
    return bool(statuses.is_in([*_CONTACT_EVENTS, _UNCONFIRMED]).any())


def _unknown_statuses_message(
    raw: RawTable, columns: _ContactColumns, statuses: pl.Series
) -> str:
    """Explain why a file that looks like a contacts export is not read as
    one: too many of its statuses are not ActiveCampaign statuses."""
    unknown = (statuses.is_not_null() & ~statuses.is_in(_AC_STATUSES)).fill_null(False)
    counts = (
        raw.frame[columns.status]
        .filter(unknown)
        .str.strip_chars()
        .to_frame("status")
        .group_by("status", maintain_order=True)
        .len()
        .sort("len", descending=True, maintain_order=True)
    )
    listed = ", ".join(
        f"{status!r} ({rows:,})"
        for status, rows in counts.head(_EXAMPLE_STATUSES).iter_rows()
    )
    if counts.height > _EXAMPLE_STATUSES:
        listed += f" and {counts.height - _EXAMPLE_STATUSES} more"
    lines = line_list(raw.frame[LINE].filter(unknown))
    return (
        f"the file looks like an ActiveCampaign contacts export (columns "
        f"{columns.email!r}, {columns.created!r} and {columns.status!r}, with "
        "unsubscribed, bounced or unconfirmed contacts), but "
        f"{unknown.sum():,} of {statuses.drop_nulls().len():,} statuses are "
        f"not Active, Unconfirmed, Unsubscribed or Bounced: {listed}, on lines "
        f"{lines}. Correct those statuses in the file, or pick the table type "
        "and columns on the Data page of the app"
    )


def _removals_before_creation(
    created: pl.Series, updated: pl.Series, dates: pl.Series
) -> pl.Series:
    """Mark the removals whose ``updated`` date is before ``created``.

    ``dates`` are all the cells of the event date column, which decide the
    date format as they will when the events are parsed. When that format
    is ambiguous, a removal is marked only if it is early in both the
    day-first and the month-first reading. Dates that do not parse are
    never marked.
    """
    order = detect_date_format(dates).order
    # NOTE: the date order the user picks later is not known here, so a
    # removal that is early in one order only keeps its "Date Updated".
    orders = ("dmy", "mdy") if order == "ambiguous" else (order,)
    early = pl.Series("_early", [True] * created.len(), dtype=pl.Boolean)
    for date_order in orders:
        before = parse_dates(updated, date_order) < parse_dates(created, date_order)
        early = early & before.fill_null(False)
    return early.alias("_early")


@dataclass(frozen=True)
class _LeftOut:
    """Counts of a contacts export's contacts and of those left out, per
    reason. ``other_examples`` are up to ``_EXAMPLE_STATUSES`` of the other
    statuses, as written in the file."""

    total: int
    unconfirmed: int
    without_status: int
    no_created: int
    other: int
    other_examples: tuple[str, ...]

    def is_many(self, count: int) -> bool:
        """Tell whether ``count`` contacts left out call for a warning."""
        return count * 100 >= _LEFT_OUT_WARNING_PERCENT * self.total


def _other_statuses(
    cells: pl.Series, statuses: pl.Series
) -> tuple[int, tuple[str, ...]]:
    """Count the filled statuses that are not ActiveCampaign statuses and
    return the first few distinct ones as written in the file."""
    other = statuses.is_not_null() & ~statuses.is_in(_AC_STATUSES)
    values = cells.filter(other).str.strip_chars().unique(maintain_order=True)
    return int(other.sum()), tuple(values.head(_EXAMPLE_STATUSES).to_list())


def _is_are(count: int) -> str:
    return "is" if count == 1 else "are"


def _conversion_sentence(columns: _ContactColumns, contacts: int, events: int) -> str:
    sentence = (
        f"The ActiveCampaign contacts export of "
        f"{count_noun(contacts, 'contact')} was turned into "
        f"{count_noun(events, 'list event')}: a subscribe at {columns.created!r} "
        "for each active, unsubscribed or bounced contact"
    )
    if columns.updated:
        sentence += (
            f", and an unsubscribe or cleaned event at {columns.updated!r}, the "
            "contact's last change, which can be later than the day it left"
        )
    return sentence


def _contact_notes(
    columns: _ContactColumns, counts: _LeftOut, events: int, early: int
) -> list[str]:
    """Describe how a contacts export became list events: one note for the
    caption, and warnings when many contacts are left out."""
    sentences = [_conversion_sentence(columns, counts.total, events)]
    warnings = []
    if early:
        sentences.append(
            f"{count_noun(early, 'contact')} with {columns.updated!r} before "
            f"{columns.created!r} {_is_are(early)} removed on the creation day"
        )
    if counts.unconfirmed:
        sentences.append(
            f"{count_noun(counts.unconfirmed, 'unconfirmed contact')} never "
            f"joined the list and {_is_are(counts.unconfirmed)} left out"
        )
    if counts.other:
        examples = ", ".join(repr(value) for value in counts.other_examples)
        sentence = (
            f"{count_noun(counts.other, 'contact')} with a status other than "
            f"Active, Unconfirmed, Unsubscribed or Bounced ({examples}) "
            f"{_is_are(counts.other)} left out"
        )
        if counts.is_many(counts.other):
            warnings.append(
                f"{WARNING_PREFIX}{sentence}. Correct their status in the file "
                "if they joined the list."
            )
        else:
            sentences.append(sentence)
    if counts.no_created:
        sentence = (
            f"{count_noun(counts.no_created, 'contact')} without a "
            f"{columns.created!r} {_is_are(counts.no_created)} left out, because "
            "the day they joined is unknown"
        )
        if counts.is_many(counts.no_created):
            warnings.append(
                f"{WARNING_PREFIX}{sentence}. Fill in {columns.created!r} or "
                "export the contacts again."
            )
        else:
            sentences.append(sentence)
    if counts.without_status:
        sentences.append(
            f"{count_noun(counts.without_status, 'contact')} without a status "
            f"{_is_are(counts.without_status)} left out, because the status "
            "tells whether a contact joined"
        )
    return [". ".join(sentences) + ".", *warnings]


def _no_joins_message(counts: _LeftOut, created: str) -> str:
    """Explain why no contact of a contacts export gives a list event."""
    reasons = [
        f"{counts.unconfirmed:,} unconfirmed" if counts.unconfirmed else "",
        f"{counts.without_status:,} without a status" if counts.without_status else "",
        f"{counts.other:,} with another status" if counts.other else "",
        f"{counts.no_created:,} without a {created!r}" if counts.no_created else "",
    ]
    return (
        f"none of the {count_noun(counts.total, 'contact')} joined the list "
        f"({', '.join(reason for reason in reasons if reason)}), so there are no "
        "list events. The list growth needs contacts with the status Active, "
        f"Unsubscribed or Bounced and a {created!r}"
    )


def complete_other_table(raw: RawTable) -> bool:
    """Tell whether the file's columns give every required column of a
    table type other than email events."""
    headers = [name for name in raw.frame.columns if name != LINE]
    numbers = number_columns(raw.frame, headers)
    detected, _scores = detect_table(headers, numbers)
    if detected in (None, "email_events"):
        return False
    mapping = guess_mapping(headers, detected, (), numbers)
    return not mapping.missing_required
