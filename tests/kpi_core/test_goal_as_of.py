"""A goal evaluated as of an earlier day counts no outcome that came after
that day, as an export taken on that day would have shown."""

from __future__ import annotations

from datetime import date

import pytest

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
