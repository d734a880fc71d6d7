"""Marketing page: customer lifetime value, acquisition cost, revenue by
campaign, email-list growth and ARR for the chosen period."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.clv import MAX_ENTERED_LIFESPAN_YEARS
from kpi_core.compare_periods import tables_before_data
from kpi_core.email_list import list_growth_series
from kpi_core.errors import InputError
from kpi_core.formatting import MISSING, count_noun, format_number
from kpi_core.kpis import KpiSettings, compute_kpis, new_customers
from kpi_core.marketing import (
    TABLES_NEEDED,
    attribution_note,
    cac_by_channel,
    campaign_table,
)
from kpi_core.partial_periods import (
    blank_empty_buckets,
    partial_note,
    partial_periods,
    table_span,
    with_partial_column,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult, is_missing_rate, not_available
from kpi_core.spend_tables import combine_spend
from kpi_core.subscriptions import arr_bridge
from kpi_core.workspace import TableEntry
from pages.ui.currencies import (
    RATE_NOTE_POINTER,
    default_currency_note,
    missing_rate_note,
    money_picker,
    show_rate_note,
    table_currencies_note,
    with_rate_note,
)
from pages.ui.downloads import chart_downloads, excel_download, show_chart
from pages.ui.kpi_cards import explain, kpi_row, without_unrecorded
from pages.ui.markdown_escape import escape_markdown
from pages.ui.marketing_trends import (
    render_arr_series,
    render_cac_series,
    render_campaign_series,
)
from pages.ui.navigation import data_page_hint, data_page_link, require_app_entry
from pages.ui.period_pickers import comparison_picker, grain_picker, period_picker
from pages.ui.share_link import share_controls
from pages.ui.shared_views import for_viewer, view_widget_options
from pages.ui.table_choice import chosen_table, newest_table, spend_entries
from pages.ui.table_columns import table_columns
from pages.ui.table_sources import show_table_sources
from pages.ui.url_params import check_url_number, url_radio
from pages.ui.workspace_access import entries_key, load_with_currency

TABLE_TYPES = ("subscriptions", "orders", "spend", "email_events", "deals")
# The tables each card may be computed from, for a comparison period that
# lies before all of them.
_KPI_TABLES = {
    "clv": ("orders", "subscriptions"),
    "cac": ("spend",),
    "list_growth_rate": ("email_events",),
    "arr": ("subscriptions",),
}
_LABELS = {
    "clv": "Customer lifetime value",
    "cac": "Customer acquisition cost",
    "list_growth_rate": "Email-list growth",
    "arr": "ARR",
}


def render() -> None:
    st.title("Marketing")
    st.write(
        "What a customer is worth, what it costs to win one, which campaigns "
        "bring revenue, how the email list grows, and the recurring revenue."
    )
    tables, tables_key, table_entries = _tables()
    if not tables:
        st.info(
            "No deals, subscriptions, orders, marketing spend or email list yet. "
            + data_page_hint(
                "Upload them on the Data page.",
                "Ask the sender of this link to upload them.",
            )
        )
        data_page_link()
        return
    period = period_picker(tables)
    grain = grain_picker(period)
    compare = comparison_picker(period)
    # CLV : CAC, the CAC payback and the return on campaign cost set one
    # table's money against another's, so a table without a currency code
    # counts as EUR beside tables in other currencies.
    money = money_picker(*table_entries, adds_tables=True)
    money_note = missing_rate_note(money, *table_entries, default_codes=True)
    share_controls("marketing", "Marketing")
    lifespan = st.sidebar.number_input(
        "Customer lifespan for CLV (years, 0 = from the data)",
        min_value=0.0,
        max_value=MAX_ENTERED_LIFESPAN_YEARS,
        step=0.5,
        **view_widget_options("marketing_lifespan", value=0.0),
        help="Used when the data cannot give a lifespan. 0 means: from the data.",
    )
    check_url_number(
        "marketing_lifespan", lifespan, low=0.0, high=MAX_ENTERED_LIFESPAN_YEARS
    )
    currency, fx = money
    settings = KpiSettings(
        period=period,
        currency=currency,
        fx=fx,
        lifespan_years=lifespan or None,
        variants=_variant_picker(has_orders=tables.get("orders") is not None),
    )
    excel_download(settings, grain)

    try:
        kpis = _marketing_figures(tables_key, settings, tables)
        previous = {}
        if compare is not None:
            compared = replace(settings, period=compare)
            previous = _marketing_figures(tables_key, compared, tables)
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    missing = [key for key in TABLES_NEEDED if key not in kpis]
    kpis = with_rate_note(_with_missing_tables(kpis), money_note)
    previous = with_rate_note(previous, money_note)

    show_table_sources(*table_entries, period=period)
    for currency_note in (
        table_currencies_note(*table_entries),
        default_currency_note(*table_entries),
    ):
        if currency_note is not None:
            st.caption(escape_markdown(currency_note))
    show_rate_note(money_note)
    if compare is not None:
        st.caption(f"Changes are against {compare.label()}.")
        unrecorded = tables_before_data(tables, _KPI_TABLES, compare)
        recorded_by = "their tables record dates"
        previous = without_unrecorded(
            previous, unrecorded, _LABELS, compare, recorded_by
        )
    _render_cards(kpis, previous)
    if missing:
        hint = data_page_hint(
            "Upload it on the Data page.", "The sender of this link can upload it."
        )
        st.caption(
            "KPIs marked 'needs ... table' are computed once that table is "
            f"stored. {hint}"
        )
        data_page_link()
    _render_campaigns(kpis)
    render_campaign_series(
        tables, tables_key, settings, grain, kpis.get("campaign_revenue")
    )
    cac_note = money_note if "cac" in kpis and kpis["cac"].rate_missing else None
    render_cac_series(tables, tables_key, settings, grain, kpis.get("cac"))
    _render_cac(tables, settings, cac_note, kpis.get("cac"))
    arr_unit = kpis["arr"].unit if kpis["arr"].available else None
    _render_arr(tables, settings, money_note, arr_unit)
    render_arr_series(tables, tables_key, settings, grain, kpis["arr"])
    _render_list_growth(tables, period, grain, settings.variants["list_growth_rate"])
    with st.expander("How is this calculated, and which rows were left out"):
        for key, label in {
            **_LABELS,
            "campaign_revenue": "Revenue by campaign",
        }.items():
            if key in kpis:
                explain(kpis[key], label)


@st.cache_data(max_entries=64, show_spinner=False)
def _marketing_figures(
    cache_key: str, settings: KpiSettings, _tables: dict[str, pl.DataFrame]
) -> dict[str, KpiResult]:
    """Compute the page's KPIs once per table versions and settings."""
    del cache_key
    return compute_kpis(_tables, settings)


