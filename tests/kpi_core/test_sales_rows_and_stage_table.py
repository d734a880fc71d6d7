from datetime import date, datetime

import polars as pl

from kpi_core.kpi_rows import rows_behind
from kpi_core.period import Period
from kpi_core.sales import sales_kpis, upsell_customers, upsell_rate
from kpi_core.sales_tables import stage_table
from kpi_core.stages import stage_summary

# Deal 2 has no amount, deal 4 closed before it was created, deal 5 is open.
DEALS = pl.DataFrame(
    {
        "deal_id": ["1", "2", "3", "4", "5"],
        "stage": ["Won", "Won", "Lost", "Won", "Proposal"],
        "status": ["won", "won", "lost", "won", "open"],
        "created_at": [
            date(2025, 1, 2),
            date(2025, 1, 3),
            date(2025, 1, 4),
            date(2025, 1, 10),
            date(2025, 1, 11),
        ],
        "closed_at": [
            date(2025, 1, 10),
            date(2025, 1, 12),
            date(2025, 1, 15),
            date(2025, 1, 5),
            None,
        ],
        "amount": [100.0, None, 50.0, 80.0, 40.0],
        "account": ["Acme", "Acme", "Beta", "Core", None],
        "deal_type": ["New", "Upsell", "Upsell", "New", "New"],
    }
)


def test_money_rows_skip_missing_amount():
    kpis = sales_kpis(DEALS)
    rows = rows_behind("average_deal_size", {"deals": DEALS}, Period())
    # Won deals 1, 2 and 4; deal 2 has no amount, so n = 2.
    assert rows["deal_id"].to_list() == ["1", "4"]
    assert kpis["average_deal_size"].n == 2
    assert rows_behind("won_value", {"deals": DEALS}, Period()).height == 2


def test_cycle_rows_follow_variant():
    tables = {"deals": DEALS}
    won = rows_behind("sales_cycle_days", tables, Period())
    # Deal 1: 8 days, deal 2: 9 days; deal 4 closed before it was created.
    assert won["cycle_days"].to_list() == [8, 9]
    closed = rows_behind(
        "sales_cycle_days", tables, Period(), {"sales_cycle_days": "closed"}
    )
    # Won and lost: deals 1, 2 and 3 (11 days).
    assert closed["cycle_days"].to_list() == [8, 9, 11]
    kpis = sales_kpis(DEALS, variants={"sales_cycle_days": "closed"})
    assert kpis["sales_cycle_days"].n == 3


def test_close_rate_rows_follow_variant():
    tables = {"deals": DEALS}
    assert rows_behind("close_rate", tables, Period()).height == 5
    closed = rows_behind("close_rate", tables, Period(), {"close_rate": "closed"})
    # Won or lost: deals 1-4.
    assert closed["deal_id"].to_list() == ["1", "2", "3", "4"]


def test_upsell_customers_one_per_account():
    table = upsell_customers(DEALS)
    # Acme won upsell deal 2; Beta's upsell was lost; deal 5 has no account.
    assert table.to_dicts() == [
        {"account": "Acme", "active_deals": 2, "won_upsells": 1},
        {"account": "Beta", "active_deals": 1, "won_upsells": 0},
        {"account": "Core", "active_deals": 1, "won_upsells": 0},
    ]
    assert upsell_rate(DEALS).n == table.height


def test_upsell_customers_without_deal_type():
    assert upsell_customers(DEALS.drop("deal_type")).is_empty()


def test_stage_table_names_columns():
    history = pl.DataFrame(
        {
            "deal_id": ["1", "1", "1", "2", "2"],
            "stage": ["Lead", "Demo", "Closed won", "Lead", "Closed lost"],
            "entered_at": [
                datetime(2025, 1, 1),
                datetime(2025, 1, 2, 12),
                datetime(2025, 1, 5),
                datetime(2025, 1, 1),
                datetime(2025, 1, 4),
            ],
        }
    )
    table = stage_table(stage_summary(history, datetime(2025, 1, 5)))
    assert table.columns[0] == "Stage"
    assert table.columns[-1] == "Went on to a later stage (%)"
    rows = {row[0]: list(row[1:]) for row in table.iter_rows()}
    # Lead: deal 1 1.5 days, deal 2 3 days; mean and median 2.25. Deal 1
    # went on, deal 2 was lost: 50 %.
    assert rows["Lead"] == [2, 2, 2.25, 2.25, 0, 50.0]
    # Demo: deal 1, 2.5 days, then won: 100 %.
    assert rows["Demo"] == [1, 1, 2.5, 2.5, 0, 100.0]
    # Final stages have no time and no next stage; the page shows a dash.
    assert rows["Closed won"] == [1, 0, None, None, 0, None]
    assert rows["Closed lost"] == [1, 0, None, None, 0, None]
