"""A churn or list-growth rate grows with its window, as a count does, so
its forecast continues it at its pace to the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_core.goal_progress import OFF_TRACK, ON_TRACK, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

START = date(2025, 1, 1)
DEADLINE = date(2025, 4, 10)  # 100 days


def _events(joins: int) -> bytes:
    # 100 contacts join in 2024; ``joins`` more join on 1 to 10 January.
    rows = ["Email,Event,Date"]
    rows += [f"a{n}@x.de,subscribe,2024-06-01" for n in range(100)]
    rows += [
        f"b{n}@x.de,subscribe,{START + timedelta(days=n % 10)}" for n in range(joins)
    ]
    return ("\n".join(rows) + "\n").encode()


def _status(joins: int, target: float):
    events = load_file("list.csv", _events(joins), table="email_events").frame
    goal = Goal("List growth", "list_growth_rate", target, START, DEADLINE)
    return evaluate_goal(goal, {"email_events": events}, date(2025, 1, 10))


def test_growth_ahead_of_pace_on_track():
    # 10 joins of 100 contacts in the first 10 of 100 days: 10 % so far,
    # 10 % x 100 / 10 = 100 % at this pace by the deadline.
    status = _status(10, 20.0)
    assert status.current == pytest.approx(10.0)
    assert status.forecast == pytest.approx(100.0)
    assert status.status == ON_TRACK
    # 10 % is not yet the 20 % aimed at.
    assert status.reached is False
    # 10 % in 10 days is 30.44 points a month of 30.4375 days.
    assert status.pace_so_far == pytest.approx(10.0 / (10 / 30.4375))


def test_growth_behind_pace_off_track():
    # 1 join in 10 days: 1 % so far, 10 % by the deadline against 20 %.
    status = _status(1, 20.0)
    assert status.forecast == pytest.approx(10.0)
    assert status.status == OFF_TRACK
    # The 19 points still needed over the 90 days left.
    assert status.required_pace == pytest.approx(19.0 / (90 / 30.4375))
