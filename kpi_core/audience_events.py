"""List events from a Mailchimp audience export: the joined member files
become one row per subscribe, unsubscribe or cleaned event."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.audience_members import MEMBER_FILE
from kpi_core.email_list import audience_events_with_sources, unreadable_audience_dates
from kpi_core.formatting import count_noun, line_list
from kpi_core.import_problems import LINE
from kpi_core.raw_table import RawTable
from kpi_core.read_notes import WARNING_PREFIX


def audience_events(raw: RawTable) -> RawTable | None:
    """Turn a Mailchimp audience export (the zip of subscribed, unsubscribed
    and cleaned members) into one text row per list event, or return None
    for other files. Each event keeps the file line of its member and the
    time column that dates it, which also gives its kind."""
    columns = raw.frame.columns
    if "Email Address" not in columns or "list_status" not in columns:
        return None
    events = audience_events_with_sources(raw.frame)
    lines = raw.frame.select(
        pl.col("Email Address").alias("email"), pl.col(LINE)
    ).unique("email", keep="first")
    # The order of the events decides the order of the file columns named
    # in the report, so the join keeps it.
    long = events.join(lines, on="email", how="left", maintain_order="left").select(
        pl.col("email").alias("Email"),
        pl.col("event").alias("Event"),
        # NOTE: the dates are read here and passed on as ISO text, so the
        # report notes every time column as "dates year first (ISO)", also
        # one that a spreadsheet saved again as "15.03.2024 10:22".
        pl.col("occurred_at").cast(pl.String).alias("Occurred at"),
        pl.col(LINE),
        pl.col("source"),
    )
    sources = long.get_column("source")
    long = long.drop("source")
    cell_sources = {
        "Email": pl.repeat("Email Address", long.height, eager=True),
        "Event": sources,
        "Occurred at": sources,
    }
    note = (
        f"The Mailchimp audience of {count_noun(raw.frame.height, 'member')} was "
        f"turned into {count_noun(long.height, 'list event')} (subscribes, "
        "unsubscribes, cleaned)."
    )
    notes = [note]
    unreadable = unreadable_audience_dates(raw.frame)
    if unreadable.height:
        example = unreadable.row(0, named=True)
        notes.append(
            f"{WARNING_PREFIX}{count_noun(unreadable.height, 'time cell')} of the "
            f"audience could not be read as a date ({_member_lines(unreadable)}), "
            f"such as {example['text']!r} in {example['column']}"
            f"{_example_line(example, unreadable.height)}. Their members' "
            "events are left out or dated by LAST_CHANGED. Export the audience "
            "from Mailchimp again and upload the zip without opening its files "
            "in a spreadsheet"
        )
    info = replace(raw.info, notes=(*raw.info.notes, *notes))
    return replace(
        raw, frame=long, info=info, cells_stripped=False, cell_sources=cell_sources
    )


def _member_lines(rows: pl.DataFrame) -> str:
    """List the lines of ``rows`` per member file of the audience, as in
    "lines 2, 3 of subscribed_email_audience_export_4f2a9b.csv; line 2 of
    cleaned_email_audience_export_4f2a9b.csv"."""
    if MEMBER_FILE not in rows.columns:
        lines = rows[LINE].unique().sort()
        return f"line{'s' if lines.len() > 1 else ''} {line_list(lines)}"
    parts = []
    for (file,), group in rows.group_by(MEMBER_FILE, maintain_order=True):
        lines = group[LINE].unique().sort()
        word = "lines" if lines.len() > 1 else "line"
        parts.append(f"{word} {line_list(lines)} of {file}")
    return "; ".join(parts)


def _example_line(example: dict, cells: int) -> str:
    """Name the line of the example cell, unless it is the only cell and the
    list of lines already names it."""
    if cells == 1:
        return ""
    where = f" on line {example[LINE]}"
    if example.get(MEMBER_FILE):
        where += f" of {example[MEMBER_FILE]}"
    return where
