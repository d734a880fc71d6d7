"""Quick periods count back from the last real date of the deals: the
expected close date of an open deal is no such date."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Deals created and closed up to 20 December 2017, and two open deals whose
# expected close date is 31 March 2018, as a Salesforce report gives it.
DEALS = b"""Opportunity ID,Stage,Created Date,Close Date,Amount
O1,Closed Won,2017-10-02,2017-11-15,100
O2,Closed Lost,2017-11-01,2017-12-20,200
O3,Prospecting,2017-12-01,2018-03-31,300
O4,Prospecting,2017-12-05,2018-03-31,400
"""


def test_quick_period_ignores_expected_close(fresh_workspace):
    fresh_workspace.mkdir(parents=True, exist_ok=True)
    (fresh_workspace / ".sample-loaded").touch()
    prepared = load_file("report.csv", DEALS, table="deals")
    Workspace(fresh_workspace).save(
        prepared.frame,
        name="report",
        table_type="deals",
        source_file="report.csv",
        mapping=prepared.mapping,
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "last_quarter"
    at.run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    captions = [caption.value for caption in at.sidebar.caption]
    # The last real date is the close on 20 December 2017, so the last full
    # quarter before it is Q3 2017.
    assert "2017-07-01 to 2017-09-30, counted back from 2017-12-20" in captions
