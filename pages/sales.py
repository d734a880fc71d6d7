"""Sales page: close rate, win rate, deal size, won value, sales cycle,
upsell rate and pipeline for the chosen period, over time and by segment."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from kpi_core import charts
from kpi_core.compare_periods import before_recorded
from kpi_core.errors import InputError
from kpi_core.formatting import MISSING, count_noun
from kpi_core.kpi_rows import rows_behind
from kpi_core.kpis import KpiSettings
from kpi_core.partial_periods import (
    blank_empty_buckets,
    partial_note,
    partial_periods,
    table_span,
)
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales import describe_cycle_starts, sales_kpis, upsell_customers
from kpi_core.sales_tables import (
    chart_gap,
    open_cohorts,
    open_cohorts_note,
    pipeline_by_stage,
    sales_breakdown,
    sales_series,
    stage_table,
    undated_deals_note,
)
from kpi_core.stages import (
    REENTERED_WITHOUT_TOTAL,
    STILL_IN_STAGE,
    deals_in_history,
    history_end,
    stage_duration_days,
    stage_summary,
)
from kpi_core.subscriptions import upsell_rate_subscriptions
from kpi_core.workspace import TableEntry
from pages.ui.currencies import (
    RATE_NOTE_POINTER,
    missing_rate_note,
    money_picker,
    show_rate_note,
    with_rate_note,
)
from pages.ui.downloads import chart_downloads, excel_download, show_chart
from pages.ui.kpi_cards import explain, kpi_row, without_unrecorded
from pages.ui.markdown_escape import escape_markdown
from pages.ui.navigation import data_page_hint, data_page_link, require_app_entry
from pages.ui.period_pickers import comparison_picker, grain_picker, period_picker
from pages.ui.share_link import share_controls
from pages.ui.shared_views import for_viewer
from pages.ui.table_choice import chosen_table, newest_table
from pages.ui.table_columns import table_columns
from pages.ui.table_sources import show_sample_note, table_sources
from pages.ui.url_params import check_url_option, url_radio
from pages.ui.workspace_access import load_entry, load_table

SEGMENTS = ["owner", "product", "account", "source", "deal_type", "pipeline"]
_LABELS = {
    "close_rate": "Close rate",
    "win_rate": "Win rate",
    "average_deal_size": "Average deal size",
    "won_value": "Won value",
    "sales_cycle_days": "Sales cycle (mean)",
    "upsell_rate": "Upsell rate",
}
# The variant text of the upsell rate by source, for "How is this calculated".
_UPSELL_SOURCES = {
    "deals": "customers with a won upsell deal / customers with a deal active "
    "in the period",
    "subscriptions": "customers with an expansion / customers with a "
    "subscription active in the period",
}


@st.cache_data(max_entries=64, show_spinner=False)
def _compute(
    cache_key: str,
    period: Period,
    grain: str,
    variants: tuple[tuple[str, str], ...],
    money: tuple[str | None, dict[str, float]],
    _deals: pl.DataFrame,
):
    """Compute every figure of the page once per table version and filter."""
    del cache_key
    currency, fx = money
    return (
        sales_kpis(_deals, period, variants=dict(variants), currency=currency, fx=fx),
        sales_series(
            _deals,
            period,
            grain,
            currency=currency,
            fx=fx,
            cycle_of=dict(variants).get("sales_cycle_days", "won"),
        ),
        pipeline_by_stage(_deals, period, currency=currency, fx=fx),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _breakdown(
    cache_key: str,
    period: Period,
    segment: str,
    money: tuple[str | None, dict[str, float]],
    _deals: pl.DataFrame,
):
    del cache_key
    currency, fx = money
    return sales_breakdown(_deals, period, segment, currency=currency, fx=fx)


def render() -> None:
    st.title("Sales")
    st.write(
        "How many deals you win, what they are worth and how long they take, "
        "for the period and grouping chosen in the sidebar."
    )
    entry = newest_table("deals")
    if entry is None:
        _render_without_deals()
        return
    deals = load_table(entry.id, entry.version)
    history_entry = newest_table("stage_history")
    history = load_entry(history_entry)
    period = period_picker({"deals": deals, "stage_history": history})
    grain = grain_picker(period)
    compare = comparison_picker(period)
    variants = _variant_picker()
    money = money_picker(entry)
    money_note = missing_rate_note(money, entry)
    share_controls("", "Sales")
    currency, fx = money
    report = KpiSettings(
        period=period, currency=currency, fx=fx, variants=dict(variants)
    )
    excel_download(report, grain)
    st.caption(f"{table_sources(entry)}, {period.label()}.")
    show_sample_note(entry, history_entry)
    try:
        kpis, series, pipeline = _compute(
            entry.cache_key, period, grain, variants, money, deals
        )
        previous = (
            _compute(entry.cache_key, compare, grain, variants, money, deals)[0]
            if compare
            else {}
        )
    except InputError as error:
        st.error(escape_markdown(str(error)))
        return
    upsell_source = _add_subscription_upsell(kpis, previous, period, compare)
    kpis = with_rate_note(kpis, money_note)
    previous = with_rate_note(previous, money_note)
    show_rate_note(money_note)
    if compare:
        st.caption(f"Changes are against {compare.label()}.")
        previous = _without_unrecorded(
            previous, deals, compare, dict(variants), upsell_source
        )
    _render_cards(kpis, previous, dict(variants))
    if "currency" not in deals.columns:
        st.caption(
            "The deals have no currency column, so amounts are shown as EUR. "
            + data_page_hint(
                "If they are in another currency, upload the file again on the "
                "Data page and choose its currency there.",
                "If they are in another currency, the sender of this link can set "
                "it on the Data page.",
            )
        )
    cycle_of = dict(variants).get("sales_cycle_days", "won")
    _render_trends(series, kpis, deals, period, grain, money_note, cycle_of)
    _render_pipeline(pipeline, money_note)
    _render_stages(period, history_entry, history, entry, deals)
    _render_breakdowns(deals, entry.cache_key, period, money, money_note)
    _render_explanations(kpis, deals, period, upsell_source, variants)


def _render_without_deals() -> None:
    """Show the sales figures that need no deals table: the upsell rate from
    the subscriptions, as the CLI and the Excel report do, and the time in
    each stage from a stage history. Without either table, point to the Data
    page."""
    entry = newest_table("subscriptions")
    history_entry = newest_table("stage_history")
    if entry is None and history_entry is None:
        st.info(
            "No deals table yet. "
            + data_page_hint(
                "Upload a deals export on the Data page.",
                "Ask the sender of this link to upload a deals export.",
            )
        )
        data_page_link()
        return
    subscriptions = load_entry(entry)
    history = load_entry(history_entry)
    period = period_picker({"subscriptions": subscriptions, "stage_history": history})
    grain = grain_picker(period)
    compare = comparison_picker(period)
    share_controls("", "Sales")
    excel_download(KpiSettings(period=period), grain)

    st.caption(f"{table_sources(entry, history_entry)}, {period.label()}.")
    show_sample_note(entry, history_entry)
    upsell = None
    if entry is not None and subscriptions is not None:
        upsell = _render_subscription_upsell(entry, subscriptions, period, compare)
        if upsell is None and history_entry is None:
            return
    if history_entry is not None:
        _render_stages(period, history_entry, history)

    _deals_needed_note(has_subscriptions=entry is not None)
    if upsell is not None:
        with st.expander("How is this calculated, and which rows were left out"):
            _explain_upsell(upsell, None, period, "subscriptions")


def _render_subscription_upsell(
    entry: TableEntry,
    subscriptions: pl.DataFrame,
    period: Period,
    compare: Period | None,
) -> KpiResult | None:
    """Show the upsell rate card from the subscriptions and return its
    result, or show the error and return None for unusable subscriptions."""
    try:
        current, earlier = _upsell_pair(entry, subscriptions, period, compare)
    except InputError as error:
        st.error(
            "The upsell rate cannot come from the subscriptions in "
            f"{escape_markdown(entry.name)}: {escape_markdown(str(error))}"
        )
        return None

    if compare:
        st.caption(f"Changes are against {compare.label()}.")
    previous = {"upsell_rate": earlier} if earlier is not None else {}
    kpi_row({"upsell_rate": _LABELS["upsell_rate"]}, {"upsell_rate": current}, previous)
    st.caption(
        "Upsell rate: customers with an expansion (a day in the period on "
        "which a paying customer's MRR rose, such as for an add-on or a more "
        "expensive plan, or a new subscription flagged as an upgrade) out of "
        "the customers with a subscription active in the period."
    )
    return current


def _deals_needed_note(has_subscriptions: bool) -> None:
    """Name the sales KPIs that need a deals table and point to the Data
    page. With ``has_subscriptions`` the upsell rate comes from the
    subscriptions, so the note leaves it out."""
    needed = (
        "Close rate, win rate, deal size, won value, sales cycle and the "
        "pipeline need a deals table. "
    )
    if not has_subscriptions:
        needed += "The upsell rate needs a deals or a subscriptions table. "
    st.info(
        needed
        + data_page_hint(
            "Upload a deals export on the Data page.",
            "Ask the sender of this link to upload a deals export.",
        )
    )
    data_page_link()


def _upsell_pair(
    entry: TableEntry,
    subscriptions: pl.DataFrame,
    period: Period,
    compare: Period | None,
) -> tuple[KpiResult, KpiResult | None]:
    """Return the subscription upsell rate of the period and of the
    comparison period, if any. Raises InputError for unusable subscriptions."""
    current = _subscription_upsell(entry.cache_key, period, subscriptions)
    if compare is None:
        return current, None
    return current, _subscription_upsell(entry.cache_key, compare, subscriptions)


def _add_subscription_upsell(
    kpis: dict[str, KpiResult],
    previous: dict[str, KpiResult],
    period: Period,
    compare: Period | None,
) -> str:
    """Replace a deal upsell rate that is not available with the one from the
    subscriptions, as ``kpi_core.kpis.compute_kpis`` does for the CLI and the
    Excel report. The comparison period uses the same source as the period.

    Returns the source used: "deals" or "subscriptions". When the
    subscriptions table is unusable, the deal result stays and a caption
    names the error, so the rest of the page is still shown.
    """
    if kpis["upsell_rate"].available:
        return "deals"
    entry = chosen_table("subscriptions")
    if entry is None:
        return "deals"
    name = escape_markdown(entry.name)
    subscriptions = load_table(entry.id, entry.version)
    try:
        current, earlier = _upsell_pair(entry, subscriptions, period, compare)
    except InputError as error:
        st.caption(
            f"The upsell rate cannot come from the subscriptions in {name}: "
            f"{escape_markdown(str(error))}"
        )
        return "deals"
    st.caption(
        f"The upsell rate comes from the subscriptions in {name}, because the "
        f"deals cannot give it: {escape_markdown(kpis['upsell_rate'].reason)}."
    )
    kpis["upsell_rate"] = current
    if earlier is not None:
        previous["upsell_rate"] = earlier
    return "subscriptions"


@st.cache_data(max_entries=64, show_spinner=False)
def _subscription_upsell(
    cache_key: str, period: Period, _subscriptions: pl.DataFrame
) -> KpiResult:
    del cache_key
    return upsell_rate_subscriptions(_subscriptions, period)


# Titles of the sales cycle chart per variant of the card.
_CYCLE_TITLES = {
    "won": "Sales cycle of won deals",
    "closed": "Sales cycle of won and lost deals",
}


def _segment_label(segment: str) -> str:
    return segment.replace("_", " ")


def _variant_picker() -> tuple[tuple[str, str], ...]:
    with st.sidebar.expander("Variants"):
        close_rate = url_radio(
            "Close rate counts",
            {"cohort": "won / deals created", "closed": "won / (won + lost) closed"},
            key="sales_close_rate_variant",
        )
        cycle = url_radio(
            "Sales cycle of",
            {"won": "won deals", "closed": "won and lost deals"},
            key="sales_cycle_variant",
        )
    return (("close_rate", close_rate), ("sales_cycle_days", cycle))


def _without_unrecorded(
    previous: dict[str, KpiResult],
    deals: pl.DataFrame,
    compare: Period,
    variants: dict[str, str],
    upsell_source: str,
) -> dict[str, KpiResult]:
    """Drop the changes against a comparison period that ends before the
    deals record the dates those KPIs count by, and name those KPIs in a
    caption. The upsell rate counts closed upsell deals when it comes from
    the deals."""
    by_close = "closed_at"
    close_rate = "created_at" if variants.get("close_rate") != "closed" else by_close
    columns = {
        "close_rate": close_rate,
        "win_rate": by_close,
        "average_deal_size": by_close,
        "won_value": by_close,
        "sales_cycle_days": by_close,
    }
    if upsell_source == "deals":
        columns["upsell_rate"] = by_close
    unrecorded = before_recorded(deals, columns, compare)
    recorded_by = "the deals record the dates they count by"
    return without_unrecorded(previous, unrecorded, _LABELS, compare, recorded_by)


def _render_cards(
    kpis: dict[str, KpiResult],
    previous: dict[str, KpiResult],
    variants: dict[str, str],
) -> None:
    kpi_row(_LABELS, kpis, previous)
    close_rate = {
        "cohort": "deals won out of the deals created in the period",
        "closed": "deals won out of the deals won or lost in the period",
    }[variants.get("close_rate", "cohort")]
    cycle = kpis["sales_cycle_days"]
    cycle_start = ""
    if cycle.available:
        starts = describe_cycle_starts(cycle.extra["measured_from"])
        cycle_start = f" Sales cycle: {starts}."
    st.caption(
        f"Close rate: {close_rate}. "
        "Win rate: won out of won and lost deals closed in the period. "
        "Upsell rate: customers who bought an upsell, expansion or add-on out "
        f"of the customers active in the period.{cycle_start}"
    )


def _render_trends(
    series: pl.DataFrame,
    kpis: dict[str, KpiResult],
    deals: pl.DataFrame,
    period: Period,
    grain: str,
    money_note: str | None,
    cycle_of: str,
) -> None:
    """Show the rates, money and cycle over time. With ``money_note`` (a
    missing exchange rate) it replaces the money charts. A chart with
    nothing to draw is replaced by the reason. Partial periods are marked
    and named under the charts. The cycle chart follows the card's variant,
    ``cycle_of``."""
    if series.is_empty():
        st.info("No deals fall into this period.")
        return
    money = kpis["won_value"].unit or "amount"
    starts = series["period_start"]
    partial = partial_periods(starts, grain, period, table_span(deals, "deals"))
    series = blank_empty_buckets(series, partial)

    def gap(column: str) -> str | None:
        reason = chart_gap(deals, period, series, column)
        return reason and for_viewer(reason)

    left, right = st.columns(2)
    rate_gaps = [reason for reason in (gap("close_rate"), gap("win_rate")) if reason]
    if len(rate_gaps) == 2:
        left.info(f"Close rate and win rate are not shown. {' '.join(rate_gaps)}")
    else:
        show_chart(
            left,
            charts.rate_over_time(
                series,
                {
                    "close_rate": "Close rate (by creation)",
                    "win_rate": "Win rate (by close)",
                },
                "Close rate and win rate",
                grain,
                partial,
            ),
        )
        for reason in rate_gaps:
            left.caption(reason)
        if note := open_cohorts_note(open_cohorts(deals, period, grain), grain):
            left.caption(note)

    def money_chart(where, column: str, title: str, axis_title: str) -> None:
        if money_note:
            _money_note(where, title)
        elif reason := gap(column):
            where.info(f"{title} is not shown. {reason}")
        else:
            chart = charts.value_over_time(
                series, column, title, axis_title, grain, partial
            )
            show_chart(where, chart)

    money_chart(right, "won_value", "Won value by close date", f"Won value ({money})")
    left, right = st.columns(2)
    money_chart(
        left, "average_deal_size", "Average deal size", f"Average won deal ({money})"
    )
    cycle_title = _CYCLE_TITLES[cycle_of]
    if reason := gap("cycle_mean_days"):
        right.info(f"{cycle_title} is not shown. {reason}")
    else:
        show_chart(right, charts.cycle_over_time(series, cycle_title, grain, partial))
    if note := partial_note(partial):
        st.caption(note)
    if note := undated_deals_note(deals, period):
        st.caption(note)


def _money_note(where, title: str) -> None:
    """Show in place of the money chart ``title`` that it needs the rate
    named in the page's ``show_rate_note``."""
    where.info(f"{title} is not shown. {RATE_NOTE_POINTER}")


