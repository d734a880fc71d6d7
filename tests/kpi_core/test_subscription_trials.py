"""A Stripe subscription pays from the end of its free trial: its "Start"
is the trial's start, and a trial canceled by its end never paid."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kpi_core.churn import churn_rate
from kpi_core.importing import load_file
from kpi_core.marketing import new_customers_from_subscriptions
from kpi_core.period import Period
from kpi_core.subscriptions import arr

HEADER = (
    "id,Customer ID,Status,Start (UTC),Trial Start (UTC),Trial End (UTC),"
    "Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Currency,Interval\n"
)
# a tries from 1 to 15 January 2025 and cancels at the trial's end. b tries
# over the same days and pays 30 a month after. c pays 50 a month since
# December 2024 without a trial.
ROWS = (
    "sub_a,cus_a,canceled,2025-01-01 00:00,2025-01-01 00:00,2025-01-15 00:00,"
    "2025-01-15 00:00,2025-01-15 00:00,Pro,1,30,eur,month\n"
    "sub_b,cus_b,active,2025-01-01 00:00,2025-01-01 00:00,2025-01-15 00:00,"
    ",,Pro,1,30,eur,month\n"
    "sub_c,cus_c,active,2024-12-01 00:00,,,,,Pro,1,50,eur,month\n"
)


def _subscriptions(tmp_path: Path) -> pl.DataFrame:
    path = tmp_path / "subscriptions.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="subscriptions").frame


def test_trial_that_ended_unpaid_is_no_churn(tmp_path):
    result = churn_rate(
        _subscriptions(tmp_path), Period(date(2025, 1, 5), date(2025, 1, 31))
    )
    # On 4 January only c pays: a and b are in their trials. Nobody who paid
    # leaves, so 0 of 1.
    assert (result.numerator, result.denominator) == (0, 1)
    assert result.excluded == {"trial that ended unpaid": 1}


def test_arr_counts_from_the_trial_end(tmp_path):
    subscriptions = _subscriptions(tmp_path)
    during = arr(subscriptions, Period(date(2025, 1, 1), date(2025, 1, 10)))
    after = arr(subscriptions, Period(date(2025, 1, 1), date(2025, 1, 31)))
    # On 10 January only c pays: 50 x 12. On 31 January b pays too:
    # (50 + 30) x 12.
    assert during.value == pytest.approx(600.0)
    assert after.value == pytest.approx(960.0)


def test_new_customers_start_paying_after_the_trial(tmp_path):
    acquired = new_customers_from_subscriptions(_subscriptions(tmp_path))
    # a never paid; b pays from its trial's end; c from its start.
    assert dict(acquired.select("customer_id", "acquired_at").iter_rows()) == {
        "cus_b": date(2025, 1, 15),
        "cus_c": date(2024, 12, 1),
    }


def test_import_names_trials_that_never_paid(tmp_path):
    path = tmp_path / "subscriptions.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    table = load_file(path.name, path.read_bytes(), table="subscriptions")
    # Only a's subscription ended by its trial's end.
    assert table.detected["Trial End (UTC)"].endswith(
        "1 subscription ended by the end of the free trial and never paid; the "
        "KPIs leave it out"
    )
