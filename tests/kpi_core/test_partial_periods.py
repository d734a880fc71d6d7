"""Partial periods: buckets that the data or the period covers only in part,
how the charts mark them, and the close-rate cohorts that are still open."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from kpi_core import charts
from kpi_core.importing import load_file
from kpi_core.partial_periods import (
    partial_note,
    partial_periods,
    period_labels,
    table_span,
    with_partial_column,
)
from kpi_core.period import Period
from kpi_core.sales_tables import open_cohorts, open_cohorts_note, sales_series

TODAY = date(2026, 12, 4)
# Two won deals, a lost one and two open ones. The open deal D5 has an
# expected close date in 2027, which is no recorded date.
DEALS = (
    "Record ID,Deal Stage,Amount,Currency,Create Date,Close Date\n"
    "D1,Closed won,100.00,EUR,2026-07-01,2026-08-10\n"
    "D2,Closed won,200.00,EUR,2026-10-05,2026-11-30\n"
    "D3,Closed lost,300.00,EUR,2026-10-06,2026-11-02\n"
    "D4,Appointment scheduled,400.00,EUR,2026-11-10,\n"
    "D5,Appointment scheduled,500.00,EUR,2026-11-12,2027-02-01\n"
)


def _deals(tmp_path: Path) -> pl.DataFrame:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    return load_file(path.name, path.read_bytes()).frame


def test_span_skips_expected_close_dates(tmp_path):
    # D5's close date 2027-02-01 belongs to an open deal, so the last date is
    # D2's close on 2026-11-30.
    assert table_span(_deals(tmp_path), "deals", TODAY) == (
        date(2026, 7, 1),
        date(2026, 11, 30),
    )


def test_span_skips_dates_after_today():
    ends = pl.Series([date(2026, 3, 1), date(2027, 5, 1)], dtype=pl.Date)
    frame = pl.DataFrame({"started_at": [date(2026, 1, 10)] * 2, "ended_at": ends})
    assert table_span(frame, "subscriptions", TODAY) == (
        date(2026, 1, 10),
        date(2026, 3, 1),
    )


def test_last_quarter_cut_by_data_end():
    starts = [date(2026, 7, 1), date(2026, 10, 1)]
    span = (date(2025, 1, 1), date(2026, 11, 30))
    found = partial_periods(starts, "quarter", Period(), span)
    assert list(found) == [date(2026, 10, 1)]
    assert partial_note(found) == (
        "2026 Q4 covers 2026-10-01 to 2026-11-30 only: the data ends on 2026-11-30."
    )


def test_first_bucket_cut_by_data_start():
    # The data starts on Wednesday 7 January 2026; its week starts on Monday 5th.
    starts = [date(2026, 1, 5), date(2026, 1, 12)]
    span = (date(2026, 1, 7), date(2026, 1, 18))
    found = partial_periods(starts, "week", Period(), span)
    assert partial_note(found) == (
        "The week starting 05 Jan 2026 covers 2026-01-07 to 2026-01-11 only: the "
        "data starts on 2026-01-07."
    )


def test_period_cut_named_before_data():
    # The period starts on 15 February, after the data's first day, and ends
    # on 31 March 2027, after its last: February is cut by the period, the
    # quarters of 2027 by the data.
    period = Period(date(2026, 2, 15), date(2027, 3, 31))
    span = (date(2026, 1, 1), date(2026, 11, 30))
    starts = [date(2026, 2, 1), date(2026, 11, 1), date(2026, 12, 1)]
    found = partial_periods(starts, "month", period, span)
    assert [partial.note() for partial in found.values()] == [
        "Feb 2026 covers 2026-02-15 to 2026-02-28 only: the period starts on "
        "2026-02-15.",
        "Dec 2026 has no days in the data: the data ends on 2026-11-30.",
    ]


def test_many_empty_buckets_one_sentence():
    # The period runs to the end of 2027, but the data ends on 30 November
    # 2026: December 2026 and the 12 months of 2027 have no days in the
    # data, named in one sentence after November's.
    period = Period(date(2026, 1, 1), date(2027, 12, 31))
    span = (date(2026, 1, 1), date(2026, 11, 15))
    starts = [date(2026, 11, 1), date(2026, 12, 1)]
    starts += [date(2027, month, 1) for month in range(1, 13)]
    found = partial_periods(starts, "month", period, span)
    assert partial_note(found) == (
        "Nov 2026 covers 2026-11-01 to 2026-11-15 only: the data ends on "
        "2026-11-15. 13 months, from Dec 2026 to Dec 2027, have no days in the "
        "data: the data ends on 2026-11-15."
    )


def test_whole_buckets_give_no_note():
    # The data runs from 1 January to 31 December, so every month is whole.
    starts = [date(2026, month, 1) for month in range(1, 13)]
    span = (date(2026, 1, 1), date(2026, 12, 31))
    assert partial_periods(starts, "month", Period(), span) == {}
    assert partial_note({}) is None


def test_labels_and_column_mark_partial():
    starts = [date(2026, 7, 1), date(2026, 10, 1)]
    found = partial_periods(
        starts, "quarter", Period(), (date(2026, 7, 1), date(2026, 11, 30))
    )
    assert period_labels(starts, "quarter", found) == ["2026 Q3", "2026 Q4 (partial)"]
    marked = with_partial_column(pl.DataFrame({"period_start": starts}), found)
    assert marked["partial"].to_list() == [None, "2026-10-01 to 2026-11-30 only"]


def test_sales_series_marks_last_quarter(tmp_path):
    deals = _deals(tmp_path)
    series = sales_series(deals, Period(), "quarter")
    found = partial_periods(
        series["period_start"], "quarter", Period(), table_span(deals, "deals", TODAY)
    )
    # The deals start on 1 July (Q3 is whole) and the last recorded date is
    # 30 November, so Q4 covers October and November.
    assert partial_note(found) == (
        "2026 Q4 covers 2026-10-01 to 2026-11-30 only: the data ends on 2026-11-30."
    )


def _encoding(chart) -> dict:
    return chart.to_dict()["encoding"]


def _rows(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_line_chart_rings_partial_point():
    series = pl.DataFrame(
        {"period_start": [date(2026, 7, 1), date(2026, 10, 1)], "rate": [12.8, 9.8]}
    )
    chart = charts.rate_like_lines(
        series, {"rate": "Growth"}, "List growth", "Growth (%)", "quarter",
        partial={date(2026, 10, 1)},
    )  # fmt: skip
    shape = _encoding(chart)["shape"]
    assert shape["field"] == "coverage"
    assert shape["scale"]["domain"] == [charts.WHOLE, charts.PARTIAL]
    assert shape["scale"]["range"][0] == "circle"
    rows = _rows(chart)
    assert [row["period_label"] for row in rows] == ["2026 Q3", "2026 Q4 (partial)"]
    tooltip = _encoding(chart)["tooltip"][0]
    assert tooltip == {"field": "period_label", "title": "Quarter", "type": "nominal"}


def test_bar_chart_pales_partial_bar():
    # Won value 300,450 in Q3 against 291,620 in the partial Q4.
    series = pl.DataFrame(
        {
            "period_start": [date(2026, 7, 1), date(2026, 10, 1)],
            "won_value": [300450.0, 291620.0],
        }
    )
    chart = charts.value_over_time(
        series, "won_value", "Won value", "Won value (EUR)", "quarter",
        partial={date(2026, 10, 1)},
    )  # fmt: skip
    opacity = _encoding(chart)["opacity"]
    assert opacity["scale"]["range"] == [1.0, charts.PARTIAL_OPACITY]
    assert [row["coverage"] for row in _rows(chart)] == [charts.WHOLE, charts.PARTIAL]


def test_chart_without_partial_unchanged():
    series = pl.DataFrame({"period_start": [date(2026, 7, 1)], "won_value": [1.0]})
    encoding = _encoding(
        charts.value_over_time(series, "won_value", "Won", "Won (EUR)", "quarter")
    )
    assert "opacity" not in encoding
    assert encoding["tooltip"][0]["field"] == "period_start"


def test_nps_tooltip_names_period():
    series = pl.DataFrame(
        {
            "period_start": [date(2026, 10, 1), date(2026, 11, 1)],
            "detractors": [1, 2],
            "passives": [3, 4],
            "promoters": [5, 6],
        }
    )
    tooltip = _encoding(charts.nps_stacked(series, "month"))["tooltip"]
    assert tooltip[0] == {
        "field": "period_start",
        "format": "%b %Y",
        "title": "Month",
        "type": "temporal",
    }
    marked = charts.nps_stacked(series, "month", partial={date(2026, 11, 1)})
    labels = {row["period_label"] for row in _rows(marked)}
    assert labels == {"Oct 2026", "Nov 2026 (partial)"}


def test_waterfall_tooltip_has_currency():
    bridge = pl.DataFrame(
        {
            "step": ["start", "new", "end"],
            "amount": [1000.0, 5400.0, 6400.0],
            "signed_amount": [1000.0, 5400.0, 6400.0],
        }
    )
    tooltip = _encoding(charts.waterfall(bridge, "EUR"))["tooltip"]
    assert tooltip[1]["title"] == "Change (EUR per year)"


def test_open_cohorts_name_recent_quarters(tmp_path):
    # Q3: D1 won, 0 of 1 open (0 %, below 10 %). Q4: D2 won, D3 lost, D4 and
    # D5 open: 2 of 4 open = 50 %.
    cohorts = open_cohorts(_deals(tmp_path), Period(), "quarter")
    assert cohorts["period_start"].to_list() == [date(2026, 10, 1)]
    assert open_cohorts_note(cohorts, "quarter") == (
        "The close rate of 2026 Q4 (2 of 4 deals open, 50.0 %) can still rise: "
        "the close rate counts the deals created in a period that were won so "
        "far, and deals still open may yet be won."
    )


def test_open_cohorts_stop_at_closed_cohort(tmp_path):
    # By month: Nov has D4 and D5, 2 of 2 open (100 %). Oct has D2 and D3,
    # 0 of 2 open, which stops the walk back, although Jul is not counted.
    cohorts = open_cohorts(_deals(tmp_path), Period(), "month")
    assert cohorts.select("period_start", "created", "open").rows() == [
        (date(2026, 11, 1), 2, 2)
    ]


def test_no_open_cohorts_give_no_note():
    empty = pl.DataFrame(
        schema={
            "period_start": pl.Date,
            "created": pl.Int64,
            "open": pl.Int64,
            "open_share": pl.Float64,
        }
    )
    assert open_cohorts_note(empty, "month") is None
