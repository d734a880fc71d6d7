"""What-if formulas, the source of new subscribers and the sensitivity start."""

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.importing import load_file
from kpi_core.period import Period
from kpi_core.whatif import Levers, project, sensitivity
from kpi_core.whatif_baseline import baseline_levers
from kpi_core.whatif_formulas import projection_formulas

D = date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))
# A sales cycle of exactly three average months leaves 9 selling months.
ONE_BUSINESS = Levers(
    leads_per_month=100,
    close_rate=20,
    average_deal_size=1000,
    sales_cycle_days=3 * MONTH_DAYS,
    churn_rate=25,
    arpa=50,
    monthly_spend=10_000,
    active_customers=200,
    new_subscribers_per_month=5,
    deals_are_subscribers=True,
)
TWO_BUSINESSES = replace(ONE_BUSINESS, deals_are_subscribers=False)


def test_project_arr_from_subscriber_starts():
    # Each month's 5 new subscribers join at its start, so those of month k
    # keep 0.75^((13 - k) / 12): S = 0.75^(1/12) + ... + 0.75^(12/12) =
    # 10.30368, and 5 x 10.30368 = 51.518 pay at month 12.
    # (200 x (1 - 0.25) + 51.518) x 50 x 12 = 201.518 x 600 = 120,911.0;
    # the 20 won deals a month are left out.
    assert project(TWO_BUSINESSES).arr == pytest.approx(120_911.0, abs=0.1)


def test_project_cac_per_new_subscriber():
    # 10,000 spent a month / 5 new subscribers a month = 2,000.
    assert project(TWO_BUSINESSES).cac == pytest.approx(2_000)


def test_project_ratio_per_new_subscriber():
    # Monthly churn 1 - 0.75^(1/12) = 2.3688 %, so CLV = 50 / 0.023688 =
    # 2,110.74; 2,110.74 / 2,000 = 1.055; payback 2,000 / 50.
    projection = project(TWO_BUSINESSES)
    assert projection.clv_to_cac == pytest.approx(50 / (1 - 0.75 ** (1 / 12)) / 2000)
    assert projection.clv_to_cac == pytest.approx(1.0554, abs=0.0001)
    assert projection.payback_months == pytest.approx(40)


def test_project_won_revenue_ignores_choice():
    # 100 x 20 % x 1,000 x 9 = 180,000 either way.
    assert project(TWO_BUSINESSES).won_revenue == pytest.approx(180_000)


def test_project_arr_without_starts():
    levers = replace(TWO_BUSINESSES, new_subscribers_per_month=None)
    assert project(levers).arr is None
    assert project(levers).cac is None


def test_formulas_won_revenue():
    # 91.3125 days is 91.31 at two decimals; 12 - 91.3125 / 30.4375 = 9.
    assert projection_formulas(ONE_BUSINESS, "EUR")["won_revenue"] == (
        "won deals a month = 100.00 leads a month x 20.00 % close rate = 20.00\n"
        "selling months = 12 - 91.31 days sales cycle / 30.4375 days a month "
        "= 9.00\n"
        "won revenue = 20.00 won deals a month x 9.00 selling months x "
        "1,000.00 EUR deal size = 180,000 EUR"
    )


def test_formulas_arr_won_deals_subscribe():
    # 200 x 0.75 = 150 kept. Won deals join in the 9 months after the
    # 3-month cycle: S = 0.976312^1 + ... + 0.976312^9 = 7.99864, and
    # 20 x 7.99864 = 159.973. (150 + 159.973) x 50 x 12 = 185,983.8. m gets
    # 6 decimals so that the S line gives 7.99864: 2.3688 % would give 7.99866.
    assert projection_formulas(ONE_BUSINESS, "EUR")["arr"] == (
        "customers kept = 200.00 paying now x (1 - 25.00 % annual churn) "
        "= 150.00\n"
        "won deals a month = 100.00 leads a month x 20.00 % close rate = 20.00\n"
        "selling months = 12 - 91.31 days sales cycle / 30.4375 days a month "
        "= 9.00\n"
        "monthly churn m = 1 - (1 - 25.00 % annual churn)^(1/12) = 2.368842 %\n"
        "S = (1 - m)^9 + ... + (1 - m)^1, because each month's won deals join "
        "at its start and those of month k keep (1 - m)^(13 - k) to the end of "
        "month 12\n"
        "S = (1 - 2.368842 %) x (1 - (1 - 2.368842 %)^9) / 2.368842 % = 7.99864\n"
        "new subscribers kept = 20.00 won deals a month x 7.99864 = 159.973, "
        "because won deals become subscribers\n"
        "ARR = (150.00 + 159.973) customers x 50.00 EUR ARPA x 12 = "
        "185,984 EUR"
    )


