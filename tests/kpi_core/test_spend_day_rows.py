"""A Meta Ads export broken down by day repeats the report's window on
every row: each row is the spend of its own day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_core.importing import load_file
from kpi_core.marketing_data import spend_in_period
from kpi_core.period import Period

DECEMBER = Period(date(2024, 12, 1), date(2024, 12, 31))
JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))


def _daily_export() -> bytes:
    # 100 EUR a day on 1 to 10 December and 10 EUR a day in January, all
    # rows with the window 1 December to 31 January.
    lines = ["Reporting starts,Reporting ends,Day,Campaign name,Amount spent (EUR)"]
    days = [date(2024, 12, 1) + timedelta(days=n) for n in range(10)]
    days += [date(2025, 1, 1) + timedelta(days=n) for n in range(31)]
    for day in days:
        amount = "100.00" if day.month == 12 else "10.00"
        lines.append(f"2024-12-01,2025-01-31,{day},facebook,{amount}")
    return ("\n".join(lines) + "\n").encode()


def _spent(period: Period) -> float:
    spend = load_file("meta.csv", _daily_export(), table="spend").frame
    return spend_in_period(spend, period, None, None).frame["amount"].sum()


def test_day_rows_december_spend():
    # 10 days x 100 EUR.
    assert _spent(DECEMBER) == pytest.approx(1000.0)


def test_day_rows_january_spend():
    # 31 days x 10 EUR.
    assert _spent(JANUARY) == pytest.approx(310.0)
