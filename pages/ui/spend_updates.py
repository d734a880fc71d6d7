"""The Store choice that updates a stored spend table with an upload: the
upload's rows for the days it covers take the place of the stored rows of
those days, and the stored rows of other days stay
(``kpi_core.spend_updates``)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core.formatting import count_noun
from kpi_core.prepare import PreparedTable
from kpi_core.spend_updates import SpendUpdate, spend_file_range, spend_update
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.workspace_access import load_entry

# The Store box's value for an update is this prefix and the table id, so
# that it differs from the value that replaces the same table.
_PREFIX = "update:"


def update_targets(
    entries: list[TableEntry], prepared: PreparedTable, labels: dict[str, str]
) -> dict[str, str]:
    """Return the Store box's update choices for a spend upload, one per
    stored spend table among ``entries`` (``labels`` gives the shown name by
    id), or none for another table type or a file without dated spend."""
    if prepared.table != "spend":
        return {}
    covered = spend_file_range(prepared.frame)
    if covered is None:
        return {}
    first_day, last_day = covered
    return {
        update_target(entry.id): f"Update {labels[entry.id]}: take this file's "
        f"rows for the days it covers ({first_day} to {last_day}) and keep the "
        "stored rows of other days"
        for entry in entries
    }


def update_target(table_id: str) -> str:
    """Return the Store box's value that updates the table ``table_id``."""
    return f"{_PREFIX}{table_id}"


def updated_table(target: str) -> str | None:
    """Return the id of the table that the Store box's value ``target``
    updates, or None when it stores a new table or replaces one."""
    return target.removeprefix(_PREFIX) if target.startswith(_PREFIX) else None


def planned_update(
    entry: TableEntry, prepared: PreparedTable, key: str
) -> SpendUpdate | None:
    """Return the update of the stored spend table ``entry`` with the upload
    ``prepared`` (content key ``key``), or None without dated spend."""
    # The currency picked for a file without currency codes changes the rows.
    currencies = []
    if "currency" in prepared.frame.columns:
        currencies = prepared.frame["currency"].drop_nulls().unique().sort().to_list()
    choices = repr(
        (sorted(prepared.mapping.columns.items()), prepared.date_orders, currencies)
    )
    return _cached_update(
        entry.cache_key, key, choices, load_entry(entry), prepared.frame
    )


def default_update(
    candidate: TableEntry | None, prepared: PreparedTable, key: str
) -> TableEntry | None:
    """Return ``candidate``, the stored spend table that the upload is a
    version of, when updating it is the safe default, else None."""
    if candidate is None or prepared.table != "spend":
        return None
    update = planned_update(candidate, prepared, key)
    if update is None or not update.updates_by_default:
        return None
    return candidate


def show_update(update: SpendUpdate, name: str) -> None:
    """Describe what the update of the table ``name`` keeps, replaces and
    changes, before the Import button."""
    st.info(
        escape_markdown(
            f"{update.describe(name)} The table keeps its id and gets a new "
            "version, so the pages, goals and shared links that use it go on "
            "working."
        )
    )


def update_action(update: SpendUpdate, name: str) -> str:
    """Describe the import, as "5 rows into 'google_ads' (7 rows in all)"."""
    return (
        f"{count_noun(update.file_rows, 'row')} into {name!r} "
        f"({count_noun(update.frame.height, 'row')} in all)"
    )


def updated_message(update: SpendUpdate, name: str) -> str:
    """Return the message shown after the update was stored."""
    return (
        f"Updated {name!r} with {count_noun(update.file_rows, 'row')} for "
        f"{update.first_day} to {update.last_day} and kept "
        f"{count_noun(update.kept, 'stored row')} of other days, "
        f"{count_noun(update.frame.height, 'row')} in all."
    )


@st.cache_resource(max_entries=32)
def _cached_update(
    entry_key: str,
    upload_key: str,
    choices: str,
    _stored: pl.DataFrame,
    _new: pl.DataFrame,
) -> SpendUpdate | None:
    """Compute the update once per stored version, upload and mapping, not
    on every rerun of the Data page."""
    del entry_key, upload_key, choices
    return spend_update(_stored, _new)
