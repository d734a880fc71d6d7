"""The period picker spans every table a page shows, and keeps a link's dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi_core.importing import load_file
from kpi_core.workspace import Workspace
from tests.pages.conftest import APP

# Start dates run from 2023-01-01 to 2024-01-01, end dates to 2024-02-15.
SUBSCRIPTIONS = """\
subscription_id,customer_id,start_date,end_date,mrr_amount
S1,A,2024-01-01,,100
S2,B,2023-06-01,2024-02-15,100
S3,C,2023-01-01,,100
S4,D,2023-05-01,2024-01-01,100
"""

# At the start of January 2025, s1 to s4, u1 and c1 are on the list (6).
# In January, n1 to n3 subscribe (3), u1 unsubscribes and c1 is cleaned (2).
EMAIL_EVENTS = """\
Email,Event,Date
s1@x.com,subscribe,2024-06-01
s2@x.com,subscribe,2024-06-02
s3@x.com,subscribe,2024-06-03
s4@x.com,subscribe,2024-06-04
u1@x.com,subscribe,2024-05-01
u1@x.com,unsubscribe,2025-01-15
c1@x.com,subscribe,2024-04-01
c1@x.com,cleaned,2025-01-25
n1@x.com,subscribe,2025-01-10
n2@x.com,subscribe,2025-01-11
n3@x.com,subscribe,2025-01-12
"""

# Active before 2024-01-01: A, B, C and D (4). B and D end in Q1 2024, and
# E starts inside it, so E is not in the rate.
CHURN_SUBSCRIPTIONS = """\
subscription_id,customer_id,start_date,end_date,mrr_amount
S1,A,2023-01-01,,100
S2,B,2023-02-01,2024-02-10,100
S3,C,2023-03-01,,100
S4,D,2023-04-01,2024-03-05,100
S5,E,2024-02-01,,100
"""

# Created from 2025-03-03 to 2025-03-28.
TICKETS = """\
Ticket ID,Created at,Solved at,Status
T1,2025-03-03 09:00,2025-03-03 15:00,solved
T2,2025-03-12 10:00,2025-03-13 11:00,solved
T3,2025-03-28 08:00,,open
"""

# Created in 2023 only.
DEALS = """\
Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,Alpha,Closed won,1000,2023-02-01,2023-03-01
2,Beta,Closed won,500,2023-04-01,2023-05-01
3,Gamma,Closed lost,200,2023-06-01,2023-07-01
"""


def _store_only(
    tmp_path: Path, workspace_root: Path, files: dict[str, tuple[str, str]]
) -> None:
    """Store ``files`` (file name to content and table type) in a workspace
    without the sample data, each read from a real file."""
    store = Workspace(workspace_root)
    # The app loads the sample data into a workspace without this marker.
    (workspace_root / ".sample-loaded").touch()
    for name, (content, table_type) in files.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        prepared = load_file(name, path.read_bytes(), table=table_type)
        store.save(
            prepared.frame,
            name=name,
            table_type=table_type,
            source_file=name,
            mapping=prepared.mapping,
        )


def _open(page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    """Open ``page`` with the URL parameters ``query``, as a link does: the
    first run is that page, so no other page sets the period first."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.switch_page(page).run()
    assert not at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _sidebar_captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.sidebar.caption]


def test_marketing_link_period_of_email_events(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "subscriptions.csv": (SUBSCRIPTIONS, "subscriptions"),
            "events.csv": (EMAIL_EVENTS, "email_events"),
        },
    )
    query = {"period": "Custom", "dates": ["2025-01-01", "2025-01-31"]}
    at = _open("pages/marketing.py", query)

    assert at.sidebar.date_input(key="dates").value == (
        date(2025, 1, 1),
        date(2025, 1, 31),
    )
    # (3 new - 1 unsubscribed - 1 cleaned) / 6 on the list = 16.67 %.
    assert _metrics(at)["Email-list growth"] == "16.7 %"


def test_marketing_quick_pick_counts_from_last_table(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "subscriptions.csv": (SUBSCRIPTIONS, "subscriptions"),
            "events.csv": (EMAIL_EVENTS, "email_events"),
        },
    )
    at = _open("pages/marketing.py", {"period": "Last 12 full months"})

    # The last date is the cleaning on 2025-01-25, after every subscription
    # date, so the 12 full months before January 2025 are the year 2024.
    assert (
        "2024-01-01 to 2024-12-31, counted back from 2025-01-25"
        in _sidebar_captions(at)
    )


def test_marketing_link_period_outside_data_kept(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "subscriptions.csv": (SUBSCRIPTIONS, "subscriptions"),
            "events.csv": (EMAIL_EVENTS, "email_events"),
        },
    )
    query = {"period": "Custom", "dates": ["2030-01-01", "2030-01-31"]}
    at = _open("pages/marketing.py", query)

    assert at.sidebar.date_input(key="dates").value == (
        date(2030, 1, 1),
        date(2030, 1, 31),
    )
    # The dates span from the first subscription start to the cleaning.
    assert (
        "No table of this page has dates in this period. The data runs from "
        "2023-01-01 to 2025-01-25." in _sidebar_captions(at)
    )
    # In 2030 the 7 contacts left (s1 to s4, n1 to n3) neither join nor
    # leave: (0 - 0 - 0) / 7 = 0 %.
    assert _metrics(at)["Email-list growth"] == "0.0 %"


