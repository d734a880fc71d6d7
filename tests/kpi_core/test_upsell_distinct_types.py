"""Check the upsell match over mixed spellings and null statuses in sales KPIs."""

from datetime import date

import polars as pl
import pytest

from kpi_core.period import Period
from kpi_core.sales import upsell_customers, upsell_rate, win_rate

YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))
SCHEMA = {
    "deal_id": pl.String,
    "status": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "account": pl.String,
    "deal_type": pl.String,
}
ROWS = [
    ("a1", "won", date(2024, 1, 10), date(2024, 3, 1), "Acme", "Upsell"),
    ("a2", "won", date(2024, 2, 10), date(2024, 4, 1), "Beta", "up-sell"),
    ("a3", "won", date(2024, 2, 11), date(2024, 5, 1), "Gamma", "New Business"),
    ("a4", "won", date(2024, 3, 12), date(2024, 6, 1), "Delta", None),
    ("a5", "open", date(2024, 4, 13), None, "Acme", "Upsell"),
    ("a6", "lost", date(2024, 5, 14), date(2024, 7, 1), "Echo", "UPSELL"),
    ("a7", None, date(2024, 6, 15), None, "Fox", "Upsell"),
]


@pytest.fixture
def deals() -> pl.DataFrame:
    return pl.DataFrame(ROWS, schema=SCHEMA, orient="row")


def test_upsell_rate_mixed_spellings(deals):
    result = upsell_rate(deals, YEAR_2024)
    # Active in 2024: Acme, Beta, Gamma, Delta, Echo and Fox (created in
    # 2024) = 6 accounts. Won upsells closed in 2024: Acme ("Upsell") and
    # Beta ("up-sell"); Echo's upsell is lost and Delta has no type.
    # 2 / 6 x 100 = 33.33 %.
    assert result.numerator == 2
    assert result.denominator == 6
    assert result.value == pytest.approx(2 / 6 * 100)


def test_upsell_customers_mixed_spellings(deals):
    table = upsell_customers(deals, YEAR_2024)
    won = dict(zip(table["account"], table["won_upsells"], strict=True))
    assert won == {"Acme": 1, "Beta": 1, "Gamma": 0, "Delta": 0, "Echo": 0, "Fox": 0}


def test_win_rate_skips_null_status(deals):
    result = win_rate(deals, YEAR_2024)
    # Decided in 2024: a1-a4 won and a6 lost = 5; a7 has no status.
    # 4 / 5 x 100 = 80 %.
    assert result.numerator == 4
    assert result.n == 5
    assert result.value == pytest.approx(80.0)
