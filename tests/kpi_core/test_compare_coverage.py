"""Before and after: stocks such as the churn rate count the rows dated before
a window, each table is compared only over the days it covers, and the time
to resolution counts the chosen working hours."""

from __future__ import annotations

from datetime import date, time, timedelta

import polars as pl
import pytest

from kpi_core.business_hours import WorkingTime
from kpi_core.compare import before_after
from kpi_core.compare_periods import data_range, default_pivot, table_coverage
from kpi_core.compare_stats import hour_samples
from kpi_core.importing import load_file
from kpi_core.period import Period

# Starts from January to April 2024, and one in October that carries the
# data past the windows. F and C end before July, B in August.
SUBSCRIPTIONS = """\
subscription_id,customer_id,start_date,end_date,mrr_amount
S1,A,2024-01-10,,100
S2,B,2024-02-10,2024-08-20,100
S3,F,2024-02-20,2024-06-10,100
S4,C,2024-03-10,2024-05-15,100
S5,D,2024-04-10,,100
S6,E,2024-10-05,,100
"""
# Deals from January to June 2025, so the windows around 1 April 2025 run a
# whole month on each side.
DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date
1,Closed won,1000,2025-01-02,2025-01-20
2,Closed lost,500,2025-02-03,2025-02-20
3,Closed won,600,2025-03-10,2025-03-20
4,Closed lost,700,2025-04-10,2025-04-25
5,Closed won,800,2025-05-05,2025-06-02
"""
# The ticket table starts on 25 March, a week before 1 April 2025.
TICKETS = """\
Ticket ID,Created at,Solved at,Status
T1,2025-03-25 10:00,2025-03-25 12:00,solved
T2,2025-03-28 10:00,2025-03-28 11:00,solved
T3,2025-03-30 10:00,2025-03-31 10:00,solved
T4,2025-04-02 10:00,2025-04-02 12:00,solved
T5,2025-04-05 10:00,2025-04-07 10:00,solved
T6,2025-04-20 10:00,2025-04-22 10:00,solved
"""
# Berlin wall-clock times. T0 is on Tuesday 25 February 2025, T1 on Monday
# 3 March and T2 on Tuesday 4 March. None of these days is a German holiday.
HOUR_TICKETS = """\
Ticket ID,Created at,Solved at,Status
T0,2025-02-25 08:00,2025-02-25 18:00,solved
T1,2025-03-03 08:00,2025-03-03 18:00,solved
T2,2025-03-04 07:30,2025-03-04 09:30,solved
"""


def _load(tmp_path, name: str, content: str, table: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


def _row(table, kpi: str) -> dict:
    [row] = table.filter(table["kpi"] == kpi).iter_rows(named=True)
    return row


def test_churn_counts_customers_started_before(tmp_path):
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    table = before_after({"subscriptions": subscriptions}, date(2024, 7, 1), 3)
    row = _row(table, "churn_rate")

    # After: 1 July to 30 September 2024. A, B and D are active on 1 July
    # and B ends on 20 August: 1 / 3 = 33.3 %. No subscription starts in
    # the window, yet the customers active at its start give a rate.
    assert row["after"] == pytest.approx(100 / 3)
    assert row["n_after"] == 3
    # Before: the same 92 days, 31 March to 30 June. A, B, F and C are
    # active on 31 March, and C and F end in the window: 2 / 4 = 50 %.
    assert row["before"] == pytest.approx(50.0)
    assert row["n_before"] == 4
    assert row["days"] == 92
    assert row["note"] == ""


def test_churn_without_starts_on_both_sides(tmp_path):
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    table = before_after({"subscriptions": subscriptions}, date(2024, 8, 1), 1)
    row = _row(table, "churn_rate")

    # Before: 1 to 31 July 2024. A, B and D are active and none ends: 0 / 3.
    assert row["before"] == 0.0
    assert row["n_before"] == 3
    # After: 1 to 31 August. A, B and D are active, B ends: 1 / 3 = 33.3 %.
    assert row["after"] == pytest.approx(100 / 3)
    assert row["n_after"] == 3
    # Fisher: 3 customers after drawn from 6, of which 1 churned. P(0) =
    # C(5, 3) / C(6, 3) = 10 / 20 and P(1) = C(5, 2) / C(6, 3) = 10 / 20 are
    # equal, so p = 1.
    assert row["p_value"] == pytest.approx(1.0)


def test_coverage_takes_subscription_ends(tmp_path):
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    # The first start and the last start; the last end (20 August) lies
    # between them.
    assert table_coverage("subscriptions", subscriptions) == (
        date(2024, 1, 10),
        date(2024, 10, 5),
    )
    ended = subscriptions.filter(subscriptions["customer_id"] != "E")
    # Without E the last event is B's end on 20 August 2024.
    assert table_coverage("subscriptions", ended) == (
        date(2024, 1, 10),
        date(2024, 8, 20),
    )


def test_churn_after_last_start(tmp_path):
    # Without E the last start is 10 April, but ends run to 20 August, so a
    # date in June still has data after it.
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    ended = subscriptions.filter(subscriptions["customer_id"] != "E")
    table = before_after({"subscriptions": ended}, date(2024, 6, 1), 1)
    row = _row(table, "churn_rate")

    # After: 1 to 30 June 2024. A, B, F and D are active on 1 June, F ends
    # on 10 June: 1 / 4 = 25 %.
    assert row["after"] == pytest.approx(25.0)
    assert row["n_after"] == 4
    # Before: 2 to 31 May. A, B, F, C and D are active, C ends on 15 May:
    # 1 / 5 = 20 %.
    assert row["before"] == pytest.approx(20.0)
    assert row["n_before"] == 5
    assert row["days"] == 30


def test_ticket_count_only_over_covered_days(tmp_path):
    tables = {
        "deals": _load(tmp_path, "deals.csv", DEALS, "deals"),
        "tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets"),
    }
    table = before_after(tables, date(2025, 4, 1), 1)
    deals = _row(table, "new_deals")
    tickets = _row(table, "tickets")

    # The deals cover 2 January to 2 June 2025, so their windows are whole:
    # 2 to 31 March against April, 30 days each.
    assert deals["days"] == 30
    assert deals["note"] == ""
    # Deal 3 created on 10 March against deal 4 on 10 April.
    assert deals["before"] == 1
    assert deals["after"] == 1
    # The tickets start on 25 March, 7 days before 1 April, so both windows
    # are 7 days: 25 to 31 March (T1, T2, T3) against 1 to 7 April (T4, T5).
    # T6 on 20 April falls outside. Over the whole month it would be 3
    # against 3 tickets.
    assert tickets["days"] == 7
    assert tickets["before"] == 3
    assert tickets["after"] == 2
    assert tickets["note"] == (
        "the tickets table covers only 2025-03-25 to 2025-04-22, so this row "
        "compares 2025-03-25 to 2025-03-31 with 2025-04-01 to 2025-04-07"
    )
    # Binomial(5, 1/2): P(2) = P(3) = 10 / 32 are the most likely outcomes,
    # so p = 1.
    assert tickets["p_value"] == pytest.approx(1.0)
    assert tickets["significant"] is False


def test_rates_of_short_table_use_covered_days(tmp_path):
    tables = {
        "deals": _load(tmp_path, "deals.csv", DEALS, "deals"),
        "tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets"),
    }
    table = before_after(tables, date(2025, 4, 1), 1)
    hours = _row(table, "resolution_hours")

    # Solved 25 to 31 March: T1 Tue 10:00-12:00 = 2 h, T2 Fri 10:00-11:00 =
    # 1 h, T3 Sun 10:00 to Mon 10:00 = 1 h (09:00-10:00 on Monday).
    # (2 + 1 + 1) / 3 = 1.33 h.
    assert hours["before"] == pytest.approx(4 / 3)
    # Solved 1 to 7 April: T4 Wed 10:00-12:00 = 2 h, T5 Sat 10:00 to Mon
    # 10:00 = 1 h. (2 + 1) / 2 = 1.5 h. T6, solved on 22 April, is outside.
    assert hours["after"] == pytest.approx(1.5)
    assert hours["days"] == 7


def test_table_after_date_has_no_before(tmp_path):
    tables = {
        "deals": _load(tmp_path, "deals.csv", DEALS, "deals"),
        "tickets": _load(tmp_path, "tickets.csv", TICKETS, "tickets"),
    }
    table = before_after(tables, date(2025, 3, 25), 1)
    tickets = _row(table, "tickets")

    # The tickets start on the compared date itself, so nothing before it
    # was recorded and there is nothing to compare with.
    assert tickets["before"] is None
    assert tickets["days"] is None
    assert tickets["p_value"] is None
    assert "before: no data" in tickets["note"]


def test_resolution_hours_in_chosen_working_time(tmp_path):
    tickets = _load(tmp_path, "tickets.csv", HOUR_TICKETS, "tickets")
    long_days = WorkingTime(start=time(7), end=time(19))
    default = before_after({"tickets": tickets}, date(2025, 3, 1), 1)
    chosen = before_after({"tickets": tickets}, date(2025, 3, 1), 1, long_days)

    # The data runs 25 February to 4 March, so the windows are 4 days each:
    # 25 to 28 February (T0) against 1 to 4 March (T1, T2).
    # 09:00-17:00: T0 08:00-18:00 = 8 h. T1 = 8 h, T2 07:30-09:30 = 0.5 h,
    # (8 + 0.5) / 2 = 4.25 h.
    row = _row(default, "resolution_hours")
    assert row["days"] == 4
    assert row["before"] == pytest.approx(8.0)
    assert row["after"] == pytest.approx(4.25)
    # 07:00-19:00: T0 = 10 h. T1 = 10 h, T2 = 2 h, (10 + 2) / 2 = 6 h.
    row = _row(chosen, "resolution_hours")
    assert row["before"] == pytest.approx(10.0)
    assert row["after"] == pytest.approx(6.0)
    # The Mann-Whitney U test compares the same hours, ticket by ticket.
    after = Period(date(2025, 3, 1), date(2025, 3, 4))
    assert hour_samples(tickets, after, long_days) == [10.0, 2.0]


def test_planned_end_is_no_data(tmp_path):
    # A contract that ends in about a year has recorded nothing on that day
    # yet, so the data still ends with the last start, 10 March 2024.
    planned = date.today() + timedelta(days=400)
    content = (
        "subscription_id,customer_id,start_date,end_date,mrr_amount\n"
        "S1,A,2024-01-10,,100\n"
        f"S2,B,2024-03-10,{planned.isoformat()},100\n"
    )
    subscriptions = _load(tmp_path, "subs.csv", content, "subscriptions")
    assert subscriptions["ended_at"].cast(pl.Date).to_list()[1] == planned

    first_and_last = (date(2024, 1, 10), date(2024, 3, 10))
    assert table_coverage("subscriptions", subscriptions) == first_and_last
    assert data_range({"subscriptions": subscriptions}) == first_and_last


def test_table_ending_before_both_windows_has_no_value(tmp_path):
    subscriptions = _load(tmp_path, "subs.csv", SUBSCRIPTIONS, "subscriptions")
    deals = _load(tmp_path, "deals.csv", DEALS, "deals")
    table = before_after(
        {"subscriptions": subscriptions, "deals": deals}, date(2025, 4, 1), 1
    )
    row = _row(table, "churn_rate")

    # The subscriptions record nothing after 5 October 2024, so neither
    # 1 to 31 March 2025 nor April 2025 is covered: A, D and E still running
    # is no measured churn.
    assert row["before"] is None
    assert row["after"] is None


def test_default_date_leaves_out_expected_closes(tmp_path):
    # An open deal expected to close in 2027 records nothing yet.
    deals = _load(
        tmp_path,
        "deals.csv",
        DEALS + "6,Appointment,900,2025-05-20,2027-03-01\n",
        "deals",
    )
    # Recorded: 2 January to 2 June 2025.
    assert data_range({"deals": deals}) == (date(2025, 1, 2), date(2025, 6, 2))
    # The middle: 2 January + 151 // 2 = 75 days = 18 March 2025.
    assert default_pivot({"deals": deals}) == date(2025, 3, 18)
