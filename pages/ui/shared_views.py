"""Shared views: the ``?view=`` link a session opened, the settings it
fixes on every page, and the read-only mode with the editor password."""

from __future__ import annotations

import hmac
import re
from datetime import date
from typing import Any

import streamlit as st

from kpi_core.errors import InputError
from kpi_core.sharing import SharedView, ViewStore
from pages.ui.markdown_escape import escape_markdown
from pages.ui.workspace_access import workspace

# A shared view's wording for kpi_core's "on the Data page".
_DATA_PAGE_ELSEWHERE = "on the Data page, which only the sender of this link can open"
_LIFESPAN_ELSEWHERE = (
    "the sender of this link can enter a lifespan in years and share a new link"
)

_VIEW_PARAM = "view"
_APPLIED_VIEW = "_applied_view"
# The view setting with the id of each table type the link shows.
PINNED_TABLES = "pinned_tables"


# View settings that change the figures a shared view shows. A shared view
# sets them on every run and shows their widgets disabled. They are the
# period, grouping, comparison, currency, exchange rates, KPI variants,
# working time, CLV lifespan, compared date and window, and the goals'
# evaluation day.
_FIXED_KEY = re.compile(
    r"^(period|dates|grain|compare_with|currency|fx_\w+|\w+_variant"
    r"|marketing_lifespan|service_(timezone|hours|days|holidays)"
    r"|compare_(date|months)|goals_as_of)$"
)


def shared_view() -> SharedView | None:
    """Return the view named by ``?view=`` in the URL, or None for the normal
    editable app. An unknown or revoked link stops the page with a message."""
    token = _view_token()
    if not token:
        return None
    try:
        return ViewStore(workspace().root).get(token)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        st.stop()


def for_viewer(text: str) -> str:
    """Return ``text`` for the reader of this page: in a shared view, which
    has no Data page and fixes the CLV lifespan, a request to change
    something "on the Data page" or to "enter a lifespan" names who can do
    it."""
    if shared_view() is None:
        return text
    text = text.replace("on the Data page", _DATA_PAGE_ELSEWHERE)
    return text.replace("enter a lifespan in years", _LIFESPAN_ELSEWHERE)


def _view_token() -> str | None:
    # A session that opened a shared link stays read-only, also after the
    # sidebar navigation drops ``view`` from the URL.
    return st.query_params.get(_VIEW_PARAM) or st.session_state.get(_APPLIED_VIEW)


def apply_view_settings(*, entering_page: bool) -> None:
    """Write a shared view's settings into the widget state before any widget
    is drawn.

    Streamlit drops the state of widgets that a page does not draw, so the
    settings are written again. The ``_FIXED_KEY`` ones are written on every
    run. The others (the breakdown segments and the What if levers) are
    written when the viewer opens a page, and the viewer may change them on
    that page.
    """
    token = _view_token()
    if not token:
        return
    # The sidebar navigation drops the parameter from the URL. Writing it
    # back keeps every page of the view read-only after a reload, and in a
    # bookmark or a forwarded address.
    if _VIEW_PARAM not in st.query_params:
        st.query_params[_VIEW_PARAM] = token
    try:
        view = ViewStore(workspace().root).get(token)
    except InputError:
        return  # shared_view() stops the page with the message.
    first_run = st.session_state.get(_APPLIED_VIEW) != token
    for key, value in view.settings.items():
        if key == PINNED_TABLES:
            continue
        if first_run or entering_page or _FIXED_KEY.match(key):
            st.session_state[key] = _decode(value)
    st.session_state[_APPLIED_VIEW] = token


def view_widget_options(key: str | None = None, **default: Any) -> dict:
    """Return the keyword arguments for the widget of a ``_FIXED_KEY``
    setting: bound to the URL, or in a shared view disabled and unbound, so
    neither the widget nor a changed URL can alter the link's setting.

    A widget with a default passes its ``key`` and the default argument
    (``value=`` or ``default=``), and gets both back. In a shared view that
    sets ``key`` the default is left out, because the view writes the value
    into the session state. Streamlit 1.67 logs a warning with a stack trace
    for a widget that gets a default and a value set that way in one run.
    """
    options: dict[str, Any] = {} if key is None else {"key": key}
    view = shared_view()
    if view is None:
        return {**options, "bind": "query-params", **default}
    options |= {"disabled": True, "bind": None}
    if key is None or key not in view.settings:
        options |= default
    return options


def default_unless_set(key: str, **default: Any) -> dict:
    """Return the keyword arguments of a widget whose ``key`` the page may
    have set in the session state: the key, and the default argument only
    while the key is unset. Streamlit logs a warning with a stack trace for
    a widget that gets both."""
    if key in st.session_state:
        return {"key": key}
    return {"key": key, **default}


def _decode(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    return value


def editor_unlocked() -> bool:
    """Return True when the user may upload, edit and delete.

    Without ``editor_password`` in ``.streamlit/secrets.toml`` the app is an
    open local tool. With it, the sidebar requests the password once per
    session, and shared links stay read-only either way.
    """
    if shared_view() is not None:
        return False
    expected = _editor_password()
    if expected is None or st.session_state.get("_editor"):
        return True
    entered = st.sidebar.text_input("Editor password", type="password", key="_password")
    if entered and hmac.compare_digest(entered.encode(), expected.encode()):
        st.session_state["_editor"] = True
        return True
    if entered:
        st.sidebar.error("Wrong password.")
    return False


def is_editor() -> bool:
    """Return True when the user may change what the workspace stores, as
    ``editor_unlocked`` does, without drawing the password input."""
    if shared_view() is not None:
        return False
    return _editor_password() is None or bool(st.session_state.get("_editor"))


def _editor_password() -> str | None:
    try:
        value = st.secrets.get("editor_password")
    except FileNotFoundError:
        return None
    return str(value) if value else None
