"""Sales page: the sales-cycle card and its formula name the start date the
cycle was measured from."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_first_contact_cycle import GERMAN, MIXED
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only


def _sales_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return at


def test_card_measured_from_first_contact(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (GERMAN, "deals")})
    at = _sales_page()
    metrics = {metric.label: metric.value for metric in at.metric}
    # (29 + 49) / 2 = 39.0 days from the first contacts, as in the CLI test.
    assert metrics["Sales cycle (mean)"] == "39.0 days"
    captions = " ".join(caption.value for caption in at.caption)
    assert "Sales cycle: measured from first contact to close." in captions
    texts = [text.value for text in at.text]
    assert (
        "78 days / 2 deals = 39.0 days (median 39 days), measured from first "
        "contact to close"
    ) in texts


def test_card_names_mixed_starts(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (MIXED, "deals")})
    at = _sales_page()
    metrics = {metric.label: metric.value for metric in at.metric}
    # (30 + 20 + 30) / 3 = 26.67 days.
    assert metrics["Sales cycle (mean)"] == "26.7 days"
    captions = " ".join(caption.value for caption in at.caption)
    assert (
        "Sales cycle: measured from first contact to close for 2 deals and "
        "from creation to close for 1."
    ) in captions
