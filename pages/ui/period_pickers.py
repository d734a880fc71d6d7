"""Sidebar widgets for the period, the time grain and the comparison
period."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from kpi_core.compare_periods import previous_period, same_period_last_year
from kpi_core.period import (
    EARLIEST_DAY,
    GRAINS,
    LATEST_DAY,
    QUICK_PERIODS,
    Period,
    partial_buckets,
    quick_period,
)
from pages.ui.shared_views import shared_view, view_widget_options
from pages.ui.url_params import (
    accept_option_key,
    check_url_dates,
    check_url_option,
    show_link_note,
    url_values_at_start,
)

# The date columns that place each table's rows in time. The period picker
# spans all of them, so every table a page shows can be reached.
DATE_COLUMNS = {
    "deals": ("created_at", "closed_at", "lost_at"),
    "stage_history": ("entered_at",),
    "tickets": ("created_at", "solved_at"),
    "ticket_messages": ("sent_at",),
    "nps": ("responded_at",),
    "subscriptions": ("started_at", "ended_at", "canceled_at"),
    "orders": ("ordered_at",),
    "spend": ("spent_at", "period_start", "period_end"),
    "email_events": ("occurred_at",),
}
# Tables that add detail to another table of the page. Their dates widen the
# custom range but do not move the day quick picks count back from, so a
# stage history exported after the deals does not give periods past them.
SUPPORTING_TABLES = ("stage_history", "ticket_messages")
# Session state key of the day of a one-day link, set for the rerun that
# restores it (see ``_one_day_link``).
_ONE_DAY_LINK = "_one_day_link"
# Session state key of the URL parameter values of the period, dates, grain
# and comparison widgets in the last run, without those at their default.
_KEPT = "_kept_period_settings"
_PERIOD_KEYS = ("period", "dates", "grain", "compare_with")
# Session state key set in a run whose page has no dated table, so the
# period picker drew no widgets. ``restore_period_settings`` clears it at
# the start of every run.
_NO_DATES = "_period_without_dates"
_PERIOD_LABELS = {**QUICK_PERIODS, "custom": "Custom"}
_COMPARISON_LABELS = {
    "none": "Nothing",
    "previous": "Previous period",
    "last_year": "Same period last year",
}
# The years before the first and after the last day of the data that a
# period from a link may reach.
_SPARE_YEARS = 10
_LOGGER = logging.getLogger(__name__)


def period_picker(tables: Mapping[str, pl.DataFrame | None]) -> Period:
    """Show the period controls in the sidebar and return the chosen period.

    ``tables`` maps table types to the tables the page shows. The custom dates
    range from the first to the last date of all of them, widened to the dates
    a link requests. Quick picks count back from ``latest_date``, so an export
    that ends in the past still has a "last 12 full months". Tables without
    dates give all data and no controls, and the period of a link is kept for
    the other pages (see ``_undated_page``).
    """
    bounds = _date_bounds(tables)
    if bounds is None:
        _undated_page()
        return Period()
    low, high, anchor = bounds
    choices = list(_PERIOD_LABELS)
    labels = _PERIOD_LABELS
    accept_option_key("period", labels)
    choice = st.sidebar.selectbox(
        "Period",
        choices,
        format_func=labels.__getitem__,
        key="period",
        **view_widget_options(),
    )
    check_url_option("period", choice, choices, labels.__getitem__)
    _keep("period", None if choice == choices[0] else [labels[choice]])
    if choice != "custom":
        _keep("dates", None)
        period = quick_period(choice, anchor)
        if not period.is_all:
            st.sidebar.caption(f"{period.label()}, counted back from {anchor}")
        return period
    # Streamlit replaces a value outside min_value and max_value by the
    # default without a message, so the bounds take in the dates of a link
    # and the whole years of the data: a quarter whose last days have no
    # data can still be picked.
    requested = _requested_dates()
    first_draw = "dates" not in st.session_state
    one_day = st.session_state.pop(_ONE_DAY_LINK, None)
    options = view_widget_options("dates", value=(low, high))
    if one_day is not None:
        # The widget state set here replaces the default argument, because
        # Streamlit logs a warning for a widget that gets both.
        st.session_state["dates"] = (one_day, one_day)
        options.pop("value", None)
    picked = st.sidebar.date_input(
        "From and to",
        min_value=min([date(low.year, 1, 1), *requested]),
        max_value=max([date(high.year, 12, 31), *requested]),
        **options,
    )
    if one_day is None and first_draw and _one_day_link(picked):
        st.session_state[_ONE_DAY_LINK] = picked[0]
        st.rerun()
    # In the run that restores a one-day link, the URL names the day once and
    # the widget twice, which is no unreadable parameter to warn about.
    if one_day is None:
        check_url_dates("dates", picked)
    if len(picked) > 2:
        # The box shows the first two dates of such a link, so the figures
        # follow them.
        st.sidebar.warning(
            f"The link gives {len(picked)} dates, so the period runs from the "
            "first to the second, as the box shows. A period needs two dates."
        )
        picked = tuple(picked[:2])
    _keep("dates", [day.isoformat() for day in picked] or None)
    if not picked:
        return Period()
    if len(picked) == 1:
        # A period open to the end of the data would be easy to take for the
        # one day shown in the box, so the figures are those of that day.
        st.sidebar.info(
            f"Only the first day is picked, so the figures are for {picked[0]} "
            "alone. Pick the last day of the period too."
        )
        return _near_data(Period(picked[0], picked[0]), low, high)
    # A link may give the two dates in either order.
    period = _near_data(Period(min(picked), max(picked)), low, high)
    if period.end < low or period.start > high:
        st.sidebar.caption(
            f"No table of this page has dates in this period. The data runs "
            f"from {low} to {high}."
        )
    return period


def _undated_page() -> None:
    """Say that the page's tables have no dates, so its figures cover all
    data, and name the period and comparison from the URL or a shared view
    that it cannot apply.

    The URL parameters of both stay in the address and in the settings
    that ``restore_period_settings`` carries to the next page, and "Share
    this view" stores them (see ``undated_period_settings``).
    """
    st.session_state[_NO_DATES] = True
    for key in ("period", "dates", "compare_with"):
        _keep(key, st.query_params.get_all(key) or None)
    st.sidebar.caption(
        "No table of this page has dates, so there is no period to pick and "
        "the figures cover all data."
    )
    note = _undated_note(_requested_settings())
    if note is not None:
        show_link_note(note)


def _requested_settings() -> dict[str, Any]:
    """Return the widget values of the period, dates and comparison that
    the URL or the settings of a shared view request. Unreadable values are
    left out."""
    if shared_view() is not None:
        # A shared view writes its settings into the widget state.
        period = st.session_state.get("period")
        dates = st.session_state.get("dates")
        comparison = st.session_state.get("compare_with")
    else:
        period = _option_key(st.query_params.get_all("period"), _PERIOD_LABELS)
        dates = tuple(_iso_date(text) for text in st.query_params.get_all("dates"))
        comparison = _option_key(
            st.query_params.get_all("compare_with"), _COMPARISON_LABELS
        )
    settings: dict[str, Any] = {}
    if period in _PERIOD_LABELS:
        settings["period"] = period
    if isinstance(dates, tuple) and dates and all(isinstance(d, date) for d in dates):
        settings["dates"] = dates
    if comparison in _COMPARISON_LABELS:
        settings["compare_with"] = comparison
    return settings


def _option_key(texts: list[str], labels: Mapping[str, str]) -> str | None:
    """Return the option that the last of the URL values ``texts`` names by
    its key or its label, or None."""
    if not texts:
        return None
    by_label = {label: key for key, label in labels.items()}
    text = texts[-1]
    return text if text in labels else by_label.get(text)


def _undated_note(settings: Mapping[str, Any]) -> str | None:
    """Return the note that a page without dates shows all data in place of
    the period and comparison of the widget values ``settings``, or None
    when they are all data without a comparison."""
    period = _describe_period(settings)
    comparison = settings.get("compare_with", "none")
    if period is None and comparison == "none":
        return None
    note = "No table of this page has dates, so the figures cover all data"
    if period is not None:
        note += f" in place of {period}"
    if comparison != "none":
        compared = _COMPARISON_LABELS[comparison].lower()
        note += f", without a comparison with the {compared}"
    note += "."
    if period is not None:
        applied = "that period"
        if comparison != "none":
            applied = "that period and comparison"
        note += f" Pages with dated tables use {applied}."
    return note


def _describe_period(settings: Mapping[str, Any]) -> str | None:
    """Describe the period of the widget values ``settings``, as in "the
    period 2024-04-01 to 2024-06-30", or return None for all data."""
    period = settings.get("period", "all")
    # The date box of a page with dates shows the first two dates of a link.
    dates = sorted(settings.get("dates", ())[:2])
    if period == "custom" and dates:
        return f"the period {Period(dates[0], dates[-1]).label()}"
    if period == "custom":
        return "a custom period"
    if period != "all":
        return f"the period “{_PERIOD_LABELS[period]}”"
    return None