def _with_missing_tables(kpis: dict[str, KpiResult]) -> dict[str, KpiResult]:
    """Add a "not available" result, naming the table it needs, for each
    marketing KPI that the stored tables cannot give."""
    missing = {
        key: not_available(key, reason)
        for key, reason in TABLES_NEEDED.items()
        if key not in kpis
    }
    return {**kpis, **missing}


def _variant_picker(*, has_orders: bool) -> dict[str, str]:
    """Show the variant choices. CLV starts from purchases when an orders
    table is stored, else from subscriptions, as the command line does."""
    with st.sidebar.expander("Variants"):
        clv = url_radio(
            "CLV from",
            {
                "purchases": "purchases x frequency x lifespan",
                "subscription": "revenue per account x margin / churn",
            },
            key="marketing_clv_variant",
            index=0 if has_orders else 1,
        )
        growth = url_radio(
            "List growth removals",
            {
                "with_cleaned": "unsubscribed and cleaned",
                "unsubscribes_only": "unsubscribed only",
            },
            key="marketing_growth_variant",
        )
    return {"clv": clv, "list_growth_rate": growth}


def _tables() -> tuple[dict[str, pl.DataFrame], str, list[TableEntry]]:
    """Load the tables the page uses, with a cache key of their versions and
    their catalog entries. A table without a currency code gets EUR, so a
    report currency other than EUR converts its amounts instead of taking
    them to be in that currency."""
    entries = {
        table_type: newest_table(table_type)
        if table_type != "deals"
        else chosen_table("deals")
        for table_type in TABLE_TYPES
        if table_type != "spend"
    }
    tables = {
        table_type: load_with_currency(entry)
        for table_type, entry in entries.items()
        if entry is not None
    }
    spend = spend_entries()
    if spend:
        tables["spend"] = combine_spend(
            {entry.name: load_with_currency(entry) for entry in spend}
        )
    used = [entry for entry in entries.values() if entry is not None] + spend
    return tables, entries_key(*used), used


