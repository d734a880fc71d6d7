"""Series values that cannot be computed are null, never 0, and each empty
chart has a reason to show instead."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
import pytest
from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.sales_tables import (
    OUTCOME_COLUMNS,
    chart_gap,
    sales_breakdown,
    sales_series,
    undated_deals_note,
)

# The close dates sit in a "Close date" column; "Deal date" maps to nothing.
CSV_WITH_CLOSE = (
    "Deal ID,Stage,Created,Close date,Amount,Owner\n"
    "D1,Won,2025-01-10,2025-02-01,1000,Anna\n"
    "D2,Won,2025-01-12,2025-02-03,240,Anna\n"
    "D3,Lost,2025-01-20,2025-02-10,500,Ben\n"
    "D4,Open,2025-02-01,,,Ben\n"
)
CSV_WITHOUT_CLOSE = CSV_WITH_CLOSE.replace("Close date", "Deal date")


def _deals(tmp_path, text: str) -> pl.DataFrame:
    path = tmp_path / "deals.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes()).frame


def _excel_rows(deals: pl.DataFrame, title: str) -> list[tuple]:
    """Return the data rows under ``title`` on the Sales sheet."""
    workbook = load_workbook(
        io.BytesIO(excel_report_bytes({"deals": deals}, KpiSettings()))
    )
    rows = list(workbook["Sales"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 2
    table = []
    for row in rows[start:]:
        if not isinstance(row[0], datetime):
            break
        table.append(row[:2])
    return table


def test_close_date_header_gives_close_dates(tmp_path):
    deals = _deals(tmp_path, CSV_WITH_CLOSE)
    assert deals["closed_at"].null_count() == 1  # only the open deal


def test_series_without_close_dates_is_null(tmp_path):
    deals = _deals(tmp_path, CSV_WITHOUT_CLOSE)
    assert deals["closed_at"].null_count() == deals.height
    series = sales_series(deals, Period(), "month")
    # Created in January: D1, D2, D3, of which D1 and D2 won = 2 / 3.
    # Created in February: D4, still open = 0 / 1.
    assert series["close_rate"].to_list() == pytest.approx([200 / 3, 0.0])
    for column in OUTCOME_COLUMNS:
        assert series[column].null_count() == series.height, column


def test_series_with_close_dates_counts_zero(tmp_path):
    series = sales_series(_deals(tmp_path, CSV_WITH_CLOSE), Period(), "month")
    # Nothing closed in January, so its won value is a true 0. February has
    # D1 + D2 = 1000 + 240 = 1240 won, and 2 won of 3 decided.
    assert series["won_value"].to_list() == [0.0, 1240.0]
    assert series["win_rate"].to_list() == pytest.approx([None, 200 / 3])


def test_excel_won_value_blank_without_close_dates(tmp_path):
    deals = _deals(tmp_path, CSV_WITHOUT_CLOSE)
    assert _excel_rows(deals, "Won value by month") == [
        (datetime(2025, 1, 1), None),
        (datetime(2025, 2, 1), None),
    ]


def test_excel_won_value_with_close_dates(tmp_path):
    deals = _deals(tmp_path, CSV_WITH_CLOSE)
    assert _excel_rows(deals, "Won value by month") == [
        (datetime(2025, 1, 1), 0),
        (datetime(2025, 2, 1), 1240),
    ]


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("win_rate", "No won or lost deal has a close date, so the win rate"),
        ("won_value", "No won deal has a close date, so the won value"),
        ("average_deal_size", "No won deal has a close date, so the average"),
        ("cycle_mean_days", "No won deal has a close date, so the sales cycle"),
    ],
)
def test_gap_without_close_dates(tmp_path, column, label):
    deals = _deals(tmp_path, CSV_WITHOUT_CLOSE)
    series = sales_series(deals, Period(), "month")
    reason = chart_gap(deals, Period(), series, column)
    assert reason.startswith(label)
    assert "closed_at on the Data page" in reason


def test_no_gap_for_close_rate(tmp_path):
    deals = _deals(tmp_path, CSV_WITHOUT_CLOSE)
    series = sales_series(deals, Period(), "month")
    assert chart_gap(deals, Period(), series, "close_rate") is None


def test_no_gap_with_close_dates(tmp_path):
    deals = _deals(tmp_path, CSV_WITH_CLOSE)
    series = sales_series(deals, Period(), "month")
    for column in ("close_rate", "win_rate", "won_value", "cycle_mean_days"):
        assert chart_gap(deals, Period(), series, column) is None, column


def test_gap_when_nothing_won(tmp_path):
    deals = _deals(tmp_path, CSV_WITH_CLOSE.replace(",Won,", ",Lost,"))
    series = sales_series(deals, Period(), "month")
    # Every won value is 0, which draws bars of no height.
    assert series["won_value"].to_list() == [0.0, 0.0]
    assert chart_gap(deals, Period(), series, "won_value") == (
        "No deal was won in this period, so there is no won value to show."
    )
    assert chart_gap(deals, Period(), series, "win_rate") is None


def test_gap_when_period_has_no_close(tmp_path):
    deals = _deals(tmp_path, CSV_WITH_CLOSE)
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    series = sales_series(deals, march, "month")
    assert chart_gap(deals, march, series, "win_rate") == (
        "No deal was won or lost in this period, so there is no win rate to show."
    )
    assert chart_gap(deals, march, series, "close_rate") == (
        "No deal was created in this period, so there is no close rate."
    )


def test_gap_without_amounts(tmp_path):
    text = CSV_WITH_CLOSE.replace(",1000,", ",,").replace(",240,", ",,")
    deals = _deals(tmp_path, text)
    series = sales_series(deals, Period(), "month")
    assert chart_gap(deals, Period(), series, "won_value") == (
        "All 2 won deals closed in this period have no amount, so there is no "
        "won value."
    )


def test_gap_for_negative_cycle(tmp_path):
    # One won deal, closed on 1 Jan before its creation on 10 Jan.
    text = "Deal ID,Stage,Created,Close date,Amount\nD1,Won,2025-01-10,2025-01-01,100\n"
    deals = _deals(tmp_path, text)
    series = sales_series(deals, Period(), "month")
    assert chart_gap(deals, Period(), series, "cycle_mean_days") == (
        "The won deal closed in this period has a close date before the "
        "creation date, so there is no sales cycle."
    )


def test_breakdown_gap_counts_undated_deals(tmp_path):
    deals = _deals(tmp_path, CSV_WITHOUT_CLOSE)
    table = sales_breakdown(deals, Period(), "owner")
    # With all data the breakdown counts deals without a close date: Anna won
    # D1 + D2 = 1240, so there is something to chart.
    assert chart_gap(deals, Period(), table, "won_value", by_close_date=False) is None
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    table = sales_breakdown(deals, march, "owner")
    reason = chart_gap(deals, march, table, "won_value", by_close_date=False)
    assert reason.startswith("No won deal has a close date")


def test_undated_note_only_for_some(tmp_path):
    # D2 loses its close date: 1 of the 3 won or lost deals has none.
    text = CSV_WITH_CLOSE.replace("2025-02-03", "")
    deals = _deals(tmp_path, text)
    assert undated_deals_note(deals, Period()) == (
        "1 won or lost deal has no close date, so the charts by close date "
        "leave it out. The KPI cards count it, except the sales cycle, which "
        "needs both dates."
    )
    assert undated_deals_note(deals, Period(date(2025, 1, 1), None)) is None
    assert undated_deals_note(_deals(tmp_path, CSV_WITH_CLOSE), Period()) is None
    assert undated_deals_note(_deals(tmp_path, CSV_WITHOUT_CLOSE), Period()) is None
