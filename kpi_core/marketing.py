"""Marketing KPIs: customer acquisition cost and revenue by campaign. The
customer lifetime value (``kpi_core.clv``) and the email-list growth rate
(``kpi_core.email_list``) are re-exported here.

Inputs are canonical tables (``kpi_core.schema``): orders, subscriptions,
deals, marketing spend, and a frame of new customers with customer_id,
acquired_at and optionally channel, as built by the ``new_customers_from_*``
functions. Money is summed in one currency (``kpi_core.money``).
"""

from __future__ import annotations

import polars as pl

from kpi_core.clv import CLV_VARIANTS, check_gross_margin, clv
from kpi_core.email_list import (
    email_events_from_audience,
    list_growth_rate,
    list_growth_series,
)
from kpi_core.errors import InvalidValueError, MissingColumnError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.marketing_data import (
    attribution_column,
    key_of,
    no_revenue_reason,
    revenue_rows,
    spend_dates,
    spend_in_period,
    undated_revenue_reason,
    won_deal,
)
from kpi_core.money import DEFAULT_CURRENCY, currency_codes
from kpi_core.period import Period
from kpi_core.results import KpiResult, is_missing_rate, not_available
from kpi_core.spend_coverage import coverage_warning
from kpi_core.subscription_data import is_snapshot, paying_starts

ALL_DATA = Period()
UNATTRIBUTED = "unattributed"
# The tables each marketing KPI is computed from. ``kpi_core.kpis.compute_kpis``
# leaves a KPI out when these are missing, and the page shows this reason.
TABLES_NEEDED = {
    "clv": "needs an orders or subscriptions table",
    "cac": (
        "needs a marketing spend table and new customers from a subscriptions "
        "or orders table, or from deals with an account column"
    ),
    "campaign_revenue": "needs an orders or deals table",
    "list_growth_rate": "needs an email list events table",
    "arr": "needs a subscriptions table",
}
# The event that makes a customer new, per table CAC takes customers from.
_ACQUISITION_EVENTS = {
    "orders": "first order",
    "subscriptions": "first subscription start",
    "deals": "first won deal",
}
_ACQUIRED_SCHEMA = {
    "customer_id": pl.String,
    "acquired_at": pl.Date,
    "channel": pl.String,
}

__all__ = [
    "CLV_VARIANTS",
    "cac",
    "cac_by_channel",
    "campaign_revenue",
    "campaign_table",
    "clv",
    "email_events_from_audience",
    "list_growth_rate",
    "list_growth_series",
    "new_customers_from_deals",
    "new_customers_from_orders",
    "new_customers_from_subscriptions",
]


def new_customers_from_orders(orders: pl.DataFrame) -> pl.DataFrame:
    """Return customer_id, acquired_at (date of the first order) and channel
    (of the first order: channel, else source, else campaign)."""
    _require(orders, ("customer_id", "ordered_at"), "orders")
    channel = attribution_column(orders, ("channel", "source", "campaign"))
    return _first_per_customer(
        orders, pl.col("customer_id"), pl.col("ordered_at"), channel
    )


def new_customers_from_subscriptions(subs: pl.DataFrame) -> pl.DataFrame:
    """Return customer_id, acquired_at (the first day a subscription of the
    customer pays) and an empty channel, which subscription exports do not
    carry. A customer list without start dates gives every customer an
    empty acquired_at.

    The subscriptions are those of ``subscription_data.paying_starts``. One
    that charges nothing, such as a free plan, or is still in its trial or
    unpaid acquires no customer, while a paused one does. With a trial end
    column, a subscription pays from the trial's end.
    """
    _require(subs, ("customer_id",), "subscriptions")
    if "started_at" not in subs.columns or is_snapshot(subs):
        started = pl.col("started_at") if "started_at" in subs.columns else pl.lit(None)
        return _first_per_customer(subs, pl.col("customer_id"), started, None)
    paying = paying_starts(subs)
    return _first_per_customer(
        paying, pl.col("customer_id"), pl.col("started_at"), None
    )


