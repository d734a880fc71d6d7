"""The upsell rate from subscriptions counts customers who first pay inside
the period and then pay more, so all data is not 0 % by construction."""

from datetime import date
from pathlib import Path

import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.subscriptions import upsell_rate_subscriptions

# a: 50 a month from 10 January 2024, and another 30 from 1 March.
# b: 40 a month from 1 February 2024, unchanged.
# c: 20 a month from 1 December 2023, and another 25 from 1 May 2024.
SUBSCRIPTIONS = """\
id,Customer ID,Customer Email,Status,Created (UTC),Start (UTC),\
Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Interval
sub_1,cus_a,a@example.com,active,2024-01-10 00:00,2024-01-10 00:00,,,Pro,1,50,month
sub_2,cus_a,a@example.com,active,2024-03-01 00:00,2024-03-01 00:00,,,Seats,1,30,month
sub_3,cus_b,b@example.com,active,2024-02-01 00:00,2024-02-01 00:00,,,Pro,1,40,month
sub_4,cus_c,c@example.com,active,2023-12-01 00:00,2023-12-01 00:00,,,Basic,1,20,month
sub_5,cus_c,c@example.com,active,2024-05-01 00:00,2024-05-01 00:00,,,Seats,1,25,month
"""


def _subscriptions(tmp_path: Path):
    path = tmp_path / "subscriptions.csv"
    path.write_text(SUBSCRIPTIONS, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="subscriptions").frame


def test_all_data_counts_customers_who_pay_more(tmp_path):
    result = upsell_rate_subscriptions(_subscriptions(tmp_path))
    # a went from 50 on its first day to 80, c from 20 to 45; b stayed at 40.
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(200 / 3)


def test_year_counts_new_and_existing_customers(tmp_path):
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    result = upsell_rate_subscriptions(_subscriptions(tmp_path), year)
    # a joined in 2024 at 50 and ends it at 80; c paid 20 on 31 December
    # 2023 and ends 2024 at 45.
    assert (result.numerator, result.denominator) == (2, 3)


def test_quarter_compares_with_its_start(tmp_path):
    quarter = Period(date(2024, 4, 1), date(2024, 6, 30))
    result = upsell_rate_subscriptions(_subscriptions(tmp_path), quarter)
    # On 31 March a paid 80 and still does; only c grew, from 20 to 45.
    assert (result.numerator, result.denominator) == (1, 3)
