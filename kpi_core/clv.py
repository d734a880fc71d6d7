"""Customer lifetime value (CLV) from orders or from subscriptions.

The purchases variant multiplies the average purchase value, the purchase
frequency per year and the customer lifespan in years. The subscription
variant divides the margin on ARPA by the monthly churn rate. The user can
enter the lifespan. Otherwise the purchases variant measures it from first
to last purchase of the customers who stopped buying, and the subscription
variant takes it from the churn rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from kpi_core.churn import churn_series, whole_month_average
from kpi_core.errors import InvalidSettingError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.lapsed_lifespan import PurchaseLifespan, lapsed_lifespan
from kpi_core.marketing_data import revenue_rows, unconverted_revenue_rows
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.subscription_data import (
    PreparedSubscriptions,
    customer_mrr,
    is_snapshot,
    period_bounds,
    prepare,
)
from kpi_core.subscriptions import mean_paying_mrr

ALL_DATA = Period()
CLV_VARIANTS = ("purchases", "subscription")
# The longest lifespan taken from a churn rate. A churn rate near zero would
# give lifespans of centuries, far beyond any data, so CLV is then not
# available until the user enters a lifespan.
MAX_LIFESPAN_YEARS = 10.0
# The maximum lifespan in years that a user may enter. No business plans on
# customers for longer, and a huge entry such as 1e308 would make CLV
# infinite.
MAX_ENTERED_LIFESPAN_YEARS = 100.0


def clv(
    orders: pl.DataFrame | None = None,
    subs: pl.DataFrame | None = None,
    period: Period = ALL_DATA,
    lifespan_years: float | None = None,
    gross_margin: float = 100.0,
    variant: str = "purchases",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute the customer lifetime value, in the currency.

    "purchases": average purchase value (revenue / purchases) x purchase
    frequency x lifespan in years, over the orders in the period. The
    frequency is purchases / customer-years over the whole 12-month spans
    that end with the period: a customer counts once in each span in which
    they bought. A period of a year or less takes the 12 months that end
    with it, as purchases / customers.
    "subscription": ARPA at the period end x gross margin / average monthly
    churn rate, or ARPA x 12 x ``lifespan_years`` x gross margin when a
    lifespan is given. ``n`` counts the customers the figure rests on: those
    with orders in the period, or those paying at the period end, over whom
    ARPA is the mean. ``extra["lifespan_source"]`` names where the lifespan
    comes from: "entered by the user", "from churn rate" (1 / annualised
    churn of ``subs``, for "subscription") or, for "purchases", "from first
    to last purchase of N lapsed customers" of the orders. The purchases
    variant never takes its lifespan from the subscriptions, because their
    churn describes other customers than the orders.
    When the purchases variant measures the lifespan and more than half of
    the lapsed customers bought on a single day, ``note`` explains that their
    0-day lifespans shorten it and where to enter a lifespan.
    Missing tables, no orders, no paying customers, no way to know the
    lifespan, or a lifespan from churn above ``MAX_LIFESPAN_YEARS`` without
    ``lifespan_years`` is "not available".
    """
    _check_clv_settings(variant, lifespan_years, gross_margin)
    if variant == "subscription":
        return _subscription_clv(
            subs, period, lifespan_years, gross_margin, currency, fx
        )
    if orders is None:
        return not_available("clv", "the purchases variant needs an orders table")
    return _purchases_clv(orders, period, lifespan_years, currency, fx)


def _check_clv_settings(
    variant: str, lifespan_years: float | None, gross_margin: float
) -> None:
    if variant not in CLV_VARIANTS:
        raise InvalidSettingError(
            f"unknown CLV variant {variant!r}; use one of {', '.join(CLV_VARIANTS)}"
        )
    if (
        lifespan_years is not None
        and not 0 < lifespan_years <= MAX_ENTERED_LIFESPAN_YEARS
    ):
        raise InvalidSettingError(
            f"invalid customer lifespan {lifespan_years:g}; give a number of years "
            f"above 0 and at most {MAX_ENTERED_LIFESPAN_YEARS:g}, for example 3"
        )
    check_gross_margin(gross_margin)


