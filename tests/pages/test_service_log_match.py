"""Service page: a message log that contains none or only some of the chosen
tickets does not turn their replies into 0, the card says which source it
used, and the rows behind the card match its formula."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.kpi_core.test_followups_log_match import (
    BROKEN,
    FRESHDESK,
    PART_LOG,
    ZENDESK_LOG,
)
from tests.pages.conftest import APP


def _store(workspace: Path, name: str, text: str, table: str) -> None:
    prepared = load_file(f"{name}.csv", text.encode("utf-8"), table=table)
    Workspace(workspace).save(
        prepared.frame,
        name=name,
        table_type=table,
        source_file=f"{name}.csv",
        mapping=prepared.mapping,
    )


def _open_service(workspace: Path, tickets: str, log: str | None) -> AppTest:
    """Store the tickets and the log in a workspace without the sample data
    and open the Service page for all data."""
    Workspace(workspace)
    (workspace / ".sample-loaded").touch()
    if log is not None:
        _store(workspace, "zendesk_ticket_messages", log, "ticket_messages")
    _store(workspace, "freshdesk_tickets_de", tickets, "tickets")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"period": "All data"})
    at.switch_page("pages/service.py").run()
    assert not at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return {metric.label: metric.value for metric in at.metric}[label]


def _rows_behind_label(at: AppTest) -> str:
    [label] = [
        button.label
        for button in at.get("download_button")
        if button.label.startswith("Rows behind follow-ups per ticket")
    ]
    return label


def _texts(at: AppTest) -> list[str]:
    return [text.value for text in at.text]


def test_log_of_other_tickets(fresh_workspace):
    at = _open_service(fresh_workspace, FRESHDESK, ZENDESK_LOG)

    assert _metric(at, "Follow-ups per ticket") == "1.80"
    assert (
        "Follow-ups per ticket: The message log 'zendesk_ticket_messages' holds "
        "none of the tickets of 'freshdesk_tickets_de' (ticket ids in the log: "
        "'501', '502', '503'; in the tickets: '1501', '1502', '1503', ...), so "
        "the replies come from the tickets' own column 'Agent interactions'. To "
        "count them from messages, use the message log of these tickets."
    ) in [warning.value for warning in at.warning]
    assert "9 agent replies / 5 solved tickets = 1.80 replies" in _texts(at)
    assert _rows_behind_label(at) == "Rows behind follow-ups per ticket (5, CSV)"


def test_log_of_some_tickets(fresh_workspace):
    at = _open_service(fresh_workspace, FRESHDESK, PART_LOG)

    assert _metric(at, "Follow-ups per ticket") == "1.60"
    assert (
        "8 agent replies / 5 solved tickets = 1.60 replies (2 tickets counted "
        "from the message log, 3 from the replies column)"
    ) in _texts(at)
    assert _rows_behind_label(at) == "Rows behind follow-ups per ticket (5, CSV)"


def test_log_of_other_tickets_without_reply_column(fresh_workspace):
    tickets = "\n".join(line.rsplit(";", 1)[0] for line in FRESHDESK.splitlines())
    at = _open_service(fresh_workspace, tickets, ZENDESK_LOG)

    assert _metric(at, "Follow-ups per ticket") == "Not available"
    [info] = [
        box.value
        for box in at.info
        if box.value.startswith("Follow-ups per ticket are not shown")
    ]
    assert "holds none of the tickets of 'freshdesk_tickets_de'" in info


def test_rows_behind_leave_out_tickets_without_id(fresh_workspace):
    at = _open_service(fresh_workspace, BROKEN, ZENDESK_LOG)

    # 701 1, 702 1, 703 2 and 705 1 from the Replies column; the two rows
    # without a ticket id are left out of the card and its rows alike.
    assert "5 agent replies / 4 solved tickets = 1.25 replies" in _texts(at)
    assert _rows_behind_label(at) == "Rows behind follow-ups per ticket (4, CSV)"
    assert (
        "2 rows left out of follow-ups per ticket: solved ticket without a "
        "ticket id" in _texts(at)
    )