def _render_pipeline(pipeline: pl.DataFrame, money_note: str | None) -> None:
    st.subheader("Pipeline by stage")
    if pipeline.is_empty():
        st.info("No deals fall into this period.")
        return
    left, right = st.columns(2)
    show_chart(left, charts.pipeline_bars(pipeline, "deals", "Deals (count)"))
    if money_note:
        _money_note(right, "The pipeline value")
    elif not charts.has_values(pipeline, "value"):
        right.info(
            "The pipeline value is not shown. No deal created in this period "
            "has an amount."
        )
    else:
        show_chart(
            right, charts.pipeline_bars(pipeline, "value", "Value (sum of amounts)")
        )
    without = int(pipeline["without_amount"].sum())
    if without:
        verb, counts = ("has", "counts") if without == 1 else ("have", "count")
        st.caption(
            f"{count_noun(without, 'deal')} {verb} no amount and {counts} in the "
            "deals, not the value."
        )


# Formats of the stage table's number columns, by header.
_STAGE_COLUMNS = {
    "Deals that reached it": st.column_config.NumberColumn(format="localized"),
    "Deals that left it": st.column_config.NumberColumn(format="localized"),
    "Mean days": st.column_config.NumberColumn(format="%.1f"),
    "Median days": st.column_config.NumberColumn(format="%.1f"),
    "Deals still in it": st.column_config.NumberColumn(format="localized"),
    "Went on to a later stage (%)": st.column_config.NumberColumn(format="%.1f"),
}


