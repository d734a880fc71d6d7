import csv
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT
from tests.pages.conftest import APP

SAMPLE_DEALS = PROJECT / "sample_data" / "deals.csv"


def _open_compare() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    return at


def _table_column(at: AppTest, name: str) -> list:
    return at.dataframe[0].value[name].tolist()


def test_compare_page_sample_data_renders():
    at = _open_compare()
    assert not at.exception
    assert not at.error
    kpis = _table_column(at, "KPI")
    for label in ("New deals", "Close rate", "Win rate", "Sales cycle"):
        assert label in kpis
    assert len(at.get("vega_lite_chart")) == 1


def test_compare_page_default_inside_deals():
    # Count the sample deals' dates by a separate route: the csv module.
    with SAMPLE_DEALS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    created = [date.fromisoformat(row["Create Date"]) for row in rows]
    closed = [date.fromisoformat(r["Close Date"]) for r in rows if r["Close Date"]]
    pivot = _open_compare().sidebar.date_input(key="compare_date").value
    assert min(created) < pivot
    assert pivot < max(closed)


def test_compare_page_default_middle_of_deals():
    # The middle of the sample deals' creation and close dates, by the csv
    # module.
    with SAMPLE_DEALS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    days = [
        date.fromisoformat(row[column])
        for row in rows
        for column in ("Create Date", "Close Date")
        if row[column]
    ]
    middle = min(days) + timedelta(days=(max(days) - min(days)).days // 2)
    pivot = _open_compare().sidebar.date_input(key="compare_date").value
    assert pivot == middle


def test_compare_page_rate_difference_in_points():
    at = _open_compare()
    table = at.dataframe[0].value
    close_rate = table[table["KPI"] == "Close rate"].iloc[0]
    before = float(close_rate["Before"].removesuffix(" %"))
    after = float(close_rate["After"].removesuffix(" %"))
    assert close_rate["Difference"].endswith(" pp")
    # The shown rates are rounded to 0.1, so their difference may be 0.1 off.
    difference = float(close_rate["Difference"].removesuffix(" pp"))
    assert difference == pytest.approx(after - before, abs=0.11)


def test_compare_page_window_change():
    at = _open_compare()
    at.sidebar.date_input(key="compare_date").set_value(date(2026, 1, 1)).run()
    at.sidebar.number_input(key="compare_months").set_value(3).run()
    assert not at.exception
    headline = " ".join(element.value for element in at.subheader)
    # January to March 2026 has 31 + 28 + 31 days.
    assert "2025-10-03 to 2025-12-31" in headline
    assert "2026-01-01 to 2026-03-31" in headline
    assert "90 days each" in headline


def test_compare_page_significance_column():
    at = _open_compare()
    verdicts = _table_column(at, "Significant")
    assert set(verdicts) <= {"yes", "no", "no test"}


def test_compare_page_relative_change_of_counts():
    table = _open_compare().dataframe[0].value
    new_deals = table[table["KPI"] == "New deals"].iloc[0]
    before = int(new_deals["Before"].replace(",", ""))
    after = int(new_deals["After"].replace(",", ""))
    # (after - before) / before in percent, to one decimal.
    expected = (after - before) / before * 100
    shown = new_deals["Relative change"]
    assert shown.endswith(" %")
    assert float(shown.removesuffix(" %")) == pytest.approx(expected, abs=0.051)
    assert shown.startswith("-" if expected < 0 else "+")


def test_compare_page_ratio_decimals_and_score_change():
    table = _open_compare().dataframe[0].value
    rows = {row["KPI"]: row for _, row in table.iterrows()}
    followups = rows["Follow-ups per ticket"]
    # A mean of replies per ticket is a ratio, shown to two decimals, and
    # its difference to two decimals as well.
    for column in ("Before", "After"):
        assert "." in followups[column]
        assert len(followups[column].split(".")[1]) == 2
    assert len(followups["Difference"].split(".")[1]) == 2
    # NPS runs from -100 to 100, so a share of change means nothing.
    nps = rows["Net Promoter Score"]
    assert nps["Relative change"] == "–"


def test_compare_page_rate_intervals():
    table = _open_compare().dataframe[0].value
    close_rate = table[table["KPI"] == "Close rate"].iloc[0]
    low, high = close_rate["95 % interval before"].split(" to ")
    before = float(close_rate["Before"].removesuffix(" %"))
    # The shown rate lies inside its interval.
    assert float(low.removesuffix(" %")) <= before <= float(high.removesuffix(" %"))
    # A count has no interval, which the table shows as empty.
    new_deals = table[table["KPI"] == "New deals"].iloc[0]
    assert not isinstance(new_deals["95 % interval before"], str)
