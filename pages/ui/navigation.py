"""Page entry through app.py's navigation: the hand-over of a page that
Streamlit ran on its own, the page a direct first visit requested, and the
link to the Data page."""

from __future__ import annotations

import re

import streamlit as st

from pages.ui.downloads import CHARTS_KEY
from pages.ui.period_pickers import restore_period_settings
from pages.ui.shared_views import apply_view_settings, shared_view
from pages.ui.table_choice import warn_deleted_tables
from pages.ui.url_params import remember_url_params

_APP_RAN = "_app_ran"
_ENTRY_PAGE = "entry"
_VIEW_PAGE = "_view_page"


def require_app_entry(page: str) -> None:
    """Hand a page over to app.py when Streamlit ran it on its own, and store
    the URL parameters before the page's widgets read them. When the user
    opens another page, set a shared view's page settings, or the period the
    user had on the previous page. In a shared view, say which of its
    tables were deleted.

    Until the first session of a server process has run app.py, Streamlit
    treats pages/ as an old-style page folder and runs a directly opened URL
    such as /service without app.py, so without its navigation and
    read-only checks. Switching to app.py once fixes that for every session.
    """
    if not st.session_state.get(_APP_RAN):
        # to_dict() keeps only the last value of a repeated key such as dates.
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        params[_ENTRY_PAGE] = [page]
        st.switch_page("app.py", query_params=params)
    entering = st.session_state.get(_VIEW_PAGE) != page
    if entering:
        apply_view_settings(entering_page=True)
        st.session_state[_VIEW_PAGE] = page
    restore_period_settings(entering_page=entering)
    remember_url_params()
    warn_deleted_tables(goals_page=page == "pages/goals.py")


def entry_page() -> str | None:
    """Return and forget the page that a direct first visit requested."""
    page = st.query_params.get(_ENTRY_PAGE)
    if page is None:
        return None
    del st.query_params[_ENTRY_PAGE]
    return page if re.fullmatch(r"pages/[a-z]+\.py", page) else None


def mark_app_entry() -> None:
    """Record that app.py's navigation ran in this session, start the run's
    list of charts for the image download, and set a shared view's settings
    before any widget is drawn."""
    st.session_state[_APP_RAN] = True
    st.session_state[CHARTS_KEY] = []
    apply_view_settings(entering_page=False)


def data_page_link() -> None:
    """Link to the Data page, except in a shared view, which has no Data
    page and would raise StreamlitPageNotFoundError for the link."""
    if shared_view() is None:
        st.page_link("pages/data.py", label="Go to the Data page")


def data_page_hint(editor: str, viewer: str) -> str:
    """Return ``editor``, a hint that requests a change on the Data page, or
    ``viewer`` in a shared view, whose viewer cannot open the Data page."""
    return editor if shared_view() is None else viewer