def _render_cards(kpis: dict[str, KpiResult], previous: dict[str, KpiResult]) -> None:
    kpi_row(_LABELS, kpis, previous)
    notes = []
    if "clv" in kpis and kpis["clv"].available:
        notes.append(
            f"CLV lifespan: {kpis['clv'].extra.get('lifespan_source', 'n/a')}."
        )
    cac = kpis.get("cac")
    if cac is not None and cac.available:
        ratio = cac.extra.get("clv_to_cac")
        payback = cac.extra.get("payback_months")
        if ratio is not None:
            tables = cac.extra.get("ratio_tables")
            mixed = f" ({tables})" if tables else ""
            notes.append(f"CLV : CAC = {format_number(ratio, 1)}{mixed}.")
        if payback is not None:
            notes.append(f"CAC payback: {format_number(payback, 1)} months.")
    if notes:
        st.caption(" ".join(notes))


def _render_campaigns(kpis: dict[str, KpiResult]) -> None:
    result = kpis.get("campaign_revenue")
    if result is None:
        return
    st.subheader("Revenue by campaign")
    if result.rate_missing:
        reason = escape_markdown(for_viewer(result.reason))
        st.info(f"Revenue by campaign is not shown. {reason}")
        return
    if not result.available:
        st.info(f"Not available: {escape_markdown(for_viewer(result.reason))}.")
        return
    # None without a spend table.
    roi = result.extra.get("roi")
    table = campaign_table(result)
    left, right = st.columns(2)
    show_chart(
        left,
        charts.breakdown_bars(
            table, "campaign", "revenue", "Revenue", f"Revenue ({result.unit})"
        ),
    )
    if attribution := attribution_note(result):
        st.caption(attribution)
    campaigns = ("campaign", "campaigns")
    notes = [charts.breakdown_note(table, "campaign", "revenue", "Revenue", campaigns)]
    if reason := result.extra.get("roi_reason"):
        right.info(f"Return on campaign cost is not shown: {escape_markdown(reason)}.")
    if roi is not None and not charts.has_values(table, "roi_percent"):
        right.info(
            "Return on campaign cost is not shown. No campaign or channel of the "
            "marketing spend has a cost in this period, so there is no return "
            "to compute."
        )
    elif roi is not None:
        costed = table.drop_nulls("roi_percent")
        show_chart(
            right,
            charts.breakdown_bars(
                costed,
                "campaign",
                "roi_percent",
                "Return on campaign cost",
                "ROI (%)",
                keep=charts.BOTH_ENDS,
            ),
        )
        notes.append(
            charts.breakdown_note(
                costed,
                "campaign",
                "roi_percent",
                "Return on campaign cost",
                ("campaign with a cost", "campaigns with a cost"),
                keep=charts.BOTH_ENDS,
            )
        )
    notes = [note for note in notes if note]
    if notes:
        listed = count_noun(table.height, *campaigns)
        st.caption(f"{' '.join(notes)} The table below lists all {listed}.")
    # Without a cost there is no return to show, only a column of blanks.
    if not charts.has_values(table, "roi_percent"):
        table = table.drop("roi_percent")
    labels = table_columns(table, result.unit)
    st.dataframe(table, hide_index=True, column_config=labels, placeholder=MISSING)


