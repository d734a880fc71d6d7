"""Helpdesk durations in minutes, and German headers for the deal owner.

Zendesk's ticket CSV export writes "Full resolution time in minutes" and
"Full resolution time in minutes within business hours" as whole minutes.
Zendesk Explore can report the same metrics in minutes, as "Full resolution
time (min)" and "Full resolution time - business hours (min)". The first
reply and first resolution times measure something else and stay unmapped.
"""

from __future__ import annotations

import pytest

from kpi_core.importing import load_file, preview_file
from kpi_core.report import ReportOptions, build_report

# By Zendesk, T1 took 90 calendar and 60 business minutes, T2 150 and 120.
# Their dates span 3 and 4 hours, as for a ticket solved again after a
# reopen, so a time computed from the dates would show. So would the first
# reply and first resolution times.
ZENDESK_CSV = (
    "Id,Assignee,Status,Created at,Solved at,First reply time in minutes,"
    "First reply time in minutes within business hours,"
    "First resolution time in minutes,"
    "First resolution time in minutes within business hours,"
    "Full resolution time in minutes,"
    "Full resolution time in minutes within business hours\n"
    "1,Sam,Solved,2024-03-04 09:00:00,2024-03-04 12:00:00,5,5,30,30,90,60\n"
    "2,Tia,Solved,2024-03-05 09:00:00,2024-03-05 13:00:00,5,5,30,30,150,120\n"
)
EXPLORE_MINUTES_CSV = (
    "Ticket ID,Ticket created - Date,Ticket solved - Date,Ticket status,"
    "First reply time (min),Full resolution time (min),"
    "Full resolution time - business hours (min)\n"
    "101,2024-03-04,2024-03-04,Solved,10,90,60\n"
    "102,2024-03-05,2024-03-05,Solved,10,150,120\n"
)


def _report(tmp_path, name: str, text: str, **variants: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return build_report([path], ReportOptions(variants=variants))


@pytest.mark.parametrize(
    ("name", "text"),
    [("zendesk.csv", ZENDESK_CSV), ("explore.csv", EXPLORE_MINUTES_CSV)],
    ids=["ticket-csv", "explore"],
)
def test_minutes_read_as_hours(tmp_path, name, text):
    business = _report(tmp_path, name, text)["kpis"]["resolution_hours"]
    calendar = _report(tmp_path, name, text, resolution_hours="calendar")
    calendar = calendar["kpis"]["resolution_hours"]

    # Business: 60 min = 1.0 h and 120 min = 2.0 h, mean (1.0 + 2.0) / 2.
    assert business["value"] == pytest.approx(1.5)
    assert business["numerator"] == pytest.approx(3.0)
    assert business["denominator"] == 2
    # Calendar: 90 min = 1.5 h and 150 min = 2.5 h, mean (1.5 + 2.5) / 2.
    assert calendar["value"] == pytest.approx(2.0)
    assert calendar["numerator"] == pytest.approx(4.0)
    assert calendar["denominator"] == 2


def test_zendesk_ticket_csv_columns(tmp_path):
    report = _report(tmp_path, "zendesk.csv", ZENDESK_CSV)
    inputs = report["inputs"][0]
    columns = inputs["columns"]

    full = "Full resolution time in minutes"
    assert columns["calendar_minutes"] == full
    assert columns["business_minutes"] == f"{full} within business hours"
    assert inputs["detected"][full] == "minutes with a decimal point"
    for header in (
        "First reply time in minutes",
        "First reply time in minutes within business hours",
        "First resolution time in minutes",
        "First resolution time in minutes within business hours",
    ):
        assert header not in columns.values()


def test_explore_minutes_columns(tmp_path):
    path = tmp_path / "explore.csv"
    path.write_text(EXPLORE_MINUTES_CSV, encoding="utf-8")

    prepared = load_file(path.name, path.read_bytes())

    columns = prepared.mapping.columns
    assert columns["calendar_minutes"] == "Full resolution time (min)"
    business = "Full resolution time - business hours (min)"
    assert columns["business_minutes"] == business
    assert "First reply time (min)" not in columns.values()
    # Stored in minutes as read, not multiplied by 60 as hours would be.
    assert prepared.frame["calendar_minutes"].to_list() == [90.0, 150.0]
    assert prepared.frame["business_minutes"].to_list() == [60.0, 120.0]


@pytest.mark.parametrize("header", ["Verantwortlich", "Zuständig", "Bearbeiter"])
def test_german_deal_owner_headers(tmp_path, header):
    path = tmp_path / "deals.csv"
    path.write_text(
        f"Deal-ID;Deal-Phase;Erstellt am;Betrag;{header}\n"
        "D1;Gewonnen;02.01.2024;1.200,00;Anna Schmidt\n"
        "D2;Verloren;03.01.2024;800,00;Jonas Weber\n",
        encoding="utf-8",
    )

    preview = preview_file(path.name, path.read_bytes())

    assert preview.table == "deals"
    assert preview.mapping.columns["owner"] == header


def test_german_ticket_agent_header(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(
        "Ticket-ID;Erstellt am;Gelöst am;Verantwortlich\n"
        "T1;04.03.2024 09:00;04.03.2024 10:30;Anna Schmidt\n",
        encoding="utf-8",
    )

    preview = preview_file(path.name, path.read_bytes())

    assert preview.table == "tickets"
    assert preview.mapping.columns["agent"] == "Verantwortlich"


def test_label_headers_read_hours(tmp_path):
    # A column named after a field label ends in "hours", so its plain
    # numbers are hours, as the user who named it wrote them. T1 took 1.5
    # calendar hours (90 minutes) and 1 business hour (60), T2 "2:30" (150)
    # and 2 hours (120).
    text = (
        "Ticket ID,Created at,Solved at,Resolution time in calendar hours,"
        "Resolution time in business hours\n"
        "1,2024-03-04 09:00,2024-03-04 12:00,1.5,1\n"
        "2,2024-03-05 09:00,2024-03-05 13:00,2:30,2\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")
    tickets = load_file(path.name, path.read_bytes(), table="tickets")

    assert tickets.problems == ()
    assert tickets.frame["calendar_minutes"].to_list() == [90.0, 150.0]
    assert tickets.frame["business_minutes"].to_list() == [60.0, 120.0]


def test_durations_with_units_read(tmp_path):
    # Cells that name their unit are read in it, whatever the header names:
    # "90 min" is 90 minutes, "1h 30m" 60 + 30 = 90, "1,5 Std." 1.5 x 60 = 90
    # and "2 Tage" 2 x 1,440 = 2,880 minutes.
    text = (
        "Ticket ID,Created at,Solved at,Resolution time in business hours\n"
        "1,2024-03-04 09:00,2024-03-04 12:00,90 min\n"
        "2,2024-03-05 09:00,2024-03-05 13:00,1h 30m\n"
        '3,2024-03-06 09:00,2024-03-06 13:00,"1,5 Std."\n'
        "4,2024-03-07 09:00,2024-03-09 09:00,2 Tage\n"
    )
    path = tmp_path / "tickets.csv"
    path.write_text(text, encoding="utf-8")
    tickets = load_file(path.name, path.read_bytes(), table="tickets")

    assert tickets.problems == ()
    assert tickets.frame["business_minutes"].to_list() == [90.0, 90.0, 90.0, 2880.0]
