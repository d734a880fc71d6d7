import pytest

from kpi_core.formatting import format_value


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (48.159, "percent", "48.2 %"),
        (51.782, "days", "51.8 days"),
        (-12.4, "score", "-12"),
        (2.456, "count", "2.46"),
        (2360.91, "EUR", "2,361 EUR"),
        (10_005_534.0, "USD", "10.0 M USD"),
        (999_999.0, "EUR", "999,999 EUR"),
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected
