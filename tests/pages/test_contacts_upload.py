"""The Data page names a contacts export as such and lists the tables the
app can use."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_export_kinds import CONTACTS
from tests.pages.conftest import APP


def test_data_page_names_contacts_export(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    assert not at.exception
    [table_type] = [box for box in at.selectbox if box.label == "Table type"]
    assert table_type.value is None
    [notice] = [info.value for info in at.info if "contacts" in info.value]
    assert notice.startswith(
        "The column 'Lifecycle Stage' without a deal stage, amount or close "
        "date marks a contacts or companies export"
    )
    assert "Choose the table type to map the columns." in notice
    assert not [b for b in at.button if b.label.startswith("Import")]


def test_unknown_contact_statuses_warned(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Email,Date Created,Date Updated,Status\n"
        "a@x.de,2025-01-01,2025-02-01,Active\n"
        "b@x.de,2025-01-02,2025-02-01,Pending\n"
        "c@x.de,2025-01-03,2025-02-01,Pending\n"
        "d@x.de,2025-01-04,2025-03-01,Unsubscribed\n",
        encoding="utf-8",
    )
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    assert not at.exception
    [warning] = [w.value for w in at.warning if "contacts export" in w.value]
    # 2 of 4 statuses are ActiveCampaign ones, and Unsubscribed shows a
    # contacts export, so the two Pending contacts are named.
    assert "2 of 4 statuses are not Active" in warning
    assert "'Pending' (2), on lines 3, 4." in warning
    # The page goes on, so another table type can still be picked.
    assert [box for box in at.selectbox if box.label == "Table type"]
