"""Warnings for URL parameters that a bound widget cannot read.

A widget with ``bind="query-params"`` ignores a URL value that is not one of
its options, out of its range or not a date, removes it from the URL and
shows its default (Streamlit 1.67). A forwarded link would then show other
figures than its sender saw, without a word. So each run stores the URL
parameters before any widget reads them. The ``check_url_*`` functions,
called after a bound widget, then show a warning at the top of the page for
as long as the widget keeps the value used in place of the unreadable one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from pages.ui.markdown_escape import escape_markdown
from pages.ui.shared_views import shared_view, view_widget_options

# Session state keys: the URL parameters at the start of the run, the
# container at the top of the page for the warnings, and the warning of each
# unreadable parameter with the value the page used instead.
_REQUESTED = "_url_params"
_AREA = "_url_param_area"
_WARNINGS = "_url_param_warnings"


def remember_url_params() -> None:
    """Store the URL parameters of this run before any widget reads them,
    and open the container for their warnings at the top of the page."""
    st.session_state[_REQUESTED] = {
        key: st.query_params.get_all(key) for key in st.query_params
    }
    # Most bound widgets sit in the sidebar, some in collapsed expanders,
    # where a warning would go unseen.
    st.session_state[_AREA] = st.container()


def url_values_at_start(key: str) -> list[str] | None:
    """Return the values of the URL parameter ``key`` at the start of this
    run, before any widget changed them, or None when it was not given."""
    return st.session_state.get(_REQUESTED, {}).get(key)


def show_link_note(text: str) -> None:
    """Show ``text``, about a setting of the link that the page cannot
    apply, at the top of the page with the warnings about its URL
    parameters."""
    st.session_state.get(_AREA, st).info(text)


def accept_option_key(key: str, labels: Mapping[str, str]) -> None:
    """Select the option that the URL parameter ``key`` names by its key,
    such as ``?period=last_12_months`` for "Last 12 full months".

    A bound widget reads only the labels from the URL and removes any other
    text from it, so the label replaces the key in the URL and the script
    reruns, and a bookmark of the page keeps the option. ``labels`` maps
    each option to its label. A text that is also a label is left to the
    widget. Call this before the widget is drawn.
    """
    values = st.query_params.get_all(key)
    if shared_view() is not None or len(values) != 1:
        return
    text = values[0]
    if text not in labels or text in labels.values():
        return
    try:
        st.query_params[key] = labels[text]
    except StreamlitAPIException:
        # Raised while a widget of this page is bound to ``key``. The widget
        # then takes the option from the session state.
        st.session_state[key] = text
        return
    st.rerun()


def check_url_option(
    key: str,
    value: Any,
    options: Sequence[Any],
    format_func: Callable[[Any], Any] = str,
) -> None:
    """Warn when the URL parameter ``key`` names none of the ``options`` of
    the widget that returned ``value``. The URL gives an option by its label
    (``format_func``) or, where ``accept_option_key`` ran, by its key."""
    label = None if value is None else str(format_func(value))
    accepted = {label, str(value)}
    labels = ", ".join(f"“{format_func(option)}”" for option in options)
    shown = "nothing" if label is None else f"“{label}”"
    valid = f"Valid values are {labels}."
    _check(key, lambda texts: texts[-1] in accepted, shown, valid)


def check_url_number(
    key: str, value: float | None, low: float | None = None, high: float | None = None
) -> None:
    """Warn when the URL parameter ``key`` is not a number from ``low`` to
    ``high``, so the widget that returned ``value`` ignored it."""

    def read(texts: list[str]) -> bool:
        try:
            return value is not None and float(texts[-1]) == float(value)
        except ValueError:
            return False

    shown = "nothing" if value is None else f"{value:g}"
    if low is not None and high is not None:
        valid = f"Give a number from {low:g} to {high:g}."
    elif low is not None:
        valid = f"Give a number of at least {low:g}."
    else:
        valid = "Give a number."
    _check(key, read, shown, valid)


def check_url_dates(
    key: str,
    value: date | Sequence[date] | None,
    low: date | None = None,
    high: date | None = None,
) -> None:
    """Warn when the URL parameter ``key`` contains no date that the widget
    returning ``value`` could read. ``low`` and ``high`` are the widget's
    bounds, named in the warning when both are given."""
    if value is None:
        days = []
    elif isinstance(value, date):
        days = [value]
    else:
        days = list(value)
    written = [day.isoformat() for day in days]
    shown = " to ".join(written) or "nothing"
    within = "" if low is None or high is None else f" from {low} to {high}"
    valid = f"Give dates{within} as YYYY-MM-DD, such as 2025-01-31."
    if len(written) == 2:
        valid = (
            f"Give the first and the last day{within} as YYYY-MM-DD, such as "
            "2025-01-31."
        )
    _check(key, lambda texts: texts == written, shown, valid)


def url_radio(
    label: str,
    labels: Mapping[str, str],
    *,
    key: str,
    container: Any = st,
    **options: Any,
) -> str:
    """Draw a radio of the options in ``labels`` (option to label) bound to
    the URL parameter ``key``, which may name an option by its label or its
    key. Warn when that parameter names no option, and return the choice."""
    accept_option_key(key, labels)
    choice = container.radio(
        label,
        list(labels),
        format_func=labels.__getitem__,
        key=key,
        **options,
        **view_widget_options(),
    )
    check_url_option(key, choice, list(labels), labels.__getitem__)
    return choice


def _check(key: str, read: Callable[[list[str]], bool], shown: str, valid: str) -> None:
    """Store and show the warning for an unreadable URL parameter ``key``.

    A parameter counts as unreadable when the widget changed or removed it
    in this run and ``read`` finds that the widget's value, ``shown``, is
    not what it requested. Streamlit also removes a value equal to the
    default, which ``read`` accepts. The warning stays until the user picks
    another value.
    """
    warnings = st.session_state.setdefault(_WARNINGS, {})
    requested = st.session_state.get(_REQUESTED, {}).get(key)
    if requested and st.query_params.get_all(key) != requested and not read(requested):
        parameter = escape_markdown("&".join(f"{key}={text}" for text in requested))
        warnings[key] = (
            f"The link's URL parameter {parameter} is invalid, so the page "
            f"shows {escape_markdown(shown)} instead. {escape_markdown(valid)}",
            shown,
        )
    warning = warnings.get(key)
    if warning is None:
        return
    if warning[1] != shown:
        del warnings[key]
        return
    st.session_state.get(_AREA, st).warning(warning[0])
