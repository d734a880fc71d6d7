"""Warnings on the member files of a Mailchimp audience name the file a line
is in, and the file names of current exports."""

from __future__ import annotations

from kpi_core.importing import load_audience, preview_file

HEADER = "Email Address,First Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED"
SUBSCRIBED = (
    f"{HEADER}\n"
    "ana@example.com,Ana,2,2025-01-02 10:00:00,2025-01-02 10:00:00,"
    "2025-01-02 10:00:00\n"
)
UNSUBSCRIBED = (
    f"{HEADER},UNSUB_TIME\n"
    "ben@example.com,Ben,2,2025-01-02 10:00:00,2025-01-02 10:00:00,"
    "2025-01-05 10:00:00,2025-02-05 10:00:00\n"
    "cara@example.com,Cara,2,2025-01-03 10:00:00,2025-01-03 10:00:00,"
    "2025-01-05 10:00:00,not a date\n"
)


def _load(tmp_path, files: dict[str, str]):
    previews = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        previews.append(preview_file(name, path.read_bytes()))
    return load_audience(previews)


def test_member_warnings_name_files(tmp_path):
    events = _load(
        tmp_path,
        {
            "subscribed_email_audience_export_9c1d.csv": SUBSCRIBED,
            "unsubscribed_email_audience_export_9c1d.csv": UNSUBSCRIBED,
        },
    )
    missing, unreadable = events.read_warnings
    assert missing.startswith(
        "no cleaned members file (cleaned_email_audience_export_9c1d.csv; older "
        "exports name it cleaned_members_export_9c1d.csv) was read"
    )
    # Cara's UNSUB_TIME on line 3 of the unsubscribed file is the only one.
    assert unreadable.startswith(
        "1 time cell of the audience could not be read as a date (line 3 of "
        "unsubscribed_email_audience_export_9c1d.csv), such as 'not a date' in "
        "UNSUB_TIME. "
    )
