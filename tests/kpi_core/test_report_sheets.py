"""The command-line report reads every sheet of a workbook and every member
of a zip as a table of its own, unless a sheet is chosen."""

from __future__ import annotations

import json
import zipfile

import pytest
from openpyxl import Workbook

from kpi_core.__main__ import main
from kpi_core.errors import AmbiguousDateError, EmptyDataError
from kpi_core.report import ReportOptions, build_report
from tests.conftest import PROJECT

DEALS_HEADER = ["Record ID", "Deal Stage", "Amount", "Create Date", "Close Date"]
TICKETS_HEADER = ["Ticket ID", "Status", "Created at", "Solved at"]
# Deals 1 and 2 are won, deal 3 is lost: a win rate of 2 / 3. Ticket 1 is
# solved 2 hours after it came in on a Thursday morning.
DEALS = [
    ["1", "Closed won", 100, "2025-01-02", "2025-01-10"],
    ["2", "Closed won", 300, "2025-01-03", "2025-01-12"],
    ["3", "Closed lost", 50, "2025-01-04", "2025-01-13"],
]
TICKETS = [["1", "Solved", "2025-01-02 10:00", "2025-01-02 12:00"]]


def _workbook(path, sheets: dict[str, list[list]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _csv(rows: list[list]) -> str:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n"


def _orders(folder, customers: int):
    """Write an orders file of one first order for each of ``customers``
    customers in January 2025, the new customers of a CAC."""
    rows = [f"{n},c{n},2025-01-{10 + n},80" for n in range(1, customers + 1)]
    path = folder / "orders.csv"
    header = "Order ID,Customer ID,Created at,Total\n"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_workbook_sheets_each_read(tmp_path):
    path = tmp_path / "crm.xlsx"
    _workbook(
        path,
        {
            "Cover": [["Firma", "ACME GmbH"]],
            "Deals": [DEALS_HEADER, *DEALS],
            "Tickets": [TICKETS_HEADER, *TICKETS],
        },
    )
    report = build_report([path], ReportOptions())
    inputs = {entry["file"]: entry["table"] for entry in report["inputs"]}
    assert inputs == {"crm.xlsx (Deals)": "deals", "crm.xlsx (Tickets)": "tickets"}
    assert report["kpis"]["win_rate"]["value"] == pytest.approx(2 / 3 * 100)
    assert report["kpis"]["resolution_hours"]["value"] == pytest.approx(2.0)
    skipped = [w for w in report["warnings"] if w.startswith("crm.xlsx (Cover)")]
    assert len(skipped) == 1
    assert "not read" in skipped[0]


def test_chosen_sheet_only(tmp_path):
    path = tmp_path / "crm.xlsx"
    _workbook(
        path,
        {"Deals": [DEALS_HEADER, *DEALS], "Tickets": [TICKETS_HEADER, *TICKETS]},
    )
    report = build_report([path], ReportOptions(sheet="Tickets"))
    assert [entry["table"] for entry in report["inputs"]] == ["tickets"]
    assert report["inputs"][0]["file"] == "crm.xlsx"
    assert "win_rate" not in report["kpis"]


def test_later_deals_sheet_skipped(tmp_path):
    path = tmp_path / "crm.xlsx"
    # A later sheet of the same type is often a part or a summary of the
    # first, such as the won deals alone.
    won = [row for row in DEALS if row[1] == "Closed won"]
    _workbook(path, {"All deals": [DEALS_HEADER, *DEALS], "Won": [DEALS_HEADER, *won]})
    report = build_report([path], ReportOptions())
    assert [entry["file"] for entry in report["inputs"]] == ["crm.xlsx (All deals)"]
    # 2 won of 3 closed, not the 100 % of the won sheet.
    assert report["kpis"]["win_rate"]["value"] == pytest.approx(2 / 3 * 100)
    assert (
        "crm.xlsx (Won): not read, the deals table comes from crm.xlsx (All "
        "deals); pass --sheet 'Won' to read this sheet instead"
    ) in report["warnings"]


def test_sheet_error_still_raised(tmp_path):
    path = tmp_path / "crm.xlsx"
    # 03/04/2025 and 05/06/2025 read as day-first and as month-first.
    ambiguous = [
        ["1", "Closed won", 100, "03/04/2025", "05/06/2025"],
        ["2", "Closed lost", 50, "04/03/2025", "06/05/2025"],
    ]
    _workbook(
        path,
        {"Tickets": [TICKETS_HEADER, *TICKETS], "Deals": [DEALS_HEADER, *ambiguous]},
    )
    with pytest.raises(AmbiguousDateError) as raised:
        build_report([path], ReportOptions())
    assert raised.value.file == "crm.xlsx (Deals)"


def test_zip_members_each_read(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("deals.csv", _csv([DEALS_HEADER, *DEALS]))
        archive.writestr("tickets.csv", _csv([TICKETS_HEADER, *TICKETS]))
    report = build_report([path], ReportOptions())
    tables = [entry["table"] for entry in report["inputs"]]
    assert tables == ["deals", "tickets"]
    assert report["kpis"]["win_rate"]["value"] == pytest.approx(2 / 3 * 100)


def test_audience_zip_one_table():
    path = PROJECT / "tests" / "data" / "mailchimp_audience_export.zip"
    report = build_report([path], ReportOptions())
    assert [entry["table"] for entry in report["inputs"]] == ["email_events"]
    assert report["inputs"][0]["file"] == "mailchimp_audience_export.zip"


def test_no_sheet_with_table_raises(tmp_path):
    path = tmp_path / "notes.xlsx"
    _workbook(path, {"Notes": [["Firma", "ACME GmbH"]], "Empty": []})
    with pytest.raises(EmptyDataError, match="no data rows"):
        build_report([path], ReportOptions())


def test_one_member_zip_named_by_zip(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("deals.csv", _csv([DEALS_HEADER, *DEALS]))
    report = build_report([path], ReportOptions())
    assert [entry["file"] for entry in report["inputs"]] == ["export.zip"]


def test_spend_sheets_added_up(tmp_path):
    path = tmp_path / "spend.xlsx"
    header = ["Day", "Campaign", "Cost"]
    _workbook(
        path,
        {
            "Google Ads": [
                header,
                ["2025-01-05", "Brand", 100],
                ["2025-01-06", "Brand", 50],
            ],
            "Meta Ads": [
                header,
                ["2025-01-05", "Spring", 70],
                ["2025-01-07", "Spring", 30],
            ],
        },
    )
    report = build_report([path, _orders(tmp_path, 2)], ReportOptions())
    spend = [entry["file"] for entry in report["inputs"] if entry["table"] == "spend"]
    assert spend == ["spend.xlsx (Google Ads)", "spend.xlsx (Meta Ads)"]
    # (100 + 50 + 70 + 30) / 2 new customers = 125.
    assert report["kpis"]["cac"]["value"] == pytest.approx(125.0)


def test_zip_member_error_named(tmp_path):
    path = tmp_path / "export.zip"
    ambiguous = [
        ["1", "Closed won", 100, "03/04/2025", "05/06/2025"],
        ["2", "Closed lost", 50, "04/03/2025", "06/05/2025"],
    ]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tickets.csv", _csv([TICKETS_HEADER, *TICKETS]))
        archive.writestr("deals.csv", _csv([DEALS_HEADER, *ambiguous]))
    with pytest.raises(AmbiguousDateError) as raised:
        build_report([path], ReportOptions())
    assert raised.value.file == "export.zip (deals.csv)"
    assert raised.value.sheet is None


def test_spend_total_sheet_skipped(tmp_path):
    path = tmp_path / "spend.xlsx"
    header = ["Day", "Campaign", "Cost"]
    _workbook(
        path,
        {
            "Google Ads": [header, ["2025-01-05", "Brand", 100]],
            "Meta Ads": [header, ["2025-01-05", "Spring", 50]],
            "Total": [header, ["2025-01-05", "All", 150]],
        },
    )
    report = build_report([path, _orders(tmp_path, 3)], ReportOptions())
    # (100 + 50) / 3 new customers = 50, without the total sheet's 150.
    assert report["kpis"]["cac"]["value"] == pytest.approx(50.0)
    assert any(w.startswith("spend.xlsx (Total): not read") for w in report["warnings"])


def test_first_total_sheet_skipped_all_kept(tmp_path):
    path = tmp_path / "spend.xlsx"
    header = ["Day", "Campaign", "Cost"]
    _workbook(
        path,
        {
            "Total": [header, ["2025-01-05", "All", 100]],
            "Google Ads": [header, ["2025-01-05", "Brand", 60]],
            "Meta (all campaigns)": [header, ["2025-01-05", "Spring", 40]],
        },
    )
    report = build_report([path, _orders(tmp_path, 2)], ReportOptions())
    # (60 + 40) / 2 = 50: the total sheet is left out although it comes
    # first, and "all campaigns" is no total.
    assert report["kpis"]["cac"]["value"] == pytest.approx(50.0)


def test_platform_sheet_with_gesamt_kept(tmp_path):
    path = tmp_path / "spend.xlsx"
    header = ["Day", "Campaign", "Cost"]
    _workbook(
        path,
        {
            "Google Ads": [header, ["2025-01-05", "Brand", 60]],
            "LinkedIn Kampagnen gesamt": [header, ["2025-01-05", "Jobs", 40]],
        },
    )
    report = build_report([path], ReportOptions())
    spend = [entry for entry in report["inputs"] if entry["table"] == "spend"]
    assert len(spend) == 2


COVER_TODAY = [["Report"], ["Stand", "=TODAY()"]]


def test_cover_formula_sheet_passed_over(tmp_path, capsys):
    # openpyxl saves =TODAY() without its result. The cover sheet contains
    # no table with any result, so the deals on the next sheet are read.
    path = tmp_path / "crm.xlsx"
    _workbook(path, {"Cover": COVER_TODAY, "Deals": [DEALS_HEADER, *DEALS]})
    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [entry["file"] for entry in report["inputs"]] == ["crm.xlsx (Deals)"]
    assert report["inputs"][0]["rows"] == 3
    # 2 won of 3 closed.
    assert report["kpis"]["win_rate"]["value"] == pytest.approx(2 / 3 * 100)
    assert (
        "crm.xlsx (Cover): not read, cell B2 has a formula without a saved "
        "result; the sheet contains no table"
    ) in report["warnings"]


def test_chosen_cover_formula_sheet_rejected(tmp_path, capsys):
    # A guard: the sheet the user names is read, so its formula is needed.
    path = tmp_path / "crm.xlsx"
    _workbook(path, {"Cover": COVER_TODAY, "Deals": [DEALS_HEADER, *DEALS]})
    assert main(["report", str(path), "--sheet", "Cover"]) == 1
    error = capsys.readouterr().err
    assert "the formula in cell B2 has no saved result" in error


def test_only_cover_formula_sheets_rejected(tmp_path, capsys):
    # A guard: without a table on any sheet, the formula is what is reported.
    path = tmp_path / "crm.xlsx"
    _workbook(path, {"Cover": COVER_TODAY, "Notes": [["Quelle: CRM"]]})
    assert main(["report", str(path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: crm.xlsx (Cover)")
    assert "the formula in cell B2 has no saved result" in error


def test_summary_formula_sheet_rejected(tmp_path, capsys):
    # A guard: with results, the formulas make a deals table of their own.
    path = tmp_path / "crm.xlsx"
    summary = [DEALS_HEADER, ["=Deals!A2", "=Deals!B2", "=Deals!C2", "=Deals!D2"]]
    _workbook(path, {"Summary": summary, "Deals": [DEALS_HEADER, *DEALS]})
    assert main(["report", str(path)]) == 1
    error = capsys.readouterr().err
    assert "have no saved result" in error