def test_formulas_arr_from_subscriber_starts():
    # 150 kept. m = 1 - 0.75^(1/12) = 2.36884 %, and 0.9763116 x (1 -
    # 0.9763116^12) / 0.0236884 = 10.30368; 5 x 10.30368 = 51.5184, so
    # 51.518; (150 + 51.518) x 50 x 12 = 120,910.8. Four decimals of S
    # would not check by hand: 5 x 10.3037 = 51.5185 rounds to 51.519.
    assert projection_formulas(TWO_BUSINESSES, "EUR")["arr"] == (
        "customers kept = 200.00 paying now x (1 - 25.00 % annual churn) "
        "= 150.00\n"
        "monthly churn m = 1 - (1 - 25.00 % annual churn)^(1/12) = 2.36884 %\n"
        "S = (1 - m)^12 + ... + (1 - m)^1, because each month's new "
        "subscribers join at its start and those of month k keep "
        "(1 - m)^(13 - k) to the end of month 12\n"
        "S = (1 - 2.36884 %) x (1 - (1 - 2.36884 %)^12) / 2.36884 % = "
        "10.30368\n"
        "new subscribers kept = 5.00 a month x 10.30368 = 51.518; won deals "
        "are not counted as subscribers\n"
        "ARR = (150.00 + 51.518) customers x 50.00 EUR ARPA x 12 = "
        "120,911 EUR"
    )


def test_formulas_clv_cac_and_payback():
    # Monthly churn 1 - 0.75^(1/12) = 2.369 %; CLV 50 / 0.02369 = 2,110.6,
    # which rounds to 2,111 as the unrounded 2,110.74 does (2.37 % would give
    # 2,110). CAC 10,000 / 20 = 500; 2,110.74 / 500 = 4.22; payback 500 / 50
    # = 10 months.
    formulas = projection_formulas(ONE_BUSINESS, "EUR")
    assert formulas["clv"] == (
        "monthly churn = 1 - (1 - 25.00 % annual churn)^(1/12) = 2.369 %\n"
        "CLV = 50.00 EUR ARPA / 2.369 % monthly churn = 2,111 EUR"
    )
    assert formulas["cac"] == (
        "won deals a month = 100.00 leads a month x 20.00 % close rate = 20.00\n"
        "CAC = 10,000.00 EUR spend a month / 20.00 won deals a month = 500 EUR"
    )
    assert formulas["clv_to_cac"] == "CLV : CAC = 2,110.74 EUR / 500.00 EUR = 4.22"
    assert formulas["payback_months"] == (
        "CAC payback = 500.00 EUR CAC / 50.00 EUR ARPA = 10.00 months, with the "
        "gross margin taken as 100 %"
    )


def test_formulas_cac_per_new_subscriber():
    assert projection_formulas(TWO_BUSINESSES, "EUR")["cac"] == (
        "CAC = 10,000.00 EUR spend a month / 5.00 new subscribers a month = 2,000 EUR"
    )


def test_formulas_name_missing_inputs():
    levers = replace(TWO_BUSINESSES, churn_rate=None, new_subscribers_per_month=None)
    formulas = projection_formulas(levers, "EUR")
    assert formulas["arr"] == (
        "not available until these inputs are known: Annual churn rate (%), "
        "New subscribers per month"
    )
    assert formulas["clv_to_cac"] == "not available until CLV and CAC are known"


def test_formulas_name_only_the_missing_figure():
    # Without a churn rate there is no CLV, but the spend and the new
    # subscribers still give the CAC.
    formulas = projection_formulas(replace(TWO_BUSINESSES, churn_rate=None), "EUR")
    assert formulas["clv_to_cac"] == "not available until CLV is known"


def test_formulas_zero_churn():
    formulas = projection_formulas(replace(ONE_BUSINESS, churn_rate=0), "EUR")
    assert formulas["clv"] == (
        "not available: with an annual churn rate of 0 % no customer leaves"
    )


def test_formulas_cycle_beyond_horizon():
    # 400 / 30.4375 = 13.14 months, so 12 - 13.14 = -1.14 selling months.
    formulas = projection_formulas(replace(ONE_BUSINESS, sales_cycle_days=400), "")
    assert formulas["won_revenue"].splitlines()[1] == (
        "selling months = 12 - 400.00 days sales cycle / 30.4375 days a month "
        "= -1.14, at least 0, so 0.00"
    )


def test_sensitivity_from_current_levers():
    # Close rate 20 % + 50 % = 30 %: 30 won deals a month x 9 x 1,000 =
    # 270,000 of won revenue, so 10 % more leads add 27,000 (not 18,000).
    table = sensitivity(ONE_BUSINESS, changes={"close_rate": 50})
    row = table.row(0, named=True)
    assert row["lever"] == "leads_per_month"
    assert row["change_percent"] == 10.0
    assert row["won_revenue_change"] == pytest.approx(27_000)


