"""Every KPI the stored tables support, computed with one set of settings.

The CLI report, the Excel export and the tests that compare page and CLI all
call ``compute_kpis``, so a figure is computed the same way everywhere. A
KPI whose table is missing is left out; one whose table is present but
cannot give a value is "not available" with the reason. A money KPI whose
amounts need an exchange rate that the settings lack is "not available" with
``rate_missing`` set, and the other KPIs are still computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import polars as pl

from kpi_core.business_hours import WorkingTime
from kpi_core.cac_ratios import CAC_RATIO_KEYS, monthly_revenue_per_customer
from kpi_core.churn import churn_rate
from kpi_core.clv import clv
from kpi_core.customers_without_id import with_customers_without_id
from kpi_core.email_list import list_growth_rate
from kpi_core.marketing import (
    cac,
    campaign_revenue,
    new_customers_from_deals,
    new_customers_from_orders,
    new_customers_from_subscriptions,
)
from kpi_core.marketing_data import key_of, spend_dates
from kpi_core.period import Period
from kpi_core.results import KpiResult, money_kpi
from kpi_core.sales import sales_kpis
from kpi_core.service import service_kpis
from kpi_core.spend_repeats import spend_overlap
from kpi_core.stages import history_end, stage_duration_days
from kpi_core.subscriptions import arr, upsell_rate_subscriptions

# Report keys per page, in the order the cards and the Excel sheets use.
PAGE_KPIS: dict[str, tuple[str, ...]] = {
    "Sales": (
        "close_rate", "win_rate", "average_deal_size", "won_value",
        "sales_cycle_days", "upsell_rate", "stage_duration_days",
    ),
    "Marketing": (
        "clv", "cac", "campaign_revenue", "list_growth_rate", "arr",
    ),
    "Service": (
        "nps", "churn_rate", "resolution_hours", "followups_per_ticket",
    ),
}  # fmt: skip

VARIANTS: dict[str, tuple[str, ...]] = {
    "close_rate": ("cohort", "closed"),
    "sales_cycle_days": ("won", "closed"),
    "clv": ("purchases", "subscription"),
    "list_growth_rate": ("with_cleaned", "unsubscribes_only"),
    "nps": ("all", "latest_per_customer"),
    "churn_rate": ("customers", "revenue"),
    "resolution_hours": ("business", "calendar"),
}


@dataclass(frozen=True)
class KpiSettings:
    """Settings that change a KPI; the defaults match the app's."""

    period: Period = Period()
    currency: str | None = None
    fx: dict[str, float] = field(default_factory=dict)
    variants: dict[str, str] = field(default_factory=dict)
    working: WorkingTime = field(default_factory=WorkingTime)
    lifespan_years: float | None = None
    gross_margin: float = 100.0
    # The file's column of each ticket field, which the warnings name.
    ticket_columns: dict[str, str | None] = field(default_factory=dict)
    # The stored table or file name of each table type, which the warnings
    # name, such as a message log that contains none of the tickets.
    table_names: dict[str, str] = field(default_factory=dict)


def compute_kpis(
    tables: dict[str, pl.DataFrame], settings: KpiSettings
) -> dict[str, KpiResult]:
    """Compute every KPI that ``tables`` (table type to canonical frame)
    support, keyed by report key."""
    kpis: dict[str, KpiResult] = {}
    money = {"currency": settings.currency, "fx": settings.fx or None}
    deals = tables.get("deals")
    if deals is not None:
        kpis.update(
            sales_kpis(deals, settings.period, variants=settings.variants, **money)
        )
    if "stage_history" in tables:
        history = tables["stage_history"]
        kpis["stage_duration_days"] = stage_duration_days(
            history, settings.period, as_of=history_end(history)
        )
    kpis.update(_marketing_kpis(tables, settings, money, kpis.get("upsell_rate")))
    if {"tickets", "nps"} & tables.keys():
        kpis.update(
            service_kpis(
                tickets=tables.get("tickets"),
                responses=tables.get("nps"),
                messages=tables.get("ticket_messages"),
                period=settings.period,
                working=settings.working,
                variants=settings.variants,
                ticket_columns=settings.ticket_columns or None,
                table_names=settings.table_names or None,
            )
        )
    return kpis


