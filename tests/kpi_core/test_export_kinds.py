"""Stripe subscriptions without a start column and HubSpot contacts exports
are recognised for what they are."""

from __future__ import annotations

from datetime import datetime

import pytest

from kpi_core.__main__ import main
from kpi_core.errors import MissingColumnError
from kpi_core.importing import load_file, preview_file

STRIPE_HEADER = (
    "id,Customer ID,Status,Created (UTC),Current Period Start (UTC),"
    "Current Period End (UTC),Canceled At (UTC),Ended At (UTC),Plan,Quantity,"
    "Amount,Interval"
)
STRIPE_ROWS = [
    "sub_1,cus_1,active,2024-01-05 10:00,2024-06-05 10:00,2024-07-05 10:00,,,"
    "Pro,1,50.00,month",
    "sub_2,cus_2,canceled,2024-02-10 09:00,2024-04-10 09:00,2024-05-10 09:00,"
    "2024-05-01 12:00,2024-05-10 09:00,Basic,2,20.00,month",
]
CONTACTS = (
    "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,"
    "Create Date,Last Activity Date,Country/Region,Original Source\n"
    "101,Ann,Lee,ann@example.com,Jane Doe,customer,2024-01-05 10:00,"
    "2024-03-01 10:00,Germany,Organic search\n"
    "102,Bob,Ray,bob@example.com,Jane Doe,lead,2024-02-10 09:00,,France,"
    "Paid social\n"
)


def _write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_stripe_created_is_the_start(tmp_path):
    content = "\n".join([STRIPE_HEADER, *STRIPE_ROWS]) + "\n"
    path = _write(tmp_path, "subscriptions.csv", content)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "subscriptions"
    # Not "Current Period Start (UTC)", which is the current billing period.
    assert prepared.mapping.columns["started_at"] == "Created (UTC)"
    # The header says UTC, so the times are read in Berlin time, one hour
    # later in winter.
    assert prepared.frame["started_at"].to_list() == [
        datetime(2024, 1, 5, 11, 0),
        datetime(2024, 2, 10, 10, 0),
    ]


@pytest.mark.parametrize("start_header", ["Start Date (UTC)", "Start (UTC)"])
def test_stripe_start_column_beats_created(tmp_path, start_header):
    header = STRIPE_HEADER.replace("Plan,", f"{start_header},Plan,")
    rows = [
        row.replace(",Pro,", ",2024-01-20 00:00,Pro,").replace(
            ",Basic,", ",2024-02-20 00:00,Basic,"
        )
        for row in STRIPE_ROWS
    ]
    path = _write(tmp_path, "subscriptions.csv", "\n".join([header, *rows]) + "\n")
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "subscriptions"
    assert prepared.mapping.columns["started_at"] == start_header
    # Midnight UTC is 01:00 in Berlin in winter.
    assert prepared.frame["started_at"].to_list() == [
        datetime(2024, 1, 20, 1, 0),
        datetime(2024, 2, 20, 1, 0),
    ]


def test_created_alone_is_no_subscription(tmp_path):
    # An accounts export: a creation date, plan and status, but nothing
    # about when a subscription ran or what it charges.
    content = "Customer ID,Created,Plan,Status\nc1,2024-01-01,Pro,active\n"
    path = _write(tmp_path, "accounts.csv", content)
    assert preview_file(path.name, path.read_bytes()).table != "subscriptions"


def test_contacts_export_not_guessed(tmp_path):
    path = _write(tmp_path, "contacts.csv", CONTACTS)
    preview = preview_file(path.name, path.read_bytes())
    assert preview.table is None
    assert preview.mapping is None


def test_contacts_minimal_not_stage_history(tmp_path):
    content = (
        "Record ID,First Name,Last Name,Email,Lifecycle Stage\n"
        "501,Lena,Krüger,lena@example.com,customer\n"
    )
    path = _write(tmp_path, "contacts.csv", content)
    assert preview_file(path.name, path.read_bytes()).table is None


def test_contacts_message_names_the_kind(tmp_path):
    path = _write(tmp_path, "contacts.csv", CONTACTS)
    with pytest.raises(MissingColumnError) as raised:
        load_file(path.name, path.read_bytes())
    message = str(raised.value)
    assert (
        "The column 'Lifecycle Stage' without a deal stage, amount or close date "
        "marks a contacts or companies export" in message
    )
    assert "deals (Stage, Created date)" in message


def test_deals_with_lifecycle_stage_stay_deals(tmp_path):
    content = (
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,"
        "Lifecycle Stage\n"
        "1,A,Closed Won,100,2024-02-01,2024-01-10,customer\n"
    )
    path = _write(tmp_path, "deals.csv", content)
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "deals"
    assert prepared.mapping.columns["stage"] == "Deal Stage"


def test_cli_contacts_exit_message(tmp_path, capsys):
    path = _write(tmp_path, "contacts.csv", CONTACTS)
    assert main(["report", str(path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: contacts.csv: could not tell which kind")
    assert "marks a contacts or companies export" in error
