"""A churn or list growth goal keeps the customers or contacts at its
window's start as its base. Over days its table does not cover, the rate
reads 0 %, as a count reads 0. Such a goal is not available when its
table's dates lie wholly outside the window so far, and its card names the
table's last date when the table ends inside it.

Every goal runs 91 days, 1 September to 30 November 2025 (30 + 31 + 30),
and is evaluated on 15 October 2025, so the window so far is 1 September to
15 October.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core.goal_progress import NOT_AVAILABLE, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

START, DEADLINE, AS_OF = date(2025, 9, 1), date(2025, 11, 30), date(2025, 10, 15)


def _subscriptions(tmp_path: Path, end_day: str) -> dict[str, pl.DataFrame]:
    """Write a subscriptions export and load it: 100 customers paying since
    1 January 2025, 10 of whom end on ``end_day``, the table's last date."""
    lines = ["Customer ID,Start Date,Ended At,Amount,Interval,Currency"]
    for number in range(100):
        ended = end_day if number < 10 else ""
        lines.append(f"c{number},2025-01-01,{ended},50,month,EUR")
    path = tmp_path / "subscriptions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes(), table="subscriptions")
    return {"subscriptions": prepared.frame}


def _churn_goal() -> Goal:
    return Goal(
        "Churn at most 5 %", "churn_rate", 5, START, DEADLINE, department="sales"
    )


def _list_events(tmp_path: Path) -> dict[str, pl.DataFrame]:
    """Write an email events export and load it: 100 addresses subscribe
    from 1 March 2025 on, and one unsubscribes on 15 June 2025, the table's
    last date."""
    lines = ["Email,Event,Date"]
    for number in range(100):
        lines.append(f"a{number}@shop.de,subscribe,2025-03-{1 + number % 28:02d}")
    lines.append("a0@shop.de,unsubscribe,2025-06-15")
    path = tmp_path / "list.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes(), table="email_events")
    return {"email_events": prepared.frame}


def test_churn_after_data_not_available(tmp_path):
    # The data ends on 15 June, so no customer could be seen leaving in
    # September or October, and the churn there would read 0 %, under the
    # ceiling of 5 %.
    status = evaluate_goal(_churn_goal(), _subscriptions(tmp_path, "2025-06-15"), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.reason == (
        "the data covers 2025-01-01 to 2025-06-15, outside this goal's window "
        "from 2025-09-01 to 2025-10-15, so nothing in the window can be "
        "counted. Import data of that time, or move the goal into the data"
    )
    assert status.current is None


def test_list_growth_after_data_not_available(tmp_path):
    # The growth over days after 15 June would read 0 %, below 10 %.
    goal = Goal(
        "List growth 10 %", "list_growth_rate", 10, START, DEADLINE,
        department="marketing",
    )  # fmt: skip
    status = evaluate_goal(goal, _list_events(tmp_path), AS_OF)
    assert status.status == NOT_AVAILABLE
    assert status.reason.startswith(
        "the data covers 2025-03-01 to 2025-06-15, outside this goal's window"
    )
    assert status.current is None


def test_churn_table_ending_in_window_noted(tmp_path):
    # 10 of the 100 customers end on 20 September: 10 / 100 x 100 = 10 %
    # so far, and the table records nothing after that day.
    status = evaluate_goal(_churn_goal(), _subscriptions(tmp_path, "2025-09-20"), AS_OF)
    assert status.current == 10
    assert status.as_of_note == (
        "Its table's last date is 2025-09-20, before 2025-10-15. If the export "
        "ends there, the days after it count as days without any row: choose "
        "2025-09-20 under Evaluated as of."
    )


def test_churn_table_past_window_no_note(tmp_path):
    # Guard: ends on 20 October are after the window so far, so the table
    # covers it. As of 15 October those customers still pay: 0 % churn.
    status = evaluate_goal(_churn_goal(), _subscriptions(tmp_path, "2025-10-20"), AS_OF)
    assert status.current == 0
    assert status.as_of_note == ""
    assert status.status != NOT_AVAILABLE
