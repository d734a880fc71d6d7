"""The tables behind each page's charts, for the Excel report.

Each sheet gets the tables its page shows, computed with the same kpi_core
functions and settings. A table the data cannot give is replaced by a line
of text with the reason, as the page shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

import polars as pl

from kpi_core.cac_ratios import CAC_RATIO_KEYS, cac_ratio_results
from kpi_core.churn import churn_series
from kpi_core.column_labels import DAYS, MONEY, PERCENT, column_label
from kpi_core.email_list import list_growth_series
from kpi_core.errors import InputError
from kpi_core.excel_report import ReportChart, ReportTable, build_excel_report
from kpi_core.followups import (
    followups_breakdown,
    followups_breakdown_note,
    followups_distribution,
)
from kpi_core.formatting import format_number
from kpi_core.kpi_names import kpi_name
from kpi_core.kpis import (
    PAGE_KPIS,
    VARIANTS,
    KpiSettings,
    compute_kpis,
    new_customers,
    revenue_table,
)
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
from kpi_core.money import DEFAULT_CURRENCY, currency_codes
from kpi_core.nps import nps_distribution, variant_gap
from kpi_core.partial_periods import (
    PartialPeriod,
    partial_periods,
    table_span,
    with_partial_column,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult, is_missing_rate, not_available
from kpi_core.sales_tables import (
    FIRST_CONTACT,
    pipeline_by_stage,
    sales_breakdown,
    sales_series,
    stage_table,
)
from kpi_core.schema import TABLES
from kpi_core.service import (
    RESOLUTION_VARIANTS,
    nps_series,
    resolution_breakdown,
    resolution_series,
)
from kpi_core.stages import stage_summary
from kpi_core.subscriptions import arr_bridge
from kpi_core.ticket_segments import ticket_segments
from kpi_core.tickets import describe_missing_solve_column

Tables = dict[str, pl.DataFrame]
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
        "Sales": _sales_tables(tables, settings, grain, kpis),
        "Marketing": _marketing_tables(tables, settings, grain, kpis),
        "Service": _service_tables(tables, settings, grain, kpis),
    }
    return {page: found for page, found in pages.items() if found}


def _guarded(build: Callable[[], ReportTable]) -> ReportTable:
    """Return ``build()``, or its error as the table's note, so one table
    the data cannot give leaves the rest of the report intact."""
    try:
        return build()
    except InputError as error:
        # A missing rate's detail names the rate. Other errors name the file and row.
        reason = error.detail if is_missing_rate(error) else str(error)
        return ReportTable(note=_sentence(f"Not available: {reason}"))


def _with_partial(
    table: ReportTable, partials: Mapping[date, PartialPeriod]
) -> ReportTable:
    """Add the column "Partial period" to a table by period when some of
    its periods are partial (see ``kpi_core.partial_periods``). Its cells
    name the days such a period covers, as in "2026-10-01 to 2026-11-30
    only", so they read without a note."""
    if table.frame is None or not partials:
        return table
    return replace(table, frame=with_partial_column(table.frame, partials))


def _series_partials(
    series: pl.DataFrame,
    grain: str,
    period: Period,
    frame: pl.DataFrame,
    table_type: str,
) -> dict[date, PartialPeriod]:
    """Return the partial periods of ``series``, whose data is ``frame``."""
    span = table_span(frame, table_type)
    return partial_periods(series["period_start"], grain, period, span)


