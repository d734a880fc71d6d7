"""What if ARR: new subscribers churn from the month they join, in the
projection, its written calculation and the Excel download."""

from dataclasses import replace
from io import BytesIO

import openpyxl
import pytest

from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.page_workbooks import WHATIF_SHEET, scenario_workbook
from kpi_core.whatif import Levers, kept_share_sum, project
from kpi_core.whatif_formulas import projection_formulas

# A small business: 17 paying customers, 17.97 % annual churn, 1.908
# new subscribers a month and 69.59 EUR ARPA.
SMALL_BUSINESS = Levers(
    churn_rate=17.97,
    arpa=69.59,
    active_customers=17,
    new_subscribers_per_month=1.908,
    deals_are_subscribers=False,
)
# m = 1 - (1 - 0.1797)^(1/12) = 1 - 0.8203^(1/12) = 0.0163716.
MONTHLY = 1 - 0.8203 ** (1 / 12)


def test_arr_churns_new_subscribers():
    # Before, the 1.908 x 12 = 22.896 new subscribers all stayed:
    # (17 x 0.8203 + 22.896) x 69.59 x 12 = 36.8411 x 835.08 = 30,765.3 EUR.
    # An unrounded 1.9078 a month gives the 30,764 EUR once reported.
    # Those of month k join at its start and keep (1 - m)^(13 - k), so
    # S = 0.983628^1 + ... + 0.983628^12 = 0.983628 x 0.1797 / 0.0163716
    # = 10.7966, and 1.908 x 10.7966 = 20.600 of them pay at month 12.
    # ARR = (13.9451 + 20.600) x 835.08 = 28,847.9 EUR.
    kept_sum = sum((1 - MONTHLY) ** months for months in range(1, 13))
    assert kept_sum == pytest.approx(10.7966, abs=0.0001)
    assert project(SMALL_BUSINESS).arr == pytest.approx(28_847.9, abs=0.1)
    assert project(SMALL_BUSINESS).arr == pytest.approx(
        (17 * 0.8203 + 1.908 * kept_sum) * 69.59 * 12
    )


def test_arr_formula_checks_by_hand():
    # 17 x (1 - 0.1797) = 13.9451; m = 1.637 %;
    # 0.98363 x (1 - 0.98363^12) / 0.01637 = 10.7967, so 10.797;
    # 1.908 x 10.797 = 20.6007, so 20.60;
    # (13.945 + 20.60) x 69.59 x 12 = 28,847.8, so 28,848 EUR.
    assert projection_formulas(SMALL_BUSINESS, "EUR")["arr"] == (
        "customers kept = 17.00 paying now x (1 - 17.97 % annual churn) = 13.945\n"
        "monthly churn m = 1 - (1 - 17.97 % annual churn)^(1/12) = 1.637 %\n"
        "S = (1 - m)^12 + ... + (1 - m)^1, because each month's new subscribers "
        "join at its start and those of month k keep (1 - m)^(13 - k) to the "
        "end of month 12\n"
        "S = (1 - 1.637 %) x (1 - (1 - 1.637 %)^12) / 1.637 % = 10.797\n"
        "new subscribers kept = 1.908 a month x 10.797 = 20.60; won deals are "
        "not counted as subscribers\n"
        "ARR = (13.945 + 20.60) customers x 69.59 EUR ARPA x 12 = 28,848 EUR"
    )


def test_kept_share_sum_whole_and_partial_months():
    # m = 10 %: 0.9 + 0.81 = 1.71 for 2 whole months; 2.5 months add half of
    # a month whose intake keeps 0.9^3 = 0.729: 1.71 + 0.3645 = 2.0745.
    assert kept_share_sum(2, 0.1) == pytest.approx(1.71)
    assert kept_share_sum(2.5, 0.1) == pytest.approx(2.0745)
    assert kept_share_sum(0, 0.1) == 0
    assert kept_share_sum(12, 1.0) == 0


def test_arr_partial_selling_month_formula():
    # A 30-day cycle leaves 12 - 30 / 30.4375 = 11.01437 selling months: 11
    # whole ones and 0.01437 of month 1. 10 won deals a month, m = 10 %:
    # S = 0.01437 x 0.9^12 + 0.9 x (1 - 0.9^11) / 0.1 = 0.00406 + 6.17570
    # = 6.17976, and 10 x 6.17976 = 61.7976 kept.
    # 100 x 0.9^12 = 28.2430 customers kept.
    # ARR = (28.2430 + 61.7976) x 10 x 12 = 90.0406 x 120 = 10,804.9 EUR.
    # Written with 2 decimals the lines still check: selling months 11.01,
    # S = 0.01 x 0.9^12 + 6.17570 = 6.1785, so 6.18; 10 x 6.18 = 61.80;
    # (28.24 + 61.80) x 120 = 10,804.8, so 10,805 EUR.
    levers = Levers(
        leads_per_month=100,
        close_rate=10,
        sales_cycle_days=30,
        churn_rate=(1 - 0.9**12) * 100,
        arpa=10,
        active_customers=100,
        deals_are_subscribers=True,
    )
    assert project(levers).arr == pytest.approx(10_804.9, abs=0.1)
    lines = projection_formulas(levers, "EUR")["arr"].splitlines()
    assert lines[4] == (
        "S = 0.01 x (1 - m)^12 + (1 - m)^11 + ... + (1 - m)^1, because each "
        "month's won deals join at its start and those of month k keep "
        "(1 - m)^(13 - k) to the end of month 12; month 1 counts the 0.01 "
        "of its won deals that close after the first sales cycle"
    )
    assert lines[-1] == (
        "ARR = (28.24 + 61.80) customers x 10.00 EUR ARPA x 12 = 10,805 EUR"
    )


def test_arr_without_churn_keeps_every_subscriber():
    # Guard: at 0 % churn nothing changes. (200 + 5 x 12) x 50 x 12 =
    # 156,000, and won deals over 9 selling months: (200 + 20 x 9) x 600 =
    # 228,000.
    levers = Levers(
        leads_per_month=100,
        close_rate=20,
        sales_cycle_days=3 * MONTH_DAYS,
        churn_rate=0,
        arpa=50,
        active_customers=200,
        new_subscribers_per_month=5,
        deals_are_subscribers=False,
    )
    assert project(levers).arr == pytest.approx(156_000)
    won_deals = replace(levers, deals_are_subscribers=True)
    assert project(won_deals).arr == pytest.approx(228_000)


def test_arr_in_scenario_workbook():
    # The download shows the same 28,847.9 EUR and the same written steps.
    content = scenario_workbook(
        SMALL_BUSINESS,
        {},
        unit="EUR",
        input_sources={},
        baseline_label="Baseline from 2025-01-01 to 2025-12-31.",
        sources=[("Subscriptions", "subscriptions", 40)],
    )
    sheet = openpyxl.load_workbook(BytesIO(content))[WHATIF_SHEET]
    # The figures table and the calculations table each have an ARR row.
    arr_rows = [
        row for row in sheet.iter_rows(values_only=True) if row[0] == "ARR in 12 months"
    ]
    figure = next(row for row in arr_rows if isinstance(row[2], float))
    assert figure[2] == pytest.approx(28_847.9, abs=0.1)
    formula = next(
        row[1] for row in arr_rows if isinstance(row[1], str) and "=" in row[1]
    )
    assert "new subscribers kept = 1.908 a month x 10.797 = 20.60" in formula
    assert formula.endswith("= 28,848 EUR")
