"""Goals and what-if scenarios stored in the workspace's SQLite catalog.

Both live in ``<workspace>/catalog.sqlite`` beside the table catalog, in the
tables ``goals`` and ``scenarios``, so they survive a restart. Each call
opens the catalog for one transaction, so several server sessions can share
a workspace.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from kpi_core.errors import InvalidSettingError
from kpi_core.goals import Goal, SegmentFilter
from kpi_core.whatif import Scenario
from kpi_core.workspace import open_catalog

log = logging.getLogger(__name__)

_GOALS = """
create table if not exists goals (
    id text primary key,
    title text not null,
    metric text not null,
    segments text not null,
    target real not null,
    target_kind text not null,
    start text not null,
    deadline text,
    owner text not null,
    department text not null,
    updated_at text not null,
    table_id text not null default '',
    currency text not null default ''
)
"""
_SCENARIOS = """
create table if not exists scenarios (
    name text primary key,
    changes text not null,
    updated_at text not null,
    inputs text not null default '{}',
    deals_are_subscribers integer
)
"""
# Columns added after the first release, with their definitions.
_SCENARIO_COLUMNS = {
    "inputs": "text not null default '{}'",
    "deals_are_subscribers": "integer",
}


class GoalStore:
    """The goals of one workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        with open_catalog(self.root) as db:
            db.execute(_GOALS)
            columns = {row["name"] for row in db.execute("pragma table_info(goals)")}
            # Catalogs from before goals named their table or the currency
            # of their target.
            for name in ("table_id", "currency"):
                if name not in columns:
                    _add_goal_column(db, name)

    def save(self, goal: Goal) -> Goal:
        """Store a new goal. Raises InvalidSettingError when its id is taken."""
        with open_catalog(self.root) as db:
            try:
                db.execute(
                    "insert into goals (id, title, metric, segments, target, "
                    "target_kind, start, deadline, owner, department, updated_at, "
                    "table_id, currency) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _goal_row(goal),
                )
            except sqlite3.IntegrityError:
                raise InvalidSettingError(
                    f"a goal with id {goal.id} is already stored; update it instead"
                ) from None
        log.info("stored goal %s", goal.id)
        return goal

    def list_goals(self) -> list[Goal]:
        """Return every goal, ordered by department, start date and title."""
        with open_catalog(self.root) as db:
            rows = db.execute(
                "select * from goals order by department, start, title"
            ).fetchall()
        return [_goal(row) for row in rows]

    def get(self, goal_id: str) -> Goal:
        """Return one goal. Raises InvalidSettingError when it is not stored."""
        with open_catalog(self.root) as db:
            row = db.execute("select * from goals where id = ?", (goal_id,)).fetchone()
        if row is None:
            raise _goal_not_found(goal_id)
        return _goal(row)

    def update(self, goal: Goal) -> Goal:
        """Replace the stored goal with the same id. Raises
        InvalidSettingError when no goal has that id."""
        row = _goal_row(goal)
        with open_catalog(self.root) as db:
            changed = db.execute(
                "update goals set title = ?, metric = ?, segments = ?, target = ?, "
                "target_kind = ?, start = ?, deadline = ?, owner = ?, "
                "department = ?, updated_at = ?, table_id = ?, currency = ? "
                "where id = ?",
                (*row[1:], goal.id),
            ).rowcount
        if not changed:
            raise _goal_not_found(goal.id)
        log.info("updated goal %s", goal.id)
        return goal

    def move_to_table(self, goal_ids: Iterable[str], table_id: str) -> int:
        """Store ``table_id`` as the table the goals ``goal_ids`` are measured
        on, and return how many of them are stored. Ids of goals deleted in
        the meantime are skipped."""
        ids = list(dict.fromkeys(goal_ids))
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        with open_catalog(self.root) as db:
            moved = db.execute(
                f"update goals set table_id = ?, updated_at = ? where id in ({marks})",
                (table_id, _now(), *ids),
            ).rowcount
        log.info("moved %d goals to table %s", moved, table_id)
        return moved

    def delete(self, goal_id: str) -> None:
        """Remove a goal. Raises InvalidSettingError when it is not stored."""
        with open_catalog(self.root) as db:
            changed = db.execute("delete from goals where id = ?", (goal_id,)).rowcount
        if not changed:
            raise _goal_not_found(goal_id)
        log.info("deleted goal %s", goal_id)