def undated_period_settings() -> dict[str, Any]:
    """Return the widget values of the period, dates and comparison that the
    link requests when the page of this run has no dated table, and so drew
    no widget that would store them. Return an empty dict otherwise.

    "Share this view" adds them to the view, so the other pages of the view
    show that period, as after sharing from a page with dates.
    """
    if not st.session_state.get(_NO_DATES):
        return {}
    return _requested_settings()


def _near_data(period: Period, low: date, high: date) -> Period:
    """Cut a period from a link to ``_SPARE_YEARS`` whole years around the
    data's first and last day ``low`` and ``high``, and to the days a period
    can cover, with a warning when it cuts. A weekly series from year 1 to
    today would hold 100,000 weeks and keep the server busy for minutes."""
    earliest = max(EARLIEST_DAY, date(max(low.year - _SPARE_YEARS, 1), 1, 1))
    latest = min(LATEST_DAY, date(min(high.year + _SPARE_YEARS, 9999), 12, 31))
    cut = period.within(earliest, latest)
    if cut != period:
        st.sidebar.warning(
            f"The period {period.label()} reaches more than {_SPARE_YEARS} years "
            f"beyond the data ({low} to {high}), so the figures cover "
            f"{cut.label()}."
        )
    return cut


def data_span(tables: Mapping[str, pl.DataFrame | None]) -> tuple[date, date] | None:
    """Return the first and the last date in the ``DATE_COLUMNS`` of the
    tables, or None when they have no dates."""
    bounds = _date_bounds(tables)
    return None if bounds is None else bounds[:2]


