"""A Pipedrive deals export without a stage column on the Data and Sales
pages: the status stands in for the stage."""

from __future__ import annotations

import hashlib
import json

import polars as pl
from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_stage_from_status import NOTE, PIPEDRIVE_DE
from tests.pages.conftest import APP


def _deal_counts(at: AppTest) -> dict[str, int]:
    """Return the deals per stage drawn in the pipeline chart of counts."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("encoding", {}).get("x", {}).get("title") == "Deals (count)":
            # Streamlit sends the chart data apart from the spec, as Arrow.
            [dataset] = chart.proto.datasets
            rows = pl.read_ipc_stream(dataset.data.data).to_dicts()
            return {row["stage"]: row["deals"] for row in rows}
    raise AssertionError("no pipeline chart of deal counts")


def test_upload_without_stage_column():
    key = hashlib.sha256(PIPEDRIVE_DE).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("pipedrive_deals_de.csv", PIPEDRIVE_DE, "text/csv")]
    ).run()
    assert not at.exception
    assert not at.error
    assert "4 rows read, 4 kept." in [m.value for m in at.markdown]
    captions = " ".join(c.value for c in at.caption)
    assert NOTE in captions
    texts = [w.value for w in at.warning] + [m.value for m in at.markdown]
    assert not any("feeds several fields" in text for text in texts)

    at.button(key=f"{key}:import").click().run()
    assert "Imported 4 rows" in at.success[0].value
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    at.sidebar.selectbox(key="currency").set_value("CHF").run()
    [rate] = [
        box for box in at.sidebar.number_input if box.label == "Value of 1 EUR in CHF"
    ]
    rate.set_value(0.94).run()
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # Close rate: 2 won (Müller, Schmidt) of 4 deals = 50.0 %.
    assert metrics["Close rate"] == "50.0 %"
    # Win rate: 2 won of 2 won + 1 lost = 66.7 %.
    assert metrics["Win rate"] == "66.7 %"
    # Won value: 1,234.50 CHF + 2,000.00 EUR * 0.94 = 3,114.50 CHF.
    assert metrics["Won value"] == "3,115 CHF"
    # Average deal size: 3,114.50 / 2 = 1,557.25 CHF.
    assert metrics["Average deal size"] == "1,557 CHF"
    # Sales cycle: (14 + 28 days) / 2 won deals = 21.0 days.
    assert metrics["Sales cycle (mean)"] == "21.0 days"
    assert _deal_counts(at) == {"open": 1, "won": 2, "lost": 1}
