"""Time to resolution of tickets whose creation or solve times have no time
of day. The figure counts from or until 00:00 of those days. The KPI
result, the Excel report and the JSON report warn how far off that can
make it.

The working time is the default: Mon-Fri 09:00-17:00 Europe/Berlin with the
German holidays, so a working day has 8 hours. The days used are in July
2024, which has no holiday in Germany and no clock change.
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import openpyxl
import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis
from kpi_core.report import ReportOptions, build_report
from kpi_core.report_tables import excel_report_bytes
from kpi_core.service import resolution_hours

# Created on Monday 8 and Wednesday 10 July 2024 without a time of day.
# T1: solved Tue 03:00, 27 calendar hours from Mon 00:00; in business hours
# the whole Monday (8 h) and nothing of Tuesday before 09:00 = 8 h.
# T2: solved Wed 15:30, 15.5 calendar hours; 09:00-15:30 = 6.5 business hours.
DATE_ONLY_CSV = (
    b"ticket_id,submitted_at,closed_at\n"
    b"T1,2024-07-08,2024-07-09 03:00:00\n"
    b"T2,2024-07-10,2024-07-10 15:30:00\n"
)
BUSINESS_MEAN = (8 + 6.5) / 2
CALENDAR_MEAN = (27 + 15.5) / 2
MIDNIGHT_CREATED = (
    "'submitted_at' has the time 00:00 on every measured ticket, which is how "
    "a date without a time of day is read. Each ticket counts from the start "
    "of the day it was created, which adds up to {span} to its time."
)
WORKING_DAY = "a working day (8 hours)"
CALENDAR_DAY = "a day (24 hours)"


def _imported() -> tuple[pl.DataFrame, dict[str, str | None]]:
    prepared = load_file("tickets.csv", DATE_ONLY_CSV, table="tickets")
    return prepared.frame, dict(prepared.mapping.columns)


def _tickets(created: list, solved: list, **columns) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(1, len(created) + 1)],
            "created_at": created,
            "solved_at": solved,
            **columns,
        }
    )


def test_import_date_only_created_warns():
    frame, columns = _imported()

    result = resolution_hours(frame, columns=columns)

    assert result.value == pytest.approx(BUSINESS_MEAN)
    assert result.warnings == (MIDNIGHT_CREATED.format(span=WORKING_DAY),)


def test_calendar_variant_warns_a_day():
    frame, columns = _imported()

    result = resolution_hours(frame, variant="calendar", columns=columns)

    assert result.value == pytest.approx(CALENDAR_MEAN)
    assert result.warnings == (MIDNIGHT_CREATED.format(span=CALENDAR_DAY),)


def test_unnamed_column_named_by_field():
    frame, _columns = _imported()

    [warning] = resolution_hours(frame).warnings

    assert warning.startswith(
        "The column mapped to created_at has the time 00:00 on every measured ticket"
    )


def test_timed_tickets_not_warned():
    # One creation time is exactly midnight, the other is not.
    tickets = _tickets(
        [datetime(2024, 7, 8, 0, 0), datetime(2024, 7, 10, 10, 15)],
        [datetime(2024, 7, 9, 3, 0), datetime(2024, 7, 10, 15, 30)],
    )

    result = resolution_hours(tickets)

    # (8 + (15:30 - 10:15 = 5.25)) / 2 business hours.
    assert result.value == pytest.approx((8 + 5.25) / 2)
    assert result.warnings == ()


def test_date_typed_columns_warned():
    # Mon 8 to Wed 10 July: Monday and Tuesday, 16 business hours, 48
    # calendar hours. Tue 9 to Tue 9: none.
    tickets = _tickets(
        [date(2024, 7, 8), date(2024, 7, 9)],
        [date(2024, 7, 10), date(2024, 7, 9)],
    )

    result = resolution_hours(tickets, columns={"created_at": "opened"})

    assert result.value == pytest.approx((16 + 0) / 2)
    assert result.warnings == (
        "'opened' and the column mapped to solved_at have dates without a time "
        "of day. Each ticket counts from the start of the day it was created "
        "until the start of the day it was solved, so its time can be up to "
        "a working day (8 hours) too long or too short.",
    )


def test_date_only_solved_warns_too_short():
    tickets = _tickets(
        [datetime(2024, 7, 8, 14, 0), datetime(2024, 7, 9, 9, 30)],
        [datetime(2024, 7, 9), datetime(2024, 7, 11)],
    )

    result = resolution_hours(tickets, variant="calendar")

    # 14:00 Mon to 00:00 Tue is 10 h; 09:30 Tue to 00:00 Thu is 38.5 h.
    assert result.value == pytest.approx((10 + 38.5) / 2)
    assert result.warnings == (
        "The column mapped to solved_at has the time 00:00 on every measured "
        "ticket, which is how a date without a time of day is read. Each "
        "ticket counts until the start of the day it was solved, which takes "
        "up to a day (24 hours) off its time.",
    )


def test_helpdesk_minutes_not_warned():
    # Business hours come from the helpdesk's own minutes on every ticket,
    # so the dates are not used; the calendar hours still use them.
    tickets = _tickets(
        [datetime(2024, 7, 8), datetime(2024, 7, 10)],
        [datetime(2024, 7, 9, 3, 0), datetime(2024, 7, 10, 15, 30)],
        business_minutes=[120.0, 90.0],
    )

    business = resolution_hours(tickets)
    calendar = resolution_hours(tickets, variant="calendar")

    assert business.value == pytest.approx((2 + 1.5) / 2)
    assert business.warnings == ()
    assert len(calendar.warnings) == 1


def _service_cells(report: bytes) -> list[str]:
    """Return the text of every filled cell of the report's Service sheet."""
    workbook = openpyxl.load_workbook(BytesIO(report))
    return [
        str(cell)
        for row in workbook["Service"].iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


def test_warning_in_reports():
    frame, _columns = _imported()

    kpis = compute_kpis({"tickets": frame}, KpiSettings())
    report = kpis["resolution_hours"].to_json()

    expected = (
        "The column mapped to created_at has the time 00:00 on every measured "
        "ticket, which is how a date without a time of day is read. Each ticket "
        "counts from the start of the day it was created, which adds up to "
        "a working day (8 hours) to its time."
    )
    assert report["warnings"] == [expected]
    cells = _service_cells(excel_report_bytes({"tickets": frame}, KpiSettings()))
    assert any(expected in cell for cell in cells)


def test_reports_name_the_column(tmp_path):
    frame, columns = _imported()
    settings = KpiSettings(ticket_columns=columns)
    expected = MIDNIGHT_CREATED.format(span=WORKING_DAY)
    cells = _service_cells(excel_report_bytes({"tickets": frame}, settings))
    assert any(expected in cell for cell in cells)

    path = tmp_path / "tickets.csv"
    path.write_bytes(DATE_ONLY_CSV)
    report = build_report([path], ReportOptions())
    assert f"resolution_hours: {expected}" in report["warnings"]


def test_ravenstack_submitted_dates_warned(datasets_dir):
    path = datasets_dir / "ravenstack-saas" / "ravenstack_support_tickets.csv"
    prepared = load_file(path.name, path.read_bytes(), table="tickets")

    result = resolution_hours(prepared.frame, columns=prepared.mapping.columns)

    # submitted_at contains dates such as 2023-07-27, closed_at times such as
    # 2023-07-28 03:00:00, so only the creation side is warned about.
    assert result.warnings == (MIDNIGHT_CREATED.format(span=WORKING_DAY),)
