from datetime import date, datetime

import polars as pl
import pytest

from kpi_core.errors import MissingColumnError
from kpi_core.followups import (
    followups_breakdown,
    followups_distribution,
    followups_per_ticket,
)
from kpi_core.importing import load_file
from kpi_core.period import Period

DT = datetime
SCHEMA = {
    "ticket_id": pl.String,
    "solved_at": pl.Datetime("us"),
    "status": pl.String,
    "agent": pl.String,
    "replies": pl.Int64,
}
# Solved tickets t1, t2, t3, t5 with 1, 3, 2 and 1 replies; t4 is open and
# t6 has no reply count.
SAMPLE = [
    ("t1", DT(2025, 1, 13, 10), "Solved", "ana", 1),
    ("t2", DT(2025, 1, 13, 11), "Closed", "ben", 3),
    ("t3", DT(2025, 1, 15, 12), "Solved", "ana", 2),
    ("t4", None, "Open", "ben", 1),
    ("t5", DT(2025, 2, 3, 13), "Solved", None, 1),
    ("t6", DT(2025, 2, 4, 13), "Solved", "ana", None),
]
MESSAGE_SCHEMA = {
    "ticket_id": pl.String,
    "sent_at": pl.Datetime("us"),
    "author_role": pl.String,
}
# Agent messages counted up to each solve: t1 1 (the reply after the solve
# and the customer's message do not count), t2 2 (an admin reply counts,
# the end-user's does not), t3 0 and t6 0 (only the customer wrote), t5 1;
# t4 is open. The log contains every ticket of SAMPLE.
MESSAGES = [
    ("t1", DT(2025, 1, 13, 9, 30), "agent"),
    ("t1", DT(2025, 1, 13, 9, 45), "customer"),
    ("t1", DT(2025, 1, 13, 12), "agent"),
    ("t2", DT(2025, 1, 13, 9), "Agent"),
    ("t2", DT(2025, 1, 13, 9, 5), "end-user"),
    ("t2", DT(2025, 1, 13, 10), " ADMIN "),
    ("t3", DT(2025, 1, 15, 9), "end-user"),
    ("t4", DT(2025, 1, 14, 9), "agent"),
    ("t5", DT(2025, 2, 3, 13), "agent"),
    ("t5", None, "agent"),
    ("t6", DT(2025, 2, 4, 9), "customer"),
    ("t9", DT(2025, 2, 3, 9), "agent"),
]


def tickets(rows=SAMPLE) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def messages(rows=MESSAGES) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=MESSAGE_SCHEMA, orient="row")


def test_followups_from_reply_column():
    result = followups_per_ticket(tickets())
    assert result.value == pytest.approx((1 + 3 + 2 + 1) / 4)
    assert result.n == 4
    assert result.unit == "count"


def test_followups_share_one_reply():
    # t1 and t5 of 4 tickets were solved with exactly one reply.
    result = followups_per_ticket(tickets())
    assert result.extra == {"share_one_reply": pytest.approx(2 / 4 * 100)}


def test_followups_excluded_counts():
    result = followups_per_ticket(tickets())
    expected = {"open ticket": 1, "solved ticket without a reply count": 1}
    assert result.excluded == expected


def test_followups_formula():
    formula = followups_per_ticket(tickets()).formula
    assert formula == "7 agent replies / 4 solved tickets = 1.75 replies"


def test_followups_from_message_log():
    # t1 1, t2 2, t3 0, t5 1 and t6 0: the log contains every ticket, so it
    # replaces the replies column.
    result = followups_per_ticket(tickets(), messages=messages())
    assert result.value == pytest.approx((1 + 2 + 0 + 1 + 0) / 5)
    assert result.n == 5
    assert result.variant == "agent messages up to the solve time"


def test_followups_message_log_share_one_reply():
    result = followups_per_ticket(tickets(), messages=messages())
    assert result.extra["share_one_reply"] == pytest.approx(2 / 5 * 100)


def test_followups_message_log_solve_date_only():
    # A solve date without a time takes the agent's messages of that whole day.
    frame = pl.DataFrame(
        {"ticket_id": ["t1"], "solved_at": [date(2025, 1, 13)]},
    )
    log = messages([("t1", DT(2025, 1, 13, 16), "agent")])
    assert followups_per_ticket(frame, messages=log).value == pytest.approx(1)


def test_followups_message_log_numeric_ids():
    frame = pl.DataFrame({"ticket_id": [7], "solved_at": [DT(2025, 1, 13, 10)]})
    log = messages([("7", DT(2025, 1, 13, 9), "agent")])
    assert followups_per_ticket(frame, messages=log).value == pytest.approx(1)


def test_followups_message_log_missing_role():
    with pytest.raises(MissingColumnError, match="author_role"):
        followups_per_ticket(tickets(), messages=messages().drop("author_role"))


def test_followups_without_reply_source():
    result = followups_per_ticket(tickets().drop("replies"))
    assert not result.available
    assert "no replies column" in result.reason


def test_followups_empty_frame():
    result = followups_per_ticket(tickets([]))
    assert not result.available
    assert result.reason == "no solved tickets with a reply count in this period"


