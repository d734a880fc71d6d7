import pytest

from kpi_core.formatting import (
    count_noun,
    format_change,
    format_number,
    format_share,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (48.159, "percent", "48.2 %"),
        (51.782, "days", "51.8 days"),
        (-12.4, "score", "-12"),
        (2.456, "count", "2.46"),
        (2360.91, "EUR", "2,361 EUR"),
        (10_005_534.0, "USD", "10.0M USD"),
        (999_999.0, "EUR", "999,999 EUR"),
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("current", "previous", "unit", "expected"),
    [
        (12.0, 10.0, "percent", "+2.0 pp"),
        (8.5, 10.0, "percent", "-1.5 pp"),
        (1_200.0, 2_000.0, "EUR", "-800 EUR"),
        (30.0, 25.5, "days", "+4.5 days"),
        (20.0, 20.0, "score", "0"),
    ],
)
def test_format_change(current, previous, unit, expected):
    assert format_change(current, previous, unit) == expected


@pytest.mark.parametrize(
    ("number", "singular", "plural", "expected"),
    [
        (0, "row", None, "0 rows"),
        (1, "row", None, "1 row"),
        (2, "row", None, "2 rows"),
        (2500, "row", None, "2,500 rows"),
        (1, "reply", "replies", "1 reply"),
        (3, "reply", "replies", "3 replies"),
        (1, "new customer", None, "1 new customer"),
    ],
)
def test_count_noun(number, singular, plural, expected):
    assert count_noun(number, singular, plural) == expected


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (0.0, "0"),
        (0.2, "0.2"),
        (0.04, "under 0.1"),
        (0.05, "0.1"),
        (0.5, "1"),
        (49.5, "50"),
        (99.4, "99"),
        (99.5, "99.5"),
        (99.9, "99.9"),
        (99.96, "over 99.9"),
        (100.0, "100"),
    ],
)
def test_format_share(percent, expected):
    assert format_share(percent) == expected


def test_ratio_float_noise_rounds_up():
    # 345 / 1200 x 100 is 28.75 exactly, but the float is 28.749999999999996.
    # Half away from zero at one decimal gives 28.8, as by hand.
    assert 345 / 1200 * 100 != 28.75
    assert format_number(345 / 1200 * 100, 1) == "28.8"
    assert format_value(345 / 1200 * 100, "percent") == "28.8 %"


def test_whole_float_keeps_every_digit():
    # 1e16 + 2 is a whole float, exact in every digit, so no digit is cut.
    assert format_number(1e16 + 2) == "10,000,000,000,000,002"
