"""The notes and reasons of a goal's status: the table's last recorded date,
a segment that matches no row, a partial baseline window without a value,
and a baseline on few observations."""

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core.goal_metrics import SegmentFilter
from kpi_core.goal_progress import NOT_AVAILABLE, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

# Deal 1 was created on 5 September and won on 20 November 2026, the last
# recorded date. Deal 3, created on 18 November, is open, and its close
# date of 31 December is an expected one.
DEALS = """\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed won,100,2026-09-05,2026-11-20
2,B,Closed lost,100,2026-10-01,2026-10-15
3,C,Appointment scheduled,100,2026-11-18,2026-12-31
"""
# No ticket is a phone ticket about late delivery.
TICKETS = """\
Id,Subject,Status,Via,Category,Created at,Solved at
1,Late,Solved,Email,late_delivery,2025-12-01 09:00,2025-12-01 11:00
2,Bill,Solved,Phone,billing,2026-02-10 09:00,2026-02-10 10:00
3,Late,Solved,Email,late_delivery,2026-08-03 09:00,2026-08-03 12:00
4,Bill,Solved,Phone,billing,2026-09-14 09:00,2026-09-14 10:00
"""
# The first subscription starts on 15 March 2026, and one customer leaves on
# 2 May.
SUBSCRIPTIONS = """\
id,Customer ID,Customer Email,Status,Created (UTC),Start (UTC),\
Canceled At (UTC),Ended At (UTC),Plan,Quantity,Amount,Interval
sub_1,cus_1,a@example.com,active,2026-03-15 00:00,2026-03-15 00:00,,,Pro,1,99,month
sub_2,cus_2,b@example.com,canceled,2026-03-22 00:00,2026-03-22 00:00,\
2026-05-02 00:00,2026-05-02 00:00,Pro,1,99,month
sub_3,cus_3,c@example.com,active,2026-04-01 00:00,2026-04-01 00:00,,,Pro,1,99,month
"""
UNMATCHED = (
    SegmentFilter("channel", "phone"),
    SegmentFilter("category", "late_delivery"),
)


def _load(tmp_path: Path, name: str, text: str, table: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


def _new_deals_goal() -> Goal:
    return Goal("Five new deals", "new_deals", 5, date(2026, 10, 1), date(2026, 12, 31))


def test_last_date_counts_close_dates(tmp_path):
    deals = {"deals": _load(tmp_path, "deals.csv", DEALS, "deals")}
    status = evaluate_goal(_new_deals_goal(), deals, date(2026, 11, 20))
    # The last creation is on 18 November, but deal 1 was won on 20
    # November, so the table reaches the evaluation day.
    assert status.as_of_note == ""
    # Deals 2 and 3 were created from 1 October to 20 November.
    assert status.current == 2


def test_last_date_skips_expected_close(tmp_path):
    deals = {"deals": _load(tmp_path, "deals.csv", DEALS, "deals")}
    status = evaluate_goal(_new_deals_goal(), deals, date(2026, 12, 31))
    # Deal 3's close date of 31 December is expected, not recorded.
    assert status.as_of_note == (
        "Its table's last date is 2026-11-20, before 2026-12-31. If the export "
        "ends there, the days after it count as days without any row: choose "
        "2026-11-20 under Evaluated as of."
    )


def test_unmatched_segment_relative_reason(tmp_path):
    tickets = {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    goal = Goal(
        "25 % fewer late phone tickets", "tickets", -25, date(2026, 7, 1),
        date(2026, 12, 31), target_kind="relative", segments=UNMATCHED,
    )  # fmt: skip
    status = evaluate_goal(goal, tickets, date(2026, 9, 30))
    # The tickets from 1 December 2025 cover the baseline window from 29
    # December 2025 to 30 June 2026, so only the segment leaves it at 0.
    assert status.status == NOT_AVAILABLE
    assert status.reason == (
        "no rows of the tickets table match the goal's segment (channel = "
        "phone; category = late_delivery); check the spelling of the values"
    )


def test_unmatched_segment_kpi_reason(tmp_path):
    tickets = {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    goal = Goal(
        "Late phone tickets solved in 4 hours", "resolution_hours", 4,
        date(2026, 7, 1), date(2026, 12, 31), segments=UNMATCHED,
    )  # fmt: skip
    status = evaluate_goal(goal, tickets, date(2026, 9, 30))
    assert status.status == NOT_AVAILABLE
    assert status.reason.startswith("no rows of the tickets table match")


def test_unmatched_segment_absolute_count(tmp_path):
    tickets = {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    goal = Goal(
        "At most 10 late phone tickets", "tickets", 10, date(2026, 7, 1),
        date(2026, 12, 31), segments=UNMATCHED,
    )  # fmt: skip
    status = evaluate_goal(goal, tickets, date(2026, 9, 30))
    # No row matches, often because a value is misspelt, so the goal is not
    # available rather than a count of 0. The card keeps its target.
    assert status.status == NOT_AVAILABLE
    assert status.current is None
    assert status.target == 10
    assert status.reason == (
        "no rows of the tickets table match the goal's segment (channel = "
        "phone; category = late_delivery); check the spelling of the values"
    )


def test_partial_baseline_without_value_no_note(tmp_path):
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    goal = Goal(
        "Churn at most 5 %", "churn_rate", 5, date(2026, 7, 1), date(2026, 12, 31)
    )
    status = evaluate_goal(goal, {"subscriptions": subscriptions}, date(2026, 9, 30))
    # The goal runs 184 days (31 + 31 + 30 + 31 + 30 + 31), so its baseline
    # runs from 29 December 2025 to 30 June 2026. No customer was active on
    # 29 December, so the baseline has no value and nothing to qualify.
    assert status.baseline is None
    assert status.baseline_note == ""


def _resolution_goal() -> Goal:
    return Goal(
        "Tickets solved in 2 hours", "resolution_hours", 2, date(2026, 7, 1),
        date(2026, 12, 31),
    )  # fmt: skip


def test_small_baseline_says_so(tmp_path):
    tickets = {"tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets")}
    status = evaluate_goal(_resolution_goal(), tickets, date(2026, 9, 30))
    # The baseline runs from 29 December 2025 to 30 June 2026 and contains one
    # solved ticket, number 2, solved in 1 hour.
    assert status.baseline == 1.0
    assert status.baseline_note == (
        "The baseline rests on 1 observation, fewer than 30, so it may be far "
        "from the usual level, and a relative target moves with it."
    )


def test_baseline_of_thirty_tickets_has_no_note(tmp_path):
    # Two tickets on each of the first 15 weekdays of March 2026 (2 to 20
    # March), each solved in 1 working hour from 09:00 to 10:00.
    weekdays = [day for day in range(2, 21) if date(2026, 3, day).weekday() < 5]
    rows = [
        f"{day}{half},Bill,Solved,Email,billing,2026-03-{day:02d} 09:00,"
        f"2026-03-{day:02d} 10:00"
        for day in weekdays
        for half in "ab"
    ]
    assert len(rows) == 30
    text = TICKETS.splitlines()[0] + "\n" + "\n".join(rows) + "\n"
    tickets = {"tickets": _load(tmp_path, "tickets.csv", text, "tickets")}
    goal = Goal(
        "Tickets solved in 2 hours", "resolution_hours", 2, date(2026, 4, 1),
        date(2026, 4, 30),
    )  # fmt: skip
    status = evaluate_goal(goal, tickets, date(2026, 4, 15))
    # The baseline is the 30 days before 1 April, 2 to 31 March, with all
    # 30 tickets.
    assert status.baseline == 1.0
    assert status.baseline_note == ""
