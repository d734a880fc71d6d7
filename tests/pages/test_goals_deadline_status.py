"""Goals page: a goal whose deadline has passed shows "Achieved" when its
final value meets the target.

The goal "6 new subscribers" runs from 1 April to 30 June 2026. The
contacts export ends on 20 July 2026, so the page evaluates the goal as of
that day, after its deadline.
"""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Two contacts join before the window, six inside it and one after it.
JOIN_DAYS = (
    "2026-01-08", "2026-01-22", "2026-04-05", "2026-04-20", "2026-05-03",
    "2026-05-18", "2026-06-02", "2026-06-21", "2026-07-20",
)  # fmt: skip
CONTACTS = (
    "Email,First Name,Last Name,Phone,Organization,Tags,Date Created,"
    "Date Updated,Status\n"
) + "".join(
    f"m{number}@shop.de,M{number},Y,,Shop,,{day} 09:30:00,{day} 09:30:00,Active\n"
    for number, day in enumerate(JOIN_DAYS, start=1)
)


def test_goal_met_after_deadline_achieved(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {"activecampaign_contacts.csv": (CONTACTS, "email_events")},
    )
    goal = Goal(
        "6 new subscribers", "new_subscribers", 6, date(2026, 4, 1),
        date(2026, 6, 30), department="marketing",
    )  # fmt: skip
    GoalStore(fresh_workspace).save(goal)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert at.sidebar.date_input(key="goals_as_of").value == date(2026, 7, 20)
    metrics = {metric.label: metric.value for metric in at.metric}
    # The six joins from 5 April to 21 June.
    assert metrics["Current"] == "6"
    texts = [element.value for element in at.markdown]
    assert any("Achieved" in text for text in texts)
    assert not any("On track" in text for text in texts)
