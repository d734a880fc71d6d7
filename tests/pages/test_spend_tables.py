"""Marketing, What if and shared links add up every spend table, and warn
about a table stored twice."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

ORDERS = """\
Order ID,Order date,Customer ID,Total,Currency
O1,2025-01-10,C1,1000.00,EUR
O2,2025-02-10,C2,2000.00,EUR
"""
GOOGLE = """\
Day,Campaign,Currency code,Cost
2025-01-15,Brand Search,EUR,400.00
"""
META = """\
Day,Campaign,Currency code,Cost
2025-01-05,Meta Winter,EUR,300.00
2025-02-05,Meta Winter,EUR,200.00
"""
DEALS = """\
Deal ID,Stage,Created,Closed,Amount
D1,Won,2025-01-02,2025-01-20,500
D2,Lost,2025-01-03,2025-01-25,300
"""


def _store(tmp_path, workspace_root, **extra: tuple[str, str]) -> None:
    files = {
        "orders.csv": (ORDERS, "orders"),
        "google.csv": (GOOGLE, "spend"),
        "meta.csv": (META, "spend"),
        **extra,
    }
    _store_only(tmp_path, workspace_root, files)


def _marketing() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [element.value for element in [*at.main.caption, *at.main.warning]]


def test_marketing_cac_adds_up_spend(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _marketing()
    metrics = {metric.label: metric.value for metric in at.metric}
    # (400 + 300 + 200) spend / 2 new order customers = 450.
    assert metrics["Customer acquisition cost"] == "450 EUR"
    assert not [box for box in at.sidebar.selectbox if box.key == "table_spend"]
    captions = " ".join(_texts(at))
    assert "Marketing spend from google.csv (1 row)" in captions
    assert "Marketing spend from meta.csv (2 rows)" in captions


def test_marketing_warns_copy(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, **{"google copy.csv": (GOOGLE, "spend")})
    at = _marketing()
    # The CAC card's warning under the cards names the shared row.
    assert any(
        "“google.csv” and “google copy.csv” share 1 spend row" in text
        or "“google copy.csv” and “google.csv” share 1 spend row" in text
        for text in _texts(at)
    )


def test_whatif_spend_of_all_tables(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace, **{"deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    [spend] = [
        text.value
        for text in at.text
        if text.value.startswith("Sales and marketing spend per month")
    ]
    # The baseline is the 12 full months to January 2025: 400 + 300 spent
    # on 15 and 5 January, from both tables.
    assert "the spend tables, added up," in spend
    assert "700.00 EUR spent in" in spend


def test_link_keeps_spend_tables(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = _marketing()
    at.sidebar.button(key="share").click().run()
    [view] = ViewStore(fresh_workspace).list()
    assert len(view.settings["pinned_tables"]["spend"]) == 2
    viewer = AppTest.from_file(APP, default_timeout=60)
    viewer.query_params["view"] = view.token
    viewer.run()
    viewer.switch_page("pages/marketing.py").run()
    assert not viewer.exception
    metrics = {metric.label: metric.value for metric in viewer.metric}
    assert metrics["Customer acquisition cost"] == "450 EUR"