def _render_cac(
    tables: dict[str, pl.DataFrame],
    settings: KpiSettings,
    money_note: str | None,
    total: KpiResult | None,
) -> None:
    """Show CAC per channel. With ``money_note`` (the spend needs a missing
    exchange rate) a pointer to that note replaces the chart, and the table
    shows the new customers only. A warning of the ``total`` CAC applies to the channels
    too, so a caption points to it."""
    spend = tables.get("spend")
    customers = new_customers(tables)
    if spend is None or customers is None or "channel" not in spend.columns:
        return
    st.subheader("Acquisition cost by channel")
    table = cac_by_channel(
        spend,
        customers.frame,
        settings.period,
        currency=settings.currency,
        fx=settings.fx or None,
    )
    # The channels' CAC is in the currency of the total CAC.
    unit = total.unit if total is not None and total.available else None
    priced = table.drop_nulls("cac")
    if money_note:
        st.info(f"The cost per channel is not shown. {RATE_NOTE_POINTER}")
        table = table.drop("spend", "cac")
    elif priced.is_empty():
        st.info(
            "No channel has both marketing spend and new customers in this "
            "period, so there is no cost per customer to chart. The new "
            f"customers come from the {customers.source} table."
        )
    else:
        show_chart(
            st,
            charts.breakdown_bars(
                priced,
                "channel",
                "cac",
                "CAC by channel",
                f"CAC ({unit or 'currency'} per new customer)",
                keep=charts.BOTH_ENDS,
                count=("new_customers", "New customers"),
            ),
        )
        channels = ("channel with new customers", "channels with new customers")
        note = charts.breakdown_note(
            priced, "channel", "cac", "CAC by channel", channels, keep=charts.BOTH_ENDS
        )
        if note:
            listed = count_noun(table.height, "channel")
            st.caption(f"{note} The table below lists all {listed}.")
    labels = table_columns(table, unit)
    st.dataframe(table, hide_index=True, column_config=labels, placeholder=MISSING)
    if total is not None and total.available and total.warnings:
        st.caption(
            "The spend and the new customers cover different months, as the "
            "warning under the cards says, so the cost per channel is off too."
        )


def _render_arr(
    tables: dict[str, pl.DataFrame],
    settings: KpiSettings,
    money_note: str | None,
    unit: str | None,
) -> None:
    if "subscriptions" not in tables:
        return
    st.subheader("ARR bridge")
    try:
        bridge = arr_bridge(
            tables["subscriptions"],
            settings.period,
            currency=settings.currency,
            fx=settings.fx or None,
        )
    except InputError as error:
        if money_note and is_missing_rate(error):
            st.info(f"The ARR bridge is not shown. {RATE_NOTE_POINTER}")
        else:
            st.info(escape_markdown(str(error)))
        return
    if bridge.is_empty():
        st.info(
            "The ARR bridge is not shown. It needs subscriptions with start "
            "dates, and a customer list without dates has none."
        )
        return
    if not (bridge["amount"] != 0).any():
        # As in the Excel report: a table of zeros under this note would
        # contradict it and read as an ARR of 0.
        st.info(
            "The ARR bridge is not shown. No subscription brings recurring "
            "revenue in this period, so every step is 0."
        )
        return
    show_chart(st, charts.waterfall(bridge, unit))
    labels = table_columns(bridge, unit)
    st.dataframe(bridge, hide_index=True, column_config=labels, placeholder=MISSING)


def _render_list_growth(
    tables: dict[str, pl.DataFrame], period: Period, grain: str, variant: str
) -> None:
    if "email_events" not in tables:
        return
    st.subheader("Email list")
    series = list_growth_series(tables["email_events"], period, grain, variant)
    if series.is_empty():
        st.info("No list events in this period.")
        return
    span = table_span(tables["email_events"], "email_events")
    partial = partial_periods(series["period_start"], grain, period, span)
    series = blank_empty_buckets(series, partial)
    if charts.has_values(series, "growth_rate"):
        show_chart(
            st,
            charts.rate_like_lines(
                series,
                {"growth_rate": "Growth rate"},
                "List growth",
                "Growth (%)",
                grain,
                partial,
            ),
        )
    else:
        st.info(
            f"List growth is not shown. No {grain} of this period starts with "
            "contacts on the list, so there is no growth rate. The table shows "
            "the counts."
        )
    if note := partial_note(partial):
        st.caption(note)
    table = with_partial_column(series, partial)
    labels = table_columns(table)
    st.dataframe(table, hide_index=True, column_config=labels, placeholder=MISSING)


require_app_entry("pages/marketing.py")
render()
chart_downloads("marketing")
