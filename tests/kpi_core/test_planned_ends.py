"""An end date after today is a planned end, such as a contract that runs to
a later year, so "all data" stops at the latest date up to today."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.churn import churn_rate
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.subscriptions import arr

ALL_DATA = Period(None, None)
# c1 to c3 and c5 pay 100 EUR a month from 2024-01-01. c4 leaves on
# 2024-06-15. c5's contract runs to March in two years, an end still to
# come. c6 starts on 2024-09-01, the latest date up to today.
PLANNED_YEAR = date.today().year + 2
SUBSCRIPTIONS = f"""Customer ID,Start Date,Ended At,Amount,Interval,Currency
c1,2024-01-01,,100,month,EUR
c2,2024-01-01,,100,month,EUR
c3,2024-01-01,,100,month,EUR
c4,2024-01-01,2024-06-15,100,month,EUR
c5,2024-01-01,{PLANNED_YEAR}-03-31,100,month,EUR
c6,2024-09-01,,100,month,EUR
"""


def _subs():
    data = SUBSCRIPTIONS.encode()
    return load_file("subs.csv", data, table="subscriptions").frame


def test_all_data_arr_today():
    result = arr(_subs(), ALL_DATA)
    # On 2024-09-01 c1, c2, c3, c5 and c6 pay: 5 x 100 x 12 = 6,000.
    assert result.value == pytest.approx(6000.0)
    assert "2024-09-01" in result.formula


def test_all_data_churn_planned_end():
    result = churn_rate(_subs(), ALL_DATA)
    # Only c4 has left of the 6 customers seen; c5 still pays.
    assert result.numerator == 1
    assert result.value == pytest.approx(100 / 6)


def test_chosen_end_still_used():
    # A period that reaches past c5's end is the user's choice: of the five
    # customers on 1 February, c4 and c5 leave.
    period = Period(date(2024, 2, 1), date(PLANNED_YEAR, 12, 31))
    result = churn_rate(_subs(), period)
    assert result.numerator == 2
