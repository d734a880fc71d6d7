"""Totals over periods without wins, open deals left out of the sales cycle
by close date, and the report text of left-out rows, attribution and
money formulas."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi_core.excel_report import KEY_COLUMN, KPI_COLUMNS
from kpi_core.importing import load_file
from kpi_core.kpis import KpiSettings
from kpi_core.marketing import attribution_note, campaign_revenue
from kpi_core.period import Period
from kpi_core.report_tables import excel_report_bytes
from kpi_core.sales import average_deal_size, sales_cycle_days, won_value
from kpi_core.subscriptions import arr

# D1 and D2 are open from January, D3 is won in March, D4 lost in March.
# D5 is open with an expected close date in May, as Salesforce exports one.
DEALS = """\
Deal ID,Deal Stage,Amount,Create Date,Close Date,Owner
D1,Appointment Scheduled,100,2025-01-05,,Ana
D2,Appointment Scheduled,200,2025-01-20,,Ben
D3,Closed Won,300,2025-02-01,2025-03-10,Ana
D4,Closed Lost,400,2025-02-15,2025-03-20,Ben
D5,Appointment Scheduled,500,2025-04-01,2025-05-15,Ana
"""
JANUARY = Period(date(2025, 1, 1), date(2025, 1, 31))
MAY = Period(date(2025, 5, 1), date(2025, 5, 31))
BEFORE = Period(date(2024, 1, 1), date(2024, 6, 30))


def _load(tmp_path: Path, name: str, content: str, table: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return load_file(name, path.read_bytes(), table=table).frame


@pytest.fixture
def deals(tmp_path):
    return _load(tmp_path, "deals.csv", DEALS, "deals")


def test_won_value_zero_with_note(deals):
    # January: D1 and D2 are created, none is won.
    result = won_value(deals, JANUARY)
    assert result.available
    assert result.value == 0.0
    assert result.n == 0
    assert result.note == "no deal was won in this period"
    assert result.formula == "no deal was won in this period, so the sum is 0.00 EUR"


def test_won_value_zero_no_small_sample(deals):
    assert not won_value(deals, JANUARY).small_sample
    # One won deal is an exact total too.
    assert not won_value(deals).small_sample


def test_won_value_note_in_json(deals):
    assert won_value(deals, JANUARY).to_json()["note"] == (
        "no deal was won in this period"
    )
    assert "note" not in won_value(deals).to_json()


def test_won_value_no_deals_in_period(deals):
    # The first deal is created on 2025-01-05, after the first half of 2024.
    result = won_value(deals, BEFORE)
    assert not result.available
    assert result.reason == "no deal was created, open or closed in this period"


def test_average_keeps_small_sample(deals):
    # 1 won deal with an amount: a mean over 1 deal is an estimate.
    result = average_deal_size(deals)
    assert result.n == 1
    assert result.small_sample


def test_cycle_open_deals_by_close_date(deals):
    # January: D1 and D2 have no close date, so no period can place them.
    # D5's expected close date is in May, outside January.
    result = sales_cycle_days(deals, JANUARY)
    assert result.excluded == {"open deal without a close date": 2}


def test_cycle_open_deal_expected_in_period(deals):
    result = sales_cycle_days(deals, MAY)
    assert result.excluded == {
        "open deal without a close date": 2,
        "open deal with an expected close date in the period": 1,
    }


def test_cycle_open_deals_all_data(deals):
    # All data: D1, D2 and D5 are open; D3 is won after 37 days
    # (1 February to 10 March).
    result = sales_cycle_days(deals)
    assert result.value == 37
    assert result.excluded == {
        "open deal without a close date": 2,
        "open deal with an expected close date in the period": 1,
    }


def _kpi_rows(report: bytes, sheet: str) -> dict[str, list]:
    workbook = load_workbook(io.BytesIO(report))
    rows = workbook[sheet].iter_rows(min_row=5, max_col=len(KPI_COLUMNS))
    found = {}
    for row in rows:
        values = [cell.value for cell in row]
        if not values[0]:
            break
        found[values[KEY_COLUMN]] = values
    return found


def test_excel_left_out_as_page(tmp_path):
    # 1,200 open deals without a close date and 1 won deal: the count needs
    # a thousands separator and the noun "rows", as the page writes them.
    lines = ["Deal ID,Deal Stage,Amount,Create Date,Close Date"]
    lines += [f"O{i},Appointment Scheduled,10,2025-01-02," for i in range(1200)]
    lines.append("W1,Closed Won,50,2025-01-02,2025-01-09")
    frame = _load(tmp_path, "many.csv", "\n".join(lines) + "\n", "deals")
    report = excel_report_bytes({"deals": frame}, KpiSettings())
    cycle = _kpi_rows(report, "Sales")["sales_cycle_days"]
    left_out = cycle[KPI_COLUMNS.index("Rows left out")]
    assert left_out == "1,200 rows: open deal without a close date"


def test_excel_zero_won_value_row(tmp_path, deals):
    report = excel_report_bytes({"deals": deals}, KpiSettings(period=JANUARY))
    row = _kpi_rows(report, "Sales")["won_value"]
    assert row[KPI_COLUMNS.index("Value")] == 0
    assert row[KPI_COLUMNS.index("How it is calculated")] == (
        "no deal was won in this period, so the sum is 0.00 EUR"
    )


def test_no_campaign_column_note(deals):
    # The deals have no campaign, source or channel column.
    result = campaign_revenue(deals)
    assert result.extra["attributed_by"] == "none"
    assert attribution_note(result) == (
        "Revenue comes from the won deals of the deals table. No campaign, "
        "source or channel column is mapped or filled for the won deals or "
        "orders of this period, so all revenue is unattributed."
    )


def test_marketing_sheet_no_none_column(tmp_path, deals):
    report = excel_report_bytes({"deals": deals}, KpiSettings())
    sheet = load_workbook(io.BytesIO(report))["Marketing"]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert not any("the none column" in str(text) for text in texts)
    assert attribution_note(campaign_revenue(deals)) in texts


def test_source_column_note(tmp_path):
    content = DEALS.replace(",Owner\n", ",Lead Source\n", 1)
    frame = _load(tmp_path, "sourced.csv", content, "deals")
    result = campaign_revenue(frame)
    assert attribution_note(result) == (
        "Revenue comes from the won deals of the deals table. Revenue is "
        "attributed by the source column."
    )


CUSTOMERS = """\
customerID,MonthlyCharges,Churn
c1,10.50,No
c2,20,No
c3,30,Yes
"""


def test_snapshot_arr_formula_currency(tmp_path):
    frame = _load(tmp_path, "customers.csv", CUSTOMERS, "subscriptions")
    result = arr(frame)
    # Active c1 and c2: 10.50 + 20 = 30.50 a month, x 12 = 366.00.
    assert result.value == pytest.approx(366.0)
    assert result.formula == "30.50 EUR of monthly charges x 12 = 366.00 EUR"
    assert not result.small_sample


def test_maven_cycle_open_deals(datasets_dir):
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    deals = load_file(path.name, path.read_bytes(), table="deals").frame
    open_rows = [r for r in rows if r["deal_stage"] in ("Engaging", "Prospecting")]
    # 1,589 engaging + 500 prospecting deals, none with a close date.
    assert len(open_rows) == 1589 + 500
    assert not any(r["close_date"] for r in open_rows)
    last_quarter = Period(date(2017, 10, 1), date(2017, 12, 31))
    result = sales_cycle_days(deals, last_quarter)
    assert result.excluded == {"open deal without a close date": 2089}
    report = excel_report_bytes({"deals": deals}, KpiSettings(period=last_quarter))
    cycle = _kpi_rows(report, "Sales")["sales_cycle_days"]
    assert cycle[KPI_COLUMNS.index("Rows left out")] == (
        "2,089 rows: open deal without a close date"
    )


def test_maven_won_value_empty_periods(datasets_dir):
    path = datasets_dir / "maven-crm-sales" / "sales_pipeline.csv"
    deals = load_file(path.name, path.read_bytes(), table="deals").frame
    # The first engage date is 2016-10-20: no deal in the first half of 2016.
    first_half = won_value(deals, Period(date(2016, 1, 1), date(2016, 6, 30)))
    assert not first_half.available
    # In January 2017, 312 deals were engaged and the first close is on
    # 2017-03-01, so the won value is 0.
    january = won_value(deals, Period(date(2017, 1, 1), date(2017, 1, 31)))
    assert january.value == 0.0
    assert january.note == "no deal was won in this period"
