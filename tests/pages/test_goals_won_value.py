"""Goals page: a Won value goal is created from the form and shown in money,
and a floor of 0 is not saved."""

from datetime import date

from streamlit.testing.v1 import AppTest

from kpi_core.goal_store import GoalStore
from tests.pages.conftest import APP
from tests.pages.test_period_span import _store_only

FORM = "goal_form_new"
# Won from 1 October to 30 November 2025: 1,000 + 2,500 + 1,500 = 5,000 EUR.
CSV = (
    "Deal ID,Deal Stage,Create Date,Close Date,Amount,Deal Owner\n"
    "1,Closed Won,2025-06-01,2025-06-15,3000,Anna\n"
    "2,Closed Won,2025-07-01,2025-08-10,4000,Ben\n"
    "4,Closed Won,2025-09-01,2025-10-05,1000,Anna\n"
    "5,Closed Won,2025-09-01,2025-10-20,2500,Ben\n"
    "6,Closed Won,2025-09-15,2025-11-10,1500,Anna\n"
)
AS_OF = date(2025, 11, 30)


def _open(tmp_path, workspace_root) -> AppTest:
    _store_only(tmp_path, workspace_root, {"deals.csv": (CSV, "deals")})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/goals.py").run()
    at.sidebar.date_input(key="goals_as_of").set_value(AS_OF).run()
    return at


def _submit(at: AppTest, metric: str, target: float) -> None:
    at.text_input(key=f"{FORM}_title").input("Q4 goal")
    at.selectbox(key=f"{FORM}_metric").set_value(metric)
    at.number_input(key=f"{FORM}_target").set_value(target)
    at.date_input(key=f"{FORM}_start").set_value(date(2025, 10, 1))
    at.date_input(key=f"{FORM}_deadline").set_value(date(2025, 12, 31))
    next(button for button in at.button if button.label == "Save goal").click().run()


def test_won_value_goal_created(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace)
    _submit(at, "won_value", 10000.0)
    assert not at.exception
    assert not at.error
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert goal.metric == "won_value"
    # Without a Currency column the amounts are EUR.
    assert goal.currency == "EUR"
    figures = {metric.label: metric.value for metric in at.metric}
    assert figures["Target"] == "10,000 EUR"
    assert figures["Current"] == "5,000 EUR"
    # 5,000 x 92 days / 61 days so far = 7,540.98 EUR, shown in whole euros.
    assert figures["Forecast at the deadline"] == "7,541 EUR"
    captions = " ".join(caption.value for caption in at.caption)
    # (10,000 - 5,000) / (31 / 30.4375) = 4,909.27 EUR a month needed, and
    # 5,000 / (61 / 30.4375) = 2,494.88 EUR a month so far.
    assert "Pace needed +4,909.27 EUR per month" in captions
    assert "pace so far +2,494.88 EUR per month" in captions
    assert "The won value adds up over the window" in captions


def test_zero_floor_not_saved(tmp_path, fresh_workspace):
    at = _open(tmp_path, fresh_workspace)
    _submit(at, "won_deals", 0.0)
    assert not at.exception
    assert GoalStore(fresh_workspace).list_goals() == []
    errors = [element.value for element in at.error]
    assert any("A target of 0 is reached by any data" in e for e in errors)


def test_zero_ceiling_saved(tmp_path, fresh_workspace):
    # A sales cycle aims down, so a target of 0 days is saved as entered.
    at = _open(tmp_path, fresh_workspace)
    _submit(at, "sales_cycle_days", 0.0)
    assert not at.exception
    assert not at.error
    (goal,) = GoalStore(fresh_workspace).list_goals()
    assert goal.target == 0
