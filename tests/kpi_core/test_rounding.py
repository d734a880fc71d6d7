"""Figures shown as text round half away from zero, as a person rounds."""

from datetime import date

import polars as pl
import pytest

from kpi_core.churn import churn_rate
from kpi_core.formatting import format_change, format_number, format_value
from kpi_core.period import Period
from kpi_core.service import resolution_hours


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (5.25, 1, "5.3"),
        (-5.25, 1, "-5.3"),
        (12.25, 1, "12.3"),
        # 2.675 is stored as 2.67499999..., but reads 2.675.
        (2.675, 2, "2.68"),
        (-2.675, 2, "-2.68"),
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (-0.5, 0, "-1"),
        (-0.04, 1, "0.0"),
        (-0.0, 1, "0.0"),
        (-0.4, 0, "0"),
        (1_234_567.85, 1, "1,234,567.9"),
        (12_345_678, 0, "12,345,678"),
        (9_876_543_210.5, 0, "9,876,543,211"),
        (1e30, 2, "1,000,000,000,000,000,000,000,000,000,000.00"),
    ],
)
def test_format_number_half_up(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_format_number_sign():
    assert format_number(5.25, 1, sign=True) == "+5.3"
    assert format_number(-5.25, 1, sign=True) == "-5.3"
    assert format_number(-0.04, 1, sign=True) == "+0.0"


def test_format_number_scale_millions():
    # 1,250,000 / 10^6 = 1.25, which rounds up to 1.3.
    assert format_number(1_250_000, 1, scale=6) == "1.3"


def test_format_number_not_finite():
    assert format_number(float("inf"), 1) == "inf"
    assert format_number(float("nan"), 1) == "nan"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (5.25, "hours", "5.3 h"),
        (-5.25, "hours", "-5.3 h"),
        (12.25, "percent", "12.3 %"),
        (-0.04, "percent", "0.0 %"),
        # Money below 100 keeps its cents; from 100 on it is whole.
        (11.645, "EUR", "11.65 EUR"),
        (-2.5, "EUR", "-2.50 EUR"),
        (99.996, "EUR", "100 EUR"),
        (150.5, "EUR", "151 EUR"),
        (-150.5, "EUR", "-151 EUR"),
        (12.5, "score", "13"),
        (-12.5, "score", "-13"),
        (2.675, "count", "2.68"),
        (1_234_567.85, "EUR", "1.2M EUR"),
        (1_250_000.0, "EUR", "1.3M EUR"),
        (-1_250_000.0, "USD", "-1.3M USD"),
        (123_456.5, "EUR", "123,457 EUR"),
        (1_234.25, "days", "1,234.3 days"),
    ],
)
def test_format_value_half_up(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("current", "previous", "unit", "expected"),
    [
        # 12.25 - 10.0 = 2.25 pp, shown to one decimal.
        (12.25, 10.0, "percent", "+2.3 pp"),
        (10.0, 12.25, "percent", "-2.3 pp"),
        # 10.35 - 10.1 = 0.25 by hand; in floats it is 0.2499999...
        (10.35, 10.1, "percent", "+0.3 pp"),
        (10.0, 10.04, "percent", "0.0 pp"),
        (5.25, 0.0, "hours", "+5.3 h"),
        (0.0, 5.25, "hours", "-5.3 h"),
        (10.0, 10.04, "hours", "0.0 h"),
        # 50.0 - 50.025 = -0.025 days rounds to 0.0: no sign, neither a rise
        # nor a fall.
        (50.0, 50.025, "days", "0.0 days"),
        (100.0, 100.004, "EUR", "0.00 EUR"),
        (3.0, 0.5, "EUR", "+2.50 EUR"),
        (300.0, 100.5, "EUR", "+200 EUR"),
    ],
)
def test_format_change_half_up(current, previous, unit, expected):
    assert format_change(current, previous, unit) == expected


def test_resolution_formula_half_up():
    # Three tickets on Tuesday 2024-04-09, inside 09:00-17:00 Berlin time:
    # 4 h, 5 h and 6.75 h, so (4 + 5 + 6.75) / 3 = 15.75 / 3 = 5.25 hours.
    tickets = pl.DataFrame(
        {
            "ticket_id": ["1", "2", "3"],
            "status": ["solved", "solved", "solved"],
            "created_at": [
                "2024-04-09 09:00",
                "2024-04-09 09:00",
                "2024-04-09 09:00",
            ],
            "solved_at": [
                "2024-04-09 13:00",
                "2024-04-09 14:00",
                "2024-04-09 15:45",
            ],
        }
    ).with_columns(pl.col("created_at", "solved_at").str.to_datetime())
    result = resolution_hours(tickets)
    assert result.value == 5.25
    assert "= 5.3 hours (median 5.0 hours)" in result.formula
    assert format_value(result.value, result.unit) == "5.3 h"


def test_churn_formula_half_up():
    # 400 customers at the start of January 2024 and 1 leaves in it:
    # 1 / 400 x 100 = 0.25 %, which reads "0.3 %" at one decimal.
    customers = [f"c{i}" for i in range(400)]
    subs = pl.DataFrame(
        {
            "customer_id": customers,
            "started_at": [date(2023, 12, 1)] * 400,
            "ended_at": [date(2024, 1, 20)] + [None] * 399,
            "amount": [10.0] * 400,
        }
    )
    result = churn_rate(subs, Period(date(2024, 1, 1), date(2024, 1, 31)))
    assert result.value == pytest.approx(0.25)
    assert result.formula.endswith("x 100 = 0.3 %")
