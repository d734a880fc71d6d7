"""A Salesforce opportunity report from upload to the Sales page."""

import hashlib

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_deal_flags import REPORT
from tests.pages.conftest import APP


def test_salesforce_report_to_sales_page():
    data = REPORT.encode()
    key = hashlib.sha256(data).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("opportunities.csv", data, "text/csv")]
    ).run()
    assert not at.exception
    # The close dates (3/14/2025) only read month first, so the created
    # dates, which read both ways, start as month first.
    assert at.radio(key=f"{key}:order:created_at").value == "mdy"
    assert "4 rows read, 4 kept." in [m.value for m in at.markdown]
    at.button(key=f"{key}:import").click().run()
    assert not at.exception

    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # Won by the flags: "Signed" and "Closed Won" (2 of 4), lost: "Dead".
    assert metrics["Close rate"] == "50.0 %"
    assert metrics["Win rate"] == "66.7 %"
