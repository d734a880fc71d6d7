"""A paused subscription (Chargebee's and Stripe's "paused") charges
nothing, and its customer has not churned."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.churn import churn_rate
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.subscriptions import arr, average_revenue_per_account

# a and b pay 100 and 50 a month. c's 80 a month are paused. d canceled in
# February.
SUBSCRIPTIONS = b"""\
id,Customer ID,Status,Start (UTC),Ended At (UTC),Amount,Currency,Interval
sub_a,cus_a,active,2024-11-01 00:00,,100,eur,month
sub_b,cus_b,active,2024-11-01 00:00,,50,eur,month
sub_c,cus_c,paused,2024-11-01 00:00,,80,eur,month
sub_d,cus_d,canceled,2024-11-01 00:00,2025-02-10 00:00,40,eur,month
"""
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))


def _load():
    return load_file("subscriptions.csv", SUBSCRIPTIONS, table="subscriptions")


def test_paused_charges_nothing():
    subscriptions = _load().frame
    # On 31 March a and b pay: (100 + 50) x 12.
    assert arr(subscriptions, Q1).value == pytest.approx(1800.0)
    # ARPA over the 2 paying customers: 150 / 2.
    arpa = average_revenue_per_account(subscriptions, date(2025, 3, 31))
    assert arpa == pytest.approx(75.0)


def test_paused_customer_not_churned():
    result = churn_rate(_load().frame, Q1)
    # a, b, c and d at the start; only d left.
    assert (result.numerator, result.denominator) == (1, 4)


def test_paused_named_at_import():
    [warning] = [w for w in _load().warnings if "paused" in w]
    assert warning.startswith("1 subscription in 'Status' is paused.")


def test_paused_labels_trimmed_and_folded():
    # Guard: 10 subscriptions with 3 distinct statuses, so each status is
    # read once. " Paused" (2) and "PAUSED" (2) are both paused: 2 + 2 = 4.
    statuses = [" Paused", " Paused", "PAUSED", "PAUSED"] + ["active"] * 6
    rows = [
        f"sub_{index},cus_{index},{status},2024-11-01 00:00,,10,eur,month"
        for index, status in enumerate(statuses)
    ]
    header = "id,Customer ID,Status,Start (UTC),Ended At (UTC),Amount,Currency,"
    data = "\n".join([header + "Interval", *rows]) + "\n"
    prepared = load_file("subscriptions.csv", data.encode(), table="subscriptions")
    [warning] = [w for w in prepared.warnings if "paused" in w]
    assert warning.startswith("4 subscriptions in 'Status' are paused.")
