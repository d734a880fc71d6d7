"""Marketing page: the CLV card explains a measured lifespan that customers
who bought on a single day shorten."""

from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# The latest order is on 2025-06-30, so every 2023 customer lapsed. r1 and
# r2 bought 100 days apart, o1 to o6 on a single day, and a1 and a2 are
# still active: (100 + 100 + 6 x 0) / 8 = 25 days of measured lifespan.
ORDERS = (
    "Order ID,Customer ID,Order date,Amount\n"
    "1,r1,2023-01-10,50\n"
    "2,r1,2023-04-20,50\n"
    "3,r2,2023-02-01,50\n"
    "4,r2,2023-05-12,50\n"
    "5,o1,2023-03-01,50\n"
    "6,o2,2023-03-15,50\n"
    "7,o3,2023-04-01,50\n"
    "8,o4,2023-05-01,50\n"
    "9,o5,2023-06-01,50\n"
    "10,o6,2023-06-15,50\n"
    "11,a1,2025-03-01,80\n"
    "12,a2,2025-06-30,80\n"
)


def _captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.main.caption)


def _clv_card(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Customer lifetime value")


def test_clv_card_notes_one_day_buyers(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="period").value == "all"
    # 55 EUR per purchase x 1.0 a year x 25 / 365.25 years = 3.76 EUR.
    assert _clv_card(at) == "3.76 EUR"
    captions = _captions(at)
    assert "6 of the 8 lapsed customers bought on a single day only" in captions
    assert "mean of 25.0 days (0.07 years)" in captions
    assert "Customer lifespan for CLV" in captions


def test_clv_card_note_gone_with_lifespan(tmp_path, fresh_workspace):
    # Guard: once a lifespan is entered, the note no longer applies.
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.number_input(key="marketing_lifespan").set_value(3.0).run()
    assert not at.exception
    # 55 x 1.0 x 3 = 165 EUR.
    assert _clv_card(at) == "165 EUR"
    assert "lapsed customers bought on a single day" not in _captions(at)


def test_shared_link_note_names_sender(tmp_path, fresh_workspace):
    # A shared view fixes the lifespan, so the note names who can enter one.
    _store_only(tmp_path, fresh_workspace, {"orders.csv": (ORDERS, "orders")})
    view = ViewStore(fresh_workspace).create(
        "marketing", "Marketing", {"period": "all"}
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = view.token
    at.run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    captions = _captions(at)
    assert "6 of the 8 lapsed customers bought on a single day only" in captions
    assert "the sender of this link can enter a lifespan in years" in captions
