"""Mailchimp audience exports whose member files were saved again by a
spreadsheet: German dates are read, and other dates are named."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from kpi_core.email_list import list_growth_rate
from kpi_core.importing import load_file
from kpi_core.period import Period

SUBSCRIBED = (
    "Email Address,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED\n"
    "ana@example.com,2024-02-01 10:00:00,,2024-02-01 10:00:00\n"
    "ben@example.com,2024-03-15 08:00:00,,2024-03-15 08:00:00\n"
)
UNSUBSCRIBED = (
    "Email Address,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED,UNSUB_TIME\n"
    "cara@example.com,2023-11-01 09:00:00,,2024-04-20 18:00:00,2024-04-20 18:00:00\n"
)
# The cleaned members as German Excel saves them again: semicolons and
# day-first dates.
CLEANED_GERMAN = (
    "Email Address;OPTIN_TIME;CONFIRM_TIME;LAST_CHANGED;CLEAN_TIME\n"
    "dan@example.com;01.06.2023 12:00;;02.05.2024 07:00;02.05.2024 07:00\n"
    "eva@example.com;10.01.2024 09:00;;05.03.2025 08:00;05.03.2025 08:00\n"
)
YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


def _audience(cleaned: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("subscribed_members_export_1a.csv", SUBSCRIBED)
        archive.writestr("unsubscribed_members_export_1a.csv", UNSUBSCRIBED)
        archive.writestr("cleaned_members_export_1a.csv", cleaned)
    return buffer.getvalue()


def test_german_dates_of_a_saved_member_file_read():
    events = load_file("audience.zip", _audience(CLEANED_GERMAN))
    result = list_growth_rate(events.frame, YEAR_2024)
    # On the list at the end of 2023: cara and dan. In 2024 ana, ben and eva
    # subscribe, cara unsubscribes and dan is cleaned; eva is cleaned in
    # 2025. (3 - 1 - 1) / 2 x 100 = 50 %.
    assert result.value == pytest.approx(50.0)
    assert events.read_warnings == ()


def test_unreadable_dates_named():
    slashed = CLEANED_GERMAN.replace("01.06.2023", "6/1/2023").replace(
        "10.01.2024", "1/10/2024"
    )
    events = load_file("audience.zip", _audience(slashed))
    [warning] = [w for w in events.read_warnings if "could not be read" in w]
    assert warning.startswith(
        "2 time cells of the audience could not be read as a date (lines 2, 3 "
        "of cleaned_members_export_1a.csv), such as '6/1/2023 12:00' in "
        "OPTIN_TIME on line 2 of cleaned_members_export_1a.csv"
    )


def test_member_file_the_app_cannot_read_named():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("subscribed_members_export_1a.csv", SUBSCRIBED)
        archive.writestr("unsubscribed_members_export_1a.csv", UNSUBSCRIBED)
        archive.writestr("cleaned_members_export_1a.xlsx", b"PK not read here")
    events = load_file("audience.zip", buffer.getvalue())
    assert events.read_warnings == (
        "the zip also holds cleaned_members_export_1a.xlsx, which the app does "
        "not read: it reads the CSV, TXT and TSV files of a zip. Save such a "
        "file as CSV and zip it again, or upload it on its own",
        # The cleaned members are in the file the app does not read.
        "no cleaned members file (cleaned_email_audience_export_1a.csv; older "
        "exports name it cleaned_members_export_1a.csv) was read, so "
        "the audience's cleaned contacts are missing: the contacts at the start "
        "and the removals may be too low. Export the audience again and use its "
        "zip, or give all its CSV files together",
    )


def test_unreadable_lines_named_per_member_file():
    american = UNSUBSCRIBED.replace("2023-11-01 09:00:00", "11/1/2023 9:00")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "subscribed_members_export_1a.csv",
            SUBSCRIBED.replace("2024-03-15 08:00:00,,", "3/15/2024 8:00,,"),
        )
        archive.writestr("unsubscribed_members_export_1a.csv", american)
        archive.writestr("cleaned_members_export_1a.csv", CLEANED_GERMAN)
    events = load_file("audience.zip", buffer.getvalue())
    [warning] = [w for w in events.read_warnings if "could not be read" in w]
    # Ben's opt-in on line 3 of the subscribed file, Cara's on line 2 of the
    # unsubscribed one.
    assert (
        "(line 3 of subscribed_members_export_1a.csv; line 2 of "
        "unsubscribed_members_export_1a.csv)"
    ) in warning
