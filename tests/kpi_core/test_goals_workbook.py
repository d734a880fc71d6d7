"""The goals workbook lists each goal with the figures of its card."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from kpi_core.goal_checks import smart_check
from kpi_core.goal_progress import evaluate_goal
from kpi_core.goals import Goal
from kpi_core.goals_workbook import GoalRow, goals_workbook
from kpi_core.importing import load_file

AS_OF = date(2025, 3, 31)
# Three deals created in March 2025, two won; one created in December.
DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date,Original Source\n"
    "1,Closed won,2025-03-02,2025-03-10,Website\n"
    "2,Closed won,2025-03-05,2025-03-20,Website\n"
    "3,Closed lost,2025-03-07,2025-03-25,Referral\n"
    "4,Closed lost,2024-12-02,2024-12-20,Website\n"
)


def _rows() -> dict[str, dict[str, object]]:
    deals = load_file("deals.csv", DEALS.encode()).frame
    tables = {"deals": deals}
    goals = [
        Goal("Four new deals", "new_deals", 4, date(2025, 3, 1), date(2025, 3, 31)),
        Goal(
            "Web win rate",
            "win_rate",
            60,
            date(2025, 3, 1),
            date(2025, 3, 31),
            segments=(),
            owner="Anna",
        ),
    ]
    rows = [
        GoalRow(
            goal,
            evaluate_goal(goal, tables, AS_OF),
            smart_check(goal, tables),
            "deals.csv",
        )
        for goal in goals
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(goals_workbook(rows, AS_OF)))["Goals"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "Evaluated as of 2025-03-31"
    headers = values[3]
    return {row[0]: dict(zip(headers, row, strict=True)) for row in values[4:]}


def test_count_goal_row():
    row = _rows()["Four new deals"]
    # Deals 1, 2 and 3 were created in March: 3 of the 4 aimed at.
    assert row["Current"] == 3
    assert row["Target"] == 4
    assert row["Status"] == "Off track"
    assert row["Measured on"] == "deals.csv"
    assert row["Start"].date() == date(2025, 3, 1)


def test_rate_goal_row():
    row = _rows()["Web win rate"]
    # Deals 1 and 2 won, deal 3 lost in March: 2 of 3.
    assert row["Current"] == pytest.approx(2 / 3 * 100)
    assert row["Unit"] == "percent"
    assert row["Owner"] == "Anna"
    assert row["SMART check"].startswith("S: ")


def test_ceiling_exceeded_has_no_pace_needed():
    # At most 2 tickets in March and April: 3 came in by 31 March, so no
    # pace brings the count back under the ceiling.
    tickets = (
        "Ticket ID,Status,Created at,Solved at\n"
        "1,Solved,2025-03-02 10:00,2025-03-02 12:00\n"
        "2,Solved,2025-03-05 10:00,2025-03-05 12:00\n"
        "3,Open,2025-03-09 10:00,\n"
    )
    tables = {"tickets": load_file("tickets.csv", tickets.encode()).frame}
    goal = Goal("Few tickets", "tickets", 2, date(2025, 3, 1), date(2025, 4, 30))
    row = GoalRow(goal, evaluate_goal(goal, tables, AS_OF), {}, "tickets.csv")
    sheet = openpyxl.load_workbook(io.BytesIO(goals_workbook([row], AS_OF)))["Goals"]
    values = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(values[3], values[4], strict=True))
    assert cells["Current"] == 3
    assert cells["Pace needed per month"] is None


def test_control_characters_as_stand_in():
    # Typed into the goal form, so any character can arrive, NUL included.
    owner = "".join(chr(code) for code in range(32) if chr(code) not in "\t\n\r")
    tables = {"deals": load_file("deals.csv", DEALS.encode()).frame}
    goal = Goal(
        "Evil\x1bgoal",
        "new_deals",
        4,
        date(2025, 3, 1),
        date(2025, 3, 31),
        owner=owner,
    )
    row = GoalRow(goal, evaluate_goal(goal, tables, AS_OF), {}, "deals\x00.csv")

    sheet = openpyxl.load_workbook(io.BytesIO(goals_workbook([row], AS_OF)))["Goals"]

    values = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(values[3], values[4], strict=True))
    assert cells["Goal"] == "Evil\ufffdgoal"
    assert cells["Owner"] == "\ufffd" * len(owner)
    assert cells["Measured on"] == "deals\ufffd.csv"
