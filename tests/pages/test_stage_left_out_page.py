"""The Sales page's time in each stage names what it left out in the unit
of each reason, does not repeat the deals still in a stage that its table
shows, and says when no row of the history has a deal id."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_stage_left_out_units import HISTORY, NO_IDS, NO_IDS_REASON
from tests.pages.conftest import APP

# D3 is still in Lead and no deal completed a stage.
ONLY_OPEN = "Deal ID,Stage,Entered at\nD3,Lead,2025-01-04\n"


def _sales_page(text: str) -> AppTest:
    """Import ``text`` as a stage history on the Data page and open the
    Sales page over all data."""
    data = text.encode("utf-8")
    key = hashlib.sha256(data).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("stage_history.csv", data, "text/csv")]
    ).run()
    at.button(key=f"{key}:import").click().run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return at


def _stage_captions(at: AppTest) -> list[str]:
    return [
        caption.value
        for caption in at.caption
        if "left out of the time in each stage" in caption.value
    ]


def test_table_shows_deals_still_in_stage():
    at = _sales_page(HISTORY)
    [table] = [frame.value for frame in at.dataframe if "Stage" in frame.value]
    # D3 is still in Lead, D2 in Qualified (a stay of 2 rows).
    assert table["Stage"].to_list() == ["Lead", "Qualified", "Won"]
    assert table["Deals still in it"].to_list() == [1, 1, 0]
    # Only the 2 rows without a deal id are named below the table.
    assert _stage_captions(at) == [
        "2 rows left out of the time in each stage: stage entry without a deal id."
    ]


def test_deals_still_in_stage_without_table():
    at = _sales_page(ONLY_OPEN)
    infos = [info.value for info in at.info]
    assert (
        "Time in stage is not available: no deal completed a pipeline stage "
        "entered in this period."
    ) in infos
    # No table shows D3, so the caption counts it, as 1 deal.
    assert _stage_captions(at) == [
        "1 deal left out of the time in each stage: deal still in the stage."
    ]


def test_history_without_deal_ids_says_so():
    at = _sales_page(NO_IDS)
    infos = [info.value for info in at.info]
    assert f"Time in stage is not available: {NO_IDS_REASON}." in infos
    assert _stage_captions(at) == [
        "3 rows left out of the time in each stage: stage entry without a deal id."
    ]