def test_sensitivity_leads_leave_separate_ratio():
    # Won deals are not subscribers here, so more leads change neither CAC
    # nor CLV : CAC.
    row = sensitivity(TWO_BUSINESSES).row(0, named=True)
    assert row["clv_to_cac_change"] == pytest.approx(0.0)


def _subscriptions() -> pl.DataFrame:
    # a, b and c pay 100 a month since 2024; a leaves on 1 July 2025. d first
    # pays on 1 March 2025, and e has a free plan since May 2025.
    return pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "started_at": [D(2024, 1, 1)] * 3 + [D(2025, 3, 1), D(2025, 5, 1)],
            "ended_at": [D(2025, 7, 1), None, None, None, None],
            "amount": [100.0, 100.0, 100.0, 100.0, 0.0],
            "interval": ["month"] * 5,
        },
        schema={
            "customer_id": pl.String,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "amount": pl.Float64,
            "interval": pl.String,
        },
    )


def test_baseline_new_subscribers_from_starts():
    levers, notes = baseline_levers({"subscriptions": _subscriptions()}, YEAR)
    # Only d started paying in 2025: 1 / (365 / 30.4375) = 0.0834 a month.
    assert levers.new_subscribers_per_month == pytest.approx(30.4375 / 365)
    assert notes["new_subscribers_per_month"] == (
        "1 customer whose first paid subscription started in 2025-01-01 to "
        "2025-12-31 / (365 days / 30.4375 days a month) = 0.08 a month"
    )


def test_baseline_counts_paying_customers_only():
    levers, notes = baseline_levers({"subscriptions": _subscriptions()}, YEAR)
    # b, c and d pay on 31 December; e's free plan is no paying customer.
    assert levers.active_customers == 3
    assert notes["active_customers"] == "3 paying customers on 2025-12-31"
    assert notes["arpa"] == (
        "MRR 300.00 of the 3 paying customers on 2025-12-31 / 3 = 100.00"
    )


def test_baseline_choice_with_subscriptions():
    levers, _ = baseline_levers({"subscriptions": _subscriptions()}, YEAR)
    assert levers.deals_are_subscribers is False


def test_baseline_choice_without_subscriptions():
    levers, notes = baseline_levers({}, YEAR)
    assert levers.deals_are_subscribers is True
    assert notes["deals_are_subscribers"] == (
        "there is no subscriptions table, so each won deal counts as a new subscriber"
    )


def test_baseline_spend_note():
    spend = pl.DataFrame(
        {"spent_at": [D(2025, 1, 1), D(2025, 7, 1)], "amount": [365.0, 365.0]}
    )
    levers, notes = baseline_levers({"spend": spend}, YEAR)
    # 730 / (365 / 30.4375) = 2 x 30.4375 = 60.875 a month.
    assert levers.monthly_spend == pytest.approx(60.875)
    assert notes["monthly_spend"].startswith("730.00 ")
    assert notes["monthly_spend"].endswith(
        " spent in 2025-01-01 to 2025-12-31 / (365 days / 30.4375 days a month) "
        "= 60.88 EUR a month"
    )


def test_maven_deals_with_telco_list(datasets_dir):
    # The Maven B2B deals and the IBM Telco customer list are two different
    # businesses, so no won deal may join the Telco subscribers by default.
    deals = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    telco = datasets_dir / "ibm-telco-churn" / "Telco-Customer-Churn.csv"
    tables = {
        "deals": load_file(deals.name, deals.read_bytes(), table="deals").frame,
        "subscriptions": load_file(
            telco.name, telco.read_bytes(), table="subscriptions"
        ).frame,
    }
    year = Period(D(2017, 1, 1), D(2017, 12, 31))
    levers, notes = baseline_levers(tables, year)

    # 7,942 deals created in 2017 / (365 / 30.4375) = 662.29 a month.
    assert levers.leads_per_month == pytest.approx(7942 / (365 / 30.4375))
    assert notes["leads_per_month"] == (
        "7,942 deals created in 2017-01-01 to 2017-12-31 / (365 days / "
        "30.4375 days a month) = 662.29 a month"
    )

    # 7,043 customers, 1,869 of them churned: 5,174 still pay.
    assert levers.active_customers == 5174
    assert levers.deals_are_subscribers is False
    assert levers.new_subscribers_per_month is None
    assert notes["new_subscribers_per_month"] == (
        "the subscriptions are a list without dates, so their starts are unknown"
    )

    entered = replace(levers, churn_rate=20.0)
    assert project(entered).arr is None
    assert projection_formulas(entered, "EUR")["arr"] == (
        "not available until these inputs are known: New subscribers per month"
    )


