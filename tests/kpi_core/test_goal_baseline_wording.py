"""A goal whose baseline has no value gives the reason in words about the time
before the start, not about "this period"."""

from __future__ import annotations

from datetime import date

from kpi_core.goal_progress import evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

# No deal is won before 1 July 2025, so the sales cycle has no baseline.
DEALS = b"""Deal ID,Deal Stage,Create Date,Close Date
1,Closed Lost,2025-01-05,2025-02-01
2,Closed Won,2025-06-20,2025-07-10
3,Closed Won,2025-07-01,2025-08-01
"""


def test_missing_baseline_reason_names_that_time():
    deals = load_file("deals.csv", DEALS).frame
    goal = Goal(
        "Shorter cycle", "sales_cycle_days", -10.0, date(2025, 7, 1),
        date(2025, 9, 30), target_kind="relative",
    )  # fmt: skip
    status = evaluate_goal(goal, {"deals": deals}, date(2025, 8, 15))
    texts = " ".join([status.reason, status.progress_note])
    assert "before the start has none" in texts
    assert "in that time" in texts
    assert "in this period" not in texts
