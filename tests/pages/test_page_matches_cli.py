"""The pages and the CLI report must show the same figures for the same data."""

import io
import json
import subprocess
import sys

from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from kpi_core.excel_report import KEY_COLUMN
from kpi_core.formatting import format_value
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from tests.conftest import PROJECT
from tests.pages.conftest import APP

SAMPLE = PROJECT / "sample_data"
SALES_CARDS = {
    "Close rate": "close_rate",
    "Win rate": "win_rate",
    "Average deal size": "average_deal_size",
    "Won value": "won_value",
    "Sales cycle (mean)": "sales_cycle_days",
}


def _cli(*files: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", *files],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)["kpis"]


def test_sales_page_matches_cli_report():
    kpis = _cli(str(SAMPLE / "deals.csv"), str(SAMPLE / "stage_history.csv"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    shown = {metric.label: metric.value for metric in at.metric}
    for label, key in SALES_CARDS.items():
        assert shown[label] == format_value(kpis[key]["value"], kpis[key]["unit"]), key


def test_excel_report_matches_cli_report():
    kpis = _cli(str(SAMPLE / "deals.csv"))
    deals = load_file("deals.csv", (SAMPLE / "deals.csv").read_bytes()).frame
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": deals}, KpiSettings()))
    )
    rows = {
        row[KEY_COLUMN]: row
        for row in workbook["Sales"].iter_rows(
            min_row=5, max_col=KEY_COLUMN + 1, values_only=True
        )
        if row[0]
    }
    for key in SALES_CARDS.values():
        assert round(rows[key][2], 4) == kpis[key]["value"], key
    # Rates, won value, average deal size, sales cycle, pipeline deals and
    # value, won value and win rate by owner. Without a stage history there
    # is no stage chart.
    assert len(workbook["Sales"]._charts) == 8


def test_pages_offer_excel_download():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.get("download_button")
