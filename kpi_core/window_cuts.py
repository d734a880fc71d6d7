"""The reason why the before-and-after windows are shorter than the months
requested.

``compare_periods.comparison_windows`` keeps both windows the same number of days,
so counts on the two sides compare like with like. When the data starts
less than a window before the compared date, or ends less than a window
after it, both windows shrink to the shorter side. A user who asked for 3
months then gets fewer days on both sides, including days after the date
that do have data. ``shortened_windows_note`` writes this out: the
requested and compared windows, the table whose first or last date cut
them, the rows with a date in the days left out, and the compare dates
that would give whole windows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, timedelta

import polars as pl

from kpi_core.compare_periods import comparison_windows, data_range, event_date_columns
from kpi_core.errors import EmptyDataError, InvalidSettingError
from kpi_core.formatting import count_noun
from kpi_core.goal_metrics import TABLE_LABELS
from kpi_core.goals import deadline_after
from kpi_core.period import Period

_DAY = timedelta(days=1)


def requested_windows(pivot_date: date, months: int) -> tuple[Period, Period]:
    """Return the before and after windows of ``months`` calendar months
    around ``pivot_date`` as requested, before any shortening to the data."""
    end = deadline_after(pivot_date, months)
    days = (end - pivot_date).days + 1
    return Period(pivot_date - days * _DAY, pivot_date - _DAY), Period(pivot_date, end)


def shortened_windows_note(
    tables: Mapping[str, pl.DataFrame], pivot_date: date, months: int
) -> str:
    """Explain why the compared windows are shorter than ``months`` months,
    or return "" when they are whole.

    The note gives the requested windows and the first or last date that
    cut them, with its table. It counts the rows of each table dated in the
    days left out and names the compare dates that keep whole windows.
    Raises the errors of ``comparison_windows``.
    """
    before, after = comparison_windows(tables, pivot_date, months)
    requested_before, requested_after = requested_windows(pivot_date, months)
    if before == requested_before:
        return ""
    days = (after.end - after.start).days + 1
    requested_days = (requested_after.end - requested_after.start).days + 1
    first, last = data_range(tables)
    window = count_noun(months, "month")
    sentences = [
        f"The windows are {days:,} days each, shorter than the {window} "
        f"requested ({requested_days:,} days each, {requested_before.label()} and "
        f"{requested_after.label()})."
    ]
    if (pivot_date - first).days == days:
        sentences.append(
            f"The data starts on {first} (the first date in the "
            f"{_tables_with(tables, first, 0)} table), so only {days:,} days "
            f"before {pivot_date} have data. The after window is cut to "
            f"{days:,} days too, so that both windows count the same number of "
            f"days, and ends on {after.end}."
        )
    if (last - pivot_date).days + 1 == days:
        sentences.append(
            f"The data ends on {last} (the last date in the "
            f"{_tables_with(tables, last, 1)} table), so only {days:,} days from "
            f"{pivot_date} on have data. The before window is cut to {days:,} "
            f"days too, so that both windows count the same number of days, "
            f"and starts on {before.start}."
        )
    left_out = [Period(requested_before.start, before.start - _DAY)]
    left_out.append(Period(after.end + _DAY, requested_after.end))
    for period in left_out:
        sentences += _rows_dated_in(tables, period)
    sentences.append(_whole_window_hint(first, last, months, window))
    return " ".join(sentences)


def _tables_with(tables: Mapping[str, pl.DataFrame], day: date, end: int) -> str:
    """Name the tables whose first (``end`` 0) or last (``end`` 1) recorded
    date is ``day``."""
    names = []
    for table_type, frame in tables.items():
        with contextlib.suppress(EmptyDataError):
            if data_range({table_type: frame})[end] == day:
                names.append(TABLE_LABELS.get(table_type, table_type))
    return " and ".join(names)


def _rows_dated_in(tables: Mapping[str, pl.DataFrame], period: Period) -> list[str]:
    """Return a sentence for each table with rows recorded in ``period``, a
    stretch of days left out. An open deal's close date is an expected one
    and does not count."""
    if period.end < period.start:
        return []
    sentences = []
    for table_type, frame in tables.items():
        conditions = []
        for column in event_date_columns(table_type, frame):
            inside = period.contains(column)
            if column == "closed_at" and "status" in frame.columns:
                inside = inside & (pl.col("status") != "open").fill_null(True)
            conditions.append(inside)
        if not conditions:
            continue
        rows = frame.filter(pl.any_horizontal(conditions)).height
        if rows:
            label = TABLE_LABELS.get(table_type, table_type)
            pronoun = "it" if rows == 1 else "them"
            sentences.append(
                f"The {label} table has {count_noun(rows, 'row')} dated in the "
                f"days left out, {period.label()}, and the KPIs that count by "
                f"that date leave {pronoun} out."
            )
    return sentences


def _whole_window_hint(first: date, last: date, months: int, window: str) -> str:
    """Return a sentence with the compare dates that leave whole windows of
    ``months`` months inside the data from ``first`` to ``last``, or that
    no date does."""
    earliest = latest = None
    day = first + _DAY
    while day <= last:
        try:
            end = deadline_after(day, months)
        except InvalidSettingError:
            break
        # The window's end only moves later with the date.
        if end > last:
            break
        if (day - first).days >= (end - day).days + 1:
            earliest = earliest or day
            latest = day
        day += _DAY
    if earliest is None:
        return (
            f"The data does not cover two whole windows of {window}; choose a "
            "shorter window for whole months on both sides."
        )
    if earliest == latest:
        return f"For {window} on each side, compare around {earliest}."
    return (
        f"For {window} on each side, compare around a date from {earliest} to {latest}."
    )
