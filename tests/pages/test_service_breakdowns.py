"""Service page: one segment box breaks down both the time to resolution and
the follow-ups per ticket, and the ticket tables have readable headers."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# March 2025 has no German holiday, so the default working time is Monday
# to Friday 09:00-17:00 on every day below. Business hours and replies:
#   T1 Mon 3 Mar 09:00-11:00 = 2 h, Ann, Email, 1 reply
#   T2 Mon 3 Mar 09:00-13:00 = 4 h, Ann, Phone, 3 replies
#   T3 Tue 4 Mar 09:00-10:00 = 1 h, Ben, Email, 1 reply
#   T4 Tue 4 Mar 09:00-15:00 = 6 h, Ben, Email, no reply count
#   T5 open, left out of both KPIs
#   T6 Wed 5 Mar 09:00-17:00 = 8 h, no agent, Chat, 4 replies
TICKETS = (
    "Ticket ID,Created at,Solved at,Status,Agent,Channel,Replies\n"
    "T1,2025-03-03 09:00,2025-03-03 11:00,Solved,Ann,Email,1\n"
    "T2,2025-03-03 09:00,2025-03-03 13:00,Solved,Ann,Phone,3\n"
    "T3,2025-03-04 09:00,2025-03-04 10:00,Solved,Ben,Email,1\n"
    "T4,2025-03-04 09:00,2025-03-04 15:00,Solved,Ben,Email,\n"
    "T5,2025-03-05 09:00,,Open,Ben,Phone,2\n"
    "T6,2025-03-05 09:00,2025-03-05 17:00,Solved,,Chat,4\n"
)
FOLLOWUPS_HEADERS = [
    "Agent",
    "Tickets",
    "Mean agent replies",
    "Solved with one reply (%)",
]
NOTE = (
    "Counted as for the follow-ups per ticket KPI: tickets solved in the "
    "period, each ticket id once at its latest solve, with the replies from "
    "the replies column. Left out: 1 row (open ticket), 1 row (solved ticket "
    "without a reply count)."
)


def _open_service(tmp_path: Path, workspace: Path) -> AppTest:
    """Store the tickets, read from a real file, in a workspace without the
    sample data, and open the Service page for all data."""
    store = Workspace(workspace)
    (workspace / ".sample-loaded").touch()
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes(), table="tickets")
    store.save(
        prepared.frame,
        name=path.name,
        table_type="tickets",
        source_file=path.name,
        mapping=prepared.mapping,
    )
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"period": "All data"})
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return at


def _headers(frame) -> list[str]:
    """Return the headers a dataframe shows: its column_config labels."""
    config = json.loads(frame.proto.columns)
    return [config[column]["label"] for column in frame.value.columns]


def _rows(frame) -> list[tuple]:
    return [tuple(row) for row in frame.value.itertuples(index=False)]


def _table_with(at: AppTest, header: str):
    [frame] = [frame for frame in at.dataframe if header in _headers(frame)]
    return frame


def test_followups_by_agent_table(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace)
    frame = _table_with(at, "Mean agent replies")

    assert _headers(frame) == FOLLOWUPS_HEADERS
    # Solved with a reply count: T1, T2, T3 and T6. No agent: T6, 4 replies,
    # none with one reply. Ann: (1 + 3) / 2 = 2, 1 of 2 = 50 %. Ben: T3
    # alone, 1 reply, 100 %. Most replies first.
    assert _rows(frame) == [
        ("(none)", 1, 4.0, 0.0),
        ("Ann", 2, 2.0, 50.0),
        ("Ben", 1, 1.0, 100.0),
    ]
    assert NOTE in [caption.value for caption in at.caption]


def test_segment_box_sets_both_tables(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace)
    at.selectbox(key="service_segment").set_value("channel").run()
    assert not at.exception

    resolution = _table_with(at, "Mean business hours")
    # Email: T1 2 h, T3 1 h, T4 6 h, mean 9 / 3 = 3 and median 2.
    assert _rows(resolution) == [
        ("Chat", 1, 8.0, 8.0),
        ("Phone", 1, 4.0, 4.0),
        ("Email", 3, 3.0, 2.0),
    ]
    replies = _table_with(at, "Mean agent replies")
    assert _headers(replies)[0] == "Channel"
    # Email: T1 and T3 with 1 reply each, T4 has no reply count.
    assert _rows(replies) == [
        ("Chat", 1, 4.0, 0.0),
        ("Phone", 1, 3.0, 0.0),
        ("Email", 2, 1.0, 100.0),
    ]


def test_ticket_tables_readable_headers(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace)

    # The replies distribution, then the resolution and follow-up
    # breakdowns by agent.
    assert [_headers(frame) for frame in at.dataframe] == [
        ["Agent replies", "Tickets", "Share (%)"],
        ["Agent", "Tickets", "Mean business hours", "Median business hours"],
        FOLLOWUPS_HEADERS,
    ]


def test_followups_breakdown_invalid_working_time(tmp_path, fresh_workspace):
    at = _open_service(tmp_path, fresh_workspace)
    at.sidebar.text_input(key="service_hours").input("9 to 5").run()
    assert not at.exception

    # The follow-ups do not depend on the working time, so their breakdown
    # stays and only the time to resolution table goes.
    headers = [_headers(frame) for frame in at.dataframe]
    assert FOLLOWUPS_HEADERS in headers
    assert not [h for h in headers if "Mean business hours" in h]
