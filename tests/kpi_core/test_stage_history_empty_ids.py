"""A stage history with rows whose deal id is empty: the import names them,
and the stage KPIs leave them out and count them instead of taking them
for one more deal. The command line and the Excel report agree."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from kpi_core.__main__ import main
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.stages import stage_duration_days, stage_durations, stage_summary

# D1 goes Lead -> Qualified -> Won, D2 goes Lead -> Qualified and stays
# there. Lines 7 and 8 have no deal id: read as one deal, they would add a
# 10-day Lead visit and a Proposal stage that no known deal entered.
HISTORY = (
    "Deal ID,Stage,Entered at\n"
    "D1,Lead,2025-01-01\n"
    "D1,Qualified,2025-01-05\n"
    "D1,Won,2025-01-15\n"
    "D2,Lead,2025-01-02\n"
    "D2,Qualified,2025-01-04\n"
    ",Lead,2025-01-03\n"
    ",Proposal,2025-01-13\n"
)
# The latest stage change, up to which the Sales page measures.
AS_OF = datetime(2025, 1, 15)
LEFT_OUT = "stage entry without a deal id"
# The deals of the history, so that the Excel report shows its stage table.
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Create Date,Close Date,Amount\n"
    "D1,Alpha,Won,2025-01-01,2025-01-15,100\n"
    "D2,Beta,Qualified,2025-01-02,,200\n"
)


def _history():
    return load_file("stage_history.csv", HISTORY.encode("utf-8"))


def test_empty_deal_id_named_at_import():
    prepared = _history()
    assert prepared.table == "stage_history"
    [problem] = prepared.problems
    assert problem.row_kept
    assert f"{problem.describe()}; {problem.outcome()}" == (
        "2 rows with an empty deal ID in column 'Deal ID' (lines 7, 8); the "
        "rows are kept, but the time in each stage and the share that went on "
        "to a later stage leave them out and count them, because a stage entry "
        "without a deal ID cannot be told apart from the entries of another "
        "deal; fill in the deal ID of these rows and import the file again"
    )
    assert prepared.problem_rows["_line"].to_list() == [7, 8]
    assert prepared.rows_used == 7


def test_stage_times_leave_out_empty_deal_ids():
    result = stage_duration_days(_history().frame, as_of=AS_OF)
    # D1: Lead 4 days (Jan 1 to 5), Qualified 10 days (Jan 5 to 15).
    # D2: Lead 2 days (Jan 2 to 4), still in Qualified.
    # Lead median (2 + 4) / 2 = 3, Qualified median 10. Read as a deal, the
    # rows without an id would make Lead (2, 4, 10) with median 4.
    assert result.value == {"Lead": 3.0, "Qualified": 10.0}
    assert result.n == 3
    assert result.extra["bottleneck"] == "Qualified"
    assert result.excluded == {"deal still in the stage": 1, LEFT_OUT: 2}


def test_stage_summary_leaves_out_empty_deal_ids():
    summary = stage_summary(_history().frame, AS_OF)
    # Lead: D1 and D2 reached it and both went on to Qualified (100 %).
    # Qualified: D1 and D2 reached it, D1 went on to Won (50 %).
    # Won: D1. No known deal entered Proposal.
    assert summary["stage"].to_list() == ["Lead", "Qualified", "Won"]
    assert summary["reached"].to_list() == [2, 2, 1]
    assert summary["deals"].to_list() == [2, 1, 0]
    assert summary["ongoing_deals"].to_list() == [0, 1, 0]
    assert summary["median_days"].to_list()[:2] == [3.0, 10.0]
    assert summary["conversion_to_next"].to_list()[:2] == [100.0, 50.0]


def test_stage_durations_have_no_empty_deal_id():
    durations = stage_durations(_history().frame, AS_OF)
    assert durations["deal_id"].null_count() == 0
    # D1 Lead, Qualified, Won is final; D2 Lead and Qualified.
    assert durations.height == 4


def test_period_counts_its_entries_without_id():
    # Jan 10 to 31: only line 8 (Proposal, Jan 13) of the rows without an
    # id lies in it, and D1's Qualified visit is entered on Jan 5, so no
    # completed visit of a known deal was entered then.
    result = stage_duration_days(
        _history().frame, Period(datetime(2025, 1, 10).date(), None), as_of=AS_OF
    )
    assert not result.available
    assert result.excluded == {LEFT_OUT: 1}


def test_cli_and_excel_leave_out_empty_deal_ids(tmp_path, capsys):
    path = tmp_path / "stage_history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    stage = report["kpis"]["stage_duration_days"]
    # Lead median 3, Qualified 10, as on the Sales page.
    assert stage["value"] == {"Lead": 3.0, "Qualified": 10.0}
    assert stage["excluded"][LEFT_OUT] == 2

    # The Excel report shows the stage table beside a deals table.
    deals = load_file("deals.csv", DEALS.encode("utf-8")).frame
    tables = {"deals": deals, "stage_history": _history().frame}
    sheet = load_workbook(io.BytesIO(excel_report_bytes(tables, KpiSettings())))[
        "Sales"
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    [kpi_row] = [row for row in rows if row[-1] == "stage_duration_days"]
    assert kpi_row[2] == "Lead: 3.00; Qualified: 10.00"
    assert kpi_row[9] == (
        "1 deal: deal still in the stage; 2 rows: stage entry without a deal id"
    )
    stage_rows = {row[0]: row for row in rows if row[0] in ("Lead", "Proposal")}
    assert "Proposal" not in stage_rows
    # Lead: reached by 2 deals, left by 2, mean and median 3 days.
    lead = stage_rows["Lead"]
    assert lead[1:5] == [2, 2, pytest.approx(3.0), pytest.approx(3.0)]
