"""Where the example goals start: around the evaluation day, with each
baseline window inside its table's data."""

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core.goals import placed_example_goals
from kpi_core.importing import load_file

AS_OF = date(2026, 11, 30)


def _load(tmp_path: Path, name: str, text: str, table: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


def _tables(tmp_path: Path, tickets_from: str) -> dict[str, pl.DataFrame]:
    """Deals from 2025-01-01, email events from 2021-01-01 and tickets from
    ``tickets_from``, each table ending on 2026-11-30."""
    deals = (
        "Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Lead Source\n"
        "1,A,Closed won,100,2025-01-01,2025-02-01,Website\n"
        "2,B,Closed lost,100,2026-11-30,2026-11-30,Website\n"
    )
    events = (
        "Email Address,Event,Timestamp\n"
        "a@example.com,subscribe,2021-01-01 10:00:00\n"
        "b@example.com,subscribe,2026-11-30 10:00:00\n"
    )
    tickets = (
        "Id,Subject,Status,Via,Category,Created at,Solved at\n"
        f"1,Late,Solved,Phone,Late delivery,{tickets_from} 09:00,{tickets_from} 10:00\n"
        "2,Late,Solved,Phone,Late delivery,2026-11-30 09:00,2026-11-30 10:00\n"
    )
    return {
        "deals": _load(tmp_path, "deals.csv", deals, "deals"),
        "email_events": _load(tmp_path, "events.csv", events, "email_events"),
        "tickets": _load(tmp_path, "tickets.csv", tickets, "tickets"),
    }


def test_examples_span_as_of(tmp_path):
    leads, subscribers, complaints = placed_example_goals(
        AS_OF, _tables(tmp_path, "2025-01-01")
    )
    # Two thirds of each window lie on or before 30 November: 2 of 3 months
    # (October, November), 4 of 6 (August to November), 8 of 12 (April to
    # November), so each deadline falls after it.
    assert (leads.start, leads.deadline) == (date(2026, 10, 1), date(2026, 12, 31))
    assert subscribers.start == date(2026, 8, 1)
    assert subscribers.deadline == date(2027, 1, 31)
    assert complaints.start == date(2026, 4, 1)
    assert complaints.deadline == date(2027, 3, 31)


def test_examples_baselines_inside_data(tmp_path):
    goals = placed_example_goals(AS_OF, _tables(tmp_path, "2025-01-01"))
    leads, subscribers, complaints = (goal.baseline_period for goal in goals)
    # Leads: 92 days (31 + 30 + 31) before 1 October 2026 start on 1 July.
    assert leads.start == date(2026, 7, 1)
    # Subscribers: the window from 1 August 2026 to 31 January 2027 has 184
    # days (31 + 30 + 31 + 30 + 31 + 31). The 184 days before it are 3 of
    # January and 181 of February to July 2026 (28 + 31 + 30 + 31 + 30 + 31).
    assert subscribers.start == date(2026, 1, 29)
    # Complaints: the 365 days before 1 April 2026 start on 1 April 2025,
    # after the first ticket on 1 January 2025.
    assert complaints.start == date(2025, 4, 1)
    assert complaints.end == date(2026, 3, 31)


def test_example_start_moves_into_data(tmp_path):
    *_, complaints = placed_example_goals(AS_OF, _tables(tmp_path, "2025-06-15"))
    # A start on 1 April, May or June 2026 has a 365-day baseline from 1 April,
    # May or June 2025, before the first ticket on 15 June 2025. From 1 July
    # 2026 it runs from 1 July 2025, inside the tickets.
    assert complaints.start == date(2026, 7, 1)
    assert complaints.deadline == date(2027, 6, 30)
    assert complaints.baseline_period.start == date(2025, 7, 1)


def test_example_start_kept_when_data_short(tmp_path):
    *_, complaints = placed_example_goals(AS_OF, _tables(tmp_path, "2026-03-01"))
    # Even a start on 1 November 2026 has its baseline from 1 November 2025,
    # before the first ticket on 1 March 2026, so the goal keeps the start
    # of 8 elapsed months.
    assert complaints.start == date(2026, 4, 1)
    assert complaints.deadline == date(2027, 3, 31)


def test_examples_without_tables():
    leads, subscribers, complaints = placed_example_goals(date(2026, 11, 18), {})
    # Mid-month: November is one of the elapsed months, as at its end.
    assert leads.start == date(2026, 10, 1)
    assert subscribers.start == date(2026, 8, 1)
    assert complaints.start == date(2026, 4, 1)
