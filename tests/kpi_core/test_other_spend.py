"""A warning names the spend tables that CAC and campaign ROI leave out."""

from datetime import date

import polars as pl

from kpi_core.period import Period
from kpi_core.spend_coverage import other_spend_warning

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))


def _spend(days: list[date], amounts: list[float], currency: str = "EUR"):
    return pl.DataFrame(
        {
            "spent_at": days,
            "amount": amounts,
            "currency": [currency] * len(days),
        }
    )


def test_other_table_spend_in_period_named():
    # Meta: 300 + 200 + 100 in January to March, 50 in April outside Q1.
    meta = _spend(
        [date(2025, 1, 5), date(2025, 2, 5), date(2025, 3, 5), date(2025, 4, 5)],
        [300.0, 200.0, 100.0, 50.0],
    )
    warning = other_spend_warning("google.csv", {"meta.csv": meta}, Q1)
    assert warning == (
        "CAC and campaign ROI count the spend of one table, “google.csv”. "
        "“meta.csv” (600.00 EUR) also has spend in this period, which they "
        "leave out. To count all of it, import one spend file with the rows of "
        "every ad platform, or choose another table under Marketing spend "
        "table in the sidebar."
    )


def test_other_table_outside_period_silent():
    old = _spend([date(2024, 6, 1)], [900.0])
    assert other_spend_warning("google.csv", {"2024.csv": old}, Q1) is None


def test_other_table_without_rate_named():
    # USD spend with a EUR report currency and no rate cannot be added up.
    usd = _spend([date(2025, 1, 5)], [100.0], currency="USD")
    warning = other_spend_warning(
        "google.csv", {"us.csv": usd}, Q1, currency="EUR", fx={}
    )
    assert "“us.csv” (in a currency without an exchange rate) also has" in warning
