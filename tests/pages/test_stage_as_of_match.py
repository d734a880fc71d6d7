"""The Sales page, the command line and the Excel report measure the time in
each stage up to the same day: the latest stage change in the history."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kpi_core.excel_report import KEY_COLUMN
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.workspace import Workspace
from tests.conftest import PROJECT
from tests.pages.conftest import APP

STILL_IN_STAGE = "deal still in the stage"


def _history_text(today: date) -> str:
    """Return a stage history whose last change lies tomorrow at 01:00.

    The import keeps a stage entry of tomorrow, because an export written in
    a time zone ahead of the server's can show the next day already. The
    page, the command line and the Excel report all run on the real clock,
    so the dates count back from the real day.
    """

    def at(days: int, hour: int = 0) -> str:
        moment = datetime.combine(today + timedelta(days=days), time(hour))
        return moment.strftime("%Y-%m-%d %H:%M")

    return (
        "OpportunityId,StageName,CreatedDate\n"
        f"A,Prospecting,{at(-10)}\n"
        f"A,Qualification,{at(-6)}\n"
        f"A,Closed Won,{at(1, 1)}\n"
        f"B,Prospecting,{at(-8)}\n"
        f"B,Qualification,{at(-4)}\n"
        f"B,Closed Lost,{at(-2)}\n"
        f"C,Prospecting,{at(-3)}\n"
    )


# Measured up to the latest change, tomorrow 01:00:
# - Prospecting: A 10 - 6 = 4 days, B 8 - 4 = 4 days, median 4.0. C entered
#   it 3 days ago and is the one deal still in a stage.
# - Qualification: A from 6 days ago to tomorrow 01:00 = 7 days 1 hour =
#   7 + 1/24 days, B 4 - 2 = 2 days, median (7 + 1/24 + 2) / 2 = 4.5208.
# Measured up to the moment the report runs instead, A's won entry of
# tomorrow would be ignored: A would still be in Qualification, which makes
# 2 deals still in a stage and a Qualification median of B's 2 days alone.
MEDIANS = {"Prospecting": 4.0, "Qualification": (7 + 1 / 24 + 2) / 2}
STILL_IN = {"Prospecting": 1, "Qualification": 0}


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "OpportunityHistory.csv"
    path.write_text(_history_text(date.today()), encoding="utf-8")
    return path


def _store(path: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    # The app loads the sample data into a workspace without this marker.
    (root / ".sample-loaded").touch()
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "stage_history"
    assert prepared.rows_used == 7
    Workspace(root).save(
        prepared.frame,
        name=path.name,
        table_type="stage_history",
        source_file=path.name,
        mapping=prepared.mapping,
    )


def test_page_counts_to_latest_change(history_file, fresh_workspace):
    _store(history_file, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    [table] = [
        frame.value for frame in at.dataframe if "Median days" in frame.value.columns
    ]
    still_in = dict(zip(table["Stage"], table["Deals still in it"], strict=True))
    assert still_in["Prospecting"] == STILL_IN["Prospecting"]
    assert still_in["Qualification"] == STILL_IN["Qualification"]
    medians = dict(zip(table["Stage"], table["Median days"], strict=True))
    assert medians["Prospecting"] == pytest.approx(MEDIANS["Prospecting"])
    assert medians["Qualification"] == pytest.approx(MEDIANS["Qualification"])


def test_cli_counts_to_latest_change(history_file):
    completed = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(history_file)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(completed.stdout)["kpis"]["stage_duration_days"]
    assert result["excluded"] == {STILL_IN_STAGE: 1}
    assert result["excluded_units"] == {STILL_IN_STAGE: "deal"}
    # The JSON report rounds to 4 decimals.
    assert result["value"] == {
        "Prospecting": 4.0,
        "Qualification": round(MEDIANS["Qualification"], 4),
    }


def test_excel_counts_to_latest_change(history_file):
    history = load_file(history_file.name, history_file.read_bytes()).frame
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"stage_history": history}, KpiSettings()))
    )
    [row] = [
        row
        for row in workbook["Sales"].iter_rows(values_only=True)
        if len(row) > KEY_COLUMN and row[KEY_COLUMN] == "stage_duration_days"
    ]
    # "Rows left out" is the column before "Notes and warnings".
    assert row[KEY_COLUMN - 2] == f"1 deal: {STILL_IN_STAGE}"