class ScenarioStore:
    """The named what-if scenarios of one workspace folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        with open_catalog(self.root) as db:
            db.execute(_SCENARIOS)
            rows = db.execute("pragma table_info(scenarios)")
            columns = {row["name"] for row in rows}
            for name, definition in _SCENARIO_COLUMNS.items():
                if name not in columns:
                    _add_column(db, name, definition)

    def save(self, scenario: Scenario) -> Scenario:
        """Store a scenario, replacing one of the same name."""
        subscribers = scenario.deals_are_subscribers
        with open_catalog(self.root) as db:
            db.execute(
                "insert or replace into scenarios (name, changes, updated_at, "
                "inputs, deals_are_subscribers) values (?, ?, ?, ?, ?)",
                (
                    scenario.name,
                    json.dumps(scenario.changes),
                    _now(),
                    json.dumps(scenario.inputs),
                    None if subscribers is None else int(subscribers),
                ),
            )
        return scenario

    def list_scenarios(self) -> list[Scenario]:
        """Return every scenario, ordered by name."""
        with open_catalog(self.root) as db:
            rows = db.execute("select * from scenarios order by name").fetchall()
        return [_scenario(row) for row in rows]

    def get(self, name: str) -> Scenario:
        """Return one scenario. Raises InvalidSettingError when none has the name."""
        with open_catalog(self.root) as db:
            row = db.execute(
                "select * from scenarios where name = ?", (name,)
            ).fetchone()
        if row is None:
            raise InvalidSettingError(f"no scenario named {name!r} is stored")
        return _scenario(row)

    def delete(self, name: str) -> None:
        """Remove a scenario. Raises InvalidSettingError when none has the name."""
        with open_catalog(self.root) as db:
            changed = db.execute(
                "delete from scenarios where name = ?", (name,)
            ).rowcount
        if not changed:
            raise InvalidSettingError(f"no scenario named {name!r} is stored")


def _add_column(db: sqlite3.Connection, name: str, definition: str) -> None:
    """Add a column to the scenarios of a catalog from before it existed.

    Another session of the app may add it at the same moment, which SQLite
    reports as a duplicate column.
    """
    try:
        db.execute(f"alter table scenarios add column {name} {definition}")
    except sqlite3.OperationalError as error:
        if "duplicate column" not in str(error):
            raise


def _add_goal_column(db: sqlite3.Connection, name: str) -> None:
    """Add a text column to the goals of an older catalog, unless another
    session of the app added it at the same moment."""
    try:
        db.execute(f"alter table goals add column {name} text not null default ''")
    except sqlite3.OperationalError as error:
        if "duplicate column" not in str(error):
            raise


def _scenario(row: sqlite3.Row) -> Scenario:
    subscribers = row["deals_are_subscribers"]
    return Scenario(
        row["name"],
        json.loads(row["changes"]),
        json.loads(row["inputs"]),
        None if subscribers is None else bool(subscribers),
    )


def _goal_row(goal: Goal) -> tuple[object, ...]:
    segments = [[segment.column, segment.value] for segment in goal.segments]
    return (
        goal.id,
        goal.title,
        goal.metric,
        json.dumps(segments),
        float(goal.target),
        goal.target_kind,
        goal.start.isoformat(),
        goal.deadline.isoformat() if goal.deadline else None,
        goal.owner,
        goal.department,
        _now(),
        goal.table_id,
        goal.currency,
    )


def _goal(row: sqlite3.Row) -> Goal:
    deadline = row["deadline"]
    return Goal(
        title=row["title"],
        metric=row["metric"],
        target=row["target"],
        start=date.fromisoformat(row["start"]),
        deadline=date.fromisoformat(deadline) if deadline else None,
        target_kind=row["target_kind"],
        segments=tuple(SegmentFilter(*pair) for pair in json.loads(row["segments"])),
        owner=row["owner"],
        department=row["department"],
        table_id=row["table_id"],
        currency=row["currency"],
        id=row["id"],
    )


def _goal_not_found(goal_id: str) -> InvalidSettingError:
    return InvalidSettingError(
        f"no goal with id {goal_id} is stored; it may have been deleted"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