def _purchases_clv(
    orders: pl.DataFrame,
    period: Period,
    lifespan_years: float | None,
    currency: str | None,
    fx: dict[str, float] | None,
) -> KpiResult:
    rows = revenue_rows(orders, period, currency, fx)
    if rows.frame.is_empty():
        return not_available("clv", "no orders in this period", excluded=rows.excluded)
    if lifespan_years is not None:
        measured = PurchaseLifespan(lifespan_years, "entered by the user")
    else:
        measured = lapsed_lifespan(orders, period.end)
    lifespan, source = measured.years, measured.source
    if lifespan is None:
        return not_available("clv", source, excluded=rows.excluded)

    purchases = rows.frame.height
    revenue = float(rows.frame["amount"].sum())
    # An order without a customer id is a purchase of the average value, but
    # no customer it belongs to can be counted, so the purchases a year
    # leave it out instead of taking all such orders for one customer.
    known = pl.col("customer_id").is_not_null()
    identified = rows.frame.filter(known)
    anonymous = purchases - identified.height
    customers = identified["customer_id"].n_unique()
    if customers == 0:
        reason = (
            "no order in this period has a customer id, so the purchases a year "
            "cannot be counted; map the column that names the customer"
        )
        return not_available("clv", reason, excluded=rows.excluded)
    counted = _counted_purchases(orders, period, rows.frame)
    if counted.customer_years == 0:
        spans = counted.spans or period
        reason = (
            f"no orders from {spans.start} to {spans.end}, the whole 12-month "
            "spans that end with the period, so the purchases a year cannot be "
            "counted; pick a period that ends with the orders"
        )
        return not_available("clv", reason, excluded=rows.excluded)
    purchase_value = revenue / purchases
    frequency = counted.purchases / counted.customer_years
    value = purchase_value * frequency * lifespan
    shown_value, shown_frequency, shown_lifespan = format_inputs(
        (purchase_value, frequency, lifespan), _product, value, 2
    )
    per_year = f"{shown_frequency} purchases a year"
    if counted.spans is not None:
        per = "customers" if counted.one_span else "customer-years"
        per_year += (
            f" ({counted.purchases:,} purchases / {counted.customer_years:,} "
            f"{per} from {counted.spans.start} to {counted.spans.end})"
        )
    elif counted.customer_years != customers:
        per_year += (
            f" ({counted.purchases:,} / {counted.customer_years:,} customer-years)"
        )
    years = f"{shown_lifespan} years"
    if lifespan_years is None:
        years += f" (lifespan {source})"

    return KpiResult(
        key="clv",
        status="ok",
        unit=rows.unit,
        value=value,
        n=customers,
        variant="purchases",
        formula=(
            f"{shown_value} {rows.unit} per purchase x "
            f"{per_year} x {years} = "
            f"{format_number(value, 2)} {rows.unit}"
        ),
        excluded=rows.excluded,
        note=_joined(counted.note, _anonymous_note(anonymous), measured.one_day_note()),
        extra={
            "average_purchase_value": purchase_value,
            "purchase_frequency": frequency,
            "customer_years": counted.customer_years,
            "lifespan_years": lifespan,
            "lifespan_source": source,
        },
    )


def _anonymous_note(orders: int) -> str:
    if not orders:
        return ""
    return (
        f"{count_noun(orders, 'order')} without a customer id "
        f"{'counts' if orders == 1 else 'count'} in the average purchase value "
        "but not in the purchases a year."
    )


def _joined(*notes: str) -> str:
    return " ".join(note for note in notes if note)


def _product(*factors: float) -> float:
    return math.prod(factors)


@dataclass(frozen=True)
class _CountedPurchases:
    """The purchases and customer-years that the purchase frequency divides."""

    purchases: int
    customer_years: int
    # The whole 12-month spans counted, when they differ from the period.
    spans: Period | None = None
    one_span: bool = True
    # Says when the orders start inside the first span, so the frequency
    # may be too low.
    note: str = ""


def _counted_purchases(
    orders: pl.DataFrame, period: Period, rows: pl.DataFrame
) -> _CountedPurchases:
    """Count the purchases and customer-years of the purchase frequency.

    They come from the whole 12-month spans that end with the period, each
    customer once per span in which they bought. So a customer who buys
    every month counts 12 purchases a year, and one who buys every May
    counts 1. A period shorter than a year takes the 12 months that end
    with it, reaching back before its start. A longer period leaves the
    months before its first whole span out of the count; their purchases
    still give the average purchase value. All data of a year or less
    counts its ``rows``. When the orders start more than a month into the
    first span, the note warns that the frequency may be too low.
    """
    # The spans follow every order's date, also of orders without an amount
    # or a customer id. Only orders with a customer id count, because the
    # rest belong to no customer that can be counted.
    days = orders["ordered_at"].cast(pl.Date)
    start = period.start or days.min()
    end = period.end or days.max()
    known = pl.col("customer_id").is_not_null()
    rows = rows.filter(known)
    if start is None or end is None:
        # All data without an order date is one span.
        return _CountedPurchases(rows.height, rows["customer_id"].n_unique())
    starts = _span_starts(start, end)
    first = orders["ordered_at"].cast(pl.Date).min()
    note = ""
    # Orders that start in the span's first month may still hold a monthly
    # buyer's every order, so only a later start gets the note.
    if (first - starts[0]).days > 31:
        note = (
            f"The purchases a year are counted from {starts[0]}, but the orders "
            f"start on {first}, so they may be too low."
        )
    if period.is_all and len(starts) == 1 and starts[0] <= start:
        # All the orders span a year or less. Orders that start on the first
        # day of a span, as a calendar-year export does, have several spans.
        customers = rows["customer_id"].n_unique()
        if note:
            # Every order counts here, so no span start is named.
            note = (
                f"The purchases a year are counted from all orders, from {first} "
                f"to {end}, which is less than a year, so they may be too low."
            )
        return _CountedPurchases(rows.height, customers, note=note)
    spans = Period(starts[0], end)
    # Counting needs no amounts, so orders in another currency outside the
    # period need no exchange rate.
    counted = unconverted_revenue_rows(orders, spans).filter(known)
    index = pl.Series(starts).search_sorted(
        counted["ordered_at"].cast(pl.Date), side="right"
    )
    customer_years = counted.select("customer_id", span=index).unique().height
    differs = None if spans == period else spans
    return _CountedPurchases(
        counted.height,
        customer_years,
        spans=differs,
        one_span=len(starts) == 1,
        note=note,
    )


