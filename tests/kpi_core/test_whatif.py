from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.churn import churn_rate
from kpi_core.errors import InvalidSettingError
from kpi_core.goal_metrics import MONTH_DAYS
from kpi_core.period import Period
from kpi_core.whatif import (
    FIGURES,
    LEVERS,
    Levers,
    Scenario,
    project,
    scenario_table,
    sensitivity,
)
from kpi_core.whatif_baseline import baseline_levers

D = date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))
# A sales cycle of exactly three average months leaves 9 selling months.
LEVERS_2025 = Levers(
    leads_per_month=100,
    close_rate=20,
    average_deal_size=1000,
    sales_cycle_days=3 * MONTH_DAYS,
    churn_rate=25,
    arpa=50,
    monthly_spend=10_000,
    active_customers=200,
)
# 25 % a year is 1 - 0.75^(1/12) = 2.369 % a month, so CLV = 50 / 0.02369,
# about 2,110.74, and CLV : CAC = CLV / 500.
MONTHLY_CHURN = 1 - 0.75 ** (1 / 12)
CLV_2025 = 50 / MONTHLY_CHURN


def test_project_won_revenue():
    # 100 leads x 20 % = 20 new customers a month, over 12 - 3 months.
    assert project(LEVERS_2025).won_revenue == pytest.approx(20 * 1000 * 9)


def test_project_arr():
    # The 20 won deals of each of months 4 to 12 join at the month's start
    # and keep (1 - m)^1 ... (1 - m)^9 of themselves, with 1 - m = 0.75^(1/12):
    # S = 0.75^(1/12) + ... + 0.75^(9/12) = 7.99864, so 20 x 7.99864 =
    # 159.973 of them pay at month 12. (200 x (1 - 0.25) + 159.973) x 50 x
    # 12 = 309.973 x 600 = 185,983.7.
    kept_sum = sum(0.75 ** (months / 12) for months in range(1, 10))
    assert kept_sum == pytest.approx(7.99864, abs=0.00001)
    assert project(LEVERS_2025).arr == pytest.approx((150 + 20 * kept_sum) * 600)
    assert project(LEVERS_2025).arr == pytest.approx(185_983.7, abs=0.1)


def test_project_clv():
    assert round(MONTHLY_CHURN, 6) == 0.023688
    assert round(CLV_2025, 2) == 2110.74
    assert project(LEVERS_2025).clv == pytest.approx(CLV_2025)


def test_project_cac():
    # 10,000 spent a month for 20 new customers a month.
    assert project(LEVERS_2025).cac == pytest.approx(10_000 / 20)


def test_project_clv_to_cac():
    assert project(LEVERS_2025).clv_to_cac == pytest.approx(CLV_2025 / 500)


def test_project_payback_months():
    assert project(LEVERS_2025).payback_months == pytest.approx(500 / 50)


def test_project_cycle_beyond_horizon():
    levers = replace(LEVERS_2025, sales_cycle_days=400)
    assert project(levers).won_revenue == 0.0


def test_project_missing_lever():
    levers = replace(LEVERS_2025, arpa=None)
    projection = project(levers)
    assert projection.arr is None
    assert projection.clv is None
    assert projection.payback_months is None
    assert projection.won_revenue == pytest.approx(180_000)


def test_project_zero_churn():
    assert project(replace(LEVERS_2025, churn_rate=0)).clv is None


def test_project_zero_close_rate():
    assert project(replace(LEVERS_2025, close_rate=0)).cac is None


def test_levers_moved_by_percent():
    moved = LEVERS_2025.moved({"close_rate": 10, "monthly_spend": -50})
    assert moved.close_rate == pytest.approx(22)
    assert moved.monthly_spend == pytest.approx(5000)
    assert moved.leads_per_month == 100


def test_levers_moved_rate_stops_at_100():
    moved = replace(LEVERS_2025, close_rate=95).moved({"close_rate": 10})
    assert moved.close_rate == 100.0


def test_levers_moved_missing_stays_missing():
    assert replace(LEVERS_2025, arpa=None).moved({"arpa": 10}).arpa is None


def test_levers_moved_unknown_lever():
    with pytest.raises(InvalidSettingError, match="unknown lever 'price'"):
        LEVERS_2025.moved({"price": 10})


def test_levers_moved_below_minus_100():
    with pytest.raises(InvalidSettingError, match="cannot fall by 150 %"):
        LEVERS_2025.moved({"leads_per_month": -150})


