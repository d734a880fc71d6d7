"""The Excel report's Sales sheet with a stage history and no deals table
shows the stage table, as the Sales page does."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.report_tables import excel_report_bytes

# A Salesforce Data Loader export of OpportunityHistory. Days in each stage
# run from the entry to the deal's next entry:
# - 006A: Prospecting 03-04 16:27 to 03-06 16:27 = 2.0 days,
#   Qualification 03-06 16:27 to 03-10 04:27 = 3.5 days, then won.
# - 006B: Prospecting 03-05 08:00 to 03-09 08:00 = 4.0 days,
#   Qualification 03-09 08:00 to 03-10 08:00 = 1.0 day, then lost.
# - 006C: Prospecting 04-03 00:00 to 04-04 12:00 = 1.5 days,
#   Qualification 04-04 12:00 to 04-11 12:00 = 7.0 days, then won.
# - 006D: still in Prospecting since 04-10.
OPPORTUNITY_HISTORY = """\
OpportunityId,StageName,CreatedDate
006A,Prospecting,2017-03-04T16:27:00.000Z
006A,Qualification,2017-03-06T16:27:00.000Z
006A,Closed Won,2017-03-10T04:27:00.000Z
006B,Prospecting,2017-03-05T08:00:00.000Z
006B,Qualification,2017-03-09T08:00:00.000Z
006B,Closed Lost,2017-03-10T08:00:00.000Z
006C,Prospecting,2017-04-03T00:00:00.000Z
006C,Qualification,2017-04-04T12:00:00.000Z
006C,Closed Won,2017-04-11T12:00:00.000Z
006D,Prospecting,2017-04-10T00:00:00.000Z
"""
HEADERS = (
    "Stage",
    "Deals that reached it",
    "Deals that left it",
    "Mean days",
    "Median days",
    "Deals still in it",
    "Went on to a later stage (%)",
)


def _sales_rows(tmp_path) -> list[tuple]:
    path = tmp_path / "OpportunityHistory.csv"
    path.write_text(OPPORTUNITY_HISTORY, encoding="utf-8")
    history = load_file(path.name, path.read_bytes()).frame
    data = excel_report_bytes({"stage_history": history}, KpiSettings())
    sheet = load_workbook(io.BytesIO(data))["Sales"]
    return list(sheet.iter_rows(values_only=True))


def _block(rows: list[tuple], title: str) -> list[tuple]:
    """Return the rows under the table named ``title`` up to the next empty
    row. The KPI row of the same name has more cells than a table name."""
    start = next(i for i, row in enumerate(rows) if row[0] == title and row[1] is None)
    start += 1
    block = []
    for row in rows[start:]:
        if row[0] is None:
            break
        block.append(row)
    return block


def test_history_only_stage_table(tmp_path):
    rows = _sales_rows(tmp_path)
    [header, *stages] = _block(rows, "Time in each stage")[1:]
    assert header[: len(HEADERS)] == HEADERS
    by_stage = {row[0]: row[1 : len(HEADERS)] for row in stages}
    # Prospecting: 4 deals reached it, 3 left it after 2.0, 4.0 and 1.5 days
    # (mean 7.5 / 3 = 2.5, median 2.0), 006D is still in it, and 3 of the 4
    # went on to Qualification = 75 %.
    reached, left, mean, median, still_in, conversion = by_stage["Prospecting"]
    assert (reached, left, still_in) == (4, 3, 1)
    assert mean == pytest.approx(7.5 / 3)
    assert median == pytest.approx(2.0)
    assert conversion == pytest.approx(75.0)
    # Qualification: 3 deals after 3.5, 1.0 and 7.0 days (mean 11.5 / 3,
    # median 3.5). 006A and 006C were won and 006B lost, so 2 / 3 went on.
    reached, left, mean, median, still_in, conversion = by_stage["Qualification"]
    assert (reached, left, still_in) == (3, 3, 0)
    assert mean == pytest.approx(11.5 / 3)
    assert median == pytest.approx(3.5)
    assert conversion == pytest.approx(200 / 3)
    # A won or lost stage has no time in it and no conversion.
    # 006A and 006C reached Closed Won, 006B Closed Lost.
    assert by_stage["Closed Won"] == (2, 0, None, None, 0, None)
    assert by_stage["Closed Lost"] == (1, 0, None, None, 0, None)


def test_history_only_keeps_deals_note(tmp_path):
    rows = _sales_rows(tmp_path)
    [note] = _block(rows, "Deals")
    assert note[0] == "No deals table. Upload a deals export on the Data page."


def test_history_only_names_bottleneck(tmp_path):
    rows = _sales_rows(tmp_path)
    note = _block(rows, "Time in each stage")[0][0]
    # Median 3.5 days in Qualification against 2.0 in Prospecting.
    assert note == (
        "The bottleneck, the stage with the longest median, is Qualification."
    )
