"""Check that the marketing spend and the new customers behind a CAC cover
the same months.

CAC divides the spend of a period by the customers acquired in it. When the
spend table stops in June and the customers run to December, the CAC of the
year divides half a year's spend by a whole year's customers and reads about
half of what it is. Each table covers the months from its first to its last
date. The check compares them in whole calendar months, because spend is
often booked once a month, on the first day.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from kpi_core.formatting import format_share
from kpi_core.marketing_data import spend_dates, spend_in_period
from kpi_core.period import Period

# Share, in percent, of the period's new customers outside the spend's months,
# or of its spend outside the customers' months, that gets a warning. The
# share is about how far the CAC is off, so a tenth moves it visibly.
COVERAGE_WARN_SHARE = 10.0


def coverage_warning(
    spend: pl.DataFrame,
    new_customers: pl.DataFrame,
    period: Period,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> str | None:
    """Write a warning when the spend and the new customers of the period do
    not cover the same months, else return None.

    Each table covers the months from its first to its last date, both
    clipped to the period: spend days or reporting windows for the spend,
    acquisition dates for the customers. The warning names both spans and
    the share of the new customers acquired in months without spend, or of
    the spend in months without new customers, when either is
    ``COVERAGE_WARN_SHARE`` percent or more. Months without spend inside the
    spend's span are not checked, because a pause in campaigns is real.
    """
    spend_span = _clipped(_spend_span(spend), period)
    customer_span = _clipped(_customer_span(new_customers), period)
    if spend_span is None or customer_span is None:
        return None
    acquired = new_customers.filter(
        pl.col("acquired_at").is_not_null() & period.contains("acquired_at")
    )
    customers = acquired["customer_id"].n_unique()
    unspent = acquired.filter(
        ~pl.col("acquired_at").is_between(*_whole_months(spend_span))
    )["customer_id"].n_unique()
    spent = _spend_total(spend, spend_span, currency, fx)
    matched = _spend_total(
        spend, _overlap(spend_span, _whole_months(customer_span)), currency, fx
    )
    customer_share = unspent / customers * 100 if customers else 0.0
    spend_share = (spent - matched) / spent * 100 if spent > 0 else 0.0
    sentences = []
    if customer_share >= COVERAGE_WARN_SHARE:
        sentences.append(
            f"{unspent:,} of the {customers:,} new customers "
            f"({format_share(customer_share)} %) were acquired in months "
            "without recorded spend, so the CAC reads lower than it is."
        )
    if spend_share >= COVERAGE_WARN_SHARE:
        sentences.append(
            f"{format_share(spend_share)} % of the spend falls in months "
            "without new customers in the data, so the CAC reads higher than it is."
        )
    if not sentences:
        return None
    missing = " and ".join(
        name
        for name, share in (("spend", customer_share), ("customers", spend_share))
        if share >= COVERAGE_WARN_SHARE
    )
    return (
        f"Spend is recorded {spend_span[0]} to {spend_span[1]}, new customers "
        f"{customer_span[0]} to {customer_span[1]}. {' '.join(sentences)} "
        f"Upload the missing {missing} or pick a period both cover."
    )


def _spend_span(spend: pl.DataFrame) -> tuple[date, date] | None:
    """Return the first and last day of the spend. Spend dated only on the
    first days of months is monthly, so it runs to the end of its last month."""
    span = spend_dates(spend)
    if span is None:
        return None
    first, last = span
    if "spent_at" in spend.columns and not {"period_start", "period_end"} & set(
        spend.columns
    ):
        days = spend["spent_at"].cast(pl.Date).drop_nulls()
        if (days.dt.day() == 1).all():
            last = _month_end(last)
    return first, last


def _customer_span(new_customers: pl.DataFrame) -> tuple[date, date] | None:
    dates = new_customers["acquired_at"].drop_nulls()
    if dates.is_empty():
        return None
    return dates.min(), dates.max()


def _clipped(
    span: tuple[date, date] | None, period: Period
) -> tuple[date, date] | None:
    if span is None:
        return None
    first = max(span[0], period.start) if period.start else span[0]
    last = min(span[1], period.end) if period.end else span[1]
    return (first, last) if first <= last else None


def _whole_months(span: tuple[date, date]) -> tuple[date, date]:
    return span[0].replace(day=1), _month_end(span[1])


def _month_end(day: date) -> date:
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month - timedelta(days=1)


def _overlap(
    span: tuple[date, date], other: tuple[date, date]
) -> tuple[date, date] | None:
    first, last = max(span[0], other[0]), min(span[1], other[1])
    return (first, last) if first <= last else None


def _spend_total(
    spend: pl.DataFrame,
    span: tuple[date, date] | None,
    currency: str | None,
    fx: dict[str, float] | None,
) -> float:
    """Sum the dated spend inside ``span``, windows counted by their share of
    days inside it."""
    if span is None:
        return 0.0
    rows = spend_in_period(spend, Period(*span), currency, fx).frame
    return float(rows["amount"].sum())
