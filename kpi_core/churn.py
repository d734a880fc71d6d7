"""Churn rate of subscription customers, for a period and as a series.

A customer is active at the close of a day when any of their subscriptions
runs then (see ``kpi_core.subscription_data.runs_on``). A period opens with
the customers active at the close of the day before its first day and
closes with those active at the close of its last day. So a customer who
cancels one of two subscriptions, or cancels and resubscribes inside the
period, has not churned, and consecutive months chain without a gap.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from kpi_core.churn_counts import COUNT_COLUMNS, calendar_buckets, churn_table
from kpi_core.errors import InvalidSettingError
from kpi_core.formatting import count_noun, format_inputs, format_number
from kpi_core.period import Period
from kpi_core.results import KpiResult, not_available
from kpi_core.reuse import reuse_last_result
from kpi_core.stats import wilson_interval
from kpi_core.subscription_data import (
    DAY,
    UNDATED_CHURN_NOTE,
    flagged_without_end,
    has_charge_column,
    has_undated_churn,
    is_snapshot,
    mrr_on_days,
    period_bounds,
    prepare_dated,
    prepare_snapshot,
    require_customer_id,
    runs_on,
)

ALL_DATA = Period()
CHURN_VARIANTS = ("customers", "revenue")
# Variant labels of the rate of a customer list without dates.
SNAPSHOT_VARIANTS = {
    "customers": "customers, snapshot",
    "revenue": "revenue, snapshot",
}


def churn_rate(
    subs: pl.DataFrame,
    period: Period = ALL_DATA,
    variant: str = "customers",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> KpiResult:
    """Compute the churn rate in percent.

    "customers": customers active at the start of the period and not at its
    end / customers active at the start x 100. Customers who join and leave
    inside the period are not in the rate; ``extra["joined_and_left"]``
    counts them. "revenue" (gross MRR churn): MRR lost to cancellations and
    downgrades / MRR at the start x 100. ``extra`` also contains "annualised"
    = 1 - (1 - average monthly rate)^12 from the monthly series,
    "retention" = 100 - rate and "reactivations" (customers back after
    leaving, not counted as new).

    Input columns: customer_id, started_at, ended_at (amounts for
    "revenue"). With no period start the rate covers the whole history:
    every customer seen is in the denominator. A snapshot list gives the
    same figure whatever the period (see ``_snapshot_customer_churn`` and
    ``_snapshot_revenue_churn``). An empty table, or no active customer (no
    MRR) at the start, is "not available".
    """
    _check_variant(variant)
    require_customer_id(subs)
    if subs.is_empty():
        return not_available("churn_rate", "no subscriptions in the data")
    if is_snapshot(subs):
        if variant == "revenue":
            result = _snapshot_revenue_churn(subs, currency, fx)
        else:
            result = _snapshot_customer_churn(subs)
        if has_undated_churn(subs):
            result = replace(result, warnings=(*result.warnings, UNDATED_CHURN_NOTE))
        return result
    data = prepare_dated(subs, currency, fx, need_amount=variant == "revenue")
    if data.frame.is_empty():
        return not_available(
            "churn_rate", "no subscription has a start date", excluded=data.excluded
        )
    start, end = period_bounds(data.frame, period)
    if period.start is None:
        result = _whole_history_churn(data.frame, end, variant, data.excluded)
    else:
        revenue = variant == "revenue"
        whole = churn_table(data.frame, _one_bucket(start, end), revenue=revenue)
        row = whole.row(0, named=True)
        monthly, _ = _calendar_table(data.frame, start, end, "month", revenue)
        if revenue:
            result = _revenue_churn(row, monthly, data.excluded)
        else:
            result = _customer_churn(row, monthly, data.excluded)
            unpaid = _unpaid_at_start(data.frame, start)
            if result.available and unpaid:
                result = replace(result, note=_unpaid_note(row, unpaid))
    if undated := flagged_without_end(subs):
        warning = (
            f"{count_noun(undated, 'subscription')} flagged churned "
            f"{'has' if undated == 1 else 'have'} no end or cancellation date, "
            f"so the rate counts {'it' if undated == 1 else 'them'} as running. "
            "Fill in the date they ended."
        )
        result = replace(result, warnings=(*result.warnings, warning))
    return result


def churn_series(
    subs: pl.DataFrame,
    period: Period = ALL_DATA,
    grain: str = "month",
    variant: str = "customers",
    *,
    currency: str | None = None,
    fx: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Return the churn rate per month (or week, quarter, year).

    One row per calendar bucket, clipped to the period: period_start,
    period_end, customers_at_start, churned, joined_and_left, reactivations
    and churn_rate (percent, null when no customer is active at the start
    of the bucket). The "revenue" variant adds mrr_at_start and mrr_lost, and its
    churn_rate is MRR lost / MRR at the start. Each bucket follows the rules
    of ``churn_rate``. Empty for an empty table or a snapshot list.
    """
    _check_variant(variant)
    require_customer_id(subs)
    if subs.is_empty() or is_snapshot(subs):
        return _series_columns(_empty_table(), variant)
    data = prepare_dated(subs, currency, fx, need_amount=variant == "revenue")
    if data.frame.is_empty():
        return _series_columns(_empty_table(), variant)
    start, end = period_bounds(data.frame, period)
    table, _ = _calendar_table(data.frame, start, end, grain, variant == "revenue")
    return _series_columns(table, variant)