# 33.335 leads a month x 30 % = 10.0005 won deals a month. Written as 10.00,
# the next steps would not check (10.00 x 12 x 1,000 = 120,000), so the
# formulas write 10.0005 in every step. Money results from 100 on are whole.
UNEVEN_LEADS = replace(
    ONE_BUSINESS, leads_per_month=33.335, close_rate=30, sales_cycle_days=0
)


def test_won_revenue_steps_check():
    # 10.0005 x 12 x 1,000 = 120,006.
    assert projection_formulas(UNEVEN_LEADS, "EUR")["won_revenue"] == (
        "won deals a month = 33.335 leads a month x 30.00 % close rate = 10.0005\n"
        "selling months = 12 - 0.00 days sales cycle / 30.4375 days a month "
        "= 12.00\n"
        "won revenue = 10.0005 won deals a month x 12.00 selling months x "
        "1,000.00 EUR deal size = 120,006 EUR"
    )


def test_cac_steps_check():
    # 3.335 x 30 % = 1.0005 won deals a month, and 90 / 1.0005 = 89.955...,
    # so 89.96 EUR. Written as 1.00 and 3.34, the lines would give 90.00
    # and 3.34 x 30 % = 1.002.
    levers = replace(UNEVEN_LEADS, leads_per_month=3.335, monthly_spend=90)
    assert projection_formulas(levers, "EUR")["cac"] == (
        "won deals a month = 3.335 leads a month x 30.00 % close rate = 1.0005\n"
        "CAC = 90.00 EUR spend a month / 1.0005 won deals a month = 89.96 EUR"
    )


def test_arr_steps_check():
    # 200 x 0.75 = 150 kept; 10.0005 x 10.3037 = 103.04215 new subscribers
    # kept; (150 + 103.042) x 50 x 12 = 151,825.2, so 151,825. Written as
    # 103.04, the sum would give 151,824.
    assert projection_formulas(UNEVEN_LEADS, "EUR")["arr"] == (
        "customers kept = 200.00 paying now x (1 - 25.00 % annual churn) "
        "= 150.00\n"
        "won deals a month = 33.335 leads a month x 30.00 % close rate = 10.0005\n"
        "selling months = 12 - 0.00 days sales cycle / 30.4375 days a month "
        "= 12.00\n"
        "monthly churn m = 1 - (1 - 25.00 % annual churn)^(1/12) = 2.3688 %\n"
        "S = (1 - m)^12 + ... + (1 - m)^1, because each month's won deals join "
        "at its start and those of month k keep (1 - m)^(13 - k) to the end of "
        "month 12\n"
        "S = (1 - 2.3688 %) x (1 - (1 - 2.3688 %)^12) / 2.3688 % = 10.3037\n"
        "new subscribers kept = 10.0005 won deals a month x 10.3037 = 103.042, "
        "because won deals become subscribers\n"
        "ARR = (150.00 + 103.042) customers x 50.00 EUR ARPA x 12 = "
        "151,825 EUR"
    )


def test_clv_fine_churn():
    # 1 - (1 - 0.10005)^(1/12) = 0.87462 %, and 50 / 0.0087462 = 5,716.8,
    # so 5,717. Written as 10.01 %, the annual rate would give 0.8751 %.
    levers = replace(ONE_BUSINESS, churn_rate=10.005)
    assert projection_formulas(levers, "EUR")["clv"] == (
        "monthly churn = 1 - (1 - 10.005 % annual churn)^(1/12) = 0.8746 %\n"
        "CLV = 50.00 EUR ARPA / 0.8746 % monthly churn = 5,717 EUR"
    )


def test_clv_churn_too_low():
    # 0.333 % annual churn is 0.0278 % a month: 1 / (12 x 0.000278) = 300
    # years, above the 10 that CLV takes from a churn rate, as on the
    # Marketing page.
    levers = replace(ONE_BUSINESS, churn_rate=0.333)
    assert project(levers).clv is None
    assert projection_formulas(levers, "EUR")["clv"] == (
        "not available: an annual churn rate of 0.33 % gives a lifespan of "
        "300 years, above the maximum of 10 that CLV takes from a churn rate"
    )


def test_annual_churn_line_checks_by_hand():
    # One month of 2025 loses 1 of 5 customers (20 %), the others none, so
    # the mean monthly rate is 20 % / 12 = 1.66667 %, and
    # 1 - (1 - 0.0166667)^12 = 18.26 %. Written as 1.67 %, the line would
    # give 1 - 0.9833^12 = 18.30 %.
    _levers, notes = baseline_levers({"subscriptions": _subscriptions()}, YEAR)
    assert notes["churn_rate"].endswith(
        "annualised from the mean monthly rate: 1 - (1 - 1.66667 %)^12 = 18.26 % "
        "(each month's rate counts the customers at that month's start, also "
        "those who joined during the window)"
    )
