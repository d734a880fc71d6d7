"""Goals page: a count goal with an absolute target whose data starts after
its baseline window shows progress from 0, on the page and on a shared link.

The goal runs 181 days, 1 January to 30 June 2026, so its baseline window
is 4 July to 31 December 2025, before the first deal of 7 January 2026. The
page evaluates it as of the last date in the data, 14 April 2026: 104 days
have passed (31 + 28 + 31 + 14) and 77 are left.
"""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.sharing import ViewStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

FORM = "goal_form_new"
DEAL_DAYS = (
    "2026-01-07", "2026-01-20", "2026-02-03", "2026-02-17",
    "2026-03-04", "2026-03-18", "2026-04-01", "2026-04-14",
)  # fmt: skip
DEALS = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,"
    "Deal - Status,Deal - Deal created,Deal - Won time\n"
) + "".join(
    f"{number},Deal {number},1000,EUR,Qualified,open,{day} 10:00,\n"
    for number, day in enumerate(DEAL_DAYS, start=1)
)
# 8 deals so far, continued for 77 more days: 8 + 8 x 77 / 104 = 13.92,
# rounded half up to 14. Progress from 0: 14 / 20 x 100 = 70 %.
PROGRESS_TEXT = (
    "70.0 % of the way from 0 to the target: forecast / target, where the "
    "forecast is the count so far continued at its pace to the deadline"
)
NOTE = (
    "Progress is measured from 0 because the data starts on 2026-01-07, after "
    "the baseline window, so no count before the start is known. The count "
    "of this goal starts at 0 on 2026-01-01."
)


def _create_goal(tmp_path, workspace) -> AppTest:
    _store_only(tmp_path, workspace, {"pipedrive_deals.csv": (DEALS, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.text_input(key=f"{FORM}_title").input("20 neue Deals im ersten Halbjahr")
    at.selectbox(key=f"{FORM}_department").set_value("sales")
    at.selectbox(key=f"{FORM}_metric").set_value("new_deals")
    at.radio(key=f"{FORM}_kind").set_value("absolute")
    at.number_input(key=f"{FORM}_target").set_value(20.0)
    at.date_input(key=f"{FORM}_start").set_value(date(2026, 1, 1))
    at.date_input(key=f"{FORM}_deadline").set_value(date(2026, 6, 30))
    next(button for button in at.button if button.label == "Save goal").click().run()
    assert not at.exception
    assert not at.error
    return at


def _assert_progress_from_zero(at: AppTest) -> None:
    assert at.sidebar.date_input(key="goals_as_of").value == date(2026, 4, 14)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Current"] == "8"
    assert metrics["Forecast at the deadline"] == "14"
    assert metrics["Baseline"] == "–"
    (bar,) = at.get("progress")
    assert bar.proto.value == 70
    assert bar.proto.text == PROGRESS_TEXT
    captions = [caption.value for caption in at.caption]
    assert NOTE in captions
    assert not any("Progress needs a baseline" in text for text in captions)


def test_new_count_goal_progress_from_zero(tmp_path, fresh_workspace):
    at = _create_goal(tmp_path, fresh_workspace)
    _assert_progress_from_zero(at)
    assert any("At risk" in element.value for element in at.markdown)


def test_shared_goals_progress_from_zero(tmp_path, fresh_workspace):
    _create_goal(tmp_path, fresh_workspace)
    view = ViewStore(fresh_workspace).create("goals", "Goals", {})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = view.token
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert not at.get("form")
    _assert_progress_from_zero(at)