def _span_starts(start: date, end: date) -> list[date]:
    """Return the first days of the whole 12-month spans that end on ``end``
    and start on or after ``start``, oldest first. A period shorter than a
    year gets the one span that ends on ``end``."""
    starts = [_year_before(end)]
    while (earlier := _year_before(starts[-1] - timedelta(days=1))) >= start:
        starts.append(earlier)
    return starts[::-1]


def _year_before(end: date) -> date:
    """Return the first day of the 12 months that end on ``end``."""
    day_after = end + timedelta(days=1)
    try:
        return day_after.replace(year=day_after.year - 1)
    except ValueError:  # 29 February
        return date(day_after.year - 1, 3, 1)


def _too_long_reason(lifespan: float) -> str:
    return (
        f"churn too low to estimate a lifespan (the churn rate gives "
        f"{format_number(lifespan)} years, above the maximum of "
        f"{MAX_LIFESPAN_YEARS:g}); "
        "enter a lifespan in years"
    )


def _subscription_clv(
    subs: pl.DataFrame | None,
    period: Period,
    lifespan_years: float | None,
    gross_margin: float,
    currency: str | None,
    fx: dict[str, float] | None,
) -> KpiResult:
    if subs is None or subs.is_empty():
        return not_available("clv", "the subscription variant needs subscriptions")
    data = prepare(subs, currency, fx)
    arpa, paying = None, 0
    if not data.frame.is_empty():
        mrr = customer_mrr(data.frame, _period_end(data, period))
        arpa = mean_paying_mrr(mrr)
        # ARPA is a mean over these customers, so they are the card's n.
        paying = mrr.filter(pl.col("mrr") > 0).height
    if arpa is None:
        return not_available(
            "clv",
            "no paying customers at the end of this period",
            excluded=data.excluded,
        )
    if lifespan_years is not None:
        monthly_churn, source = 1 / (12 * lifespan_years), "entered by the user"
    else:
        monthly_churn, source = _average_monthly_churn(subs, period)
    if monthly_churn is None:
        return not_available("clv", source, excluded=data.excluded)
    lifespan = 1 / monthly_churn / 12
    if lifespan_years is None and lifespan > MAX_LIFESPAN_YEARS:
        return not_available("clv", _too_long_reason(lifespan), excluded=data.excluded)
    value = arpa * gross_margin / 100 / monthly_churn
    shown_arpa, shown_churn = format_inputs(
        (arpa, monthly_churn * 100),
        lambda mean_mrr, churn_percent: mean_mrr * gross_margin / churn_percent,
        value,
        2,
    )
    return KpiResult(
        key="clv",
        status="ok",
        unit=data.unit,
        value=value,
        n=paying,
        variant="subscription",
        formula=(
            f"ARPA {shown_arpa} {data.unit} (mean MRR of "
            f"{count_noun(paying, 'paying customer')}) x {gross_margin:g} % margin / "
            f"{shown_churn} % monthly churn = "
            f"{format_number(value, 2)} {data.unit}"
        ),
        excluded=data.excluded,
        extra={
            "arpa": arpa,
            "gross_margin": gross_margin,
            "monthly_churn_rate": monthly_churn * 100,
            "lifespan_years": lifespan,
            "lifespan_source": source,
        },
    )


def _period_end(data: PreparedSubscriptions, period: Period) -> date:
    """Return the day ARPA is taken on, which a snapshot list ignores."""
    if "started_at" not in data.frame.columns:
        return period.end or date.max
    return period_bounds(data.frame, period)[1]


def _average_monthly_churn(
    subs: pl.DataFrame, period: Period
) -> tuple[float | None, str]:
    if is_snapshot(subs):
        return None, (
            "a customer list without dates gives no monthly churn rate; enter a "
            "lifespan in years"
        )
    average = whole_month_average(churn_series(subs, period, "month"))
    if average is None:
        return None, (
            "the period contains no whole calendar month with customers at its "
            "start, so it gives no monthly churn rate; pick a period of at least "
            "one whole month, or enter a lifespan in years"
        )
    average /= 100
    if not average > 0:
        return None, (
            "no customer churned in this period, so the lifetime has no end in "
            "the data; enter a lifespan in years"
        )
    return average, "from churn rate"


def check_gross_margin(gross_margin: float) -> None:
    """Raise InvalidSettingError unless the margin is a percentage in (0, 100]."""
    if not 0 < gross_margin <= 100:
        raise InvalidSettingError(
            f"invalid gross margin {gross_margin}; give a percentage above 0 and "
            "at most 100, for example 80"
        )
