"""The deal upsell rate counts an open deal as active whatever its expected
close date, and names only the deals without an account that the period
would count."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.sales import upsell_rate

# A buys an upsell in May 2017. B's deal is still open; its close date of
# 1 March 2017 is an expected one. The deal without an account on line 4
# closed in 2016, the one on line 5 is active in the quarter.
DEALS = b"""Deal ID,Account,Deal Type,Deal Stage,Amount,Create Date,Close Date
1,A,Upsell,Closed Won,100,2017-04-03,2017-05-02
2,B,New Business,Appointment Scheduled,200,2017-01-10,2017-03-01
3,,New Business,Closed Lost,50,2016-05-01,2016-06-01
4,,New Business,Closed Won,70,2017-04-05,2017-04-20
"""
QUARTER = Period(date(2017, 4, 1), date(2017, 6, 30))


def test_open_deal_past_its_expected_close_is_active():
    deals = load_file("deals.csv", DEALS, table="deals").frame
    result = upsell_rate(deals, QUARTER)
    # A and B are active customers; A bought an upsell: 1 / 2.
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.value == pytest.approx(50.0)
    # Deal 4 is active in the quarter without an account; deal 3 is not.
    assert result.excluded == {"deal without an account": 1}
