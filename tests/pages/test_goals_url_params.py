"""Goals page: a link's goals_as_of sets the day goals are evaluated on, and
an unreadable or out-of-bounds value gets the warning that names it."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Deal 1 covers the baseline window before March. Deal 2 is created on
# 2025-03-02 and deal 3 on 2025-03-20, the last date in the data.
DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date\n"
    "1,Closed lost,2025-01-10,2025-01-20\n"
    "2,Closed won,2025-03-02,2025-03-05\n"
    "3,Qualified,2025-03-20,\n"
)
GOAL = Goal("Five new deals", "new_deals", 5, date(2025, 3, 1), date(2025, 3, 31))
VALID = "Give dates from 1900-01-01 to 2199-12-31 as YYYY-MM-DD, such as 2025-01-31."


def _open(tmp_path, workspace, as_of: str) -> AppTest:
    _store_only(tmp_path, workspace, {"deals.csv": (DEALS, "deals")})
    GoalStore(workspace).save(GOAL)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["goals_as_of"] = as_of
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    return at


def _warnings(at: AppTest) -> list[str]:
    return [warning.value for warning in at.main.warning]


def _as_of(at: AppTest) -> date:
    return at.sidebar.date_input(key="goals_as_of").value


def test_text_as_of_warns(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace, "abc")
    # The page falls back to the last date in the data.
    assert _as_of(at) == date(2025, 3, 20)
    assert (
        "The link's URL parameter goals_as_of=abc is invalid, so the page shows "
        f"2025-03-20 instead. {VALID}"
    ) in _warnings(at)


def test_late_as_of_warns(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace, "9999-12-31")
    assert _as_of(at) == date(2025, 3, 20)
    assert (
        "The link's URL parameter goals_as_of=9999-12-31 is invalid, so the "
        f"page shows 2025-03-20 instead. {VALID}"
    ) in _warnings(at)


def test_valid_as_of_applied(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace, "2025-03-10")
    assert _as_of(at) == date(2025, 3, 10)
    assert not any("URL parameter" in text for text in _warnings(at))
    # Up to 2025-03-10 only deal 2 is created in March.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Current"] == "1"


def test_earliest_as_of_applied(tmp_path, fresh_workspace):
    # 1900-01-01 is the picker's first day, so the link's day is kept, and
    # the goal, which starts in 2025, has not started on it.
    at = _open(tmp_path, fresh_workspace, "1900-01-01")
    assert _as_of(at) == date(1900, 1, 1)
    assert not any("URL parameter" in text for text in _warnings(at))
    assert any("Not started" in element.value for element in at.markdown)
