"""Headers and number formats of the KPI tables shown with st.dataframe.

The headers come from ``kpi_core.column_labels``, as in the Excel report.
The values stay numbers, so a click on a header sorts them by value.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from kpi_core.column_labels import (
    COUNT,
    DATE,
    DAYS,
    HOURS,
    MONEY,
    PERCENT,
    SCORE,
    column_kind,
    column_label,
)

# Rates and shares carry "(%)" in their header, so they show one decimal.
_FORMATS = {
    PERCENT: "%.1f",
    DAYS: "%.1f",
    HOURS: "%.1f",
    MONEY: "%,.2f",
    COUNT: "localized",
    SCORE: "%.0f",
}


def table_columns(
    table: pl.DataFrame,
    unit: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    """Return the ``column_config`` of ``table``: each column's header, with
    ``unit`` as the currency of money columns, and the number format of its
    kind for number columns. ``headers`` replaces the header of a column."""
    config: dict = {}
    for name, dtype in table.schema.items():
        label = (headers or {}).get(name) or column_label(name, unit)
        number_format = _FORMATS.get(column_kind(name) or "")
        if dtype.is_numeric() and number_format:
            config[name] = st.column_config.NumberColumn(label, format=number_format)
        elif dtype.is_temporal() and column_kind(name) == DATE:
            # A period's start is a day, though some series carry a time.
            config[name] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        else:
            config[name] = label
    return config
