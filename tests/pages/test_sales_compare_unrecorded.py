"""A change against a comparison period that starts before the deals record
any close date is not shown: a won value of 0 there means no data."""

from tests.pages.test_period_span import _open, _store_only

# Deals are created from 5 January 2025; the first close is on 3 March.
# Deal 3 is an upsell of account B.
DEALS = (
    "Record ID,Deal Stage,Create Date,Close Date,Amount,Associated Company,"
    "Deal Type\n"
    "1,Closed won,2025-01-05,2025-03-03,1000,A,New Business\n"
    "2,Closed lost,2025-02-10,2025-03-10,500,B,New Business\n"
    "3,Closed won,2025-03-02,2025-03-20,800,B,Existing Business\n"
    "4,Appointment scheduled,2025-03-05,,200,C,New Business\n"
)


def test_won_value_change_hidden(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = _open(
        "pages/sales.py",
        {"period": "Custom", "dates": ["2025-03-01", "2025-03-31"],
         "compare_with": "Previous period"},
    )  # fmt: skip
    metrics = {metric.label: metric for metric in at.metric}
    # February has no close date in the data, so no change for the KPIs
    # that count closes.
    assert not metrics["Won value"].delta
    assert not metrics["Win rate"].delta
    # Deals were created in February (deal 2), so the close rate compares.
    assert metrics["Close rate"].delta
    captions = " ".join(caption.value for caption in at.caption)
    assert "No change is shown for Win rate, Average deal size, Won value" in captions
    # The upsell rate counts upsell deals by their close date too.
    assert not metrics["Upsell rate"].delta
    assert "from 2025-03-03 on" in captions


def test_service_change_hidden_before_tickets(tmp_path, fresh_workspace):
    # The tickets start on 3 March 2025, so February has none.
    tickets = (
        "Ticket ID,Status,Created at,Solved at\n"
        "1,Solved,2025-03-03 10:00,2025-03-03 12:00\n"
        "2,Solved,2025-03-04 10:00,2025-03-04 15:00\n"
    )
    _store_only(tmp_path, fresh_workspace, {"tickets.csv": (tickets, "tickets")})
    at = _open(
        "pages/service.py",
        {"period": "Custom", "dates": ["2025-03-01", "2025-03-31"],
         "compare_with": "Previous period"},
    )  # fmt: skip
    metrics = {metric.label: metric for metric in at.metric}
    assert not metrics["Time to resolution"].delta
    captions = " ".join(caption.value for caption in at.caption)
    assert (
        "No change is shown for Time to resolution, Follow-ups per ticket" in captions
    )
    assert "from 2025-03-03 on, after the last day of" in captions
