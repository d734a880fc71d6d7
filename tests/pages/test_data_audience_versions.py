"""Data page: a Mailchimp audience export replaces the stored table of the
same audience by default, whether the stored table came from the export's
zip or from its member CSVs uploaded as files of their own."""

from __future__ import annotations

import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.kpi_core.test_audience_member_files import (
    CLEANED,
    SUBSCRIBED,
    UNSUBSCRIBED,
)
from tests.pages.conftest import APP

MEMBERS = {
    "subscribed_members_export_4f2a9b.csv": SUBSCRIBED,
    "unsubscribed_members_export_4f2a9b.csv": UNSUBSCRIBED,
    "cleaned_members_export_4f2a9b.csv": CLEANED,
}
ZIP_NAME = "members_export_4f2a9b.zip"
# 5 subscribes, 2 x (subscribe, unsubscribe), 1 x (subscribe, cleaned).
EVENTS = 11


def _member_files(tmp_path: Path, audience: str = "4f2a9b") -> list[tuple]:
    """Write the member CSVs of ``audience`` and return them as the browser
    sends them."""
    files = []
    for name, text in MEMBERS.items():
        name = name.replace("4f2a9b", audience)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append((name, path.read_bytes(), "text/csv"))
    return files


def _zip_file(tmp_path: Path) -> tuple[str, bytes, str]:
    path = tmp_path / ZIP_NAME
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in MEMBERS.items():
            archive.writestr(name, text)
    return ZIP_NAME, path.read_bytes(), "application/zip"


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def _upload(at: AppTest, files: list[tuple]) -> None:
    at.file_uploader(key="uploads").set_value(files).run()
    assert not at.exception


def _import_button(at: AppTest):
    [button] = [b for b in at.button if b.label.startswith("Import")]
    return button


def _email_tables(root: Path) -> list:
    entries = Workspace(root).list_tables("email_events")
    return [entry for entry in entries if not entry.is_sample]


def _infos(at: AppTest) -> str:
    return " ".join(info.value for info in at.info)


def test_member_files_replace_zip_table(tmp_path, fresh_workspace):
    at = _data_page()
    _upload(at, [_zip_file(tmp_path)])
    _import_button(at).click().run()
    assert not at.exception
    [stored] = _email_tables(fresh_workspace)
    assert stored.name == "members_export_4f2a9b"

    _upload(at, _member_files(tmp_path))
    assert "The Mailchimp audience 4f2a9b is already stored as " in _infos(at)
    button = _import_button(at)
    assert button.label == f"Import {EVENTS} rows in place of 'members_export_4f2a9b'"
    button.click().run()
    assert not at.exception

    [replaced] = _email_tables(fresh_workspace)
    assert replaced.id == stored.id
    assert replaced.version == 2
    assert replaced.rows == EVENTS
    # The audience id is kept with the table for the next export.
    assert replaced.audience == "4f2a9b"


def test_zip_replaces_member_files_table(tmp_path, fresh_workspace):
    at = _data_page()
    _upload(at, _member_files(tmp_path))
    _import_button(at).click().run()
    assert not at.exception
    [stored] = _email_tables(fresh_workspace)
    assert stored.name == "Mailchimp audience 4f2a9b"

    _upload(at, [_zip_file(tmp_path)])
    button = _import_button(at)
    assert button.label == (
        f"Import {EVENTS} rows in place of 'Mailchimp audience 4f2a9b'"
    )
    button.click().run()
    assert not at.exception
    [replaced] = _email_tables(fresh_workspace)
    assert replaced.id == stored.id
    assert replaced.version == 2


def test_zip_stored_before_audience_field(tmp_path, fresh_workspace):
    # A table stored before the catalog recorded audiences gives its audience
    # by the zip's name.
    name, data, _ = _zip_file(tmp_path)
    prepared = load_file(name, data)
    store = Workspace(fresh_workspace)
    (fresh_workspace / ".sample-loaded").touch()
    stored = store.save(
        prepared.frame,
        name="newsletter",
        table_type="email_events",
        source_file=name,
        mapping=prepared.mapping,
    )

    at = _data_page()
    _upload(at, _member_files(tmp_path))
    button = _import_button(at)
    assert button.label == f"Import {EVENTS} rows in place of 'newsletter'"
    button.click().run()
    assert not at.exception
    [replaced] = _email_tables(fresh_workspace)
    assert replaced.id == stored.id


def test_other_audience_stays_new(tmp_path, fresh_workspace):
    # Another audience id is another list, whose events add to the first.
    at = _data_page()
    _upload(at, [_zip_file(tmp_path)])
    _import_button(at).click().run()
    assert not at.exception

    _upload(at, _member_files(tmp_path, audience="9c8d7e"))
    button = _import_button(at)
    assert (
        button.label == f"Import {EVENTS} rows as new table 'Mailchimp audience 9c8d7e'"
    )
    assert "already stored" not in _infos(at)
