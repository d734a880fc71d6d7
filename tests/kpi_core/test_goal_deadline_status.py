"""The status of a goal from its deadline on: achieved when the final value
meets the target, off track when it misses, for counts and rates, absolute
and relative targets.

Every goal runs 91 days, 1 April to 30 June 2026 (30 + 31 + 30), so its
baseline window is the 91 days from 31 December 2025 to 31 March 2026.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core.goal_progress import ACHIEVED, OFF_TRACK, ON_TRACK, evaluate_goal
from kpi_core.goals import Goal
from kpi_core.importing import load_file

START, DEADLINE = date(2026, 4, 1), date(2026, 6, 30)
# Past the deadline, and before the last date of every table below.
AFTER = date(2026, 7, 15)
CONTACTS_HEADER = (
    "Email,First Name,Last Name,Phone,Organization,Tags,Date Created,"
    "Date Updated,Status"
)
# Six contacts join inside the window.
WINDOW_JOINS = (
    "2026-04-05", "2026-04-20", "2026-05-03",
    "2026-05-18", "2026-06-02", "2026-06-21",
)  # fmt: skip


def _contacts(tmp_path: Path, joins: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """Write an ActiveCampaign contacts export with two contacts from
    January, one contact for each day of ``joins`` and one from 20 July, and
    load it as the app does."""
    days = ("2026-01-08", "2026-01-22", *joins, "2026-07-20")
    lines = [CONTACTS_HEADER]
    for number, day in enumerate(days, start=1):
        stamp = f"{day} 09:30:00"
        lines.append(f"m{number}@shop.de,M{number},Y,,Shop,,{stamp},{stamp},Active")
    path = tmp_path / "activecampaign_contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prepared = load_file(path.name, path.read_bytes())
    return {"email_events": prepared.frame}


def _subscribers_goal() -> Goal:
    return Goal(
        "6 new subscribers", "new_subscribers", 6, START, DEADLINE,
        department="marketing",
    )  # fmt: skip


def _deals(tmp_path: Path, won_in_window: int) -> dict[str, pl.DataFrame]:
    """Write a deals export and load it: 10 deals created on 15 January
    2026, 2 of them won, and 10 created on 15 April 2026, ``won_in_window``
    of them won, all closed a month later. One lost deal of 1 December 2025
    shows that the data covers the whole baseline window, and an open deal
    of 20 July 2026 that it runs past the deadline."""
    lines = ["Deal ID,Stage,Created At,Closed At,Status,Amount"]
    lines.append("d0,Closed,2025-12-01,2025-12-20,lost,500")
    for number in range(10):
        status = "won" if number < 2 else "lost"
        lines.append(f"b{number},Closed,2026-01-15,2026-02-15,{status},500")
    for number in range(10):
        status = "won" if number < won_in_window else "lost"
        lines.append(f"w{number},Closed,2026-04-15,2026-05-15,{status},500")
    lines.append("d1,Open,2026-07-20,,open,500")
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"deals": load_file(path.name, path.read_bytes(), table="deals").frame}


def _close_rate_goal(target: float, kind: str = "absolute") -> Goal:
    return Goal("Close rate", "close_rate", target, START, DEADLINE, target_kind=kind)


def _tickets(tmp_path: Path, in_window: int) -> dict[str, pl.DataFrame]:
    """Write a tickets export and load it: 8 phone tickets on 10 February
    2026 and ``in_window`` on 5 May 2026. One ticket each on 1 December 2025
    and 20 July 2026 shows that the data covers the baseline window and runs
    past the deadline."""
    days = ["2025-12-01", *["2026-02-10"] * 8, *["2026-05-05"] * in_window]
    days.append("2026-07-20")
    lines = ["Ticket ID,Subject,Channel,Category,Created At"]
    for number, day in enumerate(days, start=1):
        lines.append(f"{number},Parcel late,phone,late delivery,{day}")
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"tickets": load_file(path.name, path.read_bytes(), table="tickets").frame}


def test_count_met_after_deadline_achieved(tmp_path):
    # 6 joins in the window meet the target of 6.
    status = evaluate_goal(
        _subscribers_goal(), _contacts(tmp_path, WINDOW_JOINS), AFTER
    )
    assert status.current == 6
    assert status.status == ACHIEVED


def test_count_met_on_deadline_achieved(tmp_path):
    # The deadline is the last day that counts, so on it the count is final.
    tables = _contacts(tmp_path, WINDOW_JOINS)
    status = evaluate_goal(_subscribers_goal(), tables, DEADLINE)
    assert status.current == 6
    assert status.status == ACHIEVED


def test_count_met_before_deadline_on_track(tmp_path):
    # Guard: on 29 June the 6 joins meet the target, but the goal still runs.
    tables = _contacts(tmp_path, WINDOW_JOINS)
    status = evaluate_goal(_subscribers_goal(), tables, date(2026, 6, 29))
    assert status.current == 6
    assert status.status == ON_TRACK


def test_count_missed_after_deadline_off_track(tmp_path):
    # Guard: 5 joins miss the target of 6.
    tables = _contacts(tmp_path, WINDOW_JOINS[:5])
    status = evaluate_goal(_subscribers_goal(), tables, AFTER)
    assert status.current == 5
    assert status.status == OFF_TRACK


def test_rate_met_after_deadline_achieved(tmp_path):
    # 4 won of the 10 deals created in the window: 4 / 10 x 100 = 40 %,
    # at least the target of 30 %.
    status = evaluate_goal(_close_rate_goal(30), _deals(tmp_path, 4), AFTER)
    assert status.current == 40
    assert status.status == ACHIEVED


def test_rate_missed_after_deadline_off_track(tmp_path):
    # Guard: 2 won of 10 is 20 %, below 30 %.
    status = evaluate_goal(_close_rate_goal(30), _deals(tmp_path, 2), AFTER)
    assert status.current == 20
    assert status.status == OFF_TRACK


def test_relative_rate_met_after_deadline_achieved(tmp_path):
    # Baseline: 2 won of the 10 deals of 15 January, 20 %. +50 % makes the
    # target 20 x 1.5 = 30 %, and 4 won of 10 in the window is 40 %.
    status = evaluate_goal(_close_rate_goal(50, "relative"), _deals(tmp_path, 4), AFTER)
    assert status.baseline == 20
    assert status.target == 30
    assert status.status == ACHIEVED


def test_relative_ceiling_met_after_deadline_achieved(tmp_path):
    # Baseline: 8 phone tickets. -25 % allows 8 x 0.75 = 6, and the window
    # has 5.
    goal = Goal(
        "25 % fewer phone tickets", "tickets", -25, START, DEADLINE,
        target_kind="relative", department="service",
    )  # fmt: skip
    status = evaluate_goal(goal, _tickets(tmp_path, 5), AFTER)
    assert status.baseline == 8
    assert status.target == 6
    assert status.current == 5
    assert status.status == ACHIEVED


def test_relative_ceiling_missed_after_deadline_off_track(tmp_path):
    # Guard: 7 tickets are more than the 6 allowed.
    goal = Goal(
        "25 % fewer phone tickets", "tickets", -25, START, DEADLINE,
        target_kind="relative", department="service",
    )  # fmt: skip
    status = evaluate_goal(goal, _tickets(tmp_path, 7), AFTER)
    assert status.current == 7
    assert status.status == OFF_TRACK
