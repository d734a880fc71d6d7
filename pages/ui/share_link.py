"""The "Share this view" button, which stores the current page settings and
tables as a read-only link."""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from kpi_core.schema import TABLES
from kpi_core.sharing import ViewStore
from pages.ui.period_pickers import undated_period_settings
from pages.ui.shared_views import PINNED_TABLES, editor_unlocked, shared_view
from pages.ui.table_choice import chosen_table, spend_entries
from pages.ui.working_time import kept_working_time
from pages.ui.workspace_access import workspace

# Widget keys that make up a view; upload and table-management widgets are
# left out because a shared view is read-only.
_VIEW_KEY = re.compile(
    r"^(period|dates|grain|segment|currency|fx_\w+|table_\w+|service_\w+|goals_\w+"
    r"|whatif_\w+|compare_\w+|\w+_variant|marketing_lifespan)$"
)


def share_controls(page: str, title: str) -> None:
    """Offer a link to the current view in the sidebar, or note that this is
    a read-only shared view."""
    view = shared_view()
    if view is not None:
        st.sidebar.info(f"Read-only view shared on {view.created_at[:10]}.")
        return
    if not editor_unlocked() or not st.sidebar.button("Share this view", key="share"):
        return
    settings = {
        key: _encode(value)
        for key, value in st.session_state.items()
        if isinstance(key, str) and _VIEW_KEY.match(key)
    }
    # The working time's inputs are on the Service page only, and the other
    # pages with hours to resolution use the entries last made there.
    for key, value in kept_working_time().items():
        settings.setdefault(key, value)
    # A page without dated tables draws no period widgets, so the period of
    # its link comes from the URL.
    for key, value in undated_period_settings().items():
        settings.setdefault(key, _encode(value))
    # The link keeps showing these tables, and reports it when one is deleted.
    pinned: dict[str, str | list[str]] = {
        table_type: entry.id
        for table_type in TABLES
        if table_type != "spend" and (entry := chosen_table(table_type)) is not None
    }
    spend = [entry.id for entry in spend_entries()]
    if spend:
        pinned["spend"] = spend
    settings[PINNED_TABLES] = pinned
    created = ViewStore(workspace().root).create(page, title, settings)
    st.sidebar.success("Anyone with this link sees this view, read-only:")
    st.sidebar.code(_link(page, created.token), language=None)


def _link(page: str, token: str) -> str:
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    root = base.rsplit("/", 1)[0] if base.count("/") > 2 else base.rstrip("/")
    return f"{root}/{page}?view={token}"


def _encode(value):
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    return value
