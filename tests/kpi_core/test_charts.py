import io
import zipfile
from datetime import date

import polars as pl

from kpi_core import charts

SERIES = pl.DataFrame(
    {
        "period_start": [date(2025, 1, 1), date(2025, 2, 1)],
        "close_rate": [10.0, None],
        "win_rate": [50.0, 40.0],
        "won_value": [1000.0, 0.0],
    }
)


def test_rate_chart_keeps_gaps_and_units():
    spec = charts.rate_over_time(
        SERIES, {"close_rate": "Close rate", "win_rate": "Win rate"}, "Rates"
    ).to_dict()
    assert spec["encoding"]["y"]["title"] == "Rate (%)"
    values = next(iter(spec["datasets"].values()))
    close = [row["rate"] for row in values if row["kpi"] == "Close rate"]
    assert close == [10.0, None]


def test_value_chart_by_quarter():
    spec = charts.value_over_time(
        SERIES, "won_value", "Won value", "Won value (EUR)", "quarter"
    ).to_dict()
    assert spec["encoding"]["x"]["timeUnit"] == "yearquarter"
    assert spec["encoding"]["y"]["title"] == "Won value (EUR)"


def test_waterfall_steps_float_from_running_total():
    bridge = pl.DataFrame(
        {
            "step": ["start", "new", "churned", "end"],
            "amount": [100.0, 30.0, 20.0, 110.0],
            "signed_amount": [100.0, 30.0, -20.0, 110.0],
        }
    )
    values = next(iter(charts.waterfall(bridge).to_dict()["datasets"].values()))
    bars = {row["step"]: (row["base"], row["top"]) for row in values}
    # new floats from 100 to 130; churned from 130 down to 110.
    assert bars["new"] == (100.0, 130.0)
    assert bars["churned"] == (130.0, 110.0)
    assert bars["end"] == (0.0, 110.0)


def test_charts_archive_has_svg_and_png():
    chart = charts.value_over_time(SERIES, "won_value", "Won value", "Won value (EUR)")
    archive = zipfile.ZipFile(io.BytesIO(charts.charts_archive([chart, chart])))
    names = sorted(archive.namelist())
    assert names == [
        "01-won-value.png",
        "01-won-value.svg",
        "02-won-value.png",
        "02-won-value.svg",
    ]
    assert archive.read("01-won-value.svg").startswith(b"<svg")
    assert archive.read("01-won-value.png")[:4] == b"\x89PNG"
