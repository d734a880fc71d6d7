"""The Marketing page charts CAC, revenue by campaign and ARR per period of
the grouping chosen in the sidebar."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_marketing_series import ORDERS, SPEND, SUBSCRIPTIONS
from tests.pages.conftest import APP
from tests.pages.test_grains import AXIS_TITLES, _charts
from tests.pages.test_period_span import _store_only


def _rows(at: AppTest, title: str) -> list[dict]:
    """Return the data rows of the chart ``title``, with period_start as an
    ISO date."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("title") == title:
            [dataset] = element.proto.datasets
            rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
            return [{**row, "period_start": str(row["period_start"])} for row in rows]
    raise AssertionError(f"no chart titled {title!r}")


@pytest.fixture
def marketing(tmp_path, fresh_workspace) -> AppTest:
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "spend.csv": (SPEND, "spend"),
            "orders.csv": (ORDERS, "orders"),
            "subscriptions.csv": (SUBSCRIPTIONS, "subscriptions"),
        },
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("grain", ["week", "month", "quarter", "year"])
def test_marketing_series_follow_grain(marketing, grain):
    at = marketing
    at.sidebar.segmented_control(key="grain").set_value(grain).run()
    assert not at.exception
    assert not at.error
    charts = _charts(at)
    for title in (
        f"CAC by {grain}",
        f"Revenue by campaign and {grain}",
        f"ARR at the end of each {grain}",
    ):
        assert charts[title]["encoding"]["x"]["title"] == AXIS_TITLES[grain]
    assert f"Acquisition cost by {grain}" in [header.value for header in at.subheader]


def test_marketing_cac_by_month_values(marketing):
    at = marketing
    # All data of the hand-made tables: 22 Jan to 31 Mar 2025.
    rows = _rows(at, "CAC by month")
    cac = {row["period_start"][:7]: row["cac"] for row in rows}
    # Jan: 10 days x 20 = 200 / 1 = 200; Feb: 200 / 1 = 200; Mar: 310 / 2 = 155.
    assert cac == {"2025-01": 200.0, "2025-02": 200.0, "2025-03": 155.0}
    texts = {row["period_start"][:7]: row["spend_text"] for row in rows}
    assert texts["2025-03"] == "310.00"
    # The spend starts on 22 Jan, so January is marked as partial.
    labels = {row["period_start"][:7]: row["period_label"] for row in rows}
    assert labels["2025-01"] == "Jan 2025 (partial)"
    assert labels["2025-02"] == "Feb 2025"
    captions = " ".join(caption.value for caption in at.caption)
    assert "Jan 2025 covers 2025-01-22 to 2025-01-31 only" in captions


def test_marketing_cac_by_week_has_gaps(marketing):
    at = marketing
    at.sidebar.segmented_control(key="grain").set_value("week").run()
    rows = _rows(at, "CAC by week")
    by_week = {row["period_start"][:10]: row for row in rows}
    # 27 Jan - 2 Feb: 7 days x 20 = 140 of spend and no new customer, so no
    # CAC: the line has a gap there, not a 0.
    assert by_week["2025-01-27"]["cac"] is None
    assert by_week["2025-01-27"]["spend"] == pytest.approx(140.0)
    # 10-16 Mar: 7 x 10 = 70 / 2 new customers = 35.
    assert by_week["2025-03-10"]["cac"] == pytest.approx(35.0)


def test_marketing_revenue_by_quarter_adds_up(marketing):
    at = marketing
    at.sidebar.segmented_control(key="grain").set_value("quarter").run()
    rows = _rows(at, "Revenue by campaign and quarter")
    revenue = {row["campaign"]: row["revenue"] for row in rows}
    # Spring 100 + 250 + 50 = 400, Summer 80, O5 without a campaign 20.
    assert revenue == {"Spring": 400.0, "Summer": 80.0, "unattributed": 20.0}
