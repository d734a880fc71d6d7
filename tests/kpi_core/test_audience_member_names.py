"""The status and audience id that the name of a Mailchimp member file
gives, and the names that are no member files."""

from __future__ import annotations

import pytest

from kpi_core.audience_members import parse_member_name


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
    ],
)
def test_other_names_not_members(name):
    assert parse_member_name(name) is None
