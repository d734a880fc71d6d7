"""Dates of events after the day of the import: named and read as empty for
the fields where a later date is impossible, kept where it is normal."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from kpi_core.__main__ import main
from kpi_core.importing import load_file
from kpi_core.service import resolution_hours

TODAY = date(2026, 12, 6)
ADVICE = "check the date; it lies after today's date, 2026-12-06"

# A Zendesk tickets export, as the tester had it. 2026-03-02 is a Monday, and
# the working hours are 09:00-17:00 Monday to Friday, so ticket 1 takes 2 h,
# ticket 2 takes 1 h and ticket 3 takes 8 h of business hours. Ticket 4 was
# created on Saturday 10 January 2026 and "solved" in December 2030.
ZENDESK = (
    "Id,Status,Created at,Solved at\n"
    "1,Solved,02.03.2026 10:00,02.03.2026 12:00\n"
    "2,Solved,03.03.2026 13:00,03.03.2026 14:00\n"
    "3,Solved,04.03.2026 09:00,04.03.2026 17:00\n"
    "4,Solved,10.01.2026 10:00,15.12.2030 10:00\n"
)


def _load(tmp_path, name, content, table=None, today=TODAY):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table, today=today)


def _problems(prepared, kind):
    return [p for p in prepared.problems if p.kind == kind]


def test_future_solve_date_left_out(tmp_path):
    prepared = _load(tmp_path, "tickets.csv", ZENDESK)

    (problem,) = _problems(prepared, "a date after today")
    assert problem.column == "Solved at"
    # The header is line 1, so ticket 4 is on line 5.
    assert problem.lines == (5,)
    assert problem.examples == ("15.12.2030 10:00",)
    assert problem.row_kept
    assert problem.advice == ADVICE
    assert problem.outcome().endswith(ADVICE)
    assert prepared.rows_used == 4
    assert prepared.rows_emptied == 1

    result = resolution_hours(prepared.frame)
    # (2 + 1 + 8) / 3 = 3.67 h, not (2 + 1 + 8 + about 10,000) / 4.
    assert result.value == pytest.approx((2 + 1 + 8) / 3)
    assert result.n == 3
    assert result.excluded == {"solved ticket without a solve date": 1}


def test_future_created_and_solved_ticket(tmp_path):
    content = (
        "Id,Status,Created at,Solved at\n"
        "1,Solved,02.03.2026 10:00,02.03.2026 12:00\n"
        "2,Solved,01.06.2027 10:00,02.06.2027 10:00\n"
    )
    prepared = _load(tmp_path, "tickets.csv", content)

    columns = sorted(p.column for p in _problems(prepared, "a date after today"))
    assert columns == ["Created at", "Solved at"]
    assert prepared.frame["created_at"].null_count() == 1
    assert prepared.frame["solved_at"].null_count() == 1
    # Only ticket 1 is measured: 2 h.
    assert resolution_hours(prepared.frame).value == pytest.approx(2)


def test_tomorrow_kept_day_after_not(tmp_path):
    # The rule allows up to the end of the day after today, 2026-12-07,
    # for exports written in a time zone ahead of the server's.
    content = (
        "Order ID,Customer ID,Order date,Amount,Currency\n"
        "A1,C1,2026-12-06 10:00,10,EUR\n"
        "A2,C2,2026-12-07 23:59,20,EUR\n"
        "A3,C3,2026-12-08 00:00,30,EUR\n"
    )
    prepared = _load(tmp_path, "orders.csv", content, "orders")

    (problem,) = _problems(prepared, "a date after today")
    assert problem.lines == (4,)
    assert prepared.frame["ordered_at"].null_count() == 1


def test_today_argument_decides(tmp_path):
    # The same file read a year later has no future date.
    prepared = _load(tmp_path, "tickets.csv", ZENDESK, today=date(2030, 12, 16))
    assert not _problems(prepared, "a date after today")


@pytest.mark.parametrize(
    ("name", "content", "table", "column"),
    [
        (
            "messages.csv",
            "Ticket ID,Sent at,Author role\n7,2026-12-01 10:00,agent\n"
            "7,2027-01-01,agent\n",
            "ticket_messages",
            "Sent at",
        ),
        (
            "nps.csv",
            "Respondent,Score,Submit Date\na,9,2026-11-01\nb,3,2027-01-01\n",
            "nps",
            "Submit Date",
        ),
        (
            "history.csv",
            "Deal ID,Stage,Entered at\n1,Qualified,2026-11-01\n1,Won,2027-01-01\n",
            "stage_history",
            "Entered at",
        ),
        (
            "events.csv",
            "Email,Event,Timestamp\na@x.org,subscribe,2026-11-01\n"
            "b@x.org,subscribe,2027-01-01\n",
            "email_events",
            "Timestamp",
        ),
        (
            "spend.csv",
            "Day,Campaign,Cost\n2026-11-01,A,10\n2027-01-01,A,20\n",
            "spend",
            "Day",
        ),
    ],
)
def test_future_event_dates_named(tmp_path, name, content, table, column):
    prepared = _load(tmp_path, name, content, table)

    (problem,) = _problems(prepared, "a date after today")
    assert problem.column == column
    assert problem.lines == (3,)
    assert problem.advice == ADVICE


DEALS = (
    "Deal ID,Stage,Create Date,Close Date,Amount\n"
    "1,Closed won,2026-11-01,2027-01-15,100\n"
    "2,Closed lost,2026-11-01,2027-01-15,100\n"
    "3,Negotiation,2026-11-01,2027-01-15,100\n"
    "4,Closed won,2027-01-01,2026-11-20,100\n"
)


def test_decided_deal_future_close(tmp_path):
    prepared = _load(tmp_path, "deals.csv", DEALS, "deals")

    closes = _problems(prepared, "a close date after today on a won or lost deal")
    (close,) = closes
    assert close.column == "Close Date"
    # Deals 1 and 2 are won and lost; deal 3 is open.
    assert close.lines == (2, 3)
    assert close.advice == ADVICE
    (created,) = _problems(prepared, "a date after today")
    assert created.column == "Create Date"
    assert created.lines == (5,)
    by_id = dict(
        zip(prepared.frame["deal_id"], prepared.frame["closed_at"], strict=True)
    )
    assert by_id["1"] is None
    assert by_id["2"] is None


def test_open_deal_future_close_kept(tmp_path):
    # Guard: an open deal's close date is the expected one.
    prepared = _load(tmp_path, "deals.csv", DEALS, "deals")

    by_id = dict(
        zip(prepared.frame["deal_id"], prepared.frame["closed_at"], strict=True)
    )
    assert by_id["3"] == date(2027, 1, 15)


def test_subscription_future_dates_kept(tmp_path):
    # Guard: a subscription may start on a later day, end at the end of its
    # paid period and have a trial that runs on.
    content = (
        "Subscription ID,Customer ID,Start date,End date,Canceled at,"
        "Trial end,MRR\n"
        "S1,A,2026-01-01,2027-01-01,2027-01-01,,100\n"
        "S2,B,2027-02-01,,,2027-03-01,100\n"
    )
    prepared = _load(tmp_path, "subscriptions.csv", content, "subscriptions")

    assert not [p for p in prepared.problems if "after today" in p.kind]
    assert prepared.frame["started_at"].null_count() == 0
    assert prepared.frame["ended_at"].null_count() == 1


def test_spend_window_end_kept(tmp_path):
    # Guard: a reporting window may end after the day the report was run.
    content = (
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n"
        "2026-12-01,2026-12-31,A,10\n"
    )
    prepared = _load(tmp_path, "meta.csv", content, "spend")

    assert not [p for p in prepared.problems if "after today" in p.kind]


def test_cli_report_leaves_future_out(tmp_path, capsys):
    # The command line reads the server's own date, so ticket 4 is solved a
    # year after it, whenever the test runs.
    later = (date.today() + timedelta(days=365)).strftime("%d.%m.%Y")
    path = tmp_path / "tickets.csv"
    path.write_text(ZENDESK.replace("15.12.2030", later), encoding="utf-8")

    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)

    kpi = report["kpis"]["resolution_hours"]
    # (2 + 1 + 8) / 3 = 3.6667 h, as the report rounds it to four places,
    # with ticket 4 left out and counted.
    assert kpi["value"] == pytest.approx(3.6667)
    assert kpi["n"] == 3
    assert kpi["excluded"] == {"solved ticket without a solve date": 1}
    (table,) = report["inputs"]
    assert table["emptied"] == {"a date after today in 'Solved at'": 1}
    named = [w for w in report["warnings"] if "after today" in w]
    assert len(named) == 1
    assert named[0].endswith(
        f"check the date; it lies after today's date, {date.today().isoformat()}"
    )
