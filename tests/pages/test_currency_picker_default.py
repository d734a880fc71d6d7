"""The report currency picker takes its value from the session state alone
when a shared link or an earlier run has set it there, so Streamlit logs no
warning about a default value beside a session state value."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Amounts in CHF and EUR, so the page shows the Currencies section with the
# codes CHF and EUR, in that order. EUR is the default report currency.
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency\n"
    "O1,2025-01-10,C1,100.00,CHF\n"
    "O2,2025-02-10,C2,200.00,EUR\n"
)


def _picker(at: AppTest):
    return at.sidebar.selectbox(key="currency")


def test_picker_no_default_with_state(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["currency"] = "CHF"
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert _picker(at).value == "CHF"
    # The default index is Streamlit's own (0), not that of EUR (1), which
    # is what makes Streamlit warn.
    assert _picker(at).proto.default == 0


def test_picker_defaults_to_eur(tmp_path, fresh_workspace):
    # Guard: without a value in the session state the picker starts on EUR.
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert _picker(at).value == "EUR"
