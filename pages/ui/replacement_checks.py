"""What replacing a stored table with an upload would change: the ids it
adds, changes and leaves out, and the rows and fields it would lose."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core.prepare import PreparedTable
from kpi_core.table_versions import IdChanges, describe_id_changes, id_changes
from kpi_core.workspace import (
    TableEntry,
    count_missing_ids,
    emptied_fields,
    replacement_losses,
)
from pages.ui.markdown_escape import escape_markdown
from pages.ui.workspace_access import load_entry


def warn_losses(
    replaced: TableEntry | None, prepared: PreparedTable, key: str, what: str
) -> None:
    """Say what storing ``prepared`` in place of ``replaced`` changes by id,
    and warn when it loses rows or columns. ``what`` names the data in the
    advice to store it as a new table, such as "the file" or "the deals"."""
    if replaced is None:
        return
    changes = _id_changes(replaced, prepared, key)
    if changes is not None:
        st.info(escape_markdown(describe_id_changes(changes, replaced.name)))
    losses = replacement_losses(
        replaced,
        prepared.rows_used,
        prepared.mapping.columns,
        missing_ids(replaced, prepared, key),
        upload_emptied_fields(replaced, prepared),
    )
    if losses:
        st.warning(
            escape_markdown(
                f"Replacing '{replaced.name}' loses {' and '.join(losses)}. The "
                f"replaced table is not kept; store {what} as a new table to "
                "keep both."
            )
        )


def upload_emptied_fields(
    entry: TableEntry | None, prepared: PreparedTable
) -> dict[str, int]:
    """Return the fields that the stored table ``entry`` has values for and
    ``prepared`` leaves empty in far more rows (``emptied_fields``)."""
    if entry is None:
        return {}
    return emptied_fields(
        prepared.frame, prepared.mapping.columns, load_entry(entry), entry.mapping
    )


def missing_ids(entry: TableEntry | None, prepared: PreparedTable, key: str) -> int:
    """Count the rows of the stored table ``entry`` whose id ``prepared``,
    parsed from the upload with content key ``key``, lacks. Returns 0
    without an entry or an id column in both."""
    if entry is None:
        return 0
    choices = repr((sorted(prepared.mapping.columns.items()), prepared.date_orders))
    return _count_missing_ids(
        entry.cache_key, key, choices, prepared.table, load_entry(entry), prepared.frame
    )


@st.cache_resource(max_entries=32)
def _count_missing_ids(
    entry_key: str,
    upload_key: str,
    choices: str,
    table_type: str,
    _stored: pl.DataFrame,
    _new: pl.DataFrame,
) -> int:
    """Compare the ids once per stored version, upload and mapping, not on
    every rerun of the Data page: a million ids took about 0.5 s."""
    del entry_key, upload_key, choices
    return count_missing_ids(_stored, _new, table_type)


def _id_changes(
    entry: TableEntry, prepared: PreparedTable, key: str
) -> IdChanges | None:
    choices = repr((sorted(prepared.mapping.columns.items()), prepared.date_orders))
    return _cached_id_changes(
        entry.cache_key, key, choices, prepared.table, load_entry(entry), prepared.frame
    )


@st.cache_resource(max_entries=32)
def _cached_id_changes(
    entry_key: str,
    upload_key: str,
    choices: str,
    table_type: str,
    _stored: pl.DataFrame,
    _new: pl.DataFrame,
) -> IdChanges | None:
    """Compare the rows by id once per stored version, upload and mapping,
    not on every rerun of the Data page: a million tickets with four
    compared columns took about 2.5 s on a 2-core machine."""
    del entry_key, upload_key, choices
    return id_changes(_stored, _new, table_type)
