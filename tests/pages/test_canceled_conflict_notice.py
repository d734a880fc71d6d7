"""The Data page names subscriptions canceled before they started."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_canceled_conflicts import CANCELED
from tests.pages.conftest import APP


def test_data_page_names_canceled_lines(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    path = tmp_path / "subscriptions.csv"
    path.write_text(CANCELED, encoding="utf-8")
    at.file_uploader(key="uploads").set_value(
        [(path.name, path.read_bytes(), "text/csv")]
    )
    at.run()
    assert not at.exception
    # s1 and s5 on lines 2 and 6, of the 3 ended by their cancel date.
    notices = [w.value for w in at.warning if w.value.startswith("Subscriptions")]
    assert notices == [
        "Subscriptions canceled before they started: 2 of the 3 subscriptions "
        "that end on their cancel date (67 %), on lines 2, 6. In these rows "
        "'Canceled At' (canceled_at) is before 'Start Date' (started_at). They "
        "stay stored, and each KPI that needs both dates leaves them out. Check "
        "that the two columns are mapped the right way round, or correct the "
        "dates in the file."
    ]
    labels = [button.label for button in at.get("download_button")]
    assert "Download the 2 rows with these dates (CSV)" in labels
