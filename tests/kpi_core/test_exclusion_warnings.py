"""KPI figures that leave out many rows for a data problem get a warning."""

from __future__ import annotations

from kpi_core.exclusion_warnings import exclusion_warnings
from kpi_core.importing import load_file
from kpi_core.sales import sales_kpis
from kpi_core.service import service_kpis
from tests.kpi_core.test_date_conflicts import DEALS, TICKETS

SERVICE_LABELS = {
    "resolution_hours": "Time to resolution",
    "followups_per_ticket": "Follow-ups per ticket",
}
SALES_LABELS = {
    "sales_cycle_days": "Sales cycle length",
    "average_deal_size": "Average deal size",
    "won_value": "Won value",
}


def _frame(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes()).frame


def test_tickets_solved_before_created_warned(tmp_path):
    tickets = _frame(tmp_path, "tickets.csv", TICKETS)
    kpis = service_kpis(tickets=tickets)
    # 3 of the 10 solved tickets are solved before they were created, so
    # the figure uses 7: 3 / 10 = 30 %.
    assert kpis["resolution_hours"].n == 7
    assert exclusion_warnings(kpis, SERVICE_LABELS) == [
        "Time to resolution leaves out 3 of 10 solved tickets (30 %): ticket "
        "solved before it was created. Check the columns mapped to created_at "
        "and solved_at on the Data page."
    ]


def test_open_tickets_not_counted(tmp_path):
    lines = TICKETS.splitlines()
    # Tickets 1-4 and 11-16: ticket 4 is solved before it was created, and
    # the six open tickets are an ordinary reason, not a data problem. So 1
    # of the 4 solved tickets is left out for a data problem: 25 %.
    open_rows = [f"{i},2024-05-11 09:00,,Open" for i in range(11, 17)]
    content = "\n".join([*lines[:5], *open_rows]) + "\n"
    kpis = service_kpis(tickets=_frame(tmp_path, "tickets.csv", content))
    assert kpis["resolution_hours"].excluded == {
        "open ticket": 6,
        "ticket solved before it was created": 1,
    }
    [warning] = exclusion_warnings(kpis, SERVICE_LABELS)
    assert warning.startswith(
        "Time to resolution leaves out 1 of 4 solved tickets (25 %):"
    )


def test_share_at_threshold_warned(tmp_path):
    lines = TICKETS.splitlines()
    # Ticket 4 is solved before it was created, and tickets 1-3 and 5, 7, 8,
    # 10, 11 and 12 are in order: 1 of 10 = 10 %, which is the threshold.
    extra = [f"{i},2024-05-11 09:00,2024-05-11 10:00,Solved" for i in (11, 12)]
    content = "\n".join([*lines[:6], lines[7], lines[8], lines[10], *extra]) + "\n"
    kpis = service_kpis(tickets=_frame(tmp_path, "tickets.csv", content))
    assert kpis["resolution_hours"].n == 9
    [warning] = exclusion_warnings(kpis, SERVICE_LABELS)
    assert warning.startswith(
        "Time to resolution leaves out 1 of 10 solved tickets (10 %):"
    )


def test_share_below_threshold_not_warned(tmp_path):
    lines = TICKETS.splitlines()
    # As above with one more ticket in order: 1 of 11 = 9.1 %, below 10 %.
    extra = [f"{i},2024-05-11 09:00,2024-05-11 10:00,Solved" for i in (11, 12, 13)]
    content = "\n".join([*lines[:6], lines[7], lines[8], lines[10], *extra]) + "\n"
    kpis = service_kpis(tickets=_frame(tmp_path, "tickets.csv", content))
    assert kpis["resolution_hours"].excluded == {
        "ticket solved before it was created": 1
    }
    assert exclusion_warnings(kpis, SERVICE_LABELS) == []


