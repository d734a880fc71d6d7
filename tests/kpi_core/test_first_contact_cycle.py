"""The sales cycle starts at a deal's first contact where the export has
one, else at its creation, and every output names the start it used."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date

import pytest
from openpyxl import load_workbook

from kpi_core.exclusion_warnings import exclusion_warnings
from kpi_core.importing import load_file
from kpi_core.kpi_rows import rows_behind
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.sales import close_rate, sales_cycle_days, sales_series
from kpi_core.whatif_baseline import baseline_levers
from tests.conftest import PROJECT

# A German export with a first contact before each creation.
GERMAN = (
    "Deal-ID;Phase;Erstkontakt;Erstellt am;Abschlussdatum\n"
    "D-1;Gewonnen;02.01.2025;20.01.2025;31.01.2025\n"
    "D-2;Gewonnen;10.01.2025;01.02.2025;28.02.2025\n"
)
# Deals A and C have a first contact, B has none, D is lost and E is open.
MIXED = (
    "Deal ID,Deal Stage,Create Date,First contact date,Close Date\n"
    "A,Closed won,2025-03-10,2025-03-01,2025-03-31\n"
    "B,Closed won,2025-03-05,,2025-03-25\n"
    "C,Closed won,2025-02-20,2025-02-01,2025-03-03\n"
    "D,Closed lost,2025-03-01,2025-02-15,2025-03-16\n"
    "E,Open,2025-03-20,2025-03-18,\n"
)
# B's first contact comes after its close. C was created after its close but
# first contacted before it. D has no first contact and closed before it was
# created.
REVERSED = (
    "Deal ID,Deal Stage,Create Date,First contact date,Close Date\n"
    "A,Closed won,2025-03-01,2025-03-05,2025-03-31\n"
    "B,Closed won,2025-03-01,2025-04-02,2025-03-20\n"
    "C,Closed won,2025-03-25,2025-03-02,2025-03-12\n"
    "D,Closed won,2025-03-15,,2025-03-10\n"
)


def _load(tmp_path, content: str, name: str = "deals.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes())


def _report(path, *options: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path), *options],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_german_first_contact(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(GERMAN, encoding="utf-8")
    report = _report(path)
    assert report["inputs"][0]["columns"]["first_contact_at"] == "Erstkontakt"
    assert report["inputs"][0]["columns"]["created_at"] == "Erstellt am"
    cycle = report["kpis"]["sales_cycle_days"]
    # D-1: 2 to 31 January = 29 days. D-2: 10 January to 28 February =
    # 21 + 28 = 49 days. (29 + 49) / 2 = 39.0. From the creation dates it
    # would be (11 + 27) / 2 = 19.0.
    assert cycle["value"] == 39.0
    assert cycle["median"] == 39.0
    assert cycle["numerator"] == 78
    assert cycle["n"] == 2
    assert cycle["measured_from"] == {"first_contact_at": 2, "created_at": 0}


def test_cli_close_rate_stays_on_creation(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(GERMAN, encoding="utf-8")
    report = _report(path, "--from", "2025-01-15", "--to", "2025-02-28")
    kpis = report["kpis"]
    # Created 20 January and 1 February, both in the period, although both
    # first contacts (2 and 10 January) are before it: 2 won / 2 = 100 %.
    assert kpis["close_rate"]["denominator"] == 2
    assert kpis["close_rate"]["value"] == 100.0
    # Both closed in the period (31 January, 28 February): 39.0 days as above.
    assert kpis["sales_cycle_days"]["value"] == 39.0
    assert kpis["sales_cycle_days"]["measured_from"]["first_contact_at"] == 2


def test_mixed_starts_per_deal(tmp_path):
    deals = _load(tmp_path, MIXED).frame
    result = sales_cycle_days(deals)
    # A: 1 to 31 March = 30 days from first contact. B: 5 to 25 March = 20
    # days from creation. C: 1 February to 3 March = 28 + 2 = 30 days from
    # first contact. (30 + 20 + 30) / 3 = 26.67, median 30.
    assert result.value == pytest.approx(80 / 3)
    assert result.extra["median"] == 30.0
    assert result.extra["measured_from"] == {"first_contact_at": 2, "created_at": 1}
    assert result.formula == (
        "80 days / 3 deals = 26.7 days (median 30 days), measured from first "
        "contact to close for 2 deals and from creation to close for 1"
    )
    assert result.excluded == {"open deal without a close date": 1}


def test_mixed_starts_closed_variant(tmp_path):
    deals = _load(tmp_path, MIXED).frame
    result = sales_cycle_days(deals, variant="closed")
    # Lost D adds 15 February to 16 March = 13 + 16 = 29 days from its first
    # contact: (80 + 29) / 4 = 27.25.
    assert result.value == pytest.approx(109 / 4)
    assert result.extra["measured_from"] == {"first_contact_at": 3, "created_at": 1}


def test_mixed_close_rate_by_creation(tmp_path):
    deals = _load(tmp_path, MIXED).frame
    march = close_rate(deals, Period(date(2025, 3, 1), date(2025, 3, 31)))
    # Created in March: A, B, D, E (C on 20 February, although first contacted
    # on 1 February). 2 won / 4 = 50 %.
    assert march.denominator == 4
    assert march.value == pytest.approx(50.0)


def test_mixed_series_and_rows(tmp_path):
    deals = _load(tmp_path, MIXED).frame
    series = sales_series(deals, grain="month")
    march = series.filter(series["period_start"] == date(2025, 3, 1))
    # All three won deals closed in March: 80 / 3 days as the KPI.
    assert march["cycle_mean_days"].item() == pytest.approx(80 / 3)
    assert march["cycle_median_days"].item() == 30.0
    rows = rows_behind("sales_cycle_days", {"deals": deals}, Period())
    days = dict(zip(rows["deal_id"], rows["cycle_days"], strict=True))
    assert days == {"A": 30, "B": 20, "C": 30}


def test_first_contact_after_close_left_out(tmp_path):
    deals = _load(tmp_path, REVERSED).frame
    result = sales_cycle_days(deals)
    # A: 5 to 31 March = 26 days. C: 2 to 12 March = 10 days from its first
    # contact, its later creation aside. B (first contact after close) and D
    # (closed before created, no first contact) are left out: (26 + 10) / 2.
    assert result.value == pytest.approx(18.0)
    assert result.n == 2
    assert result.excluded == {
        "won deal closed before it was created": 1,
        "won deal closed before its first contact": 1,
    }
    assert result.extra["measured_from"] == {"first_contact_at": 2, "created_at": 0}
    rows = rows_behind("sales_cycle_days", {"deals": deals}, Period())
    assert sorted(rows["deal_id"]) == ["A", "C"]


def test_first_contact_after_close_warned(tmp_path):
    deals = _load(tmp_path, REVERSED).frame
    kpis = {"sales_cycle_days": sales_cycle_days(deals)}
    [warning] = exclusion_warnings(kpis, {"sales_cycle_days": "Sales cycle"})
    # 2 left out of 2 + 2 measured won deals = 50 %.
    assert warning.startswith("Sales cycle leaves out 2 of 4 won deals (50 %)")
    assert "won deal closed before its first contact (1)" in warning
    assert "first_contact_at" in warning


def test_first_contact_after_close_at_import(tmp_path):
    prepared = _load(tmp_path, REVERSED)
    conflicts = {conflict.wording: conflict for conflict in prepared.date_conflicts}
    first = conflicts["Deals closed before their first contact"]
    assert first.lines == (3,)
    # A, B and C have a first contact and a close date: 1 / 3 = 33 %.
    assert first.dated == 3
    assert first.describe().startswith(
        "Deals closed before their first contact: 1 of the 3 won or lost deals "
        "with a first contact and a close date (33 %), on line 3. In this row "
        "'Close Date' (closed_at) is before 'First contact date' "
        "(first_contact_at)."
    )
    # C and D closed before they were created, whatever their first contact.
    created = conflicts["Deals closed before they were created"]
    assert created.lines == (4, 5)


def test_excel_report_names_start(tmp_path):
    deals = _load(tmp_path, MIXED).frame
    data = excel_report_bytes({"deals": deals}, KpiSettings())
    sheet = load_workbook(io.BytesIO(data))["Sales"]
    texts = [cell.value for row in sheet.iter_rows() for cell in row]
    formulas = [text for text in texts if isinstance(text, str)]
    assert (
        "80 days / 3 deals = 26.7 days (median 30 days), measured from first "
        "contact to close for 2 deals and from creation to close for 1"
    ) in formulas
    assert (
        "Days from the first contact to the close where a deal has a "
        "first-contact date, else from the creation to the close."
    ) in formulas


def test_whatif_cycle_runs_from_creation():
    # What if lets a deal close one cycle after its creation, so its lever
    # is the cycle from creation: D-1 20.01. to 31.01. is 11 days, D-2 01.02.
    # to 28.02. is 27 days, (11 + 27) / 2 = 19.0. The Sales card measures
    # from the first contact: (29 + 49) / 2 = 39.0.
    deals = load_file("deals.csv", GERMAN.encode(), date_order="dmy").frame
    period = Period(date(2025, 1, 1), date(2025, 3, 31))

    levers, notes = baseline_levers({"deals": deals}, period)

    assert levers.sales_cycle_days == pytest.approx(19.0)
    assert "measured from creation to close" in notes["sales_cycle_days"]
    assert sales_cycle_days(deals, period).value == pytest.approx(39.0)
