"""The notes of CLV from orders: why the lifespan is missing, and why the
purchases a year may be too low when all data covers less than a year."""

from pathlib import Path

import polars as pl
import pytest

from kpi_core.clv import clv
from kpi_core.importing import load_file


def _orders(tmp_path: Path, rows: list[str]) -> pl.DataFrame:
    path = tmp_path / "orders.csv"
    path.write_text("Order ID,Customer ID,Order Date,Amount\n" + "\n".join(rows))
    return load_file(path.name, path.read_bytes(), table="orders").frame


def test_no_lapsed_customer_is_named_as_such(tmp_path):
    # Four months of orders: nobody can have gone 365 days without one, so
    # the reason is that no customer stopped buying, not that the ones who
    # stopped bought only once.
    rows = [
        "o1,a,2026-01-10,100",
        "o2,a,2026-03-10,100",
        "o3,b,2026-02-10,50",
        "o4,c,2026-04-20,80",
    ]
    result = clv(_orders(tmp_path, rows))
    assert result.value is None
    assert "no customer has stopped buying yet" in result.reason
    assert "bought more than once" not in result.reason


def test_lapsed_one_time_buyers_keep_their_reason(tmp_path):
    # a and b last bought in 2024, more than 365 days before c's order of
    # 2026-03-01, but each on one day only: lapsed, without a lifespan.
    rows = [
        "o1,a,2024-01-10,100",
        "o2,b,2024-02-10,50",
        "o3,c,2026-03-01,80",
    ]
    result = clv(_orders(tmp_path, rows))
    assert result.value is None
    assert "no customer who stopped buying" in result.reason
    assert "bought more than once" in result.reason


def test_all_data_under_a_year_names_its_own_span(tmp_path):
    # Orders from 2026-01-10 to 2026-04-20, all data: every order counts,
    # 4 purchases of 3 customers = 4 / 3 a year, over less than a year.
    rows = [
        "o1,a,2026-01-10,100",
        "o2,a,2026-03-10,100",
        "o3,b,2026-02-10,50",
        "o4,c,2026-04-20,80",
    ]
    result = clv(_orders(tmp_path, rows), lifespan_years=3)
    assert result.extra["purchase_frequency"] == pytest.approx(4 / 3)
    # Average purchase (100 + 100 + 50 + 80) / 4 = 82.5 EUR, so the CLV is
    # 82.5 x 4 / 3 x 3 = 330 EUR.
    assert result.value == pytest.approx(330.0)
    assert result.note == (
        "The purchases a year are counted from all orders, from 2026-01-10 to "
        "2026-04-20, which is less than a year, so they may be too low."
    )
