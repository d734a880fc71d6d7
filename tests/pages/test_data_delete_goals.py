"""The Data page's delete confirmation names the goals measured on the table
and the table they move to."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_table_choice import NEWER_DEALS, _save, older_and_newer

START, DEADLINE = date(2025, 1, 1), date(2025, 6, 30)


def _goal(title: str, metric: str, table_id: str) -> Goal:
    return Goal(title, metric, 10, START, DEADLINE, table_id=table_id)


def _ask_delete(table_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.selectbox(key="stored:table").set_value(table_id).run()
    at.button(key="stored:delete").click().run()
    assert not at.exception
    return at


def _confirmation(at: AppTest) -> str:
    (text,) = [w.value for w in at.warning if w.value.startswith("Delete ")]
    return text


def test_delete_names_goals_and_successor(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    goals = GoalStore(fresh_workspace)
    goals.save(_goal("Ten new deals", "new_deals", newer.id))
    goals.save(_goal("Close rate 10 %", "close_rate", newer.id))
    goals.save(_goal("Older goal", "won_deals", older.id))
    text = _confirmation(_ask_delete(newer.id))
    # The goals are ordered by department, start and title.
    assert (
        "The goals “Close rate 10 %” (Close rate) and “Ten new deals” (New "
        "deals) are measured on this table. After the delete they will be "
        "measured on the deals table “Older”, the one in use, from then on and "
        "show its figures."
    ) in text
    assert "Older goal" not in text
    assert text.endswith("This cannot be undone.")


def test_delete_without_goals_names_none(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    GoalStore(fresh_workspace).save(_goal("Ten new deals", "new_deals", newer.id))
    text = _confirmation(_ask_delete(older.id))
    assert "goal" not in text
    assert text == (
        "Delete Older (Deals)? Its rows are removed from the workspace, and "
        "shared links that show it leave out its figures. This cannot be undone."
    )


def test_delete_last_table_goal_unavailable(fresh_workspace):
    store, older, newer = older_and_newer(fresh_workspace)
    store.delete(older.id)
    GoalStore(fresh_workspace).save(_goal("Ten new deals", "new_deals", newer.id))
    text = _confirmation(_ask_delete(newer.id))
    assert (
        "The goal “Ten new deals” (New deals) is measured on this table. After "
        "the delete it will show Not available until a deals table is stored "
        "again."
    ) in text


def test_delete_names_goal_without_table(fresh_workspace):
    # A goal saved while no deals table was stored names no table, so it is
    # measured on the one in use: Newer, the newest.
    _, _, newer = older_and_newer(fresh_workspace)
    GoalStore(fresh_workspace).save(_goal("Ten new deals", "new_deals", ""))
    text = _confirmation(_ask_delete(newer.id))
    assert "The goal “Ten new deals” (New deals) is measured on this table." in text
    assert "the deals table “Older”, the one in use," in text


def test_delete_moves_goal_to_sample(fresh_workspace):
    # The first run loads the sample data, and an own deals table is added.
    AppTest.from_file(APP, default_timeout=60).run()
    own = _save(Workspace(fresh_workspace), "Own", NEWER_DEALS)
    GoalStore(fresh_workspace).save(_goal("Ten new deals", "new_deals", own.id))
    text = _confirmation(_ask_delete(own.id))
    sample = next(
        entry
        for entry in Workspace(fresh_workspace).list_tables("deals")
        if entry.is_sample
    )
    assert (
        f"After the delete it will be measured on the deals table “{sample.name}” "
        "from the sample data and show demo figures."
    ) in text


def test_confirmed_delete_with_goal(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    goal = _goal("Ten new deals", "new_deals", newer.id)
    GoalStore(fresh_workspace).save(goal)
    at = _ask_delete(newer.id)
    at.button(key="stored:delete_confirm").click().run()
    assert not at.exception
    ids = [entry.id for entry in Workspace(fresh_workspace).list_tables()]
    assert ids == [older.id]
    # The goal itself stays and now names Older, the table that the
    # confirmation named.
    assert GoalStore(fresh_workspace).get(goal.id).table_id == older.id


def test_delete_counts_goals_past_five(fresh_workspace):
    _, _, newer = older_and_newer(fresh_workspace)
    goals = GoalStore(fresh_workspace)
    for number in range(1, 8):
        goals.save(_goal(f"Goal {number}", "new_deals", newer.id))
    text = _confirmation(_ask_delete(newer.id))
    # Seven goals: five named and 7 - 5 = 2 counted.
    assert (
        "The goals “Goal 1” (New deals), “Goal 2” (New deals), “Goal 3” (New "
        "deals), “Goal 4” (New deals), “Goal 5” (New deals) and 2 more are "
        "measured on this table."
    ) in text
