"""Marketing page: for a period before the subscriptions start, the ARR
bridge is either shown or explained, not both."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

# The first subscription starts on 2024-06-01, years after 2021.
SUBSCRIPTIONS = (
    "id,Customer ID,Status,Start Date (UTC),Ended At (UTC),Amount,Currency,Interval\n"
    "s1,K1,active,2024-06-01 00:00,,100.00,EUR,month\n"
    "s2,K2,canceled,2024-07-01 00:00,2025-02-01 00:00,50.00,EUR,month\n"
)
NOT_SHOWN = "The ARR bridge is not shown. No subscription brings recurring revenue"


def _open(dates: list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"period": "Custom", "dates": dates})
    at.switch_page("pages/marketing.py").run()
    assert not at.exception
    return at


def _bridge_tables(at: AppTest) -> list:
    return [frame for frame in at.dataframe if "step" in frame.value.columns]


def test_zero_bridge_note_without_table(tmp_path, fresh_workspace):
    _store_only(
        tmp_path, fresh_workspace, {"subs.csv": (SUBSCRIPTIONS, "subscriptions")}
    )
    at = _open(["2021-01-01", "2021-12-31"])
    infos = " ".join(info.value for info in at.info)
    assert NOT_SHOWN in infos
    assert _bridge_tables(at) == []


def test_bridge_table_with_revenue(tmp_path, fresh_workspace):
    # Guard: in 2024 K1 (100 a month) and K2 (50 a month) start, so the
    # bridge has new ARR of (100 + 50) x 12 = 1,800 and is shown.
    _store_only(
        tmp_path, fresh_workspace, {"subs.csv": (SUBSCRIPTIONS, "subscriptions")}
    )
    at = _open(["2024-01-01", "2024-12-31"])
    infos = " ".join(info.value for info in at.info)
    assert NOT_SHOWN not in infos
    [table] = _bridge_tables(at)
    assert 1800 in table.value["amount"].to_list()
