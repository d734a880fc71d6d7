"""Tickets whose solve date is headed by a bare word such as "Closed",
"Resolved" or "Geschlossen", beside yes/no columns of the same name.

The working time is the default: Mon-Fri 09:00-17:00 Europe/Berlin with the
German holidays. The days used are in March 2025, before the clock change
on 30 March and without a holiday in Germany.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from kpi_core.importing import load_file
from kpi_core.report import ReportOptions, build_report

# T-1: Monday 3 March 09:00 to 13:30 is 4.5 hours.
# T-2: Tuesday 4 March 10:00 to Thursday 6 March 10:00 is 48 calendar hours
# and 7 + 8 + 1 = 16 business hours.
# T-3 is open.
# T-4: Monday 10 March 12:00 to 12:45 is 0.75 hours.
CREATED = [
    "2025-03-03 09:00",
    "2025-03-04 10:00",
    "2025-03-05 08:00",
    "2025-03-10 12:00",
]
SOLVED = ["2025-03-03 13:30", "2025-03-06 10:00", "", "2025-03-10 12:45"]
STATUSES = ("Solved", "Closed", "Open", "Solved")
BUSINESS_MEAN = (4.5 + 16 + 0.75) / 3
CALENDAR_MEAN = (4.5 + 48 + 0.75) / 3
# The same times as openpyxl date-time cells, None for an empty cell.
CREATED_CELLS = [datetime.fromisoformat(text) for text in CREATED]
SOLVED_CELLS = [datetime.fromisoformat(text) if text else None for text in SOLVED]


def _tickets_csv(
    solve_header: str,
    extra: dict[str, list[str]] | None = None,
    statuses: tuple[str, ...] = STATUSES,
) -> str:
    """Write the four tickets as a CSV export with the solve date under
    ``solve_header`` and the ``extra`` columns after it."""
    extra = extra or {}
    headers = ["Ticket ID", "Subject", "Status", "Created", solve_header, "Assignee"]
    headers += list(extra)
    ids = ["T-1", "T-2", "T-3", "T-4"]
    subjects = ["Login fails", "Invoice copy", "Export slow", "Password reset"]
    agents = ["Anna", "Ben", "Anna", "Ben"]
    lines = [",".join(headers)]
    for index in range(4):
        row = [ids[index], subjects[index], statuses[index], CREATED[index]]
        row += [SOLVED[index], agents[index]]
        row += [values[index] for values in extra.values()]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def _report(path: Path, **options) -> dict:
    return build_report([path], ReportOptions(**options))


def test_closed_dates_give_resolution_time(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(_tickets_csv("Closed"), encoding="utf-8")

    report = _report(path)

    columns = report["inputs"][0]["columns"]
    assert columns["solved_at"] == "Closed"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["status"] == "ok"
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(BUSINESS_MEAN, abs=1e-4)
    assert resolution["excluded"] == {"open ticket": 1}


def test_closed_dates_calendar_hours(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(_tickets_csv("Closed"), encoding="utf-8")

    report = _report(path, variants={"resolution_hours": "calendar"})

    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(CALENDAR_MEAN, abs=1e-4)


@pytest.mark.parametrize("header", ["Closed", "Resolved", "Solved", "Geschlossen"])
def test_bare_header_is_solve_date(tmp_path, header):
    path = tmp_path / "tickets.csv"
    path.write_text(_tickets_csv(header), encoding="utf-8")

    prepared = load_file(path.name, path.read_bytes())

    assert prepared.table == "tickets"
    assert prepared.mapping.columns["solved_at"] == header
    assert prepared.problems == ()
    assert prepared.frame["solved_at"].null_count() == 1


def test_german_export_geschlossen(tmp_path):
    # German Excel writes ";" between cells and day-first dates.
    text = (
        "Ticket-ID;Betreff;Erstellt;Geschlossen;Bearbeiter\n"
        "1;Anmeldung;03.03.2025 09:00;03.03.2025 13:30;Anna\n"
        "2;Rechnung;04.03.2025 10:00;06.03.2025 10:00;Ben\n"
        "3;Export;05.03.2025 08:00;;Anna\n"
        "4;Passwort;10.03.2025 12:00;10.03.2025 12:45;Ben\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")

    report = _report(path, date_order="dmy")

    assert report["inputs"][0]["columns"]["solved_at"] == "Geschlossen"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(BUSINESS_MEAN, abs=1e-4)


@pytest.mark.parametrize(
    ("yes", "no"), [("yes", "no"), ("true", "false"), ("TRUE", "FALSE"), ("1", "0")]
)
def test_closed_flag_beside_resolved_dates(tmp_path, yes, no):
    # "Closed" contains yes or no here, so neither the solve date nor the close
    # date takes it, and no row is reported for an invalid date.
    closed_flags = [yes, yes, no, yes]
    path = tmp_path / "tickets.csv"
    path.write_text(
        _tickets_csv("Resolved", {"Closed": closed_flags}), encoding="utf-8"
    )

    prepared = load_file(path.name, path.read_bytes())

    assert prepared.mapping.columns["solved_at"] == "Resolved"
    assert prepared.mapping.columns["closed_at"] is None
    assert prepared.problems == ()
    assert prepared.rows_used == 4


def test_closed_by_is_no_close_date(tmp_path):
    # "Closed by" contains the word "Closed" but names the agent.
    path = tmp_path / "tickets.csv"
    path.write_text(
        _tickets_csv("Closed", {"Closed by": ["Anna", "Ben", "", "Ben"]}),
        encoding="utf-8",
    )

    prepared = load_file(path.name, path.read_bytes())

    assert prepared.mapping.columns["solved_at"] == "Closed"
    assert prepared.mapping.columns["closed_at"] is None
    assert prepared.problems == ()


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        # How a ticket was closed, beside its close time.
        ("Closed", ["by agent", "automatically", "", "by customer"]),
        # The status again, as words.
        ("Closed", ["Closed", "Closed", "Open", "Closed"]),
        # A tick for closed tickets.
        ("Closed", ["✓", "✓", "", "✓"]),
        # Counts of solved tasks.
        ("Solved", ["3", "2", "0", "5"]),
        # Whether the service level was met.
        ("Resolved", ["within SLA", "breached", "", "within SLA"]),
        # The agent who closed it, in a German export.
        ("Geschlossen", ["Anna", "Ben", "", "Ben"]),
    ],
)
def test_bare_header_without_dates_stays_unmapped(tmp_path, header, cells):
    # The solve times are under "Closed at". The bare column beside them
    # contains no dates, so no date field takes it, and every ticket is read.
    path = tmp_path / "tickets.csv"
    path.write_text(_tickets_csv("Closed at", {header: cells}), encoding="utf-8")

    report = _report(path)

    [inputs] = report["inputs"]
    assert inputs["columns"]["solved_at"] == "Closed at"
    assert header not in inputs["columns"].values()
    assert inputs["rows_used"] == 4
    assert report["warnings"] == []
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(BUSINESS_MEAN, abs=1e-4)


def test_closed_words_alone_unmapped(tmp_path):
    # With no other solve column, a "Closed" column of words stays unmapped:
    # the tickets are read, and the KPI names the missing solve column.
    text = (
        "Ticket ID,Created,Closed,Status\n"
        "1,2025-03-03 09:00,Closed,Closed\n"
        "2,2025-03-04 10:00,Open,Open\n"
        "3,2025-03-05 08:00,Closed,Closed\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")

    report = _report(path)

    [inputs] = report["inputs"]
    assert "solved_at" not in inputs["columns"] or not inputs["columns"]["solved_at"]
    assert inputs["rows_used"] == 3
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["status"] == "not_available"
    assert "no solve-date column" in resolution["reason"]


def test_resolved_and_closed_dates(tmp_path):
    # As in Freshdesk's export, the close date is the solve of a ticket that
    # was closed without being resolved. T-3 was created on Wednesday 5 March
    # 08:00 and closed on Friday 7 March 08:00, so it took the whole Wednesday
    # and Thursday: 16 business hours. The other tickets keep their resolve.
    path = tmp_path / "tickets.csv"
    closed = ["2025-03-04 09:00", "2025-03-07 09:00", "2025-03-07 08:00", ""]
    statuses = ("Resolved", "Closed", "Closed", "Resolved")
    path.write_text(
        _tickets_csv("Resolved", {"Closed": closed}, statuses), encoding="utf-8"
    )

    report = _report(path)

    columns = report["inputs"][0]["columns"]
    assert columns["solved_at"] == "Resolved"
    assert columns["closed_at"] == "Closed"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 4
    assert resolution["value"] == pytest.approx((4.5 + 16 + 16 + 0.75) / 4, abs=1e-4)


def _write_xlsx(path: Path, headers: list[str], rows: list[list]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_salesforce_cases_keep_dated_column(tmp_path):
    # Salesforce's case report as XLSX, with the "Closed" checkbox as
    # boolean cells.
    headers = [
        "Case Number",
        "Status",
        "Date/Time Opened",
        "Closed",
        "Date/Time Closed",
    ]
    numbers = ["00001001", "00001002", "00001003", "00001004"]
    statuses = ["Closed", "Closed", "New", "Closed"]
    closed = [cell is not None for cell in SOLVED_CELLS]
    rows = [
        [numbers[i], statuses[i], CREATED_CELLS[i], closed[i], SOLVED_CELLS[i]]
        for i in range(4)
    ]
    path = tmp_path / "cases.xlsx"
    _write_xlsx(path, headers, rows)

    report = _report(path)

    loaded = report["inputs"][0]
    assert loaded["table"] == "tickets"
    assert loaded["columns"]["solved_at"] == "Date/Time Closed"
    assert "closed_at" not in loaded["columns"]
    assert loaded["excluded"] == {}
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(BUSINESS_MEAN, abs=1e-4)


def test_xlsx_closed_dates(tmp_path):
    headers = ["Ticket ID", "Created", "Closed"]
    rows = [[f"T-{i + 1}", CREATED_CELLS[i], SOLVED_CELLS[i]] for i in range(4)]
    path = tmp_path / "tickets.xlsx"
    _write_xlsx(path, headers, rows)

    report = _report(path)

    assert report["inputs"][0]["columns"]["solved_at"] == "Closed"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 3
    assert resolution["value"] == pytest.approx(BUSINESS_MEAN, abs=1e-4)


def test_closed_with_some_dates_stays_solve_date(tmp_path):
    # "open" marks the open tickets in the Closed column, so the column is
    # still the solve date: tickets 1 and 4 took 6 and 2 hours on working
    # days within 09:00-17:00, (6 + 2) / 2 = 4.0, and the three "open"
    # cells are named as invalid dates.
    text = (
        "Ticket ID,Created,Closed,Status\n"
        "1,2024-03-04 09:00,2024-03-04 15:00,Closed\n"
        "2,2024-03-05 10:00,open,Open\n"
        "3,2024-03-06 11:00,open,Open\n"
        "4,2024-03-07 11:00,2024-03-07 13:00,Closed\n"
        "5,2024-03-07 12:00,open,Open\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")

    report = _report(path)

    assert report["inputs"][0]["columns"]["solved_at"] == "Closed"
    resolution = report["kpis"]["resolution_hours"]
    assert resolution["n"] == 2
    assert resolution["value"] == pytest.approx(4.0, abs=1e-4)
    assert any("'Closed'" in warning for warning in report["warnings"])
