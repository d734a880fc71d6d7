"""Deleting a goal on the Goals page needs a second click."""

from __future__ import annotations

from kpi_core.goal_store import GoalStore
from tests.pages.test_goals import EXAMPLES, _open_goals, _submit_goal


def _buttons(at) -> list[str]:
    return [button.key for button in at.button]


def test_one_goal_delete_click_keeps_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    at.button(key=f"delete_goal_{goal.id}").click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == [goal]
    warnings = [warning.value for warning in at.warning]
    assert f"Delete the goal “{EXAMPLES[0]['title']}”?" in warnings[-1]
    assert "cannot be undone" in warnings[-1]
    assert f"delete_goal_confirm_{goal.id}" in _buttons(at)


def test_confirmed_goal_delete_removes_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    at.button(key=f"delete_goal_{goal.id}").click().run()
    at.button(key=f"delete_goal_confirm_{goal.id}").click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == []
    assert "No goals yet" in at.info[0].value


def test_cancelled_goal_delete_keeps_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    (goal,) = GoalStore(fresh_workspace).list_goals()
    at.button(key=f"delete_goal_{goal.id}").click().run()
    at.button(key=f"delete_goal_cancel_{goal.id}").click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == [goal]
    assert f"delete_goal_confirm_{goal.id}" not in _buttons(at)


def test_goal_delete_asks_for_one_goal(fresh_workspace):
    at = _open_goals()
    _submit_goal(at, EXAMPLES[0])
    _submit_goal(at, EXAMPLES[1])
    first, second = GoalStore(fresh_workspace).list_goals()
    at.button(key=f"delete_goal_{first.id}").click().run()
    at.button(key=f"delete_goal_{second.id}").click().run()
    # Only the last request waits for confirmation.
    assert f"delete_goal_confirm_{first.id}" not in _buttons(at)
    at.button(key=f"delete_goal_confirm_{second.id}").click().run()
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == [first]
