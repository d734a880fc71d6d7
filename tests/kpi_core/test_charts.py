import io
import zipfile
from datetime import date

import polars as pl
import pytest

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


def test_waterfall_axis_names_the_currency():
    bridge = pl.DataFrame(
        {
            "step": ["start", "end"],
            "amount": [100.0, 100.0],
            "signed_amount": [100.0, 100.0],
        }
    )
    spec = charts.waterfall(bridge, "USD").to_dict()
    assert spec["encoding"]["y"]["title"] == "ARR (USD per year)"


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


def test_bucket_axis_for_each_grain():
    expected = {
        "week": ("yearmonthdate", "Week starting"),
        "month": ("yearmonth", "Month"),
        "quarter": ("yearquarter", "Quarter"),
        "year": ("year", "Year"),
    }
    for grain, (time_unit, title) in expected.items():
        spec = charts.value_over_time(SERIES, "won_value", "Won", "EUR", grain)
        x = spec.to_dict()["encoding"]["x"]
        assert x["timeUnit"] == time_unit, grain
        assert x["title"] == title, grain
        assert x["axis"]["labelOverlap"] is True, grain


def test_week_axis_labels_first_day():
    spec = charts.nps_stacked(
        pl.DataFrame(
            {
                "period_start": [date(2025, 1, 6), date(2025, 1, 13)],
                "detractors": [1, 0],
                "passives": [0, 1],
                "promoters": [2, 2],
            }
        ),
        "week",
    ).to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "%d %b %Y"


@pytest.mark.parametrize(
    ("grain", "starts", "label_format", "title"),
    [
        ("week", [date(2025, 3, 31), date(2025, 4, 7)], "%d %b %Y", "Week starting"),
        ("month", [date(2025, 3, 1), date(2025, 4, 1)], "%b %Y", "Month"),
        ("quarter", [date(2025, 1, 1), date(2025, 4, 1)], "%Y Q%q", "Quarter"),
        ("year", [date(2024, 1, 1), date(2025, 1, 1)], "%Y", "Year"),
    ],
)
def test_line_axis_ticks_each_bucket(grain, starts, label_format, title):
    series = pl.DataFrame({"period_start": starts, "win_rate": [50.0, 40.0]})
    for chart in (
        charts.rate_like_lines(series, {"win_rate": "Win"}, "Rates", "Rate", grain),
        charts.rate_over_time(series, {"win_rate": "Win"}, "Rates", grain),
    ):
        x = chart.to_dict()["encoding"]["x"]
        assert x["title"] == title
        assert x["axis"]["format"] == label_format
        # One tick on each bucket start, so no tick falls inside a bucket
        # and a quarter is never labelled by a month.
        ticks = [(t["year"], t["month"], t["date"]) for t in x["axis"]["values"]]
        assert ticks == [(d.year, d.month, d.day) for d in starts]


def test_line_tooltip_names_bucket():
    series = pl.DataFrame(
        {"period_start": [date(2025, 4, 1)], "close_rate": [1.0], "win_rate": [2.0]}
    )
    spec = charts.rate_over_time(
        series, {"close_rate": "Close", "win_rate": "Win"}, "Rates", "quarter"
    ).to_dict()
    period = spec["encoding"]["tooltip"][0]
    assert period["title"] == "Quarter"
    assert period["format"] == "%Y Q%q"


def test_bar_axis_labels_quarters():
    spec = charts.value_over_time(SERIES, "won_value", "Won", "EUR", "quarter")
    assert spec.to_dict()["encoding"]["x"]["axis"]["format"] == "%Y Q%q"


def test_compare_chart_ticks_months():
    # Two months around a date: the ticks are the month starts, not days.
    series = pl.DataFrame(
        {
            "period_start": [date(2025, 3, 1), date(2025, 4, 1)],
            "close_rate": [10.0, 20.0],
            "win_rate": [30.0, None],
        }
    )
    spec = charts.rates_around_date(
        series, {"close_rate": "Close", "win_rate": "Win"}, "By month", "2025-03-20"
    ).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["title"] == "Month"
    assert x["axis"]["format"] == "%b %Y"
    assert [(t["month"], t["date"]) for t in x["axis"]["values"]] == [(3, 1), (4, 1)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([None, None], False),
        ([None, 0.0], True),
        ([], False),
    ],
)
def test_has_values(values, expected):
    frame = pl.DataFrame({"rate": values}, schema={"rate": pl.Float64})
    assert charts.has_values(frame, "rate") is expected


def test_stage_chart_legend_names_bottleneck():
    summary = pl.DataFrame(
        {
            "stage": ["Lead", "Proposal"],
            "median_days": [2.0, 9.0],
            "mean_days": [3.0, 10.0],
        }
    )
    spec = charts.stage_durations(summary, "Proposal").to_dict()
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Bottleneck", "Other stage"]
    rows = next(iter(spec["datasets"].values()))
    assert {row["stage"]: row["role"] for row in rows} == {
        "Lead": "Other stage",
        "Proposal": "Bottleneck",
    }
