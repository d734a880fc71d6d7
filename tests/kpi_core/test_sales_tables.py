from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kpi_core.errors import InvalidSettingError, MissingColumnError
from kpi_core.period import Period
from kpi_core.sales_tables import pipeline_by_stage, sales_breakdown, sales_series
from tests.kpi_core.test_sales import SAMPLE, deals_frame

D = date
SERIES_SCHEMA = {
    "period_start": pl.Date,
    "created": pl.Int64,
    "won_of_created": pl.Int64,
    "close_rate": pl.Float64,
    "decided": pl.Int64,
    "won": pl.Int64,
    "win_rate": pl.Float64,
    "won_value": pl.Float64,
    "average_deal_size": pl.Float64,
    "cycle_mean_days": pl.Float64,
    "cycle_median_days": pl.Float64,
}


@pytest.fixture
def sample() -> pl.DataFrame:
    return deals_frame(SAMPLE)


@pytest.fixture
def empty() -> pl.DataFrame:
    return deals_frame([])


# Pipeline by stage


def test_pipeline_by_stage_all_data(sample):
    expected = pl.DataFrame(
        {
            "stage": ["Demo", "Won", "Lost"],
            "status": ["open", "won", "lost"],
            "deals": [2, 4, 2],
            "value": [500.0, 1000 + 3000 + 2000.0, 200.0],
            "without_amount": [1, 1, 1],
        },
        schema_overrides={"deals": pl.Int64, "without_amount": pl.Int64},
    )
    assert_frame_equal(pipeline_by_stage(sample), expected)


def test_pipeline_by_stage_explicit_period(sample):
    # Created in February: d4 (won, no amount) and d5 (open, 500).
    table = pipeline_by_stage(sample, Period(D(2024, 2, 1), D(2024, 2, 29)))
    assert table["stage"].to_list() == ["Demo", "Won"]
    assert table["value"].to_list() == [500.0, None]


def test_pipeline_by_stage_empty_frame(empty):
    assert pipeline_by_stage(empty).is_empty()


def test_pipeline_by_stage_converts_currency():
    rows = [
        ("d1", "Ana", "Demo", "open", D(2024, 1, 1), None, 100.0),
        ("d2", "Ana", "Demo", "open", D(2024, 1, 2), None, 100.0),
    ]
    deals = deals_frame(rows, currency=["EUR", "USD"])
    # Without a rate the deals still count, but EUR and USD are not summed.
    unpriced = pipeline_by_stage(deals)
    assert unpriced["deals"].to_list() == [2]
    assert unpriced["value"].to_list() == [None]
    assert unpriced["without_amount"].to_list() == [0]
    table = pipeline_by_stage(deals, currency="EUR", fx={"USD": 0.9})
    assert table["value"].to_list() == pytest.approx([100 + 100 * 0.9])


# Series


def test_sales_series_monthly(sample):
    # Created: Jan d1, d2, d3; Feb d4, d5; Mar d6 (d7 and d8 have no date).
    # Closed: Jan d2; Feb d1; Mar d3, d4, d6, d8. Cycles: d2 10, d1 30, d4 30.
    expected = pl.DataFrame(
        {
            "period_start": [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)],
            "created": [3, 2, 1],
            "won_of_created": [2, 1, 0],
            "close_rate": [2 / 3 * 100, 1 / 2 * 100, 0.0],
            "decided": [1, 1, 4],
            "won": [1, 1, 2],
            "win_rate": [100.0, 100.0, 2 / 4 * 100],
            "won_value": [3000.0, 1000.0, 2000.0],
            "average_deal_size": [3000.0, 1000.0, 2000.0],
            "cycle_mean_days": [10.0, 30.0, 30.0],
            "cycle_median_days": [10.0, 30.0, 30.0],
        },
        schema=SERIES_SCHEMA,
    )
    assert_frame_equal(sales_series(sample), expected)


def test_sales_series_empty_months():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 5), D(2024, 1, 6), 10.0),
        ("d2", "Ana", "Demo", "open", D(2024, 3, 5), None, None),
    ]
    series = sales_series(deals_frame(rows), Period(D(2024, 1, 1), D(2024, 4, 30)))
    assert series["period_start"].to_list() == [
        D(2024, 1, 1),
        D(2024, 2, 1),
        D(2024, 3, 1),
        D(2024, 4, 1),
    ]
    assert series["created"].to_list() == [1, 0, 1, 0]
    assert series["close_rate"].to_list() == [100.0, None, 0.0, None]
    assert series["win_rate"].to_list() == [100.0, None, None, None]
    assert series["won_value"].to_list() == [10.0, 0.0, 0.0, 0.0]
    assert series["average_deal_size"].to_list() == [10.0, None, None, None]


