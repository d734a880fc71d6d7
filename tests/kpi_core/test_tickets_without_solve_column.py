"""Tickets exports without any solve-date column, whose status marks most
tickets solved or closed.

No ticket can be placed in a period or measured without a solve date, so the
time to resolution and the follow-ups per ticket are not available. Their
reason names the missing column and counts the tickets that the status marks
solved or closed, instead of reporting that no ticket was solved.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime

import openpyxl
from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report import ReportOptions, build_report
from kpi_core.report_tables import excel_report_bytes
from tests.conftest import PROJECT

# "Closed" is a yes/no flag, not a date, so the import maps no solve date.
# T-1, T-2 and T-4 are marked solved or closed, and T-3 is open.
TICKETS_CSV = (
    "Ticket ID,Created,Status,Assignee,Closed,Replies\n"
    "T-1,2025-03-03 09:00,Solved,Anna,yes,2\n"
    "T-2,2025-03-04 10:00,Closed,Ben,yes,1\n"
    "T-3,2025-03-05 08:00,Open,Anna,no,0\n"
    "T-4,2025-03-10 12:00,Gelöst,Ben,yes,3\n"
)
MAP_HINT = "Map a solve or close date column to solved_at on the Data page"
NO_COLUMN = "the tickets have no solve-date column, so no ticket counts as solved."
REASON = (
    f"{NO_COLUMN} 3 of 4 tickets are marked solved or closed in the status "
    f"column. {MAP_HINT}"
)
# The reason as the notes of the Excel report start it.
SENTENCES = f"{REASON[:1].upper()}{REASON[1:]}."
EXCLUDED = {"open ticket": 1, "solved ticket without a solve date": 3}
# 1 to 5 March contains the creation of T-1, T-2 and T-3, of which T-1 and
# T-2 are marked solved or closed.
EARLY_MARCH = Period(date(2025, 3, 1), date(2025, 3, 5))


def _write_csv(tmp_path, text: str = TICKETS_CSV):
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _report(path, **options) -> dict:
    return build_report([path], ReportOptions(**options))


def test_cli_reports_missing_solve_column(tmp_path):
    path = _write_csv(tmp_path)

    finished = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    report = json.loads(finished.stdout)
    assert "solved_at" not in report["inputs"][0]["columns"]
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["status"] == "not_available"
    assert resolution["reason"] == REASON
    assert resolution["excluded"] == EXCLUDED
    followups = report["kpis"]["followups_per_ticket"]
    assert followups["status"] == "not_available"
    assert followups["reason"] == REASON
    assert followups["excluded"] == EXCLUDED


def test_period_counts_tickets_created_in_it(tmp_path):
    report = _report(_write_csv(tmp_path), period=EARLY_MARCH)

    expected = (
        f"{NO_COLUMN} 2 of 3 tickets created in this period are marked solved "
        f"or closed in the status column. {MAP_HINT}"
    )
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["reason"] == expected
    assert resolution["excluded"] == {
        "open ticket": 1,
        "solved ticket without a solve date": 2,
    }
    assert report["kpis"]["followups_per_ticket"]["reason"] == expected


def test_one_closed_ticket_reads_singular(tmp_path):
    text = (
        "Ticket ID,Created,Status,Assignee\n"
        "T-1,2025-03-03 09:00,Closed,Anna\n"
        "T-2,2025-03-04 10:00,Pending,Ben\n"
    )

    report = _report(_write_csv(tmp_path, text))

    expected = (
        f"{NO_COLUMN} 1 of 2 tickets is marked solved or closed in the status "
        f"column. {MAP_HINT}"
    )
    assert report["kpis"]["resolution_hours"]["reason"] == expected


def test_german_workbook_statuses(tmp_path):
    # Gelöst and Geschlossen are done, Offen and In Bearbeitung are open.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ticket-ID", "Erstellt", "Status", "Bearbeiter"])
    sheet.append(["1", datetime(2025, 3, 3, 9), "Gelöst", "Anna"])
    sheet.append(["2", datetime(2025, 3, 4, 10), "Geschlossen", "Ben"])
    sheet.append(["3", datetime(2025, 3, 5, 8), "Offen", "Anna"])
    sheet.append(["4", datetime(2025, 3, 6, 11), "In Bearbeitung", "Ben"])
    sheet.append(["5", datetime(2025, 3, 7, 12), "Gelöst", "Anna"])
    path = tmp_path / "tickets.xlsx"
    workbook.save(path)

    report = _report(path)

    assert report["inputs"][0]["table"] == "tickets"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["reason"] == (
        f"{NO_COLUMN} 3 of 5 tickets are marked solved or closed in the status "
        f"column. {MAP_HINT}"
    )
    assert resolution["excluded"] == {
        "open ticket": 2,
        "solved ticket without a solve date": 3,
    }


def test_without_status_column_no_count(tmp_path):
    text = (
        "Ticket ID,Created,Assignee,Replies\n"
        "T-1,2025-03-03 09:00,Anna,2\n"
        "T-2,2025-03-04 10:00,Ben,1\n"
    )

    report = _report(_write_csv(tmp_path, text))

    assert report["inputs"][0]["table"] == "tickets"
    expected = f"{NO_COLUMN} {MAP_HINT}"
    assert report["kpis"]["resolution_hours"]["reason"] == expected
    assert report["kpis"]["followups_per_ticket"]["reason"] == expected


def test_excel_report_notes_missing_column(tmp_path):
    path = _write_csv(tmp_path)
    tickets = load_file(path.name, path.read_bytes()).frame

    data = excel_report_bytes({"tickets": tickets}, KpiSettings(), "month")

    # Each table of the Service sheet is a title row and, without data, a
    # note row of one cell each.
    sheet = load_workbook(io.BytesIO(data))["Service"]
    one_cell = [
        row[0]
        for row in sheet.iter_rows(values_only=True)
        if row[0] is not None and all(cell is None for cell in row[1:])
    ]
    resolution = one_cell.index("Resolution hours by month")
    assert one_cell[resolution + 1] == f"Time to resolution is not shown. {SENTENCES}"
    followups = one_cell.index("Follow-ups per ticket")
    assert one_cell[followups + 1] == (
        f"Follow-ups per ticket are not shown. {SENTENCES}"
    )
