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