def test_sales_series_cycle_of_closed_deals():
    rows = [
        ("d1", "Ana", "Won", "won", D(2024, 1, 5), D(2024, 1, 15), 10.0),
        ("d2", "Ana", "Lost", "lost", D(2024, 1, 1), D(2024, 1, 31), None),
        ("d3", "Ana", "Demo", "open", D(2024, 1, 8), None, None),
    ]
    won = sales_series(deals_frame(rows))
    closed = sales_series(deals_frame(rows), cycle_of="closed")
    # Won only: d1 took 10 days. Won and lost: (10 + 30) / 2 = 20 days.
    assert won["cycle_mean_days"].to_list() == [10.0]
    assert closed["cycle_mean_days"].to_list() == [20.0]
    assert closed["cycle_median_days"].to_list() == [20.0]
    # The money columns stay those of the won deal.
    assert closed["won_value"].to_list() == [10.0]


def test_sales_series_quarterly(sample):
    series = sales_series(sample, grain="quarter")
    assert series["period_start"].to_list() == [D(2024, 1, 1)]
    assert series["created"].to_list() == [6]
    assert series["win_rate"].to_list() == [pytest.approx(4 / 6 * 100)]


def test_sales_series_won_without_amounts():
    rows = [("d1", "Ana", "Won", "won", D(2024, 1, 5), D(2024, 1, 6), None)]
    series = sales_series(deals_frame(rows))
    assert series["won_value"].to_list() == [None]


def test_sales_series_empty_frame(empty):
    series = sales_series(empty)
    assert series.is_empty()
    assert series.columns == list(SERIES_SCHEMA)


def test_sales_series_unknown_grain(sample):
    with pytest.raises(InvalidSettingError, match="unknown time grain 'day'"):
        sales_series(sample, grain="day")


# Breakdown


def test_sales_breakdown_by_owner(sample):
    # Ana: created d1, d2, d6, d8 (3 won); closed the same four; cycles 30, 10.
    # Ben: created d3, d4, d7 (1 won); closed d3, d4; d4 won without amount.
    # (none): d5, open.
    table = sales_breakdown(sample)
    assert table["owner"].to_list() == ["Ana", "(none)", "Ben"]
    assert table["created"].to_list() == [4, 1, 3]
    assert table["close_rate"].to_list() == pytest.approx([75.0, 0.0, 1 / 3 * 100])
    assert table["decided"].to_list() == [4, 0, 2]
    assert table["win_rate"].to_list()[1] is None
    assert table["won_value"].to_list() == [6000.0, 0.0, None]
    assert table["cycle_mean_days"].to_list() == [20.0, None, 30.0]


def test_sales_breakdown_wilson_bounds(sample):
    # Ana won 3 of 4 created: the published Wilson interval is 30.06 % to 95.44 %.
    ana = sales_breakdown(sample).row(0, named=True)
    assert ana["close_rate_low"] == pytest.approx(30.06, abs=0.01)
    assert ana["close_rate_high"] == pytest.approx(95.44, abs=0.01)
    assert ana["win_rate_low"] == pytest.approx(30.06, abs=0.01)


def test_sales_breakdown_no_decided_bounds(sample):
    none_row = sales_breakdown(sample).row(1, named=True)
    assert none_row["win_rate_low"] is None
    assert none_row["win_rate_high"] is None


def test_sales_breakdown_column_order(sample):
    assert sales_breakdown(sample).columns == [
        "owner",
        "created",
        "won_of_created",
        "close_rate",
        "close_rate_low",
        "close_rate_high",
        "decided",
        "won",
        "win_rate",
        "win_rate_low",
        "win_rate_high",
        "won_value",
        "average_deal_size",
        "cycle_mean_days",
        "cycle_median_days",
    ]


def test_sales_breakdown_missing_segment(sample):
    with pytest.raises(MissingColumnError, match="no 'product' column"):
        sales_breakdown(sample, segment="product")


def test_sales_breakdown_empty_frame(empty):
    assert sales_breakdown(empty).is_empty()
