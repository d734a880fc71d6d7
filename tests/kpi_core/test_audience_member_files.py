"""Mailchimp audience exports: the non-subscribed contacts of the zip, and
the member CSVs given as files of their own, as macOS unpacks the zip."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from kpi_core.errors import EmptyDataError, InvalidValueError, UnreadableFileError
from kpi_core.importing import preview_file
from kpi_core.period import Period
from kpi_core.reading import read_table
from kpi_core.report import ReportOptions, build_report

COLUMNS = [
    "Email Address", "First Name", "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP",
    "CONFIRM_TIME", "CONFIRM_IP", "LAST_CHANGED", "LEID", "EUID", "TAGS",
]  # fmt: skip
UNSUB_COLUMNS = [*COLUMNS, "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_REASON"]
CLEAN_COLUMNS = [*COLUMNS, "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE"]


def _line(cells: list[str]) -> str:
    return ",".join(f'"{cell}"' for cell in cells)


def _contact(email: str, optin: str, confirm: str, changed: str, *extra: str) -> str:
    """Return one member row as Mailchimp writes it, every cell quoted.
    ``extra`` fills the columns of the unsubscribed or cleaned file."""
    optin_ip = "1.2.3.4" if optin else ""
    confirm_ip = "1.2.3.4" if confirm else ""
    name = email.split("@")[0].upper()
    cells = [email, name, "2", optin, optin_ip, confirm, confirm_ip, changed]
    return _line([*cells, "1", "e1", "", *extra])


def _csv(columns: list[str], *rows: str) -> str:
    return "\n".join([_line(columns), *rows]) + "\n"


# March 2024: s1, s2, u1 and c1 are on the list on 1 March. s3, s4 (an
# imported contact with a confirm time only) and s5 join in March, u1
# unsubscribes on 10 March and c1 is cleaned on 20 March. u2 joined and left
# before March.
SUBSCRIBED = _csv(
    COLUMNS,
    _contact(
        "s1@example.com",
        "2024-01-10 09:00:00",
        "2024-01-10 09:01:00",
        "2024-01-10 09:01:00",
    ),
    _contact(
        "s2@example.com",
        "2024-02-20 09:00:00",
        "2024-02-20 09:01:00",
        "2024-02-20 09:01:00",
    ),
    _contact(
        "s3@example.com",
        "2024-03-05 09:00:00",
        "2024-03-05 09:01:00",
        "2024-03-05 09:01:00",
    ),
    _contact("s4@example.com", "", "2024-03-12 09:00:00", "2024-03-12 09:00:00"),
    _contact(
        "s5@example.com",
        "2024-03-25 09:00:00",
        "2024-03-25 09:01:00",
        "2024-03-25 09:01:00",
    ),
)
UNSUBSCRIBED = _csv(
    UNSUB_COLUMNS,
    _contact(
        "u1@example.com", "2023-12-01 09:00:00", "2023-12-01 09:01:00",
        "2024-03-10 14:00:00", "2024-03-10 14:00:00", "March Newsletter", "NORMAL",
    ),
    _contact(
        "u2@example.com", "2024-01-05 09:00:00", "2024-01-05 09:01:00",
        "2024-02-01 14:00:00", "2024-02-01 14:00:00", "Feb Newsletter", "NORMAL",
    ),
)  # fmt: skip
CLEANED = _csv(
    CLEAN_COLUMNS,
    _contact(
        "c1@example.com", "2024-01-15 09:00:00", "2024-01-15 09:01:00",
        "2024-03-20 07:00:00", "2024-03-20 07:00:00", "March Newsletter",
    ),
)  # fmt: skip
# Contacts who never opted in: no opt-in or confirm time. Read as
# subscribed, n2 would join on 2 January by its LAST_CHANGED and n1 on
# 8 March.
NONSUBSCRIBED = _csv(
    COLUMNS,
    _contact("n1@example.com", "", "", "2024-03-08 10:00:00"),
    _contact("n2@example.com", "", "", "2024-01-02 10:00:00"),
)
CLEAN_HEADER = _line(CLEAN_COLUMNS)
MARCH = ReportOptions(period=Period(date(2024, 3, 1), date(2024, 3, 31)))
# (3 new - 1 unsubscribed - 1 cleaned) / 4 on the list on 1 March x 100.
MARCH_RATE = (3 - 1 - 1) / 4 * 100


def _members(audience: str = "4f2a9b") -> dict[str, str]:
    return {
        f"subscribed_members_export_{audience}.csv": SUBSCRIBED,
        f"unsubscribed_members_export_{audience}.csv": UNSUBSCRIBED,
        f"cleaned_members_export_{audience}.csv": CLEANED,
    }


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def _files(folder: Path, members: dict[str, str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in members.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _growth(report: dict) -> dict:
    return report["kpis"]["list_growth_rate"]


def test_zip_nonsubscribed_members_left_out(tmp_path):
    members = {**_members(), "nonsubscribed_members_export_4f2a9b.csv": NONSUBSCRIBED}
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    growth = _growth(report)
    # Read as subscribed, n1 and n2 gave (4 - 1 - 1) / 5 = 40 %.
    assert growth["value"] == pytest.approx(MARCH_RATE)
    assert growth["new_subscribers"] == 3
    assert growth["contacts_at_start"] == 4
    [entry] = report["inputs"]
    assert (
        "nonsubscribed_members_export_4f2a9b.csv: not read, its 2 contacts never "
        "opted in (non-subscribed), so they were never on the list and give no "
        "list events"
    ) in entry["read"]
    assert report["warnings"] == []


@pytest.mark.parametrize(
    "member",
    [
        "non_subscribed_members_export_4f2a9b.csv",
        "non-subscribed_members_export_4f2a9b.csv",
        "transactional_members_export_4f2a9b.csv",
        "pending_members_export_4f2a9b.csv",
    ],
)
def test_zip_other_offlist_names_left_out(tmp_path, member):
    members = {**_members(), member: NONSUBSCRIBED}
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    [entry] = report["inputs"]
    assert any(note.startswith(f"{member}: not read") for note in entry["read"])


def test_zip_unknown_status_warned(tmp_path):
    members = {**_members(), "archived_members_export_4f2a9b.csv": NONSUBSCRIBED}
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    assert report["warnings"] == [
        "audience.zip: archived_members_export_4f2a9b.csv: not read, the app does "
        "not know the Mailchimp status 'archived', so its 2 contacts are left out "
        "of the list events. Check in Mailchimp whether they were on the list"
    ]


def test_zip_name_containing_status_not_audience(tmp_path):
    # "subscribed" inside another word or name does not make a member file,
    # so the zip is no audience export.
    members = {
        "resubscribed_contacts.csv": SUBSCRIBED,
        "unsubscribed_members_export_4f2a9b.csv": UNSUBSCRIBED,
    }
    path = _zip(tmp_path / "export.zip", members)
    with pytest.raises(UnreadableFileError, match="only a Mailchimp audience export"):
        read_table(path.name, path.read_bytes())


def test_loose_files_match_zip(tmp_path):
    zipped = build_report([_zip(tmp_path / "audience.zip", _members())], MARCH)
    paths = _files(tmp_path / "mc", _members())
    loose = build_report(paths, MARCH)
    assert _growth(loose)["value"] == pytest.approx(MARCH_RATE)
    assert _growth(loose) == _growth(zipped)
    [entry] = loose["inputs"]
    assert entry["file"] == "Mailchimp audience 4f2a9b"
    assert entry["table"] == "email_events"
    # 5 subscribes, 2 x (subscribe, unsubscribe) and 1 x (subscribe, cleaned).
    assert entry["rows"] == 5 + 2 * 2 + 2
    assert entry["read"][0] == (
        "read 3 member files of the audience together: "
        "subscribed_members_export_4f2a9b.csv (5 subscribed members), "
        "unsubscribed_members_export_4f2a9b.csv (2 unsubscribed members), "
        "cleaned_members_export_4f2a9b.csv (1 cleaned member)"
    )
    assert loose["warnings"] == []


def test_loose_files_any_order(tmp_path):
    paths = _files(tmp_path / "mc", _members())
    report = build_report(paths[::-1], MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)


def test_loose_nonsubscribed_file_left_out(tmp_path):
    members = {**_members(), "nonsubscribed_members_export_4f2a9b.csv": NONSUBSCRIBED}
    report = build_report(_files(tmp_path / "mc", members), MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    [entry] = report["inputs"]
    assert any(
        note.startswith("nonsubscribed_members_export_4f2a9b.csv: not read")
        for note in entry["read"]
    )


@pytest.mark.parametrize(
    ("alone", "missing"),
    [
        (
            "subscribed",
            "unsubscribed and cleaned members (unsubscribed_email_audience_export"
            "_4f2a9b.csv, cleaned_email_audience_export_4f2a9b.csv; older exports "
            "name them unsubscribed_members_export_4f2a9b.csv, "
            "cleaned_members_export_4f2a9b.csv)",
        ),
        (
            "unsubscribed",
            "subscribed and cleaned members (subscribed_email_audience_export"
            "_4f2a9b.csv, cleaned_email_audience_export_4f2a9b.csv; older exports "
            "name them subscribed_members_export_4f2a9b.csv, "
            "cleaned_members_export_4f2a9b.csv)",
        ),
        (
            "cleaned",
            "subscribed and unsubscribed members (subscribed_email_audience_export"
            "_4f2a9b.csv, unsubscribed_email_audience_export_4f2a9b.csv; older "
            "exports name them subscribed_members_export_4f2a9b.csv, "
            "unsubscribed_members_export_4f2a9b.csv)",
        ),
    ],
)
def test_loose_file_alone_names_missing(tmp_path, alone, missing):
    member = f"{alone}_members_export_4f2a9b.csv"
    [path] = _files(tmp_path / "mc", {member: _members()[member]})
    with pytest.raises(InvalidValueError) as caught:
        build_report([path], MARCH)
    assert str(caught.value) == (
        f"Mailchimp audience 4f2a9b: {member} contains only the {alone} members of "
        f"the audience. The list growth also needs its {missing}. Export the "
        "audience again and use its zip, or give all its CSV files together (on "
        "the Data page, add them all to the upload box)"
    )


def test_loose_without_cleaned_warns(tmp_path):
    members = _members()
    del members["cleaned_members_export_4f2a9b.csv"]
    report = build_report(_files(tmp_path / "mc", members), MARCH)
    growth = _growth(report)
    # Without c1: s1, s2 and u1 on the list on 1 March, 3 new, 1
    # unsubscribed: (3 - 1) / 3 x 100.
    assert growth["value"] == pytest.approx((3 - 1) / 3 * 100)
    assert growth["contacts_at_start"] == 3
    assert report["warnings"] == [
        "Mailchimp audience 4f2a9b: no cleaned members file "
        "(cleaned_email_audience_export_4f2a9b.csv; older exports name it "
        "cleaned_members_export_4f2a9b.csv) was read, so the audience's cleaned "
        "contacts are missing: the contacts at the start and the removals may be "
        "too low. Export the audience again and use its zip, or give all its CSV "
        "files together"
    ]


def test_loose_empty_member_file(tmp_path):
    # An export whose audience has no cleaned contacts has a cleaned file with
    # the header only, as the zip has.
    members = {**_members(), "cleaned_members_export_4f2a9b.csv": CLEAN_HEADER + "\n"}
    report = build_report(_files(tmp_path / "mc", members), MARCH)
    # Without c1: (3 new - 1 unsubscribed) / 3 on the list x 100.
    assert _growth(report)["value"] == pytest.approx((3 - 1) / 3 * 100)
    assert report["warnings"] == []
    zipped = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    assert _growth(zipped) == _growth(report)


def test_cleaned_status_from_name(tmp_path):
    # A cleaned file without CLEAN_TIME has the columns of the subscribed
    # one, so its name gives its status. c1 leaves on LAST_CHANGED.
    cleaned = _csv(
        COLUMNS,
        _contact(
            "c1@example.com",
            "2024-01-15 09:00:00",
            "2024-01-15 09:01:00",
            "2024-03-20 07:00:00",
        ),
    )
    members = {**_members(), "cleaned_members_export_4f2a9b.csv": cleaned}
    paths = _files(tmp_path / "mc", members)
    raw = read_table(paths[2].name, paths[2].read_bytes())
    assert "CLEAN_TIME" not in raw.frame.columns
    assert raw.info.audience.status == "cleaned"
    assert _growth(build_report(paths, MARCH))["value"] == pytest.approx(MARCH_RATE)


def test_status_from_columns_when_renamed(tmp_path):
    # Renamed files: UNSUB_TIME and CLEAN_TIME still tell two of the three.
    folder = tmp_path / "renamed"
    folder.mkdir()
    (folder / "leavers.csv").write_text(UNSUBSCRIBED, encoding="utf-8")
    (folder / "bounces.csv").write_text(CLEANED, encoding="utf-8")
    (folder / "subscribed_members_export.csv").write_text(SUBSCRIBED, encoding="utf-8")
    paths = sorted(folder.iterdir())
    report = build_report(paths, MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    assert report["inputs"][0]["file"] == "Mailchimp audience"


def test_unnamed_member_status_unknown(tmp_path):
    path = tmp_path / "audience.csv"
    path.write_text(SUBSCRIBED, encoding="utf-8")
    with pytest.raises(InvalidValueError) as caught:
        preview_file(path.name, path.read_bytes())
    assert str(caught.value).startswith(
        "audience.csv: the columns are those of a Mailchimp audience member file, "
        "but neither they nor the file name show whether it contains the subscribed, "
        "cleaned or non-subscribed members."
    )


def test_name_contradicting_columns(tmp_path):
    path = tmp_path / "subscribed_members_export_4f2a9b.csv"
    path.write_text(UNSUBSCRIBED, encoding="utf-8")
    with pytest.raises(InvalidValueError) as caught:
        read_table(path.name, path.read_bytes())
    assert str(caught.value) == (
        "subscribed_members_export_4f2a9b.csv, column 'UNSUB_TIME': the file name "
        "marks subscribed members, but the UNSUB_TIME column belongs to the "
        "unsubscribed members of a Mailchimp audience. Give the file the name "
        "Mailchimp gave it, or use the export's zip"
    )


def test_same_status_twice_rejected(tmp_path):
    paths = _files(tmp_path / "mc", _members())
    copy = tmp_path / "mc" / "subscribed_members_export_4f2a9b (1).csv"
    copy.write_text(SUBSCRIBED, encoding="utf-8")
    with pytest.raises(InvalidValueError) as caught:
        build_report([*paths, copy], MARCH)
    assert str(caught.value) == (
        "Mailchimp audience 4f2a9b: subscribed_members_export_4f2a9b.csv and "
        "subscribed_members_export_4f2a9b (1).csv each contain the subscribed "
        "members of a Mailchimp audience, so their contacts would count twice. "
        "Give one of them"
    )


def test_two_audiences_two_tables(tmp_path):
    first = _files(tmp_path / "first", _members("4f2a9b"))
    # The second audience has the same contacts but no cleaned one.
    second_members = {
        **_members("77aa01"),
        "cleaned_members_export_77aa01.csv": CLEAN_HEADER + "\n",
    }
    second = _files(tmp_path / "second", second_members)
    report = build_report([*first, *second], MARCH)
    files = [entry["file"] for entry in report["inputs"]]
    assert files == ["Mailchimp audience 4f2a9b", "Mailchimp audience 77aa01"]
    # The last audience is used, as for any two tables of one type: (3 - 1) / 3.
    assert _growth(report)["value"] == pytest.approx((3 - 1) / 3 * 100)
    assert report["warnings"][-1] == (
        "several email_events tables given; the KPIs use Mailchimp audience "
        "77aa01 and ignore Mailchimp audience 4f2a9b"
    )


def test_loose_file_long_line_rejected(tmp_path):
    members = _members()
    # An unquoted comma in the campaign title adds a field to u2's line.
    members["unsubscribed_members_export_4f2a9b.csv"] = UNSUBSCRIBED.replace(
        '"Feb Newsletter"', "Feb, Newsletter"
    )
    paths = _files(tmp_path / "mc", members)
    with pytest.raises(UnreadableFileError) as caught:
        build_report(paths, MARCH)
    assert str(caught.value) == (
        "unsubscribed_members_export_4f2a9b.csv: line 3 has 15 fields, the header "
        "has 14; put quotes around values that contain the delimiter, or export "
        "the file again"
    )


def _email_audience_members(folder: str = "") -> dict[str, str]:
    """Return the member files as current Mailchimp exports name them, with
    the folder that the zip puts them in."""
    audience = "1a10653875"
    return {
        f"{folder}{status}_email_audience_export_{audience}.csv": text
        for status, text in [
            ("subscribed", SUBSCRIBED),
            ("unsubscribed", UNSUBSCRIBED),
            ("cleaned", CLEANED),
            ("nonsubscribed", NONSUBSCRIBED),
        ]
    }


@pytest.mark.parametrize("folder", ["audience_export_1a10653875/", ""])
def test_zip_email_audience_export_read(tmp_path, folder):
    members = _email_audience_members(folder)
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    growth = _growth(report)
    # (3 new - 1 unsubscribed - 1 cleaned) / 4 on the list = 25 %, with the
    # non-subscribed n1 and n2 left out.
    assert growth["value"] == pytest.approx(MARCH_RATE)
    assert growth["new_subscribers"] == 3
    assert growth["unsubscribes"] == 1
    assert growth["cleaned"] == 1
    assert growth["contacts_at_start"] == 4
    [entry] = report["inputs"]
    assert entry["table"] == "email_events"
    assert (
        f"{folder}nonsubscribed_email_audience_export_1a10653875.csv: not read, its "
        "2 contacts never opted in (non-subscribed), so they were never on the "
        "list and give no list events"
    ) in entry["read"]
    assert report["warnings"] == []


def test_loose_email_audience_export_files(tmp_path):
    paths = _files(tmp_path / "mc", _email_audience_members())
    report = build_report(paths, MARCH)
    # The same 25 % as the zip: (3 - 1 - 1) / 4.
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    [entry] = report["inputs"]
    assert entry["file"] == "Mailchimp audience 1a10653875"
    assert report["warnings"] == []


def test_zip_renamed_members_read(tmp_path):
    members = {
        "Subscribed Members.csv": SUBSCRIBED,
        "Unsubscribed Members.csv": UNSUBSCRIBED,
        "Cleaned Members.csv": CLEANED,
    }
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    # (3 - 1 - 1) / 4, as with Mailchimp's names.
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    assert _growth(report)["contacts_at_start"] == 4


def test_loose_renamed_members_read(tmp_path):
    members = {
        "Subscribed Members.csv": SUBSCRIBED,
        "Unsubscribed Members.csv": UNSUBSCRIBED,
        "Cleaned Members.csv": CLEANED,
    }
    report = build_report(_files(tmp_path / "mc", members), MARCH)
    assert _growth(report)["value"] == pytest.approx(MARCH_RATE)
    assert report["inputs"][0]["file"] == "Mailchimp audience"


# A HubSpot deals export: one deal won and one lost in March, one open.
DEALS = (
    "Record ID,Deal Name,Deal Stage,Create Date,Close Date,Amount,Is Closed Won,"
    "Is Deal Closed?\n"
    "1,A,Closed Won,2024-03-02,2024-03-20,1000,true,true\n"
    "2,B,Closed Lost,2024-03-04,2024-03-22,500,false,true\n"
    "3,C,Negotiation,2024-03-06,,700,false,false\n"
)


@pytest.mark.parametrize("member", ["cleaned.csv", "subscribed.csv"])
def test_zip_deals_named_like_member(tmp_path, member):
    # The name alone makes no member file: the columns are a deals export's.
    path = _zip(tmp_path / "deals.zip", {member: DEALS})
    raw = read_table(path.name, path.read_bytes())
    assert raw.info.audience is None
    assert raw.frame.height == 3
    assert "list_status" not in raw.frame.columns
    report = build_report([path], MARCH)
    [entry] = report["inputs"]
    assert entry["table"] == "deals"
    assert entry["rows"] == 3
    # 1 won / (1 won + 1 lost) = 50 %, and the won value is deal A's 1000.
    assert report["kpis"]["win_rate"]["value"] == pytest.approx(50.0)
    assert report["kpis"]["won_value"]["value"] == pytest.approx(1000.0)


def test_zip_named_members_without_member_columns(tmp_path):
    # Names of member files whose columns are no Mailchimp audience's give
    # several tables, which the zip does not read together.
    members = {"subscribed.csv": DEALS, "cleaned.csv": DEALS}
    path = _zip(tmp_path / "deals.zip", members)
    with pytest.raises(UnreadableFileError) as caught:
        read_table(path.name, path.read_bytes())
    assert str(caught.value).startswith(
        "deals.zip: the zip contains 2 tables (subscribed.csv, cleaned.csv), and "
        "only a Mailchimp audience export is read as one table."
    )


def test_zip_one_member_column_check(tmp_path):
    # One member with Mailchimp's columns does not make the other one a
    # member file: the deals table named cleaned.csv stops the audience.
    members = {"subscribed.csv": SUBSCRIBED, "cleaned.csv": DEALS}
    path = _zip(tmp_path / "mixed.zip", members)
    with pytest.raises(UnreadableFileError, match="the zip contains 2 tables"):
        read_table(path.name, path.read_bytes())


def test_zip_empty_member_kept_with_columns(tmp_path):
    # A header-only member has no columns to check. It counts beside
    # members that have Mailchimp's columns: (3 new - 1 unsubscribed) / 3.
    members = {
        **_email_audience_members(),
        "cleaned_email_audience_export_1a10653875.csv": CLEAN_HEADER + "\n",
    }
    report = build_report([_zip(tmp_path / "audience.zip", members)], MARCH)
    assert _growth(report)["value"] == pytest.approx((3 - 1) / 3 * 100)
    assert report["warnings"] == []


def test_zip_one_empty_member_not_audience(tmp_path):
    # A lone header-only file gives no columns to tell an audience by, so
    # the zip reads as the one table it holds, which has no data rows.
    path = _zip(tmp_path / "audience.zip", {"cleaned.csv": CLEAN_HEADER + "\n"})
    with pytest.raises(EmptyDataError):
        read_table(path.name, path.read_bytes())
