"""Time to resolution from the helpdesk's own duration columns.

Zendesk Explore writes "Full resolution time (hrs)" and "Full resolution
time - business hours (hrs)" in decimal hours beside dates without a time
of day, and Freshdesk writes its business hours in "Resolution time (in
hrs)" as "HH:MM:SS". Those figures replace the time computed from the
dates, ticket by ticket, in the variant they measure.

The working time is the default: Mon-Fri 09:00-17:00 Europe/Berlin with the
German holidays. 4-11 March 2024 has no German holiday and no clock change.
"""

from __future__ import annotations

from datetime import time

import openpyxl
import pytest

from kpi_core.durations import duration_unit
from kpi_core.report import ReportOptions, build_report

EXPLORE_CSV = (
    "Ticket ID,Ticket created - Date,Ticket solved - Date,Ticket status,"
    "Ticket group,Full resolution time (hrs),"
    "Full resolution time - business hours (hrs),First reply time (hrs),"
    "Replies,Reopens\n"
    "101,2024-03-04,2024-03-04,Solved,Support,4.0,4.0,0.5,1,0\n"
    "102,2024-03-04,2024-03-05,Closed,Support,18.0,2.0,1.0,2,0\n"
    "103,2024-03-05,,Open,Tier 2,,,0.25,1,0\n"
    "104,2024-03-08,2024-03-11,Solved,Tier 2,68.0,4.0,2.0,3,0\n"
    "106,2024-03-07,2024-03-07,Solved,Support,1.0,1.0,0.17,1,0\n"
)
FRESHDESK_HEADER = (
    "Ticket ID,Status,Agent,Created time,Resolved time,Closed time,"
    "First response time (in hrs),Resolution time (in hrs),Agent interactions\n"
)
# T1: Mon 09:00-13:00, 4 computed business hours, 2:30 by Freshdesk.
# T2: Mon 16:00 to Tue 10:00 without a Freshdesk figure, so computed:
#     16:00-17:00 and 09:00-10:00 = 2 business hours, 18 calendar hours.
# T3: Tue 09:00-12:00, 3 computed hours, 1:15:30 by Freshdesk.
FRESHDESK_ROWS = (
    "T1,Resolved,Sam,2024-03-04 09:00:00,2024-03-04 13:00:00,,00:30:00,{t1},1\n"
    "T2,Resolved,Sam,2024-03-04 16:00:00,2024-03-05 10:00:00,,00:30:00,,2\n"
    "T3,Resolved,Tia,2024-03-05 09:00:00,2024-03-05 12:00:00,,00:10:00,{t3},1\n"
)
FRESHDESK_BUSINESS = (2.5 + 2 + (1 + 15 / 60 + 30 / 3600)) / 3
FRESHDESK_CALENDAR = (4 + 18 + 3) / 3
HELPDESK_BUSINESS = "the helpdesk's own business hours where the export has them"
HELPDESK_CALENDAR = "the helpdesk's own calendar hours where the export has them"


def _report(tmp_path, name: str, text: str, **variants: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return build_report([path], ReportOptions(variants=variants))


def test_explore_business_hours(tmp_path):
    report = _report(tmp_path, "explore.csv", EXPLORE_CSV)
    result = report["kpis"]["resolution_hours"]

    # The business hours of the solved tickets 101, 102, 104 and 106:
    # (4 + 2 + 4 + 1) / 4 = 2.75, median of 1, 2, 4, 4 = (2 + 4) / 2 = 3.
    assert result["value"] == pytest.approx(2.75)
    assert result["numerator"] == pytest.approx(4 + 2 + 4 + 1)
    assert result["denominator"] == 4
    assert result["median"] == pytest.approx(3.0)
    assert HELPDESK_BUSINESS in result["variant"]
    # The dates are not used, so their missing time of day is no warning.
    assert "warnings" not in result
    assert result["excluded"] == {"open ticket": 1}


def test_explore_calendar_hours(tmp_path):
    report = _report(tmp_path, "explore.csv", EXPLORE_CSV, resolution_hours="calendar")
    result = report["kpis"]["resolution_hours"]

    # (4 + 18 + 68 + 1) / 4 = 22.75, median of 1, 4, 18, 68 = (4 + 18) / 2.
    assert result["value"] == pytest.approx(22.75)
    assert result["median"] == pytest.approx(11.0)
    assert HELPDESK_CALENDAR in result["variant"]
    assert "warnings" not in result


def test_explore_columns_and_notes(tmp_path):
    report = _report(tmp_path, "explore.csv", EXPLORE_CSV)
    inputs = report["inputs"][0]

    business = "Full resolution time - business hours (hrs)"
    calendar = "Full resolution time (hrs)"
    assert inputs["columns"]["business_minutes"] == business
    assert inputs["columns"]["calendar_minutes"] == calendar
    converted = "hours with a decimal point, converted to minutes"
    assert inputs["detected"][business] == converted
    assert inputs["detected"][calendar] == converted
    # "First reply time (hrs)" measures something else.
    assert "First reply time (hrs)" not in inputs["columns"].values()


def test_explore_xlsx_with_decimal_comma_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Ticket ID",
            "Ticket created - Date",
            "Ticket solved - Date",
            "Ticket status",
            "Full resolution time - business hours (hrs)",
        ]
    )
    # 1.5 hours stored as a number and "2,5" typed as text: (1.5 + 2.5) / 2.
    sheet.append([1, "2024-03-04", "2024-03-04", "Solved", 1.5])
    sheet.append([2, "2024-03-05", "2024-03-05", "Solved", "2,5"])
    path = tmp_path / "explore.xlsx"
    workbook.save(path)

    report = build_report([path], ReportOptions())

    assert report["kpis"]["resolution_hours"]["value"] == pytest.approx(2.0)


