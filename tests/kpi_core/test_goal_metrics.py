import math
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.errors import MissingColumnError
from kpi_core.goal_metrics import (
    DOWN,
    METRICS,
    MONTH_DAYS,
    UP,
    SegmentFilter,
    apply_segments,
    best_window,
    count_dates,
    cumulative_counts,
    measure,
    missing_inputs,
    poisson_interval,
    target_value,
)
from kpi_core.period import Period

D = date
DEALS_SCHEMA = {
    "deal_id": pl.String,
    "created_at": pl.Date,
    "closed_at": pl.Date,
    "status": pl.String,
    "source": pl.String,
}
NEW_DEALS = METRICS["new_deals"]
CLOSE_RATE = METRICS["close_rate"]


def _deals(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DEALS_SCHEMA, orient="row")


def _created_on(days: list[date]) -> pl.DataFrame:
    rows = [(f"d{i}", day, None, "open", "Website") for i, day in enumerate(days)]
    return _deals(rows)


def _poisson_cdf(count: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count + 1))


def test_month_days_average_month():
    assert pytest.approx(365.25 / 12) == MONTH_DAYS


def test_apply_segments_ignores_case_and_spaces():
    tickets = pl.DataFrame(
        {
            "channel": ["Phone", " phone ", "email", None],
            "category": ["Late delivery", "late delivery", "Late delivery", "x"],
        }
    )
    segments = (
        SegmentFilter("channel", "phone"),
        SegmentFilter("category", "LATE delivery"),
    )
    assert apply_segments(tickets, segments).height == 2


def test_apply_segments_without_filters_keeps_all():
    frame = pl.DataFrame({"channel": ["a", None]})
    assert apply_segments(frame, ()).height == 2


def test_apply_segments_missing_column():
    frame = pl.DataFrame({"channel": ["a"]})
    with pytest.raises(MissingColumnError, match="no 'source' column"):
        apply_segments(frame, (SegmentFilter("source", "Website"),))


def test_segment_filter_label():
    assert SegmentFilter("channel", "phone").label() == "channel = phone"


def test_missing_inputs_no_table():
    reason = missing_inputs(METRICS["tickets"], (), {"deals": _deals([])})
    assert reason == "there is no tickets table; upload one to measure this goal"


def test_missing_inputs_no_segment_column():
    segments = (SegmentFilter("channel", "phone"),)
    reason = missing_inputs(NEW_DEALS, segments, {"deals": _deals([])})
    assert reason == "the deals table has no channel column; map it on upload"


def test_missing_inputs_all_present():
    segments = (SegmentFilter("source", "Website"),)
    assert missing_inputs(NEW_DEALS, segments, {"deals": _deals([])}) is None


def test_measure_count_in_period():
    deals = _created_on([D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 1), D(2024, 12, 31)])
    counted = measure(NEW_DEALS, deals, Period(D(2025, 1, 1), D(2025, 1, 31)))
    assert counted.value == 2.0
    assert counted.n == 2
    assert counted.unit == "count"


def test_measure_count_skips_undated_rows():
    deals = _created_on([D(2025, 1, 1), None])
    assert measure(NEW_DEALS, deals, Period(D(2025, 1, 1), D(2025, 1, 31))).value == 1


def test_measure_won_deals_by_close_date():
    deals = _deals(
        [
            ("a", D(2024, 12, 1), D(2025, 1, 5), "won", None),
            ("b", D(2025, 1, 2), D(2025, 1, 6), "lost", None),
            ("c", D(2025, 1, 3), D(2025, 2, 6), "won", None),
        ]
    )
    won = measure(METRICS["won_deals"], deals, Period(D(2025, 1, 1), D(2025, 1, 31)))
    assert won.value == 1


def test_measure_new_subscribers_counts_subscribes():
    events = pl.DataFrame(
        {
            "email": ["a@x.de", "b@x.de", "a@x.de", "c@x.de"],
            "event": ["subscribed", "Subscribe", "unsubscribe", "bounce"],
            "occurred_at": [D(2025, 1, 2), D(2025, 1, 3), D(2025, 1, 4), D(2025, 1, 5)],
        }
    )
    period = Period(D(2025, 1, 1), D(2025, 1, 31))
    assert measure(METRICS["new_subscribers"], events, period).value == 2


def test_measure_kpi_value_interval():
    # 1 of 4 deals created in January was won: 25 %.
    deals = _deals(
        [
            ("a", D(2025, 1, 2), D(2025, 1, 20), "won", None),
            ("b", D(2025, 1, 3), D(2025, 1, 21), "lost", None),
            ("c", D(2025, 1, 4), None, "open", None),
            ("d", D(2025, 1, 5), None, "open", None),
        ]
    )
    rate = measure(CLOSE_RATE, deals, Period(D(2025, 1, 1), D(2025, 1, 31)))
    assert rate.value == pytest.approx(1 / 4 * 100)
    assert rate.n == 4
    assert rate.unit == "percent"
    assert rate.ci95 is not None


def test_measure_kpi_not_available_reason():
    rate = measure(CLOSE_RATE, _deals([]), Period(D(2025, 1, 1), D(2025, 1, 31)))
    assert rate.value is None
    assert rate.reason == "no deals were created in this period"


