"""The purchase frequency of CLV for periods shorter than a year: it counts
the 12 months that end with the period, so that customers who buy every
month make 12 purchases a year, not 3 in a quarter."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kpi_core.clv import clv
from kpi_core.importing import load_file
from kpi_core.period import Period


def _orders(tmp_path: Path, rows: list[str]) -> pl.DataFrame:
    path = tmp_path / "orders.csv"
    path.write_text("Order ID,Customer ID,Order Date,Amount\n" + "\n".join(rows))
    return load_file(path.name, path.read_bytes(), table="orders").frame


def _monthly(years: range) -> list[str]:
    """Ten customers who each order for 100 EUR on the 10th of every month."""
    return [
        f"o{year}{month:02d}{customer},c{customer},{year}-{month:02d}-10,100"
        for year in years
        for month in range(1, 13)
        for customer in range(10)
    ]


def test_quarter_counts_the_year_before(tmp_path):
    orders = _orders(tmp_path, _monthly(range(2023, 2025)))
    result = clv(orders, period=Period(date(2024, 4, 1), date(2024, 6, 30)),
                 lifespan_years=1)  # fmt: skip
    # July 2023 to June 2024 contains 12 x 10 = 120 orders of 10 customers:
    # 12 purchases a year of 100 EUR, so 100 x 12 x 1 = 1,200 EUR.
    assert result.extra["purchase_frequency"] == pytest.approx(12.0)
    assert result.value == pytest.approx(1200.0)
    assert "(120 purchases / 10 customers from 2023-07-01 to 2024-06-30)" in (
        result.formula
    )
    assert result.note == ""
    # The card's n stays the customers of the quarter.
    assert result.n == 10


def test_month_and_year_agree(tmp_path):
    orders = _orders(tmp_path, _monthly(range(2023, 2025)))
    march = clv(orders, period=Period(date(2024, 3, 1), date(2024, 3, 31)),
                lifespan_years=1)  # fmt: skip
    year = clv(orders, period=Period(date(2024, 1, 1), date(2024, 12, 31)),
               lifespan_years=1)  # fmt: skip
    assert march.value == pytest.approx(1200.0)
    assert year.value == pytest.approx(1200.0)


def test_yearly_buyers_stay_at_one_purchase(tmp_path):
    # Five customers order once a year, on 1 May.
    rows = [
        f"o{year}{customer},c{customer},{year}-05-01,80"
        for year in (2023, 2024)
        for customer in range(5)
    ]
    orders = _orders(tmp_path, rows)
    result = clv(orders, period=Period(date(2024, 4, 1), date(2024, 6, 30)),
                 lifespan_years=2)  # fmt: skip
    # July 2023 to June 2024 contains the five orders of May 2024 only:
    # 80 x 1 x 2 = 160 EUR.
    assert result.extra["purchase_frequency"] == pytest.approx(1.0)
    assert result.value == pytest.approx(160.0)


def test_orders_starting_late_get_a_note(tmp_path):
    orders = _orders(tmp_path, _monthly(range(2024, 2025)))
    result = clv(orders, period=Period(date(2024, 1, 1), date(2024, 3, 31)),
                 lifespan_years=1)  # fmt: skip
    # April 2023 to March 2024 contains only January to March 2024: 30 orders
    # of 10 customers, 3 a year, so 300 EUR, and the note gives the reason.
    assert result.value == pytest.approx(300.0)
    assert result.note == (
        "The purchases a year are counted from 2023-04-01, but the orders "
        "start on 2024-01-10, so they may be too low."
    )


def test_fifteen_months_count_the_last_whole_year(tmp_path):
    # January 2024 to March 2025: ten customers order 100 EUR every month.
    rows = _monthly(range(2024, 2025)) + [
        f"o2025{month:02d}{customer},c{customer},2025-{month:02d}-10,100"
        for month in (1, 2, 3)
        for customer in range(10)
    ]
    orders = _orders(tmp_path, rows)
    period = Period(date(2024, 1, 1), date(2025, 3, 31))
    result = clv(orders, period=period, lifespan_years=1)
    # The whole year April 2024 to March 2025 contains 120 orders of 10
    # customers: 12 a year. January to March 2024 are left out of the count.
    assert result.extra["purchase_frequency"] == pytest.approx(12.0)
    assert result.value == pytest.approx(1200.0)
    assert "(120 purchases / 10 customers from 2024-04-01 to 2025-03-31)" in (
        result.formula
    )
    # All data ends on the last order, 10 March 2025: the same whole year
    # from 11 March 2024 contains 12 orders a customer.
    assert clv(orders, lifespan_years=1).value == pytest.approx(1200.0)


def test_other_currency_outside_the_period_needs_no_rate(tmp_path):
    # The ten customers paid 10 USD a month in 2023 and 10 EUR in 2024.
    path = tmp_path / "orders.csv"
    lines = ["Order ID,Customer ID,Order Date,Amount,Currency"] + [
        f"o{year}{month:02d}{customer},c{customer},{year}-{month:02d}-10,10,{code}"
        for year, code in ((2023, "USD"), (2024, "EUR"))
        for month in range(1, 13)
        for customer in range(10)
    ]
    path.write_text("\n".join(lines))
    orders = load_file(path.name, path.read_bytes(), table="orders").frame
    quarter = Period(date(2024, 1, 1), date(2024, 3, 31))
    result = clv(orders, period=quarter, lifespan_years=1)
    # The quarter's orders are all in EUR; April 2023 to March 2024 contains
    # 12 orders a customer whatever their currency: 10 x 12 x 1 = 120 EUR.
    assert result.available
    assert result.unit == "EUR"
    assert result.value == pytest.approx(120.0)


def test_period_whose_last_year_has_no_orders(tmp_path):
    # Orders only in January to June 2024; the period runs to June 2025.
    rows = [
        f"o{month}{customer},c{customer},2024-{month:02d}-10,100"
        for month in range(1, 7)
        for customer in range(10)
    ]
    orders = _orders(tmp_path, rows)
    period = Period(date(2024, 1, 1), date(2025, 6, 30))
    result = clv(orders, period=period, lifespan_years=3)
    # The only whole 12-month span, July 2024 to June 2025, contains no order.
    assert result.status == "not_available"
    assert result.reason.startswith(
        "no orders from 2024-07-01 to 2025-06-30, the whole 12-month spans"
    )