def new_customers_from_deals(deals: pl.DataFrame) -> pl.DataFrame:
    """Return each account's first won deal as customer_id (the account),
    acquired_at (its close date) and channel (its source)."""
    _require(deals, ("account", "closed_at"), "deals")
    won = deals.filter(won_deal(deals))
    source = "source" if "source" in deals.columns else None
    return _first_per_customer(won, pl.col("account"), pl.col("closed_at"), source)


def cac(
    spend: pl.DataFrame,
    new_customers: pl.DataFrame,
    period: Period = ALL_DATA,
    clv_value: float | None = None,
    *,
    monthly_revenue_per_customer: float | None = None,
    gross_margin: float = 100.0,
    customer_source: str | None = None,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute the customer acquisition cost: sales and marketing spend in
    the period / new customers acquired in the period, in the currency.

    ``spend``: amount with spent_at, or a reporting window period_start to
    period_end whose amount is shared out evenly over its days.
    ``new_customers``: customer_id and acquired_at. Rows without a date are
    left out of an explicit period and counted. ``extra`` adds clv_to_cac
    (with ``clv_value``) and payback_months = CAC / (monthly revenue per
    customer x gross margin), with ``monthly_revenue_per_customer``, and
    customer_source names the table the new customers come from, with
    ``customer_source``. ``warnings`` names the spans when the spend and the
    new customers do not cover the same months of the period
    (``kpi_core.spend_coverage``). No new customers, new customers none of
    whom has an acquisition date, or no spend recorded in the period is "not
    available", with a reason that names what is missing: the spend (with
    the dates its rows run over), the new customers of ``customer_source``,
    or both.
    """
    check_gross_margin(gross_margin)
    spent = spend_in_period(spend, period, currency, fx)
    acquired, acquired_excluded = acquired_in_period(new_customers, period)
    excluded = {**spent.excluded, **acquired_excluded}
    undated = _all_undated_reason(new_customers)
    if undated is not None:
        return not_available("cac", undated, excluded=excluded)
    customers = acquired["customer_id"].n_unique()
    if customers == 0 or spent.frame.is_empty():
        reason = _missing_cac_reason(
            spend, customers == 0, spent.frame.is_empty(), customer_source
        )
        return not_available("cac", reason, excluded=excluded)
    total = float(spent.frame["amount"].sum())
    value = total / customers
    extra: dict[str, object] = {
        **_cac_extra(value, clv_value, monthly_revenue_per_customer, gross_margin)
    }
    described = count_noun(customers, "new customer")
    (shown_total,) = format_inputs((total,), lambda spent: spent / customers, value, 2)
    if customer_source is not None:
        extra["customer_source"] = customer_source
        described += f" (from {customer_source})"
    warning = coverage_warning(spend, new_customers, period, currency, fx)
    return KpiResult(
        key="cac",
        status="ok",
        unit=spent.unit,
        value=value,
        numerator=total,
        denominator=customers,
        n=customers,
        formula=(
            f"{shown_total} {spent.unit} spend / {described} = "
            f"{format_number(value, 2)} {spent.unit} per new customer"
        ),
        excluded=excluded,
        extra=extra,
        warnings=(warning,) if warning else (),
    )


def cac_by_channel(
    spend: pl.DataFrame,
    new_customers: pl.DataFrame,
    period: Period = ALL_DATA,
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Return CAC per channel: channel, spend, new_customers and cac.

    Channels are matched ignoring case and surrounding spaces. cac is null
    where a channel has no spend rows or no new customers, because the cost
    per customer is then undefined. spend and cac are null in every row when
    a spend amount of the period is in a currency without an exchange rate.
    New customers without a channel are in the row "unattributed". The
    spend and customers are those of ``cac``, so its warning about the
    months they cover applies to every row. Raises MissingColumnError when
    the spend or the new customers have no channel column.
    """
    _require(spend, ("channel",), "marketing spend")
    _require(new_customers, ("channel",), "new customers")
    priced = True
    try:
        spent = spend_in_period(spend, period, currency, fx).frame
    except InvalidValueError as error:
        if not is_missing_rate(error):
            raise
        # Without the currency column the rows still give the channels, and
        # their sums, which mix currencies, are set to null below.
        unconverted = spend.drop("currency")
        spent = spend_in_period(unconverted, period, currency, fx).frame
        priced = False
    acquired, _ = acquired_in_period(new_customers, period)
    channel = label_or_unattributed(pl.col("channel"))
    costs = spent.group_by(key=key_of(channel)).agg(
        spend_label=channel.first(), spend=pl.col("amount").sum()
    )
    counts = acquired.group_by(key=key_of(channel)).agg(
        customer_label=channel.first(),
        new_customers=pl.col("customer_id").n_unique().cast(pl.Int64),
    )
    table = (
        costs.join(counts, on="key", how="full", coalesce=True)
        .select(
            channel=pl.coalesce("spend_label", "customer_label"),
            spend=pl.col("spend"),
            new_customers=pl.col("new_customers").fill_null(0),
            cac=pl.when(pl.col("new_customers") > 0).then(
                pl.col("spend") / pl.col("new_customers")
            ),
        )
        .sort("channel")
    )
    if not priced:
        table = table.with_columns(
            spend=pl.lit(None, pl.Float64), cac=pl.lit(None, pl.Float64)
        )
    return table


