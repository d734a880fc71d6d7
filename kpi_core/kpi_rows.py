"""The rows behind a KPI, so a user who doubts a number can check it.

Each function returns the canonical rows that went into one KPI for a
period, with the file line in ``_line``, in the same selection the KPI
uses. KPIs without a row selection here return None.
"""

from __future__ import annotations

import polars as pl

from kpi_core.period import Period
from kpi_core.sales_tables import DECIDED, WON, cycle_days
from kpi_core.tickets import solved_tickets


def rows_behind(
    key: str, tables: dict[str, pl.DataFrame], period: Period
) -> pl.DataFrame | None:
    """Return the rows KPI ``key`` was computed from, or None."""
    deals = tables.get("deals")
    if deals is not None and key in _DEAL_ROWS:
        return _DEAL_ROWS[key](deals, period)
    if key in ("resolution_hours", "followups_per_ticket") and "tickets" in tables:
        solved, _excluded = solved_tickets(tables["tickets"], period)
        return solved
    if key == "nps" and "nps" in tables:
        responses = tables["nps"]
        if "responded_at" in responses.columns:
            return responses.filter(period.contains("responded_at"))
        return responses if period.is_all else responses.clear()
    return None


def _created(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(period.contains("created_at"))


def _decided(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(DECIDED & period.contains("closed_at"))


def _won(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(WON & period.contains("closed_at"))


def _won_with_cycle(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return _won(deals, period).with_columns(cycle_days().alias("cycle_days"))


_DEAL_ROWS = {
    "close_rate": _created,
    "win_rate": _decided,
    "average_deal_size": _won,
    "won_value": _won,
    "sales_cycle_days": _won_with_cycle,
}
