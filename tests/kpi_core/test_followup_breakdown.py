"""Follow-ups per ticket and time to resolution per agent and channel: the
note on the tickets counted, and the breakdowns in the Service sheet of the
Excel report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kpi_core import followups
from kpi_core.excel_report import PERCENT_FORMAT, TWO_DECIMALS_FORMAT
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))

# March 2025 has no German holiday, so the default working time is Monday
# to Friday 09:00-17:00 on every day below. Business hours and replies:
#   T1 Mon 3 Mar 09:00-11:00 = 2 h, Ann, Email, 1 reply
#   T2 Mon 3 Mar 09:00-13:00 = 4 h, Ann, Phone, 3 replies
#   T3 Tue 4 Mar 09:00-10:00 = 1 h, Ben, Email, 1 reply
#   T4 Tue 4 Mar 09:00-15:00 = 6 h, Ben, Email, no reply count
#   T5 open, created in March, left out of both KPIs
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
# T1 and T3 each get one agent reply before their solve. T2's agent reply
# comes after its solve and the customer's messages are no replies, so T2,
# T4 and T6 count 0 replies. The log contains every solved ticket.
MESSAGES = (
    "Ticket ID,Sent at,Author role\n"
    "T1,2025-03-03 10:00,agent\n"
    "T2,2025-03-03 10:00,end-user\n"
    "T2,2025-03-03 14:00,agent\n"
    "T3,2025-03-04 09:30,agent\n"
    "T4,2025-03-04 09:10,end-user\n"
    "T6,2025-03-05 09:10,end-user\n"
)
# The log of T1 to T3 alone: T4 and T6 take their Replies column, where T4
# has no count.
PART_MESSAGES = "\n".join(MESSAGES.splitlines()[:5]) + "\n"
FROM_COLUMN_NOTE = (
    "Counted as for the follow-ups per ticket KPI: tickets solved in the "
    "period, each ticket id once at its latest solve, with the replies from "
    "the replies column. Left out: 1 row (open ticket), 1 row (solved ticket "
    "without a reply count)."
)


def _load(tmp_path, name: str, text: str, table: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table=table).frame


def _service_sheet(tables: dict):
    data = excel_report_bytes(tables, KpiSettings(period=MARCH), "month")
    return load_workbook(io.BytesIO(data))["Service"]


def _block(sheet, title: str) -> list[list]:
    """Return the rows under ``title`` up to the next empty row, as cells,
    trimmed to the cells written."""
    rows = list(sheet.iter_rows())
    titles = [row[0].value for row in rows]
    assert title in titles, f"no table {title!r} on the Service sheet"
    block = []
    for row in rows[titles.index(title) + 1 :]:
        if row[0].value is None:
            break
        cells = list(row)
        while cells and cells[-1].value is None:
            cells.pop()
        block.append(cells)
    return block


def _values(block: list[list]) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in block]


def test_followups_note_names_left_out_rows(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS, "tickets")
    result = followups.followups_per_ticket(tickets, MARCH)

    assert followups.followups_breakdown_note(result) == FROM_COLUMN_NOTE


def test_followups_note_message_log(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS, "tickets")
    messages = _load(tmp_path, "messages.csv", MESSAGES, "ticket_messages")
    result = followups.followups_per_ticket(tickets, MARCH, messages)

    # With a message log T4 counts too, with 0 replies, so only T5 is left out.
    assert followups.followups_breakdown_note(result) == (
        "Counted as for the follow-ups per ticket KPI: tickets solved in the "
        "period, each ticket id once at its latest solve, with the replies "
        "from the agent messages up to the solve time. A ticket without an "
        "agent message counts 0 replies. Left out: 1 row (open ticket)."
    )


def test_followups_note_part_of_tickets_in_log(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS, "tickets")
    messages = _load(tmp_path, "messages.csv", PART_MESSAGES, "ticket_messages")
    result = followups.followups_per_ticket(tickets, MARCH, messages)

    # T1 1, T2 0 and T3 1 from the log, T6 4 from its column; T4 is in
    # neither.
    assert (result.numerator, result.denominator) == (6, 4)
    assert followups.followups_breakdown_note(result) == (
        "Counted as for the follow-ups per ticket KPI: tickets solved in the "
        "period, each ticket id once at its latest solve, with the replies "
        "from the agent messages up to the solve time where the message log "
        "holds the ticket, else the replies column. 3 tickets counted from "
        "the message log, 1 from the replies column. A ticket in the log "
        "without an agent message counts 0 replies. Left out: 1 row (open "
        "ticket), 1 row (solved ticket not in the message log and without a "
        "reply count)."
    )


def test_followups_note_not_available(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS, "tickets")
    result = followups.followups_per_ticket(tickets.drop("replies"), MARCH)

    assert followups.followups_breakdown_note(result) is None


def test_report_followups_by_agent(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    block = _values(_block(sheet, "Follow-ups per ticket by agent"))

    assert block[0] == (FROM_COLUMN_NOTE,)
    assert block[1] == (
        "Agent",
        "Tickets",
        "Mean agent replies",
        "Solved with one reply (%)",
    )
    # Solved with a reply count: T1, T2, T3 and T6. No agent: T6, 4 replies,
    # 0 of 1 with one reply. Ann: (1 + 3) / 2 = 2, 1 of 2 = 50 %. Ben: T3
    # alone, 1 reply, 100 %. Most replies first.
    assert block[2:] == [("(none)", 1, 4, 0), ("Ann", 2, 2, 50), ("Ben", 1, 1, 100)]


def test_report_followups_by_channel(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    block = _values(_block(sheet, "Follow-ups per ticket by channel"))

    assert block[1][0] == "Channel"
    # Chat: T6, 4 replies. Phone: T2, 3 replies (T5 is open). Email: T1 and
    # T3, 1 reply each, so (1 + 1) / 2 = 1 and 2 of 2 = 100 %.
    assert block[2:] == [("Chat", 1, 4, 0), ("Phone", 1, 3, 0), ("Email", 2, 1, 100)]


def test_report_followups_by_channel_message_log(tmp_path):
    tables = {
        "tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets"),
        "ticket_messages": _load(tmp_path, "messages.csv", MESSAGES, "ticket_messages"),
    }
    block = _values(_block(_service_sheet(tables), "Follow-ups per ticket by channel"))

    # Email: T1 1, T3 1, T4 0, so 2 / 3 replies and 2 of 3 with one reply.
    # Phone: T2 0 and Chat: T6 0. Ties are listed by name.
    assert block[2][:3] == ("Email", 3, pytest.approx(2 / 3))
    assert block[2][3] == pytest.approx(200 / 3)
    assert block[3:] == [("Chat", 1, 0, 0), ("Phone", 1, 0, 0)]


def test_report_followups_part_of_tickets_in_log(tmp_path):
    tables = {
        "tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets"),
        "ticket_messages": _load(
            tmp_path, "messages.csv", PART_MESSAGES, "ticket_messages"
        ),
    }
    block = _values(_block(_service_sheet(tables), "Follow-ups per ticket by channel"))

    # Chat: T6, 4 from its column. Email: T1 1 and T3 1 from the log, T4
    # left out. Phone: T2 0 from the log.
    assert block[2:] == [("Chat", 1, 4, 0), ("Email", 2, 1, 100), ("Phone", 1, 0, 0)]


def test_report_followup_number_formats(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    ann = _block(sheet, "Follow-ups per ticket by agent")[3]

    assert ann[0].value == "Ann"
    assert ann[2].number_format == TWO_DECIMALS_FORMAT
    assert ann[3].number_format == PERCENT_FORMAT


def test_report_resolution_by_agent(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    block = _values(_block(sheet, "Resolution hours by agent"))

    assert block[0] == ("Solved tickets measured as for the time to resolution KPI.",)
    assert block[1] == (
        "Agent",
        "Tickets",
        "Mean business hours",
        "Median business hours",
    )
    # No agent: T6, 8 h. Ben: T3 1 h and T4 6 h, mean and median 3.5 (T4
    # has no reply count but a resolution time). Ann: T1 2 h and T2 4 h,
    # mean and median 3. Slowest first.
    assert block[2:] == [("(none)", 1, 8, 8), ("Ben", 2, 3.5, 3.5), ("Ann", 2, 3, 3)]


def test_report_resolution_by_channel(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    block = _values(_block(sheet, "Resolution hours by channel"))

    # Email: T1 2 h, T3 1 h, T4 6 h: mean 9 / 3 = 3, median 2.
    assert block[2:] == [("Chat", 1, 8, 8), ("Phone", 1, 4, 4), ("Email", 3, 3, 2)]


def test_report_breakdowns_only_for_present_segments(tmp_path):
    sheet = _service_sheet(
        {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    )
    titles = {row[0] for row in sheet.iter_rows(values_only=True)}

    assert "Follow-ups per ticket by agent" in titles
    assert "Resolution hours by agent" in titles
    # The tickets have no category or priority column.
    assert "Follow-ups per ticket by category" not in titles
    assert "Resolution hours by priority" not in titles
