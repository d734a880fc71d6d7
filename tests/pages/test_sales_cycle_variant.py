"""The Sales page: the cycle chart follows the variant chosen for its card,
and an unknown segment in the URL gets a warning."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# Deal 1 was won after 10 days and deal 2 lost after 30, both in January.
DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date\n"
    "1,Closed won,2025-01-05,2025-01-15\n"
    "2,Closed lost,2025-01-01,2025-01-31\n"
)


def _chart_specs(at: AppTest) -> str:
    return " ".join(chart.proto.spec for chart in at.get("vega_lite_chart"))


def test_cycle_chart_follows_variant(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert "Sales cycle of won deals" in _chart_specs(at)

    at.sidebar.radio(key="sales_cycle_variant").set_value("closed").run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # (10 + 30) / 2 = 20 days, on the card and in the chart's title.
    assert metrics["Sales cycle (mean)"] == "20.0 days"
    specs = _chart_specs(at)
    assert "Sales cycle of won and lost deals" in specs
    assert "Sales cycle of won deals" not in specs


def test_unknown_segment_in_url_warned(tmp_path, fresh_workspace):
    deals = (
        "Record ID,Deal Stage,Deal owner,Create Date,Close Date\n"
        "1,Closed won,Ana,2025-01-05,2025-01-15\n"
        "2,Closed lost,Ben,2025-01-01,2025-01-31\n"
    )
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (deals, "deals")})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["segment"] = "<b>nope</b>"
    at.run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    # The box falls back to its first option and the page warns.
    assert at.selectbox(key="segment").value == "owner"
    assert any("segment" in warning.value for warning in at.warning)