def _sentence(text: str) -> str:
    """Return ``text`` with a capital first letter and a final full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def _money_unit(frame: pl.DataFrame, settings: KpiSettings) -> str:
    """Return the currency of the money figures of ``frame``: the report
    currency, else the only currency of its amounts, else EUR, as
    ``kpi_core.money.convert_amounts`` picks it."""
    if settings.currency and settings.currency.strip():
        return settings.currency.strip().upper()
    codes = currency_codes(frame)
    return codes[0] if len(codes) == 1 else DEFAULT_CURRENCY


def _unit_of(result: KpiResult | None, frame: pl.DataFrame, settings) -> str:
    if result is not None and result.available and result.unit:
        return result.unit
    return _money_unit(frame, settings)


def _money_note(result: KpiResult | None, subject: str) -> str | None:
    """Return why the money figures named by ``subject`` are blank when
    ``result`` lacks an exchange rate, else None."""
    if result is None or not result.rate_missing:
        return None
    verb = "are" if subject.endswith("s") else "is"
    return f"{subject} {verb} blank. {_sentence(result.reason)}"


# Sales


def _sales_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    deals = tables.get("deals")
    if deals is None:
        return {
            "Deals": ReportTable(
                note="No deals table. Upload a deals export on the Data page."
            )
        }
    money = {"currency": settings.currency, "fx": settings.fx or None}
    won_value = kpis.get("won_value")
    unit = _unit_of(won_value, deals, settings)
    money_note = _money_note(won_value, "The money figures")
    cycle_of = settings.variants.get("sales_cycle_days", "won")
    series = sales_series(deals, settings.period, grain, **money, cycle_of=cycle_of)
    partials = _series_partials(series, grain, settings.period, deals, "deals")
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
        found[name] = _with_partial(found[name], partials)
    found["Pipeline by stage"] = _guarded(
        lambda: _pipeline_table(deals, settings, unit, money_note)
    )
    found["Time in each stage"] = _guarded(
        lambda: _stage_table(tables.get("stage_history"), settings, kpis)
    )
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
            note=_sentence(f"Time in stage is not available: {result.reason}")
        )
    # The Sales page measures stays still open up to the latest stage change.
    as_of = history["entered_at"].max()
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


# Marketing


def _marketing_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    return {
        "Revenue by campaign": _guarded(lambda: _campaign_table(kpis)),
        f"Revenue by campaign by {grain}": _guarded(
            lambda: _campaign_series_table(tables, settings, grain, kpis)
        ),
        f"CAC by {grain}": _guarded(
            lambda: _cac_series_table(tables, settings, grain, kpis)
        ),
        "Acquisition cost by channel": _guarded(
            lambda: _cac_table(tables, settings, kpis)
        ),
        "ARR bridge": _guarded(lambda: _arr_table(tables, settings, kpis)),
        f"ARR by {grain}": _guarded(
            lambda: _arr_series_table(tables, settings, grain, kpis)
        ),
        f"Email list by {grain}": _guarded(
            lambda: _list_table(tables, settings, grain)
        ),
    }


def _needs(key: str) -> ReportTable:
    """Return the note for a table whose KPI ``key`` has no table to come from."""
    return ReportTable(note=f"Not available: {TABLES_NEEDED[key]}.")


def _campaign_table(kpis: dict[str, KpiResult]) -> ReportTable:
    result = kpis.get("campaign_revenue")
    if result is None:
        return _needs("campaign_revenue")
    if not result.available:
        return ReportTable(note=_sentence(f"Not available: {result.reason}"))
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

    unit = _unit_of(kpis.get("cac"), spend, settings)
    source = f"The new customers come from the {customers.source} table."
    money_note = _money_note(kpis.get("cac"), "The cost per channel")

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

    unit = _unit_of(kpis.get("arr"), subscriptions, settings)
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
    partials = _series_partials(series, grain, settings.period, events, "email_events")
    if series["growth_rate"].is_null().all():
        note = (
            f"List growth is not charted. No {grain} of this period starts with "
            "contacts on the list, so there is no growth rate. The table shows "
            "the counts."
        )
        return _with_partial(ReportTable(series, note=note), partials)
    chart = ReportChart("List growth (%)", ("growth_rate",), "line")
    return _with_partial(ReportTable(series, charts=(chart,)), partials)


def _campaign_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    """Return the revenue per period with one column per campaign, as the
    Marketing page stacks it."""
    result = kpis.get("campaign_revenue")
    if result is None:
        return _needs("campaign_revenue")
    if not result.available:
        return ReportTable(note=_sentence(f"Not available: {result.reason}"))

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
    partials = _series_partials(series, grain, period, revenue, table_type)
    chart = ReportChart(
        f"Revenue by campaign ({result.unit})", tuple(columns.values()), "line"
    )
    note = f"Revenue in {result.unit}; the columns of a row add up to its total."
    table = ReportTable(wide, headers, (chart,), note, unit=result.unit, kinds=kinds)
    return _with_partial(table, partials)


def _cac_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    spend = tables.get("spend")
    customers = new_customers(tables)
    if spend is None or customers is None:
        return _needs("cac")
    result = kpis.get("cac")
    if money_note := _money_note(result, f"CAC by {grain}"):
        return ReportTable(note=money_note)

    series = cac_series(
        spend,
        customers.frame,
        settings.period,
        grain,
        currency=settings.currency,
        fx=settings.fx or None,
    )
    unit = _unit_of(result, spend, settings)
    span = cac_span(spend, customers.frame)
    partials = partial_periods(series["period_start"], grain, settings.period, span)
    source = f"The new customers come from the {customers.source} table."
    if series["cac"].is_null().all():
        note = (
            f"No {grain} of this period has both marketing spend and new "
            f"customers, so there is no CAC to chart. {source}"
        )
        return _with_partial(ReportTable(series, note=note, unit=unit), partials)
    chart = ReportChart(column_label("cac", unit), ("cac",), "line")
    note = f"A {grain} without new customers or spend has no CAC. {source}"
    table = ReportTable(series, {}, (chart,), note, unit=unit)
    return _with_partial(table, partials)


def _arr_series_table(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> ReportTable:
    subscriptions = tables.get("subscriptions")
    if subscriptions is None:
        return _needs("arr")
    result = kpis.get("arr")
    if money_note := _money_note(result, f"ARR by {grain}"):
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
    unit = _unit_of(result, subscriptions, settings)
    partials = _series_partials(
        series, grain, settings.period, subscriptions, "subscriptions"
    )
    chart = ReportChart(column_label("arr", unit), ("arr",), "line")
    table = ReportTable(series, {"period_end": "ARR on"}, (chart,), unit=unit)
    return _with_partial(table, partials)


# Service


def _service_tables(
    tables: Tables, settings: KpiSettings, grain: str, kpis: dict[str, KpiResult]
) -> dict[str, ReportTable]:
    period = settings.period
    found: dict[str, ReportTable] = {}
    if "subscriptions" in tables:
        churn_variant = settings.variants.get("churn_rate", "customers")
        found[f"Churn by {grain}"] = _guarded(
            lambda: _churn_table(tables["subscriptions"], period, grain, churn_variant)
        )
    responses = tables.get("nps")
    if responses is not None:
        nps_variant = settings.variants.get("nps", "all")
        gap = variant_gap(responses, nps_variant)
        if gap is not None:
            found["NPS"] = ReportTable(
                note=_sentence(f"The NPS trend and scores are not shown: {gap}")
            )
        else:
            found[f"NPS by {grain}"] = _nps_series_table(
                responses, period, grain, nps_variant
            )
            found["NPS scores"] = _nps_scores_table(responses, period, nps_variant)
    tickets = tables.get("tickets")
    if tickets is not None:
        found |= _ticket_tables(
            tickets, tables.get("ticket_messages"), settings, grain, kpis
        )
    return found


def _ticket_tables(
    tickets: pl.DataFrame,
    messages: pl.DataFrame | None,
    settings: KpiSettings,
    grain: str,
    kpis: dict[str, KpiResult],
) -> dict[str, ReportTable]:
    """Return the time to resolution and follow-up tables, each followed by
    its breakdowns by the segment columns the tickets have.

    The report is the same whichever page it is downloaded from, so it
    breaks the tickets down by every segment the Service page offers, not
    only by the one chosen there. Without a solved ticket the breakdowns
    are left out, because the table above them gives the reason.
    """
    period = settings.period
    segments = ticket_segments(tickets)
    series = _resolution_table(tickets, settings, grain)
    found = {f"Resolution hours by {grain}": series}
    if series.frame is not None:
        for segment in segments:
            found[f"Resolution hours by {segment}"] = _guarded(
                lambda segment=segment: _resolution_segment_table(
                    tickets, settings, segment
                )
            )
    if "replies" not in tickets.columns and messages is None:
        return found

    result = kpis.get("followups_per_ticket")
    distribution = _guarded(lambda: _followups_table(tickets, period, messages, result))
    found["Follow-ups per ticket"] = distribution
    if distribution.frame is None:
        return found
    note = None if result is None else followups_breakdown_note(result)
    for segment in segments:
        found[f"Follow-ups per ticket by {segment}"] = _guarded(
            lambda segment=segment: _followups_segment_table(
                tickets, period, segment, messages, note
            )
        )
    return found


def _churn_table(
    subscriptions: pl.DataFrame, period: Period, grain: str, variant: str
) -> ReportTable:
    series = churn_series(subscriptions, period, grain, variant)
    partials = _series_partials(series, grain, period, subscriptions, "subscriptions")
    if series.is_empty():
        return ReportTable(
            note=(
                "No churn over time: the subscriptions have no start dates, as "
                "in a customer list without dates."
            )
        )
    headers = {} if variant == "customers" else {"churn_rate": "Revenue churn (%)"}
    if series["churn_rate"].is_null().all():
        note = (
            f"Churn by {grain} is not charted. No customer was active at the "
            f"start of any {grain} in this period, so there is no churn rate."
        )
        return _with_partial(ReportTable(series, headers, note=note), partials)
    title = "Churn" if variant == "customers" else "Revenue churn"
    chart = ReportChart(f"{title} by {grain} (%)", ("churn_rate",), "line")
    return _with_partial(ReportTable(series, headers, (chart,)), partials)


def _nps_series_table(
    responses: pl.DataFrame, period: Period, grain: str, variant: str
) -> ReportTable:
    if "responded_at" not in responses.columns:
        return ReportTable(
            note=(
                "The responses have no dates, so there is no trend. Map a date "
                "column to responded_at on the Data page to see one."
            )
        )
    series = nps_series(responses, period, grain, variant)
    series = series.select("period_start", "nps")
    if series.is_empty():
        return ReportTable(
            note="No response is dated in this period, so there is no trend."
        )
    chart = ReportChart(f"NPS by {grain}", ("nps",), "line")
    partials = _series_partials(series, grain, period, responses, "nps")
    return _with_partial(ReportTable(series, charts=(chart,)), partials)


def _nps_scores_table(
    responses: pl.DataFrame, period: Period, variant: str
) -> ReportTable:
    distribution = nps_distribution(responses, period, variant)
    if distribution["count"].sum() == 0:
        note = "Scores are not shown. No response falls into this period."
        undated = (
            "responded_at" not in responses.columns
            or responses["responded_at"].null_count() == responses.height
        )
        if undated:
            note = (
                "Scores are not shown. The responses have no dates, so none "
                "falls into this period; choose All data to see them."
            )
        return ReportTable(note=note)
    chart = ReportChart("Responses per score", ("count",))
    return ReportTable(distribution, charts=(chart,))


def _resolution_table(
    tickets: pl.DataFrame, settings: KpiSettings, grain: str
) -> ReportTable:
    variant = settings.variants.get("resolution_hours", "business")
    series = resolution_series(
        tickets, settings.period, grain, settings.working, variant
    )
    if series["mean_hours"].is_null().all():
        missing = describe_missing_solve_column(tickets, settings.period)
        if missing is not None:
            note = f"Time to resolution is not shown. {_sentence(missing)}"
            return ReportTable(note=note)
        when = "" if settings.period.is_all else " in this period"
        return ReportTable(
            note=(
                f"Time to resolution is not shown. No ticket was solved{when}. "
                "If the tickets have solve times, map that column to "
                "solved_at on the Data page."
            )
        )
    hours = RESOLUTION_VARIANTS[variant]
    headers = {"mean_hours": f"Mean {hours}", "median_hours": f"Median {hours}"}
    chart = ReportChart(
        f"Time to resolution by {grain} of solve ({hours})",
        ("mean_hours", "median_hours"),
        "line",
    )
    # The count beside each mean, so a month of 15 tickets reads apart from
    # one of 38.
    columns = ("period_start", "tickets", "mean_hours", "median_hours")
    table = ReportTable(series.select(columns), headers, (chart,))
    partials = _series_partials(series, grain, settings.period, tickets, "tickets")
    return _with_partial(table, partials)


def _followups_table(
    tickets: pl.DataFrame,
    period: Period,
    messages: pl.DataFrame | None,
    result: KpiResult | None,
) -> ReportTable:
    """Return the solved tickets per number of replies, or a note with the
    reason of the KPI ``result`` when it is not available, as the Service
    page shows it."""
    distribution = followups_distribution(tickets, period, messages)
    missing = describe_missing_solve_column(tickets, period)
    if missing is not None:
        note = f"Follow-ups per ticket are not shown. {_sentence(missing)}"
        return ReportTable(note=note)
    if result is not None and not result.available:
        note = f"Follow-ups per ticket are not shown. {_sentence(result.reason)}"
        return ReportTable(note=note)
    if distribution.is_empty():
        return ReportTable(note="No ticket with replies was solved in this period.")
    chart = ReportChart("Solved tickets per number of replies", ("tickets",))
    return ReportTable(distribution, charts=(chart,))


def _resolution_segment_table(
    tickets: pl.DataFrame, settings: KpiSettings, segment: str
) -> ReportTable:
    """Return the time to resolution per value of ``segment``, slowest
    first, as the Service page's breakdown shows it."""
    variant = settings.variants.get("resolution_hours", "business")
    table = resolution_breakdown(
        tickets, settings.period, segment, settings.working, variant
    )
    hours = RESOLUTION_VARIANTS[variant]
    headers = {"mean_hours": f"Mean {hours}", "median_hours": f"Median {hours}"}
    chart = ReportChart(f"Mean {hours} by {segment}", ("mean_hours",))
    note = "Solved tickets measured as for the time to resolution KPI."
    return ReportTable(table, headers, (chart,), note)


def _followups_segment_table(
    tickets: pl.DataFrame,
    period: Period,
    segment: str,
    messages: pl.DataFrame | None,
    note: str | None,
) -> ReportTable:
    """Return the follow-ups per ticket per value of ``segment``, most
    replies first, with ``note`` on the tickets it counts."""
    table = followups_breakdown(tickets, period, segment, messages)
    chart = ReportChart(f"Mean agent replies by {segment}", ("mean_replies",))
    return ReportTable(table, charts=(chart,), note=note)
