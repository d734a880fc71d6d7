"""The goals a stored table's delete would move, named in the Data page's
delete confirmation and moved when the delete is confirmed."""

from __future__ import annotations

from kpi_core.formatting import and_list
from kpi_core.goal_store import GoalStore
from kpi_core.goals import METRICS, Goal, goals_on_table
from kpi_core.schema import TABLES
from kpi_core.workspace import TableEntry
from pages.ui.markdown_escape import escape_markdown
from pages.ui.table_choice import table_in_use
from pages.ui.workspace_access import workspace

# The confirmation names this many goals and counts the rest.
MAX_NAMED_GOALS = 5


def goals_delete_note(entry: TableEntry) -> str:
    """Name the goals measured on ``entry`` and the table they are measured
    on once it is deleted, as the Goals page then picks it, or return ""
    when no goal uses the table."""
    goals, successor = _goals_and_successor(entry)
    if not goals:
        return ""
    fate = _fate(entry.table_type, successor)
    if len(goals) == 1:
        return (
            f"The goal {_goal_list(goals)} is measured on this table. After the "
            f"delete it {fate}"
        )
    return (
        f"The goals {_goal_list(goals)} are measured on this table. After the "
        f"delete they {fate}"
    )


def delete_table_keeping_goals(table_id: str) -> None:
    """Delete the stored table ``table_id`` and store the table that
    ``goals_delete_note`` names on the goals measured on it.

    The goals then stay on that table when another table of the type is
    imported later, as the note promised. Without such a table they keep
    following the table in use.
    """
    store = workspace()
    entry = store.get(table_id)
    goals, successor = _goals_and_successor(entry)
    store.delete(table_id)
    if goals and successor is not None:
        GoalStore(store.root).move_to_table([goal.id for goal in goals], successor.id)


def _goals_and_successor(entry: TableEntry) -> tuple[list[Goal], TableEntry | None]:
    """Return the goals measured on ``entry`` and the table of its type in
    use once it is deleted, or None when no other table of the type is
    stored."""
    store = workspace()
    tables = store.list_tables(entry.table_type)
    others = [table for table in tables if table.id != entry.id]
    in_use = table_in_use(entry.table_type, tables)
    goals = goals_on_table(
        GoalStore(store.root).list_goals(),
        entry.id,
        entry.table_type,
        {table.id for table in store.list_tables()},
        in_use.id if in_use is not None else None,
    )
    return goals, table_in_use(entry.table_type, others)


def _goal_list(goals: list[Goal]) -> str:
    """Name the goals by title and metric, up to ``MAX_NAMED_GOALS``."""
    names = [
        f"“{escape_markdown(goal.title)}” ({METRICS[goal.metric].label})"
        for goal in goals[:MAX_NAMED_GOALS]
    ]
    if len(goals) > MAX_NAMED_GOALS:
        names.append(f"{len(goals) - MAX_NAMED_GOALS} more")
    return and_list(names)


def _fate(table_type: str, successor: TableEntry | None) -> str:
    """Say what happens to the goals of a deleted table of ``table_type``
    when ``successor`` is the table of that type in use afterwards."""
    noun = TABLES[table_type].noun
    if successor is None:
        article = "an" if noun[:1] in "aeiou" else "a"
        return f"will show Not available until {article} {noun} table is stored again."
    name = escape_markdown(successor.name)
    if successor.is_sample:
        return (
            f"will be measured on the {noun} table “{name}” from the sample "
            "data and show demo figures."
        )
    return (
        f"will be measured on the {noun} table “{name}”, the one in use, from "
        "then on and show its figures."
    )