def latest_date(tables: Mapping[str, pl.DataFrame | None]) -> date | None:
    """Return the date that quick picks count back from: the last date in the
    ``DATE_COLUMNS`` of the tables that is not after today. Only tables
    outside ``SUPPORTING_TABLES`` count, unless no other table has a date.

    Future dates, such as a contract end or an expected close date, would
    give quick periods without data. When every date lies in the future, the
    last one is returned.
    """
    bounds = _date_bounds(tables)
    return None if bounds is None else bounds[2]


def _date_bounds(
    tables: Mapping[str, pl.DataFrame | None],
) -> tuple[date, date, date] | None:
    """Return the first date, the last date and ``latest_date`` of the
    tables in one pass, or None when they have no dates.

    Each column is reduced in its own type and only the results are cast to
    dates. Casting and joining the dates of a million deals and their stage
    history took 0.05 s per rerun, against 0.01 s this way.
    """
    tomorrow = date.today() + timedelta(days=1)
    firsts, lasts, pasts, supporting_pasts = [], [], [], []
    for table_type, frame in tables.items():
        if frame is None:
            continue
        for column in DATE_COLUMNS.get(table_type, ()):
            if column not in frame.columns:
                continue
            # ``limit`` is tomorrow's midnight, so ``values < limit`` is on or
            # before today.
            dtype = frame.schema[column]
            if dtype.is_temporal():
                values, limit = pl.col(column), pl.lit(tomorrow).cast(dtype)
            else:
                values, limit = pl.col(column).cast(pl.Date), pl.lit(tomorrow)
            if (table_type, column) == ("deals", "closed_at") and (
                "status" in frame.columns
            ):
                # An open deal's close date is the expected one (Salesforce's
                # Close Date), which would move the quick picks to a future
                # quarter without a deal closed in it.
                values = values.filter(pl.col("status") != "open")
            first, last, past = (
                frame.select(
                    values.min().alias("first"),
                    values.max().alias("last"),
                    values.filter(values < limit).max().alias("past"),
                )
                .select(pl.all().cast(pl.Date))
                .row(0)
            )
            firsts.append(first)
            lasts.append(last)
            if table_type in SUPPORTING_TABLES:
                supporting_pasts.append(past)
            else:
                pasts.append(past)
    firsts = [day for day in firsts if day is not None]
    if not firsts:
        return None
    last = max(day for day in lasts if day is not None)
    past = [day for day in pasts if day is not None]
    if not past:
        past = [day for day in supporting_pasts if day is not None]
    return min(firsts), last, max(past) if past else last


def _one_day_link(picked: Sequence[date]) -> bool:
    """Return True when the widget, drawn for the first time in the session,
    read a one-day period from the URL: ``dates=D&dates=D``, or ``dates=D``.

    Streamlit 1.67 removes repeated values of a URL parameter before a date
    range widget reads them, so such a link opens with only the first day
    picked, and the URL keeps that day once. A link with one day shows the
    figures of that day, so it opens as that day too.
    """
    if shared_view() is not None or len(picked) != 1:
        return False
    day = picked[0].isoformat()
    return url_values_at_start("dates") in ([day], [day, day])


