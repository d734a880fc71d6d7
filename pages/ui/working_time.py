"""The working time that the time to resolution counts: its inputs on the
Service page, and the same setting on the other pages that show the KPI."""

from __future__ import annotations

import streamlit as st

from kpi_core.business_hours import WorkingTime, parse_working_time
from kpi_core.errors import InputError
from pages.ui.markdown_escape import escape_markdown
from pages.ui.shared_views import is_editor, shared_view, view_widget_options
from pages.ui.workspace_access import workspace

# Widget keys of the working time inputs, with their defaults. A shared view
# fixes them on every page (see ``shared_views``).
WORKING_TIME_DEFAULTS = {
    "service_timezone": "Europe/Berlin",
    "service_hours": "09:00-17:00",
    "service_days": "Mon-Fri",
    "service_holidays": "DE",
}
# Session state key of the entries last made on the Service page. Streamlit
# drops the state of the widgets a page does not draw, so the other pages
# read the working time here.
_KEPT = "_kept_working_time"
# The workspace setting that keeps the last valid entries for later sessions.
_SETTING = "working_time"


def working_time_picker() -> WorkingTime | str:
    """Show the working time inputs in the sidebar and return the working
    time, or the message of an invalid entry, which is also shown under the
    inputs. The entries are kept for the other pages of the session, and an
    editor's valid ones in the workspace for later sessions."""
    saved = _saved_entries()
    editor = is_editor()
    with st.sidebar.expander("Working time"):
        timezone = st.text_input("Time zone", **_options("service_timezone", saved))
        hours = st.text_input("Working hours", **_options("service_hours", saved))
        days = st.text_input("Working days", **_options("service_days", saved))
        holidays = st.text_input(
            "Public holidays",
            **_options("service_holidays", saved),
            help="Country and optional region, e.g. DE or DE-BY; 'none' for none.",
        )
        if not editor and shared_view() is None:
            st.caption(
                "Without the editor password, changes here last for this session only."
            )
    entries = dict(
        zip(WORKING_TIME_DEFAULTS, (timezone, hours, days, holidays), strict=True)
    )
    working = _parse(entries)
    if shared_view() is None:
        previous = st.session_state.get(_KEPT)
        st.session_state[_KEPT] = entries
        # Only an entry changed in this session is stored, so a session that
        # still shows older entries, or a URL with other ones, does not
        # overwrite another user's change. Behind an editor password only an
        # editor changes it.
        changed = previous is not None and entries != previous
        valid = isinstance(working, WorkingTime)
        if valid and changed and entries != saved and editor:
            workspace().save_setting(_SETTING, entries)
    if isinstance(working, str):
        # Below the expander, which may be collapsed, so the message is seen.
        st.sidebar.error(
            escape_markdown(
                f"{working[:1].upper()}{working[1:]}. The time to resolution is "
                "not available until the working time is valid."
            )
        )
    return working


def page_working_time() -> WorkingTime | str:
    """Return the working time set on the Service page, or the message of an
    invalid entry there.

    A shared view gives its own working time, which ``apply_view_settings``
    writes into the session state on every page. Otherwise the entries are
    those last made on the Service page in this session, and before the
    Service page was opened, the last valid ones stored in the workspace.
    """
    if shared_view() is not None:
        entries = {
            key: str(st.session_state.get(key, default))
            for key, default in WORKING_TIME_DEFAULTS.items()
        }
    else:
        entries = {**_saved_entries(), **st.session_state.get(_KEPT, {})}
    return _parse(entries)


def kept_working_time() -> dict[str, str]:
    """Return the working time entries last made on the Service page in this
    session, keyed by widget key, or before it was opened those stored in
    the workspace."""
    return {**_saved_entries(), **st.session_state.get(_KEPT, {})}


def working_time_caption(working: WorkingTime | str) -> str:
    """Say which working time the hours to resolution on a page count."""
    if isinstance(working, WorkingTime):
        return (
            f"Time to resolution counts business hours of {working.label()}, "
            "the working time set on the Service page."
        )
    return (
        "Time to resolution is not shown, because the working time set on the "
        f"Service page is invalid: {working}."
    )


def _options(key: str, saved: dict[str, str]) -> dict:
    return view_widget_options(key, value=saved[key])


def _saved_entries() -> dict[str, str]:
    """Return the working time entries stored in the workspace, with the
    default for each entry not stored."""
    stored = workspace().setting(_SETTING)
    return {
        key: str(stored.get(key, default))
        for key, default in WORKING_TIME_DEFAULTS.items()
    }


def _parse(entries: dict[str, str]) -> WorkingTime | str:
    try:
        return parse_working_time(
            entries["service_timezone"],
            entries["service_hours"],
            entries["service_days"],
            entries["service_holidays"],
        )
    except InputError as error:
        return str(error).rstrip(".")
