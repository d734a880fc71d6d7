"""The caption naming the stored tables behind a page's figures. A shared
view hides the table choice in the sidebar, so this caption is the only
place where its viewer sees which tables were used."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from kpi_core.formatting import count_noun
from kpi_core.period import Period
from kpi_core.schema import TABLES
from kpi_core.spend_repeats import overlap_warning
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint
from pages.ui.workspace_access import load_entry


def table_sources(*entries: TableEntry | None) -> str:
    """Return "Support tickets from T (3 rows), NPS survey responses from R
    (5 rows)" for the tables of ``entries``, leaving out None."""
    parts = [
        f"{TABLES[entry.table_type].label} from {escape_markdown(entry.name)} "
        f"({'sample data, ' if entry.is_sample else ''}"
        f"{count_noun(entry.rows, 'row')})"
        for entry in entries
        if entry is not None
    ]
    return ", ".join(parts)


def show_sample_note(*entries: TableEntry | None) -> None:
    """Show a note when any of ``entries`` is the built-in sample data, whose
    figures are demo figures. A sample table may have been renamed, so the
    catalog's sample flag decides, not the name."""
    names = [
        escape_markdown(repr(entry.name))
        for entry in entries
        if entry is not None and entry.is_sample
    ]
    if not names:
        return
    if len(names) == 1:
        tables, pronoun = f"The table {names[0]} is", "it"
    else:
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
        tables, pronoun = f"The tables {listed} are", "them"
    st.info(
        f"{tables} the built-in sample data, so the figures from {pronoun} are "
        "demo figures, not your own. "
        + data_page_hint(
            "Your next import on the Data page removes the sample data.",
            "Ask the sender of this link to import their own data.",
        )
    )


def show_table_sources(
    *entries: TableEntry | None, period: Period | None = None
) -> None:
    """Show a caption naming the tables of ``entries`` and, when given, the
    period the figures cover."""
    text = table_sources(*entries)
    if not text:
        return
    if period is not None:
        text += f", {period.label()}"
    st.caption(f"{text}.")
    show_sample_note(*entries)


def warn_spend_overlap(entries: Iterable[TableEntry]) -> None:
    """Warn when the spend tables among ``entries``, which the pages add up,
    share rows, as a table stored twice does."""
    spend = [entry for entry in entries if entry.table_type == "spend"]
    if len(spend) < 2:
        return
    warning = overlap_warning({entry.name: load_entry(entry) for entry in spend})
    if warning:
        st.warning(escape_markdown(warning))
