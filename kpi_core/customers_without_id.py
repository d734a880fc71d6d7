"""Orders and subscriptions that CAC's new customers leave out because they
have no customer id.

Such a row belongs to no customer that can be counted, so the
``marketing.new_customers_from_*`` builders drop it. CAC then counts it
among its left-out rows, dated as its customer would have been acquired:
by the order date, or by the first day the subscription pays.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from kpi_core.marketing import new_customers_from_subscriptions
from kpi_core.period import Period
from kpi_core.results import KpiResult

# The reason in CAC's ``excluded``, per table the new customers come from.
WITHOUT_CUSTOMER_ID = {
    "orders": "order without a customer id",
    "subscriptions": "subscription without a customer id",
}


def acquisitions_without_id(frame: pl.DataFrame, source: str) -> pl.Series:
    """Return the acquisition date (Date, null where unknown) of each row of
    ``frame`` that has no customer id but would acquire a customer with one.

    ``source`` is the table type of ``frame``. A won deal's customer is its
    account, which this module does not cover, so "deals" and any other
    type give an empty series.
    """
    empty = pl.Series("acquired_at", [], dtype=pl.Date)
    if source not in WITHOUT_CUSTOMER_ID or "customer_id" not in frame.columns:
        return empty
    unidentified = frame.filter(pl.col("customer_id").is_null())
    if unidentified.is_empty():
        return empty
    if source == "orders":
        return unidentified["ordered_at"].cast(pl.Date).alias("acquired_at")
    # An id of its own per row lets the rules of the subscriptions decide
    # which rows would acquire a customer: a free plan or a trial that
    # ended unpaid would not.
    with_ids = unidentified.with_columns(
        customer_id=pl.int_range(pl.len()).cast(pl.String)
    )
    return new_customers_from_subscriptions(with_ids)["acquired_at"]


def with_customers_without_id(
    result: KpiResult, frame: pl.DataFrame, source: str, period: Period
) -> KpiResult:
    """Add to the ``excluded`` of a CAC ``result`` the rows of ``frame``
    without a customer id whose acquisition date lies in ``period``, as
    ``period.contains`` decides it: an undated row counts for all data
    only."""
    dates = acquisitions_without_id(frame, source).to_frame("acquired_at")
    # For all data ``contains`` is a bare literal, which a filter broadcasts
    # to every row but a sum would count once.
    count = dates.filter(period.contains("acquired_at")).height
    if not count:
        return result
    excluded = {**result.excluded, WITHOUT_CUSTOMER_ID[source]: count}
    return replace(result, excluded=excluded)