def _marketing_kpis(
    tables: dict[str, pl.DataFrame],
    settings: KpiSettings,
    money: dict,
    deal_upsell: KpiResult | None,
) -> dict[str, KpiResult]:
    kpis: dict[str, KpiResult] = {}
    period = settings.period
    subs, orders = tables.get("subscriptions"), tables.get("orders")
    if subs is not None:
        kpis["arr"] = money_kpi("arr", lambda: arr(subs, period, **money))
        churn_variant = settings.variants.get("churn_rate", "customers")
        kpis["churn_rate"] = money_kpi(
            "churn_rate", lambda: churn_rate(subs, period, churn_variant, **money)
        )
        if deal_upsell is None or not deal_upsell.available:
            kpis["upsell_rate"] = upsell_rate_subscriptions(subs, period)
    if orders is not None or subs is not None:
        variant = settings.variants.get(
            "clv", "purchases" if orders is not None else "subscription"
        )
        kpis["clv"] = money_kpi(
            "clv",
            lambda: clv(
                orders,
                subs,
                period,
                settings.lifespan_years,
                settings.gross_margin,
                variant,
                **money,
            ),
        )
    acquired = new_customers(tables)
    if "spend" in tables and acquired is not None:
        found_clv = kpis["clv"] if "clv" in kpis and kpis["clv"].available else None
        value = found_clv.value if found_clv is not None else None
        kpis["cac"] = money_kpi(
            "cac",
            lambda: cac(
                tables["spend"],
                acquired.frame,
                period,
                value,
                monthly_revenue_per_customer=monthly_revenue_per_customer(found_clv),
                gross_margin=settings.gross_margin,
                customer_source=acquired.source,
                **money,
            ),
        )
        kpis["cac"] = _without_mixed_ratios(kpis["cac"], found_clv)
        kpis["cac"] = with_customers_without_id(
            kpis["cac"], tables[acquired.source], acquired.source, period
        )
        if found_clv is not None:
            clv_table = "orders" if variant == "purchases" else "subscriptions"
            kpis["cac"] = _with_ratio_tables(kpis["cac"], clv_table, acquired.source)
        shared = spend_overlap(tables["spend"], period)
        if shared and kpis["cac"].available:
            warnings = (*kpis["cac"].warnings, shared)
            kpis["cac"] = replace(kpis["cac"], warnings=warnings)
    revenue = revenue_table(orders, tables.get("deals"), period, tables.get("spend"))
    if revenue is not None:
        kpis["campaign_revenue"] = money_kpi(
            "campaign_revenue",
            lambda: campaign_revenue(revenue, period, tables.get("spend"), **money),
        )
    if "email_events" in tables:
        kpis["list_growth_rate"] = list_growth_rate(
            tables["email_events"],
            period,
            settings.variants.get("list_growth_rate", "with_cleaned"),
        )
    return kpis


def _with_ratio_tables(
    cac_result: KpiResult, clv_table: str, customer_table: str
) -> KpiResult:
    """Name the two tables behind CLV : CAC when the CLV and the CAC's new
    customers come from different ones, in ``extra["ratio_tables"]``."""
    if clv_table == customer_table or "clv_to_cac" not in cac_result.extra:
        return cac_result
    note = (
        f"CLV from the {clv_table}, CAC's new customers from the "
        f"{customer_table}, so the two describe different customers"
    )
    return replace(cac_result, extra={**cac_result.extra, "ratio_tables": note})


def _without_mixed_ratios(
    cac_result: KpiResult, clv_result: KpiResult | None
) -> KpiResult:
    """Drop CLV : CAC and the CAC payback from a CAC in another currency
    than the CLV, as with orders in USD and spend in EUR and no report
    currency, because such a ratio has no meaning."""
    if clv_result is None or not cac_result.available:
        return cac_result
    if cac_result.unit == clv_result.unit:
        return cac_result
    extra = {
        name: figure
        for name, figure in cac_result.extra.items()
        if name not in CAC_RATIO_KEYS
    }
    return replace(cac_result, extra=extra)


