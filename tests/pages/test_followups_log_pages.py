"""Goals and Before and after with a stored ticket message log: the
follow-ups per ticket take each ticket's replies from the log, as the
Service page does, so the pages show the same figure."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from tests.kpi_core.test_goal_followups_log import (
    COMPARED_LOG,
    COMPARED_TICKETS,
    GOAL,
    MESSAGES,
    TICKETS,
)
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only


def _open(page: str, query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(query)
    at.switch_page(page).run()
    assert not at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return {metric.label: metric.value for metric in at.metric}[label]


def test_goal_card_matches_service_card(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "messages.csv": (MESSAGES, "ticket_messages"),
        },
    )
    GoalStore(fresh_workspace).save(GOAL)

    service = _open("pages/service.py", {"period": "All data"})
    goals = _open("pages/goals.py", {})

    # Agent replies up to each solve from the log: 2 + 1 + 3 + 0 + 3 = 9
    # over the 5 solved tickets, 9 / 5 = 1.80. The tickets have no Replies
    # column, so without the log the goal had no figure. The goal card
    # shows a count that is not whole with one decimal.
    assert _metric(service, "Follow-ups per ticket") == "1.80"
    assert _metric(goals, "Current") == "1.8"


def test_compare_page_followups_from_log(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (COMPARED_TICKETS, "tickets"),
            "messages.csv": (COMPARED_LOG, "ticket_messages"),
        },
    )

    at = _open(
        "pages/compare.py", {"compare_date": "2025-03-08", "compare_months": "1"}
    )

    [table] = at.dataframe
    [row] = [
        row
        for row in table.value.to_dict("records")
        if row["KPI"] == "Follow-ups per ticket"
    ]
    # Before (3 + 4 + 3) / 3 = 3.33, after (1 + 0 + 1) / 3 = 0.67 replies,
    # from the log; the Replies column says 1 for every ticket.
    assert row["Before"] == "3.33"
    assert row["After"] == "0.67"
    assert row["Test"] == "Mann-Whitney U"
