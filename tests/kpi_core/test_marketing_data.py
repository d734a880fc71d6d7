from datetime import date

import polars as pl
import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.marketing_data import revenue_rows, spend_in_period
from kpi_core.period import Period

D = date
FEBRUARY = Period(D(2025, 2, 1), D(2025, 2, 28))
WINDOW_SCHEMA = {
    "period_start": pl.Date,
    "period_end": pl.Date,
    "campaign": pl.String,
    "amount": pl.Float64,
}


def windows(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=WINDOW_SCHEMA, orient="row")


def test_spend_window_shared_by_days():
    # 20 days from 20 January to 8 February; 8 of them fall in February.
    spend = windows([(D(2025, 1, 20), D(2025, 2, 8), "Brand", 200.0)])
    rows = spend_in_period(spend, FEBRUARY, None, None)
    assert rows.frame["amount"].to_list() == pytest.approx([200 * 8 / 20])


def test_spend_window_inside_period_whole():
    spend = windows([(D(2025, 2, 3), D(2025, 2, 9), "Brand", 70.0)])
    rows = spend_in_period(spend, FEBRUARY, None, None)
    assert rows.frame["amount"].to_list() == [70.0]


def test_spend_window_outside_period_dropped():
    spend = windows([(D(2025, 3, 1), D(2025, 3, 9), "Brand", 70.0)])
    assert spend_in_period(spend, FEBRUARY, None, None).frame.is_empty()


def test_spend_open_period_start():
    spend = windows([(D(2025, 1, 20), D(2025, 2, 8), "Brand", 200.0)])
    rows = spend_in_period(spend, Period(end=D(2025, 1, 31)), None, None)
    assert rows.frame["amount"].to_list() == pytest.approx([200 * 12 / 20])


def test_spend_day_rows():
    spend = pl.DataFrame(
        {"spent_at": [D(2025, 2, 1), D(2025, 3, 1)], "amount": [5.0, 7.0]}
    )
    rows = spend_in_period(spend, FEBRUARY, None, None)
    assert rows.frame["amount"].to_list() == [5.0]


def test_spend_reasons_counted():
    spend = windows(
        [
            (None, None, "Brand", 10.0),
            (D(2025, 2, 5), D(2025, 2, 1), "Brand", 10.0),
            (D(2025, 2, 5), D(2025, 2, 6), "Brand", None),
        ]
    )
    rows = spend_in_period(spend, FEBRUARY, None, None)
    assert rows.excluded == {
        "no spend date": 1,
        "reporting window ends before it starts": 1,
        "no amount": 1,
    }


def test_spend_undated_kept_for_all_data():
    spend = windows([(None, None, "Brand", 10.0)])
    rows = spend_in_period(spend, Period(), None, None)
    assert rows.frame["amount"].to_list() == [10.0]


def test_spend_needs_amount():
    with pytest.raises(MissingColumnError, match="amount"):
        spend_in_period(
            pl.DataFrame({"spent_at": [D(2025, 2, 1)]}), FEBRUARY, None, None
        )


def test_spend_converted_with_rates():
    spend = pl.DataFrame(
        {
            "spent_at": [D(2025, 2, 1), D(2025, 2, 2)],
            "amount": [10.0, 10.0],
            "currency": ["EUR", "usd"],
        }
    )
    rows = spend_in_period(spend, FEBRUARY, "EUR", {"USD": 0.9})
    assert rows.frame["amount"].to_list() == pytest.approx([10.0, 9.0])
    assert rows.unit == "EUR"


def test_revenue_rows_orders_by_order_date():
    orders = pl.DataFrame(
        {
            "ordered_at": [D(2025, 2, 1), D(2025, 3, 1), None],
            "amount": [1.0, 2.0, 3.0],
        }
    )
    rows = revenue_rows(orders, FEBRUARY, None, None)
    assert rows.frame["amount"].to_list() == [1.0]
    assert rows.excluded == {"no order date": 1}


def test_revenue_rows_won_deals_by_close_date():
    deals = pl.DataFrame(
        {
            "status": ["won", "lost", "won", "won"],
            "closed_at": [D(2025, 2, 1), D(2025, 2, 2), None, D(2025, 2, 3)],
            "amount": [1.0, 2.0, 3.0, None],
        }
    )
    rows = revenue_rows(deals, FEBRUARY, None, None)
    assert rows.frame["amount"].to_list() == [1.0]
    assert rows.excluded == {"no close date": 1, "no amount": 1}
