"""Follow-ups per ticket with a message log that contains none or only some of
the tickets: no ticket's replies are read as 0 because the log lacks it,
and the card, the rows behind it, the Excel report and the command line
agree. Also tickets with an empty ticket id."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from openpyxl import load_workbook

from kpi_core.__main__ import main
from kpi_core.followups import (
    FROM_COLUMN,
    FROM_LOG,
    NOT_IN_LOG,
    SOURCE_COLUMN,
    followups_distribution,
    followups_per_ticket,
)
from kpi_core.importing import load_file
from kpi_core.kpi_rows import rows_behind
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.service import resolution_hours

# A Freshdesk export of tickets 1501-1506: 1506 is open, the others are
# resolved or closed with 1 + 2 + 1 + 3 + 2 = 9 agent interactions.
FRESHDESK = (
    "Ticket ID;Status;Agent;Created time;Resolved time;Closed time;"
    "Agent interactions\n"
    "1501;Resolved;Petra;03.03.2025 10:00;03.03.2025 14:30;;1\n"
    "1502;Resolved;Petra;07.03.2025 16:00;10.03.2025 10:00;;2\n"
    "1503;Closed;Tom;08.03.2025 12:00;10.03.2025 09:30;10.03.2025 09:30;1\n"
    "1504;Resolved;Tom;04.03.2025 08:00;04.03.2025 18:00;;3\n"
    "1505;Resolved;Petra;17.04.2025 15:00;22.04.2025 11:00;;2\n"
    "1506;Open;Tom;05.05.2025 09:00;;;1\n"
)
# A Zendesk comment log of other tickets, 501-503.
ZENDESK_LOG = (
    "Ticket ID,Author,Author role,Created at,Public\n"
    "501,Kunde,end-user,2025-03-03 10:00:00,true\n"
    "501,Petra Lang,agent,2025-03-03 10:10:00,true\n"
    "502,Petra Lang,agent,2025-03-07 16:10:00,true\n"
    "503,Tom Schulz,agent,2025-03-08 12:10:00,true\n"
)
# A log of 1501 and 1502 alone: 1501 gets 2 agent replies, 1502 none (only
# the customer wrote). 1503-1505 take their own column.
PART_LOG = (
    "Ticket ID,Author role,Created at\n"
    "1501,agent,2025-03-03 10:10\n"
    "1501,agent,2025-03-03 11:10\n"
    "1502,end-user,2025-03-07 16:00\n"
)
NONE_WARNING = (
    "The message log 'zendesk_ticket_messages.csv' holds none of the tickets "
    "of 'freshdesk_tickets_de.csv' (ticket ids in the log: '501', '502', "
    "'503'; in the tickets: '1501', '1502', '1503', ...), so the replies come "
    "from the tickets' own column 'Agent interactions'. To count them from "
    "messages, use the message log of these tickets."
)
NAMES = {
    "tickets": "freshdesk_tickets_de.csv",
    "ticket_messages": "zendesk_ticket_messages.csv",
}


def _load(text: str, name: str, table: str):
    return load_file(name, text.encode("utf-8"), table=table)


def _tickets():
    return _load(FRESHDESK, "freshdesk_tickets_de.csv", "tickets")


def _log(text: str = ZENDESK_LOG):
    return _load(text, "zendesk_ticket_messages.csv", "ticket_messages").frame


def test_log_of_other_tickets_leaves_reply_column():
    tickets = _tickets()
    result = followups_per_ticket(
        tickets.frame, messages=_log(), tables=NAMES, columns=tickets.mapping.columns
    )
    # (1 + 2 + 1 + 3 + 2) / 5, as without the log.
    assert result.value == pytest.approx(9 / 5)
    assert result.formula == "9 agent replies / 5 solved tickets = 1.80 replies"
    assert result.variant == "replies column"
    assert result.warnings == (NONE_WARNING,)
    assert result.extra["tickets_from_messages"] == 0
    assert result.extra["tickets_from_column"] == 5
    alone = followups_per_ticket(tickets.frame)
    assert (alone.numerator, alone.denominator) == (9, 5)


def test_log_of_other_tickets_without_reply_column_not_available():
    tickets = _tickets().frame.drop("replies")
    result = followups_per_ticket(tickets, messages=_log(), tables=NAMES)
    assert not result.available
    assert result.reason.startswith(
        "the message log 'zendesk_ticket_messages.csv' holds none of the "
        "tickets of 'freshdesk_tickets_de.csv' (ticket ids in the log:"
    )
    assert "the tickets have no replies column" in result.reason
    assert followups_distribution(tickets, messages=_log()).is_empty()


def test_log_of_some_tickets_counts_each_from_its_source():
    tickets = _tickets()
    result = followups_per_ticket(
        tickets.frame,
        messages=_log(PART_LOG),
        tables=NAMES,
        columns=tickets.mapping.columns,
    )
    # 1501: 2 and 1502: 0 from the log; 1503: 1, 1504: 3, 1505: 2 from the
    # column. 1502 is in the log, so its 2 interactions do not count.
    assert (result.numerator, result.denominator) == (8, 5)
    assert result.formula == (
        "8 agent replies / 5 solved tickets = 1.60 replies (2 tickets counted "
        "from the message log, 3 from the replies column)"
    )
    assert result.warnings == (
        "Of the 5 tickets of 'freshdesk_tickets_de.csv' solved, the message "
        "log 'zendesk_ticket_messages.csv' holds 2. The replies of 3 other "
        "tickets come from the tickets' column 'Agent interactions'.",
    )


def test_ticket_in_neither_source_left_out_not_zero():
    tickets = _tickets().frame.with_columns(
        pl.when(pl.col("ticket_id") == "1505")
        .then(None)
        .otherwise(pl.col("replies"))
        .alias("replies")
    )
    result = followups_per_ticket(tickets, messages=_log(PART_LOG))
    # 1505 is not in the log and has no count: left out, not 0.
    assert (result.numerator, result.denominator) == (6, 4)
    assert result.excluded[NOT_IN_LOG] == 1
    assert (
        "1 other ticket has no reply count in the tickets either and is "
        in (result.warnings[0])
    )


def test_rows_behind_match_the_formula():
    tickets = _tickets().frame
    for log in (_log(), _log(PART_LOG)):
        tables = {"tickets": tickets, "ticket_messages": log}
        result = followups_per_ticket(tickets, messages=log)
        rows = rows_behind("followups_per_ticket", tables, Period())
        assert rows.height == result.n
        assert rows["replies"].sum() == result.numerator
    sources = dict(rows.select("ticket_id", SOURCE_COLUMN).iter_rows())
    assert sources == {
        "1501": FROM_LOG,
        "1502": FROM_LOG,
        "1503": FROM_COLUMN,
        "1504": FROM_COLUMN,
        "1505": FROM_COLUMN,
    }


def test_excel_report_uses_reply_column_and_warns():
    tickets = _tickets()
    settings = KpiSettings(
        ticket_columns=dict(tickets.mapping.columns), table_names=NAMES
    )
    data = excel_report_bytes(
        {"tickets": tickets.frame, "ticket_messages": _log()}, settings
    )
    sheet = load_workbook(io.BytesIO(data))["Service"]
    [row] = [
        [cell.value for cell in row]
        for row in sheet.iter_rows()
        if row[-1].value == "followups_per_ticket"
    ]
    assert row[2] == pytest.approx(1.8)
    assert row[8] == "9 agent replies / 5 solved tickets = 1.80 replies"
    assert NONE_WARNING in row[10]


def test_cli_uses_reply_column_and_warns(tmp_path, capsys):
    tickets = tmp_path / "freshdesk_tickets_de.csv"
    tickets.write_text(FRESHDESK, encoding="utf-8")
    log = tmp_path / "zendesk_ticket_messages.csv"
    log.write_text(ZENDESK_LOG, encoding="utf-8")
    assert main(["report", str(tickets), str(log)]) == 0
    report = json.loads(capsys.readouterr().out)
    followups = report["kpis"]["followups_per_ticket"]
    assert followups["value"] == pytest.approx(1.8)
    assert (followups["numerator"], followups["denominator"]) == (9, 5)
    assert followups["warnings"] == [NONE_WARNING]
    assert f"followups_per_ticket: {NONE_WARNING}" in report["warnings"]


# Line 5 has an empty ticket id; 705 is listed twice.
BROKEN = (
    "Id,Assignee,Status,Via,Created at,Solved at,Replies\n"
    "701,Petra Lang,Solved,Email,2025-06-02 10:00:00,2025-06-02 12:00:00,1\n"
    "702,Petra Lang,Solved,Email,2025-06-03 10:00:00,2025-06-03 11:30:00,1\n"
    "703,Tom Schulz,Solved,Phone,2025-06-03 10:00:00,2025-06-03 13:00:00,2\n"
    ",Tom Schulz,Solved,Phone,2025-06-05 10:00:00,2025-06-05 11:00:00,1\n"
    ",Tom Schulz,Solved,Phone,2025-06-05 10:00:00,2025-06-05 16:00:00,5\n"
    "705,Tom Schulz,Solved,Email,2025-06-06 10:00:00,2025-06-06 11:00:00,1\n"
)


def test_empty_ticket_id_named_at_import():
    prepared = _load(BROKEN, "zendesk_tickets_broken.csv", "tickets")
    [problem] = prepared.problems
    assert problem.row_kept
    assert f"{problem.describe()}; {problem.outcome()}" == (
        "2 rows with an empty ticket ID in column 'Id' (lines 5, 6); the rows "
        "are kept, but the time to resolution and the follow-ups per ticket "
        "leave them out and count them, because a ticket without an ID cannot "
        "be told apart from another export of a listed ticket, nor matched to "
        "its messages; fill in the ticket ID of these rows and import the file "
        "again"
    )
    assert prepared.problem_rows["_line"].to_list() == [5, 6]
    assert prepared.rows_used == 6


def test_empty_message_ticket_id_named_at_import():
    log = (
        "Ticket ID,Author role,Created at\n"
        "1,agent,2025-03-03 10:10\n"
        ",agent,2025-03-03 11:10\n"
    )
    [problem] = _load(log, "messages.csv", "ticket_messages").problems
    assert f"{problem.describe()}; {problem.outcome()}" == (
        "1 row with an empty ticket ID in column 'Ticket ID' (line 3); the row "
        "is kept, but a message without a ticket ID belongs to no ticket, so "
        "the follow-ups per ticket do not count it; fill in the ticket ID of "
        "this row and import the file again"
    )


def test_tickets_without_id_left_out_of_both_kpis():
    tickets = _load(BROKEN, "zendesk_tickets_broken.csv", "tickets").frame
    hours = resolution_hours(tickets)
    # 701 2 h, 702 1.5 h, 703 3 h and 705 1 h; the two rows without an id
    # are left out, not merged into one ticket.
    assert (hours.numerator, hours.denominator) == (7.5, 4)
    assert hours.excluded == {"solved ticket without a ticket id": 2}
    replies = followups_per_ticket(tickets)
    assert (replies.numerator, replies.denominator) == (5, 4)
    assert replies.excluded == {"solved ticket without a ticket id": 2}
