"""The Marketing page's email-list series follows the removals variant
chosen in the sidebar, as the card does."""

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_pages_without_rate import _workspace_with

# a, b, c and d are on the list before 2025. In January e joins, a
# unsubscribes and b's address is cleaned.
EVENTS = b"""\
Email,Event,Date
a@example.com,subscribe,2024-12-01
b@example.com,subscribe,2024-12-02
c@example.com,subscribe,2024-12-03
d@example.com,subscribe,2024-12-04
e@example.com,subscribe,2025-01-10
a@example.com,unsubscribe,2025-01-15
b@example.com,cleaned,2025-01-20
"""


def _january_growth(at: AppTest) -> float:
    [series] = [t.value for t in at.dataframe if "growth_rate" in t.value.columns]
    january = series[series["period_start"].astype(str).str.startswith("2025-01")]
    return float(january["growth_rate"].iloc[0])


def test_list_series_follows_variant(fresh_workspace):
    _workspace_with(fresh_workspace, ("email_events", EVENTS))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/marketing.py").run()
    at.sidebar.selectbox(key="period").set_value("all").run()
    assert not at.exception
    # 4 on the list at the start of January: (1 joined - 1 unsubscribed -
    # 1 cleaned) / 4 = -25 %.
    assert _january_growth(at) == -25.0

    at.sidebar.radio(key="marketing_growth_variant").set_value("unsubscribes_only")
    at.run()
    assert not at.exception
    # Without cleaned addresses as removals: (1 - 1) / 4 = 0 %.
    assert _january_growth(at) == 0.0
