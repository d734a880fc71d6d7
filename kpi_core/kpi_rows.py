"""The rows behind a KPI, so a user who doubts a number can check it.

Each function returns the canonical rows that went into one KPI for a
period, with the file line in ``_line``, in the same selection the KPI
uses. KPIs without a row selection here return None.
"""

from __future__ import annotations

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.followups import counted_tickets
from kpi_core.nps import counted_responses
from kpi_core.period import Period
from kpi_core.sales_tables import DECIDED, WON, cycle_days
from kpi_core.service import resolution_rows


def rows_behind(
    key: str,
    tables: dict[str, pl.DataFrame],
    period: Period,
    variants: dict[str, str] | None = None,
    working: WorkingTime | None = None,
) -> pl.DataFrame | None:
    """Return the rows KPI ``key`` was computed from, or None.

    ``variants`` takes the same "close_rate" and "sales_cycle_days" variants
    as ``sales_kpis``, and the "nps" and "resolution_hours" variants, so the
    row count is the KPI's n. The rows of the time to resolution add each
    ticket's hours as measured with ``working`` (default: ``WorkingTime()``)
    in ``business_hours`` or ``calendar_hours``.
    """
    deals = tables.get("deals")
    chosen = variants or {}
    if deals is not None and key == "close_rate" and chosen.get(key) == "closed":
        return _decided(deals, period)
    if deals is not None and key == "sales_cycle_days":
        return _with_cycle(deals, period, chosen.get(key, "won"))
    if deals is not None and key in _DEAL_ROWS:
        return _DEAL_ROWS[key](deals, period)
    if key == "resolution_hours" and "tickets" in tables:
        variant = chosen.get(key, "business")
        return resolution_rows(
            tables["tickets"], period, working or WorkingTime(), variant
        )
    if key == "followups_per_ticket" and "tickets" in tables:
        messages = tables.get("ticket_messages")
        return counted_tickets(tables["tickets"], period, messages)
    if key == "nps" and "nps" in tables:
        return counted_responses(tables["nps"], period, chosen.get(key, "all"))
    return None


def _created(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(period.contains("created_at"))


def _decided(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(DECIDED & period.contains("closed_at"))


def _won(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    return deals.filter(WON & period.contains("closed_at"))


def _won_with_amount(deals: pl.DataFrame, period: Period) -> pl.DataFrame:
    # A won deal without an amount is left out of the money KPIs and counted.
    return _won(deals, period).filter(pl.col("amount").is_not_null())


def _with_cycle(deals: pl.DataFrame, period: Period, variant: str) -> pl.DataFrame:
    """Return the won (or, for variant "closed", won and lost) deals closed
    in the period with their cycle_days, leaving out the deals that
    ``sales_cycle_days`` leaves out: a missing date or a close before the
    start (the first contact, else the creation)."""
    closed = _won(deals, period) if variant == "won" else _decided(deals, period)
    with_days = closed.with_columns(cycle_days(closed.columns))
    return with_days.filter(pl.col("cycle_days") >= 0)


_DEAL_ROWS = {
    "close_rate": _created,
    "win_rate": _decided,
    "average_deal_size": _won_with_amount,
    "won_value": _won_with_amount,
}