def test_followups_period_by_solve_date():
    # February: t5 with 1 reply; t6 has no count.
    february = Period(date(2025, 2, 1), date(2025, 2, 28))
    result = followups_per_ticket(tickets(), february)
    assert result.value == pytest.approx(1)
    assert result.n == 1


def test_followups_breakdown_per_agent():
    table = followups_breakdown(tickets(), segment="agent")
    # ben: t2 3; ana: t1 1 and t3 2; no agent: t5 1.
    assert table["agent"].to_list() == ["ben", "ana", "(none)"]
    assert table["mean_replies"].to_list() == pytest.approx([3, (1 + 2) / 2, 1])
    assert table["share_one_reply"].to_list() == pytest.approx([0, 50, 100])


def test_followups_breakdown_missing_segment():
    with pytest.raises(MissingColumnError, match="channel"):
        followups_breakdown(tickets(), segment="channel")


def test_followups_breakdown_without_reply_source():
    assert followups_breakdown(tickets().drop("replies"), segment="agent").is_empty()


def test_followups_distribution_counts():
    table = followups_distribution(tickets())
    assert table["replies"].to_list() == [1, 2, 3]
    assert table["tickets"].to_list() == [2, 1, 1]
    assert table["share"].to_list() == pytest.approx([50, 25, 25])


def test_followups_distribution_message_log():
    table = followups_distribution(tickets(), messages=messages())
    assert table["replies"].to_list() == [0, 1, 2]
    assert table["tickets"].to_list() == [2, 2, 1]


def test_followups_distribution_empty_frame():
    assert followups_distribution(tickets([])).is_empty()


def test_followups_formula_one_ticket():
    tickets = pl.DataFrame(
        {
            "ticket_id": ["1"],
            "created_at": [datetime(2025, 1, 2, 9)],
            "solved_at": [datetime(2025, 1, 3, 9)],
            "replies": [1],
        }
    )
    formula = followups_per_ticket(tickets).formula
    assert formula == "1 agent reply / 1 solved ticket = 1.00 replies"


def test_internal_notes_are_no_replies():
    # Zendesk's comment log marks an internal note Public "false". t1 has a
    # public agent reply and an internal note before its solve: 1 reply.
    messages = pl.DataFrame(
        [
            ("t1", DT(2025, 1, 13, 9, 30), "agent", "true"),
            ("t1", DT(2025, 1, 13, 9, 40), "agent", "false"),
        ],
        schema={**MESSAGE_SCHEMA, "public": pl.String},
        orient="row",
    )
    tickets = pl.DataFrame([SAMPLE[0]], schema=SCHEMA, orient="row")
    result = followups_per_ticket(tickets, messages=messages)
    assert (result.numerator, result.denominator) == (1, 1)


def test_log_without_agent_role_not_available():
    # Help Scout writes "user" for an agent, Intercom for a customer, so the
    # log gives no agent reply: no figure rather than 0.00.
    messages = pl.DataFrame(
        [
            ("t1", DT(2025, 1, 13, 9, 30), "user"),
            ("t1", DT(2025, 1, 13, 9), "customer"),
        ],
        schema=MESSAGE_SCHEMA,
        orient="row",
    )
    tickets = pl.DataFrame([SAMPLE[0]], schema=SCHEMA, orient="row")
    result = followups_per_ticket(tickets, messages=messages)
    assert not result.available
    assert "(its roles: 'customer', 'user')" in result.reason


@pytest.mark.parametrize("header", [b"Public", b"IsPublished"])
def test_zendesk_public_column_mapped(header):
    log = (
        b"Ticket ID,Created at,Author role," + header + b"\n"
        b"t1,2025-01-13 09:30,agent,true\n"
        b"t1,2025-01-13 09:40,agent,false\n"
        b"t2,2025-01-13 09:00,agent,TRUE\n"
        b"t2,2025-01-13 09:10,agent,TRUE\n"
    )
    messages = load_file("zendesk_comments.csv", log)
    assert messages.table == "ticket_messages"
    assert messages.mapping.columns["public"] == header.decode()
    tickets = pl.DataFrame(SAMPLE[:2], schema=SCHEMA, orient="row")
    result = followups_per_ticket(tickets, messages=messages.frame)
    # t1: 1 public reply of 2 messages; t2: 2 public replies.
    assert (result.numerator, result.denominator) == (3, 2)


def test_private_column_marks_notes():
    log = (
        b"Ticket ID,Created at,Author role,Private\n"
        b"t1,2025-01-13 09:30,agent,false\n"
        b"t1,2025-01-13 09:40,agent,true\n"
    )
    messages = load_file("freshdesk_conversations.csv", log)
    assert messages.mapping.columns["private"] == "Private"
    tickets = pl.DataFrame(SAMPLE[:1], schema=SCHEMA, orient="row")
    result = followups_per_ticket(tickets, messages=messages.frame)
    # t1: the public reply counts, the private note does not.
    assert (result.numerator, result.denominator) == (1, 1)
