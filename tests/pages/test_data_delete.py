"""Deleting a stored table needs a second click, and counts on the Data page
read as singular or plural."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.schema import TABLES
from kpi_core.workspace import Workspace
from pages.ui.workspace_access import SAMPLE_FILES
from tests.pages.conftest import APP


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    return at


def test_one_delete_click_keeps_table(fresh_workspace):
    at = _data_page()
    chosen = at.selectbox(key="stored:table").value
    at.button(key="stored:delete").click().run()
    assert not at.exception
    ids = [entry.id for entry in Workspace(fresh_workspace).list_tables()]
    assert chosen in ids
    assert len(ids) == len(SAMPLE_FILES)
    assert at.warning[0].value.startswith("Delete ")
    assert "cannot be undone" in at.warning[0].value


def test_confirmed_delete_removes_table(fresh_workspace):
    at = _data_page()
    chosen = at.selectbox(key="stored:table").value
    at.button(key="stored:delete").click().run()
    at.button(key="stored:delete_confirm").click().run()
    assert not at.exception
    ids = [entry.id for entry in Workspace(fresh_workspace).list_tables()]
    assert chosen not in ids
    assert len(ids) == len(SAMPLE_FILES) - 1
    assert "stored:delete_confirm" not in [button.key for button in at.button]


def test_confirmed_delete_says_so(fresh_workspace):
    at = _data_page()
    chosen = at.selectbox(key="stored:table").value
    entry = next(e for e in Workspace(fresh_workspace).list_tables() if e.id == chosen)
    at.button(key="stored:delete").click().run()
    at.button(key="stored:delete_confirm").click().run()
    label = TABLES[entry.table_type].label
    assert [message.value for message in at.success] == [
        f"Deleted {entry.name} ({label})."
    ]
    # The next run, such as a click elsewhere, no longer shows it.
    at.run()
    assert not at.success


def test_cancelled_delete_keeps_table(fresh_workspace):
    at = _data_page()
    at.button(key="stored:delete").click().run()
    at.button(key="stored:delete_cancel").click().run()
    assert not at.exception
    assert len(Workspace(fresh_workspace).list_tables()) == len(SAMPLE_FILES)
    assert "stored:delete_confirm" not in [button.key for button in at.button]


def test_other_table_choice_drops_confirmation(fresh_workspace):
    at = _data_page()
    first = at.selectbox(key="stored:table").value
    at.button(key="stored:delete").click().run()
    entries = Workspace(fresh_workspace).list_tables()
    other = next(entry.id for entry in entries if entry.id != first)
    at.selectbox(key="stored:table").set_value(other).run()
    assert at.selectbox(key="stored:table").value == other
    assert "stored:delete_confirm" not in [button.key for button in at.button]
    # Coming back to the first table does not bring the old request back.
    at.selectbox(key="stored:table").set_value(first).run()
    assert "stored:delete_confirm" not in [button.key for button in at.button]
    assert len(Workspace(fresh_workspace).list_tables()) == len(SAMPLE_FILES)


def test_one_row_upload_reads_singular():
    data = (
        b"Record ID,Deal Stage,Create Date,Close Date,Amount\n"
        b"1,Closed won,2025-01-05,2025-02-01,1000\n"
    )
    at = _data_page()
    at.file_uploader(key="uploads").set_value([("one.csv", data, "text/csv")]).run()
    assert not at.exception
    assert "1 row read, 1 kept." in [m.value for m in at.markdown]
    labels = [button.label for button in at.button]
    assert "Import 1 row as new table 'one'" in labels
