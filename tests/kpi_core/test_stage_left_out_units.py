"""What the time in each stage leaves out, counted in the unit of each
reason: deals still in a stage count once however many rows their stay
has, entries without a deal id count as rows. A history without any deal
id says so. The command line and the Excel report agree."""

from __future__ import annotations

import io
import json
from datetime import datetime

from openpyxl import load_workbook

from kpi_core.__main__ import main
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes
from kpi_core.stages import stage_duration_days

# D1 goes Lead, Qualified, Lead, Qualified, Won. D2 goes Lead, Qualified,
# Lead, Qualified and is still in Qualified, whose stay has two rows. D3 is
# still in Lead. Lines 11 and 12 have no deal id.
HISTORY = (
    "Deal ID,Stage,Entered at\n"
    "D1,Lead,2025-01-01\n"
    "D1,Qualified,2025-01-03\n"
    "D1,Lead,2025-01-06\n"
    "D1,Qualified,2025-01-08\n"
    "D1,Won,2025-01-10\n"
    "D2,Lead,2025-01-02\n"
    "D2,Qualified,2025-01-04\n"
    "D2,Lead,2025-01-05\n"
    "D2,Qualified,2025-01-07\n"
    "D3,Lead,2025-01-04\n"
    ",Lead,2025-01-02\n"
    ",Qualified,2025-01-07\n"
)
# The latest stage change, up to which the Sales page measures.
AS_OF = datetime(2025, 1, 10)
DEALS = (
    "Deal ID,Deal Name,Deal Stage,Create Date,Close Date,Amount\n"
    "D1,Alpha,Won,2025-01-01,2025-01-10,100\n"
    "D2,Beta,Qualified,2025-01-02,,200\n"
    "D3,Gamma,Lead,2025-01-04,,300\n"
)
# Every deal id is empty, as when the mapped column is the wrong one.
NO_IDS = (
    "Deal ID,Stage,Entered at\n"
    ",Lead,2025-01-01\n"
    ",Qualified,2025-01-05\n"
    ",Won,2025-01-15\n"
)
NO_IDS_REASON = (
    "no row of the stage history has a deal ID, so no stage time can be "
    "measured. Map the column with the deal IDs to deal_id on the Data page, "
    "or fill in the deal IDs and import the file again"
)
STILL = "deal still in the stage"
WITHOUT_ID = "stage entry without a deal id"


def _frame(text: str):
    return load_file("stage_history.csv", text.encode("utf-8")).frame


def _sales_rows(tmp_path, history: str) -> list[list]:
    deals = load_file("deals.csv", DEALS.encode("utf-8")).frame
    tables = {"deals": deals, "stage_history": _frame(history)}
    data = excel_report_bytes(tables, KpiSettings())
    sheet = load_workbook(io.BytesIO(data))["Sales"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_stage_times_count_deals_still_in_stage():
    result = stage_duration_days(_frame(HISTORY), as_of=AS_OF)
    # D1 Lead 2 + 2 = 4 days (Jan 1-3, Jan 6-8), Qualified 3 + 2 = 5 (Jan
    # 3-6, Jan 8-10). D2 Lead 2 + 2 = 4 (Jan 2-4, Jan 5-7). Lead median of
    # 4 and 4 is 4, Qualified median 5.
    assert result.value == {"Lead": 4.0, "Qualified": 5.0}
    # Still in a stage: D2 (Qualified, 2 rows) and D3 (Lead, 1 row), so 2
    # deals over 3 rows. The rows without an id are 2 rows.
    assert result.excluded == {STILL: 2, WITHOUT_ID: 2}
    assert result.excluded_units == {STILL: "deal"}
    assert result.left_out(STILL) == "2 deals"
    assert result.left_out(WITHOUT_ID) == "2 rows"


def test_unnamed_stage_counts_deals():
    # D1's two entries without a stage name (Jan 1 and 2) are one stay in
    # one unnamed stage; then Lead for 2 days (Jan 3-5) and Won.
    history = (
        "Deal ID,Stage,Entered at\n"
        "D1,,2025-01-01\n"
        "D1,,2025-01-02\n"
        "D1,Lead,2025-01-03\n"
        "D1,Won,2025-01-05\n"
    )
    result = stage_duration_days(_frame(history), as_of=datetime(2025, 1, 5))
    assert result.value == {"Lead": 2.0}
    assert result.excluded == {"stage entry without a stage name": 1}
    assert result.left_out("stage entry without a stage name") == "1 deal"


def test_excel_counts_deals_and_rows(tmp_path):
    rows = _sales_rows(tmp_path, HISTORY)
    [kpi_row] = [row for row in rows if row[-1] == "stage_duration_days"]
    assert kpi_row[2] == "Lead: 4.00; Qualified: 5.00"
    assert kpi_row[9] == (
        "2 deals: deal still in the stage; 2 rows: stage entry without a deal id"
    )


def test_cli_names_unit_of_counts(tmp_path, capsys):
    path = tmp_path / "stage_history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    assert main(["report", str(path)]) == 0
    stage = json.loads(capsys.readouterr().out)["kpis"]["stage_duration_days"]
    assert stage["excluded"] == {STILL: 2, WITHOUT_ID: 2}
    # Rows are the unit of every reason not listed here.
    assert stage["excluded_units"] == {STILL: "deal"}


def test_history_without_deal_ids():
    result = stage_duration_days(_frame(NO_IDS), as_of=datetime(2025, 1, 15))
    assert not result.available
    assert result.reason == NO_IDS_REASON
    # All 3 rows lack a deal id.
    assert result.excluded == {WITHOUT_ID: 3}


def test_cli_and_excel_without_deal_ids(tmp_path, capsys):
    path = tmp_path / "stage_history.csv"
    path.write_text(NO_IDS, encoding="utf-8")
    assert main(["report", str(path)]) == 0
    stage = json.loads(capsys.readouterr().out)["kpis"]["stage_duration_days"]
    assert stage["status"] == "not_available"
    assert stage["reason"] == NO_IDS_REASON
    assert stage["excluded"] == {WITHOUT_ID: 3}

    rows = _sales_rows(tmp_path, NO_IDS)
    [kpi_row] = [row for row in rows if row[-1] == "stage_duration_days"]
    assert kpi_row[8] == NO_IDS_REASON
    assert kpi_row[9] == "3 rows: stage entry without a deal id"
    cells = [str(value) for row in rows for value in row if value is not None]
    assert f"Time in stage is not available: {NO_IDS_REASON}." in cells
