"""A confirmed delete stores the table that the confirmation named on the
goals measured on the deleted table, so a later import of the same type does
not move them again."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP
from tests.pages.test_table_choice import NEWER_DEALS, _save, older_and_newer

START, DEADLINE = date(2025, 1, 1), date(2025, 6, 30)
# Two deals created in the goal's window, so New deals counts 2 on this table.
LATEST_DEALS = b"""\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,Eins,Closed won,50,2025-02-01,2025-02-20
2,Zwei,Closed lost,50,2025-03-01,2025-03-20
"""


def _goal(title: str, metric: str, table_id: str) -> Goal:
    return Goal(title, metric, 10, START, DEADLINE, table_id=table_id)


def _confirm_delete(table_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.selectbox(key="stored:table").set_value(table_id).run()
    at.button(key="stored:delete").click().run()
    at.button(key="stored:delete_confirm").click().run()
    assert not at.exception
    return at


def _goals_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    return at


def test_delete_stores_successor(fresh_workspace):
    _, older, newer = older_and_newer(fresh_workspace)
    goals = GoalStore(fresh_workspace)
    pinned = goals.save(_goal("Ten new deals", "new_deals", newer.id))
    following = goals.save(_goal("Close rate 10 %", "close_rate", ""))
    on_older = goals.save(_goal("Older goal", "won_deals", older.id))
    tickets = goals.save(_goal("Ten tickets", "tickets", ""))

    _confirm_delete(newer.id)

    # Both goals measured on Newer, the one naming it and the one following
    # the table in use, now name Older, as the confirmation stated.
    assert goals.get(pinned.id).table_id == older.id
    assert goals.get(following.id).table_id == older.id
    assert goals.get(on_older.id).table_id == older.id
    # A goal of another table type keeps following its table in use.
    assert goals.get(tickets.id).table_id == ""


def test_goal_stays_after_next_import(fresh_workspace):
    store, older, newer = older_and_newer(fresh_workspace)
    goal = GoalStore(fresh_workspace).save(
        _goal("Ten new deals", "new_deals", newer.id)
    )
    _confirm_delete(newer.id)
    # The next import of deals is the newest table and the one in use.
    latest = _save(store, "Latest", LATEST_DEALS)

    at = _goals_page()

    assert at.sidebar.selectbox(key="table_deals").value == latest.id
    captions = [caption.value for caption in at.caption]
    # Latest is in use as the newest table, and no user chose it in the
    # sidebar.
    assert (
        "Measured on the deals table “Older”, not on “Latest”, the table in use."
    ) in captions
    # Older has 5 deals created from 2025-01-10 to 2025-06-10, all inside
    # the goal's window from 2025-01-01 to 2025-06-30. Latest has 2.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Current"] == "5"
    assert GoalStore(fresh_workspace).get(goal.id).table_id == older.id


def test_without_successor_follows_in_use(fresh_workspace):
    store, older, newer = older_and_newer(fresh_workspace)
    store.delete(older.id)
    goal = GoalStore(fresh_workspace).save(
        _goal("Ten new deals", "new_deals", newer.id)
    )

    _confirm_delete(newer.id)

    # No deals table is left, so the goal keeps naming the deleted table and
    # follows the next deals table in use, as the confirmation stated.
    assert Workspace(fresh_workspace).list_tables("deals") == []
    assert GoalStore(fresh_workspace).get(goal.id).table_id == newer.id
    _save(store, "Again", NEWER_DEALS)
    at = _goals_page()
    captions = [caption.value for caption in at.caption]
    assert any(
        "so it is measured on the deals table “Again” in use" in text
        for text in captions
    )
    # Again has 4 deals created from 2025-01-02 to 2025-01-05.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Current"] == "4"
