"""The What if baseline: the levers read from the deals, subscriptions and spend."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from kpi_core.churn import churn_rate, churn_series
from kpi_core.errors import InvalidSettingError, InvalidValueError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.marketing_data import spend_in_period
from kpi_core.period import Period
from kpi_core.results import KpiResult
from kpi_core.sales import average_deal_size, close_rate, sales_cycle_days
from kpi_core.sales_tables import FIRST_CONTACT
from kpi_core.subscription_data import is_snapshot, prepare_dated
from kpi_core.subscriptions import monthly_recurring_revenue
from kpi_core.whatif import Levers
from kpi_core.whatif_formulas import format_two_decimals


def baseline_levers(
    tables: Mapping[str, pl.DataFrame],
    period: Period | Mapping[str, Period],
    *,
    with_money: bool = True,
) -> tuple[Levers, dict[str, str]]:
    """Read the levers from the data of bounded periods.

    ``period`` is one period for every table, or a period per table type,
    such as the windows of ``kpi_core.whatif_windows.baseline_windows``.
    From deals: deals created in the period / months in the period, the
    close rate, the average deal size and the mean sales cycle. From
    subscriptions: the annualised churn rate, ARPA and the paying customers
    at the period end, and the customers whose first paid subscription
    started in the period / months. From spend: the spend in the period /
    months. Won deals become subscribers only when there is no
    subscriptions table, because then the typed subscription inputs can
    only describe the business of the deals. Also returns a note per input
    saying how its value was calculated, over which period, or why it is
    missing.

    Without ``with_money`` the ``MONEY_INPUTS`` are left out, for tables
    whose amounts are in currencies without an exchange rate, and the
    inputs that count or time rows are still read. Paying customers are
    those whose MRR is above 0, so they and the new subscribers are left
    out too when the subscriptions alone mix currencies.

    Raises InvalidSettingError for a period without a start or end, or a
    table without a period.
    """
    # NOTE: deals created near the period end are often still open, so the
    # close rate of a recent period understates the rate they will reach.
    if isinstance(period, Period):
        _check_bounded(period)
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for table_type, reader in _READERS.items():
        if isinstance(period, Period):
            table_period = period
        elif table_type in tables:
            table_period = period.get(table_type, Period())
            _check_bounded(table_period, table_type)
        else:
            # The reader names the missing table and needs no period.
            table_period = Period()
        found = reader(tables, table_period, _days(table_period), with_money)
        for lever, (value, note) in found.items():
            values[lever] = value
            notes[lever] = note
    subscribe = "subscriptions" not in tables
    notes["deals_are_subscribers"] = (
        "there is no subscriptions table, so each won deal counts as a new subscriber"
        if subscribe
        else "the subscriptions table gives the new subscribers, so won deals "
        "are not counted as subscribers"
    )
    return Levers(**values, deals_are_subscribers=subscribe), notes


def _check_bounded(period: Period, table_type: str | None = None) -> None:
    if period.start is None or period.end is None:
        table = "" if table_type is None else f" of the {table_type} table"
        raise InvalidSettingError(
            f"the what-if baseline{table} needs a period with a start and an end"
        )


def _days(period: Period) -> int:
    """Return the days of a bounded period, both ends included, or 0."""
    if period.start is None or period.end is None:
        return 0
    return (period.end - period.start).days + 1


def _percent(value: float) -> str:
    return f"{format_number(value, 2)} %"


_Found = dict[str, tuple[float | None, str]]


# The note of a money input that ``baseline_levers`` leaves out.
_NO_RATE = "left out, because the amounts are in currencies without an exchange rate"


def _deal_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    deals = tables.get("deals")
    if deals is None:
        return _missing(
            ("leads_per_month", "close_rate", "average_deal_size", "sales_cycle_days"),
            "there is no deals table",
        )
    label = period.label()
    created = deals.filter(period.contains("created_at")).height
    leads = (None, f"no deals were created in {label}")
    if created:
        per_month = created / (days / MONTH_DAYS)
        leads = (
            per_month,
            f"{count_noun(created, 'deal')} created in {label} / "
            f"{_months_text(days)} = {format_two_decimals(per_month)} a month",
        )
    size = (None, _NO_RATE)
    if with_money:
        size = _from_kpi(average_deal_size(deals, period), f"won in {label}")
    return {
        "leads_per_month": leads,
        "close_rate": _from_kpi(close_rate(deals, period), f"created in {label}"),
        "average_deal_size": size,
        # The model lets a deal close one cycle after its creation, so the
        # cycle runs from creation here even where deals have a first contact.
        "sales_cycle_days": _from_kpi(
            sales_cycle_days(deals.drop(FIRST_CONTACT, strict=False), period),
            f"won in {label}",
        ),
    }


def _subscription_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    subs = tables.get("subscriptions")
    if subs is None:
        return _missing(
            ("churn_rate", "arpa", "active_customers", "new_subscribers_per_month"),
            "there is no subscriptions table",
        )
    try:
        found = _paying_customers(subs, period, days, with_money)
    except InvalidValueError as error:
        if with_money or error.column != "currency":
            raise
        found = _missing(
            ("arpa", "active_customers", "new_subscribers_per_month"),
            "the subscriptions' amounts are in several currencies without an "
            "exchange rate, and paying customers are those whose MRR is above 0",
        )
    return {"churn_rate": _annual_churn(subs, period), **found}


def _paying_customers(
    subs: pl.DataFrame, period: Period, days: int, with_money: bool
) -> _Found:
    """Read ARPA, the paying customers at the period end and the new
    subscribers per month, which all need the monthly charges."""
    snapshot = is_snapshot(subs)
    mrr = monthly_recurring_revenue(subs, period.end)
    paying = mrr.filter(pl.col("mrr") > 0)
    count = count_noun(paying.height, "paying customer")
    when = f"on {period.end}"
    if snapshot:
        when = "not flagged as churned (the list has no dates)"
    arpa = (None, f"no paying customers {when}")
    if not with_money:
        arpa = (None, _NO_RATE)
    elif paying.height:
        total = float(paying["mrr"].sum())
        arpa = (
            total / paying.height,
            f"MRR {format_two_decimals(total)} of the {count} {when} / "
            f"{paying.height:,} = "
            f"{format_two_decimals(total / paying.height)}",
        )
    return {
        "arpa": arpa,
        "active_customers": (float(paying.height), f"{count} {when}"),
        "new_subscribers_per_month": _new_subscribers(subs, period, days),
    }


def _annual_churn(subs: pl.DataFrame, period: Period) -> tuple[float | None, str]:
    churn = churn_rate(subs, period)
    if not churn.available and not is_snapshot(subs):
        return _annual_from_months(subs, period, churn.reason)
    if not churn.available:
        return None, churn.reason
    if is_snapshot(subs):
        # Churned out of all customers of an undated list is no yearly rate.
        return (
            None,
            "the subscriptions are a list without dates, so their churned share "
            f"({format_number(churn.value, 1)} %) has no time base; enter an "
            "annual churn rate",
        )
    if "annualised" not in churn.extra:
        return churn.value, f"{churn.formula}, in {period.label()}"
    annual = churn.extra["annualised"]
    monthly = (1 - (1 - annual / 100) ** (1 / 12)) * 100
    (shown_monthly,) = format_inputs(
        (monthly,), lambda rate: (1 - (1 - rate / 100) ** 12) * 100, annual, 2
    )
    return (
        annual,
        f"{churn.formula} in {period.label()}; annualised from the mean monthly "
        f"rate: 1 - (1 - {shown_monthly} %)^12 = {_percent(annual)} (each month's "
        "rate counts the customers at that month's start, also those who "
        "joined during the window)",
    )


def _annual_from_months(
    subs: pl.DataFrame, period: Period, reason: str
) -> tuple[float | None, str]:
    """Annualise the mean of the monthly churn rates of the period, for a
    window with no customer at its start, such as one that starts on the
    table's first date. Without any monthly rate, return ``reason``."""
    rates = churn_series(subs, period, "month")["churn_rate"].drop_nulls()
    if rates.is_empty():
        return None, reason
    monthly = float(rates.mean())
    annual = (1 - (1 - monthly / 100) ** 12) * 100
    (shown_monthly,) = format_inputs(
        (monthly,), lambda rate: (1 - (1 - rate / 100) ** 12) * 100, annual, 2
    )
    months = count_noun(rates.len(), "month")
    return (
        annual,
        f"no customer was active at the start of {period.label()}, so the mean "
        f"monthly rate of the {months} with customers at their start is used: "
        f"1 - (1 - {shown_monthly} %)^12 = {_percent(annual)}",
    )


