"""Every page that groups series offers week, month, quarter and year, and
its charts follow the choice."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from kpi_core.period import GRAINS
from tests.pages.conftest import APP

# Bar charts name their time buckets on the x axis.
AXIS_TITLES = {
    "week": "Week starting",
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year",
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


@pytest.mark.parametrize("grain", ["week", "year"])
def test_sales_page_bars_follow_grain(grain):
    at = _open("pages/sales.py", grain)
    assert not at.exception
    assert not at.error
    charts = _charts(at)
    for title in ("Won value by close date", "Average deal size"):
        x = charts[title]["encoding"]["x"]
        assert x["title"] == AXIS_TITLES[grain]
    line = charts["Close rate and win rate"]["encoding"]["x"]
    assert line["title"] == ("Year" if grain == "year" else "Period")


@pytest.mark.parametrize("grain", ["week", "year"])
def test_service_page_follows_grain(grain):
    at = _open("pages/service.py", grain)
    assert not at.exception
    assert not at.error
    charts = _charts(at)
    nps = charts["Detractors, passives and promoters"]["encoding"]["x"]
    assert nps["title"] == AXIS_TITLES[grain]
    assert f"Time to resolution by {grain} of solve" in charts


@pytest.mark.parametrize("grain", ["week", "year"])
def test_marketing_page_follows_grain(grain):
    at = _open("pages/marketing.py", grain)
    assert not at.exception
    assert not at.error
    growth = _charts(at)["List growth"]["encoding"]["x"]
    assert growth["title"] == ("Year" if grain == "year" else "Period")
