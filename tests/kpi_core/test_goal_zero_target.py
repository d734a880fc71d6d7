"""A floor of 0 on a goal that aims up is met by any data, so the SMART
check warns. A ceiling of 0, or a floor of 0 on a signed metric, is real."""

from datetime import date
from pathlib import Path

import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.goal_checks import WARN, smart_check, zero_target_problem
from kpi_core.goals import Goal
from kpi_core.importing import load_file

START, DEADLINE = date(2025, 10, 1), date(2025, 12, 31)
ZERO_WARNING = "a target of 0 is reached by any data"


def _deals(tmp_path: Path):
    path = tmp_path / "deals.csv"
    path.write_text(
        "Deal ID,Deal Stage,Create Date,Close Date,Amount\n"
        "1,Closed Won,2025-09-01,2025-10-05,1000\n"
        "2,Closed Lost,2025-09-01,2025-10-20,2500\n",
        encoding="utf-8",
    )
    return {"deals": load_file(path.name, path.read_bytes()).frame}


@pytest.mark.parametrize(
    "metric", ["won_deals", "win_rate", "close_rate", "won_value", "new_deals"]
)
def test_zero_floor_warns(tmp_path, metric):
    goal = Goal("Zero", metric, 0, START, DEADLINE)
    check = smart_check(goal, _deals(tmp_path))["A"]
    assert check.verdict == WARN
    assert check.message.startswith(ZERO_WARNING)
    assert check.message.endswith("enter the value to reach")


@pytest.mark.parametrize(
    "metric", ["churn_rate", "tickets", "resolution_hours", "followups_per_ticket"]
)
def test_zero_ceiling_no_warning(metric):
    # A goal that aims down may well aim for 0: no churn, no tickets.
    goal = Goal("Down to 0", metric, 0, START, DEADLINE)
    assert zero_target_problem(goal) == ""


@pytest.mark.parametrize("metric", ["nps", "list_growth_rate"])
def test_zero_floor_signed_no_warning(metric):
    # An NPS or a list growth can be negative, so reaching 0 is progress.
    goal = Goal("Not below 0", metric, 0, START, DEADLINE)
    assert zero_target_problem(goal) == ""


def test_nonzero_floor_no_warning(tmp_path):
    goal = Goal("One won deal", "won_deals", 1, START, DEADLINE)
    assert zero_target_problem(goal) == ""
    check = smart_check(goal, _deals(tmp_path))["A"]
    assert not check.message.startswith(ZERO_WARNING)


def test_relative_zero_still_rejected():
    # A relative target of 0 % is rejected when the goal is built, as before.
    with pytest.raises(InvalidSettingError, match="changes nothing"):
        Goal("No change", "won_deals", 0, START, DEADLINE, target_kind="relative")


def test_ceiling_check_unchanged(tmp_path):
    goal = Goal("Sales cycle", "sales_cycle_days", 0, START, DEADLINE)
    check = smart_check(goal, _deals(tmp_path))["A"]
    assert not check.message.startswith(ZERO_WARNING)
