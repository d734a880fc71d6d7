"""Sales page: the sales-cycle card names the won deals whose close date is
empty or unreadable, over the whole table."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_cycle_undated_note import DEALS, NOTE
from tests.pages.conftest import APP


def test_cycle_card_names_undated_deals(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(path.name, data, "text/csv")]).run()
    at.button(key=f"{key}:import").click().run()
    assert "Imported 14 rows" in at.success[0].value

    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # All data: deals 1 to 7, (10 + 20 + 30 + 10 + 20 + 30 + 19) / 7 = 19.86.
    assert metrics["Sales cycle (mean)"] == "19.9 days"
    captions = [caption.value for caption in at.caption]
    assert NOTE in captions
    # Deal 8 of the 7 + 1 = 8 won deals with a close date: 12.5 %, shown as 13.
    assert any(
        w.value.startswith("Sales cycle (mean) leaves out 1 of 8 won deals (13 %)")
        for w in at.warning
    )