def rate_result(
    key: str,
    part: int,
    whole: int,
    labels: tuple[str, str],
    excluded: dict[str, int],
) -> KpiResult:
    """Build the result of a proportion part / whole in percent, with its
    Wilson interval. ``labels`` names the part and the whole in the formula,
    in the plural ("churned customers"), and ``whole`` must be above zero."""
    value = part / whole * 100
    return KpiResult(
        key=key,
        status="ok",
        unit="percent",
        value=value,
        numerator=part,
        denominator=whole,
        n=whole,
        ci95=wilson_interval(part, whole),
        formula=(
            f"{_counted(part, labels[0])} / {_counted(whole, labels[1])} x 100 = "
            f"{format_number(value, 1)} %"
        ),
        excluded=excluded,
    )


def _counted(count: int, label: str) -> str:
    """Write a count with its plural ``label``, made singular for one: "1
    churned customer", "2 churned customers"."""
    if count == 1:
        label = label.replace("customers", "customer", 1)
    return f"{count:,} {label}"


def _check_variant(variant: str) -> None:
    if variant not in CHURN_VARIANTS:
        raise InvalidSettingError(
            f"unknown churn rate variant {variant!r}; use one of "
            f"{', '.join(CHURN_VARIANTS)}"
        )


@reuse_last_result
def _calendar_table(
    prepared: pl.DataFrame, start: date, end: date, grain: str, revenue: bool
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Count churn per calendar bucket, with the MRR columns when
    ``revenue`` is true. The churn rate, its series and CLV of one page each
    need the monthly table, so the last one is reused for the same prepared
    frame and settings. Nothing is excluded here."""
    buckets = calendar_buckets(start, end, grain)
    return churn_table(prepared, buckets, revenue=revenue), {}


def _one_bucket(start: date, end: date) -> pl.DataFrame:
    return pl.DataFrame(
        {"period_start": [start], "period_end": [end]},
        schema={"period_start": pl.Date, "period_end": pl.Date},
    )


def _empty_table() -> pl.DataFrame:
    counts = {name: pl.Int64 for name in COUNT_COLUMNS}
    return pl.DataFrame(
        schema={
            **counts,
            "period_start": pl.Date,
            "period_end": pl.Date,
            "mrr_at_start": pl.Float64,
            "mrr_lost": pl.Float64,
            "churn_rate": pl.Float64,
            "revenue_churn_rate": pl.Float64,
        }
    )


def _series_columns(table: pl.DataFrame, variant: str) -> pl.DataFrame:
    if variant == "customers":
        return table.select(*COUNT_COLUMNS, "churn_rate")
    return table.select(
        *COUNT_COLUMNS,
        "mrr_at_start",
        "mrr_lost",
        churn_rate=pl.col("revenue_churn_rate"),
    )


def _customer_churn(
    row: dict, monthly: pl.DataFrame, excluded: dict[str, int]
) -> KpiResult:
    if row["customers_at_start"] == 0:
        return not_available(
            "churn_rate",
            "no customers were active at the start of this period",
            excluded=excluded,
        )
    result = rate_result(
        "churn_rate",
        row["churned"],
        row["customers_at_start"],
        ("churned customers", "customers at the start"),
        excluded,
    )
    extra = {
        "retention": 100 - result.value,
        "reactivations": row["reactivations"],
        "joined_and_left": row["joined_and_left"],
        **_annualised(monthly, "churn_rate"),
    }
    return replace(result, variant="customers", extra=extra)


def _unpaid_at_start(prepared: pl.DataFrame, start: date) -> int:
    """Count the customers active at the close of the day before ``start``
    whose subscriptions then charged nothing, such as a trial. A customer
    whose subscriptions have no amount is not counted: what they paid is
    not known."""
    if not (prepared["mrr"] <= 0).any():
        return 0
    running = prepared.filter(runs_on(pl.lit(start - DAY)))
    charged = running.group_by("customer_key").agg(
        pl.col("mrr").sum(), priced=pl.col("mrr").is_not_null().any()
    )
    return charged.filter(pl.col("priced") & (pl.col("mrr") <= 0)).height


def _unpaid_note(row: dict, unpaid: int) -> str:
    paying = row["customers_at_start"] - unpaid
    return (
        f"The {row['customers_at_start']:,} customers at the start include "
        f"{count_noun(unpaid, 'customer')} who paid nothing then, such as on a "
        f"trial. The ARR bridge counts only the {paying:,} who paid."
    )


def _revenue_churn(
    row: dict, monthly: pl.DataFrame, excluded: dict[str, int]
) -> KpiResult:
    lost, opening = row["mrr_lost"], row["mrr_at_start"]
    if not opening > 0:
        return not_available(
            "churn_rate",
            "no recurring revenue at the start of this period",
            excluded=excluded,
        )
    value = lost / opening * 100
    shown_lost, shown_opening = format_inputs((lost, opening), _percent_of, value, 1)
    return KpiResult(
        key="churn_rate",
        status="ok",
        unit="percent",
        value=value,
        numerator=lost,
        denominator=opening,
        n=row["customers_at_start"],
        variant="revenue",
        formula=(
            f"MRR lost {shown_lost} / MRR at the start "
            f"{shown_opening} x 100 = {format_number(value, 1)} %"
        ),
        excluded=excluded,
        extra={"retention": 100 - value, **_annualised(monthly, "revenue_churn_rate")},
    )


def _percent_of(part: float, whole: float) -> float:
    return part / whole * 100


def _annualised(monthly: pl.DataFrame, column: str) -> dict[str, float]:
    """Return {"annualised": 1 - (1 - mean monthly rate)^12} in percent, or
    an empty dict when no whole month has a rate (see
    ``whole_month_average``)."""
    average = whole_month_average(monthly, column)
    if average is None:
        return {}
    return {"annualised": (1 - (1 - average / 100) ** 12) * 100}


def whole_month_average(
    monthly: pl.DataFrame, column: str = "churn_rate"
) -> float | None:
    """Return the mean of the rates in ``column`` (percent) of the whole
    calendar months of a monthly ``churn_series``, or None when no whole
    month has a rate.

    A cut first or last month, such as 1 to 14 March, is no month's rate:
    7.5 % of the customers lost in 10 days is not 7.5 % a month.
    """
    whole = monthly.filter(
        (pl.col("period_start").dt.day() == 1)
        & (pl.col("period_end") == pl.col("period_start").dt.month_end())
    )
    rates = whole[column].drop_nulls()
    return float(rates.mean()) if rates.len() else None


def _whole_history_churn(
    prepared: pl.DataFrame, end: date, variant: str, excluded: dict[str, int]
) -> KpiResult:
    if variant == "revenue":
        return not_available(
            "churn_rate",
            "revenue churn compares MRR at the start and end of a "
            "period; choose a period with a start date",
            excluded=excluded,
        )
    seen = prepared.filter(pl.col("started_at") <= end).select("customer_id").unique()
    active = mrr_on_days(prepared, pl.Series([end], dtype=pl.Date))
    churned = seen.join(active, on="customer_id", how="anti").height
    result = rate_result(
        "churn_rate",
        churned,
        seen.height,
        ("customers no longer active", "customers seen"),
        excluded,
    )
    extra = {"retention": 100 - result.value}
    return replace(result, variant="customers, whole history", extra=extra)


def _snapshot_customer_churn(subs: pl.DataFrame) -> KpiResult:
    """Compute churned customers / all customers of a list without dates. A
    customer with several rows has churned only when every row is flagged
    churned."""
    data = prepare_snapshot(subs, need_amount=False)
    customers = data.frame.group_by("customer_id").agg(pl.col("churned").all())
    if customers.is_empty():
        return not_available(
            "churn_rate",
            "no customer in the list has a churned flag",
            excluded=data.excluded,
        )
    result = rate_result(
        "churn_rate",
        int(customers["churned"].sum()),
        customers.height,
        ("churned customers", "customers in the list"),
        data.excluded,
    )
    extra = {"retention": 100 - result.value}
    return replace(result, variant=SNAPSHOT_VARIANTS["customers"], extra=extra)


def _snapshot_revenue_churn(
    subs: pl.DataFrame, currency: str | None, fx: dict[str, float] | None
) -> KpiResult:
    """Compute the monthly charges of the rows flagged churned / the monthly
    charges of all rows of a list without dates.

    Each row counts on its own, so a customer who left one of two
    subscriptions loses that charge, as a downgrade does in the dated
    revenue variant, although the customer is not churned. Rows without a
    monthly charge or with a negative one are left out and counted.
    """
    variant = SNAPSHOT_VARIANTS["revenue"]
    if not has_charge_column(subs):
        return not_available(
            "churn_rate",
            "the customer list has no monthly charge column, so its lost "
            "revenue is unknown. Map the column with each customer's monthly "
            "charge to monthly_charge on the Data page, or count customers lost",
            variant=variant,
        )
    data = prepare_snapshot(subs, currency, fx)
    charges = data.frame["mrr"]
    total = float(charges.sum())
    if not total > 0:
        return not_available(
            "churn_rate",
            "no customer in the list has a churned flag and a monthly charge "
            "above zero, so no revenue can be lost",
            variant=variant,
            excluded=data.excluded,
        )
    lost = float(charges.filter(data.frame["churned"]).sum())
    value = lost / total * 100
    shown_lost, shown_total = format_inputs((lost, total), _percent_of, value, 1)
    return KpiResult(
        key="churn_rate",
        status="ok",
        unit="percent",
        value=value,
        numerator=lost,
        denominator=total,
        n=data.frame["customer_id"].n_unique(),
        variant=variant,
        formula=(
            f"{shown_lost} {data.unit} monthly charges flagged churned / "
            f"{shown_total} {data.unit} monthly charges in the list x 100 = "
            f"{format_number(value, 1)} %"
        ),
        excluded=data.excluded,
        extra={"retention": 100 - value},
    )
