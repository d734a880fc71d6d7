"""The outcome of an import on the Data page, kept for the rerun that
follows the import to show."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


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
