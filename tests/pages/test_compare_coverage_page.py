"""The Before and after page shows the churn rate of customers active before a
window, and compares a table that starts late over the days it covers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_compare_coverage import DEALS, SUBSCRIPTIONS, TICKETS
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only


def _compare_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert not at.main.error
    return at


def _row(at: AppTest, label: str) -> dict:
    table = at.dataframe[0].value
    [row] = table[table["KPI"] == label].to_dict("records")
    return row


def test_churn_after_without_new_subscriptions(tmp_path, fresh_workspace):
    files = {"subs.csv": (SUBSCRIPTIONS, "subscriptions")}
    _store_only(tmp_path, fresh_workspace, files)
    at = _compare_page({"compare_date": "2024-07-01", "compare_months": "3"})
    row = _row(at, "Churn rate")

    # Before, 31 March to 30 June 2024: A, B, F and C active, C and F end:
    # 2 / 4 = 50.0 %. After, 1 July to 30 September: A, B and D active, B
    # ends: 1 / 3 = 33.3 %.
    assert row["Before"] == "50.0 %"
    assert row["After"] == "33.3 %"
    assert row["n before"] == 4
    assert row["n after"] == 3
    assert row["Days each"] == 92
    # 33.3 - 50.0 = -16.7 percentage points.
    assert row["Difference"] == "-16.7 pp"


def test_late_tickets_compared_over_covered_days(tmp_path, fresh_workspace):
    files = {"deals.csv": (DEALS, "deals"), "tickets.csv": (TICKETS, "tickets")}
    _store_only(tmp_path, fresh_workspace, files)
    at = _compare_page({"compare_date": "2025-04-01", "compare_months": "1"})
    row = _row(at, "Tickets")

    # The tickets start on 25 March: 25 to 31 March (3 tickets) against 1
    # to 7 April (2 tickets), 7 days each, not 3 against 3 over 30 days.
    assert row["Before"] == "3"
    assert row["After"] == "2"
    assert row["Days each"] == 7
    assert row["Note"].startswith("the tickets table covers only 2025-03-25")
    assert row["Significant"] == "no"
    # The deals cover all of March and April: 30 days each.
    assert _row(at, "New deals")["Days each"] == 30
    [headline] = at.main.subheader
    assert headline.value == (
        "Before: 2025-03-02 to 2025-03-31. After: 2025-04-01 to 2025-04-30. "
        "30 days each."
    )
    captions = " ".join(caption.value for caption in at.main.caption)
    assert "The rows of a table that covers fewer days compare fewer days" in (captions)
