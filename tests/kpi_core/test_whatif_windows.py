"""Each what-if input is read from a window that its own table covers: the
last 12 full months up to the table's last recorded date, from its first
date on."""

from datetime import date, timedelta

import polars as pl
import pytest

from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.recorded_spans import recorded_span
from kpi_core.whatif_baseline import baseline_levers
from kpi_core.whatif_windows import (
    baseline_windows,
    disjoint_windows_warning,
    windows_caption,
)

TODAY = date(2026, 12, 5)


def _weekly_deals() -> str:
    """48 HubSpot deals created weekly from Friday 2025-01-03 to 2025-11-28.

    Deal i is created on 2025-01-03 + 7 i days. Every third deal from deal 0
    is won and every third from deal 1 lost, 10 + 3 (i mod 5) days after its
    creation, at 1,000 + 100 (i mod 7). The rest and deals 44 to 47 are open.
    """
    lines = ["Record ID,Deal Stage,Amount,Close Date,Create Date"]
    for i in range(48):
        created = date(2025, 1, 3) + timedelta(days=7 * i)
        kind = 2 if i >= 44 else i % 3
        stage = ("Closed Won", "Closed Lost", "Appointment Scheduled")[kind]
        closed = created + timedelta(days=10 + 3 * (i % 5))
        close_text = closed.isoformat() if kind < 2 else ""
        amount = 1000 + 100 * (i % 7)
        lines.append(f"{1000 + i},{stage},{amount},{close_text},{created} 10:00")
    return "\n".join(lines) + "\n"


# Customer s16 starts on 2025-02-26 and cancels on 2026-02-21, the last
# date of the table. s01 has paid 50 a month since 2024-07-01.
SUBSCRIPTIONS = """\
id,Customer ID,Status,Start (UTC),Canceled At (UTC),Amount,Interval
sub_01,s01,active,2024-07-01 00:00,,50,month
sub_16,s16,canceled,2025-02-26 00:00,2026-02-21 00:00,60,month
"""


def _load(tmp_path, name: str, text: str, table: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path.name, path.read_bytes(), table=table).frame


def _tester_tables(tmp_path) -> dict[str, pl.DataFrame]:
    return {
        "deals": _load(tmp_path, "hubspot_deals.csv", _weekly_deals(), "deals"),
        "subscriptions": _load(
            tmp_path, "stripe_subs.csv", SUBSCRIPTIONS, "subscriptions"
        ),
    }


def test_windows_per_table(tmp_path):
    windows = baseline_windows(_tester_tables(tmp_path), TODAY)

    # The last deal is created on 2025-01-03 + 7 x 47 = 2025-11-28, so the
    # last full month is October 2025. The 12 full months from November 2024
    # start before the first deal of 2025-01-03, so the window starts there.
    deals = windows["deals"]
    assert deals.first_date == date(2025, 1, 3)
    assert deals.last_date == date(2025, 11, 28)
    assert deals.period == Period(date(2025, 1, 3), date(2025, 10, 31))
    # The cancellation of 2026-02-21 ends the subscriptions' window with
    # January 2026.
    subscriptions = windows["subscriptions"]
    assert subscriptions.last_date == date(2026, 2, 21)
    assert subscriptions.period == Period(date(2025, 2, 1), date(2026, 1, 31))


def test_leads_from_deals_window(tmp_path):
    tables = _tester_tables(tmp_path)
    windows = baseline_windows(tables, TODAY)
    periods = {name: window.period for name, window in windows.items()}
    levers, notes = baseline_levers(tables, periods)

    # Deals 0 to 43 are created up to 2025-01-03 + 7 x 43 = 2025-10-31: 44.
    # 2025-01-03 to 2025-10-31 is 29 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30
    # + 31 = 302 days, so 44 / (302 / 30.4375) = 1,339.25 / 302 = 4.4346.
    # The one window of both tables, 2025-02-01 to 2026-01-31, held deals 5
    # to 47 (43) over 365 days: 3.59 a month.
    assert levers.leads_per_month == pytest.approx(1339.25 / 302)
    assert notes["leads_per_month"] == (
        "44 deals created in 2025-01-03 to 2025-10-31 / (302 days / 30.4375 "
        "days a month) = 4.43 a month"
    )