def test_explore_unreadable_cell_falls_back(tmp_path):
    text = EXPLORE_CSV.replace(
        "102,2024-03-04,2024-03-05,Closed,Support,18.0,2.0,",
        "102,2024-03-04,2024-03-05,Closed,Support,18.0,-2.0,",
    )
    report = _report(tmp_path, "explore.csv", text)

    # Ticket 102 is measured from its dates: Mon 00:00 to Tue 00:00 is the
    # whole Monday, 8 business hours. (4 + 8 + 4 + 1) / 4 = 4.25.
    result = report["kpis"]["resolution_hours"]
    assert result["value"] == pytest.approx(4.25)
    column = "Full resolution time - business hours (hrs)"
    assert report["inputs"][0]["emptied"] == {
        f"an invalid or negative duration in {column!r}": 1
    }
    assert len(result["warnings"]) == 1
    assert "00:00" in result["warnings"][0]


def test_freshdesk_business_hours(tmp_path):
    text = FRESHDESK_HEADER + FRESHDESK_ROWS.format(t1="02:30:00", t3="01:15:30")
    report = _report(tmp_path, "freshdesk.csv", text)
    result = report["kpis"]["resolution_hours"]

    assert report["inputs"][0]["columns"]["business_minutes"] == (
        "Resolution time (in hrs)"
    )
    assert result["value"] == pytest.approx(FRESHDESK_BUSINESS, abs=1e-4)
    assert result["denominator"] == 3
    assert HELPDESK_BUSINESS in result["variant"]


def test_freshdesk_calendar_ignores_business(tmp_path):
    text = FRESHDESK_HEADER + FRESHDESK_ROWS.format(t1="02:30:00", t3="01:15:30")
    report = _report(tmp_path, "freshdesk.csv", text, resolution_hours="calendar")
    result = report["kpis"]["resolution_hours"]

    assert result["value"] == pytest.approx(FRESHDESK_CALENDAR, abs=1e-4)
    assert "helpdesk" not in result["variant"]


def test_freshdesk_xlsx_time_cells(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(FRESHDESK_HEADER.strip().split(","))
    for row in FRESHDESK_ROWS.format(t1="", t3="01:15:30").splitlines():
        cells = row.split(",")
        sheet.append([cell or None for cell in cells])
    # T1's 2:30 as an Excel time cell, whose stored number is a fraction of
    # a day (0.104...), next to T3's text "01:15:30".
    sheet["H2"] = time(2, 30)
    sheet["H2"].number_format = "hh:mm:ss"
    path = tmp_path / "freshdesk.xlsx"
    workbook.save(path)

    report = build_report([path], ReportOptions())

    assert report["kpis"]["resolution_hours"]["value"] == pytest.approx(
        FRESHDESK_BUSINESS, abs=1e-4
    )


@pytest.mark.parametrize(
    "header",
    [
        # Zendesk's ticket CSV: whole calendar hours.
        "Resolution time",
        # No export known to the app writes this for business hours.
        "Resolution time (hrs)",
        "Full resolution time (days)",
    ],
)
def test_other_duration_headers_not_mapped(tmp_path, header):
    text = (
        f"Ticket ID,Created at,Solved at,{header}\n"
        "1,2024-03-04 09:00:00,2024-03-04 13:00:00,18\n"
    )
    report = _report(tmp_path, "tickets.csv", text)
    columns = report["inputs"][0]["columns"]

    assert "business_minutes" not in columns
    assert "calendar_minutes" not in columns
    # 09:00-13:00 computed from the times.
    assert report["kpis"]["resolution_hours"]["value"] == pytest.approx(4)


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Full resolution time in minutes within business hours", "minutes"),
        ("Full resolution time - business hours (hrs)", "hours"),
        ("Resolution time (in hrs)", "hours"),
        ("business_minutes", "minutes"),
        ("Lösungszeit (Std.)", "hours"),
        ("Dauer in Minuten", "minutes"),
        ("Full resolution time (days)", "days"),
        ("Resolution time", None),
    ],
)
def test_duration_unit_from_header(header, unit):
    assert duration_unit(header) == unit


def test_minutes_without_unit_noted(tmp_path):
    text = (
        "Ticket ID,Created at,Solved at,business_minutes\n"
        "1,2024-03-04 09:00:00,2024-03-04 13:00:00,90\n"
    )
    report = _report(tmp_path, "tickets.csv", text)

    # 90 minutes replace the computed 4 hours.
    assert report["kpis"]["resolution_hours"]["value"] == pytest.approx(1.5)
    assert report["inputs"][0]["detected"]["business_minutes"] == (
        "minutes with a decimal point"
    )


def test_backwards_ticket_left_out_with_figure(tmp_path):
    # A ticket solved before it was created is left out, even with a figure.
    text = EXPLORE_CSV.replace(
        "106,2024-03-07,2024-03-07,", "106,2024-03-08,2024-03-07,"
    )
    report = _report(tmp_path, "explore.csv", text)
    result = report["kpis"]["resolution_hours"]

    # (4 + 2 + 4) / 3 without ticket 106.
    assert result["value"] == pytest.approx(10 / 3, abs=1e-4)
    assert result["excluded"]["ticket solved before it was created"] == 1
