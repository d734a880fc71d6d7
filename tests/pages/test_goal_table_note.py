"""The caption of a goal measured on another table than the one in use
calls that table "chosen in the sidebar" only when the user chose it."""

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from tests.pages.conftest import APP
from tests.pages.test_table_choice import older_and_newer


def _goal(table_id: str) -> Goal:
    return Goal(
        "Ten new deals", "new_deals", 10, date(2025, 1, 1), date(2025, 6, 30),
        table_id=table_id,
    )  # fmt: skip


def _captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def test_newest_table_not_called_chosen(fresh_workspace):
    _, older, _ = older_and_newer(fresh_workspace)
    GoalStore(fresh_workspace).save(_goal(older.id))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    # Newer is in use because it is the newest deals table, not by a choice.
    assert (
        "Measured on the deals table “Older”, not on “Newer”, the table in use."
        in _captions(at)
    )


def test_table_chosen_in_sidebar(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    GoalStore(fresh_workspace).save(_goal(newer.id))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.sidebar.selectbox(key="table_deals").set_value(older.id).run()
    assert not at.exception
    assert (
        "Measured on the deals table “Newer”, not on “Older” chosen in the sidebar."
        in _captions(at)
    )
