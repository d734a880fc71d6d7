"""Command-line errors and help text that are true on the command line,
which has no option for a table type or a column mapping."""

from __future__ import annotations

import json

import openpyxl
import pytest

from kpi_core.__main__ import main

# A Mailchimp members file on its own, without its zip: no table type fits.
MEMBERS = (
    '"Email Address","First Name","Last Name","OPTIN_TIME"\n'
    '"ann@example.com","Ann","Alpha","2024-03-01 10:00:00"\n'
)
DATA_PAGE = "on the Data page of the app"


def test_unknown_table_error(tmp_path, capsys):
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS, encoding="utf-8")

    assert main(["report", str(path)]) == 1
    error = capsys.readouterr().err.strip()

    assert error.startswith("error: members.csv: could not tell which kind of table")
    assert error.endswith(
        "Rename the columns in the file, or pick the table type and columns "
        f"{DATA_PAGE}"
    )


def test_help_names_every_sheet_default(capsys):
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())

    assert "the first with data" not in text
    assert (
        "--sheet SHEET the one sheet or zip member to read in every XLSX or zip "
        "file (default: each sheet or member as a table of its own)"
    ) in text


def test_every_sheet_read_without_option(tmp_path, capsys):
    # What the help promises: without --sheet both sheets are read.
    workbook = openpyxl.Workbook()
    deals = workbook.active
    deals.title = "Deals"
    deals.append(["Record ID", "Deal Stage", "Create Date", "Close Date"])
    deals.append([1, "Closed won", "2024-03-01", "2024-03-11"])
    tickets = workbook.create_sheet("Tickets")
    tickets.append(["Ticket ID", "Created at", "Solved at"])
    tickets.append([7, "2024-03-04 09:00:00", "2024-03-04 13:00:00"])
    path = tmp_path / "crm.xlsx"
    workbook.save(path)

    assert main(["report", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)

    files = [item["file"] for item in report["inputs"]]
    assert files == ["crm.xlsx (Deals)", "crm.xlsx (Tickets)"]
