"""The Excel report's Marketing sheet tables: campaigns, CAC, ARR, email list."""

from __future__ import annotations

import polars as pl

from kpi_core.column_labels import MONEY, column_label
from kpi_core.email_list import list_growth_series
from kpi_core.excel_report import ReportChart, ReportTable
from kpi_core.kpis import KpiSettings, new_customers, revenue_table
from kpi_core.marketing import (
    TABLES_NEEDED,
    attribution_note,
    cac_by_channel,
    campaign_table,
)
from kpi_core.marketing_series import (
    arr_series,
    cac_series,
    cac_span,
    campaign_revenue_series,
)
from kpi_core.partial_periods import partial_periods
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
from kpi_core.subscriptions import arr_bridge

# Readable names of the ARR bridge steps of ``kpi_core.subscriptions``.
BRIDGE_LABELS = {
    "start": "Start ARR",
    "new": "New",
    "expansion": "Expansion",
    "contraction": "Contraction",
    "churned": "Churn",
    "reactivation": "Reactivation",
    "end": "End ARR",
}


def marketing_sheet_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    return {
        "Revenue by campaign": guarded(lambda: _campaign_table(kpis)),
        f"Revenue by campaign by {grain}": guarded(
            lambda: _campaign_series_table(tables, settings, grain, kpis)
        ),
        f"CAC by {grain}": guarded(
            lambda: _cac_series_table(tables, settings, grain, kpis)
        ),
        "Acquisition cost by channel": guarded(
            lambda: _cac_table(tables, settings, kpis)
        ),
        "ARR bridge": guarded(lambda: _arr_table(tables, settings, kpis)),
        f"ARR by {grain}": guarded(
            lambda: _arr_series_table(tables, settings, grain, kpis)
        ),
        f"Email list by {grain}": guarded(lambda: _list_table(tables, settings, grain)),
    }


def _needs(key: str) -> ReportTable:
    """Return the note for a table whose KPI ``key`` has no table to come from."""
    return ReportTable(note=f"Not available: {TABLES_NEEDED[key]}.")


def _campaign_table(kpis: dict[str, KpiResult]) -> ReportTable:
    result = kpis.get("campaign_revenue")
    if result is None:
        return _needs("campaign_revenue")
    if not result.available:
        return ReportTable(note=sentence(f"Not available: {result.reason}"))
    table = campaign_table(result)
    revenue = column_label("revenue", result.unit)
    charts = [ReportChart(revenue, ("revenue",))]
    notes = []
    if attribution := attribution_note(result):
        notes.append(attribution)
    if reason := result.extra.get("roi_reason"):
        notes.append(f"Return on campaign cost is not shown: {reason}.")
    if table["roi_percent"].is_not_null().any():
        charts.append(ReportChart("Return on campaign cost (%)", ("roi_percent",)))
    else:
        # Without a cost there is no return, only a column of blanks.
        table = table.drop("roi_percent")
        if "roi" in result.extra:
            notes.append(
                "Return on campaign cost is not shown. No campaign or channel of "
                "the marketing spend has a cost in this period, so there is no "
                "return to compute."
            )
    note = " ".join(notes) or None
    return ReportTable(table, {}, tuple(charts), note, unit=result.unit)


def _cac_table(
    tables: Tables, settings: KpiSettings, kpis: dict[str, KpiResult]
) -> ReportTable:
    spend = tables.get("spend")
    customers = new_customers(tables)
    if spend is None or customers is None:
        return _needs("cac")
    if "channel" not in spend.columns:
        return ReportTable(
            note=(
                "Not available: the marketing spend has no channel column. Map "
                "one on the Data page to see the cost per channel."
            )
        )
    table = cac_by_channel(
        spend,
        customers.frame,
        settings.period,
        currency=settings.currency,
        fx=settings.fx or None,
    )

    unit = unit_of(kpis.get("cac"), spend, settings)
    source = f"The new customers come from the {customers.source} table."
    money_note = blank_money_note(kpis.get("cac"), "The cost per channel")

    if money_note:
        return ReportTable(
            table.drop("spend", "cac"), note=f"{money_note} {source}", unit=unit
        )
    if table["cac"].is_null().all():
        note = (
            "No channel has both marketing spend and new customers in this "
            f"period, so there is no cost per customer to chart. {source}"
        )
        return ReportTable(table, note=note, unit=unit)
    chart = ReportChart(column_label("cac", unit), ("cac",))
    return ReportTable(table, {}, (chart,), source, unit=unit)


def _arr_table(
    tables: Tables, settings: KpiSettings, kpis: dict[str, KpiResult]
) -> ReportTable:
    subscriptions = tables.get("subscriptions")
    if subscriptions is None:
        return _needs("arr")
    bridge = arr_bridge(
        subscriptions,
        settings.period,
        currency=settings.currency,
        fx=settings.fx or None,
    )
    if bridge.is_empty():
        return ReportTable(
            note=(
                "The ARR bridge is not shown. It needs subscriptions with start "
                "dates, and a customer list without dates has none."
            )
        )

    unit = unit_of(kpis.get("arr"), subscriptions, settings)
    table = bridge.with_columns(pl.col("step").replace_strict(BRIDGE_LABELS))
    if not (bridge["amount"] != 0).any():
        # As on the page: a table of zeros beside an ARR that is not
        # available would read as an ARR of 0.
        note = (
            "The ARR bridge is not shown. No subscription brings recurring "
            "revenue in this period, so every step is 0."
        )
        return ReportTable(note=note)
    # A bar per step on one axis in the currency: start and end ARR, and the
    # changes between them below 0 where they take ARR away.
    chart = ReportChart(f"ARR bridge ({unit} per year)", ("signed_amount",))
    note = "Start ARR + the signed changes = end ARR."
    return ReportTable(table, {}, (chart,), note, unit=unit)


