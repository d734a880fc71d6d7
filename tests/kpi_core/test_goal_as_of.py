"""A goal evaluated as of an earlier day counts no outcome that came after
that day, as an export taken on that day would have shown."""

from __future__ import annotations

from datetime import date

import pytest

from kpi_core.goal_checks import smart_check
from kpi_core.goal_progress import evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

# Four deals created in July 2025: D1 won on 20 July, D2 won on 20 August,
# D3 lost on 25 July and D4 still open. B1 and B2, created in June, give
# the baseline.
DEALS = b"""Deal ID,Deal Stage,Create Date,Close Date
B1,Closed Won,2025-06-02,2025-06-10
B2,Closed Lost,2025-06-03,2025-06-12
D1,Closed Won,2025-07-02,2025-07-20
D2,Closed Won,2025-07-03,2025-08-20
D3,Closed Lost,2025-07-04,2025-07-25
D4,Appointment Scheduled,2025-07-05,
"""
# Tickets created on 1 July: T1 solved on 2 July, T2 on 10 August.
TICKETS = b"""Id,Status,Created at,Solved at
T1,Solved,2025-07-01 09:00,2025-07-02 09:00
T2,Solved,2025-07-01 09:00,2025-08-10 09:00
"""


def _goal(metric: str, target: float) -> Goal:
    return Goal("Q3", metric, target, date(2025, 7, 1), date(2025, 9, 30))


def test_close_rate_as_of_counts_known_wins():
    deals = load_file("deals.csv", DEALS).frame
    status = evaluate_goal(
        _goal("close_rate", 50.0), {"deals": deals}, date(2025, 7, 31)
    )
    # On 31 July only D1 of the 4 July deals was won: 1 / 4.
    assert status.current == pytest.approx(25.0)
    later = evaluate_goal(
        _goal("close_rate", 50.0), {"deals": deals}, date(2025, 8, 31)
    )
    # By 31 August D2 was won too: 2 / 4.
    assert later.current == pytest.approx(50.0)


def test_resolution_as_of_counts_known_solves():
    tickets = load_file("tickets.csv", TICKETS).frame
    goal = _goal("resolution_hours", 10.0)
    status = evaluate_goal(goal, {"tickets": tickets}, date(2025, 7, 31))
    # On 31 July only T1 was solved: Tuesday 09:00 to Wednesday 09:00 is 8
    # business hours.
    assert status.n == 1
    assert status.current == pytest.approx(8.0)


# Seven customers active on 1 April 2025. cus_3 ends on 10 May; cus_4 and
# cus_5 cancel in early June for the end of their term in July.
STRIPE = b"""id,Customer ID,Status,Start Date (UTC),Canceled At (UTC),\
Ended At (UTC),Amount,Interval
sub_1,cus_1,active,2025-01-05 10:00,,,100,month
sub_2,cus_2,active,2025-01-06 10:00,,,100,month
sub_3,cus_3,canceled,2025-01-07 10:00,2025-05-10 10:00,2025-05-10 10:00,100,month
sub_4,cus_4,canceled,2025-01-08 10:00,2025-06-02 10:00,2025-07-08 10:00,100,month
sub_5,cus_5,canceled,2025-01-09 10:00,2025-06-05 10:00,2025-07-09 10:00,100,month
sub_6,cus_6,active,2025-02-09 10:00,,,100,month
sub_7,cus_7,active,2025-03-09 10:00,,,100,month
"""


def test_churn_as_of_keeps_canceled_until_end():
    subs = load_file("subscriptions.csv", STRIPE).frame
    goal = Goal("Churn", "churn_rate", 10.0, date(2025, 4, 1), date(2025, 9, 30))
    status = evaluate_goal(goal, {"subscriptions": subs}, date(2025, 6, 20))
    # On 20 June only cus_3 had left; cus_4 and cus_5 were still served.
    assert status.n == 7
    assert status.current == pytest.approx(1 / 7 * 100)


def test_churn_flag_as_of_before_end():
    # A churned flag beside end dates: before the first end, no one churned.
    flagged = (
        b"account_id,start_date,end_date,churn_flag,mrr_amount\n"
        b"c1,2023-01-10,2023-04-05,True,100\n"
        b"c2,2023-01-11,,False,100\n"
        b"c3,2023-01-12,,False,100\n"
    )
    subs = load_file("subs.csv", flagged, table="subscriptions").frame
    goal = Goal("Churn", "churn_rate", 5.0, date(2023, 3, 1), date(2023, 8, 31))
    status = evaluate_goal(goal, {"subscriptions": subs}, date(2023, 3, 31))
    assert status.current == pytest.approx(0.0)


def test_achievable_and_baseline_as_of():
    # B3, created in June, is won on 5 August. As of 31 July the baseline
    # (31 March to 30 June) is 1 won of 3 created (33.3 %), so +10 % needs
    # 36.7 %; with B3 known it would be 2 of 3 and 73.3 %. B0, from March,
    # lets the history hold a whole window.
    extra = (
        b"B3,Closed Won,2025-06-20,2025-08-05\nB0,Closed Lost,2025-03-01,2025-03-10\n"
    )
    deals = load_file("deals.csv", DEALS + extra).frame
    goal = Goal(
        "Q3", "close_rate", 10.0, date(2025, 7, 1), date(2025, 9, 30),
        target_kind="relative",
    )  # fmt: skip
    checks = smart_check(goal, {"deals": deals}, as_of=date(2025, 7, 31))
    assert "needs 36.7 %" in checks["A"].message
    # Before the start, the baseline window is not over yet.
    early = evaluate_goal(goal, {"deals": deals}, date(2025, 6, 15))
    assert early.baseline_note.endswith(
        "The baseline window runs to 2025-06-30, after the day evaluated, so "
        "the baseline counts its days up to 2025-06-15 only."
    )


def test_churn_as_of_without_status_column():
    # The same subscriptions without a Status column: the June cancellations
    # of cus_4 and cus_5 only schedule their July ends.
    lines = STRIPE.decode().splitlines()
    without = [",".join(line.split(",")[:2] + line.split(",")[3:]) for line in lines]
    subs = load_file("subscriptions.csv", ("\n".join(without) + "\n").encode()).frame
    assert "status" not in subs.columns
    goal = Goal("Churn", "churn_rate", 10.0, date(2025, 4, 1), date(2025, 9, 30))
    status = evaluate_goal(goal, {"subscriptions": subs}, date(2025, 6, 20))
    assert status.current == pytest.approx(1 / 7 * 100)
