from datetime import date, timedelta

import polars as pl
import pytest

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
    measure_baseline,
    missing_inputs,
    segment_advice,
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


def test_apply_segments_doubled_spaces():
    deals = pl.DataFrame({"source": ["Google Ads", "Google  Ads", "Bing Ads"]})
    segments = (SegmentFilter("source", "google ads"),)
    assert apply_segments(deals, segments).height == 2


def test_apply_segments_unicode_forms():
    # "é" as "e" and a combining accent, as macOS writes it, and a
    # zero-width space match the typed "Café".
    deals = pl.DataFrame({"source": ["Cafe\u0301", "Caf\u00e9\u200b", "Cafe"]})
    segments = (SegmentFilter("source", "Caf\u00e9"),)
    assert apply_segments(deals, segments).height == 2


def test_segment_advice_names_empty_column():
    deals = pl.DataFrame({"account": [None, None]}, schema={"account": pl.String})
    segments = (SegmentFilter("account", "Cancity"),)
    assert segment_advice(deals, segments).startswith(
        "the table has no value in 'account' at all"
    )
    filled = pl.DataFrame({"account": ["Acme", None]})
    assert segment_advice(filled, segments) == "check the spelling of the values"


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
    assert reason == (
        "there is no tickets table; to measure this goal, upload one on the Data page"
    )


def test_missing_inputs_no_segment_column():
    segments = (SegmentFilter("channel", "phone"),)
    reason = missing_inputs(NEW_DEALS, segments, {"deals": _deals([])})
    assert reason.startswith("the deals table has no channel column; map it on upload")
    # The columns a segment can name instead, without ids and dates.
    assert reason.endswith("by its field name: status, source")


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


def test_best_window_kpi_monthly_windows():
    # The 30-day windows end before 1 April: the baseline from 2 to 31
    # March, then 2 February to 2 March and 2 to 31 January. They hold
    # 0 of 1 won (0 %), 3 of 4 won (75 %) and 1 of 2 won (50 %).
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


def _sized(rows: list[tuple]) -> pl.DataFrame:
    """Deals from (created_at, closed_at, status, amount) rows."""
    schema = {**DEALS_SCHEMA, "amount": pl.Float64}
    full = [
        (f"d{i}", created, closed, status, None, amount)
        for i, (created, closed, status, amount) in enumerate(rows)
    ]
    return pl.DataFrame(full, schema=schema, orient="row")


# A goal starting on 16 April 2024 that runs 30 days has the baseline 17
# March to 15 April. The earlier windows start on the 17th of each month:
# 17 February to 17 March (2024 is a leap year) and 17 January to 15
# February. The history starts on the first date in each frame below.
BEFORE = D(2024, 4, 16)


def test_best_window_rate_includes_baseline():
    deals = _sized(
        [
            (D(2024, 3, 1), None, "lost", None),
            (D(2024, 4, 10), None, "won", None),
            (D(2024, 4, 11), None, "won", None),
        ]
    )
    # Only the baseline fits after 1 March: 2 of 2 created deals won.
    baseline = measure(CLOSE_RATE, deals, Period(D(2024, 3, 17), D(2024, 4, 15)))
    assert baseline.value == pytest.approx(100.0)
    assert best_window(CLOSE_RATE, deals, BEFORE, 30, UP) == pytest.approx(100.0)


def test_best_window_value_includes_baseline():
    deals = _sized(
        [
            (D(2024, 2, 20), D(2024, 3, 1), "won", 100.0),
            (D(2024, 4, 1), D(2024, 4, 10), "won", 500.0),
            (D(2024, 4, 2), D(2024, 4, 12), "won", 700.0),
        ]
    )
    # The baseline contains the deals of 10 and 12 April: (500 + 700) / 2.
    metric = METRICS["average_deal_size"]
    assert best_window(metric, deals, BEFORE, 30, UP) == pytest.approx(600.0)


@pytest.mark.parametrize(("direction", "expected"), [(DOWN, 5.0), (UP, 40.0)])
def test_best_window_time_follows_direction(direction, expected):
    deals = _sized(
        [
            (D(2023, 12, 1), D(2024, 1, 1), "won", None),
            (D(2023, 12, 11), D(2024, 1, 20), "won", None),
            (D(2024, 1, 31), D(2024, 3, 1), "won", None),
            (D(2024, 4, 5), D(2024, 4, 10), "won", None),
        ]
    )
    # Cycles by window: 17 January to 15 February has 20 January (40 days),
    # 17 February to 17 March has 1 March (30 days after 31 January in a
    # leap year) and the baseline has 10 April (5 days). The deal closed on
    # 1 January lies before every window.
    metric = METRICS["sales_cycle_days"]
    assert best_window(metric, deals, BEFORE, 30, direction) == pytest.approx(expected)


@pytest.mark.parametrize("metric", ["won_deals", "win_rate"])
def test_baseline_window_after_data_has_no_value(metric):
    deals = _deals(
        [
            ("d1", D(2025, 1, 13), D(2025, 2, 1), "won", "Website"),
            ("d2", D(2025, 1, 20), D(2025, 2, 10), "lost", "Website"),
        ]
    )
    # The last date is d2's close on 10 February 2025, so a window in 2026
    # has no data: no count of 0 and no rate.
    window = Period(D(2026, 1, 1), D(2026, 3, 31))
    baseline = measure_baseline(METRICS[metric], deals, deals, window)
    assert baseline.value is None
    assert baseline.reason == (
        "the baseline window starts on 2026-01-01, after the data's last date, "
        "2025-02-10, so the window holds no data"
    )


def test_best_window_month_end_start():
    # A goal starting on 30 April 2024 for 30 days has the baseline 31 March
    # to 29 April. A month earlier the window starts on 29 February, the last
    # day of that month, and ends on 29 March. Two months earlier it starts
    # on 31 January and ends on 29 February.
    deals = _sized(
        [
            (D(2024, 1, 30), None, "lost", None),
            (D(2024, 1, 31), None, "lost", None),
            (D(2024, 2, 29), None, "won", None),
        ]
    )
    # 29 February to 29 March: 1 of 1 won. 31 January to 29 February: 1 of
    # 2 won. The baseline has no deals and so no value.
    before = D(2024, 4, 30)
    assert best_window(CLOSE_RATE, deals, before, 30, UP) == pytest.approx(100.0)
    assert best_window(CLOSE_RATE, deals, before, 30, DOWN) == pytest.approx(50.0)


def test_baseline_window_before_data_has_no_value():
    deals = _deals(
        [
            ("d1", D(2025, 1, 13), D(2025, 2, 1), "won", "Website"),
            ("d2", D(2025, 1, 20), D(2025, 2, 10), "lost", "Website"),
        ]
    )
    window = Period(D(2024, 10, 1), D(2024, 12, 31))
    # The first close date, 1 February 2025, lies after the window's end, so
    # the window contains no won or lost deal and no baseline.
    baseline = measure_baseline(METRICS["win_rate"], deals, deals, window)
    assert baseline.value is None
    assert baseline.reason == (
        "the data starts on 2025-02-01, after the baseline window ends on "
        "2024-12-31, so the window holds no data"
    )
    assert baseline.note == ""
