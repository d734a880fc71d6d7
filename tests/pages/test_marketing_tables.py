"""The Marketing page shows what the stored tables give and names the table
each other KPI needs."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

from streamlit.testing.v1 import AppTest

from kpi_core.marketing import TABLES_NEEDED
from kpi_core.workspace import Workspace
from tests.conftest import PROJECT
from tests.pages.conftest import APP

SAMPLE_DEALS = PROJECT / "sample_data" / "deals.csv"


def _deals_only(at: AppTest, workspace_dir) -> None:
    """Run the app once, which stores the sample data, then keep only the
    deals."""
    at.run()
    store = Workspace(workspace_dir)
    for entry in store.list_tables():
        if entry.table_type != "deals":
            store.delete(entry.id)


def test_marketing_deals_only_shows_campaign_revenue(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60)
    _deals_only(at, fresh_workspace)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert not at.error
    assert "Revenue by campaign" in [header.value for header in at.subheader]
    # Won deals summed per lead source with the csv module, a separate route.
    expected: dict[str, float] = defaultdict(float)
    with SAMPLE_DEALS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Deal Stage"] == "Closed won":
                expected[row["Lead Source"]] += float(row["Amount"])
    table = at.dataframe[0].value
    revenue = dict(zip(table["campaign"], table["revenue"], strict=True))
    assert revenue.keys() == expected.keys()
    for source, amount in expected.items():
        assert abs(revenue[source] - amount) < 0.01, source
    # Without spend there is no return per campaign to show.
    assert "roi_percent" not in table.columns


def test_marketing_deals_only_names_missing_tables(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60)
    _deals_only(at, fresh_workspace)
    at.switch_page("pages/marketing.py").run()
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {
        "Customer lifetime value": "Not available",
        "Customer acquisition cost": "Not available",
        "Email-list growth": "Not available",
        "ARR": "Not available",
    }
    captions = [caption.value for caption in at.caption]
    for key in ("clv", "cac", "list_growth_rate", "arr"):
        assert TABLES_NEEDED[key] in captions, key
    assert TABLES_NEEDED["clv"] == "needs an orders or subscriptions table"


def test_marketing_without_any_table_points_to_data(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    store = Workspace(fresh_workspace)
    for entry in store.list_tables():
        store.delete(entry.id)
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    assert "Upload them on the Data page" in at.info[0].value


def _shown_headers(frame) -> list[str]:
    """Return the headers a dataframe shows: its column_config labels."""
    config = json.loads(frame.proto.columns)
    return [config[column]["label"] for column in frame.value.columns]


def test_marketing_tables_readable_headers():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    headers = [_shown_headers(frame) for frame in at.dataframe]
    # The sample money is in EUR, and the headers are those of the Excel
    # report.
    assert headers == [
        ["Campaign", "Revenue (EUR)", "ROI (%)"],
        ["Channel", "Spend (EUR)", "New customers", "CAC (EUR per new customer)"],
        [
            "Step",
            "Amount (EUR per year)",
            "Signed amount (EUR per year)",
            "Customers",
        ],
        [
            "Period start",
            "Period end",
            "Contacts at start",
            "New subscribers",
            "Unsubscribes",
            "Cleaned",
            "Growth (%)",
        ],
    ]


def test_marketing_tables_format_numbers_by_kind():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    campaigns, channels = at.dataframe[0], at.dataframe[1]
    formats = {
        name: column.get("type_config", {}).get("format")
        for frame in (campaigns, channels)
        for name, column in json.loads(frame.proto.columns).items()
    }
    # ROI in percent with one decimal, money with cents and separators, and
    # counts with separators.
    assert formats["roi_percent"] == "%.1f"
    assert formats["revenue"] == "%,.2f"
    assert formats["new_customers"] == "localized"
    assert formats["cac"] == "%,.2f"


def test_marketing_list_table_shows_days():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("last_12_months").run()
    [email_list] = [
        frame for frame in at.dataframe if "period_start" in frame.value.columns
    ]
    columns = json.loads(email_list.proto.columns)
    # The series carries datetimes at midnight; the table shows the day.
    assert columns["period_start"]["type_config"] == {
        "type": "date",
        "format": "YYYY-MM-DD",
    }
