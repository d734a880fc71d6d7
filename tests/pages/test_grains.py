"""Every page that groups series offers week, month, quarter and year, and
its charts follow the choice."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.period import GRAINS
from tests.pages.conftest import APP

# Bar and line charts name their time buckets on the x axis and label each
# bucket in its own terms, such as "2025 Q2" for a quarter.
AXIS_TITLES = {
    "week": "Week starting",
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year",
}
LABEL_FORMATS = {
    "week": "%d %b %Y",
    "month": "%b %Y",
    "quarter": "%Y Q%q",
    "year": "%Y",
}


def _charts(at: AppTest) -> dict[str, dict]:
    specs = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("title")
        if isinstance(title, dict):
            title = title.get("text")
        specs[str(title)] = spec
    return specs


def _open(page: str, grain: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    if page != "pages/sales.py":
        at.switch_page(page).run()
    at.sidebar.segmented_control(key="grain").set_value(grain).run()
    return at


def test_grain_picker_offers_every_grain():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.sidebar.segmented_control(key="grain").options == list(GRAINS)
    assert at.sidebar.segmented_control(key="grain").value == "month"


@pytest.mark.parametrize("grain", ["week", "quarter", "year"])
def test_sales_page_bars_follow_grain(grain):
    at = _open("pages/sales.py", grain)
    assert not at.exception
    assert not at.error
    charts = _charts(at)
    for title in ("Won value by close date", "Average deal size"):
        x = charts[title]["encoding"]["x"]
        assert x["title"] == AXIS_TITLES[grain]
        assert x["axis"]["format"] == LABEL_FORMATS[grain]
    for title in ("Close rate and win rate", "Sales cycle of won deals"):
        line = charts[title]["encoding"]["x"]
        assert line["title"] == AXIS_TITLES[grain]
        assert line["axis"]["format"] == LABEL_FORMATS[grain]


@pytest.mark.parametrize("grain", ["week", "quarter", "year"])
def test_service_page_follows_grain(grain):
    at = _open("pages/service.py", grain)
    assert not at.exception
    assert not at.error
    charts = _charts(at)
    nps = charts["Detractors, passives and promoters"]["encoding"]["x"]
    assert nps["title"] == AXIS_TITLES[grain]
    for title in (f"Time to resolution by {grain} of solve", f"Churn by {grain}"):
        line = charts[title]["encoding"]["x"]
        assert line["title"] == AXIS_TITLES[grain]
        assert line["axis"]["format"] == LABEL_FORMATS[grain]


@pytest.mark.parametrize("grain", ["week", "year"])
def test_marketing_page_follows_grain(grain):
    at = _open("pages/marketing.py", grain)
    assert not at.exception
    assert not at.error
    growth = _charts(at)["List growth"]["encoding"]["x"]
    assert growth["title"] == AXIS_TITLES[grain]
    assert growth["axis"]["format"] == LABEL_FORMATS[grain]


def test_sidebar_names_buckets_the_period_cuts_short():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {"period": "Custom", "dates": ["2025-03-15", "2025-06-14"], "grain": "month"}
    )
    at.run()
    assert not at.exception
    captions = [caption.value for caption in at.sidebar.caption]
    # March keeps 15 to 31 of its days, June 1 to 14.
    assert (
        "The period cuts buckets short: the first month (from 2025-03-01) holds "
        "only 2025-03-15 to 2025-03-31; the last month (from 2025-06-01) holds "
        "only 2025-06-01 to 2025-06-14."
    ) in captions

    at.sidebar.segmented_control(key="grain").set_value("quarter").run()
    captions = [caption.value for caption in at.sidebar.caption]
    assert not any("first month" in caption for caption in captions)
    assert (
        "The period cuts buckets short: the first quarter (from 2025-01-01) holds "
        "only 2025-03-15 to 2025-03-31; the last quarter (from 2025-04-01) holds "
        "only 2025-04-01 to 2025-06-14."
    ) in captions
