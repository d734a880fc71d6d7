"""The note on before-and-after windows that the data cuts short."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl

from kpi_core.compare import before_after
from kpi_core.compare_periods import comparison_windows
from kpi_core.importing import load_file
from kpi_core.page_workbooks import comparison_workbook
from kpi_core.period import Period
from kpi_core.window_cuts import requested_windows, shortened_windows_note

# Twenty deals from 10 January to 15 July 2025. The first date is deal
# 1001's creation on 10 January, and the last deal 1018's close on 15 July.
# Deals 1020 (won, 28 June) and 1016 (lost, 30 June) close late in June.
DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date
1001,Closed won,1234.56,2025-01-10,2025-02-15
1002,Closed lost,500,2025-01-12,2025-02-20
1003,Closed won,2000,2025-01-20,2025-03-01
1004,Appointment scheduled,3000,2025-01-25,
1005,Closed won,800,2025-02-03,2025-03-10
1006,Closed lost,1500,2025-02-05,2025-03-15
1007,Closed won,4500.50,2025-02-14,2025-04-30
1008,Appointment scheduled,700,2025-02-20,
1009,Closed lost,900,2025-03-01,2025-04-05
1010,Closed won,1000,2025-03-03,2025-03-31
1011,Closed won,2500,2025-03-10,2025-05-15
1012,Appointment scheduled,600,2025-03-15,
1013,Closed lost,1200,2025-04-01,2025-05-02
1014,Closed won,3300,2025-04-07,2025-05-20
1015,Closed won,750.25,2025-04-15,2025-06-10
1016,Closed lost,400,2025-05-02,2025-06-30
1017,Appointment scheduled,5000,2025-05-12,
1018,Closed won,1100,2025-05-20,2025-07-15
1019,Closed lost,2200,2025-06-03,2025-07-01
1020,Closed won,12345.67,2025-06-15,2025-06-28
"""


def load_deals(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return load_file("deals.csv", path.read_bytes(), table="deals").frame


def test_requested_windows_three_months():
    # 1 April plus 3 months ends on 30 June: 30 + 31 + 30 = 91 days, and the
    # before window is the 91 days up to 31 March, from 31 December.
    before, after = requested_windows(date(2025, 4, 1), 3)
    assert after == Period(date(2025, 4, 1), date(2025, 6, 30))
    assert before == Period(date(2024, 12, 31), date(2025, 3, 31))


def test_note_when_data_starts_late(tmp_path):
    tables = {"deals": load_deals(tmp_path)}
    before, after = comparison_windows(tables, date(2025, 4, 1), 3)
    # 10 January to 31 March: 22 + 28 + 31 = 81 days, so the after window
    # runs 81 days from 1 April: 30 + 31 + 20, to 20 June.
    assert before == Period(date(2025, 1, 10), date(2025, 3, 31))
    assert after == Period(date(2025, 4, 1), date(2025, 6, 20))

    note = shortened_windows_note(tables, date(2025, 4, 1), 3)
    assert note.startswith(
        "The windows are 81 days each, shorter than the 3 months requested "
        "(91 days each, 2024-12-31 to 2025-03-31 and 2025-04-01 to 2025-06-30)."
    )
    assert (
        "The data starts on 2025-01-10 (the first date in the deals table), so "
        "only 81 days before 2025-04-01 have data. The after window is cut to "
        "81 days too" in note
    )
    assert "ends on 2025-06-20" in note
    # Deals 1020 (closed 28 June) and 1016 (closed 30 June) fall in the days
    # left out. Deal 1019 closes on 1 July, after the requested window.
    assert (
        "The deals table has 2 rows dated in the days left out, 2025-06-21 to "
        "2025-06-30" in note
    )
    # 11 April leaves 91 days before it from 10 January (21 + 28 + 31 + 11)
    # and ends its 3 months on 10 July. 16 April ends them on 15 July, the
    # last date; 17 April would end them on 16 July.
    assert note.endswith(
        "For 3 months on each side, compare around a date from 2025-04-11 to "
        "2025-04-16."
    )


def test_note_when_data_ends_early(tmp_path):
    tables = {"deals": load_deals(tmp_path)}
    note = shortened_windows_note(tables, date(2025, 6, 1), 3)
    # 1 June to 15 July is 30 + 15 = 45 days, so the before window is the 45
    # days from 17 April to 31 May.
    assert note.startswith("The windows are 45 days each")
    assert "The data ends on 2025-07-15 (the last date in the deals table)" in note
    assert "starts on 2025-04-17" in note
    # Dated 1 March to 16 April: closed 1003, 1005 and 1006, created 1009
    # to 1015. Deal 1007 (14 February and 30 April) is not: 10 rows.
    assert "The deals table has 10 rows dated in the days left out" in note


def test_note_without_two_whole_windows(tmp_path):
    tables = {"deals": load_deals(tmp_path)}
    note = shortened_windows_note(tables, date(2025, 4, 1), 12)
    # 10 January to 15 July is about 6 months, less than 2 x 12.
    assert note.endswith(
        "The data does not cover two whole windows of 12 months; choose a "
        "shorter window for whole months on both sides."
    )


def test_no_note_for_whole_windows(tmp_path):
    # Guard: 1 month around 1 April lies inside the data, so nothing is cut.
    tables = {"deals": load_deals(tmp_path)}
    assert shortened_windows_note(tables, date(2025, 4, 1), 1) == ""


def test_workbook_names_why_shorter(tmp_path):
    tables = {"deals": load_deals(tmp_path)}
    pivot = date(2025, 4, 1)
    note = shortened_windows_note(tables, pivot, 3)
    content = comparison_workbook(
        before_after(tables, pivot, 3),
        comparison_windows(tables, pivot, 3),
        pivot=pivot,
        months=3,
        working_label="Mon-Fri 09:00-17:00",
        left_out={},
        shortened=note,
        sources=[("Deals", "deals.csv", 20)],
    )
    sheet = openpyxl.load_workbook(BytesIO(content))["Settings"]
    settings = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    # The windows of 10 January to 31 March and 1 April to 20 June, as above.
    assert settings["Before"] == "2025-01-10 to 2025-03-31"
    assert settings["After"] == "2025-04-01 to 2025-06-20"
    assert settings["Why shorter"] == note
    assert settings["Why shorter"].startswith("The windows are 81 days each")
