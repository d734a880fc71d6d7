"""CAC warns when the spend and the new customers cover different months."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import pytest

from kpi_core.__main__ import main
from kpi_core.exclusion_warnings import kpi_warnings
from kpi_core.marketing import cac, new_customers_from_orders
from kpi_core.period import Period
from kpi_core.report import ReportOptions, build_report
from kpi_core.spend_coverage import coverage_warning

D = date
YEAR_2021 = Period(D(2021, 1, 1), D(2021, 12, 31))


def monthly_spend(months: range, amount: float = 100.0, year: int = 2021):
    """Spend booked once a month, on the first day, as the needful-things
    export has it."""
    return pl.DataFrame(
        {
            "spent_at": [D(year, month, 1) for month in months],
            "amount": [amount] * len(months),
        }
    )


def customers(days: list[date]) -> pl.DataFrame:
    orders = pl.DataFrame(
        {
            "customer_id": [f"c{index}" for index in range(len(days))],
            "ordered_at": days,
        },
        schema={"customer_id": pl.String, "ordered_at": pl.Date},
    )
    return new_customers_from_orders(orders)


def mid_month(months: range, year: int = 2021) -> list[date]:
    return [D(year, month, 15) for month in months]


def test_cac_half_year_spend_warns():
    result = cac(monthly_spend(range(1, 7)), customers(mid_month(range(1, 13))))
    # Value kept: 6 x 100 of spend / 12 customers = 50.
    assert result.value == pytest.approx(50.0)
    # Customers of July to December (6 of 12 = 50 %) have no spend month.
    assert result.warnings == (
        "Spend is recorded 2021-01-01 to 2021-06-30, new customers 2021-01-15 "
        "to 2021-12-15. 6 of the 12 new customers (50 %) were acquired in "
        "months without recorded spend, so the CAC reads lower than it is. "
        "Upload the missing spend or pick a period both cover.",
    )


def test_cac_half_year_customers_warns():
    result = cac(
        monthly_spend(range(1, 13)), customers(mid_month(range(1, 7))), YEAR_2021
    )
    # 12 x 100 / 6 customers = 200; July to December hold 600 of 1,200 spend.
    assert result.value == pytest.approx(200.0)
    [warning] = result.warnings
    assert warning.startswith(
        "Spend is recorded 2021-01-01 to 2021-12-31, new customers 2021-01-15 "
        "to 2021-06-15. 50 % of the spend falls in months without new "
        "customers in the data, so the CAC reads higher than it is."
    )
    assert warning.endswith("Upload the missing customers or pick a period both cover.")


def test_cac_matching_months_no_warning():
    # Spend on each month's first day, customers from 4 January to 29
    # December: both cover January to December.
    days = [D(2021, 1, 4), *mid_month(range(2, 12)), D(2021, 12, 29)]
    result = cac(monthly_spend(range(1, 13)), customers(days), YEAR_2021)
    assert result.value == pytest.approx(1200 / 12)
    assert result.warnings == ()


def test_cac_all_data_matching_no_warning():
    spend = pl.concat([monthly_spend(range(1, 13), year=y) for y in (2020, 2021)])
    days = mid_month(range(1, 13), 2020) + mid_month(range(1, 13), 2021)
    assert cac(spend, customers(days)).warnings == ()


def test_coverage_small_tail_no_warning():
    # Spend January to November, one customer a month: December's customer
    # is 1 of 12 = 8.3 %, below the 10 % that warns.
    spend = monthly_spend(range(1, 12))
    found = customers(mid_month(range(1, 13)))
    assert coverage_warning(spend, found, YEAR_2021) is None


def test_coverage_two_month_tail_warns():
    # Spend January to October: 2 of 12 customers = 16.7 %.
    spend = monthly_spend(range(1, 11))
    warning = coverage_warning(spend, customers(mid_month(range(1, 13))), YEAR_2021)
    assert warning is not None
    assert "2 of the 12 new customers (17 %)" in warning


def test_coverage_daily_spend_days_short_no_warning():
    # Daily spend ends on 20 December, customers run to 29 December: both
    # cover December, because months are compared whole.
    days = [D(2021, 1, 1) + timedelta(days=n) for n in range(354)]
    spend = pl.DataFrame({"spent_at": days, "amount": [10.0] * len(days)})
    assert days[-1] == D(2021, 12, 20)
    found = customers([D(2021, 1, 2), D(2021, 6, 1), D(2021, 12, 29)])
    assert coverage_warning(spend, found, YEAR_2021) is None


def test_coverage_month_without_customers_no_warning():
    # Spend all year; customers in January, March and December only. The
    # months between have spend and no new customer, which is real data.
    found = customers([D(2021, 1, 5), D(2021, 3, 5), D(2021, 12, 5)])
    assert coverage_warning(monthly_spend(range(1, 13)), found, YEAR_2021) is None


def test_coverage_customer_table_beyond_period():
    # The customers run from 2020 to 2022, so the customer data covers all of
    # 2021, although the new customers of 2021 fall in February to September.
    days = [D(2020, 3, 1), *mid_month(range(2, 10)), D(2022, 5, 1)]
    assert (
        coverage_warning(monthly_spend(range(1, 13)), customers(days), YEAR_2021)
        is None
    )


def test_coverage_reporting_windows_full_year():
    # Quarterly reporting windows cover the year; customers in every month.
    spend = pl.DataFrame(
        {
            "period_start": [D(2021, m, 1) for m in (1, 4, 7, 10)],
            "period_end": [
                D(2021, 3, 31),
                D(2021, 6, 30),
                D(2021, 9, 30),
                D(2021, 12, 31),
            ],
            "amount": [300.0] * 4,
        }
    )
    found = customers(mid_month(range(1, 13)))
    assert coverage_warning(spend, found, YEAR_2021) is None


def test_coverage_reporting_window_past_customers():
    # One window of the whole year, 1,200 spread evenly over 365 days; the
    # customers end on 15 June, so their months run to 30 June. July to
    # December are 184 days: 184 / 365 = 50.4 % of the spend.
    spend = pl.DataFrame(
        {
            "period_start": [D(2021, 1, 1)],
            "period_end": [D(2021, 12, 31)],
            "amount": [1200.0],
        }
    )
    warning = coverage_warning(spend, customers(mid_month(range(1, 7))), YEAR_2021)
    assert warning is not None
    assert "Spend is recorded 2021-01-01 to 2021-12-31" in warning
    assert "50 % of the spend falls in months without new customers" in warning


def test_coverage_period_clips_spans():
    # Period March to April inside a half year of spend and a year of
    # customers: both cover March and April.
    period = Period(D(2021, 3, 1), D(2021, 4, 30))
    found = customers(mid_month(range(1, 13)))
    assert coverage_warning(monthly_spend(range(1, 7)), found, period) is None


def test_coverage_both_directions_named():
    # Spend April to December, customers January to June (3 of 6 customers
    # before April = 50 %), and spend July to December (600 of 900 = 67 %).
    found = customers(mid_month(range(1, 7)))
    warning = coverage_warning(monthly_spend(range(4, 13)), found, YEAR_2021)
    assert warning is not None
    assert "3 of the 6 new customers (50 %)" in warning
    assert "67 % of the spend falls in months" in warning
    assert warning.endswith(
        "Upload the missing spend and customers or pick a period both cover."
    )


def test_cac_json_and_page_warnings():
    result = cac(monthly_spend(range(1, 7)), customers(mid_month(range(1, 13))))
    assert result.to_json()["warnings"] == list(result.warnings)
    shown = kpi_warnings({"cac": result}, {"cac": "Customer acquisition cost"})
    assert shown == [f"Customer acquisition cost: {result.warnings[0]}"]


def test_cac_without_gap_json_has_no_warnings():
    result = cac(monthly_spend(range(1, 13)), customers(mid_month(range(1, 13))))
    assert "warnings" not in result.to_json()


SPEND_CSV = "spent_at,amount\n" + "".join(
    f"2021-{month:02d}-01,100.00\n" for month in range(1, 7)
)
ORDERS_CSV = "order_id,customer_id,ordered_at,amount\n" + "".join(
    f"o{month},c{month},2021-{month:02d}-15,40.00\n" for month in range(1, 13)
)


def test_cli_prints_coverage_warning(tmp_path, capsys):
    (tmp_path / "spend.csv").write_text(SPEND_CSV, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    status = main(["report", str(tmp_path / "orders.csv"), str(tmp_path / "spend.csv")])
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    # 6 x 100 spend / 12 customers = 50; 6 of 12 customers after June.
    assert report["kpis"]["cac"]["value"] == 50.0
    [warning] = report["kpis"]["cac"]["warnings"]
    assert "6 of the 12 new customers (50 %)" in warning
    assert f"cac: {warning}" in report["warnings"]


def test_needful_things_spans_match(datasets_dir):
    folder = datasets_dir / "needful-things-ecommerce"
    paths = [folder / "orders.csv", folder / "marketing_spend.csv"]
    # Spend is booked on the first of each month of 2019 to 2021, and the
    # orders run from 2019-01-01 to 2021-12-31, so no period warns.
    for period in (Period(), YEAR_2021, Period(D(2021, 3, 1), D(2021, 3, 31))):
        report = build_report(paths, ReportOptions(period=period, lifespan_years=3))
        assert report["kpis"]["cac"]["status"] == "ok"
        assert "warnings" not in report["kpis"]["cac"]
        assert report["warnings"] == []