def _render_stages(
    period: Period,
    entry: TableEntry | None,
    history: pl.DataFrame | None,
    deals_entry: TableEntry | None = None,
    deals: pl.DataFrame | None = None,
) -> None:
    """Show the time in each stage. With the deals table in use, warn when
    the history contains none of its deals."""
    st.subheader("Time in each stage")
    if entry is None or history is None:
        st.info(
            "Upload a stage history (one row per deal and stage change, or "
            "HubSpot's date-entered columns) to see the time per stage."
        )
        return
    if deals_entry is not None and deals is not None:
        shared = _deals_in_history(
            entry.cache_key, deals_entry.cache_key, history, deals
        )
        if shared == 0:
            st.warning(
                f"The stage history {escape_markdown(repr(entry.name))} holds none "
                f"of the deals of {escape_markdown(repr(deals_entry.name))}, so its "
                "times describe other deals. Choose the stage history of these "
                "deals in the sidebar."
            )
    result, summary = _stage_figures(entry.cache_key, period, history)
    if not result.available:
        reason = escape_markdown(for_viewer(result.reason))
        st.info(f"Time in stage is not available: {reason}.")
        _show_stages_left_out(result, table_shown=False)
        return
    bottleneck = result.extra.get("bottleneck")
    st.caption(
        f"Stage changes from {escape_markdown(entry.name)}"
        f"{' (sample data)' if entry.is_sample else ''}. The bottleneck, the "
        f"stage with the longest median, is {escape_markdown(str(bottleneck))}. "
        "Deals still in a stage are counted apart and not mixed into the "
        "completed times."
    )
    for warning in result.warnings:
        st.warning(escape_markdown(for_viewer(warning)))
    left, right = st.columns(2)
    show_chart(left, charts.stage_durations(summary, bottleneck))
    show_chart(right, charts.stage_funnel(summary))
    st.dataframe(
        stage_table(summary),
        hide_index=True,
        column_config=_STAGE_COLUMNS,
        placeholder=MISSING,
    )
    st.caption(
        "Went on to a later stage: the share of the deals that reached the "
        "stage and later entered a further stage of the pipeline. A deal that "
        "was lost instead counts as not converted. A dash marks a value that "
        "does not exist, such as the time in a won or lost stage."
    )
    _show_stages_left_out(result, table_shown=True)