def test_won_deals_from_deals_window(tmp_path):
    tables = _tester_tables(tmp_path)
    windows = baseline_windows(tables, TODAY)
    periods = {name: window.period for name, window in windows.items()}
    levers, notes = baseline_levers(tables, periods)

    # Won: deals 0, 3, ..., 42 of the 44 created in the window, 15, so the
    # close rate is 15 / 44 = 34.09 %. Deal 42 (2025-10-24) closes 10 + 3 x 2
    # days later, on 2025-11-09, after the window, so 14 are won in it, with
    # i mod 7 = 0, 3, 6, 2, 5, 1, 4 twice: 14 x 1,000 + 100 x 42 = 18,200,
    # 1,300 each.
    assert levers.close_rate == pytest.approx(15 / 44 * 100)
    assert levers.average_deal_size == pytest.approx(1300.0)
    assert notes["average_deal_size"] == (
        "18,200.00 EUR / 14 won deals = 1,300.00 EUR, over the deals won in "
        "2025-01-03 to 2025-10-31"
    )


def test_subscriptions_keep_their_window(tmp_path):
    tables = _tester_tables(tmp_path)
    windows = baseline_windows(tables, TODAY)
    periods = {name: window.period for name, window in windows.items()}
    levers, notes = baseline_levers(tables, periods)

    # On 2026-01-31 both customers pay: (50 + 60) / 2 = 55 a month.
    assert levers.active_customers == 2
    assert levers.arpa == pytest.approx(55.0)
    assert notes["active_customers"] == "2 paying customers on 2026-01-31"


def test_caption_names_each_window(tmp_path):
    windows = baseline_windows(_tester_tables(tmp_path), TODAY)
    assert windows_caption(windows) == (
        "Each table's baseline is its last 12 full months, starting no earlier "
        "than its first date: deals 2025-01-03 to 2025-10-31 (data from "
        "2025-01-03 to 2025-11-28); subscriptions 2025-02-01 to 2026-01-31 "
        "(data from 2024-07-01 to 2026-02-21)."
    )


def test_caption_one_shared_window(tmp_path):
    deals = (
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "a,Closed Won,100,2024-12-15,2025-01-10\n"
        "b,Closed Lost,100,2025-06-01,2025-12-31\n"
    )
    tables = {"deals": _load(tmp_path, "deals.csv", deals, "deals")}
    windows = baseline_windows(tables, TODAY)
    # The last date is the last day of December, so December 2025 is full.
    assert windows_caption(windows) == "Baseline from 2025-01-01 to 2025-12-31."


def test_window_ignores_later_dates(tmp_path):
    subscriptions = (
        "Customer ID,Start Date (UTC),Ended At (UTC),Amount,Interval\n"
        "a,2024-03-01,2027-02-28,100,month\n"
        "b,2025-05-10,,100,month\n"
    )
    tables = {
        "subscriptions": _load(tmp_path, "subs.csv", subscriptions, "subscriptions")
    }
    window = baseline_windows(tables, TODAY)["subscriptions"]
    # The planned end of 2027-02-28 is after today, 2026-12-05, so the last
    # recorded date is the start of 2025-05-10: 12 full months to April 2025.
    assert window.last_date == date(2025, 5, 10)
    assert window.period == Period(date(2024, 5, 1), date(2025, 4, 30))


def test_window_within_one_month(tmp_path):
    deals = (
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "a,Closed Won,100,2025-11-03,2025-11-20\n"
        "b,Qualified,,2025-11-25,\n"
    )
    tables = {"deals": _load(tmp_path, "deals.csv", deals, "deals")}
    window = baseline_windows(tables, TODAY)["deals"]
    # November 2025 is not full and no earlier month has data, so the
    # window is the data itself.
    assert window.period == Period(date(2025, 11, 3), date(2025, 11, 25))
    assert window.is_shortened


def test_undated_table_takes_latest_window(tmp_path):
    customers = "customerID,Churn,MonthlyCharges\na,Yes,30.00\nb,No,50.00\n"
    deals = (
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "a,Closed Won,100,2024-01-15,2024-03-31\n"
    )
    tables = {
        "deals": _load(tmp_path, "deals.csv", deals, "deals"),
        "subscriptions": _load(tmp_path, "customers.csv", customers, "subscriptions"),
    }
    windows = baseline_windows(tables, TODAY)
    # The deals run from 2024-01-15 to 2024-03-31: 12 full months to March
    # 2024, from 2024-01-15 on.
    assert windows["deals"].period == Period(date(2024, 1, 15), date(2024, 3, 31))
    # The customer list has no dates, so it takes the 12 full months up to
    # the deals' last date.
    assert windows["subscriptions"].period == Period(
        date(2023, 4, 1), date(2024, 3, 31)
    )
    assert windows["subscriptions"].last_date is None


