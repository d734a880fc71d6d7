"""Key-value lines above the header of ad-platform reports, which can
outnumber the data rows of a small report."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_core.importing import load_file
from kpi_core.reading import read_table

# A Campaign Manager (DCM) report: a title, six key-value lines, a blank
# line, the "Report Fields" marker, the header, three rows and a total.
DCM = (
    "Campaign Manager 360 Report\n"
    "Report Name,Spring media\n"
    "Report Time Zone,Europe/Berlin\n"
    'Date/Time Generated,"Apr 2, 2024 9:14 AM"\n'
    'Date Range,"Mar 1, 2024 - Mar 31, 2024"\n'
    "Dimensions,Date; Campaign\n"
    "Filters,None\n"
    "\n"
    "Report Fields\n"
    "Date,Campaign,Impressions,Clicks,Media Cost\n"
    "2024-03-01,Spring Sale,10000,100,400.00\n"
    "2024-03-15,Spring Sale,12000,120,350.00\n"
    "2024-03-20,Retargeting,5000,50,250.00\n"
    "Grand Total:,---,27000,270,1000.00\n"
)
# A LinkedIn Campaign Manager export with one campaign: a comma inside
# each "Report Start: 3/1/2024, 12:00 AM" line splits it into two fields.
LINKEDIN = (
    "Campaign Performance Report (in UTC)\n"
    "Report Start: 3/1/2024, 12:00 AM\n"
    "Report End: 3/31/2024, 11:59 PM\n"
    "Date Generated: 4/2/2024, 9:14 AM\n"
    "Start Date (in UTC),Account Name,Campaign Name,Currency,Total Spent,"
    "Impressions,Clicks\n"
    "3/1/2024,Acme GmbH,Spring Webinar,EUR,150.25,5000,40\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dcm_header_after_report_fields(tmp_path):
    path = _write(tmp_path, "dcm.csv", DCM)
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 10
    assert raw.frame.columns[:5] == [
        "Date",
        "Campaign",
        "Impressions",
        "Clicks",
        "Media Cost",
    ]
    assert "skipped 8 title rows above the header on lines 1-7, 9" in raw.info.notes
    assert "skipped the total row on line 14" in raw.info.notes


def test_dcm_report_read_as_spend(tmp_path):
    path = _write(tmp_path, "dcm.csv", DCM)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "spend"
    assert prepared.mapping.columns["amount"] == "Media Cost"
    # 400 + 350 + 250 = 1,000; the "Grand Total:" row is not a day.
    assert prepared.frame["amount"].to_list() == [400.0, 350.0, 250.0]
    assert prepared.frame["amount"].sum() == pytest.approx(1000.0)


def test_key_value_lines_without_marker(tmp_path):
    # Without "Report Fields" the six two-field lines outnumber the five
    # rows of the table (header, three days and the total).
    path = _write(tmp_path, "dcm.csv", DCM.replace("Report Fields\n", ""))
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 9
    assert raw.frame.columns[4] == "Media Cost"
    assert raw.frame.height == 3


def test_linkedin_export_with_one_row(tmp_path):
    path = _write(tmp_path, "linkedin.csv", LINKEDIN)
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 5
    assert raw.frame.height == 1
    # 3/1/2024 reads as 1 March and as 3 January, so the order is given.
    prepared = load_file(path.name, path.read_bytes(), date_order="mdy")
    assert prepared.table == "spend"
    assert prepared.frame["amount"].to_list() == [150.25]


def test_linkedin_sheet_with_one_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for line in LINKEDIN.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "linkedin.xlsx"
    workbook.save(path)
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 5
    assert raw.frame["Total Spent"].to_list() == ["150.25"]


def test_wider_text_rows_stay_data(tmp_path):
    # The last three names contain an unquoted comma, so those rows have
    # three fields under a header of two. They are rows of the table, not
    # its header: eight plain rows and three split ones are 11 data rows.
    lines = ["Email,Name"]
    lines += [f"u{number}@example.com,User {number}" for number in range(1, 9)]
    lines += [
        "a@example.com,Smith, John",
        "b@example.com,Doe, Jane",
        "c@example.com,Roe, Jim",
    ]
    path = _write(tmp_path, "contacts.csv", "\n".join(lines) + "\n")
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 1
    assert raw.frame.columns[:2] == ["Email", "Name"]
    assert raw.frame.height == 11


def test_marker_before_data_row_ignored(tmp_path):
    # "Report Fields" above a row of numbers marks no header, so the usual
    # rule finds it on line 1.
    text = (
        "Date,Campaign,Media Cost\n"
        "Report Fields\n"
        "2024-03-01,Spring Sale,400.00\n"
        "2024-03-02,Spring Sale,350.00\n"
    )
    path = _write(tmp_path, "spend.csv", text)
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.header_line == 1