def _show_stages_left_out(result: KpiResult, table_shown: bool) -> None:
    """List what the time in each stage left out, per reason and in the
    reason's unit (rows, deals or stage times), as the Excel report does.

    A reason that the page already shows is skipped: the deals still in a
    stage are the stage table's "Deals still in it" column, and the stage
    times of re-entered deals are counted in the KPI's warning.
    """
    shown_elsewhere = {STILL_IN_STAGE} if table_shown else set()
    if result.warnings:
        shown_elsewhere.add(REENTERED_WITHOUT_TOTAL)
    for reason in result.excluded:
        if reason in shown_elsewhere:
            continue
        st.caption(
            f"{result.left_out(reason)} left out of the time in each stage: "
            f"{escape_markdown(reason)}."
        )


@st.cache_data(max_entries=32, show_spinner=False)
def _deals_in_history(
    history_key: str, deals_key: str, _history: pl.DataFrame, _deals: pl.DataFrame
) -> int | None:
    del history_key, deals_key
    return deals_in_history(_history, _deals)


@st.cache_data(max_entries=32, show_spinner=False)
def _stage_figures(cache_key: str, period: Period, _history: pl.DataFrame):
    del cache_key
    as_of = history_end(_history)
    return (
        stage_duration_days(_history, period, as_of=as_of),
        stage_summary(_history, as_of, period=period),
    )


