"""Customer lifespan measured from orders, for the purchases CLV.

Order data has no churn date, so a customer counts as lapsed once their
last order lies more than ``LAPSED_AFTER_DAYS`` before the latest order in
the data. The lifespan is the mean time from first to last purchase of the
lapsed customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from kpi_core.formatting import count_noun, format_number

# A customer whose last order is longer ago than this, counted back from the
# latest order in the data, is taken to have stopped buying. This is our own
# rule of thumb, because order data has no churn date.
LAPSED_AFTER_DAYS = 365
DAYS_PER_YEAR = 365.25
# The share of lapsed customers with a lifespan of 0 days above which the
# CLV gets a note. Above half, most of the customers that the mean averages
# add 0 days, so it shows little about how long repeat buyers stay.
ONE_DAY_SHARE_FOR_NOTE = 0.5


@dataclass(frozen=True)
class PurchaseLifespan:
    """A customer lifespan for the purchases CLV, entered by the user or
    measured from the lapsed customers' orders, in years."""

    # None when the orders give no lifespan.
    years: float | None
    # "entered by the user", "from first to last purchase of N lapsed
    # customers", or the reason why the orders give no lifespan.
    source: str
    lapsed: int = 0
    # Lapsed customers whose first and last purchase fall on the same day.
    one_day: int = 0
    mean_days: float = 0.0

    def one_day_note(self) -> str:
        """Explain a lifespan shortened by one-day customers, or return ""
        when no more than ``ONE_DAY_SHARE_FOR_NOTE`` of the lapsed are such."""
        if self.years is None or self.one_day <= ONE_DAY_SHARE_FOR_NOTE * self.lapsed:
            return ""
        return (
            f"{self.one_day:,} of the {count_noun(self.lapsed, 'lapsed customer')} "
            "bought on a single day only, so each of them counts with a lifespan "
            "of 0 days, and the measured lifespan is a mean of "
            f"{format_number(self.mean_days, 1)} days "
            f"({format_number(self.years, 2)} years). For a CLV that counts repeat "
            'purchases, enter a lifespan in years: in the app under "Customer '
            "lifespan for CLV\" in the Marketing page's sidebar, or on the "
            "command line with --lifespan-years."
        )


def lapsed_lifespan(orders: pl.DataFrame, end: date | None) -> PurchaseLifespan:
    """Measure the mean time from first to last purchase, in years, of the
    customers who lapsed by ``end`` (None for all orders).

    Orders after ``end`` and orders without a customer id or a date are left
    out. Without lapsed customers, or when none of them bought on two
    different days, ``years`` is None.
    """
    dated = orders.select(
        "customer_id", day=pl.col("ordered_at").cast(pl.Date)
    ).drop_nulls()
    if end is not None:
        dated = dated.filter(pl.col("day") <= end)
    latest = dated["day"].max()
    spans = dated.group_by("customer_id").agg(
        days=(pl.col("day").max() - pl.col("day").min()).dt.total_days(),
        last=pl.col("day").max(),
    )
    if latest is not None:
        spans = spans.filter(
            (latest - pl.col("last")).dt.total_days() > LAPSED_AFTER_DAYS
        )
    if spans.is_empty():
        return PurchaseLifespan(
            None,
            "the orders give no customer lifespan, because no customer has "
            "stopped buying yet (no customer's last order is more than "
            f"{LAPSED_AFTER_DAYS} days before the latest order in the data); enter "
            "a lifespan in years",
        )
    mean_days = spans["days"].mean()
    if not mean_days:
        return PurchaseLifespan(
            None,
            "the orders give no customer lifespan, because no customer who "
            f"stopped buying ({LAPSED_AFTER_DAYS} days without an order) bought "
            "more than once; enter a lifespan in years",
        )
    lapsed = count_noun(spans.height, "lapsed customer")
    return PurchaseLifespan(
        years=mean_days / DAYS_PER_YEAR,
        source=f"from first to last purchase of {lapsed}",
        lapsed=spans.height,
        one_day=int((spans["days"] == 0).sum()),
        mean_days=float(mean_days),
    )