def test_scenario_table_close_rate_up():
    table = scenario_table(LEVERS_2025, {"close_rate": 10})
    assert table["figure"].to_list() == list(FIGURES)
    won = table.row(0, named=True)
    # 22 new customers a month x 1000 x 9 months.
    assert won["baseline"] == pytest.approx(180_000)
    assert won["scenario"] == pytest.approx(198_000)
    assert won["difference"] == pytest.approx(18_000)
    assert won["change_percent"] == pytest.approx(10.0)


def test_scenario_table_ratio_change():
    table = scenario_table(LEVERS_2025, {"close_rate": 10})
    ratio = table.filter(pl.col("figure") == "clv_to_cac").row(0, named=True)
    # CAC falls to 10,000 / 22, so CLV : CAC = 2,110.74 / (10,000 / 22) = 4.64.
    assert ratio["scenario"] == pytest.approx(CLV_2025 / (10_000 / 22))


def test_scenario_table_missing_figure():
    table = scenario_table(replace(LEVERS_2025, churn_rate=None), {})
    clv = table.filter(pl.col("figure") == "clv").row(0, named=True)
    assert clv["baseline"] is None
    assert clv["change_percent"] is None


def test_sensitivity_rows():
    table = sensitivity(LEVERS_2025)
    assert table.height == 2 * len(LEVERS)
    assert table["change_percent"].to_list()[:2] == [10.0, -10.0]


def test_sensitivity_leads_up():
    row = sensitivity(LEVERS_2025).row(0, named=True)
    # 110 leads: 22 new customers a month, so +2 x 1000 x 9 revenue and
    # CLV : CAC from CLV / 500 to CLV / (10,000 / 22).
    assert row["lever"] == "leads_per_month"
    assert row["won_revenue_change"] == pytest.approx(18_000)
    assert row["clv_to_cac_change"] == pytest.approx(
        CLV_2025 / (10_000 / 22) - CLV_2025 / 500
    )


def test_sensitivity_cycle_up():
    table = sensitivity(LEVERS_2025)
    row = table.filter(
        (pl.col("lever") == "sales_cycle_days") & (pl.col("change_percent") > 0)
    ).row(0, named=True)
    # 3.3 months of cycle leave 8.7 selling months: 20 x 1000 x 8.7.
    assert row["won_revenue_change"] == pytest.approx(20 * 1000 * 8.7 - 180_000)
    assert row["clv_to_cac_change"] == pytest.approx(0.0)


def test_sensitivity_churn_leaves_revenue():
    table = sensitivity(LEVERS_2025)
    row = table.filter(
        (pl.col("lever") == "churn_rate") & (pl.col("change_percent") > 0)
    ).row(0, named=True)
    # Churn 27.5 % a year: CLV = 50 / (1 - 0.725^(1/12)), CAC stays 500.
    moved = 50 / (1 - 0.725 ** (1 / 12))
    assert row["won_revenue_change"] == pytest.approx(0.0)
    assert row["clv_to_cac_change"] == pytest.approx((moved - CLV_2025) / 500)


def test_sensitivity_missing_figure_null():
    table = sensitivity(replace(LEVERS_2025, monthly_spend=None))
    assert table["clv_to_cac_change"].null_count() == table.height


@given(
    st.sampled_from(["leads_per_month", "close_rate", "average_deal_size"]),
    st.floats(min_value=-100, max_value=100),
)
def test_won_revenue_proportional_to_volume_levers(lever, change):
    # Won revenue is a product of these three levers, so it moves by the
    # same percentage (the close rate stays under its 100 % cap here).
    moved = project(LEVERS_2025.moved({lever: change})).won_revenue
    assert moved == pytest.approx(180_000 * (1 + change / 100), abs=1e-6)


def test_scenario_requires_name():
    with pytest.raises(InvalidSettingError, match="no name"):
        Scenario(" ", {})


def test_scenario_rejects_unknown_lever():
    with pytest.raises(InvalidSettingError, match="unknown lever"):
        Scenario("Plan", {"price": 5})


