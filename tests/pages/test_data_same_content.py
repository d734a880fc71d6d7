"""Data page: two uploads with the same content under two names."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

DEALS = b"Deal ID,Stage,Created,Amount\nD1,Won,2024-01-02,100\nD2,Lost,2024-01-03,50\n"


def test_identical_uploads_offer_one_import(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("copy_a.csv", DEALS, "text/csv"), ("copy_b.csv", DEALS, "text/csv")]
    ).run()
    assert not at.exception
    assert (
        "This file has the same content as 'copy_a.csv' above, so only that one "
        "is offered for import."
    ) in [info.value for info in at.info]
    imports = [button for button in at.button if button.label.startswith("Import")]
    assert len(imports) == 1
