"""Deals with an empty stage: the Data page names them, and the Sales page
draws its pipeline without an exception."""

from __future__ import annotations

import hashlib
import json

import polars as pl
from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.kpi_core.test_empty_stage import GERMAN_DEALS, STATUS_DEALS
from tests.pages.conftest import APP

PIPELINE_AXES = ("Deals (count)", "Value (sum of amounts)")


def _pipeline_charts(at: AppTest) -> dict[str, list[dict]]:
    """Return the rows of the pipeline charts by their axis title."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("encoding", {}).get("x", {}).get("title")
        if title in PIPELINE_AXES:
            # Streamlit sends the chart data apart from the spec, as Arrow.
            [dataset] = chart.proto.datasets
            found[title] = pl.read_ipc_stream(dataset.data.data).to_dicts()
    return found


def _open_sales(at: AppTest) -> None:
    at.switch_page("pages/sales.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()


def test_upload_names_empty_stage_line():
    key = hashlib.sha256(GERMAN_DEALS).hexdigest()[:16]
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value(
        [("deals.csv", GERMAN_DEALS, "text/csv")]
    ).run()
    assert not at.exception
    assert "4 rows read, 3 kept." in [m.value for m in at.markdown]
    warnings = [w.value for w in at.warning]
    assert any(
        "empty 'Phase' cell" in w
        and "could be open, won or lost" in w
        and "(line 3)" in w
        and "This row is left out." in w
        for w in warnings
    )

    at.button(key=f"{key}:import").click().run()
    assert "Imported 3 rows" in at.success[0].value
    _open_sales(at)
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    # Close rate: 1 won of the 3 deals left (deals 1, 3 and 4) = 33.3 %.
    assert metrics["Close rate"] == "33.3 %"
    charts = _pipeline_charts(at)
    assert set(charts) == set(PIPELINE_AXES)
    stages = {row["stage"] for row in charts["Deals (count)"]}
    assert stages == {"Gewonnen", "Verloren", "Angebot"}


def test_sales_pipeline_with_empty_stage(fresh_workspace):
    at = AppTest.from_file(APP, default_timeout=60).run()
    # Deal 2 has an empty stage and the status "won", so the import keeps it.
    prepared = load_file("deals.csv", STATUS_DEALS)
    Workspace(fresh_workspace).save(
        prepared.frame,
        name="Deals with an empty stage",
        table_type="deals",
        source_file="deals.csv",
        mapping=prepared.mapping,
    )

    at.run()
    at.sidebar.selectbox(key="table_deals").set_value(
        Workspace(fresh_workspace).list_tables("deals")[0].id
    ).run()
    _open_sales(at)
    assert not at.exception
    assert not at.error
    charts = _pipeline_charts(at)
    assert set(charts) == set(PIPELINE_AXES)

    counts = {
        (row["stage"], row["status"]): row["deals"] for row in charts["Deals (count)"]
    }
    assert counts == {
        ("Proposal", "open"): 1,
        ("Proposal", "won"): 1,
        ("(no stage)", "won"): 1,
    }

    values = {
        (row["stage"], row["status"]): row["value"]
        for row in charts["Value (sum of amounts)"]
    }
    # The value of the "(no stage)" bar is deal 2's amount, 2,000.
    assert values[("(no stage)", "won")] == 2000.0
    # The section after the pipeline is drawn too.
    assert any(s.value == "Time in each stage" for s in at.subheader)
