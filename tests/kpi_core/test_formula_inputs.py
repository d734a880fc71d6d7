"""Formulas whose written inputs give the written result."""

from datetime import date, datetime, timedelta

import polars as pl

from kpi_core.churn import churn_rate
from kpi_core.clv import clv
from kpi_core.formatting import format_inputs
from kpi_core.importing import load_file_tables
from kpi_core.period import Period
from kpi_core.sales import average_deal_size
from kpi_core.service import resolution_hours
from kpi_core.subscriptions import arr


def _product(*factors: float) -> float:
    result = 1.0
    for factor in factors:
        result *= factor
    return result


def test_inputs_keep_two_decimals_when_they_check():
    # 12.5 x 2 = 25.00 at two decimals already.
    assert format_inputs([12.5, 2.0], _product, 25.0, 2) == ["12.50", "2.00"]


def test_inputs_gain_decimals_until_they_check():
    # 33.7462 x 2.5 = 84.3655 reads 84.37, but 33.75 x 2.5 = 84.375 reads
    # 84.38. With three decimals 33.746 x 2.5 = 84.365 reads 84.37.
    shown = format_inputs([33.7462, 1.0, 2.5], _product, 33.7462 * 2.5, 2)
    assert shown == ["33.746", "1.00", "2.50"]


def test_inputs_keep_thousands_separators():
    # 1,000.004 x 12 = 12,000.048 reads 12,000.05; 1,000.00 x 12 reads
    # 12,000.00, so the input needs three decimals.
    assert format_inputs([1000.004], _product, 12000.048, 2) == ["1,000.004"]


def test_clv_formula_of_tester_period(datasets_dir):
    path = datasets_dir / "needful-things-ecommerce" / "orders.csv"
    [orders] = load_file_tables(path.name, path.read_bytes())
    year = Period(date(2020, 1, 1), date(2020, 12, 31))
    result = clv(orders.frame, period=year, lifespan_years=2.5)
    # The average purchase is 33.746 EUR (the card's 84.3656 / 2.5);
    # 33.746 x 1.00 x 2.50 = 84.365, which rounds to 84.37.
    assert result.formula == (
        "33.746 EUR per purchase x 1.00 purchases a year x 2.50 years = 84.37 EUR"
    )


def test_subscription_clv_churn_gains_decimals():
    # A lifespan of 3 years is a monthly churn of 1 / 36 = 2.777778 %, so
    # CLV = 100 EUR ARPA / 0.02777778 = 3,600.00 EUR. Written shorter, the
    # churn does not give that: 100 / 2.78 % = 3,597.12, 100 / 2.778 % =
    # 3,599.71 and 100 / 2.7778 % = 3,599.97, but 100 / 2.77778 % =
    # 3,600.0029, which reads 3,600.00.
    subs = pl.DataFrame(
        {
            "customer_id": ["a"],
            "started_at": [date(2024, 6, 1)],
            "ended_at": [None],
            "monthly_charge": [100.0],
        },
        schema_overrides={"ended_at": pl.Date},
    )
    quarter = Period(date(2025, 1, 1), date(2025, 3, 31))
    result = clv(None, subs, quarter, lifespan_years=3.0, variant="subscription")
    assert result.formula == (
        "ARPA 100.00 EUR (mean MRR of 1 paying customer) x 100 % margin / "
        "2.77778 % monthly churn = 3,600.00 EUR"
    )


def test_average_deal_size_total_checks():
    # Converted at 1.1, 10.00 + 8.19 USD = 11.00 + 9.009 = 20.009 EUR over
    # 2 deals: 10.0045 EUR, which reads 10.00. Written with two decimals,
    # 20.01 / 2 = 10.005 reads 10.01, so the total gets a third decimal.
    deals = pl.DataFrame(
        {
            "deal_id": ["1", "2"],
            "status": ["won", "won"],
            "created_at": [date(2025, 1, 1)] * 2,
            "closed_at": [date(2025, 1, 5)] * 2,
            "amount": [10.0, 8.19],
            "currency": ["USD", "USD"],
        }
    )
    result = average_deal_size(deals, currency="EUR", fx={"USD": 1.1})
    assert result.formula == "20.009 EUR / 2 won deals = 10.00 EUR"


def test_resolution_total_checks():
    # Two tickets solved after 3,762 seconds = 1.045 calendar hours each:
    # 2.09 hours / 2 = 1.045, which reads 1.0. Written with one decimal,
    # 2.1 / 2 = 1.05 reads 1.1, so the total keeps two decimals.
    created = datetime(2025, 1, 6, 10, 0, 0)
    solved = created + timedelta(seconds=3762)
    tickets = pl.DataFrame(
        {
            "ticket_id": ["1", "2"],
            "created_at": [created, created],
            "solved_at": [solved, solved],
        }
    )
    result = resolution_hours(tickets, variant="calendar")
    assert result.formula.startswith("2.09 ")
    assert "= 1.0 hours" in result.formula


def test_snapshot_arr_monthly_total_checks():
    # 500.002 + 500.002 = 1,000.004 EUR of monthly charges x 12 =
    # 12,000.048, which reads 12,000.05; 1,000.00 x 12 would read 12,000.00.
    subs = pl.DataFrame(
        {
            "customer_id": ["a", "b"],
            "monthly_charge": [500.002, 500.002],
            "churned": [False, False],
        }
    )
    result = arr(subs)
    assert result.formula == "1,000.004 EUR of monthly charges x 12 = 12,000.05 EUR"


def test_snapshot_churn_shares_check():
    # 0.104 of 0.104 + 0.896 = 1.00 in charges churned is 10.4 %. Written
    # with two decimals, 0.10 / 1.00 x 100 = 10.0 %, so the lost charges get
    # a third decimal.
    subs = pl.DataFrame(
        {
            "customer_id": ["a", "b"],
            "monthly_charge": [0.104, 0.896],
            "churned": [True, False],
        }
    )
    result = churn_rate(subs, variant="revenue")
    assert result.formula == (
        "0.104 EUR monthly charges flagged churned / 1.00 EUR monthly charges "
        "in the list x 100 = 10.4 %"
    )