def campaign_revenue(
    orders_or_deals: pl.DataFrame,
    period: Period = ALL_DATA,
    spend: pl.DataFrame | None = None,
    *,
    by: str | None = None,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute revenue per campaign: the value is {campaign: amount}.

    Orders are counted by ordered_at; deals only when won, by closed_at.
    Revenue is attributed by ``by``, else the first of campaign, source and
    channel that has values. Rows without one go to "unattributed", so the
    amounts add up to all revenue (``extra["total"]``). With ``spend``,
    ``extra["roi"]`` = (revenue - cost) / cost x 100 per campaign whose
    cost is above zero, matching spend rows on the same column (else its
    campaign or channel). ``extra["roi_reason"]`` replaces it for spend
    that names no currency and is read in another one than the revenue,
    for spend in a currency without an exchange rate into the revenue's,
    and for spend none of whose campaigns is named in the revenue. No
    revenue rows in the period is "not available".
    """
    rows = revenue_rows(orders_or_deals, period, currency, fx)
    if rows.frame.is_empty():
        undated = None if period.is_all else undated_revenue_reason(orders_or_deals)
        return not_available(
            "campaign_revenue",
            undated or no_revenue_reason(orders_or_deals, period),
            excluded=rows.excluded,
        )
    if by is not None:
        _require(rows.frame, (by,), "orders or deals")
    column = by or _first_filled(rows.frame, ("campaign", "source", "channel"))
    per_campaign = _revenue_per_campaign(rows.frame, column)
    total = float(rows.frame["amount"].sum())
    source = "orders" if "ordered_at" in orders_or_deals.columns else "won deals"
    extra: dict[str, object] = {
        "total": total,
        "attributed_by": column or "none",
        "source": source,
    }
    if spend is not None:
        reason = _roi_currency_reason(spend, currency, rows.unit)
        if reason:
            extra["roi_reason"] = reason
        else:
            names = _revenue_names(orders_or_deals, column)
            try:
                roi = _roi(per_campaign, spend, column, period, rows.unit, fx, names)
            except InvalidValueError as error:
                if not is_missing_rate(error):
                    raise
                reason = _roi_rate_reason(spend, rows.unit, fx, source)
                if reason is None:
                    raise
                # The revenue needs no rate of the spend's currency, so it
                # is kept and only the return on cost is left out.
                roi = reason
            extra["roi" if isinstance(roi, dict) else "roi_reason"] = roi
    return KpiResult(
        key="campaign_revenue",
        status="ok",
        unit=rows.unit,
        value=dict(per_campaign.select("label", "amount").iter_rows()),
        n=rows.frame.height,
        formula=_campaign_summary(per_campaign, total, rows.unit),
        excluded=rows.excluded,
        extra=extra,
    )


def _roi_currency_reason(
    spend: pl.DataFrame, currency: str | None, revenue_unit: str
) -> str | None:
    """Say why the spend cannot be set against revenue in ``revenue_unit``:
    spend without a currency column is in the report currency, or EUR as
    for CAC, and no rate converts it. Return None when it can be."""
    if "currency" in spend.columns:
        return None
    spend_unit = currency or DEFAULT_CURRENCY
    if spend_unit == revenue_unit:
        return None
    return (
        f"the spend names no currency, so it is read as {spend_unit}, while the "
        f"revenue is in {revenue_unit}. If the spend is in {revenue_unit} too, "
        "upload it again on the Data page and choose that currency"
    )


def _roi_rate_reason(
    spend: pl.DataFrame, unit: str, fx: dict[str, float] | None, source: str
) -> str | None:
    """Say which currencies of the spend lack a rate into ``unit``, the
    currency of the revenue from ``source``, and how to give it. Return
    None when every currency of the spend has a rate."""
    rates = {code.strip().upper() for code in fx or {}}
    missing = [
        code for code in currency_codes(spend) if code != unit and code not in rates
    ]
    if not missing:
        return None
    return (
        f"the marketing spend has amounts in {' and '.join(missing)} and the "
        f"revenue of the {source} is in {unit}, with no exchange rate between "
        "them. "
        f"Give the value of 1 {missing[0]} in {unit} under Currencies in the "
        f"sidebar, or add --currency {unit} --fx {missing[0]}=<rate> on the "
        "command line"
    )


def _campaign_summary(per_campaign: pl.DataFrame, total: float, unit: str) -> str:
    """Count the campaigns with revenue and give the total, as in "2 campaigns
    with revenue, 40.00 EUR unattributed, total 540.00 EUR". The
    "unattributed" line is revenue without a campaign, not a campaign."""
    unattributed = per_campaign.filter(pl.col("label") == UNATTRIBUTED)
    named = per_campaign.height - unattributed.height
    campaigns = count_noun(named, "campaign") if named else "no campaign"
    parts = [f"{campaigns} with revenue"]
    if unattributed.height:
        amount = float(unattributed["amount"].sum())
        parts.append(f"{format_number(amount, 2)} {unit} {UNATTRIBUTED}")
    parts.append(f"total {format_number(total, 2)} {unit}")
    return ", ".join(parts)


def attribution_note(result: KpiResult) -> str | None:
    """Write which table an available ``campaign_revenue`` result took its
    revenue from, and which column its campaigns, or return None for an
    older result without a source and attributed by campaign."""
    column = result.extra.get("attributed_by")
    source = {
        "orders": "the orders table",
        "won deals": "the won deals of the deals table",
    }.get(str(result.extra.get("source")))
    sentences = []
    if source is not None:
        sentences.append(f"Revenue comes from {source}.")
    if column == "none":
        sentences.append(
            "No campaign, source or channel column is mapped or filled for the "
            "won deals or orders of this period, so all revenue is unattributed."
        )
    elif column not in (None, "campaign"):
        sentences.append(f"Revenue is attributed by the {column} column.")
    return " ".join(sentences) or None


def campaign_table(result: KpiResult) -> pl.DataFrame:
    """Return an available ``campaign_revenue`` result as the columns
    campaign, revenue and roi_percent, in the order of the result.

    roi_percent is null for a campaign without a cost, and in every row
    without a spend table. Campaigns with a cost but no revenue have an ROI
    of -100 %, so they get a row with a revenue of 0.
    """
    roi = result.extra.get("roi") or {}
    campaigns = list(result.value)
    campaigns += [name for name in roi if name not in result.value]
    return pl.DataFrame(
        {
            "campaign": campaigns,
            "revenue": [float(result.value.get(name, 0.0)) for name in campaigns],
            "roi_percent": [roi.get(name) for name in campaigns],
        },
        schema={
            "campaign": pl.String,
            "revenue": pl.Float64,
            "roi_percent": pl.Float64,
        },
    )


def _require(frame: pl.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"the {table} table has no {', '.join(missing)} column; map it in the "
            "column mapping",
            column=missing[0],
        )


def _first_per_customer(
    frame: pl.DataFrame, customer: pl.Expr, day: pl.Expr, channel: str | None
) -> pl.DataFrame:
    channel_expr = pl.col(channel) if channel else pl.lit(None, dtype=pl.String)
    rows = frame.select(
        customer_id=customer.cast(pl.String),
        acquired_at=day.cast(pl.Date),
        channel=channel_expr.cast(pl.String),
    ).filter(pl.col("customer_id").is_not_null())
    return (
        rows.sort("acquired_at", nulls_last=True, maintain_order=True)
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col("acquired_at").first(), pl.col("channel").first())
        .sort("customer_id")
        .cast(_ACQUIRED_SCHEMA)
    )


def acquired_in_period(
    new_customers: pl.DataFrame, period: Period
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Return the new customers that CAC counts in the period, with a channel
    column, and the undated ones left out of an explicit period, counted."""
    _require(new_customers, ("customer_id", "acquired_at"), "new customers")
    undated = new_customers["acquired_at"].null_count()
    inside = new_customers.filter(period.contains("acquired_at"))
    if "channel" not in inside.columns:
        inside = inside.with_columns(channel=pl.lit(None, dtype=pl.String))
    excluded = {} if period.is_all or not undated else {"no acquisition date": undated}
    return inside, excluded


def _all_undated_reason(new_customers: pl.DataFrame) -> str | None:
    """Return why CAC is not available when no new customer has an acquisition
    date, as in a customer list without dates. Such customers cannot be set
    against the spend of any period, not even of all data."""
    dated = new_customers["acquired_at"].drop_nulls().len()
    if new_customers.is_empty() or dated:
        return None
    if new_customers.height == 1:
        return (
            "the one customer has no acquisition date (first order, subscription "
            "start or won deal), so it cannot be set against the spend of a period"
        )
    return (
        f"none of the {new_customers.height:,} customers has an acquisition date "
        "(first order, subscription start or won deal), so they cannot be set "
        "against the spend of a period"
    )


def _missing_cac_reason(
    spend: pl.DataFrame,
    no_customers: bool,
    no_spend: bool,
    customer_source: str | None,
) -> str:
    """Name what CAC lacks in the period: the spend, the new customers of
    the table they come from, or both."""
    parts = []
    if no_spend:
        dates = spend_dates(spend)
        spread = f" (the spend rows run from {dates[0]} to {dates[1]})" if dates else ""
        parts.append(f"no marketing spend is recorded in this period{spread}")
    if no_customers and customer_source in _ACQUISITION_EVENTS:
        event = _ACQUISITION_EVENTS[customer_source]
        parts.append(
            f"the {customer_source} table has no customer whose {event} falls in "
            "this period"
        )
    elif no_customers:
        parts.append("no new customers in this period")
    return ", and ".join(parts)


def _cac_extra(
    value: float,
    clv_value: float | None,
    monthly_revenue: float | None,
    gross_margin: float,
) -> dict[str, float]:
    extra: dict[str, float] = {}
    if clv_value is not None and value > 0:
        extra["clv_to_cac"] = clv_value / value
    if monthly_revenue is not None and monthly_revenue > 0:
        extra["payback_months"] = value / (monthly_revenue * gross_margin / 100)
    return extra


def _first_filled(frame: pl.DataFrame, candidates: tuple[str, ...]) -> str | None:
    for name in candidates:
        if name in frame.columns and frame[name].null_count() < frame.height:
            return name
    return None


def _revenue_per_campaign(rows: pl.DataFrame, column: str | None) -> pl.DataFrame:
    """Return key, label and amount per campaign, largest amount first."""
    label = pl.lit(None, dtype=pl.String) if column is None else pl.col(column)
    label = label_or_unattributed(label)
    return (
        rows.group_by(key=key_of(label))
        .agg(label=label.first(), amount=pl.col("amount").sum())
        .sort("amount", "label", descending=[True, False])
    )


def label_or_unattributed(label: pl.Expr) -> pl.Expr:
    """Trim a campaign or channel label; an empty one becomes "unattributed"."""
    text = label.cast(pl.String).str.strip_chars()
    return (
        pl.when(text.is_null() | (text == ""))
        .then(pl.lit(UNATTRIBUTED))
        .otherwise(text)
    )


def _roi(
    per_campaign: pl.DataFrame,
    spend: pl.DataFrame,
    column: str | None,
    period: Period,
    unit: str,
    fx: dict[str, float] | None,
    revenue_names: pl.DataFrame | None = None,
) -> dict[str, float] | str:
    """Return the ROI per campaign with a cost in the period, or the reason
    there is none. ``revenue_names`` gives the label and key of every name
    in the whole revenue table. When no campaign of the whole spend table is
    among them, there is no ROI."""
    spend_column = column if column in spend.columns else None
    spend_column = spend_column or _first_filled(spend, ("campaign", "channel"))
    if spend_column is None:
        return {}
    costs = (
        spend_in_period(spend, period, unit, fx)
        .frame.group_by(key=key_of(pl.col(spend_column)))
        .agg(spend_label=pl.col(spend_column).first(), cost=pl.col("amount").sum())
        .filter(pl.col("key").is_not_null() & (pl.col("cost") > 0))
    )
    if not costs.is_empty() and revenue_names is not None:
        spent_names = spend.select(
            label=pl.col(spend_column), key=key_of(pl.col(spend_column))
        ).unique("key")
        if spent_names.join(revenue_names, on="key").is_empty():
            # Spend by campaign beside revenue by channel, say, shares no
            # name in any period, and every campaign would read -100 %.
            spent = _listed(spent_names["label"].drop_nulls())
            earned = _listed(revenue_names["label"]) if revenue_names.height else "none"
            return (
                f"no {spend_column} of the spend ({spent}) is a "
                f"{column or 'campaign'} of the revenue ({earned}), so no revenue "
                "can be set against a cost. Name the campaigns alike in both "
                "exports, or map a spend or revenue column that does on the "
                "Data page"
            )
    # A campaign with costs but no revenue has an ROI of -100 %.
    matched = costs.join(per_campaign, on="key", how="left").select(
        pl.coalesce("label", "spend_label"),
        roi=(pl.col("amount").fill_null(0.0) - pl.col("cost")) / pl.col("cost") * 100,
    )
    return dict(matched.sort("label").iter_rows())


def _revenue_names(frame: pl.DataFrame, column: str | None) -> pl.DataFrame:
    """Return the label and key of every name in ``column`` of the whole
    revenue table, in any period, or none without the column."""
    if column is None or column not in frame.columns:
        return pl.DataFrame(schema={"label": pl.String, "key": pl.String})
    names = frame.select(
        label=pl.col(column).cast(pl.String), key=key_of(pl.col(column))
    )
    return names.drop_nulls("key").unique("key")


def _listed(labels: pl.Series) -> str:
    """List up to three labels, quoted, and how many more there are."""
    shown = [f"“{label}”" for label in labels.sort().head(3).to_list()]
    more = labels.len() - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")
