"""Rows of a spend upload that stored spend tables already contain, and the
choice to leave them out of the import, because the pages add up every
spend table and would count their spend twice."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl
import streamlit as st

from kpi_core.formatting import count_noun
from kpi_core.import_problems import LINE
from kpi_core.prepare import PreparedTable
from kpi_core.spend_repeats import SpendRepeats, find_spend_repeats
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.workspace_access import entries_key, load_entry

_LEAVE_OUT = "leave_out"
_KEEP = "keep"


@dataclass(frozen=True)
class RepeatChoice:
    """The rows of a spend upload to store. ``left_out`` are the file lines
    of the repeated rows left out, and ``decided`` is False while the user
    still has to choose whether to leave them out."""

    frame: pl.DataFrame
    left_out: tuple[int, ...] = ()
    decided: bool = True


def choose_repeated_rows(
    entries: list[TableEntry],
    prepared: PreparedTable,
    key: str,
    skipped: Collection[str],
) -> RepeatChoice:
    """Warn about the rows of the spend upload ``prepared`` (content key
    ``key``) that the stored tables among ``entries`` already contain, and
    let the user leave them out. Tables with an id in ``skipped`` are not
    compared, such as the table that the import replaces.

    Leaving the rows out is the default when each equals its stored row in
    every spend column. Otherwise the user has to choose, because a row
    that differs, say in its campaign's spelling, may be other spend.
    """
    # The next import deletes the sample tables anyway.
    candidates = [
        entry for entry in entries if not entry.is_sample and entry.id not in skipped
    ]
    if not candidates:
        return RepeatChoice(prepared.frame)
    # The currency picked for a file without currency codes changes the rows.
    currencies = []
    if "currency" in prepared.frame.columns:
        currencies = prepared.frame["currency"].drop_nulls().unique().sort().to_list()
    choices = repr(
        (sorted(prepared.mapping.columns.items()), prepared.date_orders, currencies)
    )
    frames = {entry.id: load_entry(entry) for entry in candidates}
    repeats = _cached_repeats(
        entries_key(*candidates), key, choices, prepared.frame, frames
    )
    if repeats is None:
        return RepeatChoice(prepared.frame)
    names = {entry.id: entry.name for entry in candidates}
    st.warning(escape_markdown(repeats.describe(names)))
    count = len(repeats.rows)
    remaining = prepared.frame.height - count
    labels = {
        _LEAVE_OUT: f"Leave out the {count_noun(count, 'repeated row')} and "
        f"import {count_noun(remaining, 'row')}",
        _KEEP: "Import every row, so that the repeated spend counts twice",
    }
    choice = st.radio(
        "Rows already stored",
        list(labels),
        index=0 if repeats.exact else None,
        format_func=labels.__getitem__,
        key=f"{key}:repeats",
    )
    if choice is None:
        st.info("Choose whether to leave out the repeated rows to go on.")
        return RepeatChoice(prepared.frame, decided=False)
    if choice == _KEEP:
        return RepeatChoice(prepared.frame)
    lines = prepared.frame[LINE].gather(list(repeats.rows)).to_list()
    return RepeatChoice(repeats.without_repeats(prepared.frame), tuple(lines))


@st.cache_resource(max_entries=32)
def _cached_repeats(
    entries_key: str,
    upload_key: str,
    choices: str,
    _new: pl.DataFrame,
    _stored: dict[str, pl.DataFrame],
) -> SpendRepeats | None:
    """Compare the upload with the stored spend tables once per version of
    those tables, upload and mapping, not on every rerun of the Data page."""
    del entries_key, upload_key, choices
    return find_spend_repeats(_new, _stored)