def test_deals_closed_before_created_warned(tmp_path):
    deals = _frame(tmp_path, "deals.csv", DEALS)
    kpis = sales_kpis(deals)
    # Won deals: 1 (in order), 2 (closed before created) and 6 (no close
    # date). A missing close date is not counted as a data problem here,
    # because with a period it counts won deals of every period. So 1 of
    # the 2 won deals with both dates is left out: 50 %.
    cycle = kpis["sales_cycle_days"]
    # Deal 5 is open with an expected close date (2024-04-01).
    assert cycle.excluded == {
        "open deal with an expected close date in the period": 1,
        "won deal without a close date": 1,
        "won deal closed before it was created": 1,
    }
    assert exclusion_warnings(kpis, SALES_LABELS) == [
        "Sales cycle length leaves out 1 of 2 won deals (50 %): won deal closed "
        "before it was created. Check the columns mapped to closed_at and "
        "created_at on the Data page."
    ]


def test_won_deals_without_amount_warned(tmp_path):
    # Four won deals with close dates, two of them without an amount:
    # 2 / 4 = 50 % for the average deal size and the won value alike.
    content = """Deal ID,Deal Name,Deal Stage,Amount,Create Date,Close Date
1,A,Closed Won,100,2024-01-10,2024-02-01
2,B,Closed Won,,2024-01-11,2024-02-02
3,C,Closed Won,300,2024-01-12,2024-02-03
4,D,Closed Won,,2024-01-13,2024-02-04
"""
    kpis = sales_kpis(_frame(tmp_path, "deals.csv", content))
    assert kpis["average_deal_size"].n == 2
    expected = (
        "leaves out 2 of 4 won deals (50 %): won deal without an amount. Check "
        "the column mapped to amount on the Data page."
    )
    assert exclusion_warnings(kpis, SALES_LABELS) == [
        f"Average deal size {expected}",
        f"Won value {expected}",
    ]


def test_label_missing_not_warned(tmp_path):
    tickets = _frame(tmp_path, "tickets.csv", TICKETS)
    kpis = service_kpis(tickets=tickets)
    # A page that does not show the KPI gets no warning for it.
    assert exclusion_warnings(kpis, {"followups_per_ticket": "Follow-ups"}) == []


def test_solved_without_solve_date_warned(tmp_path):
    content = (
        "Id,Status,Created at,Solved at,Replies\n"
        "1,solved,2025-06-02 09:00,2025-06-02 11:00,1\n"
        "2,solved,2025-06-03 09:00,2025-06-03 10:00,2\n"
        "3,solved,2025-06-04 09:00,,2\n"
        "4,open,2025-06-05 09:00,,1\n"
    )
    kpis = service_kpis(tickets=_frame(tmp_path, "tickets.csv", content))
    # Ticket 3 is marked solved but has no solve date, a gap in the export:
    # 1 of 3 solved tickets (33 %). The open ticket 4 is ordinary.
    assert kpis["resolution_hours"].n == 2
    assert exclusion_warnings(kpis, SERVICE_LABELS) == [
        "Time to resolution leaves out 1 of 3 solved tickets (33 %): solved "
        "ticket without a solve date. Check the column mapped to solved_at on "
        "the Data page.",
        "Follow-ups per ticket leaves out 1 of 3 solved tickets (33 %): solved "
        "ticket without a solve date. Check the column mapped to solved_at on "
        "the Data page.",
    ]


def test_large_share_not_rounded_to_all(tmp_path):
    # 999 of 1,000 solved tickets are solved a day before they were created:
    # 999 / 1,000 = 99.9 %, which a whole percent would show as 100 %.
    rows = ["Ticket ID,Created at,Solved at,Status"]
    for ticket in range(1, 1_001):
        solved = "2024-05-10 10:00" if ticket == 1_000 else "2024-05-09 09:00"
        rows.append(f"{ticket},2024-05-10 09:00,{solved},Solved")
    tickets = _frame(tmp_path, "tickets.csv", "\n".join(rows) + "\n")
    kpis = service_kpis(tickets=tickets)
    assert kpis["resolution_hours"].n == 1
    [warning] = exclusion_warnings(kpis, SERVICE_LABELS)
    assert warning.startswith(
        "Time to resolution leaves out 999 of 1,000 solved tickets (99.9 %):"
    )
