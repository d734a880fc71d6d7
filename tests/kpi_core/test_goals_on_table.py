from datetime import date

from kpi_core.goals import Goal, goals_on_table

D = date


def _goal(title: str, metric: str = "new_deals", table_id: str = "") -> Goal:
    return Goal(title, metric, 10, D(2025, 1, 1), D(2025, 3, 31), table_id=table_id)


GOALS = [
    _goal("On A", table_id="a"),
    _goal("On B", table_id="b"),
    _goal("No table"),
    _goal("Gone table", table_id="deleted"),
    _goal("Tickets", metric="tickets"),
]


def test_goals_naming_the_table():
    # B is in use, so only the goal that names A is on A.
    found = goals_on_table(GOALS, "a", "deals", {"a", "b", "t"}, "b")
    assert [goal.title for goal in found] == ["On A"]


def test_table_in_use_takes_followers():
    # B is in use: the goals without a stored table of their own follow it,
    # but not the tickets goal.
    found = goals_on_table(GOALS, "b", "deals", {"a", "b", "t"}, "b")
    assert [goal.title for goal in found] == ["On B", "No table", "Gone table"]


def test_no_table_in_use():
    found = goals_on_table(GOALS, "b", "deals", {"a", "b"}, None)
    assert [goal.title for goal in found] == ["On B"]