def _render_breakdowns(
    deals: pl.DataFrame,
    cache_key: str,
    period: Period,
    money: tuple[str | None, dict[str, float]],
    money_note: str | None,
) -> None:
    """Show the KPIs per segment. With ``money_note`` (a missing exchange
    rate) it replaces the won value chart, and the table has no money
    columns."""
    present = [
        name
        for name in SEGMENTS
        if name in deals.columns and deals[name].null_count() < deals.height
    ]
    if not present:
        return
    st.subheader("By segment")
    segment = st.selectbox(
        "Break down by",
        present,
        format_func=_segment_label,
        key="segment",
        bind="query-params",
    )
    check_url_option("segment", segment, present, _segment_label)
    table = _breakdown(cache_key, period, segment, money, deals)

    def gap(column: str) -> str | None:
        reason = chart_gap(deals, period, table, column, by_close_date=False)
        return reason and for_viewer(reason)

    left, right = st.columns(2)
    noun = _segment_noun(segment)
    notes = []
    if money_note:
        _money_note(left, "Won value")
        table = table.drop("won_value", "average_deal_size")
    elif reason := gap("won_value"):
        left.info(f"Won value is not shown. {reason}")
    else:
        show_chart(
            left,
            charts.breakdown_bars(
                table,
                segment,
                "won_value",
                "Won value",
                "Won value",
                count=("won", "Won deals"),
            ),
        )
        notes.append(
            charts.breakdown_note(table, segment, "won_value", "Won value", noun)
        )
    if reason := gap("win_rate"):
        right.info(f"Win rate is not shown. {reason}")
    else:
        show_chart(
            right,
            charts.breakdown_bars(
                table,
                segment,
                "win_rate",
                "Win rate",
                "Win rate (%)",
                keep=charts.BOTH_ENDS,
                count=("decided", "Won or lost deals"),
            ),
        )
        notes.append(
            charts.breakdown_note(
                table, segment, "win_rate", "Win rate", noun, keep=charts.BOTH_ENDS
            )
        )
    notes = [note for note in notes if note]
    if notes:
        listed = count_noun(table.height, *noun)
        st.caption(f"{' '.join(notes)} The table below lists all {listed}.")
    st.dataframe(
        table,
        hide_index=True,
        column_config=table_columns(table),
        placeholder=MISSING,
    )


