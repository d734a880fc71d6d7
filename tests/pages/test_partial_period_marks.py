"""The Sales, Marketing and Service pages mark the periods that the sample
data covers only in part, name the units of their charts and offer each
ticket's hours behind the time to resolution.

The sample data ends on 2026-11-30, so at quarter grain 2026 Q4 contains
October and November only.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

Q4_NOTE = "2026 Q4 covers 2026-10-01 to 2026-11-30 only: the data ends on 2026-11-30."


def _open(page: str, grain: str = "quarter") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    if page != "pages/sales.py":
        at.switch_page(page).run()
    at.sidebar.segmented_control(key="grain").set_value(grain).run()
    assert not at.exception
    assert not at.error
    return at


def _captions(at: AppTest) -> str:
    return " ".join(caption.value for caption in at.main.caption)


def _charts(at: AppTest) -> dict[str, dict]:
    specs = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("title")
        if isinstance(title, dict):
            title = title.get("text")
        specs[str(title)] = spec
    return specs


def _chart_rows(at: AppTest, title: str) -> list[dict]:
    """Return the data rows of the chart ``title``."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("title") == title:
            [dataset] = element.proto.datasets
            return _arrow_rows(dataset.data.data)
    raise AssertionError(f"no chart titled {title!r}")


def _arrow_rows(data: bytes) -> list[dict]:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pylist()


def test_sales_marks_partial_quarter():
    at = _open("pages/sales.py")
    assert Q4_NOTE in _captions(at)
    rows = _chart_rows(at, "Won value by close date")
    labels = {row["period_label"]: row["coverage"] for row in rows}
    assert labels["2026 Q3"] == "whole"
    assert labels["2026 Q4 (partial)"] == "partial (see note)"
    shape = _charts(at)["Close rate and win rate"]["encoding"]["shape"]
    assert shape["field"] == "coverage"


def test_sales_names_open_cohorts():
    at = _open("pages/sales.py")
    # Deals created and still open by month of creation: Jul 0 of 18, Aug 5
    # of 27, Sep 14 of 48, Oct 14 of 25, Nov 33 of 38. So Q3 has 19 of 93
    # open (20.4 %) and Q4 47 of 63 (74.6 %); Q2 has none open.
    assert (
        "The close rates of 2026 Q3 (19 of 93 deals open, 20.4 %) and 2026 Q4 "
        "(47 of 63 deals open, 74.6 %) can still rise"
    ) in _captions(at)


def test_sales_month_grain_has_no_partial():
    # The sample data runs from 2025-01-01 to 2026-11-30: whole months.
    at = _open("pages/sales.py", "month")
    assert "only: the data" not in _captions(at)
    assert "shape" not in _charts(at)["Close rate and win rate"]["encoding"]


def test_marketing_units_and_partial_list():
    at = _open("pages/marketing.py")
    assert Q4_NOTE in _captions(at)
    charts = _charts(at)
    cac = charts["CAC by channel"]["encoding"]
    assert cac["x"]["title"] == "CAC (EUR per new customer)"
    assert {"field": "cac_text", "title": "CAC (EUR per new customer)"}.items() <= (
        cac["tooltip"][1].items()
    )
    [bridge] = [spec for spec in charts.values() if spec.get("title") == "ARR bridge"]
    titles = [item["title"] for item in bridge["encoding"]["tooltip"]]
    assert titles == ["Step", "Change (EUR per year)"]


def test_service_nps_tooltip_and_rows():
    at = _open("pages/service.py", "month")
    nps = _charts(at)["Detractors, passives and promoters"]["encoding"]
    assert nps["tooltip"][0]["title"] == "Month"
    # The NPS responses start on 2025-01-02, so January 2025 lacks one day.
    assert (
        "Jan 2025 covers 2025-01-02 to 2025-01-31 only: the data starts on 2025-01-02."
    ) in _captions(at)
    [button] = [
        b for b in at.get("download_button") if b.key == "rows:resolution_hours"
    ]
    card = [m for m in at.metric if m.label == "Time to resolution"][0]
    assert card.value.endswith(" h")
    assert button.proto.label.startswith("Rows behind time to resolution (")
