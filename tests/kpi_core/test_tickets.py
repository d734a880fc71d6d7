from datetime import date, datetime

import polars as pl
import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.tickets import (
    nonzero_counts,
    require_segment,
    solved_tickets,
)

DT = datetime
ALL_DATA = Period()


def frame(rows, *, with_status: bool = True) -> pl.DataFrame:
    schema = {
        "ticket_id": pl.String,
        "created_at": pl.Datetime("us"),
        "solved_at": pl.Datetime("us"),
        "status": pl.String,
    }
    result = pl.DataFrame(rows, schema=schema, orient="row")
    return result if with_status else result.drop("status")


@pytest.mark.parametrize(
    ("status", "is_solved"),
    [
        ("Solved", True), ("Closed", True), ("Resolved", True), ("Gelöst", True),
        (None, True), ("Pending", False), ("Waiting on Customer", False),
        ("On-hold", False), ("Pending Customer Response", False), ("Offen", False),
        (" open ", False), ("Active", False), ("Warten auf uns", False),
        ("Warten auf Kontakt", False), ("Deleted", False), ("Spam", False),
        ("Junk", False), ("Closed (spam)", False), ("Not spam", True),
    ],
    ids=[
        "solved", "closed", "resolved", "german-solved", "no-status", "pending",
        "waiting-on-customer", "on-hold", "pending-response", "german-open",
        "padded-open", "help-scout-active", "german-waiting-on-us",
        "german-waiting-on-contact", "deleted", "spam", "junk", "closed-spam",
        "not-spam",
    ],
)  # fmt: skip
def test_solved_tickets_status_decides(status, is_solved):
    rows = [("t1", DT(2025, 1, 13, 9), DT(2025, 1, 14, 9), status)]
    solved, _excluded = solved_tickets(frame(rows), ALL_DATA)
    assert (solved.height == 1) is is_solved


def test_solved_status_without_date_named():
    rows = [
        ("t1", DT(2025, 1, 13, 9), None, "Solved"),
        ("t2", DT(2025, 1, 13, 9), None, "Geschlossen"),
        ("t3", DT(2025, 1, 13, 9), None, "Pending"),
        ("t4", DT(2025, 1, 13, 9), None, "Awaiting parts"),
        ("t5", DT(2025, 1, 13, 9), None, None),
    ]
    solved, excluded = solved_tickets(frame(rows), ALL_DATA)
    assert solved.is_empty()
    # A solved or closed status without a solve date is a gap in the
    # export. Other statuses, known or not, and an empty one are open.
    assert excluded == {"open ticket": 3, "solved ticket without a solve date": 2}


def test_solved_tickets_without_status_column():
    rows = [
        ("t1", DT(2025, 1, 13, 9), DT(2025, 1, 14, 9), None),
        ("t2", DT(2025, 1, 13, 9), None, None),
    ]
    solved, excluded = solved_tickets(frame(rows, with_status=False), ALL_DATA)
    assert solved["ticket_id"].to_list() == ["t1"]
    assert excluded == {"open ticket": 1}


def test_solved_tickets_final_solve_kept():
    # The same ticket in two exports: first solved on 14 Jan, reopened and
    # solved again on 20 Jan. An unsolved copy loses to both.
    rows = [
        ("t1", DT(2025, 1, 13, 9), DT(2025, 1, 20, 9), "Solved"),
        ("t1", DT(2025, 1, 13, 9), DT(2025, 1, 14, 9), "Solved"),
        ("t1", DT(2025, 1, 13, 9), None, "Open"),
    ]
    solved, excluded = solved_tickets(frame(rows), ALL_DATA)
    assert solved["solved_at"].to_list() == [DT(2025, 1, 20, 9)]
    assert excluded == {"earlier solve of a ticket listed again": 2}


def test_solved_tickets_period_by_solve_date():
    rows = [
        ("t1", DT(2024, 12, 30, 9), DT(2025, 1, 2, 9), "Solved"),
        ("t2", DT(2024, 12, 1, 9), DT(2024, 12, 2, 9), "Solved"),
    ]
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    solved, _excluded = solved_tickets(frame(rows), january)
    assert solved["ticket_id"].to_list() == ["t1"]


def test_solved_tickets_open_counted_by_creation():
    rows = [
        ("t1", DT(2025, 1, 5, 9), None, "Open"),
        ("t2", DT(2024, 12, 5, 9), None, "Open"),
    ]
    january = Period(date(2025, 1, 1), date(2025, 1, 31))
    _solved, excluded = solved_tickets(frame(rows), january)
    assert excluded == {"open ticket": 1}


def test_solved_tickets_without_solve_column():
    rows = [
        ("t1", DT(2025, 1, 5, 9), None, "Solved"),
        ("t2", DT(2025, 1, 6, 9), None, "Open"),
    ]
    solved, excluded = solved_tickets(frame(rows).drop("solved_at"), ALL_DATA)
    assert solved.is_empty()
    # Without the column a solved status still marks a solved ticket, not an
    # open one.
    assert excluded == {"open ticket": 1, "solved ticket without a solve date": 1}


def test_require_segment_missing():
    with pytest.raises(MissingColumnError, match="'agent'") as error:
        require_segment(frame([]), "agent")
    assert error.value.column == "agent"


def test_require_segment_present():
    assert require_segment(frame([]), "status") is None


def test_nonzero_counts_drops_zero():
    assert nonzero_counts({"open ticket": 0, "no date": 2}) == {"no date": 2}


def test_deleted_tickets_counted_apart():
    # t2 was deleted after its solve and t3 while open: neither is solved
    # or open, and both are named.
    rows = [
        ("t1", DT(2025, 1, 13, 9), DT(2025, 1, 14, 9), "Solved"),
        ("t2", DT(2025, 1, 13, 9), DT(2025, 1, 14, 9), "Deleted"),
        ("t3", DT(2025, 1, 13, 9), None, "deleted"),
        ("t4", DT(2025, 1, 13, 9), None, "Open"),
    ]
    solved, excluded = solved_tickets(frame(rows), ALL_DATA)
    assert solved["ticket_id"].to_list() == ["t1"]
    assert excluded == {"open ticket": 1, "deleted or spam ticket": 2}


FRESHDESK = b"""Ticket ID,Subject,Status,Created time,Resolved time,Closed time,Agent
1,Login,Closed,2025-03-03 09:00:00,2025-03-03 11:00:00,2025-03-04 09:00:00,Ana
2,Invoice,Closed,2025-03-03 09:00:00,,2025-03-03 15:00:00,Ben
3,Export,Open,2025-03-03 09:00:00,,,Ben
"""


def test_closed_time_when_not_resolved():
    # Ticket 2 was closed without being resolved: its close counts as its
    # solve. Ticket 1 keeps its resolve time, not its later close.
    tickets = load_file("freshdesk_tickets.csv", FRESHDESK).frame
    solved, excluded = solved_tickets(tickets, ALL_DATA)
    assert dict(solved.select("ticket_id", "solved_at").iter_rows()) == {
        "1": DT(2025, 3, 3, 11),
        "2": DT(2025, 3, 3, 15),
    }
    assert excluded == {"open ticket": 1}
