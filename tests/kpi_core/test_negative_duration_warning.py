"""A negative helpdesk resolution time is read as empty, and the warning
states that the ticket is then measured from its dates, as the KPI does."""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file
from kpi_core.service import resolution_hours

TICKETS = (
    "Id,Assignee,Group,Status,Priority,Via,Created at,Solved at,"
    "Full resolution time (hrs)\n"
    "1,Anna,Support,Solved,Normal,Email,2025-01-05 09:00,2025-01-06 09:00,-3\n"
    "2,Anna,Support,Solved,Normal,Email,2025-01-07 09:00,2025-01-07 15:00,6\n"
)


def test_negative_duration_warning_true(tmp_path):
    path = tmp_path / "zendesk_tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    tickets = load_file(path.name, path.read_bytes(), table="tickets")

    [problem] = tickets.problems
    assert problem.describe() == (
        "1 row with an invalid or negative duration in column 'Full resolution "
        "time (hrs)' (line 2; for example '-3')"
    )
    assert problem.outcome() == (
        "read as empty; the row is kept, and the time to resolution measures it "
        "from the creation and solve dates in place of 'Full resolution time "
        "(hrs)'"
    )
    # Ticket 1 counts its 24 hours from 5 January 09:00 to 6 January 09:00,
    # ticket 2 the helpdesk's 6 hours: (24 + 6) / 2 = 15.
    result = resolution_hours(tickets.frame, variant="calendar")
    assert result.value == pytest.approx(15.0)
    assert result.excluded == {}
