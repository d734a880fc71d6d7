"""Rows whose dates contradict each other are named at import and kept."""

from __future__ import annotations

import json

from kpi_core.__main__ import main
from kpi_core.importing import load_file

# Ten solved tickets. Tickets 4, 6 and 9 are solved before they were
# created. With the header on line 1, ticket k is on line k + 1, so they
# are on lines 5, 7 and 10.
TICKETS = """Ticket ID,Created at,Solved at,Status
1,2024-05-06 09:00,2024-05-06 11:00,Solved
2,2024-05-06 09:00,2024-05-06 10:00,Solved
3,2024-05-07 09:00,2024-05-07 12:00,Solved
4,2024-05-07 10:00,2024-05-07 09:00,Solved
5,2024-05-08 09:00,2024-05-08 13:00,Solved
6,2024-05-08 15:00,2024-05-08 10:00,Solved
7,2024-05-09 09:00,2024-05-09 10:00,Solved
8,2024-05-09 09:00,2024-05-10 09:00,Solved
9,2024-05-10 12:00,2024-05-09 12:00,Solved
10,2024-05-10 09:00,2024-05-10 09:30,Solved
"""

# Deals 2 (line 3) and 4 (line 5) were won or lost before they were created.
# Deal 5 is open, and its close date, an expected one, is not checked. Deal
# 6 has no close date. So 2 of the 4 decided deals with both dates conflict.
DEALS = """Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed Won,100,2024-01-10,2024-02-01
2,B,Closed Won,200,2024-03-01,2024-02-15
3,C,Closed Lost,300,2024-01-05,2024-01-20
4,D,Closed Lost,400,2024-04-01,2024-03-01
5,E,Appointment Scheduled,500,2024-05-01,2024-04-01
6,F,Closed Won,600,2024-01-01,
"""

# Subscription s3 (line 4) ended before it started, and s1 has no end date.
SUBSCRIPTIONS = """Subscription ID,Customer ID,Start Date,End Date,MRR
s1,c1,2024-01-01,,50
s2,c2,2024-01-01,2024-03-01,50
s3,c3,2024-05-01,2024-04-01,50
"""


def _load(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes())


def test_tickets_solved_before_created_named(tmp_path):
    prepared = _load(tmp_path, "tickets.csv", TICKETS)
    assert prepared.table == "tickets"
    # The rows stay stored, because each KPI decides whether it needs both
    # dates.
    assert prepared.rows_used == 10
    assert prepared.problems == ()
    [conflict] = prepared.date_conflicts
    assert conflict.count == 3
    assert conflict.dated == 10
    assert conflict.lines == (5, 7, 10)
    # 3 / 10 = 30 %.
    assert conflict.describe() == (
        "Tickets solved before they were created: 3 of the 10 tickets with "
        "both dates (30 %), on lines 5, 7, 10. In these rows 'Solved at' "
        "(solved_at) is before 'Created at' (created_at). They stay stored, and "
        "each KPI that needs both dates leaves them out. Check that the two "
        "columns are mapped the right way round, or correct the dates in the "
        "file"
    )


def test_tickets_in_order_no_conflict(tmp_path):
    lines = TICKETS.splitlines()
    # Only tickets 1-3, which are in order, and ticket 10.
    content = "\n".join([*lines[:4], lines[10]]) + "\n"
    prepared = _load(tmp_path, "tickets.csv", content)
    assert prepared.date_conflicts == ()


def test_one_conflict_singular_wording(tmp_path):
    lines = TICKETS.splitlines()
    # Tickets 1-4: only ticket 4, on line 5, is solved before it was created.
    prepared = _load(tmp_path, "tickets.csv", "\n".join(lines[:5]) + "\n")
    [conflict] = prepared.date_conflicts
    # 1 / 4 = 25 %.
    assert conflict.describe().startswith(
        "Tickets solved before they were created: 1 of the 4 tickets with both "
        "dates (25 %), on line 5. In this row 'Solved at' (solved_at) is before "
        "'Created at' (created_at). It stays stored, and each KPI that needs "
        "both dates leaves it out."
    )


