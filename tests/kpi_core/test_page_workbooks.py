"""The Excel downloads of the Before and after and What if pages: the
values, units and number formats a reader sees when opening them."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl
import polars as pl
import pytest

from kpi_core.compare import before_after
from kpi_core.compare_periods import comparison_windows
from kpi_core.importing import load_file
from kpi_core.page_workbooks import (
    COMPARE_SHEET,
    WHATIF_SHEET,
    comparison_workbook,
    scenario_workbook,
)
from kpi_core.whatif import Levers
from tests.kpi_core.test_compare import DEALS_SCHEMA, SMALL_DEALS

D = date
# The deals of the Before and after tests: four created in March 2025 (2
# won, 1 lost, 1 open) and five in April (1 won, 4 lost), with an open deal
# at each end of the data.
DEALS = pl.DataFrame(SMALL_DEALS, schema=DEALS_SCHEMA, orient="row")
# Won revenue: 10 leads x 20 % = 2 won deals a month, sold for 12 - 1 = 11
# months (a cycle of one 30.4375-day month), at 1,000 EUR: 22,000 EUR.
LEVERS = Levers(
    leads_per_month=10.0,
    close_rate=20.0,
    average_deal_size=1000.0,
    sales_cycle_days=30.4375,
    churn_rate=20.0,
    arpa=100.0,
    monthly_spend=1000.0,
    active_customers=50.0,
    new_subscribers_per_month=5.0,
    deals_are_subscribers=False,
)


def _rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows() if any(c.value is not None for c in row)]


def _table(sheet, header: str) -> list[list]:
    """Return the cells of the table whose header row starts with
    ``header``, down to the first empty row."""
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == header)
    found = []
    for row in rows[start:]:
        if row[0].value is None:
            break
        found.append(list(row))
    return found


def _by_label(table: list[list]) -> dict[str, list]:
    return {row[0].value: row for row in table[1:]}


def _settings(workbook) -> dict:
    sheet = workbook["Settings"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}


def _comparison():
    pivot = D(2025, 4, 1)
    table = before_after(DEALS, pivot, months=1)
    windows = comparison_windows({"deals": DEALS}, pivot, 1)
    content = comparison_workbook(
        table,
        windows,
        pivot=pivot,
        months=1,
        working_label="Mon-Fri 09:00-17:00",
        left_out={"Average deal size": "no amount column"},
        sources=[("Deals", "march-april", 11)],
    )
    return openpyxl.load_workbook(BytesIO(content))


def test_comparison_workbook_close_rate_row():
    workbook = _comparison()
    rows = _by_label(_table(workbook[COMPARE_SHEET], "KPI"))
    close_rate = [cell.value for cell in rows["Close rate"]]
    # 2 of the 4 March deals won, 1 of the 5 April deals: 50 % and 20 %.
    assert close_rate[1] == "percent"
    assert close_rate[2] == pytest.approx(50.0)
    assert close_rate[5] == pytest.approx(20.0)
    assert close_rate[8:11] == [4, 5, 30]
    assert close_rate[11] == pytest.approx(-30.0)
    assert close_rate[13] == "no"
    assert "1 of the 4 deals created is still open" in close_rate[15]
    assert rows["Close rate"][2].number_format == '0.0" %"'
    # The difference of two rates is in percentage points.
    assert rows["Close rate"][11].number_format == '+0.0" pp";-0.0" pp";0.0" pp"'
    assert rows["Close rate"][12].number_format == "0.000"


def test_comparison_workbook_counts_read_whole():
    rows = _by_label(_table(_comparison()[COMPARE_SHEET], "KPI"))
    new_deals = rows["New deals"]
    assert [new_deals[2].value, new_deals[5].value] == [4, 5]
    assert new_deals[2].number_format == "#,##0"
    # The sales cycle of the March deals won: 10 and 20 days, mean 15.
    cycle = rows["Sales cycle"]
    assert cycle[1].value == "days"
    assert cycle[2].value == pytest.approx(15.0)
    assert cycle[2].number_format == "#,##0.0"


def test_comparison_workbook_settings_and_left_out():
    workbook = _comparison()
    settings = _settings(workbook)
    assert settings["Compare around"] == "2025-04-01"
    # April has 30 days, so the before window is the 30 days up to 31 March.
    assert settings["Before"] == "2025-03-02 to 2025-03-31"
    assert settings["After"] == "2025-04-01 to 2025-04-30"
    assert settings["Deals"] == "march-april"
    texts = [row[0].value for row in _rows(workbook[COMPARE_SHEET])]
    assert "Average deal size: no amount column." in texts


def test_scenario_workbook_figures_by_hand():
    content = scenario_workbook(
        LEVERS,
        {"close_rate": 50.0},
        unit="EUR",
        input_sources={"close_rate": "from the deals table"},
        baseline_label="Baseline from 2025-01-01 to 2025-12-31.",
        sources=[("Deals", "deals", 120)],
    )
    workbook = openpyxl.load_workbook(BytesIO(content))
    sheet = workbook[WHATIF_SHEET]

    inputs = _by_label(_table(sheet, "Input"))
    close_rate = [cell.value for cell in inputs["Close rate (%)"]]
    # 20 % moved by +50 % is 30 %.
    assert close_rate[:5] == ["Close rate (%)", "percent", 20.0, 50.0, 30.0]
    assert close_rate[5] == "from the deals table"
    assert inputs["Average deal size"][1].value == "EUR"
    assert inputs["Average deal size"][2].number_format == "#,##0.00"

    figures = _by_label(_table(sheet, "Figure"))
    won = [cell.value for cell in figures["Won revenue in 12 months"]]
    # 2 won deals a month before, 3 after, for 11 months at 1,000 EUR.
    assert won[1] == "EUR"
    assert won[2] == pytest.approx(22_000.0)
    assert won[3] == pytest.approx(33_000.0)
    assert won[4] == pytest.approx(11_000.0)
    assert won[5] == pytest.approx(50.0)
    # 20 % churn a year is 1 - 0.8^(1/12) = 1.8423 % a month, so CLV =
    # 100 EUR / 0.018423 = 5,427.86 EUR; CAC = 1,000 / 5 = 200 EUR.
    clv_to_cac = [cell.value for cell in figures["CLV : CAC"]]
    assert clv_to_cac[2] == pytest.approx(100 / (1 - 0.8 ** (1 / 12)) / 200)
    assert round(clv_to_cac[2], 2) == 27.14
    assert len(sheet._charts) == 2

    settings = _settings(workbook)
    assert settings["Levers moved"] == "Close rate (%) +50 %"
    assert settings["Won deals become subscribers"].startswith("no")


def test_page_workbooks_control_characters_as_stand_in(tmp_path):
    # Stored table names come from the uploaded file names.
    path = tmp_path / "deals\x1b\x07.csv"
    path.write_text(
        "Deal ID,Deal Stage,Create Date,Close Date\n"
        "1,Closed won,2025-03-02,2025-03-10\n"
        "2,Closed lost,2025-03-05,2025-04-20\n"
        "3,Closed won,2025-04-07,2025-04-25\n",
        encoding="utf-8",
    )
    deals = load_file(path.name, path.read_bytes()).frame
    pivot = D(2025, 4, 1)
    sources = [("Deals", path.name, deals.height)]
    comparison = comparison_workbook(
        before_after(deals, pivot, months=1),
        comparison_windows({"deals": deals}, pivot, 1),
        pivot=pivot,
        months=1,
        working_label="Mon-Fri\x0009:00-17:00",
        left_out={"Average deal size": "no amount column\x1f"},
        sources=sources,
    )
    scenario = scenario_workbook(
        LEVERS,
        {"close_rate": 50.0},
        unit="EUR",
        input_sources={"close_rate": f"from {path.name}"},
        baseline_label="Baseline from 2025-01-01 to 2025-12-31.",
        sources=sources,
    )

    assert "deals\ufffd\ufffd.csv" in _texts(comparison)
    assert "deals\ufffd\ufffd.csv" in _texts(scenario)
    assert "Mon-Fri\ufffd09:00-17:00" in _texts(comparison)
    assert "Average deal size: no amount column\ufffd." in _texts(comparison)


def _texts(content: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(BytesIO(content))
    return [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