def _list_table(tables: Tables, settings: KpiSettings, grain: str) -> ReportTable:
    events = tables.get("email_events")
    if events is None:
        return _needs("list_growth_rate")
    variant = settings.variants.get("list_growth_rate", "with_cleaned")
    series = list_growth_series(events, settings.period, grain, variant)
    if series.is_empty():
        return ReportTable(note="No list events in this period.")
    partials = series_partials(series, grain, settings.period, events, "email_events")
    if series["growth_rate"].is_null().all():
        note = (
            f"List growth is not charted. No {grain} of this period starts with "
            "contacts on the list, so there is no growth rate. The table shows "
            "the counts."
        )
        return with_partial(ReportTable(series, note=note), partials)
    chart = ReportChart("List growth (%)", ("growth_rate",), "line")
    return with_partial(ReportTable(series, charts=(chart,)), partials)


def _campaign_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    """Return the revenue per period with one column per campaign, as the
    Marketing page stacks it."""
    result = kpis.get("campaign_revenue")
    if result is None:
        return _needs("campaign_revenue")
    if not result.available:
        return ReportTable(note=sentence(f"Not available: {result.reason}"))

    period = settings.period
    revenue = revenue_table(
        tables.get("orders"), tables.get("deals"), period, tables.get("spend")
    )
    series = campaign_revenue_series(
        revenue,
        period,
        grain,
        result.extra.get("attributed_by"),
        currency=settings.currency,
        fx=settings.fx or None,
    )
    if series.is_empty():
        return ReportTable(
            note=f"No order or won deal of this period has a date to place it "
            f"in a {grain}."
        )

    campaigns = series["campaign"].unique(maintain_order=True).to_list()
    # Columns are numbered, because a campaign may be named like another
    # column, and the headers name the campaigns.
    columns = {name: f"campaign {index}" for index, name in enumerate(campaigns)}
    wide = series.with_columns(pl.col("campaign").replace_strict(columns)).pivot(
        "campaign", index="period_start", values="revenue"
    )
    wide = wide.select("period_start", *columns.values())
    headers = {column: name for name, column in columns.items()}
    kinds = dict.fromkeys(columns.values(), MONEY)

    table_type = "orders" if "ordered_at" in revenue.columns else "deals"
    partials = series_partials(series, grain, period, revenue, table_type)
    chart = ReportChart(
        f"Revenue by campaign ({result.unit})", tuple(columns.values()), "line"
    )
    note = f"Revenue in {result.unit}; the columns of a row add up to its total."
    table = ReportTable(wide, headers, (chart,), note, unit=result.unit, kinds=kinds)
    return with_partial(table, partials)


def _cac_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    spend = tables.get("spend")
    customers = new_customers(tables)
    if spend is None or customers is None:
        return _needs("cac")
    result = kpis.get("cac")
    if money_note := blank_money_note(result, f"CAC by {grain}"):
        return ReportTable(note=money_note)

    series = cac_series(
        spend,
        customers.frame,
        settings.period,
        grain,
        currency=settings.currency,
        fx=settings.fx or None,
    )
    unit = unit_of(result, spend, settings)
    span = cac_span(spend, customers.frame)
    partials = partial_periods(series["period_start"], grain, settings.period, span)
    source = f"The new customers come from the {customers.source} table."
    if series["cac"].is_null().all():
        note = (
            f"No {grain} of this period has both marketing spend and new "
            f"customers, so there is no CAC to chart. {source}"
        )
        return with_partial(ReportTable(series, note=note, unit=unit), partials)
    chart = ReportChart(column_label("cac", unit), ("cac",), "line")
    note = f"A {grain} without new customers or spend has no CAC. {source}"
    table = ReportTable(series, {}, (chart,), note, unit=unit)
    return with_partial(table, partials)


def _arr_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    subscriptions = tables.get("subscriptions")
    if subscriptions is None:
        return _needs("arr")
    result = kpis.get("arr")
    if money_note := blank_money_note(result, f"ARR by {grain}"):
        return ReportTable(note=money_note)
    series = arr_series(
        subscriptions,
        settings.period,
        grain,
        currency=settings.currency,
        fx=settings.fx or None,
    )
    if series.is_empty():
        return ReportTable(
            note=(
                f"ARR by {grain} is not shown. It needs subscriptions with start "
                "dates, and a customer list without dates has none."
            )
        )
    unit = unit_of(result, subscriptions, settings)
    partials = series_partials(
        series, grain, settings.period, subscriptions, "subscriptions"
    )
    chart = ReportChart(column_label("arr", unit), ("arr",), "line")
    table = ReportTable(series, {"period_end": "ARR on"}, (chart,), unit=unit)
    return with_partial(table, partials, stock=True)
