"""The rows behind the time to resolution carry each ticket's hours, and the
upsell formula from subscriptions writes its counts in the right number."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import polars as pl
from openpyxl import load_workbook

from kpi_core.business_hours import WorkingTime
from kpi_core.importing import load_file
from kpi_core.kpi_rows import rows_behind
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.service import resolution_hours

# 3 March 2025 is a Monday; the clocks in Berlin change on 30 March.
TICKETS = (
    "Id,Status,Created at,Solved at\n"
    "T1,Solved,2025-03-03 10:00:00,2025-03-03 15:30:00\n"
    "T2,Solved,2025-03-07 16:00:00,2025-03-10 10:00:00\n"
    "T3,Open,2025-03-04 09:00:00,\n"
    "T4,Solved,2025-03-05 12:00:00,2025-03-05 11:00:00\n"
)
# K1 adds a second subscription in February, so its MRR rises from 100 to
# 150 in the first quarter of 2025. K2 and K3 keep theirs.
SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K1,active,2025-02-01 00:00,,50.00,EUR,month\n"
    "s3,K2,active,2024-07-01 00:00,,50.00,EUR,month\n"
    "s4,K3,active,2024-08-01 00:00,,80.00,EUR,month\n"
)
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))


def _load(tmp_path: Path, name: str, text: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text)
    return load_file(path.name, path.read_bytes()).frame


def _hours(rows: pl.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(rows["ticket_id"], rows[column], strict=True))


def test_rows_show_business_hours(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS)
    rows = rows_behind("resolution_hours", {"tickets": tickets}, Period())
    # T1: Monday 10:00 to 15:30 = 5.5 h. T2: Friday 16:00-17:00 and Monday
    # 09:00-10:00 = 2 h. T3 is open and T4 was solved before it was created.
    assert _hours(rows, "business_hours") == {"T1": 5.5, "T2": 2.0}
    # The rows are the KPI's n: (5.5 + 2) / 2 = 3.75 h.
    result = resolution_hours(tickets)
    assert result.n == rows.height
    assert result.value == 3.75


def test_rows_follow_working_time(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS)
    longer = WorkingTime(start=time(8), end=time(18))
    rows = rows_behind(
        "resolution_hours", {"tickets": tickets}, Period(), working=longer
    )
    # T2: Friday 16:00-18:00 and Monday 08:00-10:00 = 4 h.
    assert _hours(rows, "business_hours") == {"T1": 5.5, "T2": 4.0}


def test_rows_show_calendar_hours(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", TICKETS)
    variants = {"resolution_hours": "calendar"}
    rows = rows_behind("resolution_hours", {"tickets": tickets}, Period(), variants)
    # T2: Friday 16:00 to Monday 10:00 = 2 days 18 hours = 66 h.
    assert _hours(rows, "calendar_hours") == {"T1": 5.5, "T2": 66.0}
    assert "business_hours" not in rows.columns


def test_followup_rows_keep_solved_tickets(tmp_path):
    replies = TICKETS.replace("Solved at\n", "Solved at,Replies\n")
    replies = replies.replace(":00\n", ":00,2\n").replace(",\n", ",,1\n")
    tickets = _load(tmp_path, "tickets.csv", replies)
    rows = rows_behind("followups_per_ticket", {"tickets": tickets}, Period())
    # The solved tickets T1, T2 and T4, without hours.
    assert sorted(rows["ticket_id"]) == ["T1", "T2", "T4"]
    assert "business_hours" not in rows.columns


def test_followup_rows_need_reply_counts(tmp_path):
    # Without a replies column the KPI is not available, so no rows are.
    tickets = _load(tmp_path, "tickets.csv", TICKETS)
    assert rows_behind("followups_per_ticket", {"tickets": tickets}, Period()) is None


def test_excel_upsell_formula_singular(tmp_path):
    subscriptions = _load(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    report = excel_report_bytes(
        {"subscriptions": subscriptions}, KpiSettings(period=Q1)
    )
    sheet = load_workbook(io.BytesIO(report))["Sales"]
    texts = [
        cell
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and "with an expansion" in cell
    ]
    # 1 of the 3 active customers expanded: 1 / 3 x 100 = 33.3 %.
    assert texts == ["1 customer with an expansion / 3 active customers x 100 = 33.3 %"]
