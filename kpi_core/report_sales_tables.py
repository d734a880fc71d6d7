"""The Excel report's Sales sheet tables: rates, money, cycle, pipeline, owners."""

from __future__ import annotations

import polars as pl

from kpi_core.column_labels import DAYS, PERCENT, column_label
from kpi_core.excel_report import ReportChart, ReportTable
from kpi_core.kpis import KpiSettings
from kpi_core.report_table_common import (
    Tables,
    blank_money_note,
    guarded,
    sentence,
    series_partials,
    unit_of,
    with_partial,
)
from kpi_core.results import KpiResult
from kpi_core.sales_tables import (
    FIRST_CONTACT,
    pipeline_by_stage,
    sales_breakdown,
    sales_series,
    stage_table,
)
from kpi_core.stages import history_end, stage_summary


def sales_sheet_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    deals = tables.get("deals")
    stage_times = guarded(
        lambda: _stage_table(tables.get("stage_history"), settings, kpis)
    )
    if deals is None:
        found = {
            "Deals": ReportTable(
                note="No deals table. Upload a deals export on the Data page."
            )
        }
        # The time in each stage needs the stage history alone, as on the page.
        if "stage_history" in tables:
            found["Time in each stage"] = stage_times
        return found
    money = {"currency": settings.currency, "fx": settings.fx or None}
    won_value = kpis.get("won_value")
    unit = unit_of(won_value, deals, settings)
    money_note = blank_money_note(won_value, "The money figures")
    cycle_of = settings.variants.get("sales_cycle_days", "won")
    series = sales_series(deals, settings.period, grain, **money, cycle_of=cycle_of)
    partials = series_partials(series, grain, settings.period, deals, "deals")
    found = {
        f"Rates by {grain}": ReportTable(
            series.select("period_start", "close_rate", "win_rate"),
            # The series count the close rate by creation cohort, as the
            # page's chart does, whatever the variant of the KPI row.
            {"close_rate": "Close rate by creation (%)"},
            (
                ReportChart(
                    "Close rate by creation and win rate (%)",
                    ("close_rate", "win_rate"),
                    "line",
                ),
            ),
        ),
    }
    for column, name in (
        ("won_value", f"Won value by {grain}"),
        ("average_deal_size", f"Average deal size by {grain}"),
    ):
        header = column_label(column, unit)
        charts = () if money_note else (ReportChart(header, (column,), "line"),)
        found[name] = ReportTable(
            series.select("period_start", column), {}, charts, money_note, unit=unit
        )
    deals_of = "won and lost deals" if cycle_of == "closed" else "won deals"
    cycle_note = None
    if FIRST_CONTACT in deals.columns:
        cycle_note = (
            "Days from the first contact to the close where a deal has a "
            "first-contact date, else from the creation to the close."
        )
    found[f"Sales cycle of {deals_of} by {grain}"] = ReportTable(
        series.select("period_start", "cycle_mean_days", "cycle_median_days"),
        {
            "cycle_mean_days": f"Mean days ({deals_of})",
            "cycle_median_days": f"Median days ({deals_of})",
        },
        (
            ReportChart(
                f"Sales cycle of {deals_of} (days)",
                ("cycle_mean_days", "cycle_median_days"),
                "line",
            ),
        ),
        cycle_note,
    )
    for name in list(found):
        found[name] = with_partial(found[name], partials)
    found["Pipeline by stage"] = guarded(
        lambda: _pipeline_table(deals, settings, unit, money_note)
    )
    found["Time in each stage"] = stage_times
    # The owner column is optional in a deals upload.
    if "owner" in deals.columns:
        found["By owner"] = _owner_table(deals, settings, unit, money_note)
    return found


def _pipeline_table(
    deals: pl.DataFrame, settings: KpiSettings, unit: str, money_note: str | None
) -> ReportTable:
    pipeline = pipeline_by_stage(
        deals, settings.period, currency=settings.currency, fx=settings.fx or None
    )
    if pipeline.is_empty():
        return ReportTable(note="No deals fall into this period.")
    charts = [ReportChart("Deals created in the period, by stage", ("deals",))]
    if not money_note and pipeline["value"].is_not_null().any():
        charts.append(ReportChart(f"Value by stage ({unit})", ("value",)))
    return ReportTable(pipeline, {}, tuple(charts), money_note, unit=unit)


def _stage_table(
    history: pl.DataFrame | None, settings: KpiSettings, kpis: dict[str, KpiResult]
) -> ReportTable:
    result = kpis.get("stage_duration_days")
    if history is None or result is None:
        return ReportTable(
            note=(
                "Upload a stage history (one row per deal and stage change, or "
                "HubSpot's date-entered columns) to see the time per stage."
            )
        )
    if not result.available:
        return ReportTable(
            note=sentence(f"Time in stage is not available: {result.reason}")
        )
    # Deals still in a stage are measured up to the latest stage change, as
    # in the KPI row.
    as_of = history_end(history)
    table = stage_table(stage_summary(history, as_of, period=settings.period))
    return ReportTable(
        table,
        charts=(ReportChart("Median days in stage", ("Median days",)),),
        note=f"The bottleneck, the stage with the longest median, is "
        f"{result.extra.get('bottleneck')}.",
        # ``stage_table`` names its columns with their headers.
        kinds={
            "Mean days": DAYS,
            "Median days": DAYS,
            "Went on to a later stage (%)": PERCENT,
        },
    )


def _owner_table(
    deals: pl.DataFrame, settings: KpiSettings, unit: str, money_note: str | None
) -> ReportTable:
    table = sales_breakdown(
        deals,
        settings.period,
        "owner",
        currency=settings.currency,
        fx=settings.fx or None,
    ).select("owner", "won_value", "win_rate")
    # Money and percent get a chart each, because one axis cannot show both.
    charts = [ReportChart("Win rate by owner (%)", ("win_rate",))]
    if money_note:
        table = table.drop("won_value")
    else:
        charts.insert(0, ReportChart(f"Won value by owner ({unit})", ("won_value",)))
    return ReportTable(table, {}, tuple(charts), money_note, unit=unit)
