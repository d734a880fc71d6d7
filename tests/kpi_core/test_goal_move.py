"""GoalStore.move_to_table stores the table a set of goals is measured on."""

from datetime import date

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal

START, DEADLINE = date(2025, 1, 1), date(2025, 6, 30)


def _goal(title: str, table_id: str) -> Goal:
    return Goal(title, "new_deals", 10, START, DEADLINE, table_id=table_id)


def test_move_named_goals_only(tmp_path):
    store = GoalStore(tmp_path)
    pinned = store.save(_goal("Pinned", "a" * 32))
    following = store.save(_goal("Following", ""))
    other = store.save(_goal("Other", "b" * 32))

    moved = store.move_to_table([pinned.id, following.id], "c" * 32)

    assert moved == 2
    # A new store reads the catalog again, as after a restart.
    reopened = GoalStore(tmp_path)
    assert reopened.get(pinned.id).table_id == "c" * 32
    assert reopened.get(following.id).table_id == "c" * 32
    assert reopened.get(other.id).table_id == "b" * 32
    # The rest of a moved goal stays as it was.
    assert reopened.get(pinned.id).title == "Pinned"
    assert reopened.get(pinned.id).target == 10


def test_move_skips_deleted_goals(tmp_path):
    store = GoalStore(tmp_path)
    stored = store.save(_goal("Kept", ""))
    deleted = store.save(_goal("Gone", ""))
    store.delete(deleted.id)

    assert store.move_to_table([stored.id, deleted.id], "c" * 32) == 1
    assert store.get(stored.id).table_id == "c" * 32


def test_move_no_goals(tmp_path):
    assert GoalStore(tmp_path).move_to_table([], "c" * 32) == 0