def _segment_noun(segment: str) -> tuple[str, str]:
    """Return the singular and plural of a segment, as in "deal type"."""
    singular = segment.replace("_", " ")
    return singular, f"{singular}s"


def _render_explanations(
    kpis: dict[str, KpiResult],
    deals: pl.DataFrame,
    period: Period,
    upsell_source: str,
    variants: tuple[tuple[str, str], ...],
) -> None:
    with st.expander("How is this calculated, and which rows were left out"):
        for key, label in _LABELS.items():
            if key == "upsell_rate":
                _explain_upsell(kpis[key], deals, period, upsell_source)
                continue
            rows = rows_behind(key, {"deals": deals}, period, dict(variants))
            explain(kpis[key], label, rows)


def _explain_upsell(
    result: KpiResult, deals: pl.DataFrame | None, period: Period, source: str
) -> None:
    """Explain the upsell rate, naming its source table. From deals, the
    rows behind it are the active customers, one per row, so their count is
    the card's n. ``deals`` may be None when the source is subscriptions."""
    if result.available and not result.variant:
        result = replace(result, variant=_UPSELL_SOURCES[source])
    customers = upsell_customers(deals, period) if source == "deals" else None
    explain(result, _LABELS["upsell_rate"], customers)


require_app_entry("pages/sales.py")
render()
chart_downloads("sales")
