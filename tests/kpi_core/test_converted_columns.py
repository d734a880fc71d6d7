"""Exports that the import converts before mapping (a Mailchimp audience, an
ActiveCampaign contacts export, HubSpot's "Date entered" columns) are
described by the file's own columns: in the report's `columns` and
`detected`, and in the warnings and errors on their cells."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import PROJECT

# Mailchimp member files as the audience export writes them. Ben was
# imported without an opt-in time, and Erik's unsubscribe has no
# UNSUB_TIME, so LAST_CHANGED dates it.
SUBSCRIBED = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
    "CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,"
    "REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
    'anna@example.com,Anna,Berg,2,"2024-01-15 09:12:00",,"2024-01-15 09:14:00",'
    ',,,,,,,,"2024-01-15 09:14:00",101,e1a,,\n'
    'ben@example.com,Ben,Cole,3,,,"2024-02-03 11:00:00",,,,,,,,,'
    '"2024-02-03 11:00:00",102,e2b,,\n'
)
UNSUBSCRIBED = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
    "CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,"
    "REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,"
    "UNSUB_REASON_OTHER,LAST_CHANGED,LEID,EUID,NOTES\n"
    'carl@example.com,Carl,Dahl,1,"2023-11-20 08:00:00",,"2023-11-20 08:01:00",'
    ',,,,,,,,"2024-03-01 10:00:00",March news,c1,NORMAL,,"2024-03-01 10:00:00",'
    "103,e3c,\n"
    'erik@example.com,Erik,Falk,1,"2023-10-02 17:30:00",,"2023-10-02 17:31:00",'
    ',,,,,,,,,,,,,"2024-04-02 09:00:00",105,e5e,\n'
)
CLEANED = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
    "CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,"
    "REGION,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LAST_CHANGED,"
    "LEID,EUID,NOTES\n"
    'dora@example.com,Dora,Engel,1,"2023-12-01 12:00:00",,"2023-12-01 12:05:00",'
    ',,,,,,,,"2024-02-20 07:30:00",Feb news,c2,"2024-02-20 07:30:00",104,e4d,\n'
)
CONTACTS = (
    "Email,First Name,Last Name,Phone,Organization,Tags,Date Created,"
    "Date Updated,Status\n"
    "anna@example.com,Anna,Berg,,Acme,newsletter,2024-01-15 09:12:00,"
    "2024-01-15 09:12:00,Active\n"
    "ben@example.com,Ben,Cole,,,newsletter,2024-02-03 11:00:00,"
    "2024-05-10 08:30:00,Unsubscribed\n"
    "carl@example.com,Carl,Dahl,,Beta GmbH,,2024-02-20 14:45:00,"
    "2024-06-01 10:00:00,Bounced\n"
    "dora@example.com,Dora,Engel,,,,2024-03-05 16:20:00,2024-03-05 16:20:00,"
    "Unconfirmed\n"
)
SCHEDULED = 'Date entered "Appointment Scheduled (Sales Pipeline)"'
QUALIFIED = 'Date entered "Qualified To Buy (Sales Pipeline)"'
WON = 'Date entered "Closed Won (Sales Pipeline)"'
DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,"
    'Pipeline,"Date entered ""Appointment Scheduled (Sales Pipeline)""",'
    '"Date entered ""Qualified To Buy (Sales Pipeline)""",'
    '"Date entered ""Closed Won (Sales Pipeline)"""\n'
    "1001,Acme renewal,Closed Won,12000,2024-03-20,2024-01-10,Ana,"
    "Sales Pipeline,2024-01-10 09:00,2024-02-01 10:30,2024-03-20 16:00\n"
    "1002,Beta pilot,Qualified To Buy,4500,,2024-02-05,Ben,Sales Pipeline,"
    "2024-02-05 11:00,2024-02-12 15:00,\n"
    "1003,Gamma upsell,Appointment Scheduled,8000,,2024-03-01,Ana,"
    "Sales Pipeline,2024-03-01 08:15,,\n"
)


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", "report", str(path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _report(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return _run(path)


