from datetime import date

import polars as pl
import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.period import Period, quick_period


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