def test_recorded_span_skips_expected_close(tmp_path):
    deals = (
        "Deal ID,Deal Stage,Amount,Create Date,Close Date\n"
        "a,Closed Won,100,2025-02-01,2025-03-01\n"
        "b,Qualified,100,2025-04-01,2025-12-31\n"
    )
    frame = _load(tmp_path, "deals.csv", deals, "deals")
    # The open deal's close date of 2025-12-31 is expected, not recorded.
    assert recorded_span(frame, ("created_at", "closed_at")) == (
        date(2025, 2, 1),
        date(2025, 4, 1),
    )
    assert recorded_span(frame, ("closed_at",), until=date(2025, 2, 28)) is None


def test_monthly_spend_window_covers_last_month():
    spend = (
        "Month,Channel,Cost\n"
        "2025-01-01,Google,310\n2025-02-01,Meta,280\n"
        "2025-03-01,Google,310\n2025-04-01,Meta,300\n"
    )
    frame = load_file("spend.csv", spend.encode()).frame
    window = baseline_windows({"spend": frame}, TODAY)["spend"]
    # The row of 1 April covers all of April, so the spend's window runs
    # from 1 January to 30 April, four whole months.
    assert (window.first_date, window.last_date) == (
        date(2025, 1, 1),
        date(2025, 4, 30),
    )
    assert window.period == Period(date(2025, 1, 1), date(2025, 4, 30))


def test_churn_from_months_when_window_starts_empty():
    subscriptions = (
        "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Interval\n"
        "s1,c1,active,2025-01-10 09:00,,50,month\n"
        "s2,c2,canceled,2025-01-15 09:00,2025-03-05 09:00,50,month\n"
        "s3,c3,canceled,2025-02-20 09:00,2025-05-20 09:00,50,month\n"
        "s4,c4,active,2025-03-10 09:00,,50,month\n"
        "s5,c5,active,2025-06-15 09:00,,50,month\n"
    )
    subs = load_file("subs.csv", subscriptions.encode()).frame
    tables = {"subscriptions": subs}
    window = baseline_windows(tables, TODAY)["subscriptions"].period
    # The window runs from the first start, 10 January, to 31 May, so no
    # customer is active at its start and the window has no churn rate.
    assert window == Period(date(2025, 1, 10), date(2025, 5, 31))
    levers, notes = baseline_levers(tables, {"subscriptions": window})
    # Monthly rates: February 0 of c1, c2; March 1 (c2) of c1, c2, c3;
    # April 0 of c1, c3, c4; May 1 (c3) of c1, c3, c4. January has no
    # customer at its start. Mean (0 + 1/3 + 0 + 1/3) / 4 = 1/6 a month,
    # 1 - (5/6)^12 = 88.78 % a year.
    assert levers.churn_rate == pytest.approx((1 - (5 / 6) ** 12) * 100)
    assert notes["churn_rate"] == (
        "no customer was active at the start of 2025-01-10 to 2025-05-31, so "
        "the mean monthly rate of the 4 months with customers at their start is "
        "used: 1 - (1 - 16.667 %)^12 = 88.78 %"
    )


def test_overlapping_windows_give_no_warning(tmp_path):
    windows = baseline_windows(_tester_tables(tmp_path), TODAY)
    # The deals' window ends on 2025-10-31, after the subscriptions' starts.
    assert disjoint_windows_warning(windows) is None


def test_windows_of_other_years_warned(tmp_path):
    spend = "Date,Campaign,Amount Spent\n2021-03-01,Ads,500\n2021-09-01,Ads,700\n"
    tables = _tester_tables(tmp_path) | {
        "spend": _load(tmp_path, "spend.csv", spend, "spend")
    }
    windows = baseline_windows(tables, TODAY)
    # The spend rows are days, 2021-03-01 and 2021-09-01, so the last full
    # month is August 2021: years before both other windows.
    assert disjoint_windows_warning(windows) == (
        "The tables' baselines share no day (deals 2025-01-03 to 2025-10-31; "
        "subscriptions 2025-02-01 to 2026-01-31; marketing spend 2021-03-01 to "
        "2021-08-31), so CAC, CLV : CAC and the CAC payback set one time's "
        "spend against another time's customers. Upload exports of the same "
        "months, or type the inputs."
    )
