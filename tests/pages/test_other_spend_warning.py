"""Marketing and What if warn when another spend table's spend is left out."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.workspace import Workspace
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


def _store(tmp_path, workspace_root) -> None:
    _store_only(
        tmp_path,
        workspace_root,
        {
            "orders.csv": (ORDERS, "orders"),
            "google.csv": (GOOGLE, "spend"),
            "meta.csv": (META, "spend"),
        },
    )


def _warnings(at: AppTest) -> list[str]:
    return [warning.value for warning in at.main.warning]


def test_marketing_names_left_out_spend(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # The newest spend table, meta.csv, is in use; google.csv's 400 is not.
    assert (
        "CAC and campaign ROI count the spend of one table, “meta.csv”. "
        "“google.csv” (400.00 EUR) also has spend in this period"
    ) in " ".join(_warnings(at))


def test_single_spend_table_no_warning(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    store = Workspace(fresh_workspace)
    [google] = [
        entry for entry in store.list_tables("spend") if entry.name == "google.csv"
    ]
    store.delete(google.id)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    assert not [text for text in _warnings(at) if "count the spend of one" in text]


DEALS = """\
Deal ID,Stage,Created,Closed,Amount
D1,Won,2025-01-02,2025-01-20,500
D2,Lost,2025-01-03,2025-01-25,300
"""


def test_whatif_names_left_out_spend(tmp_path, fresh_workspace):
    _store(tmp_path, fresh_workspace)
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/whatif.py").run()
    assert not at.exception
    # The baseline is the 12 full months to January 2025, which hold
    # google.csv's 400 of 15 January.
    assert "“google.csv” (400.00 EUR) also has spend in this period" in " ".join(
        _warnings(at)
    )
