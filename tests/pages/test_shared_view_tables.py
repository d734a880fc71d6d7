"""Every page of a shared view names the tables behind its figures, and
speaks to its viewer, who cannot open the Data page."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from kpi_core.goals import Goal
from kpi_core.sharing import ViewStore
from kpi_core.workspace import Workspace
from tests.kpi_core.test_date_conflicts import TICKETS as BACKWARD
from tests.pages.conftest import APP
from tests.pages.test_period_span import DEALS, TICKETS, _store_only

# One ticket solved on Monday 3 March 2025 from 09:00 to 10:00 (1 business
# hour), and one open ticket.
OTHER_TICKETS = """\
Ticket ID,Created at,Solved at,Status
U1,2025-03-03 09:00,2025-03-03 10:00,solved
U2,2025-03-04 09:00,,open
"""
# The solve-date column is mapped but empty, so no ticket was solved.
UNSOLVED_TICKETS = """\
Ticket ID,Created at,Solved at,Status
V1,2025-03-03 09:00,,open
V2,2025-03-04 09:00,,open
"""


def _share(at: AppTest, workspace_root) -> str:
    at.sidebar.button(key="share").click().run()
    assert not at.exception
    [view] = ViewStore(workspace_root).list()
    return view.token


def _open_link(token: str, page: str) -> AppTest:
    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.query_params["view"] = token
    viewer.run()
    viewer.switch_page(page).run()
    assert not viewer.exception
    return viewer


def _main_texts(at: AppTest) -> list[str]:
    elements = [
        *at.main.caption,
        *at.main.info,
        *at.main.warning,
        *at.main.error,
        *at.main.markdown,
    ]
    return [element.value for element in elements]


def test_service_link_names_tickets_table(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets_a.csv": (TICKETS, "tickets"),
            "tickets_b.csv": (OTHER_TICKETS, "tickets"),
        },
    )
    [chosen] = [
        entry
        for entry in Workspace(fresh_workspace).list_tables("tickets")
        if entry.name == "tickets_a.csv"
    ]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    at.sidebar.selectbox(key="table_tickets").set_value(chosen.id).run()
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, "pages/service.py")
    assert not [box for box in viewer.sidebar.selectbox if box.key == "table_tickets"]
    captions = [caption.value for caption in viewer.main.caption]
    assert "Support tickets from tickets_a.csv (3 rows), all data." in captions
    # tickets_a.csv: (6 + 9) / 2 = 7.5 h (see test_one_day_link), against
    # 1.0 h for tickets_b.csv.
    metrics = {metric.label: metric.value for metric in viewer.metric}
    assert metrics["Time to resolution"] == "7.5 h"


@pytest.mark.parametrize(
    "page", ["pages/marketing.py", "pages/compare.py", "pages/whatif.py"]
)
def test_deals_link_names_deals_table(tmp_path, fresh_workspace, page):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page).run()
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, page)
    captions = [caption.value for caption in viewer.main.caption]
    assert any(
        caption.startswith("Deals from deals.csv (3 rows)") for caption in captions
    )


def test_goals_link_names_goal_table(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    goal = Goal("Five new deals", "new_deals", 5, date(2023, 1, 1), date(2023, 12, 31))
    GoalStore(fresh_workspace).save(goal)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, "pages/goals.py")
    captions = [caption.value for caption in viewer.main.caption]
    assert "Deals from deals.csv (3 rows)." in captions


def test_viewer_hint_names_sender(tmp_path, fresh_workspace):
    _store_only(
        tmp_path, fresh_workspace, {"tickets.csv": (UNSOLVED_TICKETS, "tickets")}
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    editor_infos = [info.value for info in at.main.info]
    assert any(info.endswith("solved_at on the Data page.") for info in editor_infos)
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, "pages/service.py")
    assert (
        # The page shows all data, so the hint names no period.
        "Time to resolution is not shown. No ticket was solved. If the tickets "
        "have solve times, the sender of this link can map that column to "
        "solved_at." in [info.value for info in viewer.main.info]
    )
    assert not [text for text in _main_texts(viewer) if "Data page" in text]


def test_viewer_without_deals_asks_sender(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (TICKETS, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, "pages/whatif.py")
    assert [info.value for info in viewer.main.info] == [
        "No deals or subscriptions table yet. Ask the sender of this link to "
        "upload a deals or subscriptions export."
    ]


def test_viewer_warning_names_sender(tmp_path, fresh_workspace):
    # 3 of the 10 solved tickets are solved before they were created.
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (BACKWARD, "tickets")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/service.py").run()
    token = _share(at, fresh_workspace)

    viewer = _open_link(token, "pages/service.py")
    assert [warning.value for warning in viewer.main.warning] == [
        "Time to resolution leaves out 3 of 10 solved tickets (30 %): ticket "
        "solved before it was created. Check the columns mapped to created_at "
        "and solved_at on the Data page, which only the sender of this link "
        "can open."
    ]