def revenue_table(
    orders: pl.DataFrame | None,
    deals: pl.DataFrame | None,
    period: Period,
    spend: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """Pick the table campaign revenue is taken from: orders, unless only
    the deals have revenue in the period (won deals by their close date),
    or both have and only the deals name one of the spend's campaigns or
    channels, as ``new_customers`` picks CAC's customers.

    An orders table of other years would otherwise hide the won deals of the
    period, which the Sales page shows.
    """
    if orders is None or deals is None:
        return orders if orders is not None else deals
    orders_earn = _has_revenue(orders, "ordered_at", period)
    deals_earn = _has_revenue(deals, "closed_at", period, won=True)
    if orders_earn and deals_earn and spend is not None:
        labels = _attribution_labels(spend)
        named_by_deals = labels & _attribution_labels(deals)
        if named_by_deals and not labels & _attribution_labels(orders):
            return deals
    if orders_earn:
        return orders
    return deals if deals_earn else orders


def _has_revenue(
    frame: pl.DataFrame, date_column: str, period: Period, *, won: bool = False
) -> bool:
    """Tell whether ``frame`` has rows with an amount dated in the period,
    only won ones with ``won``."""
    needed = {date_column, "amount", *({"status"} if won else set())}
    if not needed <= set(frame.columns):
        return False
    condition = period.contains(date_column) & pl.col("amount").is_not_null()
    if won:
        condition = condition & (pl.col("status") == "won")
    return not frame.filter(condition).is_empty()


@dataclass(frozen=True)
class NewCustomers:
    """First purchase per customer (customer_id, acquired_at, channel) and the
    table it was taken from: "subscriptions", "orders" or "deals"."""

    frame: pl.DataFrame
    source: str


def new_customers(tables: dict[str, pl.DataFrame]) -> NewCustomers | None:
    """Find each customer's first purchase in the table that suits the spend.

    With marketing spend, a table that names one of the spend's campaigns or
    channels comes first, because the spend paid for its customers. Among
    those, or when none does, the source is the table with the most
    customers acquired between the first and the last day of spend, so the
    spend of some years is not divided by customers won in other years.
    Without spend, or on a tie, subscriptions come before orders and orders
    before won deals.
    Returns None when no table can give new customers.
    """
    candidates = _customer_sources(tables)
    if not candidates:
        return None
    dates = spend_dates(tables["spend"]) if "spend" in tables else None
    if dates is None:
        return candidates[0]
    spend_labels = _attribution_labels(tables["spend"])
    inside = pl.col("acquired_at").is_between(*dates)

    def rank(found: NewCustomers) -> tuple[bool, int]:
        shared = spend_labels & _attribution_labels(tables[found.source])
        return bool(shared), found.frame.filter(inside).height

    # max() keeps the first of equal ranks, so the order above breaks ties.
    return max(candidates, key=rank)


def _attribution_labels(frame: pl.DataFrame) -> set[str]:
    """Return the campaign, channel and source labels of a table, as matching
    keys (trimmed, lower case)."""
    labels: set[str] = set()
    for column in ("campaign", "channel", "source"):
        if column in frame.columns:
            keys = frame.select(key_of(pl.col(column)).unique()).to_series()
            labels.update(key for key in keys.to_list() if key)
    return labels


def _customer_sources(tables: dict[str, pl.DataFrame]) -> list[NewCustomers]:
    builders = {
        "subscriptions": new_customers_from_subscriptions,
        "orders": new_customers_from_orders,
        "deals": new_customers_from_deals,
    }
    usable = {name: frame for name, frame in tables.items() if name in builders}
    if "deals" in usable and "account" not in usable["deals"].columns:
        del usable["deals"]
    return [
        NewCustomers(builders[name](usable[name]), name)
        for name in builders
        if name in usable
    ]
