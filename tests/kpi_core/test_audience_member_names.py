"""The status and audience id that the name of a Mailchimp member file
gives, and the names that are no member files."""

from __future__ import annotations

import pytest

from kpi_core.audience_members import (
    has_member_columns,
    names_audience,
    parse_member_name,
    source_audience,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("subscribed_members_export_4f2a9b.csv", ("subscribed", "4f2a9b")),
        ("unsubscribed_members_export_4f2a9b.csv", ("unsubscribed", "4f2a9b")),
        ("cleaned_members_export_4f2a9b.csv", ("cleaned", "4f2a9b")),
        ("nonsubscribed_members_export_4f2a9b.csv", ("nonsubscribed", "4f2a9b")),
        ("non_subscribed_members_export_4f2a9b.csv", ("nonsubscribed", "4f2a9b")),
        ("Non-Subscribed_members_export_4f2a9b.csv", ("nonsubscribed", "4f2a9b")),
        ("transactional_members_export_4f2a9b.csv", ("transactional", "4f2a9b")),
        ("archived_members_export_4f2a9b.csv", ("archived", "4f2a9b")),
        ("subscribed_members_export.csv", ("subscribed", None)),
        # A second download of the same name, and a folder inside a zip.
        ("subscribed_members_export_4f2a9b (1).csv", ("subscribed", "4f2a9b")),
        ("export/cleaned_members_export_4f2a9b.csv", ("cleaned", "4f2a9b")),
        ("SUBSCRIBED.CSV", ("subscribed", None)),
        ("unsubscribed.csv", ("unsubscribed", None)),
        # Current exports, in the folder of the zip or unpacked.
        (
            "audience_export_1a10653875/subscribed_email_audience_export_1a10653875.csv",
            ("subscribed", "1a10653875"),
        ),
        (
            "unsubscribed_email_audience_export_1a10653875.csv",
            ("unsubscribed", "1a10653875"),
        ),
        ("cleaned_email_audience_export_1a10653875.csv", ("cleaned", "1a10653875")),
        (
            "nonsubscribed_email_audience_export_1a10653875.csv",
            ("nonsubscribed", "1a10653875"),
        ),
        ("Cleaned Email Audience Export 1a10653875.csv", ("cleaned", "1a10653875")),
        # Files a user renamed.
        ("Subscribed Members.csv", ("subscribed", None)),
        ("Unsubscribed Members.csv", ("unsubscribed", None)),
        ("cleaned_members.csv", ("cleaned", None)),
        ("Non-Subscribed Members.csv", ("nonsubscribed", None)),
        ("Non Subscribed Members (1).csv", ("nonsubscribed", None)),
        ("pending.csv", ("pending", None)),
    ],
)
def test_member_name_parsed(name, expected):
    assert parse_member_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "resubscribed.csv",
        "subscribed_list.csv",
        "my_subscribed_members.csv",
        "subscribed_members_export_4f2a9b.xlsx",
        "subscribed_members_export_4f2a9b_old.csv",
        "newsletter_unsubscribed.csv",
        "subscribers.csv",
        "resubscribed members.csv",
        "Team Members.csv",
        "audience_export_1a10653875.csv",
        "subscribed_email_audience_export_1a10653875_old.csv",
        "deals.csv",
    ],
)
def test_other_names_not_members(name):
    assert parse_member_name(name) is None


def test_resubscribed_not_subscribed():
    # An export form takes a status the app does not know, which the readers
    # then leave out with a warning. It is never read as "subscribed".
    name = "resubscribed_email_audience_export_1a10653875.csv"
    assert parse_member_name(name) == ("resubscribed", "1a10653875")


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Email Address", "First Name", "OPTIN_TIME"], True),
        (["Email Address", "LAST_CHANGED"], True),
        (["Email Address", "First Name"], False),
        (["OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED"], False),
        (["Record ID", "Deal Stage", "Create Date", "Amount"], False),
    ],
)
def test_named_member_columns(columns, expected):
    assert has_member_columns(columns) is expected


@pytest.mark.parametrize(
    ("source_file", "expected"),
    [
        ("members_export_7c3e9a41f2.zip", "7c3e9a41f2"),
        ("audience_export_4f2a9b.zip", "4f2a9b"),
        ("Downloads/members_export_4f2a9b (1).zip", "4f2a9b"),
        ("Mailchimp audience 4f2a9b", "4f2a9b"),
        ("Mailchimp audience", None),
        ("newsletter.zip", None),
        ("members_export_4f2a9b.csv", None),
    ],
)
def test_source_audience(source_file, expected):
    assert source_audience(source_file) == expected


def test_names_audience():
    names = [
        "audience_export_4f2a9b/subscribed_email_audience_export_4f2a9b.csv",
        "cleaned_members_export_4f2a9b.csv",
        "notes.txt",
    ]
    assert names_audience(names) == "4f2a9b"
    assert names_audience(["subscribed.csv"]) is None
    two = ["subscribed_members_export_4f2a9b.csv", "cleaned_members_export_1b.csv"]
    assert names_audience(two) is None
