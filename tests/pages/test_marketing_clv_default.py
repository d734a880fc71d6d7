"""Marketing page: without an orders table, CLV starts from the
subscriptions, as the command line does."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

SUBSCRIPTIONS = (
    "Subscription ID,Customer ID,Start Date,End Date,Monthly charge\n"
    "s1,c1,2025-01-01,,50\n"
    "s2,c2,2025-02-01,,100\n"
)


def _clv_card(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Customer lifetime value")


def test_subscription_clv_without_orders(tmp_path, fresh_workspace):
    files = {"subs.csv": (SUBSCRIPTIONS, "subscriptions")}
    _store_only(tmp_path, fresh_workspace, files)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.number_input(key="marketing_lifespan").set_value(2.0).run()
    assert not at.exception
    assert at.sidebar.radio(key="marketing_clv_variant").value == "subscription"
    # Both customers pay at the end of the data: ARPA (50 + 100) / 2 = 75
    # EUR a month, x 12 months x 2 years x 100 % margin = 1,800 EUR.
    assert _clv_card(at) == "1,800 EUR"


def test_purchases_variant_kept_with_orders(tmp_path, fresh_workspace):
    orders = "Order ID,Customer ID,Order date,Amount\no1,c1,2025-01-05,40\n"
    files = {
        "subs.csv": (SUBSCRIPTIONS, "subscriptions"),
        "orders.csv": (orders, "orders"),
    }
    _store_only(tmp_path, fresh_workspace, files)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert at.sidebar.radio(key="marketing_clv_variant").value == "purchases"


def test_huge_lifespan_in_url_ignored(tmp_path, fresh_workspace):
    files = {"subs.csv": (SUBSCRIPTIONS, "subscriptions")}
    _store_only(tmp_path, fresh_workspace, files)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["marketing_lifespan"] = "1e308"
    at.run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    # The widget takes at most 100 years, so it keeps its default and the
    # page warns. No CLV reads "inf".
    assert at.sidebar.number_input(key="marketing_lifespan").value == 0.0
    assert "inf" not in _clv_card(at)
    assert any("from 0 to 100" in warning.value for warning in at.warning)
