"""Spend columns of months without a day in which some cells are whole
dates: a date on the first of a month covers its month, any other date
covers its day, and cells that are no date stay invalid."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.errors import AmbiguousDateError
from kpi_core.importing import load_file
from kpi_core.marketing_data import spend_dates, spend_in_period
from kpi_core.period import Period
from tests.conftest import PROJECT

FIRST_QUARTER = Period(date(2025, 1, 1), date(2025, 3, 31))
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))
EARLY_MARCH = Period(date(2025, 3, 1), date(2025, 3, 10))
MID_MARCH = Period(date(2025, 3, 11), date(2025, 3, 20))
MONTHS_NOTE = "months without a day, each covering its month"


def _spend_text(third: str) -> str:
    return (
        "Monat;Kanal;Kosten\n"
        "Januar 2025;Google;1000\n"
        "Februar 2025;Google;500\n"
        f"{third};Meta;200\n"
        "März 2025;Meta;300\n"
    )


def _load(tmp_path: Path, text: str, date_order: str | None = None):
    path = tmp_path / "spend.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table="spend", date_order=date_order)


def _spend(table, period: Period) -> float:
    rows = spend_in_period(table.frame, period, None, None).frame
    return round(rows["amount"].sum(), 2)


@pytest.mark.parametrize("day", ["15.03.2025", "2025-03-15"])
def test_date_in_month_column_covers_day(tmp_path: Path, day: str):
    table = _load(tmp_path, _spend_text(day))
    assert table.rows_used == 4
    assert table.problems == ()
    assert table.detected["Monat"] == (
        f"{MONTHS_NOTE}, and a whole date on line 4, covering that day"
    )
    assert table.warnings == ()
    assert spend_dates(table.frame) == (date(2025, 1, 1), date(2025, 3, 31))
    # 1,000 + 500 + 200 + 300 = 2,000, all in the first quarter.
    assert _spend(table, FIRST_QUARTER) == 2_000.0
    # March: 200 on the 15th + 300 for the month = 500.
    assert _spend(table, MARCH) == 500.0
    # 1 to 10 March: 300 x 10/31 = 96.77 of the month, none of the 15th.
    assert _spend(table, EARLY_MARCH) == 96.77
    # 11 to 20 March: 300 x 10/31 = 96.77, plus the 200 of the 15th.
    assert _spend(table, MID_MARCH) == 296.77


def test_excel_date_cell_covers_day(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Monat", "Kanal", "Kosten"])
    sheet.append(["Januar 2025", "Google", 1000])
    sheet.append(["Februar 2025", "Google", 500])
    sheet.append([datetime(2025, 3, 15), "Meta", 200])
    sheet.append(["März 2025", "Meta", 300])
    path = tmp_path / "spend.xlsx"
    book.save(path)
    table = load_file(path.name, path.read_bytes(), table="spend")
    assert table.problems == ()
    assert table.detected["Monat"] == (
        f"{MONTHS_NOTE}, and a whole date on line 4, covering that day"
    )
    # March: 200 on the 15th + 300 for the month = 500.
    assert _spend(table, MARCH) == 500.0
    # 11 to 20 March: 300 x 10/31 = 96.77, plus the 200 of the 15th.
    assert _spend(table, MID_MARCH) == 296.77


def test_first_of_month_covers_month(tmp_path: Path):
    table = _load(tmp_path, _spend_text("01.03.2025"))
    assert table.problems == ()
    assert table.detected["Monat"] == (
        f"{MONTHS_NOTE}, and a whole date on the first of a month on line 4, "
        "covering that month"
    )
    # 1 to 10 March: (200 + 300) x 10/31 = 161.29.
    assert _spend(table, EARLY_MARCH) == 161.29
    assert _spend(table, MARCH) == 500.0


def test_note_names_both_kinds(tmp_path: Path):
    text = (
        "Monat;Kanal;Kosten\n"
        "Januar 2025;Google;1000\n"
        "Februar 2025;Google;500\n"
        "März 2025;Meta;300\n"
        "April 2025;Meta;100\n"
        "01.02.2025;Meta;40\n"
        "15.03.2025;Meta;20\n"
    )
    table = _load(tmp_path, text)
    assert table.problems == ()
    assert table.detected["Monat"] == (
        f"{MONTHS_NOTE}, a whole date on line 7, covering that day, and a whole "
        "date on the first of a month on line 6, covering that month"
    )
    # 1 to 10 March: 300 x 10/31 = 96.77, none of the 20 on the 15th.
    assert _spend(table, EARLY_MARCH) == 96.77
    # February: 500 + 40 = 540.
    assert _spend(table, Period(date(2025, 2, 1), date(2025, 2, 28))) == 540.0


def test_dates_and_unreadable_cells(tmp_path: Path):
    text = (
        "Monat;Kanal;Kosten\n"
        "Januar 2025;Google;1000\n"
        "15.01.2025;Google;50\n"
        "Februar 2025;Google;500\n"
        "k.A.;Meta;200\n"
        "20.02.2025;Meta;70\n"
        "März 2025;Meta;300\n"
        "45000;Meta;10\n"
    )
    table = _load(tmp_path, text)
    assert table.rows_used == 7
    assert table.detected["Monat"] == (
        f"{MONTHS_NOTE}, and 2 whole dates on lines 3, 6, each covering its day"
    )
    # "45000" is no Excel serial number in a column of months.
    [problem] = table.problems
    assert problem.kind == "an invalid date"
    assert problem.lines == (5, 8)
    assert problem.examples == ("k.A.", "45000")
    assert problem.row_kept
    # 1,000 + 50 + 500 + 70 + 300 = 1,920 in the first quarter, without the
    # 200 of "k.A." and the 10 of "45000".
    assert _spend(table, FIRST_QUARTER) == 1_920.0


def test_ambiguous_date_needs_order(tmp_path: Path):
    text = _spend_text("03/05/2025")
    with pytest.raises(AmbiguousDateError):
        _load(tmp_path, text)
    table = _load(tmp_path, text, date_order="dmy")
    assert table.problems == ()
    # Read day first: 3 May 2025, after the quarter, so Q1 has 1,000 + 500
    # + 300 = 1,800.
    assert _spend(table, FIRST_QUARTER) == 1_800.0
    assert spend_dates(table.frame) == (date(2025, 1, 1), date(2025, 5, 3))


def test_report_cac_counts_dated_spend(tmp_path: Path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Bestellnummer;Kundennummer;Bestelldatum;Betrag\n"
        "B-1;K-1;05.01.2025;100,00\n"
        "B-2;K-2;06.02.2025;100,00\n"
        "B-3;K-3;10.03.2025;100,00\n"
        "B-4;K-4;20.03.2025;100,00\n",
        encoding="utf-8",
    )
    spend = tmp_path / "spend.csv"
    spend.write_text(_spend_text("15.03.2025"), encoding="utf-8")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_core",
            "report",
            str(orders),
            str(spend),
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-31",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    report = json.loads(result.stdout)
    cac = report["kpis"]["cac"]
    # March spend 200 + 300 = 500 over the new customers K-3 and K-4.
    assert cac["numerator"] == 500.0
    assert cac["denominator"] == 2
    assert cac["value"] == 250.0
    assert not [text for text in report["warnings"] if "invalid date" in text]
