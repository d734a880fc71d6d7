"""A value axis over a series that is zero everywhere gets readable ticks."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest
import vl_convert

from kpi_core import charts

STARTS = [date(2024, 4, 1), date(2024, 4, 8), date(2024, 4, 15)]


def _tick_labels(chart) -> list[str]:
    """Return the numeric labels of the drawn chart, read from its SVG."""
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return [text for text in texts if re.fullmatch(r"-?[\d.,]+", text)]


def _churn_chart(values: list[float]):
    series = pl.DataFrame({"period_start": STARTS, "churn_rate": values})
    return charts.rate_like_lines(
        series, {"churn_rate": "Churn rate"}, "Churn by week", "Churn (%)", "week"
    )


@pytest.mark.parametrize(
    "values",
    [[0.0, 0.0, 0.0], [0.0001, 0.0002, 0.0], [0.04, None, 0.0]],
    ids=["zero", "tiny", "rounds-to-zero"],
)
def test_zero_series_axis_zero_to_one(values):
    chart = _churn_chart(values)
    assert chart.to_dict()["encoding"]["y"]["scale"] == {"domain": [0, 1]}
    # Vega-Lite picks ticks 0.2 apart on a domain of 0 to 1.
    assert _tick_labels(chart) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]


def test_series_with_values_keeps_own_scale():
    chart = _churn_chart([0.0, 2.5, 0.05])
    assert "scale" not in chart.to_dict()["encoding"]["y"]


def test_every_value_axis_handles_zero():
    zero = pl.DataFrame({"period_start": STARTS, "won_value": [0.0, 0.0, 0.0]})
    segments = pl.DataFrame({"agent": ["a", "b"], "mean_hours": [0.0, 0.0]})
    pipeline = pl.DataFrame(
        {"stage": ["Lead", "Won"], "status": ["open", "won"], "deals": [0, 0]}
    )
    scores = pl.DataFrame(
        {
            "score": [0, 9],
            "bucket": ["detractor", "promoter"],
            "count": [0, 0],
            "share": [0.0, 0.0],
        }
    )
    stages = pl.DataFrame(
        {
            "stage": ["Lead", "Demo"],
            "median_days": [0.0, 0.0],
            "mean_days": [0.0, 0.0],
            "reached": [0, 0],
            "conversion_to_next": [None, None],
        }
    )
    path = pl.DataFrame(
        {"date": STARTS, "actual": [0.0, 0.0, None], "target_path": [0.0] * 3}
    )
    levers = pl.DataFrame(
        {"label": ["Close rate"], "change_percent": [10], "clv": [0.0]}
    )
    bridge = pl.DataFrame(
        {
            "step": ["start", "new", "end"],
            "amount": [0.0, 0.0, 0.0],
            "signed_amount": [0.0, 0.0, 0.0],
        }
    )
    built = {
        "value_over_time": (
            charts.value_over_time(zero, "won_value", "Won", "EUR"),
            "y",
        ),
        "breakdown_bars": (
            charts.breakdown_bars(segments, "agent", "mean_hours", "By agent", "h"),
            "x",
        ),
        "pipeline_bars": (charts.pipeline_bars(pipeline, "deals", "Deals"), "x"),
        "score_distribution": (charts.score_distribution(scores), "y"),
        "stage_durations": (charts.stage_durations(stages, None), "x"),
        "stage_funnel": (charts.stage_funnel(stages), "x"),
        "goal_progress": (charts.goal_progress(path, "Goal", "Leads"), "y"),
        "sensitivity_bars": (charts.sensitivity_bars(levers, "clv", "CLV"), "x"),
        "waterfall": (charts.waterfall(bridge), "y"),
    }
    for name, (chart, axis) in built.items():
        scale = chart.to_dict()["encoding"][axis].get("scale")
        assert scale == {"domain": [0, 1]}, name
