"""The Data page's questions about the order of day and month in date
columns whose dates fit both orders."""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core.date_values import order_examples
from kpi_core.importing import FilePreview, date_order_hint
from kpi_core.mapping import Mapping
from kpi_core.schema import DATE
from kpi_core.values import detect_date_format
from pages.ui.markdown_escape import escape_markdown


def pick_date_orders(
    preview: FilePreview, mapping: Mapping, key: str
) -> dict[str, str]:
    """Ask for the order of each ambiguous date column.

    When the other date columns of the file settle on one order, a column
    whose every date fits both orders starts with that order chosen,
    because an export usually writes all its dates the same way. The
    question names the column the order came from.
    """
    upload_key = f"{key}:{preview.table}"
    columns = {
        field_name: column
        for field_name, column in mapping.used_columns().items()
        if mapping.schema.field(field_name).kind == DATE
    }
    found = {
        name: _date_order(upload_key, column, preview)
        for name, column in columns.items()
    }
    file_hint = date_order_hint({columns[name]: found[name] for name in columns})
    # The first column of each order, to name them when they disagree.
    settled: dict[str, str] = {}
    for name, column in columns.items():
        if found[name] in _ORDER_LABELS:
            settled.setdefault(found[name], column)
    orders: dict[str, str] = {}
    for field_name, column in columns.items():
        if found[field_name] != "ambiguous":
            continue
        values = preview.raw.frame[column]
        hint = file_hint
        if hint is not None and None not in order_examples(values):
            # A column that mixes both orders needs the user's own choice.
            hint = None
        question = _date_order_question(column, values, hint)
        if hint is None and len(settled) == 2 and question.endswith("Which is it?"):
            question += (
                f" The other date columns disagree: "
                f"{escape_markdown(repr(settled['dmy']))} is day first, "
                f"{escape_markdown(repr(settled['mdy']))} month first."
            )
        choice = st.radio(
            question,
            list(_ORDER_LABELS),
            index=None if hint is None else list(_ORDER_LABELS).index(hint[0]),
            format_func=_ORDER_LABELS.get,
            horizontal=True,
            key=f"{key}:order:{field_name}",
        )
        if choice is not None:
            orders[field_name] = choice
    return orders


_ORDER_LABELS = {"dmy": "day first (31/01)", "mdy": "month first (01/31)"}


def _date_order_question(
    column: str, values: pl.Series, hint: tuple[str, str] | None = None
) -> str:
    """Ask for the date order of an "ambiguous" column, saying whether its
    dates fit both orders or mix day-first and month-first dates, and which
    column's order was chosen for it (``hint``: the order and that column)."""
    name = escape_markdown(repr(column))
    day_first, month_first = order_examples(values)
    if day_first is None or month_first is None:
        question = f"Every date in {name} fits both orders. Which is it?"
        if hint is not None:
            order, other = hint
            label = _ORDER_LABELS[order].split(" (")[0]
            question += (
                f" The dates in {escape_markdown(repr(other))} are {label}, so "
                f"{label} is chosen; change it if this column differs."
            )
        return question
    return (
        f"{name} mixes day-first dates such as {escape_markdown(repr(day_first))} "
        f"and month-first dates such as {escape_markdown(repr(month_first))}, "
        "as many of each. Choose the order the export should use: the dates "
        "that fit only the other order are read as empty and listed, so "
        "correct them in the file and upload it again to use them."
    )


def undecided_dates(
    preview: FilePreview, mapping: Mapping, orders: dict[str, str], key: str
) -> str:
    """Name the ambiguous date columns the user has not decided yet."""
    waiting = [
        repr(column)
        for field_name, column in mapping.used_columns().items()
        if mapping.schema.field(field_name).kind == DATE
        and field_name not in orders
        and _date_order(f"{key}:{preview.table}", column, preview) == "ambiguous"
    ]
    return escape_markdown(", ".join(waiting))


@st.cache_resource(max_entries=64)
def _date_order(upload_key: str, column: str, _preview: FilePreview) -> str:
    """Return the ``DateFormat.order`` of a column of the upload, such as
    "dmy" or "ambiguous", computed once per upload, table type and column
    (``upload_key`` names the content, sheet and table type of ``_preview``)."""
    return detect_date_format(_preview.raw.frame[column]).order