def test_count_dates_sorted_without_nulls():
    deals = _created_on([D(2025, 3, 1), None, D(2025, 1, 1)])
    assert count_dates(NEW_DEALS, deals).to_list() == [D(2025, 1, 1), D(2025, 3, 1)]


def test_count_dates_rejects_kpi():
    with pytest.raises(ValueError, match="close_rate is a KPI"):
        count_dates(CLOSE_RATE, _deals([]))


def test_cumulative_counts_from_start():
    dates = pl.Series([D(2024, 12, 31), D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 9)])
    points = pl.Series([D(2025, 1, 1), D(2025, 1, 8), D(2025, 1, 9)])
    counts = cumulative_counts(dates, D(2025, 1, 1), points)
    assert counts.to_list() == [2, 2, 3]


def test_target_value_absolute():
    assert target_value(20, "absolute", None) == 20


def test_target_value_relative_fewer():
    # 25 % fewer than 40 complaints: 40 - 10 = 30.
    assert target_value(-25, "relative", 40.0) == pytest.approx(30.0)


def test_target_value_relative_negative_baseline():
    # +50 % on an NPS of -20 moves it up by 10 points, to -10.
    assert target_value(50, "relative", -20.0) == pytest.approx(-10.0)


def test_target_value_relative_zero_baseline():
    assert target_value(-25, "relative", 0.0) is None


def test_target_value_relative_without_baseline():
    assert target_value(10, "relative", None) is None


def test_poisson_interval_zero_count():
    low, high = poisson_interval(0)
    assert low == 0.0
    # Exact upper bound for a count of 0: -ln(0.025) = 3.689.
    assert high == pytest.approx(-math.log(0.025), abs=0.03)


def test_poisson_interval_six_tails():
    # The exact bounds leave 2.5 % in each tail: P(X >= 6 | low) and
    # P(X <= 6 | high), summed here term by term.
    low, high = poisson_interval(6)
    assert 1 - _poisson_cdf(5, low) == pytest.approx(0.025, abs=0.002)
    assert _poisson_cdf(6, high) == pytest.approx(0.025, abs=0.002)


@given(st.integers(min_value=0, max_value=100_000))
def test_poisson_interval_contains_count(count):
    low, high = poisson_interval(count)
    assert low <= count
    assert count <= high


def test_best_window_counts_highest():
    # 18 deals on 1 June and one on 1 January: no 90-day window contains both.
    days = [D(2024, 1, 1)] + [D(2024, 6, 1)] * 18
    best = best_window(NEW_DEALS, _created_on(days), D(2024, 12, 1), 90, UP)
    assert best == 18


def test_best_window_counts_lowest():
    # The 90-day windows that end before June contain no deals.
    days = [D(2024, 1, 1)] + [D(2024, 6, 1)] * 18
    best = best_window(NEW_DEALS, _created_on(days), D(2024, 12, 1), 90, DOWN)
    assert best == 0


def test_best_window_history_start_before_rows():
    # The segment's 3 deals are all in November, but the table starts in
    # January, so the 30-day windows before November hold none.
    deals = _created_on([D(2024, 11, 1)] * 3)
    before = D(2024, 12, 1)
    assert best_window(NEW_DEALS, deals, before, 30, DOWN) == 3
    assert best_window(NEW_DEALS, deals, before, 30, DOWN, D(2024, 1, 1)) == 0


def test_best_window_history_too_short():
    days = [D(2024, 11, 1)]
    assert best_window(NEW_DEALS, _created_on(days), D(2024, 12, 1), 90, UP) is None


def test_best_window_empty_history():
    assert best_window(NEW_DEALS, _created_on([]), D(2024, 12, 1), 90, UP) is None


def test_best_window_kpi_month_starts():
    # Windows of 30 days that start on 1 Jan, 1 Feb and 1 Mar 2024 and end
    # before 1 April: 1 of 2 won (50 %), 3 of 4 won (75 %), 0 of 1 (0 %).
    deals = _deals(
        [
            ("a", D(2024, 1, 5), D(2024, 1, 9), "won", None),
            ("b", D(2024, 1, 6), D(2024, 1, 9), "lost", None),
            ("c", D(2024, 2, 10), D(2024, 2, 20), "won", None),
            ("d", D(2024, 2, 11), D(2024, 2, 20), "won", None),
            ("e", D(2024, 2, 12), D(2024, 2, 20), "won", None),
            ("f", D(2024, 2, 13), D(2024, 2, 20), "lost", None),
            ("g", D(2024, 3, 10), D(2024, 3, 20), "lost", None),
        ]
    )
    assert best_window(CLOSE_RATE, deals, D(2024, 4, 1), 30, UP) == pytest.approx(75.0)
    assert best_window(CLOSE_RATE, deals, D(2024, 4, 1), 30, DOWN) == pytest.approx(0.0)


def test_best_window_ignores_rows_after_before():
    days = [D(2024, 1, 1)] + [D(2024, 3, 1) + timedelta(days=i) for i in range(5)]
    deals = _created_on(days)
    # Only the deal of 1 January lies in a 30-day window ending by 31 January.
    assert best_window(NEW_DEALS, deals, D(2024, 2, 1), 30, UP) == 1
