import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from kpi_core.errors import InvalidSettingError
from kpi_core.goal_store import GoalStore, ScenarioStore
from kpi_core.goals import example_goals
from kpi_core.whatif import Scenario
from tests.conftest import PROJECT

D = date
# Reads the goals of the workspace folder given as the first argument in a
# fresh interpreter and prints them as JSON.
_LIST_GOALS = """
import json, sys
from kpi_core.goal_store import GoalStore
goals = GoalStore(sys.argv[1]).list_goals()
print(json.dumps([
    {"title": g.title, "target": g.target, "kind": g.target_kind,
     "deadline": g.deadline.isoformat(),
     "segments": [[s.column, s.value] for s in g.segments]}
    for g in goals
]))
"""


@pytest.fixture
def store(tmp_path) -> GoalStore:
    return GoalStore(tmp_path)


def test_goal_store_empty(store):
    assert store.list_goals() == []


def test_goal_store_save_and_get(store):
    leads, _, _ = example_goals(D(2025, 10, 1))
    store.save(leads)
    assert store.get(leads.id) == leads


def test_goal_store_keeps_every_field(store):
    _, _, complaints = example_goals(D(2025, 10, 1))
    complaints = replace(complaints, owner="Jonas Weber", id=complaints.id)
    store.save(complaints)
    assert store.list_goals() == [complaints]


def test_goal_store_goal_without_deadline(store):
    leads, _, _ = example_goals(D(2025, 10, 1))
    undated = replace(leads, deadline=None)
    store.save(undated)
    assert store.get(undated.id).deadline is None


def test_goal_store_list_order(store):
    leads, subscribers, complaints = example_goals(D(2025, 10, 1))
    for goal in (complaints, leads, subscribers):
        store.save(goal)
    departments = [goal.department for goal in store.list_goals()]
    assert departments == ["marketing", "sales", "service"]


def test_goal_store_duplicate_id(store):
    leads, _, _ = example_goals(D(2025, 10, 1))
    store.save(leads)
    with pytest.raises(InvalidSettingError, match="already stored"):
        store.save(leads)


def test_goal_store_update(store):
    leads, _, _ = example_goals(D(2025, 10, 1))
    store.save(leads)
    store.update(replace(leads, target=30))
    assert store.get(leads.id).target == 30


def test_goal_store_update_unknown(store):
    leads, _, _ = example_goals(D(2025, 10, 1))
    with pytest.raises(InvalidSettingError, match=f"no goal with id {leads.id}"):
        store.update(leads)


def test_goal_store_delete(store):
    leads, subscribers, _ = example_goals(D(2025, 10, 1))
    store.save(leads)
    store.save(subscribers)
    store.delete(leads.id)
    assert store.list_goals() == [subscribers]


def test_goal_store_delete_unknown(store):
    with pytest.raises(InvalidSettingError, match="no goal with id abc"):
        store.delete("abc")


def test_goal_store_get_unknown(store):
    with pytest.raises(InvalidSettingError, match="may have been deleted"):
        store.get("abc")


def test_goal_store_reopen_keeps_goals(tmp_path):
    leads, _, _ = example_goals(D(2025, 10, 1))
    GoalStore(tmp_path).save(leads)
    assert GoalStore(tmp_path).list_goals() == [leads]


def test_goal_store_shares_catalog(tmp_path):
    GoalStore(tmp_path)
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        names = {row[0] for row in db.execute("select name from sqlite_master")}
    assert "goals" in names


