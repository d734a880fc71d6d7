"""The Data page's list of stored tables, with renaming, deleting after a
confirmation, and loading the sample data."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core.errors import InputError
from kpi_core.schema import TABLES
from kpi_core.workspace import clean_table_name, name_notes
from pages.ui.goal_tables import delete_table_keeping_goals, goals_delete_note
from pages.ui.markdown_escape import escape_markdown
from pages.ui.workspace_access import load_sample_data, workspace

# Session key of the table id whose deletion waits for confirmation.
_DELETE_PENDING = "stored:delete_pending"
# Session key of the label of the table just deleted, confirmed once.
_DELETED = "stored:deleted"


def render_stored_tables() -> None:
    store = workspace()
    entries = store.list_tables()
    st.header("Stored tables")
    deleted = st.session_state.pop(_DELETED, None)
    if deleted:
        st.success(f"Deleted {escape_markdown(deleted)}.")
    if not entries:
        st.info("Nothing stored yet. Upload a file above.")
        if st.button("Load the sample data", key="stored:samples"):
            load_sample_data(store)
            st.rerun()
        return
    st.dataframe(
        pl.DataFrame(
            {
                "Name": [e.name for e in entries],
                "Type": [TABLES[e.table_type].label for e in entries],
                "Source file": [clean_table_name(e.source_file) for e in entries],
                "Rows": [e.rows for e in entries],
                "Imported (UTC)": [e.uploaded_at for e in entries],
                "Version": [e.version for e in entries],
            }
        ),
        hide_index=True,
    )
    notes = name_notes(entries)
    labels = {
        e.id: f"{e.name} ({TABLES[e.table_type].label}"
        + (f", {notes[e.id]})" if e.id in notes else ")")
        for e in entries
    }
    chosen = st.selectbox(
        "Table", list(labels), format_func=labels.__getitem__, key="stored:table"
    )
    left, right = st.columns([3, 1])
    new_name = left.text_input("New name", key="stored:name")
    if left.button("Rename", key="stored:rename"):
        try:
            store.rename(chosen, new_name)
        except InputError as error:
            st.error(escape_markdown(str(error)[:1].upper() + str(error)[1:]))
        else:
            st.rerun()
    if right.button("Delete", key="stored:delete"):
        st.session_state[_DELETE_PENDING] = chosen
    if st.session_state.get(_DELETE_PENDING) == chosen:
        entry = next(e for e in entries if e.id == chosen)
        _confirm_delete(chosen, labels[chosen], goals_delete_note(entry))
    else:
        # A confirmation asked for another table is dropped when the choice moves.
        st.session_state.pop(_DELETE_PENDING, None)
    if not any(e.is_sample for e in entries) and st.button(
        "Load the sample data", key="stored:samples"
    ):
        load_sample_data(store)
        st.rerun()


def _confirm_delete(table_id: str, label: str, goals_note: str) -> None:
    """Delete a stored table only after a second, explicit click.
    ``goals_note`` names the goals measured on the table, or is empty."""
    st.warning(
        f"Delete {escape_markdown(label)}? Its rows are removed from the "
        "workspace, and shared links that show it leave out its figures. "
        + (f"{goals_note} " if goals_note else "")
        + "This cannot be undone."
    )
    left, right = st.columns([1, 4])
    if left.button("Yes, delete", key="stored:delete_confirm", type="primary"):
        delete_table_keeping_goals(table_id)
        st.session_state.pop(_DELETE_PENDING, None)
        # Shown after the rerun, which draws the list without the table.
        st.session_state[_DELETED] = label
        st.rerun()
    if right.button("Cancel", key="stored:delete_cancel"):
        st.session_state.pop(_DELETE_PENDING, None)
        st.rerun()