def _new_subscribers(
    subs: pl.DataFrame, period: Period, days: int
) -> tuple[float | None, str]:
    if is_snapshot(subs):
        return (
            None,
            "the subscriptions are a list without dates, so their starts are unknown",
        )
    prepared = prepare_dated(subs).frame
    firsts = (
        prepared.filter(pl.col("mrr") > 0)
        .group_by("customer_key")
        .agg(pl.col("started_at").min())
    )
    started = firsts.filter(period.contains("started_at")).height
    per_month = started / (days / MONTH_DAYS)
    customers = count_noun(started, "customer")
    return (
        per_month,
        f"{customers} whose first paid subscription started in {period.label()} / "
        f"{_months_text(days)} = {format_two_decimals(per_month)} a month",
    )


def _spend_levers(
    tables: Mapping[str, pl.DataFrame], period: Period, days: int, with_money: bool
) -> _Found:
    spend = tables.get("spend")
    if spend is None:
        return _missing(("monthly_spend",), "there is no marketing spend table")
    if not with_money:
        return _missing(("monthly_spend",), _NO_RATE)
    rows = spend_in_period(spend, period, None, None)
    if rows.frame.is_empty():
        return {"monthly_spend": (None, f"no spend recorded in {period.label()}")}
    total = float(rows.frame["amount"].sum())
    per_month = total / (days / MONTH_DAYS)
    note = (
        f"{format_two_decimals(total)} {rows.unit} spent in {period.label()} / "
        f"{_months_text(days)} = {format_two_decimals(per_month)} {rows.unit} a month"
    )
    return {"monthly_spend": (per_month, note)}


_READERS = {
    "deals": _deal_levers,
    "subscriptions": _subscription_levers,
    "spend": _spend_levers,
}


def _months_text(days: int) -> str:
    return f"({days:,} days / {MONTH_DAYS} days a month)"


def _from_kpi(result: KpiResult, deals: str) -> tuple[float | None, str]:
    if not result.available:
        return None, result.reason
    return float(result.value), f"{result.formula}, over the deals {deals}"


def _missing(levers: tuple[str, ...], reason: str) -> _Found:
    return {lever: (None, reason) for lever in levers}
