"""A Meta Ads export broken down by day repeats the report's window on
every row: each row is the spend of its own day."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from kpi_core.errors import InvalidValueError, MissingColumnError
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


# Meta broken down by month: each row names the first of its month, and all
# repeat the report's window of 15 January to 14 March 2024.
MONTHLY = b"""Campaign name,Month,Reporting starts,Reporting ends,Amount spent (EUR)
spring,2024-01-01,2024-01-15,2024-03-14,170.00
spring,2024-02-01,2024-01-15,2024-03-14,290.00
spring,2024-03-01,2024-01-15,2024-03-14,140.00
"""


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # Before and after the window: nothing was spent.
        (date(2024, 1, 1), date(2024, 1, 14), 0.0),
        (date(2024, 3, 15), date(2024, 3, 31), 0.0),
        # The window itself contains all of it: 170 + 290 + 140.
        (date(2024, 1, 15), date(2024, 3, 14), 600.0),
        # January's 170 EUR over its 17 days from the 15th: 10 a day.
        (date(2024, 1, 15), date(2024, 1, 24), 100.0),
    ],
)
def test_month_rows_within_report_window(first, last, expected):
    spend = load_file("meta.csv", MONTHLY, table="spend").frame
    spent = spend_in_period(spend, Period(first, last), None, None).frame
    assert spent["amount"].sum() == pytest.approx(expected)


def test_spend_without_any_date_rejected():
    # No day and no reporting window: the spend could count in no period.
    undated = b"Time period,Campaign,Spend,Currency code\n2020-01-01,Spring,10.00,CHF\n"
    with pytest.raises(MissingColumnError) as raised:
        load_file("microsoft_ads.csv", undated, table="spend")
    assert "microsoft_ads.csv: no column found for Date" in str(raised.value)


def _february_report(window_start: date) -> pl.DataFrame:
    """Import one row of a Meta report broken down by month: the month
    1 February 2021, 840 EUR, in a window from ``window_start`` to 28
    February."""
    month = (
        b"Campaign name,Month,Reporting starts,Reporting ends,Amount spent (EUR)\n"
        + f"spring,2021-02-01,{window_start},2021-02-28,840.00\n".encode()
    )
    return load_file("meta.csv", month, table="spend").frame


def _spent_between(spend: pl.DataFrame, first: date, last: date) -> float:
    return spend_in_period(spend, Period(first, last), None, None).frame["amount"].sum()


def test_single_month_row_covers_its_window():
    # One row of a February report broken down by month.
    spend = _february_report(date(2021, 2, 1))
    # 19 of February's 28 days: 840 x 19 / 28 = 570.
    spent = _spent_between(spend, date(2021, 2, 10), date(2021, 2, 28))
    assert spent == pytest.approx(570.0)


@pytest.mark.parametrize("day", ["", "n/a", "next week"])
def test_spend_without_readable_date_rejected(day):
    undated = (
        f"Date,Campaign,Cost\n{day},Spring,100.00\n{day},Summer,200.00\n"
    ).encode()
    with pytest.raises(InvalidValueError) as raised:
        load_file("spend.csv", undated, table="spend")
    assert "no row has a readable date in 'Date'" in str(raised.value)


def test_month_row_outside_its_window_covers_window():
    # The month 1 February of a report from 10 to 28 February names the
    # month: the 840 EUR were spent in the window's 19 days.
    spend = _february_report(date(2021, 2, 10))
    spent = _spent_between(spend, date(2021, 2, 10), date(2021, 2, 28))
    assert spent == pytest.approx(840.0)
    assert _spent_between(spend, date(2021, 2, 1), date(2021, 2, 9)) == 0


def test_some_undated_spend_rows_warned():
    spend = (
        b"Date,Campaign,Cost\n"
        b"2025-05-03,Spring,100.00\n"
        b"n/a,Spring,100.00\n"
        b",Summer,100.00\n"
    )
    prepared = load_file("spend.csv", spend, table="spend")
    [warning] = [w for w in prepared.warnings if "no date" in w]
    assert warning.startswith(
        "2 of 3 spend rows have no date in 'Date', on lines 3, 4."
    )


FEBRUARY = Period(date(2025, 2, 1), date(2025, 2, 28))


def _flight_spend(
    days: dict[date, float], flight: tuple[date, date]
) -> tuple[float, float]:
    """Import daily spend rows that all name the flight dates, and return the
    spend of January and of February."""
    rows = ["Day,Start date,End date,Campaign,Cost"]
    rows += [
        f"{day},{flight[0]},{flight[1]},Spring,{cost}" for day, cost in days.items()
    ]
    spend = load_file("ads.csv", ("\n".join(rows) + "\n").encode(), table="spend").frame
    return tuple(
        spend_in_period(spend, period, None, None).frame["amount"].sum()
        for period in (JANUARY, FEBRUARY)
    )


def test_daily_row_after_flight_keeps_its_day():
    # Daily rows with a campaign's flight dates; a late row on 3 February
    # lies after the flight and keeps its day.
    days = {date(2025, 1, 1) + timedelta(days=n): 10.0 for n in range(31)}
    days[date(2025, 2, 3)] = 500.0
    january, later = _flight_spend(days, (date(2025, 1, 1), date(2025, 1, 31)))
    # 31 days x 10 EUR in January, 500 EUR on 3 February.
    assert january == pytest.approx(310.0)
    assert later == pytest.approx(500.0)


def test_daily_row_on_first_keeps_day():
    # Daily rows from 10 January to 5 February under a flight of 10 to 31
    # January: the row of 1 February is a day, not a month.
    days = {date(2025, 1, 10) + timedelta(days=n): 10.0 for n in range(27)}
    days[date(2025, 2, 1)] = 500.0
    january, later = _flight_spend(days, (date(2025, 1, 10), date(2025, 1, 31)))
    # 22 days x 10 EUR in January; 500 + 4 x 10 in February.
    assert january == pytest.approx(220.0)
    assert later == pytest.approx(540.0)
