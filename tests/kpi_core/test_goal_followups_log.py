"""Follow-ups per ticket in goals, their SMART check, the goals workbook and
Before and after: each ticket's replies come from the stored message log
when the log contains the ticket, else from its replies column, as on the
Service page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi_core.compare import RANK_TEST, before_after
from kpi_core.goal_checks import FAIL, PASS, smart_check
from kpi_core.goal_progress import NOT_AVAILABLE, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.importing import load_file
from kpi_core.table_names import TableNames
from kpi_core.workspace import Workspace

# A Zendesk ticket export without a Replies column: 101-105 are solved in
# March 2025, 106 is open.
TICKETS = (
    "Id,Status,Assignee,Created at,Solved at\n"
    "101,solved,Petra,2025-03-03 09:00:00,2025-03-03 15:00:00\n"
    "102,solved,Petra,2025-03-05 10:00:00,2025-03-06 11:00:00\n"
    "103,closed,Tom,2025-03-10 08:00:00,2025-03-12 17:00:00\n"
    "104,solved,Tom,2025-03-20 09:00:00,2025-03-21 10:00:00\n"
    "105,solved,Petra,2025-03-25 09:00:00,2025-03-26 12:00:00\n"
    "106,open,Tom,2025-03-28 09:00:00,\n"
)
# The Zendesk comment log of those tickets. Agent replies sent up to the
# solve: 101 has 2 (the reply at 16:00 comes after its solve at 15:00),
# 102 has 1 (the second is an internal note, Public false), 103 has 3,
# 104 has 0 (only the customer wrote) and 105 has 3.
MESSAGES = (
    "Ticket ID,Author,Author role,Created at,Public\n"
    "101,Petra Lang,agent,2025-03-03 10:00:00,true\n"
    "101,Kunde,end-user,2025-03-03 11:00:00,true\n"
    "101,Petra Lang,agent,2025-03-03 12:00:00,true\n"
    "101,Petra Lang,agent,2025-03-03 16:00:00,true\n"
    "102,Petra Lang,agent,2025-03-05 10:30:00,true\n"
    "102,Petra Lang,agent,2025-03-05 10:45:00,false\n"
    "103,Tom Schulz,agent,2025-03-10 09:00:00,true\n"
    "103,Tom Schulz,agent,2025-03-11 09:00:00,true\n"
    "103,Tom Schulz,agent,2025-03-12 09:00:00,true\n"
    "104,Kunde,end-user,2025-03-20 09:05:00,true\n"
    "105,Petra Lang,agent,2025-03-25 10:00:00,true\n"
    "105,Petra Lang,agent,2025-03-25 14:00:00,true\n"
    "105,Petra Lang,agent,2025-03-26 09:00:00,true\n"
    "106,Tom Schulz,agent,2025-03-28 10:00:00,true\n"
)
# The same tickets with a Replies column that disagrees with the log.
TICKETS_WITH_REPLIES = (
    "Id,Status,Assignee,Created at,Solved at,Replies\n"
    "101,solved,Petra,2025-03-03 09:00:00,2025-03-03 15:00:00,4\n"
    "102,solved,Petra,2025-03-05 10:00:00,2025-03-06 11:00:00,1\n"
    "103,closed,Tom,2025-03-10 08:00:00,2025-03-12 17:00:00,2\n"
    "104,solved,Tom,2025-03-20 09:00:00,2025-03-21 10:00:00,1\n"
    "105,solved,Petra,2025-03-25 09:00:00,2025-03-26 12:00:00,3\n"
    "106,open,Tom,2025-03-28 09:00:00,,1\n"
)
# A log of 101 and 102 alone, with 2 and 1 agent replies up to the solve.
PART_LOG = "\n".join(MESSAGES.splitlines()[:7]) + "\n"
START, DEADLINE, AS_OF = date(2025, 3, 1), date(2025, 3, 31), date(2025, 3, 28)
GOAL = Goal(
    "Fewer follow-ups", "followups_per_ticket", 1.5, START, DEADLINE,
    owner="Petra",
)  # fmt: skip


def _import(tmp_path: Path, files: dict[str, tuple[str, str]]):
    """Write each file, import it into a workspace and load it back, as the
    pages do. Returns the tables by type and their names for messages."""
    store = Workspace(tmp_path / "workspace")
    tables, names, columns = {}, {}, {}
    for name, (text, table_type) in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        prepared = load_file(name, path.read_bytes(), table=table_type)
        entry = store.save(
            prepared.frame,
            name=name,
            table_type=table_type,
            source_file=name,
            mapping=prepared.mapping,
        )
        tables[table_type] = store.load(entry.id)
        names[table_type] = entry.name
        if table_type == "tickets":
            columns = dict(prepared.mapping.columns)
    return tables, TableNames(tables=names, ticket_columns=columns)


def _full_log(tmp_path: Path):
    return _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "messages.csv": (MESSAGES, "ticket_messages"),
        },
    )


def test_goal_current_from_message_log(tmp_path):
    tables, names = _full_log(tmp_path)

    status = evaluate_goal(GOAL, tables, AS_OF, names=names)

    # Solved from 1 to 28 March: 101-105. Replies 2 + 1 + 3 + 0 + 3 = 9,
    # 9 / 5 = 1.80, the figure of the Service page.
    assert status.status != NOT_AVAILABLE
    assert status.current == pytest.approx(9 / 5)
    assert status.n == 5


def test_goal_path_from_message_log(tmp_path):
    tables, names = _full_log(tmp_path)

    status = evaluate_goal(GOAL, tables, AS_OF, names=names)

    # Weekly points from the start up to the day evaluated: by 7 March 101
    # and 102 are solved, (2 + 1) / 2 = 1.50; by 14 March also 103,
    # (2 + 1 + 3) / 3 = 2.00; by 21 March also 104, 6 / 4 = 1.50; by 28
    # March also 105, 9 / 5 = 1.80.
    actual = status.path["actual"].drop_nulls().to_list()
    assert actual == pytest.approx([1.5, 2.0, 1.5, 1.8])


def test_goal_takes_log_ticket_by_ticket(tmp_path):
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS_WITH_REPLIES, "tickets"),
            "messages.csv": (PART_LOG, "ticket_messages"),
        },
    )

    status = evaluate_goal(GOAL, tables, AS_OF, names=names)

    # 101 and 102 from the log (2 and 1), 103-105 from Replies (2, 1, 3):
    # (2 + 1 + 2 + 1 + 3) / 5 = 9 / 5 = 1.80. The Replies column alone
    # would give (4 + 1 + 2 + 1 + 3) / 5 = 2.20.
    assert status.current == pytest.approx(9 / 5)
    assert status.warnings == (
        "Of the 5 tickets of 'tickets.csv' solved in this period, the message "
        "log 'messages.csv' holds 2. The replies of 3 other tickets come from "
        "the tickets' column 'Replies'.",
    )


def test_smart_check_measurable_with_log(tmp_path):
    tables, names = _full_log(tmp_path)

    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)

    assert checks["M"].verdict == PASS
    assert checks["M"].message == (
        "measured from the tickets table (solved_at, ticket_id) and the "
        "ticket message log 'messages.csv'"
    )


def test_smart_check_without_reply_source(tmp_path):
    tables, names = _import(tmp_path, {"tickets.csv": (TICKETS, "tickets")})

    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)
    status = evaluate_goal(GOAL, tables, AS_OF, names=names)

    expected = (
        "the tickets table has no replies column and there is no ticket "
        "message log; map the tickets' reply-count column to replies on the "
        "Data page, or upload the message log of these tickets"
    )
    assert checks["M"].verdict == FAIL
    assert checks["M"].message == expected
    assert status.status == NOT_AVAILABLE
    assert status.reason == expected


def test_smart_check_log_of_other_tickets(tmp_path):
    other_log = MESSAGES.replace("\n10", "\n90")
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "messages.csv": (other_log, "ticket_messages"),
        },
    )

    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)
    status = evaluate_goal(GOAL, tables, AS_OF, names=names)

    # The log holds tickets 901-906 only, and the tickets have no replies
    # column, so no figure can be measured.
    assert checks["M"].verdict == FAIL
    assert checks["M"].message.startswith(
        "the message log 'messages.csv' holds none of the tickets of "
        "'tickets.csv' (ticket ids in the log: '901', '902', '903', ...; in "
        "the tickets: '101', '102', '103', ...), and the tickets have no "
        "replies column"
    )
    assert status.status == NOT_AVAILABLE
    assert status.reason == checks["M"].message


def test_goals_workbook_followups(tmp_path):
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS_WITH_REPLIES, "tickets"),
            "messages.csv": (PART_LOG, "ticket_messages"),
        },
    )
    status = evaluate_goal(GOAL, tables, AS_OF, names=names)
    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)

    data = goals_workbook([GoalRow(GOAL, status, checks, "tickets.csv")], AS_OF)

    sheet = load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[4]]
    row = dict(zip(headers, [cell.value for cell in sheet[5]], strict=True))
    # (2 + 1 + 2 + 1 + 3) / 5, as in test_goal_takes_log_ticket_by_ticket.
    assert row["Current"] == pytest.approx(1.8)
    assert row["Warnings"] == (
        "Of the 5 tickets of 'tickets.csv' solved in this period, the message "
        "log 'messages.csv' holds 2. The replies of 3 other tickets come from "
        "the tickets' column 'Replies'."
    )


def test_goals_workbook_without_reply_source(tmp_path):
    tables, names = _import(tmp_path, {"tickets.csv": (TICKETS, "tickets")})
    status = evaluate_goal(GOAL, tables, AS_OF, names=names)
    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)

    data = goals_workbook([GoalRow(GOAL, status, checks, "tickets.csv")], AS_OF)

    sheet = load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[4]]
    row = dict(zip(headers, [cell.value for cell in sheet[5]], strict=True))
    assert row["Status"] == "Not available"
    assert row["Current"] is None
    assert row["Why not available"] == (
        "the tickets table has no replies column and there is no ticket "
        "message log; map the tickets' reply-count column to replies on the "
        "Data page, or upload the message log of these tickets"
    )
    assert "M: fail" in row["SMART check"]


# Tickets around 8 March 2025 whose Replies column says 1 each, while the
# log, which contains every one of them, counts other replies.
COMPARED_TICKETS = (
    "Id,Status,Created at,Solved at,Replies\n"
    "201,solved,2025-03-01 09:00:00,2025-03-01 12:00:00,1\n"
    "202,solved,2025-03-03 09:00:00,2025-03-03 12:00:00,1\n"
    "203,solved,2025-03-05 09:00:00,2025-03-05 12:00:00,1\n"
    "204,solved,2025-03-10 09:00:00,2025-03-10 12:00:00,1\n"
    "205,solved,2025-03-12 09:00:00,2025-03-12 12:00:00,1\n"
    "206,solved,2025-03-14 09:00:00,2025-03-14 12:00:00,1\n"
)
# Agent replies up to the solve: 201 3, 202 4, 203 3; 204 1, 205 0 (the
# customer only), 206 1.
COMPARED_LOG = "Ticket ID,Author role,Created at\n" + "".join(
    f"{ticket},{role},2025-03-{day:02d} 10:{minute:02d}:00\n"
    for ticket, day, role, count in (
        (201, 1, "agent", 3),
        (202, 3, "agent", 4),
        (203, 5, "agent", 3),
        (204, 10, "agent", 1),
        (205, 12, "end-user", 1),
        (206, 14, "agent", 1),
    )
    for minute in range(count)
)


def test_before_after_followups_from_log(tmp_path):
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (COMPARED_TICKETS, "tickets"),
            "messages.csv": (COMPARED_LOG, "ticket_messages"),
        },
    )

    table = before_after(tables, date(2025, 3, 8), 1, names=names)

    [row] = table.filter(table["kpi"] == "followups_per_ticket").to_dicts()
    # The data runs from 1 to 14 March, so both windows are 7 days: 1-7
    # March (201-203) and 8-14 March (204-206).
    # Before: (3 + 4 + 3) / 3 = 3.33; after: (1 + 0 + 1) / 3 = 0.67.
    assert row["days"] == 7
    assert row["before"] == pytest.approx(10 / 3)
    assert row["after"] == pytest.approx(2 / 3)
    assert row["n_before"] == 3
    assert row["n_after"] == 3
    assert row["difference"] == pytest.approx(2 / 3 - 10 / 3)
    # Mann-Whitney U on the replies per ticket. Midranks of all six values:
    # 0 -> 1, 1 and 1 -> 2.5, 3 and 3 -> 4.5, 4 -> 6. The before group's
    # rank sum is 4.5 + 6 + 4.5 = 15, its mean 3 x 21 / 6 = 10.5, so 4.5
    # away. Of the C(6, 3) = 20 ways to pick three ranks, only {4.5, 4.5, 6}
    # (sum 15) and {1, 2.5, 2.5} (sum 6) lie as far: p = 2 / 20 = 0.1.
    assert row["test"] == RANK_TEST
    assert row["p_value"] == pytest.approx(0.1)
    assert row["significant"] is False


def _log_of(*tickets: int) -> str:
    """Return the lines of ``COMPARED_LOG`` of the given tickets."""
    header, *rows = COMPARED_LOG.splitlines(keepends=True)
    return header + "".join(row for row in rows if int(row.split(",")[0]) in tickets)


def test_before_after_source_warning_once(tmp_path):
    # The log contains 201 (before) and 204 (after), so on each side 1 of 3
    # tickets takes its replies from the log and 2 from the Replies column.
    # Both sides give the same warning, which is named once.
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (COMPARED_TICKETS, "tickets"),
            "messages.csv": (_log_of(201, 204), "ticket_messages"),
        },
    )

    table = before_after(tables, date(2025, 3, 8), 1, names=names)

    [row] = table.filter(table["kpi"] == "followups_per_ticket").to_dicts()
    assert row["note"] == (
        "Of the 3 tickets of 'tickets.csv' solved in this period, the message "
        "log 'messages.csv' holds 1. The replies of 2 other tickets come from "
        "the tickets' column 'Replies'"
    )


def test_before_after_shared_warning_once(tmp_path):
    # Dates without a time of day make the time to resolution warn on both
    # sides that each ticket may be off by up to a working day. The note
    # names that warning once, without a side.
    dates_only = COMPARED_TICKETS.replace(" 09:00:00", "").replace(" 12:00:00", "")
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (dates_only, "tickets"),
            "messages.csv": (COMPARED_LOG, "ticket_messages"),
        },
    )

    table = before_after(tables, date(2025, 3, 8), 1, names=names)

    [row] = table.filter(table["kpi"] == "resolution_hours").to_dicts()
    assert row["note"].count("have the time 00:00") == 1
    assert "before:" not in row["note"]
    assert "after:" not in row["note"]


def test_smart_check_names_both_sources(tmp_path):
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS_WITH_REPLIES, "tickets"),
            "messages.csv": (PART_LOG, "ticket_messages"),
        },
    )

    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)

    # Solved by 28 March: 101-105. The log contains 101 and 102, so 2
    # tickets come from it and the other 5 - 2 = 3 from column 'Replies'.
    assert checks["M"].verdict == PASS
    assert checks["M"].message == (
        "measured from the tickets table (solved_at, ticket_id, replies) and "
        "the ticket message log 'messages.csv'. The log gives the replies of "
        "the 2 tickets it contains, and the replies column 'Replies' those of "
        "the other 3"
    )


def test_smart_check_log_of_none_uses_column(tmp_path):
    other_log = MESSAGES.replace("\n10", "\n90")
    tables, names = _import(
        tmp_path,
        {
            "tickets.csv": (TICKETS_WITH_REPLIES, "tickets"),
            "messages.csv": (other_log, "ticket_messages"),
        },
    )

    checks = smart_check(GOAL, tables, as_of=AS_OF, names=names)

    # The log contains tickets 901-906 only, so every reply comes from the
    # Replies column and the log is not named.
    assert checks["M"].verdict == PASS
    assert checks["M"].message == "measured from the tickets table (solved_at, replies)"
