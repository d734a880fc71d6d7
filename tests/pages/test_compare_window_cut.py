"""The Before and after page names the windows it compares in its headline,
explains why they are shorter than requested, and tests small counts
exactly."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.kpi_core.test_window_cuts import DEALS
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# 4 tickets in March 2025 against 1 in April. T0 and T6 carry the data past
# both 1-month windows around 1 April.
TICKETS = """\
Ticket ID,Created at,Solved at,Status
T0,2025-02-10 10:00,2025-02-10 12:00,solved
T1,2025-03-03 10:00,2025-03-03 12:00,solved
T2,2025-03-10 10:00,2025-03-10 12:00,solved
T3,2025-03-17 10:00,2025-03-17 12:00,solved
T4,2025-03-24 10:00,2025-03-24 12:00,solved
T5,2025-04-14 10:00,2025-04-14 12:00,solved
T6,2025-05-05 10:00,2025-05-05 12:00,solved
"""


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


def test_headline_names_shortened_windows(tmp_path, fresh_workspace):
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = _compare_page({"compare_date": "2025-04-01", "compare_months": "3"})

    # The deals start on 10 January: 81 days before 1 April, so the after
    # window is the 81 days from 1 April to 20 June.
    [headline] = at.main.subheader
    assert headline.value == (
        "Before: 2025-01-10 to 2025-03-31. After: 2025-04-01 to 2025-06-20. "
        "81 days each."
    )
    warnings = [warning.value for warning in at.main.warning]
    assert any(
        w.startswith("The windows are 81 days each, shorter than the 3 months")
        for w in warnings
    )
    assert any("2 rows dated in the days left out" in w for w in warnings)


def test_no_warning_for_whole_windows(tmp_path, fresh_workspace):
    # Guard: 1 month around 1 April lies inside the deals' dates.
    _store_only(tmp_path, fresh_workspace, {"deals.csv": (DEALS, "deals")})
    at = _compare_page({"compare_date": "2025-04-01", "compare_months": "1"})
    [headline] = at.main.subheader
    assert headline.value.endswith("30 days each.")
    assert not any("shorter than" in w.value for w in at.main.warning)


def test_exact_p_values_on_page(tmp_path, fresh_workspace):
    files = {"deals.csv": (DEALS, "deals"), "tickets.csv": (TICKETS, "tickets")}
    _store_only(tmp_path, fresh_workspace, files)
    at = _compare_page({"compare_date": "2025-04-01", "compare_months": "1"})

    # 2 to 31 March (T1 to T4) against April (T5), 30 days each.
    # Binomial(5, 1/2) in 32: 1, 5, 10, 10, 5, 1. P(4) = 5 / 32, and 0, 1,
    # 4 and 5 are no more likely: (1 + 5 + 5 + 1) / 32 = 0.375. The normal
    # approximation gave 0.180.
    tickets = _row(at, "Tickets")
    assert tickets["Days each"] == 30
    assert tickets["n before"] == 4
    assert tickets["n after"] == 1
    assert tickets["Test"] == "exact Poisson test"
    assert tickets["p-value"] == pytest.approx(0.375)
    assert tickets["Significant"] == "no"