def test_goal_store_survives_new_process(tmp_path):
    for goal in example_goals(D(2025, 10, 1)):
        GoalStore(tmp_path).save(goal)
    finished = subprocess.run(
        [sys.executable, "-c", _LIST_GOALS, str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    goals = json.loads(finished.stdout)
    assert [goal["title"] for goal in goals] == [
        "1,000 new newsletter subscribers within 6 months",
        "20 new leads from the company website within 3 months",
        "25 % fewer phone complaints about late deliveries within 1 year",
    ]
    complaints = goals[2]
    assert complaints["target"] == -25
    assert complaints["kind"] == "relative"
    assert complaints["deadline"] == "2026-09-30"
    assert complaints["segments"] == [
        ["channel", "phone"],
        ["category", "late delivery"],
    ]


def test_scenario_store_save_and_list(tmp_path):
    store = ScenarioStore(tmp_path)
    store.save(Scenario("More leads", {"leads_per_month": 20.0}))
    assert store.list_scenarios() == [Scenario("More leads", {"leads_per_month": 20.0})]


def test_scenario_store_replaces_same_name(tmp_path):
    store = ScenarioStore(tmp_path)
    store.save(Scenario("Plan", {"close_rate": 10.0}))
    store.save(Scenario("Plan", {"close_rate": 5.0}))
    assert store.get("Plan").changes == {"close_rate": 5.0}


def test_scenario_store_ordered_by_name(tmp_path):
    store = ScenarioStore(tmp_path)
    store.save(Scenario("b", {}))
    store.save(Scenario("a", {}))
    assert [scenario.name for scenario in store.list_scenarios()] == ["a", "b"]


def test_scenario_store_delete(tmp_path):
    store = ScenarioStore(tmp_path)
    store.save(Scenario("Plan", {}))
    store.delete("Plan")
    assert store.list_scenarios() == []


def test_scenario_store_unknown_name(tmp_path):
    with pytest.raises(InvalidSettingError, match="no scenario named 'Plan'"):
        ScenarioStore(tmp_path).get("Plan")


def test_scenario_store_beside_goals(tmp_path):
    leads, _, _ = example_goals(D(2025, 10, 1))
    GoalStore(tmp_path).save(leads)
    ScenarioStore(tmp_path).save(Scenario("Plan", {}))
    assert GoalStore(tmp_path).list_goals() == [leads]


def test_goal_table_is_stored_and_updated(tmp_path):
    store = GoalStore(tmp_path)
    goal = replace(example_goals(D(2025, 1, 1))[0], table_id="a" * 32)
    store.save(goal)
    assert store.get(goal.id).table_id == "a" * 32
    store.update(replace(goal, table_id="b" * 32))
    assert store.get(goal.id).table_id == "b" * 32


def test_goal_table_missing_in_old_catalog(tmp_path):
    # The goals table as catalogs had it before goals named their table.
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        db.execute(
            "create table goals (id text primary key, title text not null, "
            "metric text not null, segments text not null, target real not null, "
            "target_kind text not null, start text not null, deadline text, "
            "owner text not null, department text not null, "
            "updated_at text not null)"
        )
        db.execute(
            "insert into goals values ('g1', 'Old goal', 'new_deals', '[]', 5, "
            "'absolute', '2025-01-01', '2025-03-31', '', 'sales', '2025-01-01')"
        )
    store = GoalStore(tmp_path)
    (goal,) = store.list_goals()
    assert (goal.title, goal.table_id) == ("Old goal", "")
    store.update(replace(goal, table_id="c" * 32))
    assert store.get("g1").table_id == "c" * 32


def test_scenario_store_keeps_inputs(tmp_path):
    store = ScenarioStore(tmp_path)
    scenario = Scenario(
        "Typed",
        {"close_rate": 10.0},
        {"new_subscribers_per_month": 5.0},
        deals_are_subscribers=False,
    )
    store.save(scenario)
    assert store.get("Typed") == scenario


def test_scenario_store_reads_old_catalog(tmp_path):
    # A catalog from before scenarios kept their typed inputs.
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        db.execute(
            "create table scenarios (name text primary key, "
            "changes text not null, updated_at text not null)"
        )
        db.execute(
            "insert into scenarios values ('Old', '{\"close_rate\": 5.0}', "
            "'2025-01-01T00:00:00+00:00')"
        )
    store = ScenarioStore(tmp_path)
    assert store.get("Old") == Scenario("Old", {"close_rate": 5.0})
    store.save(Scenario("New", {}, {"arpa": 90.0}, deals_are_subscribers=True))
    assert store.get("New").inputs == {"arpa": 90.0}
    assert store.get("New").deals_are_subscribers is True
