"""The outcome of an import on the Data page, and what the import stored.

After an import the upload stays in the uploader, so the page draws it
again with its Store box at the table just stored. While nothing has
changed since, the page reports that the file is stored instead of
offering the same import as its next step.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from kpi_core.prepare import PreparedTable
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.stored_matches import stored_summary

# The choices an import stored a file with: for the file's table and for
# the paired table, the table type, the column mapping, the date orders and
# the code chosen in the currency box (None when no box was shown).
ImportChoices = tuple[object, ...]


@dataclass(frozen=True)
class ImportResult:
    """The outcome of an import, kept for the rerun that follows it to show.
    ``paired_error`` is the error of a paired table that failed to store,
    and ``links`` are the (page, label) pairs of the KPI pages to link."""

    message: str
    paired_error: str | None
    samples_removed: bool
    links: tuple[tuple[str, str], ...]


def show_import_result(result: ImportResult | None) -> None:
    if result is None:
        return
    st.success(result.message)
    if result.paired_error is not None:
        st.error(result.paired_error)
    if result.samples_removed:
        # Demo rows mixed into the user's figures would falsify them.
        st.info(
            "The sample data was removed now that you imported your own. "
            "'Load the sample data' below brings it back."
        )
    for page, link_label in result.links:
        st.page_link(page, label=link_label)


@dataclass(frozen=True)
class StoredUpload:
    """The tables that the last import of one upload in this session stored.
    ``table_id`` is the table of the file's own type, ``versions`` contains
    the version each stored table got, by id, and ``choices`` are the
    choices (``import_choices``) the tables were stored with."""

    table_id: str
    versions: dict[str, int]
    choices: ImportChoices


def import_choices(
    prepared: PreparedTable,
    currency: str | None,
    paired: PreparedTable | None = None,
    paired_currency: str | None = None,
) -> ImportChoices:
    """Return the choices an import stores ``prepared`` and the ``paired``
    table of the same upload with. ``currency`` and ``paired_currency`` are
    the codes chosen for amounts that name no currency, or None. Two imports
    of one upload with equal choices parse the same rows."""
    choices: list[object] = []
    for table, code in ((prepared, currency), (paired, paired_currency)):
        if table is None:
            choices.append(None)
            continue
        choices.append(
            (
                table.table,
                tuple(sorted(table.mapping.columns.items())),
                tuple(sorted(table.date_orders.items())),
                code,
            )
        )
    return tuple(choices)


def unchanged_import(
    stored: StoredUpload | None,
    choices: ImportChoices,
    target: str,
    name: str,
    entries: list[TableEntry],
) -> list[TableEntry]:
    """Return the tables that ``stored`` describes, the file's own table
    first, when importing the upload again would only parse the same rows
    into the same tables. That is the case while the Store box (``target``)
    is at that table, the table would keep its ``name``, the choices equal
    those of the import, and no session replaced or deleted a stored table
    since. Otherwise return an empty list."""
    if stored is None or stored.choices != choices or target != stored.table_id:
        return []
    current = {entry.id: entry for entry in entries}
    for table_id, version in stored.versions.items():
        entry = current.get(table_id)
        if entry is None or entry.version != version:
            return []
    if current[stored.table_id].name != name:
        return []
    others = [table_id for table_id in stored.versions if table_id != stored.table_id]
    return [current[stored.table_id], *(current[table_id] for table_id in others)]


def stored_note(entries: list[TableEntry]) -> str:
    """Say that the upload is stored as ``entries`` (see ``unchanged_import``)
    and how to store a second copy, in Markdown."""
    tables = " and ".join(
        f"{escape_markdown(repr(entry.name))} {stored_summary(entry)}"
        for entry in entries
    )
    return (
        f"This file is now stored as {tables}, so there is nothing new to "
        "import. To keep a second copy, choose 'Store as a new table' under Store."
    )
