"""The tables behind each page's charts, for the Excel report."""

from __future__ import annotations

import polars as pl

from kpi_core.errors import InputError
from kpi_core.excel_report import build_excel_report
from kpi_core.kpis import PAGE_KPIS, KpiSettings, compute_kpis
from kpi_core.period import Period
from kpi_core.results import not_available
from kpi_core.sales_tables import sales_breakdown, sales_series
from kpi_core.schema import TABLES
from kpi_core.service import nps_series, resolution_series


def excel_report_bytes(
    tables: dict[str, pl.DataFrame],
    period: Period,
    grain: str = "month",
    currency: str | None = None,
    fx: dict[str, float] | None = None,
    *,
    sources: dict[str, tuple[str, int]] | None = None,
) -> bytes:
    """Compute every KPI the tables support and return the Excel report.

    ``currency`` and ``fx`` are the report currency and exchange rates, as
    in ``kpi_core.money.convert_amounts``. ``sources`` maps a table type to
    the name and row count of the stored table in ``tables``. The report's
    Settings sheet lists all of them with the period and grain.
    """
    settings = KpiSettings(period=period, currency=currency, fx=fx or {})
    recorded = {
        "grain": grain,
        "currency": currency,
        "fx": fx,
        "sources": _source_rows(sources or {}),
    }
    try:
        kpis = compute_kpis(tables, settings)
    except InputError as error:
        # A download cannot show a message, so the workbook carries it.
        failed = not_available("report", f"the report could not be computed: {error}")
        return build_excel_report(
            "CRM KPIs", period.label(), {"Error": [failed]}, {}, **recorded
        )
    pages = {
        page: [kpis[key] for key in keys if key in kpis]
        for page, keys in PAGE_KPIS.items()
    }
    return build_excel_report(
        "CRM KPIs",
        period.label(),
        pages,
        _page_tables(tables, settings, grain),
        **recorded,
    )


def _source_rows(sources: dict[str, tuple[str, int]]) -> list[tuple[str, str, int]]:
    """Return (table label, stored name, rows) in the order of ``TABLES``."""
    return [
        (spec.label, *sources[table_type])
        for table_type, spec in TABLES.items()
        if table_type in sources
    ]


def _page_tables(
    tables: dict[str, pl.DataFrame], settings: KpiSettings, grain: str
) -> dict[str, dict[str, pl.DataFrame]]:
    period = settings.period
    pages: dict[str, dict[str, pl.DataFrame]] = {}
    if "deals" in tables:
        deals = tables["deals"]
        money = {"currency": settings.currency, "fx": settings.fx or None}
        series = sales_series(deals, period, grain, **money)
        pages["Sales"] = {
            f"Rates by {grain}": series.select(
                "period_start", "close_rate", "win_rate"
            ),
            f"Won value by {grain}": series.select("period_start", "won_value"),
        }
        # The owner column is optional in a deals upload.
        if "owner" in deals.columns:
            pages["Sales"]["By owner"] = sales_breakdown(
                deals, period, "owner", **money
            ).select("owner", "won_value", "win_rate")
    service: dict[str, pl.DataFrame] = {}
    if "nps" in tables and "responded_at" in tables["nps"].columns:
        service[f"NPS by {grain}"] = nps_series(tables["nps"], period, grain).select(
            "period_start", "nps"
        )
    if "tickets" in tables:
        service[f"Resolution hours by {grain}"] = resolution_series(
            tables["tickets"], period, grain, settings.working
        ).select("period_start", "mean_hours", "median_hours")
    if service:
        pages["Service"] = service
    return pages
