"""Data page: the member CSVs of a Mailchimp audience export, uploaded as
files of their own, are one table of list events."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.email_list import list_growth_rate
from kpi_core.period import Period
from kpi_core.workspace import Workspace
from tests.kpi_core.test_audience_member_files import (
    CLEANED,
    MARCH_RATE,
    SUBSCRIBED,
    UNSUBSCRIBED,
)
from tests.pages.conftest import APP

FILES = {
    "subscribed_members_export_4f2a9b.csv": SUBSCRIBED,
    "unsubscribed_members_export_4f2a9b.csv": UNSUBSCRIBED,
    "cleaned_members_export_4f2a9b.csv": CLEANED,
}
NAMES = list(FILES)
MARCH = Period(date(2024, 3, 1), date(2024, 3, 31))


def _upload(at: AppTest, tmp_path, names: list[str]) -> None:
    """Put the files in the upload box, as the browser sends them."""
    files = []
    for name in names:
        path = tmp_path / name
        path.write_text(FILES[name], encoding="utf-8")
        files.append((name, path.read_bytes(), "text/csv"))
    at.file_uploader(key="uploads").set_value(files).run()
    assert not at.exception


def _open_data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    return at


def _import_buttons(at: AppTest) -> list:
    return [button for button in at.button if button.label.startswith("Import")]


def _email_tables(root) -> list:
    return Workspace(root).list_tables("email_events")


def test_three_files_one_table(tmp_path, fresh_workspace):
    at = _open_data_page()
    _upload(at, tmp_path, NAMES)
    assert [header.value for header in at.subheader][0] == "Mailchimp audience 4f2a9b"
    [button] = _import_buttons(at)
    # 5 subscribes, 2 x (subscribe, unsubscribe), 1 x (subscribe, cleaned).
    assert button.label == "Import 11 rows as new table 'Mailchimp audience 4f2a9b'"
    assert not at.error

    button.click().run()
    assert not at.exception
    [entry] = _email_tables(fresh_workspace)
    assert entry.name == "Mailchimp audience 4f2a9b"
    events = Workspace(fresh_workspace).load(entry.id)
    assert list_growth_rate(events, MARCH).value == pytest.approx(MARCH_RATE)


@pytest.mark.parametrize("name", NAMES)
def test_one_file_alone_asks_for_others(tmp_path, name):
    at = _open_data_page()
    _upload(at, tmp_path, [name])
    assert _import_buttons(at) == []
    [error] = at.error
    assert error.value.startswith(f"Mailchimp audience 4f2a9b: {name} contains only")
    assert "Export the audience again and use its zip, or give all its CSV" in (
        error.value
    )


def test_files_added_one_after_another(tmp_path, fresh_workspace):
    at = _open_data_page()
    # The upload box keeps the files added before, so each step sends them
    # all.
    _upload(at, tmp_path, NAMES[:1])
    assert _import_buttons(at) == []

    _upload(at, tmp_path, NAMES[:2])
    [warning] = [w.value for w in at.warning if "cleaned members file" in w.value]
    assert warning.startswith(
        "No cleaned members file (cleaned_email_audience_export_4f2a9b.csv; "
        "older exports name it cleaned_members_export_4f2a9b.csv) was read"
    )
    [button] = _import_buttons(at)
    # Without the cleaned file: 5 subscribes and 2 x (subscribe, unsubscribe).
    assert button.label == "Import 9 rows as new table 'Mailchimp audience 4f2a9b'"
    button.click().run()
    assert not at.exception

    _upload(at, tmp_path, NAMES)
    [button] = _import_buttons(at)
    # The complete export replaces the table of the two files, so the list
    # events are not stored twice.
    assert button.label == "Import 11 rows in place of 'Mailchimp audience 4f2a9b'"
    button.click().run()
    assert not at.exception
    [entry] = _email_tables(fresh_workspace)
    assert entry.version == 2
    events = Workspace(fresh_workspace).load(entry.id)
    assert list_growth_rate(events, MARCH).value == pytest.approx(MARCH_RATE)
