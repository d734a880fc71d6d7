"""Compute the Excel report: its KPIs, Settings sheet rows and the tables of each sheet.

Each sheet gets the tables its page shows, computed with the same kpi_core
functions and settings. A table the data cannot give is replaced by a line
of text with the reason, as the page shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from kpi_core.cac_ratios import CAC_RATIO_KEYS, cac_ratio_results
from kpi_core.errors import InputError
from kpi_core.excel_report import ReportTable, build_excel_report
from kpi_core.formatting import format_number
from kpi_core.kpi_names import kpi_name
from kpi_core.kpis import PAGE_KPIS, VARIANTS, KpiSettings, compute_kpis
from kpi_core.marketing import TABLES_NEEDED
from kpi_core.report_marketing_tables import marketing_sheet_tables
from kpi_core.report_sales_tables import sales_sheet_tables
from kpi_core.report_service_tables import service_sheet_tables
from kpi_core.report_table_common import Tables
from kpi_core.results import KpiResult, not_available
from kpi_core.schema import TABLES


def excel_report_bytes(
    tables: dict[str, pl.DataFrame],
    settings: KpiSettings,
    grain: str = "month",
    *,
    sources: dict[str, tuple[str, int]] | None = None,
) -> bytes:
    """Compute every KPI the tables support with ``settings`` and return the
    Excel report.

    ``sources`` maps a table type to the name and row count of the stored
    table in ``tables``. The report's Settings sheet lists them with the
    period, grain, report currency, exchange rates, variants, working time,
    CLV lifespan and gross margin, so a reader can check every figure.
    """
    recorded = {
        "grain": grain,
        "currency": settings.currency,
        "fx": settings.fx,
        "choices": settings_rows(settings),
        "sources": source_rows(sources or {}),
    }
    label = settings.period.label()
    try:
        kpis = compute_kpis(tables, settings)
        recorded["choices"] = settings_rows(settings, kpis)
    except InputError as error:
        # A download cannot show a message, so the workbook carries it.
        failed = not_available("report", f"the report could not be computed: {error}")
        return build_excel_report(
            "CRM KPIs", label, {"Error": [failed]}, {}, **recorded
        )
    # As on the Marketing page, a KPI without its table is listed with the
    # table it needs.
    found = {key: not_available(key, reason) for key, reason in TABLES_NEEDED.items()}
    found |= kpis
    ratios = cac_ratio_results(found["clv"], found["cac"], settings.gross_margin)
    found |= {result.key: result for result in ratios}
    pages = {
        page: [found[key] for key in _sheet_keys(keys) if key in found]
        for page, keys in PAGE_KPIS.items()
    }
    return build_excel_report(
        "CRM KPIs",
        label,
        pages,
        page_tables(tables, settings, grain, kpis),
        **recorded,
    )


def _sheet_keys(keys: tuple[str, ...]) -> list[str]:
    """Return the KPI keys of a sheet with CLV : CAC and the CAC payback
    after CAC, where the Marketing page shows them under the CAC card."""
    listed = []
    for key in keys:
        listed.append(key)
        if key == "cac":
            listed += CAC_RATIO_KEYS
    return listed


def settings_rows(
    settings: KpiSettings, kpis: dict[str, KpiResult] | None = None
) -> list[tuple[str, str]]:
    """Describe the settings that change a KPI besides the period and money,
    as (name, value) rows for the Settings sheet, with the variant of each
    KPI in ``kpis``, the computed results."""
    lifespan = settings.lifespan_years
    return [
        *_variant_rows(settings, kpis),
        ("Working time", settings.working.label()),
        (
            "CLV lifespan",
            f"{format_number(lifespan, 2)} years, entered"
            if lifespan
            else "from the data",
        ),
        (
            "Gross margin (subscription CLV)",
            f"{settings.gross_margin:g} %",
        ),
    ]


def _variant_rows(
    settings: KpiSettings, kpis: dict[str, KpiResult] | None
) -> list[tuple[str, str]]:
    """Name the variant in use of every KPI that has variants.

    A page passes only its own variant choices, so the KPIs of the other
    pages use their defaults. Without ``kpis`` (the computation failed) each
    row names the chosen variant or "default".
    """
    rows = []
    for key in VARIANTS:
        chosen = settings.variants.get(key)
        origin = "default" if chosen is None else "chosen on the page"
        result = None if kpis is None else kpis.get(key)
        if kpis is None:
            value = f"{chosen or 'default'} ({origin})"
        elif result is None or not result.available:
            value = "none, because the KPI has no figure"
        else:
            value = f"{result.variant or chosen or 'default'} ({origin})"
        rows.append((f"Variant of {kpi_name(key)}", value))
    return rows


def source_rows(
    sources: Mapping[str, tuple[str, int]],
) -> list[tuple[str, str, int]]:
    """Return (table label, stored name, rows) in the order of ``TABLES``."""
    return [
        (spec.label, *sources[table_type])
        for table_type, spec in TABLES.items()
        if table_type in sources
    ]


def page_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, dict[str, ReportTable]]:
    """Return the named tables of each page sheet, in the order of the page."""
    pages = {
        "Sales": sales_sheet_tables(tables, settings, grain, kpis),
        "Marketing": marketing_sheet_tables(tables, settings, grain, kpis),
        "Service": service_sheet_tables(tables, settings, grain, kpis),
    }
    return {page: found for page, found in pages.items() if found}
