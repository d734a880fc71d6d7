"""CAC, revenue by campaign and ARR per period add up to their headline
figures, from hand-made exports read by the real importer."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings, compute_kpis, new_customers
from kpi_core.marketing import cac, campaign_revenue
from kpi_core.marketing_series import (
    arr_series,
    cac_series,
    campaign_revenue_series,
    undated_note,
)
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.subscriptions import arr

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
# Meta reporting windows: Spring runs 20 days (22 Jan to 10 Feb), 20 EUR a
# day; Summer runs the 31 days of March, 10 EUR a day.
SPEND = (
    "Campaign name,Reporting starts,Reporting ends,Amount spent (EUR)\n"
    "Spring,2025-01-22,2025-02-10,400.00\n"
    "Summer,2025-03-01,2025-03-31,310.00\n"
)
# New customers by first order: C1 on 25 Jan, C2 on 3 Feb, C3 on 15 Mar and
# C4 on 16 Mar. O3 is C1's second order.
ORDERS = (
    "Order ID,Order date,Customer ID,Total,Currency,utm_campaign\n"
    "O1,2025-01-25,C1,100.00,EUR,Spring\n"
    "O2,2025-02-03,C2,250.00,EUR,Spring\n"
    "O3,2025-02-20,C1,50.00,EUR,Spring\n"
    "O4,2025-03-15,C3,80.00,EUR,Summer\n"
    "O5,2025-03-16,C4,20.00,EUR,\n"
)
# K1 pays 100 a month all along and adds 10 a month from 5 March; K2 pays
# 50 a month up to the close of 31 January; K3 pays 1,200 a year from 10 Feb.
SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K2,canceled,2024-07-01 00:00,2025-02-01 00:00,50.00,EUR,month\n"
    "s3,K3,active,2025-02-10 00:00,,1200.00,EUR,year\n"
    "s4,K1,active,2025-03-05 00:00,,10.00,EUR,month\n"
)


def _load(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes()).frame


@pytest.fixture
def tables(tmp_path) -> dict:
    return {
        "spend": _load(tmp_path, "spend.csv", SPEND),
        "orders": _load(tmp_path, "orders.csv", ORDERS),
        "subscriptions": _load(tmp_path, "subscriptions.csv", SUBSCRIPTIONS),
    }


def _rows(frame) -> list[tuple]:
    return [tuple(row) for row in frame.iter_rows()]


def test_cac_by_month_splits_window(tables):
    customers = new_customers(tables)
    assert customers.source == "orders"
    series = cac_series(tables["spend"], customers.frame, Q1, "month")
    # Jan: 10 days of Spring x 20 = 200 / 1 (C1) = 200.
    # Feb: 10 days of Spring x 20 = 200 / 1 (C2) = 200.
    # Mar: 310 / 2 (C3, C4) = 155.
    assert _rows(series) == [
        (date(2025, 1, 1), 200.0, 1, 200.0),
        (date(2025, 2, 1), 200.0, 1, 200.0),
        (date(2025, 3, 1), 310.0, 2, 155.0),
    ]


def test_cac_buckets_add_up_to_headline(tables):
    customers = new_customers(tables)
    headline = cac(tables["spend"], customers.frame, Q1)
    series = cac_series(tables["spend"], customers.frame, Q1, "week")
    # 400 + 310 = 710 EUR over 1 + 1 + 2 = 4 new customers = 177.5 EUR.
    assert headline.value == pytest.approx(177.5)
    assert series["spend"].sum() == pytest.approx(710.0)
    assert series["new_customers"].sum() == 4
    assert series["spend"].sum() == pytest.approx(headline.numerator)
    assert series["new_customers"].sum() == headline.denominator


def test_cac_by_week_leaves_gaps(tables):
    customers = new_customers(tables)
    series = cac_series(tables["spend"], customers.frame, Q1, "week")
    by_week = {row[0]: row[1:] for row in _rows(series)}
    # Weeks run Monday to Sunday, from the week of 30 Dec 2024 (holding
    # 1 Jan) to the week of 31 Mar 2025: 14 weeks.
    assert series.height == 14
    assert min(by_week) == date(2024, 12, 30)
    assert max(by_week) == date(2025, 3, 31)
    # No spend and no customer before 20 Jan: no spend, no CAC.
    assert by_week[date(2025, 1, 13)] == (None, 0, None)
    # 20-26 Jan: spend 22-26 Jan = 5 days x 20 = 100, C1 on 25 Jan: CAC 100.
    assert by_week[date(2025, 1, 20)] == (pytest.approx(100.0), 1, pytest.approx(100.0))
    # 27 Jan - 2 Feb: 7 days x 20 = 140, no new customer: a gap, not 0.
    assert by_week[date(2025, 1, 27)] == (pytest.approx(140.0), 0, None)
    # 3-9 Feb: 7 x 20 = 140, C2 on 3 Feb.
    assert by_week[date(2025, 2, 3)] == (pytest.approx(140.0), 1, pytest.approx(140.0))
    # 10-16 Feb: 10 Feb only = 20; C1's second order on 20 Feb is no new customer.
    assert by_week[date(2025, 2, 10)] == (pytest.approx(20.0), 0, None)
    # 24 Feb - 2 Mar: 1-2 Mar = 2 days x 10 = 20.
    assert by_week[date(2025, 2, 24)] == (pytest.approx(20.0), 0, None)
    # 10-16 Mar: 7 x 10 = 70 / 2 (C3, C4) = 35.
    assert by_week[date(2025, 3, 10)] == (pytest.approx(70.0), 2, pytest.approx(35.0))
    # 31 Mar - 6 Apr, cut by the period: 31 Mar only = 10.
    assert by_week[date(2025, 3, 31)] == (pytest.approx(10.0), 0, None)


def test_cac_by_quarter_follows_period(tables):
    customers = new_customers(tables)
    period = Period(date(2025, 2, 1), date(2025, 3, 31))
    series = cac_series(tables["spend"], customers.frame, period, "quarter")
    headline = cac(tables["spend"], customers.frame, period)
    # Spend 1-10 Feb = 10 x 20 = 200, plus 310 in March = 510, over C2, C3
    # and C4 = 170.
    assert _rows(series) == [(date(2025, 1, 1), pytest.approx(510.0), 3, 170.0)]
    assert headline.value == pytest.approx(170.0)


def test_cac_by_year_all_data(tables):
    customers = new_customers(tables)
    series = cac_series(tables["spend"], customers.frame, Period(), "year")
    # 710 / 4 = 177.5, as the headline.
    assert _rows(series) == [(date(2025, 1, 1), pytest.approx(710.0), 4, 177.5)]


def test_revenue_by_campaign_and_month(tables):
    series = campaign_revenue_series(tables["orders"], Q1, "month", "campaign")
    # Jan: Spring 100. Feb: Spring 250 + 50 = 300. Mar: Summer 80, O5
    # without a campaign 20. Labels by revenue of the period: Spring 400,
    # Summer 80, unattributed 20; a month without a label's revenue is 0.
    assert _rows(series) == [
        (date(2025, 1, 1), "Spring", 100.0),
        (date(2025, 1, 1), "Summer", 0.0),
        (date(2025, 1, 1), "unattributed", 0.0),
        (date(2025, 2, 1), "Spring", 300.0),
        (date(2025, 2, 1), "Summer", 0.0),
        (date(2025, 2, 1), "unattributed", 0.0),
        (date(2025, 3, 1), "Spring", 0.0),
        (date(2025, 3, 1), "Summer", 80.0),
        (date(2025, 3, 1), "unattributed", 20.0),
    ]
    headline = campaign_revenue(tables["orders"], Q1)
    # 100 + 300 + 80 + 20 = 500, the headline total.
    assert series["revenue"].sum() == pytest.approx(headline.extra["total"])
    assert headline.extra["total"] == pytest.approx(500.0)


def test_revenue_other_campaigns_summed(tables):
    series = campaign_revenue_series(tables["orders"], Q1, "quarter", "campaign", top=1)
    # Spring keeps its name; Summer 80 + unattributed 20 = 100 are the
    # 2 other campaigns.
    assert _rows(series) == [
        (date(2025, 1, 1), "Spring", 400.0),
        (date(2025, 1, 1), "other campaigns (2)", 100.0),
    ]


def test_arr_at_each_month_end(tables):
    series = arr_series(tables["subscriptions"], Q1, "month")
    # 31 Jan: K1 100 x 12 + K2 50 x 12 = 1,800.
    # 28 Feb: K2 ended; K1 1,200 + K3 1,200 = 2,400.
    # 31 Mar: K1 (100 + 10) x 12 = 1,320 + K3 1,200 = 2,520.
    assert _rows(series) == [
        (date(2025, 1, 1), date(2025, 1, 31), 1800.0),
        (date(2025, 2, 1), date(2025, 2, 28), 2400.0),
        (date(2025, 3, 1), date(2025, 3, 31), 2520.0),
    ]
    assert arr(tables["subscriptions"], Q1).value == pytest.approx(2520.0)


def test_arr_last_bucket_ends_with_period(tables):
    period = Period(date(2025, 1, 1), date(2025, 3, 3))
    series = arr_series(tables["subscriptions"], period, "quarter")
    # 3 Mar is before s4 starts: K1 1,200 + K3 1,200 = 2,400.
    assert _rows(series) == [(date(2025, 1, 1), date(2025, 3, 3), 2400.0)]
    assert arr(tables["subscriptions"], period).value == pytest.approx(2400.0)


def test_undated_rows_named_for_all_data(tmp_path, tables):
    spend = _load(
        tmp_path,
        "spend_undated.csv",
        "Campaign,Day,Cost\nSpring,2025-01-05,100.00\nSummer,,50.00\n",
    )
    note = undated_note(spend, None, None, Period())
    assert note is not None
    assert "1 spend row without a date" in note
    assert undated_note(spend, None, None, Q1) is None
    assert undated_note(tables["spend"], None, tables["orders"], Period()) is None


def test_excel_report_has_series(tables):
    settings = KpiSettings(period=Q1)
    book = load_workbook(io.BytesIO(excel_report_bytes(tables, settings, "month")))
    rows = list(book["Marketing"].iter_rows(values_only=True))
    titles = [row[0] for row in rows]
    for title in ("CAC by month", "Revenue by campaign by month", "ARR by month"):
        assert title in titles
    start = titles.index("CAC by month")
    header = rows[start + 2]
    assert header[:4] == (
        "Period start",
        "Spend (EUR)",
        "New customers",
        "CAC (EUR per new customer)",
    )
    # The monthly CAC of test_cac_by_month_splits_window.
    assert [row[1:4] for row in rows[start + 3 : start + 6]] == [
        (200, 1, 200),
        (200, 1, 200),
        (310, 2, 155),
    ]
    # Spend starts on 22 Jan, so January is partial.
    assert rows[start + 3][4] == "2025-01-22 to 2025-01-31 only"
    kpis = compute_kpis(tables, settings)
    assert kpis["cac"].value == pytest.approx(177.5)


def test_arr_series_empty_before_first_start():
    # Three customers pay 50 a month from June 2024; c3 leaves on 15 September.
    rows = ["Customer ID,Start Date,Ended At,Amount,Interval,Currency"]
    rows += [f"c{n},2024-06-0{n + 1},,50,month,EUR" for n in range(2)]
    rows += ["c3,2024-06-03,2024-09-15,50,month,EUR"]
    text = "\n".join(rows) + "\n"
    subs = load_file("subs.csv", text.encode(), table="subscriptions").frame
    series = arr_series(subs, Period(date(2024, 1, 1), date(2024, 12, 31)), "month")
    arr = series["arr"].to_list()
    # January to May end before the first start: no ARR, not 0.
    assert arr[:5] == [None] * 5
    # June to August: 3 x 50 x 12 = 1,800; from September 2 x 50 x 12 = 1,200.
    assert arr[5:8] == [1800.0] * 3
    assert arr[8:] == [1200.0] * 4
