"""The churn rate and the list growth rate keep the customers or contacts at
the window's start as their base, so a goal on them is continued at its pace
to the deadline, as a count goal is."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from kpi_core.goal_progress import ACHIEVED, OFF_TRACK, ON_TRACK, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

# The goals run 100 days, 1 January to 10 April 2025, and are evaluated on
# 10 January: 10 days have passed and 90 are left, so the value so far is
# continued over 100 / 10 = 10 times its time.
START = date(2025, 1, 1)
DEADLINE = date(2025, 4, 10)
AS_OF = date(2025, 1, 10)
Z = 1.959963984540054


def _wilson(successes: int, n: int) -> tuple[float, float]:
    share = successes / n
    spread = Z * Z / n
    centre = (share + spread / 2) / (1 + spread)
    half = Z / (1 + spread) * math.sqrt(share * (1 - share) / n + spread / n / 4)
    return (centre - half) * 100, (centre + half) * 100


def _churned_by_deadline(rate: float) -> float:
    # A constant monthly hazard over ten times the days: 1 - (1 - p)^10.
    return 100 * (1 - (1 - rate / 100) ** 10)


def _list_status(joins: int, target: float):
    # 100 contacts joined in 2024; ``joins`` more join from 1 to 10 January.
    rows = ["Email,Event,Date"]
    rows += [f"a{n}@example.de,subscribe,2024-06-01" for n in range(100)]
    rows += [
        f"b{n}@example.de,subscribe,{START + timedelta(days=n % 10)}"
        for n in range(joins)
    ]
    data = ("\n".join(rows) + "\n").encode()
    events = load_file("list.csv", data, table="email_events").frame
    goal = Goal("List growth", "list_growth_rate", target, START, DEADLINE)
    return evaluate_goal(goal, {"email_events": events}, AS_OF)


def _churn_status(churned: int, target: float, as_of: date = AS_OF):
    # 100 customers paying since 2024; ``churned`` of them end on 5 January.
    rows = ["Customer ID,Start Date,Ended At,Amount,Interval,Currency"]
    for n in range(100):
        ended = "2025-01-05" if n < churned else ""
        rows.append(f"c{n},2024-01-01,{ended},50,month,EUR")
    data = ("\n".join(rows) + "\n").encode()
    subs = load_file("subs.csv", data, table="subscriptions").frame
    goal = Goal("Churn", "churn_rate", target, START, DEADLINE)
    return evaluate_goal(goal, {"subscriptions": subs}, as_of)


def test_list_growth_ahead_of_pace():
    # 10 joins on 100 contacts in 10 days: 10 % so far, 100 % at this pace.
    status = _list_status(10, 20.0)
    assert status.current == pytest.approx(10.0)
    assert status.forecast == pytest.approx(100.0)
    assert status.status == ON_TRACK
    assert status.projected
    assert not status.reached
    assert status.pace_so_far == pytest.approx(10.0 / (10 / 30.4375))


def test_list_growth_met_reached():
    # 30 joins: 30 % so far, already above the 20 % aimed at.
    status = _list_status(30, 20.0)
    assert status.reached
    assert status.status == ON_TRACK


def test_list_growth_behind_pace():
    # 1 join in 10 days: 1 % so far, 10 % by the deadline against 20 %.
    status = _list_status(1, 20.0)
    assert status.forecast == pytest.approx(10.0)
    assert status.status == OFF_TRACK
    # The 19 points still needed over the 90 days left.
    assert status.required_pace == pytest.approx(19.0 / (90 / 30.4375))


def test_list_growth_path_from_zero():
    status = _list_status(10, 20.0)
    path = status.path
    last = path.filter(path["date"] == DEADLINE)
    assert last["target_path"].item() == pytest.approx(20.0)
    # The point of 10 January lies 10 of 100 days in: 2 % of the 20 %.
    today = path.filter(path["date"] == AS_OF)
    assert today["target_path"].item() == pytest.approx(2.0)
    assert today["actual"].item() == pytest.approx(10.0)


def test_churn_so_far_projected():
    # 10 of 100 customers gone in 10 days: 10 % so far, and at that monthly
    # hazard 1 - 0.9^10 = 65.13 % by the deadline, far above a 30 % ceiling
    # that the current value alone would meet.
    status = _churn_status(10, 30.0)
    assert status.current == pytest.approx(10.0)
    assert status.forecast == pytest.approx(65.13215599)
    assert status.status == OFF_TRACK
    assert not status.reached


def test_churn_band_projected():
    status = _churn_status(10, 30.0)
    low, high = _wilson(10, 100)
    assert status.forecast_band[0] == pytest.approx(_churned_by_deadline(low))
    assert status.forecast_band[1] == pytest.approx(_churned_by_deadline(high))


def test_churn_forecast_within_100():
    # 60 % in 10 days is 1 - 0.4^10 = 99.99 % by the deadline, not 600 %.
    status = _churn_status(60, 70.0)
    assert status.forecast == pytest.approx(100 * (1 - 0.4**10))
    assert status.forecast <= 100
    assert status.forecast_band[1] <= 100


def test_churn_on_pace_on_track():
    # 1 of 100 in 10 days: 1 - 0.99^10 = 9.56 % by the deadline.
    status = _churn_status(1, 12.0)
    assert status.forecast == pytest.approx(100 * (1 - 0.99**10))
    assert status.status == ON_TRACK


def test_churn_at_deadline_unscaled():
    # On the deadline nothing is left to continue: 10 % meets 30 %.
    final = _churn_status(10, 30.0, as_of=DEADLINE)
    assert final.forecast == pytest.approx(10.0)
    assert final.status == ACHIEVED
    assert final.reached


def test_customer_list_churn_not_projected():
    # Churn flags without end dates give the same churn for any window.
    rows = ["Customer ID,Start Date,Churn,MonthlyCharges"]
    rows += [f"c{n},2024-01-01,{'Yes' if n < 10 else 'No'},50" for n in range(100)]
    subs = load_file(
        "telco.csv", ("\n".join(rows) + "\n").encode(), table="subscriptions"
    ).frame
    goal = Goal("Churn", "churn_rate", 30.0, START, DEADLINE)
    status = evaluate_goal(goal, {"subscriptions": subs}, AS_OF)
    assert status.current == pytest.approx(10.0)
    assert not status.projected
    assert status.forecast == pytest.approx(10.0)