def test_many_lines_shortened(tmp_path):
    header = "Ticket ID,Created at,Solved at,Status\n"
    # Twelve tickets, all solved a day before they were created, on lines
    # 2-13. The first ten lines are listed and the other two are counted.
    rows = "".join(
        f"{i},2024-05-{i + 10:02d} 09:00,2024-05-{i + 9:02d} 09:00,Solved\n"
        for i in range(1, 13)
    )
    prepared = _load(tmp_path, "tickets.csv", header + rows)
    [conflict] = prepared.date_conflicts
    assert conflict.count == 12
    assert "on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more." in (
        conflict.describe()
    )


def test_deals_closed_before_created(tmp_path):
    prepared = _load(tmp_path, "deals.csv", DEALS)
    assert prepared.table == "deals"
    assert prepared.rows_used == 6
    [conflict] = prepared.date_conflicts
    assert conflict.lines == (3, 5)
    assert conflict.dated == 4
    # 2 / 4 = 50 %.
    assert conflict.describe().startswith(
        "Deals closed before they were created: 2 of the 4 won or lost deals "
        "with both dates (50 %), on lines 3, 5. In these rows 'Close Date' "
        "(closed_at) is before 'Create Date' (created_at)."
    )


def test_subscriptions_ended_before_started(tmp_path):
    prepared = _load(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    assert prepared.table == "subscriptions"
    assert prepared.rows_used == 3
    [conflict] = prepared.date_conflicts
    assert conflict.lines == (4,)
    # s1 has no end date, so 1 of the 2 rows with both dates = 50 %.
    assert conflict.describe().startswith(
        "Subscriptions that ended before they started: 1 of the 2 subscriptions "
        "with both dates (50 %), on line 4. In this row 'End Date' (ended_at) "
        "is before 'Start Date' (started_at)."
    )


def test_cli_report_warns_of_conflict(tmp_path, capsys):
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["inputs"][0]["rows_used"] == 10
    conflict, left_out = report["warnings"]
    assert conflict.startswith(
        "tickets.csv: Tickets solved before they were created: 3 of the 10 "
        "tickets with both dates (30 %), on lines 5, 7, 10."
    )
    # As under the card on the Service page.
    assert left_out.startswith("resolution_hours leaves out 3 of 10 solved tickets")


def _tickets_solved_early(count: int, early: set[int]) -> str:
    """Write ``count`` solved tickets. Those in ``early`` are solved a day
    before they were created, the others an hour after."""
    rows = ["Ticket ID,Created at,Solved at,Status"]
    for ticket in range(1, count + 1):
        solved = "2024-05-09 09:00" if ticket in early else "2024-05-10 10:00"
        rows.append(f"{ticket},2024-05-10 09:00,{solved},Solved")
    return "\n".join(rows) + "\n"


def test_small_share_not_shown_as_zero(tmp_path):
    # Tickets 1 and 2 of 1,000 conflict: 2 / 1,000 = 0.2 %, which a whole
    # percent would show as 0 %.
    content = _tickets_solved_early(1_000, {1, 2})
    [conflict] = _load(tmp_path, "tickets.csv", content).date_conflicts
    assert conflict.count == 2
    assert "2 of the 1,000 tickets with both dates (0.2 %)" in conflict.describe()


def test_large_share_not_shown_as_all(tmp_path):
    # Every ticket but ticket 1,000 conflicts: 999 / 1,000 = 99.9 %, which a
    # whole percent would show as 100 %.
    content = _tickets_solved_early(1_000, set(range(1, 1_000)))
    [conflict] = _load(tmp_path, "tickets.csv", content).date_conflicts
    assert "999 of the 1,000 tickets with both dates (99.9 %)" in (conflict.describe())
