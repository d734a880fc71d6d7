"""The stored table that an upload is a new version of, found by its content
when its file name differs. Such an upload is a spend file that repeats the
rows of a stored spend table, or a Mailchimp audience export whose audience
is stored."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from kpi_core.formatting import count_noun
from kpi_core.importing import FilePreview, export_audience
from kpi_core.prepare import PreparedTable
from kpi_core.spend_tables import SpendMatch, matching_spend_table
from kpi_core.workspace import TableEntry, stored_from_audience
from pages.ui.workspace_access import entries_key, load_entry


@dataclass(frozen=True)
class StoredMatch:
    """A stored table that an upload is a new version of, and the sentences
    that explain why, with the table's name in them. The upload replaces the
    table by default unless ``replaces`` is False, for a spend file that
    repeats part of the table but lacks some of its rows (``lacks_rows``)
    or has other amounts."""

    entry: TableEntry
    reason: str
    replaces: bool = True
    lacks_rows: bool = False


def stored_match(
    entries: list[TableEntry],
    prepared: PreparedTable,
    preview: FilePreview,
    key: str,
) -> StoredMatch | None:
    """Find the table among ``entries`` (of the upload's table type) that the
    upload with content key ``key`` is a new version of by its content."""
    if prepared.table == "spend":
        return _spend_match(entries, prepared, key)
    audience = export_audience(preview)
    entry = stored_from_audience(entries, audience)
    if entry is None:
        return None
    return StoredMatch(
        entry,
        f"The Mailchimp audience {audience} is already stored as {entry.name!r} "
        f"{stored_summary(entry)}.",
    )


def stored_summary(entry: TableEntry) -> str:
    """Return "(3 rows, imported 2026-12-05 10:31 UTC)" for ``entry``."""
    imported = entry.uploaded_at[:16].replace("T", " ")
    return f"({count_noun(entry.rows, 'row')}, imported {imported} UTC)"


def _spend_match(
    entries: list[TableEntry], prepared: PreparedTable, key: str
) -> StoredMatch | None:
    # The next import deletes the sample tables anyway.
    candidates = [entry for entry in entries if not entry.is_sample]
    if not candidates:
        return None
    choices = repr((sorted(prepared.mapping.columns.items()), prepared.date_orders))
    frames = {entry.id: load_entry(entry) for entry in candidates}
    found = _cached_spend_match(
        entries_key(*candidates), key, choices, prepared.frame, frames
    )
    if found is None:
        return None
    entry = next(entry for entry in candidates if entry.id == found.table)
    return StoredMatch(
        entry, found.describe(entry.name), found.replaces_table, found.lacks_rows
    )


@st.cache_resource(max_entries=32)
def _cached_spend_match(
    entries_key: str,
    upload_key: str,
    choices: str,
    _new: pl.DataFrame,
    _stored: dict[str, pl.DataFrame],
) -> SpendMatch | None:
    """Compare the upload with the stored spend tables once per version of
    those tables, upload and mapping, not on every rerun of the Data page."""
    del entries_key, upload_key, choices
    return matching_spend_table(_new, _stored)
