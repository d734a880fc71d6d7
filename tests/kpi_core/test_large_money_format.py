"""Money figures of a billion and more on cards, and the import warning on
amounts too large to be plausible."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_core.formatting import format_change, format_value
from kpi_core.importing import load_file


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # 123,456,789 / 10^6 = 123.46 -> one decimal: 123.5M, as before.
        (123_456_789.0, "EUR", "123.5M EUR"),
        # 2,500,000,000 / 10^9 = 2.5 billion.
        (2_500_000_000.0, "EUR", "2.5B EUR"),
        # 999,960,000 / 10^6 = 999.96, which rounds to 1,000.0M, so it is
        # written in billions: 0.99996 -> 1.0B.
        (999_960_000.0, "EUR", "1.0B EUR"),
        # CLV of 188,000,000,000,000 / 10^12 = 188.0 trillion.
        (188_000_000_000_000.0, "CHF", "188.0T CHF"),
        (-4_200_000_000_000.0, "USD", "-4.2T USD"),
        # 10^20 / 3 = 33,333,333,333,333,333,333.3 = 3.3 x 10^19, past the
        # trillions, so in Excel's scientific notation.
        (1e20 / 3, "EUR", "3.3E+19 EUR"),
        # 999,999,999,999,999 / 10^12 = 999.999..., which rounds to
        # 1,000.0T, so it is written as 1.0 x 10^15.
        (999_999_999_999_999.0, "EUR", "1.0E+15 EUR"),
    ],
)
def test_large_money_value(value, unit, expected):
    assert format_value(value, unit) == expected


def test_large_money_change():
    # 3,000,000,000 - 500,000,000 = 2,500,000,000 = +2.5B.
    assert format_change(3e9, 5e8, "EUR") == "+2.5B EUR"


def test_implausible_amount_warned(tmp_path: Path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "201,Closed won,1000,2025-01-05,2025-01-25\n"
        "202,Closed won,99999999999999999999,2025-01-06,2025-01-26\n"
        "203,Closed lost,999999999999,2025-01-07,2025-01-27\n",
        encoding="utf-8",
    )
    prepared = load_file(path.name, path.read_bytes(), table="deals")
    # 99,999,999,999,999,999,999 is 10^20 - 1 >= 10^12, and
    # 999,999,999,999 is 10^12 - 1, below the bound.
    [warning] = [w for w in prepared.warnings if "implausibly large" in w]
    assert "1 amount in 'Amount' is 1,000,000,000,000 or more" in warning
    assert "on line 3" in warning
    assert "line 4" not in warning
    # The amount is kept, because a warning leaves the data as it is.
    assert prepared.frame["amount"].to_list() == [1000.0, 1e20, 999_999_999_999.0]


def test_ordinary_amounts_not_warned(tmp_path: Path):
    # Guard: amounts below 10^12 get no warning.
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "201,Closed won,250000000,2025-01-05,2025-01-25\n",
        encoding="utf-8",
    )
    prepared = load_file(path.name, path.read_bytes(), table="deals")
    assert not [w for w in prepared.warnings if "implausibly large" in w]