def _deals() -> pl.DataFrame:
    # 12 deals created in 2025, 3 of them won with cycles of 10, 20 and 30
    # days and amounts of 100, 200 and 600.
    rows = [
        ("w1", D(2025, 1, 10), D(2025, 1, 20), "won", 100.0),
        ("w2", D(2025, 2, 10), D(2025, 3, 2), "won", 200.0),
        ("w3", D(2025, 3, 10), D(2025, 4, 9), "won", 600.0),
        *[(f"l{i}", D(2025, 5, 1), D(2025, 6, 1), "lost", None) for i in range(9)],
        ("old", D(2024, 6, 1), D(2024, 7, 1), "won", 5000.0),
    ]
    schema = {
        "deal_id": pl.String,
        "created_at": pl.Date,
        "closed_at": pl.Date,
        "status": pl.String,
        "amount": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_baseline_levers_from_deals():
    levers, notes = baseline_levers({"deals": _deals()}, YEAR)
    # 2025 has 365 days, 365 / 30.4375 months.
    assert levers.leads_per_month == pytest.approx(12 / (365 / MONTH_DAYS))
    assert levers.close_rate == pytest.approx(3 / 12 * 100)
    assert levers.average_deal_size == pytest.approx((100 + 200 + 600) / 3)
    assert levers.sales_cycle_days == pytest.approx((10 + 20 + 30) / 3)
    # 12 x 30.4375 / 365 = 1.0007 deals a month.
    assert notes["leads_per_month"] == (
        "12 deals created in 2025-01-01 to 2025-12-31 / "
        "(365 days / 30.4375 days a month) = 1.00 a month"
    )


def test_baseline_levers_missing_tables():
    levers, notes = baseline_levers({"deals": _deals()}, YEAR)
    assert levers.churn_rate is None
    assert levers.arpa is None
    assert levers.monthly_spend is None
    assert notes["arpa"] == "there is no subscriptions table"
    assert notes["monthly_spend"] == "there is no marketing spend table"


def test_baseline_levers_without_deals():
    levers, notes = baseline_levers({}, YEAR)
    assert levers.leads_per_month is None
    assert notes["close_rate"] == "there is no deals table"


def test_baseline_levers_no_deals_in_period():
    levers, notes = baseline_levers(
        {"deals": _deals()}, Period(D(2023, 1, 1), D(2023, 12, 31))
    )
    assert levers.leads_per_month is None
    assert notes["leads_per_month"].startswith("no deals were created")


def test_baseline_levers_from_spend():
    spend = pl.DataFrame(
        {
            "spent_at": [D(2025, month, 1) for month in range(1, 13)],
            "amount": [1000.0] * 12,
        }
    )
    levers, _ = baseline_levers({"spend": spend}, YEAR)
    assert levers.monthly_spend == pytest.approx(12_000 / (365 / MONTH_DAYS))


def test_baseline_levers_from_subscriptions():
    # Four customers paying 100 a month since 2024; one leaves on 1 July.
    subs = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "started_at": [D(2024, 1, 1)] * 4,
            "ended_at": [None, None, None, D(2025, 7, 1)],
            "amount": [100.0] * 4,
            "interval": ["month"] * 4,
        },
        schema={
            "customer_id": pl.String,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "amount": pl.Float64,
            "interval": pl.String,
        },
    )
    levers, _ = baseline_levers({"subscriptions": subs}, YEAR)
    assert levers.arpa == pytest.approx(100.0)
    assert levers.active_customers == 3
    # The rate itself is tested with the churn module; here it is passed on.
    assert levers.churn_rate == pytest.approx(
        churn_rate(subs, YEAR).extra["annualised"]
    )


def test_baseline_levers_open_period():
    with pytest.raises(InvalidSettingError, match="start and an end"):
        baseline_levers({}, Period())


def test_snapshot_churn_is_no_annual_baseline():
    # A customer list without dates: 1 of 4 churned is 25 % with no time
    # base, so it must not stand for a yearly churn rate.
    snapshot = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "churned": ["Yes", "No", "No", "No"],
            "monthly_charge": [10.0, 20.0, 30.0, 40.0],
        }
    )
    levers, notes = baseline_levers({"subscriptions": snapshot}, YEAR)
    assert levers.churn_rate is None
    assert notes["churn_rate"] == (
        "the subscriptions are a list without dates, so their churned share "
        "(25.0 %) has no time base; enter an annual churn rate"
    )


def test_scenario_rejects_unknown_input():
    with pytest.raises(InvalidSettingError, match="unknown input 'price'"):
        Scenario("Plan", {}, {"price": 5})


def test_scenario_rejects_negative_input():
    with pytest.raises(InvalidSettingError, match="cannot be -1; give 0 or more"):
        Scenario("Plan", {}, {"new_subscribers_per_month": -1})