def _requested_dates() -> list[date]:
    """Return the custom dates that a link requests: the ``dates`` URL
    parameters, and the widget state that a shared view sets."""
    texts = st.query_params.get_all("dates")
    requested = [day for text in texts if (day := _iso_date(text)) is not None]
    state = st.session_state.get("dates")
    if isinstance(state, list | tuple):
        requested += [day for day in state if isinstance(day, date)]
    return requested


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def grain_picker(period: Period) -> str:
    """Show the time grain of the series in the sidebar and return it, one of
    ``kpi_core.period.GRAINS``. A caption names the buckets that ``period``
    cuts short, whose points hold fewer days than the others."""
    grain = st.sidebar.segmented_control(
        "Group by", list(GRAINS), **view_widget_options("grain", default="month")
    )
    check_url_option("grain", grain, list(GRAINS))
    _keep("grain", None if grain in (None, "month") else [grain])
    grain = grain or "month"
    note = partial_buckets(period, grain)
    if note:
        st.sidebar.caption(note)
    return grain


def comparison_picker(period: Period) -> Period | None:
    """Offer to compare the chosen period with the previous one or the same
    period a year earlier. Return that period, or None."""
    if st.session_state.get(_NO_DATES):
        # The period picker kept the requested comparison for the other
        # pages and named it.
        return None
    if period.is_all or period.start is None or period.end is None:
        _keep("compare_with", None)
        requested = st.query_params.get_all("compare_with")
        if requested and requested != ["Nothing"] and shared_view() is None:
            st.sidebar.caption(
                "The link asks for a comparison, which needs a period with a "
                "first and a last day. Pick one above to compare."
            )
        return None
    labels = _COMPARISON_LABELS
    accept_option_key("compare_with", labels)
    choice = st.sidebar.selectbox(
        "Compare with",
        list(labels),
        format_func=labels.__getitem__,
        key="compare_with",
        **view_widget_options(),
    )
    check_url_option("compare_with", choice, list(labels), labels.__getitem__)
    _keep("compare_with", None if choice == "none" else [labels[choice]])
    if choice == "previous":
        return previous_period(period)
    if choice == "last_year":
        return same_period_last_year(period)
    return None


def restore_period_settings(*, entering_page: bool) -> None:
    """Put the period, dates, grain and comparison that the user last had on
    another page into the URL, for each of them that the URL does not give,
    and rerun, so the widgets read them as from a link. Call this on every
    run, before any widget is drawn, with ``entering_page`` True in the
    first run on a page.

    Streamlit 1.67 drops the URL parameters of the previous page's bound
    widgets on a page switch. It carries a value over only when the value
    was stored for a whole run before the switch, which a value read from
    the URL on a reload or a bookmark is not, so that page showed all data.
    When it does carry values over, it writes each into the URL on its own,
    which adds a history entry for each, such as a custom period without
    its dates. Here all of them go into the URL at once.

    NOTE: Streamlit's removal of the parameters still adds a history entry
    without them, so Back reaches a page address that shows all data.
    """
    st.session_state.pop(_NO_DATES, None)
    if shared_view() is not None:
        return
    kept = st.session_state.setdefault(_KEPT, {})
    # A page without period widgets records nothing itself, so after a
    # reload there the settings come from its URL.
    for key in _PERIOD_KEYS:
        if key not in kept and key in st.query_params:
            kept[key] = st.query_params.get_all(key)
    if not entering_page:
        return
    missing = {key: texts for key, texts in kept.items() if key not in st.query_params}
    if not missing:
        return
    try:
        st.query_params.update(missing)
    except StreamlitAPIException as error:
        # Raised while a parameter is still bound to a widget of the previous
        # page. The widgets then show their defaults, as before this step.
        _LOGGER.warning("failed to restore the period settings %s: %s", missing, error)
        return
    st.rerun()


def _keep(key: str, texts: list[str] | None) -> None:
    """Store the URL parameter values ``texts`` of the widget ``key`` for
    ``restore_period_settings``. None removes them, for a widget that shows
    its default or is not drawn, whose URL parameter Streamlit leaves out."""
    if shared_view() is not None:
        return
    kept = st.session_state.setdefault(_KEPT, {})
    if texts is None:
        kept.pop(key, None)
    else:
        kept[key] = texts
