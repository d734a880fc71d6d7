"""Zip uploads with more entries than any export has are rejected before
their members are read, and messages about many member files stay short."""

from __future__ import annotations

import zipfile

import pytest

from kpi_core.errors import InvalidValueError, UnreadableFileError
from kpi_core.importing import load_file
from kpi_core.reading import read_table, sheet_names
from kpi_core.zip_entries import MAX_ZIP_ENTRIES, count_entries

DEALS = "Deal ID,Deal Stage,Create Date\n1,Closed won,2025-03-02\n"
SUBSCRIBED = (
    "Email Address,OPTIN_TIME,CONFIRM_TIME,LAST_CHANGED\n"
    "ana@example.com,2024-02-01 10:00:00,,2024-02-01 10:00:00\n"
)


def _zip(path, members: dict[str, str]) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path.read_bytes()


def _empty_members(count: int) -> dict[str, str]:
    return {f"logs/{number:05}.log": "" for number in range(count)}


def test_zip_over_entry_limit_rejected(tmp_path):
    members = {**_empty_members(MAX_ZIP_ENTRIES), "deals.csv": DEALS}
    data = _zip(tmp_path / "bundle.zip", members)

    with pytest.raises(UnreadableFileError) as caught:
        read_table("bundle.zip", data)

    message = str(caught.value)
    assert message.startswith("bundle.zip: the archive contains 1,001 files")
    assert "more than the limit of 1,000 for a zip of CSV files" in message
    assert "Unzip it and upload the CSV files you need" in message


def test_sheet_names_over_entry_limit(tmp_path):
    members = {**_empty_members(MAX_ZIP_ENTRIES), "deals.csv": DEALS}
    data = _zip(tmp_path / "bundle.zip", members)

    with pytest.raises(UnreadableFileError, match="contains 1,001 files"):
        sheet_names("bundle.zip", data)


def test_zip_at_entry_limit_read(tmp_path):
    members = {**_empty_members(MAX_ZIP_ENTRIES - 1), "deals.csv": DEALS}
    data = _zip(tmp_path / "bundle.zip", members)

    frame = load_file("bundle.zip", data).frame

    assert frame.height == 1


def test_count_entries_matches_zipfile(tmp_path):
    members = {**_empty_members(30), "folder/": "", "deals.csv": DEALS}
    path = tmp_path / "bundle.zip"
    data = _zip(path, members)
    with zipfile.ZipFile(path) as archive:
        expected = len(archive.infolist())
    assert count_entries(data) == expected == 32


def test_count_entries_past_workbook_limit(tmp_path):
    # More than 65,535 entries need the zip64 end record.
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(70_000):
            archive.writestr(f"{number}", "")
    data = path.read_bytes()

    assert count_entries(data) == 70_000
    with pytest.raises(UnreadableFileError) as caught:
        read_table("many.zip", data)
    message = str(caught.value)
    assert "contains 70,000 files and folders" in message
    assert "65,535 for an XLSX workbook" in message


def test_many_subscribed_files_named_briefly(tmp_path):
    names = [f"subscribed_members_export_{number:04}.csv" for number in range(40)]
    data = _zip(tmp_path / "audience.zip", dict.fromkeys(names, SUBSCRIBED))

    with pytest.raises(InvalidValueError) as caught:
        read_table("audience.zip", data)

    message = str(caught.value)
    assert len(message) < 500
    assert ", ".join(names[:5]) + " and 35 more each contain" in message
    assert names[5] not in message
