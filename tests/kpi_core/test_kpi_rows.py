from datetime import date

import polars as pl

from kpi_core.kpi_rows import rows_behind
from kpi_core.nps import net_promoter_score
from kpi_core.period import Period
from kpi_core.sales import sales_kpis

DEALS = pl.DataFrame(
    {
        "deal_id": ["1", "2", "3", "4"],
        "owner": ["A", "A", "B", None],
        "stage": ["Won", "Lost", "Won", "Proposal"],
        "status": ["won", "lost", "won", "open"],
        "created_at": [date(2025, 1, 2), date(2025, 1, 5), date(2025, 2, 1), None],
        "closed_at": [date(2025, 1, 20), date(2025, 2, 1), date(2025, 3, 1), None],
        "amount": [100.0, 50.0, 300.0, None],
    }
)


def test_rows_match_kpi_counts():
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    kpis = sales_kpis(DEALS, period)
    tables = {"deals": DEALS}
    # Created in January: deals 1 and 2; closed in January: deal 1 only.
    assert rows_behind("close_rate", tables, period)["deal_id"].to_list() == ["1", "2"]
    assert kpis["close_rate"].denominator == 2
    assert rows_behind("win_rate", tables, period)["deal_id"].to_list() == ["1"]
    assert kpis["win_rate"].denominator == 1


def test_cycle_rows_carry_days():
    rows = rows_behind("sales_cycle_days", {"deals": DEALS}, Period())
    # 2 Jan -> 20 Jan is 18 days; 1 Feb -> 1 Mar is 28 days.
    assert rows["cycle_days"].to_list() == [18, 28]


def test_unknown_kpi_has_no_rows():
    assert rows_behind("arr", {"deals": DEALS}, Period()) is None


def test_nps_rows_match_variant_n():
    # Customer a has two responses and c a blank score. That leaves 4 scored
    # responses, 3 of them the latest of their customer.
    responses = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "d"],
            "score": [3, 9, 10, None, 6],
            "responded_at": [date(2025, 1, d) for d in (2, 5, 3, 4, 6)],
            "_line": [2, 3, 4, 5, 6],
        }
    )
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    tables = {"nps": responses}
    every = rows_behind("nps", tables, period)
    assert every["_line"].to_list() == [2, 3, 4, 6]
    assert net_promoter_score(responses, period).n == every.height
    latest = rows_behind("nps", tables, period, {"nps": "latest_per_customer"})
    assert sorted(latest["_line"].to_list()) == [3, 4, 6]
    result = net_promoter_score(responses, period, "latest_per_customer")
    assert result.n == latest.height


def test_followup_rows_only_counted_tickets():
    # Tickets 1 and 2 are solved with 2 and 4 replies, ticket 3 is solved
    # without a reply count and ticket 4 is open, so the card reads
    # (2 + 4) / 2 = 3 replies and its rows add up to the same.
    tickets = pl.DataFrame(
        {
            "ticket_id": ["1", "2", "3", "4"],
            "created_at": [date(2025, 1, 2)] * 4,
            "solved_at": [date(2025, 1, 3), date(2025, 1, 4), date(2025, 1, 5), None],
            "replies": [2, 4, None, 1],
        }
    )
    rows = rows_behind("followups_per_ticket", {"tickets": tickets}, Period())
    assert rows["ticket_id"].to_list() == ["1", "2"]
    assert rows["replies"].sum() / rows.height == 3


def test_followup_rows_from_message_log():
    # With a message log the rows carry the agent messages sent up to the
    # solve: ticket 1 has one before and one after its solve.
    tickets = pl.DataFrame(
        {
            "ticket_id": ["1", "2"],
            "created_at": [date(2025, 1, 2)] * 2,
            "solved_at": [date(2025, 1, 3), date(2025, 1, 4)],
        }
    )
    messages = pl.DataFrame(
        {
            "ticket_id": ["1", "1", "2", "2", "2"],
            "sent_at": [date(2025, 1, 2), date(2025, 1, 9)] + [date(2025, 1, 3)] * 3,
            "author_role": ["agent", "agent", "agent", "agent", "customer"],
        }
    )
    tables = {"tickets": tickets, "ticket_messages": messages}
    rows = rows_behind("followups_per_ticket", tables, Period())
    assert dict(rows.select("ticket_id", "replies").iter_rows()) == {"1": 1, "2": 2}
