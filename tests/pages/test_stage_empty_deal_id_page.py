"""A stage history with rows whose deal id is empty: the Data page names
them, and the Sales page leaves them out of the time in each stage and
counts them."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_stage_history_empty_ids import HISTORY
from tests.pages.conftest import APP


def test_empty_deal_ids_named_and_left_out():
    data = HISTORY.encode("utf-8")
    key = hashlib.sha256(data).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("stage_history.csv", data, "text/csv")]
    ).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(
        "2 rows with an empty deal ID in column 'Deal ID' (lines 7, 8)" in w
        and "fill in the deal ID of these rows" in w
        for w in warnings
    )

    at.button(key=f"{key}:import").click().run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    [table] = [frame.value for frame in at.dataframe if "Stage" in frame.value]
    # Lead, Qualified and Won; Proposal was entered only by the rows without
    # a deal id. Lead: D1 4 days and D2 2 days, median 3.
    assert table["Stage"].to_list() == ["Lead", "Qualified", "Won"]
    assert table["Median days"].to_list()[0] == 3.0
    captions = [caption.value for caption in at.caption]
    assert (
        "2 rows left out of the time in each stage: stage entry without a deal id."
    ) in captions