def test_link_dates_in_reverse_order(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {"events.csv": (EMAIL_EVENTS, "email_events")},
    )
    query = {"period": "Custom", "dates": ["2025-01-31", "2025-01-01"]}
    at = _open("pages/marketing.py", query)

    assert not at.error
    # The same January 2025 as in order: (3 - 1 - 1) / 6 = 16.67 %.
    assert _metrics(at)["Email-list growth"] == "16.7 %"


def test_service_churn_before_the_tickets(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "subscriptions.csv": (CHURN_SUBSCRIPTIONS, "subscriptions"),
        },
    )
    query = {"period": "Custom", "dates": ["2024-01-01", "2024-03-31"]}
    at = _open("pages/service.py", query)

    assert at.sidebar.date_input(key="dates").value == (
        date(2024, 1, 1),
        date(2024, 3, 31),
    )
    # B and D lost out of A, B, C and D: 2 / 4 = 50 %.
    assert _metrics(at)["Churn rate"] == "50.0 %"


def test_service_range_spans_every_table(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "tickets.csv": (TICKETS, "tickets"),
            "subscriptions.csv": (CHURN_SUBSCRIPTIONS, "subscriptions"),
        },
    )
    at = _open("pages/service.py", {"period": "Custom"})

    # From the first subscription start to the last ticket.
    picker = at.sidebar.date_input(key="dates")
    assert picker.value == (date(2023, 1, 1), date(2025, 3, 28))
    # The bounds take in the whole years, so the quarter to 31 March can be
    # picked although the last ticket is of 28 March.
    assert picker.min == date(2023, 1, 1)
    assert picker.max == date(2025, 12, 31)


def test_whatif_baseline_from_every_table(tmp_path, fresh_workspace):
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "deals.csv": (DEALS, "deals"),
            "subscriptions.csv": (CHURN_SUBSCRIPTIONS, "subscriptions"),
        },
    )
    at = _open("pages/whatif.py")

    # Each table has its own window. The subscriptions' last date is the end
    # of S4 on 2024-03-05, so theirs is the 12 full months before March 2024.
    # The deals' last date is Gamma's close on 2023-07-01, so theirs is the
    # 12 full months to June 2023, from the first deal on 2023-02-01 on.
    captions = [caption.value for caption in at.main.caption]
    assert (
        "Each table's baseline is its last 12 full months, starting no earlier "
        "than its first date: deals 2023-02-01 to 2023-06-30 (data from "
        "2023-02-01 to 2023-07-01); subscriptions 2023-03-01 to 2024-02-29 "
        "(data from 2023-01-01 to 2024-03-05)."
    ) in captions


def test_sales_range_spans_stage_history(tmp_path, fresh_workspace):
    # The stage history runs to 2024-05-10, a year after the last deal date.
    history = (
        "Record ID,Stage,Entered at\n"
        "1,Appointment scheduled,2023-01-15\n"
        "1,Closed won,2023-03-01\n"
        "2,Appointment scheduled,2024-05-10\n"
    )
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "deals.csv": (DEALS, "deals"),
            "history.csv": (history, "stage_history"),
        },
    )
    # Sales is the first page, so the URL is set before the app's first run.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "Custom"
    at.run()
    assert not at.exception

    # The deals run from 2023-02-01 to 2023-07-01; the history starts
    # earlier, on 2023-01-15, and ends later, on 2024-05-10.
    picker = at.sidebar.date_input(key="dates")
    assert picker.value == (date(2023, 1, 15), date(2024, 5, 10))
    assert picker.min == date(2023, 1, 1)
    assert picker.max == date(2024, 12, 31)


def test_sales_quick_pick_counts_from_deals(tmp_path, fresh_workspace):
    # The stage history ends on 2024-05-10, the deals on 2023-07-01.
    history = (
        "Record ID,Stage,Entered at\n"
        "1,Appointment scheduled,2023-01-15\n"
        "2,Appointment scheduled,2024-05-10\n"
    )
    _store_only(
        tmp_path,
        fresh_workspace,
        {
            "deals.csv": (DEALS, "deals"),
            "history.csv": (history, "stage_history"),
        },
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "Last 12 full months"
    at.run()
    assert not at.exception

    # Counted back from Gamma's close date, 2023-07-01: July 2023 is not
    # over, so the 12 full months are July 2022 to June 2023.
    assert (
        "2022-07-01 to 2023-06-30, counted back from 2023-07-01"
        in _sidebar_captions(at)
    )


def test_quarter_past_last_date_can_be_picked(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (TICKETS, "tickets")})
    at = _open("pages/service.py", {"period": "Custom"})
    # The last ticket was created on 28 March; the quarter ends on 31 March.
    at.sidebar.date_input(key="dates").set_value(
        (date(2025, 1, 1), date(2025, 3, 31))
    ).run()
    assert not at.exception
    assert at.sidebar.date_input(key="dates").value == (
        date(2025, 1, 1),
        date(2025, 3, 31),
    )
