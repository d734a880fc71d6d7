"""Sales KPIs of deals without close dates are not available for a chosen
period, instead of reading 0."""

from datetime import date

from kpi_core.importing import load_file
from kpi_core.marketing import campaign_revenue
from kpi_core.period import Period
from kpi_core.sales import sales_kpis

# No close date column: deals 1 and 4 are won, 2 is lost, 3 is open, and
# deal 1 (account A, Existing Business) is the only won upsell.
DEALS = b"""\
Deal ID,Stage,Created,Amount,Deal Type,Company
1,Closed Won,2025-01-02,100,Existing Business,A
2,Closed Lost,2025-01-03,200,New Business,B
3,Proposal,2025-01-04,300,New Business,A
4,Closed Won,2025-02-04,400,New Business,C
"""
HALF_YEAR = Period(date(2025, 1, 1), date(2025, 6, 30))
REMEDY = "Map the column with the close dates to closed_at on the Data page"


def _kpis(period: Period = HALF_YEAR):
    return sales_kpis(load_file("deals.csv", DEALS).frame, period)


def test_won_value_not_zero_without_dates():
    result = _kpis()["won_value"]
    assert result.status == "not_available"
    assert result.reason == (
        "none of the 2 won deals has a close date, so no period can place "
        f"them. {REMEDY}"
    )


def test_win_rate_names_missing_dates():
    assert _kpis()["win_rate"].reason == (
        "none of the 3 won or lost deals has a close date, so no period can "
        f"place them. {REMEDY}"
    )


def test_deal_size_and_cycle_name_missing_dates():
    kpis = _kpis()
    assert kpis["average_deal_size"].reason.startswith("none of the 2 won deals")
    assert kpis["sales_cycle_days"].reason.startswith("none of the 2 won deals")


def test_upsell_rate_names_missing_date():
    assert _kpis()["upsell_rate"].reason == (
        f"the won upsell deal has no close date, so no period can place it. {REMEDY}"
    )


def test_close_rate_by_creation_unaffected():
    # Close rate counts by creation date: 2 won of 4 created = 50 %.
    assert _kpis()["close_rate"].value == 50.0


def test_all_data_keeps_undated_deals():
    # With all data no period has to place a deal: 100 + 400 won, and 2 won
    # of 3 decided.
    kpis = _kpis(Period())
    assert kpis["won_value"].value == 500.0
    assert kpis["win_rate"].value == 2 / 3 * 100
    assert kpis["sales_cycle_days"].reason.startswith("none of the 2 won deals")


def test_campaign_revenue_names_missing_dates():
    frame = load_file("deals.csv", DEALS).frame
    result = campaign_revenue(frame, HALF_YEAR)
    # Deals 1 and 4 are won with amounts 100 and 400, and neither has a
    # close date.
    assert result.reason == (
        "none of the 2 won deals with an amount has a close date, so no period "
        "can place them. Map the column with those dates to closed_at on the "
        "Data page"
    )
