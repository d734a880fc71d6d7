from datetime import date

import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.period import Period, bucket_bounds, partial_buckets, quick_period


def test_period_rejects_start_after_end():
    with pytest.raises(InvalidSettingError, match="swap the two dates"):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_contains_is_inclusive_and_drops_nulls():
    frame = pl.DataFrame(
        {"d": [date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 31), None]}
    )
    inside = frame.filter(Period(date(2025, 1, 1), date(2025, 1, 31)).contains("d"))
    assert inside["d"].to_list() == [date(2025, 1, 1), date(2025, 1, 31)]


def test_all_data_keeps_null_dates():
    frame = pl.DataFrame({"d": [date(2025, 1, 1), None]})
    assert frame.filter(Period().contains("d")).height == 2


@pytest.mark.parametrize(
    ("name", "anchor", "expected"),
    [
        # Data up to the last day of November covers November in full.
        (
            "last_12_months",
            date(2026, 11, 30),
            Period(date(2025, 12, 1), date(2026, 11, 30)),
        ),
        (
            "last_12_months",
            date(2026, 11, 29),
            Period(date(2025, 11, 1), date(2026, 10, 31)),
        ),
        (
            "last_12_months",
            date(2026, 1, 15),
            Period(date(2025, 1, 1), date(2025, 12, 31)),
        ),
        ("this_year", date(2017, 12, 31), Period(date(2017, 1, 1), date(2017, 12, 31))),
        (
            "last_quarter",
            date(2026, 2, 10),
            Period(date(2025, 10, 1), date(2025, 12, 31)),
        ),
        (
            "last_quarter",
            date(2026, 9, 30),
            Period(date(2026, 7, 1), date(2026, 9, 30)),
        ),
        (
            "last_quarter",
            date(2026, 9, 29),
            Period(date(2026, 4, 1), date(2026, 6, 30)),
        ),
        # 31 December closes both the quarter and the year.
        (
            "last_quarter",
            date(2017, 12, 31),
            Period(date(2017, 10, 1), date(2017, 12, 31)),
        ),
        ("all", date(2026, 1, 1), Period()),
    ],
)
def test_quick_period(name, anchor, expected):
    assert quick_period(name, anchor) == expected


def test_quick_period_unknown_name():
    with pytest.raises(InvalidSettingError, match="unknown period 'yesterday'"):
        quick_period("yesterday", date(2026, 1, 1))


@pytest.mark.parametrize(
    ("day", "grain", "first", "last"),
    [
        # 2017-10-01 is a Sunday; its week starts on Monday 2017-09-25.
        (date(2017, 10, 1), "week", date(2017, 9, 25), date(2017, 10, 1)),
        (date(2017, 10, 2), "week", date(2017, 10, 2), date(2017, 10, 8)),
        (date(2024, 2, 10), "month", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2017, 11, 15), "quarter", date(2017, 10, 1), date(2017, 12, 31)),
        (date(2017, 12, 31), "year", date(2017, 1, 1), date(2017, 12, 31)),
    ],
)
def test_bucket_bounds(day, grain, first, last):
    assert bucket_bounds(day, grain) == (first, last)


def test_partial_buckets_first_and_last_month():
    note = partial_buckets(Period(date(2017, 3, 15), date(2017, 6, 14)), "month")
    assert note == (
        "The period cuts buckets short: the first month (from 2017-03-01) holds "
        "only 2017-03-15 to 2017-03-31; the last month (from 2017-06-01) holds "
        "only 2017-06-01 to 2017-06-14."
    )


def test_partial_buckets_week_of_one_day():
    # Q4 2017 starts on Sunday 1 October, the last day of a Monday week, and
    # ends on Sunday 31 December, the last day of another.
    note = partial_buckets(Period(date(2017, 10, 1), date(2017, 12, 31)), "week")
    assert note == (
        "The period cuts buckets short: the first week (from 2017-09-25) holds "
        "only 2017-10-01."
    )


def test_partial_buckets_inside_one_bucket():
    note = partial_buckets(Period(date(2017, 3, 1), date(2017, 3, 20)), "quarter")
    assert note == (
        "The period cuts buckets short: the only quarter (from 2017-01-01) holds "
        "only 2017-03-01 to 2017-03-20."
    )


@pytest.mark.parametrize(
    ("period", "grain"),
    [
        (Period(), "month"),
        (Period(date(2017, 1, 1), date(2017, 12, 31)), "quarter"),
        (Period(date(2017, 10, 2), date(2017, 10, 15)), "week"),
        (Period(None, date(2017, 3, 31)), "month"),
    ],
)
def test_partial_buckets_none_on_bounds(period, grain):
    assert partial_buckets(period, grain) is None