def _audience(tmp_path: Path, cleaned: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "audience.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("subscribed_members_export_5f2a.csv", SUBSCRIBED)
        archive.writestr("unsubscribed_members_export_5f2a.csv", UNSUBSCRIBED)
        archive.writestr("cleaned_members_export_5f2a.csv", cleaned)
    return _run(path)


def test_audience_names_time_columns(tmp_path):
    result = _audience(tmp_path, CLEANED)
    assert result.returncode == 0, result.stderr
    [table] = json.loads(result.stdout)["inputs"]
    assert table["table"] == "email_events"
    # A subscribe for each of the 5 members, the unsubscribes of Carl and
    # Erik and Dora's cleaned event.
    assert table["rows"] == 8
    # The subscribes come first, so their time columns lead.
    times = ["OPTIN_TIME", "CONFIRM_TIME", "UNSUB_TIME", "LAST_CHANGED", "CLEAN_TIME"]
    assert table["columns"] == {
        "email": "Email Address",
        "event": times,
        "occurred_at": times,
    }
    assert table["detected"] == {name: "dates year first (ISO)" for name in times}


def test_audience_date_warning_names_column(tmp_path):
    # 2204 for 2024 in Dora's CLEAN_TIME, on line 2 of the cleaned members.
    typo = CLEANED.replace('"2024-02-20 07:30:00",Feb', '"2204-02-20 07:30:00",Feb')
    result = _audience(tmp_path, typo)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["emptied"] == {
        "a date before 1950 or over 10 years ahead in 'CLEAN_TIME'": 1
    }
    assert report["warnings"][0] == (
        "audience.zip: 1 row with a date before 1950 or over 10 years ahead in "
        "column 'CLEAN_TIME' (line 2; for example '2204-02-20'); read as empty; "
        "the row is kept, so KPIs that need 'CLEAN_TIME' leave it out"
    )


def test_contacts_name_status_and_dates(tmp_path):
    result = _report(tmp_path, "contacts.csv", CONTACTS)
    assert result.returncode == 0, result.stderr
    [table] = json.loads(result.stdout)["inputs"]
    assert table["table"] == "email_events"
    # Subscribes of Anna, Ben and Carl, then Ben's unsubscribe and Carl's
    # cleaned event. Dora is unconfirmed.
    assert table["rows"] == 5
    assert table["columns"] == {
        "email": "Email",
        "event": "Status",
        "occurred_at": ["Date Created", "Date Updated"],
    }
    assert table["detected"] == {
        "Date Created": "dates year first (ISO)",
        "Date Updated": "dates year first (ISO)",
    }


def test_contacts_date_warning_names_column(tmp_path):
    # 31 February in Ben's "Date Updated" on line 3.
    text = CONTACTS.replace("2024-05-10 08:30:00", "2024-02-31 08:30:00")
    result = _report(tmp_path, "contacts.csv", text)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][0]["emptied"] == {"an invalid date in 'Date Updated'": 1}
    assert report["warnings"][0] == (
        "contacts.csv: 1 row with an invalid date in column 'Date Updated' "
        "(line 3; for example '2024-02-31 08:30:00'); read as empty; the row is "
        "kept, so KPIs that need 'Date Updated' leave it out"
    )


def test_contacts_ambiguous_dates_name_both(tmp_path):
    text = (
        "Email,First Name,Last Name,Date Created,Date Updated,Status\n"
        "anna@example.com,Anna,Berg,01/02/2024,01/02/2024,Active\n"
        "ben@example.com,Ben,Cole,03/04/2024,05/06/2024,Unsubscribed\n"
        "carl@example.com,Carl,Dahl,02/03/2024,04/05/2024,Bounced\n"
    )
    result = _report(tmp_path, "contacts.csv", text)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: contacts.csv, columns 'Date Created' and 'Date Updated': every "
        "date fits both day-first and month-first order; choose one date order "
        "(dd/mm or mm/dd) for these columns"
    )
    assert "Occurred at" not in result.stderr


def test_stage_history_names_date_entered(tmp_path):
    result = _report(tmp_path, "deals.csv", DEALS)
    assert result.returncode == 0, result.stderr
    deals, history = json.loads(result.stdout)["inputs"]
    assert deals["table"] == "deals"
    assert history["table"] == "stage_history"
    # Deal 1001 entered 3 stages, 1002 two and 1003 one.
    assert history["rows"] == 6
    assert history["columns"] == {
        "deal_id": "Record ID",
        "stage": [SCHEDULED, QUALIFIED, WON],
        "entered_at": [SCHEDULED, QUALIFIED, WON],
    }
    assert history["detected"] == {
        SCHEDULED: "dates year first (ISO)",
        QUALIFIED: "dates year first (ISO)",
        WON: "dates year first (ISO)",
    }


def test_stage_date_warning_names_column(tmp_path):
    # 30 February in deal 1002's qualified date on line 3.
    text = DEALS.replace("2024-02-12 15:00", "2024-02-30 15:00")
    result = _report(tmp_path, "deals.csv", text)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["inputs"][1]["emptied"] == {f"an invalid date in {QUALIFIED!r}": 1}
    assert report["warnings"][0] == (
        f"deals.csv: 1 row with an invalid date in column {QUALIFIED!r} (line 3; "
        "for example '2024-02-30 15:00'); read as empty; the row is kept, so KPIs "
        f"that need {QUALIFIED!r} leave it out"
    )


def test_stage_ambiguous_dates_name_columns(tmp_path):
    text = (
        'Record ID,Deal Name,"Date entered ""Appointment Scheduled (Sales '
        'Pipeline)""","Date entered ""Closed Won (Sales Pipeline)"""\n'
        "1001,Acme renewal,01/02/2024 09:00,03/04/2024 16:00\n"
        "1002,Beta pilot,02/03/2024 11:00,\n"
    )
    result = _report(tmp_path, "deals.csv", text)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: deals.csv, columns {SCHEDULED!r} and {WON!r}: every date fits both "
        "day-first and month-first order; choose one date order (dd/mm or mm/dd) "
        "for these columns"
    )
    assert "Entered at" not in result.stderr


def test_unusable_stage_dates_name_columns(tmp_path):
    text = (
        'Record ID,Deal Name,Deal Stage,"Date entered ""Appointment Scheduled '
        '(Sales Pipeline)""","Date entered ""Closed Won (Sales Pipeline)"""\n'
        "1001,Acme renewal,Closed Won,Jan 2024,March\n"
        "1002,Beta pilot,Appointment Scheduled,Feb 2024,\n"
        "1003,Gamma upsell,Appointment Scheduled,spring,\n"
    )
    result = _report(tmp_path, "deals.csv", text)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: deals.csv, columns {SCHEDULED!r} and {WON!r}: no filled cell of these "
        "columns can be used as Entered date: 3 rows with an invalid date in column "
        f"{SCHEDULED!r} (lines 2, 3, 4; for example 'Jan 2024', 'Feb 2024', 'spring'); "
        f"1 row with an invalid date in column {WON!r} (line 2; for example "
        "'March'). If the columns were mapped by mistake"
    )
