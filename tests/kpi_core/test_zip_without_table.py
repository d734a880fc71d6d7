"""A zip that contains no table and is no Mailchimp audience export, such as
a readme beside a photo, against the zips that the app reads."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kpi_core.errors import EmptyDataError, UnreadableFileError
from kpi_core.importing import load_file

NO_TABLE = (
    "no CSV or Excel table that the app can read, and it is not a Mailchimp "
    "audience export"
)


def write_zip(tmp_path: Path, members: dict[str, str | bytes]) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_readme_and_photo_named(tmp_path):
    path = write_zip(
        tmp_path, {"readme.txt": "hello", "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10"}
    )
    with pytest.raises(UnreadableFileError) as raised:
        load_file(path.name, path.read_bytes())
    assert str(raised.value) == (
        f"export.zip: the zip contains readme.txt, photo.jpg, but {NO_TABLE}. "
        "readme.txt has no data rows. Upload the CSV or Excel export itself, "
        "not zipped"
    )


def test_empty_readme_named(tmp_path):
    path = write_zip(tmp_path, {"readme.txt": "\n\n"})
    with pytest.raises(UnreadableFileError) as raised:
        load_file(path.name, path.read_bytes())
    assert str(raised.value) == (
        f"export.zip: the zip contains readme.txt, but {NO_TABLE}. readme.txt has "
        "no data rows. Upload the CSV or Excel export itself, not zipped"
    )


def test_nested_readme_named(tmp_path):
    path = write_zip(
        tmp_path, {"docs/readme.txt": "hello", "docs/photo.jpg": b"\xff\xd8"}
    )
    with pytest.raises(UnreadableFileError) as raised:
        load_file(path.name, path.read_bytes())
    assert str(raised.value) == (
        f"export.zip: the zip contains docs/readme.txt, docs/photo.jpg, but "
        f"{NO_TABLE}. docs/readme.txt has no data rows. Upload the CSV or Excel "
        "export itself, not zipped"
    )


def test_photo_only_named(tmp_path):
    path = write_zip(tmp_path, {"photo.jpg": b"\xff\xd8", "logo.png": b"\x89PNG"})
    with pytest.raises(UnreadableFileError) as raised:
        load_file(path.name, path.read_bytes())
    assert str(raised.value) == (
        f"export.zip: the zip contains photo.jpg, logo.png, but {NO_TABLE}. "
        "Upload the CSV or Excel export itself, not zipped"
    )


def test_header_only_csv_keeps_message(tmp_path):
    """Guard: a CSV export without rows still gets the message on its rows."""
    path = write_zip(tmp_path, {"orders.csv": "Order ID,Total\n"})
    with pytest.raises(EmptyDataError) as raised:
        load_file(path.name, path.read_bytes())
    assert str(raised.value) == (
        "orders.csv, line 1: found the header (Order ID, Total) but no data rows "
        "below it; export the table with its rows, or check the report's filters"
    )


def test_txt_table_still_read(tmp_path):
    """Guard: a TXT member with rows is read as the table it is."""
    text = (
        "Deal Name\tStage\tCreated date\n"
        "ACME\tWon\t2025-01-02\n"
        "Beta\tLost\t2025-01-03\n"
    )
    path = write_zip(tmp_path, {"exports/deals.txt": text, "photo.jpg": b"\xff\xd8"})
    prepared = load_file(path.name, path.read_bytes())
    assert prepared.table == "deals"
    # Two lines below the header: ACME and Beta.
    assert prepared.frame.height == 2
