"""Chart tooltips show numbers as the cards write them.

A d3 format rounds the binary float: ".1f" shows 0.15 (stored as
0.1499...) as "0.1" and ".2f" shows 2.675 (2.67499...) as "2.67", where a
card rounds half away from zero to 0.2 and 2.68. Every expected text below
is rounded by hand from the decimal value written in the frame.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kpi_core import charts

MONTHS = [date(2025, month, 1) for month in range(1, 7)]
# Values whose d3 and hand-rounded texts differ, a large value that needs a
# thousands separator, a small negative value and a null.
VALUES = [0.15, 2.675, 12.25, 1234.5, -0.05, None]
# VALUES at one decimal. -0.05 keeps its sign because it rounds away from 0.
ONE_DECIMAL = ["0.2", "2.7", "12.3", "1,234.5", "-0.1", ""]
# VALUES at no decimals. -0.05 rounds to 0, which never gets a minus sign.
NO_DECIMALS = ["0", "3", "12", "1,235", "0", ""]


def _rows(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def _tooltip(spec: dict, title: str) -> dict:
    [entry] = [item for item in spec["encoding"]["tooltip"] if item["title"] == title]
    return entry


def _text_tooltip(column: str, title: str) -> dict:
    return {"field": f"{column}_text", "type": "nominal", "title": title}


def test_rate_over_time_tooltip():
    series = pl.DataFrame({"period_start": MONTHS, "close_rate": VALUES})
    spec = charts.rate_over_time(series, {"close_rate": "Close"}, "Rates").to_dict()

    assert _tooltip(spec, "Rate (%)") == _text_tooltip("rate", "Rate (%)")
    assert [row["rate_text"] for row in _rows(spec)] == ONE_DECIMAL
    assert [row["rate"] for row in _rows(spec)] == VALUES
    assert spec["encoding"]["y"]["field"] == "rate"


def test_rates_around_date_tooltip():
    series = pl.DataFrame({"period_start": MONTHS, "close_rate": VALUES})
    spec = charts.rates_around_date(
        series, {"close_rate": "Close"}, "Around", "2025-03-15"
    ).to_dict()
    lines = spec["layer"][0]
    rows = spec["datasets"][lines["data"]["name"]]

    assert _tooltip(lines, "Rate (%)") == _text_tooltip("rate", "Rate (%)")
    assert [row["rate_text"] for row in rows] == ONE_DECIMAL
    assert lines["encoding"]["y"]["field"] == "rate"


def test_value_over_time_tooltip():
    series = pl.DataFrame({"period_start": MONTHS, "won_value": VALUES})
    spec = charts.value_over_time(
        series, "won_value", "Won value", "Won value (EUR)"
    ).to_dict()

    expected = _text_tooltip("won_value", "Won value (EUR)")
    assert _tooltip(spec, "Won value (EUR)") == expected
    assert [row["won_value_text"] for row in _rows(spec)] == ONE_DECIMAL
    assert spec["encoding"]["y"]["field"] == "won_value"


def test_cycle_lines_tooltip():
    series = pl.DataFrame(
        {
            "period_start": MONTHS,
            "cycle_mean_days": VALUES,
            "cycle_median_days": [2.5, 0.05, 99.95, 1000.0, 0.0, 7.0],
        }
    )
    spec = charts.cycle_over_time(series, "Cycle").to_dict()
    texts = {"Mean": [], "Median": []}
    for row in _rows(spec):
        texts[row["measure"]].append(row["value_text"])

    title = "Sales cycle (days)"
    assert _tooltip(spec, title) == _text_tooltip("value", title)
    assert texts["Mean"] == ONE_DECIMAL
    assert texts["Median"] == ["2.5", "0.1", "100.0", "1,000.0", "0.0", "7.0"]
    assert spec["encoding"]["y"]["field"] == "value"


def test_breakdown_bars_tooltip():
    table = pl.DataFrame({"owner": ["a", "b", "c", "d", "e", "f"], "roi": VALUES})
    spec = charts.breakdown_bars(table, "owner", "roi", "ROI", "ROI (%)").to_dict()
    texts = {row["owner"]: row["roi_text"] for row in _rows(spec)}

    assert _tooltip(spec, "ROI (%)") == _text_tooltip("roi", "ROI (%)")
    assert texts == {
        "a": "0.2",
        "b": "2.7",
        "c": "12.3",
        "d": "1,234.5",
        "e": "-0.1",
        "f": "",
    }
    assert spec["encoding"]["x"]["field"] == "roi"


def test_pipeline_bars_tooltip():
    pipeline = pl.DataFrame(
        {
            "stage": ["Lead", "Demo", "Offer", "Talks", "Won", "Lost"],
            "status": ["open", "open", "open", "open", "won", "lost"],
            "deals": [1234, 0, 5, 12, 3, 1],
            "value": VALUES,
        }
    )
    value_spec = charts.pipeline_bars(pipeline, "value", "Value").to_dict()
    deals_spec = charts.pipeline_bars(pipeline, "deals", "Deals").to_dict()

    assert _tooltip(value_spec, "Value") == _text_tooltip("value", "Value")
    assert [row["value_text"] for row in _rows(value_spec)] == NO_DECIMALS
    assert value_spec["encoding"]["x"]["field"] == "value"
    assert [row["deals_text"] for row in _rows(deals_spec)] == [
        "1,234",
        "0",
        "5",
        "12",
        "3",
        "1",
    ]


def test_nps_stacked_tooltip():
    series = pl.DataFrame(
        {
            "period_start": MONTHS[:2],
            "detractors": [1234, 0],
            "passives": [5, None],
            "promoters": [12, 3],
        }
    )
    spec = charts.nps_stacked(series).to_dict()
    texts = [(row["bucket"], row["responses_text"]) for row in _rows(spec)]

    assert _tooltip(spec, "Responses") == _text_tooltip("responses", "Responses")
    assert texts == [
        ("detractor", "1,234"),
        ("detractor", "0"),
        ("passive", "5"),
        ("passive", ""),
        ("promoter", "12"),
        ("promoter", "3"),
    ]
    assert spec["encoding"]["y"]["field"] == "responses"


def test_score_distribution_tooltip():
    distribution = pl.DataFrame(
        {
            "score": [0, 7, 9],
            "bucket": ["detractor", "passive", "promoter"],
            "count": [1234, 3, 0],
            "share": [12.25, 0.15, None],
        }
    )
    spec = charts.score_distribution(distribution).to_dict()
    rows = _rows(spec)

    assert _tooltip(spec, "Responses") == _text_tooltip("count", "Responses")
    assert _tooltip(spec, "Share (%)") == _text_tooltip("share", "Share (%)")
    assert [row["count_text"] for row in rows] == ["1,234", "3", "0"]
    assert [row["share_text"] for row in rows] == ["12.3", "0.2", ""]
    assert spec["encoding"]["y"]["field"] == "count"


def test_stage_durations_tooltip():
    summary = pl.DataFrame(
        {
            "stage": ["Lead", "Demo", "Offer", "Talks", "Won", "Lost"],
            "median_days": VALUES,
            "mean_days": [None, 1234.5, -0.05, 12.25, 2.675, 0.15],
        }
    )
    spec = charts.stage_durations(summary, "Offer").to_dict()
    rows = _rows(spec)

    median = _text_tooltip("median_days", "Median (days)")
    mean = _text_tooltip("mean_days", "Mean (days)")
    assert _tooltip(spec, "Median (days)") == median
    assert _tooltip(spec, "Mean (days)") == mean
    # The stage without a median is not drawn.
    assert [row["stage"] for row in rows] == ["Lead", "Demo", "Offer", "Talks", "Won"]
    assert [row["median_days_text"] for row in rows] == ONE_DECIMAL[:5]
    assert [row["mean_days_text"] for row in rows] == [
        "",
        "1,234.5",
        "-0.1",
        "12.3",
        "2.7",
    ]
    assert spec["encoding"]["x"]["field"] == "median_days"


def test_stage_funnel_tooltip():
    summary = pl.DataFrame(
        {
            "stage": ["Lead", "Demo", "Won"],
            "reached": [1234, 50, 5],
            "conversion_to_next": [12.25, 0.15, None],
        }
    )
    spec = charts.stage_funnel(summary).to_dict()
    rows = _rows(spec)

    title = "On to a later stage (%)"
    assert _tooltip(spec, "Deals") == _text_tooltip("reached", "Deals")
    assert _tooltip(spec, title) == _text_tooltip("conversion_to_next", title)
    assert [row["reached_text"] for row in rows] == ["1,234", "50", "5"]
    # The last stage has no later stage, so its share is empty, not 0.0.
    assert [row["conversion_to_next_text"] for row in rows] == ["12.3", "0.2", ""]
    assert spec["encoding"]["x"]["field"] == "reached"


def test_waterfall_tooltip():
    # 1234.5 + 2.5 - 12.5 - 0.05 = 1224.45 at the end.
    bridge = pl.DataFrame(
        {
            "step": ["start", "new", "churned", "contraction", "end"],
            "amount": [1234.5, 2.5, 12.5, 0.05, 1224.45],
            "signed_amount": [1234.5, 2.5, -12.5, -0.05, 1224.45],
        }
    )
    spec = charts.waterfall(bridge, "EUR").to_dict()
    rows = _rows(spec)

    # The tooltip names the currency, as the axis does.
    title = "Change (EUR per year)"
    assert _tooltip(spec, title) == _text_tooltip("signed_amount", title)
    assert [row["signed_amount_text"] for row in rows] == [
        "1,235",
        "3",
        "-13",
        "0",
        "1,224",
    ]
    # The bars still stand on the unrounded running total.
    assert [row["base"] for row in rows][:3] == [0.0, 1234.5, 1237.0]
    assert spec["encoding"]["y"]["field"] == "base"


def test_goal_progress_tooltip():
    path = pl.DataFrame(
        {
            "date": MONTHS[:3],
            "actual": [0.15, 2.675, None],
            "target_path": [12.25, 1234.5, -0.05],
        }
    )
    spec = charts.goal_progress(path, "Goal", "Leads (count)").to_dict()
    texts = [(row["line"], row["value_text"]) for row in _rows(spec)]

    title = "Leads (count)"
    assert _tooltip(spec, title) == _text_tooltip("value", title)
    # The actual value after the day of the evaluation is not drawn.
    assert texts == [
        ("Actual", "0.2"),
        ("Actual", "2.7"),
        ("Target path", "12.3"),
        ("Target path", "1,234.5"),
        ("Target path", "-0.1"),
    ]
    assert spec["encoding"]["y"]["field"] == "value"


def test_sensitivity_bars_tooltip():
    table = pl.DataFrame(
        {
            "label": ["Close rate"] * 2 + ["Deal size"] * 2 + ["Churn"] * 2,
            "change_percent": [10.0, -10.0, 12.5, -12.5, 0.15, -20.0],
            "clv": [0.15, 2.675, 1.005, 1234.5, -0.05, None],
        }
    )
    spec = charts.sensitivity_bars(table, "clv", "CLV (EUR)").to_dict()
    rows = _rows(spec)

    moved = _text_tooltip("change_percent", "Moved by (%)")
    assert _tooltip(spec, "Moved by (%)") == moved
    assert _tooltip(spec, "CLV (EUR)") == _text_tooltip("clv", "CLV (EUR)")
    # The row without a CLV is left out.
    assert [row["change_percent_text"] for row in rows] == [
        "+10",
        "-10",
        "+13",
        "-13",
        "+0",
    ]
    # 1.005 is stored as 1.00499..., which ".2f" would show as 1.00.
    assert [row["clv_text"] for row in rows] == [
        "0.15",
        "2.68",
        "1.01",
        "1,234.50",
        "-0.05",
    ]
    assert spec["encoding"]["x"]["field"] == "clv"


def _empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


EMPTY_CHARTS = {
    "rate_over_time": lambda: charts.rate_over_time(
        _empty({"period_start": pl.Date, "close_rate": pl.Float64}),
        {"close_rate": "Close"},
        "Rates",
    ),
    "value_over_time": lambda: charts.value_over_time(
        _empty({"period_start": pl.Date, "won_value": pl.Float64}),
        "won_value",
        "Won",
        "EUR",
    ),
    "rate_like_lines": lambda: charts.rate_like_lines(
        _empty({"period_start": pl.Date, "churn_rate": pl.Float64}),
        {"churn_rate": "Churn"},
        "Churn",
        "Churn (%)",
    ),
    "breakdown_bars": lambda: charts.breakdown_bars(
        _empty({"owner": pl.String, "roi": pl.Float64}), "owner", "roi", "ROI", "%"
    ),
    "pipeline_bars": lambda: charts.pipeline_bars(
        _empty({"stage": pl.String, "status": pl.String, "deals": pl.Int64}),
        "deals",
        "Deals",
    ),
    "nps_stacked": lambda: charts.nps_stacked(
        _empty(
            {
                "period_start": pl.Date,
                "detractors": pl.Int64,
                "passives": pl.Int64,
                "promoters": pl.Int64,
            }
        )
    ),
    "score_distribution": lambda: charts.score_distribution(
        _empty(
            {
                "score": pl.Int64,
                "bucket": pl.String,
                "count": pl.Int64,
                "share": pl.Float64,
            }
        )
    ),
    "stage_durations": lambda: charts.stage_durations(
        _empty(
            {"stage": pl.String, "median_days": pl.Float64, "mean_days": pl.Float64}
        ),
        None,
    ),
    "stage_funnel": lambda: charts.stage_funnel(
        _empty(
            {
                "stage": pl.String,
                "reached": pl.Int64,
                "conversion_to_next": pl.Float64,
            }
        )
    ),
    "waterfall": lambda: charts.waterfall(
        _empty({"step": pl.String, "amount": pl.Float64, "signed_amount": pl.Float64})
    ),
    "goal_progress": lambda: charts.goal_progress(
        _empty({"date": pl.Date, "actual": pl.Float64, "target_path": pl.Float64}),
        "Goal",
        "Leads",
    ),
    "sensitivity_bars": lambda: charts.sensitivity_bars(
        _empty({"label": pl.String, "change_percent": pl.Float64, "clv": pl.Float64}),
        "clv",
        "CLV",
    ),
}


@pytest.mark.parametrize("name", list(EMPTY_CHARTS))
def test_empty_frame_tooltip(name):
    spec = EMPTY_CHARTS[name]().to_dict()

    assert _rows(spec) == []
    tooltips = spec["encoding"]["tooltip"]
    # Numbers are shown as text, so no tooltip is left to d3's rounding.
    assert [item for item in tooltips if item["type"] == "quantitative"] == []
    # Only the period tooltip keeps a d3 format, and it formats a date.
    formatted = [item["field"] for item in tooltips if "format" in item]
    assert formatted in ([], ["period_start"])


def test_all_null_column_text_empty():
    # A column of nulls only has the dtype Null, not Float64.
    series = pl.DataFrame({"period_start": MONTHS[:2], "churn_rate": [None, None]})
    spec = charts.rate_like_lines(
        series, {"churn_rate": "Churn"}, "Churn", "Churn (%)"
    ).to_dict()

    assert [row["value_text"] for row in _rows(spec)] == ["", ""]
